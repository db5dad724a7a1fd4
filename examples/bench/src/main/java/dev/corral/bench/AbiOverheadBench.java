package dev.corral.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * What the plugin ABI itself costs per call, compiled to JVM bytecode and in Chicory's
 * interpreter: the entry points of {@code abi-probe.wasm} do nothing but cross the boundary
 * (no call, one input_read, a tensor's round trip, a JSON result), called through the real
 * {@link PluginRuntime} as a pipeline step calls a plugin. Then plain Java copies of 1 MiB, the
 * floor under any data crossing. Inputs are float32, 1 MiB being {@code float32 [262144]}.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/bench/target/corral-bench.jar dev.corral.bench.AbiOverheadBench \
 *     [--scale 1.0] [--json out.json] [--load-average "0.50 0.40 0.30"]
 * </pre>
 */
public final class AbiOverheadBench {
    private static final String PROBE = "/abi-probe.wasm";
    private static final int KIB = 1 << 10;
    private static final int MIB = 1 << 20;
    private static final double WARMUP_SECONDS = 1.5;
    private static final double MEASURE_SECONDS = 3;

    /**
     * One row of the table: an entry point called on some inputs.
     *
     * @param bytesAcross data that crosses the boundary per call (in + out), for GB/s; 0 where none does
     */
    private record Case(String label, String entry, Map<String, Tensor> inputs, long bytesAcross) {
    }

    /** One measured row: a case in one sandbox mode, or a plain Java copy (mode {@code "host Java"}). */
    record Row(String row, String mode, long bytesAcross, Latency latency, Double gbPerSecond, Double watchdogCpuNsPerCall) {
    }

    /**
     * CPU time of the runtime's deadline watchdog thread, found by its name: arming a deadline
     * wakes it, so part of a call's cost is spent there, on another core, and not in the
     * caller's latency.
     */
    private record WatchdogClock(long threadId) {
        private static final String THREAD_NAME = "corral-plugin-watchdog";

        /** The newest live watchdog (a closed runtime's may not have ended yet). */
        static WatchdogClock find() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getName().equals(THREAD_NAME))
                    .map(t -> new WatchdogClock(t.threadId()))
                    .max(Comparator.comparingLong(WatchdogClock::threadId))
                    .orElseThrow(() -> new IllegalStateException("no live thread named '" + THREAD_NAME
                            + "': has PluginRuntime's watchdog been renamed?"));
        }

        long cpuNanos() {
            return ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId);
        }
    }

    private AbiOverheadBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv, Set.of("scale", "json", "load-average"));
        double scale = args.decimal("scale", 1.0);
        Path jsonOut = args.path("json", "examples/bench/target/results/abi.json");
        String loadAverage = args.string("load-average", "n/a");
        Harness.Budget budget = Harness.Budget.scaled(scale, WARMUP_SECONDS, MEASURE_SECONDS, 100, 5_000_000);
        byte[] wasm = probe();
        List<Case> cases = cases();

        List<Row> rows = new ArrayList<>();
        for (SandboxMode mode : SandboxMode.values()) {
            System.err.println("bench: " + mode.name().toLowerCase() + " sandbox, " + cases.size() + " rows…");
            rows.addAll(measure(mode, wasm, cases, budget));
        }
        System.err.println("bench: plain Java copies of 1 MiB…");
        rows.addAll(copies(budget));

        System.out.println(markdown(cases, rows, loadAverage));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("loadAverage", loadAverage);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("warmupSeconds", budget.warmup().toNanos() / 1e9);
        report.put("measureSeconds", budget.measure().toNanos() / 1e9);
        report.put("rows", rows);
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), report);
        System.err.println("bench: wrote " + jsonOut);
    }

    private static List<Case> cases() {
        Map<String, Tensor> oneMib = input(MIB);
        return List.of(
                new Case("empty entry, no inputs", "empty", Map.of(), 0),
                new Case("empty entry, 1 MiB input present (not read)", "empty", oneMib, 0),
                new Case("read 1 MiB (one input_read)", "read", oneMib, MIB),
                new Case("echo 1 KiB in + 1 KiB out", "echo", input(KIB), 2L * KIB),
                new Case("echo 64 KiB in + 64 KiB out", "echo", input(64 * KIB), 2L * 64 * KIB),
                new Case("echo 1 MiB in + 1 MiB out", "echo", oneMib, 2L * MIB),
                new Case("json output ({\"ok\":true})", "json", Map.of(), 0));
    }

    /** Loads the probe in {@code mode}, checks what each case's entry writes, then times every case. */
    private static List<Row> measure(SandboxMode mode, byte[] wasm, List<Case> cases, Harness.Budget budget)
            throws Exception {
        // A deadline no row comes near: the interpreter's first calls are slow, and a missed
        // deadline would end the run, not time it.
        PluginLimits limits = PluginLimits.defaults().withDeadline(Duration.ofSeconds(30))
                .withMaxOutputBytes(4L * MIB);
        Set<String> entries = Set.of("empty", "read", "echo", "json");
        List<Row> rows = new ArrayList<>();
        try (PluginRuntime runtime = new PluginRuntime(mode);
             Plugin plugin = runtime.load(new PluginSpec("abi-probe", wasm, null, entries, limits, Parameters.empty()))) {
            WatchdogClock watchdog = WatchdogClock.find();
            for (Case c : cases) {
                check(c, plugin.call(c.entry(), c.inputs(), Parameters.empty()));
                long[] calls = {0};
                Callable<PluginOutput> call = () -> {
                    calls[0]++;
                    return plugin.call(c.entry(), c.inputs(), Parameters.empty());
                };
                long watchdogBefore = watchdog.cpuNanos();
                Harness.Result result = Harness.sequential(call, budget, out -> { });
                double watchdogNsPerCall = Math.round((watchdog.cpuNanos() - watchdogBefore) * 10.0 / calls[0]) / 10.0;
                rows.add(row(c.label(), mode.name().toLowerCase(), c.bytesAcross(), result, watchdogNsPerCall));
            }
        }
        return rows;
    }

    /** Refuses to time an entry that does not do what its row says. */
    private static void check(Case c, PluginOutput out) {
        boolean ok = switch (c.entry()) {
            case "echo" -> out.json() == null && out.tensors().size() == 1
                    && sameTensor(c.inputs().values().iterator().next(), out.tensors().get("out"));
            case "json" -> out.tensors().isEmpty() && "{\"ok\":true}".equals(out.json());
            default -> out.tensors().isEmpty() && out.json() == null;
        };
        if (!ok) {
            throw new IllegalStateException("abi-probe's '" + c.entry() + "' for row '" + c.label()
                    + "' wrote tensors " + out.tensors() + " and JSON " + out.json());
        }
    }

    private static boolean sameTensor(Tensor in, Tensor out) {
        return out != null && out.dtype() == in.dtype() && Arrays.equals(out.shape(), in.shape())
                && out.data().equals(in.data());
    }

    /** The floor under data crossing: one 1 MiB copy as the JVM does it, without a sandbox. */
    private static List<Row> copies(Harness.Budget budget) throws Exception {
        byte[] source = input(MIB).get("x").bytes();
        byte[] target = new byte[MIB];
        ByteBuffer readOnly = ByteBuffer.wrap(source).asReadOnlyBuffer();
        Callable<byte[]> arraycopy = () -> {
            System.arraycopy(source, 0, target, 0, MIB);
            return target;
        };
        Callable<byte[]> bufferGet = () -> {
            readOnly.get(0, target, 0, MIB);
            return target;
        };
        return List.of(
                row("System.arraycopy of 1 MiB (byte[] to byte[])", "host Java", MIB,
                        Harness.sequential(arraycopy, budget, out -> { }), null),
                row("read-only ByteBuffer.get of 1 MiB into a byte[] (how Tensor data is read)", "host Java", MIB,
                        Harness.sequential(bufferGet, budget, out -> { }), null));
    }

    private static Row row(String label, String mode, long bytesAcross, Harness.Result result, Double watchdogNsPerCall) {
        Latency l = result.latency();
        Double gbPerSecond = bytesAcross == 0 ? null : Math.round(bytesAcross / (l.meanMs() * 1e6) * 100) / 100.0;
        return new Row(label, mode, bytesAcross, l, gbPerSecond, watchdogNsPerCall);
    }

    /** float32 {@code [bytes / 4]} named {@code x}, values 0, 0.5, 1, … so that a wrong echo shows. */
    private static Map<String, Tensor> input(int bytes) {
        ByteBuffer data = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bytes / Float.BYTES; i++) {
            data.putFloat(i * 0.5f);
        }
        return Map.of("x", Tensor.of(DType.FLOAT32, new long[] {bytes / Float.BYTES}, data.flip()));
    }

    private static String markdown(List<Case> cases, List<Row> rows, String loadAverage) {
        MarkdownTable abi = new MarkdownTable("row", "compiled µs (mean / p50 / p99)", "GB/s", "watchdog ns",
                "interpreted µs (mean / p50 / p99)", "GB/s", "watchdog ns");
        for (Case c : cases) {
            Row compiled = find(rows, c.label(), "compiled");
            Row interpreted = find(rows, c.label(), "interpreted");
            abi.row(c.label(), micros(compiled.latency()), gb(compiled), compiled.watchdogCpuNsPerCall(),
                    micros(interpreted.latency()), gb(interpreted), interpreted.watchdogCpuNsPerCall());
        }
        MarkdownTable host = new MarkdownTable("host Java, no plugin", "µs (mean / p50 / p99)", "GB/s");
        for (Row r : rows) {
            if (r.mode().equals("host Java")) {
                host.row(r.row(), micros(r.latency()), gb(r));
            }
        }
        return "## Plugin ABI overhead per call (abi-probe.wasm through PluginRuntime)\n\n"
                + Runtime.getRuntime().availableProcessors() + " cores, load average at the start " + loadAverage
                + "; inputs float32, 1 MiB = [262144]; GB/s = bytes in + out per call ÷ mean time;"
                + " watchdog ns = CPU time of the deadline watchdog's thread per call (warm-up included).\n\n"
                + abi + "\n" + host;
    }

    private static Row find(List<Row> rows, String label, String mode) {
        return rows.stream().filter(r -> r.row().equals(label) && r.mode().equals(mode)).findFirst().orElseThrow();
    }

    private static String micros(Latency l) {
        return BenchSummary.f(l.meanMs() * 1000) + " / " + BenchSummary.f(l.p50Ms() * 1000) + " / "
                + BenchSummary.f(l.p99Ms() * 1000);
    }

    private static String gb(Row r) {
        return r.gbPerSecond() == null ? "–" : BenchSummary.f(r.gbPerSecond());
    }

    private static byte[] probe() throws IOException {
        try (InputStream in = AbiOverheadBench.class.getResourceAsStream(PROBE)) {
            if (in == null) {
                throw new IOException(PROBE + " is not on the class path (built from abi-probe.wat by plugins/build.sh)");
            }
            return in.readAllBytes();
        }
    }
}
