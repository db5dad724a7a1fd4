/*
 * corral_text.h — text lists (ABI §4.6) for Corral C plugins: read one from an input, walk its
 * items, build one and write it as an output. Include after corral.h.
 *
 * A text list is a uint8 [n] tensor: records back to back, each a u32 LE byte length and then
 * that many UTF-8 bytes. Zero records are zero bytes. The request's `texts` is one; plugins that
 * hand strings to later steps (detection labels, OCR lines) write them the same way.
 *
 *     corral_text_list labels;
 *     int got = corral_text_list_read("det_labels", &labels);   // 1 present, 0 absent, -1 error
 *     if (got < 0) return 1;
 *     corral_text_iter it = corral_text_iter_begin(&labels);
 *     corral_str item;
 *     while (corral_text_next(&it, &item)) { ... }
 *
 *     corral_text_writer w;
 *     corral_text_writer_init(&w);
 *     corral_text_writer_add(&w, "person", 6);
 *     return corral_text_writer_emit(&w, "det_labels");           // uint8 [10]
 */
#ifndef CORRAL_TEXT_H
#define CORRAL_TEXT_H

#include "corral.h"

/* A checked text list: `count` records over `len` bytes at `data` (in the arena). Reading checks
 * every record's length against the bytes left, so walking it needs no further checks. */
typedef struct corral_text_list {
    const char *data;
    uint32_t len;
    uint32_t count;
} corral_text_list;

static inline uint32_t corral__u32le(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* Checks `len` bytes as a text list (record lengths only; UTF-8 is the reader's business) and
 * counts its records. `name` is the tensor's name, for the message. Returns 0, or code 2 (error
 * set) naming the record that runs past the end. */
static inline int32_t corral_text_list_check(const char *name, const char *data, uint32_t len, corral_text_list *out) {
    uint32_t pos = 0, count = 0;
    while (pos < len) {
        if (len - pos < 4)
            return corral_fail(CORRAL_ERR_INPUT, "text list '%s': record %u starts at byte %u but only %u bytes are left for its 4-byte length",
                               name, (unsigned)count, (unsigned)pos, (unsigned)(len - pos));
        uint32_t n = corral__u32le(data + pos);
        if (n > len - pos - 4)
            return corral_fail(CORRAL_ERR_INPUT, "text list '%s': record %u is %u bytes but only %u bytes follow its length",
                               name, (unsigned)count, (unsigned)n, (unsigned)(len - pos - 4));
        pos += 4 + n;
        count++;
    }
    out->data = data;
    out->len = len;
    out->count = count;
    return 0;
}

/* Reads the input `name` as a text list into the arena. Returns 1 when present (and valid),
 * 0 when there is no such input (*out is then the empty list), -1 on failure (error set: code 2
 * for a tensor that is not uint8 [n] or a record that runs past the end). */
static inline int corral_text_list_read(const char *name, corral_text_list *out) {
    *out = (corral_text_list){"", 0, 0};
    int32_t index = corral_input_index(name);
    if (index < 0) return 0;
    if (corral_input_dtype(index) != CORRAL_UINT8 || corral_input_rank(index) != 1)
        return corral_fail(CORRAL_ERR_INPUT, "input '%s' must be a text list, uint8 [n]; got dtype %d rank %d", name,
                           (int)corral_input_dtype(index), (int)corral_input_rank(index)), -1;
    int32_t bytes;
    const char *data = (const char *)corral_input_load(index, &bytes);
    if (!data) return -1;
    return corral_text_list_check(name, data, (uint32_t)bytes, out) ? -1 : 1;
}

/* A position in a checked list. */
typedef struct corral_text_iter {
    const corral_text_list *list;
    uint32_t pos;
} corral_text_iter;

static inline corral_text_iter corral_text_iter_begin(const corral_text_list *list) {
    return (corral_text_iter){list, 0};
}

/* The next item into *item (pointing into the list); 0 after the last one. */
static inline int corral_text_next(corral_text_iter *it, corral_str *item) {
    const corral_text_list *l = it->list;
    if (it->pos >= l->len) return 0;
    uint32_t n = corral__u32le(l->data + it->pos);
    item->ptr = l->data + it->pos + 4;
    item->len = n;
    it->pos += 4 + n;
    return 1;
}

/* Builds a text list in a growable arena buffer; the first failure is remembered (as in
 * corral_json) and reported by corral_text_writer_emit. */
typedef struct corral_text_writer {
    char *data;
    uint32_t len, cap, count;
    uint8_t failed;
} corral_text_writer;

static inline void corral_text_writer_init(corral_text_writer *w) { memset(w, 0, sizeof *w); }

/* Appends one item of `len` bytes. */
static inline void corral_text_writer_add(corral_text_writer *w, const char *text, uint32_t len) {
    if (w->failed) return;
    if (len > INT32_MAX - 4 || w->len > (uint32_t)INT32_MAX - 4 - len) {
        corral_fail(CORRAL_ERR_PLUGIN, "text list too large for ABI v1: item %u of %u bytes", (unsigned)w->count, (unsigned)len);
        w->failed = 1;
        return;
    }
    uint32_t need = w->len + 4 + len;
    if (need > w->cap) {
        uint32_t cap = w->cap ? w->cap : 256;
        while (cap < need) cap = cap > (uint32_t)INT32_MAX / 2 ? (uint32_t)INT32_MAX : cap * 2;
        char *data = (char *)corral_realloc(w->data, w->cap, cap);
        if (!data) { w->failed = 1; return; }
        w->data = data;
        w->cap = cap;
    }
    char *p = w->data + w->len;
    p[0] = (char)(len & 0xff);
    p[1] = (char)(len >> 8 & 0xff);
    p[2] = (char)(len >> 16 & 0xff);
    p[3] = (char)(len >> 24);
    if (len) memcpy(p + 4, text, len);
    w->len = need;
    w->count++;
}

/* Writes the list as the uint8 [n] output `name`. Returns 0, or 1 when building failed (error set). */
static inline int32_t corral_text_writer_emit(corral_text_writer *w, const char *name) {
    if (w->failed) return CORRAL_ERR_PLUGIN;
    int64_t dims[1] = {w->len};
    return corral_output((corral_str){name, (uint32_t)corral_strlen(name)}, CORRAL_UINT8, dims, 1, w->len ? w->data : "");
}

#endif /* CORRAL_TEXT_H */
