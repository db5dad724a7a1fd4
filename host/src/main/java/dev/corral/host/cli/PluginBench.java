package dev.corral.host.cli;

import dev.corral.host.error.ServingException;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginLoadException;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.SandboxMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code corral plugin bench FILE.wasm}: one entry point called back to back for a while in each
 * sandbox mode, to show what Chicory's compiler buys this plugin over the interpreter. The
 * deadline defaults to the host's ceiling, so that a slow interpreted call is timed, not refused.
 */
final class PluginBench {
    private PluginBench() {
    }

    /** Calls made and the time they took, after one warm-up call. */
    private record Timing(long calls, long nanos) {
        double callsPerSecond() {
            return calls * 1e9 / nanos;
        }

        double microsPerCall() {
            return nanos / 1e3 / calls;
        }
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Set<String> options = new HashSet<>(PluginInputs.OPTIONS);
        options.add("seconds");
        Args args = new Args(argv, options, Set.of(), 1);
        Path file = PluginCommand.file(args);
        byte[] wasm = PluginCommand.read(file);
        double seconds = seconds(args.get("seconds", "3"));
        try {
            PluginInputs call = PluginInputs.from(args);
            Timing compiled = measure(SandboxMode.COMPILED, call, file, wasm, args, seconds, out);
            Timing interpreted = measure(SandboxMode.INTERPRETED, call, file, wasm, args, seconds, out);
            out.printf(Locale.ROOT, "compiled is %.1fx faster per call than interpreted%n",
                    interpreted.microsPerCall() / compiled.microsPerCall());
            return 0;
        } catch (PluginLoadException e) {
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (ServingException e) {
            err.println(PluginRun.failure(e));
            return 1;
        }
    }

    private static Timing measure(SandboxMode mode, PluginInputs call, Path file, byte[] wasm, Args args,
                                  double seconds, PrintStream out) throws PluginLoadException {
        try (PluginRuntime runtime = new PluginRuntime(mode)) {
            long loadStart = System.nanoTime();
            try (Plugin plugin = runtime.load(call.spec(file.getFileName().toString(), wasm, args,
                    PluginLimits.MAX_DEADLINE))) {
                double loadMs = (System.nanoTime() - loadStart) / 1e6;
                plugin.call(call.entry(), call.tensors(), call.options());
                long budget = (long) (seconds * 1e9);
                long calls = 0;
                long start = System.nanoTime();
                long elapsed;
                do {
                    plugin.call(call.entry(), call.tensors(), call.options());
                    calls++;
                    elapsed = System.nanoTime() - start;
                } while (elapsed < budget);
                Timing t = new Timing(calls, elapsed);
                out.printf(Locale.ROOT, "%-11s %8.1f calls/s  %10.1f µs/call  (%d calls in %.2f s; load %.0f ms)%n",
                        mode.name().toLowerCase(Locale.ROOT) + ":", t.callsPerSecond(), t.microsPerCall(), calls,
                        elapsed / 1e9, loadMs);
                return t;
            }
        }
    }

    private static double seconds(String value) {
        try {
            double s = Double.parseDouble(value);
            if (s > 0 && s <= 600) {
                return s;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new Args.UsageException("--seconds must be a number above 0 and at most 600, got '" + value + "'");
    }
}
