/* Tests of imagenet-preprocess on small synthetic images with hand-computed results, and
 * against a naive reference (materialise the whole resized image in double, then crop). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t imagenet_preprocess__preprocess(void);

typedef unsigned char (*pixel_fn)(int y, int x, int c);

static void give_image(const char *name, int h, int w, pixel_fn pixel) {
    unsigned char *img = malloc((size_t)h * w * 3 + 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) img[((size_t)y * w + x) * 3 + c] = pixel(y, x, c);
    int64_t dims[3] = {h, w, 3};
    stub_input(name, CORRAL_UINT8, dims, 3, img, h * w * 3);
    free(img);
}

static void plain_normalisation(void) {
    double zero[3] = {0, 0, 0}, one[3] = {1, 1, 1};
    stub_config_num("scale", 1.0);
    stub_config_nums("mean", zero, 3);
    stub_config_nums("std", one, 3);
}

/* Runs the entry point and returns the float32 output (checking its shape), or NULL. */
static const float *run(const char *output_name, int crop) {
    stub_begin_call();
    int32_t rc = imagenet_preprocess__preprocess();
    CHECK(rc == 0, "preprocess returned %d: %s", rc, stub_error_message());
    if (rc) return NULL;
    const stub_tensor *t = stub_output(output_name);
    CHECK(t != NULL, "no output named '%s'", output_name);
    if (!t) return NULL;
    CHECK(t->dtype == CORRAL_FLOAT32, "output dtype %d", t->dtype);
    CHECK(t->rank == 4 && t->dims[0] == 1 && t->dims[1] == 3 && t->dims[2] == crop && t->dims[3] == crop,
          "output shape rank %d [%lld,%lld,%lld,%lld], expected [1,3,%d,%d]", t->rank, (long long)t->dims[0],
          (long long)t->dims[1], (long long)t->dims[2], (long long)t->dims[3], crop, crop);
    return (const float *)t->data;
}

#define AT(out, crop, c, y, x) (out)[((size_t)(c) * (crop) + (y)) * (crop) + (x)]

static unsigned char distinct(int y, int x, int c) { return (unsigned char)(y * 40 + x * 7 + c * 3); }

void pre_identity_when_resize_equals_image(void) {
    /* 4x6, shorter side already 4: the crop is the 4x4 window starting at column 1. */
    give_image("image", 4, 6, distinct);
    stub_config_int("resize", 4);
    stub_config_int("crop", 4);
    plain_normalisation();
    const float *out = run("input", 4);
    if (!out) return;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                CHECK(AT(out, 4, c, y, x) == distinct(y, x + 1, c), "c%d y%d x%d: %g, expected %d", c, y, x,
                      AT(out, 4, c, y, x), distinct(y, x + 1, c));
}

static unsigned char gradient(int y, int x, int c) { return (unsigned char)(c == 0 ? 10 * x : c == 1 ? 10 * y : 7); }

void pre_gradient_downscale_applies_mean_and_std_per_channel(void) {
    /* 4x6 -> 2x3 (scale 2 on both axes), crop 2 at (0,0). Source coordinates
     * (d+0.5)*2-0.5 = 0.5, 2.5, so R = 10x -> 5, 25 and G = 10y -> 5, 25; B stays 7. */
    give_image("image", 4, 6, gradient);
    stub_config_int("resize", 2);
    stub_config_int("crop", 2);
    double mean[3] = {0.5, 0.25, 0}, std[3] = {0.25, 0.5, 2};
    stub_config_nums("mean", mean, 3);
    stub_config_nums("std", std, 3);
    const float *out = run("input", 2);
    if (!out) return;
    double v[2] = {5, 25};
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) {
            CHECK_NEAR(AT(out, 2, 0, y, x), (v[x] / 255 - 0.5) / 0.25, 1e-5, "R");
            CHECK_NEAR(AT(out, 2, 1, y, x), (v[y] / 255 - 0.25) / 0.5, 1e-5, "G");
            CHECK_NEAR(AT(out, 2, 2, y, x), (7.0 / 255) / 2, 1e-6, "B");
        }
}

void pre_portrait_image_crops_the_middle_rows(void) {
    /* 6x4 (portrait): shorter side 4 -> 3, so 6 -> floor(3*6/4) = 4 rows; crop 2 starts at
     * row 1, column 0. x: (cx+0.5)*4/3-0.5 = 1/6, 3/2 -> R = 10/6, 15.
     * y: (ry+0.5)*1.5-0.5 for ry = 1, 2 -> 1.75, 3.25 -> G = 17.5, 32.5. */
    give_image("image", 6, 4, gradient);
    stub_config_int("resize", 3);
    stub_config_int("crop", 2);
    plain_normalisation();
    const float *out = run("input", 2);
    if (!out) return;
    double r[2] = {10.0 / 6, 15}, g[2] = {17.5, 32.5};
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) {
            CHECK_NEAR(AT(out, 2, 0, y, x), r[x], 1e-4, "R");
            CHECK_NEAR(AT(out, 2, 1, y, x), g[y], 1e-4, "G");
            CHECK_NEAR(AT(out, 2, 2, y, x), 7, 1e-5, "B");
        }
}

static unsigned char corners(int y, int x, int c) { return (unsigned char)(c == 0 ? 100 * x : c == 1 ? 100 * y : 50); }

void pre_image_smaller_than_crop_is_upscaled(void) {
    /* 2x2 -> 4x4: coordinates (d+0.5)/2-0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1). */
    give_image("image", 2, 2, corners);
    stub_config_int("resize", 4);
    stub_config_int("crop", 4);
    plain_normalisation();
    const float *out = run("input", 4);
    if (!out) return;
    double v[4] = {0, 25, 75, 100};
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            CHECK_NEAR(AT(out, 4, 0, y, x), v[x], 1e-4, "R");
            CHECK_NEAR(AT(out, 4, 1, y, x), v[y], 1e-4, "G");
            CHECK_NEAR(AT(out, 4, 2, y, x), 50, 1e-5, "B");
        }
}

void pre_names_come_from_config(void) {
    give_image("photo", 5, 5, distinct);
    stub_config_str("input_name", "photo");
    stub_config_str("output_name", "pixel_values");
    stub_config_int("resize", 5);
    stub_config_int("crop", 3);
    const float *out = run("pixel_values", 3);
    CHECK(out != NULL && stub_output_count() == 1, "expected exactly the output 'pixel_values'");
    if (out) CHECK_NEAR(AT(out, 3, 0, 0, 0), (distinct(1, 1, 0) / 255.0 - 0.485) / 0.229, 1e-5, "default ImageNet R");
}

/* ---- the naive reference ------------------------------------------------------------------ */
static uint32_t seed = 42;
static unsigned char noise(void) {
    seed = seed * 1664525u + 1013904223u;
    return (unsigned char)(seed >> 24);
}

static double sample(const unsigned char *img, int w, int y, int x, int c) { return img[((size_t)y * w + x) * 3 + c]; }

static void coord(int dst, int in, long out, int *lo, int *hi, double *weight) {
    double s = (dst + 0.5) * ((double)in / out) - 0.5;
    s = s < 0 ? 0 : s > in - 1 ? in - 1 : s;
    *lo = (int)floor(s);
    *hi = *lo + 1 < in ? *lo + 1 : *lo;
    *weight = s - *lo;
}

static void compare_with_reference(int h, int w, int resize, int crop) {
    unsigned char *src = malloc((size_t)h * w * 3);
    seed = (uint32_t)(h * 1000 + w);
    for (size_t i = 0; i < (size_t)h * w * 3; i++) src[i] = noise();
    int64_t dims[3] = {h, w, 3};
    stub_input("image", CORRAL_UINT8, dims, 3, src, h * w * 3);
    stub_config_int("resize", resize);
    stub_config_int("crop", crop);
    const float *out = run("input", crop);
    if (!out) { free(src); return; }
    long oh = h <= w ? resize : (long)resize * h / w, ow = h <= w ? (long)resize * w / h : resize;
    double *resized = malloc(sizeof(double) * (size_t)oh * ow * 3);
    for (long y = 0; y < oh; y++)
        for (long x = 0; x < ow; x++) {
            int y0, y1, x0, x1;
            double wy, wx;
            coord((int)y, h, oh, &y0, &y1, &wy);
            coord((int)x, w, ow, &x0, &x1, &wx);
            for (int c = 0; c < 3; c++)
                resized[((size_t)y * ow + x) * 3 + c] =
                    (1 - wy) * ((1 - wx) * sample(src, w, y0, x0, c) + wx * sample(src, w, y0, x1, c)) +
                    wy * ((1 - wx) * sample(src, w, y1, x0, c) + wx * sample(src, w, y1, x1, c));
        }
    const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    long top = (oh - crop) / 2, left = (ow - crop) / 2;
    double worst = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < crop; y++)
            for (int x = 0; x < crop; x++) {
                double want = (resized[((size_t)(y + top) * ow + x + left) * 3 + c] / 255 - mean[c]) / std[c];
                double diff = fabs(AT(out, crop, c, y, x) - want);
                if (diff > worst) worst = diff;
            }
    CHECK(worst < 2e-5, "%dx%d resize %d crop %d: largest difference from the reference %g", h, w, resize, crop, worst);
    free(resized);
    free(src);
}

void pre_matches_reference_landscape(void) { compare_with_reference(37, 53, 20, 16); }
void pre_matches_reference_portrait(void) { compare_with_reference(53, 37, 20, 15); }
void pre_matches_reference_upscale(void) { compare_with_reference(10, 10, 32, 30); }
void pre_matches_reference_single_pixel(void) { compare_with_reference(1, 1, 5, 3); }
void pre_matches_reference_thin_strip(void) { compare_with_reference(3, 200, 8, 8); }
void pre_matches_reference_camera_frame(void) { compare_with_reference(480, 640, 256, 224); }

void pre_memory_stays_proportional_to_width(void) {
    /* A 1000x1200 image is 3.6 MB; the guest may hold the output (602,112 bytes) plus a few
     * rows, never the image. And a second call must not use more than the first. */
    give_image("image", 1000, 1200, gradient);
    run("input", 224);
    size_t first = corral_arena_used();
    CHECK(first < 602112 + 64 * 1024, "first call used %zu bytes of arena", first);
    run("input", 224);
    CHECK(corral_arena_used() == first, "second call used %zu bytes, first %zu", corral_arena_used(), first);
}

void pre_reports_exhausted_memory(void) {
    stub_set_max_pages(4); /* 256 KiB: less than the 602,112-byte output */
    give_image("image", 300, 300, gradient);
    stub_begin_call();
    CHECK(imagenet_preprocess__preprocess() != 0, "preprocess should fail without memory");
    CHECK(stub_error_code() == 1 && strstr(stub_error_message(), "out of memory"), "error %d '%s'",
          stub_error_code(), stub_error_message());
}

/* ---- refusals -------------------------------------------------------------------------------- */
static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = imagenet_preprocess__preprocess();
    CHECK(rc != 0, "preprocess should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
    CHECK(stub_output_count() == 0, "a failed call wrote %d outputs", stub_output_count());
}

void pre_rejects_missing_input(void) {
    give_image("picture", 4, 4, gradient);
    expect_failure(2, "input 'image' is missing");
}

void pre_rejects_float_input(void) {
    float data[12] = {0};
    int64_t dims[3] = {2, 2, 3};
    stub_input("image", CORRAL_FLOAT32, dims, 3, data, sizeof data);
    expect_failure(2, "must be uint8");
}

void pre_rejects_rank_2(void) {
    unsigned char data[12] = {0};
    int64_t dims[2] = {3, 4};
    stub_input("image", CORRAL_UINT8, dims, 2, data, sizeof data);
    expect_failure(2, "[H,W,3], got rank 2");
}

void pre_rejects_four_channels(void) {
    unsigned char data[16] = {0};
    int64_t dims[3] = {2, 2, 4};
    stub_input("image", CORRAL_UINT8, dims, 3, data, sizeof data);
    expect_failure(2, "last dimension 4");
}

void pre_rejects_empty_image(void) {
    int64_t dims[3] = {0, 5, 3};
    stub_input("image", CORRAL_UINT8, dims, 3, "", 0);
    expect_failure(2, "empty image (0 x 5)");
}

void pre_rejects_crop_larger_than_resize(void) {
    give_image("image", 4, 4, gradient);
    stub_config_int("resize", 100);
    stub_config_int("crop", 101);
    expect_failure(1, "'crop' (101) must not exceed 'resize' (100)");
}

void pre_rejects_zero_std(void) {
    double std[3] = {0.2, 0, 0.2};
    give_image("image", 4, 4, gradient);
    stub_config_nums("std", std, 3);
    expect_failure(1, "channel 1");
}

void pre_rejects_two_means(void) {
    double mean[2] = {0.5, 0.5};
    give_image("image", 4, 4, gradient);
    stub_config_nums("mean", mean, 2);
    expect_failure(1, "'mean' must have 3 values (R, G, B), got 2");
}

void pre_rejects_four_stds(void) {
    double std[4] = {1, 1, 1, 1};
    give_image("image", 4, 4, gradient);
    stub_config_nums("std", std, 4);
    expect_failure(1, "'std' must have 3 values (R, G, B), got 4");
}
