/*
 * t_init: `sanqu init` creates a database with the district and its first
 * district admin, prints a one-time password that signs in (there is no
 * default password) once: that session may only choose a new password
 * (issue 10), after which the admin works and the one-time password is gone.
 * init refuses a database that already has a district.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

/* The password from init's "one-time password: XXX" line. */
static const char *one_time_password(const char *out)
{
    const char *p = strstr(out, "one-time password: ");
    H_ASSERTF(p, "no one-time password in: %s", out);
    p += strlen("one-time password: ");
    size_t n = strcspn(p, " \r\n");
    H_ASSERTF(n >= 16, "one-time password too short: %.*s", (int)n, p);
    return h_fmt("%.*s", (int)n, p);
}

static void test_init_then_sign_in(void)
{
    const char *db = h_newdb("new");
    struct h_run *r = h_sanqu("init", "--db", db, "--admin", "alice", NULL);
    H_ASSERTF(r->status == 0, "init failed (%d): %s", r->status, r->err);
    H_CONTAINS(r->out, "alice");
    const char *pw = one_time_password(r->out);
    /* a second init makes a different password */
    struct h_run *r2 =
        h_sanqu("init", "--db", h_newdb("other"), "--admin", "alice", "--district", "测试区", NULL);
    H_EQ_INT(r2->status, 0);
    H_ASSERT(strcmp(one_time_password(r2->out), pw));

    h_start(&(struct h_opts){.db = db});
    H_ERR(h_req("POST", "/api/v1/auth/login", NULL,
                "{\"login\":\"alice\",\"password\":\"sanqu-demo\"}"),
          401, "unauthenticated");
    struct h_resp *in =
        h_reqf("POST", "/api/v1/auth/login", NULL, "{\"login\":\"alice\",\"password\":\"%s\"}", pw);
    H_STATUS(in, 200);
    H_ASSERT(json_is_true(h_get(in->json, "must_change_password")));
    const struct h_session *s = h_session("alice", pw);
    struct h_resp *me = h_req("GET", "/api/v1/me", s->token, NULL);
    H_STATUS(me, 200);
    H_ASSERT(json_is_true(h_get(me->json, "must_change_password")));
    H_EQ_STR(H_STR(me->json, "grants.0.role"), "district_admin");
    H_EQ_STR(H_STR(me->json, "grants.0.unit_kind"), "district");
    H_EQ_STR(H_STR(me->json, "grants.0.unit_name"), "洪山区");
    /* the one-time password works once: until it is replaced, nothing else */
    H_ERR_FIELD(h_req("GET", "/api/v1/units", s->token, NULL), 403, "password_change_required",
                "password");
    H_ERR(h_req("POST", "/api/v1/units", s->token,
                "{\"kind\":\"street\",\"code\":\"ST1\",\"name\":\"第一街道\",\"parent_id\":1}"),
          403, "password_change_required");
    H_ERR(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", s->user_id), s->token,
                 "{\"display_name\":\"爱丽丝\",\"password\":\"river-stone-lamp\","
                 "\"current_password\":\"%s\"}",
                 pw),
          403, "password_change_required");
    H_ERR_FIELD(h_req("PATCH", h_fmt("/api/v1/users/%lld", s->user_id), s->token,
                      "{\"password\":\"river-stone-lamp\"}"),
                422, "invalid", "current_password");
    H_ERR_FIELD(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", s->user_id), s->token,
                       "{\"password\":\"12345678\",\"current_password\":\"%s\"}", pw),
                422, "invalid", "password");
    H_STATUS(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", s->user_id), s->token,
                    "{\"password\":\"river-stone-lamp\",\"current_password\":\"%s\"}", pw),
             200);
    /* now the same session works: the flag is gone */
    me = h_req("GET", "/api/v1/me", s->token, NULL);
    H_ASSERT(json_is_false(h_get(me->json, "must_change_password")));
    struct h_resp *u = h_req("GET", "/api/v1/units", s->token, NULL);
    H_STATUS(u, 200);
    H_EQ_INT(H_INT(u->json, "total"), 1);
    H_EQ_INT(H_INT(h_req("GET", "/api/v1/users", s->token, NULL)->json, "total"), 1);
    H_STATUS(h_req("POST", "/api/v1/units", s->token,
                   "{\"kind\":\"street\",\"code\":\"ST1\",\"name\":\"第一街道\","
                   "\"parent_id\":1}"),
             201);
    /* the one-time password is spent; the new one signs in, with no flag */
    H_ERR(
        h_reqf("POST", "/api/v1/auth/login", NULL, "{\"login\":\"alice\",\"password\":\"%s\"}", pw),
        401, "unauthenticated");
    in = h_req("POST", "/api/v1/auth/login", NULL,
               "{\"login\":\"alice\",\"password\":\"river-stone-lamp\"}");
    H_STATUS(in, 200);
    H_ASSERT(json_is_false(h_get(in->json, "must_change_password")));
    h_stop();

    /* init refuses a database with a district, and changes nothing */
    r = h_sanqu("init", "--db", db, "--admin", "bob", NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->err, "already has a district");
    H_ASSERT(!strstr(r->out, "one-time password"));
    r = h_sanqu("demo", "--db", db, NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->err, "not empty");
    h_start(&(struct h_opts){.db = db});
    s = h_session("alice", "river-stone-lamp");
    H_EQ_INT(H_INT(h_req("GET", "/api/v1/users", s->token, NULL)->json, "total"), 1);
}

static void test_init_arguments(void)
{
    const char *dir = h_newdir("initargs");
    struct h_run *r = h_sanqu("init", "--db", h_fmt("%s/a.db", dir), NULL);
    H_EQ_INT(r->status, 2);
    H_CONTAINS(r->err, "--admin");
    r = h_sanqu("init", "--db", h_fmt("%s/a.db", dir), "--admin", "x", "--colour", "red", NULL);
    H_EQ_INT(r->status, 2);
    H_CONTAINS(r->err, "unknown option");
    r = h_sanqu("init", "--help", NULL);
    H_EQ_INT(r->status, 0);
    H_CONTAINS(r->out, "one-time password");
    r = h_sanqu("frobnicate", NULL);
    H_EQ_INT(r->status, 2);
    H_CONTAINS(r->err, "unknown command");
    r = h_sanqu("--help", NULL);
    H_EQ_INT(r->status, 0);
    H_CONTAINS(r->out, "usage: sanqu COMMAND");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_init_then_sign_in),
        H_TEST(test_init_arguments),
        {0},
    };
    return h_main(argc, argv, tests);
}
