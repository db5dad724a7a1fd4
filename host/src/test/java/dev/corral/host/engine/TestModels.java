package dev.corral.host.engine;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.TestPaths;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The real models of the shared mirror ({@code ../shared/models} from the repository root) and inputs for them. */
final class TestModels {
    static final Path MOBILENET = find("mobilenetv2-12-int8/mobilenetv2-12-int8.onnx");
    static final Path STORIES = find("stories260k/stories260K.onnx");
    static final int IMAGE_FLOATS = 3 * 224 * 224;

    private TestModels() {
    }

    private static Path find(String relative) {
        Path model = TestPaths.modelMirror().resolve(relative);
        return Files.isRegularFile(model) ? model : fail("model " + relative + " not found in the mirror at " + model);
    }

    /** A float32 [rows,3,224,224] input of pseudo-random values in [-2, 2), different for every seed. */
    static Tensor images(long seed, int rows, boolean direct) {
        int bytes = rows * IMAGE_FLOATS * Float.BYTES;
        ByteBuffer data = (direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(seed);
        while (data.hasRemaining()) {
            data.putFloat((float) random.nextDouble(-2, 2));
        }
        return Tensor.of(DType.FLOAT32, new long[] {rows, 3, 224, 224}, data.flip());
    }

    /** Row {@code row} of a float32 [N, width] output. */
    static float[] row(Tensor output, int row) {
        int width = Math.toIntExact(output.dim(1));
        FloatBuffer floats = output.data().asFloatBuffer();
        float[] values = new float[width];
        floats.get(row * width, values);
        return values;
    }

    static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, "row length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }
}
