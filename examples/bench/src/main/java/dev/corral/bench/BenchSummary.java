package dev.corral.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The one table {@code run.sh} ends with: the headline numbers of PipelineBench and of the two
 * LoadGenerator runs against the server, its resident memory, and the two target ratios.
 */
public final class BenchSummary {
    private static final double THROUGHPUT_TARGET = 0.8;
    private static final double PLUGIN_SHARE_TARGET = 0.2;

    private BenchSummary() {
    }

    public static void main(String[] argv) throws IOException {
        BenchArgs args = new BenchArgs(argv, Set.of("pipeline", "load-c1", "load-cn", "rss-ready-kb", "rss-after-kb"));
        // A run with no successful request has NaN latencies, which Jackson writes as a bare NaN.
        JsonMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        JsonNode pipeline = json.readTree(Path.of(args.required("pipeline")).toFile());
        JsonNode c1 = json.readTree(Path.of(args.required("load-c1")).toFile());
        JsonNode cn = json.readTree(Path.of(args.required("load-cn")).toFile());
        System.out.println(table(pipeline, c1, cn, args.integer("rss-ready-kb", 0), args.integer("rss-after-kb", 0)));
    }

    static String table(JsonNode pipeline, JsonNode c1, JsonNode cn, int rssReadyKb, int rssAfterKb) {
        JsonNode compiled = pipeline.path("pipeline").path("compiled");
        JsonNode interpreted = pipeline.path("pipeline").path("interpreted");
        int callers = compiled.path("concurrent").path("callers").asInt();
        MarkdownTable t = new MarkdownTable("measure (" + pipeline.path("machine").path("cores").asInt()
                + " cores, " + pipeline.path("image").asText() + ")", "value", "target");
        for (JsonNode row : pipeline.path("raw_ort")) {
            int threads = row.path("intraOpThreads").asInt();
            t.row("raw ORT, intra-op " + (threads == 0 ? "all cores" : threads) + ", batch " + row.path("batch").asInt(),
                    f(row.path("perBatch").path("meanMs")) + " ms/batch, " + f(row.path("perImageMs")) + " ms/image, "
                            + f(row.path("imagesPerSecond")) + " images/s", "");
        }
        t.row("PNG decode (ImageIO)", f(pipeline.path("decode").path("latency").path("meanMs")) + " ms", "");
        JsonNode single = compiled.path("single");
        t.row("in-process pipeline, 1 caller", latency(single.path("latency")) + ", " + f(single.path("perSecond")) + " req/s", "");
        t.row("in-process pipeline, " + callers + " callers", latency(compiled.path("concurrent").path("latency"))
                + ", " + f(compiled.path("concurrent").path("perSecond")) + " req/s", "");
        t.row("in-process stages at 1 caller", stages(compiled.path("stages")), "");
        t.row("plugins pre + post, compiled", pluginTime(compiled), "");
        t.row("plugins pre + post, interpreted", pluginTime(interpreted), "");
        t.row("server, c=1", server(c1), "");
        t.row("server, c=" + cn.path("concurrency").asInt(), server(cn), "");
        t.row("server RSS when ready / after load", mib(rssReadyKb) + " / " + mib(rssAfterKb), "");

        double ceiling = compiled.path("concurrent").path("perSecond").asDouble();
        double throughputRatio = cn.path("requestsPerSecond").asDouble() / ceiling;
        t.row("server req/s at c=" + cn.path("concurrency").asInt() + " ÷ in-process req/s at " + callers + " callers",
                f(throughputRatio) + " " + verdict(throughputRatio >= THROUGHPUT_TARGET), "≥ " + THROUGHPUT_TARGET);
        double pluginShare = compiled.path("stages").path("pluginMs").asDouble() / c1.path("latency").path("meanMs").asDouble();
        t.row("plugins (pre + post) ÷ server mean latency at c=1", pct(pluginShare) + " "
                + verdict(pluginShare <= PLUGIN_SHARE_TARGET), "≤ " + pct(PLUGIN_SHARE_TARGET));
        return t.toString();
    }

    private static String stages(JsonNode s) {
        return "decode " + f(s.path("decodeMs")) + " / pre " + f(s.path("preMs")) + " / queue " + f(s.path("queueMs"))
                + " / infer " + f(s.path("inferMs")) + " / post " + f(s.path("postMs")) + " ms";
    }

    private static String pluginTime(JsonNode mode) {
        JsonNode stages = mode.path("stages");
        return f(stages.path("pluginMs")) + " ms (pre " + f(stages.path("preMs")) + " + post " + f(stages.path("postMs"))
                + "), " + pct(stages.path("pluginMs").asDouble() / mode.path("single").path("latency").path("meanMs").asDouble())
                + " of the pipeline";
    }

    private static String server(JsonNode load) {
        return latency(load.path("latency")) + ", " + f(load.path("requestsPerSecond")) + " req/s, "
                + load.path("errors").asInt() + " errors in " + load.path("requests").asInt();
    }

    static String latency(JsonNode l) {
        return "p50 " + f(l.path("p50Ms")) + " / p99 " + f(l.path("p99Ms")) + " / mean " + f(l.path("meanMs")) + " ms";
    }

    static String verdict(boolean met) {
        return met ? "(met)" : "(MISSED)";
    }

    static String f(JsonNode n) {
        return f(n.asDouble(Double.NaN));
    }

    static String f(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * ratio);
    }

    private static String mib(int kb) {
        return kb <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
    }
}
