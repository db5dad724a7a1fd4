package dev.corral.host.generate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a generation's time went.
 *
 * @param promptMs          the prompt pipeline (template, tokenizer) and the prefill
 * @param timeToFirstTokenMs from the start of the loop to the first sampled token
 * @param tokensPerSecond   generated tokens per second of decoding (after the first token), 0 when
 *                          fewer than two tokens were generated
 * @param samplerMsPerToken mean time of one sampler plugin call
 * @param totalMs           the whole loop
 */
public record GenerationTimings(double promptMs, double timeToFirstTokenMs, double tokensPerSecond,
                                double samplerMsPerToken, double totalMs) {

    /** As responses show them. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("prompt_ms", round(promptMs));
        m.put("time_to_first_token_ms", round(timeToFirstTokenMs));
        m.put("tokens_per_second", round(tokensPerSecond));
        m.put("sampler_ms_per_token", round(samplerMsPerToken));
        m.put("total_ms", round(totalMs));
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
