package dev.corral.host.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.render.ResultRenderer;
import dev.corral.host.serving.InferenceOutcome;
import dev.corral.host.tensor.Tensor;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Locale;

/**
 * The picture answer of the inference routes: {@code ?render=png} (or an {@code Accept} header
 * whose first choice is {@code image/png}) returns the request's image with the result drawn on
 * it, with the model and the stage timings in headers ({@code X-Corral-Model},
 * {@code X-Corral-Timings-Ms}); the JSON result itself is the picture's drawing.
 */
final class RenderedResponse {
    private static final String PNG = "image/png";

    private RenderedResponse() {
    }

    /** Whether the client asked for a picture; a render value other than png is a 400. */
    static boolean wanted(ServerRequest req) {
        if (req.query().contains(QueryOptions.RENDER_PARAM)) {
            String value = req.query().all(QueryOptions.RENDER_PARAM).getLast();
            if (!value.equalsIgnoreCase("png")) {
                throw new ServingException(ErrorKind.BAD_REQUEST,
                        "render=" + value + " is not a picture format this server draws; use render=png");
            }
            return true;
        }
        return req.headers().first(HeaderNames.ACCEPT)
                .map(accept -> accept.split(",")[0].split(";")[0].trim().toLowerCase(Locale.ROOT).equals(PNG))
                .orElse(false);
    }

    static void send(ServerResponse res, String modelName, Tensor image, InferenceOutcome outcome) {
        byte[] png;
        try {
            png = ResultRenderer.renderPng(image, Json.MAPPER.readTree(outcome.resultJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a pipeline result that the sandbox accepted does not parse", e);
        }
        res.header(HeaderNames.CONTENT_TYPE, PNG);
        res.header("X-Corral-Model", modelName);
        try {
            res.header("X-Corral-Timings-Ms", Json.MAPPER.writeValueAsString(outcome.timings().toMillis()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        res.send(png);
    }
}
