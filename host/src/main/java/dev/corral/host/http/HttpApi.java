package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.ModelManager;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;

/** Every route of the server, in one place. */
public final class HttpApi {
    private HttpApi() {
    }

    public static void routing(HttpRouting.Builder routing, ModelManager models, long maxBodyBytes) {
        ErrorResponses.register(routing);
        routing.post("/infer/image", new InferImageHandler(models, maxBodyBytes))
                .any("/infer/image", (req, res) -> {
                    res.header(HeaderNames.ALLOW, "POST");
                    throw new ServingException(ErrorKind.METHOD_NOT_ALLOWED, "use POST for /infer/image");
                })
                .register("/models", new ModelsHandler(models))
                .register("/health", new HealthHandler(models))
                .any((req, res) -> {
                    throw new ServingException(ErrorKind.NOT_FOUND, "no route for " + req.prologue().method().text()
                            + " " + req.path().path());
                });
    }
}
