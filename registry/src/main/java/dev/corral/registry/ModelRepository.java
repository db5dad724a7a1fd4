package dev.corral.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A folder of models, one sub-folder each holding a {@code model.json} (e.g. {@code models/}). */
public final class ModelRepository {
    private final Path directory;

    public ModelRepository(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** Where the manifest of the model with this name lies (whether or not it exists). */
    public Path manifestPath(String name) {
        return directory.resolve(name).resolve(ModelManifest.FILE_NAME);
    }

    /**
     * Reads every {@code <folder>/model.json}, in folder-name order. A broken manifest does not hide
     * the others: it is reported among the errors. Folders without a manifest are left alone.
     *
     * @throws IOException when the repository folder itself cannot be listed
     */
    public Scan scan() throws IOException {
        List<Path> manifestFiles;
        try (Stream<Path> folders = Files.list(directory)) {
            manifestFiles = folders
                    .filter(Files::isDirectory)
                    .filter(folder -> !folder.getFileName().toString().startsWith("."))
                    .map(folder -> folder.resolve(ModelManifest.FILE_NAME))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
        List<ModelManifest> manifests = new ArrayList<>();
        List<ManifestException> errors = new ArrayList<>();
        for (Path file : manifestFiles) {
            try {
                manifests.add(ManifestParser.parse(file));
            } catch (ManifestException e) {
                errors.add(e);
            }
        }
        return new Scan(manifests, errors);
    }

    /**
     * Reads one model's manifest, e.g. to reload it.
     *
     * @throws ManifestException when it is missing, unreadable or invalid
     */
    public ModelManifest load(String name) throws ManifestException {
        return ManifestParser.parse(manifestPath(name));
    }

    /** The outcome of {@link #scan()}: the valid manifests and, apart, the broken ones. */
    public record Scan(List<ModelManifest> manifests, List<ManifestException> errors) {
        public Scan {
            manifests = List.copyOf(manifests);
            errors = List.copyOf(errors);
        }
    }
}
