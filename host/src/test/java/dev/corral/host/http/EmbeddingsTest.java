package dev.corral.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /infer/text} embedding with the real all-MiniLM-L6-v2, its tokenizer and plugins. */
@ServerTest
class EmbeddingsTest {
    private static final String GUITAR = "A man is playing a guitar.";
    private static final String INSTRUMENT = "Someone plays an instrument.";
    private static final String STOCKS = "The stock market fell today.";

    private final HttpCalls http;

    EmbeddingsTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        HttpCalls.Response r = http.postJson("/infer/text", "{\"input\": [\"" + GUITAR + "\", \"" + INSTRUMENT + "\", \""
                + STOCKS + "\"]}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("all-minilm-l6-v2", r.body().get("model").asText());
        assertEquals(384, r.body().get("dimensions").asInt());
        List<float[]> v = vectors(r.body());
        for (float[] x : v) {
            assertEquals(384, x.length);
            assertEquals(1.0, dot(x, x), 1e-5, "L2-normalised");
        }
        double related = dot(v.get(0), v.get(1));
        double unrelated = dot(v.get(0), v.get(2));
        assertTrue(related > unrelated + 0.3, "cosine " + related + " vs " + unrelated);
        assertEquals(9 + 7 + 8, r.body().at("/usage/prompt_tokens").asInt(), "[CLS] … [SEP] of each sentence");
    }

    /** Texts of different lengths run concurrently, padded into shared batches; each equals its batch-1 run. */
    @Test
    void batchedResultsEqualOneByOneResults() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            texts.add("word ".repeat(1 + i * 7) + "end " + i);
        }
        String list = String.join("\", \"", texts);
        List<float[]> together = vectors(http.postJson("/infer/text", "{\"input\": [\"" + list + "\"]}").body());
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = vectors(http.postJson("/infer/text", "{\"input\": \"" + texts.get(i) + "\"}").body()).getFirst();
            for (int d = 0; d < alone.length; d++) {
                assertEquals(alone[d], together.get(i)[d], 1e-5, "text " + i + " dim " + d);
            }
        }
    }

    @Test
    void anOverlongTextIsCutOrRefusedAsTheRequestAsks() {
        String longText = "word ".repeat(400);
        HttpCalls.Response cut = http.postJson("/infer/text", "{\"input\": \"" + longText + "\"}");
        assertEquals(200, cut.status());
        assertEquals(256, cut.body().at("/usage/prompt_tokens").asInt(), "cut to the manifest's max_length");
        HttpCalls.Response refused = http.postJson("/infer/text", "{\"input\": \"" + longText + "\", \"truncate\": false}");
        assertEquals(422, refused.status());
        assertEquals("invalid_input", refused.errorCode());
        assertTrue(refused.errorMessage().contains("402 tokens") && refused.errorMessage().contains("256"),
                refused.errorMessage());
    }

    @Test
    void badInputGetsClearErrors() {
        String[][] cases = {
            {"{\"input\": []}", "400", "bad_request"},
            {"{\"input\": [\"ok\", 3]}", "400", "bad_request"},
            {"{\"input\": \"x\", \"max_tokens\": 3}", "400", "bad_request"},
            {"{\"input\": \"x\", \"truncate\": \"maybe\"}", "422", "invalid_option"},
            {"{\"input\": \"" + "x".repeat(70_000) + "\"}", "413", "text_too_long"},
            {"{\"input\": [" + "\"x\",".repeat(64) + "\"x\"]}", "413", "too_many_inputs"},
            {"{\"input\": \"x\", \"model\": \"stories260k\"}", "400", "bad_request"},
        };
        for (String[] c : cases) {
            HttpCalls.Response r = http.postJson("/infer/text", c[0]);
            String what = c[0].length() > 60 ? c[0].substring(0, 60) : c[0];
            assertEquals(Integer.parseInt(c[1]), r.status(), what + " → " + r.body());
            assertEquals(c[2], r.errorCode(), what);
        }
    }

    static List<float[]> vectors(JsonNode body) {
        List<float[]> out = new ArrayList<>();
        for (JsonNode e : body.get("embeddings")) {
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) e.get(i).asDouble();
            }
            out.add(v);
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
