/*
 * sysapi: the server's own endpoints: liveness, metrics, the OpenAPI
 * document and (only with --test_clock) the fake-clock control for tests.
 */
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "core/embed.h"
#include "core/http.h"
#include "core/json.h"
#include "core/netaddr.h"

static int healthz(struct sq_req *r)
{
    bool ok = sq_db_ping();
    return sq_reply_json(
        r, ok ? 200 : 503,
        json_pack("{s:s,s:s}", "status", ok ? "ok" : "degraded", "db", ok ? "ok" : "unreachable"));
}

/* /metrics tells traffic, routes and sizes: loopback, the metrics_allow
 * addresses and holders of the metrics_token only. Behind a proxy the
 * client is whom a trusted proxy names (core/http), so a proxied stranger
 * is no loopback caller. */
static bool metrics_allowed(const struct sq_req *r)
{
    const struct sq_config *c = sq_app_config;
    if (sq_addr_is_loopback(r->ip) ||
        (c->metrics_allow[0] && sq_addr_list_match(c->metrics_allow, r->ip)))
        return true;
    const char *h = sq_req_header(r, "Authorization");
    return c->metrics_token[0] && h && !strncasecmp(h, "Bearer ", 7) &&
           sq_str_equal_ct(h + 7, c->metrics_token);
}

static int metrics(struct sq_req *r)
{
    if (!metrics_allowed(r))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "指标只对本机、metrics_allow 中的地址或持 metrics_token 的调用方开放 "
                             "/ metrics are served to loopback, the metrics_allow addresses and "
                             "metrics_token holders only");
    char *text = sq_metrics_text();
    if (!text)
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "out of memory");
    int st =
        sq_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), true);
    free(text);
    return st;
}

static int openapi(struct sq_req *r)
{
    size_t len;
    const char *text = sq_openapi_text(&len);
    if (!text)
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "the OpenAPI document cannot be built");
    return sq_reply_raw(r, 200, "application/json; charset=utf-8", text, len, false);
}

static const struct sq_field clock_fields[] = {
    {.name = "now", .type = SQ_F_TIME},
    {.name = "advance_seconds", .type = SQ_F_INT, .min = 0, .max = 10 * 365 * 86400.0},
    {0},
};

static int test_clock(struct sq_req *r)
{
    struct sq_detail d = {0};
    char now[32];
    if (!sq_app_config->test_clock)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such endpoint: %s", r->path);
    if (strcmp(r->method, "POST") == 0) {
        enum sq_err e = sq_validate(r->json, clock_fields, &d);
        if (e)
            return sq_reply_err(r, e, &d);
        int64_t t;
        if (sq_json_has(r->json, "now")) {
            sq_clock_parse_iso(sq_json_str(r->json, "now", ""), &t);
            sq_clock_set_fake(t);
        }
        if (sq_json_has(r->json, "advance_seconds")) {
            if (!sq_clock_is_fake())
                sq_clock_set_fake(sq_clock_now());
            sq_clock_advance(sq_json_int(r->json, "advance_seconds", 0));
        }
    }
    sq_clock_iso(sq_clock_now(), now);
    return sq_reply_json(r, 200, json_pack("{s:s,s:b}", "now", now, "fake", sq_clock_is_fake()));
}

const struct sq_route core_routes[] = {
    {.method = "GET",
     .pattern = "/healthz",
     .fn = healthz,
     .perm = SQ_PERM_PUBLIC,
     .summary = "liveness and database reachability"},
    {.method = "GET",
     .pattern = "/metrics",
     .fn = metrics,
     .perm = SQ_PERM_PUBLIC,
     .summary = "Prometheus metrics (loopback, metrics_allow or metrics_token)"},
    {.method = "GET",
     .pattern = "/api/v1/openapi.json",
     .fn = openapi,
     .perm = SQ_PERM_PUBLIC,
     .summary = "this API as OpenAPI 3"},
    {.method = "GET",
     .pattern = "/api/v1/test/clock",
     .fn = test_clock,
     .perm = SQ_PERM_PUBLIC,
     .summary = "fake clock (tests only)"},
    {.method = "POST",
     .pattern = "/api/v1/test/clock",
     .body = clock_fields,
     .fn = test_clock,
     .perm = SQ_PERM_PUBLIC,
     .summary = "set the fake clock (tests only)"},
    {0},
};
