/*
 * prompt-template — a completion prompt or a chat conversation to a language model's prompt
 * ids, with the model's own tokenizer lent by the host (capability "tokenizer", ABI §4.5).
 *
 * Input (exactly one, ABI §4.6):
 *   `text`      uint8 [n]  a completion prompt, UTF-8
 *   `messages`  uint8 [n]  a conversation: per message u32 LE role length, role, u32 LE content
 *                          length, content; roles system, user, assistant
 * Output `input_ids` int64 [1,S], S >= 1.
 *
 * Config (all optional):
 *   template            string  "{prompt}"   a completion: {prompt} is replaced by the text
 *   message_template    string  "{content}"  each message: {role} and {content} replaced
 *   message_separator   string  "\n"         between two rendered messages
 *   generation_prompt   string  ""           after the last message (e.g. "assistant: ")
 *   add_special_tokens  int     1            1: the tokenizer's BOS (or [CLS]…[SEP]) too
 *
 * A chat renders as message_template(m1) separator message_template(m2) … generation_prompt;
 * `template` applies to completions only. Placeholders are exactly the names above in braces;
 * any other text, braces included, is copied as it is, and a value is never expanded again.
 */
#include "corral.h"

CORRAL_ABI_VERSION_EXPORT

/* A growing UTF-8 text in the arena; `failed` once an allocation failed (error set). */
typedef struct text {
    char *data;
    uint32_t len, cap;
    int failed;
} text;

static void append(text *t, const char *s, uint32_t n) {
    if (t->failed || n == 0) return;
    if (n > (uint32_t)CORRAL_TOKENIZER_MAX_TEXT || t->len + n > (uint32_t)CORRAL_TOKENIZER_MAX_TEXT) {
        t->failed = 1;
        corral_fail(CORRAL_ERR_INPUT, "the prompt is over %d bytes after templating; the tokenizer takes at most that",
                    CORRAL_TOKENIZER_MAX_TEXT);
        return;
    }
    if (t->len + n > t->cap) {
        uint32_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n) cap *= 2;
        char *data = corral_realloc(t->data, t->cap, cap);
        if (!data) { t->failed = 1; return; }
        t->data = data;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
}

/* Does s[at..) start with "{name}"? */
static int placeholder_at(corral_str s, uint32_t at, const char *name) {
    uint32_t n = (uint32_t)corral_strlen(name);
    if (s.len - at < n + 2 || s.ptr[at] != '{' || s.ptr[at + n + 1] != '}') return 0;
    return corral_str_eq((corral_str){s.ptr + at + 1, n}, name);
}

/* Appends `tmpl` with each "{name}" of names[i] replaced by values[i]. */
static void render(text *t, corral_str tmpl, const char *const *names, const corral_str *values, int count) {
    uint32_t run = 0;
    for (uint32_t i = 0; i < tmpl.len; i++) {
        if (tmpl.ptr[i] != '{') continue;
        for (int k = 0; k < count; k++) {
            uint32_t n = (uint32_t)corral_strlen(names[k]);
            if (!placeholder_at(tmpl, i, names[k])) continue;
            append(t, tmpl.ptr + run, i - run);
            append(t, values[k].ptr, values[k].len);
            i += n + 1;
            run = i + 1;
            break;
        }
    }
    append(t, tmpl.ptr + run, tmpl.len - run);
}

/* The config string `key`, or `dflt` when absent. */
static int32_t config_string(const char *key, const char *dflt, corral_str *out) {
    int got = corral_config_text(key, out);
    if (got < 0) return 1;
    if (got == 0) *out = (corral_str){dflt, (uint32_t)corral_strlen(dflt)};
    return 0;
}

/* Reads a u32 LE length and the bytes after it from data[*at..len); 1 (error set) when the
 * record runs past the end. */
static int32_t field(const char *data, uint32_t len, uint32_t *at, uint32_t message, const char *what, corral_str *out) {
    if (len - *at < 4)
        return corral_fail(CORRAL_ERR_INPUT, "input 'messages': message %u ends before its %s length", (unsigned)message, what);
    const unsigned char *u = (const unsigned char *)data + *at;
    uint32_t n = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
    *at += 4;
    if (n > len - *at)
        return corral_fail(CORRAL_ERR_INPUT, "input 'messages': message %u's %s is %u bytes but only %u remain", (unsigned)message,
                           what, (unsigned)n, (unsigned)(len - *at));
    *out = (corral_str){data + *at, n};
    *at += n;
    return 0;
}

static int32_t render_chat(text *t, const char *data, uint32_t len) {
    corral_str message_template, separator, generation_prompt;
    if (config_string("message_template", "{content}", &message_template) || config_string("message_separator", "\n", &separator) ||
        config_string("generation_prompt", "", &generation_prompt))
        return 1;
    static const char *const names[2] = {"role", "content"};
    uint32_t at = 0, count = 0;
    while (at < len) {
        corral_str values[2];
        if (field(data, len, &at, count, "role", &values[0]) || field(data, len, &at, count, "content", &values[1])) return 1;
        if (!corral_str_eq(values[0], "system") && !corral_str_eq(values[0], "user") && !corral_str_eq(values[0], "assistant"))
            return corral_fail(CORRAL_ERR_INPUT, "input 'messages': message %u has role '%.*s'; expected system, user or assistant",
                               (unsigned)count, (int)(values[0].len > 64 ? 64 : values[0].len), values[0].ptr);
        if (count++) append(t, separator.ptr, separator.len);
        render(t, message_template, names, values, 2);
    }
    if (count == 0) return corral_fail(CORRAL_ERR_INPUT, "input 'messages' holds no message");
    append(t, generation_prompt.ptr, generation_prompt.len);
    return t->failed;
}

CORRAL_ENTRY(prompt) {
    int64_t special = corral_config_int("add_special_tokens", 1);
    if (special != 0 && special != 1)
        return corral_fail(CORRAL_ERR_PLUGIN, "config 'add_special_tokens' must be 0 or 1, got %lld", (long long)special);
    int32_t text_in = corral_input_index("text"), messages_in = corral_input_index("messages");
    if ((text_in < 0) == (messages_in < 0))
        return corral_fail(CORRAL_ERR_INPUT, text_in < 0 ? "neither input 'text' nor 'messages' is present"
                                                         : "inputs 'text' and 'messages' are both present; send one");
    int32_t in = text_in >= 0 ? text_in : messages_in;
    const char *name = text_in >= 0 ? "text" : "messages";
    if (corral_input_dtype(in) != CORRAL_UINT8 || corral_input_rank(in) != 1)
        return corral_fail(CORRAL_ERR_INPUT, "input '%s' must be uint8 [n], got dtype %d rank %d", name,
                           (int)corral_input_dtype(in), (int)corral_input_rank(in));
    int32_t len;
    const char *data = corral_input_load(in, &len);
    if (!data) return 1;

    text t = {0};
    if (text_in >= 0) {
        corral_str tmpl;
        if (config_string("template", "{prompt}", &tmpl)) return 1;
        static const char *const names[1] = {"prompt"};
        corral_str value = {data, (uint32_t)len};
        render(&t, tmpl, names, &value, 1);
        if (t.failed) return 1;
    } else if (render_chat(&t, data, (uint32_t)len)) {
        return 1;
    }

    int32_t *ids;
    int32_t n = corral_tokenize(t.data ? t.data : "", (int32_t)t.len, (int32_t)special, &ids);
    if (n < 0) return 1;
    if (n == 0) return corral_fail(CORRAL_ERR_INPUT, "the prompt (%u bytes after templating) gives no tokens", (unsigned)t.len);
    int64_t *out = corral_alloc_array((size_t)n, sizeof(int64_t));
    if (!out) return 1;
    for (int32_t i = 0; i < n; i++) out[i] = ids[i];
    int64_t dims[2] = {1, n};
    return corral_output((corral_str){"input_ids", 9}, CORRAL_INT64, dims, 2, out);
}
