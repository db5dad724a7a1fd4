package dev.corral.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs an operation over and over: a warm-up (JIT, caches, pools) whose results are thrown away,
 * then a measured period. Time-boxed rather than count-boxed, so that a slow operation (a
 * plugin in the interpreter) finishes in seconds too, with at least a few samples.
 */
final class Harness {
    private Harness() {
    }

    /**
     * How long to run.
     *
     * @param minSamples measure at least this many calls, even past {@code measure}
     * @param maxSamples stop after this many, even before {@code measure} is over
     */
    record Budget(Duration warmup, Duration measure, int minSamples, int maxSamples) {
        /** Warm-up and measuring times in seconds, both multiplied by {@code scale} (a bench's {@code --scale}). */
        static Budget scaled(double scale, double warmupSeconds, double measureSeconds, int minSamples, int maxSamples) {
            return new Budget(seconds(scale, warmupSeconds), seconds(scale, measureSeconds), minSamples, maxSamples);
        }
    }

    /** {@code seconds} multiplied by {@code scale} (a bench's {@code --scale}), as a duration. */
    static Duration seconds(double scale, double seconds) {
        return Duration.ofNanos((long) (scale * seconds * 1e9));
    }

    /** What a run measured: per-call latency and calls completed per second (all callers together). */
    record Result(Latency latency, double perSecond, int callers) {
    }

    /** One caller, back to back; {@code onMeasured} sees the output of every measured call. */
    static <T> Result sequential(Callable<T> op, Budget budget, Consumer<T> onMeasured) throws Exception {
        long warmupEnd = System.nanoTime() + budget.warmup().toNanos();
        do {
            op.call();
        } while (System.nanoTime() < warmupEnd);

        Samples samples = new Samples();
        long start = System.nanoTime();
        long measureEnd = start + budget.measure().toNanos();
        long now = start;
        while (samples.count() < budget.maxSamples()
                && (now < measureEnd || samples.count() < budget.minSamples())) {
            long before = now;
            T out = op.call();
            now = System.nanoTime();
            samples.add(now - before);
            onMeasured.accept(out);
        }
        return new Result(samples.summary(), samples.count() * 1e9 / (now - start), 1);
    }

    /**
     * {@code callers} concurrent closed loops (each starts its next call when the last returns)
     * on virtual threads, as the HTTP server's request handlers are. A call is measured when it
     * starts after the warm-up; throughput counts those calls over the time until the last ended.
     * {@code onMeasured} is called from every caller's thread, so it must be thread-safe.
     */
    static <T> Result concurrent(Callable<T> op, int callers, Duration warmup, Duration measure,
                                 Consumer<T> onMeasured) throws Exception {
        long measureStart = System.nanoTime() + warmup.toNanos();
        long measureEnd = measureStart + measure.toNanos();
        List<Future<Long>> loops = new ArrayList<>();
        List<Samples> perCaller = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < callers; c++) {
                Samples samples = new Samples();
                perCaller.add(samples);
                loops.add(threads.submit(() -> closedLoop(op, samples, measureStart, measureEnd, onMeasured)));
            }
        }
        Samples all = new Samples();
        long lastEnd = measureStart;
        for (int c = 0; c < callers; c++) {
            try {
                lastEnd = Math.max(lastEnd, loops.get(c).get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a concurrent caller failed: " + e.getCause(), e.getCause());
            }
            all.addAll(perCaller.get(c));
        }
        return new Result(all.summary(), all.count() * 1e9 / (lastEnd - measureStart), callers);
    }

    /** Returns when the caller's last measured call ended. */
    private static <T> long closedLoop(Callable<T> op, Samples samples, long measureStart, long measureEnd,
                                       Consumer<T> onMeasured) throws Exception {
        long now = System.nanoTime();
        long lastEnd = measureStart;
        while (now < measureEnd) {
            long before = now;
            T out = op.call();
            now = System.nanoTime();
            if (before >= measureStart) {
                samples.add(now - before);
                onMeasured.accept(out);
                lastEnd = now;
            }
        }
        return lastEnd;
    }
}
