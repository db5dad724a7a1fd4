/* Tests of classify-postprocess: softmax, top-k order and ties, label formats, refusals and
 * the exact JSON it writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t classify_postprocess__postprocess(void);

static void give_logits(const float *values, int n, int batched) {
    int64_t dims[2] = {1, n};
    stub_input("output", CORRAL_FLOAT32, batched ? dims : dims + 1, batched ? 2 : 1, values, n * 4);
}

/* Runs the entry point; returns the JSON, or NULL after a failed check. */
static const char *run(void) {
    stub_begin_call();
    int32_t rc = classify_postprocess__postprocess();
    CHECK(rc == 0, "postprocess returned %d: %s", rc, stub_error_message());
    CHECK(rc != 0 || stub_json() != NULL, "no JSON was written");
    return rc == 0 ? stub_json() : NULL;
}

typedef struct prediction {
    int index;
    float probability;
    char label[128]; /* still JSON-escaped; "" when absent */
    int has_label;
} prediction;

/* Reads the predictions back, checking the document's exact shape on the way. */
static int parse(const char *json, prediction *out, int cap) {
    const char *p = json;
    if (strncmp(p, "{\"predictions\":[", 16) != 0) { CHECK(0, "JSON starts wrong: %s", json); return -1; }
    p += 16;
    int n = 0;
    while (*p == '{' && n < cap) {
        prediction *r = &out[n++];
        memset(r, 0, sizeof *r);
        char *end;
        if (strncmp(p, "{\"index\":", 9) != 0) { CHECK(0, "prediction %d starts wrong: %s", n, p); return -1; }
        r->index = (int)strtol(p + 9, &end, 10);
        p = end;
        if (strncmp(p, ",\"label\":\"", 10) == 0) {
            p += 10;
            int i = 0;
            while (*p != '"' && i < 127) {
                if (*p == '\\') r->label[i++] = *p++;
                r->label[i++] = *p++;
            }
            r->label[i] = 0;
            r->has_label = 1;
            p++;
        }
        if (strncmp(p, ",\"probability\":", 15) != 0) { CHECK(0, "prediction %d lacks probability: %s", n, p); return -1; }
        r->probability = strtof(p + 15, &end);
        p = end;
        if (*p != '}') { CHECK(0, "prediction %d has more members: %s", n, p); return -1; }
        p++;
        if (*p == ',') p++;
    }
    CHECK(strcmp(p, "]}") == 0, "JSON ends wrong: '%s'", p);
    return n;
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = classify_postprocess__postprocess();
    CHECK(rc != 0, "postprocess should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
}

void post_writes_the_exact_document(void) {
    const float p[3] = {0.25f, 0.5f, 0.125f};
    give_logits(p, 3, 1);
    stub_config_int("apply_softmax", 0);
    stub_config_int("top_k", 2);
    stub_config_str("labels", "a\nb\nc\n");
    const char *json = run();
    const char *want = "{\"predictions\":[{\"index\":1,\"label\":\"b\",\"probability\":0.5},"
                       "{\"index\":0,\"label\":\"a\",\"probability\":0.25}]}";
    CHECK(json && strcmp(json, want) == 0, "JSON %s\n      expected %s", json, want);
}

void post_softmax_sums_to_one(void) {
    const float logits[5] = {1, 2, 3, 4, 5};
    give_logits(logits, 5, 0);
    stub_option_int("top_k", 5);
    const char *json = run();
    prediction r[8];
    if (!json || parse(json, r, 8) != 5) { CHECK(0, "expected 5 predictions: %s", json); return; }
    double norm = 0, sum = 0;
    for (int i = 0; i < 5; i++) norm += exp(i + 1.0);
    for (int i = 0; i < 5; i++) {
        CHECK(r[i].index == 4 - i && !r[i].has_label, "rank %d: index %d", i, r[i].index);
        CHECK_NEAR(r[i].probability, exp(5.0 - i) / norm, 1e-7, "probability");
        sum += r[i].probability;
    }
    CHECK_NEAR(sum, 1.0, 1e-6, "sum of probabilities");
}

void post_softmax_is_stable_for_large_logits(void) {
    const float logits[3] = {1000, 999, -1000};
    give_logits(logits, 3, 1);
    const char *json = run();
    prediction r[4];
    if (!json || parse(json, r, 4) != 3) return;
    CHECK_NEAR(r[0].probability, 1 / (1 + exp(-1.0)), 1e-7, "top probability");
    CHECK(r[2].index == 2 && r[2].probability == 0, "the -1000 logit: index %d p %g", r[2].index, r[2].probability);
}

void post_ties_rank_lower_index_first(void) {
    const float logits[6] = {1, 3, 3, 2, 3, 0};
    give_logits(logits, 6, 1);
    stub_option_int("top_k", 4);
    const char *json = run();
    prediction r[8];
    if (!json || parse(json, r, 8) != 4) { CHECK(0, "expected 4 predictions: %s", json); return; }
    int want[4] = {1, 2, 4, 3};
    for (int i = 0; i < 4; i++) CHECK(r[i].index == want[i], "rank %d: index %d, expected %d", i, r[i].index, want[i]);
    CHECK(r[0].probability == r[1].probability && r[1].probability == r[2].probability, "tied probabilities differ");
}

static const float *rank_values;
static int compare_rank(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    if (rank_values[i] != rank_values[j]) return rank_values[i] > rank_values[j] ? -1 : 1;
    return i - j;
}

void post_top_k_matches_a_full_sort(void) {
    enum { N = 1000 };
    static float logits[N];
    static int order[N];
    uint32_t seed = 7;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        logits[i] = (float)(seed >> 26); /* 64 distinct values: many ties */
        order[i] = i;
    }
    rank_values = logits;
    qsort(order, N, sizeof(int), compare_rank);
    give_logits(logits, N, 1);
    stub_config_int("apply_softmax", 0);
    stub_option_int("top_k", 300);
    const char *json = run();
    static prediction r[N];
    int n = json ? parse(json, r, N) : -1;
    CHECK(n == 300, "expected 300 predictions, got %d", n);
    int mismatches = 0;
    for (int i = 0; i < n; i++) mismatches += r[i].index != order[i];
    CHECK(mismatches == 0, "%d of 300 ranks differ from a full sort", mismatches);
}

void post_k_is_clamped_to_n(void) {
    const float logits[3] = {0, 1, 2};
    give_logits(logits, 3, 1);
    stub_option_int("top_k", 10);
    const char *json = run();
    prediction r[16];
    CHECK(json && parse(json, r, 16) == 3, "expected 3 predictions: %s", json);
}

void post_default_k_is_5_and_config_sets_it(void) {
    float logits[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    give_logits(logits, 8, 1);
    prediction r[16];
    const char *json = run();
    CHECK(json && parse(json, r, 16) == 5, "default k: %s", json);
    stub_config_int("top_k", 3);
    json = run();
    CHECK(json && parse(json, r, 16) == 3, "config top_k 3: %s", json);
}

void post_option_overrides_config_k(void) {
    float logits[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    give_logits(logits, 8, 1);
    stub_config_int("top_k", 3);
    stub_option_int("top_k", 1);
    prediction r[16];
    const char *json = run();
    CHECK(json && parse(json, r, 16) == 1 && r[0].index == 7, "option top_k 1: %s", json);
}

void post_rejects_k_zero_as_an_option_error(void) {
    float logits[3] = {0, 1, 2};
    give_logits(logits, 3, 1);
    stub_option_int("top_k", 0);
    expect_failure(3, "top_k must be ≥ 1, got 0");
}

void post_rejects_k_zero_in_config(void) {
    float logits[3] = {0, 1, 2};
    give_logits(logits, 3, 1);
    stub_config_int("top_k", 0);
    expect_failure(1, "config 'top_k' must be ≥ 1, got 0");
}

void post_synset_labels_take_the_first_name(void) {
    float logits[3] = {3, 2, 1};
    give_logits(logits, 3, 1);
    stub_config_str("labels", "n01440764 tench, Tinca tinca\r\nn01443537 goldfish, Carassius auratus\r\n"
                              "n01484850 great white shark\r\n");
    stub_config_str("label_format", "synset");
    prediction r[4];
    const char *json = run();
    if (!json || parse(json, r, 4) != 3) { CHECK(0, "expected 3 predictions: %s", json); return; }
    CHECK(strcmp(r[0].label, "tench") == 0, "label 0 '%s'", r[0].label);
    CHECK(strcmp(r[1].label, "goldfish") == 0, "label 1 '%s'", r[1].label);
    CHECK(strcmp(r[2].label, "great white shark") == 0, "label 2 '%s'", r[2].label);
}

void post_real_synset_file_names_class_285(void) {
    const char *dir = getenv("CORRAL_MODELS");
    char path[1024];
    snprintf(path, sizeof path, "%s/mobilenetv2-12-int8/synset.txt", dir ? dir : "../shared/models");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot read %s (set CORRAL_MODELS to the model mirror)", path);
    if (!f) return;
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    static float logits[1000];
    logits[285] = 5;
    logits[281] = 4;
    give_logits(logits, 1000, 1);
    stub_config_str("labels", text);
    stub_config_str("label_format", "synset");
    stub_option_int("top_k", 2);
    prediction r[4];
    const char *json = run();
    if (!json || parse(json, r, 4) != 2) { CHECK(0, "expected 2 predictions: %s", json); return; }
    CHECK(r[0].index == 285 && strcmp(r[0].label, "Egyptian cat") == 0, "top: %d '%s'", r[0].index, r[0].label);
    CHECK(r[1].index == 281 && strcmp(r[1].label, "tabby") == 0, "second: %d '%s'", r[1].index, r[1].label);
}

void post_lines_labels_keep_the_whole_line(void) {
    float logits[2] = {1, 2};
    give_logits(logits, 2, 1);
    stub_config_str("labels", "tench, Tinca tinca\r\ngoldfish");
    stub_config_str("label_format", "lines");
    prediction r[4];
    const char *json = run();
    if (!json || parse(json, r, 4) != 2) { CHECK(0, "expected 2 predictions: %s", json); return; }
    CHECK(strcmp(r[0].label, "goldfish") == 0, "label of class 1 '%s'", r[0].label);
    CHECK(strcmp(r[1].label, "tench, Tinca tinca") == 0, "label of class 0 '%s'", r[1].label);
}

void post_json_labels_are_decoded_and_reescaped(void) {
    float logits[4] = {4, 3, 2, 1};
    give_logits(logits, 4, 1);
    stub_config_str("labels", " [\"tench\", \"gold\\\"fish\\\\\", \"caf\\u00e9\\/\",\n \"\\ud83d\\ude00 \\ud800\"] ");
    stub_config_str("label_format", "json");
    stub_option_int("top_k", 4);
    const char *json = run();
    const char *want = "{\"predictions\":[{\"index\":0,\"label\":\"tench\",\"probability\":0.6439143},"
                       "{\"index\":1,\"label\":\"gold\\\"fish\\\\\",\"probability\":0.23688282},"
                       "{\"index\":2,\"label\":\"caf\xc3\xa9/\",\"probability\":0.087144315},"
                       "{\"index\":3,\"label\":\"\xf0\x9f\x98\x80 \xef\xbf\xbd\",\"probability\":0.0320586}]}";
    CHECK(json && strcmp(json, want) == 0, "JSON %s\n      expected %s", json, want);
}

void post_escapes_quotes_and_backslashes_in_labels(void) {
    float logits[2] = {2, 1};
    give_logits(logits, 2, 1);
    stub_config_str("labels", "say \"hi\" \\ bye\nplain\n");
    const char *json = run();
    CHECK(json && strstr(json, "\"label\":\"say \\\"hi\\\" \\\\ bye\"") != NULL, "label not escaped: %s", json);
}

void post_rejects_label_count_mismatch(void) {
    float logits[3] = {0, 1, 2};
    give_logits(logits, 3, 1);
    stub_config_str("labels", "a\nb\n");
    expect_failure(1, "has 2 labels but input 'output' has 3 classes");
}

void post_rejects_bad_json_labels(void) {
    float logits[2] = {0, 1};
    give_logits(logits, 2, 1);
    stub_config_str("labels", "[\"a\", b]");
    stub_config_str("label_format", "json");
    expect_failure(1, "expected a string at byte 6");
}

void post_rejects_unknown_label_format(void) {
    float logits[2] = {0, 1};
    give_logits(logits, 2, 1);
    stub_config_str("labels", "a\nb");
    stub_config_str("label_format", "csv");
    expect_failure(1, "must be synset, lines or json, got 'csv'");
}

void post_rejects_synset_line_without_wnid(void) {
    float logits[2] = {0, 1};
    give_logits(logits, 2, 1);
    stub_config_str("labels", "n01 tench\ngoldfish");
    stub_config_str("label_format", "synset");
    expect_failure(1, "line 2 has no space");
}

void post_parses_labels_once_per_instance(void) {
    float logits[3] = {0, 1, 2};
    give_logits(logits, 3, 1);
    stub_config_str("labels", "a\nb\nc");
    const char *json = run();
    char *first = json ? strdup(json) : NULL;
    int reads = stub_config_str_reads("labels");
    size_t used = corral_arena_used();
    json = run();
    CHECK(reads > 0 && stub_config_str_reads("labels") == reads, "labels read %d times, then %d", reads,
          stub_config_str_reads("labels"));
    CHECK(first && json && strcmp(first, json) == 0, "second call differs: %s / %s", first, json);
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes", used, corral_arena_used());
    free(first);
}

void post_applies_no_softmax_when_told(void) {
    float scores[3] = {0.2f, 0.7f, 0.1f};
    give_logits(scores, 3, 0);
    stub_config_int("apply_softmax", 0);
    prediction r[4];
    const char *json = run();
    CHECK(json && parse(json, r, 4) == 3 && r[0].probability == 0.7f && r[2].probability == 0.1f, "raw scores: %s", json);
}

void post_rejects_batch_of_two(void) {
    float logits[4] = {0};
    int64_t dims[2] = {2, 2};
    stub_input("output", CORRAL_FLOAT32, dims, 2, logits, sizeof logits);
    expect_failure(2, "must have shape [1,N] or [N]");
}

void post_rejects_int_input(void) {
    int32_t v[2] = {0};
    int64_t dims[1] = {2};
    stub_input("output", CORRAL_INT32, dims, 1, v, sizeof v);
    expect_failure(2, "must be float32");
}

void post_rejects_missing_input(void) {
    float logits[2] = {0, 1};
    int64_t dims[1] = {2};
    stub_input("logits", CORRAL_FLOAT32, dims, 1, logits, sizeof logits);
    expect_failure(2, "input 'output' is missing");
}

void post_reads_the_configured_input(void) {
    float logits[2] = {0, 1};
    int64_t dims[1] = {2};
    stub_input("logits", CORRAL_FLOAT32, dims, 1, logits, sizeof logits);
    stub_config_str("input_name", "logits");
    prediction r[4];
    const char *json = run();
    CHECK(json && parse(json, r, 4) == 2 && r[0].index == 1, "input_name logits: %s", json);
}

void post_rejects_nan(void) {
    float logits[3] = {0, NAN, 1};
    give_logits(logits, 3, 1);
    expect_failure(2, "value 1 is NaN");
}
