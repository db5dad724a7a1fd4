/*
 * ultraface-postprocess — the Ultra-Light-Fast-Generic face detector's output to face boxes,
 * as a Corral plugin.
 *
 * scores float32 [1,A,2] (softmaxed; column 1 = face) and boxes float32 [1,A,4] (x1, y1,
 * x2, y2 normalised to the image) -> keep face score >= score_threshold -> boxes times the
 * original image's width and height, clipped to it -> NMS -> at most max_detections, best
 * first (corral_detect.h writes the JSON and det_* tensors). The boxes are relative to the
 * whole image, so the preprocessing's scale is not needed.
 *
 * Config:
 *   label        string  "face"     the one class's name
 *   scores_name  string  "scores"
 *   boxes_name   string  "boxes"
 *   image_name   string  "image"    the original image (its H, W scale and clip the boxes)
 * Options: score_threshold (default 0.7), iou_threshold (0.3), max_detections (100),
 * classes (only the label is known).
 */
#include "corral.h"
#include "corral_detect.h"

CORRAL_ABI_VERSION_EXPORT

/* The float32 [1,A,columns] input `name`, whole; *anchors gets A. NULL with error set. */
static const float *load(corral_str name, int64_t columns, int64_t *anchors) {
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0) {
        corral_fail(CORRAL_ERR_PLUGIN, "input '%.*s' (a model output) is missing", (int)name.len, name.ptr);
        return 0;
    }
    int64_t dims[3] = {0, 0, 0};
    int32_t rank = corral_input_shape(index, dims, 3);
    if (corral_input_dtype(index) != CORRAL_FLOAT32 || rank != 3 || dims[0] != 1 || dims[2] != columns) {
        corral_fail(CORRAL_ERR_PLUGIN, "input '%.*s' must be float32 [1,A,%lld], got dtype %d rank %d [%lld,%lld,%lld]",
                    (int)name.len, name.ptr, (long long)columns, (int)corral_input_dtype(index), (int)rank,
                    (long long)dims[0], (long long)dims[1], (long long)dims[2]);
        return 0;
    }
    *anchors = dims[1];
    int32_t bytes;
    return (const float *)corral_input_load(index, &bytes);
}

CORRAL_ENTRY(postprocess) {
    corral_str label = corral_detect_name("label", "face");
    corral_labels labels = {&label, 1};
    corral_detect_options opt;
    int32_t rc = corral_detect_options_read(&opt, 0.7, 0.3, 100, &labels);
    if (rc) return rc;

    int64_t anchors, box_anchors;
    const float *scores = load(corral_detect_name("scores_name", "scores"), 2, &anchors);
    if (!scores) return 1;
    const float *boxes = load(corral_detect_name("boxes_name", "boxes"), 4, &box_anchors);
    if (!boxes) return 1;
    if (anchors != box_anchors)
        return corral_fail(CORRAL_ERR_PLUGIN, "the scores have %lld anchors but the boxes %lld", (long long)anchors,
                           (long long)box_anchors);
    float img_h, img_w;
    corral_str image = corral_detect_name("image_name", "image");
    if ((rc = corral_detect_image_size(image.ptr, &img_h, &img_w))) return rc;

    corral_detection *found = (corral_detection *)corral_alloc_array((size_t)anchors + 1, sizeof *found);
    if (!found) return 1;
    int32_t n = 0;
    for (int64_t a = 0; a < anchors; a++) {
        float score = scores[2 * a + 1];
        if (!(score >= opt.score_threshold)) continue;
        const float *b = boxes + 4 * a;
        corral_detection *d = &found[n++];
        d->box[0] = b[0] * img_w;
        d->box[1] = b[1] * img_h;
        d->box[2] = b[2] * img_w;
        d->box[3] = b[3] * img_h;
        d->score = score;
        d->class_id = 0;
    }
    corral_detections_clip(found, n, img_w, img_h);
    if (corral_detections_sort(found, n)) return 1;
    n = corral_nms(found, n, opt.iou_threshold, opt.max_detections);
    return corral_detections_write(found, n, &labels);
}
