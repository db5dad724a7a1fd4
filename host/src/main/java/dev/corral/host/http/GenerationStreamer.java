package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.Generator;
import dev.corral.host.generate.TokenChannel;
import dev.corral.host.generate.TokenEvent;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Streams one generation to a client as Server-Sent Events: starts it (so that a refusal, e.g.
 * 429, is still an ordinary error response), then writes each step as the loop hands it over,
 * keep-alive comments while nothing else is sent, the final events, and {@code [DONE]}. A client
 * that goes away cancels the generation at its next token.
 */
final class GenerationStreamer {
    private static final long POLL_MILLIS = 100;
    private static final String DONE = "[DONE]";

    private final Duration keepAlive;

    GenerationStreamer(Duration keepAlive) {
        this.keepAlive = keepAlive;
    }

    void stream(Generator generator, GenerationRequest request, ServerResponse res, StreamFormat format) {
        TokenChannel channel = new TokenChannel();
        CompletableFuture<GenerationResult> result = generator.start(request, channel);
        result.whenComplete((done, failure) -> channel.end());
        SseStream sse = SseStream.open(res);
        try {
            pump(channel, result, sse, format);
        } catch (InterruptedException e) {
            channel.cancel();
            Thread.currentThread().interrupt();
        } finally {
            sse.close();
        }
    }

    private void pump(TokenChannel channel, CompletableFuture<GenerationResult> result, SseStream sse,
                      StreamFormat format) throws InterruptedException {
        for (String event : format.start()) {
            if (!sse.data(event)) {
                channel.cancel();
                return;
            }
        }
        long quietSince = System.nanoTime();
        while (true) {
            TokenEvent event = channel.poll(Math.min(POLL_MILLIS, Math.max(1, keepAlive.toMillis())));
            if (event != null) {
                String data = format.token(event);
                if (data != null) {
                    if (!sse.data(data)) {
                        channel.cancel();
                        return;
                    }
                    quietSince = System.nanoTime();
                }
            } else if (result.isDone()) {
                // The loop hands over its last step before it completes, and the channel keeps
                // the order, so nothing is left behind.
                finish(result, sse, format);
                return;
            } else if (System.nanoTime() - quietSince >= keepAlive.toNanos()) {
                if (!sse.comment("keep-alive")) {
                    channel.cancel();
                    return;
                }
                quietSince = System.nanoTime();
            }
        }
    }

    private static void finish(CompletableFuture<GenerationResult> result, SseStream sse, StreamFormat format) {
        try {
            for (String event : format.finish(result.join())) {
                sse.data(event);
            }
        } catch (CompletionException e) {
            sse.data(format.error(e.getCause() instanceof ServingException s ? s
                    : new ServingException(ErrorKind.INTERNAL, "internal error (logged on the server)", e.getCause())));
        }
        sse.data(DONE);
    }
}
