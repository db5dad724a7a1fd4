package dev.corral.bench;

import java.util.Arrays;

/**
 * A summary of measured durations, in milliseconds. Percentiles are nearest-rank over every
 * sample, not histogram buckets: with few samples p99 is simply the slowest but one or two.
 */
public record Latency(int count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double maxMs) {

    /** Summarises the first {@code count} entries of {@code nanos} (sorted in place). */
    static Latency of(long[] nanos, int count) {
        if (count == 0) {
            return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        Arrays.sort(nanos, 0, count);
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += nanos[i];
        }
        return new Latency(count, ms(sum / count), ms(rank(nanos, count, 0.50)), ms(rank(nanos, count, 0.90)),
                ms(rank(nanos, count, 0.99)), ms(nanos[count - 1]));
    }

    private static long rank(long[] sorted, int count, double quantile) {
        int index = (int) Math.ceil(quantile * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, index))];
    }

    /** To the microsecond; to the nanosecond under 0.1 ms, where a microsecond is too coarse (a plugin call's overhead). */
    private static double ms(double nanos) {
        return nanos < 100_000 ? Math.round(nanos) / 1e6 : Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
