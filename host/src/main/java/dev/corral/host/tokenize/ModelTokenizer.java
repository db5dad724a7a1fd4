package dev.corral.host.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One model's Hugging Face tokenizer. Thread-safe. Native calls run on the shared
 * {@link TokenizerPool}, all but the token loop's decoding ({@link #decodeOnCaller});
 * {@link #close} waits for the calls in flight, because freeing the native tokenizer under a
 * running call would crash the process. The tokenizer never truncates nor pads:
 * what to do with a long text is the plugin's decision (a tokenizer.json may carry its own
 * truncation and padding, e.g. MiniLM's 128; they are switched off at load).
 */
public final class ModelTokenizer implements AutoCloseable {
    private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false");

    private final String modelName;
    private final HuggingFaceTokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final TokenizerPool pool;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private ModelTokenizer(String modelName, HuggingFaceTokenizer tokenizer, Vocabulary vocabulary, TokenizerPool pool) {
        this.modelName = modelName;
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.pool = pool;
    }

    /**
     * @throws IOException when the file is missing or is not a tokenizer DJL can read
     */
    public static ModelTokenizer load(String modelName, Path tokenizerJson, TokenizerPool pool) throws IOException {
        Vocabulary vocabulary = Vocabulary.read(tokenizerJson);
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS);
        } catch (RuntimeException e) {
            throw new IOException(tokenizerJson + ": not a tokenizer the Hugging Face library reads: " + e.getMessage(), e);
        }
        return new ModelTokenizer(modelName, tokenizer, vocabulary, pool);
    }

    /** The token ids of {@code text}; with special tokens, the tokenizer's template adds them (BOS, [CLS] … [SEP]). */
    public int[] encode(String text, boolean addSpecialTokens) {
        return call(() -> {
            Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
            long[] ids = encoding.getIds();
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = (int) ids[i];
            }
            return out;
        });
    }

    /**
     * The text of {@code ids}. Bytes of a character split across ids that are not all present
     * decode as U+FFFD.
     *
     * @throws IllegalArgumentException when an id is outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = widen(ids);
        return call(() -> tokenizer.decode(wide, skipSpecialTokens));
    }

    /**
     * The text of {@code ids}, decoded on the caller's thread: for the token loop, which decodes
     * every token on a platform thread of its own (so the work is already bounded, by the model's
     * cap on concurrent generations) and would otherwise pay a hand-off to the pool and back on
     * every token. One sequence at a time on purpose: the library's batch decode hands its work
     * to a thread pool of its own, which costs more than the decode.
     *
     * @throws IllegalArgumentException when an id is outside the vocabulary
     */
    public String decodeOnCaller(int[] ids, boolean skipSpecialTokens) {
        long[] wide = widen(ids);
        try {
            return guarded(() -> tokenizer.decode(wide, skipSpecialTokens));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long[] widen(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabulary.size()) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary of " + vocabulary.size() + " of model '" + modelName + "'");
            }
            wide[i] = ids[i];
        }
        return wide;
    }

    /** The id of a token string (e.g. {@code </s>}), or -1 when the vocabulary has none. */
    public int tokenId(String token) {
        return vocabulary.id(token);
    }

    public int vocabSize() {
        return vocabulary.size();
    }

    /** The lock is taken on the pool's thread, so that a caller that gives up waiting cannot let
     *  {@link #close} free the tokenizer under a call that is still running. */
    private <T> T call(Callable<T> work) {
        return pool.run(() -> guarded(work));
    }

    private <T> T guarded(Callable<T> work) throws Exception {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new ServingException(ErrorKind.MODEL_NOT_READY, "the tokenizer of model '" + modelName
                        + "' is closed: the model is unloading");
            }
            return work.call();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                tokenizer.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
