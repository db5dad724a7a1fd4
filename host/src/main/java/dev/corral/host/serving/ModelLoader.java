package dev.corral.host.serving;

import dev.corral.host.engine.BatchingOptions;
import dev.corral.host.engine.DecoderSession;
import dev.corral.host.engine.Device;
import dev.corral.host.engine.EngineOptions;
import dev.corral.host.engine.InferenceEngine;
import dev.corral.host.engine.ModelLoadException;
import dev.corral.host.engine.SequencePadding;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.Generator;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.pipeline.ModelStep;
import dev.corral.host.pipeline.Pipeline;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginLoadException;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.tokenize.ModelTokenizer;
import dev.corral.host.tokenize.TokenizerPool;
import dev.corral.registry.Capability;
import dev.corral.registry.EngineSpec;
import dev.corral.registry.FileValue;
import dev.corral.registry.FileVerificationException;
import dev.corral.registry.FileVerifier;
import dev.corral.registry.GenerationSpec;
import dev.corral.registry.InputSpec;
import dev.corral.registry.Limits;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.PluginRef;
import dev.corral.registry.TokenizerSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a manifest into a serving {@link LoadedModel}: checks every file's sha256, loads each
 * plugin into the sandbox and the ONNX model into the engine, chains them, and runs one warm-up
 * request through the whole pipeline, so that a model is READY only once it has really worked.
 */
public final class ModelLoader {
    /** A mid-grey image: every image pipeline must handle it (a multimodal one with the text below). */
    private static final int WARM_UP_SIZE = 64;
    /** Every text pipeline must handle a short sentence; a generator warms up on two tokens of it. */
    private static final String WARM_UP_TEXT = "Once upon a time";
    private static final int WARM_UP_TOKENS = 2;

    private final PluginRuntime plugins;
    private final InferenceEngine engine;
    private final TokenizerPool tokenizers;

    public ModelLoader(PluginRuntime plugins, InferenceEngine engine, TokenizerPool tokenizers) {
        this.plugins = plugins;
        this.engine = engine;
        this.tokenizers = tokenizers;
    }

    public LoadedModel load(ModelManifest manifest) throws ModelLoadFailure {
        try {
            FileVerifier.verify(manifest);
        } catch (FileVerificationException e) {
            throw new ModelLoadFailure(e.getMessage());
        }
        ModelTokenizer tokenizer = null;
        List<PipelineStep> steps = new ArrayList<>();
        Generator generator = null;
        LoadedModel model = null;
        try {
            tokenizer = loadTokenizer(manifest);
            for (dev.corral.registry.PipelineStep step : manifest.pipeline()) {
                steps.add(loadStep(manifest, step, tokenizer));
            }
            Pipeline pipeline = new Pipeline(steps);
            if (manifest.generation() != null) {
                generator = loadGenerator(manifest, pipeline, tokenizer);
            }
            ImageDecoder images = manifest.input().kind() != InputSpec.Kind.TEXT
                    ? new ImageDecoder(manifest.input().maxPixels()) : null;
            model = new LoadedModel(manifest, pipeline, images, tokenizer, generator);
            warmUp(model);
            return model;
        } catch (ModelLoadFailure | RuntimeException e) {
            if (model != null) {
                model.close();
            } else {
                if (generator != null) {
                    generator.close();
                }
                steps.forEach(PipelineStep::close);
                if (tokenizer != null) {
                    tokenizer.close();
                }
            }
            throw e;
        }
    }

    private ModelTokenizer loadTokenizer(ModelManifest manifest) throws ModelLoadFailure {
        TokenizerSpec spec = manifest.tokenizer();
        if (spec == null) {
            return null;
        }
        try {
            return ModelTokenizer.load(manifest.name(), manifest.resolve(manifest.file(spec.file())), tokenizers);
        } catch (IOException e) {
            throw new ModelLoadFailure("model '" + manifest.name() + "' tokenizer: " + e.getMessage());
        }
    }

    /** The token loops of a text-generation model: its KV-cache decoder and its sampler plugin. */
    private Generator loadGenerator(ModelManifest manifest, Pipeline prompt, ModelTokenizer tokenizer)
            throws ModelLoadFailure {
        GenerationSpec spec = manifest.generation();
        dev.corral.host.sandbox.Plugin sampler = loadPlugin(manifest, spec.sampler(), tokenizer);
        DecoderSession decoder;
        try {
            decoder = engine.loadDecoder(manifest.name(), manifest.resolve(manifest.file(spec.model())),
                    engineOptions(manifest.engine()));
        } catch (ModelLoadException e) {
            sampler.close();
            throw new ModelLoadFailure(e.getMessage());
        }
        return new Generator(manifest.name(), prompt, decoder, sampler, spec.sampler().entry(), tokenizer,
                Set.copyOf(spec.eosTokenIds()), spec.contextLength(), spec.maxConcurrent());
    }

    private PipelineStep loadStep(ModelManifest manifest, dev.corral.registry.PipelineStep step,
                                  ModelTokenizer tokenizer) throws ModelLoadFailure {
        return switch (step) {
            case dev.corral.registry.PluginStep p -> new PluginStep(p.name(), loadPlugin(manifest, p, tokenizer), p.entry());
            case dev.corral.registry.ModelStep m -> new ModelStep(m.name(), loadSession(manifest, m));
        };
    }

    private dev.corral.host.sandbox.Plugin loadPlugin(ModelManifest manifest, dev.corral.registry.PluginStep step,
                                                      ModelTokenizer tokenizer) throws ModelLoadFailure {
        String where = "model '" + manifest.name() + "' step '" + step.name() + "'";
        byte[] wasm;
        String pinned;
        String label;
        switch (step.plugin()) {
            case PluginRef.Builtin b -> {
                wasm = BuiltinPlugins.read(b.name());
                if (wasm == null) {
                    throw new ModelLoadFailure(where + ": there is no built-in plugin named '" + b.name() + "'");
                }
                pinned = null;
                label = b.name();
            }
            case PluginRef.ThirdParty t -> {
                wasm = readFile(manifest, t.path(), where);
                pinned = t.sha256();
                label = t.path();
            }
        }
        PluginSpec spec = new PluginSpec(label, wasm, pinned, Set.of(step.entry()),
                limits(step.limits().orElse(manifest.limits())), config(manifest, step, where),
                step.capabilities().contains(Capability.TOKENIZER) ? tokenizer : null);
        try {
            return plugins.load(spec);
        } catch (PluginLoadException e) {
            throw new ModelLoadFailure(where + ": " + e.getMessage());
        }
    }

    private static PluginLimits limits(Limits declared) {
        PluginLimits d = PluginLimits.defaults();
        return new PluginLimits(
                declared.deadlineMs() == null ? d.deadline() : Duration.ofMillis(declared.deadlineMs()),
                declared.maxMemoryPages() == null ? d.maxMemoryPages() : declared.maxMemoryPages(),
                declared.maxOutputBytes() == null ? d.maxOutputBytes() : declared.maxOutputBytes(),
                declared.maxInstances() == null ? d.maxInstances() : declared.maxInstances());
    }

    /** The step's config as a plugin reads it: {@code {"file": ROLE}} becomes the file's text. */
    private static Parameters config(ModelManifest manifest, dev.corral.registry.PluginStep step, String where)
            throws ModelLoadFailure {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : step.config().entrySet()) {
            values.put(e.getKey(), configValue(manifest, e.getKey(), e.getValue(), where));
        }
        return Parameters.of(values);
    }

    private static Object configValue(ModelManifest manifest, String key, Object value, String where)
            throws ModelLoadFailure {
        if (value instanceof FileValue f) {
            return new String(readFile(manifest, manifest.file(f.role()).path(), where), StandardCharsets.UTF_8);
        }
        if (value instanceof Long || value instanceof Double || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof List<?> list && list.stream().allMatch(Number.class::isInstance)) {
            return list.stream().map(n -> ((Number) n).doubleValue()).toList();
        }
        throw new ModelLoadFailure(where + ": config." + key + ": plugins read numbers, strings, booleans,"
                + " number arrays and {\"file\": ROLE}; found " + value);
    }

    private static byte[] readFile(ModelManifest manifest, String path, String where) throws ModelLoadFailure {
        try {
            return Files.readAllBytes(manifest.directory().resolve(path));
        } catch (IOException e) {
            throw new ModelLoadFailure(where + ": cannot read " + path + ": " + e.getMessage());
        }
    }

    private dev.corral.host.engine.ModelSession loadSession(ModelManifest manifest,
                                                             dev.corral.registry.ModelStep step)
            throws ModelLoadFailure {
        try {
            return engine.load(manifest.name(), manifest.resolve(manifest.file(step.role())),
                    engineOptions(manifest.engine()));
        } catch (ModelLoadException e) {
            throw new ModelLoadFailure(e.getMessage());
        }
    }

    private static EngineOptions engineOptions(EngineSpec spec) {
        Device device = switch (spec.device()) {
            case AUTO -> Device.AUTO;
            case CPU -> Device.CPU;
            case CUDA -> Device.CUDA;
        };
        EngineSpec.Batching b = spec.batching();
        BatchingOptions batching = b == null ? null
                : new BatchingOptions(b.maxBatchSize(), Duration.ofMillis(b.maxQueueDelayMs()),
                b.padding() == null ? null
                        : new SequencePadding(b.padding().inputs(), Set.copyOf(b.padding().outputs())));
        return new EngineOptions(device, spec.allowCpuFallback(), spec.intraOpThreads(), batching,
                spec.maxQueueSize());
    }

    /** One request of the model's kind, so that READY means it has really worked. */
    private static void warmUp(LoadedModel model) throws ModelLoadFailure {
        try {
            if (model.manifest().generation() != null) {
                model.generator().generate(model.generationRequest(
                        Map.of(RequestTensors.TEXT, RequestTensors.text(WARM_UP_TEXT)), Map.of(), WARM_UP_TOKENS,
                        List.of(), false));
            } else if (model.manifest().input().kind() == InputSpec.Kind.TEXT) {
                model.embed(List.of(WARM_UP_TEXT), model.parseOptions(Map.of()));
            } else {
                byte[] grey = new byte[WARM_UP_SIZE * WARM_UP_SIZE * 3];
                Arrays.fill(grey, (byte) 128);
                Map<String, Tensor> inputs = new LinkedHashMap<>();
                inputs.put(RequestTensors.IMAGE, Tensor.of(DType.UINT8, new long[] {WARM_UP_SIZE, WARM_UP_SIZE, 3}, grey));
                if (model.manifest().input().kind() == InputSpec.Kind.MULTIMODAL) {
                    inputs.put(RequestTensors.TEXT, RequestTensors.text(WARM_UP_TEXT));
                    inputs.put(RequestTensors.TEXTS, RequestTensors.textList(List.of(WARM_UP_TEXT, WARM_UP_TEXT)));
                }
                model.run(inputs, model.parseOptions(Map.of()), new StageTimings());
            }
        } catch (ServingException e) {
            throw new ModelLoadFailure("model '" + model.name() + "' failed its warm-up request: " + e.getMessage());
        }
    }
}
