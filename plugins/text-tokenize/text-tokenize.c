/*
 * text-tokenize — one UTF-8 string to a text encoder's inputs (e.g. all-MiniLM-L6-v2), with
 * the model's own tokenizer lent by the host (capability "tokenizer", ABI §4.5).
 *
 * Input  `text` uint8 [n]: the string's UTF-8 bytes (ABI §4.6).
 * Outputs int64 [1,S] each: the ids, an attention mask of ones and token type ids of zeros.
 *
 * Config (all optional):
 *   max_length          int     512               most tokens the model takes (1 .. 1048576)
 *   add_special_tokens  int     1                 1: [CLS] … [SEP] (or BOS) around the text
 *   ids_name            string  "input_ids"
 *   mask_name           string  "attention_mask"  "": not written
 *   type_ids_name       string  "token_type_ids"  "": not written
 * Options:
 *   truncate            bool    true              over max_length: cut (true) or refuse (false)
 *
 * Truncation keeps the first max_length-1 ids and the last one when special tokens were
 * added (so [SEP] stays last), else the first max_length ids.
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

#define MAX_LENGTH_CEILING (1 << 20)

/* The config string `key` naming an output, or `dflt` when absent; "" only when `optional`. */
static int32_t output_name(const char *key, const char *dflt, int optional, corral_str *out) {
    int got = corral_config_text(key, out);
    if (got < 0) return 1;
    if (got == 0) *out = (corral_str){dflt, (uint32_t)corral_strlen(dflt)};
    if (out->len == 0 && !optional) return corral_fail(CORRAL_ERR_PLUGIN, "config '%s' must not be empty", key);
    if (out->len > 128)
        return corral_fail(CORRAL_ERR_PLUGIN, "config '%s' is %u bytes; an output name takes at most 128", key,
                           (unsigned)out->len);
    return 0;
}

/* Writes int64 [1,S] `name` (skipped when the name is ""): ids when given, else `fill`. */
static int32_t emit(corral_str name, int64_t *buf, int32_t s, const int32_t *ids, int64_t fill) {
    if (name.len == 0) return 0;
    for (int32_t i = 0; i < s; i++) buf[i] = ids ? ids[i] : fill;
    int64_t dims[2] = {1, s};
    return corral_output(name, CORRAL_INT64, dims, 2, buf);
}

CORRAL_ENTRY(tokenize) {
    int64_t max_length = corral_config_int("max_length", 512);
    if (max_length < 1 || max_length > MAX_LENGTH_CEILING)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'max_length' must be 1..%d, got %lld", MAX_LENGTH_CEILING,
                           (long long)max_length);
    int64_t special = corral_config_int("add_special_tokens", 1);
    if (special != 0 && special != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'add_special_tokens' must be 0 or 1, got %lld", (long long)special);
    corral_str ids_name, mask_name, type_name;
    if (output_name("ids_name", "input_ids", 0, &ids_name) || output_name("mask_name", "attention_mask", 1, &mask_name) ||
        output_name("type_ids_name", "token_type_ids", 1, &type_name))
        return 1;
    int64_t truncate = corral_option_int("truncate", 1);
    if (truncate != 0 && truncate != 1)
        return corral_fail(CORRAL_ERR_OPTION, "truncate must be true or false, got %lld", (long long)truncate);

    int32_t in = corral_input_index("text");
    if (in < 0) return corral_fail(CORRAL_ERR_INPUT, "input 'text' is missing (this step tokenizes text requests)");
    if (corral_input_dtype(in) != CORRAL_UINT8 || corral_input_rank(in) != 1)
        return corral_fail(CORRAL_ERR_INPUT, "input 'text' must be uint8 [n] (UTF-8 bytes), got dtype %d rank %d",
                           (int)corral_input_dtype(in), (int)corral_input_rank(in));
    int32_t len;
    const char *text = corral_input_load(in, &len);
    if (!text) return 1;

    int32_t *ids;
    int32_t n = corral_tokenize(text, len, (int32_t)special, &ids);
    if (n < 0) return 1;
    if (n == 0) return corral_fail(CORRAL_ERR_INPUT, "the text (%d bytes) gives no tokens", (int)len);
    int32_t s = n;
    if (n > max_length) {
        if (!truncate)
            return corral_fail(CORRAL_ERR_INPUT, "the text is %d tokens; this model takes at most %lld — send truncate=true to cut it",
                               (int)n, (long long)max_length);
        s = (int32_t)max_length;
        if (special) ids[s - 1] = ids[n - 1];
    }
    int64_t *buf = corral_alloc_array((size_t)s, sizeof(int64_t));
    if (!buf) return 1;
    if (emit(ids_name, buf, s, ids, 0) || emit(mask_name, buf, s, 0, 1) || emit(type_name, buf, s, 0, 0)) return 1;
    return 0;
}
