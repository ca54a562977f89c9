/*
 * audit store: INSERT and SELECT on audit_log, nothing else, and the one
 * invariant of its details: personal data (phone numbers, ID numbers) is
 * masked in them when written, and again when read (rows written before the
 * masking existed cannot be rewritten: the log is append-only).
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/auth.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/json.h"
#include "core/log.h"

enum sq_err sq_audit_write(int64_t actor_id, const char *action, const char *target_type,
                           int64_t target_id, const char *ip, json_t *detail)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO audit_log(at, actor_id, action, target_type, "
                                    "target_id, ip, detail) VALUES (?,?,?,?,?,?,?)");
    if (!st)
        return SQ_EDB;
    json_t *masked = detail ? json_deep_copy(detail) : NULL; /* detail is the caller's */
    sq_json_mask_personal(masked);
    char *text = masked ? json_dumps(masked, JSON_COMPACT) : NULL;
    json_decref(masked);
    sq_bind_int64(st, 1, sq_clock_now());
    sq_db_bind_id(st, 2, actor_id);
    sq_bind_text_ref(st, 3, action);
    sq_db_bind_text(st, 4, target_type);
    sq_db_bind_id(st, 5, target_id);
    sq_db_bind_text(st, 6, ip);
    sq_db_bind_text(st, 7, text);
    enum sq_err e = sq_db_exec_stmt(st, NULL);
    if (e)
        sq_error("event=audit_write_failed action=%s", action);
    free(text);
    return e;
}

enum sq_err sq_audit_list(const struct sq_audit_filter *f, const struct sq_page *p, json_t **items,
                          int64_t *total, struct sq_detail *d)
{
    static const char *where = " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
                               "WHERE (?1 IS NULL OR a.action = ?1) AND (?2 IS NULL OR "
                               "a.actor_id = ?2) AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL "
                               "OR a.at < ?4)";
    char sql[1024];
    struct sq_stmt *st;
    *items = json_array();
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
        else
            snprintf(sql, sizeof sql,
                     "SELECT a.id, a.at, a.actor_id, u.login, a.action, a.target_type, "
                     "a.target_id, a.ip, a.detail%s ORDER BY a.id DESC LIMIT ?5 OFFSET ?6",
                     where);
        if (!(st = sq_db_stmt(sql)))
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_db_bind_text(st, 1, f->action);
        sq_db_bind_id(st, 2, f->actor_id);
        if (f->from)
            sq_bind_int64(st, 3, f->from);
        if (f->to)
            sq_bind_int64(st, 4, f->to);
        if (pass == 0) {
            *total = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
            sq_db_reset(st);
            continue;
        }
        sq_bind_int(st, 5, p->limit);
        sq_bind_int64(st, 6, p->offset);
        while (sq_step(st) == SQ_ROW) {
            char at[32];
            sq_clock_iso(sq_col_int64(st, 1), at);
            json_t *row = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "at",
                                    at, "action", sq_db_col_text(st, 4));
            json_object_set_new(row, "actor_id",
                                sq_col_is_null(st, 2) ? json_null()
                                                      : json_integer(sq_col_int64(st, 2)));
            sq_json_set_str(row, "actor_login", sq_db_col_text(st, 3));
            sq_json_set_str(row, "target_type", sq_db_col_text(st, 5));
            json_object_set_new(row, "target_id",
                                sq_col_is_null(st, 6) ? json_null()
                                                      : json_integer(sq_col_int64(st, 6)));
            sq_json_set_str(row, "ip", sq_db_col_text(st, 7));
            json_t *det = json_loads(sq_db_col_text(st, 8), 0, NULL);
            sq_json_mask_personal(det);
            json_object_set_new(row, "detail", det ? det : json_null());
            json_array_append_new(*items, row);
        }
        sq_db_reset(st);
    }
    return SQ_OK;
}
