package dev.corral.registry;

/**
 * The model's tokenizer, which the host loads once and lends to plugin steps granted
 * {@link Capability#TOKENIZER} (and, for text generation, uses to turn generated ids into text).
 *
 * @param file the role of the Hugging Face {@code tokenizer.json} in the manifest's {@code files};
 *             always one that exists
 */
public record TokenizerSpec(String file) {
}
