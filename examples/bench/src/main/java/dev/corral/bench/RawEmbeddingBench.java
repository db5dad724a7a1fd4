package dev.corral.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What dynamic batching can gain at most on this machine: ONNX Runtime alone (one caller, the
 * engine's session options) running the embedding model at batch 1 and at larger batches of
 * equal-length sequences, as the server's batcher stacks them. The ids are arbitrary BERT
 * word-piece ids between [CLS] and [SEP]: the run time depends on the shape, not on the values.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.RawEmbeddingBench \
 *     [--model models/all-minilm-l6-v2/all-minilm-l6-v2.onnx] [--sequence 12] [--batches 1,16] [--intra-op 1]
 *     [--scale 1.0] [--json examples/bench/target/results/raw-embedding.json]
 * </pre>
 */
public final class RawEmbeddingBench {
    private static final long CLS = 101;
    private static final long SEP = 102;
    private static final long FIRST_WORD_PIECE = 2000;

    /** One batch size's numbers. */
    record Row(int batch, Latency perBatch, double perEmbeddingMs, double embeddingsPerSecond) {
    }

    private RawEmbeddingBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("model", "sequence", "batches", "intra-op", "scale", "json"));
        Path model = args.path("model", "models/all-minilm-l6-v2/all-minilm-l6-v2.onnx");
        int sequence = args.integer("sequence", 12);
        int[] batches = Arrays.stream(args.string("batches", "1,16").split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
        int intraOp = args.integer("intra-op", 1);
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/results/raw-embedding.json");
        if (sequence < 2 || Arrays.stream(batches).anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--sequence must be ≥ 2 ([CLS] and [SEP]) and every batch ≥ 1");
        }
        Harness.Budget budget = new Harness.Budget(Duration.ofNanos((long) (scale * 2e9)),
                Duration.ofNanos((long) (scale * 4e9)), 3, 100_000);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Row> rows = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            if (intraOp > 0) {
                options.setIntraOpNumThreads(intraOp);
            }
            try (OrtSession session = env.createSession(model.toString(), options)) {
                for (int batch : batches) {
                    System.err.println("bench: all-minilm-l6-v2 alone, batch " + batch + "…");
                    rows.add(measure(env, session, batch, sequence, budget));
                }
            }
        }
        System.out.println(markdown(rows, sequence, intraOp));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.toString());
        report.put("sequence", sequence);
        report.put("intra_op_threads", intraOp);
        report.put("rows", rows);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
    }

    private static Row measure(OrtEnvironment env, OrtSession session, int batch, int sequence,
                               Harness.Budget budget) throws Exception {
        long[] shape = {batch, sequence};
        long[] ids = new long[batch * sequence];
        for (int row = 0; row < batch; row++) {
            for (int i = 0; i < sequence; i++) {
                ids[row * sequence + i] = i == 0 ? CLS : i == sequence - 1 ? SEP : FIRST_WORD_PIECE + i;
            }
        }
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        try (OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
             OnnxTensor typeIds = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape)) {
            Map<String, OnnxTensor> feed = Map.of("input_ids", inputIds, "attention_mask", mask, "token_type_ids", typeIds);
            Harness.Result r = Harness.sequential(() -> {
                try (OrtSession.Result out = session.run(feed)) {
                    return out.size();
                }
            }, budget, out -> { });
            return new Row(batch, r.latency(), RawOrtBench.round(r.latency().meanMs() / batch),
                    RawOrtBench.round(r.perSecond() * batch));
        }
    }

    private static String markdown(List<Row> rows, int sequence, int intraOp) {
        MarkdownTable table = new MarkdownTable("all-minilm-l6-v2 alone, intra-op " + intraOp + ", " + sequence
                + " tokens", "runs", "ms/batch (mean)", "p50", "ms/embedding", "embeddings/s");
        for (Row r : rows) {
            table.row("batch " + r.batch(), r.perBatch().count(), r.perBatch().meanMs(), r.perBatch().p50Ms(),
                    r.perEmbeddingMs(), r.embeddingsPerSecond());
        }
        return "## Embedding model alone (ONNX Runtime)\n\n" + table;
    }
}
