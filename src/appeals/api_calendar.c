/*
 * calendar api: the working calendar behind every time limit (限时办结).
 * Everyone signed in reads it (handlers plan by it); district admins change
 * it. Each change is audited and invalidates the shared calendar so the next
 * deadline computed uses it. Deadlines already stored are not recomputed:
 * a time limit is fixed when it is set (docs/appeals.md).
 */
#include <stdio.h>
#include <string.h>

#include "appeals/appeals.h"
#include "appeals/calendar.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"

/* Longest range one GET returns: ten years of exceptions is a few hundred rows. */
#define CAL_MAX_YEARS 10

static const char *const day_kinds[] = {"holiday", "workday", NULL};

/* Reads ?name=YYYY-MM-DD into *day; 0 when absent or valid, else the reply. */
static int query_date(struct sq_req *r, const char *name, int *day)
{
    const char *s = sq_req_query(r, name);
    if (s && sq_workcal_parse_date(s, day))
        return sq_reply_errf(r, SQ_EINVAL, name, "%s must be a date YYYY-MM-DD", name);
    return 0;
}

static int calendar_get(struct sq_req *r)
{
    struct sq_workcal cal;
    char a[11], b[11];
    int st;
    sq_workcal_init(&cal);
    int today = sq_workcal_date_of(&cal, sq_clock_now());
    sq_workcal_cleanup(&cal);
    int from = (today / 10000) * 10000 + 101, to = (today / 10000) * 10000 + 1231;
    if ((st = query_date(r, "from", &from)) || (st = query_date(r, "to", &to)))
        return st;
    if (to < from)
        return sq_reply_errf(r, SQ_EINVAL, "to", "to must not be before from");
    if (to / 10000 - from / 10000 >= CAL_MAX_YEARS)
        return sq_reply_errf(r, SQ_EINVAL, "to", "ask for at most %d years at a time",
                             CAL_MAX_YEARS);
    sq_calendar_date_str(from, a);
    sq_calendar_date_str(to, b);
    return sq_reply_json(r, 200,
                         json_pack("{s:s,s:s,s:o,s:o}", "from", a, "to", b, "days",
                                   appeals_store_calendar_days_json(from, to), "settings",
                                   appeals_store_calendar_hours_json()));
}

static const struct sq_field day_fields[] = {
    {.name = "date", .type = SQ_F_DATE, .required = true},
    {.name = "kind", .type = SQ_F_ENUM, .required = true, .choices = day_kinds},
    {.name = "name", .type = SQ_F_STR, .max = 50, .nullable = true},
    {0},
};

static int calendar_put_day(struct sq_req *r)
{
    struct sq_detail d = {0};
    char date[11];
    int day;
    bool created = false;
    enum sq_err e = sq_validate(r->json, day_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if (sq_workcal_parse_date(sq_json_str(r->json, "date", ""), &day))
        return sq_reply_errf(r, SQ_EINVAL, "date", "date must be a real date YYYY-MM-DD");
    const char *kind = sq_json_str(r->json, "kind", "holiday");
    const char *name = sq_json_str(r->json, "name", NULL);
    if ((e = appeals_store_calendar_put(day, kind, name, &created, &d)))
        return sq_reply_err(r, e, &d);
    appeals_calendar_invalidate();
    sq_audit_write(r->user->id, "calendar_day_put", "calendar_day", day, r->ip, r->json);
    sq_calendar_date_str(day, date);
    json_t *o = json_pack("{s:s,s:s}", "date", date, "kind", kind);
    sq_json_set_str(o, "name", name);
    return sq_reply_json(r, created ? 201 : 200, o);
}

static int calendar_delete_day(struct sq_req *r)
{
    struct sq_detail d = {0};
    int day;
    if (sq_workcal_parse_date(sq_req_param(r, "date"), &day))
        return sq_reply_errf(r, SQ_EINVAL, "date", "the path must name a date YYYY-MM-DD");
    enum sq_err e = appeals_store_calendar_delete(day, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    appeals_calendar_invalidate();
    sq_audit_write(r->user->id, "calendar_day_delete", "calendar_day", day, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static const struct sq_field hours_fields[] = {
    {.name = "work_start", .type = SQ_F_STR, .required = true, .max = 16},
    {.name = "work_end", .type = SQ_F_STR, .required = true, .max = 16},
    {.name = "break_start", .type = SQ_F_STR, .max = 16, .nullable = true},
    {.name = "break_end", .type = SQ_F_STR, .max = 16, .nullable = true},
    {0},
};

static int calendar_put_hours(struct sq_req *r)
{
    static const char *const names[] = {"work_start", "work_end", "break_start", "break_end"};
    struct sq_detail d = {0};
    struct sq_workcal cal;
    const char *v[4];
    int m[4] = {0, 0, 0, 0};
    enum sq_err e = sq_validate(r->json, hours_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    for (int i = 0; i < 4; i++) {
        v[i] = sq_json_str(r->json, names[i], NULL);
        if (v[i] && sq_workcal_parse_hhmm(v[i], &m[i]))
            return sq_reply_errf(r, SQ_EINVAL, names[i], "%s must be a time HH:MM", names[i]);
    }
    if (!v[2] != !v[3])
        return sq_reply_errf(r, SQ_EINVAL, v[2] ? "break_end" : "break_start",
                             "give both break_start and break_end, or neither");
    if (v[2] && m[2] == m[3]) { /* an empty break is no break */
        v[2] = v[3] = NULL;
        m[2] = m[3] = 0;
    }
    sq_workcal_init(&cal);
    int bad = sq_workcal_set_hours(&cal, m[0], m[1], m[2], m[3]);
    sq_workcal_cleanup(&cal);
    if (bad)
        return sq_reply_errf(r, SQ_EINVAL, v[2] ? "break_start" : "work_end",
                             "working hours must satisfy work_start < break_start < break_end "
                             "< work_end");
    if ((e = appeals_store_calendar_set_hours(v[0], v[1], v[2], v[3], &d)))
        return sq_reply_err(r, e, &d);
    appeals_calendar_invalidate();
    sq_audit_write(r->user->id, "calendar_hours_put", "settings", 0, r->ip, r->json);
    return sq_reply_json(r, 200, appeals_store_calendar_hours_json());
}

static const struct sq_query calendar_query[] = {
    {.name = "from", .type = SQ_Q_DATE, .desc = "first day (default 1 January)"},
    {.name = "to", .type = SQ_Q_DATE, .desc = "last day (default 31 December)"},
    {0},
};

const struct sq_route appeals_calendar_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/calendar",
     .query = calendar_query,
     .fn = calendar_get,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "holidays, make-up workdays and working hours (from, to: YYYY-MM-DD)"},
    {.method = "POST",
     .pattern = "/api/v1/calendar",
     .body = day_fields,
     .fn = calendar_put_day,
     .perm = SQ_PERM_ADMIN,
     .summary = "add or replace a holiday or make-up workday"},
    {.method = "DELETE",
     .pattern = "/api/v1/calendar/:date",
     .fn = calendar_delete_day,
     .perm = SQ_PERM_ADMIN,
     .summary = "remove a calendar entry"},
    {.method = "PUT",
     .pattern = "/api/v1/calendar/hours",
     .body = hours_fields,
     .fn = calendar_put_hours,
     .perm = SQ_PERM_ADMIN,
     .summary = "set the working hours and lunch break"},
    {0},
};
