/*
 * test_router: sq_router_match over the real route tables (src/app.c).
 * Parameters are captured per segment; a literal segment beats a parameter
 * whatever the table order; a known path with another method is 405, an
 * unknown path 404; HEAD is served by GET. Every route in the tables is
 * reachable: a path made from its own pattern matches that very route, so
 * a new route can never be shadowed by an older one without this failing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/http.h"

static const struct sq_route *match(const char *method, const char *path, struct sq_req *r,
                                    int *status)
{
    memset(r, 0, sizeof *r);
    *status = 0;
    return sq_router_match(method, path, r, status);
}

static void test_params(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    const struct sq_route *rt = match("GET", "/api/v1/units/42", &r, &st);
    assert_non_null(rt);
    assert_int_equal(st, 200);
    assert_string_equal(rt->pattern, "/api/v1/units/:id");
    assert_string_equal(rt->method, "GET");
    assert_int_equal(r.nparams, 1);
    assert_string_equal(sq_req_param(&r, "id"), "42");
    assert_int_equal(sq_req_param_id(&r, "id"), 42);
    assert_null(sq_req_param(&r, "i"));   /* a prefix is not the name */
    assert_null(sq_req_param(&r, "idx")); /* nor a longer name */
    rt = match("GET", "/api/v1/units/42/subtree", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/units/:id/subtree");
    assert_string_equal(sq_req_param(&r, "id"), "42");
    /* two parameters in one path */
    rt = match("POST", "/api/v1/appeals/7/accept", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/appeals/:id/:action");
    assert_int_equal(r.nparams, 2);
    assert_string_equal(sq_req_param(&r, "id"), "7");
    assert_string_equal(sq_req_param(&r, "action"), "accept");
    /* any segment text is captured; the handler decides what it means */
    rt = match("GET", "/api/v1/units/abc", &r, &st);
    assert_non_null(rt);
    assert_string_equal(sq_req_param(&r, "id"), "abc");
    assert_int_equal(sq_req_param_id(&r, "id"), 0);
}

static void test_param_ids(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    static const struct {
        const char *seg;
        int64_t id;
    } cases[] = {
        {"1", 1},   {"007", 7}, {"999999999999999", 999999999999999LL},
        {"0", 0},   {"-1", 0},  {"1e3", 0},
        {"12a", 0}, {"%31", 0}, {"1000000000000000", 0}, /* more than 15 digits */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/units/%s", cases[i].seg);
        assert_non_null(match("GET", path, &r, &st));
        if (sq_req_param_id(&r, "id") != cases[i].id)
            fail_msg("%s -> %lld", cases[i].seg, (long long)sq_req_param_id(&r, "id"));
    }
    assert_int_equal(sq_req_param_id(&r, "nope"), 0);
}

static void test_literal_beats_param(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    const struct sq_route *rt = match("GET", "/api/v1/units/directory", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/units/directory");
    assert_int_equal(r.nparams, 0);
    rt = match("POST", "/api/v1/appeals/7/attachments", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/appeals/:id/attachments");
    /* a literal that exists for another method does not steal the path */
    rt = match("GET", "/api/v1/units/directory", &r, &st);
    assert_int_equal(rt->perm, SQ_PERM_PUBLIC);
}

static void test_404_and_405(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    static const char *const unknown[] = {
        "/api/v1/nothing",
        "/api/v1/units/1/2/3",
        "/api/v2/units",
        "api/v1/units",
        "",
        "/api/v1/units/1/subtree/x",
        "/a/b/c/d/e/f/g/h/i/j/k/l/m",
        "/API/V1/UNITS",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        if (match("GET", unknown[i], &r, &st))
            fail_msg("%s matched", unknown[i]);
        assert_int_equal(st, 404);
    }
    /* the path is known, the method is not */
    assert_null(match("DELETE", "/api/v1/units", &r, &st));
    assert_int_equal(st, 405);
    assert_null(match("PUT", "/api/v1/units/5", &r, &st));
    assert_int_equal(st, 405);
    assert_null(match("GET", "/api/v1/auth/login", &r, &st));
    assert_int_equal(st, 405);
    assert_null(match("get", "/api/v1/units", &r, &st)); /* methods are case-sensitive */
    assert_int_equal(st, 405);
    /* a parameter longer than the capture buffer does not match at all */
    char path[300];
    memset(path, '9', sizeof path);
    memcpy(path, "/api/v1/units/", 14);
    path[14 + 128] = '\0';
    assert_null(match("GET", path, &r, &st));
    assert_int_equal(st, 404);
    path[14 + 127] = '\0';
    assert_non_null(match("GET", path, &r, &st));
    assert_int_equal(strlen(sq_req_param(&r, "id")), 127);
}

static void test_head_is_get(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    const struct sq_route *rt = match("HEAD", "/api/v1/units/5", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->method, "GET");
    assert_string_equal(sq_req_param(&r, "id"), "5");
    assert_non_null(match("HEAD", "/healthz", &r, &st));
    /* but not a POST-only route */
    assert_null(match("HEAD", "/api/v1/auth/login", &r, &st));
    assert_int_equal(st, 405);
}

static void test_slashes(void **state)
{
    (void)state;
    struct sq_req r;
    int st;
    /* empty segments are ignored: a trailing or doubled slash is the same path */
    const struct sq_route *rt = match("GET", "/api/v1/units/", &r, &st);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/units");
    rt = match("GET", "//api//v1//units//9", &r, &st);
    assert_non_null(rt);
    assert_string_equal(sq_req_param(&r, "id"), "9");
}

/* "/a/:id/b" -> "/a/1/b" */
static void fill(const char *pattern, char *out, size_t cap)
{
    size_t j = 0;
    for (const char *p = pattern; *p && j + 2 < cap;) {
        if (*p == ':' && p > pattern && p[-1] == '/') {
            out[j++] = '1';
            p += strcspn(p, "/");
        } else {
            out[j++] = *p++;
        }
    }
    out[j] = '\0';
}

static void test_every_route_reachable(void **state)
{
    (void)state;
    struct sq_req r;
    int st, n = 0, idx = 0;
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *rt = *t; rt->method; rt++, idx++, n++) {
            char path[256];
            fill(rt->pattern, path, sizeof path);
            const struct sq_route *got = match(rt->method, path, &r, &st);
            if (got != rt)
                fail_msg("%s %s (as %s) is shadowed by %s %s", rt->method, rt->pattern, path,
                         got ? got->method : "-", got ? got->pattern : "(none)");
            assert_int_equal(r.route_index, idx);
            /* every route states a permission and a summary */
            assert_ptr_equal(sq_perm_find(sq_perm_name(rt->perm)), rt->perm);
            assert_non_null(rt->summary);
            assert_non_null(rt->fn);
            assert_true(rt->pattern[0] == '/');
            /* no two routes share method and pattern */
            for (const struct sq_route *const *u = sq_route_tables; *u; u++)
                for (const struct sq_route *o = *u; o->method; o++)
                    if (o != rt && !strcmp(o->method, rt->method) &&
                        !strcmp(o->pattern, rt->pattern))
                        fail_msg("%s %s is routed twice", rt->method, rt->pattern);
        }
    assert_true(n >= 26);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_param_ids),
        cmocka_unit_test(test_literal_beats_param),
        cmocka_unit_test(test_404_and_405),
        cmocka_unit_test(test_head_is_get),
        cmocka_unit_test(test_slashes),
        cmocka_unit_test(test_every_route_reachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
