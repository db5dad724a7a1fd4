/* Tests of embed-pool: mean and cls pooling, normalisation, hand-computed values, the exact
 * JSON, blocks larger than one read, refusals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t embed_pool__pool(void);

static void give(int s, int h, const float *hidden, const int64_t *mask) {
    int64_t hd[3] = {1, s, h}, md[2] = {1, s};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, hidden, s * h * 4);
    stub_input("attention_mask", CORRAL_INT64, md, 2, mask, s * 8);
}

static const char *run(void) {
    stub_begin_call();
    int32_t rc = embed_pool__pool();
    CHECK(rc == 0, "pool returned %d: %s", rc, stub_error_message());
    return rc == 0 ? stub_json() : NULL;
}

static void expect_json(const char *want) {
    const char *json = run();
    CHECK(json && strcmp(json, want) == 0, "JSON %s\n      expected %s", json, want);
}

/* Parses {"embedding":[…],"tokens":N}; returns the number of floats, or -1. */
static int parse(const char *json, float *out, int cap, long *tokens) {
    if (!json || strncmp(json, "{\"embedding\":[", 14) != 0) { CHECK(0, "JSON starts wrong: %s", json); return -1; }
    const char *p = json + 14;
    int n = 0;
    char *end;
    while (*p != ']' && n < cap) {
        out[n++] = strtof(p, &end);
        p = *end == ',' ? end + 1 : end;
    }
    if (strncmp(p, "],\"tokens\":", 11) != 0) { CHECK(0, "JSON lacks tokens: %s", p); return -1; }
    *tokens = strtol(p + 11, &end, 10);
    CHECK(strcmp(end, "}") == 0, "JSON ends wrong: %s", end);
    return n;
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = embed_pool__pool();
    CHECK(rc != 0, "pool should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
}

/* Three tokens, the last one padding with values that would show if it were counted. */
static const float three[6] = {1, 2, 3, 4, 100, -100};
static const int64_t two_of_three[3] = {1, 1, 0};

void pool_mean_skips_masked_tokens(void) {
    give(3, 2, three, two_of_three);
    stub_config_int("normalize", 0);
    expect_json("{\"embedding\":[2,3],\"tokens\":2}"); /* ((1+3)/2, (2+4)/2) */
}

void pool_mean_then_normalise(void) {
    give(3, 2, three, two_of_three);
    float e[4];
    long tokens = 0;
    int n = parse(run(), e, 4, &tokens);
    CHECK(n == 2 && tokens == 2, "%d floats, %ld tokens", n, tokens);
    /* (2,3) / sqrt(13): 0.554700196…, 0.832050294… */
    CHECK(e[0] == (float)(2 / sqrt(13.0)) && e[1] == (float)(3 / sqrt(13.0)), "embedding %.9g %.9g", e[0], e[1]);
    expect_json("{\"embedding\":[0.5547002,0.8320503],\"tokens\":2}");
}

void pool_cls_takes_the_first_token(void) {
    give(3, 2, three, two_of_three);
    stub_config_str("pooling", "cls");
    stub_config_int("normalize", 0);
    expect_json("{\"embedding\":[1,2],\"tokens\":2}");
}

void pool_cls_normalised(void) {
    const float h[4] = {3, -4, 9, 9};
    const int64_t m[2] = {1, 1};
    give(2, 2, h, m);
    stub_config_str("pooling", "cls");
    expect_json("{\"embedding\":[0.6,-0.8],\"tokens\":2}"); /* (3,-4)/5 */
}

void pool_zero_vector_stays_zero(void) {
    const float h[2] = {0, 0};
    const int64_t m[1] = {1};
    give(1, 2, h, m);
    expect_json("{\"embedding\":[0,0],\"tokens\":1}");
}

void pool_reads_many_blocks_exactly(void) {
    enum { S = 300, H = 384 }; /* 460,800 bytes: several 64 KiB reads, rows split across none */
    static float h[S * H];
    static int64_t m[S];
    static double ref[H];
    uint32_t seed = 11;
    for (int i = 0; i < S * H; i++) {
        seed = seed * 1664525u + 1013904223u;
        h[i] = (float)((int32_t)seed >> 8) / 65536.0f;
    }
    long count = 0;
    for (int t = 0; t < S; t++) {
        m[t] = t < 250 && t % 7 != 3;
        count += m[t];
        for (int i = 0; i < H && m[t]; i++) ref[i] += h[t * H + i];
    }
    double squares = 0;
    for (int i = 0; i < H; i++) { ref[i] /= count; squares += ref[i] * ref[i]; }
    give(S, H, h, m);
    static float e[H + 1];
    long tokens = 0;
    int n = parse(run(), e, H + 1, &tokens);
    CHECK(n == H && tokens == count, "%d floats, %ld tokens (expected %d, %ld)", n, tokens, H, count);
    int differ = 0;
    for (int i = 0; i < n; i++) differ += e[i] != (float)(ref[i] / sqrt(squares));
    CHECK(differ == 0, "%d of %d values differ from the double reference", differ, H);
}

void pool_names_come_from_config(void) {
    const float h[2] = {1, 1};
    const int64_t m[1] = {1};
    int64_t hd[3] = {1, 1, 2}, md[2] = {1, 1};
    stub_input("hidden", CORRAL_FLOAT32, hd, 3, h, 8);
    stub_input("mask", CORRAL_INT64, md, 2, m, 8);
    stub_config_str("hidden_name", "hidden");
    stub_config_str("mask_name", "mask");
    stub_config_int("normalize", 0);
    expect_json("{\"embedding\":[1,1],\"tokens\":1}");
}

void pool_memory_stops_growing(void) {
    give(3, 2, three, two_of_three);
    run();
    size_t used = corral_arena_used();
    for (int i = 0; i < 5; i++) run();
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes", used, corral_arena_used());
}

void pool_refuses_an_all_zero_mask(void) {
    const int64_t none[3] = {0, 0, 0};
    give(3, 2, three, none);
    expect_failure(2, "input 'attention_mask' is all zeros");
}

void pool_refuses_mask_values_other_than_0_1(void) {
    const int64_t odd[3] = {1, 2, 0};
    give(3, 2, three, odd);
    expect_failure(2, "input 'attention_mask' value 1 is 2; a mask holds 0 or 1");
}

void pool_refuses_a_mask_of_another_length(void) {
    int64_t hd[3] = {1, 3, 2}, md[2] = {1, 2};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, three, 24);
    stub_input("attention_mask", CORRAL_INT64, md, 2, two_of_three, 16);
    expect_failure(2, "input 'attention_mask' must be int64 [1,3] like 'last_hidden_state'");
}

void pool_refuses_wrong_hidden_rank_and_dtype(void) {
    int64_t hd[1] = {6}, md[2] = {1, 3};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 1, three, 24);
    stub_input("attention_mask", CORRAL_INT64, md, 2, two_of_three, 24);
    expect_failure(2, "input 'last_hidden_state' must be float32 [N,S,H] (token vectors) or [N,H] (pooled)");
    stub_reset_inputs();
    int32_t ints[6] = {0};
    int64_t d3[3] = {1, 3, 2};
    stub_input("last_hidden_state", CORRAL_INT32, d3, 3, ints, 24);
    stub_input("attention_mask", CORRAL_INT64, md, 2, two_of_three, 24);
    expect_failure(2, "got dtype 6 rank 3");
}

void pool_refuses_missing_mask(void) {
    int64_t hd[3] = {1, 3, 2};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, three, 24);
    expect_failure(2, "input 'attention_mask' is missing");
}

void pool_refuses_non_finite_values(void) {
    const float h[4] = {1, NAN, 2, 2};
    const int64_t m[2] = {1, 1};
    give(2, 2, h, m);
    expect_failure(2, "input 'last_hidden_state' row 0 token 0 value 1 is not finite");
}

void pool_refuses_unknown_pooling(void) {
    give(3, 2, three, two_of_three);
    stub_config_str("pooling", "max");
    expect_failure(1, "config 'pooling' must be mean or cls, got 'max'");
}

/* ---- batches: output "tensor", pooled inputs, the empty batch ---- */

/* Checks output `name` is float32 [rows,cols] holding want. */
static void expect_floats(const char *name, int rows, int cols, const float *want) {
    const stub_tensor *t = stub_output(name);
    CHECK(t != NULL, "no output '%s'", name);
    if (!t) return;
    CHECK(t->dtype == CORRAL_FLOAT32 && t->rank == 2 && t->dims[0] == rows && t->dims[1] == cols,
          "'%s': dtype %d rank %d [%lld,%lld], expected float32 [%d,%d]", name, t->dtype, t->rank, (long long)t->dims[0],
          (long long)t->dims[1], rows, cols);
    if (t->bytes != rows * cols * 4) return;
    const float *got = t->data;
    for (int i = 0; i < rows * cols; i++) CHECK_NEAR(got[i], want[i], 1e-7, name);
}

void pool_tensor_output_pools_each_row(void) {
    /* row 0: tokens (1,2),(3,4) and padding; row 1: (6,8) alone, then padding that must not count */
    const float h[12] = {1, 2, 3, 4, 100, -100, 6, 8, 50, 50, -7, 7};
    const int64_t m[6] = {1, 1, 0, 1, 0, 0};
    int64_t hd[3] = {2, 3, 2}, md[2] = {2, 3};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, h, sizeof h);
    stub_input("attention_mask", CORRAL_INT64, md, 2, m, sizeof m);
    stub_config_str("output", "tensor");
    CHECK(run() == NULL, "output tensor writes no JSON");
    const float want[4] = {(float)(2 / sqrt(13.0)), (float)(3 / sqrt(13.0)), 0.6f, 0.8f};
    expect_floats("embeddings", 2, 2, want);
    CHECK(stub_output_count() == 1, "%d outputs, expected embeddings only", stub_output_count());
}

void pool_tensor_output_cls_without_normalising(void) {
    const float h[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const int64_t m[4] = {1, 1, 1, 1};
    int64_t hd[3] = {2, 2, 2}, md[2] = {2, 2};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, h, sizeof h);
    stub_input("attention_mask", CORRAL_INT64, md, 2, m, sizeof m);
    stub_config_str("output", "tensor");
    stub_config_str("output_name", "vectors");
    stub_config_str("pooling", "cls");
    stub_config_int("normalize", 0);
    run();
    const float want[4] = {1, 2, 5, 6};
    expect_floats("vectors", 2, 2, want);
}

void pool_pooled_input_is_only_normalised(void) {
    const float e[6] = {3, 0, 4, 0, 0, 0};
    int64_t d[2] = {2, 3};
    stub_input("text_embeds", CORRAL_FLOAT32, d, 2, e, sizeof e);
    stub_config_str("input_name", "text_embeds");
    stub_config_str("output", "tensor");
    run();
    const float want[6] = {0.6f, 0, 0.8f, 0, 0, 0}; /* a zero row stays zero */
    expect_floats("embeddings", 2, 3, want);
}

void pool_pooled_input_as_json_counts_tokens_from_the_mask(void) {
    const float e[2] = {3, -4};
    const int64_t m[3] = {1, 1, 0};
    int64_t d[2] = {1, 2}, md[2] = {1, 3};
    stub_input("text_embeds", CORRAL_FLOAT32, d, 2, e, sizeof e);
    stub_config_str("input_name", "text_embeds");
    expect_json("{\"embedding\":[0.6,-0.8]}");
    stub_input("attention_mask", CORRAL_INT64, md, 2, m, sizeof m);
    expect_json("{\"embedding\":[0.6,-0.8],\"tokens\":2}");
}

void pool_empty_batch_writes_an_empty_tensor(void) {
    int64_t md[2] = {0, 1};
    stub_input("attention_mask", CORRAL_INT64, md, 2, "", 0); /* the tokenizer's rows; the model was skipped */
    stub_config_str("output", "tensor");
    run();
    const stub_tensor *t = stub_output("embeddings");
    CHECK(t && t->dtype == CORRAL_FLOAT32 && t->rank == 2 && t->dims[0] == 0 && t->bytes == 0, "expected float32 [0,0] embeddings");
}

void pool_missing_hidden_with_rows_in_the_mask_is_refused(void) {
    int64_t md[2] = {1, 3};
    stub_input("attention_mask", CORRAL_INT64, md, 2, two_of_three, 24);
    stub_config_str("output", "tensor");
    expect_failure(2, "input 'last_hidden_state' is missing");
}

void pool_json_refuses_several_rows(void) {
    const float h[4] = {1, 2, 3, 4};
    const int64_t m[2] = {1, 1};
    int64_t hd[3] = {2, 1, 2}, md[2] = {2, 1};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, h, sizeof h);
    stub_input("attention_mask", CORRAL_INT64, md, 2, m, sizeof m);
    expect_failure(1, "config 'output' json writes one embedding, but input 'last_hidden_state' has 2 rows; use output tensor");
}

void pool_refuses_an_all_zero_row_in_a_batch(void) {
    const float h[4] = {1, 2, 3, 4};
    const int64_t m[2] = {1, 0};
    int64_t hd[3] = {2, 1, 2}, md[2] = {2, 1};
    stub_input("last_hidden_state", CORRAL_FLOAT32, hd, 3, h, sizeof h);
    stub_input("attention_mask", CORRAL_INT64, md, 2, m, sizeof m);
    stub_config_str("output", "tensor");
    expect_failure(2, "input 'attention_mask' is all zeros in row 1");
}

void pool_refuses_unknown_output(void) {
    give(3, 2, three, two_of_three);
    stub_config_str("output", "csv");
    expect_failure(1, "config 'output' must be json or tensor, got 'csv'");
}
