package dev.corral.host.http;

import dev.corral.host.serving.ModelManager;
import io.helidon.webserver.http.HttpRouting;

/** OpenAI-compatible routes, so that existing OpenAI clients talk to Corral unchanged. */
final class OpenAiRoutes {
    static final String PREFIX = "/v1/";

    private OpenAiRoutes() {
    }

    static void register(HttpRouting.Builder routing, ModelManager models, long maxBodyBytes, GenerationStreamer streamer) {
        routing.get("/v1/models", new OpenAiModelsHandler(models))
                .post("/v1/completions", new OpenAiGenerationHandler(OpenAiApi.COMPLETIONS, models, maxBodyBytes, streamer))
                .post("/v1/chat/completions", new OpenAiGenerationHandler(OpenAiApi.CHAT, models, maxBodyBytes, streamer))
                .post("/v1/embeddings", new OpenAiEmbeddingsHandler(models, maxBodyBytes));
    }
}
