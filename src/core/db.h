/*
 * db: SQLite access shared by every store module.
 *
 * Each thread gets its own connection (opened lazily, WAL mode, foreign keys
 * on, busy timeout, synchronous=FULL) with its own prepared-statement cache,
 * so request threads never share a sqlite3 handle. Store modules call
 * sq_db_stmt() with their SQL text and get a ready, reset statement back;
 * they must call sq_db_reset() (or finish stepping) before reusing it.
 *
 * Migrations are embedded (migrations/NNN_name.sql) and applied in order by
 * sq_db_open(); their versions are recorded in schema_version. A database
 * whose schema is newer than the binary is refused.
 */
#ifndef SQ_DB_H
#define SQ_DB_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Hooks run on every new connection (e.g. to register the FTS5 tokenizer). */
typedef int (*sq_db_hook_fn)(sqlite3 *db);
void sq_db_add_open_hook(sq_db_hook_fn fn);

/* Page cache of each connection opened from now on, in KiB (default 16000:
 * SQLite's cache_size). Call before sq_db_open. */
void sq_db_set_cache_kb(int kb);

/* Sets the database path, creates the file if needed and applies migrations.
 * Call once at start-up before any thread uses the database. */
enum sq_err sq_db_open(const char *path, struct sq_detail *d);
/* Closes every connection opened by any thread. After the server stopped. */
void sq_db_shutdown(void);
const char *sq_db_path(void);

/* Counts the transactions committed by this process's connections. It is
 * bumped after the commit is visible to readers (SQLite's WAL hook), so a
 * reader that saw generation g before it began reading, and sees g again
 * afterwards, read data that no in-process commit has changed since. Writes
 * by other processes are not counted. */
uint64_t sq_db_generation(void);

/* This thread's connection (opened on first use); NULL if it cannot open. */
sqlite3 *sq_db_conn(void);
/* Cached prepared statement for sql on this thread's connection, reset and
 * with bindings cleared. Returns NULL (and logs) on a prepare error. */
sqlite3_stmt *sq_db_stmt(const char *sql);
void sq_db_reset(sqlite3_stmt *st);

/* Transactions on this thread's connection. begin is BEGIN IMMEDIATE. */
enum sq_err sq_db_begin(struct sq_detail *d);
enum sq_err sq_db_commit(struct sq_detail *d);
void sq_db_rollback(void);
/* Runs fn(ctx) once this thread's outermost transaction has committed (at
 * once when none is open); dropped if the transaction, or the savepoint it
 * was registered in, rolls back. Registered twice, runs once. For hints
 * (wake the thread that reads an outbox), never for work that must not be
 * lost: that belongs in the transaction. */
void sq_db_on_commit(void (*fn)(void *), void *ctx);

/* Maps a SQLite result code to an sq_err, filling d (conflict, full disk...). */
enum sq_err sq_db_error(int rc, struct sq_detail *d);
/* Steps a write statement to completion and resets it. */
enum sq_err sq_db_exec_stmt(sqlite3_stmt *st, struct sq_detail *d);

/* Helpers for binding optional values: NULL/empty text binds SQL NULL. */
void sq_db_bind_text(sqlite3_stmt *st, int idx, const char *s);
void sq_db_bind_id(sqlite3_stmt *st, int idx, int64_t id); /* id <= 0 binds NULL */
/* Column text or "" */
const char *sq_db_col_text(sqlite3_stmt *st, int col);

/* Column value as JSON: an integer, or null when SQL NULL (new reference). */
json_t *sq_db_col_id_json(sqlite3_stmt *st, int col);
/* count(*)-style single integer result of a parameterless query; 0 on error. */
int64_t sq_db_scalar(const char *sql);
/* The same with one integer parameter bound to ?1. */
int64_t sq_db_scalar_id(const char *sql, int64_t id);

/* UPDATE table SET <col> = <value> for each col of the whitelist present in
 * `in` (strings, integers, reals, booleans, null), plus `stamp_col = now`
 * when stamp_col is given, all in one transaction. Column names come from
 * the caller's whitelist only, never from input. */
enum sq_err sq_db_update_fields(const char *table, int64_t id, json_t *in,
                                const char *const *cols, const char *stamp_col, int64_t now,
                                struct sq_detail *d);
/* DELETE FROM table WHERE id = ?; SQ_ENOTFOUND ("no such <what>") when absent. */
enum sq_err sq_db_delete_id(const char *table, int64_t id, const char *what,
                            struct sq_detail *d);

/* Schema version of the open database and the newest this binary knows. */
int sq_db_schema_version(void);
int sq_db_binary_schema_version(void);

/* Integrity + foreign-key check; prints problems to stdout, returns count. */
int sq_db_check(const char *path);
/* Online backup (safe while serving). */
enum sq_err sq_db_backup(const char *from, const char *to, struct sq_detail *d);

#endif
