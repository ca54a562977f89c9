/*
 * kb store: the SQL of answers, their versions and appeal links, columns and
 * volumes. Every change to an answer's text writes the next version row in
 * the same transaction, so kb_answers.version always names the newest row of
 * kb_answer_versions and every edit stays readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/db.h"
#include "kb/events.h"
#include "kb/kb.h"
#include "units/paths.h"

/* The copies of units.path the knowledge base keeps (an answer's owning
 * unit, a theme's place), rewritten by a unit move (units/paths.h; listed in
 * src/app.c). */
const struct sq_unit_path_copy kb_unit_paths[] = {
    {"kb_answers", "unit_path", "unit_id"},
    {"kb_themes", "place_path", "place_unit_id"},
    {NULL, NULL, NULL},
};

#define ANSWER_COLS                                                                                \
    "a.id, a.category_id, c.name, c.code, a.title, a.problem, a.measures, a.result, "              \
    "a.conditions, a.source_units, a.tags, a.status, a.version, a.unit_id, u.name, "               \
    "a.author_id, a.reviewer_id, a.review_note, a.source_appeal_id, a.reuse_count, "               \
    "a.deflect_count, a.created_at, a.updated_at, a.submitted_at, a.published_at, "                \
    "a.archived_at"
#define ANSWER_FROM                                                                                \
    " FROM kb_answers a JOIN categories c ON c.id = a.category_id JOIN units u ON u.id = "         \
    "a.unit_id "

static void today(char *out);

static void set_time(json_t *o, const char *key, struct sq_stmt *st, int col)
{
    if (sq_col_is_null(st, col)) {
        json_object_set_new(o, key, json_null());
        return;
    }
    char t[32];
    sq_clock_iso(sq_col_int64(st, col), t);
    json_object_set_new(o, key, json_string(t));
}

static void set_id(json_t *o, const char *key, struct sq_stmt *st, int col)
{
    json_object_set_new(
        o, key, sq_col_is_null(st, col) ? json_null() : json_integer(sq_col_int64(st, col)));
}

static json_t *json_col(struct sq_stmt *st, int col)
{
    json_t *v = json_loads(sq_db_col_text(st, col), 0, NULL);
    return v ? v : json_array();
}

/* source_units as [{id, name}] */
static json_t *units_named(json_t *ids)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    struct sq_stmt *st = sq_db_stmt("SELECT name FROM units WHERE id = ?");
    json_array_foreach(ids, i, v)
    {
        const char *name = "";
        if (st) {
            sq_bind_int64(st, 1, json_integer_value(v));
            if (sq_step(st) == SQ_ROW)
                name = sq_db_col_text(st, 0);
        }
        json_array_append_new(out,
                              json_pack("{s:I,s:s}", "id", json_integer_value(v), "name", name));
        if (st)
            sq_db_reset(st);
    }
    return out;
}

/* The list/detail row; `full` adds the long texts. */
static json_t *answer_row(struct sq_stmt *st, bool full)
{
    json_t *o = json_pack("{s:I,s:{s:I,s:s,s:s},s:s,s:s,s:i,s:{s:I,s:s}}", "id",
                          (json_int_t)sq_col_int64(st, 0), "category", "id",
                          (json_int_t)sq_col_int64(st, 1), "name", sq_db_col_text(st, 2), "code",
                          sq_db_col_text(st, 3), "title", sq_db_col_text(st, 4), "status",
                          sq_db_col_text(st, 11), "version", sq_col_int(st, 12), "unit", "id",
                          (json_int_t)sq_col_int64(st, 13), "name", sq_db_col_text(st, 14));
    if (full) {
        json_object_set_new(o, "problem", json_string(sq_db_col_text(st, 5)));
        json_object_set_new(o, "measures", json_string(sq_db_col_text(st, 6)));
        sq_json_set_str(o, "result", sq_db_col_text(st, 7));
        sq_json_set_str(o, "conditions", sq_db_col_text(st, 8));
        json_t *ids = json_col(st, 9);
        json_object_set_new(o, "source_units", units_named(ids));
        json_decref(ids);
        set_id(o, "author_id", st, 15);
        set_id(o, "reviewer_id", st, 16);
        sq_json_set_str(o, "review_note", sq_db_col_text(st, 17));
        set_id(o, "source_appeal_id", st, 18);
    }
    json_object_set_new(o, "tags", json_col(st, 10));
    json_object_set_new(o, "reuse_count", json_integer(sq_col_int64(st, 19)));
    json_object_set_new(o, "deflect_count", json_integer(sq_col_int64(st, 20)));
    set_time(o, "created_at", st, 21);
    set_time(o, "updated_at", st, 22);
    if (full) {
        set_time(o, "submitted_at", st, 23);
        set_time(o, "archived_at", st, 25);
    }
    set_time(o, "published_at", st, 24);
    return o;
}

enum sq_err kb_store_get(int64_t id, struct kb_answer *a, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id, status, version, category_id, unit_id, unit_path, "
                                    "author_id, published_at FROM kb_answers WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no answer with id %lld", (long long)id);
    }
    a->id = sq_col_int64(st, 0);
    a->status = kb_status_parse(sq_db_col_text(st, 1));
    a->version = sq_col_int(st, 2);
    a->category_id = sq_col_int64(st, 3);
    a->unit_id = sq_col_int64(st, 4);
    snprintf(a->unit_path, sizeof a->unit_path, "%s", sq_db_col_text(st, 5));
    a->author_id = sq_col_int64(st, 6);
    a->published_at = sq_col_int64(st, 7);
    sq_db_reset(st);
    return SQ_OK;
}

json_t *kb_store_answer_json(int64_t id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " ANSWER_COLS ANSWER_FROM "WHERE a.id = ?");
    json_t *o = NULL;
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW) {
        o = answer_row(st, true);
        json_object_set_new(o, "allowed_actions",
                            kb_allowed_json(kb_status_parse(sq_db_col_text(st, 11))));
    }
    sq_db_reset(st);
    if (!o)
        return NULL;
    json_object_set_new(o, "linked_appeals",
                        json_integer(sq_db_scalar_id(
                            "SELECT count(*) FROM kb_answer_appeals WHERE answer_id = ?", id)));
    json_t *cols = json_array();
    char day[16];
    today(day);
    /* the issues that carry it and are out: a scheduled issue is not public */
    st = sq_db_stmt("SELECT k.id, k.issue_no, k.title, k.publish_date FROM kb_column_answers ca "
                    "JOIN kb_columns k ON k.id = ca.column_id WHERE ca.answer_id = ?1 AND "
                    "k.publish_date <= ?2 ORDER BY k.issue_no");
    if (st) {
        sq_bind_int64(st, 1, id);
        sq_bind_text(st, 2, day);
        while (sq_step(st) == SQ_ROW)
            json_array_append_new(cols, json_pack("{s:I,s:i,s:s,s:s}", "id",
                                                  (json_int_t)sq_col_int64(st, 0), "issue_no",
                                                  sq_col_int(st, 1), "title", sq_db_col_text(st, 2),
                                                  "publish_date", sq_db_col_text(st, 3)));
        sq_db_reset(st);
    }
    json_object_set_new(o, "columns", cols);
    return o;
}

bool kb_store_category_ok(int64_t category_id)
{
    return sq_db_scalar_id("SELECT count(*) FROM categories WHERE id = ? AND parent_id IS NULL AND "
                           "kind = 'livelihood' AND active = 1",
                           category_id) > 0;
}

int64_t kb_store_category_top(int64_t category_id)
{
    return sq_db_scalar_id("SELECT coalesce(parent_id, id) FROM categories WHERE id = ?",
                           category_id);
}

json_t *kb_store_categories_json(void)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt(
        "SELECT c.id, c.code, c.name, (SELECT count(*) FROM kb_answers x WHERE x.category_id = "
        "c.id AND x.status = 'published') FROM categories c WHERE c.parent_id IS NULL AND "
        "c.kind = 'livelihood' AND c.active = 1 ORDER BY c.sort, c.id");
    if (!st)
        return a;
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:I}", "id",
                                           (json_int_t)sq_col_int64(st, 0), "code",
                                           sq_db_col_text(st, 1), "name", sq_db_col_text(st, 2),
                                           "published_answers", (json_int_t)sq_col_int64(st, 3)));
    sq_db_reset(st);
    return a;
}

static char *dump_or(json_t *in, const char *key, const char *dflt)
{
    json_t *v = json_object_get(in, key);
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT) : strdup(dflt);
}

static enum sq_err snapshot_version(int64_t id, int64_t editor_id, const char *note,
                                    struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO kb_answer_versions(answer_id, version, category_id, title, problem, "
        "measures, result, conditions, source_units, tags, editor_id, note, created_at) "
        "SELECT id, version, category_id, title, problem, measures, result, conditions, "
        "source_units, tags, ?2, ?3, ?4 FROM kb_answers WHERE id = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    sq_db_bind_id(st, 2, editor_id);
    sq_db_bind_text(st, 3, note);
    sq_bind_int64(st, 4, sq_clock_now());
    return sq_db_exec_stmt(st, d);
}

enum sq_err kb_store_create(json_t *in, int64_t unit_id, const char *unit_path, int64_t author_id,
                            int64_t source_appeal_id, int64_t *id, struct sq_detail *d)
{
    enum sq_err e;
    int64_t now = sq_clock_now();
    char *units = dump_or(in, "source_units", "[]"), *tags = dump_or(in, "tags", "[]");
    if ((e = sq_db_begin(d)))
        goto out;
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO kb_answers(category_id, title, problem, measures, result, conditions, "
        "source_units, tags, status, version, unit_id, unit_path, author_id, source_appeal_id, "
        "created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'draft',1,?9,"
        /* the owner's path as it is at commit, even if it moved meanwhile */
        "coalesce((SELECT path FROM units WHERE id = ?9), ?10),?11,?12,?13,?14) RETURNING id");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, sq_json_int(in, "category_id", 0));
    sq_db_bind_text(st, 2, sq_json_str(in, "title", ""));
    sq_db_bind_text(st, 3, sq_json_str(in, "problem", ""));
    sq_db_bind_text(st, 4, sq_json_str(in, "measures", ""));
    sq_db_bind_text(st, 5, sq_json_str(in, "result", NULL));
    sq_db_bind_text(st, 6, sq_json_str(in, "conditions", NULL));
    sq_bind_text(st, 7, units);
    sq_bind_text(st, 8, tags);
    sq_bind_int64(st, 9, unit_id);
    sq_bind_text(st, 10, unit_path);
    sq_db_bind_id(st, 11, author_id);
    sq_db_bind_id(st, 12, source_appeal_id);
    sq_bind_int64(st, 13, now);
    sq_bind_int64(st, 14, now);
    if ((e = sq_db_exec_id(st, id, d)))
        goto fail;
    if ((e = snapshot_version(*id, author_id, "created", d)))
        goto fail;
    if (source_appeal_id) {
        if ((e = kb_store_link(*id, source_appeal_id, author_id, d)))
            goto fail;
    }
    e = sq_db_commit(d);
    goto out;
fail:
    sq_db_rollback();
out:
    free(units);
    free(tags);
    return e;
}

enum sq_err kb_store_update(const struct kb_answer *a, json_t *in, int64_t editor_id,
                            int new_status, struct sq_detail *d)
{
    static const char *const text_cols[] = {"title",  "problem",    "measures",
                                            "result", "conditions", NULL};
    static const char *const json_cols[] = {"source_units", "tags", NULL};
    enum sq_err e;
    char sql[160];
    int64_t now = sq_clock_now();
    if ((e = sq_db_begin(d)))
        return e;
    for (int i = 0; text_cols[i]; i++) {
        if (!sq_json_has(in, text_cols[i]))
            continue;
        snprintf(sql, sizeof sql, "UPDATE kb_answers SET %s = ?2 WHERE id = ?1", text_cols[i]);
        struct sq_stmt *st = sq_db_stmt(sql);
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, a->id);
        sq_db_bind_text(st, 2, sq_json_str(in, text_cols[i], NULL));
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    for (int i = 0; json_cols[i]; i++) {
        if (!sq_json_has(in, json_cols[i]))
            continue;
        snprintf(sql, sizeof sql, "UPDATE kb_answers SET %s = ?2 WHERE id = ?1", json_cols[i]);
        struct sq_stmt *st = sq_db_stmt(sql);
        char *v = dump_or(in, json_cols[i], "[]");
        sq_bind_int64(st, 1, a->id);
        sq_bind_text(st, 2, v);
        free(v);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE kb_answers SET category_id = coalesce(?2, category_id), version = version + 1, "
        "updated_at = ?3, status = coalesce(?4, status) WHERE id = ?1");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, a->id);
    sq_db_bind_id(st, 2, sq_json_int(in, "category_id", 0));
    sq_bind_int64(st, 3, now);
    if (new_status >= 0)
        sq_bind_text_ref(st, 4, kb_status_name(new_status));
    if ((e = sq_db_exec_stmt(st, d)) ||
        (e = snapshot_version(a->id, editor_id, sq_json_str(in, "note", "edited"), d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err kb_store_transition(const struct kb_answer *a, int action, int to, int64_t actor_id,
                                const char *note, struct sq_detail *d)
{
    int64_t now = sq_clock_now();
    /* the WHERE on the old status makes a concurrent transition lose cleanly */
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE kb_answers SET status = ?3, updated_at = ?4, "
        "submitted_at = CASE WHEN ?5 = 0 THEN ?4 ELSE submitted_at END, "
        "published_at = CASE WHEN ?5 = 1 THEN ?4 ELSE published_at END, "
        "archived_at = CASE WHEN ?5 = 3 THEN ?4 WHEN ?5 = 4 THEN NULL ELSE archived_at END, "
        "reviewer_id = CASE WHEN ?5 IN (1, 2) THEN ?6 ELSE reviewer_id END, "
        "review_note = CASE WHEN ?5 IN (1, 2) THEN ?7 ELSE review_note END "
        "WHERE id = ?1 AND status = ?2");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, a->id);
    sq_bind_text_ref(st, 2, kb_status_name(a->status));
    sq_bind_text_ref(st, 3, kb_status_name(to));
    sq_bind_int64(st, 4, now);
    sq_bind_int(st, 5, action);
    sq_db_bind_id(st, 6, actor_id);
    sq_db_bind_text(st, 7, note);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    if (sq_db_changes() == 0) {
        e = sq_fail(d, SQ_ECONFLICT, NULL, "the answer changed meanwhile; reload it");
        goto fail;
    }
    /* the event (kb/events.h) commits or rolls back with the transition */
    if ((e = kb_publish_transition(a, action, actor_id, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err kb_store_delete(int64_t id, struct sq_detail *d)
{
    static const char *const sqls[] = {
        "DELETE FROM kb_answer_versions WHERE answer_id = ?",
        "DELETE FROM kb_answer_appeals WHERE answer_id = ?",
        "DELETE FROM kb_column_answers WHERE answer_id = ?",
        "DELETE FROM kb_volume_answers WHERE answer_id = ?",
        "UPDATE kb_themes SET answer_id = NULL WHERE answer_id = ?",
        "DELETE FROM kb_answers WHERE id = ?",
        NULL,
    };
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    for (int i = 0; sqls[i]; i++) {
        struct sq_stmt *st = sq_db_stmt(sqls[i]);
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

/* ORDER BY of the answer list's sort names (struct kb_answer_filter.sort) */
static const char *const list_orders[][2] = {
    {"-published_at", "a.published_at DESC, a.id DESC"},
    {"published_at", "a.published_at, a.id"},
    {"-updated_at", "a.updated_at DESC, a.id DESC"},
    {"-reuse_count", "a.reuse_count DESC, a.id DESC"},
    {"-deflect_count", "a.deflect_count DESC, a.id DESC"},
    {"id", "a.id"},
    {"-id", "a.id DESC"},
    {"title", "a.title, a.id"},
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

enum sq_err kb_store_list(const struct kb_answer_filter *f, const struct sq_page *p, json_t **items,
                          int64_t *total, struct sq_detail *d)
{
    /* The WHERE is assembled from fixed fragments only; values are bound. */
    struct kb_buf w = {0};
    kb_buf_adds(&w, " WHERE 1");
    if (f->status >= 0)
        kb_buf_adds(&w, " AND a.status = ?1");
    if (f->category_id)
        kb_buf_adds(&w, " AND a.category_id = ?2");
    if (f->tag)
        kb_buf_adds(&w, " AND EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?3)");
    if (f->unit_id)
        kb_buf_adds(&w, " AND (a.unit_id = ?4 OR EXISTS (SELECT 1 FROM json_each(a.source_units) "
                        "WHERE value = ?4))");
    if (f->column_id)
        kb_buf_adds(&w, " AND EXISTS (SELECT 1 FROM kb_column_answers x WHERE x.column_id = ?7 "
                        "AND x.answer_id = a.id)");
    if (!f->all_statuses) {
        /* drafts and answers in review to writers of the unit, archived ones
         * to its reviewers too (kb_may_edit) */
        kb_buf_adds(&w, " AND (a.status = 'published'");
        for (int i = 0; i < f->nscope && i < 16; i++)
            kb_buf_addf(&w,
                        " OR (a.status IN ('draft', 'in_review') AND substr(a.unit_path, 1, "
                        "length(?%d)) = ?%d)",
                        10 + i, 10 + i);
        for (int i = 0; i < f->nreview && i < 16; i++)
            kb_buf_addf(&w, " OR substr(a.unit_path, 1, length(?%d)) = ?%d", 30 + i, 30 + i);
        kb_buf_adds(&w, ")");
    }
    struct kb_buf q = {0};
    kb_buf_addf(&q,
                "SELECT " ANSWER_COLS ", count(*) OVER () " ANSWER_FROM "%s ORDER BY %s "
                "LIMIT ?5 OFFSET ?6",
                w.p,
                f->sort
                    ? order_sql(list_orders, sizeof list_orders / sizeof list_orders[0], f->sort)
                    : "a.id DESC");
    struct sq_stmt *st = sq_db_stmt(q.p);
    kb_buf_free(&w);
    kb_buf_free(&q);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    if (f->status >= 0)
        sq_bind_text_ref(st, 1, kb_status_name(f->status));
    sq_bind_int64(st, 2, f->category_id);
    sq_db_bind_text(st, 3, f->tag);
    sq_bind_int64(st, 4, f->unit_id);
    sq_bind_int(st, 5, p->limit);
    sq_bind_int64(st, 6, p->offset);
    sq_bind_int64(st, 7, f->column_id);
    for (int i = 0; !f->all_statuses && i < f->nscope && i < 16; i++)
        sq_bind_text(st, 10 + i, f->scope_paths[i]);
    for (int i = 0; !f->all_statuses && i < f->nreview && i < 16; i++)
        sq_bind_text(st, 30 + i, f->review_paths[i]);
    *items = json_array();
    *total = 0;
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        json_array_append_new(*items, answer_row(st, false));
        *total = sq_col_int64(st, 26);
    }
    sq_db_reset(st);
    if (rc != SQ_DONE)
        return sq_db_last_error(d);
    if (json_array_size(*items) == 0 && p->offset > 0) {
        /* past the end: the window count is unknown without a row */
        *total = p->offset;
    }
    return SQ_OK;
}

static json_t *version_row(struct sq_stmt *st, bool full)
{
    char t[32];
    sq_clock_iso(sq_col_int64(st, 12), t);
    json_t *o =
        json_pack("{s:i,s:I,s:s,s:s}", "version", sq_col_int(st, 1), "category_id",
                  (json_int_t)sq_col_int64(st, 2), "title", sq_db_col_text(st, 3), "created_at", t);
    set_id(o, "editor_id", st, 10);
    sq_json_set_str(o, "note", sq_db_col_text(st, 11));
    if (full) {
        json_object_set_new(o, "problem", json_string(sq_db_col_text(st, 4)));
        json_object_set_new(o, "measures", json_string(sq_db_col_text(st, 5)));
        sq_json_set_str(o, "result", sq_db_col_text(st, 6));
        sq_json_set_str(o, "conditions", sq_db_col_text(st, 7));
        json_object_set_new(o, "source_units", json_col(st, 8));
        json_object_set_new(o, "tags", json_col(st, 9));
    }
    return o;
}

#define VERSION_COLS                                                                               \
    "answer_id, version, category_id, title, problem, measures, result, conditions, "              \
    "source_units, tags, editor_id, note, created_at"

json_t *kb_store_versions_json(int64_t id)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt("SELECT " VERSION_COLS " FROM kb_answer_versions WHERE "
                                    "answer_id = ? ORDER BY version DESC");
    if (!st)
        return a;
    sq_bind_int64(st, 1, id);
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(a, version_row(st, false));
    sq_db_reset(st);
    return a;
}

json_t *kb_store_version_json(int64_t id, int version)
{
    json_t *o = NULL;
    struct sq_stmt *st = sq_db_stmt("SELECT " VERSION_COLS " FROM kb_answer_versions WHERE "
                                    "answer_id = ? AND version = ?");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    sq_bind_int(st, 2, version);
    if (sq_step(st) == SQ_ROW)
        o = version_row(st, true);
    sq_db_reset(st);
    return o;
}

/* ---- appeal links ---- */

void kb_appeal_ref_cleanup(struct kb_appeal_ref *r)
{
    free(r->title);
    free(r->description);
    free(r->reply);
    r->title = r->description = r->reply = NULL;
}

enum sq_err kb_store_appeal_ref(int64_t appeal_id, struct kb_appeal_ref *r, struct sq_detail *d)
{
    memset(r, 0, sizeof *r);
    struct sq_stmt *st = sq_db_stmt("SELECT id, category_id, unit_id, coalesce(creator_id, 0), "
                                    "status, handler_unit_path, title, description, reply FROM "
                                    "appeals WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, "appeal_id", "no appeal with id %lld",
                       (long long)appeal_id);
    }
    r->id = sq_col_int64(st, 0);
    r->category_id = sq_col_int64(st, 1);
    r->unit_id = sq_col_int64(st, 2);
    r->creator_id = sq_col_int64(st, 3);
    snprintf(r->status, sizeof r->status, "%s", sq_db_col_text(st, 4));
    snprintf(r->handler_unit_path, sizeof r->handler_unit_path, "%s", sq_db_col_text(st, 5));
    r->title = strdup(sq_db_col_text(st, 6));
    r->description = strdup(sq_db_col_text(st, 7));
    r->reply = strdup(sq_db_col_text(st, 8));
    sq_db_reset(st);
    if (!r->title || !r->description || !r->reply)
        sq_fatal("out of memory");
    return SQ_OK;
}

enum sq_err kb_store_link(int64_t answer_id, int64_t appeal_id, int64_t user_id,
                          struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st =
        sq_db_stmt("INSERT INTO kb_answer_appeals(answer_id, appeal_id, "
                   "linked_by, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, answer_id);
    sq_bind_int64(st, 2, appeal_id);
    sq_db_bind_id(st, 3, user_id);
    sq_bind_int64(st, 4, sq_clock_now());
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    if (sq_db_changes() == 0) {
        e = sq_fail(d, SQ_ECONFLICT, "appeal_id", "this appeal is already linked");
        goto fail;
    }
    /* a link means the answer was used on a case: count the reuse */
    st = sq_db_stmt("UPDATE kb_answers SET reuse_count = reuse_count + 1 WHERE id = ?");
    sq_bind_int64(st, 1, answer_id);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err kb_store_unlink(int64_t answer_id, int64_t appeal_id, struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("DELETE FROM kb_answer_appeals WHERE answer_id = ? AND appeal_id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, answer_id);
    sq_bind_int64(st, 2, appeal_id);
    enum sq_err e = sq_db_exec_stmt(st, d);
    if (!e && sq_db_changes() == 0)
        return sq_fail(d, SQ_ENOTFOUND, NULL, "this appeal is not linked to the answer");
    return e;
}

json_t *kb_store_links_json(int64_t answer_id, const char **scope_paths, int nscope)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt(
        "SELECT p.id, p.tracking_no, p.title, p.status, p.handler_unit_path, l.created_at FROM "
        "kb_answer_appeals l JOIN appeals p ON p.id = l.appeal_id WHERE l.answer_id = ? ORDER "
        "BY l.created_at DESC, p.id DESC LIMIT 500");
    if (!st)
        return a;
    sq_bind_int64(st, 1, answer_id);
    while (sq_step(st) == SQ_ROW) {
        const char *path = sq_db_col_text(st, 4);
        bool ok = !scope_paths;
        for (int i = 0; !ok && i < nscope; i++)
            ok = !strncmp(path, scope_paths[i], strlen(scope_paths[i]));
        if (!ok)
            continue;
        char t[32];
        sq_clock_iso(sq_col_int64(st, 5), t);
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id",
                                           (json_int_t)sq_col_int64(st, 0), "tracking_no",
                                           sq_db_col_text(st, 1), "title", sq_db_col_text(st, 2),
                                           "status", sq_db_col_text(st, 3), "linked_at", t));
    }
    sq_db_reset(st);
    return a;
}

enum sq_err kb_store_count_deflect(int64_t answer_id, struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("UPDATE kb_answers SET deflect_count = deflect_count + 1 WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, answer_id);
    return sq_db_exec_stmt(st, d);
}

/* ---- columns ---- */

enum sq_err kb_store_check_published(json_t *ids, struct sq_detail *d)
{
    size_t i;
    json_t *v;
    struct sq_stmt *st = sq_db_stmt("SELECT status FROM kb_answers WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    json_array_foreach(ids, i, v)
    {
        sq_bind_int64(st, 1, json_integer_value(v));
        int rc = sq_step(st);
        bool ok = rc == SQ_ROW && !strcmp(sq_db_col_text(st, 0), "published");
        sq_db_reset(st);
        if (!ok)
            return sq_fail(d, SQ_EINVAL, "answer_ids",
                           "answer %lld does not exist or is not published",
                           (long long)json_integer_value(v));
    }
    return SQ_OK;
}

/* The members of a column or volume; `all` lists every member with its
 * status, otherwise only the answers published now. */
static json_t *answers_of(const char *sql, int64_t id, bool all)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return a;
    sq_bind_int64(st, 1, id);
    sq_bind_int(st, 2, all);
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(a, json_pack("{s:I,s:s,s:{s:I,s:s},s:s}", "id",
                                           (json_int_t)sq_col_int64(st, 0), "title",
                                           sq_db_col_text(st, 1), "category", "id",
                                           (json_int_t)sq_col_int64(st, 2), "name",
                                           sq_db_col_text(st, 3), "status", sq_db_col_text(st, 4)));
    sq_db_reset(st);
    return a;
}

static void today(char *out)
{
    int64_t t = sq_clock_now() + SQ_TZ_OFFSET;
    char iso[32];
    sq_clock_iso(t - SQ_TZ_OFFSET, iso);
    snprintf(out, 11, "%.10s", iso);
}

/* The owner of a column or volume: its unit, or the district root for one
 * made before owners existed (010_kb_ownership.sql gives those the root). */
#define OWNER_JOIN(alias)                                                                          \
    " LEFT JOIN units ou ON ou.id = coalesce(" alias ".unit_id, (SELECT id FROM units WHERE "      \
    "parent_id IS NULL ORDER BY id LIMIT 1))"

enum sq_err kb_store_owner(enum kb_kind kind, int64_t id, struct kb_owner *o, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        kind == KB_VOLUME
            ? "SELECT coalesce(ou.id, 0), coalesce(ou.path, '') FROM kb_volumes k" OWNER_JOIN(
                  "k") " WHERE k.id = ?"
            : "SELECT coalesce(ou.id, 0), coalesce(ou.path, '') FROM kb_columns k" OWNER_JOIN(
                  "k") " WHERE k.id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no %s with id %lld",
                       kind == KB_VOLUME ? "volume" : "column", (long long)id);
    }
    o->unit_id = sq_col_int64(st, 0);
    snprintf(o->path, sizeof o->path, "%s", sq_db_col_text(st, 1));
    sq_db_reset(st);
    return SQ_OK;
}

static void set_owner(json_t *o, struct sq_stmt *st, int col)
{
    if (sq_col_is_null(st, col)) {
        json_object_set_new(o, "unit", json_null());
        return;
    }
    json_object_set_new(o, "unit",
                        json_pack("{s:I,s:s}", "id", (json_int_t)sq_col_int64(st, col), "name",
                                  sq_db_col_text(st, col + 1)));
}

static json_t *column_row(struct sq_stmt *st)
{
    char t[32];
    sq_clock_iso(sq_col_int64(st, 5), t);
    json_t *o = json_pack("{s:I,s:i,s:s,s:s,s:s,s:I}", "id", (json_int_t)sq_col_int64(st, 0),
                          "issue_no", sq_col_int(st, 1), "title", sq_db_col_text(st, 2),
                          "publish_date", sq_db_col_text(st, 4), "created_at", t, "answer_count",
                          (json_int_t)sq_col_int64(st, 6));
    sq_json_set_str(o, "intro", sq_db_col_text(st, 3));
    set_owner(o, st, 7);
    return o;
}

/* answer_count is what the public sees: the published members */
#define COLUMN_COLS                                                                                \
    "k.id, k.issue_no, k.title, k.intro, k.publish_date, k.created_at, (SELECT count(*) FROM "     \
    "kb_column_answers x JOIN kb_answers a ON a.id = x.answer_id WHERE x.column_id = k.id "        \
    "AND a.status = 'published'), ou.id, ou.name"

#define COLUMN_MEMBERS                                                                             \
    "SELECT a.id, a.title, a.category_id, c.name, a.status FROM kb_column_answers x JOIN "         \
    "kb_answers a ON a.id = x.answer_id JOIN categories c ON c.id = a.category_id WHERE "          \
    "x.column_id = ?1 AND (?2 OR a.status = 'published') ORDER BY x.pos"

static void column_members(json_t *o, int64_t id, bool full)
{
    json_t *members = answers_of(COLUMN_MEMBERS, id, full);
    json_object_set_new(o, "answer_count", json_integer((json_int_t)json_array_size(members)));
    json_object_set_new(o, "answers", members);
}

/* The owner of a new column or volume: the given unit_id, else the root. */
#define NEW_OWNER "coalesce(?8, (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1))"

/* The INSERT (id 0) or UPDATE of a column, ?1..?7 bound; ?8 is the owner. */
static struct sq_stmt *column_save_stmt(int64_t id, json_t *in, int64_t user_id, int64_t now)
{
    struct sq_stmt *st;
    if (!id) {
        st = sq_db_stmt("INSERT INTO kb_columns(issue_no, title, intro, publish_date, "
                        "created_by, created_at, updated_at, unit_id) VALUES (?1,?2,?3,?4,?5,?6,"
                        "?6," NEW_OWNER ") RETURNING id");
        if (!st)
            return NULL;
        sq_bind_int64(st, 1, sq_json_int(in, "issue_no", 0));
        sq_db_bind_text(st, 2, sq_json_str(in, "title", ""));
        sq_db_bind_text(st, 3, sq_json_str(in, "intro", NULL));
        sq_db_bind_text(st, 4, sq_json_str(in, "publish_date", ""));
        sq_db_bind_id(st, 5, user_id);
        sq_bind_int64(st, 6, now);
        return st;
    }
    st = sq_db_stmt("UPDATE kb_columns SET issue_no = coalesce(?2, issue_no), title = "
                    "coalesce(?3, title), intro = CASE WHEN ?7 = 1 THEN ?4 ELSE intro END, "
                    "publish_date = coalesce(?5, publish_date), updated_at = ?6, "
                    "unit_id = coalesce(?8, unit_id) WHERE id = ?1");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    sq_db_bind_id(st, 2, sq_json_int(in, "issue_no", 0));
    sq_db_bind_text(st, 3, sq_json_str(in, "title", NULL));
    sq_db_bind_text(st, 4, sq_json_str(in, "intro", NULL));
    sq_db_bind_text(st, 5, sq_json_str(in, "publish_date", NULL));
    sq_bind_int64(st, 6, now);
    sq_bind_int(st, 7, sq_json_has(in, "intro"));
    return st;
}

/* ---- volumes ---- */

static json_t *volume_row(struct sq_stmt *st)
{
    char t[32];
    sq_clock_iso(sq_col_int64(st, 5), t);
    json_t *o = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)sq_col_int64(st, 0), "title",
                          sq_db_col_text(st, 1), "created_at", t, "answer_count",
                          (json_int_t)sq_col_int64(st, 6));
    sq_json_set_str(o, "subtitle", sq_db_col_text(st, 2));
    sq_json_set_str(o, "preface", sq_db_col_text(st, 3));
    sq_json_set_str(o, "edition", sq_db_col_text(st, 4));
    set_owner(o, st, 7);
    return o;
}

#define VOLUME_COLS                                                                                \
    "v.id, v.title, v.subtitle, v.preface, v.edition, v.created_at, (SELECT count(*) FROM "        \
    "kb_volume_answers x JOIN kb_answers a ON a.id = x.answer_id WHERE x.volume_id = v.id "        \
    "AND a.status = 'published'), ou.id, ou.name"

/* Chapters: one per category, in category order; answers by position. */
static json_t *volume_chapters(int64_t id, bool all, int *count)
{
    json_t *chapters = json_array(), *cur = NULL;
    int64_t cur_cat = -1;
    *count = 0;
    struct sq_stmt *st = sq_db_stmt(
        "SELECT a.id, a.title, a.category_id, c.name, a.status FROM kb_volume_answers x JOIN "
        "kb_answers a ON a.id = x.answer_id JOIN categories c ON c.id = a.category_id WHERE "
        "x.volume_id = ?1 AND (?2 OR a.status = 'published') ORDER BY c.sort, c.id, x.pos");
    if (!st)
        return chapters;
    sq_bind_int64(st, 1, id);
    sq_bind_int(st, 2, all);
    while (sq_step(st) == SQ_ROW) {
        int64_t cat = sq_col_int64(st, 2);
        if (cat != cur_cat) {
            cur = json_array();
            json_array_append_new(chapters, json_pack("{s:i,s:{s:I,s:s},s:o}", "chapter",
                                                      (int)json_array_size(chapters) + 1,
                                                      "category", "id", (json_int_t)cat, "name",
                                                      sq_db_col_text(st, 3), "answers", cur));
            cur_cat = cat;
        }
        json_array_append_new(cur, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)sq_col_int64(st, 0),
                                             "title", sq_db_col_text(st, 1), "status",
                                             sq_db_col_text(st, 4)));
        (*count)++;
    }
    sq_db_reset(st);
    return chapters;
}

static void volume_members(json_t *o, int64_t id, bool full)
{
    int n = 0;
    json_object_set_new(o, "chapters", volume_chapters(id, full, &n));
    json_object_set_new(o, "answer_count", json_integer(n));
}

/* As column_save_stmt. */
static struct sq_stmt *volume_save_stmt(int64_t id, json_t *in, int64_t user_id, int64_t now)
{
    struct sq_stmt *st;
    if (!id) {
        st = sq_db_stmt("INSERT INTO kb_volumes(title, subtitle, preface, edition, created_by, "
                        "created_at, updated_at, unit_id) VALUES (?1,?2,?3,?4,?5,?6,?6," NEW_OWNER
                        ") RETURNING id");
        if (!st)
            return NULL;
        sq_db_bind_text(st, 1, sq_json_str(in, "title", ""));
        sq_db_bind_text(st, 2, sq_json_str(in, "subtitle", NULL));
        sq_db_bind_text(st, 3, sq_json_str(in, "preface", NULL));
        sq_db_bind_text(st, 4, sq_json_str(in, "edition", NULL));
        sq_db_bind_id(st, 5, user_id);
        sq_bind_int64(st, 6, now);
        return st;
    }
    st = sq_db_stmt("UPDATE kb_volumes SET title = coalesce(?2, title), "
                    "subtitle = CASE WHEN (?6 & 1) <> 0 THEN ?3 ELSE subtitle END, "
                    "preface = CASE WHEN (?6 & 2) <> 0 THEN ?4 ELSE preface END, "
                    "edition = CASE WHEN (?6 & 4) <> 0 THEN ?5 ELSE edition END, updated_at = ?7, "
                    "unit_id = coalesce(?8, unit_id) WHERE id = ?1");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    sq_db_bind_text(st, 2, sq_json_str(in, "title", NULL));
    sq_db_bind_text(st, 3, sq_json_str(in, "subtitle", NULL));
    sq_db_bind_text(st, 4, sq_json_str(in, "preface", NULL));
    sq_db_bind_text(st, 5, sq_json_str(in, "edition", NULL));
    sq_bind_int(st, 6,
                sq_json_has(in, "subtitle") | sq_json_has(in, "preface") << 1 |
                    sq_json_has(in, "edition") << 2);
    sq_bind_int64(st, 7, now);
    return st;
}

/* ---- one implementation for both kinds ---- */

/* What differs between a column and a volume. A dated kind (columns) has a
 * publish_date: before it, only its managers see it. */
struct kind {
    bool dated;
    const char *one;  /* SELECT of one record: ?1 id (dated: ?2 full, ?3 today) */
    const char *list; /* SELECT of the list up to its WHERE clause */
    const char *order;
    json_t *(*row)(struct sq_stmt *st);
    void (*members)(json_t *o, int64_t id, bool full);
    struct sq_stmt *(*save_stmt)(int64_t id, json_t *in, int64_t user_id, int64_t now);
    const char *members_del, *member_ins, *record_del;
};

static const struct kind kinds[] = {
    [KB_COLUMN] =
        {
            .dated = true,
            .one = "SELECT " COLUMN_COLS " FROM kb_columns k" OWNER_JOIN(
                "k") " WHERE k.id = ?1 AND (?2 OR k.publish_date <= ?3)",
            .list = "SELECT " COLUMN_COLS ", count(*) OVER () FROM kb_columns k" OWNER_JOIN("k"),
            .order = " ORDER BY k.issue_no DESC",
            .row = column_row,
            .members = column_members,
            .save_stmt = column_save_stmt,
            .members_del = "DELETE FROM kb_column_answers WHERE column_id = ?",
            .member_ins = "INSERT INTO kb_column_answers(column_id, answer_id, pos) VALUES (?,?,?)",
            .record_del = "DELETE FROM kb_columns WHERE id = ?",
        },
    [KB_VOLUME] =
        {
            .one = "SELECT " VOLUME_COLS " FROM kb_volumes v" OWNER_JOIN("v") " WHERE v.id = ?1",
            .list = "SELECT " VOLUME_COLS ", count(*) OVER () FROM kb_volumes v" OWNER_JOIN("v"),
            .order = " ORDER BY v.id",
            .row = volume_row,
            .members = volume_members,
            .save_stmt = volume_save_stmt,
            .members_del = "DELETE FROM kb_volume_answers WHERE volume_id = ?",
            .member_ins = "INSERT INTO kb_volume_answers(volume_id, answer_id, pos) VALUES (?,?,?)",
            .record_del = "DELETE FROM kb_volumes WHERE id = ?",
        },
};

json_t *kb_store_collection_json(enum kb_kind kind, int64_t id, bool full)
{
    const struct kind *k = &kinds[kind];
    char day[16];
    struct sq_stmt *st = sq_db_stmt(k->one);
    json_t *o = NULL;
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    if (k->dated) {
        today(day);
        sq_bind_int(st, 2, full);
        sq_bind_text(st, 3, day);
    }
    if (sq_step(st) == SQ_ROW)
        o = k->row(st);
    sq_db_reset(st);
    if (o)
        k->members(o, id, full);
    return o;
}

enum sq_err kb_store_collection_list(enum kb_kind kind, const struct kb_collection_filter *f,
                                     const struct sq_page *p, json_t **items, int64_t *total,
                                     struct sq_detail *d)
{
    const struct kind *k = &kinds[kind];
    static const struct kb_collection_filter none = {.all = true};
    char day[16];
    int page = 1; /* the parameter number of the LIMIT */
    if (!f)
        f = &none;
    /* scheduled issues show to those who manage them: all, or the ones owned
     * inside a subtree where the caller holds kb.publish */
    struct kb_buf q = {0};
    kb_buf_adds(&q, k->list);
    if (k->dated) {
        kb_buf_adds(&q, " WHERE (?1 OR k.publish_date <= ?2");
        for (int i = 0; i < f->nscope && i < 16; i++)
            kb_buf_addf(&q, " OR substr(ou.path, 1, length(?%d)) = ?%d", 10 + i, 10 + i);
        kb_buf_adds(&q, ")");
        page = 3;
    }
    kb_buf_adds(&q, k->order);
    kb_buf_addf(&q, " LIMIT ?%d OFFSET ?%d", page, page + 1);
    struct sq_stmt *st = sq_db_stmt(q.p);
    kb_buf_free(&q);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    if (k->dated) {
        today(day);
        sq_bind_int(st, 1, f->all);
        sq_bind_text(st, 2, day);
        for (int i = 0; i < f->nscope && i < 16; i++)
            sq_bind_text(st, 10 + i, f->scope_paths[i]);
    }
    sq_bind_int(st, page, p->limit);
    sq_bind_int64(st, page + 1, p->offset);
    *items = json_array();
    *total = 0;
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        json_array_append_new(*items, k->row(st));
        *total = sq_col_int64(st, 9);
    }
    sq_db_reset(st);
    return rc == SQ_DONE ? SQ_OK : sq_db_last_error(d);
}

/* Replaces the answer list of a column or volume. */
static enum sq_err set_members(const char *del_sql, const char *ins_sql, int64_t id, json_t *ids,
                               struct sq_detail *d)
{
    enum sq_err e;
    struct sq_stmt *st = sq_db_stmt(del_sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if ((e = sq_db_exec_stmt(st, d)))
        return e;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        st = sq_db_stmt(ins_sql);
        sq_bind_int64(st, 1, id);
        sq_bind_int64(st, 2, json_integer_value(v));
        sq_bind_int64(st, 3, (int64_t)i + 1);
        if ((e = sq_db_exec_stmt(st, d))) {
            if (e == SQ_ECONFLICT)
                sq_fail(d, SQ_EINVAL, "answer_ids", "answer %lld is listed twice",
                        (long long)json_integer_value(v));
            return e;
        }
    }
    return SQ_OK;
}

enum sq_err kb_store_collection_save(enum kb_kind kind, int64_t *id, json_t *in, int64_t user_id,
                                     struct sq_detail *d)
{
    const struct kind *k = &kinds[kind];
    enum sq_err e;
    int64_t now = sq_clock_now();
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st = k->save_stmt(*id, in, user_id, now);
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_db_bind_id(st, 8, sq_json_int(in, "unit_id", 0));
    /* a new record returns its id; an update keeps *id */
    if ((e = *id ? sq_db_exec_stmt(st, d) : sq_db_exec_id(st, id, d))) {
        if (e == SQ_ECONFLICT && kind == KB_COLUMN)
            sq_fail(d, SQ_ECONFLICT, "issue_no", "column issue %lld already exists",
                    (long long)sq_json_int(in, "issue_no", 0));
        goto fail;
    }
    json_t *ids = json_object_get(in, "answer_ids");
    if (ids && (e = set_members(k->members_del, k->member_ins, *id, ids, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

static enum sq_err delete_pair(const char *a, const char *b, int64_t id, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    const char *sqls[] = {a, b};
    for (int i = 0; i < 2; i++) {
        struct sq_stmt *st = sq_db_stmt(sqls[i]);
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
        if (i == 1 && sq_db_changes() == 0) {
            e = sq_fail(d, SQ_ENOTFOUND, NULL, "no such record");
            goto fail;
        }
    }
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err kb_store_collection_delete(enum kb_kind kind, int64_t id, struct sq_detail *d)
{
    return delete_pair(kinds[kind].members_del, kinds[kind].record_del, id, d);
}

/* ---- printable volume ---- */

static void print_para(struct kb_buf *b, const char *label, const char *text)
{
    if (!text || !*text)
        return;
    kb_buf_addf(b, "<h4>%s</h4>\n<p>", label);
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            kb_buf_adds(b, "</p>\n<p>");
            continue;
        }
        char one[2] = {*p, 0};
        kb_buf_esc(b, one);
    }
    kb_buf_adds(b, "</p>\n");
}

char *kb_volume_print_html(int64_t id, size_t *len)
{
    /* the publication: published answers only, whoever prints it */
    json_t *v = kb_store_collection_json(KB_VOLUME, id, false);
    if (!v)
        return NULL;
    struct kb_buf b = {0};
    const char *title = json_string_value(json_object_get(v, "title"));
    kb_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>");
    kb_buf_esc(&b, title);
    kb_buf_adds(&b, "</title>\n<style>\nbody{font-family:\"Songti SC\",\"SimSun\",serif;max-width:"
                    "46em;margin:2em auto;line-height:1.7;color:#111}\nh1{text-align:center;"
                    "font-size:1.8em}\n.subtitle{text-align:center}\nnav ol{padding-left:1.2em}\n"
                    "section.answer{page-break-before:always}\nh2.chapter{page-break-before:always;"
                    "border-bottom:2px solid #b00}\nh4{margin:.8em 0 .2em}\n.meta{color:#555;"
                    "font-size:.9em}\n@media print{nav a{color:#111;text-decoration:none}}\n"
                    "</style>\n</head>\n<body>\n<header>\n<h1>");
    kb_buf_esc(&b, title);
    kb_buf_adds(&b, "</h1>\n");
    const char *sub = json_string_value(json_object_get(v, "subtitle"));
    if (sub) {
        kb_buf_adds(&b, "<p class=\"subtitle\">");
        kb_buf_esc(&b, sub);
        kb_buf_adds(&b, "</p>\n");
    }
    const char *ed = json_string_value(json_object_get(v, "edition"));
    if (ed) {
        kb_buf_adds(&b, "<p class=\"subtitle meta\">");
        kb_buf_esc(&b, ed);
        kb_buf_adds(&b, "</p>\n");
    }
    kb_buf_adds(&b, "</header>\n");
    print_para(&b, "前言", json_string_value(json_object_get(v, "preface")));
    /* table of contents */
    json_t *chapters = json_object_get(v, "chapters"), *ch, *ans;
    size_t i, j;
    kb_buf_adds(&b, "<nav>\n<h2>目录</h2>\n<ol>\n");
    int n = 0;
    json_array_foreach(chapters, i, ch)
    {
        kb_buf_addf(&b, "<li><a href=\"#ch%zu\">", i + 1);
        kb_buf_esc(&b, json_string_value(json_object_get(json_object_get(ch, "category"), "name")));
        kb_buf_adds(&b, "</a>\n<ol>\n");
        json_array_foreach(json_object_get(ch, "answers"), j, ans)
        {
            kb_buf_addf(&b, "<li><a href=\"#a%lld\">",
                        (long long)json_integer_value(json_object_get(ans, "id")));
            kb_buf_esc(&b, json_string_value(json_object_get(ans, "title")));
            kb_buf_adds(&b, "</a></li>\n");
            n++;
        }
        kb_buf_adds(&b, "</ol></li>\n");
    }
    kb_buf_adds(&b, "</ol>\n</nav>\n");
    /* one section per answer */
    json_array_foreach(chapters, i, ch)
    {
        kb_buf_addf(&b, "<h2 class=\"chapter\" id=\"ch%zu\">第%zu章　", i + 1, i + 1);
        kb_buf_esc(&b, json_string_value(json_object_get(json_object_get(ch, "category"), "name")));
        kb_buf_adds(&b, "</h2>\n");
        json_array_foreach(json_object_get(ch, "answers"), j, ans)
        {
            int64_t aid = json_integer_value(json_object_get(ans, "id"));
            json_t *a = kb_store_answer_json(aid);
            if (!a || strcmp(json_string_value(json_object_get(a, "status")), "published")) {
                json_decref(a); /* withdrawn between the two reads */
                continue;
            }
            kb_buf_addf(&b, "<section class=\"answer\" id=\"a%lld\">\n<h3>", (long long)aid);
            kb_buf_esc(&b, json_string_value(json_object_get(a, "title")));
            kb_buf_adds(&b, "</h3>\n<p class=\"meta\">");
            kb_buf_esc(&b, json_string_value(json_object_get(json_object_get(a, "unit"), "name")));
            json_t *su = json_object_get(a, "source_units"), *u;
            size_t k;
            json_array_foreach(su, k, u)
            {
                kb_buf_adds(&b, k ? "、" : "　应用单位：");
                kb_buf_esc(&b, json_string_value(json_object_get(u, "name")));
            }
            kb_buf_adds(&b, "</p>\n");
            print_para(&b, "问题", json_string_value(json_object_get(a, "problem")));
            print_para(&b, "举措", json_string_value(json_object_get(a, "measures")));
            print_para(&b, "成效", json_string_value(json_object_get(a, "result")));
            print_para(&b, "适用条件", json_string_value(json_object_get(a, "conditions")));
            kb_buf_adds(&b, "</section>\n");
            json_decref(a);
        }
    }
    kb_buf_addf(&b,
                "<footer class=\"meta\"><p>共 %d 篇。由三区融合治理平台生成。</p></footer>\n"
                "</body>\n</html>\n",
                n);
    json_decref(v);
    *len = b.len;
    return b.p;
}
