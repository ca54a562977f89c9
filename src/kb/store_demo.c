/*
 * kb store, demo: the few statements of the synthetic answer library
 * (kb/demo.c) that no store function of the product covers: look-ups by
 * code, the appeals an answer may be linked to, and an answer set as if it
 * had been through review.
 */
#include <stdio.h>

#include "appeals/appeals.h"
#include "core/db.h"
#include "kb/kb.h"

int64_t kb_demo_store_category_id(const char *code)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id FROM categories WHERE code = ?");
    int64_t id = 0;
    if (!st)
        return 0;
    sq_bind_text(st, 1, code);
    if (sq_step(st) == SQ_ROW)
        id = sq_col_int64(st, 0);
    sq_db_reset(st);
    return id;
}

int kb_demo_store_unit(int64_t unit, char *name, size_t name_cap, char *path, size_t path_cap,
                       struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT name, path FROM units WHERE id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error"), -1;
    sq_bind_int64(st, 1, unit);
    if (sq_step(st) == SQ_ROW) {
        snprintf(name, name_cap, "%s", sq_db_col_text(st, 0));
        snprintf(path, path_cap, "%s", sq_db_col_text(st, 1));
    }
    sq_db_reset(st);
    return 0;
}

/* The unary + keeps SQLite off the category and status indexes (which
 * would gather every appeal of the category and sort them): walking the
 * table newest first stops after a few dozen rows. */
int kb_demo_store_unlinked_appeals(int64_t cat, int64_t *ids, int max)
{
    int n = 0;
    struct sq_stmt *st = sq_db_stmt(
        "SELECT a.id FROM appeals a WHERE +a.category_id IN (SELECT id FROM categories WHERE id "
        "= ?1 OR parent_id = ?1) AND +a.status IN " SQ_APPEAL_DONE_SQL " AND NOT "
        "EXISTS (SELECT 1 FROM kb_answer_appeals l WHERE l.appeal_id = a.id) ORDER BY a.id DESC "
        "LIMIT 5");
    if (!st)
        return 0;
    sq_bind_int64(st, 1, cat);
    while (n < max && sq_step(st) == SQ_ROW)
        ids[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

int kb_demo_store_publish(int64_t id, const char *status, int64_t reviewer, int64_t pub,
                          int deflect, int reuse, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE kb_answers SET status = ?2, reviewer_id = CASE WHEN ?2 = 'published' THEN ?3 "
        "END, published_at = CASE WHEN ?2 = 'published' THEN ?4 END, submitted_at = CASE WHEN "
        "?2 <> 'draft' THEN ?4 - 86400 END, deflect_count = ?5, reuse_count = reuse_count + ?6 "
        "WHERE id = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error"), -1;
    sq_bind_int64(st, 1, id);
    sq_bind_text_ref(st, 2, status);
    sq_db_bind_id(st, 3, reviewer);
    sq_bind_int64(st, 4, pub);
    sq_bind_int(st, 5, deflect);
    sq_bind_int(st, 6, reuse);
    return sq_db_exec_stmt(st, d) ? -1 : 0;
}
