package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
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
        routing.error(ServingException.class, (req, res, e) -> send(res, e));
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "bug: unexpected failure serving " + req.prologue().method().text() + " "
                    + req.path().path(), e);
            send(res, new ServingException(ErrorKind.INTERNAL, "internal error (logged on the server)"));
        });
    }

    static void send(ServerResponse res, ServingException e) {
        if (e.kind().status() >= 500 && e.kind() != ErrorKind.PLUGIN_DEADLINE_EXCEEDED) {
            LOG.log(Level.WARNING, e.kind().code() + ": " + e.getMessage());
        }
        if (e.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        Json.send(res, e.kind().status(), body(e));
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
