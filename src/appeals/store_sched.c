/*
 * sched store: the SQL of the deadline scheduler: open appeals past their
 * warning time (partial index appeals_open_warn) or deadline
 * (appeals_status_due), the repeated-escalation bookkeeping
 * (appeal_escalations) and the appeals waiting to be closed after the
 * rating period (appeals_resolved_wait, appeals_rated_wait); all in
 * 004_notify.sql. Each query is bounded by its LIMIT and reads only rows it
 * returns.
 */
#include <string.h>

#include "appeals/appeals.h"
#include "appeals/sched.h"
#include "core/db.h"

int appeals_store_escalations_due(int64_t now, struct sq_escalation_row *out, int max)
{
    struct sq_stmt *st = sq_db_stmt("SELECT appeal_id, due_at, count, next_at FROM "
                                    "appeal_escalations WHERE next_at <= ? ORDER BY next_at "
                                    "LIMIT ?");
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, now);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW) {
        out[n].appeal_id = sq_col_int64(st, 0);
        out[n].due_at = sq_col_int64(st, 1);
        out[n].count = sq_col_int(st, 2);
        out[n].next_at = sq_col_int64(st, 3);
        n++;
    }
    sq_db_reset(st);
    return n;
}

enum sq_err appeals_store_escalation_put(const struct sq_escalation_row *row, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO appeal_escalations(appeal_id, due_at, count, "
                                    "next_at) VALUES (?1,?2,?3,?4) ON CONFLICT(appeal_id) DO "
                                    "UPDATE SET due_at = ?2, count = ?3, next_at = ?4");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, row->appeal_id);
    sq_bind_int64(st, 2, row->due_at);
    sq_bind_int(st, 3, row->count);
    sq_bind_int64(st, 4, row->next_at);
    return sq_db_exec_stmt(st, d);
}

enum sq_err appeals_store_escalation_drop(int64_t appeal_id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("DELETE FROM appeal_escalations WHERE appeal_id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    return sq_db_exec_stmt(st, d);
}

int appeals_store_open_due(const char *which, int64_t now, int64_t *ids, int max)
{
    /* the warn query repeats the partial index's own terms (004_notify.sql) */
    struct sq_stmt *st = sq_db_stmt(
        !strcmp(which, "warn")
            ? "SELECT id FROM appeals WHERE warned = 0 AND status IN " SQ_APPEAL_RUNNING_SQL
              " AND warn_at <= ? ORDER BY warn_at LIMIT ?"
            : "SELECT id FROM appeals WHERE overdue = 0 AND status IN " SQ_APPEAL_RUNNING_SQL
              " AND due_at <= ? ORDER BY due_at LIMIT ?");
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, now);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW)
        ids[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

int appeals_store_closable(const char *status, int64_t before, int64_t *ids, int max)
{
    /* literal status values so the partial indexes apply */
    struct sq_stmt *st = sq_db_stmt(
        !strcmp(status, "evaluated")
            ? "SELECT id FROM appeals WHERE status = 'evaluated' AND rated_at <= ? ORDER BY "
              "rated_at LIMIT ?"
            : "SELECT id FROM appeals WHERE status = 'resolved' AND resolved_at <= ? ORDER BY "
              "resolved_at LIMIT ?");
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, before);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW)
        ids[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}
