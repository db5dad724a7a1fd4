package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The browser page ({@code GET /}) and its files ({@code GET /web/NAME}), from the classpath
 * folder {@code corral/web/}. Only flat names of known types are served, so nothing else on the
 * classpath can be reached.
 */
final class WebPageHandler implements Handler {
    private static final String FOLDER = "corral/web/";
    private static final String INDEX = "index.html";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        String name = path.equals("/") ? INDEX : path.substring(path.lastIndexOf('/') + 1);
        if (!NAME.matcher(name).matches()) {
            throw notFound(path);
        }
        byte[] bytes;
        try (InputStream in = WebPageHandler.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw notFound(path);
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.send(bytes);
    }

    private static ServingException notFound(String path) {
        return new ServingException(ErrorKind.NOT_FOUND, "no page at " + path);
    }
}
