package dev.corral.host.sdk;

import static org.junit.jupiter.api.Assertions.fail;

import dev.corral.host.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SDKs' example plugins: the same imagenet-preprocess (uint8 [H,W,3] "image" → float32
 * [1,3,crop,crop] "input"; config resize, crop, scale, mean, std, input_name, output_name) in
 * each language, as each example's build.sh builds it from source before the tests run
 * ({@code ./corral test} does).
 */
enum SdkExample {
    C("examples/plugins/c"),
    ASSEMBLYSCRIPT("examples/plugins/assemblyscript"),
    RUST("examples/plugins/rust");

    /** The entry point every example exports. */
    static final String ENTRY = "preprocess";
    /**
     * The name every example is loaded under: the host's messages name the plugin, so refusals
     * of two examples compare whole only under one name.
     */
    static final String PLUGIN_NAME = "imagenet-preprocess";

    private final String folder;

    SdkExample(String folder) {
        this.folder = folder;
    }

    /** The built module; fails the test, saying how to build it, when it is missing. */
    byte[] wasm() {
        Path wasm = TestPaths.repoRoot().resolve(folder).resolve("build/imagenet-preprocess.wasm");
        if (!Files.isRegularFile(wasm)) {
            fail(wasm + " is missing: build it with " + folder + "/build.sh (it installs its toolchain when missing)");
        }
        try {
            return Files.readAllBytes(wasm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
