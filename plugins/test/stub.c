/*
 * A stub Corral host for native tests: the `corral` imports of ABI v1 over in-memory state.
 * Where the real host would fail the call for an ABI violation (bad index, wrong parameter
 * type, bad output), the stub prints the violation and ends the test process with status 3,
 * which the runner reports as a failed test.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"

static void violation(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    ABI violation: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    exit(3);
}

/* ---- inputs ---------------------------------------------------------------------------- */
static stub_tensor inputs[16];
static int input_total;

void stub_input(const char *name, int32_t dtype, const int64_t *dims, int32_t rank, const void *data, int32_t bytes) {
    stub_tensor *t = &inputs[input_total++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = dtype;
    t->rank = rank;
    memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
    t->data = malloc(bytes ? (size_t)bytes : 1);
    memcpy(t->data, data, (size_t)bytes);
    t->bytes = bytes;
}

void stub_input_text_list(const char *name, const char *const *items, int count) {
    char buf[512];
    int32_t len = 0;
    for (int i = 0; i < count; i++) {
        uint32_t n = (uint32_t)strlen(items[i]);
        for (int b = 0; b < 4; b++) buf[len++] = (char)(n >> (8 * b));
        memcpy(buf + len, items[i], n);
        len += (int32_t)n;
    }
    int64_t dims[1] = {len};
    stub_input(name, CORRAL_UINT8, dims, 1, buf, len);
}

void stub_set_input_data(const char *name, const void *data, int32_t bytes) {
    int32_t index = corral_input_find(name, (int32_t)strlen(name));
    if (index < 0 || inputs[index].bytes != bytes) violation("stub_set_input_data: no input '%s' of %d bytes", name, bytes);
    memcpy(inputs[index].data, data, (size_t)bytes);
}

void stub_reset_inputs(void) {
    for (int i = 0; i < input_total; i++) free(inputs[i].data);
    input_total = 0;
}

static stub_tensor *input_at(int32_t index) {
    if (index < 0 || index >= input_total) violation("input index %d outside 0..%d", index, input_total - 1);
    return &inputs[index];
}

int32_t corral_input_count(void) { return input_total; }

int32_t corral_input_find(const char *name, int32_t len) {
    for (int i = 0; i < input_total; i++)
        if ((int32_t)strlen(inputs[i].name) == len && memcmp(inputs[i].name, name, (size_t)len) == 0) return i;
    return -1;
}

int32_t corral_input_name(int32_t index, char *dst, int32_t cap) {
    stub_tensor *t = input_at(index);
    int32_t len = (int32_t)strlen(t->name);
    if (cap > 0) memcpy(dst, t->name, (size_t)(len < cap ? len : cap));
    return len;
}

int32_t corral_input_dtype(int32_t index) { return input_at(index)->dtype; }
int32_t corral_input_rank(int32_t index) { return input_at(index)->rank; }
int32_t corral_input_byte_size(int32_t index) { return input_at(index)->bytes; }

int64_t corral_input_dim(int32_t index, int32_t axis) {
    stub_tensor *t = input_at(index);
    if (axis < 0 || axis >= t->rank) violation("axis %d outside 0..%d of input %d", axis, t->rank - 1, index);
    return t->dims[axis];
}

int32_t corral_input_read(int32_t index, int32_t offset, void *dst, int32_t len) {
    stub_tensor *t = input_at(index);
    if (offset < 0 || len < 0) violation("input_read offset %d len %d", offset, len);
    if (offset >= t->bytes) return 0;
    int32_t n = t->bytes - offset < len ? t->bytes - offset : len;
    if (n > 0) memcpy(dst, (char *)t->data + offset, (size_t)n);
    return n;
}

/* ---- parameters ------------------------------------------------------------------------ */
enum kind { INT, NUM, STR, NUMS };
typedef struct param {
    char key[64];
    enum kind kind;
    int64_t i;
    double d;
    char *s;
    double nums[64];
    int32_t count;
    int str_reads;
} param;

typedef struct namespace_ {
    const char *what;
    param items[32];
    int total;
} namespace_;
static namespace_ config = {.what = "config"}, options = {.what = "option"};

static param *add(namespace_ *ns, const char *key, enum kind kind) {
    param *p = &ns->items[ns->total++];
    snprintf(p->key, sizeof p->key, "%s", key);
    p->kind = kind;
    return p;
}

void stub_config_int(const char *key, int64_t value) { add(&config, key, INT)->i = value; }
void stub_config_num(const char *key, double value) { add(&config, key, NUM)->d = value; }
void stub_config_str(const char *key, const char *value) { add(&config, key, STR)->s = strdup(value); }
void stub_option_int(const char *key, int64_t value) { add(&options, key, INT)->i = value; }
void stub_option_num(const char *key, double value) { add(&options, key, NUM)->d = value; }
void stub_option_str(const char *key, const char *value) { add(&options, key, STR)->s = strdup(value); }
void stub_config_nums(const char *key, const double *values, int32_t count) {
    param *p = add(&config, key, NUMS);
    memcpy(p->nums, values, sizeof(double) * (size_t)count);
    p->count = count;
}

void stub_reset_options(void) { options.total = 0; }

static param *find(namespace_ *ns, const char *key, int32_t len) {
    for (int i = 0; i < ns->total; i++)
        if ((int32_t)strlen(ns->items[i].key) == len && memcmp(ns->items[i].key, key, (size_t)len) == 0)
            return &ns->items[i];
    return NULL;
}

int stub_config_str_reads(const char *key) {
    param *p = find(&config, key, (int32_t)strlen(key));
    return p ? p->str_reads : 0;
}

static int64_t get_i64(namespace_ *ns, const char *key, int32_t len, int64_t dflt) {
    param *p = find(ns, key, len);
    if (!p) return dflt;
    if (p->kind == INT) return p->i;
    if (p->kind == NUM && p->d == (double)(int64_t)p->d) return (int64_t)p->d;
    violation("%s '%.*s' read as an integer but it is not one", ns->what, len, key);
    return 0;
}

static double get_f64(namespace_ *ns, const char *key, int32_t len, double dflt) {
    param *p = find(ns, key, len);
    if (!p) return dflt;
    if (p->kind == INT) return (double)p->i;
    if (p->kind == NUM) return p->d;
    violation("%s '%.*s' read as a number but it is not one", ns->what, len, key);
    return 0;
}

static int32_t get_str(namespace_ *ns, const char *key, int32_t len, char *dst, int32_t cap) {
    param *p = find(ns, key, len);
    if (!p) return -1;
    if (p->kind != STR) violation("%s '%.*s' read as a string but it is not one", ns->what, len, key);
    p->str_reads++;
    int32_t n = (int32_t)strlen(p->s);
    if (cap < 0) violation("negative capacity");
    if (n > 0 && cap > 0) memcpy(dst, p->s, (size_t)(n < cap ? n : cap));
    return n;
}

static int32_t get_f64s(namespace_ *ns, const char *key, int32_t len, double *dst, int32_t cap) {
    param *p = find(ns, key, len);
    if (!p) return -1;
    if (p->kind != NUMS) violation("%s '%.*s' read as a number array but it is not one", ns->what, len, key);
    if (p->count > 0 && cap > 0) memcpy(dst, p->nums, sizeof(double) * (size_t)(p->count < cap ? p->count : cap));
    return p->count;
}

int64_t corral_config_i64(const char *k, int32_t n, int64_t d) { return get_i64(&config, k, n, d); }
double corral_config_f64(const char *k, int32_t n, double d) { return get_f64(&config, k, n, d); }
int32_t corral_config_str(const char *k, int32_t n, char *dst, int32_t cap) { return get_str(&config, k, n, dst, cap); }
int32_t corral_config_f64s(const char *k, int32_t n, double *dst, int32_t cap) { return get_f64s(&config, k, n, dst, cap); }
int64_t corral_option_i64(const char *k, int32_t n, int64_t d) { return get_i64(&options, k, n, d); }
double corral_option_f64(const char *k, int32_t n, double d) { return get_f64(&options, k, n, d); }
int32_t corral_option_str(const char *k, int32_t n, char *dst, int32_t cap) { return get_str(&options, k, n, dst, cap); }
int32_t corral_option_f64s(const char *k, int32_t n, double *dst, int32_t cap) { return get_f64s(&options, k, n, dst, cap); }

/* ---- outputs and diagnostics -------------------------------------------------------------- */
static stub_tensor outputs[16];
static int output_total;
static char *json;
static int32_t error_code;
static char error_message[1025];

void stub_begin_call(void) {
    for (int i = 0; i < output_total; i++) free(outputs[i].data);
    output_total = 0;
    free(json);
    json = NULL;
    error_code = 0;
    error_message[0] = 0;
}

int32_t corral_output_tensor(const char *name, int32_t name_len, int32_t dtype, const int64_t *dims, int32_t rank,
                             const void *data, int32_t data_len) {
    if (name_len < 1 || name_len > 128) violation("output name of %d bytes", name_len);
    for (int i = 0; i < output_total; i++)
        if ((int32_t)strlen(outputs[i].name) == name_len && memcmp(outputs[i].name, name, (size_t)name_len) == 0)
            violation("output '%.*s' written twice", name_len, name);
    if (corral_dtype_size(dtype) == 0) violation("output dtype %d", dtype);
    if (rank < 0 || rank > 8) violation("output rank %d", rank);
    int64_t bytes = corral_dtype_size(dtype);
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) violation("output dimension %d is %lld", i, (long long)dims[i]);
        bytes *= dims[i];
    }
    if (bytes != data_len) violation("output '%.*s': dims give %lld bytes, data_len is %d", name_len, name,
                                     (long long)bytes, data_len);
    stub_tensor *t = &outputs[output_total++];
    memcpy(t->name, name, (size_t)name_len);
    t->name[name_len] = 0;
    t->dtype = dtype;
    t->rank = rank;
    memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
    t->data = malloc(data_len ? (size_t)data_len : 1);
    memcpy(t->data, data, (size_t)data_len);
    t->bytes = data_len;
    return 0;
}

int32_t corral_output_json(const char *text, int32_t len) {
    if (json) violation("output_json called twice");
    if (len < 2 || text[0] != '{' || text[len - 1] != '}') violation("output_json is not an object: %.*s", len, text);
    json = malloc((size_t)len + 1);
    memcpy(json, text, (size_t)len);
    json[len] = 0;
    return 0;
}

void corral_log(int32_t level, const char *msg, int32_t len) { fprintf(stderr, "    [plugin log %d] %.*s\n", level, len, msg); }

void corral_set_error(int32_t code, const char *msg, int32_t len) {
    if (len > 1024) len = 1024;
    error_code = code;
    memcpy(error_message, msg, (size_t)len);
    error_message[len] = 0;
}

const stub_tensor *stub_output(const char *name) {
    for (int i = 0; i < output_total; i++)
        if (strcmp(outputs[i].name, name) == 0) return &outputs[i];
    return NULL;
}
int stub_output_count(void) { return output_total; }
const char *stub_json(void) { return json; }
int32_t stub_error_code(void) { return error_code; }
const char *stub_error_message(void) { return error_message; }

/* ---- the tokenizer capability, faked: bytes <-> ids ----------------------------------------- */
enum { FAKE_PAD, FAKE_BOS, FAKE_EOS, FAKE_BYTE0, FAKE_VOCAB = FAKE_BYTE0 + 256 };
static const char *const fake_specials[FAKE_BYTE0] = {"<pad>", "<s>", "</s>"};
static int bos_only, ids_per_byte = 1, encode_calls;

void stub_tokenizer_bos_only(int on) { bos_only = on; }
void stub_tokenizer_ids_per_byte(int count) { ids_per_byte = count; }
int stub_tokenizer_encode_calls(void) { return encode_calls; }

int32_t corral_tokenizer_encode(const char *text, int32_t len, int32_t flags, int32_t *dst, int32_t cap) {
    encode_calls++;
    if (flags & ~1) violation("tokenizer_encode flags %d (only bit 0 is defined)", flags);
    if (len < 0 || len > (1 << 20)) violation("tokenizer_encode text of %d bytes (at most 1 MiB)", len);
    if (cap < 0) violation("tokenizer_encode capacity %d", cap);
    if (corral_utf8_invalid_at(text, len) >= 0) violation("tokenizer_encode text is not UTF-8");
    int32_t n = 0;
#define PUT(id) do { if (n < cap) dst[n] = (id); n++; } while (0)
    if (flags & 1) PUT(FAKE_BOS);
    for (int32_t i = 0; i < len; i++)
        for (int k = 0; k < ids_per_byte; k++) PUT(FAKE_BYTE0 + (unsigned char)text[i]);
    if ((flags & 1) && !bos_only) PUT(FAKE_EOS);
#undef PUT
    return n;
}

int32_t corral_tokenizer_decode(const int32_t *ids, int32_t count, int32_t flags, char *dst, int32_t cap) {
    if (flags & ~1) violation("tokenizer_decode flags %d (only bit 0 is defined)", flags);
    if (count < 0 || cap < 0) violation("tokenizer_decode count %d capacity %d", count, cap);
    int32_t n = 0;
    for (int32_t i = 0; i < count; i++) {
        if (ids[i] < 0 || ids[i] >= FAKE_VOCAB) violation("tokenizer_decode id %d outside 0..%d", ids[i], FAKE_VOCAB - 1);
        if (ids[i] >= FAKE_BYTE0) {
            if (n < cap) dst[n] = (char)(ids[i] - FAKE_BYTE0);
            n++;
        } else if (!(flags & 1)) {
            for (const char *s = fake_specials[ids[i]]; *s; s++, n++)
                if (n < cap) dst[n] = *s;
        }
    }
    return n;
}

int32_t corral_tokenizer_token_id(const char *str, int32_t len) {
    for (int32_t id = 0; id < FAKE_BYTE0; id++)
        if ((int32_t)strlen(fake_specials[id]) == len && memcmp(fake_specials[id], str, (size_t)len) == 0) return id;
    return len == 1 ? FAKE_BYTE0 + (unsigned char)str[0] : -1;
}

int32_t corral_tokenizer_vocab_size(void) { return FAKE_VOCAB; }

/* ---- linear memory: the arena's heap, grown page by page up to a limit -------------------- */
#define NATIVE_RESERVED_PAGES 8192u /* 512 MiB of address space, committed only when touched */
static unsigned char *heap;
static uint32_t pages = 2, max_pages = 1024; /* the ABI's default limit: 64 MiB */

unsigned char *corral_native_heap_start(void) {
    if (!heap) heap = calloc(NATIVE_RESERVED_PAGES, CORRAL_PAGE_SIZE);
    if (!heap) violation("cannot reserve the native heap");
    return heap;
}
uintptr_t corral_native_memory_end(void) { return (uintptr_t)corral_native_heap_start() + (uintptr_t)pages * CORRAL_PAGE_SIZE; }
int32_t corral_native_memory_grow(uint32_t more) {
    if (more > max_pages - pages) return -1;
    uint32_t before = pages;
    pages += more;
    return (int32_t)before;
}
void stub_set_max_pages(uint32_t limit) { max_pages = limit < NATIVE_RESERVED_PAGES ? limit : NATIVE_RESERVED_PAGES; }
