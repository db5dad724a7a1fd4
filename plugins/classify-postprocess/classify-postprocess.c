/*
 * classify-postprocess — logits to the top-k classes with labels, as a Corral plugin.
 *
 * float32 [1,N] or [N] -> softmax (optional) -> the k most probable classes, written with
 * output_json as
 *   {"predictions":[{"index":285,"label":"Egyptian cat","probability":0.70512},...]}
 * in descending probability (equal probabilities: lower index first). Without a labels
 * config the "label" member is left out.
 *
 * Config (all optional):
 *   input_name     string  "output"  the logits input
 *   apply_softmax  int     1         0: the input already holds probabilities/scores
 *   top_k          int     5         default for the option of the same name (>= 1)
 *   labels         string            the text of a labels file, one label per class
 *   label_format   string  "lines"   synset: "nXXXXXXXX name, alias, …" -> "name"
 *                                    lines:  the whole line
 *                                    json:   a JSON array of strings
 * Options:
 *   top_k          int               how many classes to return (>= 1; clamped to N)
 *
 * Labels are parsed once per instance and kept (config is constant for an instance).
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

/* The per-instance labels cache; lives in arena memory kept with corral_arena_keep. */
static struct {
    int loaded;   /* parsed successfully (or known to be absent) */
    int present;  /* a labels config exists */
    corral_str *labels;
    uint32_t count;
} cache;

/* Lines of text: '\n' separated, a '\r' before it dropped, a final '\n' ends the last line
 * rather than starting an empty one. Fills out (when not NULL); returns the number of lines. */
static uint32_t split_lines(char *text, uint32_t len, corral_str *out) {
    uint32_t count = 0, start = 0;
    for (uint32_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n') continue;
        if (i == len && start == len) break; /* empty text, or text ended with '\n' */
        uint32_t end = i;
        if (end > start && text[end - 1] == '\r') end--;
        if (out) out[count] = (corral_str){text + start, end - start};
        count++;
        start = i + 1;
    }
    return count;
}

/* synset.txt: keep the first name, the text after the wnid and its space up to a comma. */
static int32_t synset_names(corral_str *labels, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        corral_str line = labels[i];
        uint32_t space = 0;
        while (space < line.len && line.ptr[space] != ' ') space++;
        if (space == line.len)
            return corral_fail(CORRAL_ERR_PLUGIN, "config 'labels' (synset) line %u has no space after its wnid: '%.*s'",
                               (unsigned)(i + 1), (int)(line.len > 80 ? 80 : line.len), line.ptr);
        uint32_t end = space + 1;
        while (end < line.len && line.ptr[end] != ',') end++;
        labels[i] = (corral_str){line.ptr + space + 1, end - space - 1};
    }
    return 0;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int32_t read_hex4(const char *s, uint32_t at, uint32_t len) {
    if (at + 4 > len) return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(s[at + i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static uint32_t put_utf8(char *dst, uint32_t cp) {
    if (cp < 0x80) { dst[0] = (char)cp; return 1; }
    if (cp < 0x800) { dst[0] = (char)(0xc0 | cp >> 6); dst[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        dst[0] = (char)(0xe0 | cp >> 12); dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); dst[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    dst[0] = (char)(0xf0 | cp >> 18); dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); dst[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

#define JSON_ERROR(what, at) \
    corral_fail(CORRAL_ERR_PLUGIN, "config 'labels' (json): %s at byte %u", what, (unsigned)(at))

static uint32_t skip_space(const char *s, uint32_t i, uint32_t len) {
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* Decodes the JSON string starting after its opening quote at s[*at], in place (a decoded
 * string is never longer than its escaped form). */
static int32_t json_string(char *s, uint32_t *at, uint32_t len, corral_str *out) {
    uint32_t r = *at, w = *at;
    while (1) {
        if (r >= len) return JSON_ERROR("unterminated string", *at);
        char c = s[r];
        if (c == '"') break;
        if ((unsigned char)c < 0x20) return JSON_ERROR("control character in a string", r);
        if (c != '\\') { s[w++] = c; r++; continue; }
        if (r + 1 >= len) return JSON_ERROR("unterminated escape", r);
        char e = s[r + 1];
        r += 2;
        switch (e) {
        case '"': s[w++] = '"'; break;
        case '\\': s[w++] = '\\'; break;
        case '/': s[w++] = '/'; break;
        case 'b': s[w++] = '\b'; break;
        case 'f': s[w++] = '\f'; break;
        case 'n': s[w++] = '\n'; break;
        case 'r': s[w++] = '\r'; break;
        case 't': s[w++] = '\t'; break;
        case 'u': {
            int32_t cp = read_hex4(s, r, len);
            if (cp < 0) return JSON_ERROR("bad \\u escape", r - 2);
            r += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && r + 1 < len && s[r] == '\\' && s[r + 1] == 'u') {
                int32_t low = read_hex4(s, r + 2, len);
                if (low >= 0xdc00 && low <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    r += 6;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; /* a lone surrogate is not UTF-8 */
            w += put_utf8(s + w, (uint32_t)cp);
            break;
        }
        default: return JSON_ERROR("unknown escape", r - 2);
        }
    }
    *out = (corral_str){s + *at, w - *at};
    *at = r + 1;
    return 0;
}

/* A JSON array of strings; counts first (out == NULL), then fills. */
static int32_t json_labels(char *s, uint32_t len, corral_str *out, uint32_t *count) {
    uint32_t i = skip_space(s, 0, len), n = 0;
    if (i >= len || s[i] != '[') return JSON_ERROR("expected '['", i);
    i = skip_space(s, i + 1, len);
    if (i < len && s[i] == ']') {
        i++;
    } else {
        while (1) {
            if (i >= len || s[i] != '"') return JSON_ERROR("expected a string", i);
            i++;
            corral_str label;
            if (out) {
                if (json_string(s, &i, len, &label)) return 1;
                out[n] = label;
            } else {
                /* Counting pass: skip the string without decoding it. */
                while (i < len && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
                if (i >= len) return JSON_ERROR("unterminated string", len);
                i++;
            }
            n++;
            i = skip_space(s, i, len);
            if (i < len && s[i] == ',') { i = skip_space(s, i + 1, len); continue; }
            if (i < len && s[i] == ']') { i++; break; }
            return JSON_ERROR("expected ',' or ']'", i);
        }
    }
    if (skip_space(s, i, len) != len) return JSON_ERROR("unexpected text after the array", i);
    *count = n;
    return 0;
}

/* Parses config 'labels' into the cache. Runs first in a call, so that what it allocates
 * can be kept for the instance's later calls. */
static int32_t load_labels(void) {
    corral_str text, format;
    int got = corral_config_text("labels", &text);
    if (got < 0) return 1;
    if (got == 0) { cache.loaded = 1; return 0; }
    if (corral_config_text("label_format", &format) < 0) return 1;
    if (!format.len) format = (corral_str){"lines", 5};
    char *s = (char *)text.ptr;

    uint32_t count = 0;
    corral_str *labels;
    if (corral_str_eq(format, "json")) {
        if (json_labels(s, text.len, 0, &count)) return 1;
        if (!(labels = corral_alloc_array(count, sizeof *labels))) return 1;
        if (json_labels(s, text.len, labels, &count)) return 1;
    } else if (corral_str_eq(format, "lines") || corral_str_eq(format, "synset")) {
        count = split_lines(s, text.len, 0);
        if (!(labels = corral_alloc_array(count, sizeof *labels))) return 1;
        split_lines(s, text.len, labels);
        if (corral_str_eq(format, "synset") && synset_names(labels, count)) return 1;
    } else {
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'label_format' must be synset, lines or json, got '%.*s'",
                           (int)format.len, format.ptr);
    }
    cache.labels = labels;
    cache.count = count;
    cache.present = 1;
    cache.loaded = 1;
    corral_arena_keep();
    return 0;
}

/* Is class a ranked before class b? Higher probability first, then lower index. */
static inline int before(const float *prob, int32_t a, int32_t b) {
    return prob[a] > prob[b] || (prob[a] == prob[b] && a < b);
}

/* Sifts heap[i] down in a heap whose root is the class ranked LAST (the one to evict). */
static void sift_down(int32_t *heap, int32_t size, int32_t i, const float *prob) {
    while (1) {
        int32_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < size && before(prob, heap[worst], heap[l])) worst = l;
        if (r < size && before(prob, heap[worst], heap[r])) worst = r;
        if (worst == i) return;
        int32_t t = heap[i]; heap[i] = heap[worst]; heap[worst] = t;
        i = worst;
    }
}

/* The k best classes in rank order, in O(N log k). */
static void top_k(const float *prob, int32_t n, int32_t k, int32_t *best) {
    for (int32_t i = 0; i < k; i++) best[i] = i;
    for (int32_t i = k / 2 - 1; i >= 0; i--) sift_down(best, k, i, prob);
    for (int32_t i = k; i < n; i++) {
        if (before(prob, i, best[0])) {
            best[0] = i;
            sift_down(best, k, 0, prob);
        }
    }
    /* Heap sort: repeatedly move the last-ranked to the end, giving rank order. */
    for (int32_t size = k - 1; size > 0; size--) {
        int32_t t = best[0]; best[0] = best[size]; best[size] = t;
        sift_down(best, size, 0, prob);
    }
}

CORRAL_ENTRY(postprocess) {
    if (!cache.loaded && load_labels()) return 1;

    corral_str name;
    if (corral_config_text("input_name", &name) < 0) return 1;
    if (!name.len) name = (corral_str){"output", 6};
    int32_t index = corral_input_find(name.ptr, (int32_t)name.len);
    if (index < 0)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' is missing (the step has %d inputs)",
                           (int)name.len, name.ptr, (int)corral_input_count());
    int32_t dtype = corral_input_dtype(index);
    if (dtype != CORRAL_FLOAT32)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must be float32 (dtype 1), got dtype %d",
                           (int)name.len, name.ptr, (int)dtype);
    int64_t dims[2] = {0, 0};
    int32_t rank = corral_input_shape(index, dims, 2);
    int64_t classes = rank == 1 ? dims[0] : rank == 2 && dims[0] == 1 ? dims[1] : 0;
    if (classes < 1 || classes > INT32_MAX / 4)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' must have shape [1,N] or [N] with N >= 1, got rank %d%s%lld%s%lld",
                           (int)name.len, name.ptr, (int)rank, rank >= 1 ? ", dims " : "", rank >= 1 ? (long long)dims[0] : 0LL,
                           rank >= 2 ? " x " : "", rank >= 2 ? (long long)dims[1] : 0LL);
    int32_t n = (int32_t)classes;
    if (cache.present && cache.count != (uint32_t)n)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'labels' has %u labels but input '%.*s' has %d classes",
                           (unsigned)cache.count, (int)name.len, name.ptr, (int)n);

    int64_t config_k = corral_config_int("top_k", 5);
    if (config_k < 1) return corral_fail(CORRAL_ERR_PLUGIN, "config 'top_k' must be ≥ 1, got %lld", (long long)config_k);
    int64_t k = corral_option_int("top_k", config_k);
    if (k < 1) return corral_fail(CORRAL_ERR_OPTION, "top_k must be ≥ 1, got %lld", (long long)k);
    if (k > n) k = n;

    float *prob = corral_alloc_array((size_t)n, sizeof(float));
    int32_t *best = corral_alloc_array((size_t)k, sizeof(int32_t));
    if (!prob || !best) return 1;
    if (corral_input_read(index, 0, prob, n * 4) != n * 4)
        return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds fewer than %d floats", (int)name.len, name.ptr, (int)n);
    for (int32_t i = 0; i < n; i++)
        if (corral_isnan(prob[i]))
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' value %d is NaN", (int)name.len, name.ptr, (int)i);

    if (corral_config_int("apply_softmax", 1)) {
        float max = prob[0];
        for (int32_t i = 1; i < n; i++) if (prob[i] > max) max = prob[i];
        if (!corral_isfinite(max))
            return corral_fail(CORRAL_ERR_INPUT, "input '%.*s' holds an infinite logit", (int)name.len, name.ptr);
        double sum = 0;
        for (int32_t i = 0; i < n; i++) {
            prob[i] = corral_expf(prob[i] - max);
            sum += prob[i];
        }
        for (int32_t i = 0; i < n; i++) prob[i] = (float)(prob[i] / sum); /* sum >= 1: the max gives e^0 */
    }
    top_k(prob, n, (int32_t)k, best);

    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "predictions");
    corral_json_array_begin(&j);
    for (int32_t i = 0; i < k; i++) {
        corral_json_object_begin(&j);
        corral_json_key(&j, "index");
        corral_json_int(&j, best[i]);
        if (cache.present) {
            corral_json_key(&j, "label");
            corral_json_string(&j, cache.labels[best[i]].ptr, cache.labels[best[i]].len);
        }
        corral_json_key(&j, "probability");
        corral_json_f32(&j, prob[best[i]]);
        corral_json_object_end(&j);
    }
    corral_json_array_end(&j);
    corral_json_object_end(&j);
    return corral_json_emit(&j);
}
