package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.testing.Multipart;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.SharedServer;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /infer/image} on the real routing, the real MobileNetV2 and the real plugins. */
@ServerTest
class InferImageTest {
    static final long MAX_BODY = 4L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CATS = Set.of("Egyptian cat", "tabby", "tiger cat");

    private final WebClient client;

    InferImageTest(WebClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), MAX_BODY);
    }

    @Test
    void chelseaIsACatWithTopKLabelsAndStageTimings() throws Exception {
        JsonNode body = ok(post("/infer/image?top_k=3", "image/png", Images.read("chelsea.png")));
        assertEquals("mobilenetv2", body.get("model").asText());
        assertEquals("12-int8", body.get("version").asText());
        JsonNode predictions = body.at("/result/predictions");
        assertEquals(3, predictions.size());
        assertEquals("Egyptian cat", predictions.get(0).get("label").asText());
        assertEquals(285, predictions.get(0).get("index").asInt());
        double top = predictions.get(0).get("probability").asDouble();
        assertTrue(top >= 0.62 && top <= 0.75, "Egyptian cat probability " + top + " outside 0.62–0.75");
        for (JsonNode p : predictions) {
            assertTrue(CATS.contains(p.get("label").asText()), "not a cat label: " + p);
        }
        assertTrue(predictions.get(1).get("probability").asDouble() <= top);
        JsonNode timings = body.get("timings_ms");
        for (String stage : List.of("decode", "preprocess", "queue", "infer", "postprocess", "total")) {
            assertTrue(timings.has(stage) && timings.get(stage).asDouble() >= 0, "missing stage " + stage + ": " + timings);
        }
    }

    @Test
    void coffeeIsEspresso() throws Exception {
        JsonNode body = ok(post("/infer/image", "image/png", Images.read("coffee.png")));
        JsonNode first = body.at("/result/predictions/0");
        assertEquals("espresso", first.get("label").asText());
        assertTrue(first.get("probability").asDouble() > 0.99, first.toString());
        assertEquals(5, body.at("/result/predictions").size(), "the manifest's default top_k is 5");
    }

    @Test
    void everyAcceptedImageFormatDecodes() throws Exception {
        for (String format : List.of("png", "jpeg", "gif", "bmp")) {
            String type = "image/" + format;
            JsonNode body = ok(post("/infer/image?top_k=1", type, Images.encoded(format, 40, 30)));
            assertEquals(1, body.at("/result/predictions").size(), type);
        }
    }

    @Test
    void multipartWithOneCorruptFileGivesTwoResultsAndOneError() throws Exception {
        Multipart form = new Multipart()
                .file("images", "chelsea.png", "image/png", Images.read("chelsea.png"))
                .file("images", "broken.png", "image/png", Images.truncated("coffee.png"))
                .file("images", "coffee.png", "image/png", Images.read("coffee.png"))
                .field("top_k", "2");
        JsonNode body = ok(post("/infer/image", form.contentType(), form.bytes()));
        JsonNode results = body.get("results");
        assertEquals(3, results.size());
        assertEquals("chelsea.png", results.get(0).get("file").asText());
        assertTrue(CATS.contains(results.get(0).at("/result/predictions/0/label").asText()));
        assertEquals(2, results.get(0).at("/result/predictions").size(), "top_k from a form field");
        assertEquals("broken.png", results.get(1).get("file").asText());
        assertEquals("invalid_image", results.get(1).at("/error/code").asText());
        assertFalse(results.get(1).has("result"));
        assertEquals("espresso", results.get(2).at("/result/predictions/0/label").asText());
    }

    @Test
    void jsonWithBase64AndDataUrl() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(Images.read("coffee.png"));
        JsonNode one = ok(post("/infer/image", "application/json",
                ("{\"image\":\"" + b64 + "\",\"options\":{\"top_k\":1}}").getBytes(StandardCharsets.UTF_8)));
        assertEquals("espresso", one.at("/result/predictions/0/label").asText());
        assertEquals(1, one.at("/result/predictions").size());

        JsonNode many = ok(post("/infer/image", "application/json",
                ("{\"model\":\"mobilenetv2\",\"images\":[\"data:image/png;base64," + b64 + "\",\"@@@\"]}")
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("espresso", many.at("/results/0/result/predictions/0/label").asText());
        assertEquals("invalid_image", many.at("/results/1/error/code").asText());
    }

    @Test
    void emptyBodyIs400() throws Exception {
        assertError(post("/infer/image", "image/png", new byte[0]), 400, "empty_body");
    }

    @Test
    void truncatedOrGarbageImageIs400() throws Exception {
        assertError(post("/infer/image", "image/png", Images.truncated("chelsea.png")), 400, "invalid_image");
        assertError(post("/infer/image", "image/jpeg", "not an image at all".getBytes(StandardCharsets.UTF_8)),
                400, "invalid_image");
    }

    @Test
    void truncatedJpegIs400() throws Exception {
        byte[] jpeg = Images.encoded("jpeg", 200, 150);
        byte[] half = java.util.Arrays.copyOf(jpeg, jpeg.length / 2);
        assertError(post("/infer/image", "image/jpeg", half), 400, "invalid_image");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        assertError(post("/infer/image", "image/png", new byte[(int) MAX_BODY + 1]), 413, "payload_too_large");
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        assertError(post("/infer/image", "image/png", Images.pngClaiming(100_000, 100_000)), 413, "image_too_large");
    }

    @Test
    void unsupportedContentTypeIs415() throws Exception {
        assertError(post("/infer/image", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)),
                415, "unsupported_media_type");
        assertError(post("/infer/image", "image/webp", Images.read("chelsea.png")), 415, "unsupported_media_type");
    }

    @Test
    void unknownModelIs404() throws Exception {
        JsonNode error = assertError(post("/infer/image?model=nope", "image/png", Images.read("chelsea.png")),
                404, "model_not_found");
        assertTrue(error.get("message").asText().contains("nope"));
    }

    @Test
    void badOptionsAre422NamingTheOption() throws Exception {
        for (String query : List.of("top_k=0", "top_k=abc", "top_k=1001", "top_k=2.5", "topk=3")) {
            JsonNode error = assertError(post("/infer/image?" + query, "image/png", Images.read("chelsea.png")),
                    422, "invalid_option");
            assertTrue(error.get("message").asText().contains("top"), query + " → " + error);
        }
    }

    @Test
    void malformedJsonAndMultipartAre400() throws Exception {
        assertError(post("/infer/image", "application/json", "{\"image\":".getBytes(StandardCharsets.UTF_8)),
                400, "invalid_json");
        assertError(post("/infer/image", "application/json", "{\"picture\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                400, "bad_request");
        assertError(post("/infer/image", "multipart/form-data; boundary=xyz",
                "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated".getBytes(StandardCharsets.UTF_8)),
                400, "bad_request");
    }

    @Test
    void wrongMethodAndUnknownPathAreJsonErrors() throws Exception {
        try (HttpClientResponse res = client.get("/infer/image").request()) {
            assertEquals(405, res.status().code());
            assertEquals("method_not_allowed", JSON.readTree(res.entity().as(String.class)).at("/error/code").asText());
        }
        try (HttpClientResponse res = client.get("/no/such/path").request()) {
            assertEquals(404, res.status().code());
            assertEquals("not_found", JSON.readTree(res.entity().as(String.class)).at("/error/code").asText());
        }
    }

    /** Posts to MobileNetV2 unless the query names another model (the shared server has several image models). */
    private HttpClientResponse post(String pathAndQuery, String contentType, byte[] body) {
        String[] parts = pathAndQuery.split("\\?", 2);
        var request = client.post(parts[0]).header(HeaderNames.CONTENT_TYPE, contentType);
        if (parts.length == 1 || !parts[1].contains("model=")) {
            request.queryParam("model", "mobilenetv2");
        }
        if (parts.length == 2) {
            for (String pair : parts[1].split("&")) {
                String[] kv = pair.split("=", 2);
                request.queryParam(kv[0], kv.length == 2 ? kv[1] : "");
            }
        }
        return request.submit(body);
    }

    private static JsonNode ok(HttpClientResponse res) throws Exception {
        try (res) {
            String text = res.entity().as(String.class);
            assertEquals(200, res.status().code(), text);
            return JSON.readTree(text);
        }
    }

    /** Asserts the status and error code of a JSON error and returns its error object. */
    static JsonNode assertError(HttpClientResponse res, int status, String code) throws Exception {
        try (res) {
            String text = res.entity().as(String.class);
            assertEquals(status, res.status().code(), text);
            JsonNode error = JSON.readTree(text).get("error");
            assertEquals(code, error.get("code").asText(), text);
            assertFalse(error.get("message").asText().isBlank());
            return error;
        }
    }
}
