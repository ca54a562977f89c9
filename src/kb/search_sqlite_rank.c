/*
 * kb search (SQLite engine), rank: sq_rank(), the FTS5 ranking function of
 * appeal search.
 *
 * FTS5's bm25() computes, once per query, the inverse document frequency of
 * every phrase by running the phrase over the whole index (xQueryPhrase) to
 * count the rows it matches. On a million appeals that count dominates a
 * search: "停车" walks a doclist of a hundred thousand rows, a phrase such as
 * "路灯不亮" checks positions in every row holding its bigrams, and "3栋"
 * took 41 ms of which bm25's counting was 37 (measured on the bench
 * database). Appeal search ranks a window of the most recent matches of an
 * AND query (docs/search.md), in which every row contains every phrase, so
 * the idf would only weight the query's phrases against each other. sq_rank
 * is bm25 with that weight left at 1 and without length normalisation
 * (b = 0): per phrase, the column-weighted term frequency saturated by
 * k1 = 1.2, summed, negated like bm25() (lower is better). Appeals are short
 * and alike in length, and reading each row's length (a %_docsize lookup)
 * was a third of a phrase search; equal scores go to the newer appeal.
 * Arguments: one weight per column, as bm25() takes them.
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kb/cjk_tokenizer.h"
#include "kb/kb.h"
#include "kb/search_sqlite.h"

#define RANK_K1 1.2
#define RANK_MAX_CELLS 512 /* phrases counted on the stack */

struct rank_query {
    int ncol;
    double w[]; /* column weights */
};

static struct rank_query *rank_query(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
                                     sqlite3_value **vals)
{
    struct rank_query *q = api->xGetAuxdata(fts, 0);
    if (q)
        return q;
    int ncol = api->xColumnCount(fts);
    q = sqlite3_malloc64(sizeof *q + (size_t)ncol * sizeof(double));
    if (!q)
        return NULL;
    q->ncol = ncol;
    for (int c = 0; c < ncol; c++)
        q->w[c] = c < nval ? sqlite3_value_double(vals[c]) : 1.0;
    if (api->xSetAuxdata(fts, q, sqlite3_free) != SQLITE_OK)
        return NULL; /* xSetAuxdata freed it */
    return q;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **vals)
{
    struct rank_query *q = rank_query(api, fts, nval, vals);
    if (!q) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    int nphrase = api->xPhraseCount(fts);
    double tf[RANK_MAX_CELLS];
    if (nphrase > RANK_MAX_CELLS)
        nphrase = RANK_MAX_CELLS; /* the query builder keeps at most 256 terms */
    memset(tf, 0, sizeof(double) * (size_t)nphrase);
    int ninst = 0;
    if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
        sqlite3_result_error(ctx, "sq_rank: cannot read the matches", -1);
        return;
    }
    for (int i = 0; i < ninst; i++) {
        int p, c, off;
        if (api->xInst(fts, i, &p, &c, &off) == SQLITE_OK && p < nphrase && c < q->ncol)
            tf[p] += q->w[c];
    }
    double score = 0;
    for (int p = 0; p < nphrase; p++)
        score += tf[p] * (RANK_K1 + 1.0) / (tf[p] + RANK_K1);
    sqlite3_result_double(ctx, -score);
}

/* ---- sq_bm25c: bm25() with cached document counts ----
 *
 * sq_bm25c(fts, match, w0, w1, ...) is FTS5's bm25() (k1 = 1.2, b = 0.75,
 * the same idf, average and row lengths) except for where each phrase's
 * document count comes from: bm25() counts the rows a phrase matches by
 * running it over the whole index once per query (xQueryPhrase), which on
 * the index of open appeals (tens of thousands of rows after a surge, most
 * of them sharing the same few bigrams) was most of a suggestion. Here the
 * count of each term is kept per index and reused while the index has not
 * changed size by more than 1% (and for at most 10 s), so the idf drifts by
 * well under 1% between recounts. `match` is the OR of quoted terms that
 * kb_similar_query() builds (phrase i is its i-th quoted term); for any
 * other shape every phrase is counted, as bm25() does. */
#define BM25_K1 1.2
#define BM25_B 0.75
#define TERM_SLOTS 4096 /* power of two */
#define TERM_MAX_AGE_MS 10000

struct term_slot {
    char key[96];
    int64_t nhit, nrow;
    int64_t at_ms;
};
static struct term_slot term_cache[TERM_SLOTS];
static pthread_mutex_t term_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t term_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static bool term_get(const char *key, int64_t nrow, int64_t *nhit)
{
    struct term_slot *t = &term_cache[term_hash(key) & (TERM_SLOTS - 1)];
    bool ok = false;
    pthread_mutex_lock(&term_lock);
    if (!strcmp(t->key, key) && llabs(t->nrow - nrow) * 100 <= nrow &&
        mono_ms() - t->at_ms < TERM_MAX_AGE_MS) {
        *nhit = t->nhit;
        ok = true;
    }
    pthread_mutex_unlock(&term_lock);
    return ok;
}

static void term_put(const char *key, int64_t nrow, int64_t nhit)
{
    struct term_slot *t = &term_cache[term_hash(key) & (TERM_SLOTS - 1)];
    pthread_mutex_lock(&term_lock);
    snprintf(t->key, sizeof t->key, "%s", key);
    t->nrow = nrow;
    t->nhit = nhit;
    t->at_ms = mono_ms();
    pthread_mutex_unlock(&term_lock);
}

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ud)
{
    (void)api;
    (void)fts;
    (*(int64_t *)ud)++;
    return SQLITE_OK;
}

struct bm25c_query {
    int nphrase, ncol;
    double avgdl;
    double *idf, *w;
};

/* The i-th quoted term of match into out (cap bytes); false if none. */
static bool nth_term(const char *match, int i, char *out, size_t cap)
{
    const char *p = match;
    for (int k = 0; p && *p; k++) {
        const char *a = strchr(p, '"');
        const char *b = a ? strchr(a + 1, '"') : NULL;
        if (!b)
            return false;
        if (k == i) {
            size_t n = (size_t)(b - a - 1);
            if (n + 1 > cap)
                return false;
            memcpy(out, a + 1, n);
            out[n] = '\0';
            return true;
        }
        p = b + 1;
    }
    return false;
}

static struct bm25c_query *bm25c_query(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
                                       sqlite3_value **vals)
{
    struct bm25c_query *q = api->xGetAuxdata(fts, 0);
    if (q)
        return q;
    int nphrase = api->xPhraseCount(fts), ncol = api->xColumnCount(fts);
    q = sqlite3_malloc64(sizeof *q + sizeof(double) * ((size_t)nphrase + (size_t)ncol));
    if (!q)
        return NULL;
    q->nphrase = nphrase;
    q->ncol = ncol;
    q->idf = (double *)(q + 1);
    q->w = q->idf + nphrase;
    for (int c = 0; c < ncol; c++)
        q->w[c] = c + 1 < nval ? sqlite3_value_double(vals[c + 1]) : 1.0;
    sqlite3_int64 nrow = 0, ntok = 0;
    if (api->xRowCount(fts, &nrow) != SQLITE_OK ||
        api->xColumnTotalSize(fts, -1, &ntok) != SQLITE_OK) {
        sqlite3_free(q);
        return NULL;
    }
    q->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
    const char *match = nval > 0 ? (const char *)sqlite3_value_text(vals[0]) : NULL;
    /* the terms line up with the phrases only when their numbers agree */
    int nterms = 0;
    char term[80], key[96];
    while (match && nth_term(match, nterms, term, sizeof term))
        nterms++;
    for (int i = 0; i < nphrase; i++) {
        int64_t nhit = 0;
        bool named = nterms == nphrase && nth_term(match, i, term, sizeof term) &&
                     snprintf(key, sizeof key, "open|%s", term) < (int)sizeof key;
        if (!named || !term_get(key, nrow, &nhit)) {
            nhit = 0;
            if (api->xQueryPhrase(fts, i, &nhit, count_cb) != SQLITE_OK) {
                sqlite3_free(q);
                return NULL;
            }
            if (named)
                term_put(key, nrow, nhit);
        }
        double idf = log(((double)nrow - (double)nhit + 0.5) / ((double)nhit + 0.5));
        q->idf[i] = idf <= 0.0 ? 1e-6 : idf;
    }
    if (api->xSetAuxdata(fts, q, sqlite3_free) != SQLITE_OK)
        return NULL;
    return q;
}

static void bm25c_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                     sqlite3_value **vals)
{
    struct bm25c_query *q = bm25c_query(api, fts, nval, vals);
    if (!q) {
        sqlite3_result_error(ctx, "sq_bm25c: cannot read the index", -1);
        return;
    }
    double tf[RANK_MAX_CELLS];
    int nphrase = q->nphrase < RANK_MAX_CELLS ? q->nphrase : RANK_MAX_CELLS;
    memset(tf, 0, sizeof(double) * (size_t)nphrase);
    int ninst = 0, ntok = 0;
    if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
        sqlite3_result_error(ctx, "sq_bm25c: cannot read the matches", -1);
        return;
    }
    for (int i = 0; i < ninst; i++) {
        int p, c, off;
        if (api->xInst(fts, i, &p, &c, &off) == SQLITE_OK && p < nphrase && c < q->ncol)
            tf[p] += q->w[c];
    }
    if (api->xColumnSize(fts, -1, &ntok) != SQLITE_OK) {
        sqlite3_result_error(ctx, "sq_bm25c: cannot read the row's length", -1);
        return;
    }
    double score = 0, norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)ntok / q->avgdl);
    for (int p = 0; p < nphrase; p++)
        score += q->idf[p] * (tf[p] * (BM25_K1 + 1.0)) / (tf[p] + norm);
    sqlite3_result_double(ctx, -score);
}

/* Every row change of this connection: the suggestion cache watches the
 * answers and categories (kb_answers_changed). */
static void on_update(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 rowid)
{
    (void)arg;
    (void)op;
    (void)dbname;
    (void)rowid;
    kb_answers_changed(table);
}

int kb_fts_register(sqlite3 *db)
{
    int rc = sq_cjk_tokenizer_register(db);
    if (rc != SQLITE_OK)
        return rc;
    fts5_api *api = sq_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    sqlite3_update_hook(db, on_update, NULL);
    rc = api->xCreateFunction(api, "sq_bm25c", NULL, bm25c_fn, NULL);
    if (rc != SQLITE_OK)
        return rc;
    return api->xCreateFunction(api, "sq_rank", NULL, rank_fn, NULL);
}
