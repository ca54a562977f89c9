/*
 * appeals: the appeal workflow (诉求: 收集 -> 转办 -> 处置 -> 评价).
 *
 * Rules (appeals.c): the state machine (which action is legal in which
 * status and what it leads to), who may do each action, deadlines from the
 * SLA policy on the working calendar, the routing decision and the KPI
 * contribution of an appeal. No SQL, no HTTP.
 *
 * Store (store.c): the SQL. Every change to an appeal goes through
 * appeals_store_apply(), which in one transaction updates the row, appends
 * the event (the timeline is the audit trail) and moves the appeal's KPI
 * contribution in appeal_stats from its old key to its new one.
 *
 * Times are Unix seconds; 0 means "not set" (NULL in SQL).
 */
#ifndef SQ_APPEALS_H
#define SQ_APPEALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "appeals/workcal.h"
#include "core/auth.h"
#include "core/err.h"
#include "core/json.h"
#include "appeals/perms.h"

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
    SQ_AA_SUBMIT,   /* internal: intake */
    SQ_AA_ACCEPT,
    SQ_AA_ASSIGN,
    SQ_AA_TRANSFER,
    SQ_AA_RETURN,
    SQ_AA_NOTE,
    SQ_AA_REPLY,
    SQ_AA_RESOLVE,
    SQ_AA_REJECT,
    SQ_AA_EXTEND,   /* request (handler) or decide (supervisor) an extension */
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
extern const char *const sq_appeal_kinds[];     /* resident student employee enterprise */
extern const char *const sq_appeal_urgencies[]; /* normal urgent critical */
extern const char *const sq_appeal_channels[];  /* web api collector open311 */
extern const char *const sq_satisfactions[];    /* satisfied basically_satisfied dissatisfied */
extern const char *const sq_solved_values[];    /* solved partly_solved not_solved */

const char *sq_appeal_status_name(int s);
int sq_appeal_status_parse(const char *s);      /* -1 if unknown */
const char *sq_appeal_action_name(int a);
int sq_appeal_action_parse(const char *s);      /* -1 if unknown (public actions only) */

/* The appeal row, as C. Text fields are owned copies (appeal_cleanup frees). */
struct sq_appeal {
    int64_t id;
    char tracking_no[24];
    char kind[16];
    char *title, *description, *address, *contact_name, *contact_phone, *reply;
    int64_t category_id;
    int64_t unit_id;            /* location */
    double lat, lon;
    bool has_geo;
    char urgency[12];
    int status;                 /* enum sq_appeal_status */
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
/* The public actions legal in a status, for anyone, as a JSON array of names
 * (new ref): the "allowed" list of a 409 illegal_transition. */
json_t *sq_appeal_allowed_json(int status);

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

/* Loaded once per use from the calendar_days and settings tables. */
enum sq_err appeals_store_load_calendar(struct sq_workcal *cal, struct sq_detail *d);

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

/* ---- store ---- */

enum sq_err appeals_store_get(int64_t id, struct sq_appeal *a, struct sq_detail *d);
/* Inserts a new appeal (a->id and a->tracking_no are filled) with its
 * SUBMIT event, in the caller's transaction if any. */
enum sq_err appeals_store_insert(struct sq_appeal *a, int64_t actor_id, json_t *event_data,
                                 struct sq_detail *d);
/* Writes `after` over `before` (same id), appends one event (action, actor,
 * note, data borrowed) and moves the KPI contribution. Atomic. */
enum sq_err appeals_store_apply(const struct sq_appeal *before, const struct sq_appeal *after,
                                int action, int64_t actor_id, const char *note, json_t *data,
                                struct sq_detail *d);
/* Adds sign x one contribution to appeal_stats (upsert). Bulk loaders (the
 * demo) add summed contributions with it; everyone else goes through
 * appeals_store_apply(). */
enum sq_err appeals_store_stats_add(const struct sq_appeal_contrib *c, int sign,
                                    struct sq_detail *d);
/* The appeal as API JSON; mask_phone hides contact_phone. New reference. */
json_t *appeals_store_json(const struct sq_appeal *a, bool mask_phone);
/* Events of an appeal, oldest first (new reference). */
json_t *appeals_store_events_json(int64_t appeal_id);

/* Scheduler support: appeals whose deadlines need attention at `now`.
 * Calls fn for each (up to limit) with a loaded appeal. */
typedef void (*sq_appeal_visit_fn)(struct sq_appeal *a, void *ctx);
int appeals_store_visit_due(int64_t now, int64_t warn_before, int limit, sq_appeal_visit_fn fn,
                            void *ctx);

/* Every change above is also an "appeal.<action>" event, published inside
 * its transaction (appeals/events.h). */

/* ---- lists and intake support (store.c) ---- */

struct sq_appeal_filter {
    const char *statuses[SQ_AS__MAX]; /* any of; none = all */
    int nstatuses;
    int64_t category_id;              /* matches the category and its children */
    const char *unit_path;            /* handler unit subtree */
    int64_t handler_id;
    const char *kind, *urgency, *q;
    int64_t from, to;                 /* created_at range, 0 = open */
    bool overdue;
    int64_t due_before;               /* due_at <= this (due soon), 0 = off */
    int64_t creator_or_collector;     /* the caller's own appeals */
    const char **scope_paths;         /* NULL = unrestricted */
    int nscope;
    const char *order;                /* validated sort name: [-]created_at, [-]due_at, [-]id */
};
/* One row of a list page. The strings are borrowed from the statement and
 * valid only during the callback; absent text is "". */
struct sq_appeal_item {
    int64_t id, category_id, unit_id, handler_unit_id, handler_id, created_at, due_at;
    const char *tracking_no, *kind, *title, *status, *urgency, *category_name, *unit_name,
        *handler_unit_name, *channel, *satisfaction;
    bool warned, overdue;
    int reopen_count;
};
typedef void (*sq_appeal_item_fn)(const struct sq_appeal_item *it, void *ctx);
/* Counts the matches into *total, then calls fn for each row of page p, in
 * order. fn must not use the database. */
enum sq_err appeals_store_list(const struct sq_appeal_filter *f, const struct sq_page *p,
                               sq_appeal_item_fn fn, void *ctx, int64_t *total,
                               struct sq_detail *d);
/* Ids of appeals merged into master (status merged). Returns count; *ids malloc'd. */
int appeals_store_children(int64_t master_id, int64_t **ids);

/* Idempotency, inside the intake's transaction. Claims key in scope for a
 * request whose body hashes to hash (hex): the database's primary key
 * decides, so two racing requests cannot both hold it.
 *   - SQ_OK, *replay_id = 0: the key is new and now held: create the appeal,
 *     then appeals_store_idem_bind;
 *   - SQ_OK, *replay_id = id: the key was used for the same request: answer
 *     with appeal id again, create nothing;
 *   - SQ_EIDEMKEY (field "Idempotency-Key"): used for a different request.
 */
enum sq_err appeals_store_idem_claim(const char *scope, const char *key, const char *hash,
                                     int64_t *replay_id, struct sq_detail *d);
/* Binds a claimed key to the appeal it created. */
enum sq_err appeals_store_idem_bind(const char *scope, const char *key, int64_t appeal_id,
                                    struct sq_detail *d);

/* Attachments */
enum sq_err appeals_store_attachment_add(int64_t appeal_id, const char *filename,
                                         const char *ctype, int64_t size, const char *sha256,
                                         const char *path, int64_t by, int64_t *id,
                                         struct sq_detail *d);
json_t *appeals_store_attachments_json(int64_t appeal_id);
/* Looks up one attachment: its appeal, content type and storage path. */
enum sq_err appeals_store_attachment_get(int64_t id, int64_t *appeal_id, char *ctype,
                                         size_t ctcap, char *path, size_t pathcap,
                                         char *filename, size_t fncap, struct sq_detail *d);

/* ---- the shared working calendar (calcache.c) ---- */
/* Returns the calendar with a read lock held; pair with appeals_calendar_release().
 * Reloads from the database when appeals_calendar_invalidate() was called. */
const struct sq_workcal *appeals_calendar_acquire(void);
void appeals_calendar_release(void);
void appeals_calendar_invalidate(void);
void appeals_calendar_free(void); /* at shutdown */
#endif
