/*
 * imagenet-preprocess — the classic ImageNet input pipeline as a Corral plugin.
 *
 * uint8 RGB [H,W,3] -> resize the shorter side to `resize` (bilinear, half-pixel centres,
 * no antialias) -> centre crop `crop`×`crop` -> x·scale, minus mean, over std per channel
 * -> float32 NCHW [1,3,crop,crop].
 *
 * Only the crop window of the resized image is ever computed, straight from the source
 * pixels, and only the source rows it needs are read from the host, two at a time
 * (corral_image.h): the guest's memory is O(width) plus the output, whatever the image's size.
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
#include "corral_image.h"

CORRAL_ABI_VERSION_EXPORT

/* Limits that keep every size computation within 32 bits (the ABI's offsets are i32). */
#define MAX_RESIZE 65536
#define MAX_CROP 16384

typedef struct params {
    corral_str input_name, output_name;
    int32_t resize, crop;
    corral_image_norm norm;
} params;

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

    static const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    static const int32_t rgb[3] = {0, 1, 2};
    return corral_image_norm_config(&p->norm, 1.0 / 255.0, mean, std, rgb, "R, G, B");
}

CORRAL_ENTRY(preprocess) {
    params p;
    if (read_params(&p)) return 1;
    int32_t height, width;
    int32_t image = corral_image_find(p.input_name, &height, &width);
    if (image < 0) return CORRAL_ERR_INPUT;

    /* Resized size: the shorter side becomes `resize`, the other keeps the aspect ratio;
     * the crop is the centre window of it. */
    corral_image_layout layout;
    if (height <= width) {
        layout.resized_h = p.resize;
        layout.resized_w = (int64_t)p.resize * width / height;
    } else {
        layout.resized_w = p.resize;
        layout.resized_h = (int64_t)p.resize * height / width;
    }
    int32_t crop = p.crop;
    layout.first_x = (int32_t)((layout.resized_w - crop) / 2);
    layout.first_y = (int32_t)((layout.resized_h - crop) / 2);
    layout.window_w = layout.window_h = layout.canvas_w = layout.canvas_h = crop;
    float *out;
    int32_t rc = corral_image_to_nchw(image, height, width, &layout, &p.norm, 0, &out);
    if (rc) return rc;
    int64_t dims[4] = {1, 3, crop, crop};
    return corral_output(p.output_name, CORRAL_FLOAT32, dims, 4, out);
}
