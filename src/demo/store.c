/*
 * demo store: the demo generator's own statements (see store.h). The big
 * insert is prepared once (the statement cache) and bound per appeal; text
 * is bound by reference, since it lives in the generator's buffers until
 * the statement has run.
 */
#include "demo/store.h"

#include "core/db.h"

int64_t demo_store_max_unit_id(void)
{
    return sq_db_scalar("SELECT coalesce(max(id), 0) FROM units");
}

enum sq_err demo_store_units_each(demo_unit_fn fn, void *arg, struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT id, parent_id, kind, path, name FROM units ORDER BY id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW)
        fn(arg, sq_col_int64(st, 0), sq_col_int64(st, 1), sq_db_col_text(st, 2),
           sq_db_col_text(st, 3), sq_db_col_text(st, 4));
    enum sq_err e = rc == SQ_DONE ? SQ_OK : sq_db_last_error(d);
    sq_db_reset(st);
    return e;
}

enum sq_err demo_store_leaf_categories_each(demo_leaf_fn fn, void *arg, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT c.id, c.code, c.name FROM categories c WHERE "
                                    "c.active = 1 AND c.parent_id IS NOT NULL ORDER BY c.id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    while (sq_step(st) == SQ_ROW &&
           fn(arg, sq_col_int64(st, 0), sq_db_col_text(st, 1), sq_db_col_text(st, 2)))
        ;
    sq_db_reset(st);
    return SQ_OK;
}

int64_t demo_store_user_id(const char *login)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id FROM users WHERE login = ?");
    int64_t id = 0;
    if (!st)
        return 0;
    sq_bind_text_ref(st, 1, login);
    if (sq_step(st) == SQ_ROW)
        id = sq_col_int64(st, 0);
    sq_db_reset(st);
    return id;
}

enum sq_err demo_store_calendar_day(int ymd, const char *kind, const char *name,
                                    struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO calendar_days(day, kind, name) VALUES (?, ?, ?) "
                                    "ON CONFLICT (day) DO NOTHING");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, ymd);
    sq_bind_text_ref(st, 2, kind);
    sq_bind_text_ref(st, 3, name);
    return sq_db_exec_stmt(st, d);
}

static void bind_opt_text(struct sq_stmt *st, int i, const char *s)
{
    if (s && *s)
        sq_bind_text_ref(st, i, s);
    else
        sq_bind_null(st, i);
}

static void bind_opt_int64(struct sq_stmt *st, int i, int64_t v)
{
    if (v)
        sq_bind_int64(st, i, v);
    else
        sq_bind_null(st, i);
}

enum sq_err demo_store_appeal_insert(const struct sq_appeal *a, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO appeals(tracking_no, kind, title, description, category_id, unit_id, "
        "address, lat, lon, contact_name, contact_phone, urgency, status, handler_unit_id, "
        "handler_unit_path, handler_id, creator_id, collector_id, channel, created_at, "
        "accepted_at, response_due_at, due_at, warn_at, resolved_at, closed_at, suspended_at, "
        "warned, overdue, escalation_level, extension_days, reply, rating_speed, rating_result, "
        "rating_attitude, rating_solved, satisfaction, rating_comment, rated_at, reopen_count, "
        "master_id, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
        "?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,"
        "?38,?39,?40,?41,?42) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text_ref(st, 1, a->tracking_no);
    sq_bind_text_ref(st, 2, a->kind);
    sq_bind_text_ref(st, 3, a->title);
    sq_bind_text_ref(st, 4, a->description);
    sq_bind_int64(st, 5, a->category_id);
    sq_bind_int64(st, 6, a->unit_id);
    bind_opt_text(st, 7, a->address);
    if (a->has_geo) {
        sq_bind_double(st, 8, a->lat);
        sq_bind_double(st, 9, a->lon);
    } else {
        sq_bind_null(st, 8);
        sq_bind_null(st, 9);
    }
    bind_opt_text(st, 10, a->contact_name);
    bind_opt_text(st, 11, a->contact_phone);
    sq_bind_text_ref(st, 12, a->urgency);
    sq_bind_text_ref(st, 13, sq_appeal_status_name(a->status));
    sq_bind_int64(st, 14, a->handler_unit_id);
    sq_bind_text_ref(st, 15, a->handler_unit_path);
    bind_opt_int64(st, 16, a->handler_id);
    bind_opt_int64(st, 17, a->creator_id);
    bind_opt_int64(st, 18, a->collector_id);
    sq_bind_text_ref(st, 19, a->channel);
    sq_bind_int64(st, 20, a->created_at);
    bind_opt_int64(st, 21, a->accepted_at);
    bind_opt_int64(st, 22, a->response_due_at);
    bind_opt_int64(st, 23, a->due_at);
    bind_opt_int64(st, 24, a->warn_at);
    bind_opt_int64(st, 25, a->resolved_at);
    bind_opt_int64(st, 26, a->closed_at);
    bind_opt_int64(st, 27, a->suspended_at);
    sq_bind_int(st, 28, a->warned);
    sq_bind_int(st, 29, a->overdue);
    sq_bind_int(st, 30, a->escalation_level);
    sq_bind_int(st, 31, a->extension_days);
    bind_opt_text(st, 32, a->reply);
    bind_opt_int64(st, 33, a->rating_speed);
    bind_opt_int64(st, 34, a->rating_result);
    bind_opt_int64(st, 35, a->rating_attitude);
    bind_opt_text(st, 36, a->rating_solved);
    bind_opt_text(st, 37, a->satisfaction);
    bind_opt_text(st, 38, a->rating_comment);
    bind_opt_int64(st, 39, a->rated_at);
    sq_bind_int(st, 40, a->reopen_count);
    bind_opt_int64(st, 41, a->master_id);
    sq_bind_int64(st, 42, a->updated_at);
    return sq_db_exec_id(st, id, d);
}

enum sq_err demo_store_event_insert(int64_t appeal_id, int action, int64_t actor, int from, int to,
                                    const char *note, const char *data, int64_t t,
                                    struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO appeal_events(appeal_id, action, actor_id, "
                                    "from_status, to_status, note, data, created_at) VALUES "
                                    "(?,?,?,?,?,?,?,?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    sq_bind_text_ref(st, 2, sq_appeal_action_name(action));
    bind_opt_int64(st, 3, actor);
    if (from >= 0)
        sq_bind_text_ref(st, 4, sq_appeal_status_name(from));
    else
        sq_bind_null(st, 4);
    sq_bind_text_ref(st, 5, sq_appeal_status_name(to));
    bind_opt_text(st, 6, note);
    bind_opt_text(st, 7, data);
    sq_bind_int64(st, 8, t);
    return sq_db_exec_stmt(st, d);
}

enum sq_err demo_store_tracking_seq(int ymd, int64_t n, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO tracking_seq(day, last) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET "
        "last = CASE WHEN tracking_seq.last > excluded.last THEN tracking_seq.last ELSE "
        "excluded.last END");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, ymd);
    sq_bind_int64(st, 2, n);
    return sq_db_exec_stmt(st, d);
}
