package dev.corral.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Downloads an address into a file, streamed; anything but HTTP 200 is a failure. */
final class HttpDownloader {
    /** How long a download may wait for the response to begin. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;

    HttpDownloader(HttpClient http) {
        this.http = http;
    }

    /**
     * Writes the response body into {@code file}, replacing what it held.
     *
     * @throws IOException naming the HTTP status when it is not 200, or why the transfer failed
     */
    void download(URI url, Path file) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(RESPONSE_TIMEOUT)
                .header("User-Agent", "corral-fetch")
                .GET()
                .build();
        HttpResponse<Path> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofFile(file));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading");
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
    }
}
