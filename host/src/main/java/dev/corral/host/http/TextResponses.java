package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.TokenEvent;
import dev.corral.host.serving.Embedding;
import dev.corral.host.serving.EmbeddingOutcome;
import dev.corral.host.serving.LoadedModel;
import java.util.List;

/** The JSON of Corral's own text surface: {@code /infer/text} and {@code /infer/text/stream}. */
final class TextResponses {
    private TextResponses() {
    }

    static ObjectNode embeddings(LoadedModel model, EmbeddingOutcome outcome) {
        ObjectNode body = head(model);
        ArrayNode vectors = body.putArray("embeddings");
        for (Embedding e : outcome.embeddings()) {
            ArrayNode v = vectors.addArray();
            for (float x : e.vector()) {
                v.add(x);
            }
        }
        body.put("dimensions", outcome.embeddings().getFirst().vector().length);
        body.set("usage", usage(outcome.totalTokens(), 0));
        body.putPOJO("timings_ms", outcome.timings().toMillis());
        return body;
    }

    static ObjectNode generation(LoadedModel model, GenerationResult result) {
        ObjectNode body = head(model);
        body.put("text", result.text());
        body.put("finish_reason", result.finishReason().wireName());
        ArrayNode ids = body.putArray("token_ids");
        for (int id : result.tokenIds()) {
            ids.add(id);
        }
        body.put("seed", result.seed());
        body.set("usage", usage(result.promptTokens(), result.completionTokens()));
        body.putPOJO("timings", result.timings().toMap());
        return body;
    }

    /** OpenAI's usage object, which Corral's surface shares. */
    static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode usage = Json.object();
        usage.put("prompt_tokens", promptTokens);
        if (completionTokens > 0) {
            usage.put("completion_tokens", completionTokens);
        }
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    private static ObjectNode head(LoadedModel model) {
        ObjectNode body = Json.object();
        body.put("model", model.name());
        body.put("version", model.version());
        return body;
    }

    /** Events of {@code /infer/text/stream}: one per step, then the finish with the whole text, usage and timings. */
    static final class Stream implements StreamFormat {
        @Override
        public String token(TokenEvent event) {
            ObjectNode e = Json.object();
            e.put("index", event.index());
            if (event.tokenId() >= 0) {
                e.put("token_id", event.tokenId());
            }
            e.put("text", event.text());
            if (event.echo()) {
                e.put("echo", true);
            }
            return Json.text(e);
        }

        @Override
        public List<String> finish(GenerationResult result) {
            ObjectNode e = Json.object();
            e.put("finish_reason", result.finishReason().wireName());
            e.put("text", result.text());
            e.put("seed", result.seed());
            e.set("usage", usage(result.promptTokens(), result.completionTokens()));
            e.putPOJO("timings", result.timings().toMap());
            return List.of(Json.text(e));
        }

        @Override
        public String error(ServingException failure) {
            return Json.text(ErrorResponses.body(failure));
        }
    }
}
