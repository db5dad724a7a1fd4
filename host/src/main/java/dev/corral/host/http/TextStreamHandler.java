package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import dev.corral.registry.ModelTask;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET|POST /infer/text/stream}: a generation as Server-Sent Events. GET takes the prompt
 * and options from the query, so that a browser's {@code EventSource} can open it; POST takes
 * the same JSON as {@code /infer/text}.
 */
final class TextStreamHandler implements Handler {
    private final ModelManager models;
    private final long maxBodyBytes;
    private final GenerationStreamer streamer;

    TextStreamHandler(ModelManager models, long maxBodyBytes, GenerationStreamer streamer) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
        this.streamer = streamer;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        TextRequest request = req.prologue().method() == Method.GET
                ? TextRequest.fromQuery(req)
                : TextRequest.fromJson(RequestBody.read(req, maxBodyBytes), req.query().first("model").orElse(null));
        if (!request.generates()) {
            throw new ServingException(ErrorKind.BAD_REQUEST,
                    "/infer/text/stream streams a generation: give \"prompt\" or \"messages\"");
        }
        try (ModelLease lease = models.lease(request.model(), ModelTask.TEXT_GENERATION)) {
            LoadedModel model = lease.model();
            streamer.stream(model.generator(), InferTextHandler.generation(model, request), res, new TextResponses.Stream());
        }
    }
}
