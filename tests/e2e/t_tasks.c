/*
 * t_tasks: tracked tasks (任务 / 督办) end to end on the demo district.
 * Creating, reading and changing a task; scope (another community's staff
 * get 403, a unit admin cannot set tasks above their unit); validation
 * answers 422 naming the field and writes nothing; pagination, filters and
 * sorting; progress notes, start, done with evidence, reopen by the owner's
 * supervisors, cancel; and with the fake clock the warning at 80 %, the
 * overdue mark and the escalation chain (street, then district) visible on
 * the task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static long long unit_of(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "items.0.id");
}

static long long count_tasks(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/tasks?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

/* A task owned by CM001, set by its unit admin, due in n working days. */
static long long new_task(const char *title, int days)
{
    struct h_resp *r = h_reqf("POST", "/api/v1/tasks", h_tok("community_admin"),
                              "{\"title\":\"%s\",\"owner_unit_id\":%lld,\"due_working_days\":%d}",
                              title, unit_of("CM001"), days);
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static bool has_action(struct h_resp *r, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(h_get(r->json, "allowed_actions"), i, a)
    {
        if (!strcmp(json_string_value(a), name))
            return true;
    }
    return false;
}

static void test_create_get_update(void)
{
    h_need_demo();
    long long cm1 = unit_of("CM001");
    struct h_resp *r = h_reqf(
        "POST", "/api/v1/tasks", h_tok("community_admin"),
        "{\"title\":\"玫瑰议事会决议：楼道杂物清理\",\"description\":\"三栋楼道月底前清理完毕\","
        "\"owner_unit_id\":%lld,\"assignee_id\":%lld,\"source_domain\":\"council_decision\","
        "\"source_id\":7,\"due_working_days\":5}",
        cm1, h_uid("community_handler"));
    H_STATUS(r, 201);
    long long id = H_INT(r->json, "id");
    H_EQ_STR(H_STR(r->json, "state"), "open");
    H_EQ_INT(H_INT(r->json, "owner_unit_id"), cm1);
    H_EQ_INT(H_INT(r->json, "assignee_id"), h_uid("community_handler"));
    H_EQ_STR(H_STR(r->json, "source.domain"), "council_decision");
    H_EQ_INT(H_INT(r->json, "source.id"), 7);
    H_CONTAINS(H_STR(r->json, "due_at"), "T17:30:00+08:00");
    H_ASSERT(strcmp(H_STR(r->json, "warn_at"), H_STR(r->json, "due_at")) < 0);
    H_EQ_STR(H_STR(r->json, "notes.0.kind"), "create");
    H_EQ_INT(json_array_size(h_get(r->json, "escalations")), 0);
    H_ASSERT(has_action(r, "update") && has_action(r, "cancel") && !has_action(r, "reopen"));

    /* the owner unit's handler works on it but does not set it */
    r = h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(has_action(r, "done") && has_action(r, "note") && !has_action(r, "update"));
    H_ERR(h_reqf("PATCH", h_fmt("/api/v1/tasks/%lld", id), h_tok("community_handler"),
                 "{\"title\":\"x\"}"),
          403, "forbidden");
    /* the street above sees it and may reopen it later */
    r = h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("street_admin"), NULL);
    H_STATUS(r, 200);

    r = h_reqf("PATCH", h_fmt("/api/v1/tasks/%lld", id), h_tok("community_admin"),
               "{\"title\":\"楼道杂物清理（三栋）\",\"due_working_days\":8,\"assignee_id\":null}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "title"), "楼道杂物清理（三栋）");
    H_ASSERT(json_is_null(h_get(r->json, "assignee_id")));
    H_EQ_STR(H_STR(r->json, "notes.1.kind"), "update");
    H_CONTAINS(H_STR(r->json, "notes.1.body"), "due date moved");
    /* the source filter finds it */
    r = h_req("GET", "/api/v1/tasks?source_domain=council_decision&source_id=7&state=open",
              h_tok("community_admin"), NULL);
    H_STATUS(r, 200);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(h_get(r->json, "items"), i, it)
    {
        found |= json_integer_value(json_object_get(it, "id")) == id;
        H_EQ_STR(json_string_value(h_get(it, "source.domain")), "council_decision");
    }
    H_ASSERT(found);
}

static void test_scope(void)
{
    h_need_demo();
    long long id = new_task("范围测试任务", 5);
    long long cm2 = unit_of("CM002");
    /* another community's handler: 403 on the task, absent from the list */
    H_ERR(h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("community2_handler"), NULL), 403,
          "forbidden");
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/notes", id), h_tok("community2_handler"),
                 "{\"body\":\"不是我们的\"}"),
          403, "forbidden");
    struct h_resp *r = h_req("GET", "/api/v1/tasks?limit=500", h_tok("community2_handler"), NULL);
    H_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(h_get(r->json, "items"), i, it)
    {
        H_ASSERT(json_integer_value(json_object_get(it, "id")) != id);
        H_EQ_INT(json_integer_value(json_object_get(it, "owner_unit_id")), cm2);
    }
    /* a list filtered to a unit outside the caller's units */
    H_ERR_FIELD(
        h_req("GET", h_fmt("/api/v1/tasks?unit_id=%lld", cm2), h_tok("community_handler"), NULL),
        403, "forbidden", "unit_id");
    /* setting tasks outside (or above) one's unit */
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", h_tok("community_admin"),
                       "{\"title\":\"越权\",\"owner_unit_id\":%lld,\"due_working_days\":3}", cm2),
                403, "forbidden", "owner_unit_id");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", h_tok("community_admin"),
                       "{\"title\":\"越级\",\"owner_unit_id\":%lld,\"due_working_days\":3}",
                       unit_of("ST01")),
                403, "forbidden", "owner_unit_id");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", h_tok("street_admin"),
                       "{\"title\":\"越权\",\"owner_unit_id\":%lld,\"due_working_days\":3}", cm2),
                403, "forbidden", "owner_unit_id");
    /* roles without tasks: route-level 403; the auditor reads, never writes */
    H_ERR(h_req("GET", "/api/v1/tasks", h_tok("resident"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/tasks", h_tok("gridworker"), NULL), 403, "forbidden");
    H_STATUS(h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("auditor"), NULL), 200);
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/done", id), h_tok("auditor"),
                 "{\"evidence\":\"x\"}"),
          403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/tasks/999999", h_tok("admin"), NULL), 404, "not_found");
}

static void test_validation(void)
{
    h_need_demo();
    long long cm1 = unit_of("CM001"), before = count_tasks();
    const char *tok = h_tok("community_admin");
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"owner_unit_id\":%lld,\"due_working_days\":3}", "title"},
        {"{\"title\":\"\",\"owner_unit_id\":%lld,\"due_working_days\":3}", "title"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld}", "due_date"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_date\":\"2030-01-05\"}", "due_date"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_date\":\"2020-01-06\"}", "due_date"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_date\":\"2030-02-30\"}", "due_date"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_date\":\"2030-01-07\","
         "\"due_working_days\":3}",
         "due_working_days"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":0}", "due_working_days"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":3,"
         "\"source_domain\":\"council_decision\"}",
         "source_id"},
        {"{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":3,"
         "\"source_domain\":\"Council Decision\",\"source_id\":1}",
         "source_domain"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct h_resp *r = h_reqf("POST", "/api/v1/tasks", tok, bad[i].body, cm1);
        H_ERR_FIELD(r, 422, "invalid", bad[i].field);
    }
    /* undeclared fields are refused */
    H_ERR(h_reqf("POST", "/api/v1/tasks", tok,
                 "{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":3,"
                 "\"color\":\"red\"}",
                 cm1),
          422, "invalid");
    /* the task rules answer in both languages */
    struct h_resp *weekend =
        h_reqf("POST", "/api/v1/tasks", tok,
               "{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_date\":\"2030-01-05\"}", cm1);
    H_CONTAINS(H_STR(weekend->json, "error.message"), "工作日");
    H_CONTAINS(H_STR(weekend->json, "error.message"), " / due_date must be a working day");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", tok,
                       "{\"title\":\"t\",\"owner_unit_id\":999999,\"due_working_days\":3}"),
                422, "invalid", "owner_unit_id");
    /* the assignee must work on the owner unit's tasks */
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", tok,
                       "{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":3,"
                       "\"assignee_id\":%lld}",
                       cm1, h_uid("resident")),
                422, "invalid", "assignee_id");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/tasks", tok,
                       "{\"title\":\"t\",\"owner_unit_id\":%lld,\"due_working_days\":3,"
                       "\"assignee_id\":%lld}",
                       cm1, h_uid("community2_handler")),
                422, "invalid", "assignee_id");
    H_EQ_INT(count_tasks(), before); /* nothing half-written */
    /* list parameters */
    static const char *const qs[][2] = {
        {"state=late", "state"},
        {"sort=priority", "sort"},
        {"due_before=2026-13-01", "due_before"},
        {"overdue=maybe", "overdue"},
        {"unit_id=abc", "unit_id"},
        {"limit=0", "limit"},
        {"source_domain=A-B", "source_domain"},
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        H_ERR_FIELD(h_req("GET", h_fmt("/api/v1/tasks?%s", qs[i][0]), tok, NULL), 422, "invalid",
                    qs[i][1]);
    /* done needs evidence; a link must be http(s) */
    long long id = new_task("佐证校验", 5);
    H_ERR(h_reqf("PATCH", h_fmt("/api/v1/tasks/%lld", id), tok, "{}"), 422, "invalid");
    H_ERR_FIELD(
        h_reqf("POST", h_fmt("/api/v1/tasks/%lld/done", id), h_tok("community_handler"), "{}"), 422,
        "invalid", "evidence");
    H_ERR_FIELD(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/done", id), h_tok("community_handler"),
                       "{\"evidence\":\"ok\",\"evidence_url\":\"ftp://x/y\"}"),
                422, "invalid", "evidence_url");
    H_ERR_FIELD(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/notes", id), h_tok("community_handler"),
                       "{\"body\":\"\"}"),
                422, "invalid", "body");
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/tasks/%lld", id), tok, NULL);
    H_EQ_STR(H_STR(r->json, "state"), "open");
    H_EQ_INT(json_array_size(h_get(r->json, "notes")), 1);
}

static void test_pagination_and_sort(void)
{
    h_need_demo();
    long long cm1 = unit_of("CM001"), ids[5];
    for (int i = 0; i < 5; i++) {
        struct h_resp *r =
            h_reqf("POST", "/api/v1/tasks", h_tok("community_admin"),
                   "{\"title\":\"分页%d\",\"owner_unit_id\":%lld,\"due_working_days\":%d,"
                   "\"source_domain\":\"e2e_page\",\"source_id\":4242}",
                   i, cm1, 10 - i);
        H_STATUS(r, 201);
        ids[i] = H_INT(r->json, "id");
    }
    /* due_at ascending (the default): the last created is due first */
    const char *cursor = "";
    long long seen[5];
    int n = 0;
    for (int page = 0; page < 4; page++) {
        struct h_resp *r =
            h_req("GET",
                  h_fmt("/api/v1/tasks?source_domain=e2e_page&source_id=4242&limit=2%s%s",
                        *cursor ? "&cursor=" : "", cursor),
                  h_tok("community_handler"), NULL);
        H_STATUS(r, 200);
        H_EQ_INT(H_INT(r->json, "total"), 5);
        size_t i;
        json_t *it;
        json_array_foreach(h_get(r->json, "items"), i, it)
        {
            H_ASSERT(n < 5);
            seen[n++] = json_integer_value(json_object_get(it, "id"));
        }
        json_t *next = h_get(r->json, "next");
        if (!next || json_is_null(next))
            break;
        cursor = h_fmt("%s", json_string_value(next));
    }
    H_EQ_INT(n, 5);
    for (int i = 0; i < 5; i++)
        H_EQ_INT(seen[i], ids[4 - i]);
    struct h_resp *r = h_req("GET", "/api/v1/tasks?source_domain=e2e_page&sort=-id&limit=1",
                             h_tok("community_handler"), NULL);
    H_EQ_INT(H_INT(r->json, "items.0.id"), ids[4]);
    /* due date window: nothing due before today, all five due before 2099 */
    r = h_req("GET", "/api/v1/tasks?source_domain=e2e_page&due_before=2000-01-01", h_tok("admin"),
              NULL);
    H_EQ_INT(H_INT(r->json, "total"), 0);
    r = h_req("GET", "/api/v1/tasks?source_domain=e2e_page&due_after=2000-01-01&overdue=false",
              h_tok("admin"), NULL);
    H_EQ_INT(H_INT(r->json, "total"), 5);
    /* the demo's late tasks: overdue, each escalated at least once */
    r = h_req("GET", "/api/v1/tasks?overdue=true&state=open,in_progress&limit=5", h_tok("admin"),
              NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") > 0);
    H_ASSERT(H_INT(r->json, "items.0.escalation_level") >= 1);
    r = h_req("GET", "/api/v1/tasks?state=done&limit=1", h_tok("admin"), NULL);
    H_ASSERT(H_INT(r->json, "total") > 100);
}

static void test_notes_done_reopen_cancel(void)
{
    h_need_demo();
    long long id = new_task("共建协议：错时开放体育场馆", 10);
    const char *h = h_tok("community_handler");
    struct h_resp *r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/start", id), h, "{}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "state"), "in_progress");
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/start", id), h, "{}"), 409,
          "illegal_transition");
    r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/notes", id), h,
               "{\"body\":\"已与学校体育部对接，拟周末开放\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "notes.2.kind"), "note");
    H_EQ_STR(H_STR(r->json, "notes.2.body"), "已与学校体育部对接，拟周末开放");
    H_EQ_INT(H_INT(r->json, "notes.2.actor_id"), h_uid("community_handler"));
    H_ASSERT(h_get(r->json, "notes.2.created_at") != NULL);
    r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/done", id), h,
               "{\"evidence\":\"已于周六开放，居民签到 120 人\","
               "\"evidence_url\":\"https://example.org/photo/1\",\"evidence_attachment_id\":3}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "state"), "done");
    H_EQ_STR(H_STR(r->json, "evidence.text"), "已于周六开放，居民签到 120 人");
    H_EQ_STR(H_STR(r->json, "evidence.url"), "https://example.org/photo/1");
    H_EQ_INT(H_INT(r->json, "evidence.attachment_id"), 3);
    H_EQ_INT(H_INT(r->json, "done_by"), h_uid("community_handler"));
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/notes", id), h, "{\"body\":\"再补一句\"}"), 409,
          "illegal_transition");
    /* reopening is for supervisors above the owner unit */
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/reopen", id), h_tok("community_admin"),
                 "{\"reason\":\"不满意\"}"),
          403, "forbidden");
    H_ERR_FIELD(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/reopen", id), h_tok("street_admin"), "{}"),
                422, "invalid", "reason");
    r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/reopen", id), h_tok("street_admin"),
               "{\"reason\":\"居民反映开放时间太短\",\"due_working_days\":5}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "state"), "open");
    H_EQ_INT(H_INT(r->json, "reopen_count"), 1);
    H_ASSERT(json_is_null(h_get(r->json, "evidence")));
    /* cancelled by whoever may set it */
    H_ERR(h_reqf("POST", h_fmt("/api/v1/tasks/%lld/cancel", id), h, "{\"reason\":\"x\"}"), 403,
          "forbidden");
    r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/cancel", id), h_tok("community_admin"),
               "{\"reason\":\"与新协议合并\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "state"), "cancelled");
    H_ERR(h_reqf("PATCH", h_fmt("/api/v1/tasks/%lld", id), h_tok("community_admin"),
                 "{\"title\":\"改\"}"),
          409, "illegal_transition");
    /* the whole timeline, oldest first */
    const char *kinds[] = {"create", "start", "note", "done", "reopen", "cancel"};
    for (size_t i = 0; i < 6; i++)
        H_EQ_STR(H_STR(r->json, h_fmt("notes.%zu.kind", i)), kinds[i]);
}

/* ---- with the fake clock ---- */

static void set_clock(const char *iso)
{
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"now\":\"%s\"}", iso), 200);
}

static struct h_resp *wait_for(long long id, const char *path, const char *want)
{
    double t0 = h_ms();
    for (;;) {
        struct h_resp *r = h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("admin"), NULL);
        H_STATUS(r, 200);
        json_t *v = h_get(r->json, path);
        char *got = v ? h_dump(v) : "(absent)";
        if (!strcmp(got, want))
            return r;
        if (h_ms() - t0 > 10000)
            H_FAIL("task %lld: %s is %s, waited for %s", id, path, got, want);
        usleep(50 * 1000);
    }
}

/* Whether login's inbox has a task notification of kind about task id. */
static bool inbox_has(const char *login, const char *kind, long long id)
{
    struct h_resp *r = h_req("GET", "/api/v1/inbox?limit=500", h_tok(login), NULL);
    H_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(h_get(r->json, "items"), i, it)
    {
        const char *d = json_string_value(json_object_get(it, "domain"));
        const char *k = json_string_value(json_object_get(it, "kind"));
        if (d && k && !strcmp(d, "task") && !strcmp(k, kind) &&
            json_integer_value(json_object_get(it, "record_id")) == id)
            return true;
    }
    return false;
}

static void test_warn_overdue_escalate(void)
{
    static const char *const args[] = {
        "--session_hours", "2160", "--escalate_days", "2", "--webhook_allow_cidrs",
        "127.0.0.0/8",     NULL};
    h_start(&(struct h_opts){.demo = true, .args = args});
    set_clock("2026-12-07T10:00:00+08:00"); /* a Monday */
    h_forget_sessions();
    long long cm1 = unit_of("CM001"), st1 = unit_of("ST01"), hs = unit_of("HS");
    /* webhooks subscribe to the declared task events */
    H_STATUS(h_req("POST", "/api/v1/webhooks", h_tok("admin"),
                   "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"task.escalate\"]}"),
             201);
    H_ERR_FIELD(h_req("POST", "/api/v1/webhooks", h_tok("admin"),
                      "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"task.nope\"]}"),
                422, "invalid", "event_types");
    long long id = new_task("限时任务：督办链", 2); /* due Wed 12-09 17:30 */
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/tasks/%lld", id), h_tok("admin"), NULL);
    H_EQ_STR(H_STR(r->json, "due_at"), "2026-12-09T17:30:00+08:00");
    /* 20 working hours (the demo calendar breaks 12:00-13:30); 80 % = 16 h:
     * Wednesday at the start of the break */
    H_EQ_STR(H_STR(r->json, "warn_at"), "2026-12-09T12:00:00+08:00");
    set_clock("2026-12-09T11:59:00+08:00");
    usleep(600 * 1000);
    r = wait_for(id, "warned", "false");
    set_clock("2026-12-09T12:00:00+08:00");
    r = wait_for(id, "warned", "true");
    H_EQ_STR(H_STR(r->json, "state"), "open");
    H_EQ_STR(H_STR(r->json, "notes.1.kind"), "warn");
    H_ASSERT(json_is_null(h_get(r->json, "notes.1.actor_id")));
    r = h_req("GET", "/api/v1/tasks?due_soon=true&limit=500", h_tok("community_handler"), NULL);
    H_CONTAINS(r->body, h_fmt("\"id\":%lld,", id));
    /* late: overdue and escalated to the street */
    set_clock("2026-12-09T17:30:00+08:00");
    r = wait_for(id, "escalation_level", "1");
    H_ASSERT(json_is_true(h_get(r->json, "overdue")));
    H_EQ_INT(json_array_size(h_get(r->json, "escalations")), 1);
    H_EQ_INT(H_INT(r->json, "escalations.0.to_unit_id"), st1);
    H_EQ_INT(H_INT(r->json, "escalations.0.level"), 1);
    H_EQ_STR(H_STR(r->json, "next_escalation_at"), "2026-12-11T17:30:00+08:00");
    H_EQ_STR(H_STR(r->json, "notes.2.kind"), "overdue");
    H_EQ_STR(H_STR(r->json, "notes.3.kind"), "escalate");
    /* the events reached the inbox: the owner unit's staff of the warning
     * and the overdue mark, the street's admin of the escalation */
    H_ASSERT(inbox_has("community_handler", "warn", id));
    H_ASSERT(inbox_has("community_handler", "overdue", id));
    H_ASSERT(inbox_has("street_admin", "escalate", id));
    H_ASSERT(!inbox_has("community2_handler", "overdue", id));
    r = h_req("GET", "/api/v1/webhooks/deliveries?limit=500", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "task.escalate");
    r = h_req("GET", h_fmt("/api/v1/tasks?overdue=true&unit_id=%lld&limit=500", cm1),
              h_tok("street_admin"), NULL);
    H_CONTAINS(r->body, h_fmt("\"id\":%lld,", id));
    /* still late two working days later: the district; then it stops */
    set_clock("2026-12-11T17:30:00+08:00");
    r = wait_for(id, "escalation_level", "2");
    H_EQ_INT(H_INT(r->json, "escalations.1.to_unit_id"), hs);
    H_EQ_INT(H_INT(r->json, "escalations.1.round"), 2);
    H_ASSERT(json_is_null(h_get(r->json, "next_escalation_at")));
    set_clock("2026-12-31T17:30:00+08:00");
    usleep(800 * 1000);
    r = wait_for(id, "escalation_level", "2");
    H_EQ_INT(json_array_size(h_get(r->json, "escalations")), 2);
    /* done late: the escalations stay on the record */
    r = h_reqf("POST", h_fmt("/api/v1/tasks/%lld/done", id), h_tok("community_handler"),
               "{\"evidence\":\"已整改完毕\"}");
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "overdue")));
    H_EQ_INT(json_array_size(h_get(r->json, "escalations")), 2);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_create_get_update),
        H_TEST(test_scope),
        H_TEST(test_validation),
        H_TEST(test_pagination_and_sort),
        H_TEST(test_notes_done_reopen_cancel),
        H_TEST(test_warn_overdue_escalate), /* last: its own server and clock */
        {0},
    };
    return h_main(argc, argv, tests);
}
