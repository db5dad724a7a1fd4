package dev.corral.host.sandbox;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Immutable named values as a plugin reads them through {@code config_*} and {@code option_*}
 * (ABI.md §4.3): integers (Long), numbers (Double), strings, booleans and number arrays
 * (List&lt;Double&gt;). Strings are kept UTF-8 encoded and arrays unboxed, so that a plugin reading
 * a large config value (a labels file) on every call costs one copy, not an encoding.
 */
public final class Parameters {
    private static final Parameters EMPTY = new Parameters(Map.of());

    /** Values as stored: Long, Double, Boolean, {@link Text} or double[]. */
    private final Map<String, Object> values;

    private Parameters(Map<String, Object> values) {
        this.values = values;
    }

    public static Parameters empty() {
        return EMPTY;
    }

    /**
     * Copies {@code source}: integral numbers become Long, other numbers Double, lists of
     * numbers List&lt;Double&gt;; strings and booleans stay as they are.
     *
     * @throws IllegalArgumentException naming the entry whose value has none of these types
     */
    public static Parameters of(Map<String, ?> source) {
        if (source.isEmpty()) {
            return EMPTY;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        source.forEach((name, value) -> values.put(name, stored(name, value)));
        return new Parameters(Collections.unmodifiableMap(values));
    }

    public Set<String> names() {
        return values.keySet();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value as given to {@link #of} after normalisation (Long, Double, String, Boolean, List&lt;Double&gt;), or null. */
    public Object get(String name) {
        Object v = values.get(name);
        if (v instanceof Text t) {
            return t.value;
        }
        if (v instanceof double[] a) {
            List<Double> list = new ArrayList<>(a.length);
            for (double d : a) {
                list.add(d);
            }
            return Collections.unmodifiableList(list);
        }
        return v;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (String name : values.keySet()) {
            sb.append(sb.length() > 1 ? ", " : "").append(name).append('=').append(describe(values.get(name)));
        }
        return sb.append('}').toString();
    }

    /** {@code config_i64}/{@code option_i64}: an integer, an integral number, or a boolean as 1/0. */
    long readI64(String name, long absent) {
        Object v = values.get(name);
        if (v == null) {
            return absent;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return d.longValue();
        }
        throw new WrongType(name, describe(v), "an integer");
    }

    /** {@code config_f64}/{@code option_f64}: any number. */
    double readF64(String name, double absent) {
        Object v = values.get(name);
        if (v == null) {
            return absent;
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw new WrongType(name, describe(v), "a number");
    }

    /** {@code config_str}/{@code option_str}: the UTF-8 bytes (not to be modified), or null if absent. */
    byte[] readUtf8(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Text t) {
            return t.utf8;
        }
        throw new WrongType(name, describe(v), "a string");
    }

    /** {@code config_f64s}/{@code option_f64s}: the numbers (not to be modified), or null if absent. */
    double[] readF64s(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof double[] a) {
            return a;
        }
        throw new WrongType(name, describe(v), "a number array");
    }

    private static Object stored(String name, Object value) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        if (value instanceof BigDecimal b) {
            return b.doubleValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (value instanceof String s) {
            return new Text(s, s.getBytes(StandardCharsets.UTF_8));
        }
        if (value instanceof List<?> list) {
            double[] numbers = new double[list.size()];
            for (int i = 0; i < numbers.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException("parameter '" + name + "': element " + i
                            + " is " + list.get(i) + ", expected a number");
                }
                numbers[i] = n.doubleValue();
            }
            return numbers;
        }
        throw new IllegalArgumentException("parameter '" + name + "' is " + value
                + "; expected an integer, number, string, boolean or number array");
    }

    private static String describe(Object v) {
        return switch (v) {
            case Text t -> "the string \"" + abbreviate(t.value) + "\"";
            case double[] a -> "the number array of " + a.length + " elements";
            case Long l -> "the integer " + l;
            case Double d -> "the number " + d;
            case Boolean b -> "the boolean " + b;
            default -> String.valueOf(v);
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private record Text(String value, byte[] utf8) {
    }

    /** A value read with an import of another type; the caller decides whose fault it is. */
    static final class WrongType extends RuntimeException {
        final String name;

        WrongType(String name, String found, String expected) {
            super("'" + name + "' is " + found + ", but the plugin read it as " + expected, null, false, false);
            this.name = name;
        }
    }
}
