package dev.corral.host.generate;

/**
 * A finished generation.
 *
 * @param text         the generated text (with the echoed prompt first when the request asked for it),
 *                     without any stop string
 * @param tokenIds     the generated token ids, without the end-of-sequence token
 * @param finishReason why it ended
 * @param promptTokens the prompt's length in tokens
 * @param seed         the sampler's seed: the request's, or the one the host drew
 * @param timings      where the time went
 */
public record GenerationResult(String text, int[] tokenIds, FinishReason finishReason, int promptTokens, long seed,
                               GenerationTimings timings) {

    public int completionTokens() {
        return tokenIds.length;
    }
}
