package dev.corral.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends one generation request to the server and times it from the client's side. Uses
 * {@link HttpURLConnection} on purpose: it reads the response in the calling thread, so the
 * moment a server-sent event is read is the moment it arrived (no hand-off to a selector
 * thread in between), and it keeps the connection alive between requests.
 */
final class GenerationClient {
    private static final String TOKEN_EVENT = "data: {\"index\":";
    private static final String HELD_BACK_REST = "\"token_id\":-1";
    private static final String FINAL_EVENT = "data: {\"finish_reason\":";
    private static final String ERROR_EVENT = "data: {\"error\":";

    /** A {@code POST /infer/text} answer: the client's round trip and what the server reported. */
    record Completion(long clientNanos, int completionTokens, JsonNode timings) {
    }

    /**
     * A {@code POST /infer/text/stream} answer, times from the start of the request.
     *
     * @param firstTokenNanos when the first token's event was read
     * @param lastTokenNanos  when the last token's event was read
     * @param totalNanos      when {@code [DONE]} was read
     * @param tokenEvents     events that carried a generated token
     * @param timings         the final event's {@code timings}
     */
    record Streamed(long firstTokenNanos, long lastTokenNanos, long totalNanos, int tokenEvents,
                    int completionTokens, JsonNode timings) {
        /** Tokens per second after the first, as the client saw them arrive: the server's definition, measured here. */
        double tokensPerSecond() {
            return tokenEvents < 2 ? 0 : (tokenEvents - 1) * 1e9 / (lastTokenNanos - firstTokenNanos);
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final URI complete;
    private final URI stream;
    private final byte[] body;

    /** @param server the server's base URL, e.g. {@code http://127.0.0.1:18080} */
    GenerationClient(URI server, byte[] body) {
        this.complete = server.resolve("/infer/text");
        this.stream = server.resolve("/infer/text/stream");
        this.body = body;
    }

    Completion complete() throws IOException {
        long start = System.nanoTime();
        HttpURLConnection connection = post(complete);
        JsonNode answer;
        try (InputStream in = connection.getInputStream()) {
            answer = json.readTree(in);
        }
        long elapsed = System.nanoTime() - start;
        return new Completion(elapsed, answer.path("usage").path("completion_tokens").asInt(), answer.path("timings"));
    }

    Streamed stream() throws IOException {
        long start = System.nanoTime();
        HttpURLConnection connection = post(stream);
        long first = 0;
        long last = 0;
        int tokens = 0;
        JsonNode finish = null;
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                long now = System.nanoTime();
                if (line.startsWith(TOKEN_EVENT) && !line.contains(HELD_BACK_REST)) {
                    if (tokens++ == 0) {
                        first = now;
                    }
                    last = now;
                } else if (line.startsWith(FINAL_EVENT)) {
                    finish = json.readTree(line.substring("data: ".length()));
                } else if (line.startsWith(ERROR_EVENT)) {
                    throw new IOException("the stream from " + stream + " ended with " + line.substring("data: ".length()));
                } else if (line.equals("data: [DONE]")) {
                    if (finish == null) {
                        throw new IOException("the stream from " + stream + " ended without a final event");
                    }
                    long total = now - start;
                    return new Streamed(first - start, last - start, total, tokens,
                            finish.path("usage").path("completion_tokens").asInt(), finish.path("timings"));
                }
            }
        }
        throw new IOException("the stream from " + stream + " closed before 'data: [DONE]' after " + tokens + " tokens");
    }

    private HttpURLConnection post(URI target) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) target.toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        if (status != 200) {
            String error;
            try (InputStream in = connection.getErrorStream()) {
                error = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new IOException("POST " + target + " answered " + status + ": " + error);
        }
        return connection;
    }
}
