package dev.corral.host.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corral.host.error.ServingException;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.BuiltinPlugins;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.Images;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The three SDKs' example plugins are one plugin: the AssemblyScript and Rust examples give the
 * C example's bytes (which are the built-in imagenet-preprocess's) on real photos, a 1×1 and
 * very wide or tall images, under the default and a custom config, and refuse bad config and
 * bad input with the same kind and the same message, word for word.
 */
class SdkEquivalenceTest {
    private static final ImageDecoder DECODER = new ImageDecoder(40_000_000);
    /** Generous: a loaded CI machine must not fail an equality test on time. */
    private static final PluginLimits LIMITS = PluginLimits.defaults().withDeadline(Duration.ofSeconds(60));
    private static final String ENTRY = SdkExample.ENTRY;

    private static PluginRuntime runtime;
    private static Map<String, Tensor> images;

    @BeforeAll
    static void load() {
        runtime = new PluginRuntime(SandboxMode.COMPILED);
        images = new LinkedHashMap<>();
        for (String photo : List.of("chelsea.png", "coffee.png", "astronaut.png")) {
            images.put(photo, DECODER.decode(Images.read(photo), photo));
        }
        images.put("1x1", DECODER.decode(Images.encoded("png", 1, 1), "1x1"));
        images.put("3000x7", DECODER.decode(Images.encoded("png", 3000, 7), "3000x7"));
        images.put("5x900", DECODER.decode(Images.encoded("png", 5, 900), "5x900"));
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    /** The C SDK's example is the built-in: the tutorial's clang command reproduces its bytes. */
    @Test
    void theCExampleIsTheBuiltinByteForByte() {
        assertArrayEquals(BuiltinPlugins.read(SdkExample.PLUGIN_NAME), SdkExample.C.wasm(),
                "examples/plugins/c/build.sh and plugins/build.sh built different bytes from one source");
    }

    @ParameterizedTest
    @EnumSource(value = SdkExample.class, names = {"ASSEMBLYSCRIPT", "RUST"})
    void defaultConfigGivesTheCExamplesBytes(SdkExample sdk) throws Exception {
        sameTensors(sdk, Parameters.empty(), "image", "input", 224);
    }

    @ParameterizedTest
    @EnumSource(value = SdkExample.class, names = {"ASSEMBLYSCRIPT", "RUST"})
    void customConfigGivesTheCExamplesBytes(SdkExample sdk) throws Exception {
        Parameters config = Parameters.of(Map.of("resize", 160L, "crop", 128L, "scale", 0.5,
                "mean", List.of(10.0, 60.5, 100.25), "std", List.of(3.0, 57.75, -0.125),
                "input_name", "pixels", "output_name", "x"));
        sameTensors(sdk, config, "pixels", "x", 128);
    }

    private static void sameTensors(SdkExample sdk, Parameters config, String input, String output, int crop)
            throws Exception {
        try (Plugin c = load(SdkExample.C, config); Plugin other = load(sdk, config)) {
            for (Map.Entry<String, Tensor> image : images.entrySet()) {
                Map<String, Tensor> inputs = Map.of(input, image.getValue());
                Tensor expected = c.call(ENTRY, inputs, Parameters.empty()).tensors().get(output);
                Tensor actual = other.call(ENTRY, inputs, Parameters.empty()).tensors().get(output);
                assertArrayEquals(new long[] {1, 3, crop, crop}, expected.shape(), image.getKey());
                assertEquals(DType.FLOAT32, actual.dtype(), image.getKey());
                assertArrayEquals(expected.shape(), actual.shape(), image.getKey());
                assertArrayEquals(expected.bytes(), actual.bytes(), sdk + " differs from C on " + image.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SdkExample.class, names = {"ASSEMBLYSCRIPT", "RUST"})
    void badConfigIsRefusedWordForWordAsInC(SdkExample sdk) throws Exception {
        List<Map<String, Object>> configs = List.of(
                Map.of("resize", 0L),
                Map.of("resize", 70_000L),
                Map.of("crop", 0L),
                Map.of("crop", 300L),
                Map.of("resize", 100L, "crop", 101L),
                Map.of("mean", List.of(0.5, 0.5)),
                Map.of("std", List.of(0.2, 0.2, 0.2, 0.2)),
                Map.of("std", List.of(0.25, 0.0, 0.5)),
                Map.of("crop", 1.5),
                Map.of("resize", "big"));
        Map<String, Tensor> inputs = Map.of("image", images.get("coffee.png"));
        for (Map<String, Object> values : configs) {
            Parameters config = Parameters.of(values);
            try (Plugin c = load(SdkExample.C, config); Plugin other = load(sdk, config)) {
                sameRefusal(c, other, inputs, values.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SdkExample.class, names = {"ASSEMBLYSCRIPT", "RUST"})
    void badInputIsRefusedWordForWordAsInC(SdkExample sdk) throws Exception {
        List<Map<String, Tensor>> cases = List.of(
                Map.of("picture", images.get("1x1")),
                Map.of("image", Tensor.of(DType.FLOAT32, new long[] {2, 2, 3}, new byte[48])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {2, 2, 4}, new byte[16])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {4, 3}, new byte[12])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {0, 5, 3}, new byte[0])));
        try (Plugin c = load(SdkExample.C, Parameters.empty()); Plugin other = load(sdk, Parameters.empty())) {
            for (Map<String, Tensor> inputs : cases) {
                sameRefusal(c, other, inputs, inputs.toString());
            }
        }
        Parameters renamed = Parameters.of(Map.of("input_name", "pixels"));
        try (Plugin c = load(SdkExample.C, renamed); Plugin other = load(sdk, renamed)) {
            sameRefusal(c, other, Map.of("image", images.get("1x1")), "input_name pixels");
        }
    }

    private static void sameRefusal(Plugin c, Plugin other, Map<String, Tensor> inputs, String what) {
        ServingException expected = assertThrows(ServingException.class, () -> c.call(ENTRY, inputs, Parameters.empty()), what);
        ServingException actual = assertThrows(ServingException.class, () -> other.call(ENTRY, inputs, Parameters.empty()), what);
        assertEquals(expected.kind(), actual.kind(), what);
        assertEquals(expected.getMessage(), actual.getMessage(), what);
    }

    private static Plugin load(SdkExample sdk, Parameters config) throws Exception {
        return SdkConformanceTest.load(runtime, sdk, config, LIMITS);
    }
}
