package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.serving.InferenceOutcome;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import dev.corral.host.tensor.Tensor;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /infer/multimodal}: an image and text parts through a multimodal model's pipeline
 * (grounding, document query, zero-shot classification); the result is the pipeline's JSON, or
 * with {@code ?render=png} the image with the result's boxes drawn.
 */
final class InferMultimodalHandler implements Handler {
    private final ModelManager models;
    private final long maxBodyBytes;

    InferMultimodalHandler(ModelManager models, long maxBodyBytes) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        boolean render = RenderedResponse.wanted(req);
        MultimodalRequest request = MultimodalRequest.parse(req, RequestBody.read(req, maxBodyBytes));
        try (ModelLease lease = models.lease(request.model(), "multimodal")) {
            serve(lease.model(), request, render, res);
        }
    }

    private static void serve(LoadedModel model, MultimodalRequest request, boolean render, ServerResponse res) {
        Parameters options = model.parseOptions(request.options());
        StageTimings timings = new StageTimings();
        Tensor image = model.decodeImage(request.image(), request.imageLabel(), timings);
        InferenceOutcome outcome = model.run(model.multimodalTensors(image, request.texts()), options, timings);
        if (render) {
            RenderedResponse.send(res, model.name(), image, outcome);
            return;
        }
        ObjectNode body = Json.object();
        body.put("model", model.name());
        body.put("version", model.version());
        body.putRawValue("result", new RawValue(outcome.resultJson()));
        body.putPOJO("timings_ms", outcome.timings().toMillis());
        Json.send(res, 200, body);
    }
}
