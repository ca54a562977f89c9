/*
 * The KPI aggregate stays exact: on a temporary SQLite database, file a few
 * hundred appeals over several months and units, drive them through random
 * legal actions with a fake clock (accept, transfer, resolve, reject, rate,
 * reopen, overdue, merge, close) through appeals_store_apply — the one path
 * every change takes — then compare appeal_stats and its two rollups
 * (006_kpi) with a recount over the appeals table written here in plain SQL,
 * independent of sq_appeal_contrib().
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
#include "demo/demo.h"
#include "stats/stats.h"
#include "units/units.h"

void sq_app_init(void); /* app.c: per-connection hooks */

enum sq_err appeals_intake(json_t *in, const struct sq_user *u, const char *channel,
                           const char *idem_scope, const char *idem_key, int64_t *id,
                           bool *replayed, struct sq_detail *d);

static char dir[64];
static int64_t units[8];
static int nunits;

static int64_t add_unit(int64_t parent, const char *kind, const char *code)
{
    struct sq_unit p;
    struct sq_detail d = {0};
    int64_t id = 0;
    if (parent)
        assert_int_equal(units_store_get(parent, &p, &d), SQ_OK);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "code", code, "name", code, "zone",
                           sq_unit_default_zone(sq_unit_kind_parse(kind)));
    assert_int_equal(units_store_create(parent ? &p : NULL, in, &id, &d), SQ_OK);
    json_decref(in);
    return id;
}

static int setup(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/sanqu-kpi-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/k.db", dir);
    sq_app_init();
    assert_int_equal(sq_db_open(path, &d), SQ_OK);
    int64_t district = add_unit(0, "district", "D");
    int64_t s1 = add_unit(district, "street", "S1"), s2 = add_unit(district, "street", "S2");
    units[nunits++] = district;
    units[nunits++] = s1;
    units[nunits++] = s2;
    units[nunits++] = add_unit(s1, "community", "C11");
    units[nunits++] = add_unit(s1, "community", "C12");
    units[nunits++] = add_unit(s2, "community", "C21");
    units[nunits++] = add_unit(district, "department", "DP");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    appeals_calendar_free();
    sq_db_shutdown();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Applies one random legal action to appeal id; returns whether it did. */
static bool random_action(struct sq_rng *rng, int64_t id, int64_t *ids, int n)
{
    struct sq_appeal a, b;
    struct sq_detail d = {0};
    static const int actions[] = {SQ_AA_ACCEPT, SQ_AA_TRANSFER, SQ_AA_RESOLVE, SQ_AA_REJECT,
                                  SQ_AA_RATE,   SQ_AA_REOPEN,   SQ_AA_OVERDUE, SQ_AA_MERGE,
                                  SQ_AA_CLOSE,  SQ_AA_NOTE};
    int action = actions[sq_rng_below(rng, sizeof actions / sizeof actions[0])];
    assert_int_equal(appeals_store_get(id, &a, &d), SQ_OK);
    int next = sq_appeal_next_status(action, a.status);
    if (action == SQ_AA_OVERDUE)
        next = a.status;
    if (next < 0 || (action == SQ_AA_OVERDUE && (a.overdue || a.status == SQ_AS_MERGED))) {
        sq_appeal_cleanup(&a);
        return false;
    }
    sq_clock_advance(600 + sq_rng_below(rng, 3 * 86400));
    int64_t now = sq_clock_now();
    sq_appeal_copy(&b, &a);
    b.status = next;
    b.updated_at = now > a.updated_at ? now : a.updated_at + 1;
    switch (action) {
    case SQ_AA_ACCEPT:
        b.accepted_at = now;
        break;
    case SQ_AA_TRANSFER: {
        struct sq_unit u;
        int64_t to = units[sq_rng_below(rng, (uint32_t)nunits)];
        assert_int_equal(units_store_get(to, &u, &d), SQ_OK);
        b.handler_unit_id = to;
        snprintf(b.handler_unit_path, sizeof b.handler_unit_path, "%s", u.path);
        break;
    }
    case SQ_AA_RESOLVE:
        b.resolved_at = now;
        if (!b.accepted_at)
            b.accepted_at = now;
        break;
    case SQ_AA_REJECT:
        b.closed_at = now;
        break;
    case SQ_AA_RATE: {
        static const char *const sat[] = {"satisfied", "basically_satisfied", "dissatisfied"};
        static const char *const sol[] = {"solved", "partly_solved", "not_solved"};
        snprintf(b.satisfaction, sizeof b.satisfaction, "%s", sat[sq_rng_below(rng, 3)]);
        snprintf(b.rating_solved, sizeof b.rating_solved, "%s", sol[sq_rng_below(rng, 3)]);
        b.rating_speed = b.rating_result = b.rating_attitude = 4;
        b.rated_at = now;
        break;
    }
    case SQ_AA_REOPEN:
        b.reopen_count++;
        b.resolved_at = 0;
        b.closed_at = 0;
        b.overdue = 0;
        b.due_at = now + 5 * 86400;
        break;
    case SQ_AA_OVERDUE:
        b.overdue = 1;
        break;
    case SQ_AA_MERGE: {
        int64_t m = ids[sq_rng_below(rng, (uint32_t)n)];
        if (m == id) {
            sq_appeal_cleanup(&a);
            sq_appeal_cleanup(&b);
            return false;
        }
        b.master_id = m;
        break;
    }
    case SQ_AA_CLOSE:
        b.closed_at = now;
        break;
    default:
        break;
    }
    assert_int_equal(appeals_store_apply(&a, &b, action, 0, "test", NULL, &d), SQ_OK);
    sq_appeal_cleanup(&a);
    sq_appeal_cleanup(&b);
    return true;
}

/* The recount: the same counters as sq_appeal_contrib(), from the appeals
 * table, in SQL written independently of it. */
#define RECOUNT                                                                                    \
    "WITH x AS (SELECT CAST(strftime('%Y%m', created_at + 28800, 'unixepoch') AS INTEGER) AS "     \
    "month, handler_unit_id AS unit_id, category_id, kind, status != 'merged' AS live, "           \
    "accepted_at IS NOT NULL AS acc, status IN ('resolved','evaluated','closed') AND "             \
    "resolved_at IS NOT NULL AS res, rated_at IS NOT NULL AS rat, * FROM appeals), "               \
    "r AS (SELECT month, unit_id, category_id, kind, sum(live) AS total, sum(live AND acc) AS "    \
    "responded, sum(live AND acc AND (response_due_at IS NULL OR accepted_at <= "                  \
    "response_due_at)) AS responded_on_time, sum(live AND res) AS resolved, sum(live AND res "     \
    "AND (due_at IS NULL OR resolved_at <= due_at)) AS resolved_on_time, sum(live AND status = "   \
    "'rejected') AS rejected, sum(live AND overdue != 0) AS overdue, sum(live AND reopen_count "   \
    "> 0) AS reopened, sum(live AND rat) AS rated, sum(live AND rat AND satisfaction = "           \
    "'satisfied') AS satisfied, sum(live AND rat AND satisfaction = 'basically_satisfied') AS "    \
    "basically_satisfied, sum(live AND rat AND satisfaction = 'dissatisfied') AS dissatisfied, "   \
    "sum(live AND rat AND rating_solved = 'solved') AS solved, sum(CASE WHEN live AND acc THEN "   \
    "accepted_at - created_at ELSE 0 END) AS response_secs, sum(CASE WHEN live AND res THEN "      \
    "resolved_at - created_at ELSE 0 END) AS handle_secs FROM x GROUP BY 1, 2, 3, 4) "

#define COLS                                                                                       \
    "total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, "         \
    "reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, "       \
    "handle_secs"
#define NONZERO                                                                                    \
    " WHERE total + responded + resolved + rejected + rated + response_secs + handle_secs + "      \
    "overdue + reopened != 0"

static int64_t scalar(const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(sq_db_conn(), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("prepare: %s: %s", sqlite3_errmsg(sq_db_conn()), sql);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void assert_exact(void)
{
    /* no negative counter anywhere */
    assert_int_equal(scalar("SELECT count(*) FROM appeal_stats WHERE total < 0 OR responded < 0 "
                            "OR resolved < 0 OR rated < 0 OR overdue < 0 OR handle_secs < 0"),
                     0);
    /* appeal_stats (non-zero rows) == recount, both ways */
    assert_int_equal(scalar(RECOUNT "SELECT count(*) FROM (SELECT month, unit_id, category_id, "
                                    "kind, " COLS " FROM appeal_stats" NONZERO
                                    " EXCEPT SELECT month, unit_id, category_id, kind, " COLS
                                    " FROM r" NONZERO ")"),
                     0);
    assert_int_equal(scalar(RECOUNT "SELECT count(*) FROM (SELECT month, unit_id, category_id, "
                                    "kind, " COLS " FROM r" NONZERO
                                    " EXCEPT SELECT month, unit_id, category_id, kind, " COLS
                                    " FROM appeal_stats" NONZERO ")"),
                     0);
    /* the rollups == the recount grouped their way */
    const char *um = RECOUNT ", g AS (SELECT month, unit_id, sum(total) total, sum(responded) "
                             "responded, sum(responded_on_time) responded_on_time, sum(resolved) "
                             "resolved, sum(resolved_on_time) resolved_on_time, sum(rejected) "
                             "rejected, sum(overdue) overdue, sum(reopened) reopened, sum(rated) "
                             "rated, sum(satisfied) satisfied, sum(basically_satisfied) "
                             "basically_satisfied, sum(dissatisfied) dissatisfied, sum(solved) "
                             "solved, sum(response_secs) response_secs, sum(handle_secs) "
                             "handle_secs FROM r GROUP BY 1, 2) ";
    char sql[8192];
    snprintf(sql, sizeof sql,
             "%sSELECT count(*) FROM (SELECT month, unit_id, " COLS " FROM g" NONZERO
             " EXCEPT SELECT month, unit_id, " COLS " FROM appeal_stats_unit_month" NONZERO
             " UNION ALL SELECT * FROM (SELECT month, unit_id, " COLS
             " FROM appeal_stats_unit_month" NONZERO " EXCEPT SELECT month, unit_id, " COLS
             " FROM g" NONZERO "))",
             um);
    assert_int_equal(scalar(sql), 0);
    const char *mc = RECOUNT ", g AS (SELECT month, category_id, kind, sum(total) total, "
                             "sum(responded) responded, sum(responded_on_time) responded_on_time, "
                             "sum(resolved) resolved, sum(resolved_on_time) resolved_on_time, "
                             "sum(rejected) rejected, sum(overdue) overdue, sum(reopened) "
                             "reopened, sum(rated) rated, sum(satisfied) satisfied, "
                             "sum(basically_satisfied) basically_satisfied, sum(dissatisfied) "
                             "dissatisfied, sum(solved) solved, sum(response_secs) response_secs, "
                             "sum(handle_secs) handle_secs FROM r GROUP BY 1, 2, 3) ";
    snprintf(sql, sizeof sql,
             "%sSELECT count(*) FROM (SELECT month, category_id, kind, " COLS " FROM g" NONZERO
             " EXCEPT SELECT month, category_id, kind, " COLS
             " FROM appeal_stats_month_category" NONZERO
             " UNION ALL SELECT * FROM (SELECT month, category_id, kind, " COLS
             " FROM appeal_stats_month_category" NONZERO
             " EXCEPT SELECT month, category_id, kind, " COLS " FROM g" NONZERO "))",
             mc);
    assert_int_equal(scalar(sql), 0);
}

static void test_aggregate_equals_recount(void **state)
{
    (void)state;
    struct sq_rng rng;
    struct sq_detail d = {0};
    enum { N = 240 };
    int64_t ids[N];
    static const char *const kinds[] = {"resident", "student", "employee", "enterprise"};
    static const int64_t cats[] = {2, 3, 6, 9, 13, 20};
    sq_rng_seed(&rng, 311);
    sq_clock_set_fake(1767196800); /* 2026-01-01 00:00 +08:00 */
    for (int i = 0; i < N; i++) {
        bool replayed;
        /* spread creation over about four months */
        sq_clock_advance(sq_rng_below(&rng, 12 * 3600));
        json_t *in =
            json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "kind", kinds[sq_rng_below(&rng, 4)], "title",
                      "测试诉求", "description", "一个用于重算核对的诉求", "category_id",
                      (json_int_t)cats[sq_rng_below(&rng, 6)], "unit_id",
                      (json_int_t)units[3 + sq_rng_below(&rng, 4)], "contact_phone", "13800001111");
        assert_int_equal(appeals_intake(in, NULL, "api", NULL, NULL, &ids[i], &replayed, &d),
                         SQ_OK);
        json_decref(in);
    }
    int applied = 0;
    for (int step = 0; step < 3000; step++)
        applied += random_action(&rng, ids[sq_rng_below(&rng, N)], ids, N);
    assert_true(applied > 500);
    assert_true(scalar("SELECT count(DISTINCT strftime('%Y%m', created_at + 28800, 'unixepoch')) "
                       "FROM appeals") >= 3);
    assert_true(scalar("SELECT count(DISTINCT status) FROM appeals") >= 6);
    assert_exact();

    /* and the stats query over the whole district sees every live appeal */
    struct sq_unit root;
    struct sq_kpi totals;
    struct sq_stats_group_row *g = NULL;
    int n = 0;
    assert_int_equal(units_store_get(units[0], &root, &d), SQ_OK);
    for (int group = 0; group < SQ_SG__MAX; group++) {
        struct sq_stats_query q = {
            .unit_path = root.path, .from = 202512, .to = 202712, .group = group};
        assert_int_equal(stats_store_query(&q, root.id, &totals, &g, &n, &d), SQ_OK);
        assert_int_equal(totals.total, scalar("SELECT count(*) FROM appeals WHERE status != "
                                              "'merged'"));
        struct sq_kpi sum = {0};
        for (int i = 0; i < n; i++)
            sq_kpi_add(&sum, &g[i].k);
        if (group != SQ_SG_NONE)
            assert_memory_equal(&sum, &totals, sizeof sum);
        free(g);
        /* and with a kind filter, via the other tables */
        q.kind = "student";
        assert_int_equal(stats_store_query(&q, root.id, &totals, &g, &n, &d), SQ_OK);
        assert_int_equal(totals.total, scalar("SELECT count(*) FROM appeals WHERE status != "
                                              "'merged' AND kind = 'student'"));
        free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregate_equals_recount),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
