/*
 * search_sqlite: what the files of the SQLite search engine share
 * (search_sqlite.c, search_sqlite_rank.c). Private to that module; the rest
 * of kb uses kb/search_engine.h.
 */
#ifndef SQ_KB_SEARCH_SQLITE_H
#define SQ_KB_SEARCH_SQLITE_H

#include <sqlite3.h>

/* Registers on db what kb's full-text tables need: the sanqu_cjk tokenizer
 * and sq_rank(), the ranking function of appeal search
 * (search_sqlite_rank.c). The per-connection open hook that
 * kb_search_engine_init() installs. */
int kb_fts_register(sqlite3 *db);
/* A row of `table` changed on this thread's connection (the update hook
 * kb_fts_register installs): the cached suggestion answers lapse when it is
 * kb_answers or categories, now and again once the change has committed. */
void kb_answers_changed(const char *table);
/* Frees the cached suggestion answers (at shutdown; optional). */
void kb_answer_cache_free(void);

#endif
