/*
 * kb search engine: the one interface of full-text search over answers and
 * appeals, similar-case suggestions and the appeals index, so that the
 * engine behind it can change with the storage engine (docs/storage.md).
 *
 * The SQLite implementation is kb/search_sqlite.c (FTS5 tables of
 * 005_kb.sql and 008_open_fts.sql, the sanqu_cjk bigram tokenizer of
 * kb/cjk_tokenizer.c, the sq_rank() ranking function of
 * kb/search_sqlite_rank.c). A PostgreSQL one provides the same functions;
 * no other file of kb changes. The behaviour both keep is in
 * docs/search.md (the bounded-ranking rule, scope, suggestions).
 */
#ifndef SQ_KB_SEARCH_ENGINE_H
#define SQ_KB_SEARCH_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/err.h"

/* Installs the engine: for SQLite, a per-connection hook that registers the
 * tokenizer and sq_rank() on every connection opened from now on. Call once
 * before the database opens (sq_app_init). */
void kb_search_engine_init(void);

/* Who is asking, reduced to what search needs. */
struct kb_scope {
    int64_t user_id;                  /* 0 = anonymous */
    bool all_appeals;                 /* district admin / auditor */
    const char *paths[SQ_MAX_GRANTS]; /* appeal-read subtrees (handler_unit_path prefix) */
    int npaths;
};
void kb_scope_init(struct kb_scope *s, const struct sq_user *u);
/* May the scope read an appeal with this handler path, creator, collector?
 * (A public role's grant covers only the person's own appeals.) */
bool kb_scope_may_read(const struct kb_scope *sc, const char *handler_path, int64_t creator,
                       int64_t collector);

struct kb_search {
    const char *q;
    bool answers, appeals; /* which types */
    int64_t category_id;   /* top-level or sub category; 0 = any */
    const char *unit_path; /* appeals: location unit subtree; answers: owning unit */
    int64_t from, to;      /* created_at window, 0 = open */
    bool by_time;          /* order by time instead of rank */
    int limit;
    int64_t offset;
};
/* Ranked hits as a new JSON array; *total is the number of matches counted
 * (capped; *capped says so). */
enum sq_err kb_search_run(const struct kb_search *s, const struct kb_scope *sc, json_t **items,
                          int64_t *total, bool *capped, struct sq_detail *d);

struct kb_suggest {
    const char *text;
    int64_t category_id;
    int64_t unit_id; /* where the problem is (0 = anywhere) */
    int64_t exclude_appeal_id;
    int k;
};
/* {"answers":[...],"appeals":[...],"similar_open_appeals":n}; appeals are
 * listed with titles only when the scope may read them. */
enum sq_err kb_suggest_run(const struct kb_suggest *s, const struct kb_scope *sc, json_t **out,
                           struct sq_detail *d);

/* Indexes up to batch appeals newer than the last indexed id, in one
 * transaction (the indexer thread calls it until it returns less than
 * batch). Returns the number indexed or -1. */
int kb_index_appeals_batch(int batch);
/* Whether some appeal is not indexed yet (a read, outside any transaction). */
bool kb_index_appeals_pending(void);

#endif
