package dev.corral.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that the files a manifest pins are present and are the pinned bytes, before a model is
 * loaded: a damaged or swapped weights file or plugin must not be served.
 */
public final class FileVerifier {
    private FileVerifier() {
    }

    /**
     * Hashes every file of the manifest and every third-party plugin it names.
     *
     * @throws FileVerificationException listing each file that is missing, unreadable or whose
     *                                   sha256 differs, with the expected and the actual hash and
     *                                   how to fix it
     */
    public static void verify(ModelManifest manifest) throws FileVerificationException {
        List<String> problems = new ArrayList<>();
        String fetchHint = "run ./corral fetch " + manifest.name();
        for (ModelFile file : manifest.files().values()) {
            check(manifest.resolve(file), "files." + file.role(), file.sha256(), fetchHint, problems);
        }
        for (PluginStep step : manifest.pluginSteps()) {
            if (step.plugin() instanceof PluginRef.ThirdParty thirdParty) {
                check(manifest.resolve(thirdParty), "plugin of step '" + step.name() + "'", thirdParty.sha256(),
                        "the plugin ships with the model: put the pinned build beside model.json, or pin the new"
                                + " build's sha256 in model.json", problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new FileVerificationException(manifest.name(), problems);
        }
    }

    private static void check(Path path, String what, String expected, String fix, List<String> problems) {
        String prefix = path + " (" + what + "): ";
        if (!Files.exists(path)) {
            problems.add(prefix + "missing; " + fix);
            return;
        }
        if (!Files.isRegularFile(path)) {
            problems.add(prefix + "not a regular file; " + fix);
            return;
        }
        try {
            String actual = Sha256.of(path);
            if (!actual.equals(expected)) {
                problems.add(prefix + "sha256 is " + actual + ", expected " + expected
                        + " (the file is damaged or another version); " + fix);
            }
        } catch (IOException e) {
            problems.add(prefix + "cannot be read (" + e + "); " + fix);
        }
    }
}
