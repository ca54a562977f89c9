/*
 * test_appeal_detail.c - the detail reply of GET /appeals/{id}, written
 * straight into a buffer (appeals_detail_text), is byte for byte what the
 * jansson tree it replaced printed: the reference below is that old builder
 * (appeals_store_json masked by sq_json_mask_personal, then the events, the
 * attachments and the caller's allowed actions, dumped as the server dumps
 * a tree). Compared over every appeal of a small demo, every status (seven in 3000), for
 * the owner, handlers, a collector, the district admin, the auditor and an
 * anonymous caller, plus one appeal given awkward text, coordinates, event
 * data and attachments. Also the real-number writer against jansson.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "accounts/accounts.h"
#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/db_sqlite.h"
#include "demo/demo.h"

void sq_app_init(void); /* app.c: per-connection hooks */

#define VOLUME 3000
#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15)) /* as http.c queue() */

static char dir[64];

static void exec_sql(const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(sq_db_conn(), sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static int64_t q_int(const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(sq_db_conn(), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The old full_json() of src/appeals/api.c, printed as the server printed it. */
static char *reference(const struct sq_user *u, const struct sq_appeal *a)
{
    json_t *o = sq_json_mask_personal(appeals_store_json(a));
    json_object_set_new(o, "events", appeals_store_events_json(a->id));
    json_object_set_new(o, "attachments", appeals_store_attachments_json(a->id));
    uint32_t m = sq_appeal_allowed_mask(u, a);
    json_t *allowed = json_array();
    for (int i = 0; i < SQ_AA__MAX; i++)
        if (m & (1u << i))
            json_array_append_new(allowed, json_string(sq_appeal_action_name(i)));
    json_object_set_new(o, "allowed_actions", allowed);
    char *text = json_dumps(o, FLAGS);
    json_decref(o);
    return text;
}

static const char *const logins[] = {"resident",          "student",        "enterprise",
                                     "community_handler", "street_handler", "dept_handler",
                                     "gridworker",        "admin",          "auditor"};
#define NUSERS (sizeof logins / sizeof logins[0])
static struct sq_user users[NUSERS];

static void load_users(void)
{
    for (size_t i = 0; i < NUSERS; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT id FROM users WHERE login = '%s'", logins[i]);
        int64_t id = q_int(sql);
        assert_true(id > 0);
        memset(&users[i], 0, sizeof users[i]);
        users[i].id = id;
        snprintf(users[i].login, sizeof users[i].login, "%s", logins[i]);
        assert_int_equal(accounts_store_load_grants(id, &users[i]), SQ_OK);
    }
}

/* Compares one appeal for every caller; returns how many allowed someone
 * at least one action (so the sample is known to exercise the list). */
static int compare(int64_t id)
{
    struct sq_appeal a;
    struct sq_detail d = {0};
    int with_actions = 0;
    assert_int_equal(appeals_store_get(id, &a, &d), SQ_OK);
    for (size_t i = 0; i <= NUSERS; i++) {
        const struct sq_user *u = i < NUSERS ? &users[i] : NULL;
        size_t len = 0;
        char *want = reference(u, &a), *got = appeals_detail_text(u, &a, &len);
        assert_non_null(want);
        assert_int_equal(len, strlen(got));
        if (strcmp(want, got))
            fail_msg("appeal %lld caller %s:\n want %s\n got  %s", (long long)id,
                     u ? u->login : "(anonymous)", want, got);
        with_actions += strstr(got, "\"allowed_actions\":[\"") != NULL;
        free(want);
        free(got);
    }
    sq_appeal_cleanup(&a);
    return with_actions;
}

static int setup(void **state)
{
    (void)state;
    char path[128];
    struct sq_detail d = {0};
    snprintf(dir, sizeof dir, "/tmp/sanqu-detail-test-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sq_app_init();
    int64_t now;
    if (sq_clock_parse_iso("2026-11-27T10:00:00+08:00", &now))
        return -1;
    sq_clock_set_fake(now);
    snprintf(path, sizeof path, "%s/demo.db", dir);
    if (sq_db_open(path, &d) != SQ_OK)
        return -1;
    struct sq_demo_opts o = {.seed = 7, .appeals = VOLUME};
    return sq_demo_build(&o, &d) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    sq_db_shutdown();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every demo appeal (all statuses), every caller. */
static void test_demo_appeals_same_bytes(void **state)
{
    (void)state;
    load_users();
    assert_true(q_int("SELECT count(DISTINCT status) FROM appeals") >= 6);
    assert_true(q_int("SELECT count(*) FROM appeals WHERE rated_at IS NOT NULL") > 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(sq_db_conn(), "SELECT id FROM appeals ORDER BY id", -1, &st, NULL),
        SQLITE_OK);
    int64_t ids[VOLUME + 64];
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < (int)(sizeof ids / sizeof ids[0]))
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_true(n >= VOLUME / 2);
    int with_actions = 0;
    for (int i = 0; i < n; i++)
        with_actions += compare(ids[i]);
    assert_true(with_actions > 0);
}

/* Escapes, empty and absent text, coordinates, event data as stored (with
 * reals, nesting and a phone that the tree did not mask), attachments. */
static void test_awkward_appeal_same_bytes(void **state)
{
    (void)state;
    load_users();
    int64_t id = q_int("SELECT min(id) FROM appeals WHERE contact_phone IS NOT NULL");
    assert_true(id > 0);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "UPDATE appeals SET title = 'q\"uo\\te' || char(10) || char(9) || char(1) || "
             "'/</script> 中文 \u2028', description = char(31) || char(127) || 'é', address = "
             "'', contact_name = NULL, reply = 'a' || char(13) || char(8) || char(12), lat = "
             "30.5, lon = 114.123456789012345 WHERE id = %lld",
             (long long)id);
    exec_sql(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO appeal_events (appeal_id, action, actor_id, from_status, to_status, "
             "note, data, created_at) VALUES (%lld, 'note', NULL, '', NULL, 'x\"y', "
             "'{\"b\": 1.25, \"a\": [1, 2.0, \"x\\u0001/\"], \"phone\": \"13800138000\", "
             "\"n\": null, \"z\": 1e300, \"t\": 0.1, \"o\": {\"k\": true}}', 1764200000), "
             "(%lld, 'note', 1, 'accepted', 'accepted', '', '[]', 1764200001), "
             "(%lld, 'note', 1, NULL, NULL, NULL, 'not json', 1764200002), "
             "(%lld, 'note', 1, NULL, NULL, NULL, '7', 1764200003)",
             (long long)id, (long long)id, (long long)id, (long long)id);
    exec_sql(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO attachments (appeal_id, filename, content_type, size, sha256, "
             "storage_path, created_by, created_at) VALUES (%lld, '照片 \"1\".jpg', 'image/jpeg', "
             "12345, 'ab', 'x/1', 1, 1764200000), (%lld, 'b.png', 'image/png', 0, 'cd', 'x/2', "
             "NULL, 0)",
             (long long)id, (long long)id);
    exec_sql(sql);
    compare(id);
    /* no coordinates, a rating with a comment */
    exec_sql("UPDATE appeals SET lat = NULL, lon = NULL WHERE id = (SELECT min(id) FROM appeals "
             "WHERE rated_at IS NOT NULL)");
    compare(q_int("SELECT min(id) FROM appeals WHERE rated_at IS NOT NULL"));
}

static void test_real_as_jansson(void **state)
{
    (void)state;
    const double v[] = {0,     -0.0,     1,       -1,      30.5,    114.123456789012345,
                        0.1,   1e-7,     1.5e-7,  1e300,   -2e-300, 123456789012345678.0,
                        1e15,  1e16,     0.9523,  2.0 / 3, 1e21,    -114.25,
                        1e100, 4.9e-324, 1.7e308, 100,     1e5,     12345.678};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        json_t *r = json_real(v[i]);
        char *want = json_dumps(r, FLAGS | JSON_ENCODE_ANY);
        struct sq_jbuf b;
        sq_jbuf_init(&b, 0);
        sq_jbuf_real(&b, v[i]);
        assert_string_equal(b.p, want);
        sq_jbuf_cleanup(&b);
        free(want);
        json_decref(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_appeals_same_bytes),
        cmocka_unit_test(test_awkward_appeal_same_bytes),
        cmocka_unit_test(test_real_as_jansson),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
