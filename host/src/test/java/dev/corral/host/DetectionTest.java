package dev.corral.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.http.HttpApi;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.SharedServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Object and face detection through the real server: YOLOX-Nano and Ultraface RFB-320 with
 * the image-preprocess, yolox-postprocess and ultraface-postprocess plugins, on real photos.
 */
@ServerTest
class DetectionTest {
    private static final long MAX_BODY = 4L * 1024 * 1024;
    private static final String YOLOX = "/infer/image?model=yolox-nano";
    private static final String ULTRAFACE = "/infer/image?model=ultraface-rfb-320";

    private final HttpCalls http;

    DetectionTest(URI uri) {
        this.http = new HttpCalls(uri);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        HttpApi.routing(routing, SharedServer.get().models(), MAX_BODY);
    }

    /** One detection of the result. */
    private record Detection(String label, int classId, double score, double[] box) {
        static Detection of(JsonNode d) {
            JsonNode b = d.get("box");
            assertEquals(4, b.size(), "a box is x1,y1,x2,y2: " + d);
            return new Detection(d.get("label").asText(), d.get("class_id").asInt(), d.get("score").asDouble(),
                    new double[] {b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()});
        }
    }

    private List<Detection> detect(String path, String image) {
        HttpCalls.Response r = http.postBytes(path, "image/png", Images.read(image));
        assertEquals(200, r.status(), r.body().toString());
        List<Detection> found = new ArrayList<>();
        for (JsonNode d : r.body().at("/result/detections")) {
            found.add(Detection.of(d));
        }
        return found;
    }

    private static Detection best(List<Detection> found, String label) {
        return found.stream().filter(d -> d.label().equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + label + " among " + labels(found)));
    }

    private static List<String> labels(List<Detection> found) {
        return found.stream().map(d -> d.label() + " " + d.score()).toList();
    }

    private static double iou(double[] a, double[] b) {
        double w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }

    @Test
    void ultrafaceFindsTheAstronautsOneFace() {
        List<Detection> faces = detect(ULTRAFACE, "astronaut.png");
        assertEquals(1, faces.size(), "faces: " + labels(faces));
        Detection face = faces.getFirst();
        assertEquals("face", face.label());
        assertEquals(0, face.classId());
        assertTrue(face.score() >= 0.9, "face score " + face.score());
        double overlap = iou(face.box(), new double[] {179, 63, 269, 173});
        assertTrue(overlap >= 0.8, "face box " + java.util.Arrays.toString(face.box()) + " IoU " + overlap);
    }

    @Test
    void yoloxFindsTheAstronautAsAPerson() {
        Detection person = best(detect(YOLOX, "astronaut.png"), "person");
        assertTrue(person.score() >= 0.9, "person score " + person.score());
        assertEquals(0, person.classId());
    }

    @Test
    void yoloxFindsTheCoffeeCup() {
        Detection cup = best(detect(YOLOX, "coffee.png"), "cup");
        assertTrue(cup.score() >= 0.85, "cup score " + cup.score());
        assertEquals(41, cup.classId(), "cup is line 42 of coco_classes.txt");
    }

    @Test
    void yoloxFindsChelseaTheCat() {
        List<Detection> found = detect(YOLOX, "chelsea.png");
        Detection cat = best(found, "cat");
        assertEquals(cat, found.getFirst(), "the cat is the best detection: " + labels(found));
    }

    @Test
    void boxesLieInsideTheImageAndScoresDescend() throws IOException {
        for (String image : List.of("astronaut.png", "coffee.png", "chelsea.png")) {
            BufferedImage pixels = ImageIO.read(new ByteArrayInputStream(Images.read(image)));
            for (String path : List.of(YOLOX + "&score_threshold=0.01", ULTRAFACE + "&score_threshold=0.01")) {
                List<Detection> found = detect(path, image);
                assertFalse(found.isEmpty(), path + " on " + image);
                assertTrue(found.size() <= 100, "max_detections defaults to 100, got " + found.size());
                for (int i = 0; i < found.size(); i++) {
                    double[] b = found.get(i).box();
                    assertTrue(0 <= b[0] && b[0] <= b[2] && b[2] <= pixels.getWidth()
                                    && 0 <= b[1] && b[1] <= b[3] && b[3] <= pixels.getHeight(),
                            path + " on " + image + ": box " + java.util.Arrays.toString(b) + " outside "
                                    + pixels.getWidth() + "x" + pixels.getHeight());
                    if (i > 0) {
                        assertTrue(found.get(i - 1).score() >= found.get(i).score(), "scores descend: " + labels(found));
                    }
                }
            }
        }
    }

    @Test
    void classesOptionKeepsOnlyThoseLabels() {
        List<Detection> all = detect(YOLOX + "&score_threshold=0.1", "coffee.png");
        assertTrue(all.stream().anyMatch(d -> !Set.of("cup", "spoon").contains(d.label())),
                "the unfiltered result must hold other labels for the filter to matter: " + labels(all));
        List<Detection> kept = detect(YOLOX + "&score_threshold=0.1&classes=cup,%20spoon", "coffee.png");
        assertFalse(kept.isEmpty(), "coffee.png has a cup");
        for (Detection d : kept) {
            assertTrue(Set.of("cup", "spoon").contains(d.label()), "filtered result: " + labels(kept));
        }
        assertEquals(best(all, "cup").score(), best(kept, "cup").score(), 1e-6, "the best cup is the same");
    }

    @Test
    void maxDetectionsOneGivesTheBestOnly() {
        List<Detection> all = detect(YOLOX, "coffee.png");
        assertTrue(all.size() > 1, "coffee.png has several detections: " + labels(all));
        List<Detection> one = detect(YOLOX + "&max_detections=1", "coffee.png");
        assertEquals(1, one.size(), labels(one).toString());
        assertEquals(all.getFirst().label(), one.getFirst().label());
        assertEquals(all.getFirst().score(), one.getFirst().score(), 1e-6);
    }

    @Test
    void lowerScoreThresholdFindsMore() {
        int strict = detect(YOLOX + "&score_threshold=0.8", "coffee.png").size();
        int loose = detect(YOLOX + "&score_threshold=0.05", "coffee.png").size();
        assertTrue(loose > strict, "threshold 0.05 found " + loose + ", 0.8 found " + strict);
    }

    @Test
    void unknownClassIsRefusedNamingItAndTheLabels() {
        HttpCalls.Response r = http.postBytes(YOLOX + "&classes=cup,unicorn", "image/png", Images.read("coffee.png"));
        assertEquals(422, r.status(), r.body().toString());
        assertEquals("invalid_option", r.errorCode());
        assertTrue(r.errorMessage().contains("'unicorn'") && r.errorMessage().contains("diningtable"),
                r.errorMessage());

        HttpCalls.Response face = http.postBytes(ULTRAFACE + "&classes=person", "image/png", Images.read("astronaut.png"));
        assertEquals(422, face.status(), face.body().toString());
        assertTrue(face.errorMessage().contains("'person'") && face.errorMessage().contains("face"), face.errorMessage());
    }

    @Test
    void outOfRangeOptionsAreRefusedNamingThem() {
        for (String option : List.of("iou_threshold=1.5", "score_threshold=-0.1", "max_detections=0")) {
            HttpCalls.Response r = http.postBytes(YOLOX + "&" + option, "image/png", Images.read("chelsea.png"));
            assertEquals(422, r.status(), option + ": " + r.body());
            assertEquals("invalid_option", r.errorCode());
            String name = option.substring(0, option.indexOf('='));
            assertTrue(r.errorMessage().contains(name), r.errorMessage());
        }
    }
}
