package dev.corral.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The one table {@code text.sh} ends with: the raw greedy loop beside generation through the
 * server, where a server token's time goes, embeddings under load with and without dynamic
 * batching, and the two targets of the text benchmark.
 */
public final class TextBenchSummary {
    private static final double GENERATION_TARGET = 0.8;
    private static final double BATCHING_TARGET = 2.0;
    private static final String RAW_LOOP = "raw ORT loop";
    private static final String DECODER_LOOP = "Corral DecoderSession";

    private TextBenchSummary() {
    }

    public static void main(String[] argv) throws IOException {
        BenchArgs args = new BenchArgs(argv, Set.of("raw", "server-generation", "raw-embedding", "embed-batched",
                "embed-unbatched", "embedding-manifest", "load-average"));
        // A run with no successful request has NaN latencies, which Jackson writes as a bare NaN.
        JsonMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        System.out.println(table(json.readTree(Path.of(args.required("raw")).toFile()),
                json.readTree(Path.of(args.required("server-generation")).toFile()),
                json.readTree(Path.of(args.required("raw-embedding")).toFile()),
                json.readTree(Path.of(args.required("embed-batched")).toFile()),
                json.readTree(Path.of(args.required("embed-unbatched")).toFile()),
                json.readTree(Path.of(args.required("embedding-manifest")).toFile()),
                args.string("load-average", "n/a")));
    }

    static String table(JsonNode raw, JsonNode server, JsonNode rawEmbedding, JsonNode batched, JsonNode unbatched,
                        JsonNode embeddingManifest, String loadAverage) {
        JsonNode rawLoop = loop(raw, RAW_LOOP);
        JsonNode decoderLoop = loop(raw, DECODER_LOOP);
        JsonNode complete = server.path("complete");
        JsonNode stream = server.path("stream");
        JsonNode timings = complete.path("server");
        MarkdownTable t = new MarkdownTable("measure (" + raw.path("machine").path("cores").asInt()
                + " cores, load average before the run " + loadAverage + ")", "value", "target");
        t.row(rawLoop.path("loop").asText() + ", intra-op " + raw.path("intra_op_threads").asInt() + ", "
                + rawLoop.path("promptTokens").asInt() + " prompt + " + rawLoop.path("generatedTokens").asInt()
                + " tokens, greedy", loopValue(rawLoop), "");
        t.row("the same loop through " + decoderLoop.path("loop").asText(), loopValue(decoderLoop), "");
        t.row("server POST /infer/text, its timings (median of " + complete.path("requests").asInt() + ")",
                "TTFT " + BenchSummary.f(timings.path("timeToFirstTokenMs")) + " ms (prompt pipeline + prefill "
                        + BenchSummary.f(timings.path("promptMs")) + " ms), " + BenchSummary.f(timings.path("tokensPerSecond"))
                        + " tokens/s, sampler " + BenchSummary.f(timings.path("samplerMsPerToken")) + " ms/token, total "
                        + BenchSummary.f(timings.path("totalMs")) + " ms", "");
        t.row("server POST /infer/text, client round trip", "p50 " + BenchSummary.f(complete.path("client").path("p50Ms"))
                + " ms", "");
        t.row("server POST /infer/text/stream, client (" + stream.path("requests").asInt() + " requests)",
                "TTFT p50 " + BenchSummary.f(stream.path("clientTimeToFirstToken").path("p50Ms")) + " ms, "
                        + BenchSummary.f(stream.path("clientTokensPerSecondMedian")) + " tokens/s (median), [DONE] p50 "
                        + BenchSummary.f(stream.path("clientTotal").path("p50Ms")) + " ms", "");
        t.row("a server token's time", tokenSplit(timings, decoderLoop, raw.path("detokenize_per_token")), "");

        double rawRate = rawLoop.path("decodeTokensPerSecond").asDouble();
        double serverRatio = timings.path("tokensPerSecond").asDouble() / rawRate;
        t.row("server tokens/s (its timings) ÷ raw loop tokens/s", BenchSummary.f(serverRatio) + " "
                + BenchSummary.verdict(serverRatio >= GENERATION_TARGET), "≥ " + GENERATION_TARGET);
        t.row("streamed tokens/s (client) ÷ raw loop tokens/s",
                BenchSummary.f(stream.path("clientTokensPerSecondMedian").asDouble() / rawRate), "");

        t.row("all-minilm-l6-v2 alone (ORT, intra-op " + rawEmbedding.path("intra_op_threads").asInt() + ", "
                + rawEmbedding.path("sequence").asInt() + " tokens, 1 caller)", rawEmbedding(rawEmbedding.path("rows")), "");
        JsonNode batching = embeddingManifest.path("engine").path("batching");
        t.row("embeddings, c=" + batched.path("concurrency").asInt() + ", batching (max "
                + batching.path("max_batch_size").asInt() + ", delay " + batching.path("max_queue_delay_ms").asInt()
                + " ms)", embedding(batched), "");
        t.row("embeddings, c=" + unbatched.path("concurrency").asInt() + ", no batching (batch 1)", embedding(unbatched), "");
        double batchingRatio = batched.path("requestsPerSecond").asDouble() / unbatched.path("requestsPerSecond").asDouble();
        t.row("embeddings/s batched ÷ batch 1", BenchSummary.f(batchingRatio) + " "
                + BenchSummary.verdict(batchingRatio >= BATCHING_TARGET), "≥ " + BATCHING_TARGET);
        return t.toString();
    }

    private static JsonNode loop(JsonNode raw, String name) {
        for (JsonNode row : raw.path("loops")) {
            if (row.path("loop").asText().equals(name)) {
                return row;
            }
        }
        throw new IllegalArgumentException("the raw generation report has no loop named '" + name + "'");
    }

    private static String loopValue(JsonNode row) {
        return "TTFT p50 " + BenchSummary.f(row.path("timeToFirstToken").path("p50Ms")) + " ms, step p50 "
                + BenchSummary.f(row.path("step").path("p50Ms")) + " / mean " + BenchSummary.f(row.path("step").path("meanMs"))
                + " ms, " + BenchSummary.f(row.path("decodeTokensPerSecond")) + " tokens/s after the first ("
                + BenchSummary.f(row.path("tokensPerSecond")) + " end to end)";
    }

    /**
     * Splits the server's time per token (the inverse of its median tokens/s) into the model step
     * (DecoderSession's mean step, measured in-process), the sampler plugin call with its tensors
     * (the server's own figure), detokenizing (the same native call timed in-process) and the
     * rest: whatever the server pays beyond those in-process figures (stop matching, the sink,
     * contention with the rest of the JVM).
     */
    private static String tokenSplit(JsonNode timings, JsonNode decoderLoop, JsonNode detokenize) {
        double perToken = 1000 / timings.path("tokensPerSecond").asDouble();
        double step = decoderLoop.path("step").path("meanMs").asDouble();
        double sampler = timings.path("samplerMsPerToken").asDouble();
        double detok = detokenize.path("meanMs").asDouble();
        double rest = perToken - step - sampler - detok;
        return BenchSummary.f(perToken) + " ms = model step " + share(step, perToken) + " + sampler plugin "
                + share(sampler, perToken) + " + detokenize (in-process) " + share(detok, perToken) + " + the rest "
                + share(rest, perToken);
    }

    private static String share(double part, double whole) {
        return BenchSummary.f(part) + " (" + BenchSummary.pct(part / whole) + ")";
    }

    private static String rawEmbedding(JsonNode rows) {
        StringBuilder text = new StringBuilder();
        double single = Double.NaN;
        double best = 0;
        int bestBatch = 0;
        for (JsonNode row : rows) {
            double perSecond = row.path("embeddingsPerSecond").asDouble();
            if (row.path("batch").asInt() == 1) {
                single = perSecond;
            }
            if (perSecond > best) {
                best = perSecond;
                bestBatch = row.path("batch").asInt();
            }
            text.append(text.isEmpty() ? "" : ", ").append("batch ").append(row.path("batch").asInt()).append(' ')
                    .append(BenchSummary.f(perSecond)).append("/s");
        }
        return text + " embeddings: batch " + bestBatch + " ÷ batch 1 = " + BenchSummary.f(best / single)
                + ", the most batching can gain here";
    }

    private static String embedding(JsonNode load) {
        JsonNode l = load.path("latency");
        return BenchSummary.f(load.path("requestsPerSecond")) + " embeddings/s, p50 " + BenchSummary.f(l.path("p50Ms"))
                + " / p99 " + BenchSummary.f(l.path("p99Ms")) + " ms, " + load.path("errors").asInt() + " errors in "
                + load.path("requests").asInt();
    }
}
