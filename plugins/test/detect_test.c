/* Tests of corral_detect.h (IoU, sort, class-aware NMS) on hand-made boxes, and of the
 * yolox-postprocess and ultraface-postprocess plugins on synthetic model outputs whose
 * decoded boxes are computed by hand: the JSON, the det_* tensors and the det_labels text
 * list, the options and the refusals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "corral_detect.h"
#include "harness.h"
#include "tests.h"

int32_t yolox_postprocess__postprocess(void);
int32_t ultraface_postprocess__postprocess(void);

/* ---- corral_detect.h -------------------------------------------------------------------- */

void det_iou_of_hand_made_boxes(void) {
    float a[4] = {0, 0, 2, 2}, b[4] = {1, 0, 3, 2}, c[4] = {2, 0, 4, 2}, d[4] = {0.5f, 0.5f, 1.5f, 1.5f};
    CHECK_NEAR(corral_box_iou(a, a), 1, 1e-7, "a box with itself");
    CHECK_NEAR(corral_box_iou(a, b), 1.0 / 3, 1e-7, "half overlap: 2 / (4 + 4 - 2)");
    CHECK_NEAR(corral_box_iou(b, a), 1.0 / 3, 1e-7, "symmetric");
    CHECK(corral_box_iou(a, c) == 0, "boxes that only touch do not overlap");
    CHECK_NEAR(corral_box_iou(a, d), 0.25, 1e-7, "a box inside another: 1 / 4");
    float empty[4] = {1, 1, 1, 1};
    CHECK(corral_box_iou(empty, empty) == 0, "an empty box overlaps nothing");
}

static corral_detection det(int class_id, float score, float x1, float y1, float x2, float y2) {
    corral_detection d = {{x1, y1, x2, y2}, score, class_id};
    return d;
}

void det_sort_is_descending_and_stable(void) {
    stub_begin_call();
    corral_detection d[6] = {det(3, 0.5f, 0, 0, 1, 1), det(1, 0.9f, 0, 0, 1, 1), det(2, 0.5f, 0, 0, 1, 1),
                             det(0, 0.7f, 1, 0, 1, 1), det(2, 0.5f, 9, 0, 9, 1), det(5, 0.1f, 0, 0, 1, 1)};
    CHECK(corral_detections_sort(d, 6) == 0, "sort");
    float scores[6] = {0.9f, 0.7f, 0.5f, 0.5f, 0.5f, 0.1f};
    int classes[6] = {1, 0, 2, 2, 3, 5};
    for (int i = 0; i < 6; i++)
        CHECK(d[i].score == scores[i] && d[i].class_id == classes[i], "position %d: class %d score %g", i,
              d[i].class_id, d[i].score);
    CHECK(d[2].box[0] == 0 && d[3].box[0] == 9, "equal detections keep their order");
}

void det_nms_is_class_aware_and_greedy(void) {
    /* A suppresses B (IoU 81/119) and E (90/110); C has A's box but another class; D is
     * apart; F overlaps only B, which was suppressed, so F stays. */
    corral_detection d[6] = {
        det(0, 0.9f, 0, 0, 10, 10),   /* A */
        det(1, 0.85f, 0, 0, 10, 10),  /* C */
        det(0, 0.8f, 1, 1, 11, 11),   /* B */
        det(0, 0.7f, 20, 20, 30, 30), /* D */
        det(0, 0.6f, 1, 0, 11, 10),   /* E */
        det(0, 0.5f, 6, 6, 16, 16),   /* F: IoU with A 16/184, with B 25/175 */
    };
    int32_t n = corral_nms(d, 6, 0.45f, 100);
    CHECK(n == 4, "kept %d, expected A, C, D, F", n);
    float scores[4] = {0.9f, 0.85f, 0.7f, 0.5f};
    for (int i = 0; i < 4 && i < n; i++) CHECK(d[i].score == scores[i], "kept %d has score %g", i, d[i].score);
}

void det_nms_threshold_is_strict_and_max_keep_stops(void) {
    /* IoU exactly 1/3: suppressed above the threshold only. */
    corral_detection d[2] = {det(0, 0.9f, 0, 0, 2, 2), det(0, 0.8f, 1, 0, 3, 2)};
    CHECK(corral_nms(d, 2, 0.5f, 100) == 2, "IoU 1/3 <= 0.5 keeps both");
    CHECK(corral_nms(d, 2, 0.3f, 100) == 1, "IoU 1/3 > 0.3 suppresses");
    corral_detection far[3] = {det(0, 0.9f, 0, 0, 1, 1), det(0, 0.8f, 5, 5, 6, 6), det(0, 0.7f, 9, 9, 10, 10)};
    CHECK(corral_nms(far, 3, 0.45f, 2) == 2 && far[1].score == 0.8f, "max_keep 2 keeps the two best");
}

void det_clip_keeps_boxes_inside_the_image(void) {
    corral_detection d[1] = {det(0, 1, -5, 3, 120, 70)};
    corral_detections_clip(d, 1, 100, 50);
    CHECK(d[0].box[0] == 0 && d[0].box[1] == 3 && d[0].box[2] == 100 && d[0].box[3] == 50, "clipped to [%g,%g,%g,%g]",
          d[0].box[0], d[0].box[1], d[0].box[2], d[0].box[3]);
}

/* ---- yolox-postprocess ------------------------------------------------------------------- */
#define ANCHORS 3549 /* 52² + 26² + 13² */
#define WIDTH 85

static float *yolox_output;

static void yolox_labels(void) {
    char text[2048];
    size_t n = 0;
    for (int i = 0; i < 80; i++) {
        const char *name = i == 0 ? "person" : i == 15 ? "cat" : i == 41 ? "cup" : NULL;
        n += name ? (size_t)snprintf(text + n, sizeof text - n, "%s\n", name)
                  : (size_t)snprintf(text + n, sizeof text - n, "class%d\n", i);
    }
    stub_config_str("labels", text);
}

static float *anchor(int index) { return yolox_output + (size_t)index * WIDTH; }

/* Three anchors: a cup at stride 8 cell (3, 2); a person (or, second best, a cat) at stride
 * 32 cell (1, 0) that sticks out of the image; a weak one under any threshold used here. */
static void yolox_inputs(void) {
    yolox_output = calloc((size_t)ANCHORS * WIDTH, sizeof(float));
    float *cup = anchor(2 * 52 + 3);
    cup[0] = 0.5f, cup[1] = 0.5f, cup[2] = logf(2), cup[3] = logf(4), cup[4] = 0.9f, cup[5 + 41] = 0.95f;
    /* centre (3.5·8, 2.5·8) = (28, 20), size (16, 32): [20,4,36,36] in the model; scale 0.5 -> [40,8,72,72] */
    float *person = anchor(52 * 52 + 26 * 26 + 1);
    person[4] = 0.8f, person[5 + 0] = 0.5f, person[5 + 15] = 0.45f;
    /* centre (32, 0), size 32: [16,-16,48,16] -> [32,-32,96,32] -> clipped [32,0,96,32] */
    float *weak = anchor(100);
    weak[4] = 0.2f, weak[5 + 3] = 0.9f;
    int64_t dims[3] = {1, ANCHORS, WIDTH};
    stub_input("output", CORRAL_FLOAT32, dims, 3, yolox_output, ANCHORS * WIDTH * 4);
    free(yolox_output);
    float scale[2] = {0.5f, 0.5f};
    int64_t scale_dims[1] = {2};
    stub_input("image_scale", CORRAL_FLOAT32, scale_dims, 1, scale, 8);
    static unsigned char pixels[200 * 300 * 3];
    int64_t image_dims[3] = {200, 300, 3};
    stub_input("image", CORRAL_UINT8, image_dims, 3, pixels, sizeof pixels);
}

static void yolox_scene(void) {
    yolox_inputs();
    yolox_labels();
}

static int run_yolox(void) {
    stub_begin_call();
    int32_t rc = yolox_postprocess__postprocess();
    CHECK(rc == 0, "postprocess returned %d: %s", rc, stub_error_message());
    return rc == 0;
}

static void check_box(const float *box, float x1, float y1, float x2, float y2) {
    CHECK(fabsf(box[0] - x1) < 1e-4f && fabsf(box[1] - y1) < 1e-4f && fabsf(box[2] - x2) < 1e-4f &&
              fabsf(box[3] - y2) < 1e-4f,
          "box [%g,%g,%g,%g], expected [%g,%g,%g,%g]", box[0], box[1], box[2], box[3], x1, y1, x2, y2);
}

void yolox_decodes_grids_and_writes_json_and_tensors(void) {
    yolox_scene();
    if (!run_yolox()) return;
    CHECK(strcmp(stub_json(), "{\"detections\":["
                              "{\"label\":\"cup\",\"class_id\":41,\"score\":0.85499996,\"box\":[40,8,72,72]},"
                              "{\"label\":\"person\",\"class_id\":0,\"score\":0.4,\"box\":[32,0,96,32]}]}") == 0,
          "json %s", stub_json());
    const stub_tensor *boxes = stub_output("det_boxes"), *scores = stub_output("det_scores");
    const stub_tensor *classes = stub_output("det_classes"), *labels = stub_output("det_labels");
    CHECK(boxes && boxes->dtype == CORRAL_FLOAT32 && boxes->rank == 2 && boxes->dims[0] == 2 && boxes->dims[1] == 4,
          "det_boxes f32 [2,4]");
    CHECK(scores && scores->dtype == CORRAL_FLOAT32 && scores->rank == 1 && scores->dims[0] == 2, "det_scores f32 [2]");
    CHECK(classes && classes->dtype == CORRAL_INT64 && classes->rank == 1 && classes->dims[0] == 2, "det_classes i64 [2]");
    CHECK(labels && labels->dtype == CORRAL_UINT8 && labels->rank == 1, "det_labels uint8 [n]");
    if (!boxes || !scores || !classes || !labels) return;
    check_box((float *)boxes->data, 40, 8, 72, 72);
    check_box((float *)boxes->data + 4, 32, 0, 96, 32);
    CHECK(((float *)scores->data)[0] == 0.9f * 0.95f && ((float *)scores->data)[1] == 0.8f * 0.5f, "scores");
    CHECK(((int64_t *)classes->data)[0] == 41 && ((int64_t *)classes->data)[1] == 0, "classes");
    static const unsigned char list[] = {3, 0, 0, 0, 'c', 'u', 'p', 6, 0, 0, 0, 'p', 'e', 'r', 's', 'o', 'n'};
    CHECK(labels->bytes == (int32_t)sizeof list && memcmp(labels->data, list, sizeof list) == 0,
          "det_labels is the text list [cup, person] (%d bytes)", labels->bytes);
}

void yolox_classes_option_takes_the_best_wanted_class(void) {
    yolox_scene();
    stub_option_str("classes", " cat ,");
    if (!run_yolox()) return;
    /* The person anchor's best class overall is person (0.5), but among the wanted: cat 0.45
     * (0.8f · 0.45f = 0.35999998f, as the cup's 0.9f · 0.95f is 0.85499996f). */
    CHECK(strstr(stub_json(), "\"label\":\"cat\",\"class_id\":15,\"score\":0.35999998") && !strstr(stub_json(), "cup"),
          "json %s", stub_json());
}

void yolox_options_threshold_and_max(void) {
    yolox_scene();
    stub_option_num("score_threshold", 0.5);
    if (run_yolox()) CHECK(stub_output("det_scores")->dims[0] == 1, "threshold 0.5 keeps the cup only");
    stub_reset_options();
    stub_option_num("score_threshold", 0.1);
    stub_option_int("max_detections", 1);
    if (run_yolox()) CHECK(stub_output("det_scores")->dims[0] == 1 && strstr(stub_json(), "cup"), "max 1: %s", stub_json());
}

void yolox_nothing_found_is_an_empty_list(void) {
    yolox_scene();
    stub_option_num("score_threshold", 0.99);
    if (!run_yolox()) return;
    CHECK(strcmp(stub_json(), "{\"detections\":[]}") == 0, "json %s", stub_json());
    const stub_tensor *boxes = stub_output("det_boxes"), *labels = stub_output("det_labels");
    CHECK(boxes && boxes->rank == 2 && boxes->dims[0] == 0 && boxes->dims[1] == 4, "det_boxes [0,4]");
    CHECK(labels && labels->rank == 1 && labels->dims[0] == 0, "det_labels is the empty text list");
}

static void expect_yolox_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = yolox_postprocess__postprocess();
    CHECK(rc != 0 && stub_error_code() == code, "rc %d, error %d (expected %d): %s", rc, stub_error_code(), code,
          stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
    CHECK(stub_output_count() == 0 && stub_json() == NULL, "a failed call wrote outputs");
}

void yolox_refuses_an_unknown_class_listing_the_labels(void) {
    yolox_scene();
    stub_option_str("classes", "cup,unicorn");
    expect_yolox_failure(3, "option 'classes': 'unicorn' is not a label of this model; its labels (exact, "
                            "comma-separated) are: person, class1");
}

void yolox_refuses_missing_labels(void) {
    yolox_inputs();
    expect_yolox_failure(1, "config 'labels' is required");
}

void yolox_refuses_an_output_of_another_shape(void) {
    yolox_inputs();
    stub_config_str("labels", "a\nb\nc\n"); /* 3 labels: the output would need 8 columns */
    expect_yolox_failure(1, "input 'output' must be float32 [1,3549,8]");
}

void yolox_refuses_missing_image_scale(void) {
    yolox_scene();
    stub_reset_inputs();
    yolox_output = calloc((size_t)ANCHORS * WIDTH, sizeof(float));
    int64_t dims[3] = {1, ANCHORS, WIDTH};
    stub_input("output", CORRAL_FLOAT32, dims, 3, yolox_output, ANCHORS * WIDTH * 4);
    free(yolox_output);
    expect_yolox_failure(1, "input 'image_scale' must be float32 [2]");
}

/* ---- ultraface-postprocess ----------------------------------------------------------------- */

static void ultraface_scene(void) {
    /* Image 100 x 200 (h x w). Anchor 0: face 0.95; 1: nearly the same box, 0.9 (suppressed);
     * 2: 0.5, under 0.7; 3: 0.8, out of the image on the right. */
    float scores[8] = {0.05f, 0.95f, 0.1f, 0.9f, 0.5f, 0.5f, 0.2f, 0.8f};
    float boxes[16] = {0.1f, 0.1f, 0.3f, 0.5f, 0.11f, 0.1f, 0.31f, 0.5f, 0.6f, 0.6f, 0.7f, 0.7f, 0.5f, 0.5f, 1.2f, 0.9f};
    int64_t sd[3] = {1, 4, 2}, bd[3] = {1, 4, 4};
    stub_input("scores", CORRAL_FLOAT32, sd, 3, scores, sizeof scores);
    stub_input("boxes", CORRAL_FLOAT32, bd, 3, boxes, sizeof boxes);
    static unsigned char pixels[100 * 200 * 3];
    int64_t image_dims[3] = {100, 200, 3};
    stub_input("image", CORRAL_UINT8, image_dims, 3, pixels, sizeof pixels);
}

void ultraface_scales_clips_and_suppresses(void) {
    ultraface_scene();
    stub_begin_call();
    int32_t rc = ultraface_postprocess__postprocess();
    CHECK(rc == 0, "postprocess returned %d: %s", rc, stub_error_message());
    if (rc) return;
    CHECK(strcmp(stub_json(), "{\"detections\":["
                              "{\"label\":\"face\",\"class_id\":0,\"score\":0.95,\"box\":[20,10,60,50]},"
                              "{\"label\":\"face\",\"class_id\":0,\"score\":0.8,\"box\":[100,50,200,90]}]}") == 0,
          "json %s", stub_json());
    const stub_tensor *boxes = stub_output("det_boxes");
    if (boxes) check_box((float *)boxes->data + 4, 100, 50, 200, 90);
    static const unsigned char list[] = {4, 0, 0, 0, 'f', 'a', 'c', 'e', 4, 0, 0, 0, 'f', 'a', 'c', 'e'};
    const stub_tensor *labels = stub_output("det_labels");
    CHECK(labels && labels->bytes == (int32_t)sizeof list && memcmp(labels->data, list, sizeof list) == 0,
          "det_labels [face, face]");
}

void ultraface_options_and_refusals(void) {
    ultraface_scene();
    stub_option_num("score_threshold", 0.4);
    stub_option_num("iou_threshold", 0.99);
    stub_begin_call();
    CHECK(ultraface_postprocess__postprocess() == 0 && stub_output("det_scores")->dims[0] == 4,
          "threshold 0.4 and IoU 0.99 keep all four: %s", stub_json());
    stub_reset_options();
    stub_option_str("classes", "person");
    stub_begin_call();
    CHECK(ultraface_postprocess__postprocess() == 3 && strstr(stub_error_message(), "'person' is not a label") &&
              strstr(stub_error_message(), "are: face"),
          "error %d '%s'", stub_error_code(), stub_error_message());
}
