package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileVerifierTest {
    private static final byte[] WEIGHTS = "pretend onnx bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LABELS = "cat\ndog\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PLUGIN = "pretend wasm bytes".getBytes(StandardCharsets.UTF_8);

    private static ModelManifest writeModel(Path models) throws Exception {
        Path dir = Files.createDirectories(models.resolve("toy"));
        String json = """
                {"name": "toy", "version": "1", "task": "image-classification",
                 "files": {"model": {"path": "weights/toy.onnx", "sha256": "%s"},
                           "labels": {"path": "labels.txt", "sha256": "%s"}},
                 "input": {"kind": "image"},
                 "pipeline": [{"name": "pre", "plugin": {"path": "pre.wasm", "sha256": "%s"}},
                              {"model": "model"}]}
                """.formatted(Sha256.of(WEIGHTS), Sha256.of(LABELS), Sha256.of(PLUGIN));
        Files.writeString(dir.resolve("model.json"), json);
        Files.createDirectories(dir.resolve("weights"));
        Files.write(dir.resolve("weights/toy.onnx"), WEIGHTS);
        Files.write(dir.resolve("labels.txt"), LABELS);
        Files.write(dir.resolve("pre.wasm"), PLUGIN);
        return ManifestParser.parse(dir.resolve("model.json"));
    }

    @Test
    void intactFilesPass(@TempDir Path models) throws Exception {
        ModelManifest manifest = writeModel(models);
        assertDoesNotThrow(() -> FileVerifier.verify(manifest));
    }

    @Test
    void missingAndDamagedFilesAreAllNamedWithTheFix(@TempDir Path models) throws Exception {
        ModelManifest manifest = writeModel(models);
        Path labels = models.resolve("toy/labels.txt");
        Files.writeString(labels, "cat\nfog\n");
        Files.delete(models.resolve("toy/weights/toy.onnx"));
        Files.writeString(models.resolve("toy/pre.wasm"), "rebuilt");

        FileVerificationException e = assertThrows(FileVerificationException.class, () -> FileVerifier.verify(manifest));

        assertEquals("toy", e.model());
        assertEquals(3, e.problems().size(), e.getMessage());
        assertEquals(models.resolve("toy/weights/toy.onnx") + " (files.model): missing; run ./corral fetch toy",
                e.problems().get(0));
        String damaged = e.problems().get(1);
        assertTrue(damaged.startsWith(labels + " (files.labels): sha256 is " + Sha256.of(Files.readAllBytes(labels))
                + ", expected " + Sha256.of(LABELS)), damaged);
        assertTrue(damaged.endsWith("run ./corral fetch toy"), damaged);
        assertTrue(e.problems().get(2).startsWith(models.resolve("toy/pre.wasm") + " (plugin of step 'pre'): sha256 is "),
                e.problems().get(2));
    }

    @Test
    void theRealMobilenetFilesMatchItsManifest(@TempDir Path models) throws Exception {
        Path mirror = ProjectPaths.mirror().orElseThrow(() -> new AssertionError("no model mirror (../shared/models)"));
        Path dir = Files.createDirectories(models.resolve("mobilenetv2"));
        Files.copy(ProjectPaths.models().resolve("mobilenetv2/model.json"), dir.resolve("model.json"));
        Files.copy(mirror.resolve("mobilenetv2-12-int8/mobilenetv2-12-int8.onnx"), dir.resolve("mobilenetv2-12-int8.onnx"));
        Files.copy(mirror.resolve("mobilenetv2-12-int8/synset.txt"), dir.resolve("synset.txt"));
        ModelManifest manifest = ManifestParser.parse(dir.resolve("model.json"));
        assertDoesNotThrow(() -> FileVerifier.verify(manifest));
    }

    @Test
    void aThirdPartySamplerIsVerifiedToo(@TempDir Path models) throws Exception {
        Path dir = Files.createDirectories(models.resolve("gen"));
        Files.writeString(dir.resolve("model.json"), """
                {"name": "gen", "version": "1", "task": "text-generation",
                 "files": {"model": {"path": "gen.onnx", "sha256": "%1$s"},
                           "tokenizer": {"path": "tokenizer.json", "sha256": "%2$s"}},
                 "input": {"kind": "text"},
                 "tokenizer": {"file": "tokenizer"},
                 "pipeline": [{"plugin": "prompt-template", "entry": "prompt", "capabilities": ["tokenizer"]}],
                 "generation": {"model": "model", "sampler": {"plugin": {"path": "pick.wasm", "sha256": "%3$s"}},
                                "max_tokens": 8, "context_length": 16, "eos_token_ids": [2]}}
                """.formatted(Sha256.of(WEIGHTS), Sha256.of(LABELS), Sha256.of(PLUGIN)));
        Files.write(dir.resolve("gen.onnx"), WEIGHTS);
        Files.write(dir.resolve("tokenizer.json"), LABELS);
        ModelManifest manifest = ManifestParser.parse(dir.resolve("model.json"));

        FileVerificationException e = assertThrows(FileVerificationException.class, () -> FileVerifier.verify(manifest));

        assertEquals(java.util.List.of(dir.resolve("pick.wasm") + " (plugin of step 'sampler'): missing; the plugin"
                + " ships with the model: put the pinned build beside model.json, or pin the new build's sha256 in"
                + " model.json"), e.problems());
        Files.write(dir.resolve("pick.wasm"), PLUGIN);
        assertDoesNotThrow(() -> FileVerifier.verify(manifest));
    }
}
