/*
 * ocr-db-postprocess — a DB (Differentiable Binarization) text detector's probability map to
 * text boxes, as a Corral plugin (PaddleOCR's DBPostProcess, default settings).
 *
 * Inputs:
 *   input_name (config, default "sigmoid_0.tmp_0")  float32 [1,1,h,w]  text probability per pixel
 *   image_scale  float32 [2]  (sx, sy): model_x = original_x · sx (image-preprocess writes it)
 *   image        uint8 [H,W,3]  the original image, for its size
 * Outputs (no JSON):
 *   text_boxes       float32 [N,4,2]  quads in original-image pixels, corners clockwise from the
 *                                     top-left, in reading order
 *   text_box_scores  float32 [N]      the mean probability of each box's region
 *
 * The way: pixels with probability > thresh form a bitmap; each 8-connected region of it (at
 * most max_candidates) gets its minimum-area rectangle, dropped when its short side is below
 * min_size or the mean probability of its pixels below box_thresh. The detector marks shrunk text
 * kernels, so the rectangle is grown back ("unclip") by area·unclip_ratio/perimeter on every
 * side, dropped when its short side is then below min_size + 2, scaled to the original image
 * and clipped to it; boxes whose sides end up 3 pixels or shorter are dropped. Reading order:
 * by the top-left corner's y, and boxes whose tops lie within line_tolerance pixels of each
 * other left to right.
 *
 * Config (all optional): input_name; thresh 0.3; box_thresh 0.6; unclip_ratio 1.5;
 * max_candidates 1000; min_size 3; line_tolerance 10 (original pixels).
 * Option: box_thresh (overrides the config's for one request).
 *
 * Memory: the map (4 bytes a pixel) plus 5 bytes a pixel of bitmap and region queue.
 */
#include "corral.h"
#include "corral_geometry.h"

CORRAL_ABI_VERSION_EXPORT

typedef struct settings {
    double thresh, box_thresh, unclip_ratio, min_size, line_tolerance;
    int64_t max_candidates;
} settings;

typedef struct text_box {
    corral_point q[4];
    float score;
} text_box;

enum { BACKGROUND = 0, TEXT = 1, SEEN = 2 };

static int32_t read_settings(settings *s) {
    s->thresh = corral_config_num("thresh", 0.3);
    s->box_thresh = corral_option_num("box_thresh", corral_config_num("box_thresh", 0.6));
    s->unclip_ratio = corral_config_num("unclip_ratio", 1.5);
    s->min_size = corral_config_num("min_size", 3);
    s->line_tolerance = corral_config_num("line_tolerance", 10);
    s->max_candidates = corral_config_int("max_candidates", 1000);
    if (!(s->thresh >= 0 && s->thresh < 1)) return corral_fail(CORRAL_ERR_PLUGIN, "config 'thresh' must be in [0, 1), found %g", s->thresh);
    if (!(s->box_thresh >= 0 && s->box_thresh <= 1))
        return corral_fail(CORRAL_ERR_OPTION, "'box_thresh' must be in [0, 1], found %g", s->box_thresh);
    if (!(s->unclip_ratio >= 0 && s->unclip_ratio <= 10))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'unclip_ratio' must be in [0, 10], found %g", s->unclip_ratio);
    if (!(s->min_size >= 0)) return corral_fail(CORRAL_ERR_PLUGIN, "config 'min_size' must be >= 0, found %g", s->min_size);
    if (!(s->line_tolerance >= 0))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'line_tolerance' must be >= 0, found %g", s->line_tolerance);
    if (s->max_candidates < 1 || s->max_candidates > 100000)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'max_candidates' must be 1..100000, found %lld", (long long)s->max_candidates);
    return 0;
}

/* The input called `name`, checked to be float32 of `rank` dims; -1 (error set) otherwise. */
static int32_t float_input(const char *name, int32_t rank, const char *expected) {
    int32_t i = corral_input_index(name);
    if (i < 0) return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' is missing (expected %s)", name, expected), -1;
    if (corral_input_dtype(i) != CORRAL_FLOAT32 || corral_input_rank(i) != rank)
        return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' must be %s, found dtype %d with %d dims", name, expected,
                           (int)corral_input_dtype(i), (int)corral_input_rank(i)), -1;
    return i;
}

/* Mean probability over the region's own pixels (PaddleOCR's "slow" score, the mean inside
 * the region's outline). The mean inside its rectangle ("fast") drops real lines: a long,
 * slightly curved line leaves much background inside its rectangle (0.67 against 0.99 on a
 * photographed page). */
__attribute__((noinline)) static float region_score(const float *map, const int32_t *pixels, int32_t count) {
    double sum = 0;
    for (int32_t i = 0; i < count; i++) sum += map[pixels[i]];
    return (float)(sum / (double)count);
}

/* The functions below run once per pixel or region and are kept out of line on purpose: the
 * host runs wasm as JVM bytecode, and the JVM compiles only methods below about 8 KB of
 * bytecode, so hot loops must not be inlined into the large entry function. */

/* The bitmap: TEXT where the probability exceeds thresh. */
__attribute__((noinline)) static void binarize(const float *map, int32_t pixels, double thresh, uint8_t *bitmap) {
    float t = (float)thresh;
    for (int32_t i = 0; i < pixels; i++) bitmap[i] = map[i] > t ? TEXT : BACKGROUND;
}

/* The first TEXT pixel at or after `from`, or `total` when none is left. */
__attribute__((noinline)) static int32_t next_text_pixel(const uint8_t *bitmap, int32_t from, int32_t total) {
    while (from < total && bitmap[from] != TEXT) from++;
    return from;
}

/* The minimum-area rectangle of a region's outline points (sorted in place). */
__attribute__((noinline)) static corral_rotated_rect region_rect(corral_point *outline, int32_t points, corral_point *hull) {
    int32_t corners = corral_convex_hull(outline, points, hull);
    return corral_min_area_rect(hull, corners);
}

/* Collects the 8-connected region that starts at `start` (its top-most, then left-most pixel,
 * since the bitmap is scanned in raster order) into queue; marks it SEEN; returns its size. */
__attribute__((noinline)) static int32_t grow_region(uint8_t *bitmap, int32_t h, int32_t w, int32_t start, int32_t *queue) {
    int32_t head = 0, tail = 0;
    queue[tail++] = start;
    bitmap[start] = SEEN;
    while (head < tail) {
        int32_t p = queue[head++], y = p / w, x = p % w;
        for (int32_t dy = -1; dy <= 1; dy++) {
            int32_t ny = y + dy;
            if (ny < 0 || ny >= h) continue;
            for (int32_t dx = -1; dx <= 1; dx++) {
                int32_t nx = x + dx;
                if (nx < 0 || nx >= w) continue;
                int32_t n = ny * w + nx;
                if (bitmap[n] != TEXT) continue;
                bitmap[n] = SEEN;
                queue[tail++] = n;
            }
        }
    }
    return tail;
}

/* The region's hull points: the left-most and right-most pixel centre of each of its rows
 * (the whole region has the same convex hull). rows_min/rows_max are scratch of h entries. */
__attribute__((noinline)) static int32_t region_outline(const int32_t *pixels, int32_t count, int32_t w, int32_t *row_min, int32_t *row_max,
                              corral_point *out) {
    int32_t top = pixels[0] / w, bottom = top;
    for (int32_t i = 0; i < count; i++) {
        int32_t y = pixels[i] / w, x = pixels[i] % w;
        if (y > bottom) {
            for (int32_t r = bottom + 1; r <= y; r++) row_min[r] = row_max[r] = -1;
            bottom = y;
        }
        if (i == 0 || row_min[y] < 0) { row_min[y] = row_max[y] = x; continue; }
        if (x < row_min[y]) row_min[y] = x;
        if (x > row_max[y]) row_max[y] = x;
    }
    int32_t n = 0;
    for (int32_t y = top; y <= bottom; y++) {
        out[n++] = (corral_point){(float)row_min[y], (float)y};
        if (row_max[y] != row_min[y]) out[n++] = (corral_point){(float)row_max[y], (float)y};
    }
    return n;
}

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Whether box a comes before box b in reading order, given that they were first sorted by
 * their top-left y: only boxes on one line (tops within the tolerance) are reordered by x. */
static int same_line_and_right_of(const text_box *a, const text_box *b, double tolerance) {
    double dy = (double)a->q[0].y - b->q[0].y;
    return (dy < 0 ? -dy : dy) < tolerance && a->q[0].x > b->q[0].x;
}

/* Reading order: by the top-left corner (y, then x), then neighbours on one line swapped into
 * left-to-right order, as PaddleOCR's sorted_boxes does. Insertion sort: stable, and N is at
 * most max_candidates. */
static void reading_order(text_box *boxes, int32_t n, double tolerance) {
    for (int32_t i = 1; i < n; i++)
        for (int32_t j = i; j > 0; j--) {
            text_box *a = &boxes[j - 1], *b = &boxes[j];
            if (a->q[0].y < b->q[0].y || (a->q[0].y == b->q[0].y && a->q[0].x <= b->q[0].x)) break;
            text_box t = *a; *a = *b; *b = t;
        }
    for (int32_t i = 0; i + 1 < n; i++)
        for (int32_t j = i; j >= 0 && same_line_and_right_of(&boxes[j], &boxes[j + 1], tolerance); j--) {
            text_box t = boxes[j]; boxes[j] = boxes[j + 1]; boxes[j + 1] = t;
        }
}

CORRAL_ENTRY(postprocess) {
    settings s;
    if (read_settings(&s)) return 1;
    corral_str map_name;
    if (corral_config_text("input_name", &map_name) < 0) return 1;
    const char *name = map_name.len ? map_name.ptr : "sigmoid_0.tmp_0";

    int32_t map_in = float_input(name, 4, "float32 [1,1,h,w], the detector's probability map");
    if (map_in < 0) return 1;
    int64_t dims[4];
    corral_input_shape(map_in, dims, 4);
    if (dims[0] != 1 || dims[1] != 1 || dims[2] < 1 || dims[3] < 1 || dims[2] * dims[3] > (1 << 26))
        return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' must be [1,1,h,w] with h·w at most 2^26, found [%lld,%lld,%lld,%lld]",
                           name, (long long)dims[0], (long long)dims[1], (long long)dims[2], (long long)dims[3]);
    int32_t h = (int32_t)dims[2], w = (int32_t)dims[3];

    int32_t scale_in = float_input("image_scale", 1, "float32 [2], (sx, sy) from image-preprocess");
    if (scale_in < 0) return 1;
    float scale[2];
    if (corral_input_dim(scale_in, 0) != 2 || corral_input_read(scale_in, 0, scale, 8) != 8 ||
        !(scale[0] > 0 && scale[1] > 0 && corral_isfinite(scale[0]) && corral_isfinite(scale[1])))
        return corral_fail(CORRAL_ERR_PLUGIN, "input 'image_scale' must hold two positive scales (sx, sy)");
    int32_t image_in = corral_input_index("image");
    int64_t image_dims[3];
    if (image_in < 0 || corral_input_shape(image_in, image_dims, 3) != 3 || image_dims[0] < 1 || image_dims[1] < 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "input 'image' (uint8 [H,W,3], for the original size) is missing or not [H,W,3]");
    float max_x = (float)(image_dims[1] - 1), max_y = (float)(image_dims[0] - 1);

    int32_t bytes;
    const float *map = (const float *)corral_input_load(map_in, &bytes);
    uint8_t *bitmap = (uint8_t *)corral_alloc((size_t)h * (size_t)w);
    int32_t *queue = (int32_t *)corral_alloc_array((size_t)h * (size_t)w, 4);
    int32_t *row_min = (int32_t *)corral_alloc_array((size_t)h, 4), *row_max = (int32_t *)corral_alloc_array((size_t)h, 4);
    corral_point *outline = (corral_point *)corral_alloc_array(2 * (size_t)h + 1, sizeof(corral_point));
    corral_point *hull = (corral_point *)corral_alloc_array(2 * (size_t)h + 2, sizeof(corral_point));
    text_box *boxes = (text_box *)corral_alloc_array((size_t)s.max_candidates, sizeof(text_box));
    if (!map || !bitmap || !queue || !row_min || !row_max || !outline || !hull || !boxes) return 1;
    binarize(map, h * w, s.thresh, bitmap);

    int32_t found = 0, kept = 0;
    for (int32_t start = next_text_pixel(bitmap, 0, h * w); start < h * w && found < s.max_candidates;
         start = next_text_pixel(bitmap, start + 1, h * w)) {
        found++;
        int32_t count = grow_region(bitmap, h, w, start, queue);
        int32_t points = region_outline(queue, count, w, row_min, row_max, outline);
        corral_rotated_rect rect = region_rect(outline, points, hull);
        if ((rect.width < rect.height ? rect.width : rect.height) < s.min_size) continue;
        text_box *box = &boxes[kept];
        box->score = region_score(map, queue, count);
        if (box->score < s.box_thresh) continue;
        double perimeter = 2 * (rect.width + rect.height);
        rect = corral_rect_grow(rect, rect.width * rect.height * s.unclip_ratio / perimeter);
        if ((rect.width < rect.height ? rect.width : rect.height) < s.min_size + 2) continue;
        corral_rect_corners(rect, box->q);
        for (int i = 0; i < 4; i++) {
            box->q[i].x = clampf(box->q[i].x / scale[0], 0, max_x);
            box->q[i].y = clampf(box->q[i].y / scale[1], 0, max_y);
        }
        corral_quad_order(box->q);
        if ((int32_t)corral_distance(box->q[0], box->q[1]) <= 3 || (int32_t)corral_distance(box->q[0], box->q[3]) <= 3) continue;
        kept++;
    }
    reading_order(boxes, kept, s.line_tolerance);

    float *quads = (float *)corral_alloc_array((size_t)kept * 8 + 1, 4);
    float *scores = (float *)corral_alloc_array((size_t)kept + 1, 4);
    if (!quads || !scores) return 1;
    for (int32_t i = 0; i < kept; i++) {
        for (int c = 0; c < 4; c++) {
            quads[i * 8 + c * 2] = boxes[i].q[c].x;
            quads[i * 8 + c * 2 + 1] = boxes[i].q[c].y;
        }
        scores[i] = boxes[i].score;
    }
    int64_t box_dims[3] = {kept, 4, 2}, score_dims[1] = {kept};
    if (corral_output((corral_str){"text_boxes", 10}, CORRAL_FLOAT32, box_dims, 3, quads)) return 1;
    return corral_output((corral_str){"text_box_scores", 15}, CORRAL_FLOAT32, score_dims, 1, scores);
}
