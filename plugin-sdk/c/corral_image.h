/*
 * corral_image.h — image input helpers for Corral C plugins (include after corral.h).
 *
 * Turns the host's `image` tensor (uint8 RGB [H,W,3]) into a model's float32 NCHW input:
 *   - corral_image_find: the image input, checked;
 *   - geometry: where the resized image lands in the model's canvas (letterbox, stretch,
 *     limit) and the scale from original to model pixels;
 *   - corral_image_norm: value = (pixel·scale − mean[c]) / std[c] as one gain and bias per
 *     output channel, read from config;
 *   - corral_image_to_nchw: bilinear resize (half-pixel centres, source = (dst + 0.5)·in/out
 *     − 0.5 clamped to the image, no antialias: what OpenCV's INTER_LINEAR does), channel
 *     order, normalisation and padding in one pass.
 *
 * The resized image is never materialised and the source is never loaded whole: only the
 * window that the output needs is computed, reading two source rows at a time from the host
 * (only the columns the window needs), so guest memory is the output plus O(width).
 */
#ifndef CORRAL_IMAGE_H
#define CORRAL_IMAGE_H

#include "corral.h"

/* Sides up to this keep every offset and size computation within the ABI's 32 bits. */
#define CORRAL_IMAGE_MAX_SIDE 65536

/* The uint8 [H,W,3] input called `name`: its index, or -1 (error code 2 set: missing, wrong
 * dtype or shape, empty, or too large for ABI v1's 32-bit offsets). */
static inline int32_t corral_image_find(corral_str name, int32_t *height, int32_t *width) {
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)", (int)name.len, name.ptr,
                    (int)corral_input_count());
        return -1;
    }
    int32_t dtype = corral_input_dtype(index);
    if (dtype != CORRAL_UINT8) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be uint8 (dtype 2), got dtype %d", (int)name.len, name.ptr,
                    (int)dtype);
        return -1;
    }
    int64_t dims[3];
    int32_t rank = corral_input_shape(index, dims, 3);
    if (rank != 3 || dims[2] != 3) {
        if (rank == 3)
            corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be an RGB image of shape [H,W,3], got rank 3 with last dimension %lld",
                        (int)name.len, name.ptr, (long long)dims[2]);
        else
            corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be an RGB image of shape [H,W,3], got rank %d",
                        (int)name.len, name.ptr, (int)rank);
        return -1;
    }
    if (dims[0] < 1 || dims[1] < 1) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is an empty image (%lld x %lld)", (int)name.len, name.ptr,
                    (long long)dims[0], (long long)dims[1]);
        return -1;
    }
    if (dims[0] * dims[1] * 3 > INT32_MAX) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is too large (%lld x %lld pixels)", (int)name.len, name.ptr,
                    (long long)dims[0], (long long)dims[1]);
        return -1;
    }
    *height = (int32_t)dims[0];
    *width = (int32_t)dims[1];
    return index;
}

/* ---------------------------------------------------------------------------------------
 * Geometry. The whole image is resized to resized_w × resized_h; the window of that resized
 * image starting at (first_x, first_y), window_w × window_h big, is written at the top-left
 * of a canvas_w × canvas_h output plane; the rest of the canvas is padding. scale_x/scale_y
 * map original pixels to model pixels: model_x = orig_x · scale_x.
 * ------------------------------------------------------------------------------------- */
typedef struct corral_image_layout {
    int64_t resized_w, resized_h;
    int32_t first_x, first_y, window_w, window_h;
    int32_t canvas_w, canvas_h;
    double scale_x, scale_y;
} corral_image_layout;

/* The layout that writes the whole resized image at the canvas's top-left. */
static inline corral_image_layout corral__layout_whole(int32_t rh, int32_t rw, int32_t ch, int32_t cw, double sx,
                                                       double sy) {
    corral_image_layout l = {rw, rh, 0, 0, rw, rh, cw, ch, sx, sy};
    return l;
}

/* Letterbox (YOLOX): ratio = min(target_h/h, target_w/w); the image becomes
 * floor(w·ratio) × floor(h·ratio) (at least 1), anchored top-left in the target canvas;
 * scale_x = scale_y = ratio. */
static inline corral_image_layout corral_image_letterbox(int32_t h, int32_t w, int32_t target_h, int32_t target_w) {
    double rh = (double)target_h / h, rw = (double)target_w / w;
    double ratio = rh < rw ? rh : rw;
    int32_t nh = (int32_t)(h * ratio), nw = (int32_t)(w * ratio);
    if (nh < 1) nh = 1;
    if (nw < 1) nw = 1;
    if (nh > target_h) nh = target_h; /* h·(target_h/h) may round above target_h */
    if (nw > target_w) nw = target_w;
    return corral__layout_whole(nh, nw, target_h, target_w, ratio, ratio);
}

/* Stretch: the image becomes exactly target_w × target_h, aspect ratio ignored. */
static inline corral_image_layout corral_image_stretch(int32_t h, int32_t w, int32_t target_h, int32_t target_w) {
    return corral__layout_whole(target_h, target_w, target_h, target_w, (double)target_w / w,
                                (double)target_h / h);
}

/* x rounded to the nearest integer, halves to even (Python's round()). */
static inline double corral__round_half_even(double x) {
    double f = (double)(int64_t)x; /* x >= 0 here */
    double rest = x - f;
    if (rest > 0.5 || (rest == 0.5 && ((int64_t)f & 1))) f += 1;
    return f;
}

/* Limit (PaddleOCR's DB detector, limit_type "max"): if the longer side exceeds limit_side,
 * scale both sides by limit_side / longer (never up); truncate, then round each side to a
 * multiple of 32 (halves to even), at least 32. The canvas is the resized image. */
static inline corral_image_layout corral_image_limit(int32_t h, int32_t w, int32_t limit_side) {
    int32_t longer = h > w ? h : w;
    double ratio = longer > limit_side ? (double)limit_side / longer : 1.0;
    int32_t side[2] = {(int32_t)(h * ratio), (int32_t)(w * ratio)};
    for (int i = 0; i < 2; i++) {
        int32_t r = (int32_t)corral__round_half_even(side[i] / 32.0) * 32;
        side[i] = r < 32 ? 32 : r;
    }
    return corral__layout_whole(side[0], side[1], side[0], side[1], (double)side[1] / w, (double)side[0] / h);
}

/* ---------------------------------------------------------------------------------------
 * Normalisation: out[c] = (pixel[src[c]]·scale − mean[c]) / std[c], with mean and std in the
 * OUTPUT channel order, kept as out = pixel·gain[c] + bias[c]. src maps an output channel to
 * an RGB source channel: {0,1,2} for RGB output, {2,1,0} for BGR.
 * ------------------------------------------------------------------------------------- */
typedef struct corral_image_norm {
    float gain[3], bias[3];
    int32_t src[3];
} corral_image_norm;

/* Reads config `scale` (default dflt_scale), `mean` and `std` (3 numbers each, defaults
 * dflt_mean / dflt_std) for output channels named by `channels` (e.g. "R, G, B", used in
 * messages), with source channels src. Returns 0, or 1 (error code 1 set). */
static inline int32_t corral_image_norm_config(corral_image_norm *n, double dflt_scale, const double dflt_mean[3],
                                               const double dflt_std[3], const int32_t src[3], const char *channels) {
    double scale = corral_config_num("scale", dflt_scale);
    if (!corral_isfinite(scale)) return corral_fail(CORRAL_ERR_PLUGIN, "config 'scale' must be a finite number");
    double mean[3], std[3];
    for (int c = 0; c < 3; c++) {
        mean[c] = dflt_mean[c];
        std[c] = dflt_std[c];
    }
    int32_t count = corral_config_nums("mean", mean, 3);
    if (count >= 0 && count != 3)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'mean' must have 3 values (%s), got %d", channels, (int)count);
    count = corral_config_nums("std", std, 3);
    if (count >= 0 && count != 3)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'std' must have 3 values (%s), got %d", channels, (int)count);
    for (int c = 0; c < 3; c++) {
        if (std[c] == 0 || !corral_isfinite(std[c]) || !corral_isfinite(mean[c]))
            return corral_fail(CORRAL_ERR_PLUGIN,
                               "config 'std'/'mean' channel %d must be finite with std non-zero, got mean %g std %g",
                               c, mean[c], std[c]);
        n->gain[c] = (float)(scale / std[c]);
        n->bias[c] = (float)(-mean[c] / std[c]);
        n->src[c] = src[c];
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Bilinear resampling.
 * ------------------------------------------------------------------------------------- */

/* One axis of a window: for each output position, the two source samples and the weight of
 * the second. */
typedef struct corral_resize_axis {
    int32_t *lo, *hi;
    float *w;
} corral_resize_axis;

/* Plans `count` outputs starting at `first` on an axis resized from `in` to `out` samples.
 * Returns 0, or 1 when out of memory (error set). */
static inline int32_t corral_resize_axis_plan(corral_resize_axis *a, int32_t in, int64_t out, int32_t first,
                                              int32_t count) {
    a->lo = (int32_t *)corral_alloc_array((size_t)count, sizeof(int32_t));
    a->hi = (int32_t *)corral_alloc_array((size_t)count, sizeof(int32_t));
    a->w = (float *)corral_alloc_array((size_t)count, sizeof(float));
    if (!a->lo || !a->hi || !a->w) return 1;
    double step = (double)in / (double)out;
    for (int32_t i = 0; i < count; i++) {
        double s = ((double)(first + i) + 0.5) * step - 0.5;
        if (s < 0) s = 0;
        if (s > in - 1) s = in - 1;
        int32_t lo = (int32_t)s;
        a->lo[i] = lo;
        a->hi[i] = lo + 1 < in ? lo + 1 : lo;
        a->w[i] = (float)(s - lo);
    }
    return 0;
}

/* The per-pixel loops below live in their own functions, never inlined into a plugin's entry
 * point: the host runs each WebAssembly function as one JVM method, and HotSpot compiles no
 * method over 8000 bytes of bytecode. An entry point with these loops inlined grew past that
 * (image-preprocess: 8298 bytes) and stayed in the JVM's bytecode interpreter, about 5 times
 * slower per image; kept apart, each loop is a small method the JIT compiles. */

/* A span of one source row (packed RGB from source column `first`) interpolated horizontally
 * at the planned columns, planar into out: R, G, B planes of `count` floats. */
static inline __attribute__((noinline)) void corral__image_row_lerp(const unsigned char *span, int32_t first,
                                                            const corral_resize_axis *cols, int32_t count, float *out) {
    float *red = out, *green = red + count, *blue = green + count;
    for (int32_t x = 0; x < count; x++) {
        const unsigned char *p0 = span + (cols->lo[x] - first) * 3;
        const unsigned char *p1 = span + (cols->hi[x] - first) * 3;
        float w = cols->w[x];
        red[x] = (float)p0[0] + ((float)p1[0] - (float)p0[0]) * w;
        green[x] = (float)p0[1] + ((float)p1[1] - (float)p0[1]) * w;
        blue[x] = (float)p0[2] + ((float)p1[2] - (float)p0[2]) * w;
    }
}

/* dst[i] = top[i] + (bottom[i] − top[i])·w for n values: the vertical step of bilinear. */
static inline __attribute__((noinline)) void corral__image_lerp(const float *top, const float *bottom, float w, float *dst,
                                                        int32_t n) {
    for (int32_t i = 0; i < n; i++) dst[i] = top[i] + (bottom[i] - top[i]) * w;
}

/* One output row of one channel: `count` values s·gain + bias, then `pad` up to `width`. */
static inline __attribute__((noinline)) void corral__image_norm_row(float *o, const float *s, int32_t count, int32_t width,
                                                            float gain, float bias, float pad) {
    int32_t x = 0;
    for (; x < count; x++) o[x] = s[x] * gain + bias;
    for (; x < width; x++) o[x] = pad;
}

/* Source rows of the image, interpolated horizontally to the window's columns, planar
 * (R, G, B planes of `count` floats), two cached at a time, keyed by source row. */
typedef struct corral_image_rows {
    int32_t image, width, count;
    corral_resize_axis cols;
    int32_t row[2];
    float *values[2];
    unsigned char *bytes; /* one source row's span of columns, as read from the host */
} corral_image_rows;

/* Prepares to read the window's `count` columns (planned in cols) of the image. Returns 0,
 * or 1 when out of memory (error set). */
static inline int32_t corral_image_rows_init(corral_image_rows *r, int32_t image, int32_t width,
                                             corral_resize_axis cols, int32_t count) {
    r->image = image;
    r->width = width;
    r->count = count;
    r->cols = cols;
    r->row[0] = r->row[1] = -1;
    r->values[0] = (float *)corral_alloc_array((size_t)count * 3, sizeof(float));
    r->values[1] = (float *)corral_alloc_array((size_t)count * 3, sizeof(float));
    r->bytes = (unsigned char *)corral_alloc_array((size_t)(cols.hi[count - 1] - cols.lo[0] + 1), 3);
    return r->values[0] && r->values[1] && r->bytes ? 0 : 1;
}

/* The cached row for source row y, loaded if needed without evicting row `keep`; NULL when
 * the image's data ends early (error code 2 set). */
static inline const float *corral__image_row(corral_image_rows *r, int32_t y, int32_t keep) {
    if (r->row[0] == y) return r->values[0];
    if (r->row[1] == y) return r->values[1];
    int slot = r->row[0] == keep ? 1 : 0;
    int32_t count = r->count, first = r->cols.lo[0], span = r->cols.hi[count - 1] - first + 1;
    int32_t offset = (y * r->width + first) * 3, len = span * 3;
    if (corral_input_read(r->image, offset, r->bytes, len) != len) {
        corral_fail(CORRAL_ERR_INPUT, "input image data ends before row %d", (int)y);
        return (const float *)0;
    }
    corral__image_row_lerp(r->bytes, first, &r->cols, count, r->values[slot]);
    r->row[slot] = y;
    return r->values[slot];
}

/* The bilinear output row between source rows lo and hi (weight w of hi), planar R, G, B
 * into dst (3 × count floats). Returns 0, or 2 (error set) when the image data ends early. */
static inline int32_t corral_image_rows_resample(corral_image_rows *r, int32_t lo, int32_t hi, float w, float *dst) {
    const float *top = corral__image_row(r, lo, hi);
    const float *bottom = top ? corral__image_row(r, hi, lo) : (const float *)0;
    if (!bottom) return CORRAL_ERR_INPUT;
    corral__image_lerp(top, bottom, w, dst, 3 * r->count);
    return 0;
}

/* The image (input index `image`, h × w) laid out per `l` and normalised per `n` as float32
 * planes [3, canvas_h, canvas_w] in the arena; padding is the raw pixel value pad_value,
 * normalised like a pixel. Returns 0 and sets *out, or non-zero (error set). */
static inline int32_t corral_image_to_nchw(int32_t image, int32_t h, int32_t w, const corral_image_layout *l,
                                           const corral_image_norm *n, float pad_value, float **out) {
    int32_t ww = l->window_w, wh = l->window_h, cw = l->canvas_w, ch = l->canvas_h;
    corral_resize_axis rows, cols;
    if (corral_resize_axis_plan(&rows, h, l->resized_h, l->first_y, wh)) return 1;
    if (corral_resize_axis_plan(&cols, w, l->resized_w, l->first_x, ww)) return 1;
    corral_image_rows cache;
    if (corral_image_rows_init(&cache, image, w, cols, ww)) return 1;
    float *line = (float *)corral_alloc_array((size_t)ww * 3, sizeof(float));
    float *planes = (float *)corral_alloc_array((size_t)cw * ch * 3, sizeof(float));
    if (!line || !planes) return 1;
    size_t plane = (size_t)cw * ch;
    for (int32_t y = 0; y < ch; y++) {
        if (y < wh) {
            int32_t rc = corral_image_rows_resample(&cache, rows.lo[y], rows.hi[y], rows.w[y], line);
            if (rc) return rc;
        }
        for (int c = 0; c < 3; c++) {
            float gain = n->gain[c], bias = n->bias[c], pad = pad_value * gain + bias;
            corral__image_norm_row(planes + c * plane + (size_t)y * cw, line + (size_t)n->src[c] * ww,
                                   y < wh ? ww : 0, cw, gain, bias, pad);
        }
    }
    *out = planes;
    return 0;
}

#endif /* CORRAL_IMAGE_H */
