/*
 * t_csrf: browser sessions. The sanqu_session cookie authenticates like a
 * bearer token, but a cookie-authenticated write (POST/PATCH/PUT/DELETE)
 * needs the session's CSRF token in X-CSRF-Token: 403 without it or with
 * another session's, accepted with it. Reads need no CSRF token; bearer
 * clients never do. The requests a foreign page can send without a CORS
 * preflight (no Content-Type, text/plain, forms) are no JSON: 415 even
 * anonymous. The cookie is Secure when public_url is https.
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
    H_ERR_FIELD(h_send(&(struct h_call){
                    .method = "POST", .path = "/api/v1/units", .cookie = s->token, .body = body}),
                403, "forbidden", "X-CSRF-Token");
    H_ERR(h_send(&(struct h_call){.method = "POST",
                                  .path = "/api/v1/units",
                                  .cookie = s->token,
                                  .csrf = "wrong",
                                  .body = body}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "POST",
                                  .path = "/api/v1/units",
                                  .cookie = s->token,
                                  .csrf = other->csrf,
                                  .body = body}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){.method = "POST",
                                  .path = "/api/v1/units",
                                  .cookie = s->token,
                                  .csrf = "",
                                  .body = body}),
          403, "forbidden");
    H_EQ_INT(units_total(), before);

    /* PATCH and DELETE are writes too */
    H_ERR(h_send(&(struct h_call){.method = "PATCH",
                                  .path = "/api/v1/units/1",
                                  .cookie = s->token,
                                  .body = "{\"contact\":\"x\"}"}),
          403, "forbidden");
    H_ERR(h_send(
              &(struct h_call){.method = "DELETE", .path = "/api/v1/grants/1", .cookie = s->token}),
          403, "forbidden");
    H_ERR(h_send(&(struct h_call){
              .method = "POST", .path = "/api/v1/auth/logout", .cookie = s->token}),
          403, "forbidden");

    /* with its own CSRF token the write goes through */
    struct h_resp *ok = h_send(&(struct h_call){.method = "POST",
                                                .path = "/api/v1/units",
                                                .cookie = s->token,
                                                .csrf = s->csrf,
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
    struct h_resp *r = h_send(&(struct h_call){
        .method = "POST", .path = "/api/v1/auth/logout", .cookie = s->token, .csrf = s->csrf});
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Set-Cookie"), "sanqu_session=;");
    H_ERR(h_send(&(struct h_call){.path = "/api/v1/me", .cookie = s->token}), 401,
          "unauthenticated");
    /* a dead cookie does not block signing in again */
    struct h_resp *again = h_send(
        &(struct h_call){.method = "POST",
                         .path = "/api/v1/auth/login",
                         .cookie = s->token,
                         .body = "{\"login\":\"street_admin\",\"password\":\"sanqu-demo\"}"});
    H_STATUS(again, 200);
}

/* What a foreign page can send without a CORS preflight: a body with no
 * Content-Type (a no-cors fetch of a Blob), text/plain, a form. None of
 * them is JSON to the server: 415, and nothing is filed. */
static void test_cross_site_simple_requests(void)
{
    h_need_demo();
    const char *appeal = "{\"title\":\"跨站提交\",\"description\":\"别的网站替访客提交\","
                         "\"category_id\":3,\"unit_id\":16,\"contact_phone\":\"13800138000\"}";
    static const char *const types[] = {"",
                                        "text/plain",
                                        "text/plain;charset=UTF-8",
                                        "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x",
                                        NULL};
    struct h_resp *r = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    long long before = H_INT(r->json, "total");
    for (const char *const *t = types; *t; t++) {
        H_ERR_FIELD(h_send(&(struct h_call){
                        .method = "POST", .path = "/api/v1/appeals", .body = appeal, .ctype = *t}),
                    415, "unsupported_media_type", "Content-Type");
        H_ERR(h_send(&(struct h_call){.method = "POST",
                                      .path = "/api/v1/auth/login",
                                      .body = "{\"login\":\"admin\",\"password\":\"sanqu-demo\"}",
                                      .ctype = *t}),
              415, "unsupported_media_type");
    }
    r = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    H_EQ_INT(H_INT(r->json, "total"), before);
    /* the same body as JSON is filed */
    H_STATUS(h_send(&(struct h_call){.method = "POST",
                                     .path = "/api/v1/appeals",
                                     .body = appeal,
                                     .ctype = "application/json; charset=utf-8"}),
             201);
}

static const char *login_cookie(void)
{
    struct h_resp *r = h_req("POST", "/api/v1/auth/login", NULL,
                             "{\"login\":\"street_handler\",\"password\":\"sanqu-demo\"}");
    H_STATUS(r, 200);
    const char *c = h_header(r, "Set-Cookie");
    H_ASSERT(c);
    H_CONTAINS(c, "HttpOnly");
    H_CONTAINS(c, "SameSite=Strict");
    return c;
}

/* The session cookie is Secure when people reach the server over https
 * (public_url), and only then: over plain http a browser would drop it. */
static void test_cookie_secure(void)
{
    h_need_demo();
    H_ASSERTF(!strstr(login_cookie(), "Secure"), "Secure without an https public_url");
    h_start(&(struct h_opts){
        .demo = true, .args = (const char *const[]){"--public_url", "http://10.0.0.5:8080", NULL}});
    H_ASSERTF(!strstr(login_cookie(), "Secure"), "Secure with an http public_url");
    h_start(&(struct h_opts){
        .demo = true,
        .args = (const char *const[]){"--public_url", "https://sanqu.example.gov.cn", NULL}});
    H_CONTAINS(login_cookie(), "; Secure");
    struct h_resp *out = h_req("POST", "/api/v1/auth/logout", h_tok("street_handler"), NULL);
    H_STATUS(out, 200);
    H_CONTAINS(h_header(out, "Set-Cookie"), "Max-Age=0");
    H_CONTAINS(h_header(out, "Set-Cookie"), "; Secure");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_cookie_session),
        H_TEST(test_cookie_logout),
        H_TEST(test_cross_site_simple_requests),
        H_TEST(test_cookie_secure),
        {0},
    };
    return h_main(argc, argv, tests);
}
