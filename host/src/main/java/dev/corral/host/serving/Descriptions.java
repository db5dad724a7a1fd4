package dev.corral.host.serving;

import dev.corral.host.generate.GeneratorStats;
import dev.corral.host.pipeline.ModelStep;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.OptionSpec;
import dev.corral.registry.PluginRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code GET /models} says of a model: identity, input, options, and its pipeline's steps. */
final class Descriptions {
    private Descriptions() {
    }

    /** @param loaded the loaded model, or null while loading or after a failure */
    static Map<String, Object> of(ModelManifest manifest, LoadedModel loaded) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", manifest.name());
        d.put("version", manifest.version());
        d.put("task", manifest.task().wireName());
        d.put("description", manifest.description());
        d.put("input", manifest.input().kind().wireName());
        d.put("options", options(manifest));
        d.put("pipeline", loaded == null ? declaredSteps(manifest) : loadedSteps(loaded));
        return d;
    }

    private static Map<String, Object> options(ModelManifest manifest) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (OptionSpec o : manifest.options().values()) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("type", o.type().wireName());
            putIfPresent(spec, "min", o.min());
            putIfPresent(spec, "max", o.max());
            putIfPresent(spec, "default", o.defaultValue());
            if (!o.allowed().isEmpty()) {
                spec.put("enum", o.allowed());
            }
            putIfPresent(spec, "description", o.description());
            options.put(o.name(), spec);
        }
        return options;
    }

    private static List<Map<String, Object>> declaredSteps(ModelManifest manifest) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (dev.corral.registry.PipelineStep step : manifest.pipeline()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", step.name());
            if (step instanceof dev.corral.registry.PluginStep p) {
                s.put("kind", "plugin");
                s.put("plugin", p.plugin() instanceof PluginRef.Builtin b ? b.name()
                        : ((PluginRef.ThirdParty) p.plugin()).path());
                s.put("entry", p.entry());
            } else {
                s.put("kind", "model");
            }
            steps.add(s);
        }
        return steps;
    }

    private static List<Map<String, Object>> loadedSteps(LoadedModel model) {
        List<Map<String, Object>> steps = declaredSteps(model.manifest());
        List<PipelineStep> loaded = model.pipeline().steps();
        for (int i = 0; i < steps.size(); i++) {
            if (loaded.get(i) instanceof PluginStep p) {
                steps.get(i).put("sha256", p.plugin().sha256());
            } else if (loaded.get(i) instanceof ModelStep m) {
                steps.get(i).put("device", m.session().device());
                steps.get(i).put("batching", m.session().batchable());
            }
        }
        return steps;
    }

    /** A generator's live counters. */
    static Map<String, Object> generation(GeneratorStats stats) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("max_concurrent", stats.maxConcurrent());
        g.put("running", stats.running());
        g.put("started", stats.started());
        g.put("cancelled", stats.cancelled());
        g.put("tokens", stats.tokens());
        return g;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
