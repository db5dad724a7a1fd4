/*
 * corral.h — the C SDK for Corral plugins, ABI version 1 (plugin-sdk/ABI.md).
 *
 * Header-only and freestanding: a plugin is one C file that includes this header and is
 * built with clang for wasm32 without any libc (see README.md beside this file). Everything a
 * plugin author would normally take from libc and that a plugin needs is here, small and
 * deterministic: memory functions, an arena allocator, a JSON writer, number formatting,
 * expf and error/log helpers.
 *
 * The same source also compiles natively (x86-64, any C compiler): the imports then become
 * ordinary extern functions that a test harness implements over in-memory tensors, and the
 * arena asks the harness for its memory (plugins/test/stub.c). So a plugin can be tested with
 * a debugger and sanitizers before it ever runs in the sandbox.
 *
 * A minimal plugin:
 *
 *     #include "corral.h"
 *     CORRAL_ABI_VERSION_EXPORT
 *     CORRAL_ENTRY(process) {
 *         corral_json j;
 *         corral_json_init(&j);
 *         corral_json_object_begin(&j);
 *         corral_json_key(&j, "inputs");
 *         corral_json_int(&j, corral_input_count());
 *         corral_json_object_end(&j);
 *         return corral_json_emit(&j);
 *     }
 *
 * Conventions: helpers that can fail report the failure with set_error themselves and
 * return NULL / -1 / a non-zero code, so an entry point only has to pass the failure on
 * (`if (!p) return 1;`). Keys and names given as `const char *` are NUL-terminated C strings
 * (usually literals); everything that crosses the ABI is (pointer, length).
 */
#ifndef CORRAL_H
#define CORRAL_H

/* Freestanding headers only: clang ships them, they need no libc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CORRAL_ABI_VERSION 1

/* ---------------------------------------------------------------------------------------
 * Data types (ABI §3): ONNX TensorProto.DataType numbers.
 * ------------------------------------------------------------------------------------- */
enum corral_dtype {
    CORRAL_FLOAT32 = 1,
    CORRAL_UINT8 = 2,
    CORRAL_INT8 = 3,
    CORRAL_INT32 = 6,
    CORRAL_INT64 = 7,
    CORRAL_BOOL = 9,
    CORRAL_FLOAT64 = 11
};

/* Bytes per element of a dtype, or 0 for a code ABI v1 does not define. */
static inline int32_t corral_dtype_size(int32_t dtype) {
    switch (dtype) {
    case CORRAL_FLOAT32: case CORRAL_INT32: return 4;
    case CORRAL_UINT8: case CORRAL_INT8: case CORRAL_BOOL: return 1;
    case CORRAL_INT64: case CORRAL_FLOAT64: return 8;
    default: return 0;
    }
}

/* set_error codes (ABI §4.4): who is to blame decides the HTTP status the client sees. */
enum corral_error_code {
    CORRAL_ERR_PLUGIN = 1, /* the plugin or its config is wrong: 500 plugin_failed */
    CORRAL_ERR_INPUT = 2,  /* the request's data is unusable: 422 invalid_input */
    CORRAL_ERR_OPTION = 3  /* a request option is unusable: 422 invalid_option */
};

enum corral_log_level { CORRAL_DEBUG = 0, CORRAL_INFO = 1, CORRAL_WARN = 2, CORRAL_ERROR = 3 };

/* ---------------------------------------------------------------------------------------
 * Imports and exports. In wasm the attributes name the `corral` import module and the
 * exports; natively they vanish, so a harness can define the imports as plain functions.
 * ------------------------------------------------------------------------------------- */
#ifdef __wasm__
#define CORRAL__IMPORT(name) __attribute__((import_module("corral"), import_name(name)))
#define CORRAL__EXPORT(name) __attribute__((export_name(name)))
#else
#define CORRAL__IMPORT(name)
#define CORRAL__EXPORT(name)
#endif
/* Weak so that several translation units (or the native harness, which links both built-in
 * plugins into one program) share one definition instead of colliding. */
#define CORRAL__WEAK __attribute__((weak))

/* 4.1 Inputs */
CORRAL__IMPORT("input_count") int32_t corral_input_count(void);
CORRAL__IMPORT("input_find") int32_t corral_input_find(const char *name, int32_t name_len);
CORRAL__IMPORT("input_name") int32_t corral_input_name(int32_t index, char *dst, int32_t dst_cap);
CORRAL__IMPORT("input_dtype") int32_t corral_input_dtype(int32_t index);
CORRAL__IMPORT("input_rank") int32_t corral_input_rank(int32_t index);
CORRAL__IMPORT("input_dim") int64_t corral_input_dim(int32_t index, int32_t axis);
CORRAL__IMPORT("input_byte_size") int32_t corral_input_byte_size(int32_t index);
CORRAL__IMPORT("input_read")
int32_t corral_input_read(int32_t index, int32_t offset, void *dst, int32_t len);

/* 4.2 Outputs */
CORRAL__IMPORT("output_tensor")
int32_t corral_output_tensor(const char *name, int32_t name_len, int32_t dtype, const int64_t *dims,
                             int32_t rank, const void *data, int32_t data_len);
CORRAL__IMPORT("output_json") int32_t corral_output_json(const char *json, int32_t len);

/* 4.3 Parameters: config (the model owner's, trusted) and options (the client's, untrusted) */
CORRAL__IMPORT("config_i64") int64_t corral_config_i64(const char *key, int32_t key_len, int64_t dflt);
CORRAL__IMPORT("config_f64") double corral_config_f64(const char *key, int32_t key_len, double dflt);
CORRAL__IMPORT("config_str")
int32_t corral_config_str(const char *key, int32_t key_len, char *dst, int32_t dst_cap);
CORRAL__IMPORT("config_f64s")
int32_t corral_config_f64s(const char *key, int32_t key_len, double *dst, int32_t dst_cap);
CORRAL__IMPORT("option_i64") int64_t corral_option_i64(const char *key, int32_t key_len, int64_t dflt);
CORRAL__IMPORT("option_f64") double corral_option_f64(const char *key, int32_t key_len, double dflt);
CORRAL__IMPORT("option_str")
int32_t corral_option_str(const char *key, int32_t key_len, char *dst, int32_t dst_cap);
CORRAL__IMPORT("option_f64s")
int32_t corral_option_f64s(const char *key, int32_t key_len, double *dst, int32_t dst_cap);

/* 4.4 Diagnostics */
CORRAL__IMPORT("log") void corral_log(int32_t level, const char *msg, int32_t len);
CORRAL__IMPORT("set_error") void corral_set_error(int32_t code, const char *msg, int32_t len);

/* 4.5 Capabilities. Any module may import these, but a call works only in a pipeline step
 * whose manifest entry grants the capability (`"capabilities": ["tokenizer"]`); otherwise the
 * host fails the call (500 plugin_capability_denied). The helpers corral_tokenize and
 * corral_detokenize below handle buffer sizes and the host's limits. */
#define CORRAL_TOKENIZER_ADD_SPECIAL 1      /* tokenizer_encode flags: add BOS, or [CLS]…[SEP] */
#define CORRAL_TOKENIZER_SKIP_SPECIAL 1     /* tokenizer_decode flags: leave special tokens out */
#define CORRAL_TOKENIZER_MAX_TEXT (1 << 20) /* bytes of text per encode call (the host's ceiling) */
CORRAL__IMPORT("tokenizer_encode")
int32_t corral_tokenizer_encode(const char *text, int32_t text_len, int32_t flags, int32_t *dst, int32_t dst_cap);
CORRAL__IMPORT("tokenizer_decode")
int32_t corral_tokenizer_decode(const int32_t *ids, int32_t count, int32_t flags, char *dst, int32_t dst_cap);
CORRAL__IMPORT("tokenizer_token_id") int32_t corral_tokenizer_token_id(const char *str, int32_t str_len);
CORRAL__IMPORT("tokenizer_vocab_size") int32_t corral_tokenizer_vocab_size(void);

/* The ABI version export (ABI §2). Write it once, at file scope, in the plugin. */
#define CORRAL_ABI_VERSION_EXPORT \
    CORRAL__EXPORT("corral_abi_version") CORRAL__WEAK int32_t corral_abi_version(void) { \
        return CORRAL_ABI_VERSION; \
    }

/* A native build that links several plugins into one program (the test harness) defines
 * CORRAL_NATIVE_PREFIX per plugin, so that two plugins' `postprocess` entries do not collide:
 * the C symbol becomes PREFIX##NAME. The WebAssembly export is always NAME. */
#if defined(__wasm__) || !defined(CORRAL_NATIVE_PREFIX)
#define CORRAL__ENTRY_SYMBOL(NAME) NAME
#else
#define CORRAL__PASTE2(a, b) a##b
#define CORRAL__PASTE(a, b) CORRAL__PASTE2(a, b)
#define CORRAL__ENTRY_SYMBOL(NAME) CORRAL__PASTE(CORRAL_NATIVE_PREFIX, NAME)
#endif

/* Defines and exports an entry point `() -> i32` named NAME; the braces that follow are its
 * body. Every call starts with a fresh arena (see corral_alloc), so temporary memory of one
 * call is reused by the next and the instance's memory stops growing after the first calls. */
#define CORRAL_ENTRY(NAME) \
    static int32_t corral__body_##NAME(void); \
    CORRAL__EXPORT(#NAME) int32_t CORRAL__ENTRY_SYMBOL(NAME)(void) { \
        corral_arena_reset(); \
        return corral__body_##NAME(); \
    } \
    static int32_t corral__body_##NAME(void)

/* ---------------------------------------------------------------------------------------
 * Memory functions. clang emits calls to memcpy/memset/memmove for struct copies and for
 * loops it recognises, and without libc someone must define them. Built with -mbulk-memory
 * the builtins below become single memory.copy / memory.fill instructions (fast, and no
 * recursion). Natively libc provides them.
 * ------------------------------------------------------------------------------------- */
#ifdef __wasm__
#ifndef __wasm_bulk_memory__
#error "build Corral plugins with -mbulk-memory (ABI v1 allows it; memcpy and memset rely on it)"
#endif
CORRAL__WEAK void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    __builtin_memcpy(dst, src, n);
    return dst;
}
CORRAL__WEAK void *memmove(void *dst, const void *src, size_t n) {
    __builtin_memmove(dst, src, n); /* memory.copy is defined for overlapping ranges */
    return dst;
}
CORRAL__WEAK void *memset(void *dst, int c, size_t n) {
    __builtin_memset(dst, c, n);
    return dst;
}
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
#endif

static inline size_t corral_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* A UTF-8 byte string that is not NUL-terminated, the way the ABI passes strings. */
typedef struct corral_str {
    const char *ptr;
    uint32_t len;
} corral_str;

static inline int corral_str_eq(corral_str s, const char *cstr) {
    size_t n = corral_strlen(cstr);
    if (n != s.len) return 0;
    for (size_t i = 0; i < n; i++)
        if (s.ptr[i] != cstr[i]) return 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------
 * Errors and logs with a small printf. Messages are what the client reads, so they should
 * say what was wrong, what was expected and what was found; the formatter makes that easy
 * without libc. Conversions: %d %i %u (int), %ld %lu, %lld %llu (64-bit), %zu (size_t),
 * %x (unsigned, hex), %c, %s (C string), %.*s (int length, then pointer), %g %f (double,
 * printed with the digits needed to read it back), %%.
 * ------------------------------------------------------------------------------------- */
static inline int corral__format_double(char *out, double v);

/* Formats into buf (at most cap-1 bytes, the rest is cut); returns the length written. */
static inline size_t corral_vformat(char *buf, size_t cap, const char *fmt, va_list ap) {
    size_t n = 0;
#define CORRAL__PUT(ch) do { if (n + 1 < cap) buf[n++] = (char)(ch); } while (0)
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') { CORRAL__PUT(*p); continue; }
        p++;
        int lng = 0, precision = -1;
        if (p[0] == '.' && p[1] == '*') { precision = va_arg(ap, int); p += 2; }
        while (*p == 'l') { lng++; p++; }
        if (*p == 'z') { lng = 3; p++; }
        char tmp[32];
        size_t tn = 0;
        switch (*p) {
        case 'd': case 'i': {
            int64_t v = lng == 0 ? va_arg(ap, int) : lng == 1 ? va_arg(ap, long)
                      : lng == 3 ? (int64_t)va_arg(ap, size_t) : va_arg(ap, long long);
            uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            do { tmp[tn++] = (char)('0' + u % 10); u /= 10; } while (u);
            if (v < 0) tmp[tn++] = '-';
            while (tn) CORRAL__PUT(tmp[--tn]);
            break;
        }
        case 'u': case 'x': {
            uint64_t u = lng == 0 ? va_arg(ap, unsigned) : lng == 1 ? va_arg(ap, unsigned long)
                       : lng == 3 ? va_arg(ap, size_t) : va_arg(ap, unsigned long long);
            unsigned base = *p == 'x' ? 16 : 10;
            do { tmp[tn++] = "0123456789abcdef"[u % base]; u /= base; } while (u);
            while (tn) CORRAL__PUT(tmp[--tn]);
            break;
        }
        case 'c': CORRAL__PUT(va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            for (int i = 0; precision < 0 ? s[i] != 0 : i < precision; i++) CORRAL__PUT(s[i]);
            break;
        }
        case 'g': case 'f': {
            int len = corral__format_double(tmp, va_arg(ap, double));
            for (int i = 0; i < len; i++) CORRAL__PUT(tmp[i]);
            break;
        }
        case '%': CORRAL__PUT('%'); break;
        case 0: p--; break; /* a lone '%' at the end */
        default: CORRAL__PUT('%'); CORRAL__PUT(*p); break;
        }
    }
#undef CORRAL__PUT
    if (cap) buf[n] = 0;
    return n;
}

/* set_error with a formatted message; returns `code`, so an entry point can write
 * `return corral_fail(CORRAL_ERR_INPUT, "…", …);`. The host keeps at most 1 KiB. */
static inline int32_t corral_fail(int32_t code, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    size_t n = corral_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    corral_set_error(code, msg, (int32_t)n);
    return code;
}

/* log with a formatted message (at most 1 KiB here; the host caps a call at 4 KiB). */
static inline void corral_logf(int32_t level, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    size_t n = corral_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    corral_log(level, msg, (int32_t)n);
}

/* ---------------------------------------------------------------------------------------
 * Arena allocator. All dynamic memory lives in one bump region above the data and stack
 * (`__heap_base`); corral_alloc grows the wasm memory page by page when the region is full.
 * There is no free: CORRAL_ENTRY resets the arena at the start of each call, so a call's
 * temporaries are reused by the next call instead of growing memory call after call.
 *
 * Data that must outlive the call (a cache, e.g. parsed labels: config is constant for an
 * instance) is allocated FIRST in a call and then kept with corral_arena_keep(), which moves
 * the reset point above it. Later resets never go below a kept point.
 *
 * When memory cannot grow (the plugin's memory limit, ABI §7), corral_alloc reports it with
 * set_error(1, …) and returns NULL; the entry point should return non-zero.
 * ------------------------------------------------------------------------------------- */
#define CORRAL_PAGE_SIZE 65536u

typedef struct corral__arena {
    uintptr_t top;  /* next free byte */
    uintptr_t mark; /* where a reset returns to; 0 until the arena is first used */
    uintptr_t end;  /* end of the memory we know we have */
} corral__arena;
CORRAL__WEAK corral__arena corral__the_arena;

#ifdef __wasm__
extern unsigned char __heap_base; /* defined by wasm-ld: first byte after data and stack */
static inline uintptr_t corral__heap_start(void) { return (uintptr_t)&__heap_base; }
static inline uintptr_t corral__memory_end(void) {
    return (uintptr_t)__builtin_wasm_memory_size(0) * CORRAL_PAGE_SIZE;
}
static inline int32_t corral__memory_grow(uint32_t pages) {
    return (int32_t)__builtin_wasm_memory_grow(0, pages);
}
#else
/* Natively the harness lends the memory and plays memory.grow (with a settable limit). */
unsigned char *corral_native_heap_start(void);
uintptr_t corral_native_memory_end(void);
int32_t corral_native_memory_grow(uint32_t pages);
static inline uintptr_t corral__heap_start(void) { return (uintptr_t)corral_native_heap_start(); }
static inline uintptr_t corral__memory_end(void) { return corral_native_memory_end(); }
static inline int32_t corral__memory_grow(uint32_t pages) { return corral_native_memory_grow(pages); }
#endif

static inline corral__arena *corral__arena_get(void) {
    corral__arena *a = &corral__the_arena;
    if (a->mark == 0) {
        a->mark = a->top = (corral__heap_start() + 15) & ~(uintptr_t)15;
        a->end = corral__memory_end();
    }
    return a;
}

/* Returns `size` bytes aligned to 16, or NULL (error already set) when memory is exhausted.
 * The memory is not cleared. */
static inline void *corral_alloc(size_t size) {
    corral__arena *a = corral__arena_get();
    uintptr_t p = (a->top + 15) & ~(uintptr_t)15;
    if (p < a->top || size > UINTPTR_MAX - p) goto exhausted;
    if (p + size > a->end) {
        /* Another part of the module may have grown memory: start from its real end. */
        a->end = corral__memory_end();
        if (p + size > a->end) {
            uintptr_t missing = p + size - a->end;
            uintptr_t pages = missing / CORRAL_PAGE_SIZE + (missing % CORRAL_PAGE_SIZE != 0);
            if (pages > 65536 || corral__memory_grow((uint32_t)pages) < 0) goto exhausted;
            a->end = corral__memory_end();
        }
    }
    a->top = p + size;
    return (void *)p;
exhausted:
    corral_fail(CORRAL_ERR_PLUGIN,
                "out of memory: cannot allocate %zu bytes (%zu already in use; the plugin's memory limit is reached)",
                size, (size_t)(a->top - corral__heap_start()));
    return NULL;
}

/* corral_alloc for `count` elements of `size` bytes, failing cleanly on overflow. */
static inline void *corral_alloc_array(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        return corral_fail(CORRAL_ERR_PLUGIN, "out of memory: %zu elements of %zu bytes", count, size), (void *)0;
    return corral_alloc(count * size);
}

/* Resizes an allocation. The most recent allocation grows in place; any other is copied. */
static inline void *corral_realloc(void *ptr, size_t old_size, size_t new_size) {
    corral__arena *a = corral__arena_get();
    if (ptr && (uintptr_t)ptr + old_size == a->top && new_size >= old_size) {
        a->top = (uintptr_t)ptr; /* give it back, then take it again, bigger */
        void *q = corral_alloc(new_size);
        if (!q) a->top = (uintptr_t)ptr + old_size;
        return q; /* same address: the arena is 16-aligned and ptr was too */
    }
    void *q = corral_alloc(new_size);
    if (q && ptr) memcpy(q, ptr, old_size < new_size ? old_size : new_size);
    return q;
}

/* Frees everything allocated since the last keep. CORRAL_ENTRY calls it for you. */
static inline void corral_arena_reset(void) {
    corral__arena *a = corral__arena_get();
    a->top = a->mark;
}

/* Keeps everything allocated so far across calls (for per-instance caches). */
static inline void corral_arena_keep(void) {
    corral__arena *a = corral__arena_get();
    a->mark = a->top;
}

/* Gives back the end of the most recent allocation: ptr (of old_size bytes) keeps new_size.
 * Does nothing when ptr is not the most recent allocation. */
static inline void corral__arena_trim(void *ptr, size_t old_size, size_t new_size) {
    corral__arena *a = corral__arena_get();
    if (ptr && new_size <= old_size && (uintptr_t)ptr + old_size == a->top) a->top = (uintptr_t)ptr + new_size;
}

/* Bytes in use above __heap_base (kept plus this call's). */
static inline size_t corral_arena_used(void) {
    corral__arena *a = corral__arena_get();
    return (size_t)(a->top - corral__heap_start());
}

/* ---------------------------------------------------------------------------------------
 * Inputs, parameters and outputs with C-string names.
 * ------------------------------------------------------------------------------------- */

/* Index of the input called `name`, or -1. */
static inline int32_t corral_input_index(const char *name) {
    return corral_input_find(name, (int32_t)corral_strlen(name));
}

/* The input's dims (at most `cap` of them) into dims; returns its rank. */
static inline int32_t corral_input_shape(int32_t index, int64_t *dims, int32_t cap) {
    int32_t rank = corral_input_rank(index);
    for (int32_t i = 0; i < rank && i < cap; i++) dims[i] = corral_input_dim(index, i);
    return rank;
}

/* The whole data of input `index`, copied into the arena; *bytes gets its length. NULL when
 * out of memory (error set). Fine for small inputs (text, token ids); read large tensors in
 * pieces with corral_input_read instead, so memory stays bounded. */
static inline void *corral_input_load(int32_t index, int32_t *bytes) {
    int32_t n = corral_input_byte_size(index);
    void *data = corral_alloc(n > 0 ? (size_t)n : 1);
    if (!data) return (void *)0;
    if (corral_input_read(index, 0, data, n) != n) {
        corral_fail(CORRAL_ERR_PLUGIN, "input %d: input_read gave fewer than its %d bytes", (int)index, (int)n);
        return (void *)0;
    }
    *bytes = n;
    return data;
}

#define CORRAL__KEY(k) (k), (int32_t)corral_strlen(k)

/* Integer / number parameters, or `dflt` when absent. */
static inline int64_t corral_config_int(const char *key, int64_t dflt) { return corral_config_i64(CORRAL__KEY(key), dflt); }
static inline double corral_config_num(const char *key, double dflt) { return corral_config_f64(CORRAL__KEY(key), dflt); }
static inline int64_t corral_option_int(const char *key, int64_t dflt) { return corral_option_i64(CORRAL__KEY(key), dflt); }
static inline double corral_option_num(const char *key, double dflt) { return corral_option_f64(CORRAL__KEY(key), dflt); }

/* Number arrays: copies at most `cap` values to dst; returns the array's full length, or -1
 * when absent. A result larger than cap tells the caller the array was too long. */
static inline int32_t corral_config_nums(const char *key, double *dst, int32_t cap) { return corral_config_f64s(CORRAL__KEY(key), dst, cap); }
static inline int32_t corral_option_nums(const char *key, double *dst, int32_t cap) { return corral_option_f64s(CORRAL__KEY(key), dst, cap); }

/* Strings, copied into the arena (NUL-terminated for convenience; len excludes the NUL).
 * Returns 1 and fills *out when present, 0 when absent, -1 when out of memory (error set). */
static inline int corral__text(int32_t (*get)(const char *, int32_t, char *, int32_t), const char *key,
                               corral_str *out) {
    out->ptr = "";
    out->len = 0;
    int32_t len = get(CORRAL__KEY(key), (char *)0, 0);
    if (len < 0) return 0;
    char *buf = (char *)corral_alloc((size_t)len + 1);
    if (!buf) return -1;
    get(CORRAL__KEY(key), buf, len);
    buf[len] = 0;
    out->ptr = buf;
    out->len = (uint32_t)len;
    return 1;
}
static inline int corral_config_text(const char *key, corral_str *out) { return corral__text(corral_config_str, key, out); }
static inline int corral_option_text(const char *key, corral_str *out) { return corral__text(corral_option_str, key, out); }

/* Writes an output tensor; the data length is computed from dims and dtype. Returns 0, or
 * 1 (error set) when the shape's byte size does not fit the ABI's i32. */
static inline int32_t corral_output(corral_str name, int32_t dtype, const int64_t *dims, int32_t rank,
                                    const void *data) {
    int64_t bytes = corral_dtype_size(dtype);
    for (int32_t i = 0; i < rank; i++) {
        if (dims[i] < 0 || (dims[i] > 0 && bytes > INT32_MAX / dims[i]))
            return corral_fail(CORRAL_ERR_PLUGIN, "output '%.*s' is too large for ABI v1 (dimension %d is %lld)",
                               (int)name.len, name.ptr, (int)i, (long long)dims[i]);
        bytes *= dims[i];
    }
    return corral_output_tensor(name.ptr, (int32_t)name.len, dtype, dims, rank, data, (int32_t)bytes);
}

/* ---------------------------------------------------------------------------------------
 * Numbers without libm. Deterministic (plain IEEE arithmetic, no FMA, no tables that vary),
 * so the same inputs give the same bits compiled or interpreted (ABI §8).
 * ------------------------------------------------------------------------------------- */

static inline uint64_t corral__f64_bits(double v) { uint64_t b; memcpy(&b, &v, 8); return b; }
static inline double corral__bits_f64(uint64_t b) { double v; memcpy(&v, &b, 8); return v; }
static inline int corral_isfinite(double v) { return ((corral__f64_bits(v) >> 52) & 0x7ff) != 0x7ff; }
static inline int corral_isnan(double v) { return v != v; }

/* e^x for float, within 1 ulp (computed in double, rounded once). Range reduction
 * x = k·ln2 + r with |r| <= ln2/2, then the degree-11 Taylor polynomial of e^r (truncation
 * error below 1e-14, far under float precision), then 2^k from the exponent bits. */
static inline float corral_expf(float xf) {
    double x = xf;
    if (xf != xf) return xf;
    if (x > 88.72283935546875) return __builtin_inff(); /* above ln(FLT_MAX) */
    if (x < -103.97208404541016) return 0.0f;           /* below ln(smallest subnormal / 2) */
    double kd = x * 1.4426950408889634; /* log2(e) */
    int k = (int)(kd < 0 ? kd - 0.5 : kd + 0.5);
    double r = x - k * 0.6931471805599453; /* ln 2 to double precision; |k| <= 150 */
    double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 +
               r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 +
               r * (1.0 / 3628800 + r * (1.0 / 39916800)))))))))));
    /* 2^k is a normal double for every k reached here (-150 .. 128). */
    return (float)(p * corral__bits_f64((uint64_t)(k + 1023) << 52));
}

/* Decimal conversion works in double-double arithmetic (a value as hi + lo, ~32 significant
 * digits), so scaling by a power of ten, even 10^300 in 14 steps, stays exact to far below
 * the 17 digits a double needs. Dekker's exact product needs no FMA. */
typedef struct corral__dd {
    double hi, lo;
} corral__dd;

static inline corral__dd corral__dd_norm(double hi, double lo) {
    double s = hi + lo;
    return (corral__dd){s, lo - (s - hi)};
}

/* a·b exactly, as p + err (|a|, |b| well inside the normal range). */
static inline corral__dd corral__two_prod(double a, double b) {
    const double split = 134217729.0; /* 2^27 + 1 */
    double p = a * b;
    double t = split * a, ah = t - (t - a), al = a - ah;
    t = split * b;
    double bh = t - (t - b), bl = b - bh;
    return (corral__dd){p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

static inline corral__dd corral__dd_mul(corral__dd x, double bhi, double blo) {
    corral__dd p = corral__two_prod(x.hi, bhi);
    return corral__dd_norm(p.hi, p.lo + (x.hi * blo + x.lo * bhi));
}

/* v · 10^k · 2^shift for v > 0, in steps of at most 10^±22. The caller picks `shift` (exact:
 * a power of two) so that v·2^shift and every intermediate stay well inside the normal range,
 * where the exact product works. */
static inline corral__dd corral__scale10(double v, int k, int shift) {
    static const double pow10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    corral__dd x = {v * (shift > 0 ? 0x1p100 : shift < 0 ? 0x1p-100 : 1.0), 0};
    while (k > 0) {
        int step = k > 22 ? 22 : k;
        x = corral__dd_mul(x, pow10[step], 0);
        k -= step;
    }
    while (k < 0) {
        int step = -k > 22 ? 22 : -k;
        double q = 1.0 / pow10[step]; /* 10^-step as q + lo */
        corral__dd r = corral__two_prod(q, pow10[step]);
        x = corral__dd_mul(x, q, ((1.0 - r.hi) - r.lo) / pow10[step]);
        k += step;
    }
    return x;
}

/* The shift (±100 or 0) that keeps a computation near magnitude m inside the safe range. */
static inline int corral__shift_for(double m) { return m > 1e290 ? -100 : m < 1e-290 ? 100 : 0; }

/* Would digits·10^k read back as av? (Compared at av's magnitude, shifted into the safe range.) */
static inline int corral__reads_back(uint64_t digits, int k, double av) {
    int shift = corral__shift_for(av);
    return corral__scale10((double)digits, k, shift).hi == av * (shift > 0 ? 0x1p100 : shift < 0 ? 0x1p-100 : 1.0);
}

/* Decimal digits of |v| > 0 (finite): the integer *digits with exactly `precision` (<= 17)
 * digits and the decimal exponent of its first digit: |v| ≈ digits · 10^(exp10 - precision + 1). */
static inline void corral__decimal(double av, int precision, uint64_t *digits, int *exp10) {
    int bexp = (int)((corral__f64_bits(av) >> 52) & 0x7ff) - 1023;
    int e = (bexp * 78913) >> 18; /* floor(bexp · log10 2), maybe one too small */
    uint64_t lo = 1;
    for (int i = 1; i < precision; i++) lo *= 10;
    uint64_t hi = lo * 10;
    corral__dd scaled = {0, 0};
    for (int tries = 0; tries < 40; tries++) { /* subnormals need a few more steps */
        scaled = corral__scale10(av, precision - 1 - e, corral__shift_for(av));
        if (corral__shift_for(av)) { /* undo the shift: the result is near 10^precision, exact */
            double undo = av > 1 ? 0x1p100 : 0x1p-100;
            scaled.hi *= undo;
            scaled.lo *= undo;
        }
        if (scaled.hi >= (double)hi) e++;
        else if (scaled.hi < (double)lo) e--;
        else break;
    }
    /* Round hi + lo to the nearest integer (hi may already be an integer above 2^53). */
    uint64_t d = (uint64_t)scaled.hi;
    double rest = (scaled.hi - (double)d) + scaled.lo;
    while (rest >= 0.5) { d++; rest -= 1; }
    while (rest < -0.5) { d--; rest += 1; }
    if (d >= hi) { d = lo; e++; }
    *digits = d;
    *exp10 = e;
}

/* Writes digits·10^(exp10-n+1) (n = number of digits, trailing zeros already trimmed) the way
 * JavaScript would: plain decimals for moderate exponents, otherwise d.ddde±x. */
static inline int corral__write_decimal(char *out, int negative, uint64_t digits, int exp10) {
    char d[20];
    int n = 0, len = 0;
    while (digits % 10 == 0 && digits > 9) digits /= 10;
    { char rev[20]; int rn = 0; do { rev[rn++] = (char)('0' + digits % 10); digits /= 10; } while (digits);
      while (rn) d[n++] = rev[--rn]; }
    if (negative) out[len++] = '-';
    if (exp10 >= 0 && exp10 < 21) {
        for (int i = 0; i <= exp10; i++) out[len++] = i < n ? d[i] : '0';
        if (n > exp10 + 1) {
            out[len++] = '.';
            for (int i = exp10 + 1; i < n; i++) out[len++] = d[i];
        }
    } else if (exp10 < 0 && exp10 >= -6) {
        out[len++] = '0';
        out[len++] = '.';
        for (int i = -1; i > exp10; i--) out[len++] = '0';
        for (int i = 0; i < n; i++) out[len++] = d[i];
    } else {
        out[len++] = d[0];
        if (n > 1) {
            out[len++] = '.';
            for (int i = 1; i < n; i++) out[len++] = d[i];
        }
        out[len++] = 'e';
        int x = exp10;
        if (x < 0) { out[len++] = '-'; x = -x; } else out[len++] = '+';
        char rev[4]; int rn = 0;
        do { rev[rn++] = (char)('0' + x % 10); x /= 10; } while (x);
        while (rn) out[len++] = rev[--rn];
    }
    return len;
}

/* Writes a double with the fewest digits (at most 17) that read back as the same double
 * (subnormals, below 2.2e-308, always get 17: the check compares 53 bits).
 * NaN and infinities are written as nan, inf, -inf. out needs 32 bytes. Returns the length. */
static inline int corral__format_double(char *out, double v) {
    if (v != v) { memcpy(out, "nan", 3); return 3; }
    int neg = (int)(corral__f64_bits(v) >> 63);
    double av = neg ? -v : v;
    if (!corral_isfinite(v)) { memcpy(out, neg ? "-inf" : "inf", 3u + (unsigned)neg); return 3 + neg; }
    if (av == 0) { if (neg) *out++ = '-'; *out = '0'; return 1 + neg; }
    uint64_t digits;
    int e;
    for (int p = 1; p <= 16; p++) {
        corral__decimal(av, p, &digits, &e);
        if (digits > ((uint64_t)1 << 53)) break; /* not exact as a double: take 17 digits */
        if (corral__reads_back(digits, e - p + 1, av)) return corral__write_decimal(out, neg, digits, e);
    }
    corral__decimal(av, 17, &digits, &e);
    return corral__write_decimal(out, neg, digits, e);
}

/* Writes a float with the fewest digits (up to 9) that read back as the same float. */
static inline int corral__format_float(char *out, float v) {
    if (v != v || !corral_isfinite(v) || v == 0) return corral__format_double(out, v);
    int neg = v < 0;
    double av = neg ? -(double)v : (double)v;
    uint64_t digits;
    int e;
    for (int p = 1; p <= 9; p++) {
        corral__decimal(av, p, &digits, &e);
        if ((float)corral__scale10((double)digits, e - p + 1, 0).hi == (float)av) break;
    }
    return corral__write_decimal(out, neg, digits, e);
}

/* ---------------------------------------------------------------------------------------
 * JSON writer into a growable arena buffer. It places commas and colons itself, escapes
 * strings (and replaces invalid UTF-8 with U+FFFD, since the host rejects invalid UTF-8),
 * writes NaN/Infinity as null (JSON has no such numbers) and remembers the first failure,
 * so a plugin can write everything and check once at corral_json_emit.
 *
 *     corral_json j; corral_json_init(&j);
 *     corral_json_object_begin(&j);
 *       corral_json_key(&j, "score"); corral_json_f32(&j, 0.5f);
 *       corral_json_key(&j, "tags");  corral_json_array_begin(&j);
 *         corral_json_cstring(&j, "a"); corral_json_cstring(&j, "b");
 *       corral_json_array_end(&j);
 *     corral_json_object_end(&j);
 *     return corral_json_emit(&j);     // {"score":0.5,"tags":["a","b"]}
 * ------------------------------------------------------------------------------------- */
typedef struct corral_json {
    char *data;
    uint32_t len, cap;
    uint64_t has_items; /* bit d: the container at depth d already holds an item */
    uint32_t depth;     /* open containers, at most 64 */
    uint8_t after_key;  /* a key was written: the next value takes no comma */
    uint8_t failed;     /* an allocation failed (error set) or the nesting was wrong */
} corral_json;

static inline void corral_json_init(corral_json *j) { memset(j, 0, sizeof *j); }

static inline int corral__json_reserve(corral_json *j, uint32_t more) {
    if (j->failed) return 0;
    if (more > UINT32_MAX / 2 - j->len) { j->failed = 1; corral_fail(CORRAL_ERR_PLUGIN, "JSON result too large"); return 0; }
    if (j->len + more <= j->cap) return 1;
    uint32_t cap = j->cap ? j->cap : 256;
    while (cap < j->len + more) cap *= 2;
    char *data = (char *)corral_realloc(j->data, j->cap, cap);
    if (!data) { j->failed = 1; return 0; }
    j->data = data;
    j->cap = cap;
    return 1;
}

static inline void corral__json_raw(corral_json *j, const char *s, uint32_t n) {
    if (!corral__json_reserve(j, n)) return;
    memcpy(j->data + j->len, s, n);
    j->len += n;
}

/* The comma before an item, unless it is the first in its container or follows a key. */
static inline void corral__json_item(corral_json *j) {
    if (j->after_key) { j->after_key = 0; return; }
    if (j->depth > 0) {
        uint64_t bit = (uint64_t)1 << (j->depth - 1);
        if (j->has_items & bit) corral__json_raw(j, ",", 1);
        j->has_items |= bit;
    }
}

static inline void corral__json_open(corral_json *j, char bracket) {
    corral__json_item(j);
    if (j->depth == 64) {
        if (!j->failed) corral_fail(CORRAL_ERR_PLUGIN, "JSON nested deeper than 64 levels");
        j->failed = 1;
        return;
    }
    j->depth++;
    j->has_items &= ~((uint64_t)1 << (j->depth - 1));
    corral__json_raw(j, &bracket, 1);
}

static inline void corral__json_close(corral_json *j, char bracket) {
    if (j->depth == 0) {
        if (!j->failed) corral_fail(CORRAL_ERR_PLUGIN, "JSON writer: '%c' closes nothing", bracket);
        j->failed = 1;
        return;
    }
    j->depth--;
    corral__json_raw(j, &bracket, 1);
}

static inline void corral_json_object_begin(corral_json *j) { corral__json_open(j, '{'); }
static inline void corral_json_object_end(corral_json *j) { corral__json_close(j, '}'); }
static inline void corral_json_array_begin(corral_json *j) { corral__json_open(j, '['); }
static inline void corral_json_array_end(corral_json *j) { corral__json_close(j, ']'); }

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static inline uint32_t corral__utf8_seq(const unsigned char *s, uint32_t n) {
    unsigned char c = s[0];
    uint32_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    else if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (uint32_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

static inline void corral__json_quoted(corral_json *j, const char *str, uint32_t n) {
    const unsigned char *s = (const unsigned char *)str;
    corral__json_raw(j, "\"", 1);
    uint32_t run = 0; /* start of the bytes that need no escaping, copied in one go */
    for (uint32_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { i++; continue; }
        uint32_t seq = c >= 0x80 ? corral__utf8_seq(s + i, n - i) : 0;
        if (seq) { i += seq; continue; }
        corral__json_raw(j, str + run, i - run);
        char esc[6] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
        switch (c) {
        case '"': corral__json_raw(j, "\\\"", 2); break;
        case '\\': corral__json_raw(j, "\\\\", 2); break;
        case '\n': corral__json_raw(j, "\\n", 2); break;
        case '\r': corral__json_raw(j, "\\r", 2); break;
        case '\t': corral__json_raw(j, "\\t", 2); break;
        case '\b': corral__json_raw(j, "\\b", 2); break;
        case '\f': corral__json_raw(j, "\\f", 2); break;
        default:
            if (c < 0x20) corral__json_raw(j, esc, 6);
            else corral__json_raw(j, "\xef\xbf\xbd", 3); /* invalid UTF-8 byte -> U+FFFD */
        }
        run = ++i;
    }
    corral__json_raw(j, str + run, n - run);
    corral__json_raw(j, "\"", 1);
}

/* An object key (then write its value). */
static inline void corral_json_keyn(corral_json *j, const char *key, uint32_t len) {
    corral__json_item(j);
    corral__json_quoted(j, key, len);
    corral__json_raw(j, ":", 1);
    j->after_key = 1;
}
static inline void corral_json_key(corral_json *j, const char *key) { corral_json_keyn(j, key, (uint32_t)corral_strlen(key)); }

static inline void corral_json_string(corral_json *j, const char *s, uint32_t len) { corral__json_item(j); corral__json_quoted(j, s, len); }
static inline void corral_json_cstring(corral_json *j, const char *s) { corral_json_string(j, s, (uint32_t)corral_strlen(s)); }
static inline void corral_json_null(corral_json *j) { corral__json_item(j); corral__json_raw(j, "null", 4); }
static inline void corral_json_bool(corral_json *j, int v) {
    corral__json_item(j);
    if (v) corral__json_raw(j, "true", 4); else corral__json_raw(j, "false", 5);
}
static inline void corral_json_int(corral_json *j, int64_t v) {
    char buf[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char rev[24]; uint32_t rn = 0, len = 0;
    do { rev[rn++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) buf[len++] = '-';
    while (rn) buf[len++] = rev[--rn];
    corral__json_item(j);
    corral__json_raw(j, buf, len);
}
/* Numbers with the fewest digits that read back exactly (f32: ≤ 9, f64: ≤ 17 significant). */
static inline void corral_json_f64(corral_json *j, double v) {
    if (!corral_isfinite(v)) { corral_json_null(j); return; }
    char buf[32];
    int n = corral__format_double(buf, v);
    corral__json_item(j);
    corral__json_raw(j, buf, (uint32_t)n);
}
static inline void corral_json_f32(corral_json *j, float v) {
    if (!corral_isfinite(v)) { corral_json_null(j); return; }
    char buf[32];
    int n = corral__format_float(buf, v);
    corral__json_item(j);
    corral__json_raw(j, buf, (uint32_t)n);
}

/* Sends the document as the step's result (output_json). Returns 0, or 1 when writing
 * failed (error set) or containers are still open. */
static inline int32_t corral_json_emit(corral_json *j) {
    if (j->failed) return CORRAL_ERR_PLUGIN;
    if (j->len == 0) return corral_fail(CORRAL_ERR_PLUGIN, "JSON writer: nothing was written");
    if (j->depth != 0)
        return corral_fail(CORRAL_ERR_PLUGIN, "JSON writer: %u container(s) left open", (unsigned)j->depth);
    return corral_output_json(j->data, (int32_t)j->len) == 0 ? 0 : CORRAL_ERR_PLUGIN;
}

/* ---------------------------------------------------------------------------------------
 * Tokenizer capability (ABI §4.5). Each helper checks what the host would otherwise treat as
 * an ABI violation (invalid UTF-8, text over 1 MiB, ids outside the vocabulary) and reports
 * it with set_error(2, …) instead, naming what was wrong; the step's manifest entry must
 * grant "tokenizer".
 * ------------------------------------------------------------------------------------- */

/* Offset of the first byte of s[0..len) that does not start a valid UTF-8 sequence, or -1. */
static inline int32_t corral_utf8_invalid_at(const char *s, int32_t len) {
    const unsigned char *u = (const unsigned char *)s;
    for (int32_t i = 0; i < len;) {
        if (u[i] < 0x80) { i++; continue; }
        uint32_t seq = corral__utf8_seq(u + i, (uint32_t)(len - i));
        if (!seq) return i;
        i += (int32_t)seq;
    }
    return -1;
}

/* Encodes UTF-8 text with the model's tokenizer (flags: CORRAL_TOKENIZER_ADD_SPECIAL or 0).
 * *ids gets the ids in arena memory; returns their count, or -1 (error set). Asks the host
 * once with room for len + 16 ids (enough for WordPiece and byte-level BPE), and a second
 * time with exactly the room needed when that was not enough. */
static inline int32_t corral_tokenize(const char *text, int32_t len, int32_t flags, int32_t **ids) {
    *ids = (int32_t *)0;
    if (len < 0 || len > CORRAL_TOKENIZER_MAX_TEXT)
        return corral_fail(CORRAL_ERR_INPUT, "the text is %d bytes; the tokenizer takes at most %d bytes at a time",
                           (int)len, (int)CORRAL_TOKENIZER_MAX_TEXT), -1;
    int32_t bad = corral_utf8_invalid_at(text, len);
    if (bad >= 0) return corral_fail(CORRAL_ERR_INPUT, "the text is not valid UTF-8 (byte %d)", (int)bad), -1;
    int32_t cap = len + 16;
    int32_t *buf = (int32_t *)corral_alloc_array((size_t)cap, sizeof(int32_t));
    if (!buf) return -1;
    int32_t n = corral_tokenizer_encode(text, len, flags, buf, cap);
    if (n < 0) return corral_fail(CORRAL_ERR_PLUGIN, "tokenizer_encode returned %d", (int)n), -1;
    if (n > cap) {
        int32_t *bigger = (int32_t *)corral_realloc(buf, (size_t)cap * 4, (size_t)n * 4);
        if (!bigger) return -1;
        buf = bigger;
        int32_t again = corral_tokenizer_encode(text, len, flags, buf, n);
        if (again != n)
            return corral_fail(CORRAL_ERR_PLUGIN, "tokenizer_encode gave %d ids, then %d for the same text",
                               (int)n, (int)again), -1;
    } else {
        corral__arena_trim(buf, (size_t)cap * 4, (size_t)n * 4);
    }
    *ids = buf;
    return n;
}

/* Decodes ids to UTF-8 text in arena memory (flags: CORRAL_TOKENIZER_SKIP_SPECIAL or 0).
 * Returns 0 and fills *out, or 1 (error set; ids outside the vocabulary are code 2). */
static inline int32_t corral_detokenize(const int32_t *ids, int32_t count, int32_t flags, corral_str *out) {
    out->ptr = "";
    out->len = 0;
    int32_t vocab = corral_tokenizer_vocab_size();
    for (int32_t i = 0; i < count; i++)
        if (ids[i] < 0 || ids[i] >= vocab)
            return corral_fail(CORRAL_ERR_INPUT, "token id %d (at %d) is outside the vocabulary 0..%d",
                               (int)ids[i], (int)i, (int)vocab - 1);
    int32_t cap = count < (INT32_MAX - 16) / 8 ? count * 8 + 16 : INT32_MAX;
    char *buf = (char *)corral_alloc((size_t)cap);
    if (!buf) return 1;
    int32_t n = corral_tokenizer_decode(ids, count, flags, buf, cap);
    if (n < 0) return corral_fail(CORRAL_ERR_PLUGIN, "tokenizer_decode returned %d", (int)n);
    if (n > cap) {
        char *bigger = (char *)corral_realloc(buf, (size_t)cap, (size_t)n);
        if (!bigger) return 1;
        buf = bigger;
        int32_t again = corral_tokenizer_decode(ids, count, flags, buf, n);
        if (again != n)
            return corral_fail(CORRAL_ERR_PLUGIN, "tokenizer_decode gave %d bytes, then %d for the same ids",
                               (int)n, (int)again);
    } else {
        corral__arena_trim(buf, (size_t)cap, (size_t)n);
    }
    out->ptr = buf;
    out->len = (uint32_t)n;
    return 0;
}

/* The id of a token string (a C string, e.g. "</s>"), or -1 when the vocabulary lacks it. */
static inline int32_t corral_token_id(const char *token) {
    return corral_tokenizer_token_id(token, (int32_t)corral_strlen(token));
}

#endif /* CORRAL_H */
