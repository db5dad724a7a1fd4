/* Tests of prompt-template over the stub's fake tokenizer (byte b = id 3+b, BOS = 1): the
 * completion template, chat rendering, literal braces, the messages record format, refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

int32_t prompt_template__prompt(void);

static void give_text(const char *text) {
    int64_t dims[1] = {(int64_t)strlen(text)};
    stub_input("text", CORRAL_UINT8, dims, 1, text, (int32_t)strlen(text));
}

/* Builds the `messages` record (ABI §4.6) from role/content pairs; extra bytes appended raw. */
static void give_messages(const char *const *pairs, int count, const char *extra, int extra_len) {
    static unsigned char buf[4096];
    int n = 0;
    for (int i = 0; i < 2 * count; i++) {
        uint32_t len = (uint32_t)strlen(pairs[i]);
        for (int b = 0; b < 4; b++) buf[n++] = (unsigned char)(len >> (8 * b));
        memcpy(buf + n, pairs[i], len);
        n += (int)len;
    }
    memcpy(buf + n, extra, (size_t)extra_len);
    n += extra_len;
    int64_t dims[1] = {n};
    stub_input("messages", CORRAL_UINT8, dims, 1, buf, n);
}

/* Runs the plugin and turns the ids back into text the fake tokenizer's way ("<s>" for 1). */
static const char *run(void) {
    static char text[8192];
    stub_begin_call();
    int32_t rc = prompt_template__prompt();
    CHECK(rc == 0, "prompt returned %d: %s", rc, stub_error_message());
    if (rc) return NULL;
    const stub_tensor *t = stub_output("input_ids");
    CHECK(t && t->dtype == CORRAL_INT64 && t->rank == 2 && t->dims[0] == 1, "input_ids is not int64 [1,S]");
    if (!t) return NULL;
    int n = 0;
    for (int64_t i = 0; i < t->dims[1]; i++) {
        int64_t id = ((const int64_t *)t->data)[i];
        n += id == 1 ? snprintf(text + n, sizeof text - (size_t)n, "<s>") : snprintf(text + n, sizeof text - (size_t)n, "%c", (char)(id - 3));
    }
    return text;
}

static void expect_text(const char *want) {
    const char *got = run();
    CHECK(got && strcmp(got, want) == 0, "prompt '%s'\n      expected '%s'", got, want);
}

static void expect_failure(int code, const char *fragment) {
    stub_begin_call();
    int32_t rc = prompt_template__prompt();
    CHECK(rc != 0, "prompt should fail with code %d", code);
    CHECK(stub_error_code() == code, "error code %d, expected %d ('%s')", stub_error_code(), code, stub_error_message());
    CHECK(strstr(stub_error_message(), fragment) != NULL, "message '%s' lacks '%s'", stub_error_message(), fragment);
}

void prompt_completion_defaults_to_bos_and_the_text(void) {
    stub_tokenizer_bos_only(1);
    give_text("Once upon a time");
    expect_text("<s>Once upon a time");
}

void prompt_empty_completion_is_just_bos(void) {
    stub_tokenizer_bos_only(1);
    give_text("");
    expect_text("<s>");
}

void prompt_completion_template_wraps_the_text(void) {
    give_text("Why?");
    stub_config_str("template", "Q: {prompt}\nA: {prompt}!");
    stub_config_int("add_special_tokens", 0);
    expect_text("Q: Why?\nA: Why?!");
}

void prompt_chat_renders_roles_separator_and_generation_prompt(void) {
    stub_tokenizer_bos_only(1);
    const char *m[] = {"system", "Be brief.", "user", "Hi", "assistant", "Hello", "user", "Bye"};
    give_messages(m, 4, "", 0);
    stub_config_str("message_template", "<|{role}|>{content}");
    stub_config_str("message_separator", "\n");
    stub_config_str("generation_prompt", "\n<|assistant|>");
    expect_text("<s><|system|>Be brief.\n<|user|>Hi\n<|assistant|>Hello\n<|user|>Bye\n<|assistant|>");
}

void prompt_chat_defaults_join_contents_with_newlines(void) {
    const char *m[] = {"user", "a", "assistant", "b"};
    give_messages(m, 2, "", 0);
    stub_config_int("add_special_tokens", 0);
    expect_text("a\nb");
}

void prompt_template_ignores_the_completion_template_for_chat(void) {
    const char *m[] = {"user", "hi"};
    give_messages(m, 1, "", 0);
    stub_config_str("template", "Q: {prompt}");
    stub_config_int("add_special_tokens", 0);
    expect_text("hi");
}

void prompt_values_are_never_expanded_and_other_braces_stay(void) {
    const char *m[] = {"user", "{role} {content} {x}"};
    give_messages(m, 1, "", 0);
    stub_config_str("message_template", "{{role}} {nope} {content}{");
    stub_config_int("add_special_tokens", 0);
    expect_text("{user} {nope} {role} {content} {x}{");
}

void prompt_empty_content_and_utf8_pass_through(void) {
    const char *m[] = {"system", "", "user", "caf\xc3\xa9"};
    give_messages(m, 2, "", 0);
    stub_config_str("message_template", "[{role}]{content}");
    stub_config_str("message_separator", "|");
    stub_config_int("add_special_tokens", 0);
    expect_text("[system]|[user]caf\xc3\xa9");
}

void prompt_refuses_an_unknown_role(void) {
    const char *m[] = {"user", "a", "tool", "b"};
    give_messages(m, 2, "", 0);
    expect_failure(2, "message 1 has role 'tool'; expected system, user or assistant");
}

void prompt_refuses_a_truncated_record(void) {
    const char *m[] = {"user", "a"};
    give_messages(m, 1, "\x04\x00\x00\x00user\x09\x00\x00\x00xy", 14);
    expect_failure(2, "message 1's content is 9 bytes but only 2 remain");
}

void prompt_refuses_a_record_cut_inside_a_length(void) {
    const char *m[] = {"user", "a"};
    give_messages(m, 1, "\x04\x00", 2);
    expect_failure(2, "message 1 ends before its role length");
}

void prompt_refuses_no_messages(void) {
    give_messages(NULL, 0, "", 0);
    expect_failure(2, "input 'messages' holds no message");
}

void prompt_refuses_both_or_neither_input(void) {
    expect_failure(2, "neither input 'text' nor 'messages' is present");
    give_text("a");
    const char *m[] = {"user", "a"};
    give_messages(m, 1, "", 0);
    expect_failure(2, "inputs 'text' and 'messages' are both present");
}

void prompt_refuses_a_prompt_without_tokens(void) {
    give_text("");
    stub_config_int("add_special_tokens", 0);
    expect_failure(2, "the prompt (0 bytes after templating) gives no tokens");
}

void prompt_refuses_a_prompt_over_the_tokenizer_ceiling(void) {
    static char big[(1 << 19) + 1];
    memset(big, 'a', sizeof big - 1);
    give_text(big);
    stub_config_str("template", "{prompt}{prompt}{prompt}");
    expect_failure(2, "the prompt is over 1048576 bytes after templating");
    CHECK(stub_tokenizer_encode_calls() == 0, "the tokenizer was called");
}

void prompt_memory_stops_growing(void) {
    const char *m[] = {"system", "s", "user", "u"};
    give_messages(m, 2, "", 0);
    run();
    size_t used = corral_arena_used();
    for (int i = 0; i < 5; i++) run();
    CHECK(corral_arena_used() == used, "arena grew from %zu to %zu bytes", used, corral_arena_used());
}
