package dev.corral.host.http;

import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.Multipart;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ?render=png} and {@code Accept: image/png}: the request's image with the result drawn on it. */
@ServerTest
class RenderTest {
    private final URI base;
    private final HttpCalls http;
    private final HttpClient client = HttpClient.newHttpClient();

    RenderTest(URI uri) {
        this.base = uri;
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void detectionsComeBackAsAPngOfTheInputsSizeWithTheFaceOutlined() throws Exception {
        HttpResponse<byte[]> res = post("/infer/image?model=ultraface-rfb-320&render=png", "image/png",
                Images.read("astronaut.png"), null);
        assertEquals(200, res.statusCode(), new String(res.body()));
        assertEquals("image/png", res.headers().firstValue("content-type").orElse(""));
        assertTrue(res.headers().firstValue("x-corral-timings-ms").orElse("").contains("postprocess"));
        BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(res.body()));
        BufferedImage original = ImageIO.read(new ByteArrayInputStream(Images.read("astronaut.png")));
        assertNotNull(drawn, "the body must decode as an image");
        assertEquals(original.getWidth(), drawn.getWidth());
        assertEquals(original.getHeight(), drawn.getHeight());
        // The face box is about [179,63,269,173]: its left edge is drawn, a far corner is untouched.
        assertTrue(changed(original, drawn, 179, 120), "the face box's left edge is drawn");
        assertEquals(original.getRGB(500, 500) & 0xFFFFFF, drawn.getRGB(500, 500) & 0xFFFFFF, "far from any box");
    }

    @Test
    void anAcceptHeaderAsksForThePictureToo() throws Exception {
        HttpResponse<byte[]> res = post("/infer/image?model=yolox-nano", "image/png", Images.read("coffee.png"), "image/png");
        assertEquals(200, res.statusCode());
        BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(res.body()));
        assertEquals(600, drawn.getWidth());
        assertEquals(400, drawn.getHeight());
    }

    @Test
    void multimodalResultsRenderAndBadRenderValuesAre400() throws Exception {
        Multipart form = new Multipart().file("image", "coffee.png", "image/png", Images.read("coffee.png")).field("text", "a mug");
        HttpResponse<byte[]> res = post("/infer/multimodal?model=grounding&render=png", form.contentType(), form.bytes(), null);
        assertEquals(200, res.statusCode(), new String(res.body()));
        assertEquals(600, ImageIO.read(new ByteArrayInputStream(res.body())).getWidth());
        HttpCalls.Response bad = http.postBytes("/infer/image?model=yolox-nano&render=jpeg", "image/png", Images.read("coffee.png"));
        assertEquals(400, bad.status());
        assertTrue(bad.errorMessage().contains("render=png"), bad.errorMessage());
        Multipart two = new Multipart().file("images", "a.png", "image/png", Images.read("coffee.png"))
                .file("images", "b.png", "image/png", Images.read("coffee.png"));
        HttpCalls.Response many = http.postBytes("/infer/image?model=yolox-nano&render=png", two.contentType(), two.bytes());
        assertEquals(400, many.status());
    }

    private static boolean changed(BufferedImage a, BufferedImage b, int x, int y) {
        for (int dx = -3; dx <= 3; dx++) {
            if ((a.getRGB(x + dx, y) & 0xFFFFFF) != (b.getRGB(x + dx, y) & 0xFFFFFF)) {
                return true;
            }
        }
        return false;
    }

    private HttpResponse<byte[]> post(String path, String type, byte[] body, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            req.header("Accept", accept);
        }
        return client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
