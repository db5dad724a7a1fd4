/* Tests of text-tokenize over the stub's fake tokenizer (byte b = id 3+b, 1 … 2 around):
 * specials, truncation with and without them, the three outputs, names, refusals, and the
 * second encode call when the first buffer is too small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t text_tokenize__tokenize(void);

#define B(c) (3 + (unsigned char)(c)) /* the fake tokenizer's id of byte c */

static void give_text(const char *text, int32_t len) {
    int64_t dims[1] = {len};
    stub_input("text", CORRAL_UINT8, dims, 1, text, len);
}

/* Checks output `name` is int64 [1,n] holding want[0..n). */
static void expect_ids(const char *name, const int64_t *want, int n) {
    const stub_tensor *t = stub_output(name);
    CHECK(t != NULL, "no output '%s'", name);
    if (!t) return;
    CHECK(t->dtype == CORRAL_INT64 && t->rank == 2 && t->dims[0] == 1 && t->dims[1] == n,
          "'%s': dtype %d rank %d [%lld,%lld], expected int64 [1,%d]", name, t->dtype, t->rank, (long long)t->dims[0],
          (long long)(t->rank > 1 ? t->dims[1] : -1), n);
    if (t->bytes != n * 8) return;
    const int64_t *got = t->data;
    for (int i = 0; i < n; i++) CHECK(got[i] == want[i], "'%s'[%d] = %lld, expected %lld", name, i, (long long)got[i], (long long)want[i]);
}

static void expect_all(const char *name, int n, int64_t value) {
    int64_t want[64];
    for (int i = 0; i < n; i++) want[i] = value;
    expect_ids(name, want, n);
}

static int run(void) {
    stub_begin_call();
    int32_t rc = text_tokenize__tokenize();
    CHECK(rc == 0, "tokenize returned %d: %s", rc, stub_error_message());
    return rc == 0;
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = text_tokenize__tokenize();
    CHECK(rc != 0, "tokenize should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
    CHECK(stub_output_count() == 0, "a failed call wrote %d outputs", stub_output_count());
}

void tok_adds_specials_and_writes_mask_and_type_ids(void) {
    give_text("hi", 2);
    if (!run()) return;
    int64_t want[4] = {1, B('h'), B('i'), 2};
    expect_ids("input_ids", want, 4);
    expect_all("attention_mask", 4, 1);
    expect_all("token_type_ids", 4, 0);
    CHECK(stub_output_count() == 3, "%d outputs, expected 3", stub_output_count());
}

void tok_without_specials_gives_the_bare_ids(void) {
    give_text("hi", 2);
    stub_config_int("add_special_tokens", 0);
    if (!run()) return;
    int64_t want[2] = {B('h'), B('i')};
    expect_ids("input_ids", want, 2);
    expect_all("attention_mask", 2, 1);
}

void tok_truncation_keeps_the_closing_special(void) {
    give_text("abcdef", 6);
    stub_config_int("max_length", 4);
    if (!run()) return;
    int64_t want[4] = {1, B('a'), B('b'), 2};
    expect_ids("input_ids", want, 4);
    expect_all("attention_mask", 4, 1);
    expect_all("token_type_ids", 4, 0);
}

void tok_truncation_without_specials_keeps_the_first_ids(void) {
    give_text("abcdef", 6);
    stub_config_int("max_length", 4);
    stub_config_int("add_special_tokens", 0);
    if (!run()) return;
    int64_t want[4] = {B('a'), B('b'), B('c'), B('d')};
    expect_ids("input_ids", want, 4);
}

void tok_truncate_false_refuses_with_the_counts(void) {
    give_text("abcdef", 6);
    stub_config_int("max_length", 4);
    stub_option_int("truncate", 0);
    expect_failure(2, "the text is 8 tokens; this model takes at most 4 — send truncate=true to cut it");
}

void tok_truncate_false_without_specials_counts_bare_ids(void) {
    give_text("abcdef", 6);
    stub_config_int("max_length", 5);
    stub_config_int("add_special_tokens", 0);
    stub_option_int("truncate", 0);
    expect_failure(2, "the text is 6 tokens; this model takes at most 5");
}

void tok_exactly_max_length_passes_without_truncation(void) {
    give_text("ab", 2);
    stub_config_int("max_length", 4);
    stub_option_int("truncate", 0);
    if (!run()) return;
    int64_t want[4] = {1, B('a'), B('b'), 2};
    expect_ids("input_ids", want, 4);
}

void tok_names_come_from_config_and_empty_skips(void) {
    give_text("x", 1);
    stub_config_str("ids_name", "ids");
    stub_config_str("mask_name", "mask");
    stub_config_str("type_ids_name", "");
    if (!run()) return;
    int64_t want[3] = {1, B('x'), 2};
    expect_ids("ids", want, 3);
    expect_all("mask", 3, 1);
    CHECK(stub_output_count() == 2, "%d outputs, expected ids and mask only", stub_output_count());
}

void tok_asks_again_when_ids_outnumber_the_guess(void) {
    enum { N = 100 };
    char text[N];
    memset(text, 'z', N);
    give_text(text, N);
    stub_tokenizer_ids_per_byte(3); /* 302 ids: more than the 116 the first call makes room for */
    stub_config_int("max_length", 1000);
    if (!run()) return;
    CHECK(stub_tokenizer_encode_calls() == 2, "encode called %d times, expected 2", stub_tokenizer_encode_calls());
    int64_t want[3 * N + 2];
    want[0] = 1;
    for (int i = 1; i <= 3 * N; i++) want[i] = B('z');
    want[3 * N + 1] = 2;
    const stub_tensor *t = stub_output("input_ids");
    CHECK(t && t->dims[1] == 3 * N + 2, "ids length %lld", t ? (long long)t->dims[1] : -1LL);
    if (t && t->dims[1] == 3 * N + 2) CHECK(memcmp(t->data, want, sizeof want) == 0, "ids differ");
}

void tok_one_encode_call_when_the_guess_suffices(void) {
    give_text("hello", 5);
    if (!run()) return;
    CHECK(stub_tokenizer_encode_calls() == 1, "encode called %d times, expected 1", stub_tokenizer_encode_calls());
}

void tok_memory_stops_growing_after_the_first_call(void) {
    give_text("some words to encode", 20);
    if (!run()) return;
    size_t used = corral_arena_used();
    for (int i = 0; i < 5; i++) run();
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes", used, corral_arena_used());
}

void tok_refuses_empty_text_without_specials(void) {
    give_text("", 0);
    stub_config_int("add_special_tokens", 0);
    expect_failure(2, "the text (0 bytes) gives no tokens");
}

void tok_empty_text_with_specials_is_two_ids(void) {
    give_text("", 0);
    if (!run()) return;
    int64_t want[2] = {1, 2};
    expect_ids("input_ids", want, 2);
}

void tok_refuses_invalid_utf8_before_the_tokenizer_sees_it(void) {
    give_text("ok\xff", 3);
    expect_failure(2, "not valid UTF-8 (byte 2)");
    CHECK(stub_tokenizer_encode_calls() == 0, "the tokenizer was called");
}

void tok_refuses_text_over_the_tokenizer_ceiling(void) {
    int32_t len = (1 << 20) + 1;
    char *text = malloc((size_t)len);
    memset(text, 'a', (size_t)len);
    give_text(text, len);
    free(text);
    expect_failure(2, "the text is 1048577 bytes; the tokenizer takes at most 1048576 bytes at a time");
}

void tok_refuses_missing_or_mistyped_text(void) {
    expect_failure(2, "input 'text' is missing");
    float f = 1;
    int64_t dims[1] = {1};
    stub_input("text", CORRAL_FLOAT32, dims, 1, &f, 4);
    expect_failure(2, "input 'text' must be uint8 [n] (UTF-8 bytes), got dtype 1 rank 1");
}

void tok_refuses_truncate_other_than_boolean(void) {
    give_text("a", 1);
    stub_option_int("truncate", 2);
    expect_failure(3, "truncate must be true or false, got 2");
}

void tok_refuses_bad_config(void) {
    give_text("a", 1);
    stub_config_int("max_length", 0);
    expect_failure(1, "config 'max_length' must be 1..1048576, got 0");
}

void tok_refuses_empty_ids_name(void) {
    give_text("a", 1);
    stub_config_str("ids_name", "");
    expect_failure(1, "config 'ids_name' must not be empty");
}

/* ---- list mode: the single text and a text list's items as rows of one padded batch ---- */

/* Checks int64 [rows,cols] output `name` against want (row-major). */
static void expect_matrix(const char *name, int rows, int cols, const int64_t *want) {
    const stub_tensor *t = stub_output(name);
    CHECK(t != NULL, "no output '%s'", name);
    if (!t) return;
    CHECK(t->dtype == CORRAL_INT64 && t->rank == 2 && t->dims[0] == rows && t->dims[1] == cols,
          "'%s': dtype %d rank %d [%lld,%lld], expected int64 [%d,%d]", name, t->dtype, t->rank, (long long)t->dims[0],
          (long long)(t->rank > 1 ? t->dims[1] : -1), rows, cols);
    if (t->bytes != rows * cols * 8) return;
    const int64_t *got = t->data;
    for (int i = 0; i < rows * cols; i++)
        CHECK(got[i] == want[i], "'%s'[%d][%d] = %lld, expected %lld", name, i / cols, i % cols, (long long)got[i], (long long)want[i]);
}

void tok_list_rows_are_the_text_then_the_items_padded_right(void) {
    give_text("hi", 2);
    const char *items[2] = {"a", "abc"};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_text", "text");
    stub_config_str("input_list", "texts");
    if (!run()) return;
    const int64_t ids[15] = {1, B('h'), B('i'), 2, 0,
                             1, B('a'), 2, 0, 0,
                             1, B('a'), B('b'), B('c'), 2};
    const int64_t mask[15] = {1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1};
    const int64_t zeros[15] = {0};
    expect_matrix("input_ids", 3, 5, ids);
    expect_matrix("attention_mask", 3, 5, mask);
    expect_matrix("token_type_ids", 3, 5, zeros);
}

void tok_list_alone_ignores_the_request_text(void) {
    give_text("ignored", 7);
    const char *items[2] = {"xy", "z"};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_list", "texts");
    stub_config_int("add_special_tokens", 0);
    if (!run()) return;
    const int64_t ids[4] = {B('x'), B('y'), B('z'), 0};
    const int64_t mask[4] = {1, 1, 1, 0};
    expect_matrix("input_ids", 2, 2, ids);
    expect_matrix("attention_mask", 2, 2, mask);
}

void tok_list_configured_text_that_is_absent_is_no_row(void) {
    const char *items[1] = {"q"};
    stub_input_text_list("det_labels", items, 1);
    stub_config_str("input_text", "text");
    stub_config_str("input_list", "det_labels");
    if (!run()) return;
    const int64_t ids[3] = {1, B('q'), 2};
    expect_matrix("input_ids", 1, 3, ids);
}

void tok_empty_list_and_no_text_is_an_empty_batch(void) {
    stub_input_text_list("texts", NULL, 0);
    stub_config_str("input_list", "texts");
    if (!run()) return;
    const char *names[3] = {"input_ids", "attention_mask", "token_type_ids"};
    for (int i = 0; i < 3; i++) {
        const stub_tensor *t = stub_output(names[i]);
        CHECK(t && t->rank == 2 && t->dims[0] == 0 && t->dims[1] == 1 && t->bytes == 0, "'%s' should be int64 [0,1]", names[i]);
    }
    CHECK(stub_tokenizer_encode_calls() == 0, "the tokenizer was called for no text");
}

void tok_empty_list_with_a_text_is_one_row(void) {
    give_text("a", 1);
    stub_input_text_list("texts", NULL, 0);
    stub_config_str("input_text", "text");
    stub_config_str("input_list", "texts");
    if (!run()) return;
    const int64_t ids[3] = {1, B('a'), 2};
    expect_matrix("input_ids", 1, 3, ids);
}

void tok_list_truncates_each_row_on_its_own(void) {
    const char *items[2] = {"abcdef", "ab"};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_list", "texts");
    stub_config_int("max_length", 3);
    if (!run()) return;
    const int64_t ids[6] = {1, B('a'), 2, 1, B('a'), 2};
    expect_matrix("input_ids", 2, 3, ids);
}

void tok_list_truncate_false_names_the_item(void) {
    const char *items[2] = {"a", "abcdef"};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_list", "texts");
    stub_config_int("max_length", 4);
    stub_option_int("truncate", 0);
    expect_failure(2, "item 1 of 'texts' is 8 tokens; this model takes at most 4 — send truncate=true to cut it");
}

void tok_list_item_of_invalid_utf8_is_named(void) {
    const char *items[2] = {"ok", "b\xc3"};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_list", "texts");
    expect_failure(2, "item 1 of 'texts' is not valid UTF-8 (byte 1)");
}

void tok_list_item_without_tokens_is_named(void) {
    const char *items[2] = {"a", ""};
    stub_input_text_list("texts", items, 2);
    stub_config_str("input_list", "texts");
    stub_config_int("add_special_tokens", 0);
    expect_failure(2, "item 1 of 'texts' (0 bytes) gives no tokens");
}

void tok_list_missing_is_refused(void) {
    give_text("a", 1);
    stub_config_str("input_list", "texts");
    expect_failure(2, "input 'texts' is missing (config 'input_list' names the text list to tokenize)");
}

void tok_list_record_past_the_end_is_refused(void) {
    const char bad[6] = {5, 0, 0, 0, 'a', 'b'}; /* says 5 bytes, holds 2 */
    int64_t dims[1] = {6};
    stub_input("texts", CORRAL_UINT8, dims, 1, bad, 6);
    stub_config_str("input_list", "texts");
    expect_failure(2, "text list 'texts': record 0 is 5 bytes but only 2 bytes follow its length");
}

void tok_list_of_another_dtype_is_refused(void) {
    int64_t dims[2] = {1, 1};
    stub_input("texts", CORRAL_UINT8, dims, 2, "x", 1);
    stub_config_str("input_list", "texts");
    expect_failure(2, "input 'texts' must be a text list, uint8 [n]; got dtype 2 rank 2");
}
