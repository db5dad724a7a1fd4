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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible routes, in OpenAI's own shapes (the npm client checks them too, in CI). */
@ServerTest
class OpenAiRoutesTest {
    private final HttpCalls http;

    OpenAiRoutesTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void modelsAreListed() {
        JsonNode body = http.get("/v1/models").body();
        assertEquals("list", body.get("object").asText());
        List<String> ids = body.get("data").findValuesAsText("id");
        assertTrue(ids.containsAll(List.of("stories260k", "all-minilm-l6-v2")), ids.toString());
    }

    @Test
    void completionWholeAndStreamedAgree() {
        String request = "{\"model\": \"stories260k\", \"prompt\": \"Once upon a time\", \"max_tokens\": 12, \"temperature\": 0%s}";
        HttpCalls.Response whole = http.postJson("/v1/completions", request.formatted(""));
        assertEquals(200, whole.status(), whole.body().toString());
        assertEquals("text_completion", whole.body().get("object").asText());
        assertTrue(whole.body().get("id").asText().startsWith("cmpl-"));
        JsonNode choice = whole.body().at("/choices/0");
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(17, whole.body().at("/usage/total_tokens").asInt());
        HttpCalls.Sse sse = http.stream("/v1/completions", request.formatted(", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        assertEquals("[DONE]", sse.data().getLast());
        StringBuilder text = new StringBuilder();
        List<JsonNode> chunks = sse.events();
        for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("text_completion", chunk.get("object").asText());
            text.append(chunk.at("/choices/0/text").asText());
        }
        assertEquals(choice.get("text").asText(), text.toString());
        assertEquals("length", chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText());
        assertEquals(12, chunks.getLast().at("/usage/completion_tokens").asInt(), "the usage chunk comes last");
    }

    @Test
    void chatWholeAndStreamedAgree() {
        String request = "{\"model\": \"stories260k\", \"messages\": [{\"role\": \"user\", \"content\": \"Zoo\"}],"
                + " \"max_tokens\": 10, \"temperature\": 0%s}";
        HttpCalls.Response whole = http.postJson("/v1/chat/completions", request.formatted(""));
        assertEquals("chat.completion", whole.body().get("object").asText());
        assertEquals("assistant", whole.body().at("/choices/0/message/role").asText());
        String content = whole.body().at("/choices/0/message/content").asText();
        assertTrue(content.startsWith(" was a little girl"), content);
        HttpCalls.Sse sse = http.stream("/v1/chat/completions", request.formatted(", \"stream\": true"));
        List<JsonNode> chunks = sse.events();
        assertEquals("assistant", chunks.getFirst().at("/choices/0/delta/role").asText());
        StringBuilder streamed = new StringBuilder();
        chunks.forEach(c -> streamed.append(c.at("/choices/0/delta/content").asText("")));
        assertEquals(content, streamed.toString());
        assertEquals("chat.completion.chunk", chunks.getLast().get("object").asText());
        assertEquals("length", chunks.getLast().at("/choices/0/finish_reason").asText());
    }

    @Test
    void embeddingsAsFloatsAndAsBase64AreTheSameVectors() {
        JsonNode floats = http.postJson("/v1/embeddings", "{\"model\": \"all-minilm-l6-v2\", \"input\": [\"hello there\"],"
                + " \"encoding_format\": \"float\"}").body();
        JsonNode base64 = http.postJson("/v1/embeddings", "{\"model\": \"all-minilm-l6-v2\", \"input\": \"hello there\","
                + " \"encoding_format\": \"base64\"}").body();
        JsonNode f = floats.at("/data/0/embedding");
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(384, f.size());
        assertEquals(384 * 4, b.remaining());
        for (int i = 0; i < 384; i++) {
            assertEquals((float) f.get(i).asDouble(), b.getFloat(), 0f, "dimension " + i);
        }
        assertEquals(4, floats.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void errorsComeInOpenAisShape() {
        HttpCalls.Response n = http.postJson("/v1/completions", "{\"model\": \"stories260k\", \"prompt\": \"x\", \"n\": 2}");
        assertEquals(400, n.status());
        assertEquals("invalid_request_error", n.body().at("/error/type").asText());
        assertTrue(n.errorMessage().contains("\"n\""), n.errorMessage());
        HttpCalls.Response missing = http.postJson("/v1/chat/completions", "{\"model\": \"stories260k\"}");
        assertEquals(400, missing.status());
        HttpCalls.Response unknown = http.postJson("/v1/embeddings", "{\"model\": \"nope\", \"input\": \"x\"}");
        assertEquals(404, unknown.status());
        assertEquals("model_not_found", unknown.errorCode());
    }
}
