/*
 * t_actions: every action shown is an action allowed (issue 10), generated.
 *
 * On a fresh demo district, appeals are made in every status (and one more
 * state: in progress with an extension pending) in four lanes — a resident's
 * in a community, one a grid worker filed for someone, a student's at a
 * university, an enterprise's in a park. Then for every demo account and
 * every lane and state:
 *   - each action the appeal's allowed_actions does NOT list is sent with a
 *     valid body and must be refused with 403 or 409, changing nothing;
 *   - each action it lists is sent, on a fresh appeal made the same way, and
 *     must be accepted (2xx) or fail only on its body's validation (400/422
 *     naming a field).
 * "Actions" are the workflow actions (POST /appeals/{id}/{action}) and the
 * other per-appeal acts allowed_actions names: extend_decide (POST .../extend
 * {"approve"}), attach (POST .../attachments), contact (GET .../contact) and
 * kb_solve (POST /kb/answers/{id}/solved {"appeal_id"}).
 * A few expectations from the issue are checked by name as well: the
 * collector is never offered accept/transfer/reject, the auditor nothing,
 * the handler who resolved an appeal no rating.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* ---- the actions and how to send them ---- */

static const char *const actions[] = {
    "accept", "assign",   "transfer",      "return", "note",    "reply",    "resolve",
    "reject", "extend",   "suspend",       "resume", "merge",   "rate",     "review",
    "reopen", "escalate", "extend_decide", "attach", "contact", "kb_solve", NULL,
};

/* the states an appeal is made in; in_progress_ext has an extension pending */
enum st {
    ST_SUBMITTED,
    ST_ACCEPTED,
    ST_IN_PROGRESS,
    ST_IN_PROGRESS_EXT,
    ST_SUSPENDED,
    ST_RESOLVED,
    ST_EVALUATED,
    ST_CLOSED,
    ST_REJECTED,
    ST_MERGED,
    ST__MAX
};
static const char *const st_names[ST__MAX] = {
    "submitted", "accepted",  "in_progress", "in_progress", "suspended",
    "resolved",  "evaluated", "closed",      "rejected",    "merged",
};

/* A lane: who files where, and who handles it there. */
struct lane {
    const char *name, *person, *handler, *unit_code, *cat_code, *extra;
    long long unit, cat, handler_unit, master, transfer_to;
    long long closed[16]; /* made before the clock moved on; used once each */
    int nclosed, used_closed;
    long long sample[ST__MAX]; /* never changed: the refusals are tried on these */
};
static struct lane lanes[] = {
    {.name = "resident",
     .person = "resident",
     .handler = "community_handler",
     .unit_code = "CM001",
     .cat_code = "WY01"},
    {.name = "collector",
     .person = "gridworker",
     .handler = "community_handler",
     .unit_code = "CM001",
     .cat_code = "WY01",
     .extra = ",\"on_behalf\":true,\"contact_name\":\"李奶奶\",\"contact_phone\":\"13812345678\""},
    {.name = "student",
     .person = "student",
     .handler = "univ_handler",
     .unit_code = "UN01S01",
     .cat_code = "ZY01",
     .extra = ",\"kind\":\"student\""},
    {.name = "enterprise",
     .person = "enterprise",
     .handler = "park_handler",
     .unit_code = "EN0001",
     .cat_code = "QY01"},
};
#define NLANES (sizeof lanes / sizeof lanes[0])

static const char *const logins[] = {
    "admin",          "supervisor",      "auditor",           "street_admin",
    "street_handler", "community_admin", "community_handler", "community2_handler",
    "gridworker",     "dept_handler",    "univ_handler",      "park_handler",
    "resident",       "student",         "enterprise",        NULL,
};

static long long street1, comm2, kb_answer;
static int requests, accepted_listed, refused_unlisted;
static bool ready;

static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01";

/* Sends action name on appeal id as login, with a body that passes the
 * action's validation for lane l. */
static struct h_resp *send_action(const char *login, const struct lane *l, long long id,
                                  const char *act)
{
    const char *tok = h_tok(login), *body = "{}";
    requests++;
    if (!strcmp(act, "attach"))
        return h_send(&(struct h_call){
            .method = "POST",
            .path = h_fmt("/api/v1/appeals/%lld/attachments?filename=photo.png", id),
            .token = tok,
            .body = png,
            .body_len = sizeof png - 1,
            .ctype = "image/png"});
    if (!strcmp(act, "contact"))
        return h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", id), tok, NULL);
    if (!strcmp(act, "kb_solve"))
        return h_reqf("POST", h_fmt("/api/v1/kb/answers/%lld/solved", kb_answer), tok,
                      "{\"appeal_id\":%lld}", id);
    if (!strcmp(act, "assign"))
        body = h_fmt("{\"handler_id\":%lld}", h_uid(l->handler));
    else if (!strcmp(act, "transfer"))
        body = h_fmt("{\"unit_id\":%lld,\"reason\":\"转至更合适的单位\"}", l->transfer_to);
    else if (!strcmp(act, "note"))
        body = "{\"note\":\"补充一点情况\"}";
    else if (!strcmp(act, "reply"))
        body = "{\"reply\":\"正在协调处理\"}";
    else if (!strcmp(act, "resolve"))
        body = "{\"reply\":\"已处理完毕\"}";
    else if (!strcmp(act, "extend"))
        body = "{\"days\":3,\"reason\":\"需要协调多个部门\"}";
    else if (!strcmp(act, "extend_decide"))
        body = "{\"approve\":true}";
    else if (!strcmp(act, "merge"))
        body = h_fmt("{\"master_id\":%lld}", l->master);
    else if (!strcmp(act, "rate"))
        body = "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
               "\"satisfaction\":\"satisfied\"}";
    else if (!strcmp(act, "review"))
        body = "{\"note\":\"办理规范\",\"verdict\":\"approved\"}";
    else if (!strcmp(act, "return") || !strcmp(act, "reject") || !strcmp(act, "suspend") ||
             !strcmp(act, "reopen") || !strcmp(act, "escalate"))
        body = "{\"reason\":\"情况需要说明\"}";
    const char *path = !strcmp(act, "extend_decide") ? "extend" : act;
    return h_req("POST", h_fmt("/api/v1/appeals/%lld/%s", id, path), tok, body);
}

/* A step of making an appeal: must succeed. */
static void step(const char *login, const struct lane *l, long long id, const char *act)
{
    struct h_resp *r = send_action(login, l, id, act);
    if (r->status != 200)
        h_fail(__FILE__, __LINE__, r, "making appeal %lld: %s by %s: %d", id, act, login,
               r->status);
}

static long long file(const struct lane *l)
{
    requests++;
    struct h_resp *r =
        h_reqf("POST", "/api/v1/appeals", h_tok(l->person),
               "{\"title\":\"楼道灯不亮\",\"description\":\"3号楼2单元楼道灯坏了一周，"
               "夜里很危险\",\"category_id\":%lld,\"unit_id\":%lld%s}",
               l->cat, l->unit, l->extra ? l->extra : "");
    H_STATUS(r, 201);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), l->handler_unit);
    return H_INT(r->json, "id");
}

/* A new appeal of lane l in state s (closed ones come from the pool). */
static long long make(struct lane *l, enum st s)
{
    if (s == ST_CLOSED) {
        H_ASSERTF(l->used_closed < l->nclosed, "lane %s: closed appeals used up", l->name);
        return l->closed[l->used_closed++];
    }
    long long id = file(l);
    switch (s) {
    case ST_SUBMITTED:
        break;
    case ST_REJECTED:
        step(l->handler, l, id, "reject");
        break;
    case ST_MERGED:
        step(l->handler, l, id, "merge");
        break;
    default:
        step(l->handler, l, id, "accept");
        if (s == ST_IN_PROGRESS || s == ST_IN_PROGRESS_EXT)
            step(l->handler, l, id, "assign");
        if (s == ST_IN_PROGRESS_EXT)
            step(l->handler, l, id, "extend");
        if (s == ST_SUSPENDED)
            step(l->handler, l, id, "suspend");
        if (s == ST_RESOLVED || s == ST_EVALUATED)
            step(l->handler, l, id, "resolve");
        if (s == ST_EVALUATED)
            step(l->person, l, id, "rate");
        break;
    }
    return id;
}

static void set_clock(const char *body)
{
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, body), 200);
}

/* Closed appeals need the scheduler and a week: they are made first, then
 * the clock moves on and stays; everything else is made after. */
static void setup(void)
{
    if (ready)
        return;
    h_start_demo();
    street1 = h_unit_by_code("ST01");
    comm2 = h_unit_by_code("CM002");
    kb_answer = H_INT(h_req("GET", "/api/v1/kb/answers?limit=1", NULL, NULL)->json, "items.0.id");
    for (size_t k = 0; k < NLANES; k++) {
        struct lane *l = &lanes[k];
        l->unit = h_unit_by_code(l->unit_code);
        l->cat = h_category_by_code(l->cat_code);
        l->handler_unit =
            H_INT(h_req("GET", "/api/v1/me", h_tok(l->handler), NULL)->json, "grants.0.unit_id");
        l->transfer_to = l->handler_unit == street1 ? comm2 : street1;
    }
    set_clock("{\"now\":\"2026-11-02T10:00:00+08:00\"}");
    for (size_t k = 0; k < NLANES; k++) {
        struct lane *l = &lanes[k];
        l->nclosed = k < 2 ? 16 : 8;
        for (int i = 0; i < l->nclosed; i++) {
            l->closed[i] = file(l);
            step(l->handler, l, l->closed[i], "accept");
            step(l->handler, l, l->closed[i], "resolve");
        }
    }
    /* not rated within the period: closed by the scheduler */
    set_clock("{\"advance_seconds\":691200}");
    h_forget_sessions(); /* the sessions expired with the week */
    double t0 = h_ms();
    for (size_t k = 0; k < NLANES; k++)
        for (int i = 0; i < lanes[k].nclosed; i++)
            for (;;) {
                struct h_resp *r = h_req("GET", h_fmt("/api/v1/appeals/%lld", lanes[k].closed[i]),
                                         h_tok("admin"), NULL);
                H_STATUS(r, 200);
                if (!strcmp(H_STR(r->json, "status"), "closed"))
                    break;
                if (h_ms() - t0 > 20000)
                    H_FAIL("appeal %lld was not closed by the scheduler", lanes[k].closed[i]);
                usleep(50 * 1000);
            }
    for (size_t k = 0; k < NLANES; k++) {
        struct lane *l = &lanes[k];
        l->master = file(l);
        for (int s = 0; s < ST__MAX; s++)
            l->sample[s] = make(l, (enum st)s);
    }
    ready = true;
}

/* ---- the checks ---- */

static bool listed(json_t *allowed, const char *act)
{
    size_t i;
    json_t *v;
    json_array_foreach(allowed, i, v) if (!strcmp(json_string_value(v), act)) return true;
    return false;
}

/* The appeal as login sees it: its allowed_actions, or NULL when login may
 * not read it (403). */
static json_t *allowed_of(const char *login, long long id)
{
    requests++;
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok(login), NULL);
    if (r->status == 403)
        return NULL;
    H_STATUS(r, 200);
    json_t *a = json_object_get(r->json, "allowed_actions");
    H_ASSERTF(json_is_array(a), "appeal %lld has no allowed_actions for %s", id, login);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        bool known = false;
        for (int k = 0; actions[k]; k++)
            known |= json_is_string(v) && !strcmp(json_string_value(v), actions[k]);
        H_ASSERTF(known, "appeal %lld lists an unknown action %s", id, h_dump(v));
    }
    return a;
}

static void check_refused(const char *login, struct lane *l, enum st s, const char *act)
{
    struct h_resp *r = send_action(login, l, l->sample[s], act);
    if (r->status != 403 && r->status != 409)
        h_fail(__FILE__, __LINE__, r,
               "%s: %s on the %s lane's %s appeal %lld is not offered, yet answered %d", login, act,
               l->name, st_names[s], l->sample[s], r->status);
    refused_unlisted++;
}

static void check_accepted(const char *login, struct lane *l, enum st s, const char *act)
{
    /* contact is a read: tried on the sample; everything else on a new one */
    long long id = strcmp(act, "contact") ? make(l, s) : l->sample[s];
    json_t *fresh = allowed_of(login, id);
    H_ASSERTF(fresh && listed(fresh, act), "%s: %s is offered on appeal %lld but not on %lld",
              login, act, l->sample[s], id);
    struct h_resp *r = send_action(login, l, id, act);
    bool ok = r->status == 200 || r->status == 201;
    bool body_only = (r->status == 400 || r->status == 422) && h_get(r->json, "error.field");
    if (!ok && !body_only)
        h_fail(__FILE__, __LINE__, r,
               "%s: %s is offered on the %s lane's %s appeal %lld, yet answered %d", login, act,
               l->name, st_names[s], id, r->status);
    accepted_listed++;
}

static void check_lane(struct lane *l)
{
    setup();
    double t0 = h_ms();
    int before = requests;
    for (int u = 0; logins[u]; u++)
        for (int s = 0; s < ST__MAX; s++) {
            json_t *allowed = allowed_of(logins[u], l->sample[s]);
            if (allowed)
                allowed = json_deep_copy(allowed);
            h_keep_json(allowed);
            for (int k = 0; actions[k]; k++)
                if (!allowed || !listed(allowed, actions[k]))
                    check_refused(logins[u], l, (enum st)s, actions[k]);
            /* the samples are as they were: nothing refused changed them */
            json_t *again = allowed_of(logins[u], l->sample[s]);
            H_ASSERTF(allowed ? json_equal(allowed, again) : !again,
                      "%s: the %s appeal %lld changed while its actions were refused", logins[u],
                      st_names[s], l->sample[s]);
            for (size_t k = 0; allowed && k < json_array_size(allowed); k++)
                check_accepted(logins[u], l, (enum st)s,
                               json_string_value(json_array_get(allowed, k)));
        }
    printf("     lane %s: %d requests in %.0f ms\n", l->name, requests - before, h_ms() - t0);
}

static void test_lane_resident(void)
{
    check_lane(&lanes[0]);
}
static void test_lane_collector(void)
{
    check_lane(&lanes[1]);
}
static void test_lane_student(void)
{
    check_lane(&lanes[2]);
}
static void test_lane_enterprise(void)
{
    check_lane(&lanes[3]);
}

/* The cases the issue names, by name: what the UI would have offered. */
static void test_named_cases(void)
{
    setup();
    struct lane *l = &lanes[0];
    json_t *a = allowed_of("gridworker", l->sample[ST_SUBMITTED]);
    H_ASSERT(a);
    H_ASSERTF(!listed(a, "accept") && !listed(a, "transfer") && !listed(a, "reject"),
              "the collector is offered %s", h_dump(a));
    for (int s = 0; s < ST__MAX; s++) {
        a = allowed_of("auditor", l->sample[s]);
        H_ASSERTF(a && json_array_size(a) == 0, "the auditor is offered %s on a %s appeal",
                  a ? h_dump(a) : "(no read)", st_names[s]);
    }
    /* community_handler accepted and resolved it: no rating; the resident rates */
    a = allowed_of("community_handler", l->sample[ST_RESOLVED]);
    H_ASSERT(a && !listed(a, "rate"));
    H_ASSERT(listed(allowed_of("resident", l->sample[ST_RESOLVED]), "rate"));
    H_ERR(send_action("community_handler", l, l->sample[ST_RESOLVED], "rate"), 403, "forbidden");
    /* the handler works it, the person adds to it, neither supervises */
    a = allowed_of("community_handler", l->sample[ST_IN_PROGRESS]);
    H_ASSERT(listed(a, "resolve") && listed(a, "attach") && listed(a, "contact"));
    H_ASSERT(!listed(a, "escalate") && !listed(a, "review"));
    a = allowed_of("resident", l->sample[ST_IN_PROGRESS]);
    H_ASSERT(listed(a, "note") && listed(a, "attach") && !listed(a, "resolve"));
    /* a pending extension: the unit admin decides it, the handler waits */
    H_ASSERT(listed(allowed_of("community_admin", l->sample[ST_IN_PROGRESS_EXT]), "extend_decide"));
    a = allowed_of("community_handler", l->sample[ST_IN_PROGRESS_EXT]);
    H_ASSERT(!listed(a, "extend") && !listed(a, "extend_decide"));
    /* the next community's handler reads nothing here */
    H_ASSERT(!allowed_of("community2_handler", l->sample[ST_SUBMITTED]));
    printf("     %d requests: %d offered actions accepted, %d others refused\n", requests,
           accepted_listed, refused_unlisted);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_lane_resident),   H_TEST(test_lane_collector), H_TEST(test_lane_student),
        H_TEST(test_lane_enterprise), H_TEST(test_named_cases),    {0},
    };
    return h_main(argc, argv, tests);
}
