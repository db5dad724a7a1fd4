package dev.corral.host.http;

import dev.corral.host.serving.ModelManager;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: every model is loaded and
 * warmed up; until then (or when one failed to load) 503, with each model's state.
 */
final class HealthHandler implements HttpService {
    private final ModelManager models;

    HealthHandler(ModelManager models) {
        this.models = models;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> Json.send(res, 200, Map.of("status", "live")));
        rules.get("/ready", this::ready);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean ready = models.allReady();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not_ready");
        body.put("models", models.states());
        Json.send(res, ready ? 200 : 503, body);
    }
}
