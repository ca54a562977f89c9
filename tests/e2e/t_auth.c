/*
 * t_auth: signing in and out. Login success and failure, self-registration,
 * 401 for a missing, malformed, revoked (logout then reuse), disabled or
 * expired token, 403 for a role without the permission, and sign-in
 * throttling (429 with Retry-After, on the test clock): per login as the
 * lookup normalises it and per address, with X-Forwarded-For believed only
 * from a trusted proxy (the second server, trusted_proxies = 127.0.0.1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static struct h_resp *login(const char *login, const char *password)
{
    return h_reqf("POST", "/api/v1/auth/login", NULL, "{\"login\":\"%s\",\"password\":\"%s\"}",
                  login, password);
}

static void advance(long seconds)
{
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":%ld}", seconds), 200);
}

static void test_login_success(void)
{
    h_need_demo();
    struct h_resp *r = login("community_handler", "sanqu-demo");
    H_STATUS(r, 200);
    H_ASSERT(strlen(H_STR(r->json, "token")) >= 43);
    H_ASSERT(strlen(H_STR(r->json, "csrf_token")) >= 43);
    H_ASSERT(strcmp(H_STR(r->json, "token"), H_STR(r->json, "csrf_token")));
    H_CONTAINS(H_STR(r->json, "expires_at"), "+08:00");
    H_EQ_STR(H_STR(r->json, "user.login"), "community_handler");
    H_EQ_STR(H_STR(r->json, "user.phone"), "138****0007");
    H_EQ_STR(H_STR(r->json, "grants.0.role"), "handler");
    H_EQ_STR(H_STR(r->json, "grants.0.unit_kind"), "community");
    H_ASSERT(h_get(r->json, "user.password_hash") == NULL);
    const char *cookie = h_header(r, "Set-Cookie");
    H_ASSERT(cookie != NULL);
    H_CONTAINS(cookie, h_fmt("sanqu_session=%s", H_STR(r->json, "token")));
    H_CONTAINS(cookie, "HttpOnly");
    H_CONTAINS(cookie, "SameSite=Strict");
    H_CONTAINS(cookie, "Path=/");
    /* the token works, /me tells who and which CSRF token goes with it */
    const char *tok = H_STR(r->json, "token");
    struct h_resp *me = h_req("GET", "/api/v1/me", tok, NULL);
    H_STATUS(me, 200);
    H_EQ_STR(H_STR(me->json, "user.login"), "community_handler");
    H_EQ_STR(H_STR(me->json, "csrf_token"), H_STR(r->json, "csrf_token"));
    H_EQ_INT(json_array_size(h_get(me->json, "grants")), 1);
    /* logins are case-insensitive, passwords are not */
    H_STATUS(login("Community_Handler", "sanqu-demo"), 200);
}

static void test_login_failure(void)
{
    h_need_demo();
    struct h_resp *wrong = login("resident", "not-the-password");
    H_ERR(wrong, 401, "unauthenticated");
    struct h_resp *nobody = login("no-such-user", "sanqu-demo");
    H_ERR(nobody, 401, "unauthenticated");
    /* the same answer whether or not the login exists */
    H_EQ_STR(H_STR(wrong->json, "error.message"), H_STR(nobody->json, "error.message"));
    H_ERR(login("resident", "SANQU-DEMO"), 401, "unauthenticated");
    H_ASSERT(h_header(wrong, "Set-Cookie") == NULL);
    H_ERR_FIELD(h_req("POST", "/api/v1/auth/login", NULL, "{\"login\":\"resident\"}"), 422,
                "invalid", "password");
    H_ERR_FIELD(h_req("POST", "/api/v1/auth/login", NULL, "{\"password\":\"x\"}"), 422, "invalid",
                "login");
    /* failures are audited, passwords are not */
    struct h_resp *a = h_req("GET", "/api/v1/audit?action=login_failed", h_tok("admin"), NULL);
    H_STATUS(a, 200);
    H_ASSERT(H_INT(a->json, "total") >= 3);
    H_ASSERT(!strstr(a->body, "not-the-password"));
}

static void test_register(void)
{
    h_need_demo();
    struct h_resp *r =
        h_req("POST", "/api/v1/auth/register", NULL,
              "{\"login\":\"newbie\",\"password\":\"maple-river-27\",\"display_name\":"
              "\"新居民\",\"phone\":\"13912345678\"}");
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "phone"), "139****5678");
    H_ASSERT(H_INT(r->json, "id") > 0);
    const struct h_session *s = h_session("newbie", "maple-river-27");
    struct h_resp *me = h_req("GET", "/api/v1/me", s->token, NULL);
    H_STATUS(me, 200);
    H_EQ_STR(H_STR(me->json, "grants.0.role"), "public");
    H_EQ_STR(H_STR(me->json, "grants.0.unit_kind"), "district");
    /* a public account sees no staff data */
    H_ERR(h_req("GET", "/api/v1/users", s->token, NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/units", s->token, NULL), 403, "forbidden");
    H_ERR_FIELD(
        h_req("POST", "/api/v1/auth/register", NULL,
              "{\"login\":\"NEWBIE\",\"password\":\"maple-river-27\",\"display_name\":\"x\","
              "\"phone\":\"13912345678\"}"),
        409, "conflict", "login");
    H_ERR_FIELD(
        h_req("POST", "/api/v1/auth/register", NULL,
              "{\"login\":\"newbie2\",\"password\":\"maple-river-27\",\"display_name\":\"x\","
              "\"phone\":\"12345\"}"),
        422, "invalid", "phone");
    H_ERR_FIELD(h_req("POST", "/api/v1/auth/register", NULL,
                      "{\"login\":\"newbie2\",\"password\":\"short\",\"display_name\":\"x\","
                      "\"phone\":\"13912345678\"}"),
                422, "invalid", "password");
    H_ERR_FIELD(
        h_req("POST", "/api/v1/auth/register", NULL,
              "{\"login\":\"new bie\",\"password\":\"maple-river-27\",\"display_name\":\"x\","
              "\"phone\":\"13912345678\"}"),
        422, "invalid", "login");
    /* nobody registers themselves into a role */
    H_ERR(h_req("POST", "/api/v1/auth/register", NULL,
                "{\"login\":\"newbie3\",\"password\":\"maple-river-27\",\"display_name\":\"x\","
                "\"phone\":\"13912345678\",\"role\":\"district_admin\"}"),
          422, "invalid");
}

static void test_unauthenticated(void)
{
    h_need_demo();
    H_ERR(h_req("GET", "/api/v1/me", NULL, NULL), 401, "unauthenticated");
    H_ERR(h_req("GET", "/api/v1/me", "not-a-token", NULL), 401, "unauthenticated");
    H_ERR(h_req("GET", "/api/v1/me", "", NULL), 401, "unauthenticated");
    char big[400];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    H_ERR(h_req("GET", "/api/v1/me", big, NULL), 401, "unauthenticated");
    static const char *const basic[] = {"Authorization: Basic YWRtaW46c2FucXUtZGVtbw==", NULL};
    H_ERR(h_send(&(struct h_call){.path = "/api/v1/me", .headers = basic}), 401, "unauthenticated");
    H_ERR(h_send(&(struct h_call){.path = "/api/v1/me", .cookie = "forged"}), 401,
          "unauthenticated");
    /* a stale token does not stop public routes */
    H_STATUS(h_req("GET", "/healthz", "not-a-token", NULL), 200);
    H_STATUS(h_send(&(struct h_call){.method = "POST",
                                     .path = "/api/v1/auth/login",
                                     .token = "not-a-token",
                                     .body = "{\"login\":\"resident\",\"password\":"
                                             "\"sanqu-demo\"}"}),
             200);
}

static void test_forbidden(void)
{
    h_need_demo();
    H_ERR(h_req("GET", "/api/v1/users", h_tok("resident"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/audit", h_tok("community_admin"), NULL), 403, "forbidden");
    H_ERR(h_req("POST", "/api/v1/units", h_tok("community_handler"), "{}"), 403, "forbidden");
    H_ERR(h_req("POST", "/api/v1/grants", h_tok("gridworker"), "{}"), 403, "forbidden");
}

static void test_logout_revokes(void)
{
    h_need_demo();
    const struct h_session *a = h_login_fresh("street_handler", "sanqu-demo");
    const struct h_session *b = h_login_fresh("street_handler", "sanqu-demo");
    H_STATUS(h_req("GET", "/api/v1/me", a->token, NULL), 200);
    struct h_resp *r = h_req("POST", "/api/v1/auth/logout", a->token, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Set-Cookie"), "Max-Age=0");
    H_ERR(h_req("GET", "/api/v1/me", a->token, NULL), 401, "unauthenticated");
    H_ERR(h_req("POST", "/api/v1/auth/logout", a->token, NULL), 401, "unauthenticated");
    /* only that session ends */
    H_STATUS(h_req("GET", "/api/v1/me", b->token, NULL), 200);
    /* the logout is in the audit log */
    struct h_resp *au = h_req("GET", h_fmt("/api/v1/audit?action=logout&actor=%lld", b->user_id),
                              h_tok("admin"), NULL);
    H_STATUS(au, 200);
    H_EQ_INT(H_INT(au->json, "total"), 1);
}

static void test_disabled_account(void)
{
    h_need_demo();
    const struct h_session *s = h_login_fresh("student", "sanqu-demo");
    long long id = s->user_id;
    H_STATUS(h_req("GET", "/api/v1/me", s->token, NULL), 200);
    H_STATUS(
        h_reqf("PATCH", h_fmt("/api/v1/users/%lld", id), h_tok("admin"), "{\"disabled\":true}"),
        200);
    H_ERR(h_req("GET", "/api/v1/me", s->token, NULL), 401, "unauthenticated");
    H_ERR(login("student", "sanqu-demo"), 401, "unauthenticated");
    H_STATUS(
        h_reqf("PATCH", h_fmt("/api/v1/users/%lld", id), h_tok("admin"), "{\"disabled\":false}"),
        200);
    H_STATUS(login("student", "sanqu-demo"), 200);
    /* nobody disables themselves */
    H_ERR_FIELD(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", h_uid("admin")), h_tok("admin"),
                       "{\"disabled\":true}"),
                422, "invalid", "disabled");
}

/* A login through a proxy that says the client is xff (X-Forwarded-For). */
static struct h_resp *login_from(const char *xff, const char *login, const char *password)
{
    const char *hdr[] = {h_fmt("X-Forwarded-For: %s", xff), NULL};
    return h_send(
        &(struct h_call){.method = "POST",
                         .path = "/api/v1/auth/login",
                         .body = h_fmt("{\"login\":\"%s\",\"password\":\"%s\"}", login, password),
                         .headers = hdr});
}

/* The response is a sign-in 429: its Retry-After in seconds. */
static long throttled(struct h_resp *r)
{
    H_ERR(r, 429, "rate_limited");
    const char *ra = h_header(r, "Retry-After");
    H_ASSERTF(ra, "429 without Retry-After");
    long secs = strtol(ra, NULL, 10);
    H_ASSERTF(secs >= 1 && secs <= 900, "Retry-After %s out of range", ra);
    H_CONTAINS(H_STR(r->json, "error.message"), "登录失败次数过多");
    H_CONTAINS(H_STR(r->json, "error.message"), "too many failed sign-ins");
    H_CONTAINS(H_STR(r->json, "error.message"), h_fmt("%ld", secs));
    return secs;
}

/* Sign-in throttling (docs/security.md): counted on the login as the
 * lookup sees it, so case and spaces make no new login; after five
 * failures of one login from one address the wait doubles from 1 s. */
static void test_rate_limit(void)
{
    h_need_demo();
    advance(0); /* stop the clock: a slow machine must not end a wait early */
    static const char *const variants[] = {"supervisor", "Supervisor", "SUPERVISOR", " supervisor",
                                           "SuperVisor "};
    for (int i = 0; i < 5; i++)
        H_ERR(login(variants[i], h_fmt("wrong-%d", i)), 401, "unauthenticated");
    H_EQ_INT(throttled(login("sUPERVISOR", "wrong-5")), 1);
    /* from this address the right password waits as well */
    H_EQ_INT(throttled(login("supervisor", "sanqu-demo")), 1);
    /* a made-up X-Forwarded-For is no other address: no proxy is trusted */
    H_EQ_INT(throttled(login_from("203.0.113.77", "supervisor", "sanqu-demo")), 1);
    /* each further failure doubles the wait */
    advance(1);
    H_ERR(login("Supervisor", "wrong-6"), 401, "unauthenticated");
    H_EQ_INT(throttled(login("supervisor", "sanqu-demo")), 2);
    advance(2);
    H_ERR(login("SUPERVISOR", "wrong-7"), 401, "unauthenticated");
    H_EQ_INT(throttled(login("supervisor", "sanqu-demo")), 4);
    /* signed-in sessions are unaffected */
    H_STATUS(h_req("GET", "/api/v1/me", h_tok("admin"), NULL), 200);
    /* once the wait is over the right password works, and this address's
     * count for the login starts over (before, a failure meant 8 s) */
    advance(4);
    H_STATUS(login(" Supervisor ", "sanqu-demo"), 200);
    H_ERR(login("supervisor", "again"), 401, "unauthenticated");
    H_STATUS(login("supervisor", "sanqu-demo"), 200);
    /* another account from the same address is not held up */
    H_STATUS(login("enterprise", "sanqu-demo"), 200);
}

/* Behind a trusted proxy each client is its own address: failures from one
 * address never keep the right password out from another for more than a
 * short delay; one address is limited across logins. */
static void test_rate_limit_addresses(void)
{
    h_start(&(struct h_opts){
        .demo = true, .args = (const char *const[]){"--trusted_proxies", "127.0.0.1", NULL}});
    advance(0); /* stop the clock */
    const char *a = "203.0.113.5";
    for (int i = 0; i < 5; i++)
        H_ERR(login_from(a, "street_admin", h_fmt("wrong-%d", i)), 401, "unauthenticated");
    for (int i = 0; i < 3; i++) {
        advance(throttled(login_from(a, "street_admin", "sanqu-demo")));
        H_ERR(login_from(a, "street_admin", h_fmt("more-%d", i)), 401, "unauthenticated");
    }
    H_EQ_INT(throttled(login_from(a, "street_admin", "sanqu-demo")), 8);
    /* the owner, from the proxy's own address or from another client, at once */
    H_STATUS(login("street_admin", "sanqu-demo"), 200);
    H_STATUS(login_from("198.51.100.20", "street_admin", "sanqu-demo"), 200);
    /* which does not let the attacker's address in */
    throttled(login_from(a, "street_admin", "sanqu-demo"));
    /* the client is the right-most entry that is not a trusted proxy */
    throttled(login_from(h_fmt("10.9.9.9, %s", a), "street_admin", "sanqu-demo"));
    throttled(login_from(h_fmt("%s, 127.0.0.1", a), "street_admin", "sanqu-demo"));
    H_STATUS(login_from(h_fmt("%s, 198.51.100.21", a), "street_admin", "sanqu-demo"), 200);

    /* ten addresses fail once each on one login: those that failed wait
     * a few seconds, an address that did not is not held up at all */
    for (int i = 1; i <= 10; i++)
        H_ERR(login_from(h_fmt("192.0.2.%d", i), "univ_handler", "wrong"), 401, "unauthenticated");
    long secs = throttled(login_from("192.0.2.1", "univ_handler", "sanqu-demo"));
    H_ASSERTF(secs <= 5, "the per-login delay is %ld s", secs);
    H_STATUS(login_from("192.0.2.200", "univ_handler", "sanqu-demo"), 200);
    advance(secs);
    H_STATUS(login_from("192.0.2.1", "univ_handler", "sanqu-demo"), 200);

    /* one address failing on 50 logins within 15 minutes waits out the window */
    const char *b = "198.51.100.50";
    for (int i = 0; i < 50; i++)
        H_ERR(login_from(b, h_fmt("nobody%d", i), "wrong"), 401, "unauthenticated");
    secs = throttled(login_from(b, "resident", "sanqu-demo"));
    H_ASSERTF(secs > 800, "the per-address wait is %ld s", secs);
    H_STATUS(login_from("198.51.100.51", "resident", "sanqu-demo"), 200);
    advance(secs);
    H_STATUS(login_from(b, "resident", "sanqu-demo"), 200);
}

static void test_expired_token(void)
{
    h_need_demo();
    const struct h_session *s = h_login_fresh("park_handler", "sanqu-demo");
    H_STATUS(h_req("GET", "/api/v1/me", s->token, NULL), 200);
    advance(11 * 3600);
    H_STATUS(h_req("GET", "/api/v1/me", s->token, NULL), 200);
    advance(3600 + 60); /* past the default 12 hours */
    H_ERR(h_req("GET", "/api/v1/me", s->token, NULL), 401, "unauthenticated");
    h_forget_sessions(); /* every cached token expired as well */
    H_STATUS(h_req("GET", "/api/v1/me", h_tok("park_handler"), NULL), 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_login_success),
        H_TEST(test_login_failure),
        H_TEST(test_register),
        H_TEST(test_unauthenticated),
        H_TEST(test_forbidden),
        H_TEST(test_logout_revokes),
        H_TEST(test_disabled_account),
        H_TEST(test_rate_limit),
        H_TEST(test_rate_limit_addresses),
        H_TEST(test_expired_token),
        {0},
    };
    return h_main(argc, argv, tests);
}
