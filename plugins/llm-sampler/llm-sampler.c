/*
 * llm-sampler — the next token of a text generation from the last position's logits; the
 * host calls it once per generated token (ABI §4.7).
 *
 * Inputs  `logits` float32 [V] (or [1,V]), `tokens` int64 [N] (the prompt, then what was
 *         generated; each 0..V-1), `step` int64 [1] (0 for the first generated token).
 * Output  `token` int64 [1].
 * Options temperature f64 (default 1, >= 0), top_k i64 (0 = off, >= 0), top_p f64 (1 = off,
 *         0..1), repetition_penalty f64 (1 = off, > 0), seed i64 (the host always supplies it;
 *         needed when temperature > 0).
 *
 * In this order: repetition penalty over the distinct ids in `tokens` (logit > 0: logit/p,
 * else logit·p, rounded to float32); temperature 0: the largest logit (lowest id on ties),
 * done; top-k: the k largest logits (lowest ids on ties); weights w = expf(float32((logit −
 * max)/T)) (the softmax before normalising); candidates ranked by weight, descending, lower id
 * first on ties; top-p: the shortest ranked prefix whose running sum reaches p·W (W the sum
 * of all candidates' weights), at least one; the draw: u = (splitmix64(seed + step·γ) >> 11)
 * · 2^-53, the first ranked candidate whose running sum exceeds u times the kept weights' sum.
 *
 * Cost per call: O(V + N) for greedy; otherwise O(V log k) to select top-k (O(V) without
 * top-k), V expf at most, and O(log c) per candidate walked in rank order (a heap, popped
 * lazily), so a peaked distribution never pays for a full sort. Memory is O(V) from the
 * arena, reset by every call: it stops growing after the first call.
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

#define GOLDEN_GAMMA 0x9E3779B97F4A7C15ull
#define TOKEN_BLOCK 512 /* tokens read per input_read */

/* SplitMix64's output for state x: the state advanced by γ, then mixed (Stafford's mix 13,
 * as in java.util.SplittableRandom). */
static uint64_t splitmix64(uint64_t x) {
    uint64_t z = x + GOLDEN_GAMMA;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Does id a rank before id b by key? Larger key first, then lower id. */
static inline int before(const float *key, int32_t a, int32_t b) {
    return key[a] > key[b] || (key[a] == key[b] && a < b);
}

/* Restores the heap property below heap[i]: the root holds the first-ranked id when
 * best_on_top, else the last-ranked one. */
static void sift_down(int32_t *heap, int32_t size, int32_t i, const float *key, int best_on_top) {
    while (1) {
        int32_t pick = i;
        for (int32_t c = 2 * i + 1; c <= 2 * i + 2 && c < size; c++)
            if (best_on_top ? before(key, heap[c], heap[pick]) : before(key, heap[pick], heap[c])) pick = c;
        if (pick == i) return;
        int32_t t = heap[i]; heap[i] = heap[pick]; heap[pick] = t;
        i = pick;
    }
}

static void heapify(int32_t *heap, int32_t size, const float *key, int best_on_top) {
    for (int32_t i = size / 2 - 1; i >= 0; i--) sift_down(heap, size, i, key, best_on_top);
}

/* The candidates in rank order, taken from a max-heap one at a time: the i-th ranked id is
 * heap[size_at_start - 1 - i] once i < popped. */
typedef struct ranking {
    int32_t *heap;
    int32_t size, popped;
    const float *key;
} ranking;

/* The i-th ranked candidate (popping as needed), or -1 past the last. */
static int32_t ranked(ranking *r, int32_t i) {
    int32_t total = r->size + r->popped;
    if (i >= total) return -1;
    while (r->popped <= i) {
        int32_t last = --r->size;
        int32_t t = r->heap[0]; r->heap[0] = r->heap[last]; r->heap[last] = t;
        sift_down(r->heap, r->size, 0, r->key, 1);
        r->popped++;
    }
    return r->heap[total - 1 - i];
}

/* Reads the options; 1 (error set) when one is out of range. */
typedef struct options {
    double temperature, top_p, penalty;
    int64_t top_k;
} options;

static int32_t read_options(options *o) {
    o->temperature = corral_option_num("temperature", 1.0);
    o->top_k = corral_option_int("top_k", 0);
    o->top_p = corral_option_num("top_p", 1.0);
    o->penalty = corral_option_num("repetition_penalty", 1.0);
    if (!(o->temperature >= 0) || !corral_isfinite(o->temperature))
        return corral_fail(CORRAL_ERR_OPTION, "temperature must be a finite number >= 0, got %g", o->temperature);
    if (o->top_k < 0) return corral_fail(CORRAL_ERR_OPTION, "top_k must be >= 0 (0 = off), got %lld", (long long)o->top_k);
    if (!(o->top_p >= 0 && o->top_p <= 1))
        return corral_fail(CORRAL_ERR_OPTION, "top_p must be between 0 and 1 (1 = off), got %g", o->top_p);
    if (!(o->penalty > 0) || !corral_isfinite(o->penalty))
        return corral_fail(CORRAL_ERR_OPTION, "repetition_penalty must be a finite number > 0 (1 = off), got %g", o->penalty);
    return 0;
}

/* The logits, finite, into arena memory; *count gets V. NULL after set_error. */
static float *read_logits(int32_t *count) {
    int32_t in = corral_input_index("logits");
    if (in < 0) return corral_fail(CORRAL_ERR_INPUT, "input 'logits' is missing"), (float *)0;
    int64_t dims[2] = {0, 0};
    int32_t rank = corral_input_shape(in, dims, 2);
    int64_t v = rank == 1 ? dims[0] : rank == 2 && dims[0] == 1 ? dims[1] : 0;
    if (corral_input_dtype(in) != CORRAL_FLOAT32 || v < 1 || v > INT32_MAX / 4)
        return corral_fail(CORRAL_ERR_INPUT, "input 'logits' must be float32 [V] or [1,V] with V >= 1, got dtype %d rank %d",
                           (int)corral_input_dtype(in), (int)rank), (float *)0;
    int32_t bytes;
    float *logits = corral_input_load(in, &bytes);
    if (!logits) return (float *)0;
    for (int32_t i = 0; i < (int32_t)v; i++)
        if (!corral_isfinite(logits[i]))
            return corral_fail(CORRAL_ERR_INPUT, "input 'logits' value %d is %g; logits must be finite", (int)i,
                               (double)logits[i]), (float *)0;
    *count = (int32_t)v;
    return logits;
}

/* Checks `tokens` and applies the repetition penalty once per distinct id (when not 1). */
static int32_t penalise(float *logits, int32_t v, double penalty) {
    int32_t in = corral_input_index("tokens");
    if (in < 0) return corral_fail(CORRAL_ERR_INPUT, "input 'tokens' is missing");
    if (corral_input_dtype(in) != CORRAL_INT64 || corral_input_rank(in) != 1)
        return corral_fail(CORRAL_ERR_INPUT, "input 'tokens' must be int64 [N], got dtype %d rank %d",
                           (int)corral_input_dtype(in), (int)corral_input_rank(in));
    int32_t n = (int32_t)corral_input_dim(in, 0);
    uint32_t *seen = 0;
    if (penalty != 1.0) {
        seen = corral_alloc_array((size_t)v / 32 + 1, sizeof(uint32_t));
        if (!seen) return 1;
        memset(seen, 0, ((size_t)v / 32 + 1) * sizeof(uint32_t));
    }
    int64_t block[TOKEN_BLOCK];
    for (int32_t first = 0; first < n; first += TOKEN_BLOCK) {
        int32_t count = n - first < TOKEN_BLOCK ? n - first : TOKEN_BLOCK;
        if (corral_input_read(in, first * 8, block, count * 8) != count * 8)
            return corral_fail(CORRAL_ERR_INPUT, "input 'tokens' holds fewer than %d ids", (int)n);
        for (int32_t i = 0; i < count; i++) {
            int64_t id = block[i];
            if (id < 0 || id >= v)
                return corral_fail(CORRAL_ERR_INPUT, "input 'tokens' value %d is %lld, outside the vocabulary 0..%d",
                                   (int)(first + i), (long long)id, (int)v - 1);
            if (!seen || (seen[id >> 5] >> (id & 31) & 1)) continue;
            seen[id >> 5] |= 1u << (id & 31);
            double l = logits[id];
            logits[id] = (float)(l > 0 ? l / penalty : l * penalty);
        }
    }
    return 0;
}

static int32_t read_step(int64_t *step) {
    int32_t in = corral_input_index("step");
    if (in < 0) return corral_fail(CORRAL_ERR_INPUT, "input 'step' is missing");
    if (corral_input_dtype(in) != CORRAL_INT64 || corral_input_byte_size(in) != 8)
        return corral_fail(CORRAL_ERR_INPUT, "input 'step' must be int64 [1], got dtype %d with %d bytes",
                           (int)corral_input_dtype(in), (int)corral_input_byte_size(in));
    corral_input_read(in, 0, step, 8);
    if (*step < 0) return corral_fail(CORRAL_ERR_INPUT, "input 'step' is %lld; steps count from 0", (long long)*step);
    return 0;
}

static int32_t emit(int32_t token) {
    int64_t value = token, dims[1] = {1};
    return corral_output((corral_str){"token", 5}, CORRAL_INT64, dims, 1, &value);
}

/* Draws from the candidates cand[0..c) whose weights are w[id]; returns the id. */
static int32_t draw(int32_t *cand, int32_t c, const float *w, double top_p, double u) {
    double total = 0;
    for (int32_t i = 0; i < c; i++) total += w[cand[i]];
    heapify(cand, c, w, 1);
    ranking r = {cand, c, 0, w};
    int32_t kept = c;
    double kept_sum = total, sum = 0;
    if (top_p < 1) {
        double target = top_p * total;
        int32_t i = 0;
        do sum += w[ranked(&r, i++)]; while (sum < target && i < c);
        kept = i;
        kept_sum = sum;
    }
    /* The same running sums again (same order, same roundings), now against u. */
    double target = u * kept_sum;
    int32_t chosen = ranked(&r, 0);
    sum = 0;
    for (int32_t i = 0; i < kept; i++) {
        int32_t id = ranked(&r, i);
        if (w[id] > 0) chosen = id; /* a sum short of the target by rounding ends on the last positive weight */
        sum += w[id];
        if (sum > target) return id;
        if (w[id] == 0) break; /* ranked by weight: the rest are 0 too */
    }
    return chosen;
}

CORRAL_ENTRY(sample) {
    options o;
    if (read_options(&o)) return 1;
    int32_t v;
    float *logits = read_logits(&v);
    int64_t step;
    if (!logits || penalise(logits, v, o.penalty) || read_step(&step)) return 1;

    int32_t best = 0;
    for (int32_t i = 1; i < v; i++)
        if (logits[i] > logits[best]) best = i;
    if (o.temperature == 0) return emit(best);

    int64_t seed_a = corral_option_int("seed", 0), seed_b = corral_option_int("seed", 1);
    if (seed_a == 0 && seed_b == 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "option 'seed' is missing; the host supplies one for every sampling call");
    double u = (double)(splitmix64((uint64_t)seed_a + (uint64_t)step * GOLDEN_GAMMA) >> 11) * 0x1p-53;

    int32_t c = o.top_k > 0 && o.top_k < v ? (int32_t)o.top_k : v;
    int32_t *cand = corral_alloc_array((size_t)c, sizeof(int32_t));
    if (!cand) return 1;
    for (int32_t i = 0; i < c; i++) cand[i] = i;
    if (c < v) { /* top-k: keep the c best logits in a heap whose root is the worst kept */
        heapify(cand, c, logits, 0);
        for (int32_t i = c; i < v; i++)
            if (before(logits, i, cand[0])) {
                cand[0] = i;
                sift_down(cand, c, 0, logits, 0);
            }
    }
    /* Weights replace the logits of the candidates (the others are never read again). */
    double max = logits[best];
    for (int32_t i = 0; i < c; i++) {
        int32_t id = cand[i];
        logits[id] = corral_expf((float)(((double)logits[id] - max) / o.temperature));
    }
    return emit(draw(cand, c, logits, o.top_p, u));
}
