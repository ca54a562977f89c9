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
    sq_db_bind_id(st, 3, actor);
    if (from >= 0)
        sq_bind_text_ref(st, 4, sq_appeal_status_name(from));
    else
        sq_bind_null(st, 4);
    sq_bind_text_ref(st, 5, sq_appeal_status_name(to));
    sq_db_bind_text(st, 6, note);
    sq_db_bind_text(st, 7, data);
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
