package dev.corral.host.serving;

/**
 * One text's embedding.
 *
 * @param vector the pooled (and, as the model's post-processing says, normalised) vector
 * @param tokens how many tokens the model saw for the text (after truncation)
 */
public record Embedding(float[] vector, int tokens) {
}
