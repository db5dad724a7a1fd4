package dev.corral.host.engine;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Feeds one model's queue to the platform pool: a virtual thread forms batches (it only waits,
 * never calls native code) and hands each to a pool thread once one of the model's run slots is
 * free.
 */
final class RequestScheduler {
    /** What a refused caller is told to wait: about the time a full queue of small batches takes to clear. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String modelName;
    private final RequestQueue queue;
    private final BatchRunner runner;
    private final Executor pool;
    private final int runSlots;
    private final Semaphore freeSlots;
    private final StatsRecorder stats;
    private final Thread former;

    RequestScheduler(String modelName, RequestQueue queue, BatchRunner runner, Executor pool, int runSlots,
                     StatsRecorder stats) {
        this.modelName = modelName;
        this.queue = queue;
        this.runner = runner;
        this.pool = pool;
        this.runSlots = runSlots;
        this.freeSlots = new Semaphore(runSlots);
        this.stats = stats;
        this.former = Thread.ofVirtual().name("corral-batcher-" + modelName).start(this::formBatches);
    }

    /**
     * Queues the request and waits for its result.
     *
     * @throws ServingException QUEUE_FULL at once when the queue is full; MODEL_NOT_READY when
     *                          the session is closed or closes while the request waits;
     *                          INFERENCE_FAILED when the run fails
     */
    InferenceResult submit(InferenceRequest request) {
        switch (queue.offer(request)) {
            case FULL -> {
                stats.rejected();
                throw new ServingException(ErrorKind.QUEUE_FULL, "model '" + modelName + "' has "
                        + queue.depth() + " requests waiting, as many as its max_queue_size allows; retry after "
                        + RETRY_AFTER.toSeconds() + " s", RETRY_AFTER, null);
            }
            case CLOSED -> throw closedFailure();
            case ACCEPTED -> stats.accepted();
        }
        try {
            return request.await();
        } catch (InterruptedException e) {
            queue.withdraw(request);
            Thread.currentThread().interrupt();
            throw new ServingException(ErrorKind.INFERENCE_FAILED,
                    "interrupted while waiting for model '" + modelName + "'", e);
        }
    }

    int queueDepth() {
        return queue.depth();
    }

    private void formBatches() {
        try {
            while (true) {
                freeSlots.acquire();
                List<InferenceRequest> batch = queue.nextBatch();
                if (batch.isEmpty()) {
                    freeSlots.release();
                    return;
                }
                dispatch(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(List<InferenceRequest> batch) {
        try {
            pool.execute(() -> runAndFreeSlot(batch));
        } catch (RejectedExecutionException e) {
            queue.started(batch.size());
            freeSlots.release();
            fail(batch, closedFailure());
        }
    }

    private void runAndFreeSlot(List<InferenceRequest> batch) {
        queue.started(batch.size());
        try {
            runner.run(batch);
        } catch (Throwable t) {
            fail(batch, new ServingException(ErrorKind.INTERNAL,
                    "model '" + modelName + "' run ended unexpectedly: " + t, t));
            throw t;
        } finally {
            freeSlots.release();
        }
    }

    private void fail(List<InferenceRequest> requests, ServingException failure) {
        stats.failed(requests.size());
        requests.forEach(request -> request.fail(failure));
    }

    private ServingException closedFailure() {
        return new ServingException(ErrorKind.MODEL_NOT_READY, "model '" + modelName + "' was unloaded");
    }

    /**
     * Refuses new requests, fails those still waiting with MODEL_NOT_READY and returns once no run
     * of this model is in progress, so that the session can be closed safely.
     */
    void close() {
        queue.close();
        boolean interrupted = false;
        while (former.isAlive()) {
            try {
                former.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        fail(queue.drain(), closedFailure());
        freeSlots.acquireUninterruptibly(runSlots);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
