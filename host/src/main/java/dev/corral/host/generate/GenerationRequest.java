package dev.corral.host.generate;

import dev.corral.host.sandbox.Parameters;
import dev.corral.host.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * One generation, checked: the prompt as the host's request tensors ({@code text} or
 * {@code messages}, ABI.md §4.6), the options the prompt and sampler plugins read (checked against
 * the manifest, with {@code seed} always set), and what the host's loop itself obeys.
 *
 * @param inputs    the request tensors for the prompt pipeline
 * @param options   the plugins' options, {@code seed} included
 * @param seed      the seed in {@code options}, reported back with the result
 * @param maxTokens the most tokens to generate, already within the manifest's cap
 * @param stop      strings that end the generation, none empty
 * @param echo      whether the prompt's text is streamed back before the generated text
 */
public record GenerationRequest(Map<String, Tensor> inputs, Parameters options, long seed, int maxTokens,
                                List<String> stop, boolean echo) {
    public GenerationRequest {
        inputs = Map.copyOf(inputs);
        stop = List.copyOf(stop);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be ≥ 1");
        }
    }
}
