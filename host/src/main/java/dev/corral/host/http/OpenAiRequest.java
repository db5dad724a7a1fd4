package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields that OpenAI's completion and chat requests share, read the way OpenAI documents
 * them. Sampling fields become the model's options; fields Corral cannot honour with a
 * non-default value ({@code n} > 1, penalties, log-probabilities) are refused rather than
 * silently ignored; fields that change nothing here ({@code user}, {@code store}, …) are ignored.
 */
record OpenAiRequest(ObjectNode body, String model, boolean stream, boolean includeUsage, Integer maxTokens,
                     List<String> stop, Map<String, Object> options) {
    /** OpenAI's sampling fields, and vLLM's extensions that Corral's sampler also has. */
    private static final List<String> SAMPLING = List.of("temperature", "top_p", "seed", "top_k", "repetition_penalty");

    static OpenAiRequest parse(byte[] bytes, String maxTokensField) {
        ObjectNode body = JsonBody.object(bytes, "as OpenAI's API describes it");
        refuseUnless(body, "n", 1);
        refuseUnless(body, "best_of", 1);
        refuseUnless(body, "presence_penalty", 0);
        refuseUnless(body, "frequency_penalty", 0);
        JsonNode logprobs = body.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.booleanValue())) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"logprobs\" is not supported by this server");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        for (String name : SAMPLING) {
            JsonNode v = body.get(name);
            if (v != null && !v.isNull()) {
                options.put(name, JsonBody.optionValue(v));
            }
        }
        Integer maxTokens = JsonBody.integer(body.get(maxTokensField), maxTokensField);
        if (maxTokens == null) {
            maxTokens = JsonBody.integer(body.get("max_tokens"), "max_tokens");
        }
        String model = body.has("model") ? JsonBody.string(body.get("model"), "model") : null;
        JsonNode streamOptions = body.path("stream_options");
        return new OpenAiRequest(body, model, JsonBody.bool(body.get("stream"), "stream", false),
                streamOptions.isObject() && JsonBody.bool(streamOptions.get("include_usage"), "stream_options.include_usage", false),
                maxTokens, JsonBody.strings(body.get("stop"), "stop"), options);
    }

    private static void refuseUnless(ObjectNode body, String field, double neutral) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !(v.isNumber() && v.doubleValue() == neutral)) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"" + field + "\" other than " + (long) neutral
                    + " is not supported by this server (found " + v + ")");
        }
    }

    /** Only the options the model declares: a client's default temperature must not fail a model without one. */
    Map<String, Object> optionsDeclaredBy(java.util.Set<String> declared) {
        Map<String, Object> kept = new LinkedHashMap<>(options);
        kept.keySet().retainAll(declared);
        return kept;
    }
}
