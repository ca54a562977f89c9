/*
 * t_units: the org-unit tree. Create, read, update, move and archive; the
 * kind-parent rules (a community sits under a street, never under the
 * district), no cycles, unique codes (409), list filters (kind, zone,
 * parent, q, archived), pagination with opaque cursors, sorting, subtree and
 * ancestors, the public directory, and what a unit admin may do in and
 * outside their subtree. A community that moves to another street takes its
 * appeals' scope and its KPIs along: the old street's staff lose read,
 * contact and accept, the new street's gain them, and the old street's
 * figures drop by exactly what the new street's rise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static const char *admin;

static long long unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s&archived=all", code), admin, NULL);
    H_STATUS(r, 200);
    for (size_t i = 0; i < json_array_size(h_get(r->json, "items")); i++)
        if (!strcmp(H_STR(r->json, h_fmt("items.%zu.code", i)), code))
            return H_INT(r->json, h_fmt("items.%zu.id", i));
    H_FAIL("no unit with code %s", code);
}

static long long total_of(const char *path)
{
    struct h_resp *r = h_req("GET", path, admin, NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static json_t *create(const char *token, const char *kind, const char *code, const char *name,
                      long long parent, int want)
{
    struct h_resp *r =
        h_reqf("POST", "/api/v1/units", token,
               "{\"kind\":\"%s\",\"code\":\"%s\",\"name\":\"%s\",\"parent_id\":%lld}", kind, code,
               name, parent);
    H_STATUS(r, want);
    return r->json;
}

static void setup(void)
{
    h_need_demo();
    admin = h_tok("admin");
}

static void test_create_and_read(void)
{
    setup();
    long long before = total_of("/api/v1/units?limit=1");
    json_t *s = create(admin, "street", "T-ST-A", "测试街道甲", 1, 201);
    long long id = H_INT(s, "id");
    H_EQ_STR(H_STR(s, "kind"), "street");
    H_EQ_STR(H_STR(s, "code"), "T-ST-A");
    H_EQ_STR(H_STR(s, "name"), "测试街道甲");
    H_EQ_INT(H_INT(s, "parent_id"), 1);
    H_EQ_STR(H_STR(s, "zone"), "government"); /* the kind's default */
    H_ASSERT(json_is_false(h_get(s, "archived")));
    H_ASSERT(json_is_null(h_get(s, "address")));
    H_CONTAINS(H_STR(s, "created_at"), "+08:00");
    H_CONTAINS(H_STR(s, "updated_at"), "+08:00");
    H_EQ_INT(total_of("/api/v1/units?limit=1"), before + 1);

    struct h_resp *r = h_reqf("POST", "/api/v1/units", admin,
                              "{\"kind\":\"community\",\"code\":\"T-CM-A1\",\"name\":\"甲一社区\","
                              "\"parent_id\":%lld,\"address\":\"洪山区测试路1号\","
                              "\"contact\":\"027-87654321\"}",
                              id);
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "zone"), "community");
    H_EQ_STR(H_STR(r->json, "address"), "洪山区测试路1号");
    long long cid = H_INT(r->json, "id");

    struct h_resp *g = h_req("GET", h_fmt("/api/v1/units/%lld", cid), admin, NULL);
    H_STATUS(g, 200);
    H_ASSERTF(json_equal(g->json, r->json), "GET differs from the create answer: %s vs %s", g->body,
              r->body);
    /* an explicit zone wins over the default */
    json_t *p = create(admin, "park", "T-PK", "测试园区", 1, 201);
    H_EQ_STR(H_STR(p, "zone"), "park");
    H_STATUS(h_reqf("POST", "/api/v1/units", admin,
                    "{\"kind\":\"enterprise\",\"code\":\"T-EN\",\"name\":\"测试企业\","
                    "\"parent_id\":%lld,\"zone\":\"community\"}",
                    H_INT(p, "id")),
             201);
    /* creating is audited */
    struct h_resp *a = h_req("GET", "/api/v1/audit?action=unit_create&limit=500", admin, NULL);
    H_STATUS(a, 200);
    H_ASSERT(H_INT(a->json, "total") >= 4);
}

static void test_kind_parent_rules(void)
{
    setup();
    long long before = total_of("/api/v1/units?limit=1&archived=all");
    long long street = unit_by_code("ST01"), comm = unit_by_code("CM001");
    long long univ = unit_by_code("UN01"), park = unit_by_code("PK01");
    struct {
        const char *kind;
        long long parent;
    } bad[] = {
        {"community", 1},     {"community", univ},    {"community", comm}, {"street", street},
        {"school", street},   {"school", 1},          {"enterprise", 1},   {"enterprise", street},
        {"university", park}, {"department", street}, {"park", univ},      {"district", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct h_resp *r = h_reqf("POST", "/api/v1/units", admin,
                                  "{\"kind\":\"%s\",\"code\":\"T-BAD%zu\",\"name\":\"x\","
                                  "\"parent_id\":%lld}",
                                  bad[i].kind, i, bad[i].parent);
        H_ERR_FIELD(r, 422, "invalid", "parent_id");
    }
    H_EQ_INT(total_of("/api/v1/units?limit=1&archived=all"), before);
    /* the good ones */
    create(admin, "school", "T-SC", "测试学院", univ, 201);
    create(admin, "department", "T-DP", "测试局", 1, 201);
    create(admin, "university", "T-UN", "测试大学", 1, 201);
}

static void test_unique_code(void)
{
    setup();
    H_ERR_FIELD(h_req("POST", "/api/v1/units", admin,
                      "{\"kind\":\"street\",\"code\":\"ST01\",\"name\":\"重复\",\"parent_id\":1}"),
                409, "conflict", "code");
    long long st2 = unit_by_code("ST02");
    H_ERR_FIELD(h_req("PATCH", h_fmt("/api/v1/units/%lld", st2), admin, "{\"code\":\"ST01\"}"), 409,
                "conflict", "code");
    /* setting a unit's own code again is no conflict */
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/units/%lld", st2), admin, "{\"code\":\"ST02\"}"), 200);
}

static void test_update(void)
{
    setup();
    long long id = unit_by_code("T-ST-A");
    const char *path = h_fmt("/api/v1/units/%lld", id);
    struct h_resp *r = h_req("PATCH", path, admin,
                             "{\"name\":\"测试街道甲（改）\",\"address\":\"新地址\",\"contact\":"
                             "\"张主任\",\"zone\":\"community\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "name"), "测试街道甲（改）");
    H_EQ_STR(H_STR(r->json, "address"), "新地址");
    H_EQ_STR(H_STR(r->json, "contact"), "张主任");
    H_EQ_STR(H_STR(r->json, "zone"), "community");
    H_EQ_STR(H_STR(r->json, "code"), "T-ST-A");
    /* null clears an optional field; absent fields stay */
    r = h_req("PATCH", path, admin, "{\"contact\":null}");
    H_STATUS(r, 200);
    H_ASSERT(json_is_null(h_get(r->json, "contact")));
    H_EQ_STR(H_STR(r->json, "address"), "新地址");
    /* name may not be cleared */
    H_ERR_FIELD(h_req("PATCH", path, admin, "{\"name\":null}"), 422, "invalid", "name");
    H_ERR_FIELD(h_req("PATCH", path, admin, "{\"kind\":\"park\"}"), 422, "invalid", NULL);
    H_ERR(h_req("PATCH", "/api/v1/units/999999999", admin, "{\"name\":\"x\"}"), 404, "not_found");
}

static void test_move(void)
{
    setup();
    long long a = unit_by_code("T-ST-A"), c = unit_by_code("T-CM-A1");
    long long b = H_INT(create(admin, "street", "T-ST-B", "测试街道乙", 1, 201), "id");
    struct h_resp *r =
        h_reqf("PATCH", h_fmt("/api/v1/units/%lld", c), admin, "{\"parent_id\":%lld}", b);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "parent_id"), b);
    /* the materialised path moved along: ancestors and subtrees agree */
    struct h_resp *anc = h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", c), admin, NULL);
    H_STATUS(anc, 200);
    H_EQ_INT(H_INT(anc->json, "total"), 2);
    H_EQ_INT(H_INT(anc->json, "items.0.id"), 1);
    H_EQ_INT(H_INT(anc->json, "items.1.id"), b);
    H_EQ_INT(total_of(h_fmt("/api/v1/units/%lld/subtree", a)), 0);
    struct h_resp *sub = h_req("GET", h_fmt("/api/v1/units/%lld/subtree", b), admin, NULL);
    H_EQ_INT(H_INT(sub->json, "total"), 1);
    H_EQ_INT(H_INT(sub->json, "items.0.id"), c);
    H_EQ_INT(H_INT(sub->json, "items.0.depth"), 1);
    H_EQ_INT(total_of(h_fmt("/api/v1/units?parent=%lld", b)), 1);
    /* a move that breaks the kind rules is refused and changes nothing */
    long long univ = unit_by_code("UN01");
    H_ERR_FIELD(
        h_reqf("PATCH", h_fmt("/api/v1/units/%lld", c), admin, "{\"parent_id\":%lld}", univ), 422,
        "invalid", "parent_id");
    H_ERR_FIELD(h_req("PATCH", h_fmt("/api/v1/units/%lld", c), admin, "{\"parent_id\":999999999}"),
                422, "invalid", "parent_id");
    H_EQ_INT(H_INT(h_req("GET", h_fmt("/api/v1/units/%lld", c), admin, NULL)->json, "parent_id"),
             b);
}

static void test_no_cycles(void)
{
    setup();
    long long b = unit_by_code("T-ST-B"), univ = unit_by_code("T-UN");
    long long school = H_INT(create(admin, "school", "T-UN-SC", "测试大学学院", univ, 201), "id");
    /* under itself */
    H_ERR_FIELD(h_reqf("PATCH", h_fmt("/api/v1/units/%lld", b), admin, "{\"parent_id\":%lld}", b),
                422, "invalid", "parent_id");
    /* under its own descendant */
    H_ERR_FIELD(
        h_reqf("PATCH", h_fmt("/api/v1/units/%lld", univ), admin, "{\"parent_id\":%lld}", school),
        422, "invalid", "parent_id");
    /* the district under anything */
    H_ERR_FIELD(h_reqf("PATCH", "/api/v1/units/1", admin, "{\"parent_id\":%lld}", b), 422,
                "invalid", "parent_id");
    struct h_resp *anc = h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", school), admin, NULL);
    H_EQ_INT(H_INT(anc->json, "total"), 2);
    H_EQ_INT(H_INT(anc->json, "items.1.id"), univ);
    H_EQ_INT(total_of("/api/v1/units/1/ancestors"), 0);
}

static void test_archive(void)
{
    setup();
    long long b = unit_by_code("T-ST-B"), c = unit_by_code("T-CM-A1");
    long long active = total_of("/api/v1/units?limit=1");
    /* not while it has active children */
    H_ERR(h_req("POST", h_fmt("/api/v1/units/%lld/archive", b), admin, NULL), 409, "conflict");
    H_ERR(h_req("POST", "/api/v1/units/1/archive", admin, NULL), 409, "conflict");
    struct h_resp *r = h_req("POST", h_fmt("/api/v1/units/%lld/archive", c), admin, NULL);
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "archived")));
    /* gone from the default list, there with archived=1 / all */
    H_EQ_INT(total_of("/api/v1/units?limit=1"), active - 1);
    struct h_resp *arch = h_req("GET", "/api/v1/units?archived=1", admin, NULL);
    H_STATUS(arch, 200);
    H_EQ_INT(H_INT(arch->json, "total"), 1);
    H_EQ_INT(H_INT(arch->json, "items.0.id"), c);
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", c), admin, NULL), 200);
    /* nothing new goes under an archived unit, nothing moves there */
    H_ERR_FIELD(h_reqf("POST", "/api/v1/units", admin,
                       "{\"kind\":\"community\",\"code\":\"T-X\",\"name\":\"x\","
                       "\"parent_id\":%lld}",
                       c),
                422, "invalid", "parent_id");
    /* now the street has no active child and may go too */
    H_STATUS(h_req("POST", h_fmt("/api/v1/units/%lld/archive", b), admin, NULL), 200);
    H_EQ_INT(total_of("/api/v1/units?limit=1"), active - 2);
    H_EQ_INT(total_of("/api/v1/units?limit=1&archived=all"), total_of("/api/v1/units?limit=1") + 2);
}

static void test_list_filters(void)
{
    setup();
    H_EQ_INT(total_of("/api/v1/units?kind=street"), 14 + 1); /* T-ST-A is still active */
    H_EQ_INT(total_of("/api/v1/units?kind=district"), 1);
    H_EQ_INT(total_of("/api/v1/units?kind=community&limit=1"), 192);
    H_EQ_INT(total_of("/api/v1/units?kind=university"), 35 + 1);
    H_EQ_INT(total_of("/api/v1/units?kind=park"), 8 + 1);
    long long campus = total_of("/api/v1/units?zone=campus&limit=1");
    long long schools = total_of("/api/v1/units?kind=school&limit=1");
    H_EQ_INT(campus, 36 + schools);
    long long st1 = unit_by_code("ST01");
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?parent=%lld&limit=500", st1), admin, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 13);
    for (size_t i = 0; i < json_array_size(h_get(r->json, "items")); i++) {
        H_EQ_INT(H_INT(r->json, h_fmt("items.%zu.parent_id", i)), st1);
        H_EQ_STR(H_STR(r->json, h_fmt("items.%zu.kind", i)), "community");
    }
    /* kind and parent together */
    H_EQ_INT(total_of(h_fmt("/api/v1/units?parent=%lld&kind=school", st1)), 0);
    /* q: part of the name, or the exact code */
    r = h_req("GET", h_fmt("/api/v1/units?q=%s", "%E6%B4%AA%E5%B1%B1%E5%8C%BA"), admin, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 1);
    H_EQ_INT(total_of("/api/v1/units?q=UN01S01"), 1);
    H_EQ_INT(total_of("/api/v1/units?q=no-such-unit-anywhere"), 0);
    H_EQ_INT(total_of("/api/v1/units?q=ST0"), 0); /* codes match exactly, not by prefix */
}

static void test_pagination(void)
{
    setup();
    long long total = total_of("/api/v1/units?kind=community&limit=1");
    json_t *seen = json_object();
    const char *cursor = NULL;
    int pages = 0;
    long long got = 0;
    do {
        const char *path = cursor ? h_fmt("/api/v1/units?kind=community&limit=50&cursor=%s", cursor)
                                  : "/api/v1/units?kind=community&limit=50";
        struct h_resp *r = h_req("GET", path, admin, NULL);
        H_STATUS(r, 200);
        H_EQ_INT(H_INT(r->json, "total"), total);
        json_t *items = h_get(r->json, "items");
        H_ASSERT(json_array_size(items) <= 50);
        for (size_t i = 0; i < json_array_size(items); i++) {
            const char *key = h_fmt("%lld", H_INT(items, h_fmt("%zu.id", i)));
            H_ASSERTF(!json_object_get(seen, key), "unit %s on two pages", key);
            json_object_set_new(seen, key, json_true());
            got++;
        }
        json_t *next = h_get(r->json, "next");
        H_ASSERT(json_is_string(next) || json_is_null(next));
        cursor = json_is_string(next) ? h_fmt("%s", json_string_value(next)) : NULL;
        if (cursor)
            H_EQ_INT(json_array_size(items), 50);
        pages++;
    } while (cursor && pages < 100);
    json_decref(seen);
    H_EQ_INT(got, total);
    H_EQ_INT(pages, (total + 49) / 50);
    /* the default page is 50, the largest 500 */
    struct h_resp *d = h_req("GET", "/api/v1/units?kind=community", admin, NULL);
    H_EQ_INT(json_array_size(h_get(d->json, "items")), 50);
    struct h_resp *m = h_req("GET", "/api/v1/units?limit=500", admin, NULL);
    H_EQ_INT(json_array_size(h_get(m->json, "items")), 500);
    /* a cursor past the end gives an empty last page */
    struct h_resp *e = h_req("GET", "/api/v1/units?kind=district&cursor=o10", admin, NULL);
    H_STATUS(e, 200);
    H_EQ_INT(json_array_size(h_get(e->json, "items")), 0);
    H_ASSERT(json_is_null(h_get(e->json, "next")));
}

/* The items of path are ordered by key (strings, or integers when num). */
static void check_order(const char *sort, const char *key, bool desc, bool num)
{
    struct h_resp *r =
        h_req("GET", h_fmt("/api/v1/units?kind=community&limit=100&sort=%s", sort), admin, NULL);
    H_STATUS(r, 200);
    json_t *items = h_get(r->json, "items");
    H_EQ_INT(json_array_size(items), 100);
    for (size_t i = 1; i < json_array_size(items); i++) {
        const char *pk = h_fmt("%zu.%s", i - 1, key), *ck = h_fmt("%zu.%s", i, key);
        int c = num ? (H_INT(items, pk) > H_INT(items, ck)) - (H_INT(items, pk) < H_INT(items, ck))
                    : strcmp(H_STR(items, pk), H_STR(items, ck));
        H_ASSERTF(desc ? c >= 0 : c <= 0, "sort=%s: item %zu out of order", sort, i);
    }
}

static void test_sorting(void)
{
    setup();
    check_order("name", "name", false, false);
    check_order("-name", "name", true, false);
    check_order("code", "code", false, false);
    check_order("-code", "code", true, false);
    check_order("id", "id", false, true);
    check_order("-id", "id", true, true);
    check_order("created_at", "created_at", false, false);
    check_order("-created_at", "created_at", true, false);
    struct h_resp *r = h_req("GET", "/api/v1/units?kind=community&sort=-code&limit=1", admin, NULL);
    H_EQ_STR(H_STR(r->json, "items.0.code"), "CM192");
}

static void test_subtree_and_ancestors(void)
{
    setup();
    long long park = unit_by_code("PK01"), univ = unit_by_code("UN01");
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units/%lld/subtree", park), admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 820); /* the demo's biggest park */
    H_EQ_INT(H_INT(r->json, "total"), total_of(h_fmt("/api/v1/units?parent=%lld", park)));
    H_EQ_STR(H_STR(r->json, "items.0.kind"), "enterprise");
    r = h_req("GET", h_fmt("/api/v1/units/%lld/subtree", univ), admin, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 3);
    for (size_t i = 0; i < json_array_size(h_get(r->json, "items")); i++) {
        H_EQ_INT(H_INT(r->json, h_fmt("items.%zu.parent_id", i)), univ);
        H_EQ_INT(H_INT(r->json, h_fmt("items.%zu.depth", i)), 1);
    }
    /* the district's subtree is every other unit, communities at depth 2 */
    r = h_req("GET", "/api/v1/units/1/subtree", admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), total_of("/api/v1/units?limit=1&archived=all") - 1);
    long long cm = unit_by_code("CM001");
    for (size_t i = 0; i < 400; i++)
        if (H_INT(r->json, h_fmt("items.%zu.id", i)) == cm) {
            H_EQ_INT(H_INT(r->json, h_fmt("items.%zu.depth", i)), 2);
            break;
        }
    /* ancestors come root first */
    long long school = unit_by_code("UN01S01");
    r = h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", school), admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 2);
    H_EQ_STR(H_STR(r->json, "items.0.kind"), "district");
    H_EQ_INT(H_INT(r->json, "items.1.id"), univ);
    H_ERR(h_req("GET", "/api/v1/units/999999999/subtree", admin, NULL), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/units/999999999/ancestors", admin, NULL), 404, "not_found");
}

static void test_directory_is_public(void)
{
    setup();
    struct h_resp *r = h_req("GET", "/api/v1/units/directory", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 1);
    H_EQ_STR(H_STR(r->json, "items.0.kind"), "district");
    H_ASSERT(json_is_true(h_get(r->json, "items.0.has_children")));
    r = h_req("GET", "/api/v1/units/directory?parent=1&kind=street&limit=500", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 14 + 1); /* archived T-ST-B is not listed */
    /* minimal fields only: no codes, addresses or contacts */
    json_t *item = h_get(r->json, "items.0");
    H_ASSERT(json_is_integer(h_get(item, "id")) && json_is_string(h_get(item, "name")));
    H_ASSERT(!h_get(item, "code") && !h_get(item, "address") && !h_get(item, "contact"));
    H_ERR_FIELD(h_req("GET", "/api/v1/units/directory?kind=planet", NULL, NULL), 422, "invalid",
                "kind");
    /* but the full list is not public */
    H_ERR(h_req("GET", "/api/v1/units", NULL, NULL), 401, "unauthenticated");
}

static void test_unit_admin_scope(void)
{
    setup();
    const char *sa = h_tok("street_admin");
    long long st1 = unit_by_code("ST01"), st2 = unit_by_code("ST02");
    long long cm1 = unit_by_code("CM001"), cm2 = unit_by_code("CM002"); /* in ST01 and ST02 */
    /* a street admin adds communities to their own street only */
    json_t *c = create(sa, "community", "T-SA-C", "街道新建社区", st1, 201);
    create(sa, "community", "T-SA-D", "越界社区", st2, 403);
    create(sa, "street", "T-SA-S", "越界街道", 1, 403);
    /* updates their street and its communities, not the neighbour's */
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/units/%lld", st1), sa, "{\"contact\":\"主任\"}"), 200);
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm1), sa, "{\"contact\":\"书记\"}"), 200);
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm2), sa, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    /* moving needs rights on both parents */
    H_ERR(h_reqf("PATCH", h_fmt("/api/v1/units/%lld", H_INT(c, "id")), sa, "{\"parent_id\":%lld}",
                 st2),
          403, "forbidden");
    /* archives inside, not its own street (that needs the district) */
    H_STATUS(h_req("POST", h_fmt("/api/v1/units/%lld/archive", H_INT(c, "id")), sa, NULL), 200);
    H_ERR(h_req("POST", h_fmt("/api/v1/units/%lld/archive", st1), sa, NULL), 403, "forbidden");
    /* a community admin cannot add a street or change the street above */
    const char *ca = h_tok("community_admin");
    create(ca, "street", "T-CA-S", "x", 1, 403);
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", st1), ca, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm1), ca, "{\"contact\":\"社区\"}"), 200);
}

/* ---- moving a unit moves its appeals' scope and its KPIs (issue 10) ---- */

static const char *const kpi_counters[] = {
    "total",
    "responded",
    "responded_on_time",
    "resolved",
    "resolved_on_time",
    "rejected",
    "overdue",
    "reopened",
    "rated",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "solved",
    "pending",
    "unrated",
    NULL,
};

static json_t *street_totals(long long unit)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/stats/appeals?unit=%lld", unit), admin, NULL);
    H_STATUS(r, 200);
    return h_keep_json(json_incref(h_get(r->json, "totals")));
}

static bool list_has(const char *token, long long unit, long long id)
{
    struct h_resp *r =
        h_req("GET", h_fmt("/api/v1/appeals?unit=%lld&limit=100", unit), token, NULL);
    H_STATUS(r, 200);
    for (size_t i = 0; i < json_array_size(h_get(r->json, "items")); i++)
        if (H_INT(r->json, h_fmt("items.%zu.id", i)) == id)
            return true;
    return false;
}

static void test_move_moves_appeals_and_stats(void)
{
    setup();
    long long st1 = unit_by_code("ST01"), st2 = unit_by_code("ST02");
    long long cm = unit_by_code("CM015"); /* in ST01; no demo account works there */
    struct h_resp *r = h_req("GET", "/api/v1/categories", NULL, NULL);
    H_STATUS(r, 200);
    long long cat = H_INT(r->json, "items.0.children.0.id");
    /* the new street gets a handler and an admin (demo accounts of elsewhere) */
    const char *nh = h_tok("dept_handler"), *na = h_tok("park_handler");
    H_STATUS(h_reqf("POST", "/api/v1/grants", admin,
                    "{\"user_id\":%lld,\"role\":\"handler\",\"unit_id\":%lld}",
                    h_uid("dept_handler"), st2),
             201);
    H_STATUS(h_reqf("POST", "/api/v1/grants", admin,
                    "{\"user_id\":%lld,\"role\":\"unit_admin\",\"unit_id\":%lld}",
                    h_uid("park_handler"), st2),
             201);
    /* and the community its own handler, whose signed-in grant (with the
     * community's path) is cached by the time the community moves */
    const char *own = h_tok("univ_handler");
    H_STATUS(h_reqf("POST", "/api/v1/grants", admin,
                    "{\"user_id\":%lld,\"role\":\"handler\",\"unit_id\":%lld}",
                    h_uid("univ_handler"), cm),
             201);
    /* four appeals in the community: one resolved, one accepted, two new */
    long long ids[4];
    for (int i = 0; i < 4; i++) {
        r = h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
                   "{\"title\":\"小区路灯不亮\",\"description\":\"小区东门路灯坏了两周\","
                   "\"category_id\":%lld,\"unit_id\":%lld,\"contact_phone\":\"13800138000\"}",
                   cat, cm);
        H_STATUS(r, 201);
        H_EQ_INT(H_INT(r->json, "handler_unit_id"), cm);
        ids[i] = H_INT(r->json, "id");
    }
    const char *oh = h_tok("street_handler"), *oa = h_tok("street_admin");
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", ids[0]), oh, "{}"), 200);
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/resolve", ids[0]), oh,
                   "{\"reply\":\"已修复路灯\"}"),
             200);
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", ids[1]), oa, "{}"), 200);
    /* before: the old street reads them, the new one does not */
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[2]), oh, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[2]), nh, NULL), 403, "forbidden");
    H_ASSERT(list_has(oh, st1, ids[2]));
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[2]), own, NULL), 200);
    json_t *old_before = street_totals(st1), *new_before = street_totals(st2);
    json_t *dist_before = street_totals(1);

    r = h_reqf("PATCH", h_fmt("/api/v1/units/%lld", cm), admin, "{\"parent_id\":%lld}", st2);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "parent_id"), st2);

    /* the KPIs moved with the community: the old street lost what the new gained */
    json_t *old_after = street_totals(st1), *new_after = street_totals(st2);
    for (const char *const *k = kpi_counters; *k; k++) {
        long long lost = H_INT(old_before, *k) - H_INT(old_after, *k);
        long long gained = H_INT(new_after, *k) - H_INT(new_before, *k);
        H_ASSERTF(lost == gained, "%s: the old street lost %lld, the new one gained %lld", *k, lost,
                  gained);
    }
    H_ASSERT(H_INT(old_before, "total") - H_INT(old_after, "total") >= 4);
    H_EQ_INT(H_INT(new_after, "resolved") - H_INT(new_before, "resolved"), 1);
    H_EQ_STR(h_dump(street_totals(1)), h_dump(dist_before));

    /* the old street: no read, no contact, no accept, not in its list */
    const char *old_staff[] = {oh, oa};
    for (int s = 0; s < 2; s++) {
        const char *t = old_staff[s];
        H_ERR(h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[2]), t, NULL), 403, "forbidden");
        H_ERR(h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", ids[2]), t, NULL), 403,
              "forbidden");
        H_ERR(h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", ids[2 + s]), t, "{}"), 403,
              "forbidden");
        H_ASSERT(!list_has(t, st1, ids[2]));
    }
    /* the new street: reads, unmasks, accepts, lists */
    const char *new_staff[] = {nh, na};
    for (int s = 0; s < 2; s++) {
        const char *t = new_staff[s];
        r = h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[2 + s]), t, NULL);
        H_STATUS(r, 200);
        r = h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", ids[2 + s]), t, NULL);
        H_STATUS(r, 200);
        H_EQ_STR(H_STR(r->json, "contact_phone"), "13800138000");
        H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", ids[2 + s]), t, "{}"), 200);
        for (int i = 0; i < 4; i++)
            H_ASSERTF(list_has(t, st2, ids[i]), "appeal %lld is not in the new street's list",
                      ids[i]);
    }
    /* the community's own handler keeps its work: no stale cached path */
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld/contact", ids[1]), own, NULL), 200);
    H_ASSERT(list_has(own, cm, ids[1]));
    /* the community's own grants moved along: the street admin no longer
     * administers it, the new one does */
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm), oa, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm), na, "{\"contact\":\"新街道\"}"), 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_create_and_read),
        H_TEST(test_kind_parent_rules),
        H_TEST(test_unique_code),
        H_TEST(test_update),
        H_TEST(test_move),
        H_TEST(test_no_cycles),
        H_TEST(test_archive),
        H_TEST(test_list_filters),
        H_TEST(test_pagination),
        H_TEST(test_sorting),
        H_TEST(test_subtree_and_ancestors),
        H_TEST(test_directory_is_public),
        H_TEST(test_unit_admin_scope),
        H_TEST(test_move_moves_appeals_and_stats), /* last: it moves CM015 */
        {0},
    };
    return h_main(argc, argv, tests);
}
