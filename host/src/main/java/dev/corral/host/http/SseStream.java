package dev.corral.host.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A Server-Sent-Events response: {@code data:} events and comment lines, each flushed at once.
 * A write that fails means the client has gone; the stream then reports {@code false} and
 * writes nothing more.
 */
final class SseStream {
    private final OutputStream out;
    private boolean open = true;

    private SseStream(OutputStream out) {
        this.out = out;
    }

    /** Sends the 200 and the headers that keep proxies from buffering or caching the stream. */
    static SseStream open(ServerResponse res) {
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        return new SseStream(res.outputStream());
    }

    /** One event whose data is {@code data} (a single line: JSON or {@code [DONE]}). */
    boolean data(String data) {
        return write("data: " + data + "\n\n");
    }

    /** A comment line, which EventSource ignores: keeps idle connections from timing out. */
    boolean comment(String text) {
        return write(": " + text + "\n\n");
    }

    private boolean write(String text) {
        if (!open) {
            return false;
        }
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException | UncheckedIOException e) {
            open = false;
            return false;
        }
    }

    /** Ends the response; a client that has gone makes this a no-op. */
    void close() {
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            open = false;
        }
    }
}
