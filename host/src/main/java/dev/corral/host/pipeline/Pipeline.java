package dev.corral.host.pipeline;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** A model version's chain of steps, as its manifest lists them. Thread-safe. */
public final class Pipeline implements AutoCloseable {
    private final List<PipelineStep> steps;

    public Pipeline(List<PipelineStep> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one step");
        }
        this.steps = List.copyOf(steps);
    }

    public List<PipelineStep> steps() {
        return steps;
    }

    /**
     * Runs every step in order and returns the JSON result the last writer produced.
     *
     * @throws ServingException from any step; PLUGIN_FAILED when no step wrote a result
     */
    public String run(Map<String, Tensor> inputs, Parameters options, StageTimings timings) {
        PipelineState state = execute(inputs, options, timings);
        if (state.resultJson() == null) {
            throw new ServingException(ErrorKind.PLUGIN_FAILED, "the pipeline ended without a result: its last step '"
                    + steps.get(steps.size() - 1).name() + "' wrote no JSON (output_json)");
        }
        return state.resultJson();
    }

    /**
     * Runs every step in order and returns every tensor the request has at the end, for a caller
     * that goes on with them (the token loop takes a prompt pipeline's {@code input_ids}).
     *
     * @throws ServingException from any step
     */
    public Map<String, Tensor> prepare(Map<String, Tensor> inputs, Parameters options, StageTimings timings) {
        return execute(inputs, options, timings).tensors();
    }

    private PipelineState execute(Map<String, Tensor> inputs, Parameters options, StageTimings timings) {
        PipelineState state = new PipelineState(inputs);
        for (PipelineStep step : steps) {
            step.run(state, options, timings);
        }
        return state;
    }

    @Override
    public void close() {
        for (PipelineStep step : steps) {
            step.close();
        }
    }
}
