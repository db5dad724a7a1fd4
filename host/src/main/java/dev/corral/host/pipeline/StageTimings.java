package dev.corral.host.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one request's time went, stage by stage (Triton's split: queue, then each step), in the
 * order the stages ran. Not thread-safe: one request, one instance.
 */
public final class StageTimings {
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Adds {@code elapsedNanos} to a stage (a stage that runs twice, e.g. queue, accumulates). */
    public void add(String stage, long elapsedNanos) {
        nanos.merge(stage, elapsedNanos, Long::sum);
    }

    /** Runs {@code work} and books its wall time to {@code stage}. */
    public <T> T time(String stage, java.util.function.Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            add(stage, System.nanoTime() - start);
        }
    }

    /** Each stage's nanoseconds, in the order the stages ran. */
    public Map<String, Long> asNanos() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nanos));
    }

    /** Stages in milliseconds, rounded to microseconds, plus {@code total}: what responses show. */
    public Map<String, Double> toMillis() {
        Map<String, Double> ms = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : nanos.entrySet()) {
            ms.put(e.getKey(), round(e.getValue()));
            total += e.getValue();
        }
        ms.put("total", round(total));
        return ms;
    }

    private static double round(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
