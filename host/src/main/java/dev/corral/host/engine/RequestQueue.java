package dev.corral.host.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model's bounded queue and the batch forming on it. The bound counts every request that was
 * accepted and has not started running, including those already gathered into a batch that is
 * still waiting for more rows or for a free run slot.
 */
final class RequestQueue {
    enum Admission { ACCEPTED, FULL, CLOSED }

    private final int capacity;
    private final BatchingOptions batching;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<InferenceRequest> waiting = new ArrayDeque<>();
    private int pending;
    private boolean closed;

    /** @param batching how to gather batches, or {@code null} for one request per run */
    RequestQueue(int capacity, BatchingOptions batching) {
        this.capacity = capacity;
        this.batching = batching;
    }

    Admission offer(InferenceRequest request) {
        lock.lock();
        try {
            if (closed) {
                return Admission.CLOSED;
            }
            if (pending >= capacity) {
                return Admission.FULL;
            }
            waiting.addLast(request);
            pending++;
            changed.signalAll();
            return Admission.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next batch. Without batching that is the oldest request. With batching it is
     * the oldest request plus the following ones of the same shape, gathered until the batch holds
     * {@code maxBatchSize} rows, a request of that shape no longer fits, or {@code maxQueueDelay}
     * has passed since the oldest request was submitted. Requests of other shapes keep their place.
     *
     * @return the batch, or an empty list once the queue is closed (a gathered batch goes back to
     *         the queue, so that {@link #close()} hands it over with the rest)
     */
    List<InferenceRequest> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (waiting.isEmpty() && !closed) {
                changed.await();
            }
            if (closed) {
                return List.of();
            }
            InferenceRequest first = waiting.pollFirst();
            if (batching == null) {
                return List.of(first);
            }
            BatchBuilder batch = new BatchBuilder(first, batching.maxBatchSize());
            long deadline = first.submittedNanos() + batching.maxQueueDelay().toNanos();
            while (!batch.complete && !closed) {
                gather(batch);
                long left = deadline - System.nanoTime();
                if (batch.complete || left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            if (closed) {
                batch.requests.reversed().forEach(waiting::addFirst);
                return List.of();
            }
            return batch.requests;
        } finally {
            lock.unlock();
        }
    }

    private void gather(BatchBuilder batch) {
        for (Iterator<InferenceRequest> it = waiting.iterator(); it.hasNext() && !batch.complete; ) {
            if (batch.add(it.next())) {
                it.remove();
            }
        }
    }

    /** Counts requests that left the queue for a run. */
    void started(int requests) {
        lock.lock();
        try {
            pending -= requests;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a request back out if no batch has taken it yet. */
    boolean withdraw(InferenceRequest request) {
        lock.lock();
        try {
            boolean removed = waiting.remove(request);
            if (removed) {
                pending--;
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests and wakes the batch former. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns every request still waiting. */
    List<InferenceRequest> drain() {
        lock.lock();
        try {
            List<InferenceRequest> drained = new ArrayList<>(waiting);
            waiting.clear();
            pending -= drained.size();
            return drained;
        } finally {
            lock.unlock();
        }
    }

    int depth() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /** A batch being gathered; complete once it can take no more rows. */
    private static final class BatchBuilder {
        private final String shapeKey;
        private final int maxRows;
        private final List<InferenceRequest> requests = new ArrayList<>();
        private int rows;
        private boolean complete;

        BatchBuilder(InferenceRequest first, int maxRows) {
            this.shapeKey = first.shapeKey();
            this.maxRows = maxRows;
            requests.add(first);
            rows = first.rows();
            complete = rows >= maxRows;
        }

        /**
         * Takes the request when it has the batch's shape and fits. One of the batch's shape that
         * does not fit completes the batch, so that it runs first in the next one.
         */
        boolean add(InferenceRequest request) {
            if (!request.shapeKey().equals(shapeKey)) {
                return false;
            }
            if (rows + request.rows() > maxRows) {
                complete = true;
                return false;
            }
            requests.add(request);
            rows += request.rows();
            complete = rows >= maxRows;
            return true;
        }
    }
}
