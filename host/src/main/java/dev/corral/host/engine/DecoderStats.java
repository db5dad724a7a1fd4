package dev.corral.host.engine;

/**
 * Counters of one decoder since it was loaded (its warm-up not included).
 *
 * @param prefills          prompts run ({@link DecoderSession#start} calls that succeeded)
 * @param promptTokens      tokens over those prompts
 * @param prefillNanosTotal time of those runs, summed
 * @param steps             single-token steps run ({@link DecoderState#next} calls that succeeded)
 * @param stepNanosTotal    time of those steps, summed: feeding the token, the native run and
 *                          copying the last position's logits out
 * @param failed            prefills and steps that failed
 * @param openStates        generations holding a cache now
 */
public record DecoderStats(long prefills, long promptTokens, long prefillNanosTotal, long steps, long stepNanosTotal,
                           long failed, int openStates) {
    /** The mean time of one step in milliseconds, or 0 before the first. */
    public double meanStepMillis() {
        return steps == 0 ? 0 : stepNanosTotal / 1e6 / steps;
    }
}
