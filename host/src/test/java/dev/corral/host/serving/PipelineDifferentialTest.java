package dev.corral.host.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.engine.DecoderSession;
import dev.corral.host.engine.DecoderState;
import dev.corral.host.engine.Device;
import dev.corral.host.engine.EngineOptions;
import dev.corral.host.engine.InferenceEngine;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.SamplerInputs;
import dev.corral.host.pipeline.ModelStep;
import dev.corral.host.pipeline.PipelineState;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.SharedServer;
import dev.corral.host.testing.TestPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ABI.md §8 over the whole corpus of built-in plugins: every bundled model is loaded by the real
 * {@link ModelLoader} (through {@link SharedServer}), and real requests walk its pipeline step
 * by step. A model step runs once (ONNX Runtime is not under test); every plugin step is called
 * twice on the same state tensors and options, once as loaded (compiled) and once in an
 * interpreted twin loaded from the same {@link PluginSpec}, and the two must write the same
 * tensors (names in order, dtypes, shapes, bytes) and the same JSON, or fail with the same kind
 * and message. The compiled outputs go on to the next step.
 *
 * <p>The corpus (test images from the shared test data):
 * <table>
 * <tr><th>model</th><th>plugins</th><th>requests</th></tr>
 * <tr><td>mobilenetv2</td><td>imagenet-preprocess, classify-postprocess</td>
 *     <td>chelsea.png; coffee.png with top_k 1000; a 1×1 png</td></tr>
 * <tr><td>yolox-nano</td><td>image-preprocess (letterbox), yolox-postprocess</td>
 *     <td>astronaut.png; coffee.png with low thresholds and max_detections 3; astronaut.png with classes</td></tr>
 * <tr><td>ultraface-rfb-320</td><td>image-preprocess (stretch), ultraface-postprocess</td>
 *     <td>astronaut.png; astronaut.png with a low score threshold, iou and max_detections; a 97×13 png</td></tr>
 * <tr><td>ppocr-v4</td><td>image-preprocess (limit), ocr-db-postprocess, ocr-crop (twice), ocr-orient,
 *     ctc-decode</td><td>page.png; page.png turned 180° (ocr-orient turns its lines); text.png (no box found:
 *     the empty-batch path) with box_thresh and drop_score</td></tr>
 * <tr><td>all-minilm-l6-v2</td><td>text-tokenize, embed-pool</td>
 *     <td>an English sentence; non-ASCII text; a text past 256 tokens, truncated, and refused with truncate false</td></tr>
 * <tr><td>grounding</td><td>image-preprocess, yolox-postprocess, text-tokenize (text list), embed-pool
 *     (tensor), similarity-rank</td><td>astronaut.png + "someone riding"; coffee.png + "a mug" with classes and top_k</td></tr>
 * <tr><td>document-query</td><td>the OCR plugins, then text-tokenize, embed-pool, similarity-rank</td>
 *     <td>page.png + "histogram" with top_k 3</td></tr>
 * <tr><td>stories260k</td><td>prompt-template</td><td>a prompt; a chat of two messages</td></tr>
 * <tr><td>stories260k</td><td>llm-sampler</td><td>the real decoder's logits for 6 tokens under greedy, temperature
 *     0.8, top_k, top_p and repetition_penalty option sets (fixed seeds)</td></tr>
 * </table>
 * {@link #everyBuiltinPluginWasCompared} checks after the class that each plugin folder's module
 * was compared at least once, so a new built-in plugin cannot stay out of the corpus.
 */
class PipelineDifferentialTest {
    private static final int SAMPLED_TOKENS = 6;
    /** About 400 MiniLM tokens, past the tokenize step's max_length of 256. */
    private static final String LONG_TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(40);
    private static final Request STORY_PROMPT = new Request("stories260k", "a prompt",
            m -> m.promptTensors("Once upon a time", null), Map.of(), "");
    /** Plugin name → the requests it was compared on, for the coverage check. */
    private static final Map<String, Set<String>> COMPARED = new TreeMap<>();

    private static ModelManager models;
    private static PluginRuntime interpreted;
    /** Each loaded plugin's interpreted twin, loaded on first use. */
    private static final Map<Plugin, Plugin> TWINS = new HashMap<>();

    @BeforeAll
    static void load() {
        models = SharedServer.get().models();
        interpreted = new PluginRuntime(SandboxMode.INTERPRETED);
    }

    @AfterAll
    static void everyBuiltinPluginWasCompared() throws IOException {
        TWINS.values().forEach(Plugin::close);
        interpreted.close();
        Set<String> builtins = new TreeSet<>();
        try (Stream<Path> folders = Files.list(TestPaths.repoRoot().resolve("plugins"))) {
            folders.filter(f -> Files.isRegularFile(f.resolve(f.getFileName() + ".wasm")))
                    .forEach(f -> builtins.add(f.getFileName().toString()));
        }
        assertTrue(builtins.size() >= 14, "built-in plugins found: " + builtins);
        assertEquals(builtins, COMPARED.keySet(), "built-in plugins compared in both modes (on " + COMPARED + ")");
    }

    /** One request: a model, its request tensors built from the loaded model, raw options, and a word its result must hold. */
    record Request(String model, String what, Function<LoadedModel, Map<String, Tensor>> tensors,
                   Map<String, Object> options, String resultHolds) {
        @Override
        public String toString() {
            return model + ": " + what + (options.isEmpty() ? "" : " " + options);
        }
    }

    static Stream<Request> requests() {
        return Stream.of(
                new Request("mobilenetv2", "chelsea.png", image("chelsea.png"), Map.of(), "Egyptian cat"),
                new Request("mobilenetv2", "coffee.png", image("coffee.png"), Map.of("top_k", 1000), "espresso"),
                new Request("mobilenetv2", "a 1x1 png", encoded("1x1", Images.encoded("png", 1, 1)), Map.of(), "predictions"),
                new Request("yolox-nano", "astronaut.png", image("astronaut.png"), Map.of(), "person"),
                new Request("yolox-nano", "coffee.png", image("coffee.png"),
                        Map.of("score_threshold", 0.05, "iou_threshold", 0.2, "max_detections", 3), "cup"),
                new Request("yolox-nano", "astronaut.png", image("astronaut.png"), Map.of("classes", "person,cup"), "person"),
                new Request("ultraface-rfb-320", "astronaut.png", image("astronaut.png"), Map.of(), "face"),
                new Request("ultraface-rfb-320", "astronaut.png", image("astronaut.png"),
                        Map.of("score_threshold", 0.2, "iou_threshold", 0.6, "max_detections", 2), "face"),
                new Request("ultraface-rfb-320", "a 97x13 png", encoded("97x13", Images.encoded("png", 97, 13)), Map.of(),
                        "detections"),
                new Request("ppocr-v4", "page.png", image("page.png"), Map.of(), "segmentation"),
                new Request("ppocr-v4", "page.png turned 180°", turned("page.png"), Map.of(), "segmentation"),
                new Request("ppocr-v4", "text.png", image("text.png"), Map.of("box_thresh", 0.5, "drop_score", 0.3), "lines"),
                new Request("all-minilm-l6-v2", "a sentence", text("A cat sits on the mat."), Map.of(), "embedding"),
                new Request("all-minilm-l6-v2", "non-ASCII text", text("Ünïcödé, 日本語 and emoji 🙂 are tokenized too"),
                        Map.of(), "embedding"),
                new Request("all-minilm-l6-v2", "a long text", text(LONG_TEXT), Map.of("truncate", true), "embedding"),
                new Request("grounding", "astronaut.png + a query", multimodal("astronaut.png", "someone riding"),
                        Map.of(), "person"),
                new Request("grounding", "coffee.png + a query", multimodal("coffee.png", "a mug"),
                        Map.of("classes", "cup,diningtable", "top_k", 2), "cup"),
                new Request("document-query", "page.png + a query", multimodal("page.png", "histogram"),
                        Map.of("top_k", 3), "istogram"));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void everyPluginStepAgreesInBothModes(Request request) {
        LoadedModel model = models.resolve(request.model(), (String) null);
        PipelineState state = walk(model, request);
        assertNotNull(state.resultJson(), "the pipeline wrote no result");
        assertTrue(state.resultJson().contains(request.resultHolds()),
                "expected '" + request.resultHolds() + "' in " + state.resultJson());
    }

    @Test
    void aRefusalIsTheSameInBothModes() {
        LoadedModel model = models.resolve("all-minilm-l6-v2", (String) null);
        Request request = new Request("all-minilm-l6-v2", "a long text, not truncated",
                text(LONG_TEXT), Map.of("truncate", false), "");
        ServingException e = assertThrows(ServingException.class, () -> walk(model, request));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind(), e.getMessage());
    }

    @Test
    void promptTemplateAgreesOnAPromptAndAChat() {
        LoadedModel model = models.resolve("stories260k", (String) null);
        Request chat = new Request("stories260k", "a chat", m -> m.promptTensors(null, List.of(
                new ChatMessage("system", "You tell short stories."), new ChatMessage("user", "A story about a cat?"))),
                Map.of(), "");
        for (Request request : List.of(STORY_PROMPT, chat)) {
            Tensor ids = walk(model, request).tensors().get("input_ids");
            assertNotNull(ids, request + " wrote no input_ids");
            assertEquals(DType.INT64, ids.dtype(), request.toString());
        }
    }

    /**
     * The sampler on the real stories260K logits: the prompt's ids from the model's own prompt
     * pipeline, then {@value #SAMPLED_TOKENS} tokens per option set, each chosen by the compiled
     * sampler (and checked against its twin) and fed back to the decoder, as the token loop does.
     */
    @Test
    void samplerAgreesOnRealLogits() throws Exception {
        LoadedModel model = models.resolve("stories260k", (String) null);
        long[] promptIds = longs(walk(model, STORY_PROMPT).tensors().get("input_ids"));
        Plugin sampler = model.generator().sampler();
        String entry = model.manifest().generation().sampler().entry();
        List<Map<String, Object>> optionSets = List.of(
                Map.of("temperature", 0, "seed", 1),
                Map.of("temperature", 0.8, "seed", 7),
                Map.of("temperature", 1.0, "top_k", 5, "seed", 11),
                Map.of("temperature", 1.2, "top_p", 0.9, "seed", 13),
                Map.of("temperature", 0.8, "top_k", 40, "top_p", 0.95, "repetition_penalty", 1.3, "seed", 17));
        try (InferenceEngine engine = new InferenceEngine(1);
             DecoderSession decoder = engine.loadDecoder(model.name(),
                     model.manifest().resolve(model.manifest().file(model.manifest().generation().model())),
                     new EngineOptions(Device.CPU, false, 1, null, 16))) {
            for (Map<String, Object> raw : optionSets) {
                Parameters options = model.parseOptions(raw);
                int[] tokens = new int[promptIds.length + SAMPLED_TOKENS];
                for (int i = 0; i < promptIds.length; i++) {
                    tokens[i] = (int) promptIds[i];
                }
                try (DecoderState state = decoder.start(promptIds)) {
                    float[] logits = state.logits();
                    for (int step = 0; step < SAMPLED_TOKENS; step++) {
                        Map<String, Tensor> inputs = SamplerInputs.of(logits, tokens, promptIds.length + step, step);
                        String what = "stories260k sampler " + raw + " step " + step;
                        long token = bothModes(what, "logits " + raw, sampler, entry, inputs, options)
                                .tensors().get("token").data().getLong(0);
                        assertTrue(token >= 0 && token < logits.length, what + " chose " + token);
                        tokens[promptIds.length + step] = (int) token;
                        logits = state.next(token);
                    }
                }
            }
        }
    }

    /** Runs the model's pipeline on {@code request}: model steps once, each plugin step in both modes. */
    private static PipelineState walk(LoadedModel model, Request request) {
        Parameters options = model.parseOptions(request.options());
        PipelineState state = new PipelineState(request.tensors().apply(model));
        for (PipelineStep step : model.pipeline().steps()) {
            switch (step) {
                case ModelStep m -> m.run(state, options, new StageTimings());
                case PluginStep p -> {
                    PluginOutput out = bothModes(model.name() + " step '" + p.name() + "' on " + request,
                            request.toString(), p.plugin(), p.entry(), state.tensors(), options);
                    state.put(p.name(), out.tensors());
                    if (out.json() != null) {
                        state.result(out.json());
                    }
                }
            }
        }
        return state;
    }

    /**
     * Calls the plugin as loaded and its interpreted twin with the same inputs (in the same
     * order) and options; asserts that both wrote the same, or failed alike, and returns (or
     * throws) the compiled outcome.
     */
    private static PluginOutput bothModes(String what, String input, Plugin plugin, String entry,
                                          Map<String, Tensor> inputs, Parameters options) {
        Map<String, Tensor> snapshot = new LinkedHashMap<>(inputs);
        COMPARED.computeIfAbsent(plugin.name(), k -> new TreeSet<>()).add(input);
        PluginOutput compiled;
        try {
            compiled = plugin.call(entry, snapshot, options);
        } catch (ServingException e) {
            ServingException twin = assertThrows(ServingException.class, () -> twin(plugin).call(entry, snapshot, options),
                    what + ": compiled failed (" + e.getMessage() + "), interpreted did not");
            assertEquals(e.kind() + ": " + e.getMessage(), twin.kind() + ": " + twin.getMessage(), what);
            throw e;
        }
        PluginOutput other;
        try {
            other = twin(plugin).call(entry, snapshot, options);
        } catch (ServingException e) {
            throw new AssertionError(what + ": interpreted failed (" + e.kind() + ": " + e.getMessage()
                    + "), compiled did not", e);
        }
        assertEquals(compiled.json(), other.json(), what + ": JSON");
        assertEquals(List.copyOf(compiled.tensors().keySet()), List.copyOf(other.tensors().keySet()), what + ": tensor names");
        compiled.tensors().forEach((name, a) -> {
            Tensor b = other.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), what + ": dtype of " + name);
            assertArrayEquals(a.shape(), b.shape(), what + ": shape of " + name);
            assertArrayEquals(a.bytes(), b.bytes(), what + ": bytes of " + name);
        });
        return compiled;
    }

    /**
     * The plugin loaded again from its own spec into the interpreter, with the host's longest
     * deadline: the interpreter runs these plugins about 100× slower than the compiler.
     */
    private static Plugin twin(Plugin plugin) {
        return TWINS.computeIfAbsent(plugin, p -> {
            PluginSpec spec = p.spec();
            try {
                return interpreted.load(new PluginSpec(spec.name(), spec.wasm(), spec.expectedSha256(), spec.entryPoints(),
                        spec.limits().withDeadline(PluginLimits.MAX_DEADLINE), spec.config(), spec.tokenizer()));
            } catch (Exception e) {
                throw new IllegalStateException("the interpreted twin of " + p.name() + " did not load: " + e.getMessage(), e);
            }
        });
    }

    private static Function<LoadedModel, Map<String, Tensor>> image(String file) {
        return encoded(file, Images.read(file));
    }

    private static Function<LoadedModel, Map<String, Tensor>> encoded(String label, byte[] bytes) {
        return model -> Map.of(RequestTensors.IMAGE, model.decodeImage(bytes, label, new StageTimings()));
    }

    /** The image upside down: its RGB pixels in reverse order, which is a turn by 180°. */
    private static Function<LoadedModel, Map<String, Tensor>> turned(String file) {
        return model -> {
            Tensor image = model.decodeImage(Images.read(file), file, new StageTimings());
            byte[] pixels = image.bytes();
            byte[] turned = new byte[pixels.length];
            for (int from = 0, to = pixels.length - 3; from < pixels.length; from += 3, to -= 3) {
                System.arraycopy(pixels, from, turned, to, 3);
            }
            return Map.of(RequestTensors.IMAGE, Tensor.of(image.dtype(), image.shape(), turned));
        };
    }

    private static Function<LoadedModel, Map<String, Tensor>> text(String text) {
        return model -> Map.of(RequestTensors.TEXT, model.textTensor(text, "the text"));
    }

    private static Function<LoadedModel, Map<String, Tensor>> multimodal(String file, String query) {
        return model -> model.multimodalTensors(model.decodeImage(Images.read(file), file, new StageTimings()),
                List.of(query));
    }

    private static long[] longs(Tensor ids) {
        assertEquals(DType.INT64, ids.dtype(), "input_ids");
        ByteBuffer data = ids.data().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[(int) ids.elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getLong(i * Long.BYTES);
        }
        return out;
    }
}
