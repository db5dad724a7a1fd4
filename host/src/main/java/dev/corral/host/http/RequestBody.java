package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/** Reads a request body into memory, refusing (413) anything over the limit before buffering it. */
final class RequestBody {
    private RequestBody() {
    }

    static byte[] read(ServerRequest req, long maxBytes) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(declared.getAsLong() + " bytes", maxBytes);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServingException tooLarge(String size, long maxBytes) {
        return new ServingException(ErrorKind.PAYLOAD_TOO_LARGE,
                "the request body is " + size + ", over the limit of " + maxBytes + " bytes");
    }
}
