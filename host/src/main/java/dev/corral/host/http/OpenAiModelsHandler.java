package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.serving.ModelManager;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/** {@code GET /v1/models}: every model, in OpenAI's list shape. */
final class OpenAiModelsHandler implements Handler {
    private final ModelManager models;

    OpenAiModelsHandler(ModelManager models) {
        this.models = models;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (Map<String, Object> model : models.describeAll()) {
            ObjectNode m = data.addObject();
            m.put("id", String.valueOf(model.get("name")));
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "corral");
        }
        Json.send(res, 200, body);
    }
}
