package dev.corral.host.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Dynamic batching knobs, named as in Triton. A batch closes when it holds {@code maxBatchSize}
 * rows or {@code maxQueueDelay} after its oldest request was submitted, whichever comes first.
 *
 * @param padding how requests of different sequence lengths are padded to share a batch, or
 *                {@code null} when only requests of identical shapes (apart from dim 0) may
 */
public record BatchingOptions(int maxBatchSize, Duration maxQueueDelay, SequencePadding padding) {
    public BatchingOptions {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max_batch_size must be at least 1, got " + maxBatchSize);
        }
        Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("max_queue_delay must not be negative, got " + maxQueueDelay);
        }
    }

    /** Batching of identically shaped requests only. */
    public BatchingOptions(int maxBatchSize, Duration maxQueueDelay) {
        this(maxBatchSize, maxQueueDelay, null);
    }
}
