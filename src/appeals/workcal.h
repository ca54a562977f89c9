/*
 * workcal.h - the working calendar behind every time limit (限时办结).
 *
 * A calendar says which local days are working days (Monday to Friday,
 * minus public holidays, plus make-up workdays 调休) and which hours of a
 * working day count (one span, optionally cut by one lunch break).  On top
 * of it sit the deadline rules: "N working hours" for responses, "N working
 * days" for resolution, working time elapsed for SLA warnings, and deadline
 * extension for suspended appeals.  docs/calendar.md states the rules.
 *
 * Pure rules: no SQL, no HTTP, no clock.  Times are int64_t Unix seconds
 * (UTC); dates are int YYYYMMDD in the calendar's local time, which is UTC
 * plus a fixed offset (China has no DST).  Every query is O(log exceptions)
 * and never walks day by day, so deadlines years ahead cost the same as
 * deadlines tomorrow.
 *
 * Supported range: local dates 1970-01-01 .. 9999-12-31.  Functions that
 * compute an instant return SQ_WORKCAL_NEVER when the input is invalid or
 * the answer falls outside that range; callers must check for it before
 * storing a deadline (INT64_MAX would otherwise read as "never overdue").
 *
 * The const query functions only read the calendar and call reentrant libc
 * (timegm, gmtime_r), so one calendar may be shared by threads as long as
 * nobody modifies it meanwhile.
 */
#ifndef SQ_APPEALS_WORKCAL_H
#define SQ_APPEALS_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Asia/Shanghai: UTC+8 all year round. */
#define SQ_TZ_OFFSET (8 * 3600)

/* Returned instead of an instant when none can be computed. */
#define SQ_WORKCAL_NEVER INT64_MAX

/* Largest N accepted by sq_workcal_add_working_days: ten years of working
 * days is far beyond any legal time limit, so more is a data error. */
#define SQ_WORKCAL_MAX_DAYS 3650

/* What a date exception does to its day. */
enum sq_workcal_kind {
    SQ_WORKCAL_HOLIDAY, /* day off, even if Monday..Friday */
    SQ_WORKCAL_WORKDAY, /* worked, even if Saturday/Sunday (调休) */
    SQ_WORKCAL_KIND__MAX
};

/* One entry of the exception list; private to workcal.c. */
struct sq_workcal_exception {
    int date;    /* YYYYMMDD, the sort key */
    int64_t day; /* same date as days since 1970-01-01 */
    enum sq_workcal_kind kind;
    int64_t adj_before; /* net workdays added by earlier entries */
};

/*
 * A working calendar.  Initialise with sq_workcal_init, release with
 * sq_workcal_cleanup.  Change it only through the setters below, which keep
 * the fields consistent; reading the fields is fine.
 */
struct sq_workcal {
    int tz_offset;   /* seconds east of UTC, default SQ_TZ_OFFSET */
    int day_start;   /* minutes after local midnight, default 09:00 */
    int day_end;     /* default 17:30 */
    int break_start; /* lunch break; break_start == break_end: none */
    int break_end;
    struct sq_workcal_exception *exceptions; /* sorted by date, unique */
    size_t n_exceptions;
    size_t cap_exceptions;
    int64_t adj_total; /* net workdays added by all exceptions */
};

/* Default calendar: UTC+8, 09:00-17:30, no break, no exceptions.  Allocates
 * nothing; the caller owns *cal and must call sq_workcal_cleanup. */
void sq_workcal_init(struct sq_workcal *cal);

/* Free the exception list and reset *cal to the default calendar. */
void sq_workcal_cleanup(struct sq_workcal *cal);

/*
 * Set the working hours, in minutes after local midnight: work runs from
 * start to end, except [break_start, break_end).  Pass equal break values
 * (e.g. 0, 0) for no break.  Requires 0 <= start < end <= 1440 and, for a
 * break, start < break_start < break_end < end.  Returns 0, or -1 leaving
 * the calendar unchanged.
 */
int sq_workcal_set_hours(struct sq_workcal *cal, int start, int end, int break_start,
                         int break_end);

/* Set the local offset in seconds east of UTC: whole minutes within
 * +-14 h.  Returns 0, or -1 leaving the calendar unchanged. */
int sq_workcal_set_offset(struct sq_workcal *cal, int offset_seconds);

/*
 * Mark yyyymmdd as a holiday or a make-up workday.  A later call for the
 * same date replaces its kind.  Returns 0, or -1 if the date is not a real
 * date in the supported range or memory ran out (calendar unchanged).
 */
int sq_workcal_add_exception(struct sq_workcal *cal, int yyyymmdd, enum sq_workcal_kind kind);

/* Drop the exception for yyyymmdd.  Returns 0, or -1 if there was none. */
int sq_workcal_remove_exception(struct sq_workcal *cal, int yyyymmdd);

/* Whether yyyymmdd is a working day; false for an invalid date. */
bool sq_workcal_is_workday(const struct sq_workcal *cal, int yyyymmdd);

/* The local date (YYYYMMDD) of instant t, or -1 outside the range. */
int sq_workcal_date_of(const struct sq_workcal *cal, int64_t t);

/*
 * The instant at which `seconds` of working time have elapsed after start.
 * Time before the next opening does not count, so a start at night, on a
 * weekend or in the lunch break counts from the next working period.  The
 * result is the earliest such instant: work ending exactly at closing time
 * gives the closing time, not the next morning.  seconds == 0 returns start.
 * SQ_WORKCAL_NEVER if seconds < 0 or start/result is out of range.
 */
int64_t sq_workcal_add_working_seconds(const struct sq_workcal *cal, int64_t start,
                                       int64_t seconds);

/*
 * "N个工作日内办结": the close of business of the Nth working day after the
 * local day of start.  The day of receipt never counts, whatever the hour
 * and whether or not it is a working day; N = 1 is the next working day's
 * closing time.  1 <= days <= SQ_WORKCAL_MAX_DAYS, else SQ_WORKCAL_NEVER
 * (also when start or the result is out of range).
 */
int64_t sq_workcal_add_working_days(const struct sq_workcal *cal, int64_t start, int days);

/*
 * Working seconds inside [a, b); 0 when b <= a.  Endpoints outside the
 * supported range are clamped to it.  add_working_seconds(a, s) is the
 * inverse: working_seconds_between(a, add_working_seconds(a, s)) == s.
 */
int64_t sq_workcal_working_seconds_between(const struct sq_workcal *cal, int64_t a, int64_t b);

/*
 * The earliest instant >= t that lies inside working time (t itself when it
 * does).  Lets a caller treat after-hours receipt as received at the next
 * opening.  SQ_WORKCAL_NEVER when out of range.
 */
int64_t sq_workcal_next_working_instant(const struct sq_workcal *cal, int64_t t);

/*
 * A suspension (挂起) stops the clock: push deadline later by the working
 * time that elapsed in [paused_from, paused_to).  A pause with no working
 * time in it (a weekend, an empty or reversed interval) leaves the deadline
 * as it is.  For a pause still running pass the current time as paused_to.
 * SQ_WORKCAL_NEVER stays SQ_WORKCAL_NEVER.
 */
int64_t sq_workcal_shift_deadline(const struct sq_workcal *cal, int64_t deadline,
                                  int64_t paused_from, int64_t paused_to);

/*
 * Parse "YYYY-MM-DD" (exactly that: ten characters, zero padded) naming a
 * real date in 1970..9999 into *yyyymmdd.  Returns 0, or -1 with
 * *yyyymmdd untouched.
 */
int sq_workcal_parse_date(const char *s, int *yyyymmdd);

/*
 * Parse "HH:MM" (exactly five characters, 00:00 .. 23:59) into minutes
 * after midnight.  Returns 0, or -1 with *minutes untouched.
 */
int sq_workcal_parse_hhmm(const char *s, int *minutes);

/*
 * Format t as ISO 8601 local time with its offset, e.g.
 * "2026-11-27T09:30:00+08:00" (an offset of 0 gives "+00:00", not "Z").
 * An offset that is not a whole number of minutes is shown truncated to
 * minutes; the wall time is still exact.  out gets "" when the offset is
 * beyond +-14 h or the local year is outside 1000..9999.
 */
void sq_time_format_iso(int64_t t, int offset_seconds, char out[32]);

#endif
