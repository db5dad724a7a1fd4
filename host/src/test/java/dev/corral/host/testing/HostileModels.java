package dev.corral.host.testing;

import dev.corral.registry.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A models folder whose models run a hostile test plugin as an extra step between MobileNetV2's
 * real preprocess and its model: {@code NAME} runs entry {@code NAME} of
 * {@code test/resources/plugins/PLUGIN.wasm}, pinned by sha256 as any third-party plugin must be.
 */
public final class HostileModels {
    private HostileModels() {
    }

    public static void add(Path modelsDir, String name, String plugin, String entry, String limits) {
        add(modelsDir, name, TestPaths.repoRoot().resolve("host/src/test/resources/plugins/" + plugin + ".wasm"),
                entry, limits);
    }

    /** As above, with the hostile step's module given as a file (e.g. one a test generated). */
    public static void add(Path modelsDir, String name, Path wasm, String entry, String limits) {
        String plugin = wasm.getFileName().toString().replaceFirst("\\.wasm$", "");
        Path mobilenet = TestPaths.repoRoot().resolve("models/mobilenetv2");
        SharedServer.fetch(mobilenet.getParent(), "mobilenetv2");
        Path folder = modelsDir.resolve(name);
        try {
            Files.createDirectories(folder);
            for (String file : new String[] {"mobilenetv2-12-int8.onnx", "synset.txt"}) {
                Files.copy(mobilenet.resolve(file), folder.resolve(file));
            }
            Files.copy(wasm, folder.resolve(plugin + ".wasm"));
            Files.writeString(folder.resolve("model.json"), """
                    {
                      "name": "%s", "version": "1", "task": "image-classification",
                      "description": "MobileNetV2 with a hostile step (test fixture)",
                      "files": {
                        "model":  {"path": "mobilenetv2-12-int8.onnx", "sha256": "%s"},
                        "labels": {"path": "synset.txt", "sha256": "%s"}
                      },
                      "input": {"kind": "image"},
                      "pipeline": [
                        {"name": "preprocess", "plugin": "imagenet-preprocess", "entry": "preprocess"},
                        {"name": "hostile", "plugin": {"path": "%s.wasm", "sha256": "%s"}, "entry": "%s",
                         "limits": %s},
                        {"name": "infer", "model": "model"},
                        {"name": "postprocess", "plugin": "classify-postprocess", "entry": "postprocess",
                         "config": {"labels": {"file": "labels"}, "label_format": "synset"}}
                      ],
                      "options": {"attack": {"type": "integer", "min": 0, "max": 1, "default": 0},
                                  "top_k": {"type": "integer", "min": 1, "max": 1000, "default": 5}},
                      "engine": {"device": "cpu", "batching": {"max_batch_size": 4, "max_queue_delay_ms": 1}}
                    }
                    """.formatted(name, Sha256.of(folder.resolve("mobilenetv2-12-int8.onnx")),
                    Sha256.of(folder.resolve("synset.txt")), plugin, Sha256.of(wasm), entry, limits));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
