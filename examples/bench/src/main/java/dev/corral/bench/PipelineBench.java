package dev.corral.bench;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Corral's costs on this machine, layer by layer, in one run: raw ONNX Runtime on a ready tensor,
 * PNG decoding, and the whole in-process pipeline (decode + WASM pre + ORT + WASM post) without
 * HTTP, alone and under concurrent callers, in both sandbox modes. Prints markdown tables and
 * writes the same numbers as JSON ({@code --json}). It measures; it asserts nothing.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.PipelineBench \
 *     [--models models] [--model mobilenetv2] [--image ../shared/testdata/images/chelsea.png]
 *     [--callers 8] [--scale 1.0] [--json examples/bench/target/pipeline.json]
 * </pre>
 * {@code --scale} multiplies every warm-up and measuring period (0.2 for a quick look).
 */
public final class PipelineBench {
    private static final long DECODE_MAX_PIXELS = 100_000_000L;

    private PipelineBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("models", "model", "image", "callers", "scale", "json"));
        Path models = args.path("models", "models");
        String modelName = args.string("model", "mobilenetv2");
        Path image = args.path("image", "../shared/testdata/images/chelsea.png");
        int callers = args.integer("callers", 8);
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/pipeline.json");
        byte[] png = Files.readAllBytes(image);
        int cores = Runtime.getRuntime().availableProcessors();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", Map.of("cores", cores, "java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "onnxruntime", OrtEnvironment.getEnvironment().getVersion()));
        report.put("image", image.getFileName().toString());

        progress("raw ONNX Runtime");
        List<RawOrtBench.Row> raw = RawOrtBench.run(onnxFile(models.resolve(modelName)), new int[] {1, 0},
                new int[] {1, 8}, Harness.Budget.scaled(scale, 1, 3, 10, 100_000));
        report.put("raw_ort", raw);

        progress("image decode");
        ImageDecoder decoder = new ImageDecoder(DECODE_MAX_PIXELS);
        Tensor decoded = decoder.decode(png, image.getFileName().toString());
        Harness.Result decode = Harness.sequential(() -> decoder.decode(png, "bench"),
                Harness.Budget.scaled(scale, 1, 2, 10, 100_000), t -> { });
        report.put("decode", Map.of("shape", Arrays.toString(decoded.shape()), "latency", decode.latency()));

        InProcessPipelineBench pipeline = new InProcessPipelineBench(models, modelName, png,
                image.getFileName().toString(), cores);
        progress("in-process pipeline, compiled sandbox");
        InProcessPipelineBench.ModeResult compiled = pipeline.compiled(
                Harness.Budget.scaled(scale, 3, 6, 20, 100_000), callers, Harness.seconds(scale, 3), Harness.seconds(scale, 15));
        progress("in-process pipeline, interpreted sandbox");
        InProcessPipelineBench.ModeResult interpreted = pipeline.interpreted(Harness.Budget.scaled(scale, 0, 3, 3, 1_000));
        report.put("pipeline", Map.of("compiled", compiled, "interpreted", interpreted));

        System.out.println(markdown(cores, raw, decode, decoded, compiled, interpreted, callers));
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
        progress("wrote " + jsonOut);
    }

    private static String markdown(int cores, List<RawOrtBench.Row> raw, Harness.Result decode, Tensor decoded,
                                   InProcessPipelineBench.ModeResult compiled,
                                   InProcessPipelineBench.ModeResult interpreted, int callers) {
        MarkdownTable ort = new MarkdownTable("raw ORT session.run", "mean ms/batch", "p50", "p99",
                "ms/image", "images/s");
        for (RawOrtBench.Row r : raw) {
            ort.row("intra-op " + (r.intraOpThreads() == 0 ? "all (" + cores + " cores)" : r.intraOpThreads())
                            + ", batch " + r.batch(), r.perBatch().meanMs(), r.perBatch().p50Ms(), r.perBatch().p99Ms(),
                    r.perImageMs(), r.imagesPerSecond());
        }
        MarkdownTable ops = new MarkdownTable("operation", "calls", "mean ms", "p50 ms", "p99 ms", "per s");
        ops.row("PNG decode " + Arrays.toString(decoded.shape()), decode.latency().count(), decode.latency().meanMs(),
                decode.latency().p50Ms(), decode.latency().p99Ms(), RawOrtBench.round(decode.perSecond()));
        for (InProcessPipelineBench.ModeResult mode : List.of(compiled, interpreted)) {
            addPipelineRow(ops, "pipeline " + mode.mode() + ", 1 caller", mode.single());
            if (mode.concurrent() != null) {
                addPipelineRow(ops, "pipeline " + mode.mode() + ", " + callers + " callers", mode.concurrent());
            }
        }
        MarkdownTable stages = new MarkdownTable("stage means (ms)", "decode", "plugin pre", "queue",
                "infer", "plugin post", "plugins pre+post", "share of pipeline");
        for (InProcessPipelineBench.ModeResult mode : List.of(compiled, interpreted)) {
            addStagesRow(stages, mode.mode() + ", 1 caller", mode.stages(), mode.single());
            if (mode.concurrent() != null) {
                addStagesRow(stages, mode.mode() + ", " + callers + " callers", mode.concurrentStages(), mode.concurrent());
            }
        }
        return "## Raw ONNX Runtime (" + cores + " cores)\n\n" + ort + "\n## Decode and in-process pipeline\n\n" + ops
                + "\n## Where a request's time goes\n\n" + stages + "\nWhat the pipeline answered (compiled): `"
                + abbreviate(compiled.sampleResult()) + "`\n";
    }

    private static void addStagesRow(MarkdownTable table, String label, InProcessPipelineBench.Stages s,
                                     Harness.Result whole) {
        table.row(label, s.decodeMs(), s.preMs(), s.queueMs(), s.inferMs(), s.postMs(), s.pluginMs(),
                Math.round(1000.0 * s.pluginMs() / whole.latency().meanMs()) / 10.0 + " %");
    }

    private static void addPipelineRow(MarkdownTable table, String label, Harness.Result r) {
        table.row(label, r.latency().count(), r.latency().meanMs(), r.latency().p50Ms(), r.latency().p99Ms(),
                RawOrtBench.round(r.perSecond()));
    }

    private static String abbreviate(String json) {
        return json.length() <= 200 ? json : json.substring(0, 200) + "…";
    }

    /** The model's one {@code .onnx} file, as {@code corral fetch} put it in the model's folder. */
    private static Path onnxFile(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("no model folder " + modelDir.toAbsolutePath()
                    + " (run ./corral fetch first, or pass --models and --model)");
        }
        try (Stream<Path> files = Files.list(modelDir)) {
            List<Path> onnx = files.filter(f -> f.getFileName().toString().endsWith(".onnx")).toList();
            if (onnx.size() != 1) {
                throw new IllegalArgumentException("expected exactly one .onnx file in " + modelDir.toAbsolutePath()
                        + ", found " + onnx.size() + " (run ./corral fetch first)");
            }
            return onnx.getFirst();
        }
    }


    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
