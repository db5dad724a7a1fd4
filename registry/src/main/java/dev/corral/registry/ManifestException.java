package dev.corral.registry;

import java.nio.file.Path;
import java.util.List;

/** A model manifest ({@code models/<name>/model.json}) that cannot be read or is invalid. */
public final class ManifestException extends RegistryFileException {
    ManifestException(Path file, List<String> problems) {
        super(file, problems);
    }
}
