package dev.corral.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Text generation through a running server, one request at a time: a warm-up long enough for
 * the JIT to compile the sampler plugin (it is WebAssembly compiled to JVM bytecode, called once
 * per token, and gets fast only after a few thousand calls), then greedy requests on
 * {@code POST /infer/text} (the server's own timings) and on {@code POST /infer/text/stream}
 * (time to first token and tokens per second as the client sees the events arrive).
 *
 * <pre>
 * java -cp examples/bench/target/corral-bench.jar dev.corral.bench.GenerationBench --server http://127.0.0.1:18080 \
 *     [--prompt "Once upon a time"] [--tokens 128] [--warmup-seconds 12] [--seconds 10] [--json generation-server.json]
 * </pre>
 */
public final class GenerationBench {
    private static final int MIN_REQUESTS = 5;

    /** Medians over the measured requests of what the server reported in {@code timings}. */
    record ServerTimings(double promptMs, double timeToFirstTokenMs, double tokensPerSecond,
                         double samplerMsPerToken, double totalMs) {
        static ServerTimings medianOf(List<JsonNode> timings) {
            return new ServerTimings(median(timings, t -> t.path("prompt_ms").asDouble()),
                    median(timings, t -> t.path("time_to_first_token_ms").asDouble()),
                    median(timings, t -> t.path("tokens_per_second").asDouble()),
                    median(timings, t -> t.path("sampler_ms_per_token").asDouble()),
                    median(timings, t -> t.path("total_ms").asDouble()));
        }
    }

    /** The non-streaming requests: the client's round trip and the server's timings. */
    record Completions(int requests, int minCompletionTokens, int maxCompletionTokens, Latency client,
                       ServerTimings server) {
    }

    /** The streaming requests: what the client measured, and the final events' timings. */
    record Streams(int requests, int minCompletionTokens, int maxCompletionTokens, Latency clientTimeToFirstToken,
                   double clientTokensPerSecondMedian, Latency clientTotal, ServerTimings server) {
    }

    record Report(String server, String prompt, int maxTokens, double warmupSeconds, int warmupRequests,
                  Completions complete, Streams stream) {
    }

    private GenerationBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("server", "prompt", "tokens", "warmup-seconds", "seconds", "json"));
        URI server = URI.create(args.required("server"));
        String prompt = args.string("prompt", "Once upon a time");
        int tokens = args.integer("tokens", 128);
        double warmup = args.decimal("warmup-seconds", 12);
        double seconds = args.decimal("seconds", 10);
        if (tokens < 2 || warmup < 0 || seconds <= 0) {
            throw new IllegalArgumentException("--tokens must be ≥ 2, --warmup-seconds ≥ 0 and --seconds > 0");
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", "stories260k");
        request.put("prompt", prompt);
        request.put("max_tokens", tokens);
        request.put("temperature", 0);
        GenerationClient client = new GenerationClient(server, json.writeValueAsBytes(request));

        progress("warm-up, " + warmup + " s of generations (streamed and not, alternately)");
        int warmupRequests = 0;
        for (long end = System.nanoTime() + (long) (warmup * 1e9); System.nanoTime() < end; warmupRequests += 2) {
            client.complete();
            client.stream();
        }
        progress("POST /infer/text, " + seconds + " s");
        Completions complete = completions(client, seconds);
        progress("POST /infer/text/stream, " + seconds + " s");
        Streams stream = streams(client, seconds);

        Report report = new Report(server.toString(), prompt, tokens, warmup, warmupRequests, complete, stream);
        System.out.println(markdown(report));
        Path out = args.path("json", "examples/bench/target/results/generation-server.json");
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    }

    private static Completions completions(GenerationClient client, double seconds) throws IOException {
        Samples clientNanos = new Samples();
        List<JsonNode> timings = new ArrayList<>();
        int[] tokens = {Integer.MAX_VALUE, 0};
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || timings.size() < MIN_REQUESTS) {
            GenerationClient.Completion c = client.complete();
            clientNanos.add(c.clientNanos());
            timings.add(c.timings());
            count(tokens, c.completionTokens());
        }
        return new Completions(timings.size(), tokens[0], tokens[1], clientNanos.summary(),
                ServerTimings.medianOf(timings));
    }

    private static Streams streams(GenerationClient client, double seconds) throws IOException {
        Samples firstToken = new Samples();
        Samples total = new Samples();
        List<Double> tokensPerSecond = new ArrayList<>();
        List<JsonNode> timings = new ArrayList<>();
        int[] tokens = {Integer.MAX_VALUE, 0};
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || timings.size() < MIN_REQUESTS) {
            GenerationClient.Streamed s = client.stream();
            firstToken.add(s.firstTokenNanos());
            total.add(s.totalNanos());
            tokensPerSecond.add(s.tokensPerSecond());
            timings.add(s.timings());
            count(tokens, s.completionTokens());
        }
        return new Streams(timings.size(), tokens[0], tokens[1], firstToken.summary(),
                median(tokensPerSecond, Double::doubleValue), total.summary(), ServerTimings.medianOf(timings));
    }

    /** Keeps the fewest and the most tokens a request generated: fewer than asked means an early end of text. */
    private static void count(int[] minMax, int completionTokens) {
        minMax[0] = Math.min(minMax[0], completionTokens);
        minMax[1] = Math.max(minMax[1], completionTokens);
    }

    private static <T> double median(List<T> values, ToDoubleFunction<T> value) {
        double[] sorted = values.stream().mapToDouble(value).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String markdown(Report r) {
        Completions c = r.complete();
        Streams s = r.stream();
        MarkdownTable table = new MarkdownTable("stories260k, greedy, " + r.maxTokens() + " tokens", "requests",
                "TTFT ms", "tokens/s", "sampler ms/token", "prompt ms", "total ms");
        table.row("POST /infer/text, server timings", c.requests(), BenchSummary.f(c.server().timeToFirstTokenMs()),
                BenchSummary.f(c.server().tokensPerSecond()), BenchSummary.f(c.server().samplerMsPerToken()),
                BenchSummary.f(c.server().promptMs()), BenchSummary.f(c.server().totalMs()));
        table.row("POST /infer/text, client round trip", c.requests(), "", "", "", "", BenchSummary.f(c.client().p50Ms()));
        table.row("POST /infer/text/stream, server timings", s.requests(), BenchSummary.f(s.server().timeToFirstTokenMs()),
                BenchSummary.f(s.server().tokensPerSecond()), BenchSummary.f(s.server().samplerMsPerToken()),
                BenchSummary.f(s.server().promptMs()), BenchSummary.f(s.server().totalMs()));
        table.row("POST /infer/text/stream, client (events read)", s.requests(),
                BenchSummary.f(s.clientTimeToFirstToken().p50Ms()), BenchSummary.f(s.clientTokensPerSecondMedian()), "", "",
                BenchSummary.f(s.clientTotal().p50Ms()));
        return "## Generation through the server\n\nMedians of the server's timings; the client's times are p50s.\n\n"
                + table + "\nTokens generated per request: "
                + tokenRange(c, s) + " (asked " + r.maxTokens() + "). Warm-up: " + r.warmupRequests()
                + " requests in " + r.warmupSeconds() + " s.\n";
    }

    private static String tokenRange(Completions c, Streams s) {
        int min = Math.min(c.minCompletionTokens(), s.minCompletionTokens());
        int max = Math.max(c.maxCompletionTokens(), s.maxCompletionTokens());
        return min == max ? String.valueOf(min) : min + "–" + max;
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
