package dev.corral.registry;

import java.util.List;

/**
 * How a {@code text-generation} model generates: the host runs the model once per token in its own
 * loop (the pipeline only prepares the prompt) and asks the sampler plugin for each next token.
 *
 * @param model            the role of the ONNX model's file in the manifest's {@code files}; always one that exists
 * @param sampler          the plugin step called once per generated token (default name {@code sampler},
 *                         default entry {@code sample})
 * @param maxTokens        the most tokens a request may ask for, {@code defaultMaxTokens ≤ maxTokens < contextLength}
 * @param defaultMaxTokens the tokens generated when a request names none, ≥ 1 (default: {@code maxTokens})
 * @param contextLength    the most tokens (prompt and generated) the model attends to
 * @param eosTokenIds      ids that end generation, at least one, distinct, each ≥ 0
 * @param maxConcurrent    generations that may run at once, 1..1024 (default 4); beyond, a request is refused
 */
public record GenerationSpec(String model, PluginStep sampler, int maxTokens, int defaultMaxTokens,
                             int contextLength, List<Integer> eosTokenIds, int maxConcurrent) {
    public static final String DEFAULT_SAMPLER_NAME = "sampler";
    public static final String DEFAULT_SAMPLER_ENTRY = "sample";
    public static final int DEFAULT_MAX_CONCURRENT = 4;
    public static final int MAX_CONCURRENT = 1024;

    public GenerationSpec {
        eosTokenIds = List.copyOf(eosTokenIds);
    }
}
