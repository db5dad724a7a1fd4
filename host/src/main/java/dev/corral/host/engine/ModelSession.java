package dev.corral.host.engine;

import ai.onnxruntime.OrtSession;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A loaded, warmed-up model: the only way to run it. Thread-safe; {@link #infer} is meant to be
 * called from many (virtual) threads at once.
 */
public final class ModelSession implements AutoCloseable {
    private final String modelName;
    private final Device device;
    private final OrtSession session;
    private final ModelSignature signature;
    private final boolean batchable;
    private final SequencePadding padding;
    private final RequestScheduler scheduler;
    private final StatsRecorder stats;
    private final Consumer<ModelSession> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param padding the sequence padding of a batched model, or {@code null} */
    ModelSession(String modelName, Device device, OrtSession session, ModelSignature signature, boolean batchable,
                 SequencePadding padding, RequestScheduler scheduler, StatsRecorder stats,
                 Consumer<ModelSession> onClose) {
        this.modelName = modelName;
        this.device = device;
        this.session = session;
        this.signature = signature;
        this.batchable = batchable;
        this.padding = padding;
        this.scheduler = scheduler;
        this.stats = stats;
        this.onClose = onClose;
    }

    public String modelName() {
        return modelName;
    }

    /** Where the session really runs: {@code cpu} or {@code cuda}. */
    public String device() {
        return device.label();
    }

    /** The model's inputs in its declared order. */
    public Map<String, TensorInfo> inputs() {
        return signature.inputs();
    }

    /** The model's outputs in its declared order. */
    public Map<String, TensorInfo> outputs() {
        return signature.outputs();
    }

    /** Whether concurrent requests are stacked into shared runs (batching asked for, and every
     *  input and output has an open dim 0). */
    public boolean batchable() {
        return batchable;
    }

    /**
     * Runs the model on the caller's tensors and waits for the outputs. Tensors that are not model
     * inputs are ignored.
     *
     * @throws ServingException INFERENCE_FAILED when an input is missing or its type or static
     *                          dimensions differ from the model's (the message names the input,
     *                          the expected and the given type and shape), when a batched
     *                          request's inputs disagree on dim 0 or its padded inputs on
     *                          dim 1, or when the run fails;
     *                          QUEUE_FULL (with a retry-after) at once when too many requests wait;
     *                          MODEL_NOT_READY when the session is closed, or closes while waiting
     */
    public InferenceResult infer(Map<String, Tensor> inputs) {
        Map<String, Tensor> modelInputs = signature.select(inputs);
        InferenceRequest request = batchable
                ? InferenceRequest.batchable(modelName, modelInputs, padding)
                : InferenceRequest.single(modelInputs);
        return scheduler.submit(request);
    }

    public EngineStats stats() {
        return stats.snapshot(scheduler.queueDepth());
    }

    /**
     * Refuses new requests, fails waiting ones with MODEL_NOT_READY, lets running batches finish,
     * then releases the native session. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.close();
            SessionFactory.closeQuietly(modelName, session);
        } finally {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "ModelSession[" + modelName + " on " + device() + (batchable ? ", batched" : "")
                + (batchable && padding != null ? ", padded" : "") + "]";
    }
}
