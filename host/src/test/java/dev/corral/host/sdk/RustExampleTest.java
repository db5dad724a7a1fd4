package dev.corral.host.sdk;

import dev.corral.host.error.ServingException;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.BuiltinPlugins;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Rust SDK's example plugin (examples/plugins/rust/imagenet-preprocess) is a drop-in for the
 * built-in C imagenet-preprocess: byte-identical tensors on real photos, a 1×1 and a very wide
 * image under the default and a custom config, and the same refusals (kind and message) for
 * bad config and bad input. Both are loaded under the same plugin name so that the host's
 * messages can be compared whole.
 */
class RustExampleTest {
    static final String WASM = "examples/plugins/rust/build/imagenet-preprocess.wasm";
    static final String BUILD = "examples/plugins/rust/build.sh";
    private static final ImageDecoder DECODER = new ImageDecoder(40_000_000);
    private static PluginRuntime runtime;

    @BeforeAll
    static void runtime() {
        runtime = new PluginRuntime(SandboxMode.COMPILED);
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    @Test
    void defaultConfigGivesTheBuiltinsBytes() throws Exception {
        assertSameTensors(Parameters.empty(), 224);
    }

    @Test
    void customResizeCropMeanAndStdGiveTheBuiltinsBytes() throws Exception {
        assertSameTensors(Parameters.of(Map.of("resize", 160L, "crop", 128L, "scale", 0.0039,
                "mean", List.of(0.5, 0.25, 0.125), "std", List.of(0.2, 0.3, 0.7),
                "output_name", "pixels")), 128);
    }

    @Test
    void badConfigIsRefusedAlike() throws Exception {
        List<Map<String, Object>> configs = List.of(
                Map.of("resize", 0L),
                Map.of("resize", 70_000L),
                Map.of("crop", 0L),
                Map.of("crop", 300L),
                Map.of("mean", List.of(0.5, 0.5)),
                Map.of("std", List.of(0.2, 0.2, 0.2, 0.2)),
                Map.of("std", List.of(0.2, 0.0, 0.2)));
        Tensor image = DECODER.decode(Images.encoded("png", 8, 6), "8x6");
        for (Map<String, Object> config : configs) {
            Parameters parameters = Parameters.of(config);
            try (Plugin c = load(builtin(), parameters); Plugin rust = load(rustWasm(), parameters)) {
                ServingException expected = refusal(c, image);
                ServingException actual = refusal(rust, image);
                assertEquals(expected.kind(), actual.kind(), "config " + config);
                assertEquals(expected.getMessage(), actual.getMessage(), "config " + config);
            }
        }
    }

    @Test
    void badInputIsRefusedAlike() throws Exception {
        List<Tensor> inputs = List.of(
                Tensor.of(DType.FLOAT32, new long[] {2, 2, 3}, new byte[48]),
                Tensor.of(DType.UINT8, new long[] {2, 2, 4}, new byte[16]),
                Tensor.of(DType.UINT8, new long[] {0, 5, 3}, new byte[0]));
        try (Plugin c = load(builtin(), Parameters.empty()); Plugin rust = load(rustWasm(), Parameters.empty())) {
            for (Tensor input : inputs) {
                ServingException expected = refusal(c, input);
                ServingException actual = refusal(rust, input);
                assertEquals(expected.kind(), actual.kind(), input.toString());
                assertEquals(expected.getMessage(), actual.getMessage(), input.toString());
            }
            // A rank other than 3: the same refusal, word for word.
            Tensor flat = Tensor.of(DType.UINT8, new long[] {4, 3}, new byte[12]);
            assertEquals(refusal(c, flat).getMessage(), refusal(rust, flat).getMessage());
        }
        Parameters renamed = Parameters.of(Map.of("input_name", "pixels"));
        Tensor image = DECODER.decode(Images.encoded("png", 4, 4), "4x4");
        try (Plugin c = load(builtin(), renamed); Plugin rust = load(rustWasm(), renamed)) {
            ServingException expected = refusal(c, image);
            ServingException actual = refusal(rust, image);
            assertEquals(expected.kind(), actual.kind());
            assertEquals(expected.getMessage(), actual.getMessage());
            assertTrue(actual.getMessage().contains("input 'pixels' is missing (the step has 1 inputs)"), actual.getMessage());
        }
    }

    private static void assertSameTensors(Parameters config, int crop) throws Exception {
        String output = config.get("output_name") instanceof String name ? name : "input";
        List<Tensor> images = List.of(
                DECODER.decode(Images.read("chelsea.png"), "chelsea.png"),
                DECODER.decode(Images.read("coffee.png"), "coffee.png"),
                DECODER.decode(Images.read("astronaut.png"), "astronaut.png"),
                DECODER.decode(Images.encoded("png", 1, 1), "1x1"),
                DECODER.decode(Images.encoded("png", 3000, 7), "3000x7"),
                DECODER.decode(Images.encoded("png", 5, 900), "5x900"));
        try (Plugin c = load(builtin(), config); Plugin rust = load(rustWasm(), config)) {
            for (Tensor image : images) {
                Tensor expected = c.call("preprocess", Map.of("image", image), Parameters.empty()).tensors().get(output);
                Tensor actual = rust.call("preprocess", Map.of("image", image), Parameters.empty()).tensors().get(output);
                assertArrayEquals(new long[] {1, 3, crop, crop}, expected.shape());
                assertEquals(DType.FLOAT32, actual.dtype(), image.toString());
                assertArrayEquals(expected.shape(), actual.shape(), image.toString());
                assertArrayEquals(expected.bytes(), actual.bytes(), "preprocess of " + image + " differs from the built-in");
            }
        }
    }

    private static ServingException refusal(Plugin plugin, Tensor image) {
        return assertThrows(ServingException.class,
                () -> plugin.call("preprocess", Map.of("image", image), Parameters.empty()));
    }

    private static Plugin load(byte[] wasm, Parameters config) throws Exception {
        return runtime.load(new PluginSpec("imagenet-preprocess", wasm, null, Set.of("preprocess"),
                // A loaded CI machine must not fail a comparison by the default 1 s deadline.
                PluginLimits.defaults().withDeadline(Duration.ofSeconds(30)), config));
    }

    private static byte[] builtin() {
        return BuiltinPlugins.read("imagenet-preprocess");
    }

    /** The example as examples/plugins/rust/build.sh builds it; the test cannot run without it. */
    static byte[] rustWasm() throws IOException {
        Path wasm = TestPaths.repoRoot().resolve(WASM);
        if (!Files.isRegularFile(wasm)) {
            fail(WASM + " is missing: build it with " + BUILD + " (it installs Debian's rustc and"
                    + " libstd-rust-dev-wasm32 when no rustc with the wasm32-unknown-unknown target is found)");
        }
        return Files.readAllBytes(wasm);
    }
}
