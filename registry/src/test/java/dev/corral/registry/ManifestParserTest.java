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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
    private static final JsonMapper JSON = new JsonMapper();
    /** Where the edited copies of the real manifest pretend to lie: the folder carries the model's name. */
    private static final Path FILE = Path.of("models/mobilenetv2/model.json");

    private static ObjectNode realManifest() throws IOException {
        return (ObjectNode) JSON.readTree(ProjectPaths.models().resolve("mobilenetv2/model.json").toFile());
    }

    private static ObjectNode step(ObjectNode manifest, int index) {
        return (ObjectNode) manifest.get("pipeline").get(index);
    }

    private static ManifestException problems(JsonNode manifest) {
        return assertThrows(ManifestException.class, () -> ManifestParser.parse(FILE, manifest.toString()));
    }

    /** Asserts that the problems include exactly this line (file name excluded). */
    private static void assertProblem(ManifestException e, String expected) {
        assertTrue(e.problems().contains(expected), "expected problem:\n  " + expected + "\ngot:\n" + e.getMessage());
    }

    /** Asserts a problem at this JSON path whose message contains the fragment. */
    private static void assertProblemAt(ManifestException e, String path, String fragment) {
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(path + ": ") && p.contains(fragment)),
                "expected a problem at " + path + " containing '" + fragment + "', got:\n" + e.getMessage());
    }

    @Test
    void realMobilenetManifestParses() throws Exception {
        ModelManifest m = ManifestParser.parse(ProjectPaths.models().resolve("mobilenetv2/model.json"));

        assertEquals("mobilenetv2", m.name());
        assertEquals("12-int8", m.version());
        assertEquals(ModelTask.IMAGE_CLASSIFICATION, m.task());
        assertEquals(List.of("model", "labels"), List.copyOf(m.files().keySet()));
        assertEquals("mobilenetv2-12-int8.onnx", m.file("model").path());
        assertEquals(new InputSpec(InputSpec.Kind.IMAGE, 40_000_000L, 65_536, 64), m.input());

        PluginStep pre = assertInstanceOf(PluginStep.class, m.pipeline().get(0));
        assertEquals(new PluginRef.Builtin("imagenet-preprocess"), pre.plugin());
        assertEquals("preprocess", pre.entry());
        assertEquals(256L, pre.config().get("resize"));
        assertEquals(List.of(0.485, 0.456, 0.406), pre.config().get("mean"));
        assertEquals("input", pre.config().get("output_name"));
        assertEquals(new ModelStep("infer", "model"), m.pipeline().get(1));
        PluginStep post = assertInstanceOf(PluginStep.class, m.pipeline().get(2));
        assertEquals(new FileValue("labels"), post.config().get("labels"));
        assertEquals(5L, post.config().get("top_k"));

        OptionSpec topK = m.options().get("top_k");
        assertEquals(new OptionSpec("top_k", OptionSpec.Type.INTEGER, 1L, 1000L, 5L, List.of(),
                "how many classes to return"), topK);
        assertEquals(new EngineSpec(EngineSpec.Device.AUTO, true, 1, new EngineSpec.Batching(8, 2, null), 64), m.engine());
        assertEquals(new Limits(1000, 1024, 16_777_216, 4), m.limits());
        assertEquals(m.limits(), post.limits().orElse(m.limits()));
        assertEquals(Set.of(), post.capabilities());
        assertNull(m.tokenizer());
        assertNull(m.generation());
    }

    @Test
    void realManifestPinsTheCatalogsFiles() throws Exception {
        ModelManifest m = ManifestParser.parse(ProjectPaths.models().resolve("mobilenetv2/model.json"));
        Catalog catalog = Catalog.load(ProjectPaths.models().resolve("catalog.json"));
        Map<String, String> catalogSha = catalog.model("mobilenetv2").files().stream()
                .collect(java.util.stream.Collectors.toMap(Catalog.File::path, Catalog.File::sha256));
        for (ModelFile file : m.files().values()) {
            assertEquals(catalogSha.get(file.path()), file.sha256(), "sha256 of " + file.path());
        }
    }

    @Test
    void aMinimalManifestGetsTheDefaults() throws Exception {
        String json = """
                {"name": "tiny", "version": "1", "task": "text-embedding",
                 "files": {"onnx": {"path": "sub/m.onnx", "sha256": "%s"}},
                 "input": {"kind": "text"},
                 "pipeline": [{"plugin": "embed-pool"}, {"model": "onnx"}]}
                """.formatted("a".repeat(64));
        ModelManifest m = ManifestParser.parse(Path.of("somewhere/tiny/model.json"), json);

        assertEquals("", m.description());
        assertEquals(new InputSpec(InputSpec.Kind.TEXT, InputSpec.DEFAULT_MAX_PIXELS, 65_536, 64), m.input());
        assertEquals(new PluginStep("embed-pool", new PluginRef.Builtin("embed-pool"), "process", Map.of(), Limits.NONE,
                        Set.of()),
                m.pipeline().get(0));
        assertEquals(new ModelStep("onnx", "onnx"), m.pipeline().get(1));
        assertEquals(Map.of(), m.options());
        assertEquals(EngineSpec.DEFAULT, m.engine());
        assertNull(m.engine().batching());
        assertEquals(Limits.NONE, m.limits());
        assertEquals(Path.of("somewhere/tiny/sub/m.onnx"), m.resolve(m.file("onnx")));
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        ObjectNode m = realManifest();
        m.remove("version");
        assertProblem(problems(m), "version: missing (expected a non-empty string)");
    }

    @Test
    void unknownFieldIsATypo() throws Exception {
        ObjectNode m = realManifest();
        step(m, 0).set("confg", step(m, 0).remove("config"));
        assertProblem(problems(m),
                "pipeline[0]: unknown field 'confg' (expected one of: name, plugin, model, entry, config, limits,"
                        + " capabilities)");
    }

    @Test
    void unknownTopLevelFieldIsATypo() throws Exception {
        ObjectNode m = realManifest();
        m.put("engin", "cpu");
        assertProblem(problems(m), "unknown field 'engin' (expected one of: name, version, task, description, files,"
                + " input, tokenizer, pipeline, generation, options, engine, limits)");
    }

    @Test
    void wrongTypeAndRangeSayWhatWasFound() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) m.get("engine").get("batching")).put("max_batch_size", -3);
        m.put("version", 12);
        ((ObjectNode) m.get("engine")).put("allow_cpu_fallback", "yes");
        ((ObjectNode) m.get("limits")).put("deadline_ms", 0);
        ManifestException e = problems(m);
        assertProblem(e, "engine.batching.max_batch_size: expected an integer ≥ 1, found -3");
        assertProblem(e, "version: expected a non-empty string, found 12");
        assertProblem(e, "engine.allow_cpu_fallback: expected true or false, found \"yes\"");
        assertProblem(e, "limits.deadline_ms: expected an integer between 1 and 60000, found 0");
    }

    @Test
    void unknownTaskDeviceAndKindListTheChoices() throws Exception {
        ObjectNode m = realManifest();
        m.put("task", "classification");
        ((ObjectNode) m.get("engine")).put("device", "gpu");
        ((ObjectNode) m.get("input")).put("kind", "video");
        ManifestException e = problems(m);
        assertProblemAt(e, "task", "expected one of \"document-query\", \"grounding\", \"image-classification\"");
        assertProblemAt(e, "task", "found \"classification\"");
        assertProblem(e, "engine.device: expected one of \"auto\", \"cpu\", \"cuda\", found \"gpu\"");
        assertProblem(e, "input.kind: expected one of \"image\", \"multimodal\", \"text\", found \"video\"");
    }

    @Test
    void badNameIsRefused() throws Exception {
        ObjectNode m = realManifest();
        m.put("name", "MobileNet V2");
        assertProblemAt(problems(m), "name", "found \"MobileNet V2\"");
    }

    @Test
    void nameMustEqualTheFolderName() throws Exception {
        ObjectNode m = realManifest();
        m.put("name", "resnet");
        assertProblem(problems(m),
                "name: 'resnet' differs from the name of the manifest's folder 'mobilenetv2' (they must match)");
    }

    @Test
    void filePathsCannotLeaveTheModelFolder() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) m.get("files").get("model")).put("path", "../../etc/passwd");
        ((ObjectNode) m.get("files").get("labels")).put("path", "/etc/hosts");
        ManifestException e = problems(m);
        assertProblem(e, "files.model.path: expected a relative path inside the folder (no '..', not absolute),"
                + " found \"../../etc/passwd\"");
        assertProblemAt(e, "files.labels.path", "found \"/etc/hosts\"");
    }

    @Test
    void sha256MustBeLowerCaseHex() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) m.get("files").get("model")).put("sha256", "83530AD8");
        assertProblem(problems(m), "files.model.sha256: expected a sha256 (64 lower-case hex digits), found \"83530AD8\"");
    }

    @Test
    void unpinnedThirdPartyPluginIsRefused() throws Exception {
        ObjectNode m = realManifest();
        step(m, 0).set("plugin", JSON.createObjectNode().put("path", "my-pre.wasm"));
        assertProblemAt(problems(m), "pipeline[0].plugin",
                "third-party plugin 'my-pre.wasm' is not pinned: add \"sha256\"");
    }

    @Test
    void pinnedThirdPartyPluginIsNamedAfterItsFile() throws Exception {
        ObjectNode m = realManifest();
        step(m, 0).remove("name");
        step(m, 0).set("plugin", JSON.createObjectNode().put("path", "plugins/my-pre.wasm").put("sha256", "b".repeat(64)));
        ModelManifest parsed = ManifestParser.parse(FILE, m.toString());
        PluginStep step = assertInstanceOf(PluginStep.class, parsed.pipeline().get(0));
        assertEquals(new PluginRef.ThirdParty("plugins/my-pre.wasm", "b".repeat(64)), step.plugin());
        assertEquals("my-pre", step.name());
    }

    @Test
    void fileValueMustNameAnExistingRole() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) step(m, 2).get("config")).set("labels", JSON.createObjectNode().put("file", "labls"));
        assertProblem(problems(m), "pipeline[2].config.labels: file role 'labls' is not in \"files\" (roles: model, labels)");
    }

    @Test
    void modelStepMustNameAnExistingRole() throws Exception {
        ObjectNode m = realManifest();
        step(m, 1).put("model", "modle");
        ManifestException e = problems(m);
        assertProblem(e, "pipeline[1].model: file role 'modle' is not in \"files\" (roles: model, labels)");
        assertTrue(e.problems().stream().noneMatch(p -> p.contains("no step runs a model")), e.getMessage());
    }

    @Test
    void stepNamesAreUnique() throws Exception {
        ObjectNode m = realManifest();
        step(m, 2).put("name", "infer");
        assertProblemAt(problems(m), "pipeline[2].name", "duplicate step name 'infer' (also the name of pipeline[1]");
    }

    @Test
    void aPipelineRunsAModel() throws Exception {
        ObjectNode m = realManifest();
        ((ArrayNode) m.get("pipeline")).remove(1);
        assertProblemAt(problems(m), "pipeline", "no step runs a model");
    }

    @Test
    void anEmptyPipelineIsRefused() throws Exception {
        ObjectNode m = realManifest();
        m.set("pipeline", JSON.createArrayNode());
        assertProblem(problems(m), "pipeline: expected at least one step, found an empty list");
    }

    @Test
    void aStepRunsExactlyOneOfPluginOrModel() throws Exception {
        ObjectNode m = realManifest();
        step(m, 0).put("model", "model");
        step(m, 2).remove("plugin");
        ManifestException e = problems(m);
        assertProblem(e, "pipeline[0]: a step runs either a \"plugin\" or a \"model\", not both");
        assertProblem(e, "pipeline[2]: missing \"plugin\" or \"model\" (a step runs one of them)");
    }

    @Test
    void pluginFieldsOnAModelStepAreRefused() throws Exception {
        ObjectNode m = realManifest();
        step(m, 1).put("entry", "run");
        assertProblem(problems(m), "pipeline[1].entry: applies only to plugin steps (this step runs a model)");
    }

    @Test
    void nullInConfigIsRefused() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) step(m, 0).get("config")).putNull("resize");
        assertProblemAt(problems(m), "pipeline[0].config.resize", "null is not allowed");
    }

    @Test
    void optionDefaultMustBeInRangeAndOfTheType() throws Exception {
        ObjectNode m = realManifest();
        ((ObjectNode) m.get("options").get("top_k")).put("default", 5000);
        assertProblem(problems(m), "options.top_k.default: expected an integer between 1 and 1000, found 5000");

        ((ObjectNode) m.get("options").get("top_k")).put("default", "5");
        assertProblem(problems(m), "options.top_k.default: expected an integer, found \"5\"");
    }

    @Test
    void optionDeclarationsAreChecked() throws Exception {
        ObjectNode m = realManifest();
        ObjectNode options = (ObjectNode) m.get("options");
        options.set("style", JSON.readTree("{\"type\": \"string\", \"min\": 1, \"enum\": [\"a\", 2]}"));
        options.set("t", JSON.readTree("{\"type\": \"number\", \"min\": 2, \"max\": 1}"));
        options.set("u", JSON.readTree("{\"type\": \"float\"}"));
        ManifestException e = problems(m);
        assertProblem(e, "options.style.min: applies only to integer and number options (this option's type is string)");
        assertProblem(e, "options.style.enum[1]: expected a string, found 2");
        assertProblem(e, "options.t.max: max (1.0) is less than min (2.0)");
        assertProblemAt(e, "options.u.type", "found \"float\"");
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() throws Exception {
        ObjectNode m = realManifest();
        m.remove("task");
        ((ObjectNode) m.get("files").get("model")).put("path", "../x.onnx");
        step(m, 0).put("entry", "");
        ManifestException e = problems(m);
        assertEquals(3, e.problems().size(), e.getMessage());
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.stream().allMatch(line -> line.startsWith(FILE + ": ")), e.getMessage());
        assertEquals(FILE, e.file());
    }

    @Test
    void eachProblemIsReportedOnce() throws Exception {
        ObjectNode m = realManifest();
        m.set("files", JSON.createArrayNode());
        ManifestException e = problems(m);
        assertEquals(1, e.problems().stream().filter(p -> p.startsWith("files: ")).count(), e.getMessage());
        assertProblem(e, "files: expected an object, found an array");
    }

    @Test
    void brokenJsonNamesTheLine() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(FILE, "{\n  \"name\": \"mobilenetv2\",\n  \"version\" \"1\"\n}"));
        assertTrue(e.getMessage().startsWith(FILE + ": not valid JSON at line 3"), e.getMessage());
    }

    @Test
    void repeatedKeyIsRefused() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(FILE, "{\"name\": \"a\", \"name\": \"b\"}"));
        assertTrue(e.getMessage().contains("Duplicate field 'name'"), e.getMessage());
    }

    @Test
    void unreadableFileIsAManifestProblem(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path missing = dir.resolve("ghost/model.json");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestParser.parse(missing));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read the file"), e.getMessage());
        assertTrue(Files.notExists(missing));
    }
}
