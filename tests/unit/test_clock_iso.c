/*
 * test_clock_iso: ISO 8601 formatting and parsing (src/core/clock.c) and the
 * fake clock, beyond the regressions in test_clock.c. Times print in the
 * district's zone (+08:00); parsing accepts a date, a date-time with
 * optional seconds and fraction, and Z or +hh:mm, and refuses everything
 * else, including dates that do not exist; format and parse round-trip over
 * a century. Strings are parsed from exact-size heap copies so that ASan
 * sees any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"

static int parse(const char *s, int64_t *t)
{
    char *copy = strdup(s);
    int rc = sq_clock_parse_iso(copy, t);
    free(copy);
    return rc;
}

static void test_format(void **state)
{
    (void)state;
    char out[32];
    sq_clock_iso(0, out);
    assert_string_equal(out, "1970-01-01T08:00:00+08:00");
    sq_clock_iso(1795743000, out); /* 2026-11-27T01:30:00Z */
    assert_string_equal(out, "2026-11-27T09:30:00+08:00");
    sq_clock_iso(1795743000 + 14 * 3600 + 30 * 60 - 1, out); /* the local day ends at 16:00Z */
    assert_string_equal(out, "2026-11-27T23:59:59+08:00");
    sq_clock_iso(1795743000 + 14 * 3600 + 30 * 60, out);
    assert_string_equal(out, "2026-11-28T00:00:00+08:00");
}

static void test_parse_forms(void **state)
{
    (void)state;
    const int64_t want = 1795743000; /* 2026-11-27T09:30:00+08:00 */
    static const char *const same[] = {
        "2026-11-27T09:30:00+08:00", "2026-11-27T01:30:00Z",
        "2026-11-27T01:30:00+00:00", "2026-11-26T20:30:00-05:00",
        "2026-11-27T09:30:00",       "2026-11-27T09:30",
        "2026-11-27 09:30:00",       "2026-11-27T09:30:00.123456+08:00",
        "2026-11-27T01:30:00.5Z",    "2026-11-27T09:30+08:00",
        "2026-11-27T07:15:00+05:45",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        int64_t t = 0;
        if (parse(same[i], &t) != 0)
            fail_msg("refused %s", same[i]);
        if (t != want)
            fail_msg("%s parsed as %lld, want %lld", same[i], (long long)t, (long long)want);
    }
    /* a date alone is local midnight */
    int64_t t;
    assert_int_equal(parse("2026-11-27", &t), 0);
    assert_int_equal(t, want - 9 * 3600 - 30 * 60);
    assert_int_equal(parse("2024-02-29", &t), 0); /* a leap day */
    assert_int_equal(parse("2000-02-29", &t), 0);
    assert_int_equal(parse("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "yesterday",
        "27/11/2026",
        "2026-11-27T",
        "2026-11-27Tnoon",
        "2026-11-27T09:30:00+08:00x",
        "2026-11-27T09:30:00 ",
        "2026-11-27x",
        "2026-02-30",
        "2023-02-29",
        "1900-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-11-31",
        "2026-11-27T24:00:00",
        "2026-11-27T09:60:00",
        "2026-11-27T09:30:00+15:00",
        "2026-11-27T09:30:00+08:60",
        /* short or malformed offsets: must fail without reading past the end */
        "2026-11-27T09:30:00+8:00",
        "2026-11-27T09:30:00+08:0",
        "2026-11-27T09:30:00+0800",
        "2026-11-27T09:30:00+08",
        "2026-11-27T09:30:00+",
        "2026-11-27T09:30:00-",
        "2026-11-27T09:30:00+ 8:00",
        "2026-11-27T09:30:00+-8:00",
        "2026-11-27T09:30:00ZZ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (parse(bad[i], &t) == 0)
            fail_msg("accepted '%s' as %lld", bad[i], (long long)t);
        assert_int_equal(t, 42); /* untouched on failure */
    }
    int64_t t;
    assert_int_equal(sq_clock_parse_iso(NULL, &t), -1);
}

static void test_round_trip(void **state)
{
    (void)state;
    char out[32];
    /* a spread of instants over a century, including odd seconds */
    for (int64_t t = -86400LL * 365; t < 86400LL * 365 * 100; t += 7919 * 3607 + 13) {
        int64_t back = -1;
        sq_clock_iso(t, out);
        if (parse(out, &back) || back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, out, (long long)back);
    }
}

static void test_fake_clock(void **state)
{
    (void)state;
    int64_t real = sq_clock_now();
    assert_false(sq_clock_is_fake());
    assert_true(real > 1700000000);
    sq_clock_set_fake(1795743000);
    assert_true(sq_clock_is_fake());
    assert_int_equal(sq_clock_now(), 1795743000);
    sq_clock_advance(90);
    assert_int_equal(sq_clock_now(), 1795743090);
    sq_clock_advance(-90);
    assert_int_equal(sq_clock_now(), 1795743000);
    /* milliseconds keep following real time for logging */
    assert_true(sq_clock_now_ms() / 1000 >= real);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_refuses), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fake_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
