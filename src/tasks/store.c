/*
 * tasks store: every SQL statement on tasks, task_notes and
 * task_escalations, through the core/db.h statement API in the SQL subset
 * both engines run (docs/storage.md): bound parameters, integer epoch
 * times, RETURNING for new ids, no engine-only syntax.
 *
 * Subtree tests on owner_unit_path are ranges [prefix, prefix with its last
 * '/' made '0'): paths hold only digits and '/', so the range is exactly
 * the prefix set and the tasks_scope index finds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "tasks/tasks.h"
#include "units/paths.h"

/* The copy of units.path a task keeps (its owner unit's), rewritten by a
 * unit move (units/paths.h; listed in src/app.c). */
const struct sq_unit_path_copy tasks_unit_paths[] = {
    {"tasks", "owner_unit_path", "owner_unit_id"},
    {NULL, NULL, NULL},
};

#define TASK_COLS                                                                                  \
    "t.id, t.title, t.description, t.owner_unit_id, t.owner_unit_path, u.name, t.assignee_id, "    \
    "a.display_name, t.source_domain, t.source_id, t.state, t.created_by, t.created_at, "          \
    "t.updated_at, t.version, t.due_at, t.warn_at, t.next_escalation_at, t.warned, t.overdue, "    \
    "t.escalation_level, t.escalation_round, t.reopen_count, t.done_at, t.done_by, "               \
    "t.cancelled_at, t.evidence, t.evidence_url, t.evidence_attachment_id"
#define TASK_FROM                                                                                  \
    " FROM tasks t JOIN units u ON u.id = t.owner_unit_id LEFT JOIN users a ON a.id = "            \
    "t.assignee_id"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Fills t from a row of TASK_COLS (t is cleaned first by the caller). */
static void row_task(struct sq_stmt *st, struct sq_task *t)
{
    memset(t, 0, sizeof *t);
    t->id = sq_col_int64(st, 0);
    t->title = dup_or_null(sq_db_col_text(st, 1));
    t->description = dup_or_null(sq_db_col_text(st, 2));
    t->owner_unit_id = sq_col_int64(st, 3);
    snprintf(t->owner_unit_path, sizeof t->owner_unit_path, "%s", sq_db_col_text(st, 4));
    snprintf(t->owner_unit_name, sizeof t->owner_unit_name, "%s", sq_db_col_text(st, 5));
    t->assignee_id = sq_col_int64(st, 6);
    snprintf(t->assignee_name, sizeof t->assignee_name, "%s", sq_db_col_text(st, 7));
    snprintf(t->source_domain, sizeof t->source_domain, "%s", sq_db_col_text(st, 8));
    t->source_id = sq_col_int64(st, 9);
    t->state = sq_task_state_parse(sq_db_col_text(st, 10));
    t->created_by = sq_col_int64(st, 11);
    t->created_at = sq_col_int64(st, 12);
    t->updated_at = sq_col_int64(st, 13);
    t->version = sq_col_int64(st, 14);
    t->due_at = sq_col_int64(st, 15);
    t->warn_at = sq_col_int64(st, 16);
    t->next_escalation_at = sq_col_int64(st, 17);
    t->warned = sq_col_int(st, 18);
    t->overdue = sq_col_int(st, 19);
    t->escalation_level = sq_col_int(st, 20);
    t->escalation_round = sq_col_int(st, 21);
    t->reopen_count = sq_col_int(st, 22);
    t->done_at = sq_col_int64(st, 23);
    t->done_by = sq_col_int64(st, 24);
    t->cancelled_at = sq_col_int64(st, 25);
    t->evidence = dup_or_null(sq_col_text(st, 26));
    t->evidence_url = dup_or_null(sq_col_text(st, 27));
    t->evidence_attachment_id = sq_col_int64(st, 28);
}

enum sq_err tasks_store_get(int64_t id, struct sq_task *t, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " TASK_COLS TASK_FROM " WHERE t.id = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    int rc = sq_step(st);
    if (rc == SQ_ROW)
        row_task(st, t);
    sq_db_reset(st);
    if (rc == SQ_ROW)
        return SQ_OK;
    if (rc == SQ_STEP_ERROR)
        return sq_db_last_error(d);
    return sq_fail(d, SQ_ENOTFOUND, NULL, "没有编号为 %lld 的任务 / no task with id %lld",
                   (long long)id, (long long)id);
}

static enum sq_err add_note(int64_t task_id, const char *kind, int64_t actor_id, const char *body,
                            int64_t at, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO task_notes(task_id, kind, actor_id, body, "
                                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, task_id);
    sq_bind_text(st, 2, kind);
    sq_db_bind_id(st, 3, actor_id);
    sq_bind_text(st, 4, body ? body : "");
    sq_bind_int64(st, 5, at);
    return sq_db_exec_stmt(st, d);
}

enum sq_err tasks_store_insert(struct sq_task *t, int64_t actor_id, const char *note,
                               struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO tasks(title, description, owner_unit_id, owner_unit_path, assignee_id, "
        "source_domain, source_id, state, created_by, created_at, updated_at, version, due_at, "
        "warn_at, warned, overdue, escalation_level, escalation_round, next_escalation_at, "
        "done_at, done_by, evidence, evidence_url, evidence_attachment_id, cancelled_at, "
        "reopen_count) VALUES (?1, ?2, ?3, (SELECT path FROM units WHERE id = ?3), ?4, ?5, ?6, "
        "?7, ?8, ?9, ?9, 1, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
        "?23) RETURNING id, owner_unit_path");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_text(st, 1, t->title ? t->title : "");
    sq_bind_text(st, 2, t->description ? t->description : "");
    sq_bind_int64(st, 3, t->owner_unit_id);
    sq_db_bind_id(st, 4, t->assignee_id);
    sq_db_bind_text(st, 5, t->source_domain);
    if (t->source_domain[0])
        sq_bind_int64(st, 6, t->source_id);
    else
        sq_bind_null(st, 6);
    sq_bind_text_ref(st, 7, sq_task_state_name(t->state));
    sq_db_bind_id(st, 8, t->created_by);
    sq_bind_int64(st, 9, t->created_at);
    sq_bind_int64(st, 10, t->due_at);
    sq_db_bind_id(st, 11, t->warn_at);
    sq_bind_int(st, 12, t->warned);
    sq_bind_int(st, 13, t->overdue);
    sq_bind_int(st, 14, t->escalation_level);
    sq_bind_int(st, 15, t->escalation_round);
    sq_db_bind_id(st, 16, t->next_escalation_at);
    sq_db_bind_id(st, 17, t->done_at);
    sq_db_bind_id(st, 18, t->done_by);
    sq_db_bind_text(st, 19, t->evidence);
    sq_db_bind_text(st, 20, t->evidence_url);
    sq_db_bind_id(st, 21, t->evidence_attachment_id);
    sq_db_bind_id(st, 22, t->cancelled_at);
    sq_bind_int(st, 23, t->reopen_count);
    int rc = sq_step(st);
    if (rc == SQ_ROW) {
        t->id = sq_col_int64(st, 0);
        snprintf(t->owner_unit_path, sizeof t->owner_unit_path, "%s", sq_db_col_text(st, 1));
    }
    sq_db_reset(st);
    if (rc != SQ_ROW) {
        e = rc == SQ_STEP_ERROR ? sq_db_last_error(d) : sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    t->version = 1;
    t->updated_at = t->created_at;
    if ((e = add_note(t->id, "create", actor_id, note, t->created_at, d)) ||
        (e = tasks_publish(t, "create", actor_id, 0, t->created_at, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err tasks_store_apply(const struct sq_task *before, const struct sq_task *after,
                              const char *kind, int64_t actor_id, const char *body,
                              const struct sq_task_escalation *esc, int64_t at, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st = sq_db_stmt(
        "UPDATE tasks SET title = ?3, description = ?4, assignee_id = ?5, state = ?6, due_at = ?7, "
        "warn_at = ?8, warned = ?9, overdue = ?10, escalation_level = ?11, escalation_round = "
        "?12, next_escalation_at = ?13, done_at = ?14, done_by = ?15, evidence = ?16, "
        "evidence_url = ?17, evidence_attachment_id = ?18, cancelled_at = ?19, reopen_count = "
        "?20, updated_at = ?21, version = version + 1 WHERE id = ?1 AND version = ?2");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, before->id);
    sq_bind_int64(st, 2, before->version);
    sq_bind_text(st, 3, after->title ? after->title : "");
    sq_bind_text(st, 4, after->description ? after->description : "");
    sq_db_bind_id(st, 5, after->assignee_id);
    sq_bind_text_ref(st, 6, sq_task_state_name(after->state));
    sq_bind_int64(st, 7, after->due_at);
    sq_db_bind_id(st, 8, after->warn_at);
    sq_bind_int(st, 9, after->warned);
    sq_bind_int(st, 10, after->overdue);
    sq_bind_int(st, 11, after->escalation_level);
    sq_bind_int(st, 12, after->escalation_round);
    sq_db_bind_id(st, 13, after->next_escalation_at);
    sq_db_bind_id(st, 14, after->done_at);
    sq_db_bind_id(st, 15, after->done_by);
    sq_db_bind_text(st, 16, after->evidence);
    sq_db_bind_text(st, 17, after->evidence_url);
    sq_db_bind_id(st, 18, after->evidence_attachment_id);
    sq_db_bind_id(st, 19, after->cancelled_at);
    sq_bind_int(st, 20, after->reopen_count);
    sq_bind_int64(st, 21, at);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    if (sq_db_changes() != 1) {
        e = sq_fail(d, SQ_ECONFLICT, NULL,
                    "任务已被他人修改，请刷新后重试 / the task changed meanwhile: reload and try "
                    "again");
        goto fail;
    }
    if ((e = add_note(before->id, kind, actor_id, body, at, d)))
        goto fail;
    if (esc && esc->to_unit_id) {
        st = sq_db_stmt("INSERT INTO task_escalations(task_id, level, round, to_unit_id, due_at, "
                        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, before->id);
        sq_bind_int(st, 2, esc->level);
        sq_bind_int(st, 3, esc->round);
        sq_bind_int64(st, 4, esc->to_unit_id);
        sq_bind_int64(st, 5, esc->due_at);
        sq_bind_int64(st, 6, at);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    if ((e = tasks_publish(after, kind, actor_id, esc ? esc->to_unit_id : 0, at, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

/* ---- lists ---- */

/* Bound values of a composed query: text or integer, in placeholder order. */
struct binds {
    int n;
    const char *s[2 * SQ_MAX_GRANTS + 24];
    int64_t v[2 * SQ_MAX_GRANTS + 24];
    char end[SQ_MAX_GRANTS + 1][136]; /* range ends of path prefixes */
    int nend;
};

static int bind_text(struct binds *b, const char *s)
{
    b->s[b->n] = s;
    return ++b->n;
}

static int bind_int(struct binds *b, int64_t v)
{
    b->s[b->n] = NULL;
    b->v[b->n] = v;
    return ++b->n;
}

/* Appends "col >= ?a AND col < ?b" for the subtree of prefix. */
static void prefix_range(char *w, size_t cap, struct binds *b, const char *prefix)
{
    char *end = b->end[b->nend++];
    snprintf(end, sizeof b->end[0], "%s", prefix);
    size_t n = strlen(end);
    if (n)
        end[n - 1] = '0'; /* '/' + 1 */
    int lo = bind_text(b, prefix), hi = bind_text(b, end);
    size_t len = strlen(w);
    snprintf(w + len, cap - len, "(t.owner_unit_path >= ?%d AND t.owner_unit_path < ?%d)", lo, hi);
}

static void cat(char *w, size_t cap, const char *s)
{
    size_t len = strlen(w);
    snprintf(w + len, cap - len, "%s", s);
}

static void catf_int(char *w, size_t cap, const char *fmt, int n)
{
    size_t len = strlen(w);
    snprintf(w + len, cap - len, fmt, n);
}

static void where_of(const struct sq_task_filter *f, char *w, size_t cap, struct binds *b)
{
    snprintf(w, cap, " WHERE 1 = 1");
    if (f->scope_paths) {
        cat(w, cap, " AND (");
        if (!f->nscope)
            cat(w, cap, "1 = 0");
        for (int i = 0; i < f->nscope && i < SQ_MAX_GRANTS; i++) {
            if (i)
                cat(w, cap, " OR ");
            prefix_range(w, cap, b, f->scope_paths[i]);
        }
        cat(w, cap, ")");
    }
    if (f->unit_path) {
        cat(w, cap, " AND ");
        prefix_range(w, cap, b, f->unit_path);
    }
    /* With a subtree range the path index (tasks_scope) is the one to use;
     * "|| ''" and "+ 0" (portable) keep the planner off tasks_state, which
     * it would otherwise pick for the equality and then read every open
     * task of the district. */
    bool scoped = f->scope_paths || f->unit_path;
    if (f->nstates) {
        cat(w, cap, scoped ? " AND t.state || '' IN (" : " AND t.state IN (");
        for (int i = 0; i < f->nstates; i++)
            catf_int(w, cap, i ? ", ?%d" : "?%d", bind_text(b, f->states[i]));
        cat(w, cap, ")");
    }
    if (f->overdue >= 0)
        catf_int(w, cap, scoped ? " AND t.overdue + 0 = ?%d" : " AND t.overdue = ?%d",
                 bind_int(b, f->overdue));
    if (f->due_soon)
        cat(w, cap,
            scoped ? " AND t.warned + 0 = 1 AND t.overdue + 0 = 0 AND t.state || '' IN "
                     "('open','in_progress')"
                   : " AND t.warned = 1 AND t.overdue = 0 AND t.state IN ('open','in_progress')");
    if (f->due_from)
        catf_int(w, cap, " AND t.due_at >= ?%d", bind_int(b, f->due_from));
    if (f->due_to)
        catf_int(w, cap, " AND t.due_at < ?%d", bind_int(b, f->due_to));
    if (f->source_domain)
        catf_int(w, cap, " AND t.source_domain = ?%d", bind_text(b, f->source_domain));
    if (f->source_id)
        catf_int(w, cap, " AND t.source_id = ?%d", bind_int(b, f->source_id));
    if (f->assignee_id)
        catf_int(w, cap, " AND t.assignee_id = ?%d", bind_int(b, f->assignee_id));
}

static void bind_all(struct sq_stmt *st, const struct binds *b)
{
    for (int i = 0; i < b->n; i++) {
        if (b->s[i])
            sq_bind_text(st, i + 1, b->s[i]);
        else
            sq_bind_int64(st, i + 1, b->v[i]);
    }
}

static const char *const sorts[][2] = {
    {"due_at", "t.due_at, t.id"},
    {"-due_at", "t.due_at DESC, t.id DESC"},
    {"created_at", "t.created_at, t.id"},
    {"-created_at", "t.created_at DESC, t.id DESC"},
    {"updated_at", "t.updated_at, t.id"},
    {"-updated_at", "t.updated_at DESC, t.id DESC"},
    {"id", "t.id"},
    {"-id", "t.id DESC"},
};

enum sq_err tasks_store_list(const struct sq_task_filter *f, const struct sq_page *p,
                             sq_task_visit_fn fn, void *ctx, int64_t *total, struct sq_detail *d)
{
    struct binds b;
    const char *order = NULL;
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
        if (!strcmp(sorts[i][0], f->sort ? f->sort : "due_at"))
            order = sorts[i][1];
    if (!order)
        return sq_fail(d, SQ_EINVAL, "sort",
                       "sort 须为 due_at、created_at、updated_at 或 id（前加 - 为降序）/ sort "
                       "must be due_at, created_at, updated_at or id (prefix - for descending)");
    memset(&b, 0, sizeof b);
    char w[4096], sql[6144];
    where_of(f, w, sizeof w, &b);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tasks t%s", w);
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_all(st, &b);
    int rc = sq_step(st);
    *total = rc == SQ_ROW ? sq_col_int64(st, 0) : 0;
    sq_db_reset(st);
    if (rc == SQ_STEP_ERROR)
        return sq_db_last_error(d);
    int lim = bind_int(&b, p->limit), off = bind_int(&b, p->offset);
    snprintf(sql, sizeof sql, "SELECT " TASK_COLS TASK_FROM "%s ORDER BY %s LIMIT ?%d OFFSET ?%d",
             w, order, lim, off);
    if (!(st = sq_db_stmt(sql)))
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_all(st, &b);
    while ((rc = sq_step(st)) == SQ_ROW) {
        struct sq_task t;
        row_task(st, &t);
        fn(&t, ctx);
        sq_task_cleanup(&t);
    }
    enum sq_err e = rc == SQ_DONE ? SQ_OK : sq_db_last_error(d);
    sq_db_reset(st);
    return e;
}

enum sq_err tasks_store_notes(int64_t task_id, void (*fn)(const struct sq_task_note *, void *),
                              void *ctx)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT n.id, n.actor_id, n.created_at, n.kind, n.body, u.display_name FROM "
                   "task_notes n LEFT JOIN users u ON u.id = n.actor_id WHERE n.task_id = ?1 "
                   "ORDER BY n.id");
    if (!st)
        return SQ_EDB;
    sq_bind_int64(st, 1, task_id);
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        struct sq_task_note n = {
            .id = sq_col_int64(st, 0),
            .actor_id = sq_col_int64(st, 1),
            .created_at = sq_col_int64(st, 2),
            .kind = sq_db_col_text(st, 3),
            .body = sq_db_col_text(st, 4),
            .actor_name = sq_db_col_text(st, 5),
        };
        fn(&n, ctx);
    }
    sq_db_reset(st);
    return rc == SQ_DONE ? SQ_OK : SQ_EDB;
}

enum sq_err tasks_store_escalations(int64_t task_id,
                                    void (*fn)(const struct sq_task_escalation_row *, void *),
                                    void *ctx)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT e.id, e.to_unit_id, e.due_at, e.created_at, e.level, e.round, u.name "
                   "FROM task_escalations e JOIN units u ON u.id = e.to_unit_id WHERE "
                   "e.task_id = ?1 ORDER BY e.id");
    if (!st)
        return SQ_EDB;
    sq_bind_int64(st, 1, task_id);
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        struct sq_task_escalation_row r = {
            .id = sq_col_int64(st, 0),
            .to_unit_id = sq_col_int64(st, 1),
            .due_at = sq_col_int64(st, 2),
            .created_at = sq_col_int64(st, 3),
            .level = sq_col_int(st, 4),
            .round = sq_col_int(st, 5),
            .to_unit_name = sq_db_col_text(st, 6),
        };
        fn(&r, ctx);
    }
    sq_db_reset(st);
    return rc == SQ_DONE ? SQ_OK : SQ_EDB;
}

/* ---- the scheduler ---- */

int tasks_store_due(enum sq_task_tick which, int64_t now, int64_t *ids, int max)
{
    const char *sql;
    switch (which) {
    case SQ_TT_WARN:
        sql = "SELECT id FROM tasks WHERE warned = 0 AND state IN ('open','in_progress') AND "
              "warn_at <= ?1 ORDER BY warn_at, id LIMIT ?2";
        break;
    case SQ_TT_OVERDUE:
        sql = "SELECT id FROM tasks WHERE overdue = 0 AND state IN ('open','in_progress') AND "
              "due_at <= ?1 ORDER BY due_at, id LIMIT ?2";
        break;
    case SQ_TT_ESCALATE:
        sql = "SELECT id FROM tasks WHERE next_escalation_at IS NOT NULL AND next_escalation_at "
              "<= ?1 ORDER BY next_escalation_at, id LIMIT ?2";
        break;
    default:
        return 0;
    }
    struct sq_stmt *st = sq_db_stmt(sql);
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, now);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW)
        ids[n++] = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}
