package dev.corral.host.generate;

import dev.corral.host.engine.DecoderSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.pipeline.Pipeline;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.tokenize.ModelTokenizer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A text-generation model's token loops: at most {@code maxConcurrent} at once, each on its own
 * platform thread (every step is a native ONNX Runtime call, which would pin a virtual thread's
 * carrier). A request over the cap is refused at once with 429 and {@code Retry-After}, never
 * queued. Thread-safe.
 */
public final class Generator implements AutoCloseable {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String modelName;
    private final TokenLoop loop;
    private final int maxConcurrent;
    private final Semaphore slots;
    private final ExecutorService threads;
    private final LongAdder started = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder tokens = new LongAdder();

    private final DecoderSession decoder;
    private final Plugin sampler;

    /**
     * @param prompt        the model's prompt pipeline (plugins writing {@code input_ids}); the caller closes it
     * @param decoder       the model's KV-cache decoder; closed with the generator
     * @param sampler       the sampler plugin; closed with the generator
     * @param eos           token ids that end a generation
     * @param contextLength prompt plus generated tokens never exceed it
     */
    public Generator(String modelName, Pipeline prompt, DecoderSession decoder, Plugin sampler, String samplerEntry,
                     ModelTokenizer tokenizer, Set<Integer> eos, int contextLength, int maxConcurrent) {
        this.modelName = modelName;
        this.decoder = decoder;
        this.sampler = sampler;
        this.loop = new TokenLoop(modelName, prompt, decoder, sampler, samplerEntry, tokenizer, eos, contextLength);
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent);
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newThreadPerTaskExecutor(task -> {
            Thread t = new Thread(task, "corral-generate-" + modelName + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a generation on its own thread; the sink sees each step, the future completes with
     * the result or a {@link ServingException}.
     *
     * @throws ServingException TOO_MANY_GENERATIONS (429, with a retry-after) at once when
     *                          {@code maxConcurrent} generations are running
     */
    public CompletableFuture<GenerationResult> start(GenerationRequest request, TokenSink sink) {
        if (!slots.tryAcquire()) {
            throw new ServingException(ErrorKind.TOO_MANY_GENERATIONS, "model '" + modelName + "' is already running "
                    + maxConcurrent + " generations, its limit; retry shortly", RETRY_AFTER, null);
        }
        started.increment();
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    GenerationResult done = loop.run(request, counting(sink));
                    if (done.finishReason() == FinishReason.CANCELLED) {
                        cancelled.increment();
                    }
                    result.complete(done);
                } catch (InterruptedException e) {
                    result.completeExceptionally(new ServingException(ErrorKind.MODEL_NOT_READY,
                            "model '" + modelName + "' is unloading; the generation was stopped", e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            throw new ServingException(ErrorKind.MODEL_NOT_READY, "model '" + modelName + "' is unloading", e);
        }
        return result;
    }

    /**
     * Runs a generation to its end and returns it, for callers that want the whole text.
     *
     * @throws ServingException as {@link #start}, or whatever the loop failed with
     */
    public GenerationResult generate(GenerationRequest request) {
        CompletableFuture<GenerationResult> future = start(request, TokenSink.NONE);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ServingException(ErrorKind.INTERNAL, "interrupted while waiting for the generation", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new ServingException(ErrorKind.INTERNAL, "the generation failed", e.getCause());
        }
    }

    /**
     * The sampler plugin the token loops call, as the model loaded it: the differential test
     * runs this very plugin against its interpreted twin on the model's real logits.
     */
    public Plugin sampler() {
        return sampler;
    }

    public GeneratorStats stats() {
        return new GeneratorStats(maxConcurrent, maxConcurrent - slots.availablePermits(), started.sum(),
                cancelled.sum(), tokens.sum());
    }

    private TokenSink counting(TokenSink sink) {
        return new TokenSink() {
            @Override
            public void accept(TokenEvent event) throws InterruptedException {
                if (!event.echo() && event.tokenId() >= 0) {
                    tokens.increment();
                }
                sink.accept(event);
            }

            @Override
            public boolean cancelled() {
                return sink.cancelled();
            }
        };
    }

    /** Interrupts the running loops (they end with MODEL_NOT_READY), then closes the decoder and the sampler. */
    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        decoder.close();
        sampler.close();
    }
}
