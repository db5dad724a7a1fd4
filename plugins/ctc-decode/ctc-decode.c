/*
 * ctc-decode — a CTC text recogniser's per-timestep class probabilities to text lines, as a
 * Corral plugin (PaddleOCR's CTCLabelDecode, greedy).
 *
 * Inputs:
 *   input_name (config, default "softmax_11.tmp_0")  float32 [N,T,C]  probabilities; absent
 *                      when N = 0 (the host does not run a model on an empty batch)
 *   text_boxes       float32 [N,4,2]  the lines' quads (ocr-db-postprocess)
 *   text_box_scores  float32 [N]      optional; not used for the text, only checked for N
 * Outputs:
 *   JSON  {"lines":[{"text":"…","confidence":0.97,"box":[[x,y],[x,y],[x,y],[x,y]]}]}
 *         in the boxes' order (reading order); box coordinates rounded to 0.1 pixel
 *   line_texts   uint8 [n]    text list: per line u32 LE byte length, then the UTF-8 bytes
 *   line_boxes   float32 [L,4,2]
 *   line_scores  float32 [L]  the confidence
 *
 * Greedy decoding: the most probable class per timestep (the lowest index among equals),
 * repeats collapsed, then blanks (class 0) dropped. Class i (1..K) is the dictionary's line
 * i, class K+1 a space when use_space_char is 1; so C must be K + 1 + use_space_char. A
 * line's confidence is the mean of its kept timesteps' probabilities (0 when none is kept).
 * Lines below drop_score, or empty once leading and trailing spaces are trimmed, are dropped.
 *
 * Config: dictionary (required: the dictionary file's text, one character per line, e.g.
 * {"file": "keys"}); input_name; use_space_char 1; drop_score 0.5.
 * Option: drop_score (overrides the config's for one request).
 *
 * The dictionary is parsed once per instance. Memory: one line's T·C probabilities at a time.
 */
#include "corral.h"
#include "corral_geometry.h"

CORRAL_ABI_VERSION_EXPORT

static struct {
    int loaded;
    corral_str *entries; /* class i + 1 → entries[i] */
    int32_t count;
} dictionary;

/* Parses the dictionary into the instance's kept memory: one entry per line ('\n', a '\r'
 * before it dropped), a final '\n' ending the last line rather than starting an empty one.
 * Entries are kept byte for byte (PaddleOCR's keys hold U+3000, an ideographic space). */
static int32_t load_dictionary(void) {
    if (dictionary.loaded) return 0;
    corral_str text;
    int got = corral_config_text("dictionary", &text);
    if (got < 0) return 1;
    if (got == 0 || text.len == 0)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'dictionary' is missing or empty (expected the dictionary file's text, e.g. {\"file\": \"keys\"})");
    int32_t bad = corral_utf8_invalid_at(text.ptr, (int32_t)text.len);
    if (bad >= 0) return corral_fail(CORRAL_ERR_PLUGIN, "config 'dictionary' is not valid UTF-8 (byte %d)", (int)bad);
    int32_t lines = 0;
    for (uint32_t i = 0; i < text.len; i++) lines += text.ptr[i] == '\n';
    if (text.ptr[text.len - 1] != '\n') lines++;
    corral_str *entries = (corral_str *)corral_alloc_array((size_t)lines, sizeof(corral_str));
    if (!entries) return 1;
    int32_t n = 0;
    for (uint32_t start = 0, i = 0; i <= text.len && n < lines; i++) {
        if (i < text.len && text.ptr[i] != '\n') continue;
        uint32_t end = i > start && text.ptr[i - 1] == '\r' ? i - 1 : i;
        entries[n++] = (corral_str){text.ptr + start, end - start};
        start = i + 1;
    }
    corral_arena_keep();
    dictionary.entries = entries;
    dictionary.count = n;
    dictionary.loaded = 1;
    return 0;
}

/* A growable byte buffer in the arena. */
typedef struct bytes {
    char *data;
    uint32_t len, cap;
} bytes;

static int append(bytes *b, const void *src, uint32_t n) {
    if (b->len + n > b->cap) {
        uint32_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) cap *= 2;
        char *data = (char *)corral_realloc(b->data, b->cap, cap);
        if (!data) return 1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The most probable class of each timestep (the lowest index among equals) into best[t],
 * its probability into prob[t]. Kept out of line on purpose: the host runs wasm as JVM
 * bytecode, and the JVM compiles only methods below about 8 KB of bytecode, so the hot loop
 * must not be inlined into the large entry function. */
__attribute__((noinline)) static void argmax_steps(const float *probs, int32_t steps, int32_t classes, int32_t *best,
                                                   float *prob) {
    for (int32_t t = 0; t < steps; t++) {
        const float *p = probs + (int64_t)t * classes;
        int32_t b = 0;
        float top = p[0];
        for (int32_t c = 1; c < classes; c++)
            if (p[c] > top) { top = p[c]; b = c; }
        best[t] = b;
        prob[t] = top;
    }
}

/* Greedy CTC over one line's best classes, appending its text to `text`; returns the
 * confidence. Class K+1 (past the dictionary) is the space: C was checked to allow it only
 * with use_space_char. */
static float decode_line(const int32_t *best, const float *prob, int32_t steps, bytes *text, int *failed) {
    double sum = 0;
    int32_t kept = 0;
    for (int32_t t = 0; t < steps; t++) {
        if (best[t] == 0 || (t > 0 && best[t] == best[t - 1])) continue;
        sum += prob[t];
        kept++;
        corral_str piece = best[t] <= dictionary.count ? dictionary.entries[best[t] - 1] : (corral_str){" ", 1};
        if (append(text, piece.ptr, piece.len)) *failed = 1;
    }
    return kept ? (float)(sum / kept) : 0.0f;
}

static void json_box(corral_json *j, const float *q) {
    corral_json_array_begin(j);
    for (int c = 0; c < 4; c++) {
        corral_json_array_begin(j);
        for (int k = 0; k < 2; k++) {
            double v = q[c * 2 + k];
            corral_json_f64(j, (double)(int64_t)(v * 10 + (v < 0 ? -0.5 : 0.5)) / 10);
        }
        corral_json_array_end(j);
    }
    corral_json_array_end(j);
}

CORRAL_ENTRY(decode) {
    if (load_dictionary()) return 1;
    int64_t use_space = corral_config_int("use_space_char", 1);
    double drop_score = corral_option_num("drop_score", corral_config_num("drop_score", 0.5));
    if (use_space != 0 && use_space != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'use_space_char' must be 0 or 1, found %lld", (long long)use_space);
    if (!(drop_score >= 0 && drop_score <= 1))
        return corral_fail(CORRAL_ERR_OPTION, "'drop_score' must be in [0, 1], found %g", drop_score);
    corral_str prob_name;
    if (corral_config_text("input_name", &prob_name) < 0) return 1;
    const char *name = prob_name.len ? prob_name.ptr : "softmax_11.tmp_0";

    int32_t n = 0;
    const float *quads = (const float *)corral_text_boxes_load(&n);
    if (!quads) return 1;
    int32_t scores_in = corral_input_index("text_box_scores");
    if (scores_in >= 0 && (corral_input_rank(scores_in) != 1 || corral_input_dim(scores_in, 0) != n))
        return corral_fail(CORRAL_ERR_PLUGIN, "input 'text_box_scores' must be [%d], one score per text box", (int)n);

    int32_t probs_in = corral_input_index(name), steps = 0, classes = 0;
    if (n > 0) {
        int64_t pdims[3];
        if (probs_in < 0)
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' (the recogniser's float32 [N,T,C]) is missing for %d text boxes", name, (int)n);
        if (corral_input_dtype(probs_in) != CORRAL_FLOAT32 || corral_input_shape(probs_in, pdims, 3) != 3 || pdims[0] != n ||
            pdims[1] < 1 || pdims[2] < 2)
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s' must be float32 [%d,T,C] (one row per text box)", name, (int)n);
        if (pdims[2] != dictionary.count + 1 + use_space)
            return corral_fail(CORRAL_ERR_PLUGIN,
                               "input '%s' has %lld classes, but the dictionary's %d entries make %lld (blank + entries%s)",
                               name, (long long)pdims[2], (int)dictionary.count, (long long)(dictionary.count + 1 + use_space),
                               use_space ? " + space" : "");
        if (pdims[1] * pdims[2] > (1 << 24))
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s': T·C = %lld is too large", name, (long long)(pdims[1] * pdims[2]));
        steps = (int32_t)pdims[1];
        classes = (int32_t)pdims[2];
    }
    float *row = (float *)corral_alloc_array((size_t)steps * (size_t)classes + 1, 4);
    int32_t *best = (int32_t *)corral_alloc_array((size_t)steps + 1, 4);
    float *prob = (float *)corral_alloc_array((size_t)steps + 1, 4);
    float *boxes = (float *)corral_alloc_array((size_t)n * 8 + 1, 4), *scores = (float *)corral_alloc_array((size_t)n + 1, 4);
    if (!row || !best || !prob || !boxes || !scores) return 1;

    bytes list = {0, 0, 0}, text = {0, 0, 0};
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "lines");
    corral_json_array_begin(&j);
    int32_t lines = 0, row_bytes = steps * classes * 4;
    for (int32_t i = 0; i < n; i++) {
        if (corral_input_read(probs_in, i * row_bytes, row, row_bytes) != row_bytes)
            return corral_fail(CORRAL_ERR_PLUGIN, "input '%s': row %d is short", name, (int)i);
        int failed = 0;
        text.len = 0;
        argmax_steps(row, steps, classes, best, prob);
        float confidence = decode_line(best, prob, steps, &text, &failed);
        if (failed) return 1;
        uint32_t a = 0, b = text.len;
        while (a < b && is_space(text.data[a])) a++;
        while (b > a && is_space(text.data[b - 1])) b--;
        if (a == b || confidence < drop_score) continue;
        uint32_t len = b - a;
        if (append(&list, &len, 4) || append(&list, text.data + a, len)) return 1;
        memcpy(boxes + lines * 8, quads + i * 8, 32);
        scores[lines++] = confidence;
        corral_json_object_begin(&j);
        corral_json_key(&j, "text");
        corral_json_string(&j, text.data + a, len);
        corral_json_key(&j, "confidence");
        corral_json_f32(&j, confidence);
        corral_json_key(&j, "box");
        json_box(&j, quads + i * 8);
        corral_json_object_end(&j);
    }
    corral_json_array_end(&j);
    corral_json_object_end(&j);

    int64_t list_dims[1] = {list.len}, box_dims[3] = {lines, 4, 2}, score_dims[1] = {lines};
    if (corral_output((corral_str){"line_texts", 10}, CORRAL_UINT8, list_dims, 1, list.data ? list.data : "") ||
        corral_output((corral_str){"line_boxes", 10}, CORRAL_FLOAT32, box_dims, 3, boxes) ||
        corral_output((corral_str){"line_scores", 11}, CORRAL_FLOAT32, score_dims, 1, scores))
        return 1;
    return corral_json_emit(&j);
}
