package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.ChatMessage;
import dev.corral.host.serving.LoadedModel;
import io.helidon.webserver.http.ServerRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request to {@code /infer/text} or its stream, from a JSON body or (for a browser's
 * EventSource) from the query: texts to embed, or a prompt or chat to continue. The model's
 * declared options may be given at the top level or under {@code options}; any other field is
 * refused, naming it, once the model is known.
 *
 * @param model     the model named by {@code ?model=} or {@code "model"}, or null
 * @param inputs    texts to embed, or null
 * @param prompt    the text to continue, or null
 * @param messages  the chat to continue, or null
 * @param maxTokens null for the model's default
 * @param stop      stop strings, possibly none
 * @param echo      whether the prompt is streamed back first
 * @param options   raw option values (strings from a query)
 */
record TextRequest(String model, List<String> inputs, String prompt, List<ChatMessage> messages, Integer maxTokens,
                   List<String> stop, boolean echo, Map<String, Object> options) {
    private static final Set<String> FIELDS = Set.of("model", "input", "prompt", "messages", "max_tokens", "stop",
            "echo", "options");
    private static final String SHAPE = "with \"input\" (texts to embed) or \"prompt\"/\"messages\" (to generate)";

    static TextRequest fromJson(byte[] body, String queryModel) {
        ObjectNode root = JsonBody.object(body, SHAPE);
        Map<String, Object> options = new LinkedHashMap<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var field = it.next();
            if (!FIELDS.contains(field.getKey())) {
                options.put(field.getKey(), JsonBody.optionValue(field.getValue()));
            }
        }
        JsonNode opts = root.get("options");
        if (opts != null && !opts.isNull()) {
            if (!opts.isObject()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "\"options\" must be a JSON object");
            }
            opts.fields().forEachRemaining(e -> options.put(e.getKey(), JsonBody.optionValue(e.getValue())));
        }
        String model = root.has("model") ? JsonBody.string(root.get("model"), "model") : queryModel;
        List<String> inputs = root.has("input") ? JsonBody.strings(root.get("input"), "input") : null;
        String prompt = root.has("prompt") ? JsonBody.string(root.get("prompt"), "prompt") : null;
        List<ChatMessage> messages = root.has("messages") ? messages(root.get("messages")) : null;
        return new TextRequest(model, inputs, prompt, messages, JsonBody.integer(root.get("max_tokens"), "max_tokens"),
                JsonBody.strings(root.get("stop"), "stop"), JsonBody.bool(root.get("echo"), "echo", false), options)
                .checked();
    }

    /** {@code GET /infer/text/stream?prompt=…&max_tokens=…&stop=…&stop=…&temperature=…} */
    static TextRequest fromQuery(ServerRequest req) {
        String model = null;
        String prompt = null;
        Integer maxTokens = null;
        boolean echo = false;
        List<String> stop = new ArrayList<>();
        Map<String, Object> options = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            List<String> values = req.query().all(name);
            String value = values.getLast();
            switch (name) {
                case "model" -> model = value;
                case "prompt" -> prompt = value;
                case "max_tokens" -> maxTokens = integer(value, name);
                case "echo" -> echo = bool(value, name);
                case "stop" -> stop.addAll(values);
                default -> options.put(name, value);
            }
        }
        if (prompt == null) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "the query needs a \"prompt\" parameter");
        }
        return new TextRequest(model, null, prompt, null, maxTokens, stop, echo, options).checked();
    }

    boolean generates() {
        return prompt != null || messages != null;
    }

    /**
     * The options, each checked to be one the model declares.
     *
     * @throws ServingException BAD_REQUEST naming the unknown field and the model's options
     */
    Map<String, Object> optionsFor(LoadedModel model) {
        Set<String> declared = model.manifest().options().keySet();
        for (String name : options.keySet()) {
            if (!declared.contains(name)) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "unknown field \"" + name + "\"; model '"
                        + model.name() + "' takes the options " + (declared.isEmpty() ? "(none)" : String.join(", ", declared))
                        + " besides " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        return options;
    }

    private TextRequest checked() {
        int given = (inputs != null ? 1 : 0) + (prompt != null ? 1 : 0) + (messages != null ? 1 : 0);
        if (given != 1) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "the request needs exactly one of \"input\" (texts to"
                    + " embed), \"prompt\" or \"messages\" (to generate); it has " + given);
        }
        if (inputs != null && (maxTokens != null || !stop.isEmpty() || echo)) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"max_tokens\", \"stop\" and \"echo\" apply to"
                    + " generation (\"prompt\" or \"messages\"), not to \"input\"");
        }
        return this;
    }

    /** A chat's messages, as Corral's and OpenAI's routes both take them. */
    static List<ChatMessage> messages(JsonNode v) {
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"messages\" must be a non-empty list of"
                    + " {\"role\": …, \"content\": …}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            if (!m.isObject()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "messages[" + i + "] must be an object");
            }
            String role = JsonBody.string(m.get("role"), "messages[" + i + "].role");
            // OpenAI's newer name for the system role.
            out.add(new ChatMessage(role.equals("developer") ? "system" : role,
                    content(m.get("content"), "messages[" + i + "].content")));
        }
        return out;
    }

    /** A string, or OpenAI's list of parts of which only {@code {"type": "text", "text": …}} is taken. */
    private static String content(JsonNode v, String field) {
        if (v != null && v.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < v.size(); i++) {
                JsonNode part = v.get(i);
                if (!"text".equals(part.path("type").asText())) {
                    throw new ServingException(ErrorKind.BAD_REQUEST, field + "[" + i + "]: only parts of type"
                            + " \"text\" are accepted, found " + part.path("type"));
                }
                text.append(JsonBody.string(part.get("text"), field + "[" + i + "].text"));
            }
            return text.toString();
        }
        return JsonBody.string(v, field);
    }

    private static Integer integer(String value, String name) {
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new ServingException(ErrorKind.INVALID_OPTION, name + ": expected an integer, found \"" + value + "\"");
        }
    }

    private static boolean bool(String value, String name) {
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw new ServingException(ErrorKind.BAD_REQUEST, "\"" + name + "\" must be true or false");
        };
    }
}
