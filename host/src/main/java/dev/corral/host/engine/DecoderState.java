package dev.corral.host.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.nio.FloatBuffer;

/**
 * One generation on a {@link DecoderSession}: the KV cache of every token fed so far, kept in
 * ONNX Runtime's memory (each run's presents are the next run's past, never copied to Java), and
 * the logits of the last position.
 *
 * <p>Meant for one generation loop on one platform thread; its methods are synchronized so that
 * a {@link #close()} from another thread (a cancelled request) waits for a step in progress
 * instead of freeing the cache under it. A failed step leaves the state as it was before it.
 */
public final class DecoderState implements AutoCloseable {
    private final DecoderSession decoder;
    /** Reused by every single-token step: the pinned output the step's logits are written to. */
    private final FloatBuffer stepLogits;
    private OrtSession.Result cache;
    private int length;
    private float[] logits;
    private boolean closed;
    /** Closed by its decoder's unloading rather than by its owner. */
    private boolean unloaded;

    DecoderState(DecoderSession decoder) {
        this.decoder = decoder;
        this.stepLogits = decoder.logitsBuffer(1);
    }

    synchronized void prefill(long[] promptIds) {
        long start = System.nanoTime();
        advance(promptIds, decoder.logitsBuffer(promptIds.length));
        decoder.prefilled(promptIds.length, System.nanoTime() - start);
    }

    /**
     * Feeds one token (usually the one just sampled) and returns the logits for the next
     * position: a fresh array of {@link DecoderSession#vocabSize()} floats.
     *
     * @throws IllegalArgumentException when the id is outside the vocabulary
     * @throws IllegalStateException    when this state was closed by its owner
     * @throws ServingException         INFERENCE_FAILED when the run fails (the state stays as it
     *                                  was); MODEL_NOT_READY when the decoder was closed
     */
    public synchronized float[] next(long tokenId) {
        decoder.checkToken(tokenId);
        long start = System.nanoTime();
        float[] next = advance(new long[] {tokenId}, stepLogits);
        decoder.stepped(System.nanoTime() - start);
        return next;
    }

    private float[] advance(long[] ids, FloatBuffer logitsOut) {
        if (unloaded) {
            throw new ServingException(ErrorKind.MODEL_NOT_READY, "model '" + decoder.modelName() + "' was unloaded");
        }
        if (closed) {
            throw new IllegalStateException("this generation on model '" + decoder.modelName() + "' is closed");
        }
        OrtSession.Result next;
        try {
            next = decoder.run(cache, length, ids, logitsOut);
        } catch (OrtException | RuntimeException e) {
            decoder.failed();
            if (e instanceof ServingException failure) {
                throw failure;
            }
            throw new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + decoder.modelName() + "' failed to run "
                    + ids.length + " token(s) after " + length + " cached: " + e.getMessage(), e);
        }
        float[] last = new float[decoder.vocabSize()];
        logitsOut.get((ids.length - 1) * last.length, last);
        if (cache != null) {
            cache.close();
        }
        cache = next;
        length += ids.length;
        logits = last;
        return last;
    }

    /** The logits for the next position: the array the prefill or the latest step produced. */
    public synchronized float[] logits() {
        return logits;
    }

    /** Tokens in the cache: the prompt plus every token fed since. */
    public synchronized int length() {
        return length;
    }

    /** The shape of one present tensor in the cache, for the decoder's warm-up check. */
    synchronized long[] cacheShape(String present) {
        return ((OnnxTensor) cache.get(present).orElseThrow()).getInfo().getShape();
    }

    /** Frees the cache because the decoder is closing; the owner's next call fails with MODEL_NOT_READY. */
    synchronized void unload() {
        unloaded = true;
        close();
    }

    /** Frees the cache. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cache != null) {
            cache.close();
            cache = null;
        }
        decoder.forget(this);
    }
}
