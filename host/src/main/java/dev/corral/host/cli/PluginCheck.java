package dev.corral.host.cli;

import dev.corral.host.sandbox.ModuleSummary;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginLoadException;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.registry.Sha256;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code corral plugin check FILE.wasm}: what the module declares, and whether this host loads
 * it. The verdict is the sandbox loader's own answer (the same checks a model load runs, ABI.md
 * §6), so this report can never accept what the server would refuse.
 */
final class PluginCheck {
    private static final String ABI_EXPORT = "corral_abi_version";

    private PluginCheck() {
    }

    static int run(List<String> argv, PrintStream out) {
        Args args = new Args(argv, Set.of("entry", "config"), Set.of(), 1);
        Path file = PluginCommand.file(args);
        byte[] wasm = PluginCommand.read(file);
        String name = file.getFileName().toString();
        out.println("file: " + file);
        out.println("size: " + wasm.length + " bytes");
        out.println("sha256: " + Sha256.of(wasm));
        ModuleSummary summary;
        try {
            summary = ModuleSummary.of(name, wasm);
        } catch (PluginLoadException e) {
            out.println("verdict: REFUSED — " + e.getMessage());
            return 1;
        }
        printExports(summary, out);
        printImports(summary, out);
        printMemory(summary, out);
        out.println("start function: " + (summary.startFunction() ? "yes (runs once per instance, under the deadline)" : "no"));
        Set<String> entries = new HashSet<>(args.all("entry"));
        PluginSpec spec = new PluginSpec(name, wasm, null, entries, PluginLimits.defaults(),
                PluginInputs.parameters("config", args.all("config")));
        try (PluginRuntime runtime = new PluginRuntime(SandboxMode.COMPILED);
             Plugin ignored = runtime.load(spec)) {
            out.println(ABI_EXPORT + "(): " + PluginRuntime.ABI_VERSION + " (called on a loaded instance)");
            out.println("SIMD / threads: none");
            out.println("verdict: OK" + (entries.isEmpty() ? "" : " (entry points " + entries + " checked)"));
            return 0;
        } catch (PluginLoadException e) {
            out.println("verdict: REFUSED — " + e.getMessage());
            return 1;
        }
    }

    private static void printExports(ModuleSummary summary, PrintStream out) {
        out.println("exports:");
        for (ModuleSummary.ExportEntry e : summary.exports()) {
            String role = e.name().equals(ABI_EXPORT) ? "ABI version"
                    : e.callable() ? "entry point" : "";
            out.println("  " + e.name() + "  " + e.kind() + (e.signature() == null ? "" : " " + e.signature())
                    + (role.isEmpty() ? "" : "  — " + role));
        }
    }

    private static void printImports(ModuleSummary summary, PrintStream out) {
        out.println("imports:" + (summary.imports().isEmpty() ? " none" : ""));
        for (ModuleSummary.ImportEntry i : summary.imports()) {
            out.println("  " + i.module() + "." + i.name() + "  " + i.signature() + "  — "
                    + (i.provided() ? "provided" : "unknown to this host"));
        }
    }

    private static void printMemory(ModuleSummary summary, PrintStream out) {
        if (summary.memoryPages() < 0) {
            out.println("memory: none defined");
            return;
        }
        int limit = PluginLimits.defaults().maxMemoryPages();
        out.println("memory: " + summary.memoryPages() + " pages initial, maximum "
                + (summary.maxMemoryPages() < 0 ? "unbounded" : summary.maxMemoryPages() + " pages")
                + " (the host caps growth at " + limit + " pages by default, " + PluginLimits.MAX_MEMORY_PAGES
                + " at most)");
    }
}
