package dev.corral.host.serving;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.registry.FetchException;
import dev.corral.registry.ManifestException;
import dev.corral.registry.ManifestParser;
import dev.corral.registry.ModelFetcher;
import dev.corral.registry.ModelFile;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelRepository;
import dev.corral.registry.PluginRef;
import dev.corral.registry.PluginStep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Installs, reloads and removes models while the server runs. A bundle (manifest and files) is
 * written to {@code DIR/.staging/NAME-RANDOM/NAME/} (a manifest's folder bears its model's name;
 * the startup scan skips dot-folders), loaded and warmed up
 * there while the current version keeps serving, swapped in atomically, and only then moved to
 * {@code DIR/NAME/}; a bundle that fails leaves the current version and folder untouched.
 * One operation runs at a time: loads are heavy, and two swaps of one folder must not interleave.
 */
public final class ModelBundles {
    /** Folder names only: no separators, no dot-folders, nothing a path could escape with. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String STAGING = ".staging";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ModelManager models;
    private final Path modelsDir;
    private final ModelFetcher catalog;

    /**
     * @param modelsDir the folder {@link ModelServer#loadAll} loaded
     * @param catalog   fetches the files a bundle references instead of uploading, or null when
     *                  every file must be uploaded
     */
    public ModelBundles(ModelManager models, Path modelsDir, ModelFetcher catalog) {
        this.models = models;
        this.modelsDir = modelsDir;
        this.catalog = catalog;
    }

    /**
     * Installs a bundle as model {@code name}: its manifest must name it (the parser checks that
     * a manifest's name is its folder's), every file the manifest
     * declares (model files and third-party plugins) must be uploaded or be in the catalog entry
     * of that name, and each must match its sha256.
     *
     * @param files uploaded files by their path in the manifest
     * @return the new version's description
     * @throws ServingException INVALID_BUNDLE (422) saying what is wrong; the current version
     *                          keeps serving
     */
    public synchronized Map<String, Object> install(String name, byte[] manifestJson, Map<String, byte[]> files) {
        checkName(name);
        Path stagingRoot = modelsDir.resolve(STAGING).resolve(name + "-" + HexFormat.of().formatHex(randomBytes()));
        Path staging = stagingRoot.resolve(name);
        boolean installed = false;
        try {
            Files.createDirectories(staging);
            Path manifestFile = staging.resolve(ModelManifest.FILE_NAME);
            Files.write(manifestFile, manifestJson);
            ModelManifest manifest = parse(manifestFile, new String(manifestJson, StandardCharsets.UTF_8));
            Set<String> declared = declaredPaths(manifest);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                if (!declared.contains(f.getKey())) {
                    throw invalid("uploaded file '" + f.getKey() + "' is not a file or plugin path of the manifest"
                            + " (it declares: " + String.join(", ", declared) + ")");
                }
                Path target = staging.resolve(f.getKey()).normalize();
                Files.createDirectories(target.getParent());
                Files.write(target, f.getValue());
            }
            fetchMissing(manifest, declared, staging);
            Map<String, Object> description;
            try {
                description = models.swap(manifest);
            } catch (ModelLoadFailure e) {
                throw invalid(e.getMessage());
            }
            moveIntoPlace(name, staging);
            installed = true;
            deleteTree(stagingRoot);
            return description;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the bundle of model '" + name + "' in " + staging, e);
        } finally {
            if (!installed) {
                deleteTree(stagingRoot);
            }
        }
    }

    /**
     * Loads model {@code name} again from {@code DIR/NAME/} and swaps it in; a failure keeps the
     * current version serving and shows as {@code last_reload_error} in its description.
     *
     * @throws ServingException MODEL_NOT_FOUND when there is neither such a model nor such a
     *                          folder; INVALID_BUNDLE with the reason when the reload fails
     */
    public synchronized Map<String, Object> reload(String name) {
        checkName(name);
        ModelRepository repository = new ModelRepository(modelsDir);
        if (!Files.isRegularFile(repository.manifestPath(name))) {
            models.describe(name); // MODEL_NOT_FOUND when the server does not know the model either
            throw failedReload(name, "there is no " + repository.manifestPath(name));
        }
        ModelManifest manifest;
        try {
            manifest = repository.load(name);
        } catch (ManifestException e) {
            throw failedReload(name, e.getMessage());
        }
        if (!manifest.name().equals(name)) {
            throw failedReload(name, "the manifest in folder '" + name + "' names model '" + manifest.name() + "'");
        }
        try {
            return models.swap(manifest);
        } catch (ModelLoadFailure e) {
            throw failedReload(name, e.getMessage());
        }
    }

    /**
     * Stops serving model {@code name}. Its folder stays on disk, so a restart loads it again.
     *
     * @throws ServingException MODEL_NOT_FOUND
     */
    public synchronized void remove(String name) {
        models.remove(name);
    }

    private ServingException failedReload(String name, String why) {
        models.reloadFailed(name, why);
        return invalid("model '" + name + "' failed to reload (the previous version keeps serving): " + why);
    }

    private static ModelManifest parse(Path file, String json) {
        try {
            return ManifestParser.parse(file, json);
        } catch (ManifestException e) {
            throw invalid(e.getMessage());
        }
    }

    /** Every path the manifest reads from its folder: its files and its third-party plugins. */
    private static Set<String> declaredPaths(ModelManifest manifest) {
        Set<String> paths = new LinkedHashSet<>();
        for (ModelFile f : manifest.files().values()) {
            paths.add(f.path());
        }
        for (PluginStep step : manifest.pluginSteps()) {
            if (step.plugin() instanceof PluginRef.ThirdParty t) {
                paths.add(t.path());
            }
        }
        for (String path : paths) {
            Path resolved = manifest.directory().resolve(path).normalize();
            if (!resolved.startsWith(manifest.directory()) || resolved.equals(manifest.directory())) {
                throw invalid("path '" + path + "' in the manifest leaves the model's folder");
            }
        }
        return paths;
    }

    private void fetchMissing(ModelManifest manifest, Set<String> declared, Path staging) {
        List<String> missing = missing(declared, staging);
        if (missing.isEmpty()) {
            return;
        }
        if (catalog == null) {
            throw invalid("the bundle lacks " + String.join(", ", missing) + " and this server has no catalog to fetch"
                    + " it from: upload it as a file part named by its path");
        }
        try {
            catalog.fetch(manifest.name(), staging);
        } catch (FetchException e) {
            throw invalid("the bundle lacks " + String.join(", ", missing) + ", and fetching it from the catalog failed: "
                    + e.getMessage());
        }
        List<String> stillMissing = missing(declared, staging);
        if (!stillMissing.isEmpty()) {
            throw invalid("the bundle lacks " + String.join(", ", stillMissing) + ", and the catalog entry '"
                    + manifest.name() + "' does not provide it");
        }
    }

    private static List<String> missing(Set<String> declared, Path staging) {
        List<String> missing = new ArrayList<>();
        for (String path : declared) {
            if (!Files.isRegularFile(staging.resolve(path))) {
                missing.add(path);
            }
        }
        return missing;
    }

    /**
     * Puts the staged folder at {@code DIR/NAME/}; the folder it replaces moves beside the staged
     * one, to be deleted with the staging area once the new one is in place.
     */
    private void moveIntoPlace(String name, Path staging) throws IOException {
        Path target = modelsDir.resolve(name);
        if (Files.exists(target)) {
            Files.move(target, staging.resolveSibling(name + "-previous"), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "model name '" + name + "' is not a plain folder name"
                    + " (letters, digits, '.', '_' and '-', not starting with '.' or '-')");
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private static ServingException invalid(String why) {
        return new ServingException(ErrorKind.INVALID_BUNDLE, why);
    }
}
