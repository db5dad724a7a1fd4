package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The manifest fields of text models: tokenizer, capabilities, generation, padding, text input limits. */
class TextManifestTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final String SHA = "c".repeat(64);

    /** A text-generation manifest shaped like stories260k's. */
    private static ObjectNode generator() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"name": "stories260k", "version": "1", "task": "text-generation",
                 "files": {"model": {"path": "stories260K.onnx", "sha256": "%1$s"},
                           "tokenizer": {"path": "tokenizer.json", "sha256": "%1$s"}},
                 "input": {"kind": "text", "max_text_bytes": 4096, "max_items": 1},
                 "tokenizer": {"file": "tokenizer"},
                 "pipeline": [{"name": "prompt", "plugin": "prompt-template", "entry": "prompt",
                               "capabilities": ["tokenizer"], "config": {"template": "{prompt}"}}],
                 "generation": {"model": "model",
                                "sampler": {"plugin": "llm-sampler", "entry": "sample", "config": {}},
                                "max_tokens": 256, "default_max_tokens": 64, "context_length": 512,
                                "eos_token_ids": [2], "max_concurrent": 4}}
                """.formatted(SHA));
    }

    /** A text-embedding manifest shaped like all-minilm-l6-v2's, with padded batching. */
    private static ObjectNode embedder() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"name": "all-minilm-l6-v2", "version": "1", "task": "text-embedding",
                 "files": {"model": {"path": "all-minilm-l6-v2.onnx", "sha256": "%1$s"},
                           "tokenizer": {"path": "tokenizer.json", "sha256": "%1$s"}},
                 "input": {"kind": "text"},
                 "tokenizer": {"file": "tokenizer"},
                 "pipeline": [{"name": "tokenize", "plugin": "text-tokenize", "entry": "tokenize",
                               "capabilities": ["tokenizer"], "config": {"max_length": 256}},
                              {"model": "model"},
                              {"name": "pool", "plugin": "embed-pool", "entry": "pool"}],
                 "engine": {"batching": {"max_batch_size": 16, "max_queue_delay_ms": 2,
                            "padding": {"inputs": {"input_ids": 0, "attention_mask": 0, "token_type_ids": 0},
                                        "outputs": ["last_hidden_state"]}}}}
                """.formatted(SHA));
    }

    private static ModelManifest parse(ObjectNode manifest) throws ManifestException {
        return ManifestParser.parse(Path.of("models", manifest.get("name").textValue(), "model.json"),
                manifest.toString());
    }

    private static ManifestException problems(ObjectNode manifest) {
        return assertThrows(ManifestException.class, () -> parse(manifest));
    }

    private static void assertProblem(ManifestException e, String expected) {
        assertTrue(e.problems().contains(expected), "expected problem:\n  " + expected + "\ngot:\n" + e.getMessage());
    }

    private static ObjectNode field(ObjectNode node, String path) {
        JsonNode at = node;
        for (String name : path.split("\\.")) {
            at = name.matches("\\d+") ? at.get(Integer.parseInt(name)) : at.get(name);
        }
        return (ObjectNode) at;
    }

    @Test
    void aGenerationManifestParses() throws Exception {
        ModelManifest m = parse(generator());

        assertEquals(new TokenizerSpec("tokenizer"), m.tokenizer());
        assertEquals(new InputSpec(InputSpec.Kind.TEXT, InputSpec.DEFAULT_MAX_PIXELS, 4096, 1), m.input());
        PluginStep prompt = new PluginStep("prompt", new PluginRef.Builtin("prompt-template"), "prompt",
                Map.of("template", "{prompt}"), Limits.NONE, Set.of(Capability.TOKENIZER));
        assertEquals(List.of(prompt), m.pipeline());
        PluginStep sampler = new PluginStep("sampler", new PluginRef.Builtin("llm-sampler"), "sample", Map.of(),
                Limits.NONE, Set.of());
        assertEquals(new GenerationSpec("model", sampler, 256, 64, 512, List.of(2), 4), m.generation());
        assertEquals(List.of(prompt, sampler), m.pluginSteps());
    }

    @Test
    void generationDefaults() throws Exception {
        ObjectNode m = generator();
        ObjectNode generation = field(m, "generation");
        generation.remove(List.of("default_max_tokens", "max_concurrent"));
        generation.set("sampler", JSON.createObjectNode().put("plugin", "llm-sampler"));
        field(m, "input").remove(List.of("max_text_bytes", "max_items"));

        ModelManifest parsed = parse(m);

        GenerationSpec g = parsed.generation();
        assertEquals(256, g.defaultMaxTokens(), "the default is max_tokens");
        assertEquals(GenerationSpec.DEFAULT_MAX_CONCURRENT, g.maxConcurrent());
        assertEquals("sampler", g.sampler().name());
        assertEquals("sample", g.sampler().entry());
        assertEquals(new InputSpec(InputSpec.Kind.TEXT, InputSpec.DEFAULT_MAX_PIXELS, 65_536, 64), parsed.input());
    }

    @Test
    void anEmbeddingManifestWithPaddedBatchingParses() throws Exception {
        ModelManifest m = parse(embedder());

        Map<String, Long> pads = new LinkedHashMap<>();
        pads.put("input_ids", 0L);
        pads.put("attention_mask", 0L);
        pads.put("token_type_ids", 0L);
        EngineSpec.Batching batching = m.engine().batching();
        assertEquals(new EngineSpec.Batching(16, 2,
                new EngineSpec.Batching.Padding(pads, List.of("last_hidden_state"))), batching);
        assertEquals(List.copyOf(pads.keySet()), List.copyOf(batching.padding().inputs().keySet()),
                "inputs keep the document's order");
        assertEquals(Set.of(Capability.TOKENIZER), assertInstanceOf(PluginStep.class, m.pipeline().get(0)).capabilities());
        assertEquals(Set.of(), assertInstanceOf(PluginStep.class, m.pipeline().get(2)).capabilities());
        assertNull(m.generation());
        assertEquals(new InputSpec(InputSpec.Kind.TEXT, InputSpec.DEFAULT_MAX_PIXELS, 65_536, 64), m.input());
    }

    @Test
    void paddingOutputsMayBeLeftOut() throws Exception {
        ObjectNode m = embedder();
        field(m, "engine.batching.padding").remove("outputs");
        assertEquals(List.of(), parse(m).engine().batching().padding().outputs());
    }

    @Test
    void paddingIsChecked() throws Exception {
        ObjectNode m = embedder();
        ObjectNode padding = field(m, "engine.batching.padding");
        padding.set("inputs", JSON.createObjectNode());
        padding.set("outputs", JSON.readTree("[\"last_hidden_state\", \"last_hidden_state\", 3]"));
        padding.put("axis", 1);
        ManifestException e = problems(m);
        assertProblem(e, "engine.batching.padding.inputs: expected at least one input name → the value its padding"
                + " holds, found none");
        assertProblem(e, "engine.batching.padding.outputs[1]: 'last_hidden_state' is listed twice");
        assertProblem(e, "engine.batching.padding.outputs[2]: expected a non-empty string, found 3");
        assertProblem(e, "engine.batching.padding: unknown field 'axis' (expected one of: inputs, outputs)");

        ObjectNode wrongValue = embedder();
        field(wrongValue, "engine.batching.padding.inputs").put("attention_mask", 0.5);
        assertProblem(problems(wrongValue), "engine.batching.padding.inputs.attention_mask: expected an integer (the"
                + " value the input's padding positions hold), found 0.5");
    }

    @Test
    void generationIsRequiredForTextGenerationAndRefusedOtherwise() throws Exception {
        ObjectNode generator = generator();
        generator.remove("generation");
        assertProblem(problems(generator), "generation: missing (expected an object)");

        ObjectNode embedder = embedder();
        embedder.set("generation", generator().get("generation"));
        assertProblem(problems(embedder),
                "generation: applies only to task text-generation (this model's task is text-embedding)");
    }

    @Test
    void aTextGenerationPipelineHoldsOnlyPluginSteps() throws Exception {
        ObjectNode m = generator();
        ((ArrayNode) m.get("pipeline")).add(JSON.createObjectNode().put("model", "model"));
        ManifestException e = problems(m);
        assertProblem(e, "pipeline[1].model: a text-generation pipeline holds only plugin steps (the model runs in"
                + " the host's token loop: name its role in generation.model)");
        assertEquals(1, e.problems().size(), e.getMessage());
    }

    @Test
    void everyOtherTaskStillRunsAModel() throws Exception {
        ObjectNode m = embedder();
        ((ArrayNode) m.get("pipeline")).remove(1);
        assertProblem(problems(m),
                "pipeline: no step runs a model (add a step {\"model\": \"ROLE\"} naming the model's file role)");
    }

    @Test
    void tokenBudgetsAreChecked() throws Exception {
        ObjectNode m = generator();
        field(m, "generation").put("max_tokens", 512).put("default_max_tokens", 600);
        ManifestException e = problems(m);
        assertProblem(e, "generation.max_tokens: expected an integer between 1 and context_length - 1 (511; the"
                + " prompt takes at least one position of the context), found 512");
        assertProblem(e, "generation.default_max_tokens: expected an integer between 1 and max_tokens (512),"
                + " found 600");

        ObjectNode zero = generator();
        field(zero, "generation").put("default_max_tokens", 0).put("context_length", 1);
        ManifestException z = problems(zero);
        assertProblem(z, "generation.default_max_tokens: expected an integer ≥ 1, found 0");
        assertProblem(z, "generation.context_length: expected an integer ≥ 2, found 1");
    }

    @Test
    void generationFieldsAreChecked() throws Exception {
        ObjectNode m = generator();
        ObjectNode generation = field(m, "generation");
        generation.put("model", "weights");
        generation.set("eos_token_ids", JSON.readTree("[2, -1, 2]"));
        generation.put("max_concurrent", 2000);
        generation.put("temperature", 0.7);
        ManifestException e = problems(m);
        assertProblem(e, "generation.model: file role 'weights' is not in \"files\" (roles: model, tokenizer)");
        assertProblem(e, "generation.eos_token_ids[1]: expected an integer ≥ 0, found -1");
        assertProblem(e, "generation.eos_token_ids[2]: token id 2 is listed twice");
        assertProblem(e, "generation.max_concurrent: expected an integer between 1 and 1024, found 2000");
        assertProblem(e, "generation: unknown field 'temperature' (expected one of: model, sampler, max_tokens,"
                + " default_max_tokens, context_length, eos_token_ids, max_concurrent)");

        ObjectNode empty = generator();
        field(empty, "generation").set("eos_token_ids", JSON.createArrayNode());
        field(empty, "generation").remove("max_tokens");
        ManifestException e2 = problems(empty);
        assertProblem(e2, "generation.eos_token_ids: expected at least one token id, found an empty list");
        assertProblem(e2, "generation.max_tokens: missing (expected an integer ≥ 1)");
    }

    @Test
    void theSamplerIsAPluginStep() throws Exception {
        ObjectNode m = generator();
        field(m, "generation.sampler").remove("plugin");
        field(m, "generation.sampler").put("model", "model");
        ManifestException e = problems(m);
        assertProblem(e, "generation.sampler: unknown field 'model' (expected one of: name, plugin, entry, config,"
                + " limits, capabilities)");
        assertProblem(e, "generation.sampler.plugin: missing (expected a built-in plugin's name or a third-party"
                + " plugin {\"path\": \"….wasm\", \"sha256\": \"…\"})");
    }

    @Test
    void theSamplersNameIsUniqueAmongSteps() throws Exception {
        ObjectNode m = generator();
        field(m, "pipeline.0").put("name", "sampler");
        assertProblem(problems(m), "generation.sampler.name: duplicate step name 'sampler' (also the name of"
                + " pipeline[0]; give each step its own \"name\")");
    }

    @Test
    void theSamplerMayBeGrantedCapabilitiesToo() throws Exception {
        ObjectNode m = generator();
        field(m, "generation.sampler").set("capabilities", JSON.readTree("[\"tokenizer\"]"));
        assertEquals(Set.of(Capability.TOKENIZER), parse(m).generation().sampler().capabilities());
    }

    @Test
    void aThirdPartySamplerIsPinnedLikeEveryPlugin() throws Exception {
        ObjectNode m = generator();
        field(m, "generation.sampler").set("plugin", JSON.createObjectNode().put("path", "my-sampler.wasm"));
        assertProblem(problems(m), "generation.sampler.plugin: third-party plugin 'my-sampler.wasm' is not pinned:"
                + " add \"sha256\" with the sha256 of its .wasm file (an unpinned plugin is refused)");
    }

    @Test
    void grantingTheTokenizerNeedsATopLevelTokenizer() throws Exception {
        ObjectNode m = embedder();
        m.remove("tokenizer");
        assertProblem(problems(m), "pipeline[0].capabilities[0]: step 'tokenize' is granted the tokenizer capability,"
                + " but the manifest declares no tokenizer (add a top-level \"tokenizer\": {\"file\": \"ROLE\"} naming"
                + " the role of the tokenizer.json file)");

        ObjectNode sampler = embedder();
        sampler.remove("tokenizer");
        sampler.put("task", "text-generation");
        ((ArrayNode) sampler.get("pipeline")).remove(2);
        ((ArrayNode) sampler.get("pipeline")).remove(1);
        sampler.set("generation", generator().get("generation"));
        field(sampler, "generation.sampler").set("capabilities", JSON.readTree("[\"tokenizer\"]"));
        field(sampler, "generation.sampler").put("name", "pick");
        assertProblem(problems(sampler), "generation.sampler.capabilities[0]: step 'pick' is granted the tokenizer"
                + " capability, but the manifest declares no tokenizer (add a top-level \"tokenizer\": {\"file\":"
                + " \"ROLE\"} naming the role of the tokenizer.json file)");
    }

    @Test
    void capabilitiesAreChecked() throws Exception {
        ObjectNode m = embedder();
        field(m, "pipeline.0").set("capabilities", JSON.readTree("[\"tokenizer\", \"network\", \"tokenizer\"]"));
        field(m, "pipeline.1").set("capabilities", JSON.readTree("[\"tokenizer\"]"));
        field(m, "pipeline.2").put("capabilities", "tokenizer");
        ManifestException e = problems(m);
        assertProblem(e, "pipeline[0].capabilities[1]: expected one of \"tokenizer\", found \"network\"");
        assertProblem(e, "pipeline[0].capabilities[2]: 'tokenizer' is listed twice");
        assertProblem(e, "pipeline[1].capabilities: applies only to plugin steps (this step runs a model)");
        assertProblem(e, "pipeline[2].capabilities: expected an array, found \"tokenizer\"");
        assertEquals(4, e.problems().size(), e.getMessage());
    }

    @Test
    void theTokenizerNamesAnExistingRole() throws Exception {
        ObjectNode m = embedder();
        m.set("tokenizer", JSON.createObjectNode().put("file", "vocab").put("kind", "hf"));
        ManifestException e = problems(m);
        assertProblem(e, "tokenizer.file: file role 'vocab' is not in \"files\" (roles: model, tokenizer)");
        assertProblem(e, "tokenizer: unknown field 'kind' (expected one of: file)");
    }

    @Test
    void aTextGenerationModelNeedsItsTokenizer() throws Exception {
        ObjectNode m = generator();
        m.remove("tokenizer");
        field(m, "pipeline.0").remove("capabilities");
        ManifestException e = problems(m);
        assertProblem(e, "tokenizer: missing (expected {\"file\": \"ROLE\"} naming the tokenizer.json file's role: a"
                + " text-generation model needs its tokenizer to turn generated ids into text)");
        assertEquals(1, e.problems().size(), e.getMessage());
    }

    @Test
    void textLimitsAreChecked() throws Exception {
        ObjectNode m = generator();
        field(m, "input").put("max_text_bytes", 16 * 1024 * 1024 + 1).put("max_items", 0).put("max_pixels", 100);
        ManifestException e = problems(m);
        assertProblem(e, "input.max_text_bytes: expected an integer between 1 and 16777216, found 16777217");
        assertProblem(e, "input.max_items: expected an integer between 1 and 4096, found 0");
        assertProblem(e, "input.max_pixels: applies only to image and multimodal inputs (this input's kind is text)");
    }

    @Test
    void textLimitsDoNotApplyToImages() throws Exception {
        ObjectNode m = (ObjectNode) JSON.readTree(ProjectPaths.models().resolve("mobilenetv2/model.json").toFile());
        field(m, "input").put("max_text_bytes", 100).put("max_items", 2);
        ManifestException e = problems(m);
        assertProblem(e, "input.max_text_bytes: applies only to text and multimodal inputs (this input's kind is"
                + " image)");
        assertProblem(e, "input.max_items: applies only to text and multimodal inputs (this input's kind is image)");
    }

    @Test
    void multimodalInputsTakeBoth() throws Exception {
        ObjectNode m = embedder();
        m.put("task", "multimodal");
        field(m, "input").put("kind", "multimodal").put("max_pixels", 1000).put("max_text_bytes", 10)
                .put("max_items", 3);
        assertEquals(new InputSpec(InputSpec.Kind.MULTIMODAL, 1000, 10, 3), parse(m).input());
    }
}
