package dev.corral.host.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} options of one command, checked against what it
 * accepts, and the plain arguments (such as a file) of commands that take them. A valued option
 * may be given more than once: {@link #get} is the last value, {@link #all} every value.
 */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(List<String> args, Set<String> valued, Set<String> flags) {
        this(args, valued, flags, 0);
    }

    /** @param maxPositional how many plain arguments the command takes */
    Args(List<String> args, Set<String> valued, Set<String> flags, int maxPositional) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.startsWith("--") ? a.substring(2) : null;
            if (name == null && positional.size() < maxPositional) {
                positional.add(a);
                continue;
            }
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flags.contains(name) && inline == null) {
                values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (name != null && valued.contains(name)) {
                if (inline == null && i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(inline != null ? inline : args.get(++i));
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
    }

    String get(String name, String fallback) {
        List<String> given = values.get(name);
        return given == null ? fallback : given.getLast();
    }

    /** Every value of a repeatable option, in the order given. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    List<String> positional() {
        return positional;
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int intValue(String name, int fallback, int min, int max) {
        return (int) longValue(name, fallback, min, max);
    }

    long longValue(String name, long fallback, long min, long max) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** A command-line mistake: printed with the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
