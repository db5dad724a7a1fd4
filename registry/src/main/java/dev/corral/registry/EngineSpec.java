package dev.corral.registry;

/**
 * How the model's ONNX Runtime session runs.
 *
 * @param device           where to run
 * @param allowCpuFallback whether {@code cuda} may fall back to the CPU when CUDA is unavailable
 *                         (otherwise the model fails to load)
 * @param intraOpThreads   ONNX Runtime's intra-op threads, ≥ 1
 * @param batching         dynamic batching, or {@code null} for one request per run
 * @param maxQueueSize     requests that may wait for the engine; beyond, a request is refused at once
 */
public record EngineSpec(Device device, boolean allowCpuFallback, int intraOpThreads, Batching batching,
                         int maxQueueSize) {
    public static final int DEFAULT_MAX_QUEUE_SIZE = 64;
    public static final EngineSpec DEFAULT = new EngineSpec(Device.AUTO, false, 1, null, DEFAULT_MAX_QUEUE_SIZE);

    public enum Device {
        AUTO, CPU, CUDA;

        /** The name used in manifests, e.g. {@code cuda}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param maxBatchSize    the most requests stacked into one run, ≥ 1
     * @param maxQueueDelayMs how long the first request of a batch may wait for others, ≥ 0
     */
    public record Batching(int maxBatchSize, int maxQueueDelayMs) {
    }
}
