package dev.corral.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line options of the benchmark tools; an unknown name is an error. */
final class BenchArgs {
    private final Map<String, String> values = new HashMap<>();

    BenchArgs(String[] argv, Set<String> known) {
        for (int i = 0; i < argv.length; i += 2) {
            String name = argv[i].startsWith("--") ? argv[i].substring(2) : null;
            if (name == null || !known.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + argv[i] + "' (known: --"
                        + String.join(", --", known.stream().sorted().toList()) + ")");
            }
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            values.put(name, argv[i + 1]);
        }
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** A value the tool cannot run without. */
    String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("option --" + name + " is required");
        }
        return v;
    }

    Path path(String name, String fallback) {
        return Path.of(string(name, fallback));
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    double decimal(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " must be a number, got '" + v + "'");
        }
    }
}
