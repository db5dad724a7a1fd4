package dev.corral.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.pipeline.PipelineState;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * What the sandbox costs on the heaviest post-processing step of the vision pipelines:
 * {@code ctc-decode} (ppocr-v4's {@code rec-post}) against {@link PlainJavaCtcDecode}, the same
 * algorithm in plain Java, on the same inputs: the tensors the step really gets, captured by
 * running ppocr-v4's earlier steps on an image. Checks that both give the same lines (text,
 * confidence, box), then times the plugin compiled to JVM bytecode (as served), the plain Java,
 * and on one line only, the plugin in Chicory's interpreter.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.CtcDecodeComparison \
 *     [--models models] [--image ../shared/testdata/images/page.png] [--scale 1.0] [--json out.json]
 * </pre>
 */
public final class CtcDecodeComparison {
    private static final String MODEL = "ppocr-v4";
    private static final String STEP = "rec-post";
    private static final String ENTRY = "decode";
    private static final String PROBABILITIES = "softmax_11.tmp_0";
    private static final double DROP_SCORE = 0.5;

    /** The two results side by side: equal when the texts match and the numbers are within the tolerances. */
    record Agreement(int pluginLines, int plainLines, boolean textsEqual, double maxConfidenceDiff, double maxBoxDiffPx) {
        boolean agrees() {
            return pluginLines == plainLines && textsEqual && maxConfidenceDiff <= 1e-6 && maxBoxDiffPx <= 0.1;
        }
    }

    /** One timed variant. */
    record Timing(String what, String input, Latency latency) {
    }

    private CtcDecodeComparison() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("models", "image", "scale", "json"));
        Path models = args.path("models", "models");
        Path imageFile = args.path("image", "../shared/testdata/images/page.png");
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/results/vision-ctc.json");
        Tensor image = new ImageDecoder(100_000_000L).decode(Files.readAllBytes(imageFile), imageFile.toString());
        int cores = Runtime.getRuntime().availableProcessors();

        List<Timing> timings = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Tensor> all;
        Map<String, Tensor> oneLine;
        try (ModelServer server = new ModelServer(SandboxMode.COMPILED, cores)) {
            server.loadAll(modelsWith(models));
            LoadedModel model = server.models().resolve(MODEL, "image");
            Parameters options = model.parseOptions(Map.of());
            all = inputsOf(model, image, options);
            oneLine = firstLine(all);
            Plugin plugin = pluginOf(model);
            PlainJavaCtcDecode plain = new PlainJavaCtcDecode(Files.readString(
                    model.manifest().resolve(model.manifest().files().get("keys"))), true);
            Tensor probs = all.get(PROBABILITIES);
            report.put("input", Map.of(PROBABILITIES, probs.toString(), "text_boxes", all.get("text_boxes").toString(),
                    "image", imageFile.getFileName().toString()));

            Agreement agreement = compare(plugin.call(ENTRY, all, options), plain.decode(probs, all.get("text_boxes"), DROP_SCORE));
            report.put("agreement", agreement);
            System.out.println(agreementText(agreement));

            progress("timing the compiled plugin and plain Java");
            timings.add(time("plugin, compiled (as served)", all, () -> plugin.call(ENTRY, all, options), scale));
            timings.add(time("plain Java", all, () -> plain.decode(probs, all.get("text_boxes"), DROP_SCORE), scale));
            timings.add(time("plugin, compiled (as served)", oneLine, () -> plugin.call(ENTRY, oneLine, options), scale));
            timings.add(time("plain Java", oneLine,
                    () -> plain.decode(oneLine.get(PROBABILITIES), oneLine.get("text_boxes"), DROP_SCORE), scale));
        }
        progress("timing the interpreted plugin on one line");
        try (RelaxedDeadlineCopy relaxed = new RelaxedDeadlineCopy(models, MODEL);
             ModelServer server = new ModelServer(SandboxMode.INTERPRETED, cores)) {
            server.loadAll(relaxed.modelsDir());
            LoadedModel model = server.models().resolve(MODEL, "image");
            Parameters options = model.parseOptions(Map.of());
            Plugin plugin = pluginOf(model);
            Harness.Result r = Harness.sequential(() -> plugin.call(ENTRY, oneLine, options),
                    new Harness.Budget(Duration.ZERO, Harness.seconds(scale, 3), 2, 20), out -> { });
            timings.add(new Timing("plugin, interpreted", describe(oneLine), r.latency()));
        }
        report.put("timings", timings);
        System.out.println(timingTable(timings));
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
        progress("wrote " + jsonOut);
    }

    /** The tensors the step gets: ppocr-v4's steps before it, run on the image. */
    private static Map<String, Tensor> inputsOf(LoadedModel model, Tensor image, Parameters options) {
        PipelineState state = new PipelineState(Map.of("image", image));
        StageTimings ignored = new StageTimings();
        for (PipelineStep step : model.pipeline().steps()) {
            if (step.name().equals(STEP)) {
                if (!state.tensors().containsKey(PROBABILITIES)) {
                    throw new IllegalStateException("the image gave no text lines, so there is nothing to decode: "
                            + state.describe());
                }
                return Map.copyOf(state.tensors());
            }
            step.run(state, options, ignored);
        }
        throw new IllegalStateException(MODEL + " has no step '" + STEP + "'");
    }

    private static Plugin pluginOf(LoadedModel model) {
        for (PipelineStep step : model.pipeline().steps()) {
            if (step.name().equals(STEP) && step instanceof PluginStep p) {
                return p.plugin();
            }
        }
        throw new IllegalStateException(MODEL + " has no plugin step '" + STEP + "'");
    }

    /** The same inputs cut to the first text line: small enough for the interpreter. */
    private static Map<String, Tensor> firstLine(Map<String, Tensor> all) {
        Map<String, Tensor> one = new LinkedHashMap<>(all);
        for (String name : List.of(PROBABILITIES, "text_boxes", "text_box_scores")) {
            Tensor t = all.get(name);
            long[] shape = t.shape().clone();
            int rowBytes = (int) (t.byteSize() / shape[0]);
            shape[0] = 1;
            byte[] row = new byte[rowBytes];
            t.data().get(0, row);
            one.put(name, Tensor.of(t.dtype(), shape, row));
        }
        return one;
    }

    private static Agreement compare(PluginOutput plugin, PlainJavaCtcDecode.Decoded plain) {
        List<String> texts = textList(plugin.tensors().get("line_texts"));
        float[] scores = floats(plugin.tensors().get("line_scores"));
        float[] boxes = floats(plugin.tensors().get("line_boxes"));
        List<PlainJavaCtcDecode.Line> lines = plain.lines();
        boolean textsEqual = texts.size() == lines.size();
        double confidence = 0;
        double box = 0;
        for (int i = 0; i < Math.min(texts.size(), lines.size()); i++) {
            PlainJavaCtcDecode.Line line = lines.get(i);
            textsEqual &= texts.get(i).equals(line.text());
            confidence = Math.max(confidence, Math.abs(scores[i] - line.confidence()));
            for (int k = 0; k < 8; k++) {
                box = Math.max(box, Math.abs(boxes[i * 8 + k] - line.box()[k]));
            }
        }
        return new Agreement(texts.size(), lines.size(), textsEqual, confidence, box);
    }

    /** A text list tensor (u32 LE length, then UTF-8 bytes, back to back) as strings. */
    private static List<String> textList(Tensor t) {
        ByteBuffer b = t.data().order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        for (int at = 0; at < b.limit(); ) {
            int len = b.getInt(at);
            byte[] utf8 = new byte[len];
            b.get(at + 4, utf8);
            out.add(new String(utf8, StandardCharsets.UTF_8));
            at += 4 + len;
        }
        return out;
    }

    private static float[] floats(Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalStateException("expected float32, got " + t);
        }
        float[] out = new float[(int) t.elementCount()];
        t.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static Timing time(String what, Map<String, Tensor> inputs, Callable<?> op, double scale) throws Exception {
        Harness.Result r = Harness.sequential(op, Harness.Budget.scaled(scale, 3, 4, 10, 100_000),
                out -> { });
        return new Timing(what, describe(inputs), r.latency());
    }

    private static String describe(Map<String, Tensor> inputs) {
        long lines = inputs.get("text_boxes").dim(0);
        return lines + (lines == 1 ? " line, " : " lines, ") + PROBABILITIES + " " + inputs.get(PROBABILITIES);
    }

    private static String agreementText(Agreement a) {
        return "## ctc-decode plugin vs plain Java: same result?\n\n" + new MarkdownTable("check", "value")
                .row("lines (plugin / plain Java)", a.pluginLines() + " / " + a.plainLines())
                .row("every text equal", a.textsEqual())
                .row("largest confidence difference", a.maxConfidenceDiff())
                .row("largest box coordinate difference (px)", a.maxBoxDiffPx())
                .row("agree (texts equal, confidence within 1e-6, boxes within 0.1 px)", a.agrees() ? "yes" : "NO");
    }

    private static String timingTable(List<Timing> timings) {
        MarkdownTable t = new MarkdownTable("ctc-decode", "input", "calls", "mean ms", "p50 ms", "p90 ms");
        for (Timing timing : timings) {
            Latency l = timing.latency();
            t.row(timing.what(), timing.input(), l.count(), l.meanMs(), l.p50Ms(), l.p90Ms());
        }
        return "## ctc-decode: the sandbox's cost\n\n" + t;
    }

    /** A temporary models folder with a link to ppocr-v4 only. */
    private static Path modelsWith(Path models) throws java.io.IOException {
        Path root = Files.createTempDirectory("corral-ctc-models");
        Files.createSymbolicLink(root.resolve(MODEL), models.resolve(MODEL).toAbsolutePath());
        root.toFile().deleteOnExit();
        root.resolve(MODEL).toFile().deleteOnExit();
        return root;
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
