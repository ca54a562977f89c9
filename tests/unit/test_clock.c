/*
 * test_clock.c - unit tests for ISO 8601 parsing and printing (core/clock).
 *
 * Regression tests for what fuzz_query found: a short UTC offset ("+1:1")
 * made the parser step past the string's terminator, and year 9999 in UTC
 * printed as year 10000, which the parser then refused. Each input is copied
 * into a heap buffer of its exact length so ASan sees any over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"

/* Parses a heap copy of exactly strlen(s)+1 bytes. */
static int parse(const char *s, int64_t *t)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = sq_clock_parse_iso(copy, t);
    free(copy);
    return rc;
}

static void test_valid(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(parse("2026-11-27T09:30:00+08:00", &t), 0);
    assert_int_equal(t, 1795743000);
    assert_int_equal(parse("2026-11-27T01:30:00Z", &t), 0);
    assert_int_equal(t, 1795743000);
    assert_int_equal(parse("2026-11-26T20:30:00-05:00", &t), 0);
    assert_int_equal(t, 1795743000);
    assert_int_equal(parse("2026-11-27T09:30+08:00", &t), 0);
    assert_int_equal(t, 1795743000);
    assert_int_equal(parse("2026-11-27T09:30:00.250+08:00", &t), 0);
    assert_int_equal(t, 1795743000);
    assert_int_equal(parse("2026-11-27", &t), 0);
    assert_int_equal(t, 1795708800); /* local midnight */
}

static void test_short_offsets_rejected(void **state)
{
    (void)state;
    int64_t t;
    static const char *const bad[] = {
        "2026-01-01T00:00+1:1",
        "2026-01-01T00:00+1",
        "2026-01-01T00:00+",
        "2026-01-01T00:00-01:",
        "2026-01-01T00:00+01:0",
        "2026-01-01T00:00+ 1:01",
        "2026-01-01T00:00+-1:01",
        "2026-01-01T00:00+15:00",
        "2026-01-01T00:00+08:60",
        "2026-01-01T00:00:00+0800",
        "2026-02-30",
        "2026-13-01",
        "2026-01-01T25:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &t), -1);
}

static void test_year_range_round_trips(void **state)
{
    (void)state;
    int64_t t, t2;
    char iso[64];
    assert_int_equal(parse("9999-12-31T23:59:59Z", &t), -1);
    assert_int_equal(parse("1899-12-31", &t), -1);
    assert_int_equal(parse("1900-01-01T00:00:00+14:00", &t), -1); /* 1899 here */
    static const char *const edge[] = {"9999-12-31T15:59:59Z",      "9998-12-31T23:59:59-14:00",
                                       "1900-01-01T00:00:00-08:00", "1900-01-01T07:59:59+00:00",
                                       "1970-01-01T00:00:00Z",      "2000-02-29"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        assert_int_equal(parse(edge[i], &t), 0);
        sq_clock_iso(t, iso);
        assert_int_equal(parse(iso, &t2), 0);
        assert_int_equal(t, t2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_short_offsets_rejected),
        cmocka_unit_test(test_year_range_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
