/*
 * t_audit: the audit log and the auditor. The log is readable by the
 * auditor and the district admins only, filterable and newest first; it is
 * append-only down to the database. The auditor reads everything and writes
 * nothing: every non-public POST/PATCH/PUT/DELETE route in the routing table
 * answers 403 to them (logout excepted), and each of their requests is
 * itself logged. The log holds no personal data in the clear (issue 10): a
 * phone or ID number in a change record is masked when written, down to the
 * database row, and when read, rows from before the masking included.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static long long total(const char *path, const char *token)
{
    struct h_resp *r = h_req("GET", path, token, NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static void test_who_reads_the_log(void)
{
    h_need_demo();
    struct h_resp *r = h_req("GET", "/api/v1/audit", h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") > 0);
    H_STATUS(h_req("GET", "/api/v1/audit", h_tok("admin"), NULL), 200);
    H_STATUS(h_req("GET", "/api/v1/audit", h_tok("supervisor"), NULL), 200);
    static const char *const others[] = {"street_admin",
                                         "community_admin",
                                         "community_handler",
                                         "gridworker",
                                         "dept_handler",
                                         "resident",
                                         NULL};
    for (const char *const *o = others; *o; o++)
        H_ERR(h_req("GET", "/api/v1/audit", h_tok(*o), NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/audit", NULL, NULL), 401, "unauthenticated");
}

static void test_filters_and_order(void)
{
    h_need_demo();
    const char *admin = h_tok("admin");
    /* make two recognisable rows */
    H_STATUS(
        h_req("POST", "/api/v1/units", admin,
              "{\"kind\":\"street\",\"code\":\"T-AU1\",\"name\":\"审计街道\",\"parent_id\":1}"),
        201);
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld/personal", h_uid("resident")), admin, NULL),
             200);
    struct h_resp *r = h_req("GET", "/api/v1/audit?limit=2", admin, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "items.0.action"), "personal_read");
    H_EQ_STR(H_STR(r->json, "items.1.action"), "unit_create");
    H_ASSERT(H_INT(r->json, "items.0.id") > H_INT(r->json, "items.1.id"));
    H_EQ_STR(H_STR(r->json, "items.1.detail.code"), "T-AU1");
    H_EQ_STR(H_STR(r->json, "items.0.actor_login"), "admin");
    H_EQ_STR(H_STR(r->json, "items.0.ip"), "127.0.0.1");
    H_ASSERT(json_is_string(h_get(r->json, "next")));
    /* by action, by actor, by time */
    long long all = total("/api/v1/audit?limit=1", admin);
    long long creates = total("/api/v1/audit?action=unit_create", admin);
    H_ASSERT(creates >= 1 && creates < all);
    long long mine = total(h_fmt("/api/v1/audit?actor=%lld", h_uid("admin")), admin);
    H_ASSERT(mine >= 2 && mine < all);
    H_EQ_INT(total("/api/v1/audit?action=no_such_action", admin), 0);
    H_EQ_INT(total("/api/v1/audit?to=2000-01-01", admin), 0);
    H_EQ_INT(total("/api/v1/audit?from=2000-01-01", admin), total("/api/v1/audit", admin));
    H_EQ_INT(total("/api/v1/audit?from=2999-01-01T00:00:00%2B08:00", admin), 0);
    /* the next page continues where the first ended */
    struct h_resp *p2 =
        h_req("GET", h_fmt("/api/v1/audit?limit=2&cursor=%s", H_STR(r->json, "next")), admin, NULL);
    H_STATUS(p2, 200);
    H_ASSERT(H_INT(p2->json, "items.0.id") < H_INT(r->json, "items.1.id"));
}

static void test_append_only(void)
{
    h_need_demo();
    long long before = total("/api/v1/audit?limit=1", h_tok("admin"));
    /* even with the database in hand, rows cannot change or go */
    static const char *const sql[] = {"DELETE FROM audit_log;",
                                      "UPDATE audit_log SET action = 'x';", NULL};
    for (const char *const *q = sql; *q; q++) {
        struct h_run *r = h_sql(NULL, *q);
        H_ASSERTF(r->status != 0, "the database accepted: %s", *q);
        H_CONTAINS(r->err, "append-only");
    }
    H_EQ_INT(total("/api/v1/audit?limit=1", h_tok("admin")), before);
}

/* A body that would be valid for most write routes is irrelevant: the
 * refusal comes before validation. */
static void test_auditor_writes_nothing(void)
{
    h_need_demo();
    const char *aud = h_tok("auditor");
    const char *admin = h_tok("admin");
    long long units = total("/api/v1/units?limit=1&archived=all", admin);
    long long users = total("/api/v1/users?limit=1", admin);
    json_t *routes = h_routes();
    int checked = 0;
    size_t i;
    json_t *rt;
    json_array_foreach(routes, i, rt)
    {
        const char *m = json_string_value(json_object_get(rt, "method"));
        const char *pat = json_string_value(json_object_get(rt, "pattern"));
        const char *perm = json_string_value(json_object_get(rt, "perm"));
        if (!strcmp(m, "GET") || !strcmp(perm, "public") || !strcmp(pat, "/api/v1/auth/logout"))
            continue;
        static const char *const ids[] = {"1", "2", "16"};
        for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
            const char *path = h_path_fill(pat, ids[k]);
            struct h_resp *r = h_req(m, path, aud, "{\"name\":\"审计员不能改\",\"disabled\":true}");
            if (r->status != 403)
                H_FAIL("auditor %s %s: expected 403, got %d: %s", m, path, r->status, r->body);
            H_ERR(r, 403, "forbidden");
            r = h_req(m, path, aud, NULL);
            H_ERR(r, 403, "forbidden");
            if (!strchr(pat, ':'))
                break;
        }
        checked++;
    }
    H_ASSERTF(checked >= 7, "only %d write routes found", checked);
    H_EQ_INT(total("/api/v1/units?limit=1&archived=all", admin), units);
    H_EQ_INT(total("/api/v1/users?limit=1", admin), users);
    /* not even their own account */
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", h_uid("auditor")), aud,
                "{\"display_name\":\"x\"}"),
          403, "forbidden");
}

static void test_auditor_reads_everything(void)
{
    h_need_demo();
    const char *aud = h_tok("auditor"), *admin = h_tok("admin");
    H_EQ_INT(total("/api/v1/units?limit=1", aud), total("/api/v1/units?limit=1", admin));
    H_EQ_INT(total("/api/v1/users?limit=1", aud), total("/api/v1/users?limit=1", admin));
    long long c2 = h_uid("community2_handler");
    struct h_resp *p = h_req("GET", h_fmt("/api/v1/users/%lld", c2), aud, NULL);
    H_STATUS(p, 200);
    H_EQ_STR(H_STR(p->json, "phone"), "138****0008");
    /* everything masked, that is: unmasked personal data is for the person and
     * the admins who may manage them (issue 10), not for reading everything */
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/personal", c2), aud, NULL), 403, "forbidden");
    H_STATUS(h_req("GET", "/api/v1/units/1/subtree", aud, NULL), 200);
}

static void test_auditor_access_is_logged(void)
{
    h_need_demo();
    const char *aud = h_tok("auditor"), *admin = h_tok("admin");
    const char *q =
        h_fmt("/api/v1/audit?action=auditor_access&actor=%lld&limit=5", h_uid("auditor"));
    long long before = total(q, admin);
    H_STATUS(h_req("GET", "/api/v1/units/1/ancestors", aud, NULL), 200);
    H_ERR(h_req("POST", "/api/v1/units", aud, "{}"), 403, "forbidden");
    struct h_resp *r = h_req("GET", q, admin, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "total"), before + 2);
    /* newest first: the refused write, then the read, with their statuses */
    H_EQ_STR(H_STR(r->json, "items.0.detail.method"), "POST");
    H_EQ_INT(H_INT(r->json, "items.0.detail.status"), 403);
    H_EQ_STR(H_STR(r->json, "items.1.detail.path"), "/api/v1/units/1/ancestors");
    H_EQ_INT(H_INT(r->json, "items.1.detail.status"), 200);
    /* signing out is the one write an auditor makes */
    const struct h_session *s = h_login_fresh("auditor", "sanqu-demo");
    H_STATUS(h_req("POST", "/api/v1/auth/logout", s->token, NULL), 200);
}

static const char *sql1(const char *q)
{
    struct h_run *r = h_sql(NULL, q);
    H_ASSERTF(r->status == 0, "%s: %s", q, r->err);
    return r->out;
}

static void test_personal_data_masked(void)
{
    h_need_demo();
    const char *admin = h_tok("admin");
    long long u = h_uid("student");
    H_STATUS(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", u), admin,
                    "{\"phone\":\"13911112222\",\"id_number\":\"42011119850505123X\"}"),
             200);
    /* the change record, read as the admin and as the auditor */
    static const char *const readers[] = {"admin", "auditor", NULL};
    for (const char *const *who = readers; *who; who++) {
        struct h_resp *r =
            h_req("GET", "/api/v1/audit?action=user_update&limit=1", h_tok(*who), NULL);
        H_STATUS(r, 200);
        H_EQ_INT(H_INT(r->json, "items.0.target_id"), u);
        H_EQ_STR(H_STR(r->json, "items.0.detail.phone"), "139****2222");
        H_EQ_STR(H_STR(r->json, "items.0.detail.id_number"), "4201**********123X");
        H_ASSERT(!strstr(r->body, "13911112222") && !strstr(r->body, "42011119850505123X"));
    }
    /* and in the database itself */
    const char *row = sql1("SELECT detail FROM audit_log WHERE action = 'user_update' ORDER BY id "
                           "DESC LIMIT 1;");
    H_CONTAINS(row, "139****2222");
    H_ASSERTF(!strstr(row, "13911112222") && !strstr(row, "42011119850505123X"),
              "unmasked in audit_log: %s", row);
    /* a row written before the masking (the log is append-only: it stays)
     * is served masked too, so reading the log is no unmasked read */
    sql1("INSERT INTO audit_log(at, actor_id, action, target_type, target_id, detail) VALUES "
         "(1700000000, 1, 'user_update', 'user', 14, "
         "'{\"phone\":\"13933334444\",\"nested\":{\"id_number\":\"420111199001019999\"}}');");
    struct h_resp *r =
        h_req("GET", "/api/v1/audit?action=user_update&limit=500", h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "139****4444");
    H_CONTAINS(r->body, "4201**********9999");
    H_ASSERT(!strstr(r->body, "13933334444") && !strstr(r->body, "420111199001019999"));
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_who_reads_the_log),
        H_TEST(test_filters_and_order),
        H_TEST(test_append_only),
        H_TEST(test_auditor_writes_nothing),
        H_TEST(test_auditor_reads_everything),
        H_TEST(test_auditor_access_is_logged),
        H_TEST(test_personal_data_masked),
        {0},
    };
    return h_main(argc, argv, tests);
}
