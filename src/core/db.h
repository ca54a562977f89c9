/*
 * db: the storage seam. Store modules reach the database only through this
 * header: an engine-neutral statement API (prepare once, bind by position,
 * step, read columns by index), transactions, and the error mapping to the
 * one error enum. No engine type appears here; the SQLite engine lives in
 * db.c (and db_sqlite.h, which only the engine layer and the SQLite search
 * module include). A second engine (PostgreSQL) implements the same
 * functions. The SQL that store files write is the subset both engines run:
 * docs/storage.md.
 *
 * Each thread gets its own connection (opened lazily) with its own
 * prepared-statement cache keyed by the SQL text, so request threads never
 * share a connection. sq_db_stmt() returns a ready, reset statement; a store
 * calls sq_db_reset() (or steps it to SQ_DONE) before the next use of the
 * same SQL on the thread.
 *
 * Migrations are embedded (migrations/NNN_name.sql) and applied in order by
 * sq_db_open(); their versions are recorded in schema_version. A database
 * whose schema is newer than the binary is refused.
 */
#ifndef SQ_DB_H
#define SQ_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* A prepared statement of this thread's connection, owned by the cache. */
struct sq_stmt;

/* Page cache of each connection opened from now on, in KiB (default 16000).
 * Call before sq_db_open. */
void sq_db_set_cache_kb(int kb);

/* Sets the database path, creates the file if needed and applies migrations.
 * Call once at start-up before any thread uses the database. */
enum sq_err sq_db_open(const char *path, struct sq_detail *d);
/* Closes every connection opened by any thread. After the server stopped. */
void sq_db_shutdown(void);
const char *sq_db_path(void);

/* Counts the transactions committed by this process's connections. It is
 * bumped after the commit is visible to readers, so a reader that saw
 * generation g before it began reading, and sees g again afterwards, read
 * data that no in-process commit has changed since. Writes by other
 * processes are not counted. */
uint64_t sq_db_generation(void);

/* ---- statements ---------------------------------------------------------- */

/* Cached prepared statement for sql on this thread's connection, reset and
 * with bindings cleared. Placeholders are ?N (or ?, numbered in order).
 * Returns NULL (and logs) when the SQL does not prepare or there is no
 * connection. */
struct sq_stmt *sq_db_stmt(const char *sql);
/* Ends a use of st (NULL ignored): resets it and clears its bindings. */
void sq_db_reset(struct sq_stmt *st);

/* Results of sq_step. On SQ_STEP_ERROR the failure is logged and kept on
 * this thread's connection: sq_db_last_error() maps it. */
enum sq_step_rc {
    SQ_STEP_ERROR = -1, /* the statement failed (constraint, I/O, busy ...) */
    SQ_DONE = 0,        /* no (more) rows */
    SQ_ROW = 1,         /* a row is ready for the sq_col_* readers */
};
int sq_step(struct sq_stmt *st);

/* Binds by 1-based position; a NULL text or blob binds SQL NULL. */
void sq_bind_int64(struct sq_stmt *st, int idx, int64_t v);
void sq_bind_int(struct sq_stmt *st, int idx, int v);
void sq_bind_double(struct sq_stmt *st, int idx, double v);
void sq_bind_null(struct sq_stmt *st, int idx);
/* Text, copied. */
void sq_bind_text(struct sq_stmt *st, int idx, const char *s);
/* The first n bytes of s, copied. */
void sq_bind_textn(struct sq_stmt *st, int idx, const char *s, size_t n);
/* Text that the caller keeps alive and unchanged until the statement is
 * reset (string constants, names from static tables): not copied. */
void sq_bind_text_ref(struct sq_stmt *st, int idx, const char *s);
void sq_bind_blob(struct sq_stmt *st, int idx, const void *p, size_t n);
/* Helpers for optional values: NULL or empty text binds SQL NULL; an id
 * <= 0 binds NULL. */
void sq_db_bind_text(struct sq_stmt *st, int idx, const char *s);
void sq_db_bind_id(struct sq_stmt *st, int idx, int64_t id);
/* Number of the highest placeholder of st. */
int sq_bind_count(struct sq_stmt *st);

/* Column readers of the current row, by 0-based index. A NULL reads as 0,
 * 0.0, or a NULL pointer. Text and blob pointers are valid until the next
 * step or reset of st. */
enum sq_col_type { SQ_COL_INT, SQ_COL_REAL, SQ_COL_TEXT, SQ_COL_BLOB, SQ_COL_NULL };
int64_t sq_col_int64(struct sq_stmt *st, int col);
int sq_col_int(struct sq_stmt *st, int col);
double sq_col_double(struct sq_stmt *st, int col);
const char *sq_col_text(struct sq_stmt *st, int col); /* NULL when SQL NULL */
const void *sq_col_blob(struct sq_stmt *st, int col);
int sq_col_bytes(struct sq_stmt *st, int col); /* size of a text or blob value */
bool sq_col_is_null(struct sq_stmt *st, int col);
enum sq_col_type sq_col_type(struct sq_stmt *st, int col);
int sq_col_count(struct sq_stmt *st);
const char *sq_col_name(struct sq_stmt *st, int col);
/* Column text or "" */
const char *sq_db_col_text(struct sq_stmt *st, int col);
/* Column value as JSON: an integer, or null when SQL NULL (new reference). */
json_t *sq_db_col_id_json(struct sq_stmt *st, int col);

/* Reads the current row of st as a JSON object (new reference). */
typedef json_t *(*sq_row_json_fn)(struct sq_stmt *st);
/* The generic row reader: every column under its name (sq_col_name, so
 * alias it in the SELECT), valued by its type (sq_col_type): an integer, a
 * real, a string; SQL NULL and blobs as null. */
json_t *sq_db_row_json(struct sq_stmt *st);
/* The one row of sql with ?1 bound to id, read by row (sq_db_row_json when
 * NULL); NULL when there is no such row or on a database error. */
json_t *sq_db_get_json(const char *sql, int64_t id, sq_row_json_fn row);
/* Every row of sql (no parameters), read by row as above, as an array
 * (empty on a database error). */
json_t *sq_db_list_json(const char *sql, sq_row_json_fn row);

/* Rows inserted, changed or deleted by the last completed write statement
 * of this thread. */
int64_t sq_db_changes(void);
/* Maps the last failure on this thread's connection to an sq_err, filling d
 * (unique or foreign-key violation -> SQ_ECONFLICT, full disk -> SQ_EFULL,
 * busy -> SQ_EDB ...). SQ_EDB when nothing failed. */
enum sq_err sq_db_last_error(struct sq_detail *d);
/* Steps a write statement to completion and resets it. */
enum sq_err sq_db_exec_stmt(struct sq_stmt *st, struct sq_detail *d);
/* Steps an INSERT ... RETURNING id (or any statement returning one integer
 * column), stores the value in *id (when not NULL) and resets st.
 * SQ_ENOTFOUND when no row came back (ON CONFLICT DO NOTHING skipped it). */
enum sq_err sq_db_exec_id(struct sq_stmt *st, int64_t *id, struct sq_detail *d);
/* count(*)-style single integer result of a parameterless query; 0 on error. */
int64_t sq_db_scalar(const char *sql);
/* The same with one integer parameter bound to ?1. */
int64_t sq_db_scalar_id(const char *sql, int64_t id);

/* ---- transactions -------------------------------------------------------- */

/* Transactions on this thread's connection. They nest: the outermost is a
 * write transaction taken at once (SQLite: BEGIN IMMEDIATE), inner ones are
 * savepoints, so a store function that wraps its writes in a transaction can
 * also run inside a caller's bigger one. A failed commit rolls back. */
enum sq_err sq_db_begin(struct sq_detail *d);
enum sq_err sq_db_commit(struct sq_detail *d);
void sq_db_rollback(void);
/* Whether this thread is inside a transaction. */
bool sq_db_in_tx(void);
/* Runs fn(ctx, d) inside one transaction: committed when it returns SQ_OK,
 * rolled back otherwise. The same shape as a group-commit writer job
 * (core/writer.h), so a job can run inline when the writer is not running. */
enum sq_err sq_db_run_tx(enum sq_err (*fn)(void *ctx, struct sq_detail *d), void *ctx,
                         struct sq_detail *d);
/* Runs fn(ctx) once this thread's outermost transaction has committed (at
 * once when none is open); dropped if the transaction, or the savepoint it
 * was registered in, rolls back. Registered twice, runs once. For hints
 * (wake the thread that reads an outbox), never for work that must not be
 * lost: that belongs in the transaction. */
void sq_db_on_commit(void (*fn)(void *), void *ctx);

/* ---- generic helpers (table and column names from callers' whitelists) ---- */

/* UPDATE table SET <col> = <value> for each col of the whitelist present in
 * `in` (strings, integers, reals, booleans, null), plus `stamp_col = now`
 * when stamp_col is given, all in one transaction. Column names come from
 * the caller's whitelist only, never from input. */
enum sq_err sq_db_update_fields(const char *table, int64_t id, json_t *in, const char *const *cols,
                                const char *stamp_col, int64_t now, struct sq_detail *d);
/* DELETE FROM table WHERE id = ?; SQ_ENOTFOUND ("no such <what>") when absent. */
enum sq_err sq_db_delete_id(const char *table, int64_t id, const char *what, struct sq_detail *d);

/* ---- bulk loading (the demo generator) ----------------------------------- */

/* Tunes this thread's connection for filling a new database in one big
 * transaction (SQLite: rollback journal instead of WAL, a page cache that
 * holds the transaction), and back to serving. */
void sq_db_bulk_begin(void);
void sq_db_bulk_end(void);
/* The secondary indexes of some tables, dropped during a bulk load and
 * created again after it (faster than maintaining them row by row). */
#define SQ_DB_MAX_SAVED_INDEXES 32
struct sq_db_saved_indexes {
    int n;
    char *sql[SQ_DB_MAX_SAVED_INDEXES];
};
/* Drops the indexes of the NULL-terminated tables, keeping their
 * definitions in x. Returns SQ_OK or an error (d filled). */
enum sq_err sq_db_indexes_drop(const char *const *tables, struct sq_db_saved_indexes *x,
                               struct sq_detail *d);
/* Creates them again and releases x. */
enum sq_err sq_db_indexes_restore(struct sq_db_saved_indexes *x, struct sq_detail *d);

/* ---- schema, check, backup ------------------------------------------------ */

/* Whether the database answers a trivial query (liveness). */
bool sq_db_ping(void);
/* Schema version of the open database and the newest this binary knows. */
int sq_db_schema_version(void);
int sq_db_binary_schema_version(void);

/* Integrity + foreign-key check; prints problems to stdout, returns count. */
int sq_db_check(const char *path);
/* Online backup (safe while serving). */
enum sq_err sq_db_backup(const char *from, const char *to, struct sq_detail *d);

#endif
