/*
 * image-preprocess — a general image input for detection and OCR models, as a Corral plugin.
 *
 * uint8 RGB [H,W,3] -> bilinear resize per `mode` -> channel order -> x·scale, minus mean,
 * over std per output channel -> float32 NCHW [1,3,H',W'], plus the scale from original to
 * model pixels, which later steps (post-processors) need to map boxes back.
 *
 * Modes:
 *   letterbox  ratio = min(height/H, width/W); the image becomes floor(W·ratio) ×
 *              floor(H·ratio), anchored top-left in a width × height canvas; the rest is
 *              pad_value (YOLOX). image_scale = (ratio, ratio).
 *   stretch    the image becomes exactly width × height (Ultraface).
 *   limit      if the longer side exceeds limit_side it is scaled down to it (never up);
 *              each side is then rounded to a multiple of 32 (halves to even), at least 32
 *              (PaddleOCR's DB detector).
 *
 * Config:
 *   mode           string   required   "letterbox" | "stretch" | "limit"
 *   width, height  int      required for letterbox and stretch, 1..16384
 *   limit_side     int      960        limit mode, 32..16384
 *   channel_order  string   "rgb"      "rgb" | "bgr": the output's channel order
 *   scale          number   1/255      applied to the 0..255 values before mean and std
 *   mean, std      3 numbers 0,0,0 / 1,1,1, in the OUTPUT channel order; std none zero
 *   pad_value      number   114        letterbox padding, a raw pixel value (normalised too)
 *   input_name     string   "image"    the uint8 [H,W,3] input
 *   output_name    string   "input"    the float32 [1,3,H',W'] output
 *
 * Outputs: output_name f32 [1,3,H',W']; image_scale f32 [2] = (sx, sy), with
 * model_x = orig_x · sx and model_y = orig_y · sy.
 */
#include "corral.h"
#include "corral_image.h"

CORRAL_ABI_VERSION_EXPORT

#define MAX_SIDE 16384

typedef struct params {
    corral_str input_name, output_name, mode;
    int32_t width, height, limit_side;
    float pad_value;
    corral_image_norm norm;
} params;

#define REQUIRED INT64_MIN

/* A side from config, min..MAX_SIDE; dflt REQUIRED when the mode needs it. */
static int32_t read_side(const char *key, int64_t dflt, int64_t min, int32_t *out) {
    int64_t v = corral_config_int(key, dflt);
    if (v == REQUIRED) return corral_fail(CORRAL_ERR_PLUGIN, "config '%s' is required in this mode", key);
    if (v < min || v > MAX_SIDE)
        return corral_fail(CORRAL_ERR_PLUGIN, "config '%s' must be %lld..%d, got %lld", key, (long long)min, MAX_SIDE,
                           (long long)v);
    *out = (int32_t)v;
    return 0;
}

static int32_t read_params(params *p) {
    if (corral_config_text("input_name", &p->input_name) < 0) return 1;
    if (!p->input_name.len) p->input_name = (corral_str){"image", 5};
    if (corral_config_text("output_name", &p->output_name) < 0) return 1;
    if (!p->output_name.len) p->output_name = (corral_str){"input", 5};

    if (corral_config_text("mode", &p->mode) < 0) return 1;
    if (corral_str_eq(p->mode, "letterbox") || corral_str_eq(p->mode, "stretch")) {
        if (read_side("width", REQUIRED, 1, &p->width) || read_side("height", REQUIRED, 1, &p->height)) return 1;
    } else if (corral_str_eq(p->mode, "limit")) {
        if (read_side("limit_side", 960, 32, &p->limit_side)) return 1;
    } else if (!p->mode.len) {
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'mode' is required: \"letterbox\", \"stretch\" or \"limit\"");
    } else {
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'mode' must be \"letterbox\", \"stretch\" or \"limit\", got \"%.*s\"",
                           (int)p->mode.len, p->mode.ptr);
    }

    corral_str order;
    if (corral_config_text("channel_order", &order) < 0) return 1;
    static const int32_t rgb[3] = {0, 1, 2}, bgr[3] = {2, 1, 0};
    int is_bgr = corral_str_eq(order, "bgr");
    if (order.len && !is_bgr && !corral_str_eq(order, "rgb"))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'channel_order' must be \"rgb\" or \"bgr\", got \"%.*s\"",
                           (int)order.len, order.ptr);

    double pad = corral_config_num("pad_value", 114);
    if (!(pad >= 0 && pad <= 255))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'pad_value' must be a pixel value 0..255, got %g", pad);
    p->pad_value = (float)pad;

    static const double zero[3] = {0, 0, 0}, one[3] = {1, 1, 1};
    return corral_image_norm_config(&p->norm, 1.0 / 255.0, zero, one, is_bgr ? bgr : rgb,
                                    is_bgr ? "B, G, R" : "R, G, B");
}

CORRAL_ENTRY(preprocess) {
    params p;
    if (read_params(&p)) return 1;
    int32_t height, width;
    int32_t image = corral_image_find(p.input_name, &height, &width);
    if (image < 0) return CORRAL_ERR_INPUT;

    corral_image_layout layout = corral_str_eq(p.mode, "letterbox") ? corral_image_letterbox(height, width, p.height, p.width)
                                 : corral_str_eq(p.mode, "stretch") ? corral_image_stretch(height, width, p.height, p.width)
                                                                    : corral_image_limit(height, width, p.limit_side);
    float *out;
    int32_t rc = corral_image_to_nchw(image, height, width, &layout, &p.norm, p.pad_value, &out);
    if (rc) return rc;
    int64_t dims[4] = {1, 3, layout.canvas_h, layout.canvas_w};
    if (corral_output(p.output_name, CORRAL_FLOAT32, dims, 4, out)) return 1;
    float scale[2] = {(float)layout.scale_x, (float)layout.scale_y};
    int64_t scale_dims[1] = {2};
    return corral_output((corral_str){"image_scale", 11}, CORRAL_FLOAT32, scale_dims, 1, scale);
}
