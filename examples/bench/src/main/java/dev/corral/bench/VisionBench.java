package dev.corral.bench;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.corral.host.error.ServingException;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.InferenceOutcome;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The vision and multimodal pipelines in-process (no HTTP), each as the HTTP handlers run them:
 * decode, then the manifest's chain of WebAssembly plugin steps and ONNX Runtime model steps.
 * Per pipeline: latency at one caller after a warm-up long enough for the JIT to compile the
 * plugins, each stage's mean, the share of plugin and model steps, and throughput with
 * {@code --callers} concurrent closed-loop callers. A pipeline whose manifest is not in the
 * models folder is skipped and said so. Prints markdown; writes the same numbers as JSON.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.VisionBench \
 *     [--models models] [--images ../shared/testdata/images] [--callers 4] [--scale 1.0] \
 *     [--json examples/bench/target/results/vision.json]
 * </pre>
 */
public final class VisionBench {
    private static final double WARMUP_SECONDS = 4;
    /**
     * Warm-up calls, at least: a plugin step's loops are compiled by the JIT after some dozens of
     * calls, and an OCR page takes over a second a call, so seconds alone would leave it cold.
     */
    private static final int WARMUP_CALLS = 15;
    private static final double MEASURE_SECONDS = 6;
    private static final double CONCURRENT_WARMUP_SECONDS = 1;
    /** The concurrent run lasts long enough for each caller to finish about this many requests. */
    private static final int CONCURRENT_CALLS_PER_CALLER = 2;

    /** One pipeline's numbers; {@code skipped} says why there are none. */
    record CaseResult(String model, String image, String text, String skipped, String sampleResult,
                      Harness.Result single, StageBreakdown.Means stages, Harness.Result concurrent) {
    }

    private VisionBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("models", "images", "callers", "scale", "json"));
        Path models = args.path("models", "models");
        Path images = args.path("images", "../shared/testdata/images");
        int callers = args.integer("callers", 4);
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/results/vision.json");
        int cores = Runtime.getRuntime().availableProcessors();

        List<CaseResult> results = new ArrayList<>();
        Set<String> present = new LinkedHashSet<>();
        for (VisionCase c : VisionCase.all()) {
            if (Files.isRegularFile(models.resolve(c.model()).resolve("model.json"))) {
                present.add(c.model());
            }
        }
        Path subset = linkModels(models, present);
        try (ModelServer server = new ModelServer(SandboxMode.COMPILED, cores)) {
            progress("loading " + String.join(", ", present));
            server.loadAll(subset);
            for (VisionCase c : VisionCase.all()) {
                if (!present.contains(c.model())) {
                    results.add(skipped(c, "no " + models.resolve(c.model()).resolve("model.json")
                            + " (the model is not in this checkout yet)"));
                    continue;
                }
                progress(c.label());
                results.add(measure(server, c, Files.readAllBytes(images.resolve(c.image())), callers, scale));
            }
        } finally {
            deleteLinks(subset);
        }

        System.out.println(markdown(results, callers, cores));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", Map.of("cores", cores, "java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "onnxruntime", OrtEnvironment.getEnvironment().getVersion()));
        report.put("callers", callers);
        report.put("pipelines", results);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
        progress("wrote " + jsonOut);
    }

    private static CaseResult measure(ModelServer server, VisionCase c, byte[] encoded, int callers, double scale)
            throws Exception {
        LoadedModel model;
        try {
            model = server.models().resolve(c.model(), c.multimodal() ? "multimodal" : "image");
        } catch (ServingException e) {
            return skipped(c, "did not load: " + e.getMessage());
        }
        Parameters noOptions = model.parseOptions(Map.of());
        Callable<InferenceOutcome> request = c.multimodal()
                ? () -> multimodal(model, encoded, c, noOptions)
                : () -> model.inferImage(encoded, c.image(), noOptions);
        String sample = request.call().resultJson();
        long warmupEnd = System.nanoTime() + Harness.seconds(scale, WARMUP_SECONDS).toNanos();
        for (int i = 1; i < WARMUP_CALLS || System.nanoTime() < warmupEnd; i++) {
            request.call();
        }

        StageBreakdown alone = new StageBreakdown();
        Harness.Result single = Harness.sequential(request, new Harness.Budget(Duration.ZERO,
                Harness.seconds(scale, MEASURE_SECONDS), 5, 100_000), alone::add);
        Duration concurrentMeasure = Harness.seconds(scale, MEASURE_SECONDS);
        Duration enoughForEachCaller = Duration.ofNanos((long) (single.latency().meanMs() * 1e6 * callers
                * CONCURRENT_CALLS_PER_CALLER));
        if (enoughForEachCaller.compareTo(concurrentMeasure) > 0) {
            concurrentMeasure = enoughForEachCaller;
        }
        Harness.Result together = Harness.concurrent(request, callers, Harness.seconds(scale, CONCURRENT_WARMUP_SECONDS),
                concurrentMeasure, outcome -> { });
        return new CaseResult(c.model(), c.image(), c.text(), null, sample, single,
                alone.means(model.pipeline().steps()), together);
    }

    /** What {@code POST /infer/multimodal} does with an image part and one text part. */
    private static InferenceOutcome multimodal(LoadedModel model, byte[] encoded, VisionCase c, Parameters options) {
        StageTimings timings = new StageTimings();
        Tensor image = model.decodeImage(encoded, c.image(), timings);
        return model.run(model.multimodalTensors(image, List.of(c.text())), options, timings);
    }

    private static CaseResult skipped(VisionCase c, String why) {
        progress("skipped " + c.label() + ": " + why);
        return new CaseResult(c.model(), c.image(), c.text(), why, null, null, null, null);
    }

    private static String markdown(List<CaseResult> results, int callers, int cores) {
        MarkdownTable latency = new MarkdownTable("pipeline / image", "calls", "mean ms", "p50 ms", "p90 ms",
                "req/s (1 caller)", "req/s (" + callers + " callers)", "p50 / p90 ms (" + callers + " callers)");
        MarkdownTable shares = new MarkdownTable("pipeline / image", "WASM plugin steps ms", "ORT model steps ms",
                "decode + queue ms", "plugin share", "model share");
        MarkdownTable stages = new MarkdownTable("pipeline / image", "stage", "kind", "mean ms (1 caller)",
                "share of the request");
        StringBuilder skipped = new StringBuilder();
        StringBuilder samples = new StringBuilder();
        for (CaseResult r : results) {
            String label = new VisionCase(r.model(), r.image(), r.text()).label();
            if (r.skipped() != null) {
                skipped.append("- skipped ").append(label).append(": ").append(r.skipped()).append('\n');
                continue;
            }
            Latency one = r.single().latency();
            Latency many = r.concurrent().latency();
            latency.row(label, one.count(), one.meanMs(), one.p50Ms(), one.p90Ms(), RawOrtBench.round(r.single().perSecond()),
                    RawOrtBench.round(r.concurrent().perSecond()), many.p50Ms() + " / " + many.p90Ms());
            StageBreakdown.Means m = r.stages();
            shares.row(label, m.pluginMs(), m.modelMs(), RawOrtBench.round(m.totalMs() - m.pluginMs() - m.modelMs()),
                    percent(m.pluginMs(), one.meanMs()), percent(m.modelMs(), one.meanMs()));
            for (StageBreakdown.Stage s : m.stages()) {
                stages.row(label, s.name(), s.kind(), s.meanMs(), percent(s.meanMs(), one.meanMs()));
            }
            samples.append("- ").append(label).append(": `").append(abbreviate(r.sampleResult())).append("`\n");
        }
        return "## Vision and multimodal pipelines, in-process (" + cores + " cores)\n\n" + latency
                + "\n## WebAssembly plugins against ONNX Runtime (1 caller, mean per request)\n\n" + shares
                + "\n## Stages (1 caller)\n\n" + stages + "\n" + skipped
                + (skipped.isEmpty() ? "" : "\n") + "What each pipeline answered:\n\n" + samples;
    }

    private static String percent(double part, double whole) {
        return Math.round(1000.0 * part / whole) / 10.0 + " %";
    }

    private static String abbreviate(String json) {
        return json.length() <= 160 ? json : json.substring(0, 160) + "…";
    }

    /** A temporary models folder holding links to only the models the cases use: loading the rest costs time. */
    private static Path linkModels(Path models, Set<String> names) throws IOException {
        Path root = Files.createTempDirectory("corral-vision-models");
        for (String name : names) {
            Files.createSymbolicLink(root.resolve(name), models.resolve(name).toAbsolutePath());
        }
        return root;
    }

    private static void deleteLinks(Path root) throws IOException {
        try (Stream<Path> all = Files.list(root)) {
            for (Path link : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(link);
            }
        }
        Files.delete(root);
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
