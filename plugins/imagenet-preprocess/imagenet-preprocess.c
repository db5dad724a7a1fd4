/*
 * imagenet-preprocess — the classic ImageNet input pipeline as a Corral plugin.
 *
 * uint8 RGB [H,W,3] -> resize the shorter side to `resize` (bilinear, half-pixel centres,
 * no antialias) -> centre crop `crop`×`crop` -> x·scale, minus mean, over std per channel
 * -> float32 NCHW [1,3,crop,crop].
 *
 * Only the crop window of the resized image is ever computed, straight from the source
 * pixels, and only the source rows it needs are read from the host, two at a time: the
 * guest's memory is O(width) plus the output, whatever the image's size.
 *
 * Config (all optional):
 *   input_name  string  "image"    the uint8 [H,W,3] input
 *   output_name string  "input"    the float32 [1,3,crop,crop] output
 *   resize      int     256        length of the shorter side after resizing; the longer
 *                                   side becomes floor(resize · longer / shorter)
 *   crop        int     224        side of the centre crop, at most `resize`; the window
 *                                   starts at floor((resized - crop) / 2) on each axis
 *   scale       number  1/255      applied to the 0..255 values before mean and std
 *   mean        3 numbers  0.485 0.456 0.406 (R, G, B)
 *   std         3 numbers  0.229 0.224 0.225 (R, G, B), none zero
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

/* Limits that keep every size computation within 32 bits (the ABI's offsets are i32). */
#define MAX_RESIZE 65536
#define MAX_CROP 16384

typedef struct params {
    corral_str input_name, output_name;
    int32_t resize, crop;
    float gain[3], bias[3]; /* out = value · gain + bias, i.e. (value·scale − mean) / std */
} params;

/* One axis of the crop: for each output position, the two source samples and the weight of
 * the second (source coordinate = (dst + 0.5)·in/out − 0.5, clamped to the image). */
typedef struct axis {
    int32_t *lo, *hi;
    float *w;
} axis;

/* Two source rows, already interpolated horizontally to the crop's columns, planar
 * (3 × crop floats each), keyed by their source row index. */
typedef struct row_cache {
    int32_t row[2];
    float *values[2];
    unsigned char *bytes; /* one source row's span of columns, as read from the host */
} row_cache;

static int32_t read_params(params *p) {
    if (corral_config_text("input_name", &p->input_name) < 0) return 1;
    if (!p->input_name.len) p->input_name = (corral_str){"image", 5};
    if (corral_config_text("output_name", &p->output_name) < 0) return 1;
    if (!p->output_name.len) p->output_name = (corral_str){"input", 5};

    int64_t resize = corral_config_int("resize", 256), crop = corral_config_int("crop", 224);
    if (resize < 1 || resize > MAX_RESIZE)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'resize' must be 1..%d, got %lld", MAX_RESIZE, (long long)resize);
    if (crop < 1 || crop > MAX_CROP)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'crop' must be 1..%d, got %lld", MAX_CROP, (long long)crop);
    if (crop > resize)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'crop' (%lld) must not exceed 'resize' (%lld)",
                           (long long)crop, (long long)resize);
    p->resize = (int32_t)resize;
    p->crop = (int32_t)crop;

    double scale = corral_config_num("scale", 1.0 / 255.0);
    if (!corral_isfinite(scale)) return corral_fail(CORRAL_ERR_PLUGIN, "config 'scale' must be a finite number");
    double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    int32_t n = corral_config_nums("mean", mean, 3);
    if (n >= 0 && n != 3)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'mean' must have 3 values (R, G, B), got %d", (int)n);
    n = corral_config_nums("std", std, 3);
    if (n >= 0 && n != 3)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'std' must have 3 values (R, G, B), got %d", (int)n);
    for (int c = 0; c < 3; c++) {
        if (std[c] == 0 || !corral_isfinite(std[c]) || !corral_isfinite(mean[c]))
            return corral_fail(CORRAL_ERR_PLUGIN, "config 'std'/'mean' channel %d must be finite with std non-zero, got mean %g std %g",
                               c, mean[c], std[c]);
        p->gain[c] = (float)(scale / std[c]);
        p->bias[c] = (float)(-mean[c] / std[c]);
    }
    return 0;
}

/* Finds the image and checks that it is uint8 [H,W,3]; returns its index or -1 (error set). */
static int32_t find_image(const params *p, int32_t *height, int32_t *width) {
    int32_t index = corral_input_find(p->input_name.ptr, (int32_t)p->input_name.len);
    if (index < 0) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)",
                    (int)p->input_name.len, p->input_name.ptr, (int)corral_input_count());
        return -1;
    }
    int32_t dtype = corral_input_dtype(index);
    if (dtype != CORRAL_UINT8) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be uint8 (dtype 2), got dtype %d",
                    (int)p->input_name.len, p->input_name.ptr, (int)dtype);
        return -1;
    }
    int64_t dims[3];
    int32_t rank = corral_input_shape(index, dims, 3);
    if (rank != 3 || dims[2] != 3) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be an RGB image of shape [H,W,3], got rank %d%s%lld",
                    (int)p->input_name.len, p->input_name.ptr, (int)rank,
                    rank == 3 ? " with last dimension " : "", rank == 3 ? (long long)dims[2] : 0LL);
        return -1;
    }
    if (dims[0] < 1 || dims[1] < 1) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is an empty image (%lld x %lld)",
                    (int)p->input_name.len, p->input_name.ptr, (long long)dims[0], (long long)dims[1]);
        return -1;
    }
    if (dims[0] * dims[1] * 3 > INT32_MAX) {
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is too large (%lld x %lld pixels)",
                    (int)p->input_name.len, p->input_name.ptr, (long long)dims[0], (long long)dims[1]);
        return -1;
    }
    *height = (int32_t)dims[0];
    *width = (int32_t)dims[1];
    return index;
}

/* Sample positions for `crop` outputs starting at `first` on an axis resized from `in` to `out`. */
static int32_t plan_axis(axis *a, int32_t in, int64_t out, int32_t first, int32_t crop) {
    a->lo = corral_alloc_array((size_t)crop, sizeof(int32_t));
    a->hi = corral_alloc_array((size_t)crop, sizeof(int32_t));
    a->w = corral_alloc_array((size_t)crop, sizeof(float));
    if (!a->lo || !a->hi || !a->w) return 1;
    double step = (double)in / (double)out;
    for (int32_t i = 0; i < crop; i++) {
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

/* The cached row for source row y, loading it if needed without evicting row `keep`. */
static const float *source_row(row_cache *cache, int32_t image, int32_t width, int32_t y, int32_t keep,
                               const axis *cols, int32_t crop, int32_t *failed) {
    if (cache->row[0] == y) return cache->values[0];
    if (cache->row[1] == y) return cache->values[1];
    int slot = cache->row[0] == keep ? 1 : 0;
    /* Columns lo[0] .. hi[crop-1] are all the crop needs: read only that span. */
    int32_t first = cols->lo[0], span = cols->hi[crop - 1] - first + 1;
    int32_t offset = (y * width + first) * 3, len = span * 3;
    if (corral_input_read(image, offset, cache->bytes, len) != len) {
        *failed = corral_fail(CORRAL_ERR_INPUT, "input image data ends before row %d", (int)y);
        return 0;
    }
    float *r = cache->values[slot], *g = r + crop, *b = g + crop;
    for (int32_t x = 0; x < crop; x++) {
        const unsigned char *p0 = cache->bytes + (cols->lo[x] - first) * 3;
        const unsigned char *p1 = cache->bytes + (cols->hi[x] - first) * 3;
        float w = cols->w[x];
        r[x] = (float)p0[0] + ((float)p1[0] - (float)p0[0]) * w;
        g[x] = (float)p0[1] + ((float)p1[1] - (float)p0[1]) * w;
        b[x] = (float)p0[2] + ((float)p1[2] - (float)p0[2]) * w;
    }
    cache->row[slot] = y;
    return r;
}

CORRAL_ENTRY(preprocess) {
    params p;
    if (read_params(&p)) return 1;
    int32_t height, width;
    int32_t image = find_image(&p, &height, &width);
    if (image < 0) return CORRAL_ERR_INPUT;

    /* Resized size: the shorter side becomes `resize`, the other keeps the aspect ratio. */
    int64_t out_h, out_w;
    if (height <= width) {
        out_h = p.resize;
        out_w = (int64_t)p.resize * width / height;
    } else {
        out_w = p.resize;
        out_h = (int64_t)p.resize * height / width;
    }
    int32_t crop = p.crop;
    axis rows, cols;
    if (plan_axis(&rows, height, out_h, (int32_t)((out_h - crop) / 2), crop)) return 1;
    if (plan_axis(&cols, width, out_w, (int32_t)((out_w - crop) / 2), crop)) return 1;

    row_cache cache = {{-1, -1}, {0, 0}, 0};
    cache.values[0] = corral_alloc_array((size_t)crop * 3, sizeof(float));
    cache.values[1] = corral_alloc_array((size_t)crop * 3, sizeof(float));
    cache.bytes = corral_alloc_array((size_t)(cols.hi[crop - 1] - cols.lo[0] + 1), 3);
    float *out = corral_alloc_array((size_t)crop * crop * 3, sizeof(float));
    if (!cache.values[0] || !cache.values[1] || !cache.bytes || !out) return 1;

    size_t plane = (size_t)crop * crop;
    for (int32_t y = 0; y < crop; y++) {
        int32_t failed = 0;
        const float *top = source_row(&cache, image, width, rows.lo[y], rows.hi[y], &cols, crop, &failed);
        const float *bottom = top ? source_row(&cache, image, width, rows.hi[y], rows.lo[y], &cols, crop, &failed) : 0;
        if (!bottom) return failed;
        float wy = rows.w[y];
        for (int c = 0; c < 3; c++) {
            const float *t = top + (size_t)c * crop, *b = bottom + (size_t)c * crop;
            float *o = out + c * plane + (size_t)y * crop;
            float gain = p.gain[c], bias = p.bias[c];
            for (int32_t x = 0; x < crop; x++) o[x] = (t[x] + (b[x] - t[x]) * wy) * gain + bias;
        }
    }
    int64_t dims[4] = {1, 3, crop, crop};
    return corral_output(p.output_name, CORRAL_FLOAT32, dims, 4, out);
}
