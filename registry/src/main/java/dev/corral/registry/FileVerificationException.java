package dev.corral.registry;

import java.util.List;

/** A model's files are missing or differ from the ones its manifest pins. One line per file. */
public final class FileVerificationException extends Exception {
    private final String model;
    private final List<String> problems;

    FileVerificationException(String model, List<String> problems) {
        super(String.join("\n", problems));
        this.model = model;
        this.problems = List.copyOf(problems);
    }

    public String model() {
        return model;
    }

    /** One entry per file: its path, what is wrong and how to fix it. */
    public List<String> problems() {
        return problems;
    }
}
