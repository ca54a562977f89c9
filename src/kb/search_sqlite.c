/*
 * kb search, the SQLite engine (kb/search_engine.h): full-text search over
 * answers and appeals, similar-case suggestions and the appeals index, on
 * the FTS5 tables of 005_kb.sql and 008_open_fts.sql (tokenizer sanqu_cjk).
 * With the tokenizer (cjk_tokenizer.c) and sq_rank (search_sqlite_rank.c)
 * this is the one kb module that may use SQLite itself; its statements still
 * go through core/db.h.
 *
 * The bounded-ranking rule (docs/search.md): answers are few and ranked in
 * full. For appeals, one query walks the matches newest first (FTS5
 * iterates a doclist backwards cheaply) after the filters and scope, taking
 * sq_rank() of each (bm25 without the per-query idf scan, kb/search_sqlite_rank.c), and
 * stops at KB_RANK_WINDOW; the window is sorted in memory
 * and only the page is read from the appeals table. So the work of a very
 * common term is bounded by the window, not by the hundreds of thousands of
 * appeals it matches. Suggestions look for likely duplicates in the small
 * index of open appeals (appeals_open_fts), where every match is ranked.
 *
 * Scope: anonymous callers see published answers only; people see their own
 * appeals (creator or collector); staff with appeal-read rights see the
 * appeals handled in their subtrees (handler_unit_path prefix); a grant at
 * the district root sees all. SQL text is assembled from fixed fragments and
 * placeholders only; every value is bound.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/db_sqlite.h"
#include "core/log.h"
#include "kb/cjk_tokenizer.h"
#include "appeals/perms.h"
#include "kb/kb.h"
#include "kb/search_engine.h"
#include "kb/search_sqlite.h"
#include "units/units.h"

/* Placeholders used by the appeals queries. */
enum {
    P_MATCH = 1,
    P_CAT,
    P_UNIT,
    P_FROM,
    P_TO,
    P_ME,
    P_EXCL,
    P_LIMIT,
    P_SCOPE0 = 20, /* ..51 */
    P_FLOOR = 52   /* the oldest open match looked at (rowid), suggestions */
};

/* The rowid of the (window+1)-th most recent match of the index, or 0 when
 * it has no more than window matches: walking the doclist newest first
 * reads no row, so this costs little beside the query it bounds. */
static int64_t scan_floor(const char *index, const char *match, int window)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT rowid FROM %s WHERE %s MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2", index,
             index);
    struct sq_stmt *st = sq_db_stmt(sql);
    int64_t oldest = 0;
    if (!st)
        return 0;
    sq_bind_text(st, 1, match);
    sq_bind_int(st, 2, window);
    if (sq_step(st) == SQ_ROW)
        oldest = sq_col_int64(st, 0);
    sq_db_reset(st);
    return oldest;
}

static void add_time(json_t *o, const char *key, int64_t t)
{
    char iso[32];
    if (!t) {
        json_object_set_new(o, key, json_null());
        return;
    }
    sq_clock_iso(t, iso);
    json_object_set_new(o, key, json_string(iso));
}

struct terms {
    char **v;
    int n;
};

static json_t *snip(const char *text, const struct terms *t, int max_chars)
{
    char *h = kb_snippet_html(text, t->v, t->n, max_chars);
    json_t *v = json_string(h);
    free(h);
    return v;
}

/* The snippet of the first text with a hit, else the start of the first. */
static json_t *snip_best(const char *a, const char *b, const struct terms *t)
{
    for (int i = 0; i < t->n; i++)
        if (strstr(a, t->v[i]))
            return snip(a, t, 80);
    for (int i = 0; b && i < t->n; i++)
        if (strstr(b, t->v[i]))
            return snip(b, t, 80);
    return snip(a, t, 80);
}

/* ---- the answers of searches and suggestions, cached ---- */

/* The answers' generation: bumped by every change to kb_answers or
 * categories on any connection (SQLite's update hook, kb_fts_register), and
 * again once that change has committed, so a result computed from the old
 * rows in between is never kept. The library changes rarely (an edit, a
 * review, a reuse count); suggestions ask for the same terms again and
 * again (every pause while typing, the same problem from many residents). */
static atomic_uint_fast64_t answers_gen = 1;

static void answers_bump(void *unused)
{
    (void)unused;
    atomic_fetch_add(&answers_gen, 1);
}

void kb_answers_changed(const char *table)
{
    if (strcmp(table, "kb_answers") && strcmp(table, "categories"))
        return;
    answers_bump(NULL);
    if (sq_db_in_tx())
        sq_db_on_commit(answers_bump, NULL);
}

#define ANSWER_CACHE_SLOTS 256 /* power of two */
struct answer_slot {
    char *key;
    uint64_t gen;
    json_t *answers;
};
static struct answer_slot answer_cache[ANSWER_CACHE_SLOTS];
static pthread_mutex_t answer_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t key_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* A copy of the cached answers for key, or NULL. */
static json_t *answer_cache_get(const char *key, uint64_t gen)
{
    json_t *out = NULL;
    struct answer_slot *sl = &answer_cache[key_hash(key) & (ANSWER_CACHE_SLOTS - 1)];
    pthread_mutex_lock(&answer_lock);
    if (sl->key && sl->gen == gen && !strcmp(sl->key, key))
        out = json_deep_copy(sl->answers);
    pthread_mutex_unlock(&answer_lock);
    return out;
}

static void answer_cache_put(const char *key, uint64_t gen, json_t *answers)
{
    struct answer_slot *sl = &answer_cache[key_hash(key) & (ANSWER_CACHE_SLOTS - 1)];
    char *k = strdup(key);
    json_t *copy = json_deep_copy(answers);
    if (!k || !copy) {
        free(k);
        json_decref(copy);
        return;
    }
    pthread_mutex_lock(&answer_lock);
    if (gen == atomic_load(&answers_gen)) {
        free(sl->key);
        json_decref(sl->answers);
        sl->key = k;
        sl->gen = gen;
        sl->answers = copy;
        k = NULL;
        copy = NULL;
    }
    pthread_mutex_unlock(&answer_lock);
    free(k);
    json_decref(copy);
}

/* SANQU_KB_ANSWER_CACHE=0 turns the cache off (to measure the query). */
static bool answer_cache_on(void)
{
    static int on = -1;
    if (on < 0) {
        const char *v = getenv("SANQU_KB_ANSWER_CACHE");
        on = !(v && !strcmp(v, "0"));
    }
    return on;
}

void kb_answer_cache_free(void)
{
    pthread_mutex_lock(&answer_lock);
    for (int i = 0; i < ANSWER_CACHE_SLOTS; i++) {
        free(answer_cache[i].key);
        json_decref(answer_cache[i].answers);
        answer_cache[i] = (struct answer_slot){0};
    }
    pthread_mutex_unlock(&answer_lock);
}

/* ---- answers ---- */

static enum sq_err search_answers_query(const char *match, const struct terms *tm,
                                        const struct kb_search *s, json_t *items, int64_t *total,
                                        struct sq_detail *d);

/* Appends a page of answers to items; the same query gives the same page
 * until an answer or category changes (the cache above). */
static enum sq_err search_answers(const char *match, const struct terms *tm,
                                  const struct kb_search *s, json_t *items, int64_t *total,
                                  struct sq_detail *d)
{
    uint64_t gen = atomic_load(&answers_gen);
    char *key = NULL;
    if (answer_cache_on() &&
        asprintf(&key, "S|%lld|%s|%lld|%lld|%d|%d|%lld|%s", (long long)s->category_id,
                 s->unit_path ? s->unit_path : "", (long long)s->from, (long long)s->to, s->by_time,
                 s->limit, (long long)s->offset, match) < 0)
        key = NULL;
    json_t *hit = key ? answer_cache_get(key, gen) : NULL;
    if (hit) {
        json_array_extend(items, json_object_get(hit, "items"));
        *total = json_integer_value(json_object_get(hit, "total"));
        json_decref(hit);
        free(key);
        return SQ_OK;
    }
    json_t *page = json_array();
    enum sq_err e = search_answers_query(match, tm, s, page, total, d);
    if (!e && key) {
        json_t *v = json_pack("{s:O,s:I}", "items", page, "total", (json_int_t)*total);
        answer_cache_put(key, gen, v);
        json_decref(v);
    }
    if (!e)
        json_array_extend(items, page);
    json_decref(page);
    free(key);
    return e;
}

static enum sq_err search_answers_query(const char *match, const struct terms *tm,
                                        const struct kb_search *s, json_t *items, int64_t *total,
                                        struct sq_detail *d)
{
    static const char *where =
        " FROM kb_answers_fts CROSS JOIN kb_answers a ON a.id = kb_answers_fts.rowid JOIN "
        "categories c ON c.id = a.category_id WHERE kb_answers_fts MATCH ?1 AND a.status = "
        "'published' AND (?2 = 0 OR a.category_id = ?2 OR a.category_id = (SELECT parent_id "
        "FROM categories WHERE id = ?2)) AND (?3 IS NULL OR substr(a.unit_path, 1, "
        "length(?3)) = ?3) AND (?4 = 0 OR a.published_at >= ?4) AND (?5 = 0 OR a.published_at "
        "< ?5)";
    char sql[1400];
    snprintf(sql, sizeof sql, "SELECT a.id, bm25(kb_answers_fts, 5.0, 2.0, 1.0)%s ORDER BY %s",
             where, s->by_time ? "a.published_at DESC, a.id DESC" : "2, a.id DESC");
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, match);
    sq_bind_int64(st, 2, s->category_id);
    sq_db_bind_text(st, 3, s->unit_path);
    sq_bind_int64(st, 4, s->from);
    sq_bind_int64(st, 5, s->to);
    /* one pass: every match is counted, the page's ids are kept */
    int64_t page[100];
    double score[100];
    int npage = 0, rc;
    *total = 0;
    while ((rc = sq_step(st)) == SQ_ROW) {
        if (*total >= s->offset && npage < s->limit && npage < 100) {
            page[npage] = sq_col_int64(st, 0);
            score[npage++] = sq_col_double(st, 1);
        }
        (*total)++;
    }
    sq_db_reset(st);
    if (rc != SQ_DONE)
        return sq_db_last_error(d);
    st = sq_db_stmt("SELECT a.title, a.category_id, c.name, a.problem, a.measures, "
                    "a.published_at, a.reuse_count, a.deflect_count FROM kb_answers a JOIN "
                    "categories c ON c.id = a.category_id WHERE a.id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    for (int i = 0; i < npage; i++) {
        sq_bind_int64(st, 1, page[i]);
        if (sq_step(st) == SQ_ROW) {
            json_t *o =
                json_pack("{s:s,s:I,s:s,s:{s:I,s:s},s:o,s:o,s:f,s:I,s:I}", "type", "answer", "id",
                          (json_int_t)page[i], "title", sq_db_col_text(st, 0), "category", "id",
                          (json_int_t)sq_col_int64(st, 1), "name", sq_db_col_text(st, 2),
                          "title_html", snip(sq_db_col_text(st, 0), tm, 0), "snippet_html",
                          snip_best(sq_db_col_text(st, 3), sq_db_col_text(st, 4), tm), "score",
                          -score[i], "reuse_count", (json_int_t)sq_col_int64(st, 6),
                          "deflect_count", (json_int_t)sq_col_int64(st, 7));
            add_time(o, "published_at", sq_col_int64(st, 5));
            json_array_append_new(items, o);
        }
        sq_db_reset(st);
    }
    sq_db_reset(st);
    return SQ_OK;
}

/* ---- appeals ---- */

struct appeal_q {
    const char *match;
    int64_t category_id;
    const char *unit_path;
    int64_t from, to;
    const struct kb_scope *sc; /* NULL: no scope test */
};

/* Whether the query needs the appeals row (a filter or a scope test) or can
 * be answered from the full-text index alone. */
static bool appeal_q_needs_row(const struct appeal_q *q)
{
    return q->category_id || q->unit_path || q->from || q->to || (q->sc && !q->sc->all_appeals);
}

/* The category (a top-level one covers its children, ?P_CAT) and location
 * (the unit subtree of path ?P_UNIT) filters of appeal search and of likely
 * duplicates; col prefixes the column names ("a." for the appeals table,
 * "+" on the open index so SQLite does not run the match once per value). */
static void place_filters(struct kb_buf *b, const char *col, bool category, bool unit)
{
    if (category)
        kb_buf_addf(b,
                    " AND (%scategory_id = ?%d OR %scategory_id IN (SELECT id FROM categories "
                    "WHERE parent_id = ?%d))",
                    col, P_CAT, col, P_CAT);
    if (unit)
        kb_buf_addf(b,
                    " AND %sunit_id IN (SELECT id FROM units WHERE path >= ?%d AND path < "
                    "?%d || '~')",
                    col, P_UNIT, P_UNIT);
}

/* FROM and WHERE of appeal search: the match, then only the filters the
 * query has. A district-wide caller without filters reads the index alone. */
static void appeal_where(struct kb_buf *b, const struct appeal_q *q)
{
    kb_buf_adds(b, appeal_q_needs_row(q) ? " FROM appeals_fts f JOIN appeals a ON a.id = f.rowid"
                                         : " FROM appeals_fts f");
    kb_buf_addf(b, " WHERE appeals_fts MATCH ?%d", P_MATCH);
    place_filters(b, "a.", q->category_id != 0, q->unit_path != NULL);
    if (q->from)
        kb_buf_addf(b, " AND a.created_at >= ?%d", P_FROM);
    if (q->to)
        kb_buf_addf(b, " AND a.created_at < ?%d", P_TO);
    const struct kb_scope *sc = q->sc;
    if (!sc || sc->all_appeals)
        return;
    kb_buf_addf(b, " AND (a.creator_id = ?%d OR a.collector_id = ?%d", P_ME, P_ME);
    for (int i = 0; i < sc->npaths; i++)
        kb_buf_addf(b, " OR substr(a.handler_unit_path, 1, length(?%d)) = ?%d", P_SCOPE0 + i,
                    P_SCOPE0 + i);
    kb_buf_adds(b, ")");
}

/* Binds the values appeal_where used (binding one it did not use is a
 * harmless range error). */
static void bind_appeal(struct sq_stmt *st, const struct appeal_q *q)
{
    sq_bind_text(st, P_MATCH, q->match);
    if (q->category_id)
        sq_bind_int64(st, P_CAT, q->category_id);
    if (q->unit_path)
        sq_bind_text(st, P_UNIT, q->unit_path);
    if (q->from)
        sq_bind_int64(st, P_FROM, q->from);
    if (q->to)
        sq_bind_int64(st, P_TO, q->to);
    if (q->sc && !q->sc->all_appeals) {
        sq_bind_int64(st, P_ME, q->sc->user_id ? q->sc->user_id : -1);
        for (int i = 0; i < q->sc->npaths; i++)
            sq_bind_text(st, P_SCOPE0 + i, q->sc->paths[i]);
    }
}

struct hit {
    int64_t id;
    double score; /* bm25: lower is better */
};

static int hit_cmp(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0; /* newer first */
}

/* One appeal of a result page, read by id after ranking. */
static json_t *appeal_item(int64_t id, double score, const struct terms *tm)
{
    struct sq_stmt *st = sq_db_stmt("SELECT tracking_no, title, status, category_id, unit_id, "
                                    "created_at, description FROM appeals WHERE id = ?");
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    json_t *o = NULL;
    if (sq_step(st) == SQ_ROW) {
        o = json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:f}", "type", "appeal", "id",
                      (json_int_t)id, "tracking_no", sq_db_col_text(st, 0), "title",
                      sq_db_col_text(st, 1), "status", sq_db_col_text(st, 2), "category_id",
                      (json_int_t)sq_col_int64(st, 3), "unit_id", (json_int_t)sq_col_int64(st, 4),
                      "title_html", snip(sq_db_col_text(st, 1), tm, 0), "snippet_html",
                      snip(sq_db_col_text(st, 6), tm, 80), "score", -score);
        add_time(o, "created_at", sq_col_int64(st, 5));
    }
    sq_db_reset(st);
    return o;
}

/* Appeal search in one pass over the index: the matches newest first (FTS5
 * walks a doclist backwards cheaply), filters and scope applied, bm25 taken
 * for each, stopping after KB_RANK_WINDOW; the window is sorted here and
 * only the requested page is read from the appeals table. */
static enum sq_err search_appeals(const char *match, const struct terms *tm,
                                  const struct kb_search *s, const struct kb_scope *sc,
                                  json_t *items, int64_t *total, bool *capped, struct sq_detail *d)
{
    struct appeal_q q = {match, s->category_id, s->unit_path, s->from, s->to, sc};
    struct kb_buf b = {0};
    kb_buf_addf(&b, "SELECT f.rowid, %s", s->by_time ? "0.0" : "sq_rank(appeals_fts, 3.0, 1.0)");
    appeal_where(&b, &q);
    kb_buf_addf(&b, " ORDER BY f.rowid DESC LIMIT ?%d", P_LIMIT);
    struct sq_stmt *st = sq_db_stmt(b.p);
    kb_buf_free(&b);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_appeal(st, &q);
    sq_bind_int(st, P_LIMIT, KB_RANK_WINDOW + 1);
    struct hit *hits = malloc((KB_RANK_WINDOW + 1) * sizeof *hits);
    if (!hits)
        sq_fatal("out of memory");
    int n = 0, rc;
    while ((rc = sq_step(st)) == SQ_ROW && n <= KB_RANK_WINDOW) {
        hits[n].id = sq_col_int64(st, 0);
        hits[n].score = sq_col_double(st, 1);
        n++;
    }
    sq_db_reset(st);
    if (rc != SQ_DONE && rc != SQ_ROW) {
        free(hits);
        return sq_db_last_error(d);
    }
    *capped = n > KB_RANK_WINDOW;
    if (*capped)
        n = KB_RANK_WINDOW;
    *total = n;
    if (!s->by_time)
        qsort(hits, (size_t)n, sizeof *hits, hit_cmp);
    for (int64_t i = s->offset; i < n && i < s->offset + s->limit; i++) {
        json_t *o = appeal_item(hits[i].id, hits[i].score, tm);
        if (o)
            json_array_append_new(items, o);
    }
    free(hits);
    return SQ_OK;
}

enum sq_err kb_search_run(const struct kb_search *s, const struct kb_scope *sc, json_t **items,
                          int64_t *total, bool *capped, struct sq_detail *d)
{
    *items = json_array();
    *total = 0;
    *capped = false;
    char *match = sq_cjk_build_query(s->q);
    if (!match)
        return SQ_OK; /* nothing indexable: no results, no query */
    enum sq_err e = SQ_OK;
    int64_t n = 0;
    struct terms tm;
    tm.n = kb_match_terms(match, &tm.v);
    if (s->answers) {
        e = search_answers(match, &tm, s, *items, &n, d);
        *total += n;
    }
    bool may_appeals = sc->all_appeals || sc->user_id || sc->npaths;
    if (!e && s->appeals && may_appeals) {
        bool cap = false;
        e = search_appeals(match, &tm, s, sc, *items, &n, &cap, d);
        *total += n;
        *capped = cap;
    }
    kb_terms_free(tm.v, tm.n);
    free(match);
    return e;
}

/* ---- suggestions ---- */

/* The place an appeal "near" a unit shares: its street-level ancestor (the
 * second element of the path), or the unit itself at the top levels. */
static void near_path(const char *path, char *out, size_t cap)
{
    int slashes = 0;
    size_t i = 0;
    for (; path[i]; i++)
        if (path[i] == '/' && ++slashes == 3)
            break;
    snprintf(out, cap, "%.*s", (int)(path[i] ? i + 1 : i), path);
}

/* Candidates ranked for "likely duplicates": the most recent matches among
 * the open appeals near the unit (a surge of one problem can leave
 * thousands open at once; the newest are the likely duplicates). */
#define SUGGEST_WINDOW 200
/* Likely duplicates read from the appeals table to list the readable ones. */
#define SUGGEST_LIST_SCAN 50
/* Answers taken by bm25 alone before the category boost re-ranks them. */
#define SUGGEST_ANSWER_POOL 200

/* Appends the suggested answers for the match to `answers`. */
static enum sq_err suggest_answers(const char *match, const struct terms *tm, int64_t top, int k,
                                   json_t *answers, struct sq_detail *d)
{
    uint64_t gen = atomic_load(&answers_gen);
    char *key = NULL;
    if (answer_cache_on() && asprintf(&key, "%lld|%d|%s", (long long)top, k, match) < 0)
        key = NULL;
    json_t *hit = key ? answer_cache_get(key, gen) : NULL;
    if (hit) {
        json_array_extend(answers, hit);
        json_decref(hit);
        free(key);
        return SQ_OK;
    }
    enum sq_err e = SQ_OK;
    struct sq_stmt *st = sq_db_stmt(
        "SELECT a.id, a.title, a.category_id, c.name, a.problem, m.r * (CASE WHEN "
        "a.category_id = ?2 THEN 1.5 ELSE 1.0 END) AS s, a.reuse_count, a.deflect_count FROM "
        "(SELECT rowid, bm25(kb_answers_fts, 5.0, 2.0, 1.0) AS r FROM kb_answers_fts WHERE "
        "kb_answers_fts MATCH ?1 ORDER BY r LIMIT ?3) m JOIN kb_answers a ON a.id = m.rowid "
        "JOIN categories c ON c.id = a.category_id WHERE a.status = 'published' ORDER BY s, "
        "a.id LIMIT ?5");
    if (!st) {
        free(key);
        return sq_fail(d, SQ_EDB, NULL, "database error");
    }
    sq_bind_text(st, 1, match);
    sq_bind_int64(st, 2, top);
    sq_bind_int(st, 3, SUGGEST_ANSWER_POOL);
    sq_bind_int(st, 5, k);
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW)
        json_array_append_new(
            answers,
            json_pack("{s:I,s:s,s:{s:I,s:s},s:o,s:f,s:I,s:I}", "id",
                      (json_int_t)sq_col_int64(st, 0), "title", sq_db_col_text(st, 1), "category",
                      "id", (json_int_t)sq_col_int64(st, 2), "name", sq_db_col_text(st, 3),
                      "snippet_html", snip(sq_db_col_text(st, 4), tm, 60), "score",
                      -sq_col_double(st, 5), "reuse_count", (json_int_t)sq_col_int64(st, 6),
                      "deflect_count", (json_int_t)sq_col_int64(st, 7)));
    sq_db_reset(st);
    if (rc != SQ_DONE)
        e = sq_db_last_error(d);
    else if (key)
        answer_cache_put(key, gen, answers);
    free(key);
    return e;
}

enum sq_err kb_suggest_run(const struct kb_suggest *s, const struct kb_scope *sc, json_t **out,
                           struct sq_detail *d)
{
    json_t *answers = json_array(), *appeals = json_array();
    int64_t similar = 0;
    enum sq_err e = SQ_OK;
    char *match = kb_similar_query(s->text, KB_SIMILAR_MAX_TERMS);
    struct terms tm = {NULL, 0};
    tm.n = kb_match_terms(match, &tm.v);
    int64_t top = s->category_id ? kb_store_category_top(s->category_id) : 0;
    char near[160] = "";
    if (!match)
        goto done;
    /* answers: the SUGGEST_ANSWER_POOL best by bm25 over the whole library,
     * ranked inside the full-text index (no row read for the others), then
     * the published ones re-ranked with the same-category boost; the same
     * terms give the same answers until an answer or category changes */
    if ((e = suggest_answers(match, &tm, top, s->k, answers, d)))
        goto done;
    /* open appeals near the unit (likely duplicates): the small index of
     * open appeals (008_open_fts.sql), whose unit and category columns the
     * filters read (the unary + keeps SQLite from running the match once per
     * unit of the IN list); its newest matches ranked by bm25 */
    if (s->unit_id) {
        struct sq_unit u;
        if (units_store_get(s->unit_id, &u, NULL) == SQ_OK)
            near_path(u.path, near, sizeof near);
    }
    struct kb_buf b = {0};
    kb_buf_addf(&b,
                "SELECT rowid, sq_bm25c(appeals_open_fts, ?%d, 3.0, 1.0) AS s FROM "
                "appeals_open_fts WHERE appeals_open_fts MATCH ?%d AND rowid <> ?%d",
                P_MATCH, P_MATCH, P_EXCL);
    /* with a filter, the KB_SUGGEST_SCAN most recent open matches at most */
    int64_t oldest = top || near[0] ? scan_floor("appeals_open_fts", match, KB_SUGGEST_SCAN) : 0;
    if (oldest)
        kb_buf_addf(&b, " AND rowid >= ?%d", P_FLOOR);
    place_filters(&b, "+", top != 0, near[0] != 0);
    kb_buf_addf(&b, " ORDER BY rowid DESC LIMIT ?%d", P_LIMIT);
    struct sq_stmt *st = sq_db_stmt(b.p);
    int rc;
    kb_buf_free(&b);
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto done;
    }
    sq_bind_text(st, P_MATCH, match);
    sq_bind_int64(st, P_EXCL, s->exclude_appeal_id);
    if (oldest)
        sq_bind_int64(st, P_FLOOR, oldest);
    if (top)
        sq_bind_int64(st, P_CAT, top);
    if (near[0])
        sq_bind_text(st, P_UNIT, near);
    sq_bind_int(st, P_LIMIT, SUGGEST_WINDOW);
    /* the SUGGEST_WINDOW most recent matches, ranked here; "likely
     * duplicates" = those scoring at least half the best one, counted from
     * the index alone */
    struct hit hits[SUGGEST_WINDOW];
    int n = 0;
    while ((rc = sq_step(st)) == SQ_ROW && n < SUGGEST_WINDOW) {
        hits[n].id = sq_col_int64(st, 0);
        hits[n++].score = sq_col_double(st, 1);
    }
    sq_db_reset(st);
    if (rc != SQ_DONE && rc != SQ_ROW) {
        e = sq_db_last_error(d);
        goto done;
    }
    qsort(hits, (size_t)n, sizeof *hits, hit_cmp);
    for (int i = 0; i < n; i++) {
        hits[i].score = -hits[i].score;
        if (hits[i].score < hits[0].score * 0.5) {
            n = i; /* best first: the rest score lower still */
            break;
        }
    }
    similar = n;
    /* only those the caller may read are listed, the best first, looking at
     * no more than SUGGEST_LIST_SCAN rows of the appeals table */
    st = sq_db_stmt("SELECT tracking_no, title, status, created_at, handler_unit_path, "
                    "coalesce(creator_id, 0), coalesce(collector_id, 0) FROM appeals WHERE id = ?");
    if (!st) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto done;
    }
    for (int i = 0; i < n && i < SUGGEST_LIST_SCAN && (int)json_array_size(appeals) < s->k; i++) {
        sq_bind_int64(st, 1, hits[i].id);
        if (sq_step(st) == SQ_ROW && kb_scope_may_read(sc, sq_db_col_text(st, 4),
                                                       sq_col_int64(st, 5), sq_col_int64(st, 6))) {
            json_t *o =
                json_pack("{s:I,s:s,s:s,s:s,s:f}", "id", (json_int_t)hits[i].id, "tracking_no",
                          sq_db_col_text(st, 0), "title", sq_db_col_text(st, 1), "status",
                          sq_db_col_text(st, 2), "score", hits[i].score);
            add_time(o, "created_at", sq_col_int64(st, 3));
            json_array_append_new(appeals, o);
        }
        sq_db_reset(st);
    }
    sq_db_reset(st);
done:
    kb_terms_free(tm.v, tm.n);
    free(match);
    if (e) {
        json_decref(answers);
        json_decref(appeals);
        return e;
    }
    *out = json_pack("{s:o,s:o,s:I}", "answers", answers, "appeals", appeals,
                     "similar_open_appeals", (json_int_t)similar);
    if (near[0])
        json_object_set_new(*out, "near_path", json_string(near));
    return SQ_OK;
}

/* ---- the engine's setup and the appeals index ---- */

void kb_search_engine_init(void)
{
    sq_db_add_open_hook(kb_fts_register);
}

bool kb_index_appeals_pending(void)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT coalesce((SELECT max(id) FROM appeals), 0) > coalesce((SELECT last_id FROM "
        "kb_index_state WHERE name = 'appeals'), 0)");
    bool pending = st && sq_step(st) == SQ_ROW && sq_col_int(st, 0);
    sq_db_reset(st);
    return pending;
}

/* Appeal ids grow in commit order (one writer), so "ids above the last
 * indexed" are exactly the new appeals (see kb/indexer.c). */
int kb_index_appeals_batch(int batch)
{
    struct sq_detail d = {0};
    int n = 0;
    if (sq_db_begin(&d))
        return -1;
    struct sq_stmt *st = sq_db_stmt("SELECT last_id FROM kb_index_state WHERE name = 'appeals'");
    if (!st)
        goto fail;
    int64_t last = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
    sq_db_reset(st);
    st = sq_db_stmt("SELECT count(*), max(id) FROM (SELECT id FROM appeals WHERE id > ? ORDER "
                    "BY id LIMIT ?)");
    if (!st)
        goto fail;
    sq_bind_int64(st, 1, last);
    sq_bind_int(st, 2, batch);
    int64_t upto = last;
    if (sq_step(st) == SQ_ROW) {
        n = sq_col_int(st, 0);
        upto = sq_col_int64(st, 1);
    }
    sq_db_reset(st);
    if (n == 0) {
        sq_db_rollback();
        return 0;
    }
    /* every new appeal into the search index; the open ones also into the
     * small index of open appeals (008) */
    static const char *const fill[] = {
        "INSERT INTO appeals_fts(rowid, title, description) SELECT id, title, description FROM "
        "appeals WHERE id > ? AND id <= ? ORDER BY id",
        "INSERT INTO appeals_open_fts(rowid, title, description, unit_id, category_id) SELECT "
        "id, title, description, unit_id, category_id FROM appeals WHERE id > ? AND id <= ? AND "
        "status IN " SQ_APPEAL_OPEN_SQL " ORDER BY id",
    };
    for (size_t i = 0; i < sizeof fill / sizeof fill[0]; i++) {
        if (!(st = sq_db_stmt(fill[i])))
            goto fail;
        sq_bind_int64(st, 1, last);
        sq_bind_int64(st, 2, upto);
        if (sq_db_exec_stmt(st, &d))
            goto fail;
    }
    st = sq_db_stmt("UPDATE kb_index_state SET last_id = ? WHERE name = 'appeals'");
    if (!st)
        goto fail;
    sq_bind_int64(st, 1, upto);
    if (sq_db_exec_stmt(st, &d) || sq_db_commit(&d))
        goto fail;
    return n;
fail:
    sq_db_rollback();
    sq_warn("event=kb_index_failed msg=\"%s\"", d.message);
    return -1;
}
