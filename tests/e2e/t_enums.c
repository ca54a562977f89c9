/*
 * t_enums: GET /api/v1/meta/enums, the lists the web UI reads instead of
 * copying them (issue 11), besides the appeal statuses (GET
 * /appeal-statuses). Anyone may read it; unit kinds carry the kind their
 * parent must have, and that is the rule POST /units enforces; roles carry
 * the rank in which they may be granted; the event types are the declared
 * ones, and POST /webhooks takes each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static json_t *enums(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/meta/enums", NULL, NULL);
    H_STATUS(r, 200);
    return r->json;
}

/* The element of array a whose "name" is name, or NULL. */
static json_t *by_name(json_t *a, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(
        a, i, v) if (!strcmp(json_string_value(json_object_get(v, "name")), name)) return v;
    return NULL;
}

static bool has_string(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
    return false;
}

static void test_lists(void)
{
    h_start(NULL);
    json_t *e = enums();
    /* the statuses are GET /appeal-statuses' (t_appeals), not repeated here */
    H_ASSERT(json_object_get(e, "appeal_statuses") == NULL);
    H_ASSERT(has_string(json_object_get(e, "appeal_kinds"), "resident"));
    H_ASSERT(has_string(json_object_get(e, "urgencies"), "critical"));
    H_ASSERT(has_string(json_object_get(e, "channels"), "collector"));
    H_ASSERT(has_string(json_object_get(e, "category_kinds"), "enterprise"));
    H_ASSERT(has_string(json_object_get(e, "zones"), "campus"));
    /* normal, urgent, critical: the choices of every urgency field */
    H_EQ_INT(json_array_size(json_object_get(e, "urgencies")), 3);
    /* the declared event types, which POST /webhooks accepts */
    json_t *ev = json_object_get(e, "event_types");
    H_ASSERT(has_string(ev, "appeal.accept") && has_string(ev, "kb.answer_published"));
}

static void test_roles(void)
{
    h_start(NULL);
    json_t *roles = json_object_get(enums(), "roles");
    H_EQ_INT(json_array_size(roles), 6);
    H_EQ_STR(H_STR(roles, "0.name"), "public");
    long long pub = H_INT(by_name(roles, "public"), "rank"),
              col = H_INT(by_name(roles, "collector"), "rank"),
              han = H_INT(by_name(roles, "handler"), "rank"),
              ua = H_INT(by_name(roles, "unit_admin"), "rank"),
              da = H_INT(by_name(roles, "district_admin"), "rank"),
              aud = H_INT(by_name(roles, "auditor"), "rank");
    H_ASSERT(pub < col && col < han && han < ua && ua < da);
    H_EQ_INT(aud, da); /* only a district admin grants the auditor */
}

/* Each kind's listed parent is the one POST /units accepts: under any other
 * kind of parent it is refused naming parent_id, and nothing is created. */
static void test_unit_kinds_match_create(void)
{
    h_start_demo();
    json_t *kinds = json_object_get(enums(), "unit_kinds");
    H_ASSERT(json_is_null(json_object_get(by_name(kinds, "district"), "parent")));
    H_EQ_STR(H_STR(by_name(kinds, "community"), "parent"), "street");
    H_EQ_STR(H_STR(by_name(kinds, "school"), "parent"), "university");
    const char *tok = h_tok("admin");
    long long district = h_unit_by_code("HS"), street = h_unit_by_code("ST01");
    size_t i;
    json_t *k;
    int n = 0;
    json_array_foreach(kinds, i, k)
    {
        json_t *parent = json_object_get(k, "parent");
        if (!json_is_string(parent))
            continue;
        /* the district when the kind wants another parent, else a street */
        bool wants_district = !strcmp(json_string_value(parent), "district");
        long long wrong = wants_district ? street : district;
        struct h_resp *r = h_reqf(
            "POST", "/api/v1/units", tok,
            "{\"kind\":\"%s\",\"name\":\"枚举测试%zu\",\"code\":\"ENUM%zu\",\"parent_id\":%lld}",
            H_STR(k, "name"), i, i, wrong);
        H_ERR_FIELD(r, 422, "invalid", "parent_id");
        r = h_req("GET", h_fmt("/api/v1/units?q=ENUM%zu", i), tok, NULL);
        H_STATUS(r, 200);
        H_EQ_INT(json_array_size(json_object_get(r->json, "items")), 0);
        n++;
    }
    H_ASSERT(n >= 6);
}

/* Every listed event type is one a webhook may subscribe to. */
static void test_event_types_subscribe(void)
{
    static const char *const args[] = {"--webhook_allow_cidrs", "10.0.0.0/8", NULL};
    h_start(&(struct h_opts){.demo = true, .args = args});
    json_t *ev = json_object_get(enums(), "event_types");
    H_ASSERT(json_array_size(ev) >= 5);
    json_t *body =
        h_keep_json(json_pack("{s:s,s:O}", "url", "http://10.0.0.5:9000/hook", "event_types", ev));
    struct h_resp *r = h_req("POST", "/api/v1/webhooks", h_tok("admin"), h_dump(body));
    H_STATUS(r, 201);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_lists),
        H_TEST(test_roles),
        H_TEST(test_unit_kinds_match_create),
        H_TEST(test_event_types_subscribe),
        {0},
    };
    return h_main(argc, argv, tests);
}
