package dev.corral.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's options, checked against the model's declared options and completed with their
 * defaults, so that a plugin sees the manifest's default rather than its own.
 *
 * @param values option name → typed value ({@code Long}, {@code Double}, {@code String},
 *               {@code Boolean}); unmodifiable
 */
public record RequestOptions(Map<String, Object> values) {

    public RequestOptions {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Checks every given option (text from query parameters, Java values or Jackson
     * {@code JsonNode}s from a JSON body) and adds the declared defaults of the others.
     *
     * @param declared the manifest's {@link ModelManifest#options()}
     * @param given    the request's options; the caller leaves out parameters that are not
     *                 options (such as {@code model})
     * @throws InvalidOptionException listing every unknown or invalid option
     */
    public static RequestOptions resolve(Map<String, OptionSpec> declared, Map<String, ?> given)
            throws InvalidOptionException {
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ?> option : given.entrySet()) {
            OptionSpec spec = declared.get(option.getKey());
            if (spec == null) {
                problems.add("unknown option '" + option.getKey() + "' (" + accepted(declared) + ")");
                continue;
            }
            try {
                values.put(spec.name(), spec.validate(option.getValue()));
            } catch (InvalidOptionException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidOptionException(problems);
        }
        for (OptionSpec spec : declared.values()) {
            if (spec.defaultValue() != null) {
                values.putIfAbsent(spec.name(), spec.defaultValue());
            }
        }
        return new RequestOptions(values);
    }

    private static String accepted(Map<String, OptionSpec> declared) {
        return declared.isEmpty()
                ? "this model accepts no options"
                : "this model accepts: " + String.join(", ", declared.keySet());
    }
}
