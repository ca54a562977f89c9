/*
 * appeals rules: the appeal workflow as pure functions (诉求: 收集 -> 转办 ->
 * 处置 -> 评价). The state machine (which action is legal in which status and
 * what it leads to), who may take each action, what each action changes in
 * the record and which timeline events it writes, deadlines from the SLA on
 * the working calendar and the KPI contribution of an appeal.
 *
 * No SQL, no HTTP, no JSON: this header and appeals.c include neither
 * jansson nor sqlite nor libmicrohttpd. Callers load what a decision needs
 * (the record, the target unit, the master appeal, the SLA...) into plain
 * structs, call the rule, and hand the decision to the store, which writes
 * it in one transaction (appeals.h: appeals_store_apply_steps).
 *
 * Times are Unix seconds; 0 means "not set" (NULL in SQL).
 */
#ifndef SQ_APPEALS_RULES_H
#define SQ_APPEALS_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "appeals/perms.h"
#include "appeals/workcal.h"
#include "core/auth.h"
#include "core/err.h"

enum sq_appeal_status {
    SQ_AS_SUBMITTED,   /* filed, routed, waiting for the unit to accept */
    SQ_AS_ACCEPTED,    /* 签收: the unit took it */
    SQ_AS_IN_PROGRESS, /* being handled (assigned / noted / replied) */
    SQ_AS_SUSPENDED,   /* 挂起: clock paused, waiting for the person */
    SQ_AS_RESOLVED,    /* 办结: reply given, waiting for the rating */
    SQ_AS_EVALUATED,   /* rated by the person */
    SQ_AS_CLOSED,      /* final */
    SQ_AS_REJECTED,    /* 不予受理, with a reason (final) */
    SQ_AS_MERGED,      /* duplicate merged into a master (follows the master) */
    SQ_AS__MAX
};

enum sq_appeal_action {
    SQ_AA_SUBMIT, /* internal: intake */
    SQ_AA_ACCEPT,
    SQ_AA_ASSIGN,
    SQ_AA_TRANSFER,
    SQ_AA_RETURN,
    SQ_AA_NOTE,
    SQ_AA_REPLY,
    SQ_AA_RESOLVE,
    SQ_AA_REJECT,
    SQ_AA_EXTEND, /* request (handler) or decide (supervisor) an extension */
    SQ_AA_SUSPEND,
    SQ_AA_RESUME,
    SQ_AA_MERGE,
    SQ_AA_RATE,
    SQ_AA_REVIEW,
    SQ_AA_REOPEN,
    SQ_AA_WARN,     /* internal (scheduler): 80% of the time used */
    SQ_AA_OVERDUE,  /* internal (scheduler): deadline passed */
    SQ_AA_ESCALATE, /* internal (scheduler) or supervisor: 督办 to the parent unit */
    SQ_AA_CLOSE,    /* internal (scheduler): closed after rating / unrated period */
    /* Not timeline events: the other per-appeal acts sq_appeal_decide() rules on. */
    SQ_AA_EXTEND_DECIDE, /* approve or deny a pending extension (POST .../extend {"approve"}) */
    SQ_AA_ATTACH,        /* add a file (POST .../attachments) */
    SQ_AA_CONTACT,       /* read the person's unmasked contact (GET .../contact, audited) */
    SQ_AA_KB_SOLVE,      /* its filer says a KB answer solved it: resolved (POST
                          * /kb/answers/{id}/solved {"appeal_id"}) */
    SQ_AA__MAX
};
/* Actions below this one are workflow events (timeline, notifications, webhooks). */
#define SQ_AA__EVENTS SQ_AA_EXTEND_DECIDE

extern const char *const sq_appeal_status_names[]; /* NULL-terminated, enum order */
extern const char *const sq_appeal_kinds[];        /* resident student employee enterprise */
extern const char *const sq_appeal_urgencies[];    /* normal urgent critical */
extern const char *const sq_appeal_channels[];     /* web api collector open311 */
extern const char *const sq_satisfactions[];       /* satisfied basically_satisfied dissatisfied */
extern const char *const sq_solved_values[];       /* solved partly_solved not_solved */

const char *sq_appeal_status_name(int s);
int sq_appeal_status_parse(const char *s); /* -1 if unknown */
const char *sq_appeal_action_name(int a);
int sq_appeal_action_parse(const char *s); /* -1 if unknown (public actions only) */

/* The appeal row, as C. Text fields are owned copies (appeal_cleanup frees). */
struct sq_appeal {
    int64_t id;
    char tracking_no[24];
    char kind[16];
    char *title, *description, *address, *contact_name, *contact_phone, *reply;
    int64_t category_id;
    int64_t unit_id; /* location */
    double lat, lon;
    bool has_geo;
    char urgency[12];
    int status; /* enum sq_appeal_status */
    int64_t handler_unit_id;
    char handler_unit_path[128];
    int64_t handler_id, creator_id, collector_id;
    char channel[12];
    int64_t created_at, accepted_at, response_due_at, due_at, warn_at, resolved_at, closed_at,
        suspended_at, rated_at, updated_at;
    int warned, overdue, escalation_level, extension_days, reopen_count;
    int rating_speed, rating_result, rating_attitude; /* 0 = none */
    char rating_solved[16], satisfaction[24];
    char *rating_comment;
    int64_t master_id, kb_answer_id;
};

void sq_appeal_cleanup(struct sq_appeal *a);
/* Deep copy (dst must be uninitialised or cleaned). */
void sq_appeal_copy(struct sq_appeal *dst, const struct sq_appeal *src);
/* Replaces an owned string field: sq_appeal_set(&a->reply, "..."). */
void sq_appeal_set(char **field, const char *value);

/* ---- rules ---- */

/* The status an action leads to from `from`, or -1 when illegal. Actions that
 * keep the status (note, assign, extend, review, warn...) return `from`. */
int sq_appeal_next_status(int action, int from);

/* The one authorisation rule of an appeal: may caller u take action act on
 * appeal a now? Pure (no SQL, no HTTP): a decision on the caller's grants, the
 * record and its status. The checks, in order:
 *   1. who: each action names who may take it (docs/appeals.md, "Who may do
 *      what"): handlers of the handling unit (SQ_PERM_APPEAL_HANDLE on
 *      a->handler_unit_path, sq_may), its supervisors (SQ_PERM_APPEAL_SUPERVISE
 *      there) and the person who filed it (creator or collector; kb_solve:
 *      the creator only). A staff
 *      member never rates an appeal they handle (a->handler_id). Otherwise
 *      SQ_EFORBIDDEN (403), "not yours / not your role".
 *   2. status: the state machine (sq_appeal_next_status), else SQ_ETRANSITION
 *      (409).
 *   3. the record's state: an extension is requested only when none is
 *      pending, and decided only when one is (SQ_ECONFLICT, 409, field "days"
 *      or "approve").
 * What depends on a request body (the transfer target, the merge master, the
 * assignee) is the handler's validation, not decided here. u may be NULL
 * (anonymous: nothing is allowed); why may be NULL. act is any SQ_AA_* value;
 * internal ones (submit, warn, overdue, close) are never allowed to a caller
 * (SQ_ENOTFOUND). */
enum sq_err sq_appeal_decide(const struct sq_user *u, const struct sq_appeal *a, int act,
                             struct sq_detail *why);
/* Is u the person of appeal a: who filed it (creator) or filed it for someone
 * (collector)? False for NULL. */
bool sq_appeal_is_person(const struct sq_user *u, const struct sq_appeal *a);
/* Actions a caller may ask for: the named workflow actions and the pseudo
 * ones (extend_decide, attach, contact, kb_solve). allowed_actions lists those of them
 * sq_appeal_decide() allows. */
bool sq_appeal_action_listed(int act);
/* Bit i set when sq_appeal_decide(u, a, i) == SQ_OK for a listed action i. */
uint32_t sq_appeal_allowed_mask(const struct sq_user *u, const struct sq_appeal *a);

/* SLA: limits for a category and urgency (policy override or category). */
struct sq_sla {
    int response_hours;
    int resolve_days;
};
/* Deadlines from `start` on the calendar; SQ_WORKCAL_NEVER guarded (0 = none). */
void sq_appeal_deadlines(const struct sq_workcal *cal, const struct sq_sla *sla, int64_t start,
                         int warn_percent, struct sq_appeal *a);
/* Recomputes warn_at for a changed due_at (extension, resume, reopen). */
void sq_appeal_rewarn(const struct sq_workcal *cal, int warn_percent, int64_t from,
                      struct sq_appeal *a);

/* KPI contribution: the appeal_stats key and counters of one appeal. */
struct sq_appeal_contrib {
    int month; /* YYYYMM */
    int64_t unit_id, category_id;
    char kind[16];
    int total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue,
        reopened, rated, satisfied, basically_satisfied, dissatisfied, solved;
    int64_t response_secs, handle_secs;
};
void sq_appeal_contrib(const struct sq_appeal *a, struct sq_appeal_contrib *c);

/* ---- "open" ---- */

/* The one definition of an open appeal: work still owed to the person
 * (submitted, accepted, in_progress, suspended). Resolved and evaluated
 * appeals wait for the person, closed / rejected are final and merged ones
 * follow their master: none of those is open. The store's SQL fragment
 * SQ_APPEAL_OPEN_SQL (appeals.h) and the web (GET /api/v1/meta/lookups,
 * open_statuses) say the same; a unit test holds them together. */
bool sq_appeal_status_open(int status);
/* Open and its clock running: open but not suspended (挂起 pauses the
 * deadline), the appeals the deadline scheduler watches. */
bool sq_appeal_status_running(int status);
/* Handled to the end: resolved, evaluated or closed (a KB answer may be
 * drafted from its reply; counted as resolved in the KPI). */
bool sq_appeal_status_done(int status);

/* ---- the workflow: what an action changes ---- */

/* A unit as the rules need it: its place in the tree and its name (the
 * timeline names the units an appeal moved between). */
struct sq_appeal_unit {
    int64_t id;
    char path[128];
    char name[256];
    bool archived;
};

/* The parsed, validated body of an action and what the handler loaded for
 * it. Everything is borrowed for the duration of the call (and of the
 * decision, which points at the strings). Only the fields of the action
 * taken are read. */
struct sq_appeal_input {
    const char *note;   /* accept assign note resume merge review, extension decision */
    const char *reason; /* transfer return reject suspend reopen escalate, extension request */
    const char *reply;  /* reply resolve */
    /* assign: handler_id and its account with grants (NULL: no such user) */
    int64_t handler_id;
    const struct sq_user *assignee;
    /* transfer: the target unit (NULL: no such unit) */
    const struct sq_appeal_unit *unit;
    /* the handling unit now (names the origin of a hand-over; NULL if unknown) */
    const struct sq_appeal_unit *handler_unit;
    /* return: the unit the appeal was last transferred from (NULL: never
     * transferred); return, second reopen: the handling unit's parent (NULL
     * at the top of the tree) */
    const struct sq_appeal_unit *transferred_from, *parent;
    /* extend: a request (days + reason) or a decision (approve + note) */
    bool has_approve, approve, has_days;
    int days;
    /* merge: the master (NULL: no such appeal) */
    int64_t master_id;
    const struct sq_appeal *master;
    /* rate */
    int speed, result, attitude;
    const char *solved, *satisfaction, *comment;
    /* review: approved / rejected (NULL: approved) */
    const char *verdict;
    /* reopen, and rate (a dissatisfied rating reopens): the category's SLA */
    struct sq_sla sla;
};

/* What the rules need from around them: the time of the change, the
 * working calendar (borrowed) and the warning share of the time limit. */
struct sq_appeal_ctx {
    int64_t now;
    const struct sq_workcal *cal;
    int warn_percent; /* warn when this % of the time is used (config warn_percent) */
};

/* One value of an event's data (the timeline's JSON object, written by the
 * store). Keys are static strings, text values borrowed. */
struct sq_appeal_datum {
    const char *key;
    enum { SQ_AD_INT, SQ_AD_TEXT, SQ_AD_BOOL } type;
    int64_t i; /* SQ_AD_INT, SQ_AD_BOOL */
    const char *s;
};
#define SQ_APPEAL_DATA_MAX 8

/* One timeline event: action, actor (0: the system), note and data. The
 * note is borrowed from the input or from the step's record. */
struct sq_appeal_event {
    int action;
    int64_t actor_id;
    const char *note;
    struct sq_appeal_datum data[SQ_APPEAL_DATA_MAX];
    int ndata; /* 0: no data (NULL) */
};

/* One change of one appeal: the record before (borrowed: the loaded record
 * or the previous step's after), the record after (owned) and its event. */
struct sq_appeal_step {
    const struct sq_appeal *before;
    struct sq_appeal after;
    struct sq_appeal_event ev;
};

/* The decision of an action: one step, or two when a dissatisfied rating
 * reopens the appeal at once (rate, then reopen by the system). Lives
 * where it was filled (steps point into each other): do not copy it. */
#define SQ_APPEAL_STEPS_MAX 2
struct sq_appeal_decision {
    struct sq_appeal_step step[SQ_APPEAL_STEPS_MAX];
    int n;
};
void sq_appeal_decision_cleanup(struct sq_appeal_decision *dec);

/* The time of a change to a: ctx's now, but always after a's last change
 * (the store's optimistic check and the timeline's order need it). */
int64_t sq_appeal_change_time(const struct sq_appeal *a, int64_t now);

/* The workflow rule: caller u takes `action` (a public SQ_AA_* action) on
 * appeal a with input in, at ctx->now. On SQ_OK dec holds the new state of
 * the record and the events to write (store them with
 * appeals_store_apply_steps, in one transaction); pair with
 * sq_appeal_decision_cleanup (also safe after an error). The checks, in
 * order: sq_appeal_decide() (who, status: SQ_EFORBIDDEN, SQ_ETRANSITION,
 * SQ_ECONFLICT; an extend with in->has_approve is an extend_decide), then
 * what the input names:
 *   assign   the assignee must handle the handling unit (SQ_EINVAL handler_id)
 *   transfer to an active unit other than the handling one (SQ_EINVAL unit_id)
 *   return   to the dispatcher: the unit it was last transferred from, else
 *            the parent of the handling unit (SQ_ECONFLICT when none)
 *   extend   a request needs days and reason (SQ_EINVAL)
 *   merge    into another appeal (SQ_EINVAL master_id) that u handles
 *            (SQ_EFORBIDDEN master_id) and that is open (SQ_ECONFLICT master_id)
 * and the messages are zh-CN / English. What changes:
 *   accept   accepted_at (first time); u owns it unless someone does
 *   extend   a request stores the days; an approval moves due_at by them on
 *            the working calendar (rewarn; no longer overdue if due later)
 *   suspend  suspended_at; resume moves due_at and an unfired warn_at by
 *            the paused working time
 *   rate     the rating; dissatisfied or not_solved reopens it (second step,
 *            sq_appeal_reopen_state, by the system, note 评价不满意，自动重办)
 *   reopen   sq_appeal_reopen_state
 *   escalate one level up */
enum sq_err sq_appeal_act(const struct sq_user *u, const struct sq_appeal *a, int action,
                          const struct sq_appeal_input *in, const struct sq_appeal_ctx *ctx,
                          struct sq_appeal_decision *dec, struct sq_detail *d);

/* A duplicate merged into a master that was just resolved learns its
 * outcome: out->after is child with the master's reply and resolution time
 * (status stays merged), out->ev a resolve event by actor_id naming the
 * master. out->before = child. Pair with sq_appeal_step_cleanup. */
void sq_appeal_follow_master(const struct sq_appeal *master, const struct sq_appeal *child,
                             int64_t actor_id, struct sq_appeal_step *out);
void sq_appeal_step_cleanup(struct sq_appeal_step *s);

/* Its person says a published knowledge-base answer solved appeal a
 * (kb_solve; the caller decided with sq_appeal_decide(..., SQ_AA_KB_SOLVE)):
 * out->after is a resolved at now with `reply` (borrowed, copied) and
 * kb_answer_id set (accepted now if it never was), out->ev a resolve by
 * actor_id with data {kb_answer_id, answered_by_kb}. SQ_ETRANSITION (field
 * appeal_id) when a is no longer open for it; pair with
 * sq_appeal_step_cleanup either way. */
enum sq_err sq_appeal_kb_solved(const struct sq_appeal *a, int64_t answer_id, const char *reply,
                                int64_t actor_id, int64_t now, struct sq_appeal_step *out,
                                struct sq_detail *d);

/* The state changes themselves, in place on b (a copy of the record), for
 * sq_appeal_act and for whoever simulates the workflow (the demo).
 * Reopen (重办): accepted again by the same unit with half the resolve time
 * (at least one working day) from ctx->now; the second reopen goes one tier
 * up to parent (community -> street -> district; status submitted) when
 * there is one. */
void sq_appeal_reopen_state(struct sq_appeal *b, const struct sq_appeal_ctx *ctx,
                            const struct sq_sla *sla, const struct sq_appeal_unit *parent);
/* Resume at ctx->now: the deadline, and a warning not yet given, move by the
 * working time paused since b->suspended_at; suspended_at is cleared. */
void sq_appeal_resume_state(struct sq_appeal *b, const struct sq_appeal_ctx *ctx);
/* Decide the pending extension (b->extension_days): approved, due_at moves
 * by those working days and the warning is recomputed from ctx->now; the
 * request is cleared either way. */
void sq_appeal_extension_state(struct sq_appeal *b, bool approve, const struct sq_appeal_ctx *ctx);
#endif
