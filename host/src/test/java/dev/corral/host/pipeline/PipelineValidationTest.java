package dev.corral.host.pipeline;

import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.testing.SharedServer;
import dev.corral.host.testing.TestPaths;
import dev.corral.registry.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chain whose steps do not line up fails at load (its warm-up request), and the reason names
 * the step, the tensor, and every tensor the step had with the step that wrote it.
 */
class PipelineValidationTest {
    @TempDir
    Path models;

    @Test
    void aMissingModelInputNamesTheStepTheTensorAndWhatTheStepHad() throws IOException {
        String error = loadFailure("{\"output_name\": \"pixels\"}");
        assertTrue(error.contains("step 'infer'"), error);
        assertTrue(error.contains("input 'input' is missing"), error);
        assertTrue(error.contains("pixels float32[1, 3, 224, 224] (preprocess)"), error);
        assertTrue(error.contains("image uint8[64, 64, 3] (request)"), error);
    }

    @Test
    void aMisshapenModelInputNamesTheStepAndBothShapes() throws IOException {
        String error = loadFailure("{\"resize\": 200, \"crop\": 200}");
        assertTrue(error.contains("step 'infer'"), error);
        assertTrue(error.contains("'input'"), error);
        assertTrue(error.contains("224"), error);
        assertTrue(error.contains("input float32[1, 3, 200, 200] (preprocess)"), error);
    }

    /** MobileNetV2 with the given preprocess config; returns the load's failure. */
    private String loadFailure(String preprocessConfig) throws IOException {
        Path mobilenet = TestPaths.repoRoot().resolve("models/mobilenetv2");
        SharedServer.fetch(mobilenet.getParent(), "mobilenetv2");
        Path folder = models.resolve("broken");
        Files.createDirectories(folder);
        Files.copy(mobilenet.resolve("mobilenetv2-12-int8.onnx"), folder.resolve("m.onnx"));
        Files.writeString(folder.resolve("model.json"), """
                {"name": "broken", "version": "1", "task": "image-classification",
                 "files": {"model": {"path": "m.onnx", "sha256": "%s"}},
                 "input": {"kind": "image"},
                 "pipeline": [
                   {"name": "preprocess", "plugin": "imagenet-preprocess", "entry": "preprocess", "config": %s},
                   {"name": "infer", "model": "model"},
                   {"name": "postprocess", "plugin": "classify-postprocess", "entry": "postprocess"}
                 ],
                 "engine": {"device": "cpu"}}
                """.formatted(Sha256.of(folder.resolve("m.onnx")), preprocessConfig));
        try (ModelServer server = new ModelServer(SandboxMode.COMPILED, 1)) {
            server.loadAll(models);
            Object state = server.models().states().get("broken");
            assertTrue(state instanceof Map<?, ?>, "the model must fail to load, it is " + state);
            Map<?, ?> failed = (Map<?, ?>) state;
            assertEquals("failed", failed.get("state"));
            return (String) failed.get("error");
        }
    }
}
