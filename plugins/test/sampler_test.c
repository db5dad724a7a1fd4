/* Tests of llm-sampler: greedy and its ties, the draw's exact random numbers (checked against
 * java.util.SplittableRandom's), temperature, top-k, top-p, the repetition penalty, seeds and
 * steps, a cross-check against a plain full-sort implementation of ABI §4.7, bounded memory
 * and refusals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t llm_sampler__sample(void);

static void give(const float *logits, int v, const int64_t *tokens, int n, int64_t step) {
    int64_t lv[1] = {v}, tn[1] = {n}, one[1] = {1};
    stub_input("logits", CORRAL_FLOAT32, lv, 1, logits, v * 4);
    stub_input("tokens", CORRAL_INT64, tn, 1, tokens, n * 8);
    stub_input("step", CORRAL_INT64, one, 1, &step, 8);
}

static void set_step(int64_t step) { stub_set_input_data("step", &step, 8); }

static int64_t run(void) {
    stub_begin_call();
    int32_t rc = llm_sampler__sample();
    CHECK(rc == 0, "sample returned %d: %s", rc, stub_error_message());
    if (rc) return -1;
    const stub_tensor *t = stub_output("token");
    CHECK(t && t->dtype == CORRAL_INT64 && t->rank == 1 && t->dims[0] == 1, "output 'token' is not int64 [1]");
    return t ? *(const int64_t *)t->data : -1;
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = llm_sampler__sample();
    CHECK(rc != 0, "sample should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
}

static const int64_t no_tokens[1] = {0};

void samp_greedy_takes_the_largest_logit(void) {
    const float l[5] = {0.5f, -1, 3.25f, 3.0f, 2};
    give(l, 5, no_tokens, 0, 0);
    stub_option_num("temperature", 0);
    CHECK(run() == 2, "greedy picked another token");
}

void samp_greedy_ties_go_to_the_lowest_id(void) {
    const float l[6] = {1, 7, 3, 7, 7, 2};
    give(l, 6, no_tokens, 0, 0);
    stub_option_num("temperature", 0);
    stub_option_int("seed", 5);
    CHECK(run() == 1, "tie not broken by the lowest id");
}

void samp_greedy_needs_no_seed(void) {
    const float l[3] = {1, 2, 0};
    give(l, 3, no_tokens, 0, 0);
    stub_option_num("temperature", 0);
    CHECK(run() == 1, "greedy without a seed");
}

/* With V equal logits every weight is 1, so the token is floor(u·V): u itself shows. */
static void expect_flat_draws(int64_t seed, const int64_t want[3]) {
    static float flat[512];
    give(flat, 512, no_tokens, 0, 0);
    stub_option_int("seed", seed);
    for (int step = 0; step < 3; step++) {
        set_step(step);
        int64_t got = run();
        CHECK(got == want[step], "seed %lld step %d drew %lld, expected %lld", (long long)seed, step, (long long)got,
              (long long)want[step]);
    }
}

/* Expected: floor(512 · new SplittableRandom(seed).nextDouble()), the 1st, 2nd, 3rd call
 * (computed with the JDK; splitmix64(1234567) = 6457827717110365317 is Vigna's test vector). */
void samp_draws_match_splittable_random_seed_1234567(void) {
    expect_flat_draws(1234567, (const int64_t[3]){179, 88, 272});
}
void samp_draws_match_splittable_random_seed_0(void) {
    expect_flat_draws(0, (const int64_t[3]){452, 220, 13});
}
void samp_draws_match_splittable_random_seed_minus_1(void) {
    expect_flat_draws(-1, (const int64_t[3]){457, 467, 112});
}

void samp_same_seed_and_step_give_the_same_token(void) {
    float l[64];
    for (int i = 0; i < 64; i++) l[i] = (float)(i % 9) * 0.3f;
    give(l, 64, no_tokens, 0, 0);
    stub_option_int("seed", 99);
    for (int step = 0; step < 50; step++) {
        set_step(step);
        int64_t a = run(), b = run();
        CHECK(a == b, "step %d: %lld then %lld", step, (long long)a, (long long)b);
    }
}

/* Draws `steps` tokens with `seed` over the current inputs; counts[v] gets each token's count. */
static void draw_many(int64_t seed, int steps, int64_t *drawn, int *counts, int v) {
    stub_option_int("seed", seed);
    for (int step = 0; step < steps; step++) {
        set_step(step);
        int64_t t = run();
        if (drawn) drawn[step] = t;
        if (counts && t >= 0 && t < v) counts[t]++;
    }
}

void samp_different_seeds_draw_differently(void) {
    float l[32];
    for (int i = 0; i < 32; i++) l[i] = 0;
    give(l, 32, no_tokens, 0, 0);
    static int64_t a[200], b[200];
    draw_many(1, 200, a, NULL, 32);
    stub_begin_call();
    stub_reset_options();
    draw_many(2, 200, b, NULL, 32);
    int same = 0, distinct_steps = 0;
    for (int i = 0; i < 200; i++) {
        same += a[i] == b[i];
        distinct_steps += i > 0 && a[i] != a[i - 1];
    }
    CHECK(same < 30, "seeds 1 and 2 agree on %d of 200 uniform draws over 32 tokens (expected about 6)", same);
    CHECK(distinct_steps > 150, "seed 1 repeats itself: only %d of 199 steps change token", distinct_steps);
}

void samp_temperature_one_follows_the_softmax(void) {
    const float l[3] = {logf(0.5f), logf(0.3f), logf(0.2f)};
    give(l, 3, no_tokens, 0, 0);
    int counts[3] = {0};
    draw_many(7, 20000, NULL, counts, 3);
    CHECK_NEAR(counts[0] / 20000.0, 0.5, 0.02, "share of token 0");
    CHECK_NEAR(counts[1] / 20000.0, 0.3, 0.02, "share of token 1");
    CHECK_NEAR(counts[2] / 20000.0, 0.2, 0.02, "share of token 2");
}

void samp_temperature_two_flattens(void) {
    const float l[2] = {logf(0.8f), logf(0.2f)};
    give(l, 2, no_tokens, 0, 0);
    stub_option_num("temperature", 2);
    int counts[2] = {0};
    draw_many(3, 20000, NULL, counts, 2);
    CHECK_NEAR(counts[0] / 20000.0, 2.0 / 3.0, 0.02, "share of token 0 (sqrt 0.8 : sqrt 0.2 = 2 : 1)");
}

void samp_tiny_temperature_is_greedy_without_overflow(void) {
    const float l[4] = {1, 1.001f, -5, 1};
    give(l, 4, no_tokens, 0, 0);
    stub_option_num("temperature", 1e-300);
    int counts[4] = {0};
    draw_many(5, 100, NULL, counts, 4);
    CHECK(counts[1] == 100, "a 1e-300 temperature drew token 1 only %d of 100 times", counts[1]);
}

void samp_top_k_keeps_the_k_largest(void) {
    const float l[6] = {0, 3, 1, 3, 2, 3}; /* ties at the top: 1, 3, 5 */
    give(l, 6, no_tokens, 0, 0);
    stub_option_int("top_k", 2);
    int counts[6] = {0};
    draw_many(11, 2000, NULL, counts, 6);
    CHECK(counts[1] + counts[3] == 2000, "top_k 2 drew outside {1, 3}: %d %d %d %d %d %d", counts[0], counts[1],
          counts[2], counts[3], counts[4], counts[5]);
    CHECK(counts[1] > 800 && counts[3] > 800, "the two kept tokens are not equally likely: %d %d", counts[1], counts[3]);
}

void samp_top_k_one_is_greedy(void) {
    const float l[4] = {0.1f, 0.3f, 0.2f, 0.3f};
    give(l, 4, no_tokens, 0, 0);
    stub_option_int("top_k", 1);
    int counts[4] = {0};
    draw_many(13, 200, NULL, counts, 4);
    CHECK(counts[1] == 200, "top_k 1 drew token 1 %d of 200 times", counts[1]);
}

void samp_top_p_keeps_the_shortest_prefix(void) {
    const float l[4] = {logf(0.5f), logf(0.3f), logf(0.15f), logf(0.05f)};
    give(l, 4, no_tokens, 0, 0);
    stub_option_num("top_p", 0.7);
    int counts[4] = {0};
    draw_many(17, 20000, NULL, counts, 4);
    CHECK(counts[2] == 0 && counts[3] == 0, "top_p 0.7 drew tokens 2/3: %d %d", counts[2], counts[3]);
    CHECK_NEAR(counts[0] / 20000.0, 0.5 / 0.8, 0.02, "share of token 0 after renormalising");
}

void samp_top_p_zero_keeps_one(void) {
    const float l[3] = {0.2f, 0.1f, 0.25f};
    give(l, 3, no_tokens, 0, 0);
    stub_option_num("top_p", 0);
    int counts[3] = {0};
    draw_many(19, 100, NULL, counts, 3);
    CHECK(counts[2] == 100, "top_p 0 drew token 2 %d of 100 times", counts[2]);
}

void samp_penalty_applies_once_per_distinct_id(void) {
    const float l[2] = {2.0f, 0.9f};
    const int64_t seen[3] = {0, 0, 0};
    give(l, 2, seen, 3, 0);
    stub_option_num("temperature", 0);
    stub_option_num("repetition_penalty", 2);
    CHECK(run() == 0, "2.0/2 = 1.0 still beats 0.9; dividing twice (0.5) would not");
}

void samp_penalty_divides_positive_and_multiplies_negative(void) {
    const float pos[3] = {2.0f, 1.5f, -3};
    const int64_t first[1] = {0};
    give(pos, 3, first, 1, 0);
    stub_option_num("temperature", 0);
    stub_option_num("repetition_penalty", 1.5);
    CHECK(run() == 1, "2.0/1.5 = 1.33 < 1.5: token 1 expected");
    stub_reset_inputs();
    const float neg[2] = {-1.0f, -1.2f};
    give(neg, 2, first, 1, 0);
    CHECK(run() == 1, "-1.0·1.5 = -1.5 < -1.2: token 1 expected");
}

void samp_penalty_below_one_favours_repeats(void) {
    const float l[2] = {1.0f, 1.5f};
    const int64_t first[1] = {0};
    give(l, 2, first, 1, 0);
    stub_option_num("temperature", 0);
    stub_option_num("repetition_penalty", 0.5);
    CHECK(run() == 0, "1.0/0.5 = 2.0 beats 1.5");
}

/* ---- the cross-check: a plain implementation of ABI §4.7 with full sorts ------------------- */
static uint64_t ref_splitmix(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const float *sort_key;
static int by_key(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_key[i] != sort_key[j]) return sort_key[i] > sort_key[j] ? -1 : 1;
    return i - j;
}

/* The token the definition picks, or -1 when u lands within rounding of a boundary (the
 * plugin may sum the weights in another order). */
static int reference(const float *logits, int v, const int64_t *tokens, int n, int64_t step, double t, int k, double p,
                     double penalty, int64_t seed) {
    static float l[1024], w[1024];
    static int order[1024];
    memcpy(l, logits, sizeof(float) * (size_t)v);
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= tokens[j] == tokens[i];
        if (!dup) l[tokens[i]] = (float)(l[tokens[i]] > 0 ? l[tokens[i]] / penalty : l[tokens[i]] * penalty);
    }
    for (int i = 0; i < v; i++) order[i] = i;
    sort_key = l;
    qsort(order, (size_t)v, sizeof(int), by_key);
    if (t == 0) return order[0];
    int c = k > 0 && k < v ? k : v;
    for (int i = 0; i < c; i++) w[order[i]] = corral_expf((float)(((double)l[order[i]] - l[order[0]]) / t));
    sort_key = w;
    qsort(order, (size_t)c, sizeof(int), by_key);
    double total = 0, sum = 0, eps = 1e-9;
    for (int i = 0; i < c; i++) total += w[order[i]];
    int kept = c;
    if (p < 1) {
        for (kept = 0; kept < c;) {
            sum += w[order[kept++]];
            if (fabs(sum - p * total) < eps * total) return -1;
            if (sum >= p * total) break;
        }
        total = sum;
    }
    double u = (double)(ref_splitmix((uint64_t)seed + (uint64_t)step * 0x9E3779B97F4A7C15ull) >> 11) * 0x1p-53;
    sum = 0;
    for (int i = 0; i < kept; i++) {
        sum += w[order[i]];
        if (fabs(sum - u * total) < eps * total) return -1;
        if (sum > u * total) return order[i];
    }
    return -1;
}

void samp_matches_a_full_sort_reference(void) {
    uint32_t r = 12345;
#define NEXT() (r = r * 1664525u + 1013904223u, r >> 8)
    int compared = 0, skipped = 0, mismatches = 0;
    for (int trial = 0; trial < 400; trial++) {
        int v = 1 + (int)(NEXT() % 300), n = (int)(NEXT() % 20);
        static float l[1024];
        static int64_t tokens[32];
        for (int i = 0; i < v; i++) l[i] = (float)((int)(NEXT() % 41) - 20) / 4; /* many ties */
        for (int i = 0; i < n; i++) tokens[i] = NEXT() % (uint32_t)v;
        int64_t step = NEXT() % 1000, seed = (int64_t)NEXT() * 7919 - 5000000;
        double t = (NEXT() % 5) * 0.5, p = (NEXT() % 3) == 0 ? 1.0 : (NEXT() % 100) / 100.0;
        double penalty = (NEXT() % 2) ? 1.0 : 0.5 + (NEXT() % 20) / 10.0;
        int k = (NEXT() % 3) == 0 ? 0 : (int)(NEXT() % (uint32_t)(v + 2));
        stub_reset_inputs();
        stub_reset_options();
        give(l, v, tokens, n, step);
        stub_option_num("temperature", t);
        stub_option_int("top_k", k);
        stub_option_num("top_p", p);
        stub_option_num("repetition_penalty", penalty);
        stub_option_int("seed", seed);
        int want = reference(l, v, tokens, n, step, t, k, p, penalty, seed);
        if (want < 0) { skipped++; continue; }
        int64_t got = run();
        compared++;
        if (got != want && mismatches++ < 5)
            CHECK(0, "trial %d (V %d, T %g, k %d, p %g, penalty %g, seed %lld, step %lld): %lld, reference %d", trial, v, t, k, p,
                  penalty, (long long)seed, (long long)step, (long long)got, want);
    }
#undef NEXT
    CHECK(mismatches == 0, "%d of %d draws differ from the reference", mismatches, compared);
    CHECK(skipped < 20, "%d of 400 draws fell on a rounding boundary", skipped);
}

void samp_memory_stops_growing(void) {
    static float l[512];
    static int64_t tokens[300];
    for (int i = 0; i < 512; i++) l[i] = (float)(i % 17) * 0.25f;
    for (int i = 0; i < 300; i++) tokens[i] = (i * 37) % 512;
    give(l, 512, tokens, 300, 0);
    stub_option_num("repetition_penalty", 1.3);
    stub_option_num("top_p", 0.9);
    stub_option_int("seed", 1);
    run();
    size_t used = corral_arena_used();
    draw_many(1, 50, NULL, NULL, 512);
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes over 50 calls", used, corral_arena_used());
}

/* ---- refusals ------------------------------------------------------------------------------- */
static const float ok3[3] = {0, 1, 2};

void samp_refuses_non_finite_logits(void) {
    const float l[3] = {0, NAN, 1};
    give(l, 3, no_tokens, 0, 0);
    expect_failure(2, "input 'logits' value 1 is nan; logits must be finite");
    stub_reset_inputs();
    const float m[3] = {0, 1, -INFINITY};
    give(m, 3, no_tokens, 0, 0);
    expect_failure(2, "input 'logits' value 2 is -inf");
}

void samp_refuses_tokens_outside_the_vocabulary(void) {
    const int64_t t[2] = {1, 3};
    give(ok3, 3, t, 2, 0);
    expect_failure(2, "input 'tokens' value 1 is 3, outside the vocabulary 0..2");
}

void samp_refuses_wrong_shapes_and_missing_inputs(void) {
    int64_t dims[2] = {2, 3}, one[1] = {1}, zero = 0;
    stub_input("logits", CORRAL_FLOAT32, dims, 2, (const float[6]){0}, 24);
    stub_input("tokens", CORRAL_INT64, one, 1, &zero, 8);
    stub_input("step", CORRAL_INT64, one, 1, &zero, 8);
    expect_failure(2, "input 'logits' must be float32 [V] or [1,V]");
    stub_reset_inputs();
    int64_t v[1] = {3};
    stub_input("logits", CORRAL_FLOAT32, v, 1, ok3, 12);
    expect_failure(2, "input 'tokens' is missing");
    stub_input("tokens", CORRAL_INT32, one, 1, &zero, 4);
    expect_failure(2, "input 'tokens' must be int64 [N]");
    stub_reset_inputs();
    stub_input("logits", CORRAL_FLOAT32, v, 1, ok3, 12);
    stub_input("tokens", CORRAL_INT64, one, 1, &zero, 8);
    expect_failure(2, "input 'step' is missing");
}

void samp_refuses_a_negative_step(void) {
    give(ok3, 3, no_tokens, 0, -1);
    stub_option_int("seed", 1);
    expect_failure(2, "input 'step' is -1");
}

void samp_refuses_out_of_range_options(void) {
    give(ok3, 3, no_tokens, 0, 0);
    stub_option_num("temperature", -0.5);
    expect_failure(3, "temperature must be a finite number >= 0, got -0.5");
    stub_reset_options();
    stub_option_int("top_k", -1);
    expect_failure(3, "top_k must be >= 0 (0 = off), got -1");
    stub_reset_options();
    stub_option_num("top_p", 1.5);
    expect_failure(3, "top_p must be between 0 and 1 (1 = off), got 1.5");
    stub_reset_options();
    stub_option_num("repetition_penalty", 0);
    expect_failure(3, "repetition_penalty must be a finite number > 0 (1 = off), got 0");
}

void samp_refuses_sampling_without_a_seed(void) {
    give(ok3, 3, no_tokens, 0, 0);
    expect_failure(1, "option 'seed' is missing; the host supplies one");
}
