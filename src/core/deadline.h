/*
 * deadline: the time-limit rules that every tracked piece of work shares —
 * appeals (限时办结) and tasks (任务/督办) — on the one working calendar
 * (appeals/workcal.h): when to warn, when the next automatic escalation
 * (督办) is due, and which unit up the tree it goes to. Appeals keep their
 * richer workflow on top; tasks use these alone. docs/calendar.md and
 * docs/tasks.md state the rules.
 *
 * Pure rules: no SQL, no HTTP, no clock (callers pass `now`). Times are
 * Unix seconds; 0 means "none" (never SQ_WORKCAL_NEVER, which would read as
 * "never late" if stored).
 */
#ifndef SQ_CORE_DEADLINE_H
#define SQ_CORE_DEADLINE_H

#include <stdint.h>

#include "appeals/workcal.h"

/* Escalation rounds counted at most (a guard against a runaway catch-up). */
#define SQ_DEADLINE_MAX_ROUNDS 1000

/* The warning instant for work started at `from` and due at `due`: the
 * moment `percent` % of the working time between them has elapsed. `due`
 * itself when there is no deadline (0) or it is not after `from`; 0 when it
 * cannot be computed. */
int64_t sq_deadline_warn_at(const struct sq_workcal *cal, int64_t from, int64_t due, int percent);

/* When the next automatic escalation is due after `count` escalations
 * against the deadline due: the close of business of the
 * (count * every_days)-th working day after the day of due. 0 when it
 * cannot be computed (no deadline, count < 1, every_days < 1, too far). */
int64_t sq_deadline_next_escalation(const struct sq_workcal *cal, int64_t due, int count,
                                    int every_days);

/* The same, skipping the periods already past at `now` (after downtime:
 * one escalation per pass, never a burst): *count grows until the
 * escalation after *count ones falls after now (at most
 * SQ_DEADLINE_MAX_ROUNDS). Returns that instant, or 0. */
int64_t sq_deadline_next_escalation_after(const struct sq_workcal *cal, int64_t due, int *count,
                                          int every_days, int64_t now);

/* The unit an escalation of `level` goes to, for work owned by the unit with
 * materialised path `path` ("/1/4/17/"): level 1 is the parent, level 2 the
 * grandparent, ..., capped at the root (the district's own admins supervise
 * it). Returns that unit's id; 0 for a malformed path or level < 1. */
int64_t sq_deadline_escalation_unit(const char *path, int level);

/* The close of business (the calendar's day_end) of the local date
 * yyyymmdd; 0 for an invalid date. */
int64_t sq_deadline_close_of_day(const struct sq_workcal *cal, int yyyymmdd);

#endif
