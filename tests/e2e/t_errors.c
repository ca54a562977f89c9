/*
 * t_errors: every bad request gets the documented status and JSON error
 * body ({"error":{"code","message","field"?}}) and changes nothing: after
 * each refused write the unit count and the audit log are as before.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static long long units_total(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/units?limit=1&archived=all", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static long long audit_total(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/audit?limit=1", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static long long street1; /* id of ST01 */

/* Starts the demo server once for the whole file (tests may run alone). */
static void setup(void)
{
    if (street1)
        return;
    h_need_demo();
    struct h_resp *r = h_req("GET", "/api/v1/units?q=ST01", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    street1 = H_INT(r->json, "items.0.id");
}

static void test_not_found(void)
{
    setup();
    const char *admin = h_tok("admin");
    H_ERR(h_req("GET", "/api/v1/no-such-endpoint", admin, NULL), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/no-such-endpoint", NULL, NULL), 404, "not_found");
    H_ERR(h_req("POST", "/api/v1/units/1/no-such-action", admin, "{}"), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/a/b/c/d/e/f/g/h/i/j/k/l/m/n", admin, NULL), 404, "not_found");
    /* a route that matches but names no record */
    H_ERR(h_req("GET", "/api/v1/units/999999999", admin, NULL), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/units/abc", admin, NULL), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/units/-1", admin, NULL), 404, "not_found");
    H_ERR(h_req("GET", "/api/v1/users/999999999", admin, NULL), 404, "not_found");
    H_ERR(h_req("DELETE", "/api/v1/grants/999999999", admin, NULL), 404, "not_found");
    /* an over-long path parameter does not match and does not crash */
    char *longid = h_fmt("/api/v1/units/%0300d", 1);
    H_ERR(h_req("GET", longid, admin, NULL), 404, "not_found");
}

static void test_method_not_allowed(void)
{
    setup();
    const char *admin = h_tok("admin");
    H_ERR(h_req("DELETE", "/api/v1/units", admin, NULL), 405, "method_not_allowed");
    H_ERR(h_req("PUT", "/api/v1/units/1", admin, "{}"), 405, "method_not_allowed");
    H_ERR(h_req("POST", "/healthz", NULL, "{}"), 405, "method_not_allowed");
    H_ERR(h_req("PATCH", "/api/v1/me", admin, "{}"), 405, "method_not_allowed");
    /* 405 before authentication: the method is wrong whoever asks */
    H_ERR(h_req("DELETE", "/api/v1/audit", NULL, NULL), 405, "method_not_allowed");
}

static void test_body_too_large(void)
{
    setup();
    const char *admin = h_tok("admin");
    long long units = units_total(), audit = audit_total();
    size_t n = 300 * 1024; /* over the default 256 KiB */
    char *big = h_keep(malloc(n + 64));
    int k = snprintf(big, 64, "{\"kind\":\"street\",\"code\":\"BIG\",\"name\":\"");
    memset(big + k, 'x', n);
    strcpy(big + k + n, "\",\"parent_id\":1}");
    H_ERR(h_req("POST", "/api/v1/units", admin, big), 413, "too_large");
    /* the same without a Content-Length (chunked upload) */
    static const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
    H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units", .token = admin,
                                  .body = big, .headers = chunked}),
          413, "too_large");
    H_EQ_INT(units_total(), units);
    H_EQ_INT(audit_total(), audit);
    /* the connection and the server are fine afterwards */
    H_STATUS(h_req("GET", "/healthz", NULL, NULL), 200);
}

static void test_malformed_json(void)
{
    setup();
    const char *admin = h_tok("admin");
    long long units = units_total(), audit = audit_total();
    static const char *const bad[] = {
        "{\"kind\":",                                   /* truncated */
        "{kind: \"street\"}",                           /* not JSON */
        "[1,2,3]",                                      /* not an object */
        "\"street\"",                                   /* not an object */
        "{\"code\":\"D1\",\"code\":\"D2\"}",            /* duplicate key */
        "{\"name\":\"\xff\xfe\"}",                      /* invalid UTF-8 */
        "{\"name\":\"a\\u0000b\",\"code\":\"X\"} trailing", /* trailing garbage */
        NULL,
    };
    for (const char *const *b = bad; *b; b++)
        H_ERR(h_req("POST", "/api/v1/units", admin, *b), 400, "bad_json");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/units/%lld", street1), admin, "{"), 400, "bad_json");
    H_ERR(h_req("POST", "/api/v1/auth/login", NULL, "{\"login\":"), 400, "bad_json");
    H_EQ_INT(units_total(), units);
    H_EQ_INT(audit_total(), audit);
}

static void test_wrong_content_type(void)
{
    setup();
    const char *admin = h_tok("admin");
    long long units = units_total();
    const char *body = "{\"kind\":\"street\",\"code\":\"CT1\",\"name\":\"x\",\"parent_id\":1}";
    static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x", NULL};
    for (const char *const *t = types; *t; t++)
        H_ERR(h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units", .token = admin,
                                      .body = body, .ctype = *t}),
              415, "unsupported_media_type");
    H_EQ_INT(units_total(), units);
    /* application/json with a charset parameter is fine */
    struct h_resp *r = h_send(&(struct h_call){.method = "POST", .path = "/api/v1/units",
                                               .token = admin, .body = body,
                                               .ctype = "application/json; charset=utf-8"});
    H_STATUS(r, 201);
    H_EQ_INT(units_total(), units + 1);
}

/* Each body must be refused with 422 naming `field`, leaving no trace. */
static void refuse(const char *method, const char *path, const char *body, const char *field)
{
    struct h_resp *r = h_req(method, path, h_tok("admin"), body);
    if (field)
        H_ERR_FIELD(r, 422, "invalid", field);
    else
        H_ERR(r, 422, "invalid");
}

static void test_invalid_fields(void)
{
    setup();
    long long units = units_total(), audit = audit_total();
    const char *u = "/api/v1/units";
    refuse("POST", u, "{\"code\":\"V1\",\"name\":\"n\",\"parent_id\":1}", "kind");
    refuse("POST", u, "{\"kind\":\"street\",\"name\":\"n\",\"parent_id\":1}", "code");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"parent_id\":1}", "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\"}", "parent_id");
    refuse("POST", u, "{\"kind\":\"planet\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":1}",
           "kind");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":5,\"parent_id\":1}", "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"\",\"parent_id\":1}",
           "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":null,\"parent_id\":1}",
           "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"a\\u0007b\","
                      "\"parent_id\":1}",
           "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"a\\nb\",\"parent_id\":1}",
           "name");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":\"1\"}",
           "parent_id");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":0}",
           "parent_id");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":1.5}",
           "parent_id");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V 1\",\"name\":\"n\",\"parent_id\":1}",
           "code");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":1,"
                      "\"zone\":\"moon\"}",
           "zone");
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":"
                      "999999999}",
           "parent_id");
    /* undeclared fields are refused, never ignored */
    refuse("POST", u, "{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"n\",\"parent_id\":1,"
                      "\"path\":\"/1/\"}",
           NULL);
    /* lengths count characters, not bytes: 100 Han characters fit, 101 do not */
    char name[1024] = "";
    for (int i = 0; i < 101; i++)
        strcat(name, "区");
    refuse("POST", u, h_fmt("{\"kind\":\"street\",\"code\":\"V1\",\"name\":\"%s\","
                            "\"parent_id\":1}",
                            name),
           "name");
    name[strlen(name) - strlen("区")] = '\0';
    struct h_resp *r = h_reqf("POST", u, h_tok("admin"),
                              "{\"kind\":\"street\",\"code\":\"V100\",\"name\":\"%s\","
                              "\"parent_id\":1}",
                              name);
    H_STATUS(r, 201);
    H_EQ_STR(H_STR(r->json, "name"), name);
    units++;
    audit++;
    /* query parameters are validated too */
    struct {
        const char *path, *field;
    } q[] = {
        {"/api/v1/units?limit=0", "limit"},       {"/api/v1/units?limit=501", "limit"},
        {"/api/v1/units?limit=abc", "limit"},     {"/api/v1/units?cursor=bogus", "cursor"},
        {"/api/v1/units?sort=password", "sort"},  {"/api/v1/units?kind=planet", "kind"},
        {"/api/v1/units?zone=moon", "zone"},      {"/api/v1/units?parent=x", "parent"},
        {"/api/v1/users?role=king", "role"},      {"/api/v1/users?unit=0", "unit"},
        {"/api/v1/audit?from=yesterday", "from"}, {"/api/v1/audit?actor=x", "actor"},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        H_ERR_FIELD(h_req("GET", q[i].path, h_tok("admin"), NULL), 422, "invalid", q[i].field);
    H_EQ_INT(units_total(), units);
    H_EQ_INT(audit_total(), audit);
}

static void test_conflict_changes_nothing(void)
{
    setup();
    const char *admin = h_tok("admin");
    long long units = units_total(), audit = audit_total();
    H_ERR_FIELD(h_req("POST", "/api/v1/units", admin,
                      "{\"kind\":\"street\",\"code\":\"ST02\",\"name\":\"dup\",\"parent_id\":1}"),
                409, "conflict", "code");
    /* a PATCH that fails on its code leaves its other fields alone */
    const char *path = h_fmt("/api/v1/units/%lld", street1);
    struct h_resp *before = h_req("GET", path, admin, NULL);
    H_STATUS(before, 200);
    H_ERR(h_req("PATCH", path, admin, "{\"name\":\"改名\",\"code\":\"ST02\"}"), 409, "conflict");
    H_ERR(h_req("PATCH", path, admin, "{\"name\":\"改名\",\"zone\":\"moon\"}"), 422, "invalid");
    struct h_resp *after = h_req("GET", path, admin, NULL);
    H_STATUS(after, 200);
    H_ASSERTF(json_equal(before->json, after->json), "the unit changed: %s -> %s", before->body,
              after->body);
    /* a user whose login is taken is not created, nor is its grant */
    struct h_resp *users = h_req("GET", "/api/v1/users?limit=1", admin, NULL);
    H_ERR_FIELD(h_reqf("POST", "/api/v1/users", admin,
                       "{\"login\":\"RESIDENT\",\"password\":\"long-enough\",\"display_name\":"
                       "\"x\",\"role\":\"handler\",\"unit_id\":%lld}",
                       street1),
                409, "conflict", "login");
    struct h_resp *users2 = h_req("GET", "/api/v1/users?limit=1", admin, NULL);
    H_EQ_INT(H_INT(users2->json, "total"), H_INT(users->json, "total"));
    H_EQ_INT(units_total(), units);
    H_EQ_INT(audit_total(), audit);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_not_found),
        H_TEST(test_method_not_allowed),
        H_TEST(test_body_too_large),
        H_TEST(test_malformed_json),
        H_TEST(test_wrong_content_type),
        H_TEST(test_invalid_fields),
        H_TEST(test_conflict_changes_nothing),
        {0},
    };
    return h_main(argc, argv, tests);
}
