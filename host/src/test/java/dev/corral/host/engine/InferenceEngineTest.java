package dev.corral.host.engine;

import static dev.corral.host.engine.TestModels.MOBILENET;
import static dev.corral.host.engine.TestModels.STORIES;
import static dev.corral.host.engine.TestModels.assertClose;
import static dev.corral.host.engine.TestModels.images;
import static dev.corral.host.engine.TestModels.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceEngineTest {
    private static final EngineOptions CPU = new EngineOptions(Device.CPU, false, 1, null, 16);

    private static InferenceEngine engine;
    private static ModelSession mobilenet;

    @BeforeAll
    static void load() throws ModelLoadException {
        engine = new InferenceEngine(2);
        mobilenet = engine.load("mobilenet", MOBILENET, CPU);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void readsTheModelsInputsAndOutputs() {
        assertEquals(List.of("input"), List.copyOf(mobilenet.inputs().keySet()));
        TensorInfo input = mobilenet.inputs().get("input");
        assertEquals(DType.FLOAT32, input.dtype());
        assertArrayEquals(new long[] {-1, 3, 224, 224}, input.shape());
        assertTrue(input.isDynamic(0));
        assertEquals("float32[-1,3,224,224]", input.describe());
        assertEquals(new TensorInfo("output", DType.FLOAT32, new long[] {-1, 1000}), mobilenet.outputs().get("output"));
        assertEquals("mobilenet", mobilenet.modelName());
        assertEquals("cpu", mobilenet.device());
        assertFalse(mobilenet.batchable(), "no batching was configured");
    }

    @Test
    void runsOneImageToAThousandFiniteLogits() {
        InferenceResult result = mobilenet.infer(Map.of("input", images(1, 1, false)));
        Tensor output = result.outputs().get("output");
        assertEquals(DType.FLOAT32, output.dtype());
        assertArrayEquals(new long[] {1, 1000}, output.shape());
        float[] logits = row(output, 0);
        for (float logit : logits) {
            assertTrue(Float.isFinite(logit), "logit " + logit);
        }
        assertTrue(max(logits) > min(logits), "logits are not all equal");
        assertEquals(1, result.batchSize());
        assertTrue(result.inferNanos() > 0);
        assertTrue(result.queueNanos() >= 0);
    }

    @Test
    void aBatchOfEightGivesTheRowsOfEightSingleRuns() {
        Tensor batch = images(8, 8, true);
        Tensor output = mobilenet.infer(Map.of("input", batch)).outputs().get("output");
        assertArrayEquals(new long[] {8, 1000}, output.shape());
        int rowBytes = TestModels.IMAGE_FLOATS * Float.BYTES;
        for (int i = 0; i < 8; i++) {
            Tensor single = Tensor.of(DType.FLOAT32, new long[] {1, 3, 224, 224}, batch.data().slice(i * rowBytes, rowBytes));
            float[] expected = row(mobilenet.infer(Map.of("input", single)).outputs().get("output"), 0);
            assertClose(expected, row(output, i), 1e-4f);
        }
        assertFalse(Arrays.equals(row(output, 0), row(output, 1)), "different images, different logits");
    }

    @Test
    void ignoresTensorsThatAreNotModelInputs() {
        Tensor image = images(3, 1, false);
        Map<String, Tensor> inputs = Map.of("input", image, "ratio", Tensor.of(DType.FLOAT32, new long[] {1}, new byte[4]));
        assertClose(row(mobilenet.infer(Map.of("input", image)).outputs().get("output"), 0),
                row(mobilenet.infer(inputs).outputs().get("output"), 0), 0f);
    }

    @Test
    void refusesAWrongShapeNamingTheInput() {
        ServingException e = assertThrows(ServingException.class,
                () -> mobilenet.infer(Map.of("input", Tensor.of(DType.FLOAT32, new long[] {1, 3, 100, 100}, new byte[4 * 3 * 100 * 100]))));
        assertEquals(ErrorKind.INFERENCE_FAILED, e.kind());
        assertEquals("model 'mobilenet' input 'input': expected float32[-1,3,224,224], got float32[1,3,100,100]", e.getMessage());
    }

    @Test
    void refusesAWrongTypeNamingTheInput() {
        ServingException e = assertThrows(ServingException.class,
                () -> mobilenet.infer(Map.of("input", Tensor.of(DType.UINT8, new long[] {1, 3, 224, 224}, new byte[3 * 224 * 224]))));
        assertEquals(ErrorKind.INFERENCE_FAILED, e.kind());
        assertEquals("model 'mobilenet' input 'input': expected float32[-1,3,224,224], got uint8[1,3,224,224]", e.getMessage());
    }

    @Test
    void refusesAMissingInputNamingIt() {
        ServingException e = assertThrows(ServingException.class,
                () -> mobilenet.infer(Map.of("pixels", images(4, 1, false))));
        assertEquals(ErrorKind.INFERENCE_FAILED, e.kind());
        assertEquals("model 'mobilenet' input 'input' is missing: expected float32[-1,3,224,224], got tensors [pixels]",
                e.getMessage());
    }

    @Test
    void aFailedRunFailsItsRequestAndTheModelKeepsServing() throws ModelLoadException {
        try (ModelSession stories = engine.load("stories", STORIES, CPU)) {
            assertEquals(DType.INT64, stories.inputs().get("input_ids").dtype());
            assertArrayEquals(new long[] {-1, 4, -1, 8}, stories.inputs().get("past_key_values.0.key").shape());
            // Both shapes pass the declared [-1,-1], but the graph cannot add 2 token embeddings to 3 positions.
            ServingException e = assertThrows(ServingException.class, () -> stories.infer(storiesInputs(2, 3)));
            assertEquals(ErrorKind.INFERENCE_FAILED, e.kind());
            assertTrue(e.getMessage().startsWith("model 'stories' failed to run a batch of 1 request(s): "), e.getMessage());

            Tensor logits = stories.infer(storiesInputs(3, 3)).outputs().get("logits");
            assertArrayEquals(new long[] {1, 3, 512}, logits.shape());
            assertArrayEquals(new long[] {1, 4, 3, 8}, stories.infer(storiesInputs(3, 3)).outputs().get("present.4.value").shape());
            assertEquals(1, stories.stats().failed());
            assertEquals(2, stories.stats().batches());
        }
    }

    /** A first generation step: BOS and some tokens, positions from 0, an empty KV cache. */
    private static Map<String, Tensor> storiesInputs(int tokens, int positions) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", int64Row(tokens, i -> i == 0 ? 1 : 40 + i));
        inputs.put("position_ids", int64Row(positions, i -> i));
        for (int layer = 0; layer < 5; layer++) {
            for (String part : List.of("key", "value")) {
                inputs.put("past_key_values." + layer + "." + part, Tensor.of(DType.FLOAT32, new long[] {1, 4, 0, 8}, new byte[0]));
            }
        }
        return inputs;
    }

    private static Tensor int64Row(int count, IntUnaryOperator value) {
        ByteBuffer data = ByteBuffer.allocate(count * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            data.putLong(value.applyAsInt(i));
        }
        return Tensor.of(DType.INT64, new long[] {1, count}, data.flip());
    }

    @Test
    void cudaOnACpuOnlyBuildFailsTheLoadWithAClearMessage() {
        assumeFalse(InferenceEngine.cudaAvailable(), "this ONNX Runtime build has CUDA");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> engine.load("x", MOBILENET, new EngineOptions(Device.CUDA, false, 1, null, 16)));
        assertEquals("model 'x' asks for device cuda, but this ONNX Runtime build has no CUDA execution provider"
                + " (available: CPU); build with -Pgpu on a machine with CUDA 12 and cuDNN 9, or set engine.device"
                + " to auto/cpu", e.getMessage());
    }

    @Test
    void cudaWithCpuFallbackLoadsOnCpu() throws ModelLoadException {
        assumeFalse(InferenceEngine.cudaAvailable(), "this ONNX Runtime build has CUDA");
        try (ModelSession model = engine.load("fallback", MOBILENET, new EngineOptions(Device.CUDA, true, 1, null, 16))) {
            assertEquals("cpu", model.device());
            assertArrayEquals(new long[] {1, 1000}, model.infer(Map.of("input", images(5, 1, false))).outputs().get("output").shape());
        }
    }

    @Test
    void autoRunsWhereItCan() throws ModelLoadException {
        try (ModelSession model = engine.load("auto", MOBILENET, EngineOptions.defaults())) {
            assertEquals(InferenceEngine.cudaAvailable() ? model.device() : "cpu", model.device());
            assertTrue(List.of("cpu", "cuda").contains(model.device()), model.device());
            assertArrayEquals(new long[] {1, 1000}, model.infer(Map.of("input", images(6, 1, false))).outputs().get("output").shape());
        }
    }

    @Test
    void aFileOfRandomBytesIsNotAModel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("garbage.onnx");
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        Files.write(file, bytes);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> engine.load("garbage", file, CPU));
        assertTrue(e.getMessage().startsWith("model 'garbage': " + file + " is not a valid ONNX model for ONNX Runtime 1.29.0: "),
                e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("absent.onnx");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> engine.load("absent", file, CPU));
        assertEquals("model 'absent': ONNX file " + file + " does not exist", e.getMessage());
    }

    @Test
    void closingTheEngineClosesItsSessions() throws ModelLoadException {
        InferenceEngine own = new InferenceEngine(1);
        ModelSession model = own.load("short-lived", MOBILENET, CPU);
        own.close();
        ServingException e = assertThrows(ServingException.class, () -> model.infer(Map.of("input", images(7, 1, false))));
        assertEquals(ErrorKind.MODEL_NOT_READY, e.kind());
        assertThrows(IllegalStateException.class, () -> own.load("late", MOBILENET, CPU));
    }

    private static float max(float[] values) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static float min(float[] values) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : values) {
            m = Math.min(m, v);
        }
        return m;
    }
}
