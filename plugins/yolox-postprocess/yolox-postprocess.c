/*
 * yolox-postprocess — YOLOX's raw grid output to labelled boxes, as a Corral plugin.
 *
 * float32 [1,A,5+C] (cx, cy, w, h, objectness, C class scores per anchor; objectness and
 * class scores already sigmoid-activated) -> decode on the grids of strides 8, 16, 32 (in
 * that order, each row-major: y then x): centre = (p + cell)·stride, size = exp(p)·stride
 * -> score = objectness · class score -> keep score >= score_threshold -> boxes back to
 * original pixels (divided by image_scale) and clipped to the image -> class-aware NMS ->
 * at most max_detections, best first (corral_detect.h writes the JSON and det_* tensors).
 *
 * One candidate per anchor, its best class: the YOLOX repository's own postprocess does
 * this, and it keeps a person from also being reported as a 0.1-scored chair in the same
 * box. With the `classes` option the best class is taken among the wanted classes only, so
 * a filter never hides an object whose overall best class was filtered out.
 *
 * Config:
 *   labels        string   required   the labels file's text, one name per line, C lines
 *   input_name    string   "output"   the model's output
 *   input_width   int      416        the model's input size (the grids are input/stride)
 *   input_height  int      416
 *   strides       numbers  8,16,32
 *   scale_name    string   "image_scale" f32 [2] (sx, sy): model = original · scale
 *   image_name    string   "image"    the original image (its H, W clip the boxes)
 * Options: score_threshold (default 0.3), iou_threshold (0.45), max_detections (100),
 * classes (comma-separated labels to keep).
 */
#include "corral.h"
#include "corral_detect.h"

CORRAL_ABI_VERSION_EXPORT

#define MAX_STRIDES 8

/* The per-instance labels cache (config is constant for an instance). */
static struct {
    int loaded;
    corral_labels labels;
} cache;

static int32_t load_labels(void) {
    if (cache.loaded) return 0;
    corral_str text;
    int present = corral_config_text("labels", &text);
    if (present < 0) return 1;
    if (!present || !text.len)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'labels' is required: the labels file's text, one class per line "
                                              "(in the manifest: \"labels\": {\"file\": \"labels\"})");
    if (corral_labels_from_lines(text, "config 'labels'", &cache.labels)) return 1;
    corral_arena_keep();
    cache.loaded = 1;
    return 0;
}

/* The float32 input `name`, whole, with its rank-3 shape checked against [1, anchors, width]. */
static const float *load_output(corral_str name, int64_t anchors, int64_t width) {
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0) {
        corral_fail(CORRAL_ERR_PLUGIN, "input '%.*s' (the model's output) is missing; config 'input_name' names it",
                    (int)name.len, name.ptr);
        return 0;
    }
    int64_t dims[3] = {0, 0, 0};
    int32_t rank = corral_input_shape(index, dims, 3);
    if (corral_input_dtype(index) != CORRAL_FLOAT32 || rank != 3 || dims[0] != 1 || dims[1] != anchors ||
        dims[2] != width) {
        corral_fail(CORRAL_ERR_PLUGIN,
                    "input '%.*s' must be float32 [1,%lld,%lld] (anchors of the configured grids, 5 + %lld labels), "
                    "got dtype %d rank %d [%lld,%lld,%lld]",
                    (int)name.len, name.ptr, (long long)anchors, (long long)width, (long long)(width - 5),
                    (int)corral_input_dtype(index), (int)rank, (long long)dims[0], (long long)dims[1],
                    (long long)dims[2]);
        return 0;
    }
    int32_t bytes;
    return (const float *)corral_input_load(index, &bytes);
}

/* (sx, sy) from the scale input; 0 or an error code (error set). */
static int32_t read_scale(corral_str name, float scale[2]) {
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0 || corral_input_dtype(index) != CORRAL_FLOAT32 || corral_input_byte_size(index) != 8)
        return corral_fail(CORRAL_ERR_PLUGIN,
                           "input '%.*s' must be float32 [2] (sx, sy) as image-preprocess writes it; %s", (int)name.len,
                           name.ptr, index < 0 ? "it is missing" : "it has another type or size");
    corral_input_read(index, 0, scale, 8);
    if (!(scale[0] > 0) || !(scale[1] > 0) || !corral_isfinite(scale[0]) || !corral_isfinite(scale[1]))
        return corral_fail(CORRAL_ERR_PLUGIN, "input '%.*s' must hold two positive scales, got %g, %g", (int)name.len,
                           name.ptr, (double)scale[0], (double)scale[1]);
    return 0;
}

CORRAL_ENTRY(postprocess) {
    if (load_labels()) return 1;
    const corral_labels *labels = &cache.labels;
    corral_detect_options opt;
    int32_t rc = corral_detect_options_read(&opt, 0.3, 0.45, 100, labels);
    if (rc) return rc;

    int64_t in_w = corral_config_int("input_width", 416), in_h = corral_config_int("input_height", 416);
    double strides[MAX_STRIDES] = {8, 16, 32};
    int32_t stride_count = corral_config_nums("strides", strides, MAX_STRIDES);
    if (stride_count < 0) stride_count = 3;
    if (stride_count < 1 || stride_count > MAX_STRIDES)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'strides' must have 1..%d values, got %d", MAX_STRIDES,
                           (int)stride_count);
    if (in_w < 1 || in_w > 16384 || in_h < 1 || in_h > 16384)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'input_width'/'input_height' must be 1..16384, got %lld x %lld",
                           (long long)in_w, (long long)in_h);
    int64_t anchors = 0;
    for (int32_t s = 0; s < stride_count; s++) {
        if (!(strides[s] >= 1 && strides[s] <= in_w && strides[s] <= in_h) || strides[s] != (int32_t)strides[s])
            return corral_fail(CORRAL_ERR_PLUGIN, "config 'strides' must be whole numbers 1..input size, got %g",
                               strides[s]);
        anchors += (in_w / (int64_t)strides[s]) * (in_h / (int64_t)strides[s]);
    }

    int32_t classes = labels->count;
    int64_t width = 5 + (int64_t)classes;
    const float *out = load_output(corral_detect_name("input_name", "output"), anchors, width);
    if (!out) return 1;
    float scale[2], img_h, img_w;
    if ((rc = read_scale(corral_detect_name("scale_name", "image_scale"), scale))) return rc;
    corral_str image = corral_detect_name("image_name", "image");
    if ((rc = corral_detect_image_size(image.ptr, &img_h, &img_w))) return rc;

    corral_detection *found = (corral_detection *)corral_alloc_array((size_t)anchors + 1, sizeof *found);
    if (!found) return 1;
    int32_t n = 0;
    const float *p = out;
    for (int32_t s = 0; s < stride_count; s++) {
        int32_t stride = (int32_t)strides[s], gw = (int32_t)(in_w / stride), gh = (int32_t)(in_h / stride);
        for (int32_t gy = 0; gy < gh; gy++)
            for (int32_t gx = 0; gx < gw; gx++, p += width) {
                float objectness = p[4];
                /* Class scores are sigmoids (<= 1): below the threshold already, no class lifts it. */
                if (!(objectness >= opt.score_threshold)) continue;
                int32_t best = -1;
                for (int32_t c = 0; c < classes; c++)
                    if ((!opt.keep || opt.keep[c]) && (best < 0 || p[5 + c] > p[5 + best])) best = c;
                if (best < 0) continue;
                float score = objectness * p[5 + best];
                if (!(score >= opt.score_threshold)) continue;
                float cx = (p[0] + (float)gx) * (float)stride, cy = (p[1] + (float)gy) * (float)stride;
                float half_w = corral_expf(p[2]) * (float)stride / 2, half_h = corral_expf(p[3]) * (float)stride / 2;
                corral_detection *d = &found[n++];
                d->box[0] = (cx - half_w) / scale[0];
                d->box[1] = (cy - half_h) / scale[1];
                d->box[2] = (cx + half_w) / scale[0];
                d->box[3] = (cy + half_h) / scale[1];
                d->score = score;
                d->class_id = best;
            }
    }
    /* Clipped before NMS, so overlaps are measured on the boxes that are reported. */
    corral_detections_clip(found, n, img_w, img_h);
    if (corral_detections_sort(found, n)) return 1;
    n = corral_nms(found, n, opt.iou_threshold, opt.max_detections);
    return corral_detections_write(found, n, labels);
}
