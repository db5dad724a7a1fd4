package dev.corral.host.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Loads models into ONNX Runtime sessions and owns the platform threads every native run
 * happens on ({@code corral-infer-1…N}).
 */
public final class InferenceEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InferenceEngine.class.getName());

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int poolSize;
    private final ExecutorService pool;
    private final Set<ModelSession> openSessions = ConcurrentHashMap.newKeySet();
    private final Set<DecoderSession> openDecoders = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** An engine with one inference thread per available processor. */
    public InferenceEngine() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** @param poolSize how many native runs may happen at once, across all models */
    public InferenceEngine(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("the inference pool needs at least 1 thread, got " + poolSize);
        }
        this.poolSize = poolSize;
        this.pool = Executors.newFixedThreadPool(poolSize,
                Thread.ofPlatform().name("corral-infer-", 1).daemon(true).factory());
    }

    /** Whether this ONNX Runtime build has the CUDA execution provider (it may still fail to start). */
    public static boolean cudaAvailable() {
        return SessionFactory.cudaBuilt();
    }

    /**
     * Creates the model's session on the device its options ask for and warms it up with one run
     * on zero-filled inputs (open dimensions set to 1), so that the first request does not pay
     * for ONNX Runtime's lazy initialisation.
     *
     * @throws ModelLoadException when the file is missing or is not a valid ONNX model, when an
     *                            input or output has a type Corral does not support, when CUDA is
     *                            asked for and cannot be used (unless {@code allowCpuFallback}),
     *                            when the batching's sequence padding names a tensor the model
     *                            does not have, or one without an open dim 1, or a pad value
     *                            outside its input's type, or when the warm-up run fails
     * @throws IllegalStateException when the engine is closed
     */
    public ModelSession load(String modelName, Path onnxFile, EngineOptions options) throws ModelLoadException {
        SessionFactory.OpenedSession opened = open(modelName, onnxFile, options);
        OrtSession session = opened.session();
        return built(modelName, onnxFile, session, () -> {
            ModelSignature signature = ModelSignature.of(modelName, session);
            SequencePadding padding = options.batching() == null ? null : options.batching().padding();
            if (padding != null) {
                signature.checkPadding(padding);
            }
            StatsRecorder stats = new StatsRecorder();
            BatchRunner runner = new BatchRunner(modelName, env, session, stats, padding);
            warmUp(modelName, opened.device(), runner, signature);
            boolean batchable = options.batching() != null && signature.hasBatchDimension();
            if (options.batching() != null && !batchable) {
                LOG.log(Level.WARNING, "model ''{0}'': batching is configured, but not every input and output"
                        + " has an open dim 0 ({1} -> {2}); running requests one at a time",
                        modelName, signature.inputs().values(), signature.outputs().values());
            }
            RequestQueue queue = new RequestQueue(options.maxQueueSize(), batchable ? options.batching() : null);
            RequestScheduler scheduler = new RequestScheduler(modelName, queue, runner, pool, poolSize, stats);
            ModelSession model = new ModelSession(modelName, opened.device(), session, signature, batchable,
                    padding, scheduler, stats, openSessions::remove);
            openSessions.add(model);
            LOG.log(Level.INFO, "model ''{0}'' loaded on {1}{2}: {3} -> {4}", modelName, model.device(),
                    batchable ? ", batched" : "", signature.inputs().values(), signature.outputs().values());
            return model;
        });
    }

    /** Opens an ONNX Runtime session for either kind of model, on a platform thread. */
    private SessionFactory.OpenedSession open(String modelName, Path onnxFile, EngineOptions options)
            throws ModelLoadException {
        if (closed) {
            throw new IllegalStateException("the inference engine is closed; cannot load model '" + modelName + "'");
        }
        if (!Files.isRegularFile(onnxFile)) {
            throw new ModelLoadException("model '" + modelName + "': ONNX file " + onnxFile + " does not exist");
        }
        return onPlatformThread("corral-load-" + modelName, () -> SessionFactory.open(env, modelName, onnxFile, options));
    }

    /**
     * Loads a decoder-only language model with a KV cache for token-by-token generation, and warms
     * it up with a one-token prompt and one step. Of the options, only the device (with its CPU
     * fallback) and the intra-op threads apply: a decoder has no queue and no batching, and its
     * runs happen on the threads of its callers (see {@link DecoderSession}).
     *
     * @throws ModelLoadException when the file is missing or is not a valid ONNX model, when CUDA
     *                            is asked for and cannot be used (unless {@code allowCpuFallback}),
     *                            when the model does not have the inputs and outputs of a cached
     *                            decoder ({@code input_ids}, optional {@code position_ids} and
     *                            {@code attention_mask}, {@code past_key_values.{i}.key|value} →
     *                            {@code logits}, {@code present.{i}.key|value}; the message names
     *                            the tensor that is missing or mismatched), or when the warm-up fails
     * @throws IllegalStateException when the engine is closed
     */
    public DecoderSession loadDecoder(String modelName, Path onnxFile, EngineOptions options) throws ModelLoadException {
        SessionFactory.OpenedSession opened = open(modelName, onnxFile, options);
        OrtSession session = opened.session();
        DecoderSession decoder = built(modelName, onnxFile, session, () -> DecoderSession.open(modelName,
                opened.device(), env, session, DecoderLayout.of(modelName, ModelSignature.of(modelName, session)),
                openDecoders::remove));
        try {
            onPlatformThread("corral-warmup-" + modelName, () -> {
                decoder.warmUp();
                return null;
            });
        } catch (ModelLoadException | RuntimeException e) {
            decoder.close();
            throw e;
        }
        openDecoders.add(decoder);
        LOG.log(Level.INFO, "model ''{0}'' loaded as a cached decoder on {1}: {2} layers, vocabulary {3}",
                modelName, decoder.device(), decoder.layers(), decoder.vocabSize());
        return decoder;
    }

    /** What a load builds from its freshly opened session. */
    private interface SessionUse<T> {
        T build() throws OrtException, ModelLoadException;
    }

    /** Builds on a fresh session, which is closed again when the build fails. */
    private static <T> T built(String modelName, Path onnxFile, OrtSession session, SessionUse<T> use)
            throws ModelLoadException {
        try {
            return use.build();
        } catch (OrtException e) {
            SessionFactory.closeQuietly(modelName, session);
            throw new ModelLoadException("model '" + modelName + "': cannot read the inputs and outputs of "
                    + onnxFile + ": " + e.getMessage(), e);
        } catch (ModelLoadException | RuntimeException e) {
            SessionFactory.closeQuietly(modelName, session);
            throw e;
        }
    }

    private void warmUp(String modelName, Device device, BatchRunner runner, ModelSignature signature)
            throws ModelLoadException {
        try {
            pool.submit(() -> runner.runOnce(signature.warmUpInputs())).get();
        } catch (ExecutionException e) {
            throw new ModelLoadException("model '" + modelName + "' failed its warm-up run on " + device.label()
                    + " (zero-filled inputs, open dimensions set to 1): " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("model '" + modelName + "': interrupted during its warm-up run", e);
        }
    }

    /**
     * Runs long native work (session creation, a decoder's warm-up) on a fresh platform thread: a JNI call would pin a
     * virtual caller's carrier for its whole length, and the inference pool is kept for runs.
     */
    private static <T> T onPlatformThread(String name, Callable<T> work) throws ModelLoadException {
        FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().name(name).daemon(true).start(task);
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModelLoadException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(name + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException(name + ": interrupted while creating the session", e);
        }
    }

    /**
     * Closes every session and decoder still open (failing their waiting requests and open
     * generations) and stops the pool. The
     * ONNX Runtime environment is a process-wide singleton and stays open for other users.
     */
    @Override
    public void close() {
        closed = true;
        List.copyOf(openSessions).forEach(ModelSession::close);
        List.copyOf(openDecoders).forEach(DecoderSession::close);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "inference threads still busy 30 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
