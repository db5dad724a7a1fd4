/* Tests of similarity-rank: cosine ranking with texts, scores and boxes, the tie rule, softmax
 * and sigmoid, top_k, the empty batch, and refusals that name the tensors at fault. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t similarity_rank__rank(void);

static void give_floats(const char *name, const int64_t *dims, int32_t rank, const float *data) {
    int64_t count = 1;
    for (int i = 0; i < rank; i++) count *= dims[i];
    stub_input(name, CORRAL_FLOAT32, dims, rank, data, (int32_t)(count * 4));
}

static void give_matrix(const char *name, int64_t rows, int64_t cols, const float *data) {
    int64_t dims[2] = {rows, cols};
    give_floats(name, dims, 2, data);
}

static const char *run(void) {
    stub_begin_call();
    int32_t rc = similarity_rank__rank();
    CHECK(rc == 0, "rank returned %d: %s", rc, stub_error_message());
    return rc == 0 ? stub_json() : NULL;
}

static void expect_json(const char *want) {
    const char *json = run();
    CHECK(json && strcmp(json, want) == 0, "JSON %s\n      expected %s", json, want);
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = similarity_rank__rank();
    CHECK(rc != 0, "rank should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
    CHECK(stub_json() == NULL, "a failed call wrote JSON");
}

/* The values after each occurrence of `"key":` in json, in order; returns how many. */
static int numbers_after(const char *json, const char *key, double *out, int cap) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    int n = 0;
    for (const char *p = json ? strstr(json, pattern) : NULL; p && n < cap; p = strstr(p + 1, pattern))
        out[n++] = strtod(p + strlen(pattern), NULL);
    return n;
}

/* Grounding's layout: one tensor, the query in row 0 and three items after it. */
static const float grounding[8] = {1, 0, /* query */ 0, 1, /* cos 0 */ 1, 1, /* cos 1/√2 */ 2, 0 /* cos 1 */};
static const char *const labels[3] = {"dog", "cat", "person"};

static void grounding_config(void) {
    give_matrix("embeddings", 4, 2, grounding);
    stub_input_text_list("det_labels", labels, 3);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 1);
    stub_config_str("item_texts", "det_labels");
}

void sim_rank_orders_items_by_cosine(void) {
    grounding_config();
    expect_json("{\"matches\":[{\"text\":\"person\",\"similarity\":1,\"index\":2},"
                "{\"text\":\"cat\",\"similarity\":0.70710677,\"index\":1},"
                "{\"text\":\"dog\",\"similarity\":0,\"index\":0}]}");
}

void sim_rank_carries_scores_and_boxes_under_the_text_key(void) {
    grounding_config();
    const float scores[3] = {0.5f, 0.25f, 0.75f};
    const float boxes[12] = {0, 0, 10, 10, 1, 2, 3, 4, 5.5f, 6, 7, 8};
    int64_t sd[1] = {3};
    give_floats("det_scores", sd, 1, scores);
    give_matrix("det_boxes", 3, 4, boxes);
    stub_config_str("item_scores", "det_scores");
    stub_config_str("item_boxes", "det_boxes");
    stub_config_str("text_key", "label");
    stub_option_int("top_k", 2);
    expect_json("{\"matches\":[{\"label\":\"person\",\"similarity\":1,\"score\":0.75,\"box\":[5.5,6,7,8],\"index\":2},"
                "{\"label\":\"cat\",\"similarity\":0.70710677,\"score\":0.25,\"box\":[1,2,3,4],\"index\":1}]}");
}

void sim_rank_writes_quads_as_points(void) {
    const float e[4] = {1, 0, 3, 0};
    const float quad[8] = {0, 0, 4, 0, 4, 2, 0, 2};
    int64_t qd[3] = {1, 4, 2};
    give_matrix("embeddings", 2, 2, e);
    give_floats("line_boxes", qd, 3, quad);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 1);
    stub_config_str("item_boxes", "line_boxes");
    expect_json("{\"matches\":[{\"similarity\":1,\"box\":[[0,0],[4,0],[4,2],[0,2]],\"index\":0}]}");
}

void sim_rank_ties_go_to_the_higher_score_then_the_lower_index(void) {
    const float e[8] = {1, 0, 2, 0, 3, 0, 4, 0}; /* three items, all cosine 1 */
    const float scores[3] = {0.2f, 0.9f, 0.2f};
    int64_t sd[1] = {3};
    give_matrix("embeddings", 4, 2, e);
    give_floats("det_scores", sd, 1, scores);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 1);
    stub_config_str("item_scores", "det_scores");
    const char *json = run();
    double index[3];
    CHECK(numbers_after(json, "index", index, 3) == 3 && index[0] == 1 && index[1] == 0 && index[2] == 2,
          "order by score, then index: %s", json);
}

void sim_softmax_over_candidate_labels(void) {
    const float image[3] = {1, 0, 0};
    const float texts[9] = {0, 1, 0, 2, 0, 0, 0, 0, 1};
    const char *const names[3] = {"a photo of green", "a photo of red", "a photo of blue"};
    int64_t qd[2] = {1, 3};
    give_floats("image_embeds", qd, 2, image);
    give_matrix("text_embeds", 3, 3, texts);
    stub_input_text_list("texts", names, 3);
    stub_config_str("query", "image_embeds");
    stub_config_str("candidates", "text_embeds");
    stub_config_str("mode", "softmax");
    stub_config_num("logit_scale", 2);
    stub_config_str("item_texts", "texts");
    const char *json = run();
    CHECK(json && strncmp(json, "{\"labels\":[{\"label\":\"a photo of red\",", 37) == 0, "red first, under 'label': %s", json);
    double p[3], logit[3];
    CHECK(numbers_after(json, "score", p, 3) == 3 && numbers_after(json, "logit", logit, 3) == 3, "three labels: %s", json);
    double e2 = exp(2.0);
    CHECK_NEAR(p[0], e2 / (e2 + 2), 1e-6, "p(red)");
    CHECK_NEAR(p[1], 1 / (e2 + 2), 1e-6, "p(second)");
    CHECK_NEAR(p[0] + p[1] + p[2], 1, 1e-6, "sum of p");
    CHECK(logit[0] == 2 && logit[1] == 0 && logit[2] == 0, "logits %g %g %g", logit[0], logit[1], logit[2]);
    double index[3];
    numbers_after(json, "index", index, 3);
    CHECK(index[0] == 1 && index[1] == 0 && index[2] == 2, "equal probabilities keep the lower index first: %s", json);
}

void sim_sigmoid_scores_each_label_on_its_own(void) {
    const float image[2] = {0, 1};
    const float texts[4] = {0, 3, 1, 0};
    give_matrix("image_embeds", 1, 2, image);
    give_matrix("text_embeds", 2, 2, texts);
    stub_config_str("query", "image_embeds");
    stub_config_str("candidates", "text_embeds");
    stub_config_str("mode", "sigmoid");
    stub_config_num("logit_scale", 10);
    stub_config_num("logit_bias", -5);
    const char *json = run();
    double p[2], logit[2];
    CHECK(numbers_after(json, "score", p, 2) == 2 && numbers_after(json, "logit", logit, 2) == 2, "two labels: %s", json);
    CHECK(logit[0] == 5 && logit[1] == -5, "logits %g %g", logit[0], logit[1]);
    CHECK_NEAR(p[0], 1 / (1 + exp(-5.0)), 1e-6, "p(match)");
    CHECK_NEAR(p[1], 1 / (1 + exp(5.0)), 1e-6, "p(other)");
}

void sim_a_zero_vector_has_similarity_zero(void) {
    const float e[4] = {0, 0, 1, 1};
    give_matrix("embeddings", 2, 2, e);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 1);
    expect_json("{\"matches\":[{\"similarity\":0,\"index\":0}]}");
}

void sim_query_may_be_a_vector(void) {
    const float q[2] = {0, 2};
    const float c[2] = {0, 5};
    int64_t qd[1] = {2};
    give_floats("q", qd, 1, q);
    give_matrix("c", 1, 2, c);
    stub_config_str("query", "q");
    stub_config_str("candidates", "c");
    expect_json("{\"matches\":[{\"similarity\":1,\"index\":0}]}");
}

void sim_absent_candidates_are_no_items(void) {
    const float q[2] = {1, 0};
    give_matrix("image_embeds", 1, 2, q);
    stub_input_text_list("texts", NULL, 0);
    stub_config_str("query", "image_embeds");
    stub_config_str("candidates", "text_embeds");
    stub_config_str("item_texts", "texts");
    expect_json("{\"matches\":[]}");
    stub_config_str("mode", "softmax");
    expect_json("{\"labels\":[]}");
}

void sim_candidates_of_zero_rows_are_no_items(void) {
    const float none[1] = {0};
    give_matrix("text_embeds", 0, 0, none);
    stub_config_str("query", "image_embeds"); /* not even read */
    stub_config_str("candidates", "text_embeds");
    stub_config_str("mode", "softmax");
    expect_json("{\"labels\":[]}");
}

void sim_top_k_must_be_positive(void) {
    grounding_config();
    stub_option_int("top_k", 0);
    expect_failure(3, "top_k must be at least 1, got 0");
}

void sim_top_k_beyond_the_items_gives_them_all(void) {
    grounding_config();
    stub_option_int("top_k", 50);
    double index[4];
    CHECK(numbers_after(run(), "index", index, 4) == 3, "three items");
}

void sim_item_count_mismatch_names_both_tensors(void) {
    grounding_config();
    stub_reset_inputs();
    give_matrix("embeddings", 4, 2, grounding);
    stub_input_text_list("det_labels", labels, 2);
    expect_failure(1, "'det_labels' has 2 items but candidates 'embeddings' has 3 rows after candidates_offset 1");
}

void sim_score_count_mismatch_names_both_tensors(void) {
    grounding_config();
    const float scores[4] = {1, 1, 1, 1};
    int64_t sd[1] = {4};
    give_floats("det_scores", sd, 1, scores);
    stub_config_str("item_scores", "det_scores");
    expect_failure(1, "'det_scores' has 4 items but candidates 'embeddings' has 3 rows");
}

void sim_width_mismatch_is_refused(void) {
    const float q[3] = {1, 0, 0};
    const float c[2] = {1, 0};
    give_matrix("image_embeds", 1, 3, q);
    give_matrix("text_embeds", 1, 2, c);
    stub_config_str("query", "image_embeds");
    stub_config_str("candidates", "text_embeds");
    expect_failure(1, "query 'image_embeds' has 3 values per row but candidates 'text_embeds' has 2");
}

void sim_fewer_rows_than_the_offset_is_refused(void) {
    const float c[2] = {1, 0};
    give_matrix("embeddings", 1, 2, c);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 2);
    expect_failure(1, "candidates 'embeddings' has 1 rows, fewer than candidates_offset 2");
}

void sim_missing_query_is_refused(void) {
    const float c[2] = {1, 0};
    give_matrix("text_embeds", 1, 2, c);
    stub_config_str("query", "image_embeds");
    stub_config_str("candidates", "text_embeds");
    expect_failure(2, "input 'image_embeds' (config 'query') is missing");
}

void sim_non_finite_embeddings_are_refused(void) {
    const float c[4] = {1, 0, NAN, 0};
    give_matrix("embeddings", 2, 2, c);
    stub_config_str("query", "embeddings");
    stub_config_str("candidates", "embeddings");
    stub_config_int("candidates_offset", 1);
    expect_failure(2, "input 'embeddings' row 1 value 0 is not finite");
}

void sim_refuses_bad_config(void) {
    expect_failure(1, "config 'query' is required");
    stub_config_str("query", "q");
    expect_failure(1, "config 'candidates' is required");
    stub_config_str("candidates", "c");
    stub_config_str("mode", "argmax");
    expect_failure(1, "config 'mode' must be rank, softmax or sigmoid, got 'argmax'");
}

void sim_memory_stops_growing(void) {
    grounding_config();
    run();
    size_t used = corral_arena_used();
    for (int i = 0; i < 5; i++) run();
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes", used, corral_arena_used());
}
