package dev.corral.host.pipeline;

import dev.corral.host.engine.InferenceResult;
import dev.corral.host.engine.ModelSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.tensor.Tensor;

/**
 * Runs the ONNX model on the state's tensors whose names are model inputs. Time spent waiting
 * for the batcher is booked to {@code queue}, the run itself to the step's name.
 *
 * <p>An empty batch is not run: when an input the model takes has dim 0 == 0 (an OCR page with
 * no text boxes has no crops to recognise), the step adds no outputs, and later steps find the
 * model's outputs absent. ONNX Runtime's kernels do not all accept zero-sized batches, and there
 * is nothing to compute.
 */
public final class ModelStep implements PipelineStep {
    static final String QUEUE_STAGE = "queue";

    private final String name;
    private final ModelSession session;

    public ModelStep(String name, ModelSession session) {
        this.name = name;
        this.session = session;
    }

    @Override
    public String name() {
        return name;
    }

    public ModelSession session() {
        return session;
    }

    @Override
    public void run(PipelineState state, Parameters options, StageTimings timings) {
        if (emptyBatch(state)) {
            timings.add(name, 0);
            return;
        }
        InferenceResult result;
        try {
            result = session.infer(state.tensors());
        } catch (ServingException e) {
            if (e.kind() != ErrorKind.INFERENCE_FAILED) {
                throw e;
            }
            throw new ServingException(e.kind(), "step '" + name + "': " + e.getMessage()
                    + " (the step had: " + state.describe() + ")", e.retryAfter(), e);
        }
        timings.add(QUEUE_STAGE, result.queueNanos());
        timings.add(name, result.inferNanos());
        state.put(name, result.outputs());
    }

    private boolean emptyBatch(PipelineState state) {
        for (String input : session.inputs().keySet()) {
            Tensor t = state.tensors().get(input);
            if (t != null && t.rank() > 0 && t.dim(0) == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        session.close();
    }
}
