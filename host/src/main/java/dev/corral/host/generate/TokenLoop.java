package dev.corral.host.generate;

import dev.corral.host.engine.DecoderSession;
import dev.corral.host.engine.DecoderState;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.pipeline.Pipeline;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.tokenize.ModelTokenizer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * One generation, from prompt to finish: the prompt pipeline makes {@code input_ids}, the decoder
 * runs the prefill, then for each token the sampler plugin picks it from the last logits, the
 * detokenizer and the stop matcher turn it into text, the sink takes it, and the decoder runs one
 * step with the KV cache. Checks the sink for a gone client before every model step.
 */
final class TokenLoop {
    static final String INPUT_IDS = "input_ids";
    static final String TOKEN = "token";

    private final String modelName;
    private final Pipeline prompt;
    private final DecoderSession decoder;
    private final Plugin sampler;
    private final String samplerEntry;
    private final ModelTokenizer tokenizer;
    private final Set<Integer> eos;
    private final int contextLength;

    TokenLoop(String modelName, Pipeline prompt, DecoderSession decoder, Plugin sampler, String samplerEntry,
              ModelTokenizer tokenizer, Set<Integer> eos, int contextLength) {
        this.modelName = modelName;
        this.prompt = prompt;
        this.decoder = decoder;
        this.sampler = sampler;
        this.samplerEntry = samplerEntry;
        this.tokenizer = tokenizer;
        this.eos = Set.copyOf(eos);
        this.contextLength = contextLength;
    }

    GenerationResult run(GenerationRequest request, TokenSink sink) throws InterruptedException {
        long start = System.nanoTime();
        int[] promptIds = promptIds(request);
        int budget = Math.min(request.maxTokens(), contextLength - promptIds.length);
        StringBuilder text = new StringBuilder();
        IncrementalDetokenizer detokenizer;
        if (request.echo()) {
            detokenizer = new IncrementalDetokenizer(tokenizer, new int[0]);
            for (int i = 0; i < promptIds.length; i++) {
                String piece = detokenizer.push(promptIds[i]);
                text.append(piece);
                sink.accept(new TokenEvent(i, promptIds[i], piece, true));
            }
        } else {
            detokenizer = new IncrementalDetokenizer(tokenizer, promptIds);
        }
        StopMatcher stops = new StopMatcher(request.stop());
        int[] tokens = Arrays.copyOf(promptIds, promptIds.length + budget);
        int generated = 0;
        long samplerNanos = 0;
        long promptDone;
        long firstToken = 0;
        FinishReason finish;
        try (DecoderState state = decoder.start(toLongs(promptIds))) {
            promptDone = System.nanoTime();
            float[] logits = state.logits();
            while (true) {
                if (sink.cancelled()) {
                    finish = FinishReason.CANCELLED;
                    break;
                }
                long s = System.nanoTime();
                int token = sample(logits, tokens, promptIds.length + generated, generated, request);
                samplerNanos += System.nanoTime() - s;
                if (generated == 0) {
                    firstToken = System.nanoTime();
                }
                if (eos.contains(token)) {
                    finish = FinishReason.STOP;
                    break;
                }
                tokens[promptIds.length + generated] = token;
                String piece = stops.accept(detokenizer.push(token));
                text.append(piece);
                sink.accept(new TokenEvent(generated, token, piece, false));
                generated++;
                if (stops.stopped()) {
                    finish = FinishReason.STOP;
                    break;
                }
                if (generated == budget) {
                    finish = FinishReason.LENGTH;
                    break;
                }
                logits = state.next(token);
            }
        }
        if (!stops.stopped() && finish != FinishReason.CANCELLED) {
            String rest = stops.accept(detokenizer.finish());
            rest = stops.stopped() ? rest : rest + stops.flush();
            if (!rest.isEmpty()) {
                text.append(rest);
                sink.accept(new TokenEvent(generated, -1, rest, false));
            }
        }
        long end = System.nanoTime();
        int samples = generated + (finish == FinishReason.STOP && !stops.stopped() ? 1 : 0);
        GenerationTimings timings = new GenerationTimings(
                millis(promptDone - start),
                firstToken == 0 ? 0 : millis(firstToken - start),
                generated < 2 ? 0 : (generated - 1) / ((end - firstToken) / 1e9),
                samples == 0 ? 0 : millis(samplerNanos) / samples,
                millis(end - start));
        return new GenerationResult(text.toString(), Arrays.copyOfRange(tokens, promptIds.length,
                promptIds.length + generated), finish, promptIds.length, request.seed(), timings);
    }

    /** The prompt pipeline's {@code input_ids}, checked against the vocabulary and the context. */
    private int[] promptIds(GenerationRequest request) {
        Map<String, Tensor> prepared = prompt.prepare(request.inputs(), request.options(), new StageTimings());
        Tensor ids = prepared.get(INPUT_IDS);
        if (ids == null || ids.dtype() != DType.INT64 || ids.rank() != 2 || ids.dim(0) != 1) {
            throw new ServingException(ErrorKind.PLUGIN_FAILED, "the prompt pipeline of model '" + modelName
                    + "' must write '" + INPUT_IDS + "' as int64 [1, S]; it wrote "
                    + (ids == null ? "none" : ids.toString()));
        }
        ByteBuffer data = ids.data();
        int[] out = new int[(int) ids.dim(1)];
        for (int i = 0; i < out.length; i++) {
            long id = data.getLong(i * Long.BYTES);
            if (id < 0 || id >= tokenizer.vocabSize()) {
                throw new ServingException(ErrorKind.PLUGIN_FAILED, "the prompt pipeline of model '" + modelName
                        + "' wrote token id " + id + " at position " + i + ", outside the vocabulary of "
                        + tokenizer.vocabSize());
            }
            out[i] = (int) id;
        }
        if (out.length == 0) {
            throw new ServingException(ErrorKind.INVALID_INPUT, "the prompt encodes to no tokens");
        }
        if (out.length >= contextLength) {
            throw new ServingException(ErrorKind.INVALID_INPUT, "the prompt is " + out.length
                    + " tokens; model '" + modelName + "' has a context of " + contextLength
                    + " tokens, which must hold the prompt and at least one generated token");
        }
        return out;
    }

    private int sample(float[] logits, int[] tokens, int count, int step, GenerationRequest request) {
        PluginOutput out = sampler.call(samplerEntry, SamplerInputs.of(logits, tokens, count, step), request.options());
        Tensor token = out.tensors().get(TOKEN);
        if (token == null || token.dtype() != DType.INT64 || token.elementCount() != 1) {
            throw new ServingException(ErrorKind.PLUGIN_FAILED, "the sampler of model '" + modelName
                    + "' must write '" + TOKEN + "' as one int64; it wrote " + (token == null ? "none" : token.toString()));
        }
        long id = token.data().getLong(0);
        if (id < 0 || id >= logits.length) {
            throw new ServingException(ErrorKind.PLUGIN_FAILED, "the sampler of model '" + modelName
                    + "' chose token " + id + ", outside the " + logits.length + " logits");
        }
        return (int) id;
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
