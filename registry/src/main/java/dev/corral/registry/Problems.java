package dev.corral.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found in one JSON document, each tied to the JSON path of the field it is about.
 * Readers collect every problem instead of stopping at the first, so that one edit can fix them all.
 */
final class Problems {
    private final List<String> lines = new ArrayList<>();

    void add(String path, String message) {
        lines.add(path.isEmpty() ? message : path + ": " + message);
    }

    /** A mark to pass to {@link #since(int)}: whether a part of the document added problems. */
    int mark() {
        return lines.size();
    }

    boolean since(int mark) {
        return lines.size() > mark;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
