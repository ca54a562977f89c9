/*
 * appeals: the appeal workflow (诉求: 收集 -> 转办 -> 处置 -> 评价).
 *
 * Rules (appeals.c, declared in appeals/rules.h, which includes neither
 * jansson nor sqlite): the state machine, who may do each action, what each
 * action changes and which events it writes (sq_appeal_act), deadlines on
 * the working calendar, the routing decision, the KPI contribution of an
 * appeal and the one definition of "open". No SQL, no HTTP.
 *
 * Store (store.c, declared here): the SQL. Every change to an appeal goes
 * through appeals_store_apply(), which in one transaction updates the row,
 * appends the event (the timeline is the audit trail) and moves the
 * appeal's KPI contribution in appeal_stats from its old key to its new
 * one; appeals_store_apply_steps() writes a whole decision (several steps,
 * several appeals) in one transaction.
 *
 * Times are Unix seconds; 0 means "not set" (NULL in SQL).
 */
#ifndef SQ_APPEALS_H
#define SQ_APPEALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "appeals/rules.h"
#include "core/json.h"

/* The public actions legal in a status, for anyone, as a JSON array of names
 * (new ref): the "allowed" list of a 409 illegal_transition. */
json_t *sq_appeal_allowed_json(int status);

/* Loaded once per use from the calendar_days and settings tables. */
enum sq_err appeals_store_load_calendar(struct sq_workcal *cal, struct sq_detail *d);

/* ---- store ---- */

/* sq_appeal_status_open() and sq_appeal_status_running() in SQL, for
 * "status IN " SQ_APPEAL_OPEN_SQL. Every query that asks "is it open" uses
 * these (the partial indexes of migrations 004 and 008 are written with the
 * same lists); test_appeals_flow holds them to the C functions. */
#define SQ_APPEAL_OPEN_SQL "('submitted','accepted','in_progress','suspended')"
#define SQ_APPEAL_RUNNING_SQL "('submitted','accepted','in_progress')"
/* sq_appeal_status_done() in SQL. */
#define SQ_APPEAL_DONE_SQL "('resolved','evaluated','closed')"

enum sq_err appeals_store_get(int64_t id, struct sq_appeal *a, struct sq_detail *d);
/* Inserts a new appeal (a->id and a->tracking_no are filled) with its
 * SUBMIT event, in the caller's transaction if any. */
enum sq_err appeals_store_insert(struct sq_appeal *a, int64_t actor_id, json_t *event_data,
                                 struct sq_detail *d);
/* The appeals row alone, every column as a has it (tracking_no, status,
 * dates, rating, updated_at), *id set: no event, no KPI, no transaction.
 * appeals_store_insert and the demo generator (whole histories) use it. */
enum sq_err appeals_store_insert_row(const struct sq_appeal *a, int64_t *id, struct sq_detail *d);
/* Writes `after` over `before` (same id), appends one event (action, actor,
 * note, data borrowed) and moves the KPI contribution. Atomic. */
enum sq_err appeals_store_apply(const struct sq_appeal *before, const struct sq_appeal *after,
                                int action, int64_t actor_id, const char *note, json_t *data,
                                struct sq_detail *d);
/* Writes the steps of a decision (sq_appeal_act, sq_appeal_follow_master)
 * in order, all in one transaction: each as appeals_store_apply (row,
 * event, KPI, published event). Any failure (e.g. SQ_ECONFLICT: changed
 * meanwhile) rolls back every step. */
enum sq_err appeals_store_apply_steps(const struct sq_appeal_step *steps, int n,
                                      struct sq_detail *d);
/* The unit appeal_id was last transferred from (its latest transfer
 * event's from_unit_id), 0 when it never was. */
int64_t appeals_store_transferred_from(int64_t appeal_id);
/* Adds sign x one contribution to appeal_stats (upsert). Bulk loaders (the
 * demo) add summed contributions with it; everyone else goes through
 * appeals_store_apply(). */
enum sq_err appeals_store_stats_add(const struct sq_appeal_contrib *c, int sign,
                                    struct sq_detail *d);
/* The appeal record as JSON, contact_phone as stored (the api masks it with
 * sq_json_mask_personal). New reference. */
json_t *appeals_store_json(const struct sq_appeal *a);
/* Events of an appeal, oldest first (new reference). */
json_t *appeals_store_events_json(int64_t appeal_id);
/* The same written straight into b, with no jansson tree (the detail reply,
 * GET /appeals/{id}), byte for byte what json_dumps() prints for the trees
 * above (JSON_COMPACT | JSON_REAL_PRECISION(15)); mask: as
 * sq_json_mask_personal (the api masks the appeal, not its events, as it
 * always has). _open leaves the object open (no closing brace) for
 * the caller's members; the trees stay as the reference the unit test
 * tests/unit/test_appeal_detail.c compares with. */
void appeals_store_write_open(struct sq_jbuf *b, const struct sq_appeal *a, bool mask);
void appeals_store_write_events(struct sq_jbuf *b, int64_t appeal_id);
void appeals_store_write_attachments(struct sq_jbuf *b, int64_t appeal_id);
/* The detail reply of GET /appeals/{id} for caller u (NULL: anonymous) as
 * malloc'd JSON text: the appeal (contact phone masked), "events",
 * "attachments" and "allowed_actions" (api.c). */
char *appeals_detail_text(const struct sq_user *u, const struct sq_appeal *a, size_t *len);

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
    int64_t category_id;   /* matches the category and its children */
    const char *unit_path; /* handler unit subtree */
    int64_t handler_id;
    const char *kind, *urgency, *q;
    int64_t from, to; /* created_at range, 0 = open */
    bool overdue;
    int64_t due_before;           /* due_at <= this (due soon), 0 = off */
    int64_t creator_or_collector; /* the caller's own appeals */
    const char **scope_paths;     /* NULL = unrestricted */
    int nscope;
    const char *order; /* validated ORDER BY */
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
enum sq_err appeals_store_attachment_add(int64_t appeal_id, const char *filename, const char *ctype,
                                         int64_t size, const char *sha256, const char *path,
                                         int64_t by, int64_t *id, struct sq_detail *d);
json_t *appeals_store_attachments_json(int64_t appeal_id);
/* Looks up one attachment: its appeal, content type and storage path. */
enum sq_err appeals_store_attachment_get(int64_t id, int64_t *appeal_id, char *ctype, size_t ctcap,
                                         char *path, size_t pathcap, char *filename, size_t fncap,
                                         struct sq_detail *d);

/* ---- access (api.c) ---- */
/* May u read appeal a: the person who filed it, staff over its handling unit,
 * or staff over the place where the problem is (a community follows up what
 * it transferred away). The appeal, its timeline and its files share it. */
bool appeals_may_read(const struct sq_user *u, const struct sq_appeal *a);

/* ---- the shared working calendar (calcache.c) ---- */
/* Returns the calendar with a read lock held; pair with appeals_calendar_release().
 * Reloads from the database when appeals_calendar_invalidate() was called. */
const struct sq_workcal *appeals_calendar_acquire(void);
void appeals_calendar_release(void);
void appeals_calendar_invalidate(void);
void appeals_calendar_free(void); /* at shutdown */
#endif
