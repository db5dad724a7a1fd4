package dev.corral.host.pipeline;

import dev.corral.host.sandbox.Parameters;

/** One link of a model's chain: reads named tensors from the state and writes new ones. */
public sealed interface PipelineStep extends AutoCloseable permits PluginStep, ModelStep {
    /** The step's name in the manifest; also its stage name in timings. */
    String name();

    void run(PipelineState state, Parameters options, StageTimings timings);

    @Override
    void close();
}
