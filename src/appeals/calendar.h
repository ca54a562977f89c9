/*
 * calendar: the district's working calendar as data — holidays and make-up
 * workdays (calendar_days) and working hours (settings) — and its API
 * (/api/v1/calendar). The rules live in workcal.h; the shared in-memory copy
 * in calcache.c. Every write here is followed by appeals_calendar_invalidate()
 * so the next deadline computed anywhere uses the new calendar.
 */
#ifndef SQ_APPEALS_CALENDAR_H
#define SQ_APPEALS_CALENDAR_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"

/* Exceptions with from <= day <= to (YYYYMMDD), by date: new array of
 * {date:"YYYY-MM-DD", kind, name}. */
json_t *appeals_store_calendar_days_json(int from, int to);
/* {work_start, work_end, break_start, break_end}; break_* null when none. */
json_t *appeals_store_calendar_hours_json(void);
/* Adds or replaces one day; *created tells which. */
enum sq_err appeals_store_calendar_put(int day, const char *kind, const char *name, bool *created,
                                       struct sq_detail *d);
/* SQ_ENOTFOUND when the date has no entry. */
enum sq_err appeals_store_calendar_delete(int day, struct sq_detail *d);
/* Stores validated "HH:MM" values; break_start/break_end NULL = no break. */
enum sq_err appeals_store_calendar_set_hours(const char *work_start, const char *work_end,
                                             const char *break_start, const char *break_end,
                                             struct sq_detail *d);

/* "YYYY-MM-DD" for a YYYYMMDD int; out >= 11. */
void sq_calendar_date_str(int day, char *out);

#endif
