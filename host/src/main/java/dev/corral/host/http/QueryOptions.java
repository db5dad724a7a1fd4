package dev.corral.host.http;

import io.helidon.webserver.http.ServerRequest;

import java.util.Map;
import java.util.Set;

/** A request's query string as the inference routes read it: {@code model}, the response's
 *  {@code render} format, and every other parameter as a model option (the last value wins). */
final class QueryOptions {
    static final String RENDER_PARAM = "render";
    private static final Set<String> RESERVED = Set.of(ImageRequest.MODEL_PARAM, RENDER_PARAM);

    private QueryOptions() {
    }

    /** Puts the options into {@code options} and returns the {@code model} parameter, or null. */
    static String into(ServerRequest req, Map<String, Object> options) {
        for (String name : req.query().names()) {
            if (!RESERVED.contains(name)) {
                options.put(name, req.query().all(name).getLast());
            }
        }
        return req.query().contains(ImageRequest.MODEL_PARAM) ? req.query().all(ImageRequest.MODEL_PARAM).getLast() : null;
    }
}
