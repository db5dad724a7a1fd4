package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A request option that the model declares (e.g. {@code top_k}). Options come from clients and
 * are untrusted: {@link #validate(Object)} checks one against this declaration.
 *
 * @param name         the option's name
 * @param type         its type
 * @param min          inclusive lower bound ({@code Long} for integer, {@code Double} for number
 *                     options), or {@code null}
 * @param max          inclusive upper bound, like {@code min}, or {@code null}
 * @param defaultValue the typed value used when a request leaves the option out, or {@code null}
 * @param allowed      the only values accepted ({@code enum} in the manifest), typed; empty = any
 * @param description  for people, may be empty
 */
public record OptionSpec(String name, Type type, Number min, Number max, Object defaultValue,
                         List<Object> allowed, String description) {

    public OptionSpec {
        allowed = List.copyOf(allowed);
    }

    public enum Type {
        INTEGER, NUMBER, STRING, BOOLEAN;

        /** The name used in manifests, e.g. {@code integer}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** What a value of this type is, in words: {@code an integer}. */
        String inWords() {
            return switch (this) {
                case INTEGER -> "an integer";
                case NUMBER -> "a number";
                case STRING -> "a string";
                case BOOLEAN -> "true or false";
            };
        }

        /**
         * The value as this type's Java value ({@code Long}, {@code Double}, {@code String},
         * {@code Boolean}), or {@code null} when it is not one. Text is parsed, since query
         * parameters arrive as text; a number is never taken as a string.
         */
        Object coerce(Object value) {
            Object raw = value instanceof JsonNode json ? fromJson(json) : value;
            try {
                return switch (this) {
                    case INTEGER -> raw instanceof String || raw instanceof Number
                            ? decimal(raw).longValueExact() : null;
                    case NUMBER -> raw instanceof String || raw instanceof Number ? finite(decimal(raw).doubleValue()) : null;
                    case STRING -> raw instanceof String s ? s : null;
                    case BOOLEAN -> raw instanceof Boolean b ? b
                            : "true".equals(raw) ? Boolean.TRUE : "false".equals(raw) ? Boolean.FALSE : null;
                };
            } catch (ArithmeticException | NumberFormatException notThisType) {
                return null;
            }
        }

        private static Object fromJson(JsonNode json) {
            if (json.isTextual()) {
                return json.textValue();
            }
            if (json.isNumber()) {
                return json.numberValue();
            }
            if (json.isBoolean()) {
                return json.booleanValue();
            }
            return null;
        }

        private static BigDecimal decimal(Object raw) {
            return switch (raw) {
                case String s -> new BigDecimal(s);
                case BigDecimal d -> d;
                case BigInteger i -> new BigDecimal(i);
                case Double d -> BigDecimal.valueOf(finite(d));
                case Float f -> BigDecimal.valueOf(finite(f.doubleValue()));
                default -> BigDecimal.valueOf(((Number) raw).longValue());
            };
        }

        private static Double finite(double value) {
            if (!Double.isFinite(value)) {
                throw new NumberFormatException("not a finite number");
            }
            return value;
        }
    }

    /**
     * The value as this option's typed value ({@code Long}, {@code Double}, {@code String} or
     * {@code Boolean}). Accepts text (query parameters), Java values or Jackson {@code JsonNode}s.
     *
     * @throws InvalidOptionException naming the option, what was expected and what was found, e.g.
     *                                {@code top_k: expected an integer between 1 and 1000, found "abc"}
     */
    public Object validate(Object value) throws InvalidOptionException {
        Object typed = type.coerce(value);
        if (typed == null || !accepts(typed)) {
            throw new InvalidOptionException(name + ": expected " + expectation() + ", found " + shown(value));
        }
        return typed;
    }

    /** Whether a value of this option's Java type is in range and among the allowed values. */
    boolean accepts(Object typed) {
        if (!allowed.isEmpty() && !allowed.contains(typed)) {
            return false;
        }
        if (typed instanceof Number number) {
            double v = number.doubleValue();
            return (min == null || v >= min.doubleValue()) && (max == null || v <= max.doubleValue());
        }
        return true;
    }

    /** What this option accepts, in words: {@code an integer between 1 and 1000}. */
    String expectation() {
        if (!allowed.isEmpty()) {
            return "one of " + allowed.stream().map(OptionSpec::literal).collect(Collectors.joining(", "));
        }
        String kind = type.inWords();
        if (min != null && max != null) {
            return kind + " between " + literal(min) + " and " + literal(max);
        }
        if (min != null) {
            return kind + " ≥ " + literal(min);
        }
        if (max != null) {
            return kind + " ≤ " + literal(max);
        }
        return kind;
    }

    private static String literal(Object value) {
        return value instanceof String s ? JsonCursor.quote(s) : String.valueOf(value);
    }

    private static String shown(Object value) {
        if (value instanceof JsonNode json) {
            return JsonCursor.shown(json);
        }
        return value == null ? "nothing" : literal(value);
    }
}
