package dev.corral.registry;

/** One step of a model's pipeline: a plugin run or a model run. Steps pass named tensors along. */
public sealed interface PipelineStep permits PluginStep, ModelStep {
    /** Unique within the pipeline; used in logs, metrics and error messages. */
    String name();
}
