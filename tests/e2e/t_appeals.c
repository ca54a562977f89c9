/*
 * t_appeals: the appeal workflow end to end. Intake for each kind with its
 * routing (community, school -> university, enterprise -> park), collector
 * on behalf and anonymous intake; the lifecycle accept -> assign -> resolve
 * -> rate; every illegal transition answers 409 with the allowed actions;
 * transfer, return, merge (duplicates follow the master); reopen on
 * dissatisfaction and the second failure going one tier up; extension and
 * suspension moving the deadline; idempotent retries; attachments; masking
 * of the contact phone; scoping for every role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long comm1, comm2, street1, university1, school1, park1, ent1;
static long long cat_wy, cat_qy, cat_noise;

static void setup(void)
{
    h_need_demo();
    if (comm1)
        return;
    comm1 = h_unit_by_code("CM001");
    comm2 = h_unit_by_code("CM015"); /* another street's community */
    street1 = h_unit_by_code("ST01");
    university1 = h_unit_by_code("UN01");
    school1 = h_unit_by_code("UN01S01");
    park1 = h_unit_by_code("PK01");
    ent1 = h_unit_by_code("EN0001");
    cat_wy = h_category_by_code("WY01");
    cat_qy = h_category_by_code("QY01");
    cat_noise = h_category_by_code("ZY01");
}

static struct h_resp *file(const char *login, long long unit, long long cat, const char *extra)
{
    return h_reqf(
        "POST", "/api/v1/appeals", login ? h_tok(login) : NULL,
        "{\"title\":\"楼道灯不亮\",\"description\":\"3号楼2单元楼道灯坏了一周，夜里很危险\","
        "\"category_id\":%lld,\"unit_id\":%lld%s%s}",
        cat, unit, extra ? "," : "", extra ? extra : "");
}

static struct h_resp *act(const char *login, long long id, const char *action, const char *body)
{
    return h_req("POST", h_fmt("/api/v1/appeals/%lld/%s", id, action), h_tok(login),
                 body ? body : "{}");
}

static void test_intake_and_routing(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "status"), "submitted");
    H_EQ_STR(H_STR(r->json, "kind"), "resident");
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), comm1);
    H_ASSERT(strlen(H_STR(r->json, "tracking_no")) == 17);
    H_ASSERT(!strncmp(H_STR(r->json, "tracking_no"), "HS", 2));
    H_EQ_STR(H_STR(r->json, "events.0.action"), "submit");
    H_ASSERT(json_is_string(h_get(r->json, "due_at")));
    H_ASSERT(json_is_string(h_get(r->json, "response_due_at")));
    /* a student at a school: handled by the university */
    r = file("student", school1, cat_noise, "\"kind\":\"student\"");
    H_STATUS(r, 201);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), university1);
    H_EQ_STR(H_STR(r->json, "kind"), "student");
    /* an enterprise appeal: kind from the category, handled by the park */
    r = file("enterprise", ent1, cat_qy, NULL);
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "kind"), "enterprise");
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), park1);
    /* validation names the field and writes nothing */
    r = file("resident", comm1, 999999, NULL);
    H_ERR_FIELD(r, 422, "invalid", "category_id");
    r = h_req("POST", "/api/v1/appeals", h_tok("resident"), "{\"title\":\"x\"}");
    H_STATUS(r, 422);
    r = file("resident", comm1, cat_wy, "\"lat\":30.5");
    H_ERR_FIELD(r, 422, "invalid", "lon");
    r = file("resident", comm1, cat_wy, "\"urgency\":\"panic\"");
    H_ERR_FIELD(r, 422, "invalid", "urgency");
}

static void test_collector_and_anonymous(void)
{
    setup();
    /* a collector files for a resident met door to door */
    struct h_resp *r = file("gridworker", comm1, cat_wy, "\"on_behalf\":true");
    H_ERR_FIELD(r, 422, "invalid", "contact_phone");
    r = file("gridworker", comm1, cat_wy,
             "\"on_behalf\":true,\"contact_name\":\"李奶奶\",\"contact_phone\":\"13812345678\"");
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "channel"), "collector");
    H_EQ_INT(H_INT(r->json, "collector_id"), h_uid("gridworker"));
    H_ASSERT(json_is_null(h_get(r->json, "creator_id")));
    H_EQ_STR(H_STR(r->json, "contact_phone"), "138****5678");
    long long id = H_INT(r->json, "id");
    /* the collector sees it in their own list; a resident cannot file on behalf */
    r = h_req("GET", "/api/v1/appeals?queue=own", h_tok("gridworker"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 1);
    r = file("resident", comm1, cat_wy,
             "\"on_behalf\":true,\"contact_name\":\"x\",\"contact_phone\":\"13812345678\"");
    H_STATUS(r, 403);
    /* anonymous intake needs a phone */
    r = file(NULL, comm1, cat_wy, NULL);
    H_ERR_FIELD(r, 422, "invalid", "contact_phone");
    r = file(NULL, comm1, cat_wy, "\"contact_phone\":\"027-87654321\"");
    H_STATUS(r, 201);
    /* the handler reads the phone unmasked at /contact, and that is audited */
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", id), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "contact_phone"), "13812345678");
    r = h_req("GET", "/api/v1/audit?action=personal_read", h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "\"target_type\":\"appeal\"");
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", id), h_tok("community2_handler"), NULL);
    H_STATUS(r, 403);
}

static void test_lifecycle(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    H_STATUS(r, 201);
    long long id = H_INT(r->json, "id");
    r = act("community_handler", id, "accept", NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "accepted");
    H_ASSERT(json_is_string(h_get(r->json, "accepted_at")));
    r = act("community_handler", id, "assign",
            h_fmt("{\"handler_id\":%lld}", h_uid("community_handler")));
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "in_progress");
    H_EQ_INT(H_INT(r->json, "handler_id"), h_uid("community_handler"));
    /* assigning someone outside the unit is refused */
    r = act("community_handler", id, "assign",
            h_fmt("{\"handler_id\":%lld}", h_uid("community2_handler")));
    H_ERR_FIELD(r, 422, "invalid", "handler_id");
    r = act("community_handler", id, "note", "{\"note\":\"已联系物业\"}");
    H_STATUS(r, 200);
    r = act("resident", id, "note", "{\"note\":\"补充：灯在二楼\"}");
    H_STATUS(r, 200);
    r = act("community_handler", id, "resolve", "{\"reply\":\"物业已更换楼道灯\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "resolved");
    H_EQ_STR(H_STR(r->json, "reply"), "物业已更换楼道灯");
    /* only the person rates */
    r = act("community_handler", id, "rate",
            "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
            "\"satisfaction\":\"satisfied\"}");
    H_STATUS(r, 403);
    r = act("resident", id, "rate",
            "{\"speed\":5,\"result\":4,\"attitude\":5,\"solved\":\"solved\","
            "\"satisfaction\":\"satisfied\",\"comment\":\"很及时\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "evaluated");
    H_EQ_STR(H_STR(r->json, "rating.satisfaction"), "satisfied");
    H_EQ_INT(H_INT(r->json, "rating.result"), 4);
    /* the timeline holds every step, in order */
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("resident"), NULL);
    H_STATUS(r, 200);
    const char *want[] = {"submit", "accept", "assign", "note", "note", "resolve", "rate"};
    for (int i = 0; i < 7; i++)
        H_EQ_STR(H_STR(r->json, h_fmt("events.%d.action", i)), want[i]);
    H_ASSERT(json_array_size(h_get(r->json, "events")) == 7);
    /* the event rows cannot be changed: the timeline is append-only (checked in SQL
     * by triggers; here: a review adds, never edits) */
    r = act("street_admin", id, "review", "{\"note\":\"办理规范\",\"verdict\":\"approved\"}");
    H_STATUS(r, 200);
    H_ASSERT(json_array_size(h_get(r->json, "events")) == 8);
}

static void test_illegal_transitions(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    static const char *const early[][2] = {
        {"resolve", "{\"reply\":\"已处理完毕\"}"},          {"reply", "{\"reply\":\"正在处理\"}"},
        {"suspend", "{\"reason\":\"等待材料\"}"},           {"resume", "{}"},
        {"extend", "{\"days\":3,\"reason\":\"需要协调\"}"}, {"reopen", "{\"reason\":\"没解决\"}"},
    };
    for (size_t i = 0; i < sizeof early / sizeof early[0]; i++) {
        r = act(strcmp(early[i][0], "reopen") ? "community_handler" : "resident", id, early[i][0],
                early[i][1]);
        H_ERR(r, 409, "illegal_transition");
        H_ASSERT(json_is_array(h_get(r->json, "error.allowed")));
        H_CONTAINS(h_dump(h_get(r->json, "error.allowed")), "\"accept\"");
    }
    r = act("resident", id, "rate",
            "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
            "\"satisfaction\":\"satisfied\"}");
    H_ERR(r, 409, "illegal_transition");
    /* rejection is final */
    r = act("community_handler", id, "reject", "{\"reason\":\"不属于受理范围\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "rejected");
    r = act("community_handler", id, "accept", NULL);
    H_ERR(r, 409, "illegal_transition");
    r = act("community_handler", id, "frobnicate", NULL);
    H_STATUS(r, 404);
    /* an undeclared field is refused before anything happens */
    r = act("community_handler", id, "note", "{\"note\":\"x\",\"evil\":1}");
    H_STATUS(r, 422);
}

static void test_transfer_return_merge(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    r = act("community_handler", id, "accept", NULL);
    H_STATUS(r, 200);
    r = act("community_handler", id, "transfer",
            h_fmt("{\"unit_id\":%lld,\"reason\":\"需要街道协调\"}", street1));
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "submitted");
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), street1);
    /* the community still sees it? No: it is the street's now. The street
     * returns it (misrouted) to the community that transferred it. */
    r = act("street_handler", id, "return", "{\"reason\":\"属于社区物业范围\"}");
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), comm1);
    /* merge a duplicate into a master; the duplicate follows the outcome */
    r = file("student", comm1, cat_wy, NULL);
    long long dup = H_INT(r->json, "id");
    r = act("community_handler", dup, "merge", h_fmt("{\"master_id\":%lld}", dup));
    H_ERR_FIELD(r, 422, "invalid", "master_id");
    r = act("community_handler", dup, "merge", h_fmt("{\"master_id\":%lld}", id));
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "merged");
    r = act("community_handler", id, "accept", NULL);
    H_STATUS(r, 200);
    r = act("community_handler", id, "resolve", "{\"reply\":\"已统一维修\"}");
    H_STATUS(r, 200);
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld", dup), h_tok("student"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "merged");
    H_EQ_STR(H_STR(r->json, "reply"), "已统一维修");
    H_ASSERT(json_is_string(h_get(r->json, "resolved_at")));
}

static void test_reopen_and_tier_up(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    const char *bad = "{\"speed\":2,\"result\":1,\"attitude\":3,\"solved\":\"not_solved\","
                      "\"satisfaction\":\"dissatisfied\",\"comment\":\"灯还是不亮\"}";
    H_STATUS(act("community_handler", id, "accept", NULL), 200);
    H_STATUS(act("community_handler", id, "resolve", "{\"reply\":\"已处理\"}"), 200);
    r = act("resident", id, "rate", bad);
    H_STATUS(r, 200);
    /* dissatisfaction reopens to the same unit */
    H_EQ_STR(H_STR(r->json, "status"), "accepted");
    H_EQ_INT(H_INT(r->json, "reopen_count"), 1);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), comm1);
    json_t *ev = h_get(r->json, "events");
    H_EQ_STR(H_STR(ev, h_fmt("%zu.action", json_array_size(ev) - 1)), "reopen");
    /* a second failure goes one tier up, to the street */
    H_STATUS(act("community_handler", id, "resolve", "{\"reply\":\"再次处理\"}"), 200);
    r = act("resident", id, "rate", bad);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "reopen_count"), 2);
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), street1);
    H_EQ_STR(H_STR(r->json, "status"), "submitted");
    /* the community may still follow it up (the problem is in its area), but
     * acting on it is the street's business now */
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_STATUS(act("community_handler", id, "accept", NULL), 403);
    H_STATUS(act("street_handler", id, "accept", NULL), 200);
}

static void test_extend_and_suspend(void)
{
    setup();
    /* a Monday morning, so that the pause below is working time */
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"now\":\"2026-11-30T10:00:00+08:00\"}"),
             200);
    h_forget_sessions();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    H_STATUS(act("community_handler", id, "accept", NULL), 200);
    r = act("community_handler", id, "extend", "{\"days\":3}");
    H_ERR_FIELD(r, 422, "invalid", "reason");
    r = act("community_handler", id, "extend", "{\"days\":3,\"reason\":\"需要施工队排期\"}");
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "extension_requested_days"), 3);
    char due_before[40];
    snprintf(due_before, sizeof due_before, "%s", H_STR(r->json, "due_at"));
    /* a handler cannot approve; the unit admin can */
    r = act("community_handler", id, "extend", "{\"approve\":true}");
    H_STATUS(r, 403);
    r = act("community_admin", id, "extend", "{\"approve\":true,\"note\":\"同意\"}");
    H_STATUS(r, 200);
    H_ASSERT(strcmp(H_STR(r->json, "due_at"), due_before) > 0);
    H_ASSERT(json_is_null(h_get(r->json, "extension_requested_days")));
    snprintf(due_before, sizeof due_before, "%s", H_STR(r->json, "due_at"));
    r = act("community_admin", id, "extend", "{\"approve\":true}");
    H_ERR(r, 409, "conflict");
    /* suspend then resume: the clock pauses, so the deadline moves later */
    H_STATUS(act("community_handler", id, "suspend", "{\"reason\":\"等待居民提供照片\"}"), 200);
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":%d}", 3 * 3600), 200);
    r = act("resident", id, "resume", "{\"note\":\"照片已补充\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "in_progress");
    H_ASSERT(strcmp(H_STR(r->json, "due_at"), due_before) > 0);
}

static void test_idempotency(void)
{
    setup();
    const char *hdr[] = {"Idempotency-Key: t-appeals-retry-1", NULL};
    const char *body = h_fmt("{\"title\":\"重复提交测试\",\"description\":\"网络不好重试了一次\","
                             "\"category_id\":%lld,\"unit_id\":%lld}",
                             cat_wy, comm1);
    struct h_call c = {.method = "POST",
                       .path = "/api/v1/appeals",
                       .token = h_tok("resident"),
                       .body = body,
                       .headers = hdr};
    struct h_resp *a = h_send(&c), *b = h_send(&c);
    H_STATUS(a, 201);
    H_STATUS(b, 201);
    H_EQ_INT(H_INT(a->json, "id"), H_INT(b->json, "id"));
    H_ASSERT(h_header(b, "Idempotent-Replayed") != NULL);
    /* the same key from another user is another appeal */
    c.token = h_tok("student");
    struct h_resp *s = h_send(&c);
    H_STATUS(s, 201);
    H_ASSERT(H_INT(s->json, "id") != H_INT(a->json, "id"));
}

static long long appeals_total(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

/* issue 10 item 11: a key names one request. Two different people filing
 * anonymously from one address (a shared NAT, a family's Wi-Fi) with the
 * same Idempotency-Key: the second is refused, not answered with the
 * first person's description, name and address, and nothing is created. */
static void test_idempotency_key_bound_to_request(void)
{
    setup();
    const char *hdr[] = {"Idempotency-Key: shared-key-0001", NULL};
    const char *first = h_fmt("{\"title\":\"家里低保申请\",\"description\":\"王秀英，患病在家"
                              "\",\"contact_name\":\"王秀英\",\"contact_phone\":\"13900001111\","
                              "\"address\":\"桂林社区7栋302\",\"category_id\":%lld,\"unit_id\":"
                              "%lld}",
                              cat_wy, comm1);
    const char *second = h_fmt("{\"title\":\"路灯不亮\",\"description\":\"小区南门路灯坏了\","
                               "\"contact_phone\":\"13700002222\",\"category_id\":%lld,"
                               "\"unit_id\":%lld}",
                               cat_wy, comm1);
    struct h_call c = {.method = "POST", .path = "/api/v1/appeals", .body = first, .headers = hdr};
    struct h_resp *a = h_send(&c);
    H_STATUS(a, 201);
    long long total = appeals_total();
    c.body = second;
    struct h_resp *b = h_send(&c);
    H_ERR_FIELD(b, 422, "idempotency_key_reused", "Idempotency-Key");
    H_ASSERT(!strstr(b->body, "王秀英"));
    H_ASSERT(!strstr(b->body, "桂林社区7栋302"));
    H_ASSERT(!strstr(b->body, H_STR(a->json, "tracking_no")));
    H_CONTAINS(H_STR(b->json, "error.message"), " / ");
    H_EQ_INT(appeals_total(), total); /* nothing was created */
    /* the first person's retry still replays their own appeal */
    c.body = first;
    struct h_resp *again = h_send(&c);
    H_STATUS(again, 201);
    H_ASSERT(h_header(again, "Idempotent-Replayed") != NULL);
    H_EQ_INT(H_INT(again->json, "id"), H_INT(a->json, "id"));
    /* the same body in another key order is the same request */
    c.body = h_fmt("{\"unit_id\":%lld,\"category_id\":%lld,\"address\":\"桂林社区7栋302\","
                   "\"contact_phone\":\"13900001111\",\"contact_name\":\"王秀英\","
                   "\"description\":\"王秀英，患病在家\",\"title\":\"家里低保申请\"}",
                   comm1, cat_wy);
    again = h_send(&c);
    H_STATUS(again, 201);
    H_EQ_INT(H_INT(again->json, "id"), H_INT(a->json, "id"));
    /* a signed-in caller: same key, another body -> refused as well */
    c.token = h_tok("resident");
    c.body = second;
    const char *hdr2[] = {"Idempotency-Key: shared-key-0002", NULL};
    c.headers = hdr2;
    H_STATUS(h_send(&c), 201);
    c.body = first;
    H_ERR_FIELD(h_send(&c), 422, "idempotency_key_reused", "Idempotency-Key");
    /* ... and the signed-in key is theirs: the anonymous scope does not see it */
    c.token = NULL;
    H_STATUS(h_send(&c), 201);
    H_EQ_INT(appeals_total(), total + 2);
}

static void test_attachments(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    static const char jpeg[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
                               "\x00\x00\xff\xd9";
    struct h_call c = {.method = "POST",
                       .path = h_fmt("/api/v1/appeals/%lld/attachments?filename=light.jpg", id),
                       .token = h_tok("resident"),
                       .body = jpeg,
                       .body_len = sizeof jpeg - 1,
                       .ctype = "image/jpeg"};
    r = h_send(&c);
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "content_type"), "image/jpeg");
    H_EQ_INT(H_INT(r->json, "size"), (long long)(sizeof jpeg - 1));
    long long att = H_INT(r->json, "id");
    /* a PNG label on JPEG bytes, and text, are refused */
    c.ctype = "image/png";
    H_STATUS(h_send(&c), 415);
    c.ctype = "image/jpeg";
    c.body = "hello, not an image";
    c.body_len = 0;
    H_STATUS(h_send(&c), 415);
    /* served to who may see the appeal, not to another community */
    r = h_req("GET", h_fmt("/api/v1/attachments/%lld", att), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(r->len == sizeof jpeg - 1 && !memcmp(r->body, jpeg, r->len));
    r = h_req("GET", h_fmt("/api/v1/attachments/%lld", att), h_tok("community2_handler"), NULL);
    H_STATUS(r, 403);
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("resident"), NULL);
    H_EQ_INT(H_INT(r->json, "attachments.0.id"), att);
    /* transferred to the street, the community where the problem is still
     * follows it up: its files are read by the same rule as the appeal */
    H_STATUS(act("community_handler", id, "accept", NULL), 200);
    H_STATUS(act("community_handler", id, "transfer",
                 h_fmt("{\"unit_id\":%lld,\"reason\":\"需要街道协调\"}", street1)),
             200);
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("community_handler"), NULL),
             200);
    r = h_req("GET", h_fmt("/api/v1/attachments/%lld", att), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    r = h_req("GET", h_fmt("/api/v1/attachments/%lld", att), h_tok("community2_handler"), NULL);
    H_STATUS(r, 403);
}

static void test_scoping(void)
{
    setup();
    struct h_resp *r = file("resident", comm1, cat_wy, NULL);
    long long id = H_INT(r->json, "id");
    /* readers: the person, the unit, the street above, the district, the auditor */
    const char *can[] = {"resident",     "community_handler", "community_admin",
                         "street_admin", "street_handler",    "admin",
                         "auditor"};
    const char *cannot[] = {"student",      "community2_handler", "dept_handler",
                            "univ_handler", "park_handler",       "enterprise"};
    for (size_t i = 0; i < sizeof can / sizeof can[0]; i++) {
        r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok(can[i]), NULL);
        H_ASSERTF(r->status == 200, "%s should read the appeal, got %d", can[i], r->status);
    }
    for (size_t i = 0; i < sizeof cannot / sizeof cannot[0]; i++) {
        r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok(cannot[i]), NULL);
        H_ASSERTF(r->status == 403, "%s must not read the appeal, got %d", cannot[i], r->status);
    }
    /* lists are scoped the same way: a resident sees only their own */
    r = h_req("GET", "/api/v1/appeals?limit=500", h_tok("resident"), NULL);
    H_STATUS(r, 200);
    json_t *items = h_get(r->json, "items"), *v;
    size_t i;
    json_array_foreach(items, i, v)
    {
        struct h_resp *one = h_req(
            "GET",
            h_fmt("/api/v1/appeals/%lld", (long long)json_integer_value(json_object_get(v, "id"))),
            h_tok("resident"), NULL);
        H_EQ_INT(H_INT(one->json, "creator_id"), h_uid("resident"));
        if (i > 5)
            break;
    }
    r = h_req("GET", "/api/v1/appeals?queue=unit&limit=500", h_tok("community2_handler"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(!strstr(r->body, h_fmt("\"id\":%lld,", id)));
    r = h_req("GET", "/api/v1/appeals?queue=unit&limit=500", h_tok("community_handler"), NULL);
    H_CONTAINS(r->body, h_fmt("\"id\":%lld,", id));
    /* handlers of other units cannot act on it; the auditor can do nothing */
    H_STATUS(act("community2_handler", id, "accept", NULL), 403);
    H_STATUS(act("auditor", id, "accept", NULL), 403);
    /* filters */
    r = h_req("GET",
              h_fmt("/api/v1/appeals?status=submitted&category=%lld&unit=%lld&sort=due_at", cat_wy,
                    comm1),
              h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 1);
    H_ERR_FIELD(h_req("GET", "/api/v1/appeals?status=bogus", h_tok("admin"), NULL), 422, "invalid",
                "status");
    H_ERR_FIELD(h_req("GET", "/api/v1/appeals?sort=title", h_tok("admin"), NULL), 422, "invalid",
                "sort");
}

/* issue 11: one definition of open. The web reads the open and done statuses
 * from the server's rules, and a list's open queue is exactly those. */
static void test_statuses_from_the_rules(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/appeal-statuses", NULL, NULL);
    H_STATUS(r, 200);
    static const char *const open[] = {"submitted", "accepted", "in_progress", "suspended"};
    static const char *const done[] = {"resolved", "evaluated", "closed"};
    H_EQ_INT((long long)json_array_size(json_object_get(r->json, "open_statuses")), 4);
    for (int i = 0; i < 4; i++)
        H_EQ_STR(H_STR(r->json, h_fmt("open_statuses.%d", i)), open[i]);
    H_EQ_INT((long long)json_array_size(json_object_get(r->json, "done_statuses")), 3);
    for (int i = 0; i < 3; i++)
        H_EQ_STR(H_STR(r->json, h_fmt("done_statuses.%d", i)), done[i]);
    H_EQ_INT((long long)json_array_size(json_object_get(r->json, "statuses")), 9);
    H_EQ_STR(H_STR(r->json, "statuses.8"), "merged");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_intake_and_routing),
        H_TEST(test_collector_and_anonymous),
        H_TEST(test_lifecycle),
        H_TEST(test_illegal_transitions),
        H_TEST(test_idempotency_key_bound_to_request),
        H_TEST(test_transfer_return_merge),
        H_TEST(test_reopen_and_tier_up),
        H_TEST(test_extend_and_suspend),
        H_TEST(test_idempotency),
        H_TEST(test_attachments),
        H_TEST(test_scoping),
        H_TEST(test_statuses_from_the_rules),
        {0},
    };
    return h_main(argc, argv, tests);
}
