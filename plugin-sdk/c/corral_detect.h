/*
 * corral_detect.h — object-detection helpers for Corral C plugins (include after corral.h).
 *
 * What every detection post-processor does after decoding its model's output into candidate
 * boxes: read the shared options (score_threshold, iou_threshold, max_detections, classes),
 * sort by score, class-aware non-maximum suppression, clip to the image, and write the
 * result both as JSON (the response) and as tensors for later pipeline steps:
 *
 *   {"detections":[{"label":"person","class_id":0,"score":0.93,"box":[x1,y1,x2,y2]}, …]}
 *   det_boxes f32 [N,4] · det_scores f32 [N] · det_classes i64 [N] · det_labels text list
 *
 * Boxes are x1, y1, x2, y2 in original-image pixels. A text list is a uint8 [n] tensor of
 * records back to back, each a u32 little-endian byte length and that many UTF-8 bytes.
 */
#ifndef CORRAL_DETECT_H
#define CORRAL_DETECT_H

#include "corral.h"
#include "corral_text.h"

typedef struct corral_detection {
    float box[4]; /* x1, y1, x2, y2 */
    float score;
    int32_t class_id;
} corral_detection;

/* Intersection over union of two x1,y1,x2,y2 boxes; 0 when the union is empty. */
static inline float corral_box_iou(const float *a, const float *b) {
    float ix1 = a[0] > b[0] ? a[0] : b[0], iy1 = a[1] > b[1] ? a[1] : b[1];
    float ix2 = a[2] < b[2] ? a[2] : b[2], iy2 = a[3] < b[3] ? a[3] : b[3];
    float iw = ix2 - ix1, ih = iy2 - iy1;
    if (!(iw > 0) || !(ih > 0)) return 0;
    float inter = iw * ih;
    float area_a = (a[2] - a[0]) * (a[3] - a[1]), area_b = (b[2] - b[0]) * (b[3] - b[1]);
    float uni = area_a + area_b - inter;
    return uni > 0 ? inter / uni : 0;
}

/* Does a come before b: higher score first; equal scores by lower class id, then as given. */
static inline int corral__detection_before(const corral_detection *a, const corral_detection *b) {
    return a->score > b->score || (a->score == b->score && a->class_id < b->class_id);
}

/* Sorts by descending score (stable merge sort: equal detections keep their order, so the
 * result does not depend on the sort's internals). Returns 0, or 1 when out of memory. */
static inline int32_t corral_detections_sort(corral_detection *d, int32_t n) {
    if (n < 2) return 0;
    corral_detection *tmp = (corral_detection *)corral_alloc_array((size_t)n, sizeof *tmp);
    if (!tmp) return 1;
    corral_detection *src = d, *dst = tmp;
    for (int32_t width = 1; width < n; width *= 2) {
        for (int32_t lo = 0; lo < n; lo += 2 * width) {
            int32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = corral__detection_before(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        corral_detection *t = src;
        src = dst;
        dst = t;
    }
    if (src != d) memcpy(d, src, (size_t)n * sizeof *d);
    return 0;
}

/* Class-aware greedy non-maximum suppression over detections sorted by score: a detection is
 * dropped when its IoU with an already kept detection OF THE SAME CLASS exceeds
 * iou_threshold. Keeps at most max_keep, compacted to the front; returns how many. */
static inline int32_t corral_nms(corral_detection *d, int32_t n, float iou_threshold, int32_t max_keep) {
    int32_t kept = 0;
    for (int32_t i = 0; i < n && kept < max_keep; i++) {
        int suppressed = 0;
        for (int32_t k = 0; k < kept && !suppressed; k++)
            suppressed = d[k].class_id == d[i].class_id && corral_box_iou(d[k].box, d[i].box) > iou_threshold;
        if (!suppressed) d[kept++] = d[i];
    }
    return kept;
}

/* Clips every box to the image, [0, width] × [0, height]. */
static inline void corral_detections_clip(corral_detection *d, int32_t n, float width, float height) {
    for (int32_t i = 0; i < n; i++)
        for (int c = 0; c < 4; c++) {
            float limit = c % 2 == 0 ? width : height, v = d[i].box[c];
            d[i].box[c] = v < 0 ? 0 : v > limit ? limit : v;
        }
}

/* ---------------------------------------------------------------------------------------
 * Labels: one name per line ('\n', a '\r' before it dropped; a final newline ends the last
 * line). Class id i is line i.
 * ------------------------------------------------------------------------------------- */
typedef struct corral_labels {
    corral_str *names;
    int32_t count;
} corral_labels;

/* Splits text into labels (arena memory pointing into text). Returns 0, or 1 when out of
 * memory or when a label is empty (error code 1, naming the line and `what`). */
static inline int32_t corral_labels_from_lines(corral_str text, const char *what, corral_labels *out) {
    int32_t count = 0;
    for (uint32_t i = 0; i < text.len; i++) count += text.ptr[i] == '\n';
    if (text.len && text.ptr[text.len - 1] != '\n') count++;
    out->names = (corral_str *)corral_alloc_array((size_t)(count ? count : 1), sizeof(corral_str));
    if (!out->names) return 1;
    out->count = count;
    uint32_t start = 0;
    for (int32_t k = 0; k < count; k++) {
        uint32_t end = start;
        while (end < text.len && text.ptr[end] != '\n') end++;
        uint32_t stop = end > start && text.ptr[end - 1] == '\r' ? end - 1 : end;
        if (stop == start) return corral_fail(CORRAL_ERR_PLUGIN, "%s: line %d is empty", what, (int)k + 1);
        out->names[k] = (corral_str){text.ptr + start, stop - start};
        start = end + 1;
    }
    return 0;
}

/* The id of the label equal to name, or -1. */
static inline int32_t corral_labels_find(const corral_labels *labels, corral_str name) {
    for (int32_t i = 0; i < labels->count; i++) {
        corral_str l = labels->names[i];
        uint32_t k = 0;
        if (l.len != name.len) continue;
        while (k < l.len && l.ptr[k] == name.ptr[k]) k++;
        if (k == l.len) return i;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * The options every detection post-processor takes (the manifest declares their ranges;
 * they are checked again here, code 3):
 *   score_threshold  0..1  keep candidates scoring at least this
 *   iou_threshold    0..1  NMS: drop a box overlapping a better one of its class by more
 *   max_detections   >= 1  keep at most this many, best first
 *   classes          string, comma-separated label names to keep (spaces around names
 *                    ignored); absent or empty = every class
 * ------------------------------------------------------------------------------------- */
typedef struct corral_detect_options {
    float score_threshold, iou_threshold;
    int32_t max_detections;
    uint8_t *keep; /* per class id: 1 = wanted; NULL = every class */
} corral_detect_options;

/* Reads the options (defaults for absent ones given) against the model's labels. An unknown
 * name in `classes` is refused (code 3) naming it and listing the labels. Returns 0, or the
 * error code (error set). */
static inline int32_t corral_detect_options_read(corral_detect_options *o, double score_dflt, double iou_dflt,
                                                 int64_t max_dflt, const corral_labels *labels) {
    double score = corral_option_num("score_threshold", score_dflt);
    double iou = corral_option_num("iou_threshold", iou_dflt);
    int64_t max = corral_option_int("max_detections", max_dflt);
    if (!(score >= 0 && score <= 1))
        return corral_fail(CORRAL_ERR_OPTION, "option 'score_threshold' must be 0..1, got %g", score);
    if (!(iou >= 0 && iou <= 1))
        return corral_fail(CORRAL_ERR_OPTION, "option 'iou_threshold' must be 0..1, got %g", iou);
    if (max < 1 || max > INT32_MAX)
        return corral_fail(CORRAL_ERR_OPTION, "option 'max_detections' must be at least 1, got %lld", (long long)max);
    o->score_threshold = (float)score;
    o->iou_threshold = (float)iou;
    o->max_detections = (int32_t)max;
    o->keep = (uint8_t *)0;

    corral_str classes;
    int present = corral_option_text("classes", &classes);
    if (present < 0) return CORRAL_ERR_PLUGIN;
    if (!present || classes.len == 0) return 0;
    o->keep = (uint8_t *)corral_alloc((size_t)labels->count + 1);
    if (!o->keep) return CORRAL_ERR_PLUGIN;
    memset(o->keep, 0, (size_t)labels->count + 1);
    int wanted = 0;
    for (uint32_t start = 0; start <= classes.len;) {
        uint32_t end = start;
        while (end < classes.len && classes.ptr[end] != ',') end++;
        uint32_t a = start, b = end;
        while (a < b && classes.ptr[a] == ' ') a++;
        while (b > a && classes.ptr[b - 1] == ' ') b--;
        if (b > a) {
            corral_str name = {classes.ptr + a, b - a};
            int32_t id = corral_labels_find(labels, name);
            if (id < 0) {
                /* The message lists the labels, as many as fit the host's 1 KiB. */
                char list[760];
                size_t n = 0;
                for (int32_t i = 0; i < labels->count; i++) {
                    corral_str l = labels->names[i];
                    if (n + l.len + 6 >= sizeof list) {
                        memcpy(list + n, ", ...", 5);
                        n += 5;
                        break;
                    }
                    if (i) list[n++] = ',', list[n++] = ' ';
                    memcpy(list + n, l.ptr, l.len);
                    n += l.len;
                }
                return corral_fail(CORRAL_ERR_OPTION,
                                   "option 'classes': '%.*s' is not a label of this model; its labels (exact, "
                                   "comma-separated) are: %.*s",
                                   (int)name.len, name.ptr, (int)n, list);
            }
            o->keep[id] = 1;
            wanted = 1;
        }
        start = end + 1;
    }
    if (!wanted) o->keep = (uint8_t *)0; /* only commas and spaces: every class */
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Writing the result.
 * ------------------------------------------------------------------------------------- */

/* x rounded to one decimal (for the JSON; the tensors keep every bit). */
static inline float corral__round1(float x) {
    double v = (double)x * 10;
    double r = (double)(int64_t)(v < 0 ? v - 0.5 : v + 0.5);
    return (float)(r / 10);
}

/* Writes det_boxes, det_scores, det_classes, det_labels and the JSON result for n final
 * detections (every class_id a valid label). Returns 0, or non-zero (error set). */
static inline int32_t corral_detections_write(const corral_detection *d, int32_t n, const corral_labels *labels) {
    float *boxes = (float *)corral_alloc_array((size_t)n * 4 + 1, sizeof(float));
    float *scores = (float *)corral_alloc_array((size_t)n + 1, sizeof(float));
    int64_t *classes = (int64_t *)corral_alloc_array((size_t)n + 1, sizeof(int64_t));
    if (!boxes || !scores || !classes) return CORRAL_ERR_PLUGIN;
    corral_text_writer names;
    corral_text_writer_init(&names);
    for (int32_t i = 0; i < n; i++) {
        memcpy(boxes + 4 * i, d[i].box, sizeof d[i].box);
        scores[i] = d[i].score;
        classes[i] = d[i].class_id;
        corral_str label = labels->names[d[i].class_id];
        corral_text_writer_add(&names, label.ptr, label.len);
    }
    int64_t box_dims[2] = {n, 4}, dims[1] = {n};
    if (corral_output((corral_str){"det_boxes", 9}, CORRAL_FLOAT32, box_dims, 2, boxes) ||
        corral_output((corral_str){"det_scores", 10}, CORRAL_FLOAT32, dims, 1, scores) ||
        corral_output((corral_str){"det_classes", 11}, CORRAL_INT64, dims, 1, classes) ||
        corral_text_writer_emit(&names, "det_labels"))
        return CORRAL_ERR_PLUGIN;

    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "detections");
    corral_json_array_begin(&j);
    for (int32_t i = 0; i < n; i++) {
        corral_str label = labels->names[d[i].class_id];
        corral_json_object_begin(&j);
        corral_json_key(&j, "label");
        corral_json_string(&j, label.ptr, label.len);
        corral_json_key(&j, "class_id");
        corral_json_int(&j, d[i].class_id);
        corral_json_key(&j, "score");
        corral_json_f32(&j, d[i].score);
        corral_json_key(&j, "box");
        corral_json_array_begin(&j);
        for (int c = 0; c < 4; c++) corral_json_f32(&j, corral__round1(d[i].box[c]));
        corral_json_array_end(&j);
        corral_json_object_end(&j);
    }
    corral_json_array_end(&j);
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}

/* A tensor name from config `key` (NUL-terminated), or dflt when absent or empty. */
static inline corral_str corral_detect_name(const char *key, const char *dflt) {
    corral_str s;
    if (corral_config_text(key, &s) <= 0 || !s.len) s = (corral_str){dflt, (uint32_t)corral_strlen(dflt)};
    return s;
}

/* The original image's height and width, from the uint8 [H,W,3] input `name`. Returns 0, or
 * 2 (error set) when it is missing or not an image. */
static inline int32_t corral_detect_image_size(const char *name, float *height, float *width) {
    int32_t index = corral_input_index(name);
    if (index < 0 || corral_input_rank(index) != 3)
        return corral_fail(CORRAL_ERR_INPUT, "input '%s' (the original image, [H,W,3]) is %s", name,
                           index < 0 ? "missing" : "not of rank 3");
    *height = (float)corral_input_dim(index, 0);
    *width = (float)corral_input_dim(index, 1);
    return 0;
}

#endif /* CORRAL_DETECT_H */
