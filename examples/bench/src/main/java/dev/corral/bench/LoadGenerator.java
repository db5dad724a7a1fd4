package dev.corral.bench;

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
import java.util.TreeMap;

/**
 * A closed-loop HTTP load generator: {@code --concurrency} connections, each sending the same
 * POST as soon as its previous response has arrived. Reports requests, errors (any status but
 * 200, or a failed exchange), throughput and latency percentiles of the measured period.
 *
 * <pre>
 * java -cp corral-bench.jar dev.corral.bench.LoadGenerator --url http://127.0.0.1:18080/infer/image \
 *     --file chelsea.png --content-type image/png --concurrency 8 --warmup-seconds 5 --seconds 20 [--json out.json]
 * </pre>
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    /** The numbers of one run; {@code statuses} counts every measured response by status (-1: the exchange failed). */
    public record Report(String url, int concurrency, double seconds, int requests, int errors,
                         double requestsPerSecond, Latency latency, Map<Integer, Integer> statuses) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv,
                Set.of("url", "file", "content-type", "concurrency", "warmup-seconds", "seconds", "json"));
        URI url = URI.create(args.required("url"));
        byte[] payload = Files.readAllBytes(Path.of(args.required("file")));
        String contentType = args.string("content-type", "application/octet-stream");
        int concurrency = args.integer("concurrency", 1);
        double warmup = args.decimal("warmup-seconds", 5);
        double seconds = args.decimal("seconds", 20);
        if (concurrency < 1 || warmup < 0 || seconds <= 0) {
            throw new IllegalArgumentException("--concurrency must be ≥ 1, --warmup-seconds ≥ 0 and --seconds > 0");
        }
        Report report = run(url, contentType, payload, concurrency, warmup, seconds);
        System.out.println(markdown(report));
        String json = args.string("json", null);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(json).toFile(), report);
        }
    }

    static Report run(URI url, String contentType, byte[] payload, int concurrency, double warmupSeconds,
                      double seconds) throws InterruptedException {
        long measureStart = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long measureEnd = measureStart + (long) (seconds * 1e9);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Worker w = new Worker(new KeepAliveConnection(url, contentType, payload), measureStart, measureEnd);
            workers.add(w);
            // Platform threads: one blocking connection each, so the client's own scheduling stays simple and cheap.
            w.thread = Thread.ofPlatform().name("load-" + i).start(w);
        }
        Samples all = new Samples();
        Map<Integer, Integer> statuses = new TreeMap<>();
        long lastEnd = measureStart;
        int errors = 0;
        for (Worker w : workers) {
            w.thread.join();
            all.addAll(w.okLatencies);
            w.statuses.forEach((status, n) -> statuses.merge(status, n, Integer::sum));
            errors += w.errors;
            lastEnd = Math.max(lastEnd, w.lastEnd);
        }
        int requests = statuses.values().stream().mapToInt(Integer::intValue).sum();
        double elapsed = (lastEnd - measureStart) / 1e9;
        return new Report(url.toString(), concurrency, round(elapsed), requests, errors,
                round(elapsed > 0 ? (requests - errors) / elapsed : 0), all.summary(), statuses);
    }

    static String markdown(Report r) {
        Latency l = r.latency();
        return new MarkdownTable("concurrency", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms")
                .row(r.concurrency(), r.requests(), r.errors(), r.requestsPerSecond(),
                        l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs())
                .toString();
    }

    private static double round(double value) {
        return Math.round(value * 10.0) / 10.0;
    }

    /** One connection's closed loop. Latency percentiles count successful (200) responses only. */
    private static final class Worker implements Runnable {
        private final KeepAliveConnection connection;
        private final long measureStart;
        private final long measureEnd;
        final Samples okLatencies = new Samples();
        final Map<Integer, Integer> statuses = new LinkedHashMap<>();
        int errors;
        long lastEnd;
        Thread thread;
        private String failure;

        Worker(KeepAliveConnection connection, long measureStart, long measureEnd) {
            this.connection = connection;
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
        }

        @Override
        public void run() {
            boolean reported = false;
            try (connection) {
                for (long now = System.nanoTime(); now < measureEnd; ) {
                    long before = now;
                    int status = exchange();
                    now = System.nanoTime();
                    if (before < measureStart) {
                        continue;
                    }
                    lastEnd = now;
                    statuses.merge(status, 1, Integer::sum);
                    if (status == 200) {
                        okLatencies.add(now - before);
                    } else {
                        errors++;
                        if (!reported) {
                            reported = true;
                            System.err.println("load: " + Thread.currentThread().getName() + " got "
                                    + (status < 0 ? "no response (" + failure + ")" : "status " + status + ": " + connection.lastBody()));
                        }
                    }
                }
            }
        }

        /** The response's status, or -1 when the exchange failed (the connection is reopened next time). */
        private int exchange() {
            try {
                return connection.exchange();
            } catch (IOException e) {
                failure = e.toString();
                return -1;
            }
        }
    }
}
