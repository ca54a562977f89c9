/*
 * t_events: domain events end to end on the demo district (docs/events.md).
 *
 * A domain other than appeals reaches the inbox of the people it declares:
 * when a knowledge-base answer drafted from a resident's appeal is approved,
 * the resident (who filed the linked appeal) finds "kb.answer_published" in
 * their inbox, with domain and record_id naming the answer, as soon as the
 * approval is answered; the appeal notifications keep their shape
 * (domain "appeal", record_id = appeal_id).
 *
 * Retention by the background thread, on the fake clock: with
 * inbox_retention_days = 30, once the clock is 31 days on, the read
 * notification from then is purged, an unread one of the same age and a read
 * one from 20 days later stay; the appeal's timeline is untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

static const char *const server_args[] = {"--session_hours", "2160", "--inbox_retention_days", "30",
                                          NULL};

static void set_clock(const char *iso)
{
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"now\":\"%s\"}", iso), 200);
}

static long long comm1, cat;

static void setup(void)
{
    static bool up;
    if (up)
        return;
    h_start(&(struct h_opts){.demo = true, .args = server_args});
    /* sessions expire by the fake clock: sign in at the latest time used */
    set_clock("2026-12-20T09:00:00+08:00");
    const char *const logins[] = {"admin", "supervisor", "resident", "community_handler", NULL};
    for (const char *const *l = logins; *l; l++)
        h_tok(*l);
    struct h_resp *r = h_req("GET", "/api/v1/units?q=CM001", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    comm1 = H_INT(r->json, "items.0.id");
    r = h_req("GET", "/api/v1/categories", NULL, NULL);
    json_t *root, *kid;
    size_t i, j;
    json_array_foreach(h_get(r->json, "items"), i, root)
    {
        json_array_foreach(json_object_get(root, "children"), j, kid)
        {
            if (!strcmp(json_string_value(json_object_get(kid, "code")), "GS02"))
                cat = json_integer_value(json_object_get(kid, "id"));
        }
    }
    H_ASSERT(cat > 0);
    up = true;
}

static long long file_appeal(const char *title)
{
    struct h_resp *r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
                              "{\"title\":\"%s\",\"description\":\"%s，请尽快处理\","
                              "\"category_id\":%lld,\"unit_id\":%lld}",
                              title, title, cat, comm1);
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static void act(const char *login, long long id, const char *action, const char *body)
{
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/%s", id, action), h_tok(login),
                   body ? body : "{}"),
             200);
}

/* login's notification of (domain, kind, record), or NULL. */
static json_t *inbox_item(const char *login, const char *domain, const char *kind, long long record)
{
    struct h_resp *r = h_req("GET", "/api/v1/inbox?limit=500", h_tok(login), NULL);
    H_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(h_get(r->json, "items"), i, it)
    {
        json_t *rid = json_object_get(it, "record_id");
        if (!strcmp(json_string_value(json_object_get(it, "domain")), domain) &&
            !strcmp(json_string_value(json_object_get(it, "kind")), kind) && json_is_integer(rid) &&
            json_integer_value(rid) == record)
            return json_incref(it);
    }
    return NULL;
}

static long long answer_id, appeal1, appeal2;

static void test_kb_answer_reaches_the_filer(void)
{
    setup();
    set_clock("2026-11-02T09:00:00+08:00");
    appeal1 = file_appeal("楼顶水箱漏水，顶楼天花板发霉");
    /* the appeal notification keeps its shape */
    json_t *n = inbox_item("community_handler", "appeal", "submit", appeal1);
    H_ASSERTF(n, "community_handler has no submit notification about %lld", appeal1);
    H_EQ_INT(json_integer_value(json_object_get(n, "appeal_id")), appeal1);
    json_decref(n);
    act("community_handler", appeal1, "accept", NULL);
    act("community_handler", appeal1, "resolve",
        "{\"reply\":\"已协调物业更换水箱进水阀并做防水层。\"}");
    struct h_resp *r = h_reqf("POST", "/api/v1/kb/answers/from-appeal", h_tok("admin"),
                              "{\"appeal_id\":%lld}", appeal1);
    H_STATUS(r, 201);
    answer_id = H_INT(r->json, "id");
    H_STATUS(
        h_req("POST", h_fmt("/api/v1/kb/answers/%lld/submit", answer_id), h_tok("admin"), NULL),
        200);
    /* in review: nobody told yet */
    H_ASSERT(!inbox_item("resident", "kb", "answer_published", answer_id));
    r = h_req("POST", h_fmt("/api/v1/kb/answers/%lld/approve", answer_id), h_tok("supervisor"),
              "{\"note\":\"可推广\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "published");
    /* written in the approval's own transaction: there when it is answered */
    n = inbox_item("resident", "kb", "answer_published", answer_id);
    H_ASSERTF(n, "the resident has no kb.answer_published notification for answer %lld", answer_id);
    H_EQ_STR(json_string_value(json_object_get(n, "title")), "您反映的问题有了公开答案");
    H_CONTAINS(json_string_value(json_object_get(n, "body")), "水箱");
    H_ASSERT(json_is_null(json_object_get(n, "appeal_id")));
    H_ASSERT(!json_is_true(json_object_get(n, "read")));
    json_decref(n);
    /* the approver and the staff are not the filers */
    H_ASSERT(!inbox_item("supervisor", "kb", "answer_published", answer_id));
    H_ASSERT(!inbox_item("community_handler", "kb", "answer_published", answer_id));
}

static void mark_read(const char *login, const char *domain, const char *kind, long long record)
{
    json_t *n = inbox_item(login, domain, kind, record);
    H_ASSERTF(n, "%s has no %s.%s notification about %lld", login, domain, kind, record);
    long long id = (long long)json_integer_value(json_object_get(n, "id"));
    json_decref(n);
    H_STATUS(h_req("POST", h_fmt("/api/v1/inbox/%lld/read", id), h_tok(login), NULL), 200);
}

static bool gone(const char *login, const char *domain, const char *kind, long long record)
{
    double t0 = h_ms();
    json_t *n;
    while ((n = inbox_item(login, domain, kind, record)) && h_ms() - t0 < 10000) {
        json_decref(n);
        usleep(50 * 1000);
    }
    json_decref(n);
    return n == NULL;
}

static void test_retention_purges_old_read_rows(void)
{
    setup();
    if (!answer_id)
        test_kb_answer_reaches_the_filer();
    /* read: the kb notification (2026-11-02); unread: the resolve one */
    mark_read("resident", "kb", "answer_published", answer_id);
    /* 20 days later: a second appeal, its submit notification read at once */
    set_clock("2026-11-22T09:00:00+08:00");
    appeal2 = file_appeal("小区路灯不亮，晚上出行不便");
    mark_read("community_handler", "appeal", "submit", appeal2);
    /* 31 days after the first: the retention thread purges the old read row */
    set_clock("2026-12-03T09:30:00+08:00");
    H_ASSERTF(gone("resident", "kb", "answer_published", answer_id),
              "the read notification of 2026-11-02 is still there after 31 days");
    /* unread of the same age, read but recent: kept */
    json_t *n = inbox_item("resident", "appeal", "resolve", appeal1);
    H_ASSERTF(n, "the unread resolve notification was purged");
    json_decref(n);
    n = inbox_item("community_handler", "appeal", "submit", appeal2);
    H_ASSERTF(n, "the 11-day-old read notification was purged");
    json_decref(n);
    /* the appeal's timeline is never purged */
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/appeals/%lld", appeal1), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    json_t *evs = h_get(r->json, "events");
    H_ASSERT(json_array_size(evs) >= 3); /* submit, accept, resolve (then closed unrated) */
    H_EQ_STR(json_string_value(json_object_get(json_array_get(evs, 0), "action")), "submit");
    H_EQ_STR(json_string_value(json_object_get(json_array_get(evs, 2), "action")), "resolve");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_kb_answer_reaches_the_filer),
        H_TEST(test_retention_purges_old_read_rows),
        {0},
    };
    return h_main(argc, argv, tests);
}
