/*
 * ocr-crop — cuts each detected text quad out of the image as an upright strip for a text
 * recogniser, as a Corral plugin (PaddleOCR's get_rotate_crop_image + resize_norm_img).
 *
 * Inputs:
 *   image       uint8 [H,W,3]    RGB
 *   text_boxes  float32 [N,4,2]  quads in image pixels, clockwise from the top-left
 *                                (ocr-db-postprocess writes them); N may be 0
 * Output:
 *   output_name (config, default "x")  float32 [N,3,height,B]  BGR, (pixel/255 − 0.5)/0.5
 *
 * Each quad is warped (perspective, bilinear, edge pixels repeated outside the image) to a
 * w×h strip, w the longer of its top and bottom edges, h the longer of its left and right
 * edges; a strip with h ≥ 1.5·w is vertical text and is turned 90° counter-clockwise. It is
 * then resized to `height` rows keeping its aspect, ceil(height·w/h) columns but at most the
 * batch width B, and padded with zeros on the right. B = ceil(height · the widest ratio),
 * at least min_width and at most max_width. Warp and resize are one resampling here: each
 * output pixel maps through the resize and the turn to the strip, then through the
 * perspective transform to the image, and is read there bilinearly.
 *
 * Config (all optional): output_name "x"; height 48; min_width 320; max_width 3200.
 * Memory: the image plus the output (N·3·height·B floats).
 */
#include "corral.h"
#include "corral_geometry.h"

CORRAL_ABI_VERSION_EXPORT

typedef struct strip {
    double to_image[9]; /* strip pixel (x, y) → image pixel, before the turn */
    int32_t w, h;       /* the warped strip's size, before the turn */
    int turned;         /* vertical text: the strip is turned 90° counter-clockwise */
} strip;

/* The pixel at (x, y) of an RGB image, bilinear, coordinates clamped to the image. */
static void sample(const uint8_t *rgb, int32_t width, int32_t height, double x, double y, float out[3]) {
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    if (x > width - 1) x = width - 1;
    if (y > height - 1) y = height - 1;
    int32_t x0 = (int32_t)x, y0 = (int32_t)y;
    int32_t x1 = x0 + 1 < width ? x0 + 1 : x0, y1 = y0 + 1 < height ? y0 + 1 : y0;
    double fx = x - x0, fy = y - y0;
    const uint8_t *a = rgb + ((int64_t)y0 * width + x0) * 3, *b = rgb + ((int64_t)y0 * width + x1) * 3;
    const uint8_t *c = rgb + ((int64_t)y1 * width + x0) * 3, *d = rgb + ((int64_t)y1 * width + x1) * 3;
    for (int k = 0; k < 3; k++) {
        double top = a[k] + (b[k] - a[k]) * fx, bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = (float)(top + (bottom - top) * fy);
    }
}

/* The strip for quad q: its size, its turn and the transform from strip to image pixels. */
static void plan_strip(const corral_point q[4], strip *s) {
    double top = corral_distance(q[0], q[1]), bottom = corral_distance(q[3], q[2]);
    double left = corral_distance(q[0], q[3]), right = corral_distance(q[1], q[2]);
    s->w = (int32_t)(top > bottom ? top : bottom);
    s->h = (int32_t)(left > right ? left : right);
    if (s->w < 1) s->w = 1;
    if (s->h < 1) s->h = 1;
    corral_point rect[4] = {{0, 0}, {(float)s->w, 0}, {(float)s->w, (float)s->h}, {0, (float)s->h}};
    if (corral_perspective_transform(rect, q, s->to_image)) {
        /* A degenerate quad (corners on a line): read the first corner's pixel everywhere. */
        double still[9] = {0, 0, q[0].x, 0, 0, q[0].y, 0, 0, 1};
        memcpy(s->to_image, still, sizeof still);
    }
    s->turned = (double)s->h >= 1.5 * s->w;
}

/* Fills one line of the batch, dst = its 3 planes of height × batch_width. Out of line on
 * purpose: the host runs wasm as JVM bytecode, and the JVM compiles only methods below about
 * 8 KB of bytecode, so the pixel loop must not be inlined into the large entry function. */
__attribute__((noinline)) static void render_strip(const strip *s, const uint8_t *rgb, int32_t iw, int32_t ih,
                                                   int32_t height, int32_t batch_width, float *dst) {
    size_t plane = (size_t)height * (size_t)batch_width;
    int32_t turned_w = s->turned ? s->h : s->w, turned_h = s->turned ? s->w : s->h;
    double want = (double)height * turned_w / turned_h;
    int32_t columns = (int32_t)want + ((double)(int32_t)want < want);
    if (columns > batch_width) columns = batch_width;
    if (columns < 1) columns = 1;
    /* Resize (half-pixel centres): output (u, v) ← turned strip (tx, ty). */
    double fx = (double)turned_w / (double)columns, fy = (double)turned_h / (double)height;
    for (int32_t v = 0; v < height; v++) {
        double ty = (v + 0.5) * fy - 0.5;
        if (ty < 0) ty = 0;
        if (ty > turned_h - 1) ty = turned_h - 1;
        for (int32_t u = 0; u < columns; u++) {
            double tx = (u + 0.5) * fx - 0.5;
            if (tx < 0) tx = 0;
            if (tx > turned_w - 1) tx = turned_w - 1;
            /* Turned 90° counter-clockwise: turned (tx, ty) is strip (w − 1 − ty, tx). */
            double sx = s->turned ? s->w - 1 - ty : tx, sy = s->turned ? tx : ty;
            corral_point p = corral_perspective_apply(s->to_image, sx, sy);
            float px[3];
            sample(rgb, iw, ih, p.x, p.y, px);
            size_t at = (size_t)v * (size_t)batch_width + (size_t)u;
            for (int c = 0; c < 3; c++) dst[(size_t)c * plane + at] = (px[2 - c] / 255.0f - 0.5f) / 0.5f; /* BGR */
        }
    }
}

CORRAL_ENTRY(crop) {
    corral_str out_name;
    if (corral_config_text("output_name", &out_name) < 0) return 1;
    if (out_name.len == 0) out_name = (corral_str){"x", 1};
    int64_t height = corral_config_int("height", 48), min_width = corral_config_int("min_width", 320);
    int64_t max_width = corral_config_int("max_width", 3200);
    if (height < 1 || height > 1024) return corral_fail(CORRAL_ERR_PLUGIN, "config 'height' must be 1..1024, found %lld", (long long)height);
    if (min_width < 1 || max_width < min_width || max_width > 65536)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'min_width' (%lld) and 'max_width' (%lld) must satisfy 1 <= min_width <= max_width <= 65536",
                           (long long)min_width, (long long)max_width);

    int32_t image_in = corral_input_index("image");
    int64_t idims[3];
    if (image_in < 0) return corral_fail(CORRAL_ERR_PLUGIN, "input 'image' (uint8 [H,W,3]) is missing");
    if (corral_input_dtype(image_in) != CORRAL_UINT8 || corral_input_shape(image_in, idims, 3) != 3 || idims[2] != 3 ||
        idims[0] < 1 || idims[1] < 1)
        return corral_fail(CORRAL_ERR_INPUT, "input 'image' must be uint8 [H,W,3] with H, W >= 1");
    int32_t n = 0, bytes;
    const corral_point *quads = corral_text_boxes_load(&n);
    if (!quads) return 1;

    strip *strips = (strip *)corral_alloc_array((size_t)n + 1, sizeof(strip));
    if (!strips) return 1;
    double widest = (double)min_width / (double)height;
    for (int32_t i = 0; i < n; i++) {
        plan_strip(&quads[i * 4], &strips[i]);
        double ratio = strips[i].turned ? (double)strips[i].h / strips[i].w : (double)strips[i].w / strips[i].h;
        if (ratio > widest) widest = ratio;
    }
    double exact = height * widest;
    int64_t batch_width = (int64_t)exact + ((double)(int64_t)exact < exact);
    if (batch_width > max_width) batch_width = max_width;
    int64_t dims[4] = {n, 3, height, batch_width};
    if ((int64_t)n * 3 * height * batch_width > (int64_t)(INT32_MAX / 4))
        return corral_fail(CORRAL_ERR_INPUT, "%d text boxes of %lldx%lld pixels are too large for one batch", (int)n,
                           (long long)batch_width, (long long)height);

    const uint8_t *rgb = (const uint8_t *)corral_input_load(image_in, &bytes);
    size_t plane = (size_t)height * (size_t)batch_width;
    float *out = (float *)corral_alloc_array((size_t)n * 3 * plane + 1, 4);
    if (!rgb || !out) return 1;
    memset(out, 0, (size_t)n * 3 * plane * 4);
    for (int32_t i = 0; i < n; i++)
        render_strip(&strips[i], rgb, (int32_t)idims[1], (int32_t)idims[0], (int32_t)height, (int32_t)batch_width,
                     out + (size_t)i * 3 * plane);
    return corral_output(out_name, CORRAL_FLOAT32, dims, 4, out);
}
