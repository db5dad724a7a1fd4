package dev.corral.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * A registry document (a model manifest or the catalog) that cannot be used. The message has one
 * line per problem, each naming the file, the JSON path of the field, what was expected and what
 * was found.
 */
public abstract sealed class RegistryFileException extends Exception
        permits ManifestException, CatalogException {
    private final Path file;
    private final List<String> problems;

    RegistryFileException(Path file, List<String> problems) {
        super(String.join("\n", problems.stream().map(p -> file + ": " + p).toList()));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /** The document, as the path it was read from. */
    public Path file() {
        return file;
    }

    /** Each problem as {@code "json.path: message"} (no file name), in document order. */
    public List<String> problems() {
        return problems;
    }
}
