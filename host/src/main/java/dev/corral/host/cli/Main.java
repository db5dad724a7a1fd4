package dev.corral.host.cli;

import dev.corral.host.http.HttpApi;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code corral serve|fetch|plugin}: the command line behind the {@code ./corral} script. */
public final class Main {
    static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    private Main() {
    }

    public static void main(String[] argv) {
        LogConfig.configureRuntime();
        if (argv.length == 0) {
            usage("no command given");
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        try {
            switch (argv[0]) {
                case "serve" -> serve(new Args(rest,
                        Set.of("host", "port", "models", "mirror", "max-body-bytes", "sandbox", "infer-threads"),
                        Set.of("no-fetch")));
                case "fetch" -> fetch(new Args(rest, Set.of("models", "mirror"), Set.of()));
                case "plugin" -> System.exit(PluginCommand.run(rest, System.out, System.err));
                default -> usage("unknown command '" + argv[0] + "'");
            }
        } catch (Args.UsageException e) {
            usage(e.getMessage());
        } catch (FetchCommand.FetchFailed e) {
            System.err.println("corral: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void serve(Args args) {
        Path models = Path.of(args.get("models", "models"));
        if (!args.flag("no-fetch")) {
            FetchCommand.run(models, mirror(args));
        }
        SandboxMode mode = switch (args.get("sandbox", "compiled").toLowerCase(Locale.ROOT)) {
            case "compiled" -> SandboxMode.COMPILED;
            case "interpreted" -> SandboxMode.INTERPRETED;
            default -> throw new Args.UsageException("--sandbox must be compiled or interpreted");
        };
        long maxBody = args.longValue("max-body-bytes", DEFAULT_MAX_BODY_BYTES, 1, 1L << 30);
        int inferThreads = args.intValue("infer-threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        ModelServer server = new ModelServer(mode, inferThreads);
        WebServer web = WebServer.builder()
                .host(args.get("host", "127.0.0.1"))
                .port(args.intValue("port", 8080, 0, 65535))
                // A streamed token is a small write; with Nagle's algorithm it would wait for the
                // ACK of the previous one, which a client may delay by up to 40 ms.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .routing(r -> HttpApi.routing(r, server.models(), maxBody))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            web.stop();
            server.close();
        }, "corral-shutdown"));
        System.out.println("corral: listening on http://" + args.get("host", "127.0.0.1") + ":" + web.port()
                + " — loading models from " + models.toAbsolutePath().normalize());
        server.loadAll(models);
        System.out.println("corral: " + (server.models().allReady() ? "ready" : "NOT ready — see GET /health/ready")
                + " " + server.models().states());
    }

    private static void fetch(Args args) {
        FetchCommand.run(Path.of(args.get("models", "models")), mirror(args));
    }

    private static Path mirror(Args args) {
        String env = System.getenv("CORRAL_MODEL_MIRROR");
        return Path.of(args.get("mirror", env != null && !env.isEmpty() ? env : "../shared/models"));
    }

    private static void usage(String problem) {
        System.err.println("corral: " + problem);
        System.err.println("""
                usage: corral serve [--host 127.0.0.1] [--port 8080] [--models DIR] [--mirror DIR]
                                    [--max-body-bytes 16777216] [--sandbox compiled|interpreted]
                                    [--infer-threads N] [--no-fetch]
                       corral fetch [--models DIR] [--mirror DIR]
                       corral plugin check|run|bench FILE.wasm …   (corral plugin, for details)""");
        System.exit(2);
    }
}
