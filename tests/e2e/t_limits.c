/*
 * t_limits: the per-address limits on what anyone may do without an
 * account: filing anonymous appeals (anon_appeals_per_hour, default 30) and
 * registering (registrations_per_hour, default 10). Over the limit: 429 with
 * Retry-After and a zh-CN/English message, and nothing written. Signed-in
 * intake is not limited; every address counts on its own (behind a trusted
 * proxy, the address X-Forwarded-For names); 0 turns a limit off.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define ANON_APPEAL                                                                                \
    "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":3,"  \
    "\"unit_id\":16,\"contact_phone\":\"13800138000\"}"

/* POST as the client xff (NULL: the peer itself), with token or none. */
static struct h_resp *post_from(const char *xff, const char *token, const char *path,
                                const char *body)
{
    const char *hdr[] = {xff ? h_fmt("X-Forwarded-For: %s", xff) : NULL, NULL};
    return h_send(&(struct h_call){
        .method = "POST", .path = path, .token = token, .body = body, .headers = hdr});
}

static long long appeals_total(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

/* A 429 of the limits: its Retry-After, with both languages in the message. */
static long limited(struct h_resp *r, const char *zh, const char *en)
{
    H_ERR(r, 429, "rate_limited");
    const char *ra = h_header(r, "Retry-After");
    H_ASSERTF(ra, "429 without Retry-After");
    H_CONTAINS(H_STR(r->json, "error.message"), zh);
    H_CONTAINS(H_STR(r->json, "error.message"), en);
    H_CONTAINS(H_STR(r->json, "error.message"), h_fmt("%s 秒", ra));
    return strtol(ra, NULL, 10);
}

/* Stops the server's clock, so that waits are exact however slow the machine. */
static void stop_clock(void)
{
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":0}"), 200);
}

static const char *register_body(const char *login)
{
    return h_fmt("{\"login\":\"%s\",\"password\":\"limit-pass-1\",\"display_name\":\"居民\","
                 "\"phone\":\"13912345678\"}",
                 login);
}

/* The repro, 200 anonymous appeals from one address in a row: the
 * default lets 30 through. */
static void test_anonymous_flood_default(void)
{
    h_need_demo();
    stop_clock();
    long long before = appeals_total();
    int created = 0;
    struct h_resp *r = NULL;
    for (int i = 0; i < 200; i++) {
        r = h_req("POST", "/api/v1/appeals", NULL, ANON_APPEAL);
        if (r->status != 201)
            break;
        created++;
    }
    H_EQ_INT(created, 30);
    long secs = limited(r, "匿名", "anonymous appeals");
    H_EQ_INT(secs, 120); /* one more every 3600 / 30 s */
    H_EQ_INT(appeals_total(), before + 30);
    /* signing in lifts it: the limit is on anonymous intake */
    H_STATUS(h_req("POST", "/api/v1/appeals", h_tok("resident"), ANON_APPEAL), 201);
    H_STATUS(h_reqf("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":%ld}", secs), 200);
    H_STATUS(h_req("POST", "/api/v1/appeals", NULL, ANON_APPEAL), 201);
    H_ERR(h_req("POST", "/api/v1/appeals", NULL, ANON_APPEAL), 429, "rate_limited");
}

static void test_configured_limits(void)
{
    h_start(&(struct h_opts){.demo = true,
                             .args = (const char *const[]){"--trusted_proxies", "127.0.0.1",
                                                           "--anon_appeals_per_hour", "2",
                                                           "--registrations_per_hour", "2", NULL}});
    const char *a = "203.0.113.8", *b = "203.0.113.9";
    stop_clock();
    /* anonymous intake: two an hour per address */
    H_STATUS(post_from(a, NULL, "/api/v1/appeals", ANON_APPEAL), 201);
    H_STATUS(post_from(a, NULL, "/api/v1/appeals", ANON_APPEAL), 201);
    long long total = appeals_total();
    H_EQ_INT(
        limited(post_from(a, NULL, "/api/v1/appeals", ANON_APPEAL), "匿名", "anonymous appeals"),
        1800);
    H_EQ_INT(appeals_total(), total);
    H_STATUS(post_from(a, h_tok("resident"), "/api/v1/appeals", ANON_APPEAL), 201);
    H_STATUS(post_from(b, NULL, "/api/v1/appeals", ANON_APPEAL), 201);
    /* registration: the same, on its own count */
    H_STATUS(post_from(a, NULL, "/api/v1/auth/register", register_body("limit_a1")), 201);
    H_STATUS(post_from(a, NULL, "/api/v1/auth/register", register_body("limit_a2")), 201);
    H_EQ_INT(limited(post_from(a, NULL, "/api/v1/auth/register", register_body("limit_a3")), "注册",
                     "registrations"),
             1800);
    H_ERR(h_req("POST", "/api/v1/auth/login", NULL,
                "{\"login\":\"limit_a3\",\"password\":\"limit-pass-1\"}"),
          401, "unauthenticated"); /* not created */
    H_STATUS(post_from(b, NULL, "/api/v1/auth/register", register_body("limit_b1")), 201);
    /* half an hour later one more of each */
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":1800}"), 200);
    H_STATUS(post_from(a, NULL, "/api/v1/appeals", ANON_APPEAL), 201);
    H_ERR(post_from(a, NULL, "/api/v1/appeals", ANON_APPEAL), 429, "rate_limited");
    H_STATUS(post_from(a, NULL, "/api/v1/auth/register", register_body("limit_a3")), 201);
    H_ERR(post_from(a, NULL, "/api/v1/auth/register", register_body("limit_a4")), 429,
          "rate_limited");
}

/* 0 turns a limit off (what a load test filing anonymously would set). */
static void test_limit_off(void)
{
    h_start(&(struct h_opts){.demo = true,
                             .args = (const char *const[]){"--anon_appeals_per_hour", "0", NULL}});
    for (int i = 0; i < 40; i++)
        H_STATUS(h_req("POST", "/api/v1/appeals", NULL, ANON_APPEAL), 201);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_anonymous_flood_default),
        H_TEST(test_configured_limits),
        H_TEST(test_limit_off),
        {0},
    };
    return h_main(argc, argv, tests);
}
