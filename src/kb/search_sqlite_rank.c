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
#include <string.h>

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
    return api->xCreateFunction(api, "sq_rank", NULL, rank_fn, NULL);
}
