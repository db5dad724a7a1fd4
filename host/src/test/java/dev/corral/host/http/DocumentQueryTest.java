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
 * Document query on {@code /infer/multimodal}: PP-OCRv4's lines of a real photographed page,
 * ranked by MiniLM similarity to the query, through the real server and models.
 */
@ServerTest
class DocumentQueryTest {
    private final HttpCalls http;

    DocumentQueryTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void theLineThatAnswersTheQueryComesFirstWithItsBox() throws Exception {
        HttpCalls.Response res = query("histogram", "");
        assertEquals(200, res.status(), res.body().toString());
        JsonNode matches = res.body().get("result").get("matches");
        assertTrue(matches.size() >= 6, "page.png has 7 lines; read: " + matches);
        JsonNode best = matches.get(0);
        assertTrue(best.get("text").asText().toLowerCase().startsWith("histogram"), matches.toString());
        assertTrue(best.get("similarity").asDouble() > matches.get(1).get("similarity").asDouble(), matches.toString());
        assertTrue(best.get("score").asDouble() >= 0.5, "the line's recognition confidence: " + best);
        java.awt.image.BufferedImage page = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(Images.read("page.png")));
        for (JsonNode m : matches) {
            JsonNode box = m.get("box");
            assertEquals(4, box.size(), m.toString());
            for (JsonNode corner : box) {
                double x = corner.get(0).asDouble();
                double y = corner.get(1).asDouble();
                assertTrue(x >= 0 && x <= page.getWidth() && y >= 0 && y <= page.getHeight(), m.toString());
            }
        }
        JsonNode timings = res.body().get("timings_ms");
        for (String stage : List.of("decode", "det-pre", "detect", "det-post", "cls-pre", "classify", "orient", "rec-pre",
                "recognize", "rec-post", "tokenize", "embed", "pool", "rank", "total")) {
            assertTrue(timings.has(stage), "no stage " + stage + " in " + timings);
        }
    }

    @Test
    void aQuestionFindsTheLineThatTalksAboutIt() {
        JsonNode matches = query("coins and background", "&top_k=2").body().get("result").get("matches");
        assertEquals(2, matches.size(), matches.toString());
        assertTrue(matches.get(0).get("text").asText().contains("coins"), matches.toString());
    }

    private HttpCalls.Response query(String query, String options) {
        Multipart form = new Multipart().file("image", "page.png", "image/png", Images.read("page.png")).field("text", query);
        return http.postBytes("/infer/multimodal?model=document-query" + options, form.contentType(), form.bytes());
    }
}
