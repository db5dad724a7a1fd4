/*
 * ocr-orient — turns upside-down text lines right way up before recognition, as a Corral
 * plugin (PaddleOCR's text angle classifier step, 0° or 180°).
 *
 * Inputs:
 *   text_boxes  float32 [N,4,2]  quads, clockwise from the top-left (ocr-db-postprocess)
 *   input_name (config, default "softmax_0.tmp_0")  float32 [N,2]  the angle classifier's
 *               probabilities of 0° and 180°; absent when N = 0 (the host does not run a
 *               model on an empty batch)
 * Output:
 *   text_boxes  float32 [N,4,2]  the same quads; a line classified 180° with a probability
 *               above thresh has its corners rotated by two places, so that it starts at the
 *               text's own top-left (the image's bottom-right) and ocr-crop cuts it out turned
 *               by 180°.
 *
 * Config (optional): input_name; thresh 0.9 (PaddleOCR's cls_thresh).
 */
#include "corral.h"
#include "corral_geometry.h"

CORRAL_ABI_VERSION_EXPORT

CORRAL_ENTRY(orient) {
    double thresh = corral_config_num("thresh", 0.9);
    if (!(thresh >= 0 && thresh <= 1)) return corral_fail(CORRAL_ERR_PLUGIN, "config 'thresh' must be in [0, 1], found %g", thresh);
    corral_str cls_name;
    if (corral_config_text("input_name", &cls_name) < 0) return 1;
    const char *name = cls_name.len ? cls_name.ptr : "softmax_0.tmp_0";

    int32_t n = 0, bytes;
    float *quads = (float *)corral_text_boxes_load(&n);
    if (!quads) return 1;

    if (n > 0) {
        int32_t cls_in = corral_input_index(name);
        int64_t cdims[2];
        if (cls_in < 0)
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' (the angle classifier's float32 [N,2]) is missing for %d text boxes", name, (int)n);
        if (corral_input_dtype(cls_in) != CORRAL_FLOAT32 || corral_input_shape(cls_in, cdims, 2) != 2 || cdims[0] != n || cdims[1] != 2)
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' must be float32 [%d,2] (0° and 180° per text box)", name, (int)n);
        float *probs = (float *)corral_input_load(cls_in, &bytes);
        if (!probs) return 1;
        for (int32_t i = 0; i < n; i++) {
            if (!(probs[i * 2 + 1] > probs[i * 2] && probs[i * 2 + 1] > thresh)) continue;
            float *q = quads + i * 8, turned[8];
            for (int k = 0; k < 8; k++) turned[k] = q[(k + 4) % 8]; /* corner c becomes corner c + 2 */
            memcpy(q, turned, sizeof turned);
        }
    }
    int64_t dims[3] = {n, 4, 2};
    return corral_output((corral_str){"text_boxes", 10}, CORRAL_FLOAT32, dims, 3, quads);
}
