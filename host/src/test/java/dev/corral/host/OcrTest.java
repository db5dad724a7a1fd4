package dev.corral.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.http.HttpApi;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginOutput;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.BuiltinPlugins;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.TestPaths;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.SharedServer;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OCR end to end: {@code POST /infer/image?model=ppocr-v4} on the real routing, the real
 * PP-OCRv4 detector, angle classifier and recogniser and the real plugins (image-preprocess,
 * ocr-db-postprocess, ocr-crop, ocr-orient, ctc-decode); and the OCR plugins agree byte for byte
 * compiled and interpreted.
 */
@ServerTest
class OcrTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far (pixels) a line's top may lie above the previous line's and still come after it. */
    private static final double LINE_TOLERANCE = 10;

    private final WebClient client;

    OcrTest(WebClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), 4L * 1024 * 1024);
    }

    @Test
    void pageReadsItsWordsInReadingOrder() throws Exception {
        JsonNode body = ocr(Images.read("page.png"), "");
        assertEquals("ppocr-v4", body.get("model").asText());
        JsonNode lines = body.at("/result/lines");
        String text = texts(lines).toLowerCase(Locale.ROOT);
        for (String word : List.of("region-based", "segmentation", "markers", "coins", "background",
                "unambiguously", "histogram", "np.zeros")) {
            assertTrue(text.contains(word), "'" + word + "' not read; the page read as:\n" + text);
        }
        assertTrue(lines.size() >= 6, "expected the heading and at least five body lines:\n" + text);
        assertLinesInsideAndInReadingOrder(lines, 384, 191);
        for (JsonNode line : lines) {
            double confidence = line.get("confidence").asDouble();
            assertTrue(confidence >= 0.5 && confidence <= 1, "confidence outside [drop_score, 1]: " + line);
        }
        JsonNode timings = body.get("timings_ms");
        for (String stage : List.of("det-pre", "detect", "det-post", "rec-pre", "recognize", "rec-post", "total")) {
            assertTrue(timings.has(stage), "missing stage " + stage + ": " + timings);
        }
    }

    @Test
    void anUpsideDownPageIsTurnedBeforeRecognition() throws Exception {
        BufferedImage page = ImageIO.read(new ByteArrayInputStream(Images.read("page.png")));
        BufferedImage turned = new BufferedImage(page.getWidth(), page.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) {
                turned.setRGB(page.getWidth() - 1 - x, page.getHeight() - 1 - y, page.getRGB(x, y));
            }
        }
        String text = texts(ocr(png(turned), "").at("/result/lines")).toLowerCase(Locale.ROOT);
        for (String word : List.of("segmentation", "markers", "background", "histogram")) {
            assertTrue(text.contains(word), "'" + word + "' not read upside down; read:\n" + text);
        }
    }

    @Test
    void handwritingAnswersWithLinesInsideTheImage() throws Exception {
        // text.png is handwritten formulae, photographed at a slant: at its own size (448×172, the
        // detector's limit of 960 never scales up) PP-OCRv4 finds no text there, so only the
        // shape of the answer is pinned.
        JsonNode lines = ocr(Images.read("text.png"), "").at("/result/lines");
        assertTrue(lines.isArray(), "no lines array");
        assertLinesInsideAndInReadingOrder(lines, 448, 172);
    }

    @Test
    void aFlatGreyImageHasNoLines() throws Exception {
        JsonNode body = ocr(greyPng(320, 200), "");
        assertEquals(JSON.readTree("{\"lines\":[]}"), body.get("result"), body.toString());
    }

    @Test
    void boxThresholdOptionOfOneKeepsNoBox() throws Exception {
        // Every region's mean probability is below 1, so no box reaches the recogniser, which
        // the host then skips (an empty batch).
        JsonNode body = ocr(Images.read("page.png"), "1");
        assertEquals(JSON.readTree("{\"lines\":[]}"), body.get("result"), body.toString());
    }

    @Test
    void pluginsGiveIdenticalBytesCompiledAndInterpreted() throws Exception {
        // A map with two tilted bars over the real page (scale 0.5), the crops of the boxes found
        // there, the first of them turned, and seeded class probabilities over the real
        // dictionary (ABI §8).
        Map<String, Tensor> state = new HashMap<>();
        state.put("image", new ImageDecoder(40_000_000).decode(Images.read("page.png"), "page.png"));
        state.put("image_scale", floats(new long[] {2}, new float[] {0.5f, 0.5f}));
        float[] map = new float[96 * 192];
        for (int y = 0; y < 96; y++) {
            for (int x = 10; x < 180; x++) {
                boolean first = Math.abs(y - (20 + 0.1 * x)) < 3, second = Math.abs(y - (75 - 0.05 * x)) < 4;
                map[y * 192 + x] = first || second ? 0.9f : 0.05f;
            }
        }
        state.put("sigmoid_0.tmp_0", floats(new long[] {1, 1, 96, 192}, map));
        String keys = Files.readString(TestPaths.repoRoot().resolve("models/ppocr-v4/ppocr_keys_v1.txt"));
        try (PluginRuntime compiled = new PluginRuntime(SandboxMode.COMPILED);
             PluginRuntime interpreted = new PluginRuntime(SandboxMode.INTERPRETED)) {
            state.putAll(sameInBothModes(compiled, interpreted, "ocr-db-postprocess", "postprocess", Map.of(), state));
            assertEquals(2, state.get("text_boxes").dim(0), "the two bars are two boxes");
            state.putAll(sameInBothModes(compiled, interpreted, "ocr-crop", "crop", Map.of(), state));
            state.put("softmax_0.tmp_0", floats(new long[] {2, 2}, new float[] {0.05f, 0.95f, 0.99f, 0.01f}));
            state.putAll(sameInBothModes(compiled, interpreted, "ocr-orient", "orient", Map.of(), state));
            Random random = new Random(7);
            float[] probabilities = new float[2 * 12 * 6625];
            for (int k = 0; k < probabilities.length; k++) {
                probabilities[k] = random.nextFloat();
            }
            state.put("softmax_11.tmp_0", floats(new long[] {2, 12, 6625}, probabilities));
            Map<String, Tensor> lines = sameInBothModes(compiled, interpreted, "ctc-decode", "decode",
                    Map.of("dictionary", keys, "drop_score", 0.0), state);
            assertEquals(2, lines.get("line_scores").dim(0), "drop_score 0 keeps both lines");
        }
    }

    /** Runs one plugin in both modes; asserts equal JSON and tensor bytes; returns the tensors. */
    private static Map<String, Tensor> sameInBothModes(PluginRuntime compiled, PluginRuntime interpreted, String name,
                                                       String entry, Map<String, Object> config,
                                                       Map<String, Tensor> inputs) throws Exception {
        PluginOutput[] outputs = new PluginOutput[2];
        PluginRuntime[] runtimes = {compiled, interpreted};
        for (int mode = 0; mode < 2; mode++) {
            // The interpreter is about 100x slower than compiled code: give it time.
            PluginSpec spec = new PluginSpec(name, BuiltinPlugins.read(name), null, Set.of(entry),
                    PluginLimits.defaults().withDeadline(Duration.ofSeconds(60)), Parameters.of(config));
            try (Plugin plugin = runtimes[mode].load(spec)) {
                outputs[mode] = plugin.call(entry, inputs, Parameters.empty());
            }
        }
        assertEquals(outputs[0].json(), outputs[1].json(), name + " JSON differs between modes");
        assertEquals(outputs[0].tensors().keySet(), outputs[1].tensors().keySet(), name);
        for (String tensor : outputs[0].tensors().keySet()) {
            Tensor a = outputs[0].tensors().get(tensor), b = outputs[1].tensors().get(tensor);
            assertArrayEquals(a.shape(), b.shape(), name + " " + tensor);
            assertArrayEquals(a.bytes(), b.bytes(), name + " " + tensor + " differs between modes");
        }
        return outputs[0].tensors();
    }

    private static Tensor floats(long[] shape, float[] values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return Tensor.of(DType.FLOAT32, shape, data);
    }

    private static String texts(JsonNode lines) {
        StringBuilder all = new StringBuilder();
        for (JsonNode line : lines) {
            all.append(line.get("text").asText()).append('\n');
        }
        return all.toString();
    }

    /** Every corner in the image; each line's top no more than the tolerance above the previous line's. */
    private static void assertLinesInsideAndInReadingOrder(JsonNode lines, int width, int height) {
        double previousTop = Double.NEGATIVE_INFINITY;
        for (JsonNode line : lines) {
            JsonNode box = line.get("box");
            assertEquals(4, box.size(), line.toString());
            double top = Double.POSITIVE_INFINITY;
            for (JsonNode corner : box) {
                double x = corner.get(0).asDouble(), y = corner.get(1).asDouble();
                assertTrue(x >= 0 && x <= width - 1 && y >= 0 && y <= height - 1, "corner outside the image: " + line);
                top = Math.min(top, y);
            }
            assertTrue(top >= previousTop - LINE_TOLERANCE, "line out of reading order: " + line);
            previousTop = top;
        }
    }

    /** @param boxThreshold the {@code box_thresh} option, or "" for the manifest's default */
    private JsonNode ocr(byte[] png, String boxThreshold) throws IOException {
        var request = client.post("/infer/image").queryParam("model", "ppocr-v4")
                .header(HeaderNames.CONTENT_TYPE, "image/png");
        if (!boxThreshold.isEmpty()) {
            request.queryParam("box_thresh", boxThreshold);
        }
        try (HttpClientResponse res = request.submit(png)) {
            String text = res.entity().as(String.class);
            assertEquals(200, res.status().code(), text);
            return JSON.readTree(text);
        }
    }

    private static byte[] greyPng(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, 0x808080);
            }
        }
        return png(img);
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
