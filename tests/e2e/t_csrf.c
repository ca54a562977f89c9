/*
 * t_csrf: browser sessions. The sanqu_session cookie authenticates like a
 * bearer token, but a cookie-authenticated write (POST/PATCH/PUT/DELETE)
 * needs the session's CSRF token in X-CSRF-Token: 403 without it or with
 * another session's, accepted with it. Reads need no CSRF token; bearer
 * clients never do.
 */
#include <stdio.h>

#include "harness.h"

static const char *const unit_body =
    "{\"kind\":\"street\",\"code\":\"%s\",\"name\":\"跨站测试街道\",\"parent_id\":1}";

static long long units_total(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/units?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static void test_cookie_session(void)
{
    h_need_demo();
    const struct h_session *s = h_session("admin", "sanqu-demo");
    const struct h_session *other = h_session("supervisor", "sanqu-demo");
    long long before = units_total();

    /* reads with the cookie alone */
    struct h_resp *me = h_send(&(struct h_call){.path = "/api/v1/me", .cookie = s->token});
    H_STATUS(me, 200);
    H_EQ_STR(H_STR(me->json, "user.login"), "admin");
    H_EQ_STR(H_STR(me->json, "csrf_token"), s->csrf);

    /* a write without the header, with a wrong one, with another session's */
    const char *body = h_fmt(unit_body, "CSRF1");
    H_ERR_FIELD(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units",
                                        .cookie = s->token, .body = body}),
                403, "forbidden", "X-CSRF-Token");
    H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units", .cookie = s->token,
                                  .csrf = "wrong", .body = body}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units", .cookie = s->token,
                                  .csrf = other->csrf, .body = body}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units", .cookie = s->token,
                                  .csrf = "", .body = body}),
          403, "forbidden");
    H_EQ_INT(units_total(), before);

    /* PATCH and DELETE are writes too */
    H_ERR(h_send(&(struct h_call){.method = "PATCH", .path = "/api/v1/units/1",
                                  .cookie = s->token, .body = "{\"contact\":\"x\"}"}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "DELETE", .path = "/api/v1/grants/1",
                                  .cookie = s->token}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/auth/logout",
                                  .cookie = s->token}),
          403, "forbidden");

    /* with its own CSRF token the write goes through */
    struct h_resp *ok = h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units",
                                                .cookie = s->token, .csrf = s->csrf,
                                                .body = body});
    H_STATUS(ok, 201);
    H_EQ_INT(units_total(), before + 1);

    /* a bearer client needs no CSRF token */
    H_STATUS(h_req("POST", "/api/v1/units", s->token, h_fmt(unit_body, "CSRF2")), 201);

    /* the cookie session still works for reads after all those refusals */
    H_STATUS(h_send(&(struct h_call){.path = "/api/v1/units/1", .cookie = s->token}), 200);
}

static void test_cookie_logout(void)
{
    h_need_demo();
    const struct h_session *s = h_login_fresh("street_admin", "sanqu-demo");
    struct h_resp *r = h_send(&(struct h_call){.method = "POST", .path = "/api/v1/auth/logout",
                                               .cookie = s->token, .csrf = s->csrf});
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Set-Cookie"), "sanqu_session=;");
    H_ERR(h_send(&(struct h_call){.path = "/api/v1/me", .cookie = s->token}), 401,
          "unauthenticated");
    /* a dead cookie does not block signing in again */
    struct h_resp *again = h_send(&(struct h_call){
        .method = "POST", .path = "/api/v1/auth/login", .cookie = s->token,
        .body = "{\"login\":\"street_admin\",\"password\":\"sanqu-demo\"}"});
    H_STATUS(again, 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_cookie_session),
        H_TEST(test_cookie_logout),
        {0},
    };
    return h_main(argc, argv, tests);
}
