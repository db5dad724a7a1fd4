package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.ModelManager;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import java.time.Duration;

/** Every route of the server, in one place. */
public final class HttpApi {
    private HttpApi() {
    }

    /** Keep-alive comments go out on a stream that has sent nothing for this long. */
    public static final Duration DEFAULT_SSE_KEEP_ALIVE = Duration.ofSeconds(15);

    public static void routing(HttpRouting.Builder routing, ModelManager models, long maxBodyBytes) {
        routing(routing, models, maxBodyBytes, DEFAULT_SSE_KEEP_ALIVE);
    }

    public static void routing(HttpRouting.Builder routing, ModelManager models, long maxBodyBytes,
                               Duration sseKeepAlive) {
        routing(routing, models, maxBodyBytes, sseKeepAlive, null);
    }

    /** @param admin the admin routes, or null to leave them off (they then answer 404 like any unknown path) */
    public static void routing(HttpRouting.Builder routing, ModelManager models, long maxBodyBytes,
                               Duration sseKeepAlive, AdminApi admin) {
        ErrorResponses.register(routing);
        GenerationStreamer streamer = new GenerationStreamer(sseKeepAlive);
        WebPageHandler page = new WebPageHandler();
        TextStreamHandler stream = new TextStreamHandler(models, maxBodyBytes, streamer);
        routing.post("/infer/image", new InferImageHandler(models, maxBodyBytes))
                .post("/infer/multimodal", new InferMultimodalHandler(models, maxBodyBytes))
                .post("/infer/text", new InferTextHandler(models, maxBodyBytes))
                .get("/infer/text/stream", stream)
                .post("/infer/text/stream", stream);
        OpenAiRoutes.register(routing, models, maxBodyBytes, streamer);
        allowOnly(routing, "/infer/image", "POST");
        allowOnly(routing, "/infer/multimodal", "POST");
        allowOnly(routing, "/infer/text", "POST");
        allowOnly(routing, "/infer/text/stream", "GET, POST");
        if (admin != null) {
            routing.register(AdminApi.PREFIX, admin);
        }
        routing.register("/models", new ModelsHandler(models))
                .register("/health", new HealthHandler(models))
                .get("/", page)
                .get("/web/{file}", page)
                .any((req, res) -> {
                    throw new ServingException(ErrorKind.NOT_FOUND, "no route for " + req.prologue().method().text()
                            + " " + req.path().path());
                });
    }

    private static void allowOnly(HttpRouting.Builder routing, String path, String methods) {
        routing.any(path, (req, res) -> {
            res.header(HeaderNames.ALLOW, methods);
            throw new ServingException(ErrorKind.METHOD_NOT_ALLOWED, "use " + methods + " for " + path);
        });
    }
}
