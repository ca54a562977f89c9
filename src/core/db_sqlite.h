/*
 * db_sqlite: what the SQLite engine exposes beyond the engine-neutral
 * core/db.h, for the engine layer itself (core/db*.c), the SQLite search
 * module (kb/search_sqlite*.c, kb/cjk_tokenizer.c: FTS5 needs the native
 * handle to register its tokenizer and ranking function) and tests that
 * inspect the SQLite file. No store, rules or api file includes it:
 * scripts/check-engine-seam.sh fails the build when one does.
 */
#ifndef SQ_DB_SQLITE_H
#define SQ_DB_SQLITE_H

#include <sqlite3.h>

#include "core/db.h"

/* This thread's connection (opened on first use); NULL if it cannot open. */
sqlite3 *sq_db_conn(void);

/* Hooks run on every new connection (e.g. to register the FTS5 tokenizer);
 * they return SQLITE_OK or fail the open. */
typedef int (*sq_db_hook_fn)(sqlite3 *db);
void sq_db_add_open_hook(sq_db_hook_fn fn);

/* Maps a SQLite (extended) result code to an sq_err, filling d. */
enum sq_err sq_db_error(int rc, struct sq_detail *d);

/* The native statement behind st, and back (the SQLite engine's sq_stmt is
 * the sqlite3_stmt itself). */
static inline sqlite3_stmt *sq_db_native(struct sq_stmt *st)
{
    return (sqlite3_stmt *)st;
}

#endif
