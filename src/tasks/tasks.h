/*
 * tasks: tracked tasks (任务 / 督办), the one engine for "work owed by a unit
 * by a date, warned, escalated when late": council decisions, agreement
 * obligations, rotating secretaries' commitments, project and challenge
 * milestones. A task has an owner unit (and optionally an assignee), a
 * source record in any domain ("council_decision" 7, "appeal" 123), a due
 * date on the working calendar, a state (open, in_progress, done,
 * cancelled), an append-only timeline of notes and changes, and the
 * escalations it went through. docs/tasks.md.
 *
 * Rules (tasks.c): states and actions, the one authorisation decision
 * (tasks_decide, also behind allowed_actions), deadlines from the input,
 * what the scheduler does to a task at `now`. No SQL, no HTTP, no clock:
 * callers pass `now` and the calendar. The deadline arithmetic is the one
 * appeals use (core/deadline.h).
 *
 * Store (store.c): the SQL. Every change goes through tasks_store_apply(),
 * which in one transaction writes the row (optimistic lock on version),
 * appends the timeline entry and, for an escalation, its row.
 *
 * Times are Unix seconds; 0 means "not set" (NULL in SQL).
 */
#ifndef SQ_TASKS_H
#define SQ_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "appeals/workcal.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/err.h"
#include "core/json.h"
#include "tasks/perms.h"

enum sq_task_state {
    SQ_TS_OPEN,        /* owed, not started */
    SQ_TS_IN_PROGRESS, /* the owner unit is working on it */
    SQ_TS_DONE,        /* done, with evidence */
    SQ_TS_CANCELLED,   /* withdrawn by whoever set it */
    SQ_TS__MAX
};

/* What a person may ask for (and READ, the precondition of all). */
enum sq_task_action {
    SQ_TA_READ,
    SQ_TA_CREATE, /* on a task being built: owner unit set */
    SQ_TA_UPDATE, /* title, description, due date, assignee */
    SQ_TA_NOTE,   /* a progress note */
    SQ_TA_START,  /* open -> in_progress */
    SQ_TA_DONE,   /* -> done, with evidence */
    SQ_TA_CANCEL, /* -> cancelled */
    SQ_TA_REOPEN, /* done / cancelled -> open, by the owner's supervisors */
    SQ_TA__MAX
};

extern const char *const sq_task_states[]; /* NULL-terminated names, by enum */
/* The list's sort names (the router's choices; the store's ORDER BY), NULL-terminated:
 * due_at created_at updated_at id, each also with "-" for descending. */
extern const char *const tasks_sort_names[];

const char *sq_task_state_name(int s);
int sq_task_state_parse(const char *s); /* -1 when unknown */
const char *sq_task_action_name(int a);

/* The task row. Text fields marked "owned" are heap copies: sq_task_cleanup
 * frees them. */
struct sq_task {
    int64_t id;
    char *title, *description; /* owned */
    int64_t owner_unit_id;
    char owner_unit_path[128];
    char owner_unit_name[256]; /* read from units, not stored */
    int64_t assignee_id;
    char assignee_name[128]; /* read from users, not stored */
    char source_domain[48];  /* "" = none */
    int64_t source_id;
    int state; /* enum sq_task_state */
    int64_t created_by, created_at, updated_at;
    int64_t version; /* optimistic lock */
    int64_t due_at, warn_at, next_escalation_at;
    int warned, overdue, escalation_level, escalation_round, reopen_count;
    int64_t done_at, done_by, cancelled_at;
    char *evidence, *evidence_url; /* owned */
    int64_t evidence_attachment_id;
};

void sq_task_cleanup(struct sq_task *t);
/* Deep copy; dst uninitialised or cleaned. */
void sq_task_copy(struct sq_task *dst, const struct sq_task *src);
/* Replaces an owned string field. */
void sq_task_set(char **field, const char *value);

/* ---- rules ---- */

/* The state an action leads to from `from`: `from` itself for actions that
 * keep it (read, update, note), -1 when the action is illegal there. */
int tasks_next_state(int action, int from);

/* The one decision: may u do action on t? SQ_OK; SQ_EFORBIDDEN (the task is
 * outside u's task.read subtrees, or u lacks the right there, message
 * names it); SQ_ETRANSITION (not in this state). Scope is the owner unit's
 * path within a grant's subtree:
 *   read            task.read on the owner unit or an ancestor
 *   create, update,
 *   cancel          task.assign there (unit admins of the owner unit,
 *                   supervisors of its ancestors)
 *   note, start,
 *   done            task.write there (the owner unit's handlers, and above)
 *   reopen          task.assign on a strict ancestor of the owner unit (its
 *                   supervisors; for the district itself, its own admins)
 * d may be NULL. */
enum sq_err tasks_decide(const struct sq_user *u, const struct sq_task *t,
                         enum sq_task_action action, struct sq_detail *d);
/* The actions u may do on t now (update ... reopen): their names in out,
 * returns how many. Fills allowed_actions. */
int tasks_allowed(const struct sq_user *u, const struct sq_task *t, const char *out[SQ_TA__MAX]);

/* The deadline from the input: exactly one of due_date ("YYYY-MM-DD", a
 * working day, its close of business after now) or due_days (1..3650
 * working days after today, the appeals rule). SQ_EINVAL naming due_date or
 * due_working_days otherwise. */
enum sq_err tasks_due_from_input(const struct sq_workcal *cal, int64_t now, const char *due_date,
                                 int64_t due_days, int64_t *due_at, struct sq_detail *d);
/* Gives t the deadline due_at from `now`: warn_at at warn_percent of the
 * working time, not warned, not overdue, no escalation pending. */
void tasks_set_deadline(const struct sq_workcal *cal, int warn_percent, int64_t now,
                        struct sq_task *t, int64_t due_at);

/* What the scheduler does to a task at now. */
enum sq_task_tick {
    SQ_TT_NONE,
    SQ_TT_WARN,     /* warn_at passed: warned = 1 */
    SQ_TT_OVERDUE,  /* due_at passed: overdue, and the first escalation */
    SQ_TT_ESCALATE, /* still late a period after the last escalation */
};
enum sq_task_tick tasks_tick(const struct sq_task *t, int64_t now);

/* One escalation of t (late at now): escalation_level + 1, the unit it
 * goes to (*to_unit: that level's ancestor, capped at the root), and the
 * next one scheduled every_days working days later (skipping periods
 * already past) unless this one reached the district, whose supervisors
 * then hold it (no next). Sets overdue (and warned) if not set yet. */
void tasks_escalate(const struct sq_workcal *cal, int every_days, int64_t now, struct sq_task *t,
                    int64_t *to_unit);

/* ---- store (store.c) ---- */

enum sq_err tasks_store_get(int64_t id, struct sq_task *t, struct sq_detail *d);
/* Inserts t (its id is set) with its "create" timeline entry. Atomic;
 * joins the caller's transaction if any. */
enum sq_err tasks_store_insert(struct sq_task *t, int64_t actor_id, const char *note,
                               struct sq_detail *d);

/* The escalation that a change records (to_unit_id 0 = none). */
struct sq_task_escalation {
    int level, round;
    int64_t to_unit_id, due_at;
};
/* Writes after over before (same id) if before.version is still the stored
 * one (else SQ_ECONFLICT), bumps version and updated_at = at, appends the
 * timeline entry (kind, actor 0 = the scheduler, body) and the escalation
 * if esc is given. Atomic. */
enum sq_err tasks_store_apply(const struct sq_task *before, const struct sq_task *after,
                              const char *kind, int64_t actor_id, const char *body,
                              const struct sq_task_escalation *esc, int64_t at,
                              struct sq_detail *d);

struct sq_task_filter {
    const char **scope_paths; /* NULL = unrestricted, else any-of prefixes */
    int nscope;
    const char *unit_path;          /* this subtree only, NULL = any */
    const char *states[SQ_TS__MAX]; /* any of; none = every state */
    int nstates;
    int overdue;              /* -1 any, 0 not overdue, 1 overdue */
    bool due_soon;            /* warned, not overdue, still open */
    int64_t due_from, due_to; /* due_at in [from, to), 0 = open */
    const char *source_domain;
    int64_t source_id;
    int64_t assignee_id;
    const char *sort; /* due_at created_at updated_at id, "-" = descending; NULL = due_at */
};
/* Calls fn for each task of the page (fn borrows t for the call) and sets
 * *total to the number matching. SQ_EINVAL (field sort) for an unknown
 * sort. */
typedef void (*sq_task_visit_fn)(const struct sq_task *t, void *ctx);
enum sq_err tasks_store_list(const struct sq_task_filter *f, const struct sq_page *p,
                             sq_task_visit_fn fn, void *ctx, int64_t *total, struct sq_detail *d);

/* Timeline entries and escalations of a task, oldest first. Strings are
 * borrowed for the call. */
struct sq_task_note {
    int64_t id, actor_id, created_at;
    const char *kind, *body, *actor_name;
};
struct sq_task_escalation_row {
    int64_t id, to_unit_id, due_at, created_at;
    int level, round;
    const char *to_unit_name;
};
enum sq_err tasks_store_notes(int64_t task_id, void (*fn)(const struct sq_task_note *, void *),
                              void *ctx);
enum sq_err tasks_store_escalations(int64_t task_id,
                                    void (*fn)(const struct sq_task_escalation_row *, void *),
                                    void *ctx);

/* Scheduler: ids of open tasks to warn (which = SQ_TT_WARN), to mark
 * overdue (SQ_TT_OVERDUE) or to escalate again (SQ_TT_ESCALATE) at now,
 * soonest first, at most max. */
int tasks_store_due(enum sq_task_tick which, int64_t now, int64_t *ids, int max);

/* ---- events (events.c) ---- */

/* Publishes "task.<kind>" for t (after the change) inside the caller's
 * transaction: kind is the timeline kind, to_unit_id the unit of an
 * escalation (0 otherwise), at the change's time. Recipients and inbox text
 * are declared in tasks_event_types (docs/events.md). */
enum sq_err tasks_publish(const struct sq_task *t, const char *kind, int64_t actor_id,
                          int64_t to_unit_id, int64_t at, struct sq_detail *d);

/* ---- the scheduler (sched.c) ---- */

/* One bounded pass at now (batch tasks per kind). Returns the number of
 * tasks changed; *more when a batch came back full. */
int tasks_sched_run(int64_t now, int escalate_days, int batch, bool *more);
void tasks_sched_start(const struct sq_config *c);
void tasks_sched_stop(void);

/* ---- demo (demo.c) ---- */
struct sq_demo_opts;
struct sq_demo_world;
struct sq_rng;
/* A few hundred synthetic tasks (council decisions, agreement obligations,
 * commitments, milestones) owed by streets, communities, campuses and
 * parks: some done, some late and escalated. Deterministic for a seed. */
int tasks_demo_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                        struct sq_rng *rng, struct sq_detail *d);

#endif
