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

/* ---- transitional: the sqlite3_stmt API of the files not converted yet ----
 * (the allowlist of scripts/check-engine-seam.sh); removed with the last. */
static inline sqlite3_stmt *sq_db_raw_stmt(const char *sql)
{
    return (sqlite3_stmt *)sq_db_stmt(sql);
}
static inline void sq_db_raw_reset(sqlite3_stmt *st)
{
    sq_db_reset((struct sq_stmt *)st);
}
static inline enum sq_err sq_db_raw_exec(sqlite3_stmt *st, struct sq_detail *d)
{
    return sq_db_exec_stmt((struct sq_stmt *)st, d);
}
static inline void sq_db_raw_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    sq_db_bind_text((struct sq_stmt *)st, idx, s);
}
static inline void sq_db_raw_bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
    sq_db_bind_id((struct sq_stmt *)st, idx, id);
}
static inline const char *sq_db_raw_col_text(sqlite3_stmt *st, int col)
{
    return sq_db_col_text((struct sq_stmt *)st, col);
}
static inline json_t *sq_db_raw_col_id_json(sqlite3_stmt *st, int col)
{
    return sq_db_col_id_json((struct sq_stmt *)st, col);
}

#endif
