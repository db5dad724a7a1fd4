package dev.corral.host.http;

import dev.corral.host.serving.ModelManager;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Map;

/** {@code GET /models} and {@code GET /models/{name}}: what is loaded, its state, pipeline and options. */
final class ModelsHandler implements HttpService {
    private final ModelManager models;

    ModelsHandler(ModelManager models) {
        this.models = models;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
        rules.get("/{name}", this::one);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, Map.of("models", models.describeAll()));
    }

    private void one(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, models.describe(req.path().pathParameters().get("name")));
    }
}
