package dev.corral.host.cli;

import dev.corral.registry.Catalog;
import dev.corral.registry.CatalogException;
import dev.corral.registry.FetchException;
import dev.corral.registry.FetchReport;
import dev.corral.registry.ModelFetcher;
import dev.corral.registry.ModelManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Fills each model folder that has a manifest with the files the catalog lists for it, from the
 * mirror or upstream, each verified by sha256. Catalog entries without a manifest are left alone.
 */
final class FetchCommand {
    static final String CATALOG = "catalog.json";

    private FetchCommand() {
    }

    static void run(Path modelsDir, Path mirror) {
        Catalog catalog;
        try {
            catalog = Catalog.load(modelsDir.resolve(CATALOG));
        } catch (CatalogException e) {
            throw new FetchFailed(e.getMessage());
        }
        ModelFetcher fetcher = fetcher(catalog, mirror);
        try (Stream<Path> folders = Files.list(modelsDir)) {
            for (Path folder : folders.sorted().toList()) {
                String name = folder.getFileName().toString();
                if (Files.isRegularFile(folder.resolve(ModelManifest.FILE_NAME)) && catalog.models().containsKey(name)) {
                    FetchReport report = fetcher.fetch(name, folder);
                    report.files().forEach(item -> System.out.println("corral fetch: " + name + ": " + item.describe()));
                }
            }
        } catch (IOException e) {
            throw new FetchFailed("cannot list the models folder " + modelsDir + ": " + e.getMessage());
        } catch (FetchException e) {
            throw new FetchFailed(e.getMessage());
        }
    }

    /**
     * What fetches the files an admin bundle references instead of uploading, or null when the
     * models folder has no readable catalog (every file must then be uploaded).
     */
    static ModelFetcher fetcher(Path modelsDir, Path mirror) {
        try {
            return fetcher(Catalog.load(modelsDir.resolve(CATALOG)), mirror);
        } catch (CatalogException e) {
            System.err.println("corral: admin bundles cannot reference catalog files: " + e.getMessage());
            return null;
        }
    }

    private static ModelFetcher fetcher(Catalog catalog, Path mirror) {
        return new ModelFetcher(catalog, Files.isDirectory(mirror) ? mirror : null, ModelFetcher.defaultHttpClient());
    }

    /** Fetching failed; the message says what was tried and how to fix it. */
    static final class FetchFailed extends RuntimeException {
        FetchFailed(String message) {
            super(message);
        }
    }
}
