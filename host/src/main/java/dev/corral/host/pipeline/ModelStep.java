package dev.corral.host.pipeline;

import dev.corral.host.engine.InferenceResult;
import dev.corral.host.engine.ModelSession;
import dev.corral.host.sandbox.Parameters;

/**
 * Runs the ONNX model on the state's tensors whose names are model inputs. Time spent waiting
 * for the batcher is booked to {@code queue}, the run itself to the step's name.
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
        InferenceResult result = session.infer(state.tensors());
        timings.add(QUEUE_STAGE, result.queueNanos());
        timings.add(name, result.inferNanos());
        state.putAll(result.outputs());
    }

    @Override
    public void close() {
        session.close();
    }
}
