/* Tests of corral_text.h: a list written by the writer reads back item by item; the checks on
 * records that run past the end. */
#include <stdio.h>
#include <string.h>

#include "corral.h"
#include "corral_text.h"
#include "harness.h"
#include "tests.h"

void text_list_written_items_read_back(void) {
    stub_begin_call();
    corral_text_writer w;
    corral_text_writer_init(&w);
    corral_text_writer_add(&w, "person", 6);
    corral_text_writer_add(&w, "", 0);
    corral_text_writer_add(&w, "caf\xc3\xa9", 5);
    CHECK(corral_text_writer_emit(&w, "labels") == 0, "emit failed: %s", stub_error_message());
    const stub_tensor *t = stub_output("labels");
    CHECK(t && t->dtype == CORRAL_UINT8 && t->rank == 1 && t->dims[0] == 23 && t->bytes == 23, "uint8 [23] expected");
    if (!t) return;
    CHECK(memcmp(t->data, "\x06\0\0\0person\0\0\0\0\x05\0\0\0caf\xc3\xa9", 23) == 0, "record bytes differ");

    stub_input("labels", t->dtype, t->dims, t->rank, t->data, t->bytes);
    corral_text_list list;
    CHECK(corral_text_list_read("labels", &list) == 1 && list.count == 3, "3 items expected, got %u", list.count);
    const char *want[3] = {"person", "", "caf\xc3\xa9"};
    corral_text_iter it = corral_text_iter_begin(&list);
    corral_str item;
    int n = 0;
    while (corral_text_next(&it, &item)) {
        CHECK(n < 3 && item.len == strlen(want[n]) && memcmp(item.ptr, want[n], item.len) == 0, "item %d differs", n);
        n++;
    }
    CHECK(n == 3, "iterated %d items", n);
}

void text_list_empty_and_absent(void) {
    corral_text_writer w;
    corral_text_writer_init(&w);
    stub_begin_call();
    CHECK(corral_text_writer_emit(&w, "none") == 0, "empty emit failed");
    const stub_tensor *t = stub_output("none");
    CHECK(t && t->dims[0] == 0 && t->bytes == 0, "uint8 [0] expected");
    corral_text_list list;
    CHECK(corral_text_list_read("missing", &list) == 0 && list.count == 0, "an absent list reads as 0");
}

void text_list_refuses_a_truncated_length(void) {
    corral_text_list list;
    CHECK(corral_text_list_check("t", "\x01\0\0\0a\x02\0", 7, &list) == CORRAL_ERR_INPUT, "a 2-byte length was accepted");
    CHECK(strstr(stub_error_message(), "text list 't': record 1 starts at byte 5 but only 2 bytes are left") != NULL, "%s",
          stub_error_message());
}
