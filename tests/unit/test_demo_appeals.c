/*
 * test_demo_appeals.c - the demo's appeals (src/demo/appeals_gen.c) on a
 * temporary database, with the clock fixed so that runs compare.
 *
 * Checks what a newcomer and every later test rely on: the same seed gives
 * the same data, the maintained aggregate appeal_stats equals a recount of
 * sq_appeal_contrib() over every appeal, every timeline is a legal and
 * ordered walk of the state machine ending in the row's status, enterprise
 * satisfaction in 2024 is near the article's 98.1%, and every demo handler
 * has open work in their unit's queue. Small volume, so it stays fast under
 * ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/db_sqlite.h"
#include "demo/appeal_templates.h"
#include "demo/demo.h"

void sq_app_init(void); /* app.c: per-connection hooks */

#define VOLUME 2000

static char dir[64];

struct summary {
    int64_t appeals, events, sum_created, sum_updated, sum_title, stats_rows;
    char statuses[512];
};

static int64_t q_int(const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(sq_db_conn(), sql, -1, &st, NULL) != SQLITE_OK) {
        fail_msg("prepare failed: %s (%s)", sqlite3_errmsg(sq_db_conn()), sql);
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    assert_int_equal(sqlite3_prepare_v2(sq_db_conn(), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Builds a demo into dir/name and leaves the database open. */
static void build(const char *name, unsigned long seed)
{
    char path[128];
    struct sq_detail d = {0};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(sq_db_open(path, &d), SQ_OK);
    struct sq_demo_opts o = {.seed = seed, .appeals = VOLUME};
    int rc = sq_demo_build(&o, &d);
    if (rc)
        fail_msg("demo failed: %s", d.message);
}

static void summarise(struct summary *s)
{
    s->appeals = q_int("SELECT count(*) FROM appeals");
    s->events = q_int("SELECT count(*) FROM appeal_events");
    s->sum_created = q_int("SELECT sum(created_at) FROM appeals");
    s->sum_updated = q_int("SELECT sum(updated_at) + sum(coalesce(resolved_at, 0)) + "
                           "sum(handler_unit_id) FROM appeals");
    s->sum_title = q_int("SELECT sum(length(title) + length(description)) FROM appeals");
    s->stats_rows = q_int("SELECT count(*) FROM appeal_stats");
    q_text("SELECT group_concat(status || ':' || n) FROM (SELECT status, count(*) n FROM appeals "
           "GROUP BY status ORDER BY status)",
           s->statuses, sizeof s->statuses);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sanqu-demo-test-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sq_app_init();
    /* a Friday morning, so today's appeals are few and many are open */
    int64_t now;
    if (sq_clock_parse_iso("2026-11-27T10:00:00+08:00", &now))
        return -1;
    sq_clock_set_fake(now);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    sq_db_shutdown();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The same seed and clock give the same database. */
static void test_deterministic(void **state)
{
    (void)state;
    struct summary a, b;
    build("a.db", 7);
    summarise(&a);
    sq_db_shutdown();
    build("b.db", 7);
    summarise(&b);
    assert_int_equal(a.appeals, VOLUME);
    assert_int_equal(a.appeals, b.appeals);
    assert_int_equal(a.events, b.events);
    assert_int_equal(a.sum_created, b.sum_created);
    assert_int_equal(a.sum_updated, b.sum_updated);
    assert_int_equal(a.sum_title, b.sum_title);
    assert_int_equal(a.stats_rows, b.stats_rows);
    assert_string_equal(a.statuses, b.statuses);
    /* later tests read this database */
}

/* appeal_stats == the sum of sq_appeal_contrib() over every appeal. */
static void test_aggregate_equals_recount(void **state)
{
    (void)state;
    sqlite3 *db = sq_db_conn();
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TEMP TABLE recount AS SELECT * FROM appeal_stats "
                                  "WHERE 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *ids = NULL, *up = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM appeals ORDER BY id", -1, &ids, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "INSERT INTO recount VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
            "?17,?18,?19) ON CONFLICT DO NOTHING",
            -1, &up, NULL),
        SQLITE_OK);
    /* temp tables from CREATE AS have no key: sum in SQL afterwards */
    int n = 0;
    while (sqlite3_step(ids) == SQLITE_ROW) {
        struct sq_appeal a;
        struct sq_appeal_contrib c;
        struct sq_detail d = {0};
        assert_int_equal(appeals_store_get(sqlite3_column_int64(ids, 0), &a, &d), SQ_OK);
        sq_appeal_contrib(&a, &c);
        sq_appeal_cleanup(&a);
        const int64_t v[] = {c.month,
                             c.unit_id,
                             c.category_id,
                             0,
                             c.total,
                             c.responded,
                             c.responded_on_time,
                             c.resolved,
                             c.resolved_on_time,
                             c.rejected,
                             c.overdue,
                             c.reopened,
                             c.rated,
                             c.satisfied,
                             c.basically_satisfied,
                             c.dissatisfied,
                             c.solved,
                             c.response_secs,
                             c.handle_secs};
        for (int i = 0; i < 19; i++)
            if (i == 3)
                sqlite3_bind_text(up, 4, c.kind, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_int64(up, i + 1, v[i]);
        assert_int_equal(sqlite3_step(up), SQLITE_DONE);
        sqlite3_reset(up);
        n++;
    }
    sqlite3_finalize(ids);
    sqlite3_finalize(up);
    assert_int_equal(n, VOLUME);
    static const char *const cmp =
        "SELECT count(*) FROM (SELECT * FROM (SELECT month, unit_id, category_id, kind, "
        "sum(total), sum(responded), sum(responded_on_time), sum(resolved), "
        "sum(resolved_on_time), sum(rejected), sum(overdue), sum(reopened), sum(rated), "
        "sum(satisfied), sum(basically_satisfied), sum(dissatisfied), sum(solved), "
        "sum(response_secs), sum(handle_secs) FROM %s GROUP BY 1, 2, 3, 4) EXCEPT SELECT * "
        "FROM (SELECT month, unit_id, category_id, kind, sum(total), sum(responded), "
        "sum(responded_on_time), sum(resolved), sum(resolved_on_time), sum(rejected), "
        "sum(overdue), sum(reopened), sum(rated), sum(satisfied), sum(basically_satisfied), "
        "sum(dissatisfied), sum(solved), sum(response_secs), sum(handle_secs) FROM %s GROUP BY "
        "1, 2, 3, 4))";
    char sql[2048];
    snprintf(sql, sizeof sql, cmp, "appeal_stats", "recount");
    assert_int_equal(q_int(sql), 0);
    snprintf(sql, sizeof sql, cmp, "recount", "appeal_stats");
    assert_int_equal(q_int(sql), 0);
    /* the rollups (maintained by triggers on appeal_stats) agree */
    int64_t total = q_int("SELECT sum(total) FROM appeal_stats");
    if (q_int("SELECT count(*) FROM sqlite_master WHERE name = 'appeal_stats_unit_month'") > 0) {
        assert_int_equal(q_int("SELECT sum(total) FROM appeal_stats_unit_month"), total);
        assert_int_equal(q_int("SELECT sum(total) FROM appeal_stats_month_category"), total);
    }
    /* and, independently of the C rules, the totals by plain SQL */
    assert_int_equal(q_int("SELECT sum(total) FROM appeal_stats"),
                     q_int("SELECT count(*) FROM appeals WHERE status != 'merged'"));
    assert_int_equal(q_int("SELECT sum(rated) FROM appeal_stats"),
                     q_int("SELECT count(*) FROM appeals WHERE status != 'merged' AND rated_at "
                           "IS NOT NULL"));
}

/* Each timeline: starts with submit, ordered in time, each event starts
 * where the previous ended, ends in the row's status at its updated_at, and
 * nothing happens after "now". */
static void test_timelines(void **state)
{
    (void)state;
    assert_int_equal(q_int("SELECT count(*) FROM appeals a WHERE (SELECT action FROM "
                           "appeal_events WHERE appeal_id = a.id ORDER BY id LIMIT 1) != "
                           "'submit'"),
                     0);
    assert_int_equal(q_int("SELECT count(*) FROM (SELECT created_at, to_status, from_status, "
                           "lag(created_at) OVER w AS pt, lag(to_status) OVER w AS ps, "
                           "row_number() OVER w AS rn FROM appeal_events WINDOW w AS "
                           "(PARTITION BY appeal_id ORDER BY id)) WHERE rn > 1 AND (created_at "
                           "< pt OR from_status IS NOT ps)"),
                     0);
    assert_int_equal(q_int("SELECT count(*) FROM appeals a WHERE status != (SELECT to_status "
                           "FROM appeal_events WHERE appeal_id = a.id ORDER BY id DESC LIMIT 1) "
                           "OR updated_at != (SELECT max(created_at) FROM appeal_events WHERE "
                           "appeal_id = a.id)"),
                     0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM appeal_events WHERE created_at > %lld",
             (long long)sq_clock_now());
    assert_int_equal(q_int(sql), 0);
    /* tracking numbers continue where the demo stopped */
    assert_int_equal(q_int("SELECT count(*) FROM appeals a WHERE CAST(substr(tracking_no, 11) AS "
                           "INTEGER) > (SELECT last FROM tracking_seq WHERE day = "
                           "CAST(substr(a.tracking_no, 3, 8) AS INTEGER))"),
                     0);
    /* a few of every exceptional path, most appeals closed */
    assert_true(q_int("SELECT count(*) FROM appeals WHERE status = 'closed'") > VOLUME * 8 / 10);
    assert_true(q_int("SELECT count(*) FROM appeals WHERE reopen_count > 0") > 0);
    assert_true(q_int("SELECT count(*) FROM appeals WHERE status = 'rejected'") > 0);
    assert_true(q_int("SELECT count(*) FROM appeal_events WHERE action = 'transfer'") > 0);
    int64_t overdue = q_int("SELECT count(*) FROM appeals WHERE overdue = 1");
    assert_true(overdue > VOLUME / 200 && overdue < VOLUME / 15);
}

/* The article: 3,870 enterprise appeals in 2024 at 98.1% satisfaction (the
 * volume scales with the demo's size). */
static void test_enterprise_2024(void **state)
{
    (void)state;
    int64_t n = q_int("SELECT sum(total) FROM appeal_stats WHERE kind = 'enterprise' AND month "
                      "BETWEEN 202401 AND 202412");
    int64_t rated = q_int("SELECT sum(rated) FROM appeal_stats WHERE kind = 'enterprise' AND "
                          "month BETWEEN 202401 AND 202412");
    int64_t ok = q_int("SELECT sum(satisfied + basically_satisfied) FROM appeal_stats WHERE kind "
                       "= 'enterprise' AND month BETWEEN 202401 AND 202412");
    assert_in_range(n, 3870 * VOLUME / 300000 - 1, 3870 * VOLUME / 300000 + 1);
    assert_true(rated > n * 8 / 10);
    assert_true(ok * 1000 >= rated * 950); /* >= 95% at this small volume */
    int64_t all = q_int("SELECT sum(rated) FROM appeal_stats");
    int64_t all_ok = q_int("SELECT sum(satisfied + basically_satisfied) FROM appeal_stats");
    assert_true(all_ok * 100 >= all * 95 && all_ok * 100 <= all * 99);
}

/* Every demo handler finds open work in their unit's queue. */
static void test_queues_alive(void **state)
{
    (void)state;
    static const char *const logins[] = {"community_handler", "community2_handler",
                                         "street_handler",    "dept_handler",
                                         "univ_handler",      "park_handler"};
    for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM appeals WHERE status IN ('submitted','accepted',"
                 "'in_progress','suspended') AND handler_unit_id = (SELECT g.unit_id FROM grants "
                 "g JOIN users u ON u.id = g.user_id WHERE u.login = '%s' AND g.role = "
                 "'handler')",
                 logins[i]);
        int64_t n = q_int(sql);
        if (n < 2)
            fail_msg("%s has %lld open appeals", logins[i], (long long)n);
    }
    /* the demo residents follow their own appeals, one awaits their rating */
    assert_true(q_int("SELECT count(*) FROM appeals a JOIN users u ON u.id = a.creator_id WHERE "
                      "u.login = 'resident' AND a.status = 'resolved'") >= 1);
}

/* Template text expands fully and stays within the API's limits. */
static void test_templates(void **state)
{
    (void)state;
    struct sq_tpl_vars v = {.unit = "珞南社区",
                            .building = "3栋2单元",
                            .spot = "东门",
                            .time = "每晚",
                            .n = 5,
                            .days = 12};
    char out[600];
    int n = 0;
    for (const struct sq_appeal_template *t = sq_appeal_templates; t->code; t++, n++) {
        assert_non_null(sq_appeal_template_find(t->code));
        assert_true(sq_tpl_count(t->titles) >= sq_tpl_count(t->descriptions));
        assert_true(sq_tpl_count(t->replies) >= sq_tpl_count(t->descriptions));
        for (int i = 0; t->titles[i]; i++) {
            sq_appeal_template_expand(t->titles[i], &v, out, sizeof out);
            assert_null(strchr(out, '{'));
            assert_null(strchr(out, '"'));
            assert_true(strlen(out) < 100 * 3);
        }
        for (int i = 0; t->descriptions[i]; i++) {
            sq_appeal_template_expand(t->descriptions[i], &v, out, sizeof out);
            assert_null(strchr(out, '{'));
        }
    }
    assert_true(n >= 40);
    /* truncation never splits a character */
    char small[8];
    sq_appeal_template_expand("电梯故障", &v, small, sizeof small);
    assert_string_equal(small, "电梯");
    assert_int_equal(q_int("SELECT count(*) FROM appeals WHERE length(title) > 100 OR "
                           "length(description) < 5 OR title LIKE '%{%'"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_aggregate_equals_recount),
        cmocka_unit_test(test_timelines),     cmocka_unit_test(test_enterprise_2024),
        cmocka_unit_test(test_queues_alive),  cmocka_unit_test(test_templates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
