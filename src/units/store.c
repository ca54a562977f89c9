/*
 * units store: every SQL statement on the units table.
 *
 * The path column is "/<ancestor ids>/.../<id>/". Other tables keep copies
 * of it for subtree scoping (each domain declares its own: units/paths.h); moving a unit rewrites
 * the paths of its whole subtree and every copy of them in one transaction, so no reader ever sees
 * a record scoped by a path that no longer exists.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/auth.h"
#include "core/db.h"
#include "units/paths.h"
#include "units/units.h"

#define UNIT_COLS                                                                                  \
    "id, kind, code, name, parent_id, zone, address, contact, archived, "                          \
    "created_at, updated_at, path, depth"

static json_t *row_json(struct sq_stmt *st)
{
    char c[32], u[32];
    sq_clock_iso(sq_col_int64(st, 9), c);
    sq_clock_iso(sq_col_int64(st, 10), u);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "kind",
                          sq_db_col_text(st, 1), "code", sq_db_col_text(st, 2), "name",
                          sq_db_col_text(st, 3), "zone", sq_db_col_text(st, 5));
    json_object_set_new(o, "parent_id", sq_db_col_id_json(st, 4));
    sq_json_set_str(o, "address", sq_db_col_text(st, 6));
    sq_json_set_str(o, "contact", sq_db_col_text(st, 7));
    json_object_set_new(o, "archived", json_boolean(sq_col_int(st, 8)));
    json_object_set_new(o, "created_at", json_string(c));
    json_object_set_new(o, "updated_at", json_string(u));
    json_object_set_new(o, "depth", json_integer(sq_col_int(st, 12)));
    return o;
}

enum sq_err units_store_get(int64_t id, struct sq_unit *u, struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT id, kind, parent_id, path, name, archived FROM units WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no unit with id %lld", (long long)id);
    }
    u->id = sq_col_int64(st, 0);
    u->kind = sq_unit_kind_parse(sq_db_col_text(st, 1));
    u->parent_id = sq_col_int64(st, 2);
    snprintf(u->path, sizeof u->path, "%s", sq_db_col_text(st, 3));
    snprintf(u->name, sizeof u->name, "%s", sq_db_col_text(st, 4));
    u->archived = sq_col_int(st, 5);
    sq_db_reset(st);
    return SQ_OK;
}

json_t *units_store_get_json(int64_t id)
{
    return sq_db_get_json("SELECT " UNIT_COLS " FROM units WHERE id = ?", id, row_json);
}

int64_t units_store_count(void)
{
    return sq_db_scalar("SELECT count(*) FROM units");
}

int64_t units_store_active_children(int64_t id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT count(*) FROM units WHERE parent_id = ? AND "
                                    "archived = 0");
    int64_t n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW)
        n = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

enum sq_err units_store_create(const struct sq_unit *parent, json_t *in, int64_t *id,
                               struct sq_detail *d)
{
    enum sq_err e;
    int64_t now = sq_clock_now();
    struct sq_stmt *st;
    if ((e = sq_db_begin(d)))
        return e;
    st = sq_db_stmt(
        "INSERT INTO units(kind, code, name, parent_id, zone, address, contact, "
        "path, depth, created_at, updated_at) VALUES (?,?,?,?,?,?,?,'',?,?,?) RETURNING id");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_db_bind_text(st, 1, sq_json_str(in, "kind", NULL));
    sq_db_bind_text(st, 2, sq_json_str(in, "code", NULL));
    sq_db_bind_text(st, 3, sq_json_str(in, "name", NULL));
    sq_db_bind_id(st, 4, parent ? parent->id : 0);
    sq_db_bind_text(st, 5, sq_json_str(in, "zone", NULL));
    sq_db_bind_text(st, 6, sq_json_str(in, "address", NULL));
    sq_db_bind_text(st, 7, sq_json_str(in, "contact", NULL));
    sq_bind_int(st, 8, parent ? (int)(strlen(parent->path) > 0) : 0);
    sq_bind_int64(st, 9, now);
    sq_bind_int64(st, 10, now);
    if ((e = sq_db_exec_id(st, id, d))) {
        if (e == SQ_ECONFLICT)
            sq_fail(d, SQ_ECONFLICT, "code", "a unit with code '%s' already exists",
                    sq_json_str(in, "code", ""));
        goto fail;
    }
    st = sq_db_stmt("UPDATE units SET path = ?2 || id || '/', depth = ?3 WHERE id = ?1");
    sq_bind_int64(st, 1, *id);
    sq_bind_text(st, 2, parent ? parent->path : "/");
    int depth = 0;
    for (const char *p = parent ? parent->path : ""; *p; p++)
        depth += *p == '/';
    sq_bind_int(st, 3, parent ? depth : 1);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

/* The materialised copies of units.path outside the units table come from
 * the domains that keep them (units/paths.h, src/app.c's
 * sq_unit_path_tables); a move rewrites each of them with the units
 * (tests/unit/test_unit_move.c fails when a migration adds a *_path column no
 * domain declares). The KPI aggregates are keyed by unit id and find subtrees
 * through units.path when queried, so they follow a move without a rewrite
 * (docs/kpi.md). */
const char *units_store_path_copy(int i, const char **path_col, const char **id_col)
{
    if (i < 0)
        return NULL;
    for (int t = 0; sq_unit_path_tables[t]; t++)
        for (const struct sq_unit_path_copy *c = sq_unit_path_tables[t]; c->table; c++)
            if (i-- == 0) {
                *path_col = c->path_col;
                *id_col = c->id_col;
                return c->table;
            }
    return NULL;
}

/* The room a path has wherever it is kept (struct sq_unit, struct sq_grant) */
#define UNIT_PATH_MAX 128

static int path_depth(const char *path)
{
    int n = 0;
    for (const char *p = path; *p; p++)
        n += *p == '/';
    return n;
}

/* Rewrites one path column: every value under old (a "/../" prefix) gets
 * new in its place. The range [old, old with its last '/' made '0') holds
 * exactly the values starting with old and lets the path index find them;
 * the substr test keeps the match exact under any collation. SQL text is
 * assembled from the fixed names the domains declare (units/paths.h) only. */
static enum sq_err rewrite_paths(const char *table, const char *col, const char *old,
                                 const char *new, struct sq_detail *d)
{
    char sql[512], end[160];
    snprintf(end, sizeof end, "%s", old);
    end[strlen(end) - 1] = '0';
    snprintf(sql, sizeof sql,
             "UPDATE %s SET %s = ?2 || substr(%s, length(?1) + 1) WHERE %s >= ?1 AND %s < ?3 "
             "AND substr(%s, 1, length(?1)) = ?1",
             table, col, col, col, col, col);
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, old);
    sq_bind_text(st, 2, new);
    sq_bind_text(st, 3, end);
    return sq_db_exec_stmt(st, d);
}

/* Moves unit id under parent_id: its subtree's paths, depths and every copy
 * of those paths. Runs inside the caller's transaction and reads both paths
 * there, so a concurrent move can neither be undone nor close a cycle. */
static enum sq_err move_subtree(int64_t id, int64_t parent_id, struct sq_detail *d)
{
    char oldpath[160] = "", ppath[160] = "", newpath[192];
    struct sq_stmt *st = sq_db_stmt("SELECT (SELECT path FROM units WHERE id = ?1), (SELECT path "
                                    "FROM units WHERE id = ?2)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    sq_bind_int64(st, 2, parent_id);
    if (sq_step(st) == SQ_ROW) {
        snprintf(oldpath, sizeof oldpath, "%s", sq_db_col_text(st, 0));
        snprintf(ppath, sizeof ppath, "%s", sq_db_col_text(st, 1));
    }
    sq_db_reset(st);
    if (!oldpath[0] || !ppath[0])
        return sq_fail(d, SQ_EINVAL, "parent_id", "没有编号为 %lld 的单位 / no unit with id %lld",
                       (long long)parent_id, (long long)parent_id);
    if (!strncmp(ppath, oldpath, strlen(oldpath)))
        return sq_fail(d, SQ_EINVAL, "parent_id",
                       "单位不能移到自身或其下级单位之下 / a unit cannot move under itself or its "
                       "own descendant");
    snprintf(newpath, sizeof newpath, "%s%lld/", ppath, (long long)id);
    if (strlen(newpath) >= UNIT_PATH_MAX)
        return sq_fail(d, SQ_EINVAL, "parent_id",
                       "那里的单位层级太深 / the unit tree is too deep there");
    st = sq_db_stmt(
        "UPDATE units SET path = ?2 || substr(path, length(?1) + 1), depth = depth + ?3, "
        "parent_id = CASE WHEN id = ?4 THEN ?5 ELSE parent_id END, updated_at = ?6 "
        "WHERE substr(path, 1, length(?1)) = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, oldpath);
    sq_bind_text(st, 2, newpath);
    sq_bind_int(st, 3, path_depth(newpath) - path_depth(oldpath));
    sq_bind_int64(st, 4, id);
    sq_bind_int64(st, 5, parent_id);
    sq_bind_int64(st, 6, sq_clock_now());
    enum sq_err e = sq_db_exec_stmt(st, d);
    const char *table, *pc, *ic;
    for (int i = 0; !e && (table = units_store_path_copy(i, &pc, &ic)) != NULL; i++)
        e = rewrite_paths(table, pc, oldpath, newpath, d);
    return e;
}

enum sq_err units_store_update(const struct sq_unit *u, json_t *in,
                               const struct sq_unit *new_parent, struct sq_detail *d)
{
    static const char *const cols[] = {"code", "name", "zone", "address", "contact", NULL};
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if ((e = sq_db_update_fields("units", u->id, in, cols, "updated_at", sq_clock_now(), d))) {
        if (e == SQ_ECONFLICT)
            sq_fail(d, SQ_ECONFLICT, "code", "another unit already has this code");
        goto fail;
    }
    if (new_parent && (e = move_subtree(u->id, new_parent->id, d)))
        goto fail;
    if ((e = sq_db_commit(d)))
        return e;
    /* after the commit: a caller whose grants were read before it is never
     * cached with the old paths (sq_auth_cache_put compares generations) */
    sq_auth_cache_bump();
    return SQ_OK;
fail:
    sq_db_rollback();
    return e;
}

enum sq_err units_store_archive(int64_t id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE units SET archived = 1, updated_at = ? WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, sq_clock_now());
    sq_bind_int64(st, 2, id);
    enum sq_err e = sq_db_exec_stmt(st, d);
    sq_auth_cache_bump(); /* grants in an archived unit lapse */
    return e;
}

/* ORDER BY of the list's sort names (struct units_filter.sort); "id" first,
 * the default */
static const char *const list_orders[][2] = {
    {"id", "id"},
    {"-id", "id DESC"},
    {"name", "name, id"},
    {"-name", "name DESC, id DESC"},
    {"code", "code"},
    {"-code", "code DESC"},
    {"created_at", "created_at, id"},
    {"-created_at", "created_at DESC, id DESC"},
    {"path", "path"},
};

/* The ORDER BY of a sort name of the API ("-x" = descending); the first
 * entry when the name is unknown (the api validated it already). */
static const char *order_sql(const char *const (*t)[2], size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(t[i][0], name))
            return t[i][1];
    return t[0][1];
}

enum sq_err units_store_list(const struct sq_unit_filter *f, const struct sq_page *p,
                             json_t **items, int64_t *total, struct sq_detail *d)
{
    char where[2048], sql[3072];
    size_t w = 0;
    int nbind = 0;
    w += (size_t)snprintf(where + w, sizeof where - w,
                          " FROM units WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR "
                          "zone = ?2) AND (?3 IS NULL OR parent_id = ?3) AND (?4 IS NULL OR "
                          "name LIKE '%%' || ?4 || '%%' OR code = ?4) AND (?5 < 0 OR "
                          "archived = ?5)");
    nbind = 5;
    if (f->scope_paths) {
        w += (size_t)snprintf(where + w, sizeof where - w, " AND (0");
        for (int i = 0; i < f->nscope && w < sizeof where - 64; i++)
            w += (size_t)snprintf(where + w, sizeof where - w,
                                  " OR substr(path, 1, length(?%d)) = ?%d", nbind + 1 + i,
                                  nbind + 1 + i);
        w += (size_t)snprintf(where + w, sizeof where - w, ")");
    }
    const char *order = order_sql(list_orders, sizeof list_orders / sizeof list_orders[0], f->sort);
    *items = json_array();
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
        else if (f->directory)
            snprintf(sql, sizeof sql,
                     "SELECT id, kind, name, parent_id, (SELECT count(*) FROM units c WHERE "
                     "c.parent_id = units.id AND c.archived = 0)%s ORDER BY %s LIMIT ? OFFSET ?",
                     where, order);
        else
            snprintf(sql, sizeof sql, "SELECT " UNIT_COLS "%s ORDER BY %s LIMIT ? OFFSET ?", where,
                     order);
        struct sq_stmt *st = sq_db_stmt(sql);
        if (!st)
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_db_bind_text(st, 1, f->kind);
        sq_db_bind_text(st, 2, f->zone);
        sq_db_bind_id(st, 3, f->parent_id);
        sq_db_bind_text(st, 4, f->q);
        sq_bind_int(st, 5, f->archived);
        for (int i = 0; f->scope_paths && i < f->nscope; i++)
            sq_bind_text(st, nbind + 1 + i, f->scope_paths[i]);
        if (pass == 0) {
            *total = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
            sq_db_reset(st);
            continue;
        }
        int n = nbind + (f->scope_paths ? f->nscope : 0);
        sq_bind_int(st, n + 1, p->limit);
        sq_bind_int64(st, n + 2, p->offset);
        while (sq_step(st) == SQ_ROW) {
            if (f->directory) {
                json_t *o = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)sq_col_int64(st, 0),
                                      "kind", sq_db_col_text(st, 1), "name", sq_db_col_text(st, 2),
                                      "has_children", sq_col_int64(st, 4) > 0);
                json_object_set_new(o, "parent_id", sq_db_col_id_json(st, 3));
                json_array_append_new(*items, o);
            } else {
                json_array_append_new(*items, row_json(st));
            }
        }
        sq_db_reset(st);
    }
    return SQ_OK;
}

enum sq_err units_store_subtree(const struct sq_unit *u, json_t **items, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " UNIT_COLS " FROM units WHERE substr(path, 1, "
                                    "length(?1)) = ?1 AND id <> ?2 ORDER BY path LIMIT 20000");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, u->path);
    sq_bind_int64(st, 2, u->id);
    *items = json_array();
    int base = 0;
    for (const char *p = u->path; *p; p++)
        base += *p == '/';
    while (sq_step(st) == SQ_ROW) {
        json_t *o = row_json(st);
        json_object_set_new(o, "depth", json_integer(sq_col_int(st, 12) - (base - 1)));
        json_array_append_new(*items, o);
    }
    sq_db_reset(st);
    return SQ_OK;
}

enum sq_err units_store_ancestors(const struct sq_unit *u, json_t **items, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " UNIT_COLS " FROM units WHERE substr(?1, 1, "
                                    "length(path)) = path AND id <> ?2 ORDER BY depth");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, u->path);
    sq_bind_int64(st, 2, u->id);
    *items = json_array();
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(*items, row_json(st));
    sq_db_reset(st);
    return SQ_OK;
}
