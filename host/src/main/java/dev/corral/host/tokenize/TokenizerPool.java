package dev.corral.host.tokenize;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform threads that run every model's native tokenizer work. Bounded twice: a fixed
 * number of threads (native calls never pin the server's virtual-thread carriers) and a bounded
 * queue, beyond which work is refused at once with 503 {@code queue_full}.
 */
public final class TokenizerPool implements AutoCloseable {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ThreadPoolExecutor executor;

    /**
     * @param threads       threads that run tokenizer calls, ≥ 1
     * @param queueCapacity calls that may wait for a thread, ≥ 1
     */
    public TokenizerPool(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queueCapacity must be ≥ 1");
        }
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                task -> {
                    Thread t = new Thread(task, "corral-tokenizer-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** One thread per core, and a queue of 64 per thread. */
    public static TokenizerPool forCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new TokenizerPool(cores, 64 * cores);
    }

    /**
     * Runs {@code work} on a pool thread and waits for it.
     *
     * @throws ServingException QUEUE_FULL when the queue is full; INTERNAL when the caller is
     *                          interrupted while waiting (its interrupt flag stays set)
     * @throws RuntimeException whatever {@code work} threw
     */
    <T> T run(Callable<T> work) {
        Future<T> future;
        try {
            future = executor.submit(work);
        } catch (RejectedExecutionException e) {
            throw new ServingException(ErrorKind.QUEUE_FULL, "the tokenizer pool is busy ("
                    + executor.getQueue().size() + " calls waiting); retry shortly", RETRY_AFTER, e);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ServingException(ErrorKind.INTERNAL, "interrupted while waiting for the tokenizer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("tokenizer call failed", e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
