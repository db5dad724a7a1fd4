/*
 * text-tokenize — UTF-8 strings to a text encoder's inputs (e.g. all-MiniLM-L6-v2, a CLIP text
 * tower), with the model's own tokenizer lent by the host (capability "tokenizer", ABI §4.5).
 *
 * Rows: the single text (input `input_text`, uint8 [n], ABI §4.6) and then each item of the text
 * list `input_list` (ABI §4.6), each tokenized on its own.
 * Outputs int64 [N,S] each, N rows right-padded with 0 to the longest row S: the ids, an
 * attention mask (1 on tokens, 0 on padding) and token type ids of zeros. No rows at all (an
 * empty list and no single text) gives [0,1]: the host skips a model step on an empty batch.
 *
 * Config (all optional):
 *   input_text          string  "text"            the single text. Without input_list it must be
 *                                                 there; with input_list it is a row only when
 *                                                 configured and present
 *   input_list          string  (none)            a text list whose items are rows
 *   max_length          int     512               most tokens per row (1 .. 1048576)
 *   add_special_tokens  int     1                 1: [CLS] … [SEP] (or BOS) around each row
 *   ids_name            string  "input_ids"
 *   mask_name           string  "attention_mask"  "": not written
 *   type_ids_name       string  "token_type_ids"  "": not written
 * Options:
 *   truncate            bool    true              a row over max_length: cut (true) or refuse (false)
 *
 * Truncation keeps the first max_length-1 ids and the last one when special tokens were
 * added (so [SEP] stays last), else the first max_length ids.
 */
#include "corral.h"
#include "corral_text.h"

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

/* One row's ids (arena) and their count after truncation. */
typedef struct row {
    int32_t *ids;
    int32_t count;
} row;

typedef struct settings {
    int64_t max_length;
    int32_t special;
    int64_t truncate;
} settings;

/* Tokenizes one row. `list` is the text list's name, or NULL for the single text (whose messages
 * stay those of the single-text plugin); `item` is the row's index in the list. */
static int32_t tokenize_row(const settings *cfg, corral_str text, const char *list, uint32_t item, row *out) {
    if (list) { /* name the item in what corral_tokenize would otherwise report anonymously */
        if (text.len > CORRAL_TOKENIZER_MAX_TEXT)
            return corral_fail(CORRAL_ERR_INPUT, "item %u of '%s' is %u bytes; the tokenizer takes at most %d bytes at a time",
                               (unsigned)item, list, (unsigned)text.len, (int)CORRAL_TOKENIZER_MAX_TEXT);
        int32_t bad = corral_utf8_invalid_at(text.ptr, (int32_t)text.len);
        if (bad >= 0)
            return corral_fail(CORRAL_ERR_INPUT, "item %u of '%s' is not valid UTF-8 (byte %d)", (unsigned)item, list, (int)bad);
    }
    int32_t n = corral_tokenize(text.ptr, (int32_t)text.len, cfg->special, &out->ids);
    if (n < 0) return 1;
    if (n == 0)
        return list ? corral_fail(CORRAL_ERR_INPUT, "item %u of '%s' (%u bytes) gives no tokens", (unsigned)item, list, (unsigned)text.len)
                    : corral_fail(CORRAL_ERR_INPUT, "the text (%u bytes) gives no tokens", (unsigned)text.len);
    out->count = n;
    if (n > cfg->max_length) {
        if (!cfg->truncate)
            return list ? corral_fail(CORRAL_ERR_INPUT, "item %u of '%s' is %d tokens; this model takes at most %lld — send truncate=true to cut it",
                                      (unsigned)item, list, (int)n, (long long)cfg->max_length)
                        : corral_fail(CORRAL_ERR_INPUT, "the text is %d tokens; this model takes at most %lld — send truncate=true to cut it",
                                      (int)n, (long long)cfg->max_length);
        out->count = (int32_t)cfg->max_length;
        if (cfg->special) out->ids[out->count - 1] = out->ids[n - 1];
    }
    return 0;
}

typedef enum column { IDS, MASK, TYPE_IDS } column;

/* Writes int64 [N,S] `name` (skipped when the name is ""): each row's ids, mask or type ids,
 * then zeros to S. */
static int32_t emit(corral_str name, column what, const row *rows, int32_t n, int32_t s, int64_t *buf) {
    if (name.len == 0) return 0;
    for (int32_t r = 0; r < n; r++) {
        int64_t *out = buf + (size_t)r * (size_t)s;
        for (int32_t i = 0; i < s; i++) {
            int real = i < rows[r].count;
            out[i] = !real || what == TYPE_IDS ? 0 : what == MASK ? 1 : rows[r].ids[i];
        }
    }
    int64_t dims[2] = {n, s};
    return corral_output(name, CORRAL_INT64, dims, 2, buf);
}

/* The single text, when it is a row: *present 1 with the text, 0 when it is not a row. */
static int32_t single_text(int list_mode, corral_str *text, int *present) {
    *present = 0;
    corral_str name;
    int got = corral_config_text("input_text", &name);
    if (got < 0) return 1;
    if (got == 0) {
        if (list_mode) return 0; /* a list step reads a single text only when told to */
        name = (corral_str){"text", 4};
    }
    int32_t in = corral_input_find(name.ptr, (int32_t)name.len);
    if (in < 0) {
        if (list_mode) return 0;
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (this step tokenizes text requests)", (int)name.len, name.ptr);
    }
    if (corral_input_dtype(in) != CORRAL_UINT8 || corral_input_rank(in) != 1)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be uint8 [n] (UTF-8 bytes), got dtype %d rank %d", (int)name.len,
                           name.ptr, (int)corral_input_dtype(in), (int)corral_input_rank(in));
    int32_t len;
    text->ptr = corral_input_load(in, &len);
    if (!text->ptr) return 1;
    text->len = (uint32_t)len;
    *present = 1;
    return 0;
}

CORRAL_ENTRY(tokenize) {
    settings cfg;
    cfg.max_length = corral_config_int("max_length", 512);
    if (cfg.max_length < 1 || cfg.max_length > MAX_LENGTH_CEILING)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'max_length' must be 1..%d, got %lld", MAX_LENGTH_CEILING,
                           (long long)cfg.max_length);
    int64_t special = corral_config_int("add_special_tokens", 1);
    if (special != 0 && special != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'add_special_tokens' must be 0 or 1, got %lld", (long long)special);
    cfg.special = (int32_t)special;
    corral_str ids_name, mask_name, type_name, list_name;
    if (output_name("ids_name", "input_ids", 0, &ids_name) || output_name("mask_name", "attention_mask", 1, &mask_name) ||
        output_name("type_ids_name", "token_type_ids", 1, &type_name))
        return 1;
    int list_mode = corral_config_text("input_list", &list_name);
    if (list_mode < 0) return 1;
    if (list_mode && list_name.len == 0) return corral_fail(CORRAL_ERR_PLUGIN, "config 'input_list' must not be empty");
    cfg.truncate = corral_option_int("truncate", 1);
    if (cfg.truncate != 0 && cfg.truncate != 1)
        return corral_fail(CORRAL_ERR_OPTION, "truncate must be true or false, got %lld", (long long)cfg.truncate);

    corral_str text;
    int has_text;
    if (single_text(list_mode, &text, &has_text)) return 1;
    corral_text_list list = {"", 0, 0};
    if (list_mode) {
        int got = corral_text_list_read(list_name.ptr, &list);
        if (got < 0) return 1;
        if (got == 0)
            return corral_fail(CORRAL_ERR_INPUT, "input '%s' is missing (config 'input_list' names the text list to tokenize)",
                               list_name.ptr);
    }

    int32_t n = has_text + (int32_t)list.count, s = 1;
    row *rows = corral_alloc_array((size_t)(n ? n : 1), sizeof(row));
    if (!rows) return 1;
    if (has_text && tokenize_row(&cfg, text, NULL, 0, &rows[0])) return 1;
    corral_text_iter it = corral_text_iter_begin(&list);
    corral_str item;
    for (uint32_t i = 0; corral_text_next(&it, &item); i++)
        if (tokenize_row(&cfg, item, list_name.ptr, i, &rows[has_text + (int32_t)i])) return 1;
    for (int32_t r = 0; r < n; r++)
        if (rows[r].count > s) s = rows[r].count;
    if ((int64_t)n * s > INT32_MAX / 8)
        return corral_fail(CORRAL_ERR_INPUT, "%d rows of up to %d tokens are too many for one batch", (int)n, (int)s);
    int64_t *buf = corral_alloc_array((size_t)n * (size_t)s + 1, sizeof(int64_t));
    if (!buf) return 1;
    if (emit(ids_name, IDS, rows, n, s, buf) || emit(mask_name, MASK, rows, n, s, buf) ||
        emit(type_name, TYPE_IDS, rows, n, s, buf))
        return 1;
    return 0;
}
