package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.Embedding;
import dev.corral.host.serving.EmbeddingOutcome;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import dev.corral.registry.ModelTask;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/embeddings}. Vectors go out as JSON floats or, with {@code encoding_format:
 * base64} (what OpenAI's own clients ask for by default), as little-endian float32 in base64.
 */
final class OpenAiEmbeddingsHandler implements Handler {
    private final ModelManager models;
    private final long maxBodyBytes;

    OpenAiEmbeddingsHandler(ModelManager models, long maxBodyBytes) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode request = JsonBody.object(RequestBody.read(req, maxBodyBytes), "with \"input\" and \"model\"");
        String modelName = request.has("model") ? JsonBody.string(request.get("model"), "model") : null;
        try (ModelLease lease = models.lease(modelName, ModelTask.TEXT_EMBEDDING)) {
            serve(lease.model(), request, res);
        }
    }

    private static void serve(LoadedModel model, ObjectNode request, ServerResponse res) {
        JsonNode input = request.get("input");
        if (input == null) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"input\" is required: a string or a list of strings");
        }
        List<String> texts = JsonBody.strings(input, "input");
        String format = request.has("encoding_format") ? JsonBody.string(request.get("encoding_format"), "encoding_format")
                : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"encoding_format\" must be \"float\" or \"base64\", found \""
                    + format + "\"");
        }
        EmbeddingOutcome outcome = model.embed(texts, model.parseOptions(Map.of()));
        Integer dimensions = JsonBody.integer(request.get("dimensions"), "dimensions");
        int actual = outcome.embeddings().getFirst().vector().length;
        if (dimensions != null && dimensions != actual) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"dimensions\" is " + dimensions + ", but model '"
                    + model.name() + "' gives " + actual + "-dimensional vectors only");
        }
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (int i = 0; i < outcome.embeddings().size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            Embedding e = outcome.embeddings().get(i);
            if (format.equals("base64")) {
                item.put("embedding", base64(e.vector()));
            } else {
                ArrayNode v = item.putArray("embedding");
                for (float x : e.vector()) {
                    v.add(x);
                }
            }
        }
        body.put("model", model.name());
        body.set("usage", TextResponses.usage(outcome.totalTokens(), 0));
        Json.send(res, 200, body);
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : vector) {
            bytes.putFloat(x);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
