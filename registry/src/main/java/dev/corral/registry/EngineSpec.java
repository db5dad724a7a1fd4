package dev.corral.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * @param padding         how requests of different sequence lengths are stacked, or {@code null} when
     *                        only requests of equal shapes share a run
     */
    public record Batching(int maxBatchSize, int maxQueueDelayMs, Padding padding) {

        /**
         * Stacking of sequences of different lengths: each request's inputs are padded on axis 1
         * (the sequence) to the longest in the batch, and the outputs listed are cut back to each
         * request's own length, so that a request's result does not depend on its neighbours.
         *
         * @param inputs  input name → the value its padding positions hold (e.g. 0 for
         *                {@code attention_mask}), at least one, in document order
         * @param outputs the outputs whose axis 1 is the sequence, cut back after the run; may be empty
         */
        public record Padding(Map<String, Long> inputs, List<String> outputs) {
            public Padding {
                inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
                outputs = List.copyOf(outputs);
            }
        }
    }
}
