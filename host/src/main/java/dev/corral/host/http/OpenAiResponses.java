package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ServingException;
import java.util.UUID;

/** What OpenAI's API answers look like: ids, timestamps and its error shape. */
final class OpenAiResponses {
    private OpenAiResponses() {
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "");
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** The head every completion object and chunk shares. */
    static ObjectNode object(String id, String object, long created, String model) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** Corral's error object, with OpenAI's {@code type} (clients branch on it) beside its {@code code}. */
    static ObjectNode error(ServingException e) {
        ObjectNode body = ErrorResponses.body(e);
        ((ObjectNode) body.get("error")).put("type", e.kind().status() < 500 ? "invalid_request_error" : "server_error");
        ((ObjectNode) body.get("error")).putNull("param");
        return body;
    }
}
