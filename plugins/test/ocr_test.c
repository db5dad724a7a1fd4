/* Tests of the OCR plugins (ocr-db-postprocess, ocr-crop, ocr-orient, ctc-decode) and corral_geometry.h on
 * hand-made probability maps, images and recogniser outputs whose answers are worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "corral_geometry.h"
#include "harness.h"
#include "tests.h"

int32_t ocr_db_postprocess__postprocess(void);
int32_t ocr_crop__crop(void);
int32_t ctc_decode__decode(void);
int32_t ocr_orient__orient(void);

/* ---- corral_geometry.h ------------------------------------------------------------------ */

void geo_min_area_rect_of_a_tilted_rectangle(void) {
    /* A 40 x 10 rectangle turned by 30 degrees about (50, 50), sampled on its edges and inside. */
    double c = cos(M_PI / 6), s = sin(M_PI / 6);
    corral_point pts[200], hull[201];
    int n = 0;
    for (int i = 0; i <= 40; i += 4)
        for (int j = 0; j <= 10; j += 5) {
            double u = i - 20.0, v = j - 5.0;
            pts[n++] = (corral_point){(float)(50 + u * c - v * s), (float)(50 + u * s + v * c)};
        }
    int k = corral_convex_hull(pts, n, hull);
    /* Float rounding may keep some edge points (not exactly collinear), never an inner one. */
    CHECK(k >= 4 && k <= 4 + 2 * 9 + 2 * 1, "hull of a sampled rectangle has %d points", k);
    for (int i = 0; i < k; i++) {
        double dx = hull[i].x - 50, dy = hull[i].y - 50, u = dx * c + dy * s, v = -dx * s + dy * c;
        CHECK(fabs(fabs(u) - 20) < 1e-3 || fabs(fabs(v) - 5) < 1e-3, "hull point %d (u %g, v %g) is inside", i, u, v);
    }
    corral_rotated_rect r = corral_min_area_rect(hull, k);
    double longer = r.width > r.height ? r.width : r.height, shorter = r.width > r.height ? r.height : r.width;
    CHECK_NEAR(longer, 40, 1e-3, "long side");
    CHECK_NEAR(shorter, 10, 1e-3, "short side");
    CHECK_NEAR(r.cx, 50, 1e-3, "centre x");
    CHECK_NEAR(r.cy, 50, 1e-3, "centre y");
    corral_point q[4];
    corral_rect_corners(r, q);
    /* Clockwise from the top-left on the screen: top-left has the smaller x of the left pair. */
    CHECK_NEAR(q[0].x, 50 - 20 * c + 5 * s, 1e-3, "top-left x");
    CHECK_NEAR(q[0].y, 50 - 20 * s - 5 * c, 1e-3, "top-left y");
    CHECK_NEAR(q[2].x, 50 + 20 * c - 5 * s, 1e-3, "bottom-right x");
    CHECK(q[1].x > q[0].x && q[2].y > q[1].y && q[3].x < q[2].x, "corners not clockwise from the top-left");
}

void geo_perspective_maps_corners_and_refuses_a_line(void) {
    corral_point from[4] = {{0, 0}, {100, 0}, {100, 20}, {0, 20}};
    corral_point to[4] = {{10, 5}, {120, 15}, {115, 40}, {8, 30}};
    double m[9];
    CHECK(corral_perspective_transform(from, to, m) == 0, "transform not found");
    for (int i = 0; i < 4; i++) {
        corral_point p = corral_perspective_apply(m, from[i].x, from[i].y);
        CHECK(fabs(p.x - to[i].x) < 1e-3 && fabs(p.y - to[i].y) < 1e-3, "corner %d maps to (%g,%g)", i, p.x, p.y);
    }
    corral_point line[4] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}};
    CHECK(corral_perspective_transform(from, line, m) == -1, "collinear corners should be refused");
}

/* ---- ocr-db-postprocess ------------------------------------------------------------------- */

/* A probability map [1,1,h,w] of zeros with filled rectangles (inclusive pixel ranges). */
typedef struct fill {
    int x0, y0, x1, y1;
    float p;
} fill;

static void give_map(int h, int w, const fill *fills, int count, float sx, float sy, int image_h, int image_w) {
    float *map = calloc((size_t)h * w, 4);
    for (int f = 0; f < count; f++)
        for (int y = fills[f].y0; y <= fills[f].y1; y++)
            for (int x = fills[f].x0; x <= fills[f].x1; x++) map[y * w + x] = fills[f].p;
    int64_t dims[4] = {1, 1, h, w}, sdims[1] = {2}, idims[3] = {image_h, image_w, 3};
    stub_input("sigmoid_0.tmp_0", CORRAL_FLOAT32, dims, 4, map, h * w * 4);
    float scale[2] = {sx, sy};
    stub_input("image_scale", CORRAL_FLOAT32, sdims, 1, scale, 8);
    unsigned char *img = calloc((size_t)image_h * image_w * 3, 1);
    stub_input("image", CORRAL_UINT8, idims, 3, img, image_h * image_w * 3);
    free(img);
    free(map);
}

/* Runs the detector post-process; returns the boxes [N,4,2] and sets *n, or NULL. */
static const float *detect(int *n, const float **scores) {
    stub_begin_call();
    int32_t rc = ocr_db_postprocess__postprocess();
    CHECK(rc == 0, "postprocess returned %d: %s", rc, stub_error_message());
    if (rc) return NULL;
    const stub_tensor *b = stub_output("text_boxes"), *s = stub_output("text_box_scores");
    CHECK(b && s, "text_boxes or text_box_scores missing");
    if (!b || !s) return NULL;
    CHECK(b->dtype == CORRAL_FLOAT32 && b->rank == 3 && b->dims[1] == 4 && b->dims[2] == 2, "text_boxes not [N,4,2]");
    CHECK(s->rank == 1 && s->dims[0] == b->dims[0], "text_box_scores not [N]");
    CHECK(stub_json() == NULL, "the detector post-process should write no JSON");
    *n = (int)b->dims[0];
    *scores = (const float *)s->data;
    return (const float *)b->data;
}

/* Checks box i against the axis-aligned rectangle it should be, in original pixels. */
static void expect_box(const float *boxes, int i, double x0, double y0, double x1, double y1) {
    const float *q = boxes + i * 8;
    double want[8] = {x0, y0, x1, y0, x1, y1, x0, y1};
    for (int k = 0; k < 8; k++)
        CHECK(fabs(q[k] - want[k]) < 0.01, "box %d value %d (corner %d %s) is %.4f, expected %.4f", i, k, k / 2,
              k % 2 ? "y" : "x", q[k], want[k]);
}

void db_finds_unclips_scales_and_orders_boxes(void) {
    /* Map 128x64 of a 256x128 image (scale 0.5). Three text regions, a low-probability region
     * (above thresh, below box_thresh) and a 2x2 speck (below min_size). Region A is the
     * second-found in raster order (B's top row is higher) but comes first: same line, left. */
    fill fills[5] = {
        {70, 9, 109, 18, 0.9f},  /* B: right, top row 9 */
        {20, 10, 59, 19, 0.9f},  /* A: left, top row 10 */
        {10, 40, 49, 49, 0.8f},  /* C: next line */
        {80, 40, 120, 50, 0.4f}, /* weak: dropped by box_thresh 0.6 */
        {100, 58, 101, 59, 1.0f} /* speck: short side 1 < min_size 3 */
    };
    give_map(64, 128, fills, 5, 0.5f, 0.5f, 128, 256);
    int n;
    const float *scores;
    const float *boxes = detect(&n, &scores);
    if (!boxes) return;
    CHECK(n == 3, "found %d boxes, expected 3", n);
    if (n != 3) return;
    /* A: pixel centres 20..59 x 10..19, a 39 x 9 rectangle; unclip d = 39·9·1.5 / (2·48). */
    double d = 39.0 * 9 * 1.5 / 96;
    expect_box(boxes, 0, (20 - d) / 0.5, (10 - d) / 0.5, (59 + d) / 0.5, (19 + d) / 0.5);
    expect_box(boxes, 1, (70 - d) / 0.5, (9 - d) / 0.5, (109 + d) / 0.5, (18 + d) / 0.5);
    expect_box(boxes, 2, (10 - d) / 0.5, (40 - d) / 0.5, (49 + d) / 0.5, (49 + d) / 0.5);
    CHECK_NEAR(scores[0], 0.9, 1e-6, "score of A");
    CHECK_NEAR(scores[2], 0.8, 1e-6, "score of C");
}

void db_clips_boxes_to_the_image(void) {
    /* A region touching the map's corner: its unclipped box would start at negative pixels. */
    fill fills[1] = {{0, 0, 29, 7, 0.95f}};
    give_map(32, 64, fills, 1, 1.0f, 1.0f, 32, 64);
    int n;
    const float *scores;
    const float *boxes = detect(&n, &scores);
    if (!boxes) return;
    CHECK(n == 1, "found %d boxes, expected 1", n);
    if (n != 1) return;
    double d = 29.0 * 7 * 1.5 / 72;
    expect_box(boxes, 0, 0, 0, 29 + d, 7 + d);
}

void db_empty_map_gives_no_boxes(void) {
    give_map(32, 32, NULL, 0, 1.0f, 1.0f, 32, 32);
    int n = -1;
    const float *scores;
    detect(&n, &scores);
    CHECK(n == 0, "found %d boxes on an empty map", n);
}

void db_box_thresh_option_overrides_config(void) {
    fill fills[1] = {{10, 10, 50, 20, 0.5f}};
    give_map(32, 64, fills, 1, 1.0f, 1.0f, 32, 64);
    int n = -1;
    const float *scores;
    detect(&n, &scores);
    CHECK(n == 0, "probability 0.5 is below the default box_thresh 0.6, yet %d boxes", n);
    stub_option_num("box_thresh", 0.45);
    detect(&n, &scores);
    CHECK(n == 1, "with box_thresh 0.45 found %d boxes, expected 1", n);
}

void db_refuses_a_missing_scale(void) {
    float map[16] = {0};
    int64_t dims[4] = {1, 1, 4, 4};
    stub_input("sigmoid_0.tmp_0", CORRAL_FLOAT32, dims, 4, map, 64);
    stub_begin_call();
    CHECK(ocr_db_postprocess__postprocess() == CORRAL_ERR_PLUGIN, "should fail without image_scale");
    CHECK(strstr(stub_error_message(), "image_scale") != NULL, "message '%s' does not name image_scale", stub_error_message());
}

/* ---- ocr-crop --------------------------------------------------------------------------- */

/* An image whose pixels inside the quad (a w x h rectangle turned by `angle` about (cx, cy))
 * tell where they lie in it: red = left half, blue = right half, green = top half. */
static void give_marked_image(int ih, int iw, double cx, double cy, double w, double h, double angle, corral_point quad[4]) {
    double c = cos(angle), s = sin(angle);
    unsigned char *img = malloc((size_t)ih * iw * 3);
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++) {
            double dx = x - cx, dy = y - cy, u = dx * c + dy * s, v = -dx * s + dy * c; /* quad frame */
            unsigned char *p = img + ((size_t)y * iw + x) * 3;
            p[0] = u < 0 ? 255 : 0;
            p[1] = v < 0 ? 255 : 0;
            p[2] = u < 0 ? 0 : 255;
        }
    double corners[4][2] = {{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}};
    for (int i = 0; i < 4; i++)
        quad[i] = (corral_point){(float)(cx + corners[i][0] * c - corners[i][1] * s),
                                 (float)(cy + corners[i][0] * s + corners[i][1] * c)};
    int64_t dims[3] = {ih, iw, 3};
    stub_input("image", CORRAL_UINT8, dims, 3, img, ih * iw * 3);
    free(img);
}

static void give_boxes(const corral_point *quads, int n) {
    int64_t dims[3] = {n, 4, 2};
    stub_input("text_boxes", CORRAL_FLOAT32, dims, 3, quads, n * 32);
}

/* Runs the crop; returns x [N,3,48,W] and its width, or NULL. */
static const float *crop(int n, int *width) {
    stub_begin_call();
    int32_t rc = ocr_crop__crop();
    CHECK(rc == 0, "crop returned %d: %s", rc, stub_error_message());
    if (rc) return NULL;
    const stub_tensor *x = stub_output("x");
    CHECK(x && x->rank == 4 && x->dims[0] == n && x->dims[1] == 3 && x->dims[2] == 48, "x is not [%d,3,48,W]", n);
    if (!x || x->rank != 4) return NULL;
    *width = (int)x->dims[3];
    return (const float *)x->data;
}

/* Channel value of x at (line, channel, row, column), back in 0..255. */
static double pixel(const float *x, int width, int line, int channel, int row, int col) {
    return (x[(((size_t)line * 3 + channel) * 48 + row) * width + col] * 0.5 + 0.5) * 255;
}

void crop_turns_a_tilted_quad_upright(void) {
    corral_point quad[4];
    give_marked_image(120, 200, 100, 60, 120, 30, 20 * M_PI / 180, quad); /* tilted down to the right */
    give_boxes(quad, 1);
    int width;
    const float *x = crop(1, &width);
    if (!x) return;
    CHECK(width == 320, "batch width %d, expected 320 (a 4:1 strip is 192 wide, below the minimum)", width);
    /* BGR: channel 0 blue, 1 green, 2 red. Upper left quarter: red and green; lower right: blue. */
    CHECK(pixel(x, width, 0, 2, 10, 40) > 200 && pixel(x, width, 0, 1, 10, 40) > 200 && pixel(x, width, 0, 0, 10, 40) < 55,
          "upper-left of the strip is not red+green (B %g G %g R %g)", pixel(x, width, 0, 0, 10, 40),
          pixel(x, width, 0, 1, 10, 40), pixel(x, width, 0, 2, 10, 40));
    CHECK(pixel(x, width, 0, 0, 38, 150) > 200 && pixel(x, width, 0, 1, 38, 150) < 55 && pixel(x, width, 0, 2, 38, 150) < 55,
          "lower-right of the strip is not blue");
    /* About 120 x 30 (the edge lengths are truncated like PaddleOCR's): about 192 columns. */
    CHECK(x[((size_t)0 * 48 + 20) * width + 185] != 0 && x[((size_t)0 * 48 + 20) * width + 200] == 0 &&
              x[((size_t)2 * 48 + 47) * width + 319] == 0,
          "the strip should fill about 192 columns and zeros pad the rest");
}

void crop_turns_vertical_text_counter_clockwise(void) {
    /* A tall 20 x 100 quad: its top (green) must end up on the left after the turn, its left
     * side (red) at the bottom. */
    corral_point quad[4];
    give_marked_image(140, 80, 40, 70, 20, 100, 0, quad);
    give_boxes(quad, 1);
    int width;
    const float *x = crop(1, &width);
    if (!x) return;
    /* turned strip: 100 wide, 20 high → 240 columns at height 48. */
    CHECK(pixel(x, width, 0, 1, 24, 30) > 200 && pixel(x, width, 0, 1, 24, 210) < 55, "the text's top is not on the left");
    CHECK(pixel(x, width, 0, 2, 40, 120) > 200 && pixel(x, width, 0, 0, 8, 120) > 200, "the text's left side is not at the bottom");
    CHECK(x[((size_t)1 * 48 + 24) * width + 239] != 0 && x[((size_t)1 * 48 + 24) * width + 240] == 0, "strip width not 240");
}

void crop_batch_takes_the_widest_ratio(void) {
    corral_point wide[4], both[8];
    give_marked_image(100, 600, 300, 50, 500, 20, 0, wide); /* 25:1 → 1200 columns */
    memcpy(both, wide, sizeof wide);
    corral_point small[4] = {{10, 10}, {50, 10}, {50, 30}, {10, 30}}; /* 2:1 → 96 columns */
    memcpy(both + 4, small, sizeof small);
    give_boxes(both, 2);
    int width;
    const float *x = crop(2, &width);
    if (!x) return;
    CHECK(width == 1200, "batch width %d, expected 1200", width);
    CHECK(x[(((size_t)1 * 3 + 0) * 48 + 10) * width + 95] != 0 && x[(((size_t)1 * 3 + 0) * 48 + 10) * width + 96] == 0,
          "the second strip should be 96 columns, padded after");
}

void crop_with_no_boxes_writes_an_empty_batch(void) {
    corral_point quad[4];
    give_marked_image(10, 10, 5, 5, 4, 4, 0, quad);
    give_boxes(quad, 0);
    int width = 0;
    crop(0, &width);
    CHECK(width == 320, "empty batch width %d, expected 320", width);
}

/* ---- ocr-orient ------------------------------------------------------------------------ */

void orient_turns_confident_upside_down_lines(void) {
    float quads[3 * 8];
    for (int i = 0; i < 3 * 8; i++) quads[i] = (float)i;
    /* line 0 upright; line 1 upside down (0.98); line 2 leans to 180° but below thresh 0.9 */
    float probs[6] = {0.95f, 0.05f, 0.02f, 0.98f, 0.15f, 0.85f};
    int64_t bdims[3] = {3, 4, 2}, cdims[2] = {3, 2};
    stub_input("text_boxes", CORRAL_FLOAT32, bdims, 3, quads, sizeof quads);
    stub_input("softmax_0.tmp_0", CORRAL_FLOAT32, cdims, 2, probs, sizeof probs);
    stub_begin_call();
    int32_t rc = ocr_orient__orient();
    CHECK(rc == 0, "orient returned %d: %s", rc, stub_error_message());
    const stub_tensor *out = stub_output("text_boxes");
    CHECK(out && out->rank == 3 && out->dims[0] == 3, "text_boxes not written as [3,4,2]");
    if (!out) return;
    const float *q = (const float *)out->data;
    const float want[24] = {0, 1, 2, 3, 4, 5, 6, 7,          /* unchanged */
                            12, 13, 14, 15, 8, 9, 10, 11,    /* starts at its old bottom-right */
                            16, 17, 18, 19, 20, 21, 22, 23}; /* unchanged */
    for (int k = 0; k < 24; k++) CHECK(q[k] == want[k], "value %d is %g, expected %g", k, q[k], want[k]);
}

void orient_passes_an_empty_batch_through(void) {
    /* No boxes: the classifier did not run, its output is absent. */
    int64_t bdims[3] = {0, 4, 2};
    stub_input("text_boxes", CORRAL_FLOAT32, bdims, 3, "", 0);
    stub_begin_call();
    int32_t rc = ocr_orient__orient();
    CHECK(rc == 0, "orient returned %d: %s", rc, stub_error_message());
    const stub_tensor *out = stub_output("text_boxes");
    CHECK(out && out->rank == 3 && out->dims[0] == 0 && out->bytes == 0, "text_boxes should stay [0,4,2]");
}

void orient_refuses_a_missing_classifier_output(void) {
    float quads[8] = {0};
    int64_t bdims[3] = {1, 4, 2};
    stub_input("text_boxes", CORRAL_FLOAT32, bdims, 3, quads, sizeof quads);
    stub_begin_call();
    CHECK(ocr_orient__orient() == CORRAL_ERR_PLUGIN, "a missing classifier output should fail");
    CHECK(strstr(stub_error_message(), "softmax_0.tmp_0") != NULL, "message '%s' should name the input", stub_error_message());
}

/* ---- ctc-decode ------------------------------------------------------------------------- */

/* Dictionary a, b, c: classes 0 blank, 1 a, 2 b, 3 c, 4 space. */
#define CLASSES 5

/* One line's probabilities: at step t the class seq[t] has probability p[t], the rest share. */
static void fill_line(float *row, int steps, const int *seq, const float *p) {
    for (int t = 0; t < steps; t++)
        for (int c = 0; c < CLASSES; c++) row[t * CLASSES + c] = c == seq[t] ? p[t] : (1 - p[t]) / (CLASSES - 1);
}

static void give_recognition(const float *probs, int n, int steps) {
    int64_t dims[3] = {n, steps, CLASSES};
    stub_input("softmax_11.tmp_0", CORRAL_FLOAT32, dims, 3, probs, n * steps * CLASSES * 4);
    float quads[8 * 8], scores[8];
    for (int i = 0; i < n * 8; i++) quads[i] = (float)(i * 1.25);
    for (int i = 0; i < n; i++) scores[i] = 0.9f;
    int64_t bdims[3] = {n, 4, 2}, sdims[1] = {n};
    stub_input("text_boxes", CORRAL_FLOAT32, bdims, 3, quads, n * 32);
    stub_input("text_box_scores", CORRAL_FLOAT32, sdims, 1, scores, n * 4);
}

static const char *decode(void) {
    stub_begin_call();
    int32_t rc = ctc_decode__decode();
    CHECK(rc == 0, "decode returned %d: %s", rc, stub_error_message());
    return rc == 0 ? stub_json() : NULL;
}

void ctc_collapses_repeats_drops_blanks_and_maps_space(void) {
    stub_config_str("dictionary", "a\nb\nc\n");
    enum { T = 8 };
    float probs[4 * T * CLASSES];
    /* line 0: a a _ a b ␣ b _ → "aa b b"... collapsed: a, a (after a blank), b, space, b */
    int s0[T] = {1, 1, 0, 1, 2, 4, 2, 0};
    float p0[T] = {0.9f, 0.7f, 0.8f, 0.6f, 0.8f, 0.9f, 1.0f, 0.9f};
    /* line 1: all blank → empty, dropped */
    int s1[T] = {0, 0, 0, 0, 0, 0, 0, 0};
    float p1[T] = {0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f};
    /* line 2: ␣ c ␣ ␣ _ _ _ _ → " c " trimmed to "c" */
    int s2[T] = {4, 3, 4, 4, 0, 0, 0, 0};
    float p2[T] = {0.8f, 0.8f, 0.8f, 0.8f, 0.8f, 0.8f, 0.8f, 0.8f};
    /* line 3: confident blanks, unsure "b": confidence 0.4 < drop_score 0.5, dropped */
    int s3[T] = {0, 2, 0, 0, 0, 0, 0, 0};
    float p3[T] = {0.99f, 0.4f, 0.99f, 0.99f, 0.99f, 0.99f, 0.99f, 0.99f};
    fill_line(probs, T, s0, p0);
    fill_line(probs + T * CLASSES, T, s1, p1);
    fill_line(probs + 2 * T * CLASSES, T, s2, p2);
    fill_line(probs + 3 * T * CLASSES, T, s3, p3);
    give_recognition(probs, 4, T);
    const char *json = decode();
    if (!json) return;
    /* line 0 keeps steps 0, 3, 4, 5, 6: mean (0.9 + 0.6 + 0.8 + 0.9 + 1.0) / 5 = 0.84 */
    const char *expected =
        "{\"lines\":[{\"text\":\"aab b\",\"confidence\":0.84,\"box\":[[0,1.3],[2.5,3.8],[5,6.3],[7.5,8.8]]},"
        "{\"text\":\"c\",\"confidence\":0.8,\"box\":[[20,21.3],[22.5,23.8],[25,26.3],[27.5,28.8]]}]}";
    CHECK(strcmp(json, expected) == 0, "JSON\n      %s\n    expected\n      %s", json, expected);
    const stub_tensor *texts = stub_output("line_texts"), *boxes = stub_output("line_boxes"), *scores = stub_output("line_scores");
    CHECK(texts && boxes && scores, "a line tensor is missing");
    if (!texts || !boxes || !scores) return;
    const unsigned char want[] = {5, 0, 0, 0, 'a', 'a', 'b', ' ', 'b', 1, 0, 0, 0, 'c'};
    CHECK(texts->dtype == CORRAL_UINT8 && texts->bytes == (int)sizeof want && memcmp(texts->data, want, sizeof want) == 0,
          "line_texts is not the text list of \"aab b\" and \"c\" (%d bytes)", texts->bytes);
    CHECK(boxes->dims[0] == 2 && ((float *)boxes->data)[8] == 20.0f, "line_boxes should hold boxes 0 and 2");
    CHECK(scores->dims[0] == 2 && fabs(((float *)scores->data)[0] - 0.84) < 1e-6, "line_scores[0] should be 0.84");
}

void ctc_drop_score_option_keeps_unsure_lines(void) {
    stub_config_str("dictionary", "a\nb\nc");
    enum { T = 3 };
    int s[T] = {2, 0, 3};
    float p[T] = {0.4f, 0.9f, 0.3f};
    float probs[T * CLASSES];
    fill_line(probs, T, s, p);
    give_recognition(probs, 1, T);
    const char *json = decode();
    CHECK(json && strcmp(json, "{\"lines\":[]}") == 0, "confidence 0.35 should be dropped: %s", json ? json : "");
    stub_option_num("drop_score", 0.3);
    json = decode();
    CHECK(json && strstr(json, "\"text\":\"bc\"") != NULL, "with drop_score 0.3 'bc' should stay: %s", json ? json : "");
}

void ctc_without_boxes_writes_no_lines(void) {
    /* The recogniser did not run (empty batch): its output is absent. */
    stub_config_str("dictionary", "a\nb\nc\n");
    int64_t bdims[3] = {0, 4, 2}, sdims[1] = {0};
    stub_input("text_boxes", CORRAL_FLOAT32, bdims, 3, "", 0);
    stub_input("text_box_scores", CORRAL_FLOAT32, sdims, 1, "", 0);
    const char *json = decode();
    CHECK(json && strcmp(json, "{\"lines\":[]}") == 0, "JSON %s, expected {\"lines\":[]}", json ? json : "(none)");
    const stub_tensor *texts = stub_output("line_texts"), *boxes = stub_output("line_boxes");
    CHECK(texts && texts->bytes == 0 && texts->dims[0] == 0, "line_texts should be an empty text list");
    CHECK(boxes && boxes->rank == 3 && boxes->dims[0] == 0, "line_boxes should be [0,4,2]");
}

void ctc_refuses_a_dictionary_of_the_wrong_size(void) {
    stub_config_str("dictionary", "a\nb\n"); /* 2 entries + blank + space = 4, the model has 5 */
    float probs[2 * CLASSES] = {0};
    give_recognition(probs, 1, 2);
    stub_begin_call();
    CHECK(ctc_decode__decode() == CORRAL_ERR_PLUGIN, "a class-count mismatch should fail");
    CHECK(strstr(stub_error_message(), "5 classes") != NULL && strstr(stub_error_message(), "2 entries") != NULL,
          "message '%s' should name both counts", stub_error_message());
}
