package dev.corral.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Keep-alive comments on a quiet stream; here "quiet" is 1 ms, so they come between tokens. */
@ServerTest
class TextStreamKeepAliveTest {
    private final HttpCalls http;

    TextStreamKeepAliveTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY, Duration.ofMillis(1));
    }

    @Test
    void commentsKeepAQuietStreamAliveAndChangeNothingElse() {
        HttpCalls.Sse sse = http.stream("/infer/text/stream?prompt=Once&max_tokens=200&temperature=0", null);
        assertTrue(sse.comments() > 0, "no keep-alive comment in a stream of 200 tokens at a 1 ms keep-alive");
        assertEquals("[DONE]", sse.data().getLast());
        int tokens = sse.events().getLast().at("/usage/completion_tokens").asInt();
        assertTrue(tokens > 0);
        assertEquals(tokens + 1, sse.events().size(), "one event per token and the finish, whatever the comments between them");
    }
}
