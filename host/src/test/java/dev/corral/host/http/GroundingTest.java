package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.Multipart;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grounding on {@code /infer/multimodal}: YOLOX-Nano's detections ranked by MiniLM similarity
 * between the query and each detection's label, through the real server and models.
 */
@ServerTest
class GroundingTest {
    private final HttpCalls http;

    GroundingTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void theQueryDecidesWhichDetectionComesFirst() {
        JsonNode drink = matches("coffee.png", "a mug to drink from", "");
        assertEquals(List.of("cup", "diningtable"), labels(drink));
        JsonNode table = matches("coffee.png", "a table to eat at", "");
        assertEquals(List.of("diningtable", "cup"), labels(table));
        assertTrue(table.get(0).get("similarity").asDouble() > table.get(1).get("similarity").asDouble(), table.toString());
        JsonNode rider = matches("astronaut.png", "someone riding", "");
        assertEquals("person", rider.get(0).get("label").asText(), rider.toString());
        assertTrue(rider.get(0).get("score").asDouble() >= 0.9, rider.toString());
    }

    @Test
    void eachMatchCarriesItsDetectionAndOptionsReachEveryStep() {
        JsonNode cup = matches("coffee.png", "a mug to drink from", "&top_k=1").get(0);
        assertEquals("cup", cup.get("label").asText());
        assertTrue(cup.get("score").asDouble() >= 0.85, cup.toString());
        JsonNode box = cup.get("box");
        assertEquals(4, box.size());
        assertTrue(box.get(0).asDouble() >= 0 && box.get(2).asDouble() <= 600 && box.get(3).asDouble() <= 400, box.toString());
        assertEquals(List.of("diningtable"), labels(matches("coffee.png", "a mug", "&classes=diningtable")));
        assertEquals(1, matches("coffee.png", "a mug", "&top_k=1").size());
    }

    @Test
    void everyStepOfTheChainIsTimed() {
        Multipart form = new Multipart().file("image", "coffee.png", "image/png", Images.read("coffee.png")).field("text", "cup");
        JsonNode timings = http.postBytes("/infer/multimodal?model=grounding", form.contentType(), form.bytes())
                .body().get("timings_ms");
        for (String stage : List.of("decode", "preprocess", "detect", "postprocess", "tokenize", "embed", "pool", "rank", "total")) {
            assertTrue(timings.has(stage), "no stage " + stage + " in " + timings);
        }
    }

    @Test
    void aSecondQueryIsRefusedBecauseGroundingTakesOne() {
        Multipart form = new Multipart().file("image", "coffee.png", "image/png", Images.read("coffee.png"))
                .field("text", "a cup").field("text", "a table");
        HttpCalls.Response res = http.postBytes("/infer/multimodal?model=grounding", form.contentType(), form.bytes());
        assertEquals(413, res.status(), res.body().toString());
        assertEquals("too_many_inputs", res.errorCode());
    }

    private static List<String> labels(JsonNode matches) {
        List<String> labels = new java.util.ArrayList<>();
        matches.forEach(m -> labels.add(m.get("label").asText()));
        return labels;
    }

    private JsonNode matches(String image, String query, String options) {
        Multipart form = new Multipart().file("image", image, "image/png", Images.read(image)).field("text", query);
        HttpCalls.Response res = http.postBytes("/infer/multimodal?model=grounding" + options, form.contentType(), form.bytes());
        assertEquals(200, res.status(), res.body().toString());
        return res.body().get("result").get("matches");
    }
}
