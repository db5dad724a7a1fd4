package dev.corral.host.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginLoadException;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.BuiltinPlugins;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The AssemblyScript SDK's example (examples/plugins/assemblyscript/imagenet-preprocess), built
 * by its build.sh, runs in the real sandbox and gives the built-in C imagenet-preprocess's bytes:
 * the same tensors on real photos and odd sizes under two configs, and the same refusals.
 */
class AssemblyScriptExampleTest {
    private static final String WASM = "examples/plugins/assemblyscript/build/imagenet-preprocess.wasm";
    private static final String BUILD = "examples/plugins/assemblyscript/build.sh";
    private static final String NAME = "imagenet-preprocess";
    private static final String ENTRY = "preprocess";
    private static final ImageDecoder DECODER = new ImageDecoder(40_000_000);

    private static PluginRuntime runtime;
    private static byte[] example;
    private static Map<String, Tensor> images;

    @BeforeAll
    static void load() throws IOException {
        Path wasm = TestPaths.repoRoot().resolve(WASM);
        if (!Files.isRegularFile(wasm)) {
            fail(WASM + " is missing: build it with " + BUILD + " (it installs the pinned AssemblyScript compiler)");
        }
        example = Files.readAllBytes(wasm);
        runtime = new PluginRuntime(SandboxMode.COMPILED);
        images = new LinkedHashMap<>();
        for (String photo : List.of("chelsea.png", "coffee.png", "astronaut.png")) {
            images.put(photo, DECODER.decode(Images.read(photo), photo));
        }
        images.put("1x1", DECODER.decode(Images.encoded("png", 1, 1), "1x1"));
        images.put("1500x7", DECODER.decode(Images.encoded("png", 1500, 7), "1500x7"));
        images.put("5x900", DECODER.decode(Images.encoded("png", 5, 900), "5x900"));
    }

    @AfterAll
    static void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void defaultConfigGivesTheBuiltinsBytes() throws Exception {
        sameTensors(Parameters.empty(), "input", 224);
    }

    @Test
    void customConfigGivesTheBuiltinsBytes() throws Exception {
        Parameters config = Parameters.of(Map.of("resize", 160L, "crop", 128L, "scale", 0.5,
                "mean", List.of(10.0, 60.5, 100.25), "std", List.of(3.0, 57.75, -0.125),
                "input_name", "pixels", "output_name", "x"));
        sameTensors(config, "x", 128);
    }

    private static void sameTensors(Parameters config, String output, int crop) throws Exception {
        String input = config.get("input_name") instanceof String s ? s : "image";
        try (Plugin c = builtin(config); Plugin as = assemblyScript(config, PluginLimits.defaults())) {
            for (Map.Entry<String, Tensor> image : images.entrySet()) {
                Map<String, Tensor> inputs = Map.of(input, image.getValue());
                Tensor expected = c.call(ENTRY, inputs, Parameters.empty()).tensors().get(output);
                Tensor actual = as.call(ENTRY, inputs, Parameters.empty()).tensors().get(output);
                assertArrayEquals(new long[] {1, 3, crop, crop}, expected.shape(), image.getKey());
                assertEquals(DType.FLOAT32, actual.dtype(), image.getKey());
                assertArrayEquals(expected.shape(), actual.shape(), image.getKey());
                assertArrayEquals(expected.bytes(), actual.bytes(), image.getKey() + " differs from the built-in");
            }
        }
    }

    @Test
    void badConfigIsRefusedAsTheBuiltinRefusesIt() throws Exception {
        List<Map<String, Object>> configs = List.of(
                Map.of("resize", 0L),
                Map.of("resize", 70_000L),
                Map.of("crop", 0L),
                Map.of("crop", 300L),
                Map.of("resize", 100L, "crop", 101L),
                Map.of("mean", List.of(0.5, 0.5)),
                Map.of("std", List.of(0.2, 0.2, 0.2, 0.2)),
                Map.of("std", List.of(0.25, 0.0, 0.5)),
                Map.of("crop", 1.5));
        Map<String, Tensor> inputs = Map.of("image", images.get("coffee.png"));
        for (Map<String, Object> values : configs) {
            Parameters config = Parameters.of(values);
            try (Plugin c = builtin(config); Plugin as = assemblyScript(config, PluginLimits.defaults())) {
                ServingException expected = refusal(c, inputs);
                ServingException actual = refusal(as, inputs);
                assertEquals(ErrorKind.PLUGIN_FAILED, expected.kind(), expected.getMessage());
                assertEquals(expected.kind(), actual.kind(), values.toString());
                assertEquals(expected.getMessage(), actual.getMessage(), values.toString());
            }
        }
    }

    @Test
    void badImageIsRefusedAsTheBuiltinRefusesIt() throws Exception {
        List<Map<String, Tensor>> cases = List.of(
                Map.of("picture", images.get("1x1")),
                Map.of("image", Tensor.of(DType.FLOAT32, new long[] {2, 2, 3}, new byte[48])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {2, 2, 4}, new byte[16])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {0, 5, 3}, new byte[0])));
        try (Plugin c = builtin(Parameters.empty()); Plugin as = assemblyScript(Parameters.empty(), PluginLimits.defaults())) {
            for (Map<String, Tensor> inputs : cases) {
                ServingException expected = refusal(c, inputs);
                ServingException actual = refusal(as, inputs);
                assertEquals(ErrorKind.INVALID_INPUT, expected.kind(), expected.getMessage());
                assertEquals(expected.kind(), actual.kind(), inputs.toString());
                assertEquals(expected.getMessage(), actual.getMessage(), inputs.toString());
            }
            // A rank other than 3: the same refusal, word for word.
            Map<String, Tensor> flat = Map.of("image", Tensor.of(DType.UINT8, new long[] {4, 3}, new byte[12]));
            assertEquals(refusal(c, flat).getMessage(), refusal(as, flat).getMessage());
        }
    }

    /**
     * The SDK's entry() frees each call's garbage (--runtime minimal collects nothing by
     * itself): one instance serves many calls within 4 MiB, where 20 leaked 602 KB outputs
     * would need 12 MiB and trap.
     */
    @Test
    void memoryStaysBoundedOverManyCalls() throws Exception {
        PluginLimits small = PluginLimits.defaults().withMaxMemoryPages(64).withMaxInstances(1);
        try (Plugin as = assemblyScript(Parameters.empty(), small)) {
            Map<String, Tensor> inputs = Map.of("image", images.get("chelsea.png"));
            for (int i = 0; i < 20; i++) {
                assertEquals(1 * 3 * 224 * 224 * 4, as.call(ENTRY, inputs, Parameters.empty()).tensors().get("input").byteSize());
            }
            assertEquals(0, as.stats().instancesDiscarded());
        }
    }

    private static ServingException refusal(Plugin plugin, Map<String, Tensor> inputs) {
        return assertThrows(ServingException.class, () -> plugin.call(ENTRY, inputs, Parameters.empty()),
                plugin.name() + " accepted " + inputs);
    }

    private static Plugin builtin(Parameters config) throws PluginLoadException {
        return runtime.load(new PluginSpec(NAME, BuiltinPlugins.read(NAME), null, Set.of(ENTRY), limits(), config));
    }

    /** Loaded under the built-in's name, so that refusals (which name the plugin) compare whole. */
    private static Plugin assemblyScript(Parameters config, PluginLimits limits) throws PluginLoadException {
        return runtime.load(new PluginSpec(NAME, example, null, Set.of(ENTRY), limits.withDeadline(deadline()), config));
    }

    private static PluginLimits limits() {
        return PluginLimits.defaults().withDeadline(deadline());
    }

    /** Generous: a loaded CI machine must not fail an equality test on time. */
    private static Duration deadline() {
        return Duration.ofSeconds(30);
    }
}
