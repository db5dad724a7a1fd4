package dev.corral.host.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.error.ServingException;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginLoadException;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.SandboxMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code corral plugin run FILE.wasm}: one call of one entry point, as the server would make it
 * in a pipeline's first step, with its outputs summarised and its JSON result pretty-printed.
 */
final class PluginRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PluginRun() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args(argv, PluginInputs.OPTIONS, Set.of("interpreted"), 1);
        Path file = PluginCommand.file(args);
        byte[] wasm = PluginCommand.read(file);
        SandboxMode mode = args.flag("interpreted") ? SandboxMode.INTERPRETED : SandboxMode.COMPILED;
        try (PluginRuntime runtime = new PluginRuntime(mode)) {
            PluginInputs call = PluginInputs.from(args);
            try (Plugin plugin = runtime.load(call.spec(file.getFileName().toString(), wasm, args,
                    PluginLimits.defaults().deadline()))) {
                long start = System.nanoTime();
                PluginOutput output = plugin.call(call.entry(), call.tensors(), call.options());
                double ms = (System.nanoTime() - start) / 1e6;
                print(output, out);
                out.printf(Locale.ROOT, "time: %.3f ms (%s, %s, first call after load)%n", ms, call.entry(),
                        mode.name().toLowerCase(Locale.ROOT));
                return 0;
            }
        } catch (PluginLoadException e) {
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (ServingException e) {
            err.println(failure(e));
            return 1;
        }
    }

    /** {@code error: plugin_failed (HTTP 500): message}, as a client of the server would see it. */
    static String failure(ServingException e) {
        return "error: " + e.kind().code() + " (HTTP " + e.kind().status() + "): " + e.getMessage();
    }

    private static void print(PluginOutput output, PrintStream out) {
        out.println("tensors:" + (output.tensors().isEmpty() ? " none" : ""));
        output.tensors().forEach((name, tensor) -> out.println("  " + TensorSummary.describe(name, tensor)));
        if (output.json() == null) {
            out.println("json: none");
            return;
        }
        try {
            out.println("json: " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(output.json())));
        } catch (JsonProcessingException e) {
            // The sandbox has already checked that the result parses as one JSON object.
            throw new IllegalStateException("the sandbox passed JSON that does not parse", e);
        }
    }
}
