/*
 * t_deadlines: the deadline scheduler and the in-app inbox, driven by the
 * fake clock. An appeal filed before National Day 2026 is warned at 80 % of
 * its time, falls overdue at 17:30 on the make-up Saturday, is escalated
 * (督办) to its street and escalated again two working days later; the
 * timeline shows each step and the inbox of each person gets what the rules
 * say. Resolved appeals close as unrated after unrated_days, evaluated ones
 * close after the same period, suspended ones are left alone. Then the inbox
 * API: filters, pagination, reading, other people's notifications.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static long long comm1, street1, cat_noise;

static const char *const server_args[] = {
    "--session_hours", "2160", "--escalate_days", "2", "--unrated_days", "7", NULL};

static void set_clock(const char *iso)
{
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"now\":\"%s\"}", iso), 200);
}

static void setup(void)
{
    static bool up;
    if (up)
        return;
    h_start(&(struct h_opts){.demo = true, .args = server_args});
    /* sessions expire by the fake clock: sign in at the latest time used */
    set_clock("2026-12-20T09:00:00+08:00");
    const char *const logins[] = {
        "admin",        "supervisor",     "resident", "community_admin", "community_handler",
        "street_admin", "street_handler", NULL};
    for (const char *const *l = logins; *l; l++)
        h_tok(*l);
    struct h_resp *r = h_req("GET", "/api/v1/units?q=CM001", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    comm1 = H_INT(r->json, "items.0.id");
    r = h_req("GET", h_fmt("/api/v1/units/%lld", comm1), h_tok("admin"), NULL);
    street1 = H_INT(r->json, "parent_id");
    r = h_req("GET", "/api/v1/categories", NULL, NULL);
    json_t *root, *kid;
    size_t i, j;
    json_array_foreach(h_get(r->json, "items"), i, root)
    {
        json_array_foreach(json_object_get(root, "children"), j, kid)
        {
            if (!strcmp(json_string_value(json_object_get(kid, "code")), "ZY01"))
                cat_noise = json_integer_value(json_object_get(kid, "id"));
        }
    }
    H_ASSERT(cat_noise > 0);
    up = true;
}

static long long file_at(const char *iso)
{
    set_clock(iso);
    struct h_resp *r =
        h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
               "{\"title\":\"夜间施工噪音\",\"description\":\"工地每天施工到深夜十一点\","
               "\"category_id\":%lld,\"unit_id\":%lld}",
               cat_noise, comm1);
    H_STATUS(r, 201);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), comm1);
    return H_INT(r->json, "id");
}

static struct h_resp *get(long long id)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return r;
}

/* Waits (10 s at most) until the appeal's field at path has the value:
 * the scheduler looks within 200 ms of every fake-clock change. */
static struct h_resp *wait_for(long long id, const char *path, const char *want)
{
    double t0 = h_ms();
    for (;;) {
        struct h_resp *r = get(id);
        json_t *v = h_get(r->json, path);
        char *got = v ? h_dump(v) : "(absent)";
        if (!strcmp(got, want))
            return r;
        if (h_ms() - t0 > 10000)
            H_FAIL("appeal %lld: %s is %s, waited for %s", id, path, got, want);
        usleep(50 * 1000);
    }
}

/* The scheduler had its chance (several passes) and changed nothing. */
static void settle(void)
{
    usleep(800 * 1000);
}

/* The n-th (0-based) event of an action on the appeal's timeline. */
static json_t *event(struct h_resp *r, const char *action, int n)
{
    size_t i;
    json_t *e;
    json_array_foreach(h_get(r->json, "events"), i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "action")), action) && n-- == 0)
            return e;
    }
    H_FAIL("no %s event on the timeline", action);
    return NULL;
}

static int count_events(struct h_resp *r, const char *action)
{
    size_t i;
    json_t *e;
    int n = 0;
    json_array_foreach(h_get(r->json, "events"), i, e)
    {
        n += !strcmp(json_string_value(json_object_get(e, "action")), action);
    }
    return n;
}

/* Notifications of `kind` about the appeal in login's inbox. */
static json_t *inbox_find(const char *login, const char *kind, long long appeal, int *count)
{
    struct h_resp *r = h_req("GET", "/api/v1/inbox?limit=500", h_tok(login), NULL);
    H_STATUS(r, 200);
    size_t i;
    json_t *it, *found = NULL;
    *count = 0;
    json_array_foreach(h_get(r->json, "items"), i, it)
    {
        json_t *a = json_object_get(it, "appeal_id");
        if (!strcmp(json_string_value(json_object_get(it, "kind")), kind) && json_is_integer(a) &&
            json_integer_value(a) == appeal) {
            (*count)++;
            found = it;
        }
    }
    return found;
}

/* The inbox rows commit with the appeal change (docs/events.md); the wait
 * (5 s at most) is from when they were written just after it. */
static json_t *inbox_expect(const char *login, const char *kind, long long appeal, int n)
{
    int count;
    double t0 = h_ms();
    json_t *it = inbox_find(login, kind, appeal, &count);
    while (count < n && h_ms() - t0 < 5000) {
        usleep(20 * 1000);
        it = inbox_find(login, kind, appeal, &count);
    }
    H_ASSERTF(count == n, "%s has %d '%s' notifications about appeal %lld, expected %d", login,
              count, kind, appeal, n);
    return it;
}

static void act(const char *login, long long id, const char *action, const char *body)
{
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/%s", id, action), h_tok(login),
                   body ? body : "{}"),
             200);
}

static void test_warning_overdue_escalation(void)
{
    setup();
    long long id = file_at("2026-09-30T10:00:00+08:00");
    struct h_resp *r = get(id);
    H_EQ_STR(H_STR(r->json, "due_at"), "2026-10-10T17:30:00+08:00");
    const char *warn_at = h_keep(strdup(H_STR(r->json, "warn_at")));
    /* new work reached the community's staff, not the person who filed it */
    json_t *n = inbox_expect("community_handler", "submit", id, 1);
    H_EQ_STR(json_string_value(json_object_get(n, "title")), "新诉求待签收");
    H_CONTAINS(json_string_value(json_object_get(n, "body")), "2026-10-10T17:30:00+08:00");
    inbox_expect("community_admin", "submit", id, 1);
    inbox_expect("resident", "submit", id, 0);
    inbox_expect("street_admin", "submit", id, 0);

    /* a minute before 80 % of the time: nothing */
    set_clock("2026-10-10T10:30:00+08:00");
    H_ASSERT(strcmp(warn_at, "2026-10-10T10:30:00+08:00") > 0);
    settle();
    r = get(id);
    H_ASSERT(json_is_false(h_get(r->json, "warned")));
    /* at warn_at: a warning, by the system, on the timeline and in the inbox */
    set_clock(warn_at);
    r = wait_for(id, "warned", "true");
    json_t *e = event(r, "warn", 0);
    H_ASSERT(json_is_null(json_object_get(e, "actor_id")));
    H_EQ_STR(json_string_value(json_object_get(e, "from_status")), "submitted");
    H_EQ_STR(json_string_value(json_object_get(e, "to_status")), "submitted");
    inbox_expect("community_handler", "warn", id, 1);
    H_ASSERT(json_is_false(h_get(r->json, "overdue")));

    /* at the deadline (17:30 on the make-up Saturday): overdue, then 督办 */
    set_clock("2026-10-10T17:30:00+08:00");
    r = wait_for(id, "escalation_level", "1");
    H_ASSERT(json_is_true(h_get(r->json, "overdue")));
    H_EQ_STR(H_STR(r->json, "status"), "submitted");
    e = event(r, "escalate", 0);
    H_EQ_INT(h_int_at(__FILE__, __LINE__, e, "data.to_unit_id"), street1);
    H_EQ_INT(h_int_at(__FILE__, __LINE__, e, "data.level"), 1);
    H_EQ_INT(h_int_at(__FILE__, __LINE__, e, "data.round"), 1);
    H_ASSERT(json_is_true(h_get(e, "data.automatic")));
    H_ASSERT(strlen(h_str_at(__FILE__, __LINE__, e, "data.to_unit_name")) > 0);
    H_CONTAINS(h_str_at(__FILE__, __LINE__, e, "note"), "督办");
    H_EQ_INT(count_events(r, "overdue"), 1);
    H_EQ_INT(count_events(r, "warn"), 1);
    /* who hears: the handling unit of the overdue; the street's admin and
     * the district office of the escalation */
    inbox_expect("community_handler", "overdue", id, 1);
    n = inbox_expect("street_admin", "escalate", id, 1);
    H_EQ_STR(json_string_value(json_object_get(n, "title")), "超期督办（第1次）");
    inbox_expect("supervisor", "escalate", id, 1);
    inbox_expect("admin", "escalate", id, 1);
    inbox_expect("street_handler", "escalate", id, 0);
    inbox_expect("community_handler", "escalate", id, 0);
    r = h_req("GET", "/api/v1/appeals?queue=overdue", h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 1);

    /* two working days later (Mon 12, Tue 13 at 17:30): again */
    set_clock("2026-10-13T17:29:00+08:00");
    settle();
    H_EQ_INT(H_INT(get(id)->json, "escalation_level"), 1);
    set_clock("2026-10-13T17:30:00+08:00");
    r = wait_for(id, "escalation_level", "2");
    e = event(r, "escalate", 1);
    H_EQ_INT(h_int_at(__FILE__, __LINE__, e, "data.round"), 2);
    H_EQ_INT(h_int_at(__FILE__, __LINE__, e, "data.overdue_working_days"), 2);
    inbox_expect("street_admin", "escalate", id, 2);
    H_EQ_INT(count_events(r, "overdue"), 1);

    /* handled at last: accept, assign, resolve */
    set_clock("2026-10-14T09:30:00+08:00");
    act("community_handler", id, "accept", NULL);
    act("community_admin", id, "assign",
        h_fmt("{\"handler_id\":%lld}", h_uid("community_handler")));
    inbox_expect("community_handler", "assign", id, 1);
    set_clock("2026-10-14T10:00:00+08:00");
    act("community_handler", id, "resolve", "{\"reply\":\"已责令工地晚十点后停工\"}");
    n = inbox_expect("resident", "resolve", id, 1);
    H_CONTAINS(json_string_value(json_object_get(n, "body")), "已责令工地晚十点后停工");
    /* no more escalations once resolved */
    set_clock("2026-10-15T17:31:00+08:00");
    settle();
    r = get(id);
    H_EQ_INT(H_INT(r->json, "escalation_level"), 2);
    H_EQ_STR(H_STR(r->json, "status"), "resolved");
    /* not rated within 7 days: closed, counted as unrated */
    set_clock("2026-10-21T09:59:00+08:00");
    settle();
    H_EQ_STR(H_STR(get(id)->json, "status"), "resolved");
    set_clock("2026-10-21T10:00:00+08:00");
    r = wait_for(id, "status", "\"closed\"");
    e = event(r, "close", 0);
    H_ASSERT(json_is_true(h_get(e, "data.unrated")));
    H_ASSERT(json_is_null(json_object_get(e, "actor_id")));
    H_ASSERT(json_is_null(h_get(r->json, "rating")));
    H_EQ_STR(H_STR(r->json, "closed_at"), "2026-10-21T10:00:00+08:00");
}

static void test_evaluated_closes(void)
{
    setup();
    long long id = file_at("2026-11-02T10:00:00+08:00");
    act("community_handler", id, "accept", NULL);
    set_clock("2026-11-02T11:00:00+08:00");
    act("community_handler", id, "resolve", "{\"reply\":\"已处理\"}");
    set_clock("2026-11-02T11:30:00+08:00");
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/rate", id), h_tok("resident"),
                   "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
                   "\"satisfaction\":\"satisfied\"}"),
             200);
    /* the unit learns its rating */
    json_t *n = inbox_expect("community_admin", "rate", id, 1);
    H_CONTAINS(json_string_value(json_object_get(n, "body")), "满意");
    /* the period runs from the rating */
    set_clock("2026-11-09T11:29:00+08:00");
    settle();
    H_EQ_STR(H_STR(get(id)->json, "status"), "evaluated");
    set_clock("2026-11-09T11:30:00+08:00");
    struct h_resp *r = wait_for(id, "status", "\"closed\"");
    H_ASSERT(json_is_false(h_get(event(r, "close", 0), "data.unrated")));
    H_EQ_STR(H_STR(r->json, "rating.satisfaction"), "satisfied");
}

static void test_suspended_is_left_alone(void)
{
    setup();
    long long id = file_at("2026-11-16T10:00:00+08:00");
    H_EQ_STR(H_STR(get(id)->json, "due_at"), "2026-11-19T17:30:00+08:00");
    act("community_handler", id, "accept", NULL);
    act("community_handler", id, "suspend", "{\"reason\":\"等待居民提供施工时间照片\"}");
    set_clock("2026-11-20T10:00:00+08:00");
    settle();
    struct h_resp *r = get(id);
    H_EQ_STR(H_STR(r->json, "status"), "suspended");
    H_ASSERT(json_is_false(h_get(r->json, "warned")));
    H_ASSERT(json_is_false(h_get(r->json, "overdue")));
    H_EQ_INT(H_INT(r->json, "escalation_level"), 0);
}

static void test_inbox_api(void)
{
    setup();
    const char *tok = h_tok("street_admin");
    struct h_resp *r = h_req("GET", "/api/v1/inbox", tok, NULL);
    H_STATUS(r, 200);
    long long total = H_INT(r->json, "total"), unread = H_INT(r->json, "unread");
    H_ASSERT(total >= 2);
    H_EQ_INT(unread, total);
    /* newest first, paginated */
    r = h_req("GET", "/api/v1/inbox?limit=1", tok, NULL);
    H_EQ_INT(json_array_size(h_get(r->json, "items")), 1);
    long long newest = H_INT(r->json, "items.0.id");
    const char *next = H_STR(r->json, "next");
    r = h_req("GET", h_fmt("/api/v1/inbox?limit=1&cursor=%s", next), tok, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "items.0.id") < newest);
    /* read one: idempotent */
    r = h_req("POST", h_fmt("/api/v1/inbox/%lld/read", newest), tok, NULL);
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "read")));
    H_ASSERT(json_is_string(h_get(r->json, "read_at")));
    const char *read_at = h_keep(strdup(H_STR(r->json, "read_at")));
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":60}"), 200);
    r = h_req("POST", h_fmt("/api/v1/inbox/%lld/read", newest), tok, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "read_at"), read_at);
    r = h_req("GET", "/api/v1/inbox?unread=true", tok, NULL);
    H_EQ_INT(H_INT(r->json, "total"), total - 1);
    H_EQ_INT(H_INT(r->json, "unread"), total - 1);
    /* someone else's notification is not found, and stays unread */
    r = h_req("GET", "/api/v1/inbox?unread=true&limit=1", h_tok("supervisor"), NULL);
    long long theirs = H_INT(r->json, "items.0.id");
    H_ERR(h_req("POST", h_fmt("/api/v1/inbox/%lld/read", theirs), tok, NULL), 404, "not_found");
    r = h_req("GET", "/api/v1/inbox?unread=true&limit=1", h_tok("supervisor"), NULL);
    H_EQ_INT(H_INT(r->json, "items.0.id"), theirs);
    H_ERR(h_req("POST", "/api/v1/inbox/99999999/read", tok, NULL), 404, "not_found");
    H_ERR(h_req("POST", "/api/v1/inbox/abc/read", tok, NULL), 404, "not_found");
    H_ERR_FIELD(h_req("GET", "/api/v1/inbox?unread=maybe", tok, NULL), 422, "invalid", "unread");
    H_ERR(h_req("GET", "/api/v1/inbox?limit=0", tok, NULL), 422, "invalid");
    H_ERR(h_req("GET", "/api/v1/inbox", NULL, NULL), 401, "unauthenticated");
    H_ERR(h_req("POST", "/api/v1/inbox/read-all", NULL, NULL), 401, "unauthenticated");
    /* read all */
    r = h_req("POST", "/api/v1/inbox/read-all", tok, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "updated"), total - 1);
    r = h_req("GET", "/api/v1/inbox", tok, NULL);
    H_EQ_INT(H_INT(r->json, "unread"), 0);
    H_EQ_INT(H_INT(r->json, "total"), total);
    r = h_req("POST", "/api/v1/inbox/read-all", tok, NULL);
    H_EQ_INT(H_INT(r->json, "updated"), 0);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_warning_overdue_escalation),
        H_TEST(test_evaluated_closes),
        H_TEST(test_suspended_is_left_alone),
        H_TEST(test_inbox_api),
        {0},
    };
    return h_main(argc, argv, tests);
}
