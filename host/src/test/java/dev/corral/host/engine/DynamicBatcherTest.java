package dev.corral.host.engine;

import static dev.corral.host.engine.TestModels.MOBILENET;
import static dev.corral.host.engine.TestModels.assertClose;
import static dev.corral.host.engine.TestModels.images;
import static dev.corral.host.engine.TestModels.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
    private static InferenceEngine engine;
    /** Runs every request alone: the reference the batched rows must match. */
    private static ModelSession unbatched;

    @BeforeAll
    static void load() throws ModelLoadException {
        engine = new InferenceEngine(2);
        unbatched = engine.load("mobilenet", MOBILENET, new EngineOptions(Device.CPU, false, 1, null, 64));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static ModelSession batched(String name, int maxBatchSize, Duration maxQueueDelay, int maxQueueSize)
            throws ModelLoadException {
        return engine.load(name, MOBILENET, new EngineOptions(Device.CPU, false, 1,
                new BatchingOptions(maxBatchSize, maxQueueDelay), maxQueueSize));
    }

    private static float[] reference(Tensor image) {
        return row(unbatched.infer(Map.of("input", image)).outputs().get("output"), 0);
    }

    /** Starts one virtual thread per call, all released at once. */
    private static <T> List<Future<T>> startTogether(ExecutorService threads, List<Callable<T>> calls) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            futures.add(threads.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        return futures;
    }

    @Test
    void concurrentRequestsShareRunsAndEachGetsItsOwnRow() throws Exception {
        List<Tensor> images = IntStream.range(0, 16).mapToObj(i -> images(100 + i, 1, false)).toList();
        List<float[]> expected = images.stream().map(DynamicBatcherTest::reference).toList();
        try (ModelSession model = batched("batched", 8, Duration.ofMillis(200), 64);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            assertTrue(model.batchable());
            List<Future<InferenceResult>> results = startTogether(threads,
                    images.stream().<Callable<InferenceResult>>map(image -> () -> model.infer(Map.of("input", image))).toList());
            for (int i = 0; i < images.size(); i++) {
                InferenceResult result = results.get(i).get(30, TimeUnit.SECONDS);
                Tensor output = result.outputs().get("output");
                assertArrayEquals(new long[] {1, 1000}, output.shape());
                assertClose(expected.get(i), row(output, 0), 1e-4f);
                assertTrue(result.batchSize() >= 1 && result.batchSize() <= 8, "batch size " + result.batchSize());
            }
            EngineStats stats = model.stats();
            assertEquals(16, stats.requests());
            assertEquals(16, stats.rows());
            assertEquals(16, stats.requestsPerBatch().entrySet().stream().mapToLong(e -> e.getKey() * e.getValue()).sum());
            assertTrue(stats.requestsPerBatch().lastKey() > 1, "no run served more than one request: " + stats);
            assertTrue(stats.requestsPerBatch().lastKey() <= 8, "a run exceeded max_batch_size: " + stats);
            assertEquals(0, stats.queueDepth());
        }
    }

    @Test
    void requestsOfSeveralRowsAreStackedAndSplitByRows() throws Exception {
        Tensor three = images(200, 3, false);
        Tensor two = images(201, 2, true);
        Tensor ten = images(202, 10, false);
        try (ModelSession model = batched("rows", 8, Duration.ofMillis(200), 64);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InferenceResult>> results = startTogether(threads, List.of(
                    () -> model.infer(Map.of("input", three)),
                    () -> model.infer(Map.of("input", two)),
                    () -> model.infer(Map.of("input", ten))));
            Tensor[] inputs = {three, two, ten};
            for (int i = 0; i < inputs.length; i++) {
                Tensor expected = unbatched.infer(Map.of("input", inputs[i])).outputs().get("output");
                Tensor actual = results.get(i).get(30, TimeUnit.SECONDS).outputs().get("output");
                assertArrayEquals(expected.shape(), actual.shape());
                for (int r = 0; r < expected.dim(0); r++) {
                    assertClose(row(expected, r), row(actual, r), 1e-4f);
                }
            }
            assertEquals(1, results.get(2).get().batchSize(), "ten rows exceed max_batch_size, so they run alone");
            assertEquals(15, model.stats().rows());
        }
    }

    @Test
    void aFullQueueRefusesTheExcessAtOnceAndServesTheRest() throws Exception {
        List<Tensor> images = IntStream.range(0, 12).mapToObj(i -> images(300 + i, 1, false)).toList();
        // The accepted three wait a whole second for more rows, so every other caller finds the queue full.
        try (ModelSession model = batched("tiny-queue", 8, Duration.ofSeconds(1), 3);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InferenceResult>> results = startTogether(threads,
                    images.stream().<Callable<InferenceResult>>map(image -> () -> model.infer(Map.of("input", image))).toList());
            int served = 0;
            int refused = 0;
            for (int i = 0; i < images.size(); i++) {
                try {
                    InferenceResult result = results.get(i).get(30, TimeUnit.SECONDS);
                    assertClose(reference(images.get(i)), row(result.outputs().get("output"), 0), 1e-4f);
                    served++;
                } catch (ExecutionException e) {
                    ServingException refusal = assertInstanceOf(ServingException.class, e.getCause());
                    assertEquals(ErrorKind.QUEUE_FULL, refusal.kind());
                    assertNotNull(refusal.retryAfter());
                    assertTrue(refusal.retryAfter().toMillis() > 0);
                    assertTrue(refusal.getMessage().contains("model 'tiny-queue' has 3 requests waiting"), refusal.getMessage());
                    refused++;
                }
            }
            assertEquals(3, served);
            assertEquals(9, refused);
            assertEquals(9, model.stats().rejected());
            assertEquals(3, model.stats().requests());
        }
    }

    @Test
    void closingFailsWaitingRequestsAndRefusesNewOnes() throws Exception {
        ModelSession model = batched("closing", 8, Duration.ofSeconds(60), 16);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InferenceResult>> results = startTogether(threads, IntStream.range(0, 3)
                    .<Callable<InferenceResult>>mapToObj(i -> () -> model.infer(Map.of("input", images(400 + i, 1, false))))
                    .toList());
            awaitQueueDepth(model, 3);
            model.close();
            for (Future<InferenceResult> result : results) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
                ServingException failure = assertInstanceOf(ServingException.class, e.getCause());
                assertEquals(ErrorKind.MODEL_NOT_READY, failure.kind());
                assertEquals("model 'closing' was unloaded", failure.getMessage());
            }
        }
        ServingException late = assertThrows(ServingException.class, () -> model.infer(Map.of("input", images(9, 1, false))));
        assertEquals(ErrorKind.MODEL_NOT_READY, late.kind());
        assertEquals(3, model.stats().failed());
    }

    private static void awaitQueueDepth(ModelSession model, int depth) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.stats().queueDepth() < depth) {
            if (System.nanoTime() > deadline) {
                fail("queue depth never reached " + depth + ": " + model.stats());
            }
            Thread.sleep(5);
        }
    }
}
