package dev.corral.registry;

import java.nio.file.Path;
import java.util.List;

/** The model catalog ({@code models/catalog.json}) cannot be read or is invalid. */
public final class CatalogException extends RegistryFileException {
    CatalogException(Path file, List<String> problems) {
        super(file, problems);
    }
}
