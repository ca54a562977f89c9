/*
 * t_stats: the appeal KPIs through the API on a small fixed scenario.
 * The fake clock is moved to May 2031, a month no demo data reaches, so the
 * numbers are exact: four appeals in one community — three accepted after
 * one hour and resolved a day later, two of them rated, one rejected — and
 * every rate is checked against docs/kpi.md. Then scoping (a community
 * handler sees only their community: 403 elsewhere), the CSV export, the
 * rankings with the minimum volume, and the settings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long comm1, comm2, street1, cat_wy;

static long long unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "items.0.code"), code);
    return H_INT(r->json, "items.0.id");
}

static struct h_resp *act(const char *login, long long id, const char *action, const char *body)
{
    return h_req("POST", h_fmt("/api/v1/appeals/%lld/%s", id, action), h_tok(login),
                 body ? body : "{}");
}

static void set_clock(const char *iso)
{
    struct h_resp *r = h_reqf("POST", "/api/v1/test/clock", NULL, "{\"now\":\"%s\"}", iso);
    H_STATUS(r, 200);
}

static void advance(long long secs)
{
    struct h_resp *r =
        h_reqf("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":%lld}", secs);
    H_STATUS(r, 200);
}

static double num(json_t *root, const char *path)
{
    json_t *v = h_get(root, path);
    H_ASSERTF(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

#define H_NEAR(a, b) H_ASSERTF(fabs((a) - (b)) < 1e-9, "%s == %s: %g != %g", #a, #b, (a), (b))

/* Files four appeals on a Tuesday in May 2031 and takes them through the
 * workflow, once per server. */
static void scenario(void)
{
    h_need_demo();
    if (comm1)
        return;
    /* the clock first, then sign in: sessions live on the same clock */
    set_clock("2031-05-06T09:00:00+08:00");
    h_forget_sessions();
    comm1 = unit_by_code("CM001");
    comm2 = unit_by_code("CM015");
    street1 = unit_by_code("ST01");
    struct h_resp *r = h_req("GET", "/api/v1/categories", NULL, NULL);
    H_STATUS(r, 200);
    cat_wy = H_INT(r->json, "items.0.children.0.id"); /* WY01 */
    long long ids[4];
    for (int i = 0; i < 4; i++) {
        r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
                   "{\"title\":\"楼道灯不亮\",\"description\":\"3号楼2单元楼道灯坏了一周\","
                   "\"category_id\":%lld,\"unit_id\":%lld}",
                   cat_wy, comm1);
        H_STATUS(r, 201);
        H_EQ_INT(H_INT(r->json, "handler_unit_id"), comm1);
        ids[i] = H_INT(r->json, "id");
    }
    advance(3600);
    for (int i = 0; i < 3; i++)
        H_STATUS(act("community_handler", ids[i], "accept", NULL), 200);
    H_STATUS(act("community_handler", ids[3], "reject", "{\"reason\":\"不属于受理范围\"}"), 200);
    advance(23 * 3600);
    h_forget_sessions(); /* a day later: sign in again */
    for (int i = 0; i < 3; i++)
        H_STATUS(act("community_handler", ids[i], "resolve", "{\"reply\":\"已更换灯泡\"}"), 200);
    H_STATUS(act("resident", ids[0], "rate",
                 "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
                 "\"satisfaction\":\"satisfied\"}"),
             200);
    H_STATUS(act("resident", ids[1], "rate",
                 "{\"speed\":4,\"result\":3,\"attitude\":4,\"solved\":\"partly_solved\","
                 "\"satisfaction\":\"basically_satisfied\"}"),
             200);
    /* ids[2] is never rated: unrated, not satisfied */
}

static void check_numbers(json_t *t)
{
    H_EQ_INT(H_INT(t, "total"), 4);
    H_EQ_INT(H_INT(t, "responded"), 3);
    H_EQ_INT(H_INT(t, "responded_on_time"), 3);
    H_EQ_INT(H_INT(t, "resolved"), 3);
    H_EQ_INT(H_INT(t, "resolved_on_time"), 3);
    H_EQ_INT(H_INT(t, "rejected"), 1);
    H_EQ_INT(H_INT(t, "pending"), 0);
    H_EQ_INT(H_INT(t, "overdue"), 0);
    H_EQ_INT(H_INT(t, "rated"), 2);
    H_EQ_INT(H_INT(t, "unrated"), 1);
    H_EQ_INT(H_INT(t, "satisfied"), 1);
    H_EQ_INT(H_INT(t, "basically_satisfied"), 1);
    H_EQ_INT(H_INT(t, "dissatisfied"), 0);
    H_EQ_INT(H_INT(t, "solved"), 1);
    H_NEAR(num(t, "response_rate"), 0.75);        /* 3 / 4 */
    H_NEAR(num(t, "response_on_time_rate"), 1.0); /* 3 / 3 */
    H_NEAR(num(t, "completion_rate"), 0.75);      /* 3 / 4 */
    H_NEAR(num(t, "resolution_rate"), 0.5);       /* solved 1 / rated 2 */
    H_NEAR(num(t, "satisfaction_rate"), 1.0);     /* (1 + 1) / 2: the unrated one is left out */
    H_NEAR(num(t, "rating_rate"), 0.6667);        /* 2 / 3 */
    H_NEAR(num(t, "on_time_rate"), 1.0);
    H_NEAR(num(t, "overdue_rate"), 0.0);
    H_NEAR(num(t, "avg_response_hours"), 1.0);
    H_NEAR(num(t, "avg_handle_hours"), 24.0);
}

static void test_numbers(void)
{
    scenario();
    struct h_resp *r =
        h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-05&to=2031-05", comm1),
              h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "from"), "2031-05");
    H_EQ_INT(H_INT(r->json, "unit.id"), comm1);
    check_numbers(h_get(r->json, "totals"));
    /* the district, by unit: the street holds all four, counted once */
    r = h_req("GET", "/api/v1/stats/appeals?from=2031-05&to=2031-05&group_by=unit", h_tok("admin"),
              NULL);
    H_STATUS(r, 200);
    check_numbers(h_get(r->json, "totals"));
    json_t *g;
    size_t i;
    bool seen = false;
    json_array_foreach(json_object_get(r->json, "groups"), i, g)
    {
        if (H_INT(g, "id") == street1) {
            check_numbers(g);
            seen = true;
        } else {
            H_EQ_INT(H_INT(g, "total"), 0);
        }
    }
    H_ASSERT(seen);
    /* by category, month and kind: one group each, same numbers */
    static const char *const groups[] = {"category", "month", "kind", "zone"};
    for (int k = 0; k < 4; k++) {
        r = h_req("GET",
                  h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-04&to=2031-06&group_by=%s",
                        street1, groups[k]),
                  h_tok("street_admin"), NULL);
        H_STATUS(r, 200);
        H_EQ_INT(json_array_size(json_object_get(r->json, "groups")), 1);
        check_numbers(h_get(r->json, "groups.0"));
    }
    H_EQ_STR(H_STR(r->json, "groups.0.key"), "community");
    r = h_req("GET",
              h_fmt("/api/v1/stats/appeals?from=2031-05&to=2031-05&group_by=category"
                    "&category=%lld&kind=resident",
                    cat_wy),
              h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "groups.0.parent_label"), "物业管理");
    check_numbers(h_get(r->json, "totals"));
    /* another kind sees nothing */
    r = h_req("GET", "/api/v1/stats/appeals?from=2031-05&to=2031-05&kind=enterprise",
              h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "totals.total"), 0);
    H_ASSERT(json_is_null(h_get(r->json, "totals.satisfaction_rate")));
}

static void test_scoping(void)
{
    scenario();
    /* a community handler: their community by default */
    struct h_resp *r = h_req("GET", "/api/v1/stats/appeals?from=2031-05&to=2031-05",
                             h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "unit.id"), comm1);
    check_numbers(h_get(r->json, "totals"));
    /* ... and nothing else: another community, the street, the district */
    long long other[] = {comm2, street1, 1};
    for (int i = 0; i < 3; i++) {
        r = h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld", other[i]),
                  h_tok("community_handler"), NULL);
        H_ERR(r, 403, "forbidden");
        r = h_req("GET", h_fmt("/api/v1/stats/export.csv?unit=%lld", other[i]),
                  h_tok("community_handler"), NULL);
        H_ERR(r, 403, "forbidden");
        r = h_req("GET", h_fmt("/api/v1/stats/rankings?unit=%lld", other[i]),
                  h_tok("community2_handler"), NULL);
        H_ERR(r, 403, "forbidden");
    }
    /* residents have no statistics; anonymous callers must sign in */
    H_ERR(h_req("GET", "/api/v1/stats/appeals", h_tok("resident"), NULL), 403, "forbidden");
    H_STATUS(h_req("GET", "/api/v1/stats/appeals", NULL, NULL), 401);
    /* the auditor reads everything */
    r = h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-05&to=2031-05", comm1),
              h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    /* bad input: clear 4xx */
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?from=2031-13", h_tok("admin"), NULL), 422,
                "invalid", "from");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?from=2031-06&to=2031-05", h_tok("admin"), NULL),
                422, "invalid", "from");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?group_by=street", h_tok("admin"), NULL), 422,
                "invalid", "group_by");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?kind=alien", h_tok("admin"), NULL), 422,
                "invalid", "kind");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?unit=abc", h_tok("admin"), NULL), 422,
                "invalid", "unit");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?unit=999999", h_tok("admin"), NULL), 422,
                "invalid", "unit");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/appeals?from=2001-01&to=2031-05", h_tok("admin"), NULL),
                422, "invalid", "from");
}

static void test_csv(void)
{
    scenario();
    struct h_resp *r = h_req("GET",
                             h_fmt("/api/v1/stats/export.csv?unit=%lld&from=2031-05&to=2031-05"
                                   "&group_by=month",
                                   comm1),
                             h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Content-Type"), "text/csv");
    H_CONTAINS(h_header(r, "Content-Disposition"), "attachment");
    H_ASSERT(!memcmp(r->body, "\xEF\xBB\xBF", 3)); /* BOM */
    H_ASSERT(
        !strncmp(r->body + 3, "分组,名称,诉求总数,已响应,", strlen("分组,名称,诉求总数,已响应,")));
    H_CONTAINS(r->body, "\r\n合计,");
    /* 合计: total 4, responded 3, ...; response rate 75.00%, satisfaction 100.00% */
    H_CONTAINS(r->body, ",4,3,3,3,3,1,0,0,0,2,1,1,1,0,1,75.00%,100.00%,75.00%,50.00%,100.00%,"
                        "66.67%,100.00%,0.00%,1.00,24.00\r\n2031-05,2031-05,");
}

static void test_rankings(void)
{
    scenario();
    /* four appeals are below the default minimum volume (10): not ranked */
    struct h_resp *r =
        h_req("GET", "/api/v1/stats/rankings?month=2031-05&level=community", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(json_object_get(r->json, "items")), 0);
    json_t *g;
    size_t i;
    bool seen = false;
    json_array_foreach(json_object_get(r->json, "not_ranked"), i, g)
    {
        if (H_INT(g, "unit_id") == comm1) {
            H_EQ_STR(H_STR(g, "reason"), "below_min_volume");
            H_EQ_INT(H_INT(g, "total"), 4);
            seen = true;
        }
    }
    H_ASSERT(seen);
    H_EQ_INT(H_INT(r->json, "not_ranked.0.unit_id"), comm1); /* by volume */
    /* settings: admins only, validated */
    H_ERR(h_req("PUT", "/api/v1/stats/settings", h_tok("street_admin"), "{\"min_volume\":3}"), 403,
          "forbidden");
    H_ERR_FIELD(h_req("PUT", "/api/v1/stats/settings", h_tok("admin"),
                      "{\"weight_response\":0,\"weight_resolution\":0,\"weight_satisfaction\":0,"
                      "\"weight_on_time\":0}"),
                422, "invalid", "weight_satisfaction");
    H_ERR_FIELD(h_req("PUT", "/api/v1/stats/settings", h_tok("admin"), "{\"min_volume\":-1}"), 422,
                "invalid", "min_volume");
    H_ERR(h_req("PUT", "/api/v1/stats/settings", h_tok("admin"), "{\"bogus\":1}"), 422, "invalid");
    r = h_req("GET", "/api/v1/stats/settings", h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "min_volume"), 10); /* nothing changed */
    r = h_req("PUT", "/api/v1/stats/settings", h_tok("admin"), "{\"min_volume\":3}");
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "min_volume"), 3);
    H_NEAR(num(r->json, "weight_satisfaction"), 0.4);
    /* now ranked: 100 x (0.2x0.75 + 0.3x0.5 + 0.4x1 + 0.1x1) - 0 = 80 */
    r = h_req("GET", "/api/v1/stats/rankings?month=2031-05&level=community", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(json_object_get(r->json, "items")), 1);
    H_EQ_INT(H_INT(r->json, "items.0.unit_id"), comm1);
    H_EQ_INT(H_INT(r->json, "items.0.rank"), 1);
    H_NEAR(num(r->json, "items.0.score"), 80.0);
    H_ASSERT(json_is_null(h_get(r->json, "items.0.prev_rank")));
    /* streets sum their communities */
    r = h_req("GET", "/api/v1/stats/rankings?month=2031-05&level=street", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "items.0.unit_id"), street1);
    H_EQ_INT(H_INT(r->json, "items.0.total"), 4);
    /* next month: comm1 has nothing, so it is not ranked, and the movement
     * refers to May */
    r = h_req("GET", "/api/v1/stats/rankings?month=2031-06&level=community", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "prev_month"), "2031-05");
    H_EQ_INT(json_array_size(json_object_get(r->json, "items")), 0);
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/rankings?level=galaxy", h_tok("admin"), NULL), 422,
                "invalid", "level");
    H_ERR_FIELD(h_req("GET", "/api/v1/stats/rankings?month=May", h_tok("admin"), NULL), 422,
                "invalid", "month");
    H_STATUS(h_req("PUT", "/api/v1/stats/settings", h_tok("admin"), "{\"min_volume\":10}"), 200);
}

/* The district-wide answer is cached (core/rcache.c): a write must show in
 * the very next read, and the cache must not widen anyone's scope. So are
 * list pages. Runs
 * last: it adds an appeal to May 2031. */
static void test_cache_sees_writes(void)
{
    scenario();
    const char *q = "/api/v1/stats/appeals?from=2031-05&to=2031-05&group_by=unit";
    struct h_resp *r = h_req("GET", q, h_tok("admin"), NULL);
    H_STATUS(r, 200);
    long long before = H_INT(r->json, "totals.total");
    r = h_req("GET", q, h_tok("admin"), NULL); /* served from the cache */
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "totals.total"), before);
    /* the same unit asked by someone outside it: still refused */
    H_ERR(h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-05&to=2031-05", comm2),
                h_tok("community_handler"), NULL),
          403, "forbidden");
    r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
               "{\"title\":\"井盖松动\",\"description\":\"小区东门井盖松动有响声\","
               "\"category_id\":%lld,\"unit_id\":%lld}",
               cat_wy, comm2);
    H_STATUS(r, 201);
    r = h_req("GET", q, h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "totals.total"), before + 1);
    /* an action that only moves counters is seen too */
    r = h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-05&to=2031-05", comm1),
              h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    long long responded = H_INT(r->json, "totals.responded");
    /* list pages are cached too (appeals/api.c) */
    const char *queue = "/api/v1/appeals?queue=unit&limit=5";
    r = h_req("GET", queue, h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    long long open = H_INT(r->json, "total");
    r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
               "{\"title\":\"路灯不亮\",\"description\":\"南门路灯坏了三天\","
               "\"category_id\":%lld,\"unit_id\":%lld}",
               cat_wy, comm1);
    H_STATUS(r, 201);
    long long fresh = H_INT(r->json, "id");
    r = h_req("GET", queue, h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), open + 1);
    H_EQ_INT(H_INT(r->json, "items.0.id"), fresh);
    /* an escaped separator is a different query, not the cached one */
    H_STATUS(h_req("GET", "/api/v1/appeals?queue=unit&limit=1", h_tok("community_handler"), NULL),
             200);
    H_ERR_FIELD(
        h_req("GET", "/api/v1/appeals?queue=unit%26limit%3D1", h_tok("community_handler"), NULL),
        422, "invalid", "queue");
    H_STATUS(act("community_handler", fresh, "accept", NULL), 200);
    r = h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld&from=2031-05&to=2031-05", comm1),
              h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "totals.responded"), responded + 1);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_numbers),  H_TEST(test_scoping),           H_TEST(test_csv),
        H_TEST(test_rankings), H_TEST(test_cache_sees_writes), {0},
    };
    return h_main(argc, argv, tests);
}
