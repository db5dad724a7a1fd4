package dev.corral.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.ReferenceGenerations;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /infer/text} generating with the real stories260k, its prompt and sampler plugins. */
@ServerTest
class TextGenerationTest {
    private final HttpCalls http;

    TextGenerationTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void greedyFromAnEmptyPromptReproducesTheReference() {
        JsonNode reference = ReferenceGenerations.forPrompt("");
        HttpCalls.Response r = http.postJson("/infer/text", "{\"model\": \"stories260k\", \"prompt\": \"\","
                + " \"max_tokens\": 40, \"temperature\": 0}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(reference.get("generated_ids"), r.body().get("token_ids"));
        assertEquals(reference.get("text").asText(), r.body().get("text").asText());
        assertEquals("length", r.body().get("finish_reason").asText());
        assertEquals(1, r.body().at("/usage/prompt_tokens").asInt(), "the prompt is BOS alone");
        assertEquals(40, r.body().at("/usage/completion_tokens").asInt());
        for (String t : List.of("prompt_ms", "time_to_first_token_ms", "tokens_per_second", "sampler_ms_per_token", "total_ms")) {
            assertTrue(r.body().get("timings").get(t).asDouble() > 0, t + " in " + r.body().get("timings"));
        }
    }

    @Test
    void greedyAfterAPromptReproducesTheReference() {
        JsonNode reference = ReferenceGenerations.forPrompt("Zoo");
        HttpCalls.Response r = http.postJson("/infer/text", "{\"prompt\": \"Zoo\", \"max_tokens\": 40, \"temperature\": 0}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(reference.get("generated_ids"), r.body().get("token_ids"));
        assertEquals(reference.get("text").asText(), "Zoo" + r.body().get("text").asText());
        assertEquals(4, r.body().at("/usage/prompt_tokens").asInt());
    }

    @Test
    void onceUponATimeContinuesAsTheModelCardSays() {
        HttpCalls.Response r = http.postJson("/infer/text", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 20, \"temperature\": 0}");
        assertTrue(r.body().get("text").asText().startsWith(", there was a little girl named Lily."), r.body().toString());
    }

    @Test
    void aSeedMakesSamplingReproducibleAndAnotherSeedDiffers() {
        String body = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 40, \"temperature\": 1.0, \"top_p\": 0.95, \"seed\": %d}";
        JsonNode a = http.postJson("/infer/text", body.formatted(42)).body();
        JsonNode b = http.postJson("/infer/text", body.formatted(42)).body();
        JsonNode c = http.postJson("/infer/text", body.formatted(43)).body();
        assertEquals(a.get("token_ids"), b.get("token_ids"));
        assertEquals(42, a.get("seed").asLong());
        assertNotEquals(a.get("token_ids"), c.get("token_ids"));
        JsonNode unseeded = http.postJson("/infer/text", "{\"prompt\": \"Once\", \"max_tokens\": 3}").body();
        assertTrue(unseeded.get("seed").isIntegralNumber(), "the host reports the seed it drew: " + unseeded);
    }

    @Test
    void topKOfOneIsGreedyAndRepetitionPenaltyChangesTheText() {
        JsonNode greedy = http.postJson("/infer/text", "{\"prompt\": \"Zoo\", \"max_tokens\": 30, \"temperature\": 0}").body();
        JsonNode topK1 = http.postJson("/infer/text", "{\"prompt\": \"Zoo\", \"max_tokens\": 30, \"temperature\": 1.5,"
                + " \"top_k\": 1, \"seed\": 9}").body();
        assertEquals(greedy.get("token_ids"), topK1.get("token_ids"));
        JsonNode penalised = http.postJson("/infer/text", "{\"prompt\": \"Zoo\", \"max_tokens\": 30, \"temperature\": 0,"
                + " \"repetition_penalty\": 2.0}").body();
        assertNotEquals(greedy.get("token_ids"), penalised.get("token_ids"));
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() {
        HttpCalls.Response r = http.postJson("/infer/text", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 40,"
                + " \"temperature\": 0, \"stop\": [\"Lily\", \"zebra\"]}");
        assertEquals(", there was a little girl named ", r.body().get("text").asText());
        assertEquals("stop", r.body().get("finish_reason").asText());
    }

    @Test
    void maxTokensEndsWithLength() {
        HttpCalls.Response r = http.postJson("/infer/text", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 3, \"temperature\": 0}");
        assertEquals(3, r.body().get("token_ids").size());
        assertEquals(", there was", r.body().get("text").asText());
        assertEquals("length", r.body().get("finish_reason").asText());
    }

    @Test
    void chatMessagesGoThroughThePromptTemplate() {
        HttpCalls.Response r = http.postJson("/infer/text", "{\"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}],"
                + " \"max_tokens\": 5, \"temperature\": 0}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(", there was a little", r.body().get("text").asText(), "one user message renders as its content");
    }

    @Test
    void badRequestsGetClearErrors() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"{}", "400", "bad_request", "exactly one of"});
        cases.add(new String[] {"{\"prompt\": 12}", "400", "bad_request", "\"prompt\" must be a string"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"max_tokens\": -1}", "422", "invalid_option", "max_tokens"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"max_tokens\": 100000}", "422", "invalid_option", "max_tokens"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"max_tokens\": 1.5}", "422", "invalid_option", "max_tokens"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"temperature\": \"NaN\"}", "422", "invalid_option", "temperature"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"temperature\": NaN}", "400", "invalid_json", "not valid JSON"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"temperature\": 7}", "422", "invalid_option", "temperature"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"top_p\": -0.5}", "422", "invalid_option", "top_p"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"stop\": [\"\"]}", "422", "invalid_option", "stop"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"stop\": 3}", "400", "bad_request", "stop"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"warmth\": 3}", "400", "bad_request", "unknown field \"warmth\""});
        cases.add(new String[] {"{\"prompt\": \"x\", \"model\": \"gpt-9\"}", "404", "model_not_found", "gpt-9"});
        cases.add(new String[] {"{\"prompt\": \"x\", \"model\": \"mobilenetv2\"}", "400", "bad_request", "image-classification"});
        cases.add(new String[] {"{\"prompt\": \"" + "a".repeat(20_000) + "\"}", "413", "text_too_long", "16384"});
        cases.add(new String[] {"{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "400", "bad_request", "robot"});
        cases.add(new String[] {"[1, 2]", "400", "invalid_json", "must be an object"});
        for (String[] c : cases) {
            HttpCalls.Response r = http.postJson("/infer/text", c[0]);
            String what = c[0].length() > 80 ? c[0].substring(0, 80) : c[0];
            assertEquals(Integer.parseInt(c[1]), r.status(), what + " → " + r.body());
            assertEquals(c[2], r.errorCode(), what);
            assertTrue(r.errorMessage().contains(c[3]), what + " → " + r.errorMessage());
        }
        HttpCalls.Response invalidUtf8 = http.postBytes("/infer/text", "application/json",
                new byte[] {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertEquals(400, invalidUtf8.status());
        assertEquals("invalid_json", invalidUtf8.errorCode());
        HttpCalls.Response ok = http.postJson("/infer/text", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 3, \"temperature\": 0}");
        assertEquals(", there was", ok.body().get("text").asText(), "the server still serves after the bad requests");
    }
}
