/*
 * t_grants: role grants. A unit admin grants and revokes roles inside their
 * own subtree only, and never district_admin or auditor; the district admin
 * grants anything (elevated roles only at the district). A grant takes
 * effect on the holder's next request and a revoke ends it just as fast.
 * Granting is managing the holder (issue 10): the street admin's target is a
 * member of the street (public in its first community), not a resident
 * registered at the district, whom only district admins manage.
 */
#include <stdio.h>

#include "harness.h"

static long long st1, st2, cm1, cm2, target;
#define TARGET_PW "ocean-lamp-4815"

static long long unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "items.0.code"), code);
    return H_INT(r->json, "items.0.id");
}

static void setup(void)
{
    h_need_demo();
    if (st1)
        return;
    st1 = unit_by_code("ST01");
    st2 = unit_by_code("ST02");
    cm1 = unit_by_code("CM001"); /* in ST01 */
    cm2 = unit_by_code("CM002"); /* in ST02 */
    /* a public account of the street's first community, to promote */
    struct h_resp *r = h_reqf("POST", "/api/v1/users", h_tok("street_admin"),
                              "{\"login\":\"grant.target\",\"password\":\"" TARGET_PW "\","
                              "\"display_name\":\"待授权\",\"role\":\"public\",\"unit_id\":%lld}",
                              cm1);
    H_STATUS(r, 201);
    target = H_INT(r->json, "id");
}

static const char *target_tok(void)
{
    return h_session("grant.target", TARGET_PW)->token;
}

static struct h_resp *grant(const char *token, long long user, const char *role, long long unit)
{
    return h_reqf("POST", "/api/v1/grants", token,
                  "{\"user_id\":%lld,\"role\":\"%s\",\"unit_id\":%lld}", user, role, unit);
}

static long long grants_of(long long user)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/users/%lld/grants", user), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static void test_unit_admin_grants_in_subtree(void)
{
    setup();
    const char *sa = h_tok("street_admin");
    long long before = grants_of(target);
    /* the target cannot see units yet */
    H_ERR(h_req("GET", "/api/v1/units", target_tok(), NULL), 403, "forbidden");
    struct h_resp *r = grant(sa, target, "collector", cm1);
    H_STATUS(r, 201);
    H_ASSERT(H_INT(r->json, "id") > 0);
    H_EQ_STR(H_STR(r->json, "role"), "collector");
    H_EQ_INT(H_INT(r->json, "unit_id"), cm1);
    H_EQ_STR(H_STR(r->json, "unit_kind"), "community");
    H_EQ_INT(grants_of(target), before + 1);
    /* effective at once, for the token the target already holds */
    struct h_resp *u = h_req("GET", "/api/v1/units", target_tok(), NULL);
    H_STATUS(u, 200);
    H_EQ_INT(H_INT(u->json, "total"), 1);
    H_EQ_INT(H_INT(u->json, "items.0.id"), cm1);
    /* unit_admin and handler inside the street are fine too */
    H_STATUS(grant(sa, target, "handler", st1), 201);
    H_STATUS(grant(sa, target, "unit_admin", cm1), 201);
    /* the same grant twice is a conflict */
    H_ERR_FIELD(grant(sa, target, "handler", st1), 409, "conflict", "role");
    /* the grant is audited */
    struct h_resp *a = h_req("GET", "/api/v1/audit?action=grant&limit=10", h_tok("auditor"), NULL);
    H_STATUS(a, 200);
    H_EQ_STR(H_STR(a->json, "items.0.actor_login"), "street_admin");
    H_EQ_INT(H_INT(a->json, "items.0.target_id"), target);
}

static void test_unit_admin_limits(void)
{
    setup();
    const char *sa = h_tok("street_admin"), *ca = h_tok("community_admin");
    long long before = grants_of(target);
    /* outside the subtree: the neighbour street, its community, the district */
    H_ERR_FIELD(grant(sa, target, "handler", st2), 403, "forbidden", "unit_id");
    H_ERR_FIELD(grant(sa, target, "handler", cm2), 403, "forbidden", "unit_id");
    H_ERR_FIELD(grant(sa, target, "handler", 1), 403, "forbidden", "unit_id");
    /* never the elevated roles, even inside */
    H_ERR_FIELD(grant(sa, target, "district_admin", st1), 403, "forbidden", "role");
    H_ERR_FIELD(grant(sa, target, "auditor", st1), 403, "forbidden", "role");
    H_ERR_FIELD(grant(sa, target, "district_admin", 1), 403, "forbidden", NULL);
    /* a community admin cannot reach up to the street */
    H_ERR_FIELD(grant(ca, target, "handler", st1), 403, "forbidden", "unit_id");
    /* roles without the grant permission cannot grant at all */
    H_ERR(grant(h_tok("community_handler"), target, "collector", cm1), 403, "forbidden");
    H_ERR(grant(h_tok("gridworker"), target, "collector", cm1), 403, "forbidden");
    /* malformed grants */
    H_ERR_FIELD(grant(sa, 999999999, "handler", st1), 422, "invalid", "user_id");
    H_ERR_FIELD(grant(sa, target, "handler", 999999999), 422, "invalid", "unit_id");
    H_ERR_FIELD(grant(sa, target, "mayor", st1), 422, "invalid", "role");
    H_ERR_FIELD(h_req("POST", "/api/v1/grants", sa, "{\"user_id\":1,\"role\":\"handler\"}"), 422,
                "invalid", "unit_id");
    H_EQ_INT(grants_of(target), before);
}

static void test_district_admin_grants(void)
{
    setup();
    const char *admin = h_tok("admin");
    long long u = h_uid("student");
    /* elevated roles are held at the district only */
    H_ERR_FIELD(grant(admin, u, "auditor", st1), 422, "invalid", "unit_id");
    H_ERR_FIELD(grant(admin, u, "district_admin", st1), 422, "invalid", "unit_id");
    struct h_resp *r = grant(admin, u, "auditor", 1);
    H_STATUS(r, 201);
    long long gid = H_INT(r->json, "id");
    /* now read-only everywhere: reads the audit log, writes nothing */
    H_STATUS(h_req("GET", "/api/v1/audit?limit=1", h_tok("student"), NULL), 200);
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", u), h_tok("student"),
                "{\"display_name\":\"x\"}"),
          403, "forbidden");
    /* a unit admin cannot take it away; the district admin can */
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", gid), h_tok("street_admin"), NULL), 403,
          "forbidden");
    H_STATUS(h_req("DELETE", h_fmt("/api/v1/grants/%lld", gid), admin, NULL), 200);
    H_ERR(h_req("GET", "/api/v1/audit?limit=1", h_tok("student"), NULL), 403, "forbidden");
    /* no district admin revokes their own district_admin role */
    struct h_resp *g =
        h_req("GET", h_fmt("/api/v1/users/%lld/grants", h_uid("admin")), admin, NULL);
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", H_INT(g->json, "items.0.id")), admin, NULL),
          409, "conflict");
    /* but another district admin's, yes (and it is audited) */
    g = h_req("GET", h_fmt("/api/v1/users/%lld/grants", h_uid("supervisor")), admin, NULL);
    long long sup = H_INT(g->json, "items.0.id");
    H_STATUS(h_req("DELETE", h_fmt("/api/v1/grants/%lld", sup), admin, NULL), 200);
    H_ERR(h_req("GET", "/api/v1/audit?limit=1", h_tok("supervisor"), NULL), 403, "forbidden");
    struct h_resp *a = h_req("GET", "/api/v1/audit?action=revoke&limit=1", admin, NULL);
    H_EQ_STR(H_STR(a->json, "items.0.detail.role"), "district_admin");
    H_EQ_INT(H_INT(a->json, "items.0.detail.grant_id"), sup);
}

static void test_revoke_in_subtree(void)
{
    setup();
    const char *sa = h_tok("street_admin");
    struct h_resp *g =
        h_req("GET", h_fmt("/api/v1/users/%lld/grants", target), h_tok("admin"), NULL);
    H_STATUS(g, 200);
    long long before = H_INT(g->json, "total");
    /* revoke everything the street admin granted the target earlier */
    int revoked = 0;
    for (long long i = 0; i < before; i++) {
        const char *role = H_STR(g->json, h_fmt("items.%lld.role", i));
        if (!strcmp(role, "public"))
            continue;
        H_STATUS(h_req("DELETE",
                       h_fmt("/api/v1/grants/%lld", H_INT(g->json, h_fmt("items.%lld.id", i))), sa,
                       NULL),
                 200);
        revoked++;
    }
    H_EQ_INT(revoked, 3);
    H_EQ_INT(grants_of(target), before - revoked);
    /* effective at once */
    H_ERR(h_req("GET", "/api/v1/units", target_tok(), NULL), 403, "forbidden");
    /* a resident's own public grant sits at the district, outside the street */
    g = h_req("GET", h_fmt("/api/v1/users/%lld/grants", h_uid("resident")), h_tok("admin"), NULL);
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", H_INT(g->json, "items.0.id")), sa, NULL),
          403, "forbidden");
    /* a grant in the neighbour street is out of reach too */
    g = h_req("GET", h_fmt("/api/v1/users/%lld/grants", h_uid("community2_handler")),
              h_tok("admin"), NULL);
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", H_INT(g->json, "items.0.id")), sa, NULL),
          403, "forbidden");
    H_ERR(h_req("DELETE", "/api/v1/grants/999999999", sa, NULL), 404, "not_found");
    H_ERR(h_req("DELETE", "/api/v1/grants/abc", sa, NULL), 404, "not_found");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_unit_admin_grants_in_subtree),
        H_TEST(test_unit_admin_limits),
        H_TEST(test_district_admin_grants),
        H_TEST(test_revoke_in_subtree),
        {0},
    };
    return h_main(argc, argv, tests);
}
