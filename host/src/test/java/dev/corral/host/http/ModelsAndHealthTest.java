package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.testing.SharedServer;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /models} and {@code /health/*} on the real routing with the real models loaded. */
@ServerTest
class ModelsAndHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebClient client;

    ModelsAndHealthTest(WebClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void modelsListsMobilenetReadyWithItsPipelineAndOptions() throws Exception {
        JsonNode models = get("/models", 200).get("models");
        JsonNode mobilenet = null;
        for (JsonNode m : models) {
            if (m.get("name").asText().equals("mobilenetv2")) {
                mobilenet = m;
            }
        }
        assertTrue(mobilenet != null, models.toString());
        assertEquals("ready", mobilenet.get("state").asText());
        assertEquals("image-classification", mobilenet.get("task").asText());
        assertEquals(1000, mobilenet.at("/options/top_k/max").asInt());
        JsonNode pipeline = mobilenet.get("pipeline");
        assertEquals(3, pipeline.size());
        assertEquals("imagenet-preprocess", pipeline.get(0).get("plugin").asText());
        assertEquals(64, pipeline.get(0).get("sha256").asText().length());
        assertEquals("cpu", pipeline.get(1).get("device").asText());
        assertTrue(pipeline.get(1).get("batching").asBoolean());
    }

    @Test
    void oneModelByNameAndUnknownIs404() throws Exception {
        assertEquals("12-int8", get("/models/mobilenetv2", 200).get("version").asText());
        assertEquals("model_not_found", get("/models/nope", 404).at("/error/code").asText());
    }

    @Test
    void liveAndReady() throws Exception {
        assertEquals("live", get("/health/live", 200).get("status").asText());
        JsonNode ready = get("/health/ready", 200);
        assertEquals("ready", ready.get("status").asText());
        assertEquals("ready", ready.at("/models/mobilenetv2").asText());
    }

    private JsonNode get(String path, int status) throws Exception {
        try (HttpClientResponse res = client.get(path).request()) {
            String text = res.entity().as(String.class);
            assertEquals(status, res.status().code(), text);
            return JSON.readTree(text);
        }
    }
}
