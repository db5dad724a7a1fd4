package dev.corral.host.sandbox;

import dev.corral.host.image.ImageDecoder;
import dev.corral.host.serving.BuiltinPlugins;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every built-in plugin gives bit-identical output under Chicory's compiler and its interpreter
 * on the same fixtures: real photos and odd sizes for the preprocessor, seeded logits for the
 * classifier's postprocessor.
 */
class BuiltinPluginDifferentialTest {
    private static final ImageDecoder DECODER = new ImageDecoder(40_000_000);
    private static PluginRuntime compiled;
    private static PluginRuntime interpreted;

    @BeforeAll
    static void runtimes() {
        compiled = new PluginRuntime(SandboxMode.COMPILED);
        interpreted = new PluginRuntime(SandboxMode.INTERPRETED);
    }

    @AfterAll
    static void close() {
        compiled.close();
        interpreted.close();
    }

    @Test
    void imagenetPreprocessIsIdenticalInBothModes() throws Exception {
        Parameters config = Parameters.of(Map.of("resize", 256L, "crop", 224L,
                "mean", List.of(0.485, 0.456, 0.406), "std", List.of(0.229, 0.224, 0.225)));
        List<Tensor> fixtures = List.of(
                DECODER.decode(Images.read("chelsea.png"), "chelsea.png"),
                DECODER.decode(Images.read("coffee.png"), "coffee.png"),
                DECODER.decode(Images.encoded("png", 97, 13), "97x13"),
                DECODER.decode(Images.encoded("png", 1, 1), "1x1"));
        try (Plugin c = load(compiled, "imagenet-preprocess", "preprocess", config);
             Plugin i = load(interpreted, "imagenet-preprocess", "preprocess", config)) {
            for (Tensor image : fixtures) {
                Tensor a = c.call("preprocess", Map.of("image", image), Parameters.empty()).tensors().get("input");
                Tensor b = i.call("preprocess", Map.of("image", image), Parameters.empty()).tensors().get("input");
                assertArrayEquals(new long[] {1, 3, 224, 224}, a.shape());
                assertArrayEquals(a.shape(), b.shape());
                assertArrayEquals(a.bytes(), b.bytes(), "preprocess of " + image + " differs between modes");
            }
        }
    }

    @Test
    void classifyPostprocessIsIdenticalInBothModes() throws Exception {
        String labels = Files.readString(TestPaths.modelMirror().resolve("mobilenetv2-12-int8/synset.txt"));
        Parameters config = Parameters.of(Map.of("labels", labels, "label_format", "synset"));
        Random random = new Random(42);
        try (Plugin c = load(compiled, "classify-postprocess", "postprocess", config);
             Plugin i = load(interpreted, "classify-postprocess", "postprocess", config)) {
            for (int round = 0; round < 20; round++) {
                ByteBuffer logits = ByteBuffer.allocate(4000).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < 1000; k++) {
                    logits.putFloat((float) (random.nextGaussian() * 4));
                }
                Map<String, Tensor> in = Map.of("output", Tensor.of(DType.FLOAT32, new long[] {1, 1000}, logits.flip()));
                Parameters options = Parameters.of(Map.of("top_k", (long) (1 + round * 50)));
                String a = c.call("postprocess", in, options).json();
                String b = i.call("postprocess", in, options).json();
                assertTrue(a.startsWith("{\"predictions\":[{\"index\":"), a);
                assertEquals(a, b, "postprocess differs between modes in round " + round);
            }
        }
    }

    private static Plugin load(PluginRuntime runtime, String name, String entry, Parameters config) throws Exception {
        return runtime.load(new PluginSpec(name, BuiltinPlugins.read(name), null, Set.of(entry),
                // The interpreter is ~100× slower than compiled code: give both modes time enough.
                PluginLimits.defaults().withDeadline(Duration.ofSeconds(60)), config));
    }
}
