/*
 * embed-pool — a text encoder's token vectors to sentence embeddings: one as JSON, or a batch as
 * a tensor for later steps (similarity-rank).
 *
 * Inputs  `last_hidden_state` float32 [N,S,H] and `attention_mask` int64 [N,S] (0 or 1 each);
 *         or an already pooled float32 [N,H] (e.g. a CLIP text tower's `text_embeds`), which is
 *         only normalised and needs no mask.
 * Result  output "json": {"embedding":[H floats],"tokens":T} for N = 1, T = the mask's sum
 *         (left out for a pooled input without a mask); each float is float32 written with the
 *         fewest digits that read back exactly.
 *         output "tensor": `embeddings` float32 [N,H] and no JSON. When the input is absent
 *         because the host skipped the model on an empty batch (mask absent or of 0 rows), it
 *         writes `embeddings` float32 [0,0].
 *
 * Config (all optional):
 *   input_name   string  "last_hidden_state"  (older name: hidden_name)
 *   mask_name    string  "attention_mask"
 *   pooling      string  "mean"   mean: average of the vectors whose mask is 1
 *                                 cls:  the first token's vector
 *   normalize    int     1        1: divide by the L2 norm (at least 1e-12), as
 *                                 sentence-transformers' Normalize does
 *   output       string  "json"   json | tensor
 *   output_name  string  "embeddings"  (output "tensor")
 *
 * Sums are in double. The hidden state is read a block of tokens at a time, so memory is the
 * output plus O(H), whatever S is.
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

typedef struct pool_config {
    corral_str input_name, mask_name, output_name;
    int cls, normalize, tensor_output;
} pool_config;

static int32_t read_config(pool_config *c) {
    corral_str pooling, output;
    int got = corral_config_text("input_name", &c->input_name);
    if (got < 0) return 1;
    if ((got == 0 || c->input_name.len == 0) && config_name("hidden_name", "last_hidden_state", &c->input_name)) return 1;
    if (config_name("mask_name", "attention_mask", &c->mask_name) || config_name("pooling", "mean", &pooling) ||
        config_name("output", "json", &output) || config_name("output_name", "embeddings", &c->output_name))
        return 1;
    c->cls = corral_str_eq(pooling, "cls");
    if (!c->cls && !corral_str_eq(pooling, "mean"))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'pooling' must be mean or cls, got '%.*s'", (int)pooling.len, pooling.ptr);
    c->tensor_output = corral_str_eq(output, "tensor");
    if (!c->tensor_output && !corral_str_eq(output, "json"))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'output' must be json or tensor, got '%.*s'", (int)output.len, output.ptr);
    int64_t normalize = corral_config_int("normalize", 1);
    if (normalize != 0 && normalize != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'normalize' must be 0 or 1, got %lld", (long long)normalize);
    c->normalize = (int)normalize;
    return 0;
}

/* The mask [rows,S] as int64 values, each 0 or 1, each row with a 1 unless `may_be_empty`;
 * tokens[r] gets row r's sum. NULL after set_error. */
static const int64_t *load_mask(const pool_config *c, int32_t mask_in, int64_t rows, int64_t s, int64_t *tokens) {
    int64_t md[2] = {0, 0};
    if (corral_input_dtype(mask_in) != CORRAL_INT64 || corral_input_shape(mask_in, md, 2) != 2 || md[0] != rows || md[1] != s)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be int64 [%lld,%lld] like '%.*s', got dtype %d rank %d",
                           (int)c->mask_name.len, c->mask_name.ptr, (long long)rows, (long long)s, (int)c->input_name.len,
                           c->input_name.ptr, (int)corral_input_dtype(mask_in), (int)corral_input_rank(mask_in)), (const int64_t *)0;
    int32_t bytes;
    const int64_t *mask = corral_input_load(mask_in, &bytes);
    if (!mask) return 0;
    for (int64_t r = 0; r < rows; r++) {
        tokens[r] = 0;
        for (int64_t t = 0; t < s; t++) {
            int64_t v = mask[r * s + t];
            if (v != 0 && v != 1)
                return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' value %lld is %lld; a mask holds 0 or 1", (int)c->mask_name.len,
                                   c->mask_name.ptr, (long long)(r * s + t), (long long)v), (const int64_t *)0;
            tokens[r] += v;
        }
        if (tokens[r] == 0)
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is all zeros in row %lld: there is no token to pool",
                               (int)c->mask_name.len, c->mask_name.ptr, (long long)r), (const int64_t *)0;
    }
    return mask;
}

/* Pools row r of the hidden state [N,S,H] into sum[0..H) (before normalising). */
static int32_t pool_row(const pool_config *c, int32_t hidden, int32_t r, int32_t s, int32_t h, const int64_t *mask,
                        int64_t tokens, float *block, double *sum) {
    memset(sum, 0, (size_t)h * sizeof(double));
    int32_t rows_per_block = BLOCK_BYTES / 4 / h, last_row = c->cls ? 1 : s;
    for (int32_t first = 0; first < last_row; first += rows_per_block) {
        int32_t rows = last_row - first < rows_per_block ? last_row - first : rows_per_block;
        int32_t bytes = rows * h * 4;
        if (corral_input_read(hidden, (int32_t)(((int64_t)r * s + first) * h * 4), block, bytes) != bytes)
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds fewer floats than its shape says", (int)c->input_name.len,
                               c->input_name.ptr);
        for (int32_t t = 0; t < rows; t++) {
            if (!c->cls && !mask[(int64_t)r * s + first + t]) continue;
            const float *v = block + (size_t)t * h;
            for (int32_t i = 0; i < h; i++) {
                if (!corral_isfinite(v[i]))
                    return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' row %d token %d value %d is not finite", (int)c->input_name.len,
                                       c->input_name.ptr, (int)r, (int)(first + t), (int)i);
                sum[i] += v[i];
            }
        }
    }
    double divisor = c->cls ? 1.0 : (double)tokens;
    for (int32_t i = 0; i < h; i++) sum[i] /= divisor;
    return 0;
}

/* Reads row r of a pooled [N,H] input into sum[0..H). */
static int32_t read_pooled_row(const pool_config *c, int32_t in, int32_t r, int32_t h, float *block, double *sum) {
    int32_t bytes = h * 4;
    if (corral_input_read(in, r * bytes, block, bytes) != bytes)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds fewer floats than its shape says", (int)c->input_name.len,
                           c->input_name.ptr);
    for (int32_t i = 0; i < h; i++) {
        if (!corral_isfinite(block[i]))
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' row %d value %d is not finite", (int)c->input_name.len,
                               c->input_name.ptr, (int)r, (int)i);
        sum[i] = block[i];
    }
    return 0;
}

static void normalise(double *v, int32_t h) {
    double squares = 0;
    for (int32_t i = 0; i < h; i++) squares += v[i] * v[i];
    double norm = __builtin_sqrt(squares);
    if (norm < 1e-12) norm = 1e-12;
    for (int32_t i = 0; i < h; i++) v[i] /= norm;
}

static int32_t emit_json(const double *v, int32_t h, int64_t tokens) {
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "embedding");
    corral_json_array_begin(&j);
    for (int32_t i = 0; i < h; i++) corral_json_f32(&j, (float)v[i]);
    corral_json_array_end(&j);
    if (tokens >= 0) {
        corral_json_key(&j, "tokens");
        corral_json_int(&j, tokens);
    }
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}

/* The host skipped the model on an empty batch: nothing to pool, an empty tensor to write. */
static int32_t emit_empty(const pool_config *c) {
    int64_t dims[2] = {0, 0};
    return corral_output(c->output_name, CORRAL_FLOAT32, dims, 2, "");
}

CORRAL_ENTRY(pool) {
    pool_config c;
    if (read_config(&c)) return 1;
    int32_t in = corral_input_find(c.input_name.ptr, (int32_t)c.input_name.len);
    int32_t mask_in = corral_input_find(c.mask_name.ptr, (int32_t)c.mask_name.len);
    if (in < 0) {
        if (c.tensor_output && (mask_in < 0 || (corral_input_rank(mask_in) >= 1 && corral_input_dim(mask_in, 0) == 0)))
            return emit_empty(&c);
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)", (int)c.input_name.len,
                           c.input_name.ptr, (int)corral_input_count());
    }
    int64_t d[3] = {0, 0, 0};
    int32_t rank = corral_input_shape(in, d, 3);
    int pooled = rank == 2;
    int64_t n = d[0], s = pooled ? 1 : d[1], h = pooled ? d[1] : d[2];
    if (corral_input_dtype(in) != CORRAL_FLOAT32 || (rank != 2 && rank != 3) || n < 0 || s < 1 || h < 1 || h > BLOCK_BYTES / 4)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be float32 [N,S,H] (token vectors) or [N,H] (pooled) with S >= 1 and 1 <= H <= %d, got dtype %d rank %d",
                           (int)c.input_name.len, c.input_name.ptr, BLOCK_BYTES / 4, (int)corral_input_dtype(in), (int)rank);
    if (!c.tensor_output && n != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'output' json writes one embedding, but input '%.*s' has %lld rows; use output tensor",
                           (int)c.input_name.len, c.input_name.ptr, (long long)n);
    if (n * h > INT32_MAX / 4)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' has too many rows (%lld of %lld)", (int)c.input_name.len, c.input_name.ptr,
                           (long long)n, (long long)h);

    int64_t *tokens = corral_alloc_array((size_t)n + 1, sizeof(int64_t));
    if (!tokens) return 1;
    const int64_t *mask = 0;
    if (!pooled) {
        if (mask_in < 0)
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)", (int)c.mask_name.len,
                               c.mask_name.ptr, (int)corral_input_count());
        mask = load_mask(&c, mask_in, n, s, tokens);
        if (!mask) return 1;
    } else {
        /* Token counts for the JSON, when the tokenizer's mask is there to count them. */
        int64_t md[2] = {0, 0};
        int counted = mask_in >= 0 && corral_input_shape(mask_in, md, 2) == 2 && md[0] == n && md[1] >= 1;
        if (counted && !load_mask(&c, mask_in, n, md[1], tokens)) return 1;
        if (!counted) tokens[0] = -1;
    }
    double *sum = corral_alloc_array((size_t)h, sizeof(double));
    float *block = corral_alloc(BLOCK_BYTES);
    float *out = c.tensor_output ? corral_alloc_array((size_t)(n * h) + 1, sizeof(float)) : 0;
    if (!sum || !block || (c.tensor_output && !out)) return 1;
    for (int32_t r = 0; r < (int32_t)n; r++) {
        if (pooled ? read_pooled_row(&c, in, r, (int32_t)h, block, sum)
                   : pool_row(&c, in, r, (int32_t)s, (int32_t)h, mask, tokens[r], block, sum))
            return 1;
        if (c.normalize) normalise(sum, (int32_t)h);
        if (!c.tensor_output) return emit_json(sum, (int32_t)h, tokens[0]);
        for (int32_t i = 0; i < (int32_t)h; i++) out[(int64_t)r * h + i] = (float)sum[i];
    }
    int64_t dims[2] = {n, h};
    return corral_output(c.output_name, CORRAL_FLOAT32, dims, 2, out);
}
