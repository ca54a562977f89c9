/*
 * appeals store: SQL for appeals, their events and the KPI aggregate.
 * "Open" in SQL is SQ_APPEAL_OPEN_SQL (appeals.h), never a list of its own.
 *
 * appeals_store_apply() is the only way an appeal changes after intake: one
 * transaction writes the row, appends the event and moves the appeal's
 * contribution in appeal_stats (subtract the old, add the new), so the
 * aggregate always equals what a full scan would count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appeals/appeals.h"
#include "appeals/events.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/log.h"
#include "units/paths.h"

/* The copy of units.path an appeal keeps (its handler unit's), rewritten by
 * a unit move (units/paths.h; listed in src/app.c). */
const struct sq_unit_path_copy appeals_unit_paths[] = {
    {"appeals", "handler_unit_path", "handler_unit_id"},
    {NULL, NULL, NULL},
};

#define APPEAL_COLS                                                                                \
    "a.id, a.tracking_no, a.kind, a.title, a.description, a.category_id, a.unit_id, a.address, "   \
    "a.lat, a.lon, a.contact_name, a.contact_phone, a.urgency, a.status, a.handler_unit_id, "      \
    "a.handler_unit_path, a.handler_id, a.creator_id, a.collector_id, a.channel, a.created_at, "   \
    "a.accepted_at, a.response_due_at, a.due_at, a.warn_at, a.resolved_at, a.closed_at, "          \
    "a.suspended_at, a.warned, a.overdue, a.escalation_level, a.extension_days, a.reply, "         \
    "a.rating_speed, a.rating_result, a.rating_attitude, a.rating_solved, a.satisfaction, "        \
    "a.rating_comment, a.rated_at, a.reopen_count, a.master_id, a.kb_answer_id, a.updated_at"

static char *dup_col(struct sq_stmt *st, int i)
{
    const char *t = sq_col_text(st, i);
    return t ? strdup(t) : NULL;
}

static void cpy_col(char *dst, size_t cap, struct sq_stmt *st, int i)
{
    snprintf(dst, cap, "%s", sq_db_col_text(st, i));
}

/* Fills a from a row selected with APPEAL_COLS. */
static void load_row(struct sq_stmt *st, struct sq_appeal *a)
{
    memset(a, 0, sizeof *a);
    a->id = sq_col_int64(st, 0);
    cpy_col(a->tracking_no, sizeof a->tracking_no, st, 1);
    cpy_col(a->kind, sizeof a->kind, st, 2);
    a->title = dup_col(st, 3);
    a->description = dup_col(st, 4);
    a->category_id = sq_col_int64(st, 5);
    a->unit_id = sq_col_int64(st, 6);
    a->address = dup_col(st, 7);
    a->has_geo = !sq_col_is_null(st, 8);
    a->lat = sq_col_double(st, 8);
    a->lon = sq_col_double(st, 9);
    a->contact_name = dup_col(st, 10);
    a->contact_phone = dup_col(st, 11);
    cpy_col(a->urgency, sizeof a->urgency, st, 12);
    a->status = sq_appeal_status_parse(sq_db_col_text(st, 13));
    a->handler_unit_id = sq_col_int64(st, 14);
    cpy_col(a->handler_unit_path, sizeof a->handler_unit_path, st, 15);
    a->handler_id = sq_col_int64(st, 16);
    a->creator_id = sq_col_int64(st, 17);
    a->collector_id = sq_col_int64(st, 18);
    cpy_col(a->channel, sizeof a->channel, st, 19);
    a->created_at = sq_col_int64(st, 20);
    a->accepted_at = sq_col_int64(st, 21);
    a->response_due_at = sq_col_int64(st, 22);
    a->due_at = sq_col_int64(st, 23);
    a->warn_at = sq_col_int64(st, 24);
    a->resolved_at = sq_col_int64(st, 25);
    a->closed_at = sq_col_int64(st, 26);
    a->suspended_at = sq_col_int64(st, 27);
    a->warned = sq_col_int(st, 28);
    a->overdue = sq_col_int(st, 29);
    a->escalation_level = sq_col_int(st, 30);
    a->extension_days = sq_col_int(st, 31);
    a->reply = dup_col(st, 32);
    a->rating_speed = sq_col_int(st, 33);
    a->rating_result = sq_col_int(st, 34);
    a->rating_attitude = sq_col_int(st, 35);
    cpy_col(a->rating_solved, sizeof a->rating_solved, st, 36);
    cpy_col(a->satisfaction, sizeof a->satisfaction, st, 37);
    a->rating_comment = dup_col(st, 38);
    a->rated_at = sq_col_int64(st, 39);
    a->reopen_count = sq_col_int(st, 40);
    a->master_id = sq_col_int64(st, 41);
    a->kb_answer_id = sq_col_int64(st, 42);
    a->updated_at = sq_col_int64(st, 43);
}

enum sq_err appeals_store_get(int64_t id, struct sq_appeal *a, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " APPEAL_COLS " FROM appeals a WHERE a.id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no appeal with id %lld", (long long)id);
    }
    load_row(st, a);
    sq_db_reset(st);
    return SQ_OK;
}

static void bind_time(struct sq_stmt *st, int i, int64_t t)
{
    if (t)
        sq_bind_int64(st, i, t);
    else
        sq_bind_null(st, i);
}

static void bind_int0(struct sq_stmt *st, int i, int v)
{
    if (v)
        sq_bind_int(st, i, v);
    else
        sq_bind_null(st, i);
}

/* The handler unit's path as the units table has it when the write commits,
 * not as the caller read it: a unit moved meanwhile (units_store_update)
 * cannot be undone by a write that started before the move. ?13, the path
 * the caller holds, only stands in if the unit is gone. */
#define HANDLER_PATH "coalesce((SELECT path FROM units WHERE id = ?12), ?13)"

/* Binds the mutable columns at ?1..?37 in the order of the UPDATE below. */
static void bind_mutable(struct sq_stmt *st, const struct sq_appeal *a)
{
    sq_db_bind_text(st, 1, a->title);
    sq_db_bind_text(st, 2, a->description);
    sq_bind_int64(st, 3, a->category_id);
    sq_bind_int64(st, 4, a->unit_id);
    sq_db_bind_text(st, 5, a->address);
    if (a->has_geo) {
        sq_bind_double(st, 6, a->lat);
        sq_bind_double(st, 7, a->lon);
    }
    sq_db_bind_text(st, 8, a->contact_name);
    sq_db_bind_text(st, 9, a->contact_phone);
    sq_bind_text(st, 10, a->urgency);
    sq_bind_text_ref(st, 11, sq_appeal_status_name(a->status));
    sq_bind_int64(st, 12, a->handler_unit_id);
    sq_bind_text(st, 13, a->handler_unit_path);
    sq_db_bind_id(st, 14, a->handler_id);
    bind_time(st, 15, a->accepted_at);
    bind_time(st, 16, a->response_due_at);
    bind_time(st, 17, a->due_at);
    bind_time(st, 18, a->warn_at);
    bind_time(st, 19, a->resolved_at);
    bind_time(st, 20, a->closed_at);
    bind_time(st, 21, a->suspended_at);
    sq_bind_int(st, 22, a->warned);
    sq_bind_int(st, 23, a->overdue);
    sq_bind_int(st, 24, a->escalation_level);
    sq_bind_int(st, 25, a->extension_days);
    sq_db_bind_text(st, 26, a->reply);
    bind_int0(st, 27, a->rating_speed);
    bind_int0(st, 28, a->rating_result);
    bind_int0(st, 29, a->rating_attitude);
    sq_db_bind_text(st, 30, a->rating_solved);
    sq_db_bind_text(st, 31, a->satisfaction);
    sq_db_bind_text(st, 32, a->rating_comment);
    bind_time(st, 33, a->rated_at);
    sq_bind_int(st, 34, a->reopen_count);
    sq_db_bind_id(st, 35, a->master_id);
    sq_db_bind_id(st, 36, a->kb_answer_id);
    sq_bind_int64(st, 37, a->updated_at);
}

enum sq_err appeals_store_stats_add(const struct sq_appeal_contrib *c, int sign,
                                    struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO appeal_stats(month, unit_id, category_id, kind, total, responded, "
        "responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, "
        "satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19) "
        "ON CONFLICT(month, unit_id, category_id, kind) DO UPDATE SET total = total + ?5, "
        "responded = responded + ?6, responded_on_time = responded_on_time + ?7, resolved = "
        "resolved + ?8, resolved_on_time = resolved_on_time + ?9, rejected = rejected + ?10, "
        "overdue = overdue + ?11, reopened = reopened + ?12, rated = rated + ?13, satisfied = "
        "satisfied + ?14, basically_satisfied = basically_satisfied + ?15, dissatisfied = "
        "dissatisfied + ?16, solved = solved + ?17, response_secs = response_secs + ?18, "
        "handle_secs = handle_secs + ?19");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, c->month);
    sq_bind_int64(st, 2, c->unit_id);
    sq_bind_int64(st, 3, c->category_id);
    sq_bind_text(st, 4, c->kind);
    const int v[] = {c->total,
                     c->responded,
                     c->responded_on_time,
                     c->resolved,
                     c->resolved_on_time,
                     c->rejected,
                     c->overdue,
                     c->reopened,
                     c->rated,
                     c->satisfied,
                     c->basically_satisfied,
                     c->dissatisfied,
                     c->solved};
    for (int i = 0; i < 13; i++)
        sq_bind_int(st, 5 + i, sign * v[i]);
    sq_bind_int64(st, 18, sign * c->response_secs);
    sq_bind_int64(st, 19, sign * c->handle_secs);
    return sq_db_exec_stmt(st, d);
}

static enum sq_err stats_move(const struct sq_appeal *before, const struct sq_appeal *after,
                              struct sq_detail *d)
{
    struct sq_appeal_contrib b, a;
    enum sq_err e;
    sq_appeal_contrib(after, &a);
    if (!before)
        return appeals_store_stats_add(&a, 1, d);
    sq_appeal_contrib(before, &b);
    if (!memcmp(&a, &b, sizeof a))
        return SQ_OK; /* most notes and replies change no counter */
    if ((e = appeals_store_stats_add(&b, -1, d)))
        return e;
    return appeals_store_stats_add(&a, 1, d);
}

static enum sq_err add_event(int64_t appeal_id, int action, int64_t actor_id, int from, int to,
                             const char *note, json_t *data, int64_t now, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO appeal_events(appeal_id, action, actor_id, "
                                    "from_status, to_status, note, data, created_at) VALUES "
                                    "(?,?,?,?,?,?,?,?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    sq_bind_int64(st, 1, appeal_id);
    sq_bind_text_ref(st, 2, sq_appeal_action_name(action));
    sq_db_bind_id(st, 3, actor_id);
    if (from >= 0)
        sq_bind_text_ref(st, 4, sq_appeal_status_name(from));
    if (to >= 0)
        sq_bind_text_ref(st, 5, sq_appeal_status_name(to));
    sq_db_bind_text(st, 6, note);
    sq_db_bind_text(st, 7, text);
    sq_bind_int64(st, 8, now);
    enum sq_err e = sq_db_exec_stmt(st, d);
    free(text);
    return e;
}

/* HS + YYYYMMDD + 7-digit daily sequence, from the tracking_seq table. */
static enum sq_err next_tracking_no(int64_t now, char *out, struct sq_detail *d)
{
    time_t local = (time_t)(now + SQ_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    int day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    struct sq_stmt *st = sq_db_stmt("INSERT INTO tracking_seq(day, last) VALUES (?1, 1) ON "
                                    "CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, day);
    int rc = sq_step(st);
    if (rc != SQ_ROW) {
        enum sq_err e = sq_db_last_error(d);
        sq_db_reset(st);
        return e;
    }
    snprintf(out, 24, "HS%08d%07lld", day, (long long)sq_col_int64(st, 0));
    sq_db_reset(st);
    return SQ_OK;
}

enum sq_err appeals_store_insert_row(const struct sq_appeal *a, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO appeals(title, description, category_id, unit_id, address, lat, lon, "
        "contact_name, contact_phone, urgency, status, handler_unit_id, handler_unit_path, "
        "handler_id, accepted_at, response_due_at, due_at, warn_at, resolved_at, closed_at, "
        "suspended_at, warned, overdue, escalation_level, extension_days, reply, rating_speed, "
        "rating_result, rating_attitude, rating_solved, satisfaction, rating_comment, rated_at, "
        "reopen_count, master_id, kb_answer_id, updated_at, tracking_no, kind, creator_id, "
        "collector_id, channel, created_at) VALUES "
        "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12," HANDLER_PATH
        ",?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,"
        "?31,?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_mutable(st, a);
    sq_bind_text(st, 38, a->tracking_no);
    sq_bind_text(st, 39, a->kind);
    sq_db_bind_id(st, 40, a->creator_id);
    sq_db_bind_id(st, 41, a->collector_id);
    sq_bind_text(st, 42, a->channel);
    sq_bind_int64(st, 43, a->created_at);
    return sq_db_exec_id(st, id, d);
}

enum sq_err appeals_store_insert(struct sq_appeal *a, int64_t actor_id, json_t *event_data,
                                 struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if ((e = next_tracking_no(a->created_at, a->tracking_no, d)))
        goto fail;
    a->updated_at = a->created_at;
    if ((e = appeals_store_insert_row(a, &a->id, d)))
        goto fail;
    if ((e = add_event(a->id, SQ_AA_SUBMIT, actor_id, -1, a->status, NULL, event_data,
                       a->created_at, d)) ||
        (e = stats_move(NULL, a, d)) || (e = appeals_publish(a, SQ_AA_SUBMIT, actor_id, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err appeals_store_apply(const struct sq_appeal *before, const struct sq_appeal *after,
                                int action, int64_t actor_id, const char *note, json_t *data,
                                struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    /* optimistic check: the row must still be as we read it */
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE appeals SET title=?1, description=?2, category_id=?3, unit_id=?4, address=?5, "
        "lat=?6, lon=?7, contact_name=?8, contact_phone=?9, urgency=?10, status=?11, "
        "handler_unit_id=?12, handler_unit_path=" HANDLER_PATH ", handler_id=?14, accepted_at=?15, "
        "response_due_at=?16, due_at=?17, warn_at=?18, resolved_at=?19, closed_at=?20, "
        "suspended_at=?21, warned=?22, overdue=?23, escalation_level=?24, extension_days=?25, "
        "reply=?26, rating_speed=?27, rating_result=?28, rating_attitude=?29, rating_solved=?30, "
        "satisfaction=?31, rating_comment=?32, rated_at=?33, reopen_count=?34, master_id=?35, "
        "kb_answer_id=?36, updated_at=?37 WHERE id=?38 AND updated_at=?39 AND status=?40");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    bind_mutable(st, after);
    sq_bind_int64(st, 38, after->id);
    sq_bind_int64(st, 39, before->updated_at);
    sq_bind_text_ref(st, 40, sq_appeal_status_name(before->status));
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    if (sq_db_changes() != 1) {
        e = sq_fail(d, SQ_ECONFLICT, NULL,
                    "诉求已被他人修改，请刷新后重试 / the appeal was changed by someone else "
                    "meanwhile; reload and try again");
        goto fail;
    }
    if ((e = add_event(after->id, action, actor_id, before->status, after->status, note, data,
                       after->updated_at, d)) ||
        (e = stats_move(before, after, d)) || (e = appeals_publish(after, action, actor_id, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

/* The timeline data of a rules event as JSON (NULL when it has none). */
static json_t *event_data_json(const struct sq_appeal_event *ev)
{
    if (!ev->ndata)
        return NULL;
    json_t *o = json_object();
    for (int i = 0; i < ev->ndata; i++) {
        const struct sq_appeal_datum *v = &ev->data[i];
        json_t *x = v->type == SQ_AD_INT    ? json_integer((json_int_t)v->i)
                    : v->type == SQ_AD_BOOL ? json_boolean(v->i)
                    : v->s                  ? json_string(v->s)
                                            : json_null();
        json_object_set_new(o, v->key, x);
    }
    return o;
}

enum sq_err appeals_store_apply_steps(const struct sq_appeal_step *steps, int n,
                                      struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    for (int i = 0; i < n; i++) {
        const struct sq_appeal_step *s = &steps[i];
        json_t *data = event_data_json(&s->ev);
        e = appeals_store_apply(s->before, &s->after, s->ev.action, s->ev.actor_id, s->ev.note,
                                data, d);
        json_decref(data);
        if (e) {
            sq_db_rollback();
            return e;
        }
    }
    return sq_db_commit(d);
}

int64_t appeals_store_transferred_from(int64_t appeal_id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT data FROM appeal_events WHERE appeal_id = ?1 AND "
                                    "action = 'transfer' ORDER BY id DESC LIMIT 1");
    int64_t from = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, appeal_id);
    if (sq_step(st) == SQ_ROW) {
        json_t *data = json_loads(sq_db_col_text(st, 0) ? sq_db_col_text(st, 0) : "", 0, NULL);
        from = json_integer_value(json_object_get(data, "from_unit_id"));
        json_decref(data);
    }
    sq_db_reset(st);
    return from;
}

json_t *sq_appeal_allowed_json(int status)
{
    json_t *a = json_array();
    for (int i = 0; i < SQ_AA__MAX; i++)
        if (sq_appeal_action_parse(sq_appeal_action_name(i)) == i &&
            sq_appeal_next_status(i, status) >= 0)
            json_array_append_new(a, json_string(sq_appeal_action_name(i)));
    return a;
}

static void set_time(json_t *o, const char *key, int64_t t)
{
    char buf[32];
    if (!t) {
        json_object_set_new(o, key, json_null());
        return;
    }
    sq_clock_iso(t, buf);
    json_object_set_new(o, key, json_string(buf));
}

static void set_id(json_t *o, const char *key, int64_t id)
{
    json_object_set_new(o, key, id ? json_integer(id) : json_null());
}

/* The display names of a's category, place, handling unit and handler, as
 * a row (columns 0-3) the caller reads and then resets; NULL when there is
 * none. */
static struct sq_stmt *names_row(const struct sq_appeal *a)
{
    struct sq_stmt *st = sq_db_stmt("SELECT (SELECT name FROM categories WHERE id = ?1), (SELECT "
                                    "name FROM units WHERE id = ?2), (SELECT name FROM units WHERE "
                                    "id = ?3), (SELECT display_name FROM users WHERE id = ?4)");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, a->category_id);
    sq_bind_int64(st, 2, a->unit_id);
    sq_bind_int64(st, 3, a->handler_unit_id);
    sq_bind_int64(st, 4, a->handler_id);
    if (sq_step(st) == SQ_ROW)
        return st;
    sq_db_reset(st);
    return NULL;
}

/* Names of the referenced category and units, for display. */
static void add_names(json_t *o, const struct sq_appeal *a)
{
    struct sq_stmt *st = names_row(a);
    if (!st)
        return;
    sq_json_set_str(o, "category_name", sq_db_col_text(st, 0));
    sq_json_set_str(o, "unit_name", sq_db_col_text(st, 1));
    sq_json_set_str(o, "handler_unit_name", sq_db_col_text(st, 2));
    sq_json_set_str(o, "handler_name", sq_db_col_text(st, 3));
    sq_db_reset(st);
}

json_t *appeals_store_json(const struct sq_appeal *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "tracking_no", json_string(a->tracking_no));
    json_object_set_new(o, "kind", json_string(a->kind));
    sq_json_set_str(o, "title", a->title);
    sq_json_set_str(o, "description", a->description);
    json_object_set_new(o, "category_id", json_integer(a->category_id));
    json_object_set_new(o, "unit_id", json_integer(a->unit_id));
    sq_json_set_str(o, "address", a->address);
    json_object_set_new(o, "lat", a->has_geo ? json_real(a->lat) : json_null());
    json_object_set_new(o, "lon", a->has_geo ? json_real(a->lon) : json_null());
    sq_json_set_str(o, "contact_name", a->contact_name);
    sq_json_set_str(o, "contact_phone", a->contact_phone);
    json_object_set_new(o, "urgency", json_string(a->urgency));
    json_object_set_new(o, "status", json_string(sq_appeal_status_name(a->status)));
    json_object_set_new(o, "handler_unit_id", json_integer(a->handler_unit_id));
    set_id(o, "handler_id", a->handler_id);
    set_id(o, "creator_id", a->creator_id);
    set_id(o, "collector_id", a->collector_id);
    json_object_set_new(o, "channel", json_string(a->channel));
    set_time(o, "created_at", a->created_at);
    set_time(o, "accepted_at", a->accepted_at);
    set_time(o, "response_due_at", a->response_due_at);
    set_time(o, "due_at", a->due_at);
    set_time(o, "warn_at", a->warn_at);
    set_time(o, "resolved_at", a->resolved_at);
    set_time(o, "closed_at", a->closed_at);
    set_time(o, "suspended_at", a->suspended_at);
    set_time(o, "updated_at", a->updated_at);
    json_object_set_new(o, "warned", json_boolean(a->warned));
    json_object_set_new(o, "overdue", json_boolean(a->overdue));
    json_object_set_new(o, "escalation_level", json_integer(a->escalation_level));
    json_object_set_new(o, "extension_requested_days",
                        a->extension_days ? json_integer(a->extension_days) : json_null());
    sq_json_set_str(o, "reply", a->reply);
    if (a->rated_at) {
        json_t *r = json_pack("{s:i,s:i,s:i,s:s,s:s}", "speed", a->rating_speed, "result",
                              a->rating_result, "attitude", a->rating_attitude, "solved",
                              a->rating_solved, "satisfaction", a->satisfaction);
        sq_json_set_str(r, "comment", a->rating_comment);
        set_time(r, "rated_at", a->rated_at);
        json_object_set_new(o, "rating", r);
    } else {
        json_object_set_new(o, "rating", json_null());
    }
    json_object_set_new(o, "reopen_count", json_integer(a->reopen_count));
    set_id(o, "master_id", a->master_id);
    set_id(o, "kb_answer_id", a->kb_answer_id);
    add_names(o, a);
    return o;
}

json_t *appeals_store_events_json(int64_t appeal_id)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT e.id, e.action, e.actor_id, u.display_name, e.from_status, e.to_status, e.note, "
        "e.data, e.created_at FROM appeal_events e LEFT JOIN users u ON u.id = e.actor_id WHERE "
        "e.appeal_id = ? ORDER BY e.id");
    json_t *arr = json_array();
    if (!st)
        return arr;
    sq_bind_int64(st, 1, appeal_id);
    while (sq_step(st) == SQ_ROW) {
        json_t *o = json_pack("{s:I,s:I,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "appeal_id",
                              (json_int_t)appeal_id, "action", sq_db_col_text(st, 1));
        set_id(o, "actor_id", sq_col_int64(st, 2));
        sq_json_set_str(o, "actor_name", sq_db_col_text(st, 3));
        sq_json_set_str(o, "from_status", sq_db_col_text(st, 4));
        sq_json_set_str(o, "to_status", sq_db_col_text(st, 5));
        sq_json_set_str(o, "note", sq_db_col_text(st, 6));
        json_t *data = json_loads(sq_db_col_text(st, 7), 0, NULL);
        json_object_set_new(o, "data", data ? data : json_null());
        set_time(o, "created_at", sq_col_int64(st, 8));
        json_array_append_new(arr, o);
    }
    sq_db_reset(st);
    return arr;
}

/* ---- the detail written straight into a buffer ---- */

/* Each prints what appeals_store_json and friends build, member for member
 * (tests/unit/test_appeal_detail.c compares them). key is the literal
 * ",\"name\":" that comes before the value. */
static void put_str(struct sq_jbuf *b, const char *key, const char *s)
{
    sq_jbuf_lit(b, key);
    sq_jbuf_str(b, s && *s ? s : NULL); /* as sq_json_set_str: "" is null */
}

static void put_id(struct sq_jbuf *b, const char *key, int64_t id)
{
    sq_jbuf_lit(b, key);
    if (id)
        sq_jbuf_int(b, id);
    else
        sq_jbuf_lit(b, "null");
}

static void put_time(struct sq_jbuf *b, const char *key, int64_t t)
{
    sq_jbuf_lit(b, key);
    sq_jbuf_time(b, t);
}

static void put_real(struct sq_jbuf *b, const char *key, bool has, double v)
{
    sq_jbuf_lit(b, key);
    if (has)
        sq_jbuf_real(b, v);
    else
        sq_jbuf_lit(b, "null");
}

void appeals_store_write_open(struct sq_jbuf *b, const struct sq_appeal *a, bool mask)
{
    sq_jbuf_lit(b, "{\"id\":");
    sq_jbuf_int(b, a->id);
    sq_jbuf_lit(b, ",\"tracking_no\":");
    sq_jbuf_str(b, a->tracking_no);
    sq_jbuf_lit(b, ",\"kind\":");
    sq_jbuf_str(b, a->kind);
    put_str(b, ",\"title\":", a->title);
    put_str(b, ",\"description\":", a->description);
    sq_jbuf_lit(b, ",\"category_id\":");
    sq_jbuf_int(b, a->category_id);
    sq_jbuf_lit(b, ",\"unit_id\":");
    sq_jbuf_int(b, a->unit_id);
    put_str(b, ",\"address\":", a->address);
    put_real(b, ",\"lat\":", a->has_geo, a->lat);
    put_real(b, ",\"lon\":", a->has_geo, a->lon);
    put_str(b, ",\"contact_name\":", a->contact_name);
    if (mask && a->contact_phone && *a->contact_phone) {
        char m[128]; /* as sq_json_mask_personal */
        sq_mask_phone(a->contact_phone, m, sizeof m);
        sq_jbuf_lit(b, ",\"contact_phone\":");
        sq_jbuf_str(b, m);
    } else {
        put_str(b, ",\"contact_phone\":", a->contact_phone);
    }
    sq_jbuf_lit(b, ",\"urgency\":");
    sq_jbuf_str(b, a->urgency);
    sq_jbuf_lit(b, ",\"status\":");
    sq_jbuf_str(b, sq_appeal_status_name(a->status));
    sq_jbuf_lit(b, ",\"handler_unit_id\":");
    sq_jbuf_int(b, a->handler_unit_id);
    put_id(b, ",\"handler_id\":", a->handler_id);
    put_id(b, ",\"creator_id\":", a->creator_id);
    put_id(b, ",\"collector_id\":", a->collector_id);
    sq_jbuf_lit(b, ",\"channel\":");
    sq_jbuf_str(b, a->channel);
    put_time(b, ",\"created_at\":", a->created_at);
    put_time(b, ",\"accepted_at\":", a->accepted_at);
    put_time(b, ",\"response_due_at\":", a->response_due_at);
    put_time(b, ",\"due_at\":", a->due_at);
    put_time(b, ",\"warn_at\":", a->warn_at);
    put_time(b, ",\"resolved_at\":", a->resolved_at);
    put_time(b, ",\"closed_at\":", a->closed_at);
    put_time(b, ",\"suspended_at\":", a->suspended_at);
    put_time(b, ",\"updated_at\":", a->updated_at);
    sq_jbuf_lit(b, a->warned ? ",\"warned\":true" : ",\"warned\":false");
    sq_jbuf_lit(b, a->overdue ? ",\"overdue\":true" : ",\"overdue\":false");
    sq_jbuf_lit(b, ",\"escalation_level\":");
    sq_jbuf_int(b, a->escalation_level);
    put_id(b, ",\"extension_requested_days\":", a->extension_days);
    put_str(b, ",\"reply\":", a->reply);
    if (a->rated_at) {
        sq_jbuf_lit(b, ",\"rating\":{\"speed\":");
        sq_jbuf_int(b, a->rating_speed);
        sq_jbuf_lit(b, ",\"result\":");
        sq_jbuf_int(b, a->rating_result);
        sq_jbuf_lit(b, ",\"attitude\":");
        sq_jbuf_int(b, a->rating_attitude);
        sq_jbuf_lit(b, ",\"solved\":");
        sq_jbuf_str(b, a->rating_solved);
        sq_jbuf_lit(b, ",\"satisfaction\":");
        sq_jbuf_str(b, a->satisfaction);
        put_str(b, ",\"comment\":", a->rating_comment);
        put_time(b, ",\"rated_at\":", a->rated_at);
        sq_jbuf_lit(b, "}");
    } else {
        sq_jbuf_lit(b, ",\"rating\":null");
    }
    sq_jbuf_lit(b, ",\"reopen_count\":");
    sq_jbuf_int(b, a->reopen_count);
    put_id(b, ",\"master_id\":", a->master_id);
    put_id(b, ",\"kb_answer_id\":", a->kb_answer_id);
    struct sq_stmt *st = names_row(a); /* as add_names */
    if (!st)
        return;
    put_str(b, ",\"category_name\":", sq_db_col_text(st, 0));
    put_str(b, ",\"unit_name\":", sq_db_col_text(st, 1));
    put_str(b, ",\"handler_unit_name\":", sq_db_col_text(st, 2));
    put_str(b, ",\"handler_name\":", sq_db_col_text(st, 3));
    sq_db_reset(st);
}

void appeals_store_write_events(struct sq_jbuf *b, int64_t appeal_id)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT e.id, e.action, e.actor_id, u.display_name, e.from_status, e.to_status, e.note, "
        "e.data, e.created_at FROM appeal_events e LEFT JOIN users u ON u.id = e.actor_id WHERE "
        "e.appeal_id = ? ORDER BY e.id");
    bool first = true;
    sq_jbuf_lit(b, "[");
    if (!st) {
        sq_jbuf_lit(b, "]");
        return;
    }
    sq_bind_int64(st, 1, appeal_id);
    while (sq_step(st) == SQ_ROW) {
        sq_jbuf_lit(b, first ? "{\"id\":" : ",{\"id\":");
        first = false;
        sq_jbuf_int(b, sq_col_int64(st, 0));
        sq_jbuf_lit(b, ",\"appeal_id\":");
        sq_jbuf_int(b, appeal_id);
        sq_jbuf_lit(b, ",\"action\":");
        sq_jbuf_str(b, sq_db_col_text(st, 1));
        put_id(b, ",\"actor_id\":", sq_col_int64(st, 2));
        put_str(b, ",\"actor_name\":", sq_db_col_text(st, 3));
        put_str(b, ",\"from_status\":", sq_db_col_text(st, 4));
        put_str(b, ",\"to_status\":", sq_db_col_text(st, 5));
        put_str(b, ",\"note\":", sq_db_col_text(st, 6));
        /* the stored text goes through jansson as before: few bytes, and
         * its printed form stays exactly the same */
        const char *text = sq_db_col_text(st, 7);
        json_t *data = text ? json_loads(text, 0, NULL) : NULL;
        sq_jbuf_lit(b, ",\"data\":");
        sq_jbuf_json(b, data);
        json_decref(data);
        put_time(b, ",\"created_at\":", sq_col_int64(st, 8));
        sq_jbuf_lit(b, "}");
    }
    sq_db_reset(st);
    sq_jbuf_lit(b, "]");
}

int appeals_store_visit_due(int64_t now, int64_t warn_before, int limit, sq_appeal_visit_fn fn,
                            void *ctx)
{
    (void)warn_before;
    /* warnings first, then overdue: both use partial/covering indexes */
    static const char *const sqls[] = {
        "SELECT " APPEAL_COLS " FROM appeals a WHERE a.warned = 0 AND a.warn_at <= ?1 AND "
        "a.status IN " SQ_APPEAL_RUNNING_SQL " ORDER BY a.warn_at LIMIT ?2",
        "SELECT " APPEAL_COLS " FROM appeals a WHERE a.status IN " SQ_APPEAL_RUNNING_SQL
        " AND a.due_at <= ?1 AND a.overdue = 0 ORDER BY a.due_at LIMIT ?2",
    };
    int n = 0;
    for (int q = 0; q < 2 && n < limit; q++) {
        /* collect first, then visit: fn writes, and must not run under our cursor */
        struct sq_appeal *batch = calloc((size_t)limit, sizeof *batch);
        int got = 0;
        struct sq_stmt *st = sq_db_stmt(sqls[q]);
        if (!st || !batch) {
            free(batch);
            return n;
        }
        sq_bind_int64(st, 1, now);
        sq_bind_int(st, 2, limit - n);
        while (got < limit - n && sq_step(st) == SQ_ROW)
            load_row(st, &batch[got++]);
        sq_db_reset(st);
        for (int i = 0; i < got; i++) {
            fn(&batch[i], ctx);
            sq_appeal_cleanup(&batch[i]);
        }
        free(batch);
        n += got;
    }
    return n;
}

enum sq_err appeals_store_load_calendar(struct sq_workcal *cal, struct sq_detail *d)
{
    sq_workcal_init(cal);
    struct sq_stmt *st = sq_db_stmt("SELECT key, value FROM settings WHERE key IN ('work_start',"
                                    "'work_end','break_start','break_end')");
    int v[4] = {9 * 60, 17 * 60 + 30, 0, 0};
    static const char *const keys[] = {"work_start", "work_end", "break_start", "break_end"};
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    while (sq_step(st) == SQ_ROW)
        for (int i = 0; i < 4; i++)
            if (!strcmp(keys[i], sq_db_col_text(st, 0)))
                sq_workcal_parse_hhmm(sq_db_col_text(st, 1), &v[i]);
    sq_db_reset(st);
    if (sq_workcal_set_hours(cal, v[0], v[1], v[2], v[3]))
        sq_workcal_set_hours(cal, 9 * 60, 17 * 60 + 30, 0, 0);
    st = sq_db_stmt("SELECT day, kind FROM calendar_days ORDER BY day");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    while (sq_step(st) == SQ_ROW)
        sq_workcal_add_exception(cal, sq_col_int(st, 0),
                                 strcmp(sq_db_col_text(st, 1), "holiday") ? SQ_WORKCAL_WORKDAY
                                                                          : SQ_WORKCAL_HOLIDAY);
    sq_db_reset(st);
    return SQ_OK;
}

/* ---- lists ---- */

/* Upper bound for a path-prefix range: "/1/4/" -> "/1/40" ('/' < '0'), so
 * "path >= prefix AND path < bound" uses the index where substr() cannot. */
static void prefix_bound(const char *prefix, char *out, size_t cap)
{
    snprintf(out, cap, "%s", prefix);
    size_t n = strlen(out);
    if (n && out[n - 1] == '/')
        out[n - 1] = '0';
}

/* ORDER BY of the list's sort names (struct appeals_filter.order) */
static const char *const list_orders[][2] = {
    {"-created_at", "a.created_at DESC, a.id DESC"},
    {"created_at", "a.created_at, a.id"},
    {"due_at", "a.due_at, a.id"},
    {"-due_at", "a.due_at DESC, a.id DESC"},
    {"-id", "a.id DESC"},
    {"id", "a.id"},
};

/* The ORDER BY of a sort name of the API ("-x" = descending); the first
 * entry when the name is unknown (the api validated it already). */
static const char *order_sql(const char *const (*t)[2], size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(t[i][0], name))
            return t[i][1];
    return t[0][1];
}

enum sq_err appeals_store_list(const struct sq_appeal_filter *f, const struct sq_page *p,
                               sq_appeal_item_fn fn, void *ctx, int64_t *total, struct sq_detail *d)
{
    char where[4096], sql[6144], bounds[SQ_MAX_GRANTS + 1][136];
    size_t w = 0;
    int nb = 0;
    struct sq_stmt *st, *count_st = NULL;
#define W(...) (w += (size_t)snprintf(where + w, sizeof where - w, __VA_ARGS__))
    W(" FROM appeals a WHERE 1");
    /* fixed parameters ?1..?12 */
    if (f->category_id)
        W(" AND a.category_id IN (SELECT id FROM categories WHERE id = ?1 OR parent_id = ?1)");
    if (f->unit_path)
        W(" AND a.handler_unit_path >= ?2 AND a.handler_unit_path < ?3");
    if (f->handler_id)
        W(" AND a.handler_id = ?4");
    if (f->kind)
        W(" AND a.kind = ?5");
    if (f->urgency)
        W(" AND a.urgency = ?6");
    if (f->q)
        W(" AND (a.title LIKE '%%' || ?7 || '%%' OR a.tracking_no = ?7)");
    if (f->from)
        W(" AND a.created_at >= ?8");
    if (f->to)
        W(" AND a.created_at < ?9");
    if (f->overdue)
        W(" AND a.overdue = 1 AND a.status IN " SQ_APPEAL_OPEN_SQL);
    if (f->due_before)
        W(" AND a.due_at <= ?10 AND a.status IN " SQ_APPEAL_RUNNING_SQL);
    if (f->creator_or_collector)
        W(" AND (a.creator_id = ?11 OR a.collector_id = ?11)");
    if (f->nstatuses) {
        W(" AND a.status IN (");
        for (int i = 0; i < f->nstatuses; i++)
            W("%s?%d", i ? "," : "", 20 + i);
        W(")");
    }
    if (f->scope_paths && f->nscope == 1) {
        /* the common case, written so that SQLite can use the path index */
        W(" AND a.handler_unit_path >= ?40 AND a.handler_unit_path < ?41");
    } else if (f->scope_paths) {
        W(" AND (0");
        for (int i = 0; i < f->nscope; i++)
            W(" OR (a.handler_unit_path >= ?%d AND a.handler_unit_path < ?%d)", 40 + 2 * i,
              41 + 2 * i);
        W(")");
    }
#undef W
    if (f->unit_path)
        prefix_bound(f->unit_path, bounds[nb++], sizeof bounds[0]);
    const char *order =
        order_sql(list_orders, sizeof list_orders / sizeof list_orders[0], f->order);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
        else
            snprintf(sql, sizeof sql,
                     "SELECT a.id, a.tracking_no, a.kind, a.title, a.status, a.urgency, "
                     "a.category_id, c.name, a.unit_id, lu.name, a.handler_unit_id, hu.name, "
                     "a.handler_id, a.created_at, a.due_at, a.warned, a.overdue, a.channel, "
                     "a.satisfaction, a.reopen_count FROM (SELECT a.id%s ORDER BY %s LIMIT ?12 "
                     "OFFSET ?13) page JOIN appeals a ON a.id = page.id JOIN categories c ON "
                     "c.id = a.category_id JOIN units lu ON lu.id = a.unit_id JOIN units hu ON "
                     "hu.id = a.handler_unit_id ORDER BY %s",
                     where, order, order);
        if (!(st = sq_db_stmt(sql))) {
            sq_db_reset(count_st);
            return sq_fail(d, SQ_EDB, NULL, "database error");
        }
        if (f->category_id)
            sq_bind_int64(st, 1, f->category_id);
        if (f->unit_path) {
            sq_bind_text(st, 2, f->unit_path);
            sq_bind_text(st, 3, bounds[0]);
        }
        if (f->handler_id)
            sq_bind_int64(st, 4, f->handler_id);
        if (f->kind)
            sq_bind_text(st, 5, f->kind);
        if (f->urgency)
            sq_bind_text(st, 6, f->urgency);
        if (f->q)
            sq_bind_text(st, 7, f->q);
        if (f->from)
            sq_bind_int64(st, 8, f->from);
        if (f->to)
            sq_bind_int64(st, 9, f->to);
        if (f->due_before)
            sq_bind_int64(st, 10, f->due_before);
        if (f->creator_or_collector)
            sq_bind_int64(st, 11, f->creator_or_collector);
        for (int i = 0; i < f->nstatuses; i++)
            sq_bind_text(st, 20 + i, f->statuses[i]);
        for (int i = 0; f->scope_paths && i < f->nscope; i++) {
            char b[136];
            prefix_bound(f->scope_paths[i], b, sizeof b);
            sq_bind_text(st, 40 + 2 * i, f->scope_paths[i]);
            sq_bind_text(st, 41 + 2 * i, b);
        }
        if (pass == 0) {
            /* left unreset until the page is read: both statements then run
             * in one read transaction (one snapshot, one WAL lock) */
            *total = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
            count_st = st;
            if (*total <= p->offset)
                break;
            continue;
        }
        sq_bind_int(st, 12, p->limit);
        sq_bind_int64(st, 13, p->offset);
        while (sq_step(st) == SQ_ROW) {
            struct sq_appeal_item it = {
                .id = sq_col_int64(st, 0),
                .tracking_no = sq_db_col_text(st, 1),
                .kind = sq_db_col_text(st, 2),
                .title = sq_db_col_text(st, 3),
                .status = sq_db_col_text(st, 4),
                .urgency = sq_db_col_text(st, 5),
                .category_id = sq_col_int64(st, 6),
                .category_name = sq_db_col_text(st, 7),
                .unit_id = sq_col_int64(st, 8),
                .unit_name = sq_db_col_text(st, 9),
                .handler_unit_id = sq_col_int64(st, 10),
                .handler_unit_name = sq_db_col_text(st, 11),
                .handler_id = sq_col_int64(st, 12),
                .created_at = sq_col_int64(st, 13),
                .due_at = sq_col_int64(st, 14),
                .warned = sq_col_int(st, 15) != 0,
                .overdue = sq_col_int(st, 16) != 0,
                .channel = sq_db_col_text(st, 17),
                .satisfaction = sq_db_col_text(st, 18),
                .reopen_count = sq_col_int(st, 19),
            };
            fn(&it, ctx);
        }
        sq_db_reset(st);
    }
    sq_db_reset(count_st);
    return SQ_OK;
}

int appeals_store_children(int64_t master_id, int64_t **ids)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id FROM appeals WHERE master_id = ? AND status = "
                                    "'merged' ORDER BY id LIMIT 1000");
    int n = 0;
    *ids = calloc(1000, sizeof **ids);
    if (!st || !*ids)
        return 0;
    sq_bind_int64(st, 1, master_id);
    while (sq_step(st) == SQ_ROW)
        (*ids)[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

enum sq_err appeals_store_idem_claim(const char *scope, const char *key, const char *hash,
                                     int64_t *replay_id, struct sq_detail *d)
{
    enum sq_err e;
    *replay_id = 0;
    /* the primary key (scope, key) decides who holds the key */
    struct sq_stmt *st = sq_db_stmt("INSERT INTO idempotency_keys(scope, key, request_hash, "
                                    "appeal_id, created_at) VALUES (?,?,?,NULL,?) ON CONFLICT "
                                    "(scope, key) DO NOTHING");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, scope);
    sq_bind_text(st, 2, key);
    sq_bind_text(st, 3, hash);
    sq_bind_int64(st, 4, sq_clock_now());
    if ((e = sq_db_exec_stmt(st, d)))
        return e;
    if (sq_db_changes() == 1)
        return SQ_OK; /* ours: the caller creates the appeal and binds it */
    if (!(st = sq_db_stmt("SELECT request_hash, appeal_id FROM idempotency_keys WHERE scope = ? "
                          "AND key = ?")))
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, scope);
    sq_bind_text(st, 2, key);
    bool same = false;
    if (sq_step(st) == SQ_ROW) {
        same = !strcmp(sq_db_col_text(st, 0), hash);
        *replay_id = sq_col_int64(st, 1);
    }
    sq_db_reset(st);
    if (same && *replay_id)
        return SQ_OK;
    *replay_id = 0;
    return sq_fail(d, SQ_EIDEMKEY, "Idempotency-Key",
                   "此 Idempotency-Key 已用于另一份诉求，请换一个新的 / this Idempotency-Key was "
                   "already used for a different request: use a new key");
}

enum sq_err appeals_store_idem_bind(const char *scope, const char *key, int64_t appeal_id,
                                    struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE idempotency_keys SET appeal_id = ? WHERE scope = ? AND "
                                    "key = ? AND appeal_id IS NULL");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    sq_bind_text(st, 2, scope);
    sq_bind_text(st, 3, key);
    enum sq_err e = sq_db_exec_stmt(st, d);
    if (!e && sq_db_changes() != 1)
        e = sq_fail(d, SQ_EINTERNAL, NULL, "idempotency key %s was not claimed", key);
    return e;
}

enum sq_err appeals_store_attachment_add(int64_t appeal_id, const char *filename, const char *ctype,
                                         int64_t size, const char *sha256, const char *path,
                                         int64_t by, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO attachments(appeal_id, filename, content_type, "
                                    "size, sha256, storage_path, created_by, created_at) VALUES "
                                    "(?,?,?,?,?,?,?,?) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    sq_bind_text(st, 2, filename);
    sq_bind_text(st, 3, ctype);
    sq_bind_int64(st, 4, size);
    sq_bind_text(st, 5, sha256);
    sq_bind_text(st, 6, path);
    sq_db_bind_id(st, 7, by);
    sq_bind_int64(st, 8, sq_clock_now());
    enum sq_err e = sq_db_exec_id(st, id, d);
    return e;
}

json_t *appeals_store_attachments_json(int64_t appeal_id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id, filename, content_type, size, sha256, created_at "
                                    "FROM attachments WHERE appeal_id = ? ORDER BY id");
    json_t *a = json_array();
    if (!st)
        return a;
    sq_bind_int64(st, 1, appeal_id);
    while (sq_step(st) == SQ_ROW) {
        char url[64];
        snprintf(url, sizeof url, "/api/v1/attachments/%lld", (long long)sq_col_int64(st, 0));
        json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)sq_col_int64(st, 0),
                              "filename", sq_db_col_text(st, 1), "content_type",
                              sq_db_col_text(st, 2), "size", (json_int_t)sq_col_int64(st, 3),
                              "sha256", sq_db_col_text(st, 4), "url", url);
        set_time(o, "created_at", sq_col_int64(st, 5));
        json_array_append_new(a, o);
    }
    sq_db_reset(st);
    return a;
}

void appeals_store_write_attachments(struct sq_jbuf *b, int64_t appeal_id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id, filename, content_type, size, sha256, created_at "
                                    "FROM attachments WHERE appeal_id = ? ORDER BY id");
    bool first = true;
    sq_jbuf_lit(b, "[");
    if (!st) {
        sq_jbuf_lit(b, "]");
        return;
    }
    sq_bind_int64(st, 1, appeal_id);
    while (sq_step(st) == SQ_ROW) {
        int64_t id = sq_col_int64(st, 0);
        sq_jbuf_lit(b, first ? "{\"id\":" : ",{\"id\":");
        first = false;
        sq_jbuf_int(b, id);
        sq_jbuf_lit(b, ",\"filename\":");
        sq_jbuf_str(b, sq_db_col_text(st, 1));
        sq_jbuf_lit(b, ",\"content_type\":");
        sq_jbuf_str(b, sq_db_col_text(st, 2));
        sq_jbuf_lit(b, ",\"size\":");
        sq_jbuf_int(b, sq_col_int64(st, 3));
        sq_jbuf_lit(b, ",\"sha256\":");
        sq_jbuf_str(b, sq_db_col_text(st, 4));
        sq_jbuf_lit(b, ",\"url\":\"/api/v1/attachments/");
        sq_jbuf_int(b, id);
        sq_jbuf_lit(b, "\"");
        put_time(b, ",\"created_at\":", sq_col_int64(st, 5));
        sq_jbuf_lit(b, "}");
    }
    sq_db_reset(st);
    sq_jbuf_lit(b, "]");
}

enum sq_err appeals_store_attachment_get(int64_t id, int64_t *appeal_id, char *ctype, size_t ctcap,
                                         char *path, size_t pathcap, char *filename, size_t fncap,
                                         struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT appeal_id, content_type, storage_path, filename FROM "
                                    "attachments WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no such attachment");
    }
    *appeal_id = sq_col_int64(st, 0);
    snprintf(ctype, ctcap, "%s", sq_db_col_text(st, 1));
    snprintf(path, pathcap, "%s", sq_db_col_text(st, 2));
    snprintf(filename, fncap, "%s", sq_db_col_text(st, 3));
    sq_db_reset(st);
    return SQ_OK;
}
