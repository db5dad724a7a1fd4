package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.Multipart;
import dev.corral.host.testing.TwoTowerFixture;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /infer/multimodal} through the real server, on the synthetic two-tower model
 * (image encoder: the mean colour; text encoder: colour words): the right label wins, every
 * stage is timed, and each kind of bad form is a 4xx naming the part, after which the server
 * still answers correctly.
 */
@ServerTest
class InferMultimodalTest {
    private static final int RED = 0xE01010;
    private static final List<String> CANDIDATES = List.of("a photo of green", "a photo of red", "a photo of blue");
    private static ModelServer server;
    private final HttpCalls http;

    InferMultimodalTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        try {
            Path models = Files.createTempDirectory("corral-multimodal");
            TwoTowerFixture.write(models, "colours");
            server = new ModelServer(SandboxMode.COMPILED, 1);
            server.loadAll(models);
            if (!server.models().allReady()) {
                throw new IllegalStateException("the two-tower fixture did not load: " + server.models().states());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpApi.routing(routing, server.models(), InferImageTest.MAX_BODY);
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void theTextThatMatchesTheImageWinsAndEveryStageIsTimed() {
        HttpCalls.Response res = post(colourForm(RED, CANDIDATES), "");
        assertEquals(200, res.status(), res.body().toString());
        assertEquals("colours", res.body().get("model").asText());
        JsonNode labels = res.body().get("result").get("labels");
        assertEquals("a photo of red", labels.get(0).get("label").asText(), labels.toString());
        assertTrue(labels.get(0).get("score").asDouble() > 0.9, labels.toString());
        assertEquals(3, labels.size());
        JsonNode timings = res.body().get("timings_ms");
        for (String stage : List.of("decode", "preprocess", "image_encoder", "tokenize", "text_encoder", "rank", "total")) {
            assertTrue(timings.has(stage), "no stage " + stage + " in " + timings);
        }
    }

    @Test
    void optionsComeFromTheQueryOrFromFormFields() {
        assertEquals(1, post(colourForm(RED, CANDIDATES), "?top_k=1").body().get("result").get("labels").size());
        Multipart form = colourForm(RED, CANDIDATES).field("top_k", "2");
        assertEquals(2, post(form, "").body().get("result").get("labels").size());
        assertError(post(colourForm(RED, CANDIDATES), "?top_k=0"), 422, "invalid_option", "top_k");
    }

    @Test
    void aMissingPartIsA400NamingIt() {
        Multipart noImage = new Multipart().field("text", "a photo of red");
        assertError(post(noImage, ""), 400, "bad_request", "'image'");
        Multipart noText = new Multipart().file("image", "red.png", "image/png", Images.solidPng(16, 16, RED));
        assertError(post(noText, ""), 400, "bad_request", "'text'");
        Multipart twoImages = colourForm(RED, CANDIDATES).file("image", "b.png", "image/png", Images.solidPng(4, 4, RED));
        assertError(post(twoImages, ""), 400, "bad_request", "more than one 'image'");
    }

    @Test
    void wrongPartTypesAre415AndANonImageFileIs400() {
        Multipart textAsImage = new Multipart().file("image", "notes.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))
                .field("text", "a photo of red");
        assertError(post(textAsImage, ""), 415, "unsupported_media_type", "part 'image'");
        Multipart imageAsText = new Multipart().file("image", "red.png", "image/png", Images.solidPng(8, 8, RED))
                .file("text", "red.png", "image/png", Images.solidPng(8, 8, RED));
        assertError(post(imageAsText, ""), 415, "unsupported_media_type", "part 'text' 1");
        Multipart notAnImage = new Multipart().file("image", "data.bin", "application/octet-stream",
                "definitely not pixels".getBytes(StandardCharsets.UTF_8)).field("text", "a photo of red");
        assertError(post(notAnImage, ""), 400, "invalid_image", "data.bin");
        assertError(http.postBytes("/infer/multimodal", "application/json", "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                415, "unsupported_media_type", "multipart/form-data");
    }

    @Test
    void tooLongOrTooManyTextsAre413() {
        assertError(post(colourForm(RED, List.of("red ".repeat(20_000))), ""), 413, "text_too_long", "text part 1");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            many.add("red");
        }
        assertError(post(colourForm(RED, many), ""), 413, "too_many_inputs", "65 text parts");
    }

    @Test
    void afterBadRequestsTheServerStillAnswersCorrectly() {
        post(new Multipart().field("text", "x"), "");
        post(colourForm(RED, List.of("red ".repeat(20_000))), "");
        HttpCalls.Response res = post(colourForm(0x1010E0, CANDIDATES), "");
        assertEquals(200, res.status());
        assertEquals("a photo of blue", res.body().get("result").get("labels").get(0).get("label").asText());
    }

    private static Multipart colourForm(int rgb, List<String> texts) {
        Multipart form = new Multipart().file("image", "colour.png", "image/png", Images.solidPng(16, 16, rgb));
        texts.forEach(t -> form.field("text", t));
        return form;
    }

    private HttpCalls.Response post(Multipart form, String query) {
        return http.postBytes("/infer/multimodal" + query, form.contentType(), form.bytes());
    }

    private static void assertError(HttpCalls.Response res, int status, String code, String inMessage) {
        assertEquals(status, res.status(), res.body().toString());
        assertEquals(code, res.errorCode(), res.body().toString());
        assertTrue(res.errorMessage().contains(inMessage), res.errorMessage());
    }
}
