package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.lang.System.Logger.Level;

/**
 * Every failure leaves as {@code {"error": {"code": "...", "message": "..."}}} with the status of
 * its {@link ErrorKind}. Anything that is not a {@link ServingException} is a bug: it is logged
 * with its stack trace and answered 500 without leaking internals.
 */
final class ErrorResponses {
    private static final System.Logger LOG = System.getLogger(ErrorResponses.class.getName());

    private ErrorResponses() {
    }

    static void register(HttpRouting.Builder routing) {
        routing.error(ServingException.class, (req, res, e) -> send(req, res, e));
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "bug: unexpected failure serving " + req.prologue().method().text() + " "
                    + req.path().path(), e);
            send(req, res, new ServingException(ErrorKind.INTERNAL, "internal error (logged on the server)"));
        });
    }

    /** OpenAI's routes answer in OpenAI's error shape, which its clients parse. */
    private static void send(ServerRequest req, ServerResponse res, ServingException e) {
        send(res, e, req.path().path().startsWith(OpenAiRoutes.PREFIX) ? OpenAiResponses.error(e) : body(e));
    }

    static void send(ServerResponse res, ServingException e) {
        send(res, e, body(e));
    }

    /** Sends a failure with a body of another API's shape (OpenAI's), keeping the status, the log and Retry-After. */
    private static void send(ServerResponse res, ServingException e, Object body) {
        if (e.kind().status() >= 500 && e.kind() != ErrorKind.PLUGIN_DEADLINE_EXCEEDED) {
            LOG.log(Level.WARNING, e.kind().code() + ": " + e.getMessage());
        }
        if (e.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        Json.send(res, e.kind().status(), body);
    }

    /** The error object alone, as it also appears per file in a multi-image response. */
    static ObjectNode errorObject(ServingException e) {
        ObjectNode error = Json.object();
        error.put("code", e.kind().code());
        error.put("message", e.getMessage());
        return error;
    }

    static ObjectNode body(ServingException e) {
        ObjectNode body = Json.object();
        body.set("error", errorObject(e));
        return body;
    }
}
