/* Tests of image-preprocess (and corral_image.h's geometry) on small synthetic images with
 * hand-computed results: letterbox, stretch and limit sizes and scales, channel order,
 * normalisation in the output's channel order, padding, and refusals of bad config. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "corral_image.h"
#include "harness.h"
#include "tests.h"

int32_t image_preprocess__preprocess(void);

typedef unsigned char (*pixel_fn)(int y, int x, int c);

static void give_image(int h, int w, pixel_fn pixel) {
    unsigned char *img = malloc((size_t)h * w * 3 + 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) img[((size_t)y * w + x) * 3 + c] = pixel(y, x, c);
    int64_t dims[3] = {h, w, 3};
    stub_input("image", CORRAL_UINT8, dims, 3, img, h * w * 3);
    free(img);
}

static void raw_pixels(void) {
    double zero[3] = {0, 0, 0}, one[3] = {1, 1, 1};
    stub_config_num("scale", 1.0);
    stub_config_nums("mean", zero, 3);
    stub_config_nums("std", one, 3);
}

/* Runs the entry point; returns the float32 output after checking it is [1,3,h,w] and that
 * image_scale is (sx, sy). */
static const float *run(const char *output_name, int h, int w, double sx, double sy) {
    stub_begin_call();
    int32_t rc = image_preprocess__preprocess();
    CHECK(rc == 0, "preprocess returned %d: %s", rc, stub_error_message());
    if (rc) return NULL;
    const stub_tensor *t = stub_output(output_name);
    CHECK(t != NULL, "no output named '%s'", output_name);
    if (!t) return NULL;
    CHECK(t->dtype == CORRAL_FLOAT32 && t->rank == 4 && t->dims[0] == 1 && t->dims[1] == 3 && t->dims[2] == h &&
              t->dims[3] == w,
          "output dtype %d shape [%lld,%lld,%lld,%lld], expected f32 [1,3,%d,%d]", t->dtype, (long long)t->dims[0],
          (long long)t->dims[1], (long long)t->dims[2], (long long)t->dims[3], h, w);
    const stub_tensor *s = stub_output("image_scale");
    CHECK(s && s->dtype == CORRAL_FLOAT32 && s->rank == 1 && s->dims[0] == 2, "image_scale must be f32 [2]");
    if (s) {
        CHECK_NEAR(((float *)s->data)[0], sx, 1e-6, "image_scale sx");
        CHECK_NEAR(((float *)s->data)[1], sy, 1e-6, "image_scale sy");
    }
    return (const float *)t->data;
}

#define AT(out, h, w, c, y, x) (out)[(((size_t)(c) * (h)) + (y)) * (w) + (x)]

static unsigned char gradient(int y, int x, int c) { return (unsigned char)(c == 0 ? 10 * x : c == 1 ? 10 * y : 7); }

void img_letterbox_halves_a_wide_image_and_pads_below(void) {
    /* 4x8 into 4x4: ratio = min(4/4, 4/8) = 0.5 -> 2 rows x 4 columns, rows 2..3 are padding.
     * Source coordinates (d+0.5)*2-0.5 = 0.5, 2.5, 4.5, 6.5 -> R = 10x = 5, 25, 45, 65;
     * G = 10y = 5, 25. BGR order: channel 0 is blue (7), channel 2 is red. */
    give_image(4, 8, gradient);
    stub_config_str("mode", "letterbox");
    stub_config_int("width", 4);
    stub_config_int("height", 4);
    stub_config_str("channel_order", "bgr");
    raw_pixels();
    const float *out = run("input", 4, 4, 0.5, 0.5);
    if (!out) return;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            int content = y < 2;
            CHECK_NEAR(AT(out, 4, 4, 0, y, x), content ? 7 : 114, 1e-5, "B");
            CHECK_NEAR(AT(out, 4, 4, 1, y, x), content ? 5 + 20 * y : 114, 1e-4, "G");
            CHECK_NEAR(AT(out, 4, 4, 2, y, x), content ? 5 + 20 * x : 114, 1e-4, "R");
        }
}

void img_letterbox_pads_right_of_a_tall_image_with_normalised_pad(void) {
    /* 6x3 into 4x4: ratio = min(4/6, 4/3) = 2/3 -> floor(3*2/3) = 2 columns, 4 rows; columns
     * 2..3 padded with pad_value 0, which normalises to (0 - mean)/std. */
    give_image(6, 3, gradient);
    stub_config_str("mode", "letterbox");
    stub_config_int("width", 4);
    stub_config_int("height", 4);
    stub_config_num("pad_value", 0);
    double mean[3] = {0.5, 0.5, 0.5}, std[3] = {0.5, 0.5, 0.5};
    stub_config_nums("mean", mean, 3);
    stub_config_nums("std", std, 3);
    const float *out = run("input", 4, 4, 2.0 / 3, 2.0 / 3);
    if (!out) return;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 4; y++) {
            CHECK_NEAR(AT(out, 4, 4, c, y, 2), -1, 1e-6, "padding");
            CHECK_NEAR(AT(out, 4, 4, c, y, 3), -1, 1e-6, "padding");
        }
    /* Blue is 7 everywhere in the content: (7/255 - 0.5)/0.5. */
    CHECK_NEAR(AT(out, 4, 4, 2, 1, 1), (7 / 255.0 - 0.5) / 0.5, 1e-6, "content B");
}

void img_letterbox_geometry_of_real_photo_sizes(void) {
    /* YOLOX 416: coffee.png is 400x600 -> ratio 416/600, 277 rows; astronaut 512x512 -> 416. */
    corral_image_layout l = corral_image_letterbox(400, 600, 416, 416);
    CHECK(l.resized_w == 416 && l.resized_h == 277 && l.canvas_w == 416 && l.canvas_h == 416,
          "coffee letterbox %lldx%lld in %dx%d", (long long)l.resized_w, (long long)l.resized_h, l.canvas_w, l.canvas_h);
    CHECK_NEAR(l.scale_x, 416.0 / 600, 1e-12, "coffee ratio");
    CHECK(l.scale_x == l.scale_y, "letterbox keeps the aspect ratio");
    l = corral_image_letterbox(512, 512, 416, 416);
    CHECK(l.resized_w == 416 && l.resized_h == 416, "astronaut letterbox %lldx%lld", (long long)l.resized_w,
          (long long)l.resized_h);
    l = corral_image_letterbox(1, 10000, 416, 416);
    CHECK(l.resized_h == 1 && l.resized_w == 416, "a 1x10000 strip keeps at least one row, got %lldx%lld",
          (long long)l.resized_w, (long long)l.resized_h);
}

void img_stretch_ignores_aspect_ratio(void) {
    /* 2x4 stretched to 240x320 style: here 4 rows x 2 columns, so sx = 2/4, sy = 4/2. */
    give_image(2, 4, gradient);
    stub_config_str("mode", "stretch");
    stub_config_int("width", 2);
    stub_config_int("height", 4);
    raw_pixels();
    const float *out = run("input", 4, 2, 0.5, 2.0);
    if (!out) return;
    /* x: (d+0.5)*2-0.5 = 0.5, 2.5 -> R 5, 25. y: (d+0.5)/2-0.5 = -0.25(0), 0.25, 0.75, 1.25(1) -> G 0, 2.5, 7.5, 10. */
    double r[2] = {5, 25}, g[4] = {0, 2.5, 7.5, 10};
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 2; x++) {
            CHECK_NEAR(AT(out, 4, 2, 0, y, x), r[x], 1e-4, "R");
            CHECK_NEAR(AT(out, 4, 2, 1, y, x), g[y], 1e-4, "G");
        }
}

void img_mean_and_std_follow_the_output_channel_order(void) {
    /* One pixel R=200 G=100 B=50, BGR output, mean/std given as (B, G, R). */
    static unsigned char px[3] = {200, 100, 50};
    int64_t dims[3] = {1, 1, 3};
    stub_input("image", CORRAL_UINT8, dims, 3, px, 3);
    stub_config_str("mode", "stretch");
    stub_config_int("width", 1);
    stub_config_int("height", 1);
    stub_config_str("channel_order", "bgr");
    stub_config_num("scale", 1.0);
    double mean[3] = {10, 20, 30}, std[3] = {2, 4, 5};
    stub_config_nums("mean", mean, 3);
    stub_config_nums("std", std, 3);
    stub_config_str("output_name", "images");
    const float *out = run("images", 1, 1, 1, 1);
    if (!out) return;
    CHECK_NEAR(out[0], (50 - 10) / 2.0, 1e-5, "B");
    CHECK_NEAR(out[1], (100 - 20) / 4.0, 1e-5, "G");
    CHECK_NEAR(out[2], (200 - 30) / 5.0, 1e-5, "R");
}

void img_limit_scales_down_and_rounds_to_32(void) {
    /* 1000x2000, limit 960: ratio 0.48 -> 480 x 960, both multiples of 32 already. */
    corral_image_layout l = corral_image_limit(1000, 2000, 960);
    CHECK(l.canvas_h == 480 && l.canvas_w == 960, "limit 1000x2000 -> %dx%d", l.canvas_h, l.canvas_w);
    CHECK_NEAR(l.scale_x, 0.48, 1e-12, "sx");
    /* Never scaled up; 100 -> 96 (3.125), 50 -> 64 (1.5625). */
    l = corral_image_limit(100, 50, 960);
    CHECK(l.canvas_h == 96 && l.canvas_w == 64, "limit 100x50 -> %dx%d", l.canvas_h, l.canvas_w);
    CHECK_NEAR(l.scale_y, 0.96, 1e-12, "sy");
    CHECK_NEAR(l.scale_x, 64.0 / 50, 1e-12, "sx");
    /* Halves round to even, as Python's round(): 48/32 = 1.5 -> 2, 80/32 = 2.5 -> 2; 16 -> 0 -> at least 32. */
    l = corral_image_limit(48, 80, 960);
    CHECK(l.canvas_h == 64 && l.canvas_w == 64, "limit 48x80 -> %dx%d", l.canvas_h, l.canvas_w);
    l = corral_image_limit(16, 16, 960);
    CHECK(l.canvas_h == 32 && l.canvas_w == 32, "limit 16x16 -> %dx%d", l.canvas_h, l.canvas_w);
}

void img_limit_mode_through_the_plugin(void) {
    give_image(40, 70, gradient);
    stub_config_str("mode", "limit");
    stub_config_int("limit_side", 64);
    /* longer 70 > 64: ratio 64/70 -> 36 x 64 -> 36/32 = 1.125 -> 32; 64 -> 64. */
    run("input", 32, 64, 64.0 / 70, 32.0 / 40);
}

/* ---- refusals -------------------------------------------------------------------------------- */
static void expect_config_failure(const char *fragment) {
    give_image(4, 4, gradient);
    stub_begin_call();
    int32_t rc = image_preprocess__preprocess();
    CHECK(rc != 0, "preprocess should fail");
    CHECK(stub_error_code() == 1, "error code %d, expected 1 ('%s')", stub_error_code(), stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
    CHECK(stub_output_count() == 0, "a failed call wrote %d outputs", stub_output_count());
}

void img_rejects_missing_mode(void) {
    expect_config_failure("config 'mode' is required: \"letterbox\", \"stretch\" or \"limit\"");
}

void img_rejects_unknown_mode(void) {
    stub_config_str("mode", "crop");
    expect_config_failure("got \"crop\"");
}

void img_rejects_letterbox_without_width(void) {
    stub_config_str("mode", "letterbox");
    stub_config_int("height", 416);
    expect_config_failure("config 'width' is required");
}

void img_rejects_unknown_channel_order(void) {
    stub_config_str("mode", "stretch");
    stub_config_int("width", 4);
    stub_config_int("height", 4);
    stub_config_str("channel_order", "rgba");
    expect_config_failure("'channel_order' must be \"rgb\" or \"bgr\", got \"rgba\"");
}

void img_rejects_two_means_naming_the_output_order(void) {
    double mean[2] = {1, 2};
    stub_config_str("mode", "stretch");
    stub_config_int("width", 4);
    stub_config_int("height", 4);
    stub_config_str("channel_order", "bgr");
    stub_config_nums("mean", mean, 2);
    expect_config_failure("'mean' must have 3 values (B, G, R), got 2");
}

void img_rejects_missing_image(void) {
    stub_config_str("mode", "stretch");
    stub_config_int("width", 4);
    stub_config_int("height", 4);
    stub_begin_call();
    CHECK(image_preprocess__preprocess() == 2 && stub_error_code() == 2 &&
              strstr(stub_error_message(), "input 'image' is missing"),
          "error %d '%s'", stub_error_code(), stub_error_message());
}
