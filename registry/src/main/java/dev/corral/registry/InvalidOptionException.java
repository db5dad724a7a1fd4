package dev.corral.registry;

import java.util.List;

/**
 * A request's options do not match what the model declares: the client's mistake (HTTP 422
 * {@code invalid_option}). The message names each option, what was expected and what was found.
 */
public final class InvalidOptionException extends Exception {
    private final List<String> problems;

    InvalidOptionException(String problem) {
        this(List.of(problem));
    }

    InvalidOptionException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One entry per wrong option, in request order. */
    public List<String> problems() {
        return problems;
    }
}
