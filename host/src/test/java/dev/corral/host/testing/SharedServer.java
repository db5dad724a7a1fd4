package dev.corral.host.testing;

import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import dev.corral.registry.Catalog;
import dev.corral.registry.ModelFetcher;

import java.nio.file.Path;
import java.util.List;

/**
 * One real ModelServer over the repository's own {@code models/} folder, loaded once per test
 * JVM (loading compiles plugins and warms ONNX Runtime up, which is worth doing once).
 */
public final class SharedServer {
    /** Every model in the repository's {@code models/} folder. */
    public static final List<String> MODELS = List.of("mobilenetv2", "stories260k", "all-minilm-l6-v2", "yolox-nano",
            "ultraface-rfb-320", "grounding", "ppocr-v4", "document-query");
    private static ModelServer server;

    private SharedServer() {
    }

    public static synchronized ModelServer get() {
        if (server == null) {
            Path models = TestPaths.repoRoot().resolve("models");
            for (String name : MODELS) {
                fetch(models, name);
            }
            server = new ModelServer(SandboxMode.COMPILED, 2);
            server.loadAll(models);
            if (!server.models().allReady()) {
                throw new IllegalStateException("models did not load: " + server.models().states());
            }
        }
        return server;
    }

    /** Fills {@code models/NAME/} from the shared mirror, as {@code ./corral fetch} does. */
    public static void fetch(Path models, String name) {
        try {
            Catalog catalog = Catalog.load(TestPaths.repoRoot().resolve("models/catalog.json"));
            new ModelFetcher(catalog, TestPaths.modelMirror(), ModelFetcher.defaultHttpClient())
                    .fetch(name, models.resolve(name));
        } catch (Exception e) {
            throw new IllegalStateException("cannot fetch model " + name + ": " + e.getMessage(), e);
        }
    }
}
