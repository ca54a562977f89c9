/*
 * sched: the deadline scheduler (限时办结 监督). A background thread that,
 * every scheduler_seconds (and within 200 ms of a fake-clock change), looks
 * for appeals whose time has come and changes them through
 * appeals_store_apply(), so each change is an event on the timeline and
 * an "appeal.<action>" domain event (appeals/events.h):
 *   - warn_at passed, not warned            -> warn      (warned = 1)
 *   - due_at passed, not overdue            -> overdue   (overdue = 1), then
 *                                              escalate  (督办 to the parent unit)
 *   - still overdue escalate_days working days after the last escalation
 *                                           -> escalate again
 *   - resolved and unrated for unrated_days -> close     {"unrated": true}
 *   - evaluated for unrated_days            -> close     {"unrated": false}
 * Only open appeals (submitted, accepted, in progress) warn, fall overdue
 * or escalate; a suspended appeal's clock is paused. Each pass does a
 * bounded amount of work (SQ_SCHED_BATCH per kind) and passes again at once
 * while a batch came back full. All time is sq_clock_now().
 */
#ifndef SQ_APPEALS_SCHED_H
#define SQ_APPEALS_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "appeals/workcal.h"
#include "core/config.h"
#include "core/err.h"

#define SQ_SCHED_BATCH 100

struct sq_sched_opts {
    int unrated_days;  /* calendar days a resolved appeal waits for its rating */
    int escalate_days; /* working days between repeated escalations */
    int batch;         /* appeals per kind of work per pass */
};

/* ---- rules ---- */

/* When the next automatic escalation is due, after `count` escalations
 * against the deadline due_at: the close of business of the
 * (count * every_days)-th working day after the day of due_at.
 * 0 when it cannot be computed. */
int64_t sq_sched_next_escalation(const struct sq_workcal *cal, int64_t due_at, int count,
                                 int every_days);
/* The instant before which a resolved (or evaluated) appeal stays open. */
int64_t sq_sched_close_after(int64_t since, int unrated_days);

/* ---- one pass (used by the thread; tests call it directly) ---- */

/* Does one bounded pass at `now`. Returns the number of appeals changed;
 * *more is set when some batch came back full (call again). */
int appeals_sched_run(int64_t now, const struct sq_sched_opts *o, bool *more);

/* ---- the thread ---- */
void appeals_sched_start(const struct sq_config *c);
void appeals_sched_stop(void); /* joins; safe without a start */

/* ---- store (store_sched.c) ---- */

struct sq_escalation_row {
    int64_t appeal_id, due_at, next_at;
    int count;
};
/* Escalation rows with next_at <= now, soonest first; returns the count. */
int appeals_store_escalations_due(int64_t now, struct sq_escalation_row *out, int max);
enum sq_err appeals_store_escalation_put(const struct sq_escalation_row *row, struct sq_detail *d);
enum sq_err appeals_store_escalation_drop(int64_t appeal_id, struct sq_detail *d);
/* Ids of open appeals past warn_at and not warned (which = "warn"), or past
 * due_at and not overdue ("overdue"), soonest first. */
int appeals_store_open_due(const char *which, int64_t now, int64_t *ids, int max);
/* Ids of appeals in `status` ("resolved" or "evaluated") whose resolved_at
 * (resolved) or rated_at (evaluated) is <= before, oldest first. */
int appeals_store_closable(const char *status, int64_t before, int64_t *ids, int max);

#endif
