package dev.corral.host.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository and the shared model mirror are, from any working directory. */
public final class TestPaths {
    private TestPaths() {
    }

    /** The repository root: the nearest ancestor of the working directory with plugin-sdk/ABI.md. */
    public static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("plugin-sdk/ABI.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("no Corral checkout above " + Path.of("").toAbsolutePath());
    }

    /** The model mirror: $CORRAL_MODEL_MIRROR, else ../shared/models beside the checkout. */
    public static Path modelMirror() {
        String env = System.getenv("CORRAL_MODEL_MIRROR");
        Path mirror = env != null && !env.isEmpty() ? Path.of(env) : repoRoot().resolveSibling("shared/models");
        if (!Files.isDirectory(mirror)) {
            throw new IllegalStateException("no model mirror at " + mirror + " (set CORRAL_MODEL_MIRROR)");
        }
        return mirror;
    }

    /** A test image from the shared test data, e.g. {@code chelsea.png}. */
    public static Path image(String name) {
        return modelMirror().resolveSibling("testdata/images").resolve(name);
    }
}
