package dev.corral.host.cli;

import dev.corral.host.http.AdminApi;
import dev.corral.host.http.HttpApi;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelBundles;
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
    /** A bundle carries model weights: a separate, larger limit than an inference request's. */
    static final long DEFAULT_ADMIN_MAX_BODY_BYTES = 256L * 1024 * 1024;
    static final String ADMIN_TOKEN_ENV = "CORRAL_ADMIN_TOKEN";
    /** The checkout whose models/ and ../shared/models are the defaults; set by ./corral. */
    static final String HOME_ENV = "CORRAL_HOME";

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
                        Set.of("host", "port", "models", "mirror", "max-body-bytes", "sandbox", "infer-threads",
                                "admin-token", "admin-max-body"),
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
        Path models = models(args);
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
        AdminApi admin = admin(args, server, models);
        WebServer web = WebServer.builder()
                .host(args.get("host", "127.0.0.1"))
                .port(args.intValue("port", 8080, 0, 65535))
                // A streamed token is a small write; with Nagle's algorithm it would wait for the
                // ACK of the previous one, which a client may delay by up to 40 ms.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .routing(r -> HttpApi.routing(r, server.models(), maxBody, HttpApi.DEFAULT_SSE_KEEP_ALIVE, admin))
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

    /** The admin routes, or null (off) when neither --admin-token nor CORRAL_ADMIN_TOKEN gives a token. */
    private static AdminApi admin(Args args, ModelServer server, Path models) {
        String env = System.getenv(ADMIN_TOKEN_ENV);
        String token = args.get("admin-token", env);
        if (token == null || token.isEmpty()) {
            return null;
        }
        long maxBody = args.longValue("admin-max-body", DEFAULT_ADMIN_MAX_BODY_BYTES, 1, Integer.MAX_VALUE - 8);
        return new AdminApi(new ModelBundles(server.models(), models, FetchCommand.fetcher(models, mirror(args))),
                token, maxBody);
    }

    private static void fetch(Args args) {
        FetchCommand.run(models(args), mirror(args));
    }

    private static Path models(Args args) {
        String given = args.get("models", null);
        return given != null ? Path.of(given) : home().resolve("models");
    }

    private static Path mirror(Args args) {
        String env = System.getenv("CORRAL_MODEL_MIRROR");
        String given = args.get("mirror", env != null && !env.isEmpty() ? env : null);
        return given != null ? Path.of(given) : home().resolve("../shared/models").normalize();
    }

    /**
     * The checkout the defaults live in: {@code CORRAL_HOME}, which {@code ./corral} sets, else
     * the working directory. Paths a user gives are resolved against the working directory, as
     * in any command; only the defaults are the checkout's.
     */
    private static Path home() {
        String home = System.getenv(HOME_ENV);
        return Path.of(home != null && !home.isEmpty() ? home : "");
    }

    private static void usage(String problem) {
        System.err.println("corral: " + problem);
        System.err.println("""
                usage: corral serve [--host 127.0.0.1] [--port 8080] [--models DIR] [--mirror DIR]
                                    [--max-body-bytes 16777216] [--sandbox compiled|interpreted]
                                    [--infer-threads N] [--no-fetch]
                                    [--admin-token TOKEN] [--admin-max-body 268435456]
                       (the admin API is off unless --admin-token or CORRAL_ADMIN_TOKEN gives a token)
                       corral fetch [--models DIR] [--mirror DIR]
                       corral plugin check|run|bench FILE.wasm …   (corral plugin, for details)""");
        System.exit(2);
    }
}
