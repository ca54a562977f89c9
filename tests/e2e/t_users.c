/*
 * t_users: accounts. Creating a user with a role in a unit; personal data
 * (phone, ID number) masked in every response that carries it; the unmasked
 * read (/users/{id}/personal) allowed to self and the admins of the user's
 * units, refused to others, and written to the audit log (read back as the
 * auditor); self-service updates that need the current password to change
 * it; list filters and scope.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define PHONE "13912345678"
#define PHONE_MASKED "139****5678"
#define IDN "420111199001011234"
#define IDN_MASKED "4201**********1234"

static long long st1, st2, new_id;

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
    if (!st1) {
        st1 = unit_by_code("ST01");
        st2 = unit_by_code("ST02");
    }
}

/* The raw number must not leak anywhere in a response that is not /personal. */
static void masked(const struct h_resp *r)
{
    H_ASSERTF(!strstr(r->body, PHONE), "unmasked phone in %s %s: %s", r->method, r->path,
              r->body);
    H_ASSERTF(!strstr(r->body, IDN), "unmasked ID number in %s %s: %s", r->method, r->path,
              r->body);
}

static void test_create_with_role(void)
{
    setup();
    const char *sa = h_tok("street_admin");
    struct h_resp *r = h_reqf("POST", "/api/v1/users", sa,
                              "{\"login\":\"zhao.liu\",\"password\":\"first-pass-1\","
                              "\"display_name\":\"赵六\",\"phone\":\"" PHONE "\","
                              "\"id_number\":\"" IDN "\",\"role\":\"handler\",\"unit_id\":%lld}",
                              st1);
    H_STATUS(r, 201);
    masked(r);
    new_id = H_INT(r->json, "id");
    H_EQ_STR(H_STR(r->json, "login"), "zhao.liu");
    H_EQ_STR(H_STR(r->json, "phone"), PHONE_MASKED);
    H_EQ_STR(H_STR(r->json, "id_number"), IDN_MASKED);
    H_ASSERT(json_is_false(h_get(r->json, "disabled")));
    H_EQ_STR(H_STR(r->json, "grants.0.role"), "handler");
    H_EQ_INT(H_INT(r->json, "grants.0.unit_id"), st1);
    H_ASSERT(!h_get(r->json, "password") && !h_get(r->json, "password_hash"));
    /* the new account can sign in and holds the role */
    const struct h_session *s = h_session("zhao.liu", "first-pass-1");
    struct h_resp *me = h_req("GET", "/api/v1/me", s->token, NULL);
    H_STATUS(me, 200);
    masked(me);
    H_EQ_STR(H_STR(me->json, "grants.0.role"), "handler");

    /* a unit admin must give the role in one of their units */
    H_ERR_FIELD(h_req("POST", "/api/v1/users", sa,
                      "{\"login\":\"norole\",\"password\":\"long-enough\",\"display_name\":\"x\"}"),
                422, "invalid", "role");
    H_ERR_FIELD(h_req("POST", "/api/v1/users", sa,
                      "{\"login\":\"norole\",\"password\":\"long-enough\",\"display_name\":\"x\","
                      "\"role\":\"handler\"}"),
                422, "invalid", "unit_id");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/users", sa,
                       "{\"login\":\"outside\",\"password\":\"long-enough\",\"display_name\":"
                       "\"x\",\"role\":\"handler\",\"unit_id\":%lld}",
                       st2),
                403, "forbidden", "unit_id");
    /* the district admin may create an account without a role */
    r = h_req("POST", "/api/v1/users", h_tok("admin"),
              "{\"login\":\"plain\",\"password\":\"long-enough\",\"display_name\":\"无角色\"}");
    H_STATUS(r, 201);
    H_ASSERT(json_is_null(h_get(r->json, "phone")));
    H_EQ_INT(json_array_size(h_get(r->json, "grants")), 0);
}

static void test_create_validation(void)
{
    setup();
    const char *admin = h_tok("admin");
    struct h_resp *before = h_req("GET", "/api/v1/users?limit=1", admin, NULL);
    struct {
        const char *body, *field;
    } bad[] = {
        {"{\"login\":\"a b\",\"password\":\"long-enough\",\"display_name\":\"x\"}", "login"},
        {"{\"login\":\"ab\",\"password\":\"long-enough\",\"display_name\":\"x\"}", "login"},
        {"{\"login\":\"abc\",\"password\":\"short\",\"display_name\":\"x\"}", "password"},
        {"{\"login\":\"abc\",\"password\":\"long-enough\"}", "display_name"},
        {"{\"login\":\"abc\",\"password\":\"long-enough\",\"display_name\":\"x\","
         "\"phone\":\"1391234567\"}",
         "phone"},
        {"{\"login\":\"abc\",\"password\":\"long-enough\",\"display_name\":\"x\","
         "\"phone\":\"23912345678\"}",
         "phone"},
        {"{\"login\":\"abc\",\"password\":\"long-enough\",\"display_name\":\"x\","
         "\"id_number\":\"42011119900101123Y\"}",
         "id_number"},
        {"{\"login\":\"abc\",\"password\":\"long-enough\",\"display_name\":\"x\","
         "\"role\":\"emperor\",\"unit_id\":1}",
         "role"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        H_ERR_FIELD(h_req("POST", "/api/v1/users", admin, bad[i].body), 422, "invalid",
                    bad[i].field);
    struct h_resp *after = h_req("GET", "/api/v1/users?limit=1", admin, NULL);
    H_EQ_INT(H_INT(after->json, "total"), H_INT(before->json, "total"));
    /* a landline is a valid phone */
    H_STATUS(h_req("POST", "/api/v1/users", admin,
                   "{\"login\":\"landline\",\"password\":\"long-enough\",\"display_name\":\"x\","
                   "\"phone\":\"027-87654321\"}"),
             201);
}

static void test_masked_everywhere(void)
{
    setup();
    const char *admin = h_tok("admin"), *sa = h_tok("street_admin");
    const char *path = h_fmt("/api/v1/users/%lld", new_id);
    struct h_resp *r;
    masked(r = h_req("GET", path, admin, NULL));
    H_EQ_STR(H_STR(r->json, "phone"), PHONE_MASKED);
    masked(r = h_req("GET", path, sa, NULL));
    H_EQ_STR(H_STR(r->json, "id_number"), IDN_MASKED);
    masked(h_req("GET", h_fmt("%s/grants", path), sa, NULL));
    masked(r = h_req("GET", "/api/v1/users?q=zhao", admin, NULL));
    H_EQ_INT(H_INT(r->json, "total"), 1);
    H_EQ_STR(H_STR(r->json, "items.0.phone"), PHONE_MASKED);
    masked(h_req("GET", "/api/v1/users?limit=500", sa, NULL));
    masked(h_req("GET", path, h_tok("auditor"), NULL));
    masked(r = h_req("PATCH", path, admin, "{\"display_name\":\"赵六六\"}"));
    H_EQ_STR(H_STR(r->json, "phone"), PHONE_MASKED);
    masked(h_req("GET", "/api/v1/audit?limit=500", admin, NULL));
    /* and the demo accounts' phones too */
    r = h_req("GET", "/api/v1/me", h_tok("resident"), NULL);
    H_EQ_STR(H_STR(r->json, "user.phone"), "138****0013");
}

static long long personal_reads(long long target)
{
    struct h_resp *r = h_req("GET", "/api/v1/audit?action=personal_read&limit=500",
                             h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    long long n = 0;
    json_t *items = h_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        if (json_integer_value(h_get(items, h_fmt("%zu.target_id", i))) == target)
            n++;
    return n;
}

static void test_personal_read_is_audited(void)
{
    setup();
    const char *path = h_fmt("/api/v1/users/%lld/personal", new_id);
    long long before = personal_reads(new_id);
    /* the admin of the user's unit sees the real numbers */
    struct h_resp *r = h_req("GET", path, h_tok("street_admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "phone"), PHONE);
    H_EQ_STR(H_STR(r->json, "id_number"), IDN);
    H_EQ_INT(personal_reads(new_id), before + 1);
    /* ...and the auditor can see who did it */
    struct h_resp *a = h_req("GET", "/api/v1/audit?action=personal_read&limit=1",
                             h_tok("auditor"), NULL);
    H_EQ_STR(H_STR(a->json, "items.0.actor_login"), "street_admin");
    H_EQ_STR(H_STR(a->json, "items.0.target_type"), "user");
    H_EQ_INT(H_INT(a->json, "items.0.target_id"), new_id);
    H_CONTAINS(H_STR(a->json, "items.0.at"), "+08:00");
    /* the user may read their own */
    H_STATUS(h_req("GET", path, h_session("zhao.liu", "first-pass-1")->token, NULL), 200);
    H_EQ_INT(personal_reads(new_id), before + 2);
    /* others may not, and a refusal is no read */
    H_ERR(h_req("GET", path, h_tok("resident"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", path, h_tok("community2_handler"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", path, h_tok("gridworker"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", path, NULL, NULL), 401, "unauthenticated");
    H_EQ_INT(personal_reads(new_id), before + 2);
}

static void test_self_update(void)
{
    setup();
    const struct h_session *s = h_session("zhao.liu", "first-pass-1");
    const char *path = h_fmt("/api/v1/users/%lld", new_id);
    struct h_resp *r = h_req("PATCH", path, s->token,
                             "{\"display_name\":\"赵六（自改）\",\"phone\":\"13700001111\"}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "display_name"), "赵六（自改）");
    H_EQ_STR(H_STR(r->json, "phone"), "137****1111");
    /* a new password needs the current one */
    H_ERR_FIELD(h_req("PATCH", path, s->token, "{\"password\":\"second-pass-2\"}"), 422,
                "invalid", "current_password");
    H_ERR_FIELD(h_req("PATCH", path, s->token,
                      "{\"password\":\"second-pass-2\",\"current_password\":\"wrong-one\"}"),
                422, "invalid", "current_password");
    H_ERR_FIELD(h_req("PATCH", path, s->token,
                      "{\"password\":\"short\",\"current_password\":\"first-pass-1\"}"),
                422, "invalid", "password");
    H_STATUS(h_req("PATCH", path, s->token,
                   "{\"password\":\"second-pass-2\",\"current_password\":\"first-pass-1\"}"),
             200);
    H_ERR(h_req("POST", "/api/v1/auth/login", NULL,
                "{\"login\":\"zhao.liu\",\"password\":\"first-pass-1\"}"),
          401, "unauthenticated");
    H_STATUS(h_req("POST", "/api/v1/auth/login", NULL,
                   "{\"login\":\"zhao.liu\",\"password\":\"second-pass-2\"}"),
             200);
    /* a user may not disable themselves nor touch someone else */
    H_ERR_FIELD(h_req("PATCH", path, s->token, "{\"disabled\":true}"), 403, "forbidden",
                "disabled");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", h_uid("resident")), s->token,
                "{\"display_name\":\"x\"}"),
          403, "forbidden");
    H_ERR(h_req("PATCH", path, h_tok("resident"), "{\"display_name\":\"x\"}"), 403, "forbidden");
    /* the admin of the user's unit resets the password without the old one */
    H_STATUS(h_req("PATCH", path, h_tok("street_admin"), "{\"password\":\"third-pass-3\"}"), 200);
    H_STATUS(h_req("POST", "/api/v1/auth/login", NULL,
                   "{\"login\":\"zhao.liu\",\"password\":\"third-pass-3\"}"),
             200);
    /* the audit row records the change, never the password */
    struct h_resp *a = h_req("GET", h_fmt("/api/v1/audit?action=user_update&limit=500"),
                             h_tok("admin"), NULL);
    H_STATUS(a, 200);
    H_ASSERT(!strstr(a->body, "second-pass-2") && !strstr(a->body, "third-pass-3"));
    H_CONTAINS(a->body, "(changed)");
}

static void test_list_filters_and_scope(void)
{
    setup();
    const char *admin = h_tok("admin");
    struct h_resp *r = h_req("GET", "/api/v1/users?role=district_admin", admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), 2); /* admin and supervisor */
    r = h_req("GET", h_fmt("/api/v1/users?unit=%lld&limit=500", st1), admin, NULL);
    H_STATUS(r, 200);
    long long in_street = H_INT(r->json, "total");
    H_ASSERT(in_street >= 6); /* street admin + handler, community staff, grid worker, new */
    r = h_req("GET", h_fmt("/api/v1/users?unit=%lld&role=collector", st1), admin, NULL);
    H_EQ_INT(H_INT(r->json, "total"), 1);
    H_EQ_STR(H_STR(r->json, "items.0.login"), "gridworker");
    /* a street admin lists exactly the users of their street */
    r = h_req("GET", "/api/v1/users?limit=500", h_tok("street_admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), in_street);
    H_ASSERT(!strstr(r->body, "\"community2_handler\"") && !strstr(r->body, "\"park_handler\""));
    H_ERR_FIELD(h_req("GET", h_fmt("/api/v1/users?unit=%lld", st2), h_tok("street_admin"), NULL),
                403, "forbidden", "unit");
    /* pagination over users */
    r = h_req("GET", "/api/v1/users?limit=2", admin, NULL);
    H_EQ_INT(json_array_size(h_get(r->json, "items")), 2);
    H_ASSERT(json_is_string(h_get(r->json, "next")));
    struct h_resp *r2 =
        h_req("GET", h_fmt("/api/v1/users?limit=2&cursor=%s", H_STR(r->json, "next")), admin,
              NULL);
    H_STATUS(r2, 200);
    H_ASSERT(H_INT(r2->json, "items.0.id") != H_INT(r->json, "items.0.id"));
    /* sorted by login */
    H_ASSERT(strcmp(H_STR(r->json, "items.0.login"), H_STR(r->json, "items.1.login")) < 0);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_create_with_role),
        H_TEST(test_create_validation),
        H_TEST(test_masked_everywhere),
        H_TEST(test_personal_read_is_audited),
        H_TEST(test_self_update),
        H_TEST(test_list_filters_and_scope),
        {0},
    };
    return h_main(argc, argv, tests);
}
