package dev.corral.bench;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.corral.host.engine.DecoderSession;
import dev.corral.host.engine.DecoderState;
import dev.corral.host.engine.Device;
import dev.corral.host.engine.EngineOptions;
import dev.corral.host.engine.InferenceEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * The token loop's floor on this machine: greedy generation on stories260K (prompt, then one
 * token per run, KV cache fed back) written directly against ONNX Runtime, and the same loop
 * through Corral's {@link DecoderSession}, one generation at a time. Reports time to first token
 * and tokens per second; asserts nothing, but says whether both loops produced the same ids.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.RawGenerationBench \
 *     [--model models/stories260k/stories260K.onnx] [--prompt-ids 1,403,407,261,378] [--tokens 128]
 *     [--intra-op 1] [--scale 1.0] [--json examples/bench/target/results/generation.json] [--tokenizer …/tokenizer.json]
 * </pre>
 * The default prompt is "Once upon a time" as the model's tokenizer encodes it (BOS first).
 * {@code --model} defaults to the catalog's copy, else the shared mirror's; {@code --tokenizer} to
 * the {@code tokenizer.json} beside it. Also times the server's per-token detokenizing call
 * ({@link DetokenizeCost}) over the generated ids.
 */
public final class RawGenerationBench {
    /** What one loop measured over its measured generations. */
    record Row(String loop, int generations, int promptTokens, int generatedTokens, Latency timeToFirstToken,
               Latency step, double decodeTokensPerSecond, double tokensPerSecond) {
    }

    private RawGenerationBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("model", "tokenizer", "prompt-ids", "tokens", "intra-op", "scale", "json"));
        Path model = args.path("model", defaultModel());
        long[] prompt = Arrays.stream(args.string("prompt-ids", "1,403,407,261,378").split(","))
                .map(String::trim).mapToLong(Long::parseLong).toArray();
        int tokens = args.integer("tokens", 128);
        int intraOp = args.integer("intra-op", 1);
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/results/generation.json");
        Path tokenizer = args.path("tokenizer", model.resolveSibling("tokenizer.json").toString());
        if (tokens < 2) {
            throw new IllegalArgumentException("--tokens must be at least 2 (the first token and one step), got " + tokens);
        }
        Harness.Budget budget = Harness.Budget.scaled(scale, 2, 8, 3, 100_000);

        List<Row> rows = new ArrayList<>();
        Map<String, long[]> ids = new LinkedHashMap<>();
        progress("raw ONNX Runtime greedy loop");
        try (RawGreedyLoop raw = new RawGreedyLoop(model, intraOp)) {
            rows.add(measure("raw ORT loop", prompt, tokens, budget, () -> raw.generate(prompt, tokens), ids));
        }
        progress("Corral DecoderSession greedy loop");
        try (InferenceEngine engine = new InferenceEngine(1);
             DecoderSession decoder = engine.loadDecoder("stories260k", model,
                     new EngineOptions(Device.CPU, false, intraOp, null, EngineOptions.DEFAULT_MAX_QUEUE_SIZE))) {
            rows.add(measure("Corral DecoderSession", prompt, tokens, budget,
                    () -> generate(decoder, prompt, tokens), ids));
        }
        boolean same = Arrays.equals(ids.get("raw ORT loop"), ids.get("Corral DecoderSession"));
        progress("detokenizing, as the server's token loop does");
        Latency detokenize = DetokenizeCost.measure(tokenizer, prompt, ids.get("raw ORT loop"),
                Harness.Budget.scaled(scale, 1, 3, 1, Integer.MAX_VALUE));

        System.out.println(markdown(rows, intraOp, same, ids.get("raw ORT loop"), detokenize));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "onnxruntime", OrtEnvironment.getEnvironment().getVersion()));
        report.put("model", model.toString());
        report.put("prompt_ids", prompt);
        report.put("intra_op_threads", intraOp);
        report.put("loops", rows);
        report.put("same_ids", same);
        report.put("generated_ids", ids.get("raw ORT loop"));
        report.put("detokenize_per_token", detokenize);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
        progress("wrote " + jsonOut);
    }

    private static String defaultModel() {
        Path fetched = Path.of("models/stories260k/stories260K.onnx");
        return (Files.isRegularFile(fetched) ? fetched : Path.of("../shared/models/stories260k/stories260K.onnx"))
                .toString();
    }

    /** The same greedy loop as {@link RawGreedyLoop#generate}, through Corral's decoder. */
    private static GreedyGeneration generate(DecoderSession decoder, long[] prompt, int tokens) {
        long start = System.nanoTime();
        long[] ids = new long[tokens];
        long[] stepNanos = new long[tokens - 1];
        try (DecoderState state = decoder.start(prompt)) {
            ids[0] = argmax(state.logits());
            long firstToken = System.nanoTime() - start;
            for (int i = 1; i < tokens; i++) {
                long stepStart = System.nanoTime();
                ids[i] = argmax(state.next(ids[i - 1]));
                stepNanos[i - 1] = System.nanoTime() - stepStart;
            }
            return new GreedyGeneration(ids, firstToken, stepNanos, System.nanoTime() - start);
        }
    }

    private static long argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Generates back to back on a platform thread (as the server's generations run) for the
     * budget's warm-up, then its measuring time, and summarises the measured generations.
     */
    private static Row measure(String loop, long[] prompt, int tokens, Harness.Budget budget,
                               Callable<GreedyGeneration> generation, Map<String, long[]> ids) throws Exception {
        Samples firstToken = new Samples();
        Samples steps = new Samples();
        long[] totals = new long[2]; // generated tokens, nanos
        FutureTask<Harness.Result> run = new FutureTask<>(() -> Harness.sequential(generation, budget, g -> {
            firstToken.add(g.firstTokenNanos());
            Arrays.stream(g.stepNanos()).forEach(steps::add);
            totals[0] += g.ids().length;
            totals[1] += g.totalNanos();
            ids.put(loop, g.ids());
        }));
        Thread.ofPlatform().name("bench-" + loop).start(run);
        Harness.Result result = run.get();
        Latency step = steps.summary();
        return new Row(loop, result.latency().count(), prompt.length, tokens, firstToken.summary(), step,
                RawOrtBench.round(1000.0 / step.meanMs()), RawOrtBench.round(totals[0] * 1e9 / totals[1]));
    }

    private static String markdown(List<Row> rows, int intraOp, boolean same, long[] ids, Latency detokenize) {
        MarkdownTable table = new MarkdownTable("greedy loop (intra-op " + intraOp + ")", "generations",
                "TTFT mean ms", "TTFT p50", "step mean ms", "step p50", "step p99", "decode tokens/s",
                "end-to-end tokens/s");
        for (Row r : rows) {
            table.row(r.loop() + ", " + r.promptTokens() + " prompt + " + r.generatedTokens() + " tokens",
                    r.generations(), r.timeToFirstToken().meanMs(), r.timeToFirstToken().p50Ms(), r.step().meanMs(),
                    r.step().p50Ms(), r.step().p99Ms(), r.decodeTokensPerSecond(), r.tokensPerSecond());
        }
        return "## Greedy generation, stories260K\n\n" + table + "\nBoth loops produced the same ids: "
                + (same ? "yes" : "NO — one of them is broken") + ". First ids: "
                + Arrays.toString(Arrays.copyOf(ids, Math.min(ids.length, 12))) + "\n\nDetokenizing, per token (two "
                + "windows in one native call, as the server's token loop does): mean " + detokenize.meanMs()
                + " ms, p50 " + detokenize.p50Ms() + " ms, p99 " + detokenize.p99Ms() + " ms.\n";
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
