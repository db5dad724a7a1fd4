package dev.corral.host.error;

import java.time.Duration;

/**
 * A failure with a client-facing kind and message. The message names what was wrong
 * (the option, the file, the plugin) so that a client can fix its request.
 */
public class ServingException extends RuntimeException {
    private final ErrorKind kind;
    private final Duration retryAfter;

    public ServingException(ErrorKind kind, String message) {
        this(kind, message, null, null);
    }

    public ServingException(ErrorKind kind, String message, Throwable cause) {
        this(kind, message, null, cause);
    }

    public ServingException(ErrorKind kind, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** How long a client should wait before retrying (sent as {@code Retry-After}), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
