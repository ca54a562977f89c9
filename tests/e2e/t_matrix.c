/*
 * t_matrix: the permission matrix, end to end. The expectations come from
 * the same tables the server runs on:
 *
 *   `sanqu routes --json`  every route with the permission it needs;
 *   `sanqu perms --json`   every permission its domain declares, with the
 *                          roles that hold it (src/<domain>/perms.c);
 *   own_reads              (data here) the status an allowed "own" read of
 *                          some routes must get;
 *   accounts               (data here) the demo accounts and their roles.
 *
 * For every route x every account (and no account, and a bad token) one
 * request is sent per path variant: "own" fills :id with the account's own
 * unit or user (or grant), "other" with someone else's. Checks:
 *   - a non-public route answers 401 without a valid token, and so does a
 *     public write (sign-in routes excepted) with a stale one;
 *   - an account whose role does not hold the route's permission gets 403
 *     naming it;
 *   - an auditor gets 403 on every non-public write (logout excepted);
 *   - otherwise the route-level checks pass: writes (sent with a malformed
 *     body so that no handler runs and nothing changes) answer 400 bad_json,
 *     reads never 401/403-for-the-role, and "own" reads the listed status.
 * A route needing a permission no domain declares, a permission no role
 * holds, or an own_reads row that is no route fails the suite. The role
 * holdings themselves are pinned as data in tests/unit/test_auth.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

/* ---- the expectations that are not in the tables ---- */

/* Allowed "own" reads and the status they must get (every other route is
 * checked for the route-level decision only). */
static const struct {
    const char *method, *pattern;
    int own_status;
} own_reads[] = {
    {"GET", "/healthz", 200},
    {"GET", "/metrics", 200},
    {"GET", "/api/v1/openapi.json", 200},
    {"GET", "/api/v1/test/clock", 200},
    {"GET", "/api/v1/me", 200},
    {"GET", "/api/v1/users", 200},
    {"GET", "/api/v1/users/:id", 200},
    {"GET", "/api/v1/users/:id/personal", 200},
    {"GET", "/api/v1/users/:id/grants", 200},
    {"GET", "/api/v1/audit", 200},
    {"GET", "/api/v1/units", 200},
    {"GET", "/api/v1/units/directory", 200},
    {"GET", "/api/v1/units/:id", 200},
    {"GET", "/api/v1/units/:id/subtree", 200},
    {"GET", "/api/v1/units/:id/ancestors", 200},
    {"GET", "/api/v1/appeals", 200},
    /* issue 11: web enums */
    {"GET", "/api/v1/meta/enums", 200},
    {"GET", "/api/v1/categories", 200},
    /* issue 11: appeals rules (one definition of open) */
    {"GET", "/api/v1/appeal-statuses", 200},
    {"GET", "/api/v1/sla", 200},
    {"GET", "/api/v1/routing-rules", 200},
    {"GET", "/api/v1/kb/categories", 200},
    {"GET", "/api/v1/kb/answers", 200},
    {"GET", "/api/v1/kb/columns", 200},
    {"GET", "/api/v1/kb/volumes", 200},
    {"GET", "/api/v1/hot-problems/themes", 200},
    {"GET", "/api/v1/stats/settings", 200},
    {"GET", "/open311/v2/discovery.json", 200},
    {"GET", "/open311/v2/services.json", 200},
    {"GET", "/api/v1/open311/clients", 200},
    {"GET", "/api/v1/calendar", 200},
    {"GET", "/api/v1/inbox", 200},
    {"GET", "/api/v1/webhooks", 200},
    /* issue 11: tasks */
    {"GET", "/api/v1/tasks", 200},
};

/* The demo accounts (src/demo/demo.c), their role, and the code of the unit
 * they hold it in; "other" is a unit and a user outside that subtree. */
static const struct {
    const char *login, *role, *unit, *other_unit, *other_user;
} accounts[] = {
    {"admin", "district_admin", "HS", "CM002", "community2_handler"},
    {"supervisor", "district_admin", "HS", "CM002", "community2_handler"},
    {"auditor", "auditor", "HS", "CM002", "community2_handler"},
    {"street_admin", "unit_admin", "ST01", "CM002", "community2_handler"},
    {"street_handler", "handler", "ST01", "CM002", "community2_handler"},
    {"community_admin", "unit_admin", "CM001", "CM002", "community2_handler"},
    {"community_handler", "handler", "CM001", "CM002", "community2_handler"},
    {"community2_handler", "handler", "CM002", "CM001", "community_handler"},
    {"gridworker", "collector", "CM001", "CM002", "community2_handler"},
    {"dept_handler", "handler", "DP03", "CM002", "community2_handler"},
    {"univ_handler", "handler", "UN01", "PK01", "park_handler"},
    {"park_handler", "handler", "PK01", "UN01", "univ_handler"},
    {"resident", "public", "HS", "CM002", "student"},
    {"student", "public", "HS", "CM002", "resident"},
    {"enterprise", "public", "HS", "CM002", "resident"},
};
#define NACCOUNTS (sizeof accounts / sizeof accounts[0])

/* ---- helpers ---- */

/* The declared permissions, `sanqu perms --json`, read once. */
static json_t *perms_json(void)
{
    static json_t *perms;
    if (perms)
        return perms;
    struct h_run *r = h_sanqu("perms", "--json", NULL);
    if (r->status != 0)
        H_FAIL("sanqu perms --json failed (%d): %s", r->status, r->err);
    json_error_t e;
    perms = json_loads(r->out, 0, &e);
    if (!json_is_array(perms) || !json_array_size(perms))
        H_FAIL("sanqu perms --json gave no JSON array (%s): %.500s", e.text, r->out);
    return perms;
}

static json_t *perm_decl(const char *perm)
{
    size_t i;
    json_t *p;
    json_array_foreach(
        perms_json(), i,
        p) if (!strcmp(json_string_value(json_object_get(p, "name")), perm)) return p;
    return NULL;
}

/* Does the role hold the permission, as its domain declares? */
static bool role_has(const char *role, const char *perm)
{
    static const char *const roles[] = {"public",         "collector", "handler", "unit_admin",
                                        "district_admin", "auditor",   NULL};
    bool known = false;
    for (int i = 0; roles[i]; i++)
        known |= !strcmp(roles[i], role);
    if (!known)
        H_FAIL("role %s is no role", role);
    json_t *p = perm_decl(perm), *r;
    size_t i;
    json_array_foreach(json_object_get(p, "roles"), i,
                       r) if (!strcmp(json_string_value(r), role)) return true;
    return false;
}

/* Ids looked up once per server (keys "unit:CODE", "grant:USER"). */
static json_t *ids;

static long long cached(const char *key, const char *path, const char *field)
{
    if (!ids)
        ids = json_object();
    json_t *v = json_object_get(ids, key);
    if (v)
        return json_integer_value(v);
    struct h_resp *r = h_req("GET", path, h_tok("admin"), NULL);
    H_STATUS(r, 200);
    long long id = H_INT(r->json, field);
    json_object_set_new(ids, key, json_integer(id));
    return id;
}

static long long unit_id(const char *code)
{
    long long id = cached(h_fmt("unit:%s", code), h_fmt("/api/v1/units?q=%s", code), "items.0.id");
    return id;
}

static long long first_grant(long long user)
{
    return cached(h_fmt("grant:%lld", user), h_fmt("/api/v1/users/%lld/grants", user),
                  "items.0.id");
}

/* What one :id stands for, by the collection it follows. */
static const char *param_for(const char *pattern, size_t acct, bool own)
{
    if (!strncmp(pattern, "/api/v1/units/", 14))
        return h_fmt("%lld", unit_id(own ? accounts[acct].unit : accounts[acct].other_unit));
    if (!strncmp(pattern, "/api/v1/users/", 14))
        return h_fmt("%lld", h_uid(own ? accounts[acct].login : accounts[acct].other_user));
    if (!strncmp(pattern, "/api/v1/grants/", 15))
        return h_fmt("%lld",
                     first_grant(h_uid(own ? accounts[acct].login : accounts[acct].other_user)));
    return "1"; /* a record of a later domain: the route-level checks still apply */
}

static bool is_write(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD");
}

/* A 403 from the route-level check names the permission it wanted. */
static bool route_level_403(const struct h_resp *r, const char *perm)
{
    const char *msg = json_string_value(h_get(r->json, "error.message"));
    return r->status == 403 && msg && strstr(msg, h_fmt("(%s needed)", perm));
}

static struct h_resp *send(const char *m, const char *path, const char *token, bool raw)
{
    /* a malformed body stops every write right after the route-level checks */
    const char *body = is_write(m) && !raw ? "{" : NULL;
    return h_req(m, path, token, body);
}

/* ---- tests ---- */

static void test_routes_need_declared_permissions(void)
{
    json_t *routes = h_routes(), *rt, *p;
    size_t i;
    json_array_foreach(routes, i, rt)
    {
        const char *m = json_string_value(json_object_get(rt, "method"));
        const char *pat = json_string_value(json_object_get(rt, "pattern"));
        const char *perm = json_string_value(json_object_get(rt, "perm"));
        H_ASSERTF(perm_decl(perm), "%s %s needs '%s', which no domain declares", m, pat, perm);
    }
    /* route-level permissions are held by no role, every other by some */
    json_array_foreach(perms_json(), i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        size_t n = json_array_size(json_object_get(p, "roles"));
        if (json_is_true(json_object_get(p, "route_only")))
            H_ASSERTF(n == 0, "route-level %s is held by a role", name);
        else
            H_ASSERTF(n > 0 && role_has("district_admin", name),
                      "%s is held by no role, or not by the district admin", name);
    }
    H_ASSERT(perm_decl("public") && perm_decl("signed_in"));
    /* and every own_reads row is a route */
    for (size_t k = 0; k < sizeof own_reads / sizeof own_reads[0]; k++) {
        bool found = false;
        json_array_foreach(routes, i, rt)
        {
            found |=
                !strcmp(json_string_value(json_object_get(rt, "method")), own_reads[k].method) &&
                !strcmp(json_string_value(json_object_get(rt, "pattern")), own_reads[k].pattern);
        }
        H_ASSERTF(found, "%s %s is in own_reads but no longer routed", own_reads[k].method,
                  own_reads[k].pattern);
    }
}

static void test_demo_accounts_hold_their_roles(void)
{
    h_need_demo();
    for (size_t a = 0; a < NACCOUNTS; a++) {
        struct h_resp *me = h_req("GET", "/api/v1/me", h_tok(accounts[a].login), NULL);
        H_STATUS(me, 200);
        H_EQ_INT(json_array_size(h_get(me->json, "grants")), 1);
        H_EQ_STR(H_STR(me->json, "grants.0.role"), accounts[a].role);
        H_EQ_INT(H_INT(me->json, "grants.0.unit_id"), unit_id(accounts[a].unit));
    }
}

static void test_anonymous(void)
{
    h_need_demo();
    json_t *routes = h_routes();
    size_t i;
    json_t *rt;
    json_array_foreach(routes, i, rt)
    {
        const char *m = json_string_value(json_object_get(rt, "method"));
        const char *pat = json_string_value(json_object_get(rt, "pattern"));
        const char *perm = json_string_value(json_object_get(rt, "perm"));
        bool raw = json_is_true(json_object_get(rt, "raw_body"));
        const char *path = h_path_fill(pat, "1");
        struct h_resp *none = send(m, path, NULL, raw);
        struct h_resp *bad = send(m, path, "no-such-token", raw);
        if (strcmp(perm, "public")) {
            if (none->status != 401)
                H_FAIL("%s %s without a token: want 401, got %d", m, pat, none->status);
            H_ERR(none, 401, "unauthenticated");
            H_ERR(bad, 401, "unauthenticated");
        } else {
            H_ASSERTF(none->status != 401 && none->status != 403 && none->status < 500,
                      "public %s %s without a token: got %d", m, pat, none->status);
            /* a stale token is ignored by public reads and sign-in routes; any
             * other public write answers 401 rather than act anonymously */
            if (is_write(m) && strncmp(pat, "/api/v1/auth/", 13))
                H_ERR(bad, 401, "unauthenticated");
            else
                H_ASSERTF(bad->status == none->status, "public %s %s with a stale token: %d vs %d",
                          m, pat, bad->status, none->status);
            if (is_write(m) && !raw)
                H_ERR(none, 400, "bad_json");
        }
    }
}

static void test_every_role_on_every_route(void)
{
    h_need_demo();
    json_t *routes = h_routes();
    int requests = 0;
    double t0 = h_ms();
    for (size_t a = 0; a < NACCOUNTS; a++) {
        const char *tok = h_tok(accounts[a].login), *role = accounts[a].role;
        size_t i;
        json_t *rt;
        json_array_foreach(routes, i, rt)
        {
            const char *m = json_string_value(json_object_get(rt, "method"));
            const char *pat = json_string_value(json_object_get(rt, "pattern"));
            const char *perm = json_string_value(json_object_get(rt, "perm"));
            bool raw = json_is_true(json_object_get(rt, "raw_body"));
            bool pub = !strcmp(perm, "public"), signed_in = !strcmp(perm, "signed_in");
            bool allowed = pub || signed_in || role_has(role, perm);
            bool read_only = !strcmp(role, "auditor") && is_write(m) && !pub &&
                             strcmp(pat, "/api/v1/auth/logout");
            int own_status = 0;
            for (size_t k = 0; k < sizeof own_reads / sizeof own_reads[0]; k++)
                if (!strcmp(own_reads[k].method, m) && !strcmp(own_reads[k].pattern, pat))
                    own_status = own_reads[k].own_status;
            const char *own_path = NULL;
            for (int v = 0; v < 2; v++) {
                bool own = v == 0;
                char *path = h_fmt("%s", pat);
                while (strstr(path, "/:")) {
                    char *c = strstr(path, "/:") + 1;
                    size_t n = strcspn(c, "/");
                    path = h_fmt("%.*s%s%s", (int)(c - path), path, param_for(pat, a, own), c + n);
                }
                if (!own && !strcmp(path, own_path))
                    break; /* no parameter, or one without an own/other meaning */
                own_path = path;
                struct h_resp *r = send(m, path, tok, raw);
                requests++;
                const char *who = h_fmt("%s (%s) %s %s", accounts[a].login, role, m, path);
                if (!allowed) {
                    if (!route_level_403(r, perm))
                        h_fail(__FILE__, __LINE__, r, "%s: want 403 (%s needed), got %d", who, perm,
                               r->status);
                    continue;
                }
                if (read_only) {
                    if (r->status != 403)
                        h_fail(__FILE__, __LINE__, r, "%s: auditors write nothing, got %d", who,
                               r->status);
                    H_ERR(r, 403, "forbidden");
                    continue;
                }
                if (r->status == 401 || route_level_403(r, perm) || r->status >= 500)
                    h_fail(__FILE__, __LINE__, r, "%s: the role has %s, got %d", who, perm,
                           r->status);
                if (is_write(m) && !raw && r->status != 400)
                    h_fail(__FILE__, __LINE__, r, "%s: want 400 for the malformed body, got %d",
                           who, r->status);
                if (own && own_status && !is_write(m) && r->status != own_status)
                    h_fail(__FILE__, __LINE__, r, "%s: own request wants %d, got %d", who,
                           own_status, r->status);
            }
        }
    }
    printf("     %d requests in %.0f ms\n", requests, h_ms() - t0);
    /* nothing was changed by all that */
    struct h_resp *a = h_req("GET", "/api/v1/audit?limit=500", h_tok("admin"), NULL);
    H_STATUS(a, 200);
    static const char *const writes[] = {"unit_create", "unit_update", "unit_archive",
                                         "user_create", "user_update", "grant",
                                         "revoke",      "logout",      NULL};
    for (const char *const *w = writes; *w; w++)
        H_ASSERTF(!strstr(a->body, h_fmt("\"action\":\"%s\"", *w)), "the matrix run wrote: %s", *w);
}

/* issue 10: kb history and columns/volumes */

/* For every demo account and no account: the history (versions, one
 * version, diff) of a published and of a draft answer of CM001, and writes
 * (create, edit, delete) of columns and volumes owned by the district, the
 * street ST01 and the community CM001. What each may do follows from the
 * account's role (as the domains declare it) and whether its unit is the owner or above it
 * (the units' ancestors), so the expectations are the rules, not a list:
 *   - history of a published answer: kb.write and kb.publish over its unit;
 *     of a draft: kb.write over its unit; anyone else 404 (it does not
 *     exist for them), never the text;
 *   - a column or volume: kb.publish at its owner or above manages it
 *     (201/200), other holders of kb.publish get 403 from the handler, the
 *     rest 403 at the route (auditors, handlers, the public), no account 401. */

static bool unit_covers(const char *holder, const char *owner)
{
    if (!strcmp(holder, owner))
        return true;
    long long hid = unit_id(holder);
    struct h_resp *r =
        h_req("GET", h_fmt("/api/v1/units/%lld/ancestors", unit_id(owner)), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    for (size_t i = 0; i < json_array_size(h_get(r->json, "items")); i++)
        if (H_INT(r->json, h_fmt("items.%zu.id", i)) == hid)
            return true;
    return false;
}

static long long kb_answer_of_cm001(bool publish)
{
    const char *ch = h_tok("community_handler");
    struct h_resp *r = h_req("GET", "/api/v1/kb/categories", NULL, NULL);
    H_STATUS(r, 200);
    r = h_reqf("POST", "/api/v1/kb/answers", ch,
               "{\"category_id\":%lld,\"title\":\"矩阵测试答案\",\"problem\":\"原始文本手机号"
               "13700001111\",\"measures\":\"矩阵测试的措施\"}",
               H_INT(r->json, "items.0.id"));
    H_STATUS(r, 201);
    long long id = H_INT(r->json, "id");
    H_STATUS(
        h_req("PATCH", h_fmt("/api/v1/kb/answers/%lld", id), ch, "{\"problem\":\"修订后的文本\"}"),
        200);
    if (publish) {
        H_STATUS(h_req("POST", h_fmt("/api/v1/kb/answers/%lld/submit", id), ch, NULL), 200);
        H_STATUS(h_req("POST", h_fmt("/api/v1/kb/answers/%lld/approve", id),
                       h_tok("community_admin"), NULL),
                 200);
    }
    return id;
}

static long long kb_collection(const char *kind, const char *owner, int *issue)
{
    struct h_resp *r =
        !strcmp(kind, "columns")
            ? h_reqf("POST", "/api/v1/kb/columns", h_tok("admin"),
                     "{\"issue_no\":%d,\"title\":\"矩阵专栏\",\"publish_date\":\"2020-01-01\","
                     "\"unit_id\":%lld}",
                     (*issue)++, unit_id(owner))
            : h_reqf("POST", "/api/v1/kb/volumes", h_tok("admin"),
                     "{\"title\":\"矩阵汇编\",\"unit_id\":%lld}", unit_id(owner));
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static void test_kb_history_and_collections(void)
{
    h_need_demo();
    long long published = kb_answer_of_cm001(true), draft = kb_answer_of_cm001(false);
    static const char *const history[] = {"versions", "versions/1", "diff?from=1&to=2"};
    static const char *const owners[] = {"HS", "ST01", "CM001"};
    static const char *const kinds[] = {"columns", "volumes"};
    int issue = 3000, requests = 0;
    for (size_t a = 0; a <= NACCOUNTS; a++) {
        bool anon = a == NACCOUNTS;
        const char *login = anon ? "(no account)" : accounts[a].login;
        const char *role = anon ? "" : accounts[a].role;
        const char *tok = anon ? NULL : h_tok(login);
        bool writes = !anon && role_has(role, "kb.write"),
             publishes = !anon && role_has(role, "kb.publish");
        bool over_cm001 = !anon && unit_covers(accounts[a].unit, "CM001");
        for (int which = 0; which < 2; which++) {
            long long id = which ? draft : published;
            bool may = which ? writes && over_cm001 : writes && publishes && over_cm001;
            for (size_t h = 0; h < sizeof history / sizeof history[0]; h++) {
                struct h_resp *r =
                    h_req("GET", h_fmt("/api/v1/kb/answers/%lld/%s", id, history[h]), tok, NULL);
                requests++;
                if (r->status != (may ? 200 : 404) || (!may && strstr(r->body, "13700001111")))
                    h_fail(__FILE__, __LINE__, r, "%s (%s): %s of the %s answer: want %d, got %d",
                           login, role, history[h], which ? "draft" : "published", may ? 200 : 404,
                           r->status);
            }
        }
        for (size_t k = 0; k < 2; k++) {
            bool col = k == 0;
            for (size_t o = 0; o < sizeof owners / sizeof owners[0]; o++) {
                bool may = publishes && unit_covers(accounts[a].unit, owners[o]);
                int refused = anon ? 401 : 403;
                const char *what =
                    h_fmt("%s (%s) %s owned by %s", login, role, kinds[k], owners[o]);
                /* create */
                struct h_resp *r =
                    col ? h_reqf("POST", "/api/v1/kb/columns", tok,
                                 "{\"issue_no\":%d,\"title\":\"矩阵新专栏\",\"publish_date\":"
                                 "\"2020-01-01\",\"unit_id\":%lld}",
                                 issue++, unit_id(owners[o]))
                        : h_reqf("POST", "/api/v1/kb/volumes", tok,
                                 "{\"title\":\"矩阵新汇编\",\"unit_id\":%lld}", unit_id(owners[o]));
                if (r->status != (may ? 201 : refused))
                    h_fail(__FILE__, __LINE__, r, "%s: create: want %d, got %d", what,
                           may ? 201 : refused, r->status);
                /* edit, then delete, one made by the district */
                long long id = kb_collection(kinds[k], owners[o], &issue);
                r = h_req("PATCH", h_fmt("/api/v1/kb/%s/%lld", kinds[k], id), tok,
                          "{\"title\":\"矩阵改名\"}");
                if (r->status != (may ? 200 : refused))
                    h_fail(__FILE__, __LINE__, r, "%s: edit: want %d, got %d", what,
                           may ? 200 : refused, r->status);
                r = h_req("DELETE", h_fmt("/api/v1/kb/%s/%lld", kinds[k], id), tok, NULL);
                if (r->status != (may ? 200 : refused))
                    h_fail(__FILE__, __LINE__, r, "%s: delete: want %d, got %d", what,
                           may ? 200 : refused, r->status);
                r = h_req("GET", h_fmt("/api/v1/kb/%s/%lld", kinds[k], id), NULL, NULL);
                H_EQ_INT(r->status, may ? 404 : 200);
                requests += 4;
            }
        }
    }
    printf("     %d requests\n", requests);
}

/* end of issue 10: kb history and columns/volumes */

/* issue 11: tasks
 *
 * Record-level decisions on two tasks owned by CM001 (one open, one done),
 * for every demo account: reading needs task.read on CM001 or above, notes
 * task.write there, changing it task.assign there, reopening task.assign
 * strictly above CM001. What allowed_actions offers and what the handlers
 * answer must agree (one rule, tasks_decide). Writes notes and changes, so
 * it runs after the read-only sweeps. */
static bool above_cm001(const char *unit)
{
    return !strcmp(unit, "HS") || !strcmp(unit, "ST01") || !strcmp(unit, "CM001");
}

static bool offers(const struct h_resp *r, const char *action)
{
    size_t i;
    json_t *a;
    json_array_foreach(h_get(r->json, "allowed_actions"), i, a)
    {
        if (!strcmp(json_string_value(a), action))
            return true;
    }
    return false;
}

static void test_tasks_by_role(void)
{
    h_need_demo();
    struct h_resp *r = h_reqf("POST", "/api/v1/tasks", h_tok("admin"),
                              "{\"title\":\"矩阵任务\",\"owner_unit_id\":%lld,"
                              "\"due_working_days\":20}",
                              unit_id("CM001"));
    H_STATUS(r, 201);
    long long open = H_INT(r->json, "id");
    r = h_reqf("POST", "/api/v1/tasks", h_tok("admin"),
               "{\"title\":\"矩阵已办结任务\",\"owner_unit_id\":%lld,\"due_working_days\":20}",
               unit_id("CM001"));
    H_STATUS(r, 201);
    long long done = H_INT(r->json, "id");
    H_STATUS(h_req("POST", h_fmt("/api/v1/tasks/%lld/done", done), h_tok("community_handler"),
                   "{\"evidence\":\"矩阵佐证\"}"),
             200);
    for (size_t a = 0; a < NACCOUNTS; a++) {
        const char *tok = h_tok(accounts[a].login), *role = accounts[a].role;
        bool in = above_cm001(accounts[a].unit);
        bool read = in && role_has(role, "task.read"), note = in && role_has(role, "task.write");
        bool assign = in && role_has(role, "task.assign");
        bool reopen = assign && strcmp(accounts[a].unit, "CM001");
        const char *who = accounts[a].login;
        r = h_req("GET", h_fmt("/api/v1/tasks/%lld", open), tok, NULL);
        if (r->status != (read ? 200 : 403))
            h_fail(__FILE__, __LINE__, r, "%s reads the task: want %d", who, read ? 200 : 403);
        if (read) {
            H_ASSERTF(offers(r, "note") == note, "%s: allowed_actions note", who);
            H_ASSERTF(offers(r, "update") == assign, "%s: allowed_actions update", who);
            struct h_resp *dr = h_req("GET", h_fmt("/api/v1/tasks/%lld", done), tok, NULL);
            H_ASSERTF(offers(dr, "reopen") == reopen, "%s: allowed_actions reopen", who);
        }
        r = h_req("POST", h_fmt("/api/v1/tasks/%lld/notes", open), tok,
                  h_fmt("{\"body\":\"矩阵进展 %s\"}", who));
        if (r->status != (note ? 200 : 403))
            h_fail(__FILE__, __LINE__, r, "%s adds a note: want %d", who, note ? 200 : 403);
        r = h_req("PATCH", h_fmt("/api/v1/tasks/%lld", open), tok,
                  h_fmt("{\"description\":\"矩阵修改 %s\"}", who));
        if (r->status != (assign ? 200 : 403))
            h_fail(__FILE__, __LINE__, r, "%s changes the task: want %d", who, assign ? 200 : 403);
        r = h_req("POST", h_fmt("/api/v1/tasks/%lld/reopen", done), tok,
                  "{\"reason\":\"矩阵重开\",\"due_working_days\":20}");
        if (r->status != (reopen ? 200 : 403))
            h_fail(__FILE__, __LINE__, r, "%s reopens the task: want %d", who, reopen ? 200 : 403);
        if (reopen)
            H_STATUS(h_req("POST", h_fmt("/api/v1/tasks/%lld/done", done),
                           h_tok("community_handler"), "{\"evidence\":\"矩阵佐证\"}"),
                     200);
    }
}
/* end of issue 11: tasks */

/* issue 10: user management
 *
 * Acting on an account (unmasked personal data, PATCH, grants created and
 * revoked) for every demo account against three targets made here: one whose
 * only grant is in the account's own unit ("in"), one holding that grant and
 * another outside the account's subtree ("out": the takeover was one grant in
 * scope sufficing), and a district admin ("da"). The rule, as data: district
 * admins manage all three, unit admins only "in", nobody else anything. An
 * allowed action succeeds (grants made are revoked again), a refused one
 * answers 403 and changes nothing. Runs last: it writes. */

enum mtarget { MT_IN, MT_OUT, MT_DA, MT__MAX };
static const char *const mtarget_names[] = {"in", "out", "da"};

static bool may_manage_expected(const char *role, enum mtarget t)
{
    if (!strcmp(role, "district_admin"))
        return true;
    return !strcmp(role, "unit_admin") && t == MT_IN;
}

/* A target account, created once per server by the admin; returns its id. */
static long long mtarget_id(size_t a, enum mtarget t)
{
    const char *unit = accounts[a].unit, *other = accounts[a].other_unit;
    const char *key = t == MT_DA   ? "mt:da"
                      : t == MT_IN ? h_fmt("mt:in:%s", unit)
                                   : h_fmt("mt:out:%s:%s", unit, other);
    if (!ids)
        ids = json_object();
    json_t *v = json_object_get(ids, key);
    if (v)
        return json_integer_value(v);
    char *login = h_fmt("%s", key);
    for (char *c = login; *c; c++)
        *c = *c == ':' ? '.' : (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
    struct h_resp *r = h_reqf("POST", "/api/v1/users", h_tok("admin"),
                              "{\"login\":\"%s\",\"password\":\"Matrix-pass-2024\","
                              "\"display_name\":\"矩阵对象\",\"phone\":\"13700009999\","
                              "\"role\":\"%s\",\"unit_id\":%lld}",
                              login, t == MT_DA ? "district_admin" : "collector",
                              t == MT_DA ? unit_id("HS") : unit_id(unit));
    H_STATUS(r, 201);
    long long id = H_INT(r->json, "id");
    if (t == MT_OUT)
        H_STATUS(h_reqf("POST", "/api/v1/grants", h_tok("admin"),
                        "{\"user_id\":%lld,\"role\":\"collector\",\"unit_id\":%lld}", id,
                        unit_id(other)),
                 201);
    json_object_set_new(ids, key, json_integer(id));
    return id;
}

static void test_user_management(void)
{
    h_need_demo();
    int requests = 0;
    for (size_t a = 0; a < NACCOUNTS; a++) {
        const char *tok = h_tok(accounts[a].login), *role = accounts[a].role;
        for (int t = 0; t < MT__MAX; t++) {
            long long id = mtarget_id(a, (enum mtarget)t);
            bool may = may_manage_expected(role, (enum mtarget)t);
            const char *who =
                h_fmt("%s (%s) on target %s", accounts[a].login, role, mtarget_names[t]);
            const char *upath = h_fmt("/api/v1/users/%lld", id);
            /* the masked record says what the UI may offer */
            struct h_resp *r = h_req("GET", upath, tok, NULL);
            if (r->status == 200 && json_is_true(h_get(r->json, "may_manage")) != may)
                h_fail(__FILE__, __LINE__, r, "%s: may_manage should be %d", who, may);
            if (may && r->status != 200)
                h_fail(__FILE__, __LINE__, r, "%s: GET user wants 200, got %d", who, r->status);
            /* unmasked personal data */
            r = h_req("GET", h_fmt("%s/personal", upath), tok, NULL);
            if (r->status != (may ? 200 : 403))
                h_fail(__FILE__, __LINE__, r, "%s: GET personal wants %d, got %d", who,
                       may ? 200 : 403, r->status);
            /* PATCH: a weak password is the caller's 422 only when they may */
            r = h_req("PATCH", upath, tok, "{\"password\":\"short\"}");
            if (may)
                H_ERR_FIELD(r, 422, "invalid", "password");
            else if (r->status != 403)
                h_fail(__FILE__, __LINE__, r, "%s: PATCH password wants 403, got %d", who,
                       r->status);
            r = h_req("PATCH", upath, tok, "{\"disabled\":false}");
            if (r->status != (may ? 200 : 403))
                h_fail(__FILE__, __LINE__, r, "%s: PATCH disabled wants %d, got %d", who,
                       may ? 200 : 403, r->status);
            /* grants: give public in one's own unit, then take it back */
            r = h_reqf("POST", "/api/v1/grants", tok,
                       "{\"user_id\":%lld,\"role\":\"public\",\"unit_id\":%lld}", id,
                       unit_id(accounts[a].unit));
            requests += 4;
            if (may) {
                if (r->status != 201)
                    h_fail(__FILE__, __LINE__, r, "%s: POST grant wants 201, got %d", who,
                           r->status);
                H_STATUS(
                    h_req("DELETE", h_fmt("/api/v1/grants/%lld", H_INT(r->json, "id")), tok, NULL),
                    200);
                requests++;
                continue;
            }
            if (r->status != 403)
                h_fail(__FILE__, __LINE__, r, "%s: POST grant wants 403, got %d", who, r->status);
            /* nor may they revoke what the target holds, even in their unit */
            r = h_req("DELETE", h_fmt("/api/v1/grants/%lld", first_grant(id)), tok, NULL);
            requests++;
            if (r->status != 403)
                h_fail(__FILE__, __LINE__, r, "%s: DELETE grant wants 403, got %d", who, r->status);
        }
    }
    printf("     %d requests\n", requests);
    /* the refused ones changed nothing: every target holds what it was given */
    for (size_t a = 0; a < NACCOUNTS; a++)
        for (int t = 0; t < MT__MAX; t++) {
            struct h_resp *g = h_req("GET", h_fmt("/api/v1/users/%lld/grants", mtarget_id(a, t)),
                                     h_tok("admin"), NULL);
            H_EQ_INT(H_INT(g->json, "total"), t == MT_OUT ? 2 : 1);
            struct h_resp *u =
                h_req("GET", h_fmt("/api/v1/users/%lld", mtarget_id(a, t)), h_tok("admin"), NULL);
            H_ASSERT(json_is_false(h_get(u->json, "disabled")));
            H_ASSERT(json_is_false(h_get(u->json, "must_change_password")));
        }
}
/* issue 10: edge */
/* /metrics is decided by address, not role: from a remote client (behind
 * a trusted proxy) no account opens it, from loopback every one does. */
static void test_metrics_by_address_not_role(void)
{
    h_start(&(struct h_opts){
        .demo = true, .args = (const char *const[]){"--trusted_proxies", "127.0.0.1", NULL}});
    const char *remote[] = {"X-Forwarded-For: 203.0.113.30", NULL};
    for (size_t a = 0; a <= NACCOUNTS; a++) {
        const char *tok = a < NACCOUNTS ? h_tok(accounts[a].login) : NULL;
        struct h_resp *r =
            h_send(&(struct h_call){.path = "/metrics", .token = tok, .headers = remote});
        if (r->status != 403)
            h_fail(__FILE__, __LINE__, r, "%s from a remote address: want 403, got %d",
                   a < NACCOUNTS ? accounts[a].login : "anonymous", r->status);
        H_STATUS(h_req("GET", "/metrics", tok, NULL), 200);
    }
}
/* end issue 10: edge */

/* issue 10: actions */
/* /me names what each role may do, where: every permission of the role (and
 * no other), on the account's unit, district-wide only at the root; a
 * caller with no writing permission (the auditor) is read_only. */
static void test_me_lists_permissions(void)
{
    static const char *const writes[] = {"unit.write",
                                         "user.write",
                                         "grant",
                                         "appeal.create",
                                         "appeal.collect",
                                         "appeal.handle",
                                         "appeal.supervise",
                                         "kb.write",
                                         "kb.publish",
                                         "admin",
                                         NULL};
    h_need_demo();
    for (size_t a = 0; a < NACCOUNTS; a++) {
        struct h_resp *me = h_req("GET", "/api/v1/me", h_tok(accounts[a].login), NULL);
        H_STATUS(me, 200);
        json_t *perms = json_object_get(me->json, "permissions"), *p;
        H_ASSERTF(json_is_array(perms), "%s: /me has no permissions", accounts[a].login);
        size_t i, want = 0;
        bool writer = false;
        json_t *decl;
        json_array_foreach(perms_json(), i, decl)
        {
            const char *pname = json_string_value(json_object_get(decl, "name"));
            want += pname && role_has(accounts[a].role, pname);
        }
        json_array_foreach(perms, i, p)
        {
            const char *name = json_string_value(json_object_get(p, "name"));
            H_ASSERTF(name && role_has(accounts[a].role, name), "%s (%s) lists %s",
                      accounts[a].login, accounts[a].role, name ? name : "(null)");
            json_t *units = json_object_get(p, "units");
            H_ASSERTF(json_array_size(units) == 1 &&
                          json_integer_value(json_array_get(units, 0)) == unit_id(accounts[a].unit),
                      "%s: %s units %s, want [%lld]", accounts[a].login, name, h_dump(units),
                      unit_id(accounts[a].unit));
            H_ASSERTF(json_is_boolean(json_object_get(p, "all_units")) &&
                          json_is_true(json_object_get(p, "all_units")) ==
                              !strcmp(accounts[a].unit, "HS"),
                      "%s: %s all_units is %s", accounts[a].login, name,
                      h_dump(json_object_get(p, "all_units")));
            for (int w = 0; writes[w]; w++)
                writer |= !strcmp(writes[w], name);
        }
        H_ASSERTF(json_array_size(perms) == want, "%s lists %zu permissions, the role has %zu",
                  accounts[a].login, json_array_size(perms), want);
        H_ASSERTF(json_is_boolean(json_object_get(me->json, "read_only")),
                  "%s: /me has no read_only", accounts[a].login);
        H_ASSERTF(json_is_true(json_object_get(me->json, "read_only")) == !writer,
                  "%s: read_only is %s", accounts[a].login,
                  h_dump(json_object_get(me->json, "read_only")));
        /* the fields the UI already relied on stay */
        H_ASSERT(json_is_array(json_object_get(me->json, "grants")));
        H_ASSERT(json_is_string(json_object_get(me->json, "csrf_token")));
    }
    /* the two the issue names: a handler handles in its community only; the
     * auditor writes nothing; sign-in answers the same permissions */
    struct h_resp *me = h_req("GET", "/api/v1/me", h_tok("community_handler"), NULL);
    H_CONTAINS(h_dump(json_object_get(me->json, "permissions")),
               h_fmt("{\"name\":\"appeal.handle\",\"units\":[%lld],\"all_units\":false}",
                     unit_id("CM001")));
    H_ASSERT(json_is_false(json_object_get(me->json, "read_only")));
    me = h_req("GET", "/api/v1/me", h_tok("auditor"), NULL);
    H_ASSERT(json_is_true(json_object_get(me->json, "read_only")));
    H_ASSERT(!strstr(h_dump(json_object_get(me->json, "permissions")), "appeal.handle"));
    struct h_resp *li = h_req("POST", "/api/v1/auth/login", NULL,
                              "{\"login\":\"auditor\",\"password\":\"sanqu-demo\"}");
    H_STATUS(li, 200);
    H_EQ_STR(h_dump(json_object_get(li->json, "permissions")),
             h_dump(json_object_get(me->json, "permissions")));
    H_ASSERT(json_is_true(json_object_get(li->json, "read_only")));
}
/* end issue 10: actions */

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_routes_need_declared_permissions),
        H_TEST(test_demo_accounts_hold_their_roles),
        H_TEST(test_anonymous),
        H_TEST(test_every_role_on_every_route),
        H_TEST(test_kb_history_and_collections),  /* issue 10: kb history, columns/volumes */
        H_TEST(test_metrics_by_address_not_role), /* issue 10: edge */
        H_TEST(test_me_lists_permissions),        /* issue 10: actions */
        H_TEST(test_tasks_by_role),               /* issue 11: tasks; writes tasks only */
        H_TEST(test_user_management),             /* issue 10: user management; last, it writes */
        {0},
    };
    int rc = h_main(argc, argv, tests);
    json_decref(ids);
    return rc;
}
