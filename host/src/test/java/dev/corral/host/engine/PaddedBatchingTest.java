package dev.corral.host.engine;

import static dev.corral.host.engine.TestModels.MOBILENET;
import static dev.corral.host.engine.TestModels.assertClose;
import static dev.corral.host.engine.TestModels.int64;
import static dev.corral.host.engine.TestModels.miniLm;
import static dev.corral.host.engine.TestModels.sentence;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests of different sequence lengths sharing runs of the real all-MiniLM-L6-v2. */
class PaddedBatchingTest {
    private static final SequencePadding MINILM_PADDING = new SequencePadding(
            Map.of("input_ids", 0L, "attention_mask", 0L, "token_type_ids", 0L), Set.of("last_hidden_state"));

    private static InferenceEngine engine;
    /** Runs every request alone, unpadded: the reference the batched outputs must match. */
    private static ModelSession unbatched;

    @BeforeAll
    static void load() throws ModelLoadException {
        engine = new InferenceEngine(2);
        unbatched = engine.load("minilm", miniLm(), new EngineOptions(Device.CPU, false, 1, null, 64));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static EngineOptions padded(SequencePadding padding, Duration maxQueueDelay) {
        return new EngineOptions(Device.CPU, false, 1, new BatchingOptions(8, maxQueueDelay, padding), 64);
    }

    private static float[] floats(Tensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.elementCount())];
        tensor.data().asFloatBuffer().get(values);
        return values;
    }

    @Test
    void sentencesOfDifferentLengthsShareARunAndMatchRunningAlone() throws Exception {
        int[] lengths = {3, 12, 7, 25, 5, 16};
        List<Map<String, Tensor>> requests = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            requests.add(sentence(500 + i, lengths[i]));
        }
        List<Tensor> expected = requests.stream()
                .map(request -> unbatched.infer(request).outputs().get("last_hidden_state")).toList();
        // A long queue delay, so that requests released together surely meet in one batch.
        try (ModelSession model = engine.load("minilm-padded", miniLm(),
                padded(MINILM_PADDING, Duration.ofMillis(500)));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            assertTrue(model.batchable());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<InferenceResult>> results = new ArrayList<>();
            for (Map<String, Tensor> request : requests) {
                results.add(threads.submit(() -> {
                    go.await();
                    return model.infer(request);
                }));
            }
            go.countDown();
            int largestBatch = 0;
            for (int i = 0; i < lengths.length; i++) {
                InferenceResult result = results.get(i).get(30, TimeUnit.SECONDS);
                Tensor hidden = result.outputs().get("last_hidden_state");
                assertArrayEquals(new long[] {1, lengths[i], 384}, hidden.shape(), "request " + i);
                assertClose(floats(expected.get(i)), floats(hidden), 1e-5f);
                largestBatch = Math.max(largestBatch, result.batchSize());
            }
            // Every request has its own length, so a run of more than one mixed lengths.
            assertTrue(largestBatch > 1, "no run served more than one request: " + model.stats());
            EngineStats stats = model.stats();
            assertTrue(stats.requestsPerBatch().lastKey() > 1, stats.toString());
            assertEquals(lengths.length, stats.rows());
        }
    }

    @Test
    void paddedInputsOfOneRequestMustAgreeOnTheSequenceLength() throws Exception {
        Map<String, Tensor> request = new HashMap<>(sentence(7, 5));
        request.put("attention_mask", int64(new long[] {1, 1, 1, 1, 1, 1}));
        try (ModelSession model = engine.load("minilm-mismatch", miniLm(),
                padded(MINILM_PADDING, Duration.ofMillis(1)))) {
            ServingException e = assertThrows(ServingException.class, () -> model.infer(request));
            assertEquals(ErrorKind.INFERENCE_FAILED, e.kind());
            assertTrue(e.getMessage().contains("input 'input_ids' has length 5 and input 'attention_mask' has 6"),
                    e.getMessage());
        }
    }

    @Test
    void paddingThatDoesNotFitTheModelIsRefusedAtLoad() {
        ModelLoadException unknownInput = assertThrows(ModelLoadException.class, () -> engine.load("bad-input",
                miniLm(), padded(new SequencePadding(Map.of("input_idz", 0L), Set.of()), Duration.ZERO)));
        assertTrue(unknownInput.getMessage().contains("input 'input_idz', which the model does not have"),
                unknownInput.getMessage());

        ModelLoadException unknownOutput = assertThrows(ModelLoadException.class, () -> engine.load("bad-output",
                miniLm(), padded(new SequencePadding(Map.of("input_ids", 0L), Set.of("pooler")), Duration.ZERO)));
        assertTrue(unknownOutput.getMessage().contains("output 'pooler', which the model does not have"),
                unknownOutput.getMessage());

        // MobileNetV2's input is float32[-1,3,224,224]: dim 1 is the fixed channel count, not a sequence.
        ModelLoadException fixed = assertThrows(ModelLoadException.class, () -> engine.load("bad-axis",
                MOBILENET, padded(new SequencePadding(Map.of("input", 0L), Set.of()), Duration.ZERO)));
        assertTrue(fixed.getMessage().contains("padded input 'input' must have an open sequence dimension 1"),
                fixed.getMessage());
    }

    @Test
    void stackPadsInt32AndFloat32InputsAndSplitCutsPaddedOutputs() {
        SequencePadding padding = new SequencePadding(Map.of("ids", -1L, "features", 9L), Set.of("states"));
        InferenceRequest shortOne = InferenceRequest.batchable("unit", ordered(
                int32(new long[] {1, 2}, 1, 2), float32(new float[] {1, 2, 3, 4}, 1, 2, 2)), padding);
        InferenceRequest longOne = InferenceRequest.batchable("unit", ordered(
                int32(new long[] {5, 6, 7}, 1, 3), float32(new float[] {5, 6, 7, 8, 9, 10}, 1, 3, 2)), padding);
        assertEquals(shortOne.shapeKey(), longOne.shapeKey());
        List<InferenceRequest> batch = List.of(shortOne, longOne);

        Map<String, Tensor> stacked = BatchTensors.stack(batch, padding);
        assertArrayEquals(new long[] {2, 3}, stacked.get("ids").shape());
        int[] ids = new int[6];
        stacked.get("ids").data().asIntBuffer().get(ids);
        assertArrayEquals(new int[] {1, 2, -1, 5, 6, 7}, ids);
        assertArrayEquals(new long[] {2, 3, 2}, stacked.get("features").shape());
        assertClose(new float[] {1, 2, 3, 4, 9, 9, 5, 6, 7, 8, 9, 10}, floats(stacked.get("features")), 0);

        Map<String, Tensor> outputs = Map.of(
                "states", float32(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2),
                "scores", float32(new float[] {0.5f, 0.25f}, 2));
        List<Map<String, Tensor>> parts = BatchTensors.split(outputs, batch, padding);
        assertArrayEquals(new long[] {1, 2, 2}, parts.get(0).get("states").shape());
        assertClose(new float[] {1, 2, 3, 4}, floats(parts.get(0).get("states")), 0);
        assertArrayEquals(new long[] {1, 3, 2}, parts.get(1).get("states").shape());
        assertClose(new float[] {7, 8, 9, 10, 11, 12}, floats(parts.get(1).get("states")), 0);
        assertClose(new float[] {0.25f}, floats(parts.get(1).get("scores")), 0);

        Map<String, Tensor> notPadded = Map.of("states", float32(new float[8], 2, 2, 2));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BatchTensors.split(notPadded, batch, padding));
        assertTrue(e.getMessage().contains("padded output 'states' came back as float32[2,2,2]"), e.getMessage());
    }

    private static Map<String, Tensor> ordered(Tensor ids, Tensor features) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("ids", ids);
        inputs.put("features", features);
        return inputs;
    }

    private static Tensor int32(long[] values, long... shape) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            data.putInt((int) value);
        }
        return Tensor.of(DType.INT32, shape, data.flip());
    }

    private static Tensor float32(float[] values, long... shape) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        return Tensor.of(DType.FLOAT32, shape, data.flip());
    }
}
