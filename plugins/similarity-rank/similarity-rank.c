/*
 * similarity-rank — ranks items by the cosine similarity of their embeddings to a query's: text
 * queries against detection labels or OCR lines (grounding, document query), or an image against
 * candidate labels (zero-shot classification with a CLIP- or SigLIP-shaped two-tower model).
 *
 * Inputs (names from config):
 *   query        float32 [Q,D] (row 0 is the query) or [D]
 *   candidates   float32 [M,D]; the items are rows candidates_offset .. M-1 (K = M - offset).
 *                Absent, or M = 0 (the host skipped the encoder on an empty batch): no items.
 *   item_texts   text list (ABI §4.6) of K strings, optional
 *   item_boxes   float32 [K,4] or [K,4,2], optional
 *   item_scores  float32 [K], optional
 *
 * Config:
 *   query              string  (required)
 *   candidates         string  (required)
 *   candidates_offset  int     0       1 when query and candidates are one tensor
 *   mode               string  "rank"  rank | softmax | sigmoid
 *   logit_scale        number  100     softmax, sigmoid: logit = logit_scale · cosine + logit_bias
 *   logit_bias         number  0       sigmoid (SigLIP's learned bias); softmax ignores a shift
 *   item_texts, item_boxes, item_scores  string  (none)  input names
 *   text_key           string  "text" in rank mode, "label" otherwise: the JSON key of an item's text
 * Options:
 *   top_k              int     all     ≥ 1; the best k items
 *
 * Results, best first:
 *   rank     {"matches":[{TEXT_KEY:"…","similarity":0.61,"score":0.93,"box":[…],"index":2}]}
 *            by similarity (ties: higher score, then lower index); score and box only when
 *            item_scores / item_boxes are configured, the text only with item_texts.
 *   softmax  {"labels":[{TEXT_KEY:"…","score":p,"logit":l,"index":0}]}: p = softmax over all K
 *   sigmoid  the same with p = 1 / (1 + e^-l) per item (they do not sum to 1)
 *            by p (ties: lower index).
 * Cosines are computed in double with norms of at least 1e-12 (a zero vector has similarity 0).
 * Floats are float32, written with the fewest digits that read back exactly.
 */
#include "corral.h"
#include "corral_text.h"

CORRAL_ABI_VERSION_EXPORT

typedef enum mode { RANK, SOFTMAX, SIGMOID } mode;

typedef struct rank_config {
    corral_str query, candidates, item_texts, item_boxes, item_scores, text_key;
    int64_t offset;
    mode mode;
    double logit_scale, logit_bias;
} rank_config;

/* The config string `key` into *out: 1 when present and not empty, 0 when absent, -1 on failure. */
static int optional_name(const char *key, corral_str *out) {
    int got = corral_config_text(key, out);
    if (got > 0 && out->len == 0) return corral_fail(CORRAL_ERR_PLUGIN, "config '%s' must not be empty", key), -1;
    return got;
}

static int32_t read_config(rank_config *c) {
    corral_str mode_name;
    int got;
    if ((got = optional_name("query", &c->query)) <= 0)
        return got < 0 ? 1 : corral_fail(CORRAL_ERR_PLUGIN, "config 'query' is required: the name of the query's embedding tensor");
    if ((got = optional_name("candidates", &c->candidates)) <= 0)
        return got < 0 ? 1 : corral_fail(CORRAL_ERR_PLUGIN, "config 'candidates' is required: the name of the items' embedding tensor");
    if (optional_name("item_texts", &c->item_texts) < 0 || optional_name("item_boxes", &c->item_boxes) < 0 ||
        optional_name("item_scores", &c->item_scores) < 0 || optional_name("mode", &mode_name) < 0)
        return 1;
    if (mode_name.len == 0 || corral_str_eq(mode_name, "rank")) c->mode = RANK;
    else if (corral_str_eq(mode_name, "softmax")) c->mode = SOFTMAX;
    else if (corral_str_eq(mode_name, "sigmoid")) c->mode = SIGMOID;
    else return corral_fail(CORRAL_ERR_PLUGIN, "config 'mode' must be rank, softmax or sigmoid, got '%s'", mode_name.ptr);
    if ((got = optional_name("text_key", &c->text_key)) < 0) return 1;
    if (got == 0) c->text_key = c->mode == RANK ? (corral_str){"text", 4} : (corral_str){"label", 5};
    c->offset = corral_config_int("candidates_offset", 0);
    if (c->offset < 0 || c->offset > INT32_MAX)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'candidates_offset' must be 0 or more, got %lld", (long long)c->offset);
    c->logit_scale = corral_config_num("logit_scale", 100);
    c->logit_bias = corral_config_num("logit_bias", 0);
    if (!corral_isfinite(c->logit_scale) || !corral_isfinite(c->logit_bias))
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'logit_scale' and 'logit_bias' must be finite numbers");
    return 0;
}

/* An embedding tensor's rows and width: float32 [rows,D], or [D] when `vector_ok`. -1 after set_error. */
static int32_t embedding_shape(int32_t in, corral_str name, const char *role, int vector_ok, int64_t *rows, int64_t *width) {
    int64_t d[2] = {0, 0};
    int32_t rank = corral_input_shape(in, d, 2);
    if (rank == 1 && vector_ok) { d[1] = d[0]; d[0] = 1; }
    else if (rank != 2) d[1] = 0;
    int empty = rank == 2 && d[0] == 0; /* [0,0] too: an empty batch's embeddings (embed-pool) */
    if (corral_input_dtype(in) != CORRAL_FLOAT32 || (!empty && (d[1] < 1 || d[1] > (1 << 20))))
        return corral_fail(CORRAL_ERR_INPUT, "%s '%.*s' must be float32 [%s,D] embeddings, got dtype %d rank %d", role, (int)name.len,
                           name.ptr, vector_ok ? "Q" : "N", (int)corral_input_dtype(in), (int)rank), -1;
    *rows = d[0];
    *width = d[1];
    return 0;
}

/* Reads row `row` of a float32 [*, width] input into v (as doubles); returns its L2 norm, at
 * least 1e-12, or -1 after set_error. */
static double read_row(int32_t in, corral_str name, int64_t row, int64_t width, float *buf, double *v) {
    int32_t bytes = (int32_t)(width * 4);
    if (corral_input_read(in, (int32_t)(row * bytes), buf, bytes) != bytes)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds fewer floats than its shape says", (int)name.len, name.ptr), -1.0;
    double squares = 0;
    for (int64_t i = 0; i < width; i++) {
        if (!corral_isfinite(buf[i]))
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' row %lld value %lld is not finite", (int)name.len, name.ptr,
                               (long long)row, (long long)i), -1.0;
        v[i] = buf[i];
        squares += v[i] * v[i];
    }
    double norm = __builtin_sqrt(squares);
    return norm < 1e-12 ? 1e-12 : norm;
}

/* Fails unless an item tensor has exactly `k` items: names both tensors and both counts. */
static int32_t same_count(const rank_config *c, corral_str items, int64_t found, int64_t k) {
    if (found == k) return 0;
    return corral_fail(CORRAL_ERR_PLUGIN, "'%.*s' has %lld items but candidates '%.*s' has %lld rows after candidates_offset %lld; "
                       "item tensors must match the candidates row for row",
                       (int)items.len, items.ptr, (long long)found, (int)c->candidates.len, c->candidates.ptr, (long long)k,
                       (long long)c->offset);
}

/* The input `name` (configured), or -1 after set_error when it is missing. */
static int32_t required_input(corral_str name, const char *role) {
    int32_t in = corral_input_find(name.ptr, (int32_t)name.len);
    if (in < 0) corral_fail(CORRAL_ERR_INPUT, "input '%.*s' (config '%s') is missing", (int)name.len, name.ptr, role);
    return in;
}

typedef struct items {
    int64_t k;
    corral_str *texts;  /* NULL without item_texts */
    float *boxes;       /* NULL without item_boxes; box_values floats per item */
    int32_t box_values; /* 4 ([K,4]) or 8 ([K,4,2]) */
    float *scores;      /* NULL without item_scores */
} items;

static int32_t read_items(const rank_config *c, items *it) {
    if (c->item_texts.len) {
        corral_text_list list;
        int got = corral_text_list_read(c->item_texts.ptr, &list);
        if (got < 0) return 1;
        if (got == 0) return required_input(c->item_texts, "item_texts"), 1;
        if (same_count(c, c->item_texts, list.count, it->k)) return 1;
        it->texts = corral_alloc_array((size_t)it->k + 1, sizeof(corral_str));
        if (!it->texts) return 1;
        corral_text_iter iter = corral_text_iter_begin(&list);
        for (int64_t i = 0; corral_text_next(&iter, &it->texts[i]); i++) {}
    }
    if (c->item_boxes.len) {
        int32_t in = required_input(c->item_boxes, "item_boxes");
        if (in < 0) return 1;
        int64_t d[3] = {0, 0, 0};
        int32_t rank = corral_input_shape(in, d, 3);
        int quads = rank == 3 && d[1] == 4 && d[2] == 2;
        if (corral_input_dtype(in) != CORRAL_FLOAT32 || !((rank == 2 && d[1] == 4) || quads))
            return corral_fail(CORRAL_ERR_PLUGIN, "item_boxes '%.*s' must be float32 [K,4] or [K,4,2], got dtype %d rank %d",
                               (int)c->item_boxes.len, c->item_boxes.ptr, (int)corral_input_dtype(in), (int)rank);
        if (same_count(c, c->item_boxes, d[0], it->k)) return 1;
        it->box_values = quads ? 8 : 4;
        int32_t bytes;
        it->boxes = corral_input_load(in, &bytes);
        if (!it->boxes) return 1;
    }
    if (c->item_scores.len) {
        int32_t in = required_input(c->item_scores, "item_scores");
        if (in < 0) return 1;
        int64_t d[1] = {0};
        if (corral_input_dtype(in) != CORRAL_FLOAT32 || corral_input_shape(in, d, 1) != 1)
            return corral_fail(CORRAL_ERR_PLUGIN, "item_scores '%.*s' must be float32 [K], got dtype %d rank %d",
                               (int)c->item_scores.len, c->item_scores.ptr, (int)corral_input_dtype(in), (int)corral_input_rank(in));
        if (same_count(c, c->item_scores, d[0], it->k)) return 1;
        int32_t bytes;
        it->scores = corral_input_load(in, &bytes);
        if (!it->scores) return 1;
    }
    return 0;
}

/* Does item a come before item b? By value, then (rank mode) by score; equal ones keep their order. */
static int before(int32_t a, int32_t b, const double *value, const float *scores) {
    if (value[a] != value[b]) return value[a] > value[b];
    return scores && scores[a] > scores[b];
}

/* Stable merge sort of order[0..n) (tmp: n more slots). */
static void sort_items(int32_t *order, int32_t *tmp, int32_t n, const double *value, const float *scores) {
    for (int32_t width = 1; width < n; width *= 2) {
        for (int32_t lo = 0; lo < n; lo += 2 * width) {
            int32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int32_t i = lo, j = mid, out = lo;
            while (i < mid && j < hi) tmp[out++] = before(order[j], order[i], value, scores) ? order[j++] : order[i++];
            while (i < mid) tmp[out++] = order[i++];
            while (j < hi) tmp[out++] = order[j++];
        }
        memcpy(order, tmp, (size_t)n * sizeof(int32_t));
    }
}

static int32_t emit_empty(const rank_config *c) {
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, c->mode == RANK ? "matches" : "labels");
    corral_json_array_begin(&j);
    corral_json_array_end(&j);
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}

static int32_t emit(const rank_config *c, const items *it, const int32_t *order, int32_t top, const double *cosine,
                    const double *logit, const double *p) {
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, c->mode == RANK ? "matches" : "labels");
    corral_json_array_begin(&j);
    for (int32_t r = 0; r < top; r++) {
        int32_t k = order[r];
        corral_json_object_begin(&j);
        if (it->texts) {
            corral_json_keyn(&j, c->text_key.ptr, c->text_key.len);
            corral_json_string(&j, it->texts[k].ptr, it->texts[k].len);
        }
        if (c->mode == RANK) {
            corral_json_key(&j, "similarity");
            corral_json_f32(&j, (float)cosine[k]);
            if (it->scores) {
                corral_json_key(&j, "score");
                corral_json_f32(&j, it->scores[k]);
            }
            if (it->boxes) {
                const float *b = it->boxes + (size_t)k * (size_t)it->box_values;
                corral_json_key(&j, "box");
                corral_json_array_begin(&j);
                for (int32_t v = 0; v < it->box_values; v += it->box_values == 8 ? 2 : 4) {
                    if (it->box_values == 8) corral_json_array_begin(&j);
                    for (int32_t e = v; e < v + (it->box_values == 8 ? 2 : 4); e++) corral_json_f32(&j, b[e]);
                    if (it->box_values == 8) corral_json_array_end(&j);
                }
                corral_json_array_end(&j);
            }
        } else {
            corral_json_key(&j, "score");
            corral_json_f32(&j, (float)p[k]);
            corral_json_key(&j, "logit");
            corral_json_f32(&j, (float)logit[k]);
        }
        corral_json_key(&j, "index");
        corral_json_int(&j, k);
        corral_json_object_end(&j);
    }
    corral_json_array_end(&j);
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}

CORRAL_ENTRY(rank) {
    rank_config c;
    if (read_config(&c)) return 1;
    int32_t cand = corral_input_find(c.candidates.ptr, (int32_t)c.candidates.len);
    if (cand < 0) return emit_empty(&c); /* the host skipped the encoder: an empty batch */
    int64_t rows, width, qrows, qwidth;
    if (embedding_shape(cand, c.candidates, "candidates", 0, &rows, &width)) return 1;
    if (rows == 0) return emit_empty(&c);
    if (rows < c.offset)
        return corral_fail(CORRAL_ERR_PLUGIN, "candidates '%.*s' has %lld rows, fewer than candidates_offset %lld",
                           (int)c.candidates.len, c.candidates.ptr, (long long)rows, (long long)c.offset);
    int32_t query = required_input(c.query, "query");
    if (query < 0 || embedding_shape(query, c.query, "query", 1, &qrows, &qwidth)) return 1;
    if (qrows < 1)
        return corral_fail(CORRAL_ERR_INPUT, "query '%.*s' has no rows: there is no query to compare", (int)c.query.len, c.query.ptr);
    if (qwidth != width)
        return corral_fail(CORRAL_ERR_PLUGIN, "query '%.*s' has %lld values per row but candidates '%.*s' has %lld; both must come from one embedding space",
                           (int)c.query.len, c.query.ptr, (long long)qwidth, (int)c.candidates.len, c.candidates.ptr, (long long)width);
    int64_t top_k = corral_option_int("top_k", INT32_MAX);
    if (top_k < 1) return corral_fail(CORRAL_ERR_OPTION, "top_k must be at least 1, got %lld", (long long)top_k);

    items it = {rows - c.offset, 0, 0, 0, 0};
    if (read_items(&c, &it)) return 1;
    int32_t k = (int32_t)it.k;
    float *buf = corral_alloc_array((size_t)width, sizeof(float));
    double *q = corral_alloc_array((size_t)width, sizeof(double)), *v = corral_alloc_array((size_t)width, sizeof(double));
    double *cosine = corral_alloc_array((size_t)k + 1, sizeof(double)), *logit = corral_alloc_array((size_t)k + 1, sizeof(double));
    double *p = corral_alloc_array((size_t)k + 1, sizeof(double));
    int32_t *order = corral_alloc_array((size_t)k * 2 + 1, sizeof(int32_t));
    if (!buf || !q || !v || !cosine || !logit || !p || !order) return 1;
    double qnorm = read_row(query, c.query, 0, width, buf, q);
    if (qnorm < 0) return 1;
    for (int32_t i = 0; i < k; i++) {
        double norm = read_row(cand, c.candidates, c.offset + i, width, buf, v);
        if (norm < 0) return 1;
        double dot = 0;
        for (int64_t e = 0; e < width; e++) dot += q[e] * v[e];
        cosine[i] = dot / (qnorm * norm);
        logit[i] = c.logit_scale * cosine[i] + c.logit_bias;
        order[i] = i;
    }
    if (c.mode == SOFTMAX) {
        double max = logit[0], total = 0;
        for (int32_t i = 1; i < k; i++) if (logit[i] > max) max = logit[i];
        for (int32_t i = 0; i < k; i++) total += p[i] = corral_expf((float)(logit[i] - max));
        for (int32_t i = 0; i < k; i++) p[i] /= total;
    } else if (c.mode == SIGMOID) {
        for (int32_t i = 0; i < k; i++) p[i] = 1.0 / (1.0 + (double)corral_expf((float)-logit[i]));
    }
    sort_items(order, order + k, k, c.mode == RANK ? cosine : logit, c.mode == RANK ? it.scores : 0);
    return emit(&c, &it, order, top_k < k ? (int32_t)top_k : k, cosine, logit, p);
}
