package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.serving.RequestTensors;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.serving.InferenceOutcome;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code POST /infer/image}: one image gives one result; a list of images (multipart files or
 * JSON {@code images}) gives one entry per image, each with its own result or error, and the
 * images run concurrently so that the model's batcher can stack them.
 */
final class InferImageHandler implements Handler {
    private final ModelManager models;
    private final long maxBodyBytes;

    InferImageHandler(ModelManager models, long maxBodyBytes) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ImageRequest request = ImageRequest.parse(req, RequestBody.read(req, maxBodyBytes));
        try (ModelLease lease = models.lease(request.model(), "image")) {
            serve(lease.model(), request, req, res);
        }
    }

    private void serve(LoadedModel model, ImageRequest request, ServerRequest req, ServerResponse res) {
        Parameters options = model.parseOptions(request.options());
        if (RenderedResponse.wanted(req)) {
            if (request.images().size() != 1) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "render=png draws one image; this request has "
                        + request.images().size());
            }
            ImageRequest.EncodedImage image = request.images().getFirst();
            if (image.error() != null) {
                throw image.error();
            }
            StageTimings timings = new StageTimings();
            Tensor rgb = model.decodeImage(image.bytes(), image.label(), timings);
            RenderedResponse.send(res, model.name(), rgb, model.run(Map.of(RequestTensors.IMAGE, rgb), options, timings));
            return;
        }
        ObjectNode body = Json.object();
        body.put("model", model.name());
        body.put("version", model.version());
        if (request.many()) {
            body.set("results", inferAll(model, request.images(), options));
        } else {
            ImageRequest.EncodedImage image = request.images().getFirst();
            if (image.error() != null) {
                throw image.error();
            }
            putOutcome(body, model.inferImage(image.bytes(), image.label(), options));
        }
        Json.send(res, 200, body);
    }

    private static ArrayNode inferAll(LoadedModel model, List<ImageRequest.EncodedImage> images, Parameters options) {
        List<Future<InferenceOutcome>> pending = new ArrayList<>();
        try (ExecutorService perImage = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ImageRequest.EncodedImage image : images) {
                pending.add(image.error() != null ? null
                        : perImage.submit(() -> model.inferImage(image.bytes(), image.label(), options)));
            }
            ArrayNode results = Json.MAPPER.createArrayNode();
            for (int i = 0; i < images.size(); i++) {
                ObjectNode entry = results.addObject();
                entry.put("file", images.get(i).label());
                try {
                    if (pending.get(i) == null) {
                        throw images.get(i).error();
                    }
                    putOutcome(entry, await(pending.get(i)));
                } catch (ServingException e) {
                    entry.set("error", ErrorResponses.errorObject(e));
                }
            }
            return results;
        }
    }

    private static InferenceOutcome await(Future<InferenceOutcome> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an image's result", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void putOutcome(ObjectNode node, InferenceOutcome outcome) {
        // The sandbox has already checked that the plugin's result parses as a JSON object.
        node.putRawValue("result", new RawValue(outcome.resultJson()));
        node.putPOJO("timings_ms", outcome.timings().toMillis());
    }
}
