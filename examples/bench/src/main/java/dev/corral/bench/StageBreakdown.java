package dev.corral.bench;

import dev.corral.host.pipeline.ModelStep;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.serving.InferenceOutcome;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the measured requests' time went, from their own stage timings: each stage's mean, and
 * the time in sandboxed WebAssembly (plugin steps) against ONNX Runtime (model steps), whatever
 * the number of steps. Thread-safe: concurrent callers add to one instance.
 */
final class StageBreakdown {
    /** One stage's mean; {@code kind} is "plugin", "model" or "host" (decode, queue). */
    record Stage(String name, String kind, double meanMs) {
    }

    /** The means of every stage in the order they ran, and the plugin and model sums. */
    record Means(List<Stage> stages, double pluginMs, double modelMs, double totalMs) {
    }

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private int requests;

    synchronized void add(InferenceOutcome outcome) {
        outcome.timings().asNanos().forEach((stage, n) -> nanos.merge(stage, n, Long::sum));
        requests++;
    }

    synchronized Means means(List<PipelineStep> steps) {
        Map<String, String> kinds = new LinkedHashMap<>();
        for (PipelineStep step : steps) {
            kinds.put(step.name(), switch (step) {
                case PluginStep p -> "plugin";
                case ModelStep m -> "model";
            });
        }
        List<Stage> stages = new ArrayList<>();
        double plugin = 0;
        double model = 0;
        double total = 0;
        for (Map.Entry<String, Long> e : nanos.entrySet()) {
            double ms = RawOrtBench.round(e.getValue() / 1e6 / requests);
            String kind = kinds.getOrDefault(e.getKey(), "host");
            stages.add(new Stage(e.getKey(), kind, ms));
            plugin += kind.equals("plugin") ? ms : 0;
            model += kind.equals("model") ? ms : 0;
            total += ms;
        }
        return new Means(stages, RawOrtBench.round(plugin), RawOrtBench.round(model), RawOrtBench.round(total));
    }
}
