/* Tests of corral.h's own helpers: number formatting, JSON writer, expf, errors, arena. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "harness.h"
#include "tests.h"

static void check_float_text(float v, const char *expected) {
    char buf[32];
    int n = corral__format_float(buf, v);
    buf[n] = 0;
    CHECK(strcmp(buf, expected) == 0, "float %.9g written as '%s', expected '%s'", (double)v, buf, expected);
}

static void check_double_text(double v, const char *expected) {
    char buf[32];
    int n = corral__format_double(buf, v);
    buf[n] = 0;
    CHECK(strcmp(buf, expected) == 0, "double %.17g written as '%s', expected '%s'", v, buf, expected);
}

void sdk_formats_numbers_shortest(void) {
    check_float_text(0.70512f, "0.70512");
    check_float_text(0.1f, "0.1");
    check_float_text(1.0f, "1");
    check_float_text(-2.5f, "-2.5");
    check_float_text(0.0f, "0");
    check_float_text(1e-7f, "1e-7");
    check_float_text(123456.0f, "123456");
    check_float_text(3.4028235e38f, "3.4028235e+38");
    check_float_text(1.17549435e-38f, "1.1754944e-38");
    check_float_text(1.0f / 3.0f, "0.33333334");
    check_double_text(0.1, "0.1");
    check_double_text(1.0 / 3.0, "0.3333333333333333");
    check_double_text(1e21, "1e+21");
    check_double_text(123.0, "123");
    check_double_text(-0.000001, "-0.000001");
    check_double_text(1e-30, "1e-30");
    check_double_text(2.5e-300, "2.5e-300");
    check_double_text(5e-324, "4.9406564584124654e-324"); /* subnormals: always 17 digits */
    check_double_text(1.7976931348623157e308, "1.7976931348623157e+308");
    check_double_text(0.1 + 0.2, "0.30000000000000004");
}

/* Every float written must read back as the same float (strtof is correctly rounded). */
void sdk_float_text_round_trips(void) {
    uint32_t seed = 12345;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t bits = seed & 0x7f7fffffu; /* finite, positive */
        float v;
        memcpy(&v, &bits, 4);
        char buf[33];
        int n = corral__format_float(buf, v);
        buf[n] = 0;
        if (strtof(buf, NULL) != v && bad++ < 5) CHECK(0, "float %.9g written as %s does not read back", (double)v, buf);
    }
    CHECK(bad == 0, "%d of 200000 floats did not round-trip", bad);
}

/* Every double written must read back as the same double, across the whole exponent range. */
void sdk_double_text_round_trips(void) {
    uint64_t seed = 99;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t bits = seed & 0x7fefffffffffffffull; /* finite, positive */
        double v;
        memcpy(&v, &bits, 8);
        char buf[33];
        int n = corral__format_double(buf, v);
        buf[n] = 0;
        if (strtod(buf, NULL) != v && bad++ < 5) CHECK(0, "double %.17g written as %s does not read back", v, buf);
    }
    CHECK(bad == 0, "%d of 200000 doubles did not round-trip", bad);
}

void sdk_expf_is_accurate(void) {
    int worst = 0;
    for (float x = -103.0f; x < 88.7f; x += 0.0137f) {
        float got = corral_expf(x), want = (float)exp((double)x);
        int32_t a, b;
        memcpy(&a, &got, 4);
        memcpy(&b, &want, 4);
        int ulps = abs(a - b);
        if (ulps > worst) worst = ulps;
    }
    CHECK(worst <= 1, "corral_expf is %d ulp from the correctly rounded value", worst);
    CHECK(corral_expf(0.0f) == 1.0f, "expf(0) = %.9g", (double)corral_expf(0.0f));
    CHECK(isinf(corral_expf(89.0f)), "expf(89) should overflow to inf");
    CHECK(corral_expf(-200.0f) == 0.0f, "expf(-200) should be 0");
    CHECK(isnan(corral_expf(NAN)), "expf(NaN) should be NaN");
}

void sdk_json_writer_builds_documents(void) {
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    corral_json_key(&j, "a");
    corral_json_int(&j, -9223372036854775807LL - 1);
    corral_json_key(&j, "list");
    corral_json_array_begin(&j);
    corral_json_int(&j, 1);
    corral_json_array_begin(&j);
    corral_json_array_end(&j);
    corral_json_object_begin(&j);
    corral_json_object_end(&j);
    corral_json_bool(&j, 1);
    corral_json_null(&j);
    corral_json_f64(&j, NAN);
    corral_json_f32(&j, 0.25f);
    corral_json_array_end(&j);
    corral_json_key(&j, "s");
    corral_json_string(&j, "q\"b\\n\n\t\x01\x7f\xc3\xa9\xff", 12);
    corral_json_object_end(&j);
    stub_begin_call();
    CHECK(corral_json_emit(&j) == 0, "emit failed: %s", stub_error_message());
    const char *want = "{\"a\":-9223372036854775808,\"list\":[1,[],{},true,null,null,0.25],"
                       "\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\x7f\xc3\xa9\xef\xbf\xbd\"}";
    CHECK(stub_json() && strcmp(stub_json(), want) == 0, "json was %s\n      expected %s", stub_json(), want);
}

void sdk_json_writer_grows_its_buffer(void) {
    corral_json j;
    corral_json_init(&j);
    corral_json_array_begin(&j);
    for (int i = 0; i < 10000; i++) corral_json_int(&j, i);
    corral_json_array_end(&j);
    CHECK(!j.failed && j.len == 48891, "10000 integers gave %u bytes (failed=%d)", j.len, j.failed);
    CHECK(memcmp(j.data + j.len - 6, ",9999]", 6) == 0, "document ends '%.6s'", j.data + j.len - 6);
}

void sdk_json_emit_refuses_open_containers(void) {
    corral_json j;
    corral_json_init(&j);
    corral_json_object_begin(&j);
    stub_begin_call();
    CHECK(corral_json_emit(&j) == 1, "emit of an open object should fail");
    CHECK(stub_error_code() == 1 && strstr(stub_error_message(), "left open"), "error %d '%s'", stub_error_code(),
          stub_error_message());
    CHECK(stub_json() == NULL, "nothing should have been written");
}

void sdk_fail_formats_messages(void) {
    stub_begin_call();
    int32_t rc = corral_fail(2, "x=%d y=%u z=%lld s=%s n=%.*s g=%g h=%x %c%%", -5, 7u, -1234567890123LL, "str", 3,
                             "abcdef", 0.5, 255u, 'q');
    CHECK(rc == 2, "corral_fail returned %d", rc);
    CHECK(stub_error_code() == 2, "code %d", stub_error_code());
    const char *want = "x=-5 y=7 z=-1234567890123 s=str n=abc g=0.5 h=ff q%";
    CHECK(strcmp(stub_error_message(), want) == 0, "message '%s', expected '%s'", stub_error_message(), want);
}

void sdk_arena_grows_resets_and_reports_exhaustion(void) {
    stub_set_max_pages(8);
    corral_arena_reset();
    size_t base = corral_arena_used();
    char *a = corral_alloc(100);
    char *b = corral_realloc(a, 100, 200000); /* the last allocation grows in place */
    CHECK(a == b, "realloc of the last allocation moved it");
    CHECK(((uintptr_t)a & 15) == 0, "allocation not 16-aligned");
    memset(b, 1, 200000);
    corral_arena_reset();
    CHECK(corral_arena_used() == base, "reset left %zu bytes in use", corral_arena_used() - base);
    stub_begin_call();
    CHECK(corral_alloc(600000) == NULL, "an allocation beyond the 8-page limit should fail");
    CHECK(stub_error_code() == 1 && strstr(stub_error_message(), "out of memory"), "error %d '%s'",
          stub_error_code(), stub_error_message());
    char *kept = corral_alloc(64);
    corral_arena_keep();
    corral_arena_reset();
    char *after = corral_alloc(16);
    CHECK(after >= kept + 64, "an allocation after keep overlaps kept memory");
}
