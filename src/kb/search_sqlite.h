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

#endif
