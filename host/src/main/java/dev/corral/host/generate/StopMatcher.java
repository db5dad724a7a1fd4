package dev.corral.host.generate;

import java.util.List;

/**
 * Ends a generation at the first of the request's stop strings, which never reaches the client.
 * Text that could be the start of a stop string is held back until the next piece shows whether
 * it is one, so that a stream never shows part of a stop string it then has to take back.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Takes the next piece of text; returns what may be shown now (the text before a stop string once one appears). */
    String accept(String piece) {
        if (stopped) {
            return "";
        }
        held.append(piece);
        int cut = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String shown = held.substring(0, cut);
            held.setLength(0);
            return shown;
        }
        int keep = longestStopPrefixSuffix();
        String shown = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return shown;
    }

    boolean stopped() {
        return stopped;
    }

    /** What is still held back, at the end of a generation that no stop string ended. */
    String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    /** The length of the longest end of the held text that begins some stop string. */
    private int longestStopPrefixSuffix() {
        int best = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, held.length()); n > best; n--) {
                if (held.toString().regionMatches(held.length() - n, stop, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}
