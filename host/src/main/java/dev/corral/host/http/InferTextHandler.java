package dev.corral.host.http;

import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import dev.corral.registry.ModelTask;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /infer/text}: texts to embed ({@code input}) get one vector each; a prompt or a
 * chat ({@code prompt}, {@code messages}) gets its generated continuation, whole. With no model
 * named, the only embedding model or the only generation model serves, by what was asked.
 */
final class InferTextHandler implements Handler {
    private final ModelManager models;
    private final long maxBodyBytes;

    InferTextHandler(ModelManager models, long maxBodyBytes) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        TextRequest request = TextRequest.fromJson(RequestBody.read(req, maxBodyBytes),
                req.query().first("model").orElse(null));
        if (request.generates()) {
            try (ModelLease lease = models.lease(request.model(), ModelTask.TEXT_GENERATION)) {
                LoadedModel model = lease.model();
                Json.send(res, 200, TextResponses.generation(model, model.generator().generate(generation(model, request))));
            }
        } else {
            try (ModelLease lease = models.lease(request.model(), ModelTask.TEXT_EMBEDDING)) {
                LoadedModel model = lease.model();
                Json.send(res, 200, TextResponses.embeddings(model,
                        model.embed(request.inputs(), model.parseOptions(request.optionsFor(model)))));
            }
        }
    }

    static GenerationRequest generation(LoadedModel model, TextRequest request) {
        return model.generationRequest(model.promptTensors(request.prompt(), request.messages()),
                request.optionsFor(model), request.maxTokens(), request.stop(), request.echo());
    }
}
