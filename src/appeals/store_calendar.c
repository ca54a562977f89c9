/*
 * calendar store: SQL for calendar_days and the working-hours settings.
 * Reading the calendar into a struct sq_workcal is appeals_store_load_calendar
 * (store.c); this file serves the calendar API.
 */
#include <stdio.h>
#include <string.h>

#include "appeals/calendar.h"
#include "core/db.h"
#include "core/json.h"

void sq_calendar_date_str(int day, char *out)
{
    unsigned u = day > 0 ? (unsigned)day : 0;
    snprintf(out, 11, "%04u-%02u-%02u", (u / 10000) % 10000, (u / 100) % 100, u % 100);
}

json_t *appeals_store_calendar_days_json(int from, int to)
{
    struct sq_stmt *st = sq_db_stmt("SELECT day, kind, name FROM calendar_days WHERE day >= ? AND "
                                    "day <= ? ORDER BY day");
    json_t *arr = json_array();
    char date[11];
    if (!st)
        return arr;
    sq_bind_int(st, 1, from);
    sq_bind_int(st, 2, to);
    while (sq_step(st) == SQ_ROW) {
        sq_calendar_date_str(sq_col_int(st, 0), date);
        json_t *o = json_pack("{s:s,s:s}", "date", date, "kind", sq_db_col_text(st, 1));
        sq_json_set_str(o, "name", sq_db_col_text(st, 2));
        json_array_append_new(arr, o);
    }
    sq_db_reset(st);
    return arr;
}

json_t *appeals_store_calendar_hours_json(void)
{
    static const char *const keys[] = {"work_start", "work_end", "break_start", "break_end"};
    json_t *o = json_pack("{s:s,s:s,s:n,s:n}", "work_start", "09:00", "work_end", "17:30",
                          "break_start", "break_end");
    struct sq_stmt *st = sq_db_stmt("SELECT key, value FROM settings WHERE key IN ('work_start',"
                                    "'work_end','break_start','break_end')");
    if (!st)
        return o;
    while (sq_step(st) == SQ_ROW)
        for (int i = 0; i < 4; i++)
            if (!strcmp(keys[i], sq_db_col_text(st, 0)))
                json_object_set_new(o, keys[i], json_string(sq_db_col_text(st, 1)));
    sq_db_reset(st);
    return o;
}

enum sq_err appeals_store_calendar_put(int day, const char *kind, const char *name, bool *created,
                                       struct sq_detail *d)
{
    enum sq_err e;
    struct sq_stmt *st;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(st = sq_db_stmt("SELECT 1 FROM calendar_days WHERE day = ?"))) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int(st, 1, day);
    *created = sq_step(st) != SQ_ROW;
    sq_db_reset(st);
    if (!(st = sq_db_stmt("INSERT INTO calendar_days(day, kind, name) VALUES (?,?,?) ON "
                          "CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = "
                          "excluded.name"))) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int(st, 1, day);
    sq_bind_text(st, 2, kind);
    sq_db_bind_text(st, 3, name);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err appeals_store_calendar_delete(int day, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("DELETE FROM calendar_days WHERE day = ?");
    enum sq_err e;
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, day);
    if ((e = sq_db_exec_stmt(st, d)))
        return e;
    if (sq_db_changes() == 0)
        return sq_fail(d, SQ_ENOTFOUND, NULL, "the calendar has no entry for this date");
    return SQ_OK;
}

static enum sq_err put_setting(const char *key, const char *value, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(value ? "INSERT INTO settings(key, value) VALUES (?1, ?2) ON "
                                            "CONFLICT(key) DO UPDATE SET value = excluded.value"
                                          : "DELETE FROM settings WHERE key = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text_ref(st, 1, key);
    if (value)
        sq_bind_text(st, 2, value);
    return sq_db_exec_stmt(st, d);
}

enum sq_err appeals_store_calendar_set_hours(const char *work_start, const char *work_end,
                                             const char *break_start, const char *break_end,
                                             struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if ((e = put_setting("work_start", work_start, d)) ||
        (e = put_setting("work_end", work_end, d)) ||
        (e = put_setting("break_start", break_start, d)) ||
        (e = put_setting("break_end", break_end, d))) {
        sq_db_rollback();
        return e;
    }
    return sq_db_commit(d);
}
