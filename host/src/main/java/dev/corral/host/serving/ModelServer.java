package dev.corral.host.serving;

import dev.corral.host.engine.InferenceEngine;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.tokenize.TokenizerPool;
import dev.corral.registry.ManifestException;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Everything a running Corral owns: the sandbox runtime, the inference engine and the models. */
public final class ModelServer implements AutoCloseable {
    private final PluginRuntime plugins;
    private final InferenceEngine engine;
    private final TokenizerPool tokenizers;
    private final ModelManager models;

    public ModelServer(SandboxMode mode, int inferThreads) {
        this.plugins = new PluginRuntime(mode);
        this.engine = new InferenceEngine(inferThreads);
        this.tokenizers = TokenizerPool.forCores();
        this.models = new ModelManager(new ModelLoader(plugins, engine, tokenizers));
    }

    public ModelManager models() {
        return models;
    }

    /**
     * Loads every {@code DIR/NAME/model.json}, one after another (each model's load already
     * uses the machine). Broken manifests and failed loads are recorded, not thrown.
     */
    public void loadAll(Path modelsDir) {
        ModelRepository.Scan scan;
        try {
            scan = new ModelRepository(modelsDir).scan();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models folder " + modelsDir, e);
        }
        List<String> names = new ArrayList<>();
        scan.manifests().forEach(m -> names.add(m.name()));
        models.expect(names);
        for (ManifestException broken : scan.errors()) {
            Path folder = broken.file().getParent();
            models.fail(folder == null ? broken.file().toString() : folder.getFileName().toString(), broken.getMessage());
        }
        for (ModelManifest manifest : scan.manifests()) {
            models.load(manifest);
        }
    }

    @Override
    public void close() {
        models.close();
        engine.close();
        plugins.close();
        tokenizers.close();
    }
}
