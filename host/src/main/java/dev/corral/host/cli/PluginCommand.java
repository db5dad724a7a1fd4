package dev.corral.host.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code corral plugin check|run|bench FILE.wasm …}: the plugin author's tool. Each subcommand
 * writes its report to {@code out}, problems to {@code err}, and returns the exit code: 0 fine,
 * 1 the plugin was refused or failed, 2 a command-line mistake.
 */
public final class PluginCommand {
    static final String USAGE = """
            usage: corral plugin check FILE.wasm [--entry NAME]… [--config k=v]…
                   corral plugin run   FILE.wasm [--entry process] [INPUTS] [--interpreted] [--deadline-ms 1000]
                   corral plugin bench FILE.wasm [--entry process] [INPUTS] [--seconds 3] [--deadline-ms 60000]
              INPUTS: [--image F] [--text S] [--texts a,b,…] [--tensor name=dtype:d0,d1,…:file.bin]…
                      [--config k=v]… [--option k=v]…   (v: a number, numbers a,b,c, true|false, @file, or text)""";

    private PluginCommand() {
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty()) {
            return usage(err, "corral plugin: say check, run or bench");
        }
        List<String> rest = argv.subList(1, argv.size());
        try {
            return switch (argv.getFirst()) {
                case "check" -> PluginCheck.run(rest, out);
                case "run" -> PluginRun.run(rest, out, err);
                case "bench" -> PluginBench.run(rest, out, err);
                default -> usage(err, "corral plugin: unknown subcommand '" + argv.getFirst() + "'");
            };
        } catch (Args.UsageException e) {
            return usage(err, "corral plugin: " + e.getMessage());
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println(USAGE);
        return 2;
    }

    /** The one FILE.wasm argument of every subcommand. */
    static Path file(Args args) {
        if (args.positional().isEmpty()) {
            throw new Args.UsageException("name the plugin's .wasm file");
        }
        return Path.of(args.positional().getFirst());
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Args.UsageException("cannot read " + file + " (" + e + ")");
        }
    }
}
