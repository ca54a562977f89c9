/*
 * t_openapi: docs/openapi.json documents exactly the routed API. Every route
 * of `sanqu routes --json` has an operation (path with {param} segments,
 * lower-case method) whose x-permission is the route's permission, with its
 * path parameters declared, a summary, responses (401/403 on non-public
 * operations) and security (none for public ones); no operation documents
 * a route that does not exist; every $ref resolves. The server serves the
 * same document at /api/v1/openapi.json.
 *
 * Adding a route? Add its operation to docs/openapi.json (and its row to
 * t_matrix.c and docs/api.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static bool started;

static json_t *served(void)
{
    if (!started)
        h_start(NULL);
    started = true;
    struct h_resp *r = h_req("GET", "/api/v1/openapi.json", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Content-Type"), "application/json");
    H_ASSERTF(json_is_object(r->json), "the served document is not a JSON object");
    return r->json;
}

/* "/api/v1/units/:id" -> "/api/v1/units/{id}" */
static const char *openapi_path(const char *pattern)
{
    char *out = h_fmt("%s", "");
    for (const char *p = pattern; *p;) {
        if (*p == ':' && p[-1] == '/') {
            size_t n = strcspn(p + 1, "/");
            out = h_fmt("%s{%.*s}", out, (int)n, p + 1);
            p += n + 1;
        } else {
            size_t n = strcspn(p, ":");
            if (n == 0)
                n = 1;
            out = h_fmt("%s%.*s", out, (int)n, p);
            p += n;
        }
    }
    return out;
}

/* Follows a local "$ref" (#/components/...) once; other values pass. */
static json_t *deref(json_t *doc, json_t *v)
{
    const char *ref = json_string_value(json_object_get(v, "$ref"));
    if (!ref)
        return v;
    H_ASSERTF(!strncmp(ref, "#/", 2), "non-local $ref %s", ref);
    char *path = h_fmt("%s", ref + 2);
    for (char *c = path; *c; c++)
        if (*c == '/')
            *c = '.';
    json_t *t = h_get(doc, path);
    H_ASSERTF(t, "$ref %s does not resolve", ref);
    return t;
}

static void check_refs(json_t *doc, json_t *v, int *n)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (!strcmp(k, "$ref")) {
                deref(doc, v);
                (*n)++;
            } else {
                check_refs(doc, x, n);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) check_refs(doc, x, n);
    }
}

static bool is_write(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD");
}

static void check_operation(json_t *doc, json_t *rt)
{
    const char *m = json_string_value(json_object_get(rt, "method"));
    const char *pat = json_string_value(json_object_get(rt, "pattern"));
    const char *perm = json_string_value(json_object_get(rt, "perm"));
    const char *path = openapi_path(pat);
    char method[16];
    snprintf(method, sizeof method, "%s", m);
    for (char *c = method; *c; c++)
        *c = (char)(*c - 'A' + 'a');
    json_t *item = json_object_get(json_object_get(doc, "paths"), path);
    json_t *op = json_object_get(item, method);
    H_ASSERTF(op, "%s %s is routed but not documented: add paths.\"%s\".%s to docs/openapi.json", m,
              pat, path, method);
    const char *where = h_fmt("paths.\"%s\".%s", path, method);
    H_ASSERTF(json_is_string(json_object_get(op, "summary")) &&
                  json_string_length(json_object_get(op, "summary")) > 0,
              "%s has no summary", where);
    const char *xp = json_string_value(json_object_get(op, "x-permission"));
    H_ASSERTF(xp && !strcmp(xp, perm), "%s: x-permission is %s but the route needs %s", where,
              xp ? xp : "(missing)", perm);
    json_t *responses = json_object_get(op, "responses");
    H_ASSERTF(json_is_object(responses) && json_object_size(responses) > 0, "%s: no responses",
              where);
    bool has_2xx = false, only_4xx_5xx = true;
    const char *code;
    json_t *x;
    json_object_foreach(responses, code, x)
    {
        has_2xx |= code[0] == '2';
        only_4xx_5xx &= code[0] == '4' || code[0] == '5';
    }
    /* a success response, unless the route only ever fails (a catch-all 404) */
    H_ASSERTF(has_2xx || only_4xx_5xx, "%s: no success response", where);
    json_t *security = json_object_get(op, "security");
    if (!strcmp(perm, "public")) {
        H_ASSERTF(json_is_array(security) && json_array_size(security) == 0,
                  "%s: a public operation needs \"security\": []", where);
    } else {
        H_ASSERTF(json_object_get(responses, "401") && json_object_get(responses, "403"),
                  "%s: a signed-in operation documents 401 and 403", where);
        /* either the operation or the document requires a scheme */
        json_t *sec = security ? security : json_object_get(doc, "security");
        H_ASSERTF(json_is_array(sec) && json_array_size(sec) > 0, "%s: no security", where);
    }
    /* every {param} is declared as a required path parameter */
    json_t *params = json_array();
    h_keep_json(params);
    json_array_extend(params, json_object_get(item, "parameters"));
    json_array_extend(params, json_object_get(op, "parameters"));
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *name = h_fmt("%.*s", (int)strcspn(p + 1, "}"), p + 1);
        bool found = false;
        size_t i;
        json_t *pv;
        json_array_foreach(params, i, pv)
        {
            json_t *d = deref(doc, pv);
            if (!strcmp(str(d, "in"), "path") && !strcmp(str(d, "name"), name)) {
                found = true;
                H_ASSERTF(json_is_true(json_object_get(d, "required")),
                          "%s: path parameter %s must be required", where, name);
            }
        }
        H_ASSERTF(found, "%s: path parameter {%s} is not declared", where, name);
    }
    /* a write's JSON body has a schema */
    json_t *body = json_object_get(op, "requestBody");
    if (body) {
        json_t *content = json_object_get(deref(doc, body), "content");
        H_ASSERTF(json_is_object(content) && json_object_size(content) > 0,
                  "%s: requestBody without content", where);
        json_object_foreach(content, code, x)
            H_ASSERTF(json_object_get(x, "schema"), "%s: %s body without a schema", where, code);
    } else {
        H_ASSERTF(!is_write(m) || !strstr(h_dump(rt), "\"raw_body\":true"),
                  "%s: an upload route documents its body", where);
    }
}

static void test_every_route_is_documented(void)
{
    json_t *doc = served();
    H_ASSERTF(!strncmp(str(doc, "openapi"), "3.0.", 4), "openapi must be 3.0.x");
    H_ASSERT(json_is_string(h_get(doc, "info.title")));
    H_ASSERT(json_is_string(h_get(doc, "info.version")));
    H_EQ_STR(json_string_value(h_get(doc, "components.securitySchemes.bearer.scheme")), "bearer");
    H_EQ_STR(json_string_value(h_get(doc, "components.securitySchemes.cookie.in")), "cookie");
    H_EQ_STR(json_string_value(h_get(doc, "components.securitySchemes.cookie.name")),
             "sanqu_session");
    H_ASSERT(json_is_object(h_get(doc, "components.schemas.Error")));
    json_t *routes = h_routes();
    size_t i;
    json_t *rt;
    json_array_foreach(routes, i, rt) check_operation(doc, rt);
    printf("     %zu routes documented\n", json_array_size(routes));
}

static void test_nothing_stale_is_documented(void)
{
    json_t *doc = served();
    json_t *routes = h_routes();
    const char *path, *method;
    json_t *item, *op;
    int n = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        json_object_foreach(item, method, op)
        {
            if (!strcmp(method, "parameters") || !strcmp(method, "summary") ||
                !strcmp(method, "description"))
                continue;
            bool found = false;
            size_t i;
            json_t *rt;
            json_array_foreach(routes, i, rt)
            {
                const char *m = json_string_value(json_object_get(rt, "method"));
                found |=
                    !strcasecmp(m, method) &&
                    !strcmp(openapi_path(json_string_value(json_object_get(rt, "pattern"))), path);
            }
            H_ASSERTF(found, "docs/openapi.json documents %s %s, which is not routed", method,
                      path);
            n++;
        }
    }
    H_EQ_INT(n, json_array_size(routes));
    int refs = 0;
    check_refs(doc, doc, &refs);
    H_ASSERT(refs > 0);
}

static void test_served_document_is_the_file(void)
{
    json_t *doc = served();
    json_error_t e;
    json_t *file = h_keep_json(json_load_file("docs/openapi.json", 0, &e));
    if (!file) {
        printf("     (docs/openapi.json not found from %s; compared nothing)\n", getenv("PWD"));
        return;
    }
    H_ASSERTF(json_equal(doc, file),
              "the server embeds an older docs/openapi.json: rebuild (make) after editing it");
    /* a stale token does not stop it */
    struct h_resp *r = h_req("GET", "/api/v1/openapi.json", "stale-token", NULL);
    H_STATUS(r, 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_every_route_is_documented),
        H_TEST(test_nothing_stale_is_documented),
        H_TEST(test_served_document_is_the_file),
        {0},
    };
    return h_main(argc, argv, tests);
}
