package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A position in a JSON document: the value there (absent when the field is missing or
 * {@code null}) and its JSON path, e.g. {@code pipeline[2].config.labels}. The typed readers add a
 * problem naming the path, what was expected and what was found, and return {@code null}, so that
 * a reader can go on and collect every problem of the document.
 */
final class JsonCursor {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final int MAX_SHOWN_CHARS = 60;

    private final JsonNode node;
    private final String path;
    private final Problems problems;

    private JsonCursor(JsonNode node, String path, Problems problems) {
        this.node = node == null || node.isMissingNode() || node.isNull() ? null : node;
        this.path = path;
        this.problems = problems;
    }

    static JsonCursor root(JsonNode node, Problems problems) {
        return new JsonCursor(node, "", problems);
    }

    String path() {
        return path;
    }

    JsonNode node() {
        return node;
    }

    boolean present() {
        return node != null;
    }

    void problem(String message) {
        problems.add(path, message);
    }

    JsonCursor field(String name) {
        String child = PLAIN_KEY.matcher(name).matches()
                ? (path.isEmpty() ? name : path + "." + name)
                : path + "[" + quote(name) + "]";
        return new JsonCursor(node == null ? null : node.get(name), child, problems);
    }

    /**
     * Whether this is an object whose fields are all among {@code allowed}. An unknown field is a
     * problem (it is most often a typo); an absent value is not, unless {@code required}.
     */
    boolean object(boolean required, String... allowed) {
        if (!isObject(required)) {
            return false;
        }
        Set<String> known = Set.of(allowed);
        for (String name : fieldNames()) {
            if (!known.contains(name)) {
                problem("unknown field '" + name + "' (expected one of: " + String.join(", ", allowed) + ")");
            }
        }
        return true;
    }

    /** The fields of an object used as a map (names chosen by the author), in document order. */
    Map<String, JsonCursor> entries(boolean required) {
        Map<String, JsonCursor> entries = new LinkedHashMap<>();
        if (isObject(required)) {
            for (String name : fieldNames()) {
                entries.put(name, field(name));
            }
        }
        return entries;
    }

    List<JsonCursor> elements(boolean required) {
        List<JsonCursor> elements = new ArrayList<>();
        if (!present()) {
            missingIf(required, "an array");
        } else if (!node.isArray()) {
            expected("an array");
        } else {
            for (int i = 0; i < node.size(); i++) {
                elements.add(new JsonCursor(node.get(i), path + "[" + i + "]", problems));
            }
        }
        return elements;
    }

    /** A string, or {@code fallback} when absent; an empty string is a problem. */
    String string(boolean required, String fallback) {
        if (!present()) {
            missingIf(required, "a non-empty string");
            return fallback;
        }
        if (!node.isTextual() || node.textValue().isEmpty()) {
            expected("a non-empty string");
            return null;
        }
        return node.textValue();
    }

    /** A string that matches {@code pattern}, described to the author as {@code what}. */
    String string(boolean required, Pattern pattern, String what) {
        String value = string(required, null);
        if (value != null && !pattern.matcher(value).matches()) {
            expected(what);
            return null;
        }
        return value;
    }

    /**
     * A path relative to the folder that holds the document: not absolute and without {@code ..},
     * so that a file named in a manifest or the catalog can never reach outside that folder.
     */
    String relativePath(boolean required) {
        String value = string(required, null);
        if (value == null) {
            return null;
        }
        boolean absolute = value.startsWith("/") || value.startsWith("\\") || value.matches("[A-Za-z]:.*");
        boolean climbs = List.of(value.split("[/\\\\]")).contains("..");
        if (absolute || climbs) {
            expected("a relative path inside the folder (no '..', not absolute)");
            return null;
        }
        return value;
    }

    /** One of the names in {@code choices}, mapped to its value; {@code fallback} when absent. */
    <T> T choice(boolean required, Map<String, T> choices, T fallback) {
        String expected = "one of " + String.join(", ", new TreeSet<>(choices.keySet()).stream().map(JsonCursor::quote).toList());
        if (!present()) {
            missingIf(required, expected);
            return fallback;
        }
        T value = node.isTextual() ? choices.get(node.textValue()) : null;
        if (value == null) {
            expected(expected);
        }
        return value;
    }

    /** An integer within {@code [min, max]}; {@code fallback} when absent. */
    Long integer(boolean required, long min, long max, Long fallback) {
        String expected = integerRange(min, max);
        if (!present()) {
            missingIf(required, expected);
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()
                || node.longValue() < min || node.longValue() > max) {
            expected(expected);
            return null;
        }
        return node.longValue();
    }

    Integer intValue(boolean required, int min, int max, Integer fallback) {
        Long value = integer(required, min, max, fallback == null ? null : fallback.longValue());
        return value == null ? null : value.intValue();
    }

    Boolean bool(boolean fallback) {
        if (!present()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            expected("true or false");
            return null;
        }
        return node.booleanValue();
    }

    /**
     * The value as plain Java: {@code String}, {@code Long}, {@code Double}, {@code Boolean},
     * unmodifiable {@code List} and {@code Map} (document order). JSON {@code null} has no meaning in a
     * registry document and is refused, so that absent and null never differ.
     */
    Object plain() {
        if (node == null) {
            problem("null is not allowed here (leave the field out instead)");
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                expected("an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
                return null;
            }
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> values = new ArrayList<>();
            for (JsonCursor element : elements(true)) {
                values.add(element.plain());
            }
            return values.contains(null) ? null : Collections.unmodifiableList(values);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonCursor> entry : entries(true).entrySet()) {
            values.put(entry.getKey(), entry.getValue().plain());
        }
        return values.containsValue(null) ? null : Collections.unmodifiableMap(values);
    }

    /** Adds "expected {@code what}, found ..." for the value here. */
    void expected(String what) {
        problem("expected " + what + ", found " + shown(node));
    }

    private boolean isObject(boolean required) {
        if (!present()) {
            missingIf(required, "an object");
            return false;
        }
        if (!node.isObject()) {
            expected("an object");
            return false;
        }
        return true;
    }

    private List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private void missingIf(boolean required, String expected) {
        if (required) {
            problem("missing (expected " + expected + ")");
        }
    }

    static String integerRange(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "an integer ≥ " + min;
        }
        return "an integer between " + min + " and " + max;
    }

    /** How a found value is shown in a message: strings quoted (and cut when long), containers by kind. */
    static String shown(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isTextual()) {
            return quote(value.textValue());
        }
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        return value.toString();
    }

    /** A string as a JSON literal, cut to a readable length. */
    static String quote(String text) {
        String shown = text.length() > MAX_SHOWN_CHARS ? text.substring(0, MAX_SHOWN_CHARS) + "…" : text;
        StringBuilder out = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
