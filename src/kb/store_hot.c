/*
 * kb store, hot problems (高频问题) and the monthly theme (每月一题).
 *
 * A cluster is (top-level category) x (place) x (window): the place of an
 * appeal is the street-level ancestor of its location unit (a community's
 * street, an enterprise's park; streets, departments, universities and
 * parks are their own place). One grouped query counts appeals per
 * (category, location unit) in the window and in the previous window of the
 * same length (index appeals_created); C folds units into places, ranks by
 * kb_hot_score() (count, boosted by growth), and fetches representative
 * appeals for the clusters returned only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/db.h"
#include "kb/kb.h"

struct unit_ent {
    int64_t id, place;
};

struct row {
    int64_t cat, place, unit, cur, prev;
};

struct cluster {
    int64_t cat, place, cur, prev, units;
    double score;
    size_t first, n; /* rows */
};

static int cmp_unit(const void *a, const void *b)
{
    const struct unit_ent *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->cat != y->cat)
        return (x->cat > y->cat) - (x->cat < y->cat);
    if (x->place != y->place)
        return (x->place > y->place) - (x->place < y->place);
    return (y->cur > x->cur) - (y->cur < x->cur); /* busiest unit first */
}

static int cmp_cluster(const void *a, const void *b)
{
    const struct cluster *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->cur != y->cur)
        return (y->cur > x->cur) - (y->cur < x->cur);
    return (x->cat > y->cat) - (x->cat < y->cat);
}

/* The place id of a path: its second element, or the first for the root. */
static int64_t place_of(const char *path)
{
    const char *p = path;
    int64_t first = 0, second = 0;
    if (*p == '/')
        p++;
    first = strtoll(p, NULL, 10);
    p = strchr(p, '/');
    if (p && p[1])
        second = strtoll(p + 1, NULL, 10);
    return second ? second : first;
}

static int load_units(struct unit_ent **out)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id, path FROM units ORDER BY id");
    int n = 0, cap = 1024;
    struct unit_ent *v = malloc(sizeof *v * (size_t)cap);
    if (!v)
        sq_fatal("out of memory");
    while (st && sq_step(st) == SQ_ROW) {
        if (n == cap) {
            cap *= 2;
            if (!(v = realloc(v, sizeof *v * (size_t)cap)))
                sq_fatal("out of memory");
        }
        v[n].id = sq_col_int64(st, 0);
        v[n].place = place_of(sq_db_col_text(st, 1));
        n++;
    }
    if (st)
        sq_db_reset(st);
    *out = v;
    return n;
}

static const char *name_of(const char *sql, int64_t id, char *buf, size_t cap)
{
    struct sq_stmt *st = sq_db_stmt(sql);
    buf[0] = 0;
    if (!st)
        return buf;
    sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW)
        snprintf(buf, cap, "%s", sq_db_col_text(st, 0));
    sq_db_reset(st);
    return buf;
}

static json_t *representatives(int64_t cat, int64_t place, int64_t from, int64_t to)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt(
        "SELECT a.id, a.tracking_no, a.title, a.status, a.created_at FROM appeals a WHERE "
        "a.category_id IN (SELECT id FROM categories WHERE id = ?1 OR parent_id = ?1) AND "
        "a.created_at >= ?2 AND a.created_at < ?3 AND a.unit_id IN (SELECT id FROM units WHERE "
        "path LIKE '%/' || CAST(?4 AS TEXT) || '/%') ORDER BY a.created_at DESC LIMIT 3");
    if (!st)
        return a;
    sq_bind_int64(st, 1, cat);
    sq_bind_int64(st, 2, from);
    sq_bind_int64(st, 3, to);
    sq_bind_int64(st, 4, place);
    while (sq_step(st) == SQ_ROW) {
        char t[32];
        sq_clock_iso(sq_col_int64(st, 4), t);
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id",
                                           (json_int_t)sq_col_int64(st, 0), "tracking_no",
                                           sq_db_col_text(st, 1), "title", sq_db_col_text(st, 2),
                                           "status", sq_db_col_text(st, 3), "created_at", t));
    }
    sq_db_reset(st);
    return a;
}

enum sq_err kb_hot_run(const struct kb_hot_query *q, json_t **items, struct sq_detail *d)
{
    struct unit_ent *units = NULL;
    struct row *rows = NULL;
    struct cluster *cl = NULL;
    size_t nrows = 0, cap = 1024, ncl = 0;
    enum sq_err e = SQ_OK;
    int64_t len = q->to - q->from, prev_from = q->from - len;
    int nunits = load_units(&units);
    *items = json_array();
    struct sq_stmt *st = sq_db_stmt(
        "SELECT coalesce(c.parent_id, c.id), a.unit_id, sum(a.created_at >= ?1), "
        "sum(a.created_at < ?1) FROM appeals a JOIN categories c ON c.id = a.category_id WHERE "
        "a.created_at >= ?3 AND a.created_at < ?2 AND (CAST(?4 AS TEXT) IS NULL OR a.unit_id IN "
        "(SELECT id "
        "FROM units WHERE substr(path, 1, length(?4)) = ?4)) GROUP BY 1, 2");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto out;
    }
    sq_bind_int64(st, 1, q->from);
    sq_bind_int64(st, 2, q->to);
    sq_bind_int64(st, 3, prev_from);
    sq_db_bind_text(st, 4, q->unit_path);
    if (!(rows = malloc(sizeof *rows * cap)))
        sq_fatal("out of memory");
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        if (nrows == cap && !(rows = realloc(rows, sizeof *rows * (cap *= 2))))
            sq_fatal("out of memory");
        struct unit_ent key = {.id = sq_col_int64(st, 1)}, *u;
        u = bsearch(&key, units, (size_t)nunits, sizeof *units, cmp_unit);
        rows[nrows++] = (struct row){sq_col_int64(st, 0), u ? u->place : key.id, key.id,
                                     sq_col_int64(st, 2), sq_col_int64(st, 3)};
    }
    sq_db_reset(st);
    if (rc != SQ_DONE) {
        e = sq_db_last_error(d);
        goto out;
    }
    qsort(rows, nrows, sizeof *rows, cmp_row);
    if (!(cl = calloc(nrows + 1, sizeof *cl)))
        sq_fatal("out of memory");
    for (size_t i = 0; i < nrows; i++) {
        if (!ncl || cl[ncl - 1].cat != rows[i].cat || cl[ncl - 1].place != rows[i].place)
            cl[ncl++] = (struct cluster){.cat = rows[i].cat, .place = rows[i].place, .first = i};
        struct cluster *c = &cl[ncl - 1];
        c->cur += rows[i].cur;
        c->prev += rows[i].prev;
        c->units += rows[i].cur > 0;
        c->n++;
    }
    /* only clusters with appeals in the window, and at least 2 of them */
    size_t keep = 0;
    for (size_t i = 0; i < ncl; i++) {
        if (cl[i].cur < 2)
            continue;
        cl[i].score = kb_hot_score(cl[i].cur, cl[i].prev);
        cl[keep++] = cl[i];
    }
    qsort(cl, keep, sizeof *cl, cmp_cluster);
    for (size_t i = 0; i < keep && (int)i < q->limit; i++) {
        struct cluster *c = &cl[i];
        char cname[128], pname[256];
        name_of("SELECT name FROM categories WHERE id = ?", c->cat, cname, sizeof cname);
        name_of("SELECT name FROM units WHERE id = ?", c->place, pname, sizeof pname);
        json_t *aff = json_array();
        for (size_t k = c->first; k < c->first + c->n && json_array_size(aff) < 5; k++) {
            if (!rows[k].cur)
                continue;
            char un[256];
            name_of("SELECT name FROM units WHERE id = ?", rows[k].unit, un, sizeof un);
            json_array_append_new(aff, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)rows[k].unit,
                                                 "name", un, "count", (json_int_t)rows[k].cur));
        }
        char key[96];
        snprintf(key, sizeof key, "%lld:%lld", (long long)c->cat, (long long)c->place);
        json_t *o = json_pack(
            "{s:i,s:s,s:{s:I,s:s},s:{s:I,s:s},s:I,s:I,s:f,s:f,s:I,s:o,s:o}", "rank", (int)i + 1,
            "key", key, "category", "id", (json_int_t)c->cat, "name", cname, "place", "id",
            (json_int_t)c->place, "name", pname, "count", (json_int_t)c->cur, "previous_count",
            (json_int_t)c->prev, "growth", kb_growth(c->cur, c->prev), "score", c->score,
            "affected_unit_count", (json_int_t)c->units, "affected_units", aff,
            "representative_appeals", representatives(c->cat, c->place, q->from, q->to));
        json_array_append_new(*items, o);
    }
out:
    free(units);
    free(rows);
    free(cl);
    return e;
}

/* ---- monthly themes ---- */

static int month_of(int64_t t)
{
    char iso[32];
    sq_clock_iso(t, iso);
    return atoi(iso) * 100 + atoi(iso + 5);
}

enum sq_err kb_theme_create(json_t *in, int64_t user_id, int64_t *id, struct sq_detail *d)
{
    int64_t cat = sq_json_int(in, "category_id", 0), place = sq_json_int(in, "place_unit_id", 0);
    int64_t from = 0, to = 0;
    char path[160] = "", cname[128], pname[256], title[400];
    if (!kb_store_category_ok(cat))
        return sq_fail(d, SQ_EINVAL, "category_id",
                       "category_id must be one of the 16 livelihood categories");
    struct sq_stmt *st = sq_db_stmt("SELECT path, name FROM units WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, place);
    if (sq_step(st) == SQ_ROW) {
        snprintf(path, sizeof path, "%s", sq_db_col_text(st, 0));
        snprintf(pname, sizeof pname, "%s", sq_db_col_text(st, 1));
    }
    sq_db_reset(st);
    if (!path[0])
        return sq_fail(d, SQ_EINVAL, "place_unit_id", "no unit with id %lld", (long long)place);
    if (sq_clock_parse_iso(sq_json_str(in, "from", ""), &from) ||
        sq_clock_parse_iso(sq_json_str(in, "to", ""), &to) || to <= from)
        return sq_fail(d, SQ_EINVAL, "to", "give the cluster's window: from < to (ISO dates)");
    int month = (int)sq_json_int(in, "month", 0);
    if (!month)
        month = month_of(to - 1);
    if (month % 100 < 1 || month % 100 > 12 || month < 200001 || month > 210012)
        return sq_fail(d, SQ_EINVAL, "month", "month is YYYYMM");
    name_of("SELECT name FROM categories WHERE id = ?", cat, cname, sizeof cname);
    snprintf(title, sizeof title, "%s：%s问题", pname, cname);
    st = sq_db_stmt("INSERT INTO kb_themes(month, title, category_id, place_unit_id, place_path, "
                    "window_from, window_to, note, created_by, created_at, updated_at) VALUES "
                    "(?1,?2,?3,?4,coalesce((SELECT path FROM units WHERE id = ?4), ?5),?6,?7,"
                    "?8,?9,?10,?10) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int(st, 1, month);
    sq_db_bind_text(st, 2, sq_json_str(in, "title", title));
    sq_bind_int64(st, 3, cat);
    sq_bind_int64(st, 4, place);
    sq_bind_text(st, 5, path);
    sq_bind_int64(st, 6, from);
    sq_bind_int64(st, 7, to);
    sq_db_bind_text(st, 8, sq_json_str(in, "note", NULL));
    sq_db_bind_id(st, 9, user_id);
    sq_bind_int64(st, 10, sq_clock_now());
    enum sq_err e = sq_db_exec_id(st, id, d);
    if (e == SQ_ECONFLICT)
        return sq_fail(d, SQ_ECONFLICT, "month", "month %d already has a theme", month);
    return e;
}

enum sq_err kb_theme_update(int64_t id, json_t *in, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE kb_themes SET answer_id = CASE WHEN (?5 & 1) <> 0 THEN ?2 ELSE answer_id END, "
        "note = CASE WHEN (?5 & 2) <> 0 THEN ?3 ELSE note END, title = coalesce(?4, title), "
        "updated_at = ?6 WHERE id = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    sq_db_bind_id(st, 2, sq_json_int(in, "answer_id", 0));
    sq_db_bind_text(st, 3, sq_json_str(in, "note", NULL));
    sq_db_bind_text(st, 4, sq_json_str(in, "title", NULL));
    sq_bind_int(st, 5, sq_json_has(in, "answer_id") | sq_json_has(in, "note") << 1);
    sq_bind_int64(st, 6, sq_clock_now());
    enum sq_err e = sq_db_exec_stmt(st, d);
    if (!e && sq_db_changes() == 0)
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no theme with id %lld", (long long)id);
    return e;
}

#define THEME_COLS                                                                                 \
    "t.id, t.month, t.title, t.category_id, c.name, t.place_unit_id, u.name, t.window_from, "      \
    "t.window_to, t.answer_id, t.note, t.created_at, t.place_path"

static json_t *theme_row(struct sq_stmt *st)
{
    char f[32], to[32];
    sq_clock_iso(sq_col_int64(st, 7), f);
    sq_clock_iso(sq_col_int64(st, 8), to);
    json_t *o =
        json_pack("{s:I,s:i,s:s,s:{s:I,s:s},s:{s:I,s:s},s:s,s:s}", "id",
                  (json_int_t)sq_col_int64(st, 0), "month", sq_col_int(st, 1), "title",
                  sq_db_col_text(st, 2), "category", "id", (json_int_t)sq_col_int64(st, 3), "name",
                  sq_db_col_text(st, 4), "place", "id", (json_int_t)sq_col_int64(st, 5), "name",
                  sq_db_col_text(st, 6), "window_from", f, "window_to", to);
    json_object_set_new(o, "answer_id",
                        sq_col_is_null(st, 9) ? json_null() : json_integer(sq_col_int64(st, 9)));
    sq_json_set_str(o, "note", sq_db_col_text(st, 10));
    return o;
}

json_t *kb_themes_json(void)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt("SELECT " THEME_COLS " FROM kb_themes t JOIN categories c ON "
                                    "c.id = t.category_id JOIN units u ON u.id = t.place_unit_id "
                                    "ORDER BY t.month DESC LIMIT 240");
    if (!st)
        return a;
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(a, theme_row(st));
    sq_db_reset(st);
    return a;
}

/* One theme with its tracking: the cluster's appeals since the window
 * opened, by status, with resolution and satisfaction, and the answer. */
json_t *kb_theme_json(int64_t id)
{
    json_t *o = NULL;
    int64_t cat = 0, from = 0, answer = 0;
    char path[160] = "";
    struct sq_stmt *st = sq_db_stmt("SELECT " THEME_COLS " FROM kb_themes t JOIN categories c ON "
                                    "c.id = t.category_id JOIN units u ON u.id = t.place_unit_id "
                                    "WHERE t.id = ?");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW) {
        o = theme_row(st);
        cat = sq_col_int64(st, 3);
        from = sq_col_int64(st, 7);
        answer = sq_col_int64(st, 9);
        snprintf(path, sizeof path, "%s", sq_db_col_text(st, 12));
    }
    sq_db_reset(st);
    if (!o)
        return NULL;
    json_t *by = json_object();
    int64_t total = 0, resolved = 0, open = 0, rated = 0, satisfied = 0;
    st = sq_db_stmt(
        "SELECT a.status, count(*), sum(a.satisfaction IN ('satisfied','basically_satisfied')), "
        "sum(a.satisfaction IS NOT NULL) FROM appeals a WHERE a.category_id IN (SELECT id FROM "
        "categories WHERE id = ?1 OR parent_id = ?1) AND a.created_at >= ?2 AND a.unit_id IN "
        "(SELECT id FROM units WHERE substr(path, 1, length(?3)) = ?3) GROUP BY a.status");
    if (st) {
        sq_bind_int64(st, 1, cat);
        sq_bind_int64(st, 2, from);
        sq_bind_text(st, 3, path);
        while (sq_step(st) == SQ_ROW) {
            const char *s = sq_db_col_text(st, 0);
            int64_t n = sq_col_int64(st, 1);
            json_object_set_new(by, s, json_integer(n));
            total += n;
            int status = sq_appeal_status_parse(s);
            if (sq_appeal_status_done(status))
                resolved += n;
            else if (sq_appeal_status_open(status))
                open += n;
            satisfied += sq_col_int64(st, 2);
            rated += sq_col_int64(st, 3);
        }
        sq_db_reset(st);
    }
    json_object_set_new(
        o, "tracking",
        json_pack("{s:I,s:I,s:I,s:o,s:f,s:o}", "appeals", (json_int_t)total, "resolved",
                  (json_int_t)resolved, "open", (json_int_t)open, "by_status", by,
                  "resolution_rate", total ? (double)resolved / (double)total : 0.0,
                  "satisfaction_rate",
                  rated ? json_real((double)satisfied / (double)rated) : json_null()));
    if (answer) {
        json_t *a = kb_store_answer_json(answer);
        if (a) {
            json_object_set_new(o, "answer",
                                json_pack("{s:I,s:O,s:O}", "id", (json_int_t)answer, "title",
                                          json_object_get(a, "title"), "status",
                                          json_object_get(a, "status")));
            json_decref(a);
        }
    }
    return o;
}
