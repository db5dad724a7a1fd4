package dev.corral.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.http.HttpApi;
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
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OCR end to end: {@code POST /infer/image?model=ppocr-v4} on the real routing, the real
 * PP-OCRv4 detector, angle classifier and recogniser and the real plugins (image-preprocess,
 * ocr-db-postprocess, ocr-crop, ocr-orient, ctc-decode). That these plugins agree compiled and
 * interpreted is checked on the same pages by {@code serving.PipelineDifferentialTest}.
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
