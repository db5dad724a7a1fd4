package dev.corral.registry;

/**
 * A step that runs an ONNX model.
 *
 * @param name the step's name (default: the role)
 * @param role the role of the model's file in the manifest's {@code files}; always one that exists
 */
public record ModelStep(String name, String role) implements PipelineStep {
}
