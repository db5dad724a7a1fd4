package dev.corral.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the project's folders from wherever the tests run (Maven runs them in the module folder). */
final class ProjectPaths {
    private ProjectPaths() {
    }

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("models/catalog.json")) && Files.isDirectory(dir.resolve("registry"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no project root (a folder with models/catalog.json) above "
                + Path.of("").toAbsolutePath());
    }

    static Path models() {
        return root().resolve("models");
    }

    /** The shared model mirror: $CORRAL_MODEL_MIRROR, else shared/models in or beside the checkout. */
    static Optional<Path> mirror() {
        String env = System.getenv(ModelFetcher.MIRROR_ENV);
        Stream<Path> candidates = Stream.of(
                env == null || env.isEmpty() ? null : Path.of(env),
                root().resolve("shared/models"),
                root().resolve("../shared/models"));
        return candidates
                .filter(p -> p != null && Files.isRegularFile(p.resolve("SHA256SUMS")))
                .map(Path::normalize)
                .findFirst();
    }
}
