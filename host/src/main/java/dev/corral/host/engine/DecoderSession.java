package dev.corral.host.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * A loaded decoder-only language model with a KV cache (see {@link DecoderLayout} for the naming
 * it expects), from which any number of generations ({@link DecoderState}) run at once on its
 * one ONNX Runtime session.
 *
 * <p>Threads: {@link #start} and {@link DecoderState#next} run the model on the caller's thread
 * and return when the run is over. Call them from platform threads (one per generation is the
 * intended use): a native run pins a virtual thread's carrier for its whole length. They do not
 * go through the engine's inference pool or any queue; how many generations run at once is the
 * caller's to bound. Thread-safe.
 *
 * <p>Batch 1 only: each generation has its own cache, and each run feeds one sequence.
 */
public final class DecoderSession implements AutoCloseable {
    private final String modelName;
    private final Device device;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final DecoderLayout layout;
    /** The first run's past: zero-length, read-only, shared by every generation. */
    private final Map<String, OnnxTensor> emptyCache;
    private final Set<String> presentNames;
    private final Consumer<DecoderSession> onClose;
    /** Runs hold the read lock; close takes the write lock, so the session never closes under a run. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Set<DecoderState> openStates = ConcurrentHashMap.newKeySet();
    private final LongAdder prefills = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder prefillNanos = new LongAdder();
    private final LongAdder steps = new LongAdder();
    private final LongAdder stepNanos = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private boolean closed;

    private DecoderSession(String modelName, Device device, OrtEnvironment env, OrtSession session,
                           DecoderLayout layout, Map<String, OnnxTensor> emptyCache, Consumer<DecoderSession> onClose) {
        this.modelName = modelName;
        this.device = device;
        this.env = env;
        this.session = session;
        this.layout = layout;
        this.emptyCache = emptyCache;
        this.presentNames = new LinkedHashSet<>();
        layout.cache().forEach(tensor -> presentNames.add(tensor.present()));
        this.onClose = onClose;
    }

    /** Wraps an open session; the caller still owns {@code session} if this throws. */
    static DecoderSession open(String modelName, Device device, OrtEnvironment env, OrtSession session,
                               DecoderLayout layout, Consumer<DecoderSession> onClose) throws OrtException {
        Map<String, OnnxTensor> empty = new LinkedHashMap<>();
        try {
            for (DecoderLayout.CacheTensor tensor : layout.cache()) {
                empty.put(tensor.past(), OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), tensor.shape(0),
                        OrtTypes.javaTypeOf(tensor.dtype())));
            }
        } catch (OrtException | RuntimeException e) {
            empty.values().forEach(OnnxTensor::close);
            throw e;
        }
        return new DecoderSession(modelName, device, env, session, layout, empty, onClose);
    }

    public String modelName() {
        return modelName;
    }

    /** Where the session really runs: {@code cpu} or {@code cuda}. */
    public String device() {
        return device.label();
    }

    /** The length of every logits array this decoder returns. */
    public int vocabSize() {
        return layout.vocabSize();
    }

    /** Transformer layers, i.e. key/value cache pairs. */
    public int layers() {
        return layout.cache().size() / 2;
    }

    /**
     * Starts a generation: runs the prompt through the model (the prefill) and returns its state,
     * whose {@link DecoderState#logits()} are the last prompt position's. Close the state when
     * the generation ends: it holds the cache's native memory.
     *
     * @throws IllegalArgumentException when the prompt is empty or holds an id outside
     *                                  {@code 0..vocabSize()-1}
     * @throws ServingException         INFERENCE_FAILED when the run fails; MODEL_NOT_READY when
     *                                  the decoder is closed
     */
    public DecoderState start(long[] promptIds) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("model '" + modelName + "': a prompt needs at least one token"
                    + " (usually BOS)");
        }
        for (long id : promptIds) {
            checkToken(id);
        }
        DecoderState state = new DecoderState(this);
        openStates.add(state);
        try {
            state.prefill(promptIds.clone());
            return state;
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    void checkToken(long id) {
        if (id < 0 || id >= layout.vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of model '" + modelName
                    + "' (0.." + (layout.vocabSize() - 1) + ")");
        }
    }

    /** A direct native-order buffer for the logits of {@code positions} positions, as a pinned output. */
    FloatBuffer logitsBuffer(int positions) {
        return ByteBuffer.allocateDirect(positions * layout.vocabSize() * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /**
     * Runs {@code ids} after {@code pastLength} cached positions. The logits of every new position
     * are written into {@code logits}; the returned result holds the presents, which the caller
     * feeds back as the next run's past (and closes after that run).
     *
     * @param past the previous run's result, or {@code null} for the first run (empty cache)
     * @throws ServingException MODEL_NOT_READY when the decoder is closed
     */
    OrtSession.Result run(OrtSession.Result past, long pastLength, long[] ids, FloatBuffer logits) throws OrtException {
        List<OnnxTensor> created = new ArrayList<>(4);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new ServingException(ErrorKind.MODEL_NOT_READY, "model '" + modelName + "' was unloaded");
            }
            long[] sequence = {1, ids.length};
            Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
            inputs.put(DecoderLayout.INPUT_IDS, track(created, longs(sequence, ids)));
            if (layout.positionIds()) {
                long[] positions = new long[ids.length];
                Arrays.setAll(positions, i -> pastLength + i);
                inputs.put(DecoderLayout.POSITION_IDS, track(created, longs(sequence, positions)));
            }
            if (layout.attentionMask()) {
                long[] ones = new long[Math.toIntExact(pastLength + ids.length)];
                Arrays.fill(ones, 1);
                inputs.put(DecoderLayout.ATTENTION_MASK, track(created, longs(new long[] {1, ones.length}, ones)));
            }
            for (DecoderLayout.CacheTensor tensor : layout.cache()) {
                inputs.put(tensor.past(), past == null ? emptyCache.get(tensor.past())
                        : (OnnxTensor) past.get(tensor.present()).orElseThrow());
            }
            OnnxTensor logitsOut = track(created, OnnxTensor.createTensor(env, logits,
                    new long[] {1, ids.length, layout.vocabSize()}));
            return session.run(inputs, presentNames, Map.of(DecoderLayout.LOGITS, logitsOut));
        } finally {
            lifecycle.readLock().unlock();
            created.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor track(List<OnnxTensor> created, OnnxTensor tensor) {
        created.add(tensor);
        return tensor;
    }

    private OnnxTensor longs(long[] shape, long[] values) throws OrtException {
        LongBuffer data = ByteBuffer.allocateDirect(values.length * Long.BYTES).order(ByteOrder.nativeOrder())
                .asLongBuffer().put(values).flip();
        return OnnxTensor.createTensor(env, data, shape);
    }

    void prefilled(int tokens, long nanos) {
        prefills.increment();
        promptTokens.add(tokens);
        prefillNanos.add(nanos);
    }

    void stepped(long nanos) {
        steps.increment();
        stepNanos.add(nanos);
    }

    void failed() {
        failed.increment();
    }

    void forget(DecoderState state) {
        openStates.remove(state);
    }

    /**
     * Prefills one token and runs one step, checking that the presents come back one position
     * longer each time: a model whose cache does not grow as named would otherwise fail only on
     * a user's request. Not counted in the stats.
     */
    void warmUp() throws ModelLoadException {
        try (DecoderState state = new DecoderState(this)) {
            state.prefill(new long[] {0});
            checkCacheLength(state, 1);
            state.next(0);
            checkCacheLength(state, 2);
        } catch (ServingException e) {
            throw new ModelLoadException("model '" + modelName + "' failed its warm-up as a cached decoder on "
                    + device.label() + " (a one-token prompt, then one step): " + e.getMessage(), e);
        }
        prefills.reset();
        promptTokens.reset();
        prefillNanos.reset();
        steps.reset();
        stepNanos.reset();
    }

    private void checkCacheLength(DecoderState state, long length) throws ModelLoadException {
        for (DecoderLayout.CacheTensor tensor : layout.cache()) {
            long[] shape = state.cacheShape(tensor.present());
            if (!Arrays.equals(shape, tensor.shape(length))) {
                throw new ModelLoadException("model '" + modelName + "': after " + length + " token(s) output '"
                        + tensor.present() + "' came back as " + TensorInfo.describe(tensor.dtype(), shape)
                        + ", expected " + TensorInfo.describe(tensor.dtype(), tensor.shape(length))
                        + " (the past fed in, plus the new positions)");
            }
        }
    }

    public DecoderStats stats() {
        return new DecoderStats(prefills.sum(), promptTokens.sum(), prefillNanos.sum(), steps.sum(), stepNanos.sum(),
                failed.sum(), openStates.size());
    }

    /**
     * Waits for runs in progress, frees every open generation's cache (their next call fails
     * with MODEL_NOT_READY), then releases the native session. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
        List.copyOf(openStates).forEach(DecoderState::unload);
        emptyCache.values().forEach(OnnxTensor::close);
        try {
            SessionFactory.closeQuietly(modelName, session);
        } finally {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "DecoderSession[" + modelName + " on " + device() + ", " + layers() + " layers, vocabulary "
                + vocabSize() + "]";
    }
}
