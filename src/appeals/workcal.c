/*
 * workcal.c - working-time arithmetic for time limits (限时办结).
 *
 * Everything is built on one monotone function, the working-time clock
 *
 *     W(t) = working seconds from 1970-01-01 local midnight up to t,
 *
 * so "working seconds between a and b" is W(b) - W(a), and "add s working
 * seconds to t" is the earliest instant u with W(u) = W(t) + s.  W itself
 * is (working days before t's day) * (working seconds per day) + (working
 * seconds of t's day before t).  Working days before a day are counted with
 * week arithmetic (five weekdays per seven days) corrected by the exception
 * list, whose entries carry the running sum of their corrections; inverting
 * the count is a binary search over days.  Nothing loops per day, so every
 * query is O(log exceptions * log range).
 *
 * Invariants kept by the setters: 0 <= day_start < day_end <= 1440; the
 * break is empty (stored 0,0) or strictly inside the working span, so a day
 * always has working time; exceptions are sorted by date without duplicates
 * and each adj_before is the sum of the corrections of the entries before
 * it.  Local days are numbered from 1970-01-01 (day 0) to 9999-12-31
 * (DAY_LAST); dates are converted with timegm/gmtime_r.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* timegm, gmtime_r */
#endif

#include "appeals/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(time_t) >= 8, "dates up to 9999 need a 64-bit time_t");

#define DAY_SECONDS 86400
/* 9999-12-31 as days since 1970-01-01; tests check it against timegm. */
#define DAY_LAST INT64_C(2932896)
/* Local seconds just past the supported range. */
#define LOCAL_END ((DAY_LAST + 1) * DAY_SECONDS)
#define MAX_OFFSET (14 * 3600)

/* ------------------------------------------------------------------------
 * Day and date helpers
 * ---------------------------------------------------------------------- */

/* 1970-01-01 was a Thursday; 0 = Sunday as in struct tm.  Day numbers
 * are never negative, so plain % is enough. */
static int weekday_of(int64_t day)
{
    return (int)((day + 4) % 7);
}

static bool is_weekday(int64_t day)
{
    int wd = weekday_of(day);

    return wd != 0 && wd != 6;
}

/*
 * YYYYMMDD -> day number, or -1 if it is not a real date in range.  Round
 * tripping through timegm/gmtime_r lets libc decide what a real date is:
 * timegm normalises Feb 30 into March, which the comparison then rejects.
 */
static int date_to_day(int date, int64_t *day)
{
    int y = date / 10000, m = date / 100 % 100, d = date % 100;
    struct tm tm = {0};
    struct tm back;
    time_t secs;

    if (date < 0 || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    secs = timegm(&tm);
    if (gmtime_r(&secs, &back) == NULL || back.tm_year != y - 1900 || back.tm_mon != m - 1 ||
        back.tm_mday != d)
        return -1;
    *day = (int64_t)secs / DAY_SECONDS;
    return 0;
}

static int day_to_date(int64_t day)
{
    time_t secs = (time_t)(day * DAY_SECONDS);
    struct tm tm;

    if (gmtime_r(&secs, &tm) == NULL)
        return -1;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Monday..Friday in [0, day): whole weeks, then at most six single days. */
static int64_t weekdays_before(int64_t day)
{
    int64_t week = day / 7;
    int64_t n = week * 5;
    int64_t d;

    for (d = week * 7; d < day; d++)
        if (is_weekday(d))
            n++;
    return n;
}

/* ------------------------------------------------------------------------
 * Exceptions
 * ---------------------------------------------------------------------- */

/* Index of the first exception on or after day. */
static size_t exception_lower_bound(const struct sq_workcal *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n_exceptions;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->exceptions[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What an exception changes in the weekday count: a holiday on a weekend
 * or a make-up day on a weekday is allowed but changes nothing. */
static int exception_correction(const struct sq_workcal_exception *e)
{
    bool weekday = is_weekday(e->day);

    if (e->kind == SQ_WORKCAL_WORKDAY && !weekday)
        return 1;
    if (e->kind == SQ_WORKCAL_HOLIDAY && weekday)
        return -1;
    return 0;
}

/* Refresh the running sums from entry i on, after entry i changed. */
static void exception_resum(struct sq_workcal *cal, size_t i)
{
    int64_t sum = 0;

    if (i > 0)
        sum = cal->exceptions[i - 1].adj_before + exception_correction(&cal->exceptions[i - 1]);
    for (; i < cal->n_exceptions; i++) {
        cal->exceptions[i].adj_before = sum;
        sum += exception_correction(&cal->exceptions[i]);
    }
    cal->adj_total = sum;
}

static bool is_workday_day(const struct sq_workcal *cal, int64_t day)
{
    size_t i = exception_lower_bound(cal, day);

    if (i < cal->n_exceptions && cal->exceptions[i].day == day)
        return cal->exceptions[i].kind == SQ_WORKCAL_WORKDAY;
    return is_weekday(day);
}

/* Working days in [0, day). */
static int64_t workdays_before(const struct sq_workcal *cal, int64_t day)
{
    size_t i = exception_lower_bound(cal, day);
    int64_t adj = i < cal->n_exceptions ? cal->exceptions[i].adj_before : cal->adj_total;

    return weekdays_before(day) + adj;
}

/* ------------------------------------------------------------------------
 * Hours of a working day, in seconds after local midnight
 * ---------------------------------------------------------------------- */

static int64_t day_length(const struct sq_workcal *cal)
{
    int64_t minutes = (cal->day_end - cal->day_start) - (cal->break_end - cal->break_start);

    return minutes * 60;
}

static int64_t clamp(int64_t x, int64_t lo, int64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Working seconds of a working day before second-of-day sod.  An empty
 * break (0,0) subtracts nothing, so no special case is needed. */
static int64_t worked_before(const struct sq_workcal *cal, int64_t sod)
{
    int64_t ws = cal->day_start * 60, we = cal->day_end * 60;
    int64_t bs = cal->break_start * 60, be = cal->break_end * 60;

    return clamp(sod, ws, we) - ws - (clamp(sod, bs, be) - bs);
}

/* Earliest second-of-day by which r working seconds (1 <= r <= day
 * length) are done: the inverse of worked_before.  With an empty break the
 * second branch reduces to ws + r as well. */
static int64_t sod_of_work(const struct sq_workcal *cal, int64_t r)
{
    int64_t ws = cal->day_start * 60;
    int64_t bs = cal->break_start * 60, be = cal->break_end * 60;

    if (r <= bs - ws)
        return ws + r;
    return be + (r - (bs - ws));
}

/* ------------------------------------------------------------------------
 * The working-time clock W and its inverse
 * ---------------------------------------------------------------------- */

/* Local seconds of t, false when outside the supported range.  |offset| <=
 * 14 h, so bounding t first keeps t + offset from overflowing. */
static bool local_of(const struct sq_workcal *cal, int64_t t, int64_t *local)
{
    if (t < -DAY_SECONDS || t > LOCAL_END + DAY_SECONDS)
        return false;
    *local = t + cal->tz_offset;
    return *local >= 0 && *local < LOCAL_END;
}

static int64_t local_clamped(const struct sq_workcal *cal, int64_t t)
{
    if (t < -DAY_SECONDS)
        return 0;
    if (t > LOCAL_END + DAY_SECONDS)
        return LOCAL_END;
    return clamp(t + cal->tz_offset, 0, LOCAL_END);
}

/* W at a local time in [0, LOCAL_END]. */
static int64_t work_until(const struct sq_workcal *cal, int64_t local)
{
    int64_t day = local / DAY_SECONDS;
    int64_t w = workdays_before(cal, day) * day_length(cal);

    if (is_workday_day(cal, day))
        w += worked_before(cal, local - day * DAY_SECONDS);
    return w;
}

/*
 * The earliest instant u with W(u) = target (target >= 1), searching days
 * from first_day on.  That instant lies in the working day with exactly k
 * working days before it, at r working seconds into it, where r is in
 * [1, day length] so that a target ending a day lands on that day's
 * closing time rather than the next opening.
 */
static int64_t instant_of_work(const struct sq_workcal *cal, int64_t target, int64_t first_day)
{
    int64_t len = day_length(cal);
    int64_t k = (target - 1) / len;
    int64_t r = target - k * len;
    int64_t lo = first_day, hi = DAY_LAST;

    /* workdays_before(d + 1) counts working days up to and including d; it
     * never decreases, so the wanted day is where it first exceeds k. */
    if (lo > hi || workdays_before(cal, hi + 1) <= k)
        return SQ_WORKCAL_NEVER;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;

        if (workdays_before(cal, mid + 1) > k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo * DAY_SECONDS + sod_of_work(cal, r) - cal->tz_offset;
}

/* ------------------------------------------------------------------------
 * Calendar set-up
 * ---------------------------------------------------------------------- */

void sq_workcal_init(struct sq_workcal *cal)
{
    memset(cal, 0, sizeof(*cal));
    cal->tz_offset = SQ_TZ_OFFSET;
    cal->day_start = 9 * 60;
    cal->day_end = 17 * 60 + 30;
}

void sq_workcal_cleanup(struct sq_workcal *cal)
{
    free(cal->exceptions);
    sq_workcal_init(cal);
}

int sq_workcal_set_hours(struct sq_workcal *cal, int start, int end, int break_start, int break_end)
{
    if (start < 0 || start >= end || end > 24 * 60)
        return -1;
    if (break_start == break_end) {
        break_start = 0;
        break_end = 0;
    } else if (break_start <= start || break_start >= break_end || break_end >= end) {
        return -1;
    }
    cal->day_start = start;
    cal->day_end = end;
    cal->break_start = break_start;
    cal->break_end = break_end;
    return 0;
}

int sq_workcal_set_offset(struct sq_workcal *cal, int offset_seconds)
{
    if (offset_seconds < -MAX_OFFSET || offset_seconds > MAX_OFFSET || offset_seconds % 60 != 0)
        return -1;
    cal->tz_offset = offset_seconds;
    return 0;
}

int sq_workcal_add_exception(struct sq_workcal *cal, int yyyymmdd, enum sq_workcal_kind kind)
{
    struct sq_workcal_exception *e;
    int64_t day;
    size_t i;

    if ((int)kind < 0 || kind >= SQ_WORKCAL_KIND__MAX || date_to_day(yyyymmdd, &day) < 0)
        return -1;
    i = exception_lower_bound(cal, day);
    if (i == cal->n_exceptions || cal->exceptions[i].day != day) {
        if (cal->n_exceptions == cal->cap_exceptions) {
            size_t cap = cal->cap_exceptions ? cal->cap_exceptions * 2 : 32;

            e = realloc(cal->exceptions, cap * sizeof(*e));
            if (e == NULL)
                return -1;
            cal->exceptions = e;
            cal->cap_exceptions = cap;
        }
        e = &cal->exceptions[i];
        memmove(e + 1, e, (cal->n_exceptions - i) * sizeof(*e));
        cal->n_exceptions++;
        e->date = yyyymmdd;
        e->day = day;
    }
    cal->exceptions[i].kind = kind;
    exception_resum(cal, i);
    return 0;
}

int sq_workcal_remove_exception(struct sq_workcal *cal, int yyyymmdd)
{
    struct sq_workcal_exception *e;
    int64_t day;
    size_t i;

    if (date_to_day(yyyymmdd, &day) < 0)
        return -1;
    i = exception_lower_bound(cal, day);
    if (i == cal->n_exceptions || cal->exceptions[i].day != day)
        return -1;
    e = &cal->exceptions[i];
    memmove(e, e + 1, (cal->n_exceptions - i - 1) * sizeof(*e));
    cal->n_exceptions--;
    exception_resum(cal, i);
    return 0;
}

/* ------------------------------------------------------------------------
 * Queries
 * ---------------------------------------------------------------------- */

bool sq_workcal_is_workday(const struct sq_workcal *cal, int yyyymmdd)
{
    int64_t day;

    if (date_to_day(yyyymmdd, &day) < 0)
        return false;
    return is_workday_day(cal, day);
}

int sq_workcal_date_of(const struct sq_workcal *cal, int64_t t)
{
    int64_t local;

    if (!local_of(cal, t, &local))
        return -1;
    return day_to_date(local / DAY_SECONDS);
}

int64_t sq_workcal_add_working_seconds(const struct sq_workcal *cal, int64_t start, int64_t seconds)
{
    int64_t local;

    if (seconds < 0 || !local_of(cal, start, &local))
        return SQ_WORKCAL_NEVER;
    if (seconds == 0)
        return start;
    /* More working time than the whole range holds; also keeps the sum
     * below from overflowing. */
    if (seconds > LOCAL_END)
        return SQ_WORKCAL_NEVER;
    return instant_of_work(cal, work_until(cal, local) + seconds, local / DAY_SECONDS);
}

int64_t sq_workcal_add_working_days(const struct sq_workcal *cal, int64_t start, int days)
{
    int64_t local, day;

    if (days < 1 || days > SQ_WORKCAL_MAX_DAYS || !local_of(cal, start, &local))
        return SQ_WORKCAL_NEVER;
    day = local / DAY_SECONDS;
    /* Ending exactly days whole working days after the receipt day's last
     * working second is the closing time of the Nth working day after it. */
    return instant_of_work(cal, (workdays_before(cal, day + 1) + days) * day_length(cal), day + 1);
}

int64_t sq_workcal_working_seconds_between(const struct sq_workcal *cal, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    return work_until(cal, local_clamped(cal, b)) - work_until(cal, local_clamped(cal, a));
}

int64_t sq_workcal_next_working_instant(const struct sq_workcal *cal, int64_t t)
{
    /* The first working second after t ends at add(t, 1); it starts one
     * second earlier, which is t itself when t is inside working time. */
    int64_t u = sq_workcal_add_working_seconds(cal, t, 1);

    return u == SQ_WORKCAL_NEVER ? SQ_WORKCAL_NEVER : u - 1;
}

int64_t sq_workcal_shift_deadline(const struct sq_workcal *cal, int64_t deadline,
                                  int64_t paused_from, int64_t paused_to)
{
    int64_t paused;

    if (deadline == SQ_WORKCAL_NEVER)
        return SQ_WORKCAL_NEVER;
    paused = sq_workcal_working_seconds_between(cal, paused_from, paused_to);
    if (paused == 0)
        return deadline;
    return sq_workcal_add_working_seconds(cal, deadline, paused);
}

/* ------------------------------------------------------------------------
 * Parsing and formatting
 * ---------------------------------------------------------------------- */

/* Value of n decimal digits at s, or -1 if any is not a digit.  Stops at a
 * NUL (not a digit), so it never reads past a short string. */
static int parse_digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int sq_workcal_parse_date(const char *s, int *yyyymmdd)
{
    int y, m, d, date;
    int64_t day;

    if (s == NULL)
        return -1;
    y = parse_digits(s, 4);
    if (y < 0 || s[4] != '-')
        return -1;
    m = parse_digits(s + 5, 2);
    if (m < 0 || s[7] != '-')
        return -1;
    d = parse_digits(s + 8, 2);
    if (d < 0 || s[10] != '\0')
        return -1;
    date = y * 10000 + m * 100 + d;
    if (date_to_day(date, &day) < 0)
        return -1;
    *yyyymmdd = date;
    return 0;
}

int sq_workcal_parse_hhmm(const char *s, int *minutes)
{
    int h, m;

    if (s == NULL)
        return -1;
    h = parse_digits(s, 2);
    if (h < 0 || h > 23 || s[2] != ':')
        return -1;
    m = parse_digits(s + 3, 2);
    if (m < 0 || m > 59 || s[5] != '\0')
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

void sq_time_format_iso(int64_t t, int offset_seconds, char out[32])
{
    time_t secs;
    struct tm tm;
    size_t n;
    int off;

    out[0] = '\0';
    /* The offset bound also keeps t + offset_seconds from overflowing. */
    if (offset_seconds < -MAX_OFFSET || offset_seconds > MAX_OFFSET || t < INT64_MIN / 2 ||
        t > INT64_MAX / 2)
        return;
    off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    secs = (time_t)(t + offset_seconds);
    if (gmtime_r(&secs, &tm) == NULL || tm.tm_year < 1000 - 1900 || tm.tm_year > 9999 - 1900)
        return;
    /* strftime for the wall time leaves the compiler's truncation analysis
     * only the small, range-checked offset fields.  %Y is not zero padded,
     * hence the four-digit years above. */
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n != 19) {
        out[0] = '\0';
        return;
    }
    snprintf(out + 19, 32 - 19, "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', off / 3600,
             off / 60 % 60);
}
