package dev.corral.bench;

import java.util.Arrays;

/** A growable array of durations in nanoseconds: recording one costs no allocation in the common case. */
final class Samples {
    private long[] nanos = new long[1024];
    private int count;

    void add(long elapsedNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = elapsedNanos;
    }

    void addAll(Samples other) {
        for (int i = 0; i < other.count; i++) {
            add(other.nanos[i]);
        }
    }

    int count() {
        return count;
    }

    Latency summary() {
        return Latency.of(nanos.clone(), count);
    }
}
