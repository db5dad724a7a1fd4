package dev.corral.host.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.TestPaths;
import dev.corral.host.testing.TwoTowerFixture;
import dev.corral.registry.ManifestParser;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A two-tower (CLIP-shaped) zero-shot classifier through the real loader and pipeline: the
 * synthetic model of {@link TwoTowerFixture} (two ONNX towers in ONNX Runtime, the tokenizer in
 * DJL, imagenet-preprocess, text-tokenize's list mode and similarity-rank's softmax in Chicory),
 * loaded from a manifest a user could have written, warm-up included.
 */
class TwoTowerZeroShotTest {
    static final String MODEL = "two-tower";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CANDIDATES = List.of("a photo of green", "a photo of red", "a photo of blue");

    @TempDir
    static Path models;
    private static ModelServer server;
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        TwoTowerFixture.write(models, MODEL);
        server = new ModelServer(SandboxMode.COMPILED, 2);
        server.loadAll(models);
        assertTrue(server.models().allReady(), "the fixture must load: " + server.models().states());
        model = server.models().resolve(MODEL, ModelTask.ZERO_SHOT_CLASSIFICATION);
    }

    @AfterAll
    static void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void redImageIsAPhotoOfRed() throws Exception {
        JsonNode labels = classify(TwoTowerFixture.solidImage(12, 20, 255, 0, 0), CANDIDATES, Map.of());
        assertEquals("a photo of red", labels.get(0).get("label").asText(), labels.toString());
        assertTrue(labels.get(0).get("score").asDouble() > 0.9, labels.toString());
        assertEquals(1, labels.get(0).get("index").asInt(), "the index of the label in the request's list");
        assertEquals(1.0, sum(labels), 1e-5, "softmax probabilities sum to 1: " + labels);
    }

    @Test
    void blueImageIsAPhotoOfBlue() throws Exception {
        JsonNode labels = classify(TwoTowerFixture.solidImage(9, 9, 0, 0, 200), CANDIDATES, Map.of());
        assertEquals("a photo of blue", labels.get(0).get("label").asText(), labels.toString());
        assertTrue(labels.get(0).get("score").asDouble() > 0.9, labels.toString());
        assertEquals(3, labels.size());
        assertEquals(1.0, sum(labels), 1e-5, labels.toString());
    }

    @Test
    void labelsComeBestFirstWithTheirLogits() throws Exception {
        // Yellow-ish: as much red as green, no blue. red and green tie (cosine 1/√2), blue is 0.
        JsonNode labels = classify(TwoTowerFixture.solidImage(4, 4, 255, 255, 0),
                List.of("blue", "green", "red", "the colour"), Map.of());
        assertEquals("green", labels.get(0).get("label").asText(), "a tie keeps the request's order: " + labels);
        assertEquals("red", labels.get(1).get("label").asText(), labels.toString());
        assertEquals(100 / Math.sqrt(2), labels.get(0).get("logit").asDouble(), 1e-4, "logit = 100 · cosine");
        assertEquals(0.0, labels.get(3).get("logit").asDouble(), 1e-6, "a text with no colour word has cosine 0");
        for (int i = 1; i < labels.size(); i++) {
            assertTrue(labels.get(i - 1).get("score").asDouble() >= labels.get(i).get("score").asDouble(), labels.toString());
        }
    }

    @Test
    void topKKeepsTheBestLabelsOnly() throws Exception {
        JsonNode labels = classify(TwoTowerFixture.solidImage(8, 8, 0, 255, 0), CANDIDATES,
                Map.of(TwoTowerFixture.TOP_K, 2));
        assertEquals(2, labels.size(), labels.toString());
        assertEquals("a photo of green", labels.get(0).get("label").asText(), labels.toString());
    }

    @Test
    void noCandidatesIsAnEmptyList() throws Exception {
        JsonNode labels = classify(TwoTowerFixture.solidImage(8, 8, 255, 0, 0), List.of(), Map.of());
        assertEquals(0, labels.size(), labels.toString());
    }

    @Test
    void everyStageShowsInTheTimings() {
        StageTimings timings = new StageTimings();
        model.run(inputs(TwoTowerFixture.solidImage(8, 8, 255, 0, 0), CANDIDATES), model.parseOptions(Map.of()), timings);
        List<String> stages = new ArrayList<>(timings.asNanos().keySet());
        for (String stage : List.of("preprocess", "image_encoder", "tokenize", "text_encoder", "rank")) {
            assertTrue(stages.contains(stage), "stage '" + stage + "' missing from " + stages);
        }
        assertTrue(stages.indexOf("image_encoder") < stages.indexOf("text_encoder")
                && stages.indexOf("text_encoder") < stages.indexOf("rank"), "stages in pipeline order: " + stages);
    }

    @Test
    void theClipExampleManifestHasTheFixturesShape() throws Exception {
        // examples/manifests/clip-vit-b32 is the same chain over a real export: it must stay a
        // manifest the registry accepts, with the steps this test proves.
        ModelManifest clip = ManifestParser.parse(TestPaths.repoRoot().resolve("examples/manifests/clip-vit-b32/model.json"));
        assertEquals(ModelTask.ZERO_SHOT_CLASSIFICATION, clip.task());
        assertEquals(model.manifest().pipeline().stream().map(dev.corral.registry.PipelineStep::name).toList(),
                clip.pipeline().stream().map(dev.corral.registry.PipelineStep::name).toList());
    }

    /** The request tensors of {@code /infer/multimodal}: the image, the first text, all texts as a list. */
    static Map<String, Tensor> inputs(Tensor image, List<String> texts) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(RequestTensors.IMAGE, image);
        if (!texts.isEmpty()) {
            inputs.put(RequestTensors.TEXT, RequestTensors.text(texts.getFirst()));
        }
        inputs.put(RequestTensors.TEXTS, RequestTensors.textList(texts));
        return inputs;
    }

    private static JsonNode classify(Tensor image, List<String> texts, Map<String, Object> options) throws Exception {
        InferenceOutcome outcome = model.run(inputs(image, texts), model.parseOptions(options), new StageTimings());
        JsonNode labels = JSON.readTree(outcome.resultJson()).get("labels");
        assertTrue(labels != null && labels.isArray(), "a {\"labels\": [...]} result: " + outcome.resultJson());
        return labels;
    }

    private static double sum(JsonNode labels) {
        double total = 0;
        for (JsonNode label : labels) {
            total += label.get("score").asDouble();
        }
        return total;
    }
}
