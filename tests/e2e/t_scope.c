/*
 * t_scope: nobody sees another unit's data without the role for it. A
 * community handler reads their community (and the street above it), never
 * another community's units or users, and changes neither (403); the same
 * holds across streets, zones and for the community's admin and grid worker.
 */
#include <stdio.h>

#include "harness.h"

static long long st1, st2, cm1, cm2, park;

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
    cm1 = unit_by_code("CM001"); /* community_handler's, in ST01 */
    cm2 = unit_by_code("CM002"); /* community2_handler's, in ST02 */
    park = unit_by_code("PK01");
}

static void test_units_of_another_community(void)
{
    setup();
    const char *ch = h_tok("community_handler");
    /* own community, its subtree and ancestors, and the street above */
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), ch, NULL), 200);
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld/subtree", cm1), ch, NULL), 200);
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", cm1), ch, NULL), 200);
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", st1), ch, NULL), 200);
    /* ...but not the street's other communities, nor its subtree */
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld/subtree", st1), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/units/1/subtree", ch, NULL), 403, "forbidden");
    /* another community: nothing */
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld/subtree", cm2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", cm2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", st2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", park), ch, NULL), 403, "forbidden");
    /* the list holds exactly the own community */
    struct h_resp *r = h_req("GET", "/api/v1/units?limit=500", ch, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 1);
    H_EQ_INT(H_INT(r->json, "items.0.id"), cm1);
    H_EQ_INT(H_INT(h_req("GET", h_fmt("/api/v1/units?parent=%lld", st1), ch, NULL)->json, "total"),
             1);
    /* and changes nothing anywhere: a handler has no unit.write */
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm2), ch, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm1), ch, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_req("POST", h_fmt("/api/v1/units/%lld/archive", cm2), ch, NULL), 403, "forbidden");
    /* the other way round, the same */
    const char *c2 = h_tok("community2_handler");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), c2, NULL), 403, "forbidden");
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", cm2), c2, NULL), 200);
}

static void test_admin_of_another_community(void)
{
    setup();
    const char *ca = h_tok("community_admin"); /* unit_admin of CM001 */
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm2), ca, NULL), 403, "forbidden");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", cm2), ca, "{\"contact\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_req("POST", h_fmt("/api/v1/units/%lld/archive", cm2), ca, NULL), 403, "forbidden");
    long long c2 = h_uid("community2_handler");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", c2), ca, NULL), 403, "forbidden");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", c2), ca, "{\"display_name\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_reqf("POST", "/api/v1/users", ca,
                 "{\"login\":\"intruder\",\"password\":\"long-enough\",\"display_name\":\"x\","
                 "\"role\":\"handler\",\"unit_id\":%lld}",
                 cm2),
          403, "forbidden");
    H_ERR(h_reqf("POST", "/api/v1/grants", ca,
                 "{\"user_id\":%lld,\"role\":\"collector\",\"unit_id\":%lld}",
                 h_uid("community_handler"), cm2),
          403, "forbidden");
    struct h_resp *g = h_req("GET", h_fmt("/api/v1/users/%lld/grants", c2), h_tok("admin"), NULL);
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", H_INT(g->json, "items.0.id")), ca, NULL),
          403, "forbidden");
    /* the display name did not change */
    struct h_resp *u = h_req("GET", h_fmt("/api/v1/users/%lld", c2), h_tok("admin"), NULL);
    H_EQ_STR(H_STR(u->json, "display_name"), "邻社区工作者（演示）");
}

static void test_users_of_another_community(void)
{
    setup();
    const char *ch = h_tok("community_handler");
    long long c2 = h_uid("community2_handler"), ca = h_uid("community_admin");
    /* own community's users: yes, masked */
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld", ca), ch, NULL), 200);
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld/grants", ca), ch, NULL), 200);
    /* another community's: no */
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", c2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/grants", c2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/personal", c2), ch, NULL), 403, "forbidden");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", c2), ch, "{\"display_name\":\"x\"}"), 403,
          "forbidden");
    H_ERR_FIELD(h_req("GET", h_fmt("/api/v1/users?unit=%lld", cm2), ch, NULL), 403, "forbidden",
                "unit");
    /* district-level accounts (admins, residents) are outside a community too */
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("admin")), ch, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("resident")), ch, NULL), 403, "forbidden");
    /* the list holds the own community's people only */
    struct h_resp *r = h_req("GET", "/api/v1/users?limit=500", ch, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 3);
    H_ASSERT(!strstr(r->body, "\"community2_handler\""));
    H_ASSERT(!strstr(r->body, "\"street_admin\"")); /* the street is above, not inside */
    H_ASSERT(strstr(r->body, "\"gridworker\""));
}

static void test_other_roles_and_zones(void)
{
    setup();
    /* a grid worker (collector) reads their community's units, not users */
    const char *gw = h_tok("gridworker");
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), gw, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm2), gw, NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/users", gw, NULL), 403, "forbidden");
    /* a street handler reaches the street's communities, not the next street's */
    const char *sh = h_tok("street_handler");
    H_STATUS(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), sh, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm2), sh, NULL), 403, "forbidden");
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("community_handler")), sh, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("community2_handler")), sh, NULL), 403,
          "forbidden");
    /* zones do not mix: a park liaison sees no community, a campus liaison no park */
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), h_tok("park_handler"), NULL), 403,
          "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", park), h_tok("univ_handler"), NULL), 403,
          "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("park_handler")), h_tok("dept_handler"),
                NULL),
          403, "forbidden");
    /* a resident sees only themselves */
    const char *res = h_tok("resident");
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("resident")), res, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld", h_uid("student")), res, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/units/%lld", cm1), res, NULL), 403, "forbidden");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_units_of_another_community),
        H_TEST(test_admin_of_another_community),
        H_TEST(test_users_of_another_community),
        H_TEST(test_other_roles_and_zones),
        {0},
    };
    return h_main(argc, argv, tests);
}
