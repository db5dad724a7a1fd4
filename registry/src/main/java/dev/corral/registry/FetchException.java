package dev.corral.registry;

/**
 * A model's files could not be fetched. The message names the file, each source tried and why it
 * failed (including a sha256 mismatch, with both hashes), and how to point at a mirror.
 */
public final class FetchException extends Exception {
    FetchException(String message) {
        super(message);
    }

    FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
