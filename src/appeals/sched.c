/*
 * sched: the deadline scheduler (see sched.h for what it does).
 *
 * Every change goes through appeals_store_apply() with the system as actor
 * (actor_id 0), so an appeal changed by a person meanwhile simply fails the
 * optimistic check (SQ_ECONFLICT) and is looked at again on the next pass.
 * The thread owns its own SQLite connection (core/db is per thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appeals/appeals.h"
#include "appeals/sched.h"
#include "core/clock.h"
#include "core/deadline.h"
#include "core/log.h"
#include "core/worker.h"
#include "core/writer.h"
#include "units/units.h"

/* ---- rules ---- */

int64_t sq_sched_next_escalation(const struct sq_workcal *cal, int64_t due_at, int count,
                                 int every_days)
{
    return sq_deadline_next_escalation(cal, due_at, count, every_days);
}

int64_t sq_sched_close_after(int64_t since, int unrated_days)
{
    return since + (int64_t)unrated_days * 86400;
}

/* ---- one pass ---- */

/* updated_at is the optimistic lock: it must grow with every change. */
static int64_t bump(const struct sq_appeal *a, int64_t now)
{
    return sq_appeal_change_time(a, now);
}

/* Open with its clock running: what the scheduler warns about and marks. */
static bool is_open(int status)
{
    return sq_appeal_status_running(status);
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    sq_clock_iso(t, buf);
    return json_string(buf);
}

struct pass {
    int64_t now;
    const struct sq_sched_opts *o;
    int changed;
};

/* Applies `action` turning a into b; logs and returns false on failure. */
static bool apply(const struct sq_appeal *a, const struct sq_appeal *b, int action,
                  const char *note, json_t *data)
{
    struct sq_detail d = {0};
    enum sq_err e = appeals_store_apply(a, b, action, 0, note, data, &d);
    if (e && e != SQ_ECONFLICT)
        sq_warn("event=sched_apply_failed appeal=%lld action=%s msg=\"%s\"", (long long)a->id,
                sq_appeal_action_name(action), d.message);
    return e == SQ_OK;
}

/* Schedules the escalation after `count` ones against a's deadline. */
static void schedule_next(const struct sq_appeal *a, int count, int64_t now,
                          const struct sq_sched_opts *o)
{
    struct sq_escalation_row row = {.appeal_id = a->id, .due_at = a->due_at, .count = count};
    const struct sq_workcal *cal = appeals_calendar_acquire();
    /* after downtime, skip the periods already past: one escalation per pass */
    row.next_at =
        sq_deadline_next_escalation_after(cal, a->due_at, &row.count, o->escalate_days, now);
    appeals_calendar_release();
    if (!row.next_at)
        appeals_store_escalation_drop(a->id, NULL);
    else
        appeals_store_escalation_put(&row, NULL);
}

/* 督办: one level up, named in the event; the handling unit keeps the case.
 * `count` is the number of automatic escalations against the current
 * deadline, this one included. */
static bool escalate(const struct sq_appeal *a, int count, struct pass *p)
{
    struct sq_unit h, parent;
    struct sq_appeal b;
    char note[400];
    bool ok;
    if (units_store_get(a->handler_unit_id, &h, NULL))
        return false;
    /* one level up; the district itself: its own admins supervise */
    int64_t to = sq_deadline_escalation_unit(h.path, 1);
    if (!to || to == h.id || units_store_get(to, &parent, NULL))
        parent = h;
    sq_appeal_copy(&b, a);
    b.escalation_level++;
    b.updated_at = bump(a, p->now);
    json_t *data =
        json_pack("{s:i,s:i,s:I,s:s,s:i,s:b}", "level", b.escalation_level, "round", count,
                  "to_unit_id", (json_int_t)parent.id, "to_unit_name", parent.name,
                  "overdue_working_days", (count - 1) * p->o->escalate_days, "automatic", 1);
    json_object_set_new(data, "due_at", time_json(a->due_at));
    snprintf(note, sizeof note, "超期自动督办（第%d次），督办单位：%s", count, parent.name);
    ok = apply(a, &b, SQ_AA_ESCALATE, note, data);
    json_decref(data);
    if (ok) {
        schedule_next(&b, count, p->now, p->o);
        p->changed++;
    }
    sq_appeal_cleanup(&b);
    return ok;
}

static void mark_overdue(const struct sq_appeal *a, struct pass *p)
{
    struct sq_appeal b;
    sq_appeal_copy(&b, a);
    b.overdue = 1;
    b.warned = 1; /* past the deadline, a warning would only be noise */
    b.updated_at = bump(a, p->now);
    json_t *data = json_pack("{s:o}", "due_at", time_json(a->due_at));
    if (apply(a, &b, SQ_AA_OVERDUE, "已超过办理时限", data)) {
        p->changed++;
        escalate(&b, 1, p);
    }
    json_decref(data);
    sq_appeal_cleanup(&b);
}

static void warn(const struct sq_appeal *a, struct pass *p)
{
    struct sq_appeal b;
    sq_appeal_copy(&b, a);
    b.warned = 1;
    b.updated_at = bump(a, p->now);
    json_t *data =
        json_pack("{s:o,s:o}", "warn_at", time_json(a->warn_at), "due_at", time_json(a->due_at));
    if (apply(a, &b, SQ_AA_WARN, "办理时限即将届满", data))
        p->changed++;
    json_decref(data);
    sq_appeal_cleanup(&b);
}

/* Warnings or first-time overdue (with the first escalation). */
static void visit_open(const char *which, struct pass *p, int max, bool *more)
{
    int64_t ids[SQ_SCHED_BATCH];
    int n = appeals_store_open_due(which, p->now, ids, max);
    *more |= n == max;
    for (int i = 0; i < n; i++) {
        struct sq_appeal a;
        if (appeals_store_get(ids[i], &a, NULL))
            continue;
        /* re-checked on the fresh row: it may have changed since the query */
        if (is_open(a.status) && a.due_at && a.due_at <= p->now && !a.overdue)
            mark_overdue(&a, p);
        else if (is_open(a.status) && !a.warned && a.warn_at && a.warn_at <= p->now)
            warn(&a, p);
        sq_appeal_cleanup(&a);
    }
}

static void escalate_again(const struct sq_escalation_row *row, struct pass *p)
{
    struct sq_appeal a;
    if (appeals_store_get(row->appeal_id, &a, NULL)) {
        appeals_store_escalation_drop(row->appeal_id, NULL);
        return;
    }
    if (!is_open(a.status) || !a.overdue || !a.due_at || a.due_at > p->now) {
        /* resolved, suspended, extended or reopened: this round is over */
        appeals_store_escalation_drop(a.id, NULL);
    } else if (a.due_at != row->due_at) {
        schedule_next(&a, row->count, p->now, p->o); /* same count, moved deadline */
    } else if (!escalate(&a, row->count + 1, p)) {
        /* changed meanwhile (conflict): try on the next pass */
    }
    sq_appeal_cleanup(&a);
}

static void close_waiting(const char *status, struct pass *p, bool *more)
{
    int64_t ids[SQ_SCHED_BATCH];
    int max = p->o->batch < SQ_SCHED_BATCH ? p->o->batch : SQ_SCHED_BATCH;
    int64_t before = p->now - (int64_t)p->o->unrated_days * 86400;
    int n = appeals_store_closable(status, before, ids, max);
    bool unrated = !strcmp(status, "resolved");
    *more |= n == max;
    for (int i = 0; i < n; i++) {
        struct sq_appeal a, b;
        if (appeals_store_get(ids[i], &a, NULL))
            continue;
        if (sq_appeal_next_status(SQ_AA_CLOSE, a.status) == SQ_AS_CLOSED) {
            sq_appeal_copy(&b, &a);
            b.status = SQ_AS_CLOSED;
            b.closed_at = p->now;
            b.updated_at = bump(&a, p->now);
            json_t *data =
                json_pack("{s:b,s:i}", "unrated", unrated, "after_days", p->o->unrated_days);
            if (apply(&a, &b, SQ_AA_CLOSE,
                      unrated ? "评价期满未评价，自动结案（计为未评价）" : "评价期满，自动结案",
                      data))
                p->changed++;
            json_decref(data);
            sq_appeal_cleanup(&b);
        }
        sq_appeal_cleanup(&a);
    }
}

int appeals_sched_run(int64_t now, const struct sq_sched_opts *o, bool *more)
{
    struct pass p = {.now = now, .o = o};
    struct sq_escalation_row rows[SQ_SCHED_BATCH];
    int max = o->batch > 0 && o->batch < SQ_SCHED_BATCH ? o->batch : SQ_SCHED_BATCH;
    *more = false;
    /* first-time overdue (+ first escalation), then warnings: an appeal
     * past both is marked overdue only */
    visit_open("overdue", &p, max, more);
    visit_open("warn", &p, max, more);
    /* repeated escalations */
    int n = appeals_store_escalations_due(now, rows, max);
    *more |= n == max;
    for (int i = 0; i < n; i++)
        escalate_again(&rows[i], &p);
    /* closing after the rating period */
    close_waiting("resolved", &p, more);
    close_waiting("evaluated", &p, more);
    /* a full batch that changed nothing (conflicts, failures) is not a
     * reason to spin: wait for the next period */
    *more = *more && p.changed > 0;
    return p.changed;
}

/* ---- the thread ---- */

struct sched_state {
    struct sq_sched_opts opts;
    struct sq_pass_timer timer;
};

static struct sq_worker *sched_worker;
static struct sched_state sched_state;

/* One pass as a job of the group-commit writer: its changes are savepoints
 * of the writer's batch (one commit for the pass, not one per appeal), and
 * it never holds the write lock while the requests' batches wait. */
struct sched_job {
    int64_t now;
    const struct sq_sched_opts *o;
    bool more;
    int changed;
};

static enum sq_err sched_job_run(void *ctx, struct sq_detail *d)
{
    struct sched_job *j = ctx;
    (void)d;
    j->changed = appeals_sched_run(j->now, j->o, &j->more);
    return SQ_OK;
}

static int sched_tick(void *ctx)
{
    struct sched_state *s = ctx;
    int64_t now = sq_clock_now();
    if (!sq_pass_due(&s->timer, now, sq_clock_is_fake()))
        return 0;
    struct sched_job j = {.now = now, .o = &s->opts};
    struct sq_detail d = {0};
    sq_writer_run(sched_job_run, &j, &d);
    int changed = j.changed;
    s->timer.more = j.more;
    if (changed)
        sq_info("event=sched_pass changed=%d more=%d", changed, s->timer.more);
    return s->timer.more;
}

void appeals_sched_start(const struct sq_config *c)
{
    memset(&sched_state, 0, sizeof sched_state);
    sched_state.opts.unrated_days = c->unrated_days > 0 ? c->unrated_days : 7;
    sched_state.opts.escalate_days = c->escalate_days > 0 ? c->escalate_days : 2;
    /* a pass is one writer job: a small one, so the requests queued behind it
     * wait a few milliseconds, not a whole backlog (more passes follow at once) */
    sched_state.opts.batch = 32;
    sched_state.timer.period_ms = (c->scheduler_seconds > 0 ? c->scheduler_seconds : 5) * 1000;
    sched_worker = sq_worker_start("scheduler", c->test_clock ? 200 : sched_state.timer.period_ms,
                                   sched_tick, NULL, &sched_state);
}

void appeals_sched_stop(void)
{
    sq_worker_stop(sched_worker);
    sched_worker = NULL;
}
