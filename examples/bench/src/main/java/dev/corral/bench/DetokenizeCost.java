package dev.corral.bench;

import dev.corral.host.tokenize.ModelTokenizer;
import dev.corral.host.tokenize.TokenizerPool;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What turning one generated token into text costs the token loop: the server's incremental
 * detokenizer decodes, for every token, two short windows of the latest ids (up to the last
 * emitted token and up to the new one; six tokens of context), one native Hugging Face tokenizers
 * call each, on the loop's own thread. This times exactly that call, token by token over a
 * generation's ids, so that the server's time per token can be split without a profiler.
 */
final class DetokenizeCost {
    private static final int CONTEXT_TOKENS = 6;

    private DetokenizeCost() {
    }

    /** Per-token time of the two-window decode over {@code generated} (prompt ids first, then the generated ones). */
    static Latency measure(Path tokenizerJson, long[] prompt, long[] generated, Harness.Budget budget) throws Exception {
        int[] ids = new int[prompt.length + generated.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) (i < prompt.length ? prompt[i] : generated[i - prompt.length]);
        }
        Samples perToken = new Samples();
        try (TokenizerPool pool = new TokenizerPool(1, 1);
             ModelTokenizer tokenizer = ModelTokenizer.load("stories260k", tokenizerJson, pool)) {
            for (long end = System.nanoTime() + budget.warmup().toNanos(); System.nanoTime() < end; ) {
                decodeAll(tokenizer, ids, prompt.length, null);
            }
            for (long end = System.nanoTime() + budget.measure().toNanos(); System.nanoTime() < end; ) {
                decodeAll(tokenizer, ids, prompt.length, perToken);
            }
        }
        return perToken.summary();
    }

    /** One pass over the generated ids, as the detokenizer decodes them; records each token's call when {@code into} is given. */
    private static void decodeAll(ModelTokenizer tokenizer, int[] ids, int promptLength, Samples into) {
        for (int end = promptLength + 1; end <= ids.length; end++) {
            int from = Math.max(0, end - 1 - CONTEXT_TOKENS);
            long start = System.nanoTime();
            tokenizer.decodeOnCaller(Arrays.copyOfRange(ids, from, end - 1), true);
            tokenizer.decodeOnCaller(Arrays.copyOfRange(ids, from, end), true);
            if (into != null) {
                into.add(System.nanoTime() - start);
            }
        }
    }
}
