package dev.corral.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.generate.FinishReason;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.Generator;
import dev.corral.host.generate.TokenEvent;
import dev.corral.host.generate.TokenSink;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.RequestTensors;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The cap on concurrent generations: over it, 429 with Retry-After at once; below it again, service resumes. */
@ServerTest
class GenerationLimitTest {
    private final HttpCalls http;

    GenerationLimitTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), InferImageTest.MAX_BODY);
    }

    @Test
    void generationsOverTheCapAreRefusedWith429() throws Exception {
        LoadedModel model = SharedServer.get().models().resolve("stories260k", (String) null);
        Generator generator = model.generator();
        int cap = generator.stats().maxConcurrent();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(cap);
        List<CompletableFuture<GenerationResult>> held = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            // A client that takes its first token and then stalls: the loop waits for it.
            held.add(generator.start(model.generationRequest(Map.of(RequestTensors.TEXT, RequestTensors.text("Once")),
                    Map.of(), 5, List.of(), false), new TokenSink() {
                        @Override
                        public void accept(TokenEvent event) throws InterruptedException {
                            started.countDown();
                            release.await();
                        }

                        @Override
                        public boolean cancelled() {
                            return false;
                        }
                    }));
        }
        started.await();
        HttpCalls.Response refused = http.postJson("/infer/text", "{\"prompt\": \"Once\", \"max_tokens\": 2}");
        assertEquals(429, refused.status(), refused.body().toString());
        assertEquals("too_many_generations", refused.errorCode());
        assertTrue(refused.headers().firstValue("retry-after").isPresent());
        HttpCalls.Response refusedStream = http.get("/infer/text/stream?prompt=Once&max_tokens=2");
        assertEquals(429, refusedStream.status(), "a stream is refused before its 200");
        release.countDown();
        for (CompletableFuture<GenerationResult> f : held) {
            assertEquals(FinishReason.LENGTH, f.get().finishReason());
        }
        HttpCalls.Response served = http.postJson("/infer/text", "{\"prompt\": \"Once\", \"max_tokens\": 2}");
        assertEquals(200, served.status(), "the slots were given back");
        assertEquals(0, generator.stats().running());
    }
}
