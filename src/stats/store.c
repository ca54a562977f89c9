/*
 * stats store: the SQL of the KPIs. Reads only the maintained aggregate
 * appeal_stats and its two trigger-kept rollups (migrations/006_kpi.sql),
 * never the appeals table; units (subtree by materialised path) and
 * categories (names); and the kpi_* settings.
 *
 * A subtree is the path range [prefix, prefix_end) where prefix_end is the
 * prefix with its final '/' replaced by '0' (the next byte): "/1/4/" ..
 * "/1/40" holds "/1/4/" and every "/1/4/..." path and nothing else, and the
 * range uses the units_path index where LIKE would not.
 *
 * SQL text is assembled only from the fixed pieces below (never from
 * input), so each variant is one cached prepared statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "stats/stats.h"

const char *const sq_stats_groups[] = {"none", "unit", "category", "month", "kind", "zone", NULL};

#define SUMS                                                                                       \
    "sum(s.total), sum(s.responded), sum(s.responded_on_time), sum(s.resolved), "                  \
    "sum(s.resolved_on_time), sum(s.rejected), sum(s.overdue), sum(s.reopened), sum(s.rated), "    \
    "sum(s.satisfied), sum(s.basically_satisfied), sum(s.dissatisfied), sum(s.solved), "           \
    "sum(s.response_secs), sum(s.handle_secs)"

static void read_sums(struct sq_stmt *st, int col, struct sq_kpi *k)
{
    int64_t *v[SQ_KPI_NCOUNTERS] = {
        &k->total,
        &k->responded,
        &k->responded_on_time,
        &k->resolved,
        &k->resolved_on_time,
        &k->rejected,
        &k->overdue,
        &k->reopened,
        &k->rated,
        &k->satisfied,
        &k->basically_satisfied,
        &k->dissatisfied,
        &k->solved,
        &k->response_secs,
        &k->handle_secs,
    };
    for (int i = 0; i < SQ_KPI_NCOUNTERS; i++)
        *v[i] = sq_col_int64(st, col + i);
}

/* The exclusive end of a path prefix's range (see the file comment). */
static void path_end(const char *prefix, char *out, size_t cap)
{
    snprintf(out, cap, "%s", prefix);
    size_t n = strlen(out);
    if (n && out[n - 1] == '/')
        out[n - 1] = '0';
}

/* ---- stats/appeals ---- */

static const char *const kind_labels[][2] = {
    {"resident", "居民"}, {"student", "学生"}, {"employee", "职工"}, {"enterprise", "企业"}};
static const char *const zone_labels[][2] = {{"government", "政府部门"},
                                             {"community", "城市社区"},
                                             {"campus", "大学校区"},
                                             {"park", "产业园区"}};

static const char *label_of(const char *const table[][2], size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(table[i][0], key))
            return table[i][1];
    return key;
}

/* Children of a unit become groups first, so units without appeals show. */
static int unit_groups(int64_t unit_id, struct sq_stats_group_row **out)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id, name FROM units WHERE parent_id = ? ORDER BY id");
    struct sq_stats_group_row *g = NULL;
    int n = 0, cap = 0;
    if (!st)
        return -1;
    sq_bind_int64(st, 1, unit_id);
    for (int rc = sq_step(st);; rc = sq_step(st)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            struct sq_stats_group_row *ng = realloc(g, (size_t)cap * sizeof *g);
            if (!ng) {
                free(g);
                sq_db_reset(st);
                return -1;
            }
            g = ng;
        }
        struct sq_stats_group_row *r = &g[n];
        memset(r, 0, sizeof *r);
        if (rc != SQ_ROW) {
            /* last: the chosen unit's own appeals */
            r->id = unit_id;
            snprintf(r->label, sizeof r->label, "(本级)");
        } else {
            r->id = sq_col_int64(st, 0);
            snprintf(r->label, sizeof r->label, "%s", sq_db_col_text(st, 1));
        }
        snprintf(r->key, sizeof r->key, "%lld", (long long)r->id);
        n++;
        if (rc != SQ_ROW)
            break;
    }
    sq_db_reset(st);
    *out = g;
    return n;
}

/* The id right after `prefix` in `path` ("/1/4/" in "/1/4/17/22/" -> 17),
 * or 0 when path is the prefix itself. */
static int64_t child_id(const char *path, size_t prefix_len)
{
    if (strlen(path) <= prefix_len)
        return 0;
    return strtoll(path + prefix_len, NULL, 10);
}

/* Which table answers a query (see migrations/006_kpi.sql):
 *   UM  appeal_stats_unit_month (month, unit): no category/kind involved;
 *   MC  appeal_stats_month_category (month, category, kind): the whole
 *       district, grouped by or filtered on category/kind/month;
 *   ALL appeal_stats, driven from the subtree's units through the covering
 *       index appeal_stats_cover (unit_id, month, ...). */
enum source { SRC_UM, SRC_MC, SRC_ALL };

static bool is_root_path(const char *path)
{
    const char *second = path[0] == '/' ? strchr(path + 1, '/') : NULL;
    return second && second[1] == '\0';
}

static enum source pick_source(const struct sq_stats_query *q)
{
    bool cat_or_kind =
        q->category_id || q->kind || q->group == SQ_SG_CATEGORY || q->group == SQ_SG_KIND;
    if (!cat_or_kind)
        return SRC_UM;
    if (is_root_path(q->unit_path) && q->group != SQ_SG_UNIT && q->group != SQ_SG_ZONE)
        return SRC_MC;
    return SRC_ALL;
}

/* Builds the SQL of a query into sql (bounded by cap). */
static void build_sql(const struct sq_stats_query *q, char *sql, size_t cap)
{
    static const char *const select_of[SQ_SG__MAX] = {
        [SQ_SG_NONE] = "SELECT 0, '', 0, '', ",
        [SQ_SG_UNIT] = "SELECT s.unit_id, u.path, 0, '', ",
        [SQ_SG_CATEGORY] = "SELECT s.category_id, c.name, coalesce(c.parent_id, 0), "
                           "coalesce(p.name, ''), ",
        [SQ_SG_MONTH] = "SELECT s.month, '', 0, '', ",
        [SQ_SG_KIND] = "SELECT 0, s.kind, 0, '', ",
        [SQ_SG_ZONE] = "SELECT 0, u.zone, 0, '', ",
    };
    static const char *const group_of[SQ_SG__MAX] = {
        [SQ_SG_NONE] = "",
        [SQ_SG_UNIT] = " GROUP BY s.unit_id",
        [SQ_SG_CATEGORY] = " GROUP BY s.category_id",
        [SQ_SG_MONTH] = " GROUP BY s.month",
        [SQ_SG_KIND] = " GROUP BY s.kind",
        [SQ_SG_ZONE] = " GROUP BY u.zone",
    };
    enum source src = pick_source(q);
    const char *from = src == SRC_UM   ? " FROM appeal_stats_unit_month s"
                       : src == SRC_MC ? " FROM appeal_stats_month_category s"
                                       : " FROM appeal_stats s";
    /* units are joined when the group needs them, and for the subtree
     * filter everywhere but the district-wide rollup */
    bool join_units = src != SRC_MC;
    const char *subtree = src == SRC_MC ? ""
                          : src == SRC_ALL
                              ? " AND s.unit_id IN (SELECT id FROM units WHERE path >= ?3 AND "
                                "path < ?4)"
                              : " AND u.path >= ?3 AND u.path < ?4";
    snprintf(sql, cap, "%s" SUMS "%s%s%s WHERE s.month BETWEEN ?1 AND ?2%s%s%s%s",
             select_of[q->group], from, join_units ? " JOIN units u ON u.id = s.unit_id" : "",
             q->group == SQ_SG_CATEGORY
                 ? " JOIN categories c ON c.id = s.category_id LEFT JOIN categories p ON "
                   "p.id = c.parent_id"
                 : "",
             subtree,
             q->category_id ? " AND s.category_id IN (SELECT id FROM categories WHERE id = ?5 "
                              "UNION ALL SELECT id FROM categories WHERE parent_id = ?5)"
                            : "",
             q->kind ? " AND s.kind = ?6" : "", group_of[q->group]);
}

enum sq_err stats_store_query(const struct sq_stats_query *q, int64_t unit_id,
                              struct sq_kpi *totals, struct sq_stats_group_row **groups,
                              int *ngroups, struct sq_detail *d)
{
    char sql[1400], end[130];
    struct sq_stats_group_row *g = NULL;
    int n = 0, cap = 0;
    enum sq_err e = SQ_OK;
    memset(totals, 0, sizeof *totals);
    *groups = NULL;
    *ngroups = 0;
    if (q->group < 0 || q->group >= SQ_SG__MAX)
        return sq_fail(d, SQ_EINVAL, "group_by", "unknown group_by");
    build_sql(q, sql, sizeof sql);
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    path_end(q->unit_path, end, sizeof end);
    sq_bind_int(st, 1, q->from);
    sq_bind_int(st, 2, q->to);
    if (pick_source(q) != SRC_MC) {
        sq_bind_text(st, 3, q->unit_path);
        sq_bind_text(st, 4, end);
    }
    if (q->category_id)
        sq_bind_int64(st, 5, q->category_id);
    if (q->kind)
        sq_bind_text(st, 6, q->kind);
    if (q->group == SQ_SG_UNIT && (n = cap = unit_groups(unit_id, &g)) < 0) {
        sq_db_reset(st);
        return sq_fail(d, SQ_EDB, NULL, "database error");
    }
    size_t plen = strlen(q->unit_path);
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        struct sq_kpi k;
        read_sums(st, 4, &k);
        if (sq_col_is_null(st, 4))
            continue; /* an aggregate over no rows */
        sq_kpi_add(totals, &k);
        if (q->group == SQ_SG_NONE)
            continue;
        if (q->group == SQ_SG_UNIT) {
            int64_t cid = child_id(sq_db_col_text(st, 1), plen);
            for (int i = 0; i < n; i++)
                if (g[i].id == (cid ? cid : unit_id)) {
                    sq_kpi_add(&g[i].k, &k);
                    break;
                }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            struct sq_stats_group_row *ng = realloc(g, (size_t)cap * sizeof *g);
            if (!ng) {
                e = sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
                break;
            }
            g = ng;
        }
        struct sq_stats_group_row *r = &g[n++];
        memset(r, 0, sizeof *r);
        r->k = k;
        const char *text = sq_db_col_text(st, 1);
        switch (q->group) {
        case SQ_SG_CATEGORY:
            r->id = sq_col_int64(st, 0);
            r->parent_id = sq_col_int64(st, 2);
            snprintf(r->key, sizeof r->key, "%lld", (long long)r->id);
            snprintf(r->label, sizeof r->label, "%s", text);
            snprintf(r->parent_label, sizeof r->parent_label, "%s", sq_db_col_text(st, 3));
            break;
        case SQ_SG_MONTH:
            sq_month_format(sq_col_int(st, 0), r->key);
            snprintf(r->label, sizeof r->label, "%s", r->key);
            break;
        case SQ_SG_KIND:
            snprintf(r->key, sizeof r->key, "%s", text);
            snprintf(r->label, sizeof r->label, "%s",
                     label_of(kind_labels, sizeof kind_labels / sizeof kind_labels[0], text));
            break;
        default: /* zone */
            snprintf(r->key, sizeof r->key, "%s", text);
            snprintf(r->label, sizeof r->label, "%s",
                     label_of(zone_labels, sizeof zone_labels / sizeof zone_labels[0], text));
            break;
        }
    }
    if (!e && rc != SQ_DONE)
        e = sq_db_last_error(d);
    sq_db_reset(st);
    if (e) {
        free(g);
        memset(totals, 0, sizeof *totals);
        return e;
    }
    if (q->group == SQ_SG_UNIT && n > 0 && g[n - 1].k.total == 0) {
        n--; /* no "(本级)" group when the unit handled nothing itself */
    }
    *groups = g;
    *ngroups = n;
    return SQ_OK;
}

/* ---- rankings ---- */

static int row_by_id(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key, other = ((const struct sq_rank_row *)elem)->unit_id;
    return id < other ? -1 : id > other;
}

enum sq_err stats_store_level(const char *scope_path, const char *unit_kind, int month,
                              struct sq_rank_row **rows, int *nrows, struct sq_detail *d)
{
    char end[130];
    struct sq_rank_row *r = NULL;
    int n = 0, cap = 0, rc;
    enum sq_err e = SQ_OK;
    path_end(scope_path, end, sizeof end);
    *rows = NULL;
    *nrows = 0;
    struct sq_stmt *st = sq_db_stmt("SELECT id, name, archived FROM units WHERE kind = ?1 AND "
                                    "path >= ?2 AND path < ?3 ORDER BY id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, unit_kind);
    sq_bind_text(st, 2, scope_path);
    sq_bind_text(st, 3, end);
    while ((rc = sq_step(st)) == SQ_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct sq_rank_row *nr = realloc(r, (size_t)cap * sizeof *r);
            if (!nr) {
                e = sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
                break;
            }
            r = nr;
        }
        memset(&r[n], 0, sizeof r[n]);
        r[n].unit_id = sq_col_int64(st, 0);
        snprintf(r[n].name, sizeof r[n].name, "%s", sq_db_col_text(st, 1));
        r[n].ranked = !sq_col_int(st, 2); /* reused below as "active" */
        n++;
    }
    if (!e && rc != SQ_DONE)
        e = sq_db_last_error(d);
    sq_db_reset(st);
    if (e)
        goto fail;
    st = sq_db_stmt("SELECT u.path, " SUMS " FROM appeal_stats_unit_month s JOIN units u ON u.id = "
                    "s.unit_id WHERE s.month = ?1 AND u.path >= ?2 AND u.path < ?3 "
                    "GROUP BY s.unit_id");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int(st, 1, month);
    sq_bind_text(st, 2, scope_path);
    sq_bind_text(st, 3, end);
    while ((rc = sq_step(st)) == SQ_ROW) {
        struct sq_kpi k;
        read_sums(st, 1, &k);
        /* the path names every ancestor; at most one is of the level's kind */
        for (const char *p = sq_db_col_text(st, 0); *p;) {
            while (*p == '/')
                p++;
            if (!*p)
                break;
            int64_t id = strtoll(p, NULL, 10);
            struct sq_rank_row *hit = bsearch(&id, r, (size_t)n, sizeof *r, row_by_id);
            if (hit) {
                sq_kpi_add(&hit->k, &k);
                break;
            }
            while (*p && *p != '/')
                p++;
        }
    }
    if (rc != SQ_DONE)
        e = sq_db_last_error(d);
    sq_db_reset(st);
    if (e)
        goto fail;
    /* archived units stay only when they handled something that month */
    int kept = 0;
    for (int i = 0; i < n; i++) {
        bool active = r[i].ranked;
        r[i].ranked = false;
        if (active || r[i].k.total)
            r[kept++] = r[i];
    }
    *rows = r;
    *nrows = kept;
    return SQ_OK;
fail:
    free(r);
    return e;
}

/* ---- settings ---- */

static const char *const setting_keys[] = {"kpi_weight_response",     "kpi_weight_resolution",
                                           "kpi_weight_satisfaction", "kpi_weight_on_time",
                                           "kpi_overdue_penalty",     "kpi_min_volume"};

static double *setting_slot(struct sq_kpi_settings *s, int i, double *tmp)
{
    double *slots[] = {&s->w_response, &s->w_resolution,    &s->w_satisfaction,
                       &s->w_on_time,  &s->overdue_penalty, tmp};
    return slots[i];
}

enum sq_err stats_store_settings_get(struct sq_kpi_settings *s, struct sq_detail *d)
{
    sq_kpi_settings_default(s);
    struct sq_stmt *st = sq_db_stmt("SELECT key, value FROM settings WHERE key >= 'kpi_' AND "
                                    "key < 'kpi`'");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    double minv = s->min_volume;
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        const char *key = sq_db_col_text(st, 0);
        for (int i = 0; i < 6; i++)
            if (!strcmp(key, setting_keys[i]))
                *setting_slot(s, i, &minv) = strtod(sq_db_col_text(st, 1), NULL);
    }
    sq_db_reset(st);
    s->min_volume = (int)minv;
    if (rc != SQ_DONE)
        return sq_db_last_error(d);
    return SQ_OK;
}

enum sq_err stats_store_settings_put(const struct sq_kpi_settings *s, struct sq_detail *d)
{
    struct sq_kpi_settings c = *s;
    double minv = s->min_volume;
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    for (int i = 0; i < 6; i++) {
        struct sq_stmt *st = sq_db_stmt("INSERT INTO settings(key, value) VALUES (?, ?) "
                                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        char v[64];
        if (!st) {
            sq_db_rollback();
            return sq_fail(d, SQ_EDB, NULL, "database error");
        }
        snprintf(v, sizeof v, i == 5 ? "%.0f" : "%.10g", *setting_slot(&c, i, &minv));
        sq_bind_text_ref(st, 1, setting_keys[i]);
        sq_bind_text(st, 2, v);
        if ((e = sq_db_exec_stmt(st, d))) {
            sq_db_rollback();
            return e;
        }
    }
    return sq_db_commit(d);
}
