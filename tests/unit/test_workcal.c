/*
 * test_workcal.c - unit tests for the working calendar (src/appeals/workcal).
 *
 * Hand-checked cases pin the rules (weekends, the 2026 National Day fixture
 * with its make-up workdays, starts outside working hours, pauses, parsing,
 * formatting).  Property tests then compare the O(log n) arithmetic with a
 * deliberately naive reference that walks day by day, takes weekdays from
 * gmtime_r and scans the fixture list itself, so the two share no code.
 * Random points come from a fixed-seed xorshift generator, so a failure
 * reproduces exactly.  Self-contained: its own main(), no other modules.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* timegm, gmtime_r */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "appeals/workcal.h"

#define HOUR 3600
#define MINUTE 60
#define DAY 86400

/* ------------------------------------------------------------------------
 * Fixtures
 * ---------------------------------------------------------------------- */

struct fixture_day {
    int date;
    enum sq_workcal_kind kind;
};

/* 2026 National Day as given for this module: Oct 1-7 off, Sunday Sep 27
 * and Saturday Oct 10 worked.  Test data only; real calendars come from
 * the State Council notice via the calendar API. */
static const struct fixture_day national_day_2026[] = {
    {20261001, SQ_WORKCAL_HOLIDAY}, {20261002, SQ_WORKCAL_HOLIDAY}, {20261003, SQ_WORKCAL_HOLIDAY},
    {20261004, SQ_WORKCAL_HOLIDAY}, {20261005, SQ_WORKCAL_HOLIDAY}, {20261006, SQ_WORKCAL_HOLIDAY},
    {20261007, SQ_WORKCAL_HOLIDAY}, {20260927, SQ_WORKCAL_WORKDAY}, {20261010, SQ_WORKCAL_WORKDAY},
};
#define NATIONAL_DAY_N (sizeof(national_day_2026) / sizeof(national_day_2026[0]))

static void load_national_day(struct sq_workcal *cal)
{
    size_t i;

    for (i = 0; i < NATIONAL_DAY_N; i++)
        assert_int_equal(
            sq_workcal_add_exception(cal, national_day_2026[i].date, national_day_2026[i].kind), 0);
}

static int setup_plain(void **state)
{
    struct sq_workcal *cal = malloc(sizeof(*cal));

    if (cal == NULL)
        return -1;
    sq_workcal_init(cal);
    *state = cal;
    return 0;
}

static int setup_holidays(void **state)
{
    if (setup_plain(state) != 0)
        return -1;
    load_national_day(*state);
    return 0;
}

/* Holidays plus a 12:00-13:30 lunch break: the hardest calendar we have. */
static int setup_lunch(void **state)
{
    if (setup_holidays(state) != 0)
        return -1;
    return sq_workcal_set_hours(*state, 9 * 60, 17 * 60 + 30, 12 * 60, 13 * 60 + 30);
}

static int teardown(void **state)
{
    sq_workcal_cleanup(*state);
    free(*state);
    return 0;
}

/* Unix time of a local wall time at offset `off`. */
static int64_t at_off(int off, int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};

    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm) - off;
}

/* Unix time of a Wuhan wall time. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
    return at_off(SQ_TZ_OFFSET, y, mo, d, h, mi, 0);
}

/* Compare instants as ISO strings first, so a failure reads as times. */
#define assert_time_equal(actual, expected)                                                        \
    do {                                                                                           \
        int64_t a_ = (actual), e_ = (expected);                                                    \
        char sa_[32], se_[32];                                                                     \
        sq_time_format_iso(a_, SQ_TZ_OFFSET, sa_);                                                 \
        sq_time_format_iso(e_, SQ_TZ_OFFSET, se_);                                                 \
        assert_string_equal(sa_, se_);                                                             \
        assert_true(a_ == e_);                                                                     \
    } while (0)

/* ------------------------------------------------------------------------
 * Naive reference: one day at a time, weekdays from libc
 * ---------------------------------------------------------------------- */

struct reference {
    const struct sq_workcal *cal; /* hours and offset only */
    const struct fixture_day *days;
    size_t n_days;
};

static int64_t floor_day(int64_t local)
{
    return local >= 0 ? local / DAY : -((-local + DAY - 1) / DAY);
}

static bool ref_workday(const struct reference *ref, int64_t day)
{
    time_t secs = (time_t)(day * DAY);
    struct tm tm;
    int date;
    size_t i;
    bool worked;

    assert_non_null(gmtime_r(&secs, &tm));
    date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    worked = tm.tm_wday != 0 && tm.tm_wday != 6;
    for (i = 0; i < ref->n_days; i++) /* later entries win, like the API */
        if (ref->days[i].date == date)
            worked = ref->days[i].kind == SQ_WORKCAL_WORKDAY;
    return worked;
}

static int64_t overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

    return hi > lo ? hi - lo : 0;
}

static int64_t ref_between(const struct reference *ref, int64_t a, int64_t b)
{
    const struct sq_workcal *cal = ref->cal;
    int64_t la = a + cal->tz_offset, lb = b + cal->tz_offset;
    int64_t ws = cal->day_start * MINUTE, we = cal->day_end * MINUTE;
    int64_t bs = cal->break_start * MINUTE, be = cal->break_end * MINUTE;
    int64_t sum = 0, day;

    if (b <= a)
        return 0;
    if (bs == be)
        bs = be = we;
    for (day = floor_day(la); day <= floor_day(lb - 1); day++) {
        int64_t base = day * DAY;

        if (!ref_workday(ref, day))
            continue;
        sum += overlap(la, lb, base + ws, base + bs);
        sum += overlap(la, lb, base + be, base + we);
    }
    return sum;
}

static int64_t ref_add_days(const struct reference *ref, int64_t start, int n)
{
    const struct sq_workcal *cal = ref->cal;
    int64_t day = floor_day(start + cal->tz_offset);

    while (n > 0) {
        day++;
        if (ref_workday(ref, day))
            n--;
    }
    return day * DAY + cal->day_end * MINUTE - cal->tz_offset;
}

/* xorshift64*: fixed seed, same sequence on every libc. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rng_below(int64_t n)
{
    return (int64_t)(rng_next() % (uint64_t)n);
}

/* A random instant in Sep 2026 .. Feb 2027 (around the fixture), half the
 * time within a second of a boundary where off-by-one errors live. */
static int64_t random_instant(const struct sq_workcal *cal)
{
    const int64_t edges[] = {0,
                             cal->day_start * MINUTE,
                             cal->break_start * MINUTE,
                             cal->break_end * MINUTE,
                             cal->day_end * MINUTE,
                             DAY - 1};
    int64_t day0 = at(2026, 9, 1, 0, 0);
    int64_t day = rng_below(180) * DAY;
    int64_t sod;

    if (rng_below(2) == 0)
        sod = edges[rng_below(6)] + rng_below(3) - 1;
    else
        sod = rng_below(DAY);
    return day0 + day + sod;
}

static int64_t day_length(const struct sq_workcal *cal)
{
    return (int64_t)(cal->day_end - cal->day_start - (cal->break_end - cal->break_start)) * MINUTE;
}

/* ------------------------------------------------------------------------
 * Calendar set-up and exceptions
 * ---------------------------------------------------------------------- */

static void test_defaults(void **state)
{
    struct sq_workcal *cal = *state;

    assert_int_equal(cal->tz_offset, 8 * 3600);
    assert_int_equal(cal->day_start, 9 * 60);
    assert_int_equal(cal->day_end, 17 * 60 + 30);
    assert_int_equal(cal->break_start, cal->break_end);
    assert_int_equal(cal->n_exceptions, 0);
    assert_true(sq_workcal_is_workday(cal, 20261123));  /* Monday */
    assert_true(sq_workcal_is_workday(cal, 20261127));  /* Friday */
    assert_false(sq_workcal_is_workday(cal, 20261128)); /* Saturday */
    assert_false(sq_workcal_is_workday(cal, 20261129)); /* Sunday */
    assert_false(sq_workcal_is_workday(cal, 20260230)); /* no such day */
    assert_false(sq_workcal_is_workday(cal, 0));
    /* Local date, not the UTC one: 23:30 UTC is 07:30 the next morning. */
    assert_int_equal(sq_workcal_date_of(cal, at(2026, 11, 28, 7, 30)), 20261128);
    assert_int_equal(sq_workcal_date_of(cal, at(2026, 11, 27, 23, 59)), 20261127);
    assert_int_equal(sq_workcal_date_of(cal, INT64_MAX), -1);
}

/* The weekday arithmetic must agree with libc on every day of a wide span
 * and around the ends of the supported range. */
static void test_weekdays_match_libc(void **state)
{
    struct sq_workcal *cal = *state;
    int64_t day;

    for (day = 0; day < 366 * 60; day += 1) {
        time_t secs = (time_t)(day * DAY);
        struct tm tm;
        int date;

        assert_non_null(gmtime_r(&secs, &tm));
        date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        assert_int_equal(sq_workcal_is_workday(cal, date), tm.tm_wday != 0 && tm.tm_wday != 6);
    }
    assert_false(sq_workcal_is_workday(cal, 19691231)); /* before range */
    assert_true(sq_workcal_is_workday(cal, 99991231));  /* a Friday */
}

static void test_exceptions_sorted_and_deduplicated(void **state)
{
    struct sq_workcal *cal = *state;
    size_t i;

    assert_int_equal(sq_workcal_add_exception(cal, 20261010, SQ_WORKCAL_WORKDAY), 0);
    assert_int_equal(sq_workcal_add_exception(cal, 20261001, SQ_WORKCAL_HOLIDAY), 0);
    assert_int_equal(sq_workcal_add_exception(cal, 20260927, SQ_WORKCAL_WORKDAY), 0);
    assert_int_equal(sq_workcal_add_exception(cal, 20261005, SQ_WORKCAL_HOLIDAY), 0);
    assert_int_equal(cal->n_exceptions, 4);
    for (i = 1; i < cal->n_exceptions; i++)
        assert_true(cal->exceptions[i - 1].date < cal->exceptions[i].date);
    assert_false(sq_workcal_is_workday(cal, 20261001));

    /* Same date again: the later kind replaces the earlier one. */
    assert_int_equal(sq_workcal_add_exception(cal, 20261001, SQ_WORKCAL_WORKDAY), 0);
    assert_int_equal(cal->n_exceptions, 4);
    assert_true(sq_workcal_is_workday(cal, 20261001));
    /* +1 Sun Sep 27, 0 Thu Oct 1 (a weekday worked anyway), -1 Mon Oct 5,
     * +1 Sat Oct 10. */
    assert_int_equal(cal->adj_total, 1);

    assert_int_equal(sq_workcal_remove_exception(cal, 20261005), 0);
    assert_int_equal(sq_workcal_remove_exception(cal, 20261005), -1);
    assert_int_equal(cal->n_exceptions, 3);
    assert_true(sq_workcal_is_workday(cal, 20261005));
    assert_int_equal(cal->adj_total, 2);

    /* Rejected without changing anything. */
    assert_int_equal(sq_workcal_add_exception(cal, 20260230, SQ_WORKCAL_HOLIDAY), -1);
    assert_int_equal(sq_workcal_add_exception(cal, 19691231, SQ_WORKCAL_HOLIDAY), -1);
    assert_int_equal(sq_workcal_add_exception(cal, 100000101, SQ_WORKCAL_HOLIDAY), -1);
    assert_int_equal(sq_workcal_add_exception(cal, -20261001, SQ_WORKCAL_HOLIDAY), -1);
    assert_int_equal(sq_workcal_add_exception(cal, 20261002, SQ_WORKCAL_KIND__MAX), -1);
    assert_int_equal(sq_workcal_add_exception(cal, 20261002, (enum sq_workcal_kind) - 1), -1);
    assert_int_equal(sq_workcal_remove_exception(cal, 20260230), -1);
    assert_int_equal(cal->n_exceptions, 3);

    /* Many entries in descending order: growth and insertion at the front. */
    for (i = 0; i < 100; i++) {
        int date = 20300000 + (int)(12 - i / 28 % 12) * 100 + (int)(28 - i % 28);

        assert_int_equal(sq_workcal_add_exception(cal, date, SQ_WORKCAL_HOLIDAY), 0);
    }
    for (i = 1; i < cal->n_exceptions; i++)
        assert_true(cal->exceptions[i - 1].date < cal->exceptions[i].date);

    sq_workcal_cleanup(cal);
    assert_int_equal(cal->n_exceptions, 0);
    assert_null(cal->exceptions);
    assert_int_equal(cal->adj_total, 0);
}

static void test_national_day_fixture(void **state)
{
    struct sq_workcal *cal = *state;

    assert_true(sq_workcal_is_workday(cal, 20260925));  /* Fri */
    assert_false(sq_workcal_is_workday(cal, 20260926)); /* Sat */
    assert_true(sq_workcal_is_workday(cal, 20260927));  /* Sun, make-up */
    assert_true(sq_workcal_is_workday(cal, 20260930));  /* Wed */
    assert_false(sq_workcal_is_workday(cal, 20261001)); /* Thu, holiday */
    assert_false(sq_workcal_is_workday(cal, 20261005)); /* Mon, holiday */
    assert_false(sq_workcal_is_workday(cal, 20261007)); /* Wed, holiday */
    assert_true(sq_workcal_is_workday(cal, 20261008));  /* Thu */
    assert_true(sq_workcal_is_workday(cal, 20261010));  /* Sat, make-up */
    assert_false(sq_workcal_is_workday(cal, 20261011)); /* Sun */
    assert_false(sq_workcal_is_workday(cal, 20261003)); /* Sat in holiday */
}

static void test_set_hours_and_offset(void **state)
{
    struct sq_workcal *cal = *state;

    /* Invalid: empty or reversed span, out of day, break not inside. */
    assert_int_equal(sq_workcal_set_hours(cal, 600, 600, 0, 0), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 700, 600, 0, 0), -1);
    assert_int_equal(sq_workcal_set_hours(cal, -1, 600, 0, 0), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1441, 0, 0), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 540, 600), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 1000, 1050), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 800, 700), -1);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 400, 700), -1);
    assert_int_equal(cal->day_start, 540);
    assert_int_equal(cal->day_end, 1050);
    assert_int_equal(cal->break_start, cal->break_end);

    /* Summer hours: 08:30-18:00 with 12:00-14:30 off, 7 working hours. */
    assert_int_equal(sq_workcal_set_hours(cal, 8 * 60 + 30, 18 * 60, 12 * 60, 14 * 60 + 30), 0);
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 8, 0), 4 * HOUR),
                      at(2026, 11, 23, 15, 0));
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 0, 0), at(2026, 11, 24, 0, 0)),
        7 * HOUR);
    /* Equal break values mean no break, whatever they are. */
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 720, 720), 0);
    assert_int_equal(cal->break_start, cal->break_end);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 0, 0), at(2026, 11, 24, 0, 0)),
        8 * HOUR + 30 * MINUTE);
    /* A whole-day span is allowed. */
    assert_int_equal(sq_workcal_set_hours(cal, 0, 1440, 0, 0), 0);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 27, 12, 0), at(2026, 11, 30, 12, 0)),
        24 * HOUR);
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 26, 12, 0), 1),
                      at(2026, 11, 28, 0, 0)); /* Friday's close is midnight */

    /* The offset is a property of the calendar. */
    assert_int_equal(sq_workcal_set_offset(cal, 15 * 3600), -1);
    assert_int_equal(sq_workcal_set_offset(cal, -15 * 3600), -1);
    assert_int_equal(sq_workcal_set_offset(cal, 3600 + 1), -1);
    assert_int_equal(cal->tz_offset, SQ_TZ_OFFSET);
    assert_int_equal(sq_workcal_set_hours(cal, 540, 1050, 0, 0), 0);
    assert_int_equal(sq_workcal_set_offset(cal, 0), 0);
    /* 09:00 UTC Monday is 17:00 in Wuhan, but opening time in UTC. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at_off(0, 2026, 11, 23, 8, 0, 0), HOUR),
                      at_off(0, 2026, 11, 23, 10, 0, 0));
    assert_int_equal(sq_workcal_date_of(cal, at(2026, 11, 28, 7, 30)), 20261127);
    assert_int_equal(sq_workcal_set_offset(cal, -5 * 3600 - 30 * 60), 0);
    assert_time_equal(sq_workcal_add_working_days(cal, at_off(-19800, 2026, 11, 27, 20, 0, 0), 1),
                      at_off(-19800, 2026, 11, 30, 17, 30, 0));
}

/* ------------------------------------------------------------------------
 * Working-day deadlines
 * ---------------------------------------------------------------------- */

static void test_days_across_weekend(void **state)
{
    struct sq_workcal *cal = *state;

    /* Friday 2026-11-27: the receipt day never counts. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 27, 10, 0), 1),
                      at(2026, 11, 30, 17, 30));
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 27, 10, 0), 5),
                      at(2026, 12, 4, 17, 30));
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 27, 20, 0), 1),
                      at(2026, 11, 30, 17, 30));
    /* Before opening on Monday: Monday still is the day of receipt. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 23, 8, 0), 1),
                      at(2026, 11, 24, 17, 30));
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 23, 0, 0), 1),
                      at(2026, 11, 24, 17, 30));
    /* Received on a weekend: the next working day is the first. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 28, 10, 0), 1),
                      at(2026, 11, 30, 17, 30));
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 29, 23, 59) + 59, 1),
                      at(2026, 11, 30, 17, 30));
    /* Ten working days: two weekends skipped. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 11, 25, 15, 0), 10),
                      at(2026, 12, 9, 17, 30));
    /* Across the turn of the year. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 12, 31, 9, 0), 1),
                      at(2027, 1, 1, 17, 30));
}

static void test_days_national_day(void **state)
{
    struct sq_workcal *cal = *state;

    /* Received Wed Sep 30: Oct 1-7 off, Thu Oct 8 is the first day. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 30, 10, 0), 1),
                      at(2026, 10, 8, 17, 30));
    /* Oct 8, Oct 9, then the make-up Saturday Oct 10 counts. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 30, 10, 0), 3),
                      at(2026, 10, 10, 17, 30));
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 30, 10, 0), 4),
                      at(2026, 10, 12, 17, 30));
    /* Received Fri Sep 25: the make-up Sunday Sep 27 is the first day. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 25, 16, 0), 1),
                      at(2026, 9, 27, 17, 30));
    /* Received on the make-up Sunday itself: it is the day of receipt. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 27, 10, 0), 1),
                      at(2026, 9, 28, 17, 30));
    /* Received during the holiday. */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 10, 3, 10, 0), 1),
                      at(2026, 10, 8, 17, 30));
    /* Fifteen working days from Sep 21 (Mon): Sep 22-25, 27-30 (8), Oct 8-10
     * (11), Oct 12-15 (15). */
    assert_time_equal(sq_workcal_add_working_days(cal, at(2026, 9, 21, 9, 0), 15),
                      at(2026, 10, 15, 17, 30));
}

/* ------------------------------------------------------------------------
 * Working-second deadlines (lunch calendar)
 * ---------------------------------------------------------------------- */

static void test_seconds_start_outside_hours(void **state)
{
    struct sq_workcal *cal = *state;

    /* Before opening. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 7, 0), HOUR),
                      at(2026, 11, 23, 10, 0));
    /* At night: counts from the next morning. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 22, 0), 2 * HOUR),
                      at(2026, 11, 24, 11, 0));
    /* On a weekend: counts from Monday morning. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 28, 10, 0), 2 * HOUR),
                      at(2026, 11, 30, 11, 0));
    /* During the lunch break: counts from 13:30. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 12, 30), HOUR),
                      at(2026, 11, 23, 14, 30));
    /* Across the lunch break. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 11, 0), 2 * HOUR),
                      at(2026, 11, 23, 14, 30));
    /* Work ending at a boundary ends there, not at the next opening. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 11, 0), HOUR),
                      at(2026, 11, 23, 12, 0));
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 16, 30), HOUR),
                      at(2026, 11, 23, 17, 30));
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 23, 17, 30), 1),
                      at(2026, 11, 24, 9, 0) + 1);
    /* Zero working time is due at once, wherever start is. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 11, 28, 3, 0), 0),
                      at(2026, 11, 28, 3, 0));
    /* Urgent, 2 working hours, from Wed Sep 30 17:00: half an hour left that
     * day, the holiday skipped, the rest on Oct 8. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 9, 30, 17, 0), 2 * HOUR),
                      at(2026, 10, 8, 10, 30));
    /* Friday 17:00 + a full day's work lands on the make-up Sunday. */
    assert_time_equal(sq_workcal_add_working_seconds(cal, at(2026, 9, 25, 17, 0), 7 * HOUR),
                      at(2026, 9, 27, 17, 0));
}

static void test_next_working_instant(void **state)
{
    struct sq_workcal *cal = *state;

    assert_time_equal(sq_workcal_next_working_instant(cal, at(2026, 11, 23, 10, 0)),
                      at(2026, 11, 23, 10, 0));
    assert_time_equal(sq_workcal_next_working_instant(cal, at(2026, 11, 23, 9, 0)),
                      at(2026, 11, 23, 9, 0));
    assert_time_equal(sq_workcal_next_working_instant(cal, at(2026, 11, 23, 12, 0)),
                      at(2026, 11, 23, 13, 30));
    assert_time_equal(sq_workcal_next_working_instant(cal, at(2026, 11, 23, 17, 30)),
                      at(2026, 11, 24, 9, 0));
    assert_time_equal(sq_workcal_next_working_instant(cal, at(2026, 9, 30, 18, 0)),
                      at(2026, 10, 8, 9, 0));
    assert_true(sq_workcal_next_working_instant(cal, INT64_MAX) == SQ_WORKCAL_NEVER);
}

static void test_between(void **state)
{
    struct sq_workcal *cal = *state;
    int64_t len = 7 * HOUR;

    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 9, 0), at(2026, 11, 23, 17, 30)),
        len);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 12, 10), at(2026, 11, 23, 13, 20)),
        0);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 11, 0), at(2026, 11, 23, 14, 0)),
        90 * MINUTE);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 18, 0), at(2026, 11, 24, 8, 0)),
        0);
    /* A calendar week. */
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 0, 0), at(2026, 11, 30, 0, 0)),
        5 * len);
    /* Sep 26 - Oct 11: Sep 27-30 and Oct 8-10 are the working days. */
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 9, 26, 0, 0), at(2026, 10, 12, 0, 0)),
        7 * len);
    /* Empty and reversed intervals. */
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 10, 0), at(2026, 11, 23, 10, 0)),
        0);
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 24, 10, 0), at(2026, 11, 23, 10, 0)),
        0);
    /* Half-open: the second at b is not included. */
    assert_int_equal(
        sq_workcal_working_seconds_between(cal, at(2026, 11, 23, 9, 0), at(2026, 11, 23, 9, 0) + 1),
        1);
}

/* SLA warning: the caller compares consumed with allowed working time. */
static void test_sla_fraction(void **state)
{
    struct sq_workcal *cal = *state;
    int64_t start = at(2026, 11, 23, 10, 0); /* Monday */
    int64_t due = sq_workcal_add_working_days(cal, start, 2);
    int64_t budget = sq_workcal_working_seconds_between(cal, start, due);
    int64_t warn_at = sq_workcal_add_working_seconds(cal, start, budget * 8 / 10);

    assert_time_equal(due, at(2026, 11, 25, 17, 30));
    /* Monday 10:00-17:30 (6 h of work) plus two 7 h days. */
    assert_int_equal(budget, 20 * HOUR);
    /* 16 h in: 6 + 7 + the 3 h of Wednesday morning. */
    assert_time_equal(warn_at, at(2026, 11, 25, 12, 0));
    assert_true(sq_workcal_working_seconds_between(cal, start, warn_at) * 10 >= budget * 8);
}

/* ------------------------------------------------------------------------
 * Pauses (挂起)
 * ---------------------------------------------------------------------- */

static void test_shift_deadline(void **state)
{
    struct sq_workcal *cal = *state;
    int64_t due = at(2026, 11, 27, 17, 30); /* Friday close */

    /* Thu 16:00 - Fri 10:00 paused: 1.5 h + 1 h of working time. */
    assert_time_equal(
        sq_workcal_shift_deadline(cal, due, at(2026, 11, 26, 16, 0), at(2026, 11, 27, 10, 0)),
        at(2026, 11, 30, 11, 30));
    /* Paused over the weekend only: nothing to make up. */
    assert_time_equal(
        sq_workcal_shift_deadline(cal, due, at(2026, 11, 28, 9, 0), at(2026, 11, 29, 18, 0)), due);
    /* Reversed or empty pause. */
    assert_time_equal(
        sq_workcal_shift_deadline(cal, due, at(2026, 11, 27, 10, 0), at(2026, 11, 26, 10, 0)), due);
    /* Pause across National Day: Sep 30 17:00-17:30 and Oct 8 09:00-09:30,
     * so the Oct 9 deadline moves into the make-up Saturday. */
    assert_time_equal(sq_workcal_shift_deadline(cal, at(2026, 10, 9, 17, 30),
                                                at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 30)),
                      at(2026, 10, 10, 10, 0));
    /* Two pauses applied one after the other add up. */
    {
        int64_t d1 =
            sq_workcal_shift_deadline(cal, due, at(2026, 11, 23, 9, 0), at(2026, 11, 23, 10, 0));
        int64_t d2 =
            sq_workcal_shift_deadline(cal, d1, at(2026, 11, 24, 9, 0), at(2026, 11, 24, 11, 0));

        assert_time_equal(d2, at(2026, 11, 30, 12, 0));
    }
    assert_true(sq_workcal_shift_deadline(cal, SQ_WORKCAL_NEVER, at(2026, 11, 23, 9, 0),
                                          at(2026, 11, 24, 9, 0)) == SQ_WORKCAL_NEVER);
}

/* ------------------------------------------------------------------------
 * Bounds
 * ---------------------------------------------------------------------- */

static void test_bounds(void **state)
{
    struct sq_workcal *cal = *state;
    struct reference ref = {cal, national_day_2026, NATIONAL_DAY_N};
    int64_t start = at(2026, 9, 21, 9, 0);
    int64_t far;

    assert_true(sq_workcal_add_working_days(cal, start, 0) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_days(cal, start, -1) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_days(cal, start, SQ_WORKCAL_MAX_DAYS + 1) ==
                SQ_WORKCAL_NEVER);
    /* The largest N is cheap and right: no per-day loop in the module. */
    far = sq_workcal_add_working_days(cal, start, SQ_WORKCAL_MAX_DAYS);
    assert_time_equal(far, ref_add_days(&ref, start, SQ_WORKCAL_MAX_DAYS));
    assert_int_equal(sq_workcal_working_seconds_between(cal, start, far),
                     ref_between(&ref, start, far));

    assert_true(sq_workcal_add_working_seconds(cal, start, -1) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_seconds(cal, start, INT64_MAX) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_seconds(cal, INT64_MAX, HOUR) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_seconds(cal, INT64_MIN, HOUR) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_days(cal, INT64_MIN, 1) == SQ_WORKCAL_NEVER);
    /* Before 1970-01-01 local. */
    assert_true(sq_workcal_add_working_days(cal, at(1969, 12, 31, 12, 0), 1) == SQ_WORKCAL_NEVER);
    assert_time_equal(sq_workcal_add_working_days(cal, at(1970, 1, 1, 0, 0), 1),
                      at(1970, 1, 2, 17, 30));

    /* The end of the range is 9999-12-31 (a Friday). */
    assert_time_equal(sq_workcal_add_working_days(cal, at(9999, 12, 29, 10, 0), 2),
                      at(9999, 12, 31, 17, 30));
    assert_true(sq_workcal_add_working_days(cal, at(9999, 12, 29, 10, 0), 3) == SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_seconds(cal, at(9999, 12, 31, 17, 0), HOUR) ==
                SQ_WORKCAL_NEVER);
    assert_true(sq_workcal_add_working_days(cal, at(10000, 1, 1, 10, 0), 1) == SQ_WORKCAL_NEVER);

    /* Clamped, no overflow, and monotone in b. */
    assert_true(sq_workcal_working_seconds_between(cal, INT64_MIN, INT64_MAX) > 0);
    assert_int_equal(sq_workcal_working_seconds_between(cal, INT64_MIN, start),
                     sq_workcal_working_seconds_between(cal, at(1970, 1, 1, 0, 0), start));
}

/* ------------------------------------------------------------------------
 * Properties against the reference
 * ---------------------------------------------------------------------- */

static void check_properties(const struct sq_workcal *cal)
{
    struct reference ref = {cal, national_day_2026, NATIONAL_DAY_N};
    int64_t len = day_length(cal);
    int i;

    for (i = 0; i < 4000; i++) {
        int64_t a = random_instant(cal), b = random_instant(cal);
        int64_t s, t, u, w;
        int n;

        /* add then measure: exactly s, and no earlier instant does it. */
        switch (rng_below(3)) {
        case 0:
            s = rng_below(4 * HOUR) + 1;
            break;
        case 1:
            s = rng_below(40) * len;
            break;
        default:
            s = rng_below(60 * len);
            break;
        }
        t = sq_workcal_add_working_seconds(cal, a, s);
        assert_true(t != SQ_WORKCAL_NEVER);
        assert_true(t >= a);
        assert_int_equal(sq_workcal_working_seconds_between(cal, a, t), s);
        assert_int_equal(ref_between(&ref, a, t), s);
        if (s > 0)
            assert_int_equal(ref_between(&ref, a, t - 1), s - 1);

        /* measure then add: lands at or before b, with the same work. */
        w = sq_workcal_working_seconds_between(cal, a, b);
        assert_int_equal(w, ref_between(&ref, a, b));
        if (b > a) {
            u = sq_workcal_add_working_seconds(cal, a, w);
            assert_true(u <= b);
            assert_int_equal(sq_workcal_working_seconds_between(cal, a, u), w);
            assert_int_equal(sq_workcal_working_seconds_between(cal, u, b), 0);
        } else {
            assert_int_equal(w, 0);
        }

        /* Additivity across any split point. */
        if (b > a) {
            int64_t m = a + rng_below(b - a + 1);

            assert_int_equal(sq_workcal_working_seconds_between(cal, a, m) +
                                 sq_workcal_working_seconds_between(cal, m, b),
                             w);
        }

        n = (int)rng_below(60) + 1;
        assert_time_equal(sq_workcal_add_working_days(cal, a, n), ref_add_days(&ref, a, n));
    }
}

static void test_properties_holidays(void **state)
{
    check_properties(*state);
}

static void test_properties_lunch(void **state)
{
    check_properties(*state);
}

/* ------------------------------------------------------------------------
 * Parsing and formatting
 * ---------------------------------------------------------------------- */

static void test_parse_date(void **state)
{
    static const char *const bad[] = {
        "2026-02-30",  "2025-02-29",  "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
        "1969-12-31",  "0000-01-01",  "2026-1-01",  "2026-01-1",  "2026/01/01", "2026-01-01x",
        "2026-01-01 ", " 2026-01-01", "20260101",   "2026-01",    "",           "abcd-ef-gh",
        "2026-0a-01",  "+026-01-01",  "2026--1-01",
    };
    int d = 12345;
    size_t i;

    (void)state;
    assert_int_equal(sq_workcal_parse_date("2026-10-01", &d), 0);
    assert_int_equal(d, 20261001);
    assert_int_equal(sq_workcal_parse_date("2024-02-29", &d), 0);
    assert_int_equal(d, 20240229);
    assert_int_equal(sq_workcal_parse_date("1970-01-01", &d), 0);
    assert_int_equal(d, 19700101);
    assert_int_equal(sq_workcal_parse_date("9999-12-31", &d), 0);
    assert_int_equal(d, 99991231);
    assert_int_equal(sq_workcal_parse_date("2000-02-29", &d), 0);
    d = 12345;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sq_workcal_parse_date(bad[i], &d) != -1)
            fail_msg("accepted bad date \"%s\"", bad[i]);
        assert_int_equal(d, 12345);
    }
    assert_int_equal(sq_workcal_parse_date("2100-02-29", &d), -1);
    assert_int_equal(sq_workcal_parse_date(NULL, &d), -1);
}

static void test_parse_hhmm(void **state)
{
    static const char *const bad[] = {
        "25:00",  "24:00", "12:60", "9:00",  "09:0",  "09-00", "0900",  "09:00:00",
        "09:00 ", " 9:00", "",      "ab:cd", "1a:00", "12:3a", "-1:00", "09:5",
    };
    int m = 777;
    size_t i;

    (void)state;
    assert_int_equal(sq_workcal_parse_hhmm("09:00", &m), 0);
    assert_int_equal(m, 540);
    assert_int_equal(sq_workcal_parse_hhmm("17:30", &m), 0);
    assert_int_equal(m, 1050);
    assert_int_equal(sq_workcal_parse_hhmm("00:00", &m), 0);
    assert_int_equal(m, 0);
    assert_int_equal(sq_workcal_parse_hhmm("23:59", &m), 0);
    assert_int_equal(m, 1439);
    m = 777;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sq_workcal_parse_hhmm(bad[i], &m) != -1)
            fail_msg("accepted bad time \"%s\"", bad[i]);
        assert_int_equal(m, 777);
    }
    assert_int_equal(sq_workcal_parse_hhmm(NULL, &m), -1);
}

static void test_format_iso(void **state)
{
    char out[32];

    (void)state;
    sq_time_format_iso(at(2026, 11, 27, 9, 30), SQ_TZ_OFFSET, out);
    assert_string_equal(out, "2026-11-27T09:30:00+08:00");
    sq_time_format_iso(at(2026, 11, 27, 9, 30), 0, out);
    assert_string_equal(out, "2026-11-27T01:30:00+00:00");
    sq_time_format_iso(at(2026, 11, 27, 9, 30) + 59, -(5 * 3600 + 30 * 60), out);
    assert_string_equal(out, "2026-11-26T20:00:59-05:30");
    sq_time_format_iso(0, 0, out);
    assert_string_equal(out, "1970-01-01T00:00:00+00:00");
    sq_time_format_iso(at(2026, 12, 31, 23, 59) + 59, SQ_TZ_OFFSET, out);
    assert_string_equal(out, "2026-12-31T23:59:59+08:00");
    /* Unrepresentable: "" rather than a malformed string. */
    sq_time_format_iso(0, 15 * 3600, out);
    assert_string_equal(out, "");
    sq_time_format_iso(at(10000, 1, 1, 0, 0), SQ_TZ_OFFSET, out);
    assert_string_equal(out, "");
    sq_time_format_iso(INT64_MAX, SQ_TZ_OFFSET, out);
    assert_string_equal(out, "");
    sq_time_format_iso(INT64_MIN, SQ_TZ_OFFSET, out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_weekdays_match_libc, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_exceptions_sorted_and_deduplicated, setup_plain,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_national_day_fixture, setup_holidays, teardown),
        cmocka_unit_test_setup_teardown(test_set_hours_and_offset, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_days_across_weekend, setup_holidays, teardown),
        cmocka_unit_test_setup_teardown(test_days_national_day, setup_holidays, teardown),
        cmocka_unit_test_setup_teardown(test_seconds_start_outside_hours, setup_lunch, teardown),
        cmocka_unit_test_setup_teardown(test_next_working_instant, setup_lunch, teardown),
        cmocka_unit_test_setup_teardown(test_between, setup_lunch, teardown),
        cmocka_unit_test_setup_teardown(test_sla_fraction, setup_lunch, teardown),
        cmocka_unit_test_setup_teardown(test_shift_deadline, setup_lunch, teardown),
        cmocka_unit_test_setup_teardown(test_bounds, setup_holidays, teardown),
        cmocka_unit_test_setup_teardown(test_properties_holidays, setup_holidays, teardown),
        cmocka_unit_test_setup_teardown(test_properties_lunch, setup_lunch, teardown),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_parse_hhmm),
        cmocka_unit_test(test_format_iso),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
