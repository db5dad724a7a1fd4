package dev.corral.host.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Plain HTTP calls to a test server, as any client would make them (the JDK's client, no Helidon). */
public final class HttpCalls {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;

    public HttpCalls(URI base) {
        this.base = base;
    }

    /** A response whose body was JSON. */
    public record Response(int status, HttpHeaders headers, JsonNode body) {
        public String errorCode() {
            return body.path("error").path("code").asText();
        }

        public String errorMessage() {
            return body.path("error").path("message").asText();
        }
    }

    /**
     * A Server-Sent-Events response, read to its end.
     *
     * @param data     every {@code data:} payload in order
     * @param comments how many comment lines came
     */
    public record Sse(int status, HttpHeaders headers, List<String> data, int comments) {
        /** The payloads before {@code [DONE]}, parsed. */
        public List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            for (String d : data) {
                if (!d.equals("[DONE]")) {
                    events.add(parse(d));
                }
            }
            return events;
        }
    }

    public Response postJson(String path, String json) {
        return json(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response postBytes(String path, String contentType, byte[] body) {
        return json(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Response get(String path) {
        return json(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    /** GET (json null) or POST a stream and read every line until the server ends it. */
    public Sse stream(String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "text/event-stream");
        if (json != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<java.util.stream.Stream<String>> response = send(request.build(), HttpResponse.BodyHandlers.ofLines());
        List<String> data = new ArrayList<>();
        int[] comments = {0};
        response.body().forEach(line -> {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            } else if (line.startsWith(":")) {
                comments[0]++;
            } else if (!line.isEmpty()) {
                throw new AssertionError("not an SSE line: " + line);
            }
        });
        return new Sse(response.statusCode(), response.headers(), data, comments[0]);
    }

    private Response json(HttpRequest request) {
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers(), parse(response.body()));
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
