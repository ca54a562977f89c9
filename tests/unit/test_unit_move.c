/*
 * Moving a unit moves everything scoped by its path, in one transaction: on
 * a temporary SQLite database, appeals handled in a community and in its
 * street, an answer owned by the community and a monthly theme placed there;
 * then the community moves to another street (units_store_update). Checks:
 *   - every *_path column of every table (found from the schema, not from a
 *     list) is one the move knows about (units_store_path_copy), and after
 *     the move each row's copy equals its unit's current path;
 *   - the KPIs follow: the old street lost exactly what the new one gained,
 *     the district and the community itself are unchanged, and the new
 *     street's figures agree with a count over the appeals' paths;
 *   - a write that read the appeal before the move cannot put the old path
 *     back (appeals_store_apply takes the path from units at commit);
 *   - a move that would close a cycle fails and changes nothing.
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
#include "kb/kb.h"
#include "stats/stats.h"
#include "units/units.h"

void sq_app_init(void); /* app.c: per-connection hooks */

enum sq_err appeals_intake(json_t *in, const struct sq_user *u, const char *channel,
                           const char *idem_scope, const char *idem_key, int64_t *id,
                           bool *replayed, struct sq_detail *d);

static char dir[64];
static int64_t district, s1, s2, c11, c12, c21;

/* *_path columns that do not hold a unit path */
static const char *const not_unit_paths[] = {"attachments.storage_path", NULL};

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
    snprintf(dir, sizeof dir, "/tmp/sanqu-move-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.db", dir);
    sq_app_init();
    assert_int_equal(sq_db_open(path, &d), SQ_OK);
    district = add_unit(0, "district", "D");
    s1 = add_unit(district, "street", "S1");
    s2 = add_unit(district, "street", "S2");
    c11 = add_unit(s1, "community", "C11");
    c12 = add_unit(s1, "community", "C12");
    c21 = add_unit(s2, "community", "C21");
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

static char *path_of(int64_t unit, char *out)
{
    struct sq_unit u;
    struct sq_detail d = {0};
    assert_int_equal(units_store_get(unit, &u, &d), SQ_OK);
    snprintf(out, 128, "%s", u.path);
    return out;
}

static struct sq_kpi kpi_of(int64_t unit)
{
    struct sq_kpi k;
    struct sq_stats_group_row *g = NULL;
    struct sq_detail d = {0};
    char path[128];
    int n = 0;
    struct sq_stats_query q = {.unit_path = path_of(unit, path), .from = 202512, .to = 202712};
    assert_int_equal(stats_store_query(&q, unit, &k, &g, &n, &d), SQ_OK);
    free(g);
    return k;
}

static int64_t file_appeal(int64_t unit, int64_t category)
{
    struct sq_detail d = {0};
    int64_t id = 0;
    bool replayed;
    json_t *in =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "kind", "resident", "title", "楼道灯不亮",
                  "description", "三号楼楼道灯坏了一周", "category_id", (json_int_t)category,
                  "unit_id", (json_int_t)unit, "contact_phone", "13800001111");
    assert_int_equal(appeals_intake(in, NULL, "api", NULL, NULL, &id, &replayed, &d), SQ_OK);
    json_decref(in);
    return id;
}

/* Applies an action that changes nothing but the time (a note), from the
 * appeal as read in *a. */
static enum sq_err touch(const struct sq_appeal *a)
{
    struct sq_appeal b;
    struct sq_detail d = {0};
    sq_appeal_copy(&b, a);
    b.updated_at = a->updated_at + 1;
    enum sq_err e = appeals_store_apply(a, &b, SQ_AA_NOTE, 0, "note", NULL, &d);
    sq_appeal_cleanup(&b);
    return e;
}

/* Every *_path column of the schema is either a known non-unit path or one
 * the move rewrites; each rewritten row equals its unit's path. */
static void assert_paths_consistent(void)
{
    sqlite3_stmt *st = NULL;
    int checked = 0;
    assert_int_equal(sqlite3_prepare_v2(sq_db_conn(),
                                        "SELECT m.name, c.name FROM sqlite_master m, "
                                        "pragma_table_info(m.name) c WHERE m.type = 'table' AND "
                                        "c.name LIKE '%\\_path' ESCAPE '\\' ORDER BY 1, 2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char full[160], sql[512];
        const char *table = (const char *)sqlite3_column_text(st, 0);
        const char *col = (const char *)sqlite3_column_text(st, 1);
        snprintf(full, sizeof full, "%s.%s", table, col);
        bool skip = false;
        for (int i = 0; not_unit_paths[i]; i++)
            skip |= !strcmp(not_unit_paths[i], full);
        if (skip)
            continue;
        const char *id_col = NULL, *t, *pc, *ic;
        for (int i = 0; (t = units_store_path_copy(i, &pc, &ic)) != NULL; i++)
            if (!strcmp(t, table) && !strcmp(pc, col))
                id_col = ic;
        if (!id_col)
            fail_msg("%s looks like a copy of units.path but the unit move does not rewrite "
                     "it: declare it in its domain's sq_unit_path_copy table (units/paths.h, "
                     "listed in src/app.c) or add it to not_unit_paths here if it is no unit "
                     "path",
                     full);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM %s t LEFT JOIN units u ON u.id = t.%s WHERE t.%s IS NOT "
                 "u.path",
                 table, id_col, col);
        if (scalar(sql) != 0)
            fail_msg("%s: %lld row(s) keep a path their unit no longer has", full,
                     (long long)scalar(sql));
        checked++;
    }
    sqlite3_finalize(st);
    assert_true(checked >= 3);
}

static void test_move_rewrites_every_path(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct sq_unit c, np;
    char p[128], q[128], like[160];
    json_t *nothing = json_object();
    sq_clock_set_fake(1767600000); /* 2026-01-05 16:00 +08:00 */
    int64_t cat = scalar("SELECT id FROM categories WHERE code = 'WY01'");
    int64_t top = scalar("SELECT id FROM categories WHERE code = 'WY'");
    assert_true(cat > 0 && top > 0);
    int64_t ids[6];
    for (int i = 0; i < 6; i++)
        ids[i] = file_appeal(i < 4 ? c11 : c12, cat);
    /* one of C11's appeals is handled by the street itself: it stays */
    struct sq_appeal a, b;
    assert_int_equal(appeals_store_get(ids[3], &a, &d), SQ_OK);
    assert_int_equal(a.handler_unit_id, c11);
    sq_appeal_copy(&b, &a);
    b.handler_unit_id = s1;
    snprintf(b.handler_unit_path, sizeof b.handler_unit_path, "%s", path_of(s1, p));
    b.updated_at = a.updated_at + 1;
    assert_int_equal(appeals_store_apply(&a, &b, SQ_AA_TRANSFER, 0, "up", NULL, &d), SQ_OK);
    sq_appeal_cleanup(&a);
    sq_appeal_cleanup(&b);
    /* an answer owned by C11 and a theme placed there */
    int64_t answer = 0, theme = 0;
    json_t *in = json_pack("{s:I,s:s,s:s,s:s}", "category_id", (json_int_t)top, "title", "楼道照明",
                           "problem", "楼道灯长期不亮", "measures", "物业限时维修");
    assert_int_equal(kb_store_create(in, c11, path_of(c11, p), 0, 0, &answer, &d), SQ_OK);
    json_decref(in);
    in = json_pack("{s:I,s:I,s:s,s:s}", "category_id", (json_int_t)top, "place_unit_id",
                   (json_int_t)c11, "from", "2025-12-01", "to", "2026-01-01");
    assert_int_equal(kb_theme_create(in, 0, &theme, &d), SQ_OK);
    json_decref(in);
    assert_paths_consistent();

    struct sq_kpi old_before = kpi_of(s1), new_before = kpi_of(s2), dist_before = kpi_of(district),
                  comm_before = kpi_of(c11);
    assert_int_equal(old_before.total, 6);
    assert_int_equal(new_before.total, 0);
    assert_int_equal(comm_before.total, 3);

    /* a handler reads appeal 0 before the move and writes after it */
    struct sq_appeal stale;
    assert_int_equal(appeals_store_get(ids[0], &stale, &d), SQ_OK);

    assert_int_equal(units_store_get(c11, &c, &d), SQ_OK);
    assert_int_equal(units_store_get(s2, &np, &d), SQ_OK);
    assert_int_equal(units_store_update(&c, nothing, &np, &d), SQ_OK);
    snprintf(q, sizeof q, "%s%lld/", path_of(s2, p), (long long)c11);
    assert_string_equal(path_of(c11, p), q);
    assert_paths_consistent();
    snprintf(like, sizeof like, "SELECT count(*) FROM appeals WHERE handler_unit_path LIKE '%s%%'",
             path_of(s1, p));
    assert_int_equal(scalar(like), 3); /* C12's two and the one the street handles */

    /* the KPIs: what the old street lost, the new one gained */
    struct sq_kpi old_after = kpi_of(s1), new_after = kpi_of(s2), dist_after = kpi_of(district),
                  comm_after = kpi_of(c11);
    assert_int_equal(new_after.total, 3);
    const int64_t *ob = &old_before.total, *oa = &old_after.total, *nb = &new_before.total,
                  *na = &new_after.total;
    for (int i = 0; i < SQ_KPI_NCOUNTERS; i++)
        assert_int_equal(ob[i] - oa[i], na[i] - nb[i]);
    assert_memory_equal(&dist_before, &dist_after, sizeof dist_before);
    assert_memory_equal(&comm_before, &comm_after, sizeof comm_before);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM appeals WHERE status != 'merged' AND "
             "substr(handler_unit_path, 1, length('%s')) = '%s'",
             path_of(s2, p), p);
    assert_int_equal(new_after.total, scalar(sql));

    /* the stale write lands with the unit's current path */
    assert_int_equal(touch(&stale), SQ_OK);
    sq_appeal_cleanup(&stale);
    assert_int_equal(appeals_store_get(ids[0], &a, &d), SQ_OK);
    assert_string_equal(a.handler_unit_path, path_of(c11, p));
    sq_appeal_cleanup(&a);
    assert_paths_consistent();

    /* a move under its own descendant fails and changes nothing */
    struct sq_unit street;
    assert_int_equal(units_store_get(s2, &street, &d), SQ_OK);
    assert_int_equal(units_store_get(c11, &c, &d), SQ_OK);
    int64_t before = scalar("SELECT count(*) FROM units WHERE substr(path, 1, 3) = '/1/'");
    assert_int_equal(units_store_update(&street, nothing, &c, &d), SQ_EINVAL);
    assert_string_equal(path_of(s2, p), street.path);
    assert_int_equal(scalar("SELECT count(*) FROM units WHERE substr(path, 1, 3) = '/1/'"), before);
    assert_paths_consistent();

    /* and back: everything returns */
    assert_int_equal(units_store_get(s1, &np, &d), SQ_OK);
    assert_int_equal(units_store_update(&c, nothing, &np, &d), SQ_OK);
    json_decref(nothing);
    assert_paths_consistent();
    old_after = kpi_of(s1);
    assert_int_equal(old_after.total, 6);
    assert_int_equal(kpi_of(s2).total, 0);
    (void)c21;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move_rewrites_every_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
