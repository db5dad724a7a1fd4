/*
 * The native test harness for Corral's C plugins: a stub host (stub.c) that implements the
 * `corral` imports of ABI v1 over in-memory tensors, config and options, and checks what a
 * plugin hands back the way the real host does; plus small assertion macros.
 *
 * Every test runs in a forked child (run.c), so each starts with a fresh "instance": the
 * plugin's statics, caches and arena are new, as with a fresh WebAssembly instance, and a
 * crash fails only that test.
 */
#ifndef CORRAL_HARNESS_H
#define CORRAL_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* ---- assertions ---------------------------------------------------------------------- */
extern int harness_passed, harness_failed;
void harness_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* CHECK(condition, printf-style description of what went wrong) */
#define CHECK(cond, ...) harness_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_NEAR(actual, expected, tol, what) \
    CHECK(fabs((double)(actual) - (double)(expected)) <= (tol), "%s: expected %.9g, got %.9g", what, \
          (double)(expected), (double)(actual))

/* ---- the stub host --------------------------------------------------------------------- */
typedef struct stub_tensor {
    char name[129];
    int32_t dtype, rank;
    int64_t dims[8];
    void *data;
    int32_t bytes;
} stub_tensor;

/* Inputs: the data is copied. */
void stub_input(const char *name, int32_t dtype, const int64_t *dims, int32_t rank, const void *data, int32_t bytes);

/* A text list (ABI §4.6) of `count` C strings as uint8 input `name` (at most 512 bytes in all). */
void stub_input_text_list(const char *name, const char *const *items, int count);

/* Replaces the data of input `name` (same byte length), e.g. to advance a step counter. */
void stub_set_input_data(const char *name, const void *data, int32_t bytes);
/* Forgets every input / every option (config stays). */
void stub_reset_inputs(void);
void stub_reset_options(void);

/* Parameters: config (trusted) and options (untrusted). */
void stub_config_int(const char *key, int64_t value);
void stub_config_num(const char *key, double value);
void stub_config_str(const char *key, const char *value);
void stub_config_nums(const char *key, const double *values, int32_t count);
void stub_option_int(const char *key, int64_t value);
void stub_option_num(const char *key, double value);
void stub_option_str(const char *key, const char *value);

/* How often config_str was asked for `key` (to see a cache at work). */
int stub_config_str_reads(const char *key);

/* What the last call produced; the outputs and error of a call are cleared by stub_begin_call. */
void stub_begin_call(void);
const stub_tensor *stub_output(const char *name);
int stub_output_count(void);
const char *stub_json(void); /* NULL when none was written */
int32_t stub_error_code(void); /* 0 when set_error was not called */
const char *stub_error_message(void);

/* The tokenizer capability (ABI §4.5), faked: id 0 "<pad>", 1 "<s>" (BOS, [CLS]), 2 "</s>"
 * (EOS, [SEP]); byte b of the text is id 3 + b (repeated `ids_per_byte` times, default 1);
 * vocabulary 259. Special tokens: 1 … 2 around the ids, or only the leading 1 with
 * stub_tokenizer_bos_only(1). The stub checks flags, UTF-8, the 1 MiB ceiling and id ranges
 * the way the host does: a violation ends the test. */
void stub_tokenizer_bos_only(int on);
void stub_tokenizer_ids_per_byte(int count);
int stub_tokenizer_encode_calls(void);

/* The memory limit that the native memory.grow enforces, in 64 KiB pages. */
void stub_set_max_pages(uint32_t pages);

#endif
