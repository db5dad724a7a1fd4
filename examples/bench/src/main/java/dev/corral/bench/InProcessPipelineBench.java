package dev.corral.bench;

import dev.corral.host.pipeline.ModelStep;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.InferenceOutcome;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole pipeline as the HTTP handler runs it, minus HTTP: {@code LoadedModel.inferImage}
 * (decode, WASM pre, ORT, WASM post) on a real {@code ModelServer}. Its throughput under
 * concurrent callers is the ceiling the server can reach on this machine.
 */
final class InProcessPipelineBench {
    /**
     * Mean milliseconds per request by stage. {@code preMs}/{@code postMs} are the plugin steps
     * before/after the first model step; {@code byStage} lists every stage as the pipeline named it.
     */
    record Stages(double decodeMs, double preMs, double queueMs, double inferMs, double postMs, double pluginMs,
                  Map<String, Double> byStage) {
    }

    /**
     * One sandbox mode's numbers; {@code concurrent} and {@code concurrentStages} are null when
     * only the single caller was measured.
     */
    record ModeResult(String mode, double loadSeconds, String sampleResult, Harness.Result single, Stages stages,
                      Harness.Result concurrent, Stages concurrentStages) {
    }

    private final Path modelsDir;
    private final String modelName;
    private final byte[] image;
    private final String label;
    private final int inferThreads;

    InProcessPipelineBench(Path modelsDir, String modelName, byte[] image, String label, int inferThreads) {
        this.modelsDir = modelsDir;
        this.modelName = modelName;
        this.image = image;
        this.label = label;
        this.inferThreads = inferThreads;
    }

    /** Compiled sandbox (what the server runs): one caller, then {@code callers} concurrent ones. */
    ModeResult compiled(Harness.Budget single, int callers, Duration warmup, Duration measure) throws Exception {
        return run(SandboxMode.COMPILED, modelsDir, single, callers, warmup, measure);
    }

    /**
     * Interpreted sandbox, one caller only, on a copy of the model with the longest plugin
     * deadline a manifest allows: it shows what compiling the plugins to bytecode buys.
     */
    ModeResult interpreted(Harness.Budget single) throws Exception {
        try (RelaxedDeadlineCopy relaxed = new RelaxedDeadlineCopy(modelsDir, modelName)) {
            return run(SandboxMode.INTERPRETED, relaxed.modelsDir(), single, 0, Duration.ZERO, Duration.ZERO);
        }
    }

    private ModeResult run(SandboxMode mode, Path models, Harness.Budget single, int callers, Duration warmup,
                           Duration measure) throws Exception {
        long loadStart = System.nanoTime();
        try (ModelServer server = new ModelServer(mode, inferThreads)) {
            server.loadAll(models);
            LoadedModel model = server.models().resolve(modelName, "image");
            double loadSeconds = Math.round((System.nanoTime() - loadStart) / 1e7) / 100.0;
            Parameters noOptions = model.parseOptions(Map.of());
            String sample = model.inferImage(image, label, noOptions).resultJson();

            StageTotals alone = new StageTotals();
            Harness.Result one = Harness.sequential(() -> model.inferImage(image, label, noOptions), single,
                    alone::add);
            if (callers == 0) {
                return new ModeResult(mode.name().toLowerCase(), loadSeconds, sample, one, alone.means(model), null, null);
            }
            StageTotals together = new StageTotals();
            Harness.Result many = Harness.concurrent(() -> model.inferImage(image, label, noOptions), callers,
                    warmup, measure, together::add);
            return new ModeResult(mode.name().toLowerCase(), loadSeconds, sample, one, alone.means(model), many,
                    together.means(model));
        }
    }

    /** Sums each stage's nanoseconds over the measured requests (from any number of callers). */
    private static final class StageTotals {
        private final Map<String, Long> nanos = new LinkedHashMap<>();
        private int requests;

        synchronized void add(InferenceOutcome outcome) {
            outcome.timings().asNanos().forEach((stage, n) -> nanos.merge(stage, n, Long::sum));
            requests++;
        }

        synchronized Stages means(LoadedModel model) {
            Map<String, Double> byStage = new LinkedHashMap<>();
            nanos.forEach((stage, n) -> byStage.put(stage, ms(n)));
            double pre = 0;
            double infer = 0;
            double post = 0;
            boolean afterModel = false;
            for (PipelineStep step : model.pipeline().steps()) {
                double stepMs = byStage.getOrDefault(step.name(), 0.0);
                if (step instanceof ModelStep) {
                    infer += stepMs;
                    afterModel = true;
                } else if (step instanceof PluginStep) {
                    if (afterModel) {
                        post += stepMs;
                    } else {
                        pre += stepMs;
                    }
                }
            }
            return new Stages(byStage.getOrDefault("decode", 0.0), round(pre), byStage.getOrDefault("queue", 0.0),
                    round(infer), round(post), round(pre + post), byStage);
        }

        private double ms(long totalNanos) {
            return round(totalNanos / 1e6 / requests);
        }

        private static double round(double ms) {
            return Math.round(ms * 1000.0) / 1000.0;
        }
    }
}
