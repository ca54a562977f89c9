/*
 * tasks scheduler: a background thread that, like the appeals scheduler
 * (appeals/sched.c) and on the same calendar and deadline rules
 * (core/deadline.h), looks for open tasks whose time has come:
 *   - warn_at passed, not warned  -> warn      (warned = 1)
 *   - due_at passed, not overdue  -> overdue   (overdue = 1), then
 *                                    escalate  (督办, level 1: the parent unit)
 *   - still late escalate_days working days after the last escalation
 *                                 -> escalate  (one level further up, capped
 *                                    at the district)
 * Every change goes through tasks_store_apply() with the system as actor, so
 * a task changed by a person meanwhile fails the version check and is seen
 * again on the next pass. Each pass does a bounded amount of work.
 */
#include <stdio.h>
#include <string.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/worker.h"
#include "core/writer.h"
#include "tasks/tasks.h"
#include "units/units.h"

#define TASKS_SCHED_BATCH 100

static int64_t stamp(const struct sq_task *t, int64_t now)
{
    return now > t->updated_at ? now : t->updated_at + 1;
}

static bool apply(const struct sq_task *a, const struct sq_task *b, const char *kind,
                  const char *body, const struct sq_task_escalation *esc, int64_t at)
{
    struct sq_detail d = {0};
    enum sq_err e = tasks_store_apply(a, b, kind, 0, body, esc, at, &d);
    if (e && e != SQ_ECONFLICT)
        sq_warn("event=tasks_sched_apply_failed task=%lld kind=%s msg=\"%s\"", (long long)a->id,
                kind, d.message);
    return e == SQ_OK;
}

/* 督办: one level further up than the last time. */
static bool escalate(const struct sq_task *a, int every_days, int64_t now)
{
    struct sq_task b;
    struct sq_unit to;
    int64_t to_id = 0;
    char body[800];
    sq_task_copy(&b, a);
    const struct sq_workcal *cal = appeals_calendar_acquire();
    tasks_escalate(cal, every_days, now, &b, &to_id);
    appeals_calendar_release();
    if (!to_id || units_store_get(to_id, &to, NULL)) {
        sq_task_cleanup(&b);
        return false;
    }
    struct sq_task_escalation esc = {.level = b.escalation_level,
                                     .round = a->escalation_round + 1,
                                     .to_unit_id = to_id,
                                     .due_at = a->due_at};
    snprintf(body, sizeof body,
             "超期自动督办（第%d次），督办单位：%s / overdue: escalated (round %d) to %s",
             esc.round, to.name, esc.round, to.name);
    bool ok = apply(a, &b, "escalate", body, &esc, stamp(a, now));
    sq_task_cleanup(&b);
    return ok;
}

static bool mark_overdue(const struct sq_task *a, int every_days, int64_t now)
{
    struct sq_task b;
    char due[32], body[160];
    sq_task_copy(&b, a);
    b.overdue = 1;
    b.warned = 1; /* past the deadline, a warning would only be noise */
    sq_clock_iso(a->due_at, due);
    snprintf(body, sizeof body, "已超过截止时间 %s / past the deadline %s", due, due);
    int64_t at = stamp(a, now);
    bool ok = apply(a, &b, "overdue", body, NULL, at);
    if (ok) {
        b.version++;
        b.updated_at = at;
        escalate(&b, every_days, now);
    }
    sq_task_cleanup(&b);
    return ok;
}

static bool warn(const struct sq_task *a, int64_t now)
{
    struct sq_task b;
    char due[32], body[160];
    sq_task_copy(&b, a);
    b.warned = 1;
    sq_clock_iso(a->due_at, due);
    snprintf(body, sizeof body, "办理时限即将届满（截止 %s）/ the deadline %s is near", due, due);
    bool ok = apply(a, &b, "warn", body, NULL, stamp(a, now));
    sq_task_cleanup(&b);
    return ok;
}

int tasks_sched_run(int64_t now, int escalate_days, int batch, bool *more)
{
    static const enum sq_task_tick kinds[] = {SQ_TT_OVERDUE, SQ_TT_WARN, SQ_TT_ESCALATE};
    int64_t ids[TASKS_SCHED_BATCH];
    int max = batch > 0 && batch < TASKS_SCHED_BATCH ? batch : TASKS_SCHED_BATCH;
    int changed = 0;
    *more = false;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = tasks_store_due(kinds[k], now, ids, max);
        *more |= n == max;
        for (int i = 0; i < n; i++) {
            struct sq_task t;
            if (tasks_store_get(ids[i], &t, NULL))
                continue;
            /* decided on the fresh row: it may have changed since the query */
            switch (tasks_tick(&t, now)) {
            case SQ_TT_OVERDUE:
                changed += mark_overdue(&t, escalate_days, now);
                break;
            case SQ_TT_ESCALATE:
                changed += escalate(&t, escalate_days, now);
                break;
            case SQ_TT_WARN:
                changed += warn(&t, now);
                break;
            case SQ_TT_NONE:
                if (kinds[k] == SQ_TT_ESCALATE && t.next_escalation_at) {
                    /* done, cancelled or no longer late: nothing is pending */
                    struct sq_task b;
                    sq_task_copy(&b, &t);
                    b.next_escalation_at = 0;
                    tasks_store_apply(&t, &b, "update", 0, "", NULL, stamp(&t, now), NULL);
                    sq_task_cleanup(&b);
                }
                break;
            }
            sq_task_cleanup(&t);
        }
    }
    *more = *more && changed > 0;
    return changed;
}

/* ---- the thread ---- */

struct sched_state {
    int escalate_days;
    struct sq_pass_timer timer;
};

static struct sq_worker *worker;
static struct sched_state state;

/* One pass as a job of the group-commit writer (as the appeals scheduler):
 * one commit for the pass, and no write lock held while requests wait. */
struct pass_job {
    int64_t now;
    int escalate_days;
    bool more;
    int changed;
};

static enum sq_err pass_run(void *ctx, struct sq_detail *d)
{
    struct pass_job *j = ctx;
    (void)d;
    j->changed = tasks_sched_run(j->now, j->escalate_days, TASKS_SCHED_BATCH, &j->more);
    return SQ_OK;
}

static int tick(void *ctx)
{
    struct sched_state *s = ctx;
    int64_t now = sq_clock_now();
    if (!sq_pass_due(&s->timer, now, sq_clock_is_fake()))
        return 0;
    struct pass_job j = {.now = now, .escalate_days = s->escalate_days};
    struct sq_detail d = {0};
    sq_writer_run(pass_run, &j, &d);
    int changed = j.changed;
    s->timer.more = j.more;
    if (changed)
        sq_info("event=tasks_sched_pass changed=%d more=%d", changed, s->timer.more);
    return s->timer.more;
}

void tasks_sched_start(const struct sq_config *c)
{
    memset(&state, 0, sizeof state);
    state.escalate_days = c->escalate_days > 0 ? c->escalate_days : 2;
    state.timer.period_ms = (c->scheduler_seconds > 0 ? c->scheduler_seconds : 5) * 1000;
    worker = sq_worker_start("tasks-scheduler", c->test_clock ? 200 : state.timer.period_ms, tick,
                             NULL, &state);
}

void tasks_sched_stop(void)
{
    sq_worker_stop(worker);
    worker = NULL;
}
