/*
 * t_calendar: the working calendar through the API and the deadlines it
 * produces. The 2026 State Council holidays are seeded (004_notify.sql);
 * appeals filed at fixed fake times around weekends, the Spring Festival and
 * National Day blocks and their make-up workdays get the due dates a person
 * would count by hand. Calendar changes (a new holiday, new hours) apply to
 * the next deadline at once; bad input is a 4xx that changes nothing; only
 * district admins write, and every write is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long comm1, cat_1day, cat_3day;

static const char *const server_args[] = {"--session_hours", "2160", NULL};

static void set_clock(const char *iso)
{
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"now\":\"%s\"}", iso), 200);
}

/* Sessions expire by the (fake) clock: sign everyone in at the latest time
 * the file uses, so the tokens hold wherever the clock is set before it. */
static void sign_in_all(void)
{
    const char *const logins[] = {"admin",        "supervisor", "resident", "community_handler",
                                  "street_admin", "auditor",    NULL};
    set_clock("2026-12-20T09:00:00+08:00");
    for (const char *const *l = logins; *l; l++)
        h_tok(*l);
}

static long long make_category(long long parent, const char *code, int hours, int days)
{
    struct h_resp *r = h_reqf("POST", "/api/v1/categories", h_tok("admin"),
                              "{\"code\":\"%s\",\"name\":\"时限测试%s\",\"kind\":\"livelihood\","
                              "\"parent_id\":%lld,\"urgency\":\"normal\",\"response_hours\":%d,"
                              "\"resolve_days\":%d}",
                              code, code, parent, hours, days);
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static void setup(void)
{
    static bool up;
    if (up)
        return;
    h_start(&(struct h_opts){.demo = true, .args = server_args});
    sign_in_all();
    set_clock("2026-02-10T09:00:00+08:00");
    struct h_resp *r = h_req("GET", "/api/v1/units?q=CM001", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    comm1 = H_INT(r->json, "items.0.id");
    r = h_req("GET", "/api/v1/categories", NULL, NULL);
    H_STATUS(r, 200);
    long long root = H_INT(r->json, "items.0.id");
    cat_1day = make_category(root, "T1D", 2, 1);
    cat_3day = make_category(root, "T3D", 4, 3);
    up = true;
}

/* Files an appeal at the fake time `iso`; returns it. */
static struct h_resp *file_at(const char *iso, long long cat)
{
    set_clock(iso);
    struct h_resp *r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
                              "{\"title\":\"时限测试\",\"description\":\"按工作日计算办理时限\","
                              "\"category_id\":%lld,\"unit_id\":%lld}",
                              cat, comm1);
    H_STATUS(r, 201);
    return r;
}

static void expect_due(const char *filed, long long cat, const char *due)
{
    struct h_resp *r = file_at(filed, cat);
    H_EQ_STR(H_STR(r->json, "created_at"), filed);
    H_EQ_STR(H_STR(r->json, "due_at"), due);
}

static void test_seeded_2026(void)
{
    setup();
    struct h_resp *r =
        h_req("GET", "/api/v1/calendar?from=2026-01-01&to=2026-12-31", h_tok("resident"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "from"), "2026-01-01");
    H_EQ_STR(H_STR(r->json, "to"), "2026-12-31");
    json_t *days = h_get(r->json, "days");
    H_EQ_INT(json_array_size(days), 39);
    H_EQ_STR(H_STR(r->json, "days.0.date"), "2026-01-01");
    H_EQ_STR(H_STR(r->json, "days.0.kind"), "holiday");
    H_EQ_STR(H_STR(r->json, "days.0.name"), "元旦");
    /* the make-up workdays of the notice */
    const char *workdays[] = {"2026-01-04", "2026-02-14", "2026-02-28",
                              "2026-05-09", "2026-09-20", "2026-10-10"};
    size_t i, found = 0;
    json_t *d;
    json_array_foreach(days, i, d)
    {
        const char *date = json_string_value(json_object_get(d, "date"));
        const char *kind = json_string_value(json_object_get(d, "kind"));
        for (size_t k = 0; k < sizeof workdays / sizeof workdays[0]; k++)
            if (!strcmp(date, workdays[k])) {
                H_EQ_STR(kind, "workday");
                found++;
            }
    }
    H_EQ_INT(found, 6);
    H_EQ_STR(H_STR(r->json, "settings.work_start"), "09:00");
    H_EQ_STR(H_STR(r->json, "settings.work_end"), "17:30");
    H_EQ_STR(H_STR(r->json, "settings.break_start"), "12:00");
    H_EQ_STR(H_STR(r->json, "settings.break_end"), "13:30");
    /* 2027 is an estimate and says so */
    r = h_req("GET", "/api/v1/calendar?from=2027-01-01&to=2027-12-31", h_tok("resident"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(json_array_size(h_get(r->json, "days")) > 20);
    H_CONTAINS(H_STR(r->json, "days.0.name"), "估计");
    /* default range: the current (fake) year */
    r = h_req("GET", "/api/v1/calendar", h_tok("resident"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "from"), "2026-01-01");
}

static void test_deadlines_weekends_and_holidays(void)
{
    setup();
    /* Friday -> the make-up Saturday before the Spring Festival */
    expect_due("2026-02-13T10:00:00+08:00", cat_1day, "2026-02-14T17:30:00+08:00");
    /* filed on the make-up Saturday: the nine-day holiday does not count */
    expect_due("2026-02-14T10:00:00+08:00", cat_1day, "2026-02-24T17:30:00+08:00");
    /* an ordinary weekend */
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-09T17:30:00+08:00");
    /* filed on a Sunday: Monday is the first working day */
    expect_due("2026-03-08T11:00:00+08:00", cat_1day, "2026-03-09T17:30:00+08:00");
    /* before National Day: Oct 8, Oct 9 and the make-up Saturday Oct 10 */
    expect_due("2026-09-30T10:00:00+08:00", cat_3day, "2026-10-10T17:30:00+08:00");
    /* Qingming (Apr 4-6) and the weekend: Tue 7, Wed 8, Thu 9 */
    expect_due("2026-04-03T09:30:00+08:00", cat_3day, "2026-04-09T17:30:00+08:00");
    /* Labour Day block and its make-up Saturday May 9: Wed 6, Thu 7, Fri 8 */
    expect_due("2026-04-30T15:00:00+08:00", cat_3day, "2026-05-08T17:30:00+08:00");
    expect_due("2026-05-07T15:00:00+08:00", cat_3day, "2026-05-11T17:30:00+08:00");
    /* response hours: 2 working hours from Friday 16:30 run into the
     * make-up Saturday morning */
    struct h_resp *r = file_at("2026-02-13T16:30:00+08:00", cat_1day);
    H_EQ_STR(H_STR(r->json, "response_due_at"), "2026-02-14T10:00:00+08:00");
    /* the lunch break does not count: 11:30 + 2 h -> 15:00 */
    r = file_at("2026-03-10T11:30:00+08:00", cat_1day);
    H_EQ_STR(H_STR(r->json, "response_due_at"), "2026-03-10T15:00:00+08:00");
}

static void test_changes_apply_at_once(void)
{
    setup();
    /* a new holiday on Monday Mar 9 moves the next deadline to Tuesday */
    struct h_resp *r =
        h_req("POST", "/api/v1/calendar", h_tok("admin"),
              "{\"date\":\"2026-03-09\",\"kind\":\"holiday\",\"name\":\"临时停工\"}");
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "date"), "2026-03-09");
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-10T17:30:00+08:00");
    /* replacing it with a workday: the same date answers 200 */
    r = h_req("POST", "/api/v1/calendar", h_tok("admin"),
              "{\"date\":\"2026-03-09\",\"kind\":\"workday\"}");
    H_STATUS(r, 200);
    H_ASSERT(json_is_null(h_get(r->json, "name")));
    /* a make-up Saturday Mar 7 */
    r = h_req("POST", "/api/v1/calendar", h_tok("admin"),
              "{\"date\":\"2026-03-07\",\"kind\":\"workday\",\"name\":\"补班\"}");
    H_STATUS(r, 201);
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-07T17:30:00+08:00");
    H_STATUS(h_req("DELETE", "/api/v1/calendar/2026-03-07", h_tok("admin"), NULL), 200);
    H_STATUS(h_req("DELETE", "/api/v1/calendar/2026-03-09", h_tok("admin"), NULL), 200);
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-09T17:30:00+08:00");
    /* working hours: a later close of business */
    r = h_req("PUT", "/api/v1/calendar/hours", h_tok("admin"),
              "{\"work_start\":\"08:30\",\"work_end\":\"18:00\",\"break_start\":null,"
              "\"break_end\":null}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "work_end"), "18:00");
    H_ASSERT(json_is_null(h_get(r->json, "break_start")));
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-09T18:00:00+08:00");
    r = h_req("GET", "/api/v1/calendar", h_tok("resident"), NULL);
    H_EQ_STR(H_STR(r->json, "settings.work_start"), "08:30");
    r = h_req("PUT", "/api/v1/calendar/hours", h_tok("admin"),
              "{\"work_start\":\"09:00\",\"work_end\":\"17:30\",\"break_start\":\"12:00\","
              "\"break_end\":\"13:30\"}");
    H_STATUS(r, 200);
    expect_due("2026-03-06T16:00:00+08:00", cat_1day, "2026-03-09T17:30:00+08:00");
    /* every write is in the audit log */
    r = h_req("GET", "/api/v1/audit?action=calendar_day_put", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 3);
    r = h_req("GET", "/api/v1/audit?action=calendar_day_delete", h_tok("admin"), NULL);
    H_ASSERT(H_INT(r->json, "total") >= 2);
    r = h_req("GET", "/api/v1/audit?action=calendar_hours_put", h_tok("admin"), NULL);
    H_ASSERT(H_INT(r->json, "total") >= 2);
}

static void test_bad_input_changes_nothing(void)
{
    setup();
    const char *admin = h_tok("admin");
    H_ERR_FIELD(h_req("POST", "/api/v1/calendar", admin,
                      "{\"date\":\"2026-02-30\",\"kind\":"
                      "\"holiday\"}"),
                422, "invalid", "date");
    H_ERR_FIELD(h_req("POST", "/api/v1/calendar", admin,
                      "{\"date\":\"2026-3-1\",\"kind\":"
                      "\"holiday\"}"),
                422, "invalid", "date");
    H_ERR_FIELD(h_req("POST", "/api/v1/calendar", admin,
                      "{\"date\":\"2026-03-02\",\"kind\":"
                      "\"day_off\"}"),
                422, "invalid", "kind");
    H_ERR_FIELD(h_req("POST", "/api/v1/calendar", admin, "{\"date\":\"2026-03-02\"}"), 422,
                "invalid", "kind");
    H_ERR(h_req("POST", "/api/v1/calendar", admin,
                "{\"date\":\"2026-03-02\",\"kind\":"
                "\"holiday\",\"extra\":1}"),
          422, "invalid");
    H_ERR_FIELD(h_req("POST", "/api/v1/calendar", admin,
                      "{\"date\":\"2026-03-02\",\"kind\":"
                      "\"holiday\",\"name\":12}"),
                422, "invalid", "name");
    H_ERR(h_req("POST", "/api/v1/calendar", admin, "[1]"), 400, "bad_json");
    H_ERR(h_req("DELETE", "/api/v1/calendar/2026-03-02", admin, NULL), 404, "not_found");
    H_ERR_FIELD(h_req("DELETE", "/api/v1/calendar/tomorrow", admin, NULL), 422, "invalid", "date");
    H_ERR_FIELD(h_req("PUT", "/api/v1/calendar/hours", admin,
                      "{\"work_start\":\"9:00\",\"work_end\":\"17:30\"}"),
                422, "invalid", "work_start");
    H_ERR_FIELD(h_req("PUT", "/api/v1/calendar/hours", admin,
                      "{\"work_start\":\"18:00\",\"work_end\":\"09:00\"}"),
                422, "invalid", "work_end");
    H_ERR_FIELD(h_req("PUT", "/api/v1/calendar/hours", admin,
                      "{\"work_start\":\"09:00\",\"work_end\":\"17:30\",\"break_start\":"
                      "\"12:00\"}"),
                422, "invalid", "break_end");
    H_ERR_FIELD(h_req("PUT", "/api/v1/calendar/hours", admin,
                      "{\"work_start\":\"09:00\",\"work_end\":\"17:30\",\"break_start\":"
                      "\"08:00\",\"break_end\":\"10:00\"}"),
                422, "invalid", "break_start");
    H_ERR_FIELD(h_req("PUT", "/api/v1/calendar/hours", admin, "{\"work_end\":\"17:30\"}"), 422,
                "invalid", "work_start");
    H_ERR_FIELD(h_req("GET", "/api/v1/calendar?from=2026-13-01", admin, NULL), 422, "invalid",
                "from");
    H_ERR_FIELD(h_req("GET", "/api/v1/calendar?from=2026-05-01&to=2026-04-01", admin, NULL), 422,
                "invalid", "to");
    H_ERR_FIELD(h_req("GET", "/api/v1/calendar?from=2020-01-01&to=2039-01-01", admin, NULL), 422,
                "invalid", "to");
    /* nothing changed */
    struct h_resp *r = h_req("GET", "/api/v1/calendar?from=2026-03-01&to=2026-03-31", admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(h_get(r->json, "days")), 0);
    H_EQ_STR(H_STR(r->json, "settings.work_start"), "09:00");
    H_EQ_STR(H_STR(r->json, "settings.break_end"), "13:30");
}

static void test_permissions(void)
{
    setup();
    H_ERR(h_req("GET", "/api/v1/calendar", NULL, NULL), 401, "unauthenticated");
    const char *who[] = {"resident", "community_handler", "street_admin", "auditor"};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        H_STATUS(h_req("GET", "/api/v1/calendar", h_tok(who[i]), NULL), 200);
        H_ERR(h_req("POST", "/api/v1/calendar", h_tok(who[i]),
                    "{\"date\":\"2026-03-02\",\"kind\":\"holiday\"}"),
              403, "forbidden");
        H_ERR(h_req("DELETE", "/api/v1/calendar/2026-10-10", h_tok(who[i]), NULL), 403,
              "forbidden");
        H_ERR(h_req("PUT", "/api/v1/calendar/hours", h_tok(who[i]),
                    "{\"work_start\":\"09:00\",\"work_end\":\"17:30\"}"),
              403, "forbidden");
    }
    /* the supervisor is a district admin too */
    H_STATUS(h_req("POST", "/api/v1/calendar", h_tok("supervisor"),
                   "{\"date\":\"2026-03-02\",\"kind\":\"holiday\"}"),
             201);
    H_STATUS(h_req("DELETE", "/api/v1/calendar/2026-03-02", h_tok("supervisor"), NULL), 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_seeded_2026),           H_TEST(test_deadlines_weekends_and_holidays),
        H_TEST(test_changes_apply_at_once), H_TEST(test_bad_input_changes_nothing),
        H_TEST(test_permissions),           {0},
    };
    return h_main(argc, argv, tests);
}
