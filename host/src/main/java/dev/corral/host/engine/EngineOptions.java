package dev.corral.host.engine;

import java.util.Objects;

/**
 * How one model's session is created and fed.
 *
 * @param device           where to run
 * @param allowCpuFallback when {@code device} is CUDA and CUDA cannot be used: load on CPU with a
 *                         logged warning instead of failing the load
 * @param intraOpThreads   ONNX Runtime threads inside one operator; 0 lets ONNX Runtime choose
 *                         (one per physical core)
 * @param batching         dynamic batching, or {@code null} to run every request on its own
 * @param maxQueueSize     how many requests may wait for a run before new ones are refused
 *                         with {@code QUEUE_FULL}
 */
public record EngineOptions(Device device, boolean allowCpuFallback, int intraOpThreads,
                            BatchingOptions batching, int maxQueueSize) {
    public static final int DEFAULT_MAX_QUEUE_SIZE = 64;

    public EngineOptions {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra_op_threads must be 0 (automatic) or more, got " + intraOpThreads);
        }
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("max_queue_size must be at least 1, got " + maxQueueSize);
        }
    }

    /** Device auto, no fallback needed, ONNX Runtime's thread count, no batching, 64 waiting requests. */
    public static EngineOptions defaults() {
        return new EngineOptions(Device.AUTO, false, 0, null, DEFAULT_MAX_QUEUE_SIZE);
    }
}
