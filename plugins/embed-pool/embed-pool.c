/*
 * embed-pool — a text encoder's token vectors to one sentence embedding, as JSON.
 *
 * Inputs  `last_hidden_state` float32 [1,S,H] and `attention_mask` int64 [1,S] (0 or 1 each).
 * Result  {"embedding":[H floats],"tokens":N}, N = the mask's sum; each float is float32
 *         written with the fewest digits that read back exactly.
 *
 * Config (all optional):
 *   hidden_name  string  "last_hidden_state"
 *   mask_name    string  "attention_mask"
 *   pooling      string  "mean"   mean: average of the vectors whose mask is 1
 *                                 cls:  the first token's vector
 *   normalize    int     1        1: divide by the L2 norm (at least 1e-12), as
 *                                 sentence-transformers' Normalize does
 *
 * Sums are in double. The hidden state is read a block of rows at a time, so memory is
 * O(H), whatever S is.
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

#define BLOCK_BYTES 65536 /* hidden-state bytes read per input_read */

/* The config string `key`, or `dflt` when absent. */
static int32_t config_name(const char *key, const char *dflt, corral_str *out) {
    int got = corral_config_text(key, out);
    if (got < 0) return 1;
    if (got == 0 || out->len == 0) *out = (corral_str){dflt, (uint32_t)corral_strlen(dflt)};
    return 0;
}

/* Index of the input called `name`, or -1 after set_error. */
static int32_t find_input(corral_str name) {
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0)
        corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)", (int)name.len, name.ptr,
                    (int)corral_input_count());
    return index;
}

CORRAL_ENTRY(pool) {
    corral_str hidden_name, mask_name, pooling;
    if (config_name("hidden_name", "last_hidden_state", &hidden_name) || config_name("mask_name", "attention_mask", &mask_name) ||
        config_name("pooling", "mean", &pooling))
        return 1;
    int cls = corral_str_eq(pooling, "cls");
    if (!cls && !corral_str_eq(pooling, "mean"))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'pooling' must be mean or cls, got '%.*s'", (int)pooling.len, pooling.ptr);
    int64_t normalize = corral_config_int("normalize", 1);
    if (normalize != 0 && normalize != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'normalize' must be 0 or 1, got %lld", (long long)normalize);

    int32_t hidden = find_input(hidden_name), mask_in = hidden < 0 ? -1 : find_input(mask_name);
    if (mask_in < 0) return 1;
    int64_t hd[3] = {0, 0, 0}, md[2] = {0, 0};
    if (corral_input_dtype(hidden) != CORRAL_FLOAT32 || corral_input_shape(hidden, hd, 3) != 3 || hd[0] != 1 || hd[1] < 1 ||
        hd[2] < 1 || hd[2] > BLOCK_BYTES / 4)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be float32 [1,S,H] with S >= 1 and 1 <= H <= %d, got dtype %d rank %d",
                           (int)hidden_name.len, hidden_name.ptr, BLOCK_BYTES / 4, (int)corral_input_dtype(hidden),
                           (int)corral_input_rank(hidden));
    if (corral_input_dtype(mask_in) != CORRAL_INT64 || corral_input_shape(mask_in, md, 2) != 2 || md[0] != 1 || md[1] != hd[1])
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be int64 [1,%lld] like '%.*s', got dtype %d rank %d",
                           (int)mask_name.len, mask_name.ptr, (long long)hd[1], (int)hidden_name.len, hidden_name.ptr,
                           (int)corral_input_dtype(mask_in), (int)corral_input_rank(mask_in));
    int32_t s = (int32_t)hd[1], h = (int32_t)hd[2];

    int32_t mask_bytes;
    const int64_t *mask = corral_input_load(mask_in, &mask_bytes);
    double *sum = corral_alloc_array((size_t)h, sizeof(double));
    float *block = corral_alloc(BLOCK_BYTES);
    if (!mask || !sum || !block) return 1;
    int64_t tokens = 0;
    for (int32_t t = 0; t < s; t++) {
        if (mask[t] != 0 && mask[t] != 1)
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' value %d is %lld; a mask holds 0 or 1", (int)mask_name.len,
                               mask_name.ptr, (int)t, (long long)mask[t]);
        tokens += mask[t];
    }
    if (tokens == 0)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is all zeros: there is no token to pool", (int)mask_name.len, mask_name.ptr);

    memset(sum, 0, (size_t)h * sizeof(double));
    int32_t rows_per_block = BLOCK_BYTES / 4 / h, last_row = cls ? 1 : s;
    for (int32_t first = 0; first < last_row; first += rows_per_block) {
        int32_t rows = last_row - first < rows_per_block ? last_row - first : rows_per_block;
        int32_t bytes = rows * h * 4;
        if (corral_input_read(hidden, first * h * 4, block, bytes) != bytes)
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds fewer floats than its shape says", (int)hidden_name.len,
                               hidden_name.ptr);
        for (int32_t r = 0; r < rows; r++) {
            if (!cls && !mask[first + r]) continue;
            const float *row = block + (size_t)r * h;
            for (int32_t i = 0; i < h; i++) {
                if (!corral_isfinite(row[i]))
                    return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' token %d value %d is not finite", (int)hidden_name.len,
                                       hidden_name.ptr, (int)(first + r), (int)i);
                sum[i] += row[i];
            }
        }
    }
    double divisor = cls ? 1.0 : (double)tokens;
    for (int32_t i = 0; i < h; i++) sum[i] /= divisor;
    if (normalize) {
        double squares = 0;
        for (int32_t i = 0; i < h; i++) squares += sum[i] * sum[i];
        double norm = __builtin_sqrt(squares);
        if (norm < 1e-12) norm = 1e-12;
        for (int32_t i = 0; i < h; i++) sum[i] /= norm;
    }

    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "embedding");
    corral_json_array_begin(&j);
    for (int32_t i = 0; i < h; i++) corral_json_f32(&j, (float)sum[i]);
    corral_json_array_end(&j);
    corral_json_key(&j, "tokens");
    corral_json_int(&j, tokens);
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}
