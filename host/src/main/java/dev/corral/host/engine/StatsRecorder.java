package dev.corral.host.engine;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link EngineStats}, updated from callers and pool threads at once. */
final class StatsRecorder {
    private final LongAdder requests = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder rows = new LongAdder();
    private final LongAdder queueNanos = new LongAdder();
    private final LongAdder inferNanos = new LongAdder();
    private final Map<Integer, LongAdder> requestsPerBatch = new ConcurrentHashMap<>();

    void accepted() {
        requests.increment();
    }

    void rejected() {
        rejected.increment();
    }

    void failed(int requestCount) {
        failed.add(requestCount);
    }

    /** Records one run that served {@code requestCount} requests holding {@code rowCount} rows. */
    void ran(int requestCount, long rowCount, long queueNanosSum, long runNanos) {
        batches.increment();
        rows.add(rowCount);
        queueNanos.add(queueNanosSum);
        inferNanos.add(runNanos);
        requestsPerBatch.computeIfAbsent(requestCount, n -> new LongAdder()).increment();
    }

    EngineStats snapshot(int queueDepth) {
        SortedMap<Integer, Long> histogram = new TreeMap<>();
        requestsPerBatch.forEach((size, count) -> histogram.put(size, count.sum()));
        return new EngineStats(requests.sum(), rejected.sum(), failed.sum(), batches.sum(), rows.sum(), queueDepth,
                queueNanos.sum(), inferNanos.sum(), Collections.unmodifiableSortedMap(histogram));
    }
}
