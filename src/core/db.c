/*
 * db: per-thread SQLite connections, statement cache, migrations, backup and
 * check. See db.h for the contract.
 *
 * The statement cache is keyed by SQL text (hash + strcmp), so store modules
 * may pass either literals or composed SQL (list filters); composed SQL only
 * ever takes a bounded number of shapes, so the cache stays small.
 *
 * This is the SQLite engine: the one file (with db_sqlite.h) that calls
 * sqlite3_* for the stores. Its struct sq_stmt is the sqlite3_stmt itself,
 * so the seam costs one function call per bind or column read.
 */
#include "core/db_sqlite.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"

#define STMT_CACHE_SIZE 1024 /* power of two */
#define MAX_HOOKS 8

struct stmt_slot {
    char *sql;
    sqlite3_stmt *stmt;
};

#define STMT_FAST_SIZE 256 /* power of two */

struct db_conn {
    sqlite3 *db;
    struct stmt_slot cache[STMT_CACHE_SIZE];
    /* the slot last found for an SQL text at this address: most SQL is a
     * string literal, so a hit skips hashing the text (strcmp still
     * decides, as composed SQL reuses buffers) */
    struct {
        const char *sql;
        struct stmt_slot *slot;
    } fast[STMT_FAST_SIZE];
    struct db_conn *next;
};

static char db_path[1024];
static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db_conn *db_all;
static _Thread_local struct db_conn *db_mine;
static sq_db_hook_fn db_hooks[MAX_HOOKS];
static int db_nhooks;
static atomic_uint_fast64_t db_generation;

void sq_db_add_open_hook(sq_db_hook_fn fn)
{
    if (db_nhooks < MAX_HOOKS)
        db_hooks[db_nhooks++] = fn;
}

const char *sq_db_path(void)
{
    return db_path;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        sq_error("event=sql_error rc=%d msg=\"%s\"", rc, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc;
}

uint64_t sq_db_generation(void)
{
    return atomic_load(&db_generation);
}

/* The checkpointer: a thread of its own that copies the WAL back into the
 * database file (a passive checkpoint, which never blocks writers) when the
 * WAL has grown by 1000 pages. Run on the committing thread, as SQLite's
 * default hook does, the copy and its fsync stalled the group-commit writer
 * (and every request waiting for its batch) for tens to hundreds of
 * milliseconds, once per 1000 pages written. */
static pthread_t ckpt_thread;
static pthread_mutex_t ckpt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ckpt_cond = PTHREAD_COND_INITIALIZER;
static bool ckpt_running, ckpt_wanted, ckpt_stopping;

static void *ckpt_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ckpt_lock);
    for (;;) {
        while (!ckpt_wanted && !ckpt_stopping)
            pthread_cond_wait(&ckpt_cond, &ckpt_lock);
        if (ckpt_stopping)
            break;
        ckpt_wanted = false;
        pthread_mutex_unlock(&ckpt_lock);
        sqlite3 *db = sq_db_conn();
        if (db)
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&ckpt_lock);
    }
    pthread_mutex_unlock(&ckpt_lock);
    return NULL;
}

/* Asks the checkpointer for a checkpoint; false when it cannot run. */
static bool ckpt_request(void)
{
    pthread_mutex_lock(&ckpt_lock);
    if (!ckpt_running && !ckpt_stopping)
        ckpt_running = pthread_create(&ckpt_thread, NULL, ckpt_main, NULL) == 0;
    bool ok = ckpt_running && !ckpt_stopping;
    if (ok) {
        ckpt_wanted = true;
        pthread_cond_signal(&ckpt_cond);
    }
    pthread_mutex_unlock(&ckpt_lock);
    return ok;
}

static void ckpt_stop(void)
{
    pthread_mutex_lock(&ckpt_lock);
    bool join = ckpt_running;
    ckpt_stopping = true;
    pthread_cond_signal(&ckpt_cond);
    pthread_mutex_unlock(&ckpt_lock);
    if (join)
        pthread_join(ckpt_thread, NULL);
    pthread_mutex_lock(&ckpt_lock);
    ckpt_running = false;
    ckpt_wanted = false;
    ckpt_stopping = false;
    pthread_mutex_unlock(&ckpt_lock);
}

/* SQLite calls this after each commit, once it is visible and the write
 * lock released. Registering it replaces the automatic checkpoint, so it
 * does what SQLite's default hook does, a passive checkpoint from 1000
 * pages, but on the checkpointer's thread (inline when there is none). */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)arg;
    atomic_fetch_add(&db_generation, 1);
    if (frames >= 1000 && !ckpt_request())
        sqlite3_wal_checkpoint(db, name);
    return SQLITE_OK;
}

static int db_cache_kb = 16000;

void sq_db_set_cache_kb(int kb)
{
    db_cache_kb = kb;
}

static sqlite3 *open_conn(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sq_error("event=db_open_failed path=%s msg=\"%s\"", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-%d;",
             db_cache_kb);
    if (exec(db, pragmas) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_wal_hook(db, on_commit, NULL);
    for (int i = 0; i < db_nhooks; i++)
        if (db_hooks[i](db) != SQLITE_OK) {
            sq_error("event=db_hook_failed hook=%d", i);
            sqlite3_close(db);
            return NULL;
        }
    return db;
}

sqlite3 *sq_db_conn(void)
{
    if (db_mine)
        return db_mine->db;
    if (!db_path[0])
        return NULL;
    struct db_conn *c = calloc(1, sizeof *c);
    if (!c)
        sq_fatal("out of memory");
    c->db = open_conn(db_path);
    if (!c->db) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&db_lock);
    c->next = db_all;
    db_all = c;
    pthread_mutex_unlock(&db_lock);
    db_mine = c;
    return c->db;
}

static uint32_t hash_sql(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

#define NATIVE(st) ((sqlite3_stmt *)(st))

struct sq_stmt *sq_db_stmt(const char *sql)
{
    if (!sq_db_conn())
        return NULL;
    struct db_conn *c = db_mine;
    size_t f = ((uintptr_t)sql >> 3) & (STMT_FAST_SIZE - 1);
    if (c->fast[f].sql == sql && !strcmp(c->fast[f].slot->sql, sql)) {
        sqlite3_stmt *st = c->fast[f].slot->stmt;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return (struct sq_stmt *)st;
    }
    uint32_t h = hash_sql(sql);
    for (uint32_t i = 0; i < STMT_CACHE_SIZE; i++) {
        struct stmt_slot *s = &c->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
        if (s->sql && !strcmp(s->sql, sql)) {
            c->fast[f].sql = sql;
            c->fast[f].slot = s;
            sqlite3_reset(s->stmt);
            sqlite3_clear_bindings(s->stmt);
            return (struct sq_stmt *)s->stmt;
        }
        if (!s->sql) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                sq_error("event=sql_prepare_failed msg=\"%s\" sql=\"%.200s\"",
                         sqlite3_errmsg(c->db), sql);
                return NULL;
            }
            s->sql = strdup(sql);
            s->stmt = st;
            return (struct sq_stmt *)st;
        }
    }
    /* cache full: should not happen with bounded SQL shapes */
    sq_error("event=stmt_cache_full");
    return NULL;
}

void sq_db_reset(struct sq_stmt *st)
{
    if (st) {
        sqlite3_reset(NATIVE(st));
        sqlite3_clear_bindings(NATIVE(st));
    }
}

/* The last failing step of this thread (extended code), for
 * sq_db_last_error: a reset may already have run when a store maps it. */
static _Thread_local int last_err;

int sq_step(struct sq_stmt *st)
{
    if (!st)
        return SQ_STEP_ERROR;
    int rc = sqlite3_step(NATIVE(st));
    if (rc == SQLITE_ROW)
        return SQ_ROW;
    if (rc == SQLITE_DONE)
        return SQ_DONE;
    sqlite3 *db = sqlite3_db_handle(NATIVE(st));
    last_err = sqlite3_extended_errcode(db);
    sq_warn("event=sql_step_failed rc=%d msg=\"%s\"", sqlite3_extended_errcode(db),
            sqlite3_errmsg(db));
    return SQ_STEP_ERROR;
}

void sq_bind_int64(struct sq_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(NATIVE(st), idx, v);
}

void sq_bind_int(struct sq_stmt *st, int idx, int v)
{
    sqlite3_bind_int(NATIVE(st), idx, v);
}

void sq_bind_double(struct sq_stmt *st, int idx, double v)
{
    sqlite3_bind_double(NATIVE(st), idx, v);
}

void sq_bind_null(struct sq_stmt *st, int idx)
{
    sqlite3_bind_null(NATIVE(st), idx);
}

void sq_bind_text(struct sq_stmt *st, int idx, const char *s)
{
    sqlite3_bind_text(NATIVE(st), idx, s, -1, SQLITE_TRANSIENT);
}

void sq_bind_textn(struct sq_stmt *st, int idx, const char *s, size_t n)
{
    sqlite3_bind_text64(NATIVE(st), idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void sq_bind_text_ref(struct sq_stmt *st, int idx, const char *s)
{
    sqlite3_bind_text(NATIVE(st), idx, s, -1, SQLITE_STATIC);
}

void sq_bind_blob(struct sq_stmt *st, int idx, const void *p, size_t n)
{
    if (p)
        sqlite3_bind_blob64(NATIVE(st), idx, p, n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(NATIVE(st), idx);
}

int sq_bind_count(struct sq_stmt *st)
{
    return sqlite3_bind_parameter_count(NATIVE(st));
}

int64_t sq_col_int64(struct sq_stmt *st, int col)
{
    return sqlite3_column_int64(NATIVE(st), col);
}

int sq_col_int(struct sq_stmt *st, int col)
{
    return sqlite3_column_int(NATIVE(st), col);
}

double sq_col_double(struct sq_stmt *st, int col)
{
    return sqlite3_column_double(NATIVE(st), col);
}

const char *sq_col_text(struct sq_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(NATIVE(st), col);
}

const void *sq_col_blob(struct sq_stmt *st, int col)
{
    return sqlite3_column_blob(NATIVE(st), col);
}

int sq_col_bytes(struct sq_stmt *st, int col)
{
    return sqlite3_column_bytes(NATIVE(st), col);
}

bool sq_col_is_null(struct sq_stmt *st, int col)
{
    return sqlite3_column_type(NATIVE(st), col) == SQLITE_NULL;
}

enum sq_col_type sq_col_type(struct sq_stmt *st, int col)
{
    switch (sqlite3_column_type(NATIVE(st), col)) {
    case SQLITE_INTEGER:
        return SQ_COL_INT;
    case SQLITE_FLOAT:
        return SQ_COL_REAL;
    case SQLITE_TEXT:
        return SQ_COL_TEXT;
    case SQLITE_BLOB:
        return SQ_COL_BLOB;
    default:
        return SQ_COL_NULL;
    }
}

int sq_col_count(struct sq_stmt *st)
{
    return sqlite3_column_count(NATIVE(st));
}

const char *sq_col_name(struct sq_stmt *st, int col)
{
    return sqlite3_column_name(NATIVE(st), col);
}

int64_t sq_db_changes(void)
{
    sqlite3 *db = sq_db_conn();
    return db ? sqlite3_changes64(db) : 0;
}

enum sq_err sq_db_last_error(struct sq_detail *d)
{
    enum sq_err e = sq_db_error(last_err, d);
    return e ? e : sq_fail(d, SQ_EDB, NULL, "database error");
}

enum sq_err sq_db_error(int rc, struct sq_detail *d)
{
    int primary = rc & 0xff;
    switch (primary) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return SQ_OK;
    case SQLITE_FULL:
        return sq_fail(d, SQ_EFULL, NULL, "the server's storage is full; nothing was saved");
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return sq_fail(d, SQ_ECONFLICT, NULL, "a record with the same key already exists");
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return sq_fail(d, SQ_ECONFLICT, NULL,
                           "the record is referenced by or refers to "
                           "records that do not allow this change");
        return sq_fail(d, SQ_EINVAL, NULL, "the data breaks a rule of the database");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return sq_fail(d, SQ_EDB, NULL, "the database is busy; try again");
    case SQLITE_IOERR:
        if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_SHMSIZE)
            /* ENOSPC surfaces as IOERR_WRITE on some paths */
            return sq_fail(d, SQ_EFULL, NULL,
                           "the server could not write to storage; nothing "
                           "was saved");
        return sq_fail(d, SQ_EDB, NULL, "database input/output error");
    default:
        return sq_fail(d, SQ_EDB, NULL, "database error");
    }
}

enum sq_err sq_db_exec_stmt(struct sq_stmt *st, struct sq_detail *d)
{
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    enum sq_err e = SQ_OK;
    if (sq_step(st) == SQ_STEP_ERROR)
        e = sq_db_error(sqlite3_extended_errcode(sqlite3_db_handle(NATIVE(st))), d);
    sq_db_reset(st);
    return e;
}

enum sq_err sq_db_exec_id(struct sq_stmt *st, int64_t *id, struct sq_detail *d)
{
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    enum sq_err e = SQ_OK;
    int rc = sq_step(st);
    if (rc == SQ_ROW) {
        if (id)
            *id = sq_col_int64(st, 0);
        /* finish the statement so its write is complete before the reset */
        while ((rc = sq_step(st)) == SQ_ROW)
            ;
    } else if (rc == SQ_DONE) {
        e = sq_fail(d, SQ_ENOTFOUND, NULL, "nothing was written");
    }
    if (rc == SQ_STEP_ERROR)
        e = sq_db_error(sqlite3_extended_errcode(sqlite3_db_handle(NATIVE(st))), d);
    sq_db_reset(st);
    return e;
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE, inner ones are
 * savepoints, so a store function that wraps its writes in a transaction can
 * also run inside a caller's bigger one (demo generation, multi-step API). */
static _Thread_local int tx_depth;

/* After-commit callbacks of this thread's open transaction, with the depth
 * they were registered at (a rolled-back savepoint drops its own). */
#define ON_COMMIT_MAX 64
struct after_commit {
    void (*fn)(void *);
    void *ctx;
    int depth;
};
static _Thread_local struct after_commit pending[ON_COMMIT_MAX];
static _Thread_local int n_on_commit;

void sq_db_on_commit(void (*fn)(void *), void *ctx)
{
    if (tx_depth == 0 || n_on_commit == ON_COMMIT_MAX) {
        fn(ctx); /* nothing to wait for (or no room: early is harmless for a hint) */
        return;
    }
    for (int i = 0; i < n_on_commit; i++)
        if (pending[i].fn == fn && pending[i].ctx == ctx)
            return;
    pending[n_on_commit++] = (struct after_commit){fn, ctx, tx_depth};
}

/* The transaction at depth `ended` (tx_depth is already one less) ended:
 * committed into its parent, committed for good (depth 1) or rolled back. */
static void on_commit_end(int ended, bool committed)
{
    if (committed && ended == 1) {
        struct after_commit run[ON_COMMIT_MAX];
        int n = n_on_commit;
        memcpy(run, pending, sizeof run[0] * (size_t)n);
        n_on_commit = 0;
        for (int i = 0; i < n; i++)
            run[i].fn(run[i].ctx);
        return;
    }
    int n = 0;
    for (int i = 0; i < n_on_commit; i++) {
        if (pending[i].depth < ended)
            pending[n++] = pending[i];
        else if (committed) /* released into the parent */
            pending[n++] = (struct after_commit){pending[i].fn, pending[i].ctx, ended - 1};
    }
    n_on_commit = n;
}

enum sq_err sq_db_begin(struct sq_detail *d)
{
    sqlite3 *db = sq_db_conn();
    if (!db)
        return sq_fail(d, SQ_EDB, NULL, "database unavailable");
    int rc = sqlite3_exec(db, tx_depth ? "SAVEPOINT sq" : "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_db_error(sqlite3_extended_errcode(db), d);
    tx_depth++;
    return SQ_OK;
}

enum sq_err sq_db_commit(struct sq_detail *d)
{
    sqlite3 *db = sq_db_conn();
    if (tx_depth <= 0)
        return sq_fail(d, SQ_EINTERNAL, NULL, "commit without a transaction");
    int rc = sqlite3_exec(db, tx_depth > 1 ? "RELEASE sq" : "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        enum sq_err e = sq_db_error(sqlite3_extended_errcode(db), d);
        sq_db_rollback();
        return e;
    }
    tx_depth--;
    on_commit_end(tx_depth + 1, true);
    return SQ_OK;
}

void sq_db_rollback(void)
{
    sqlite3 *db = sq_db_conn();
    if (!db || tx_depth <= 0)
        return;
    if (tx_depth > 1)
        sqlite3_exec(db, "ROLLBACK TO sq; RELEASE sq", NULL, NULL, NULL);
    else if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    tx_depth--;
    on_commit_end(tx_depth + 1, false);
}

bool sq_db_in_tx(void)
{
    return tx_depth > 0;
}

enum sq_err sq_db_run_tx(enum sq_err (*fn)(void *ctx, struct sq_detail *d), void *ctx,
                         struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if ((e = fn(ctx, d))) {
        sq_db_rollback();
        return e;
    }
    return sq_db_commit(d);
}

void sq_db_bind_text(struct sq_stmt *st, int idx, const char *s)
{
    if (s && *s)
        sq_bind_text(st, idx, s);
    else
        sq_bind_null(st, idx);
}

void sq_db_bind_id(struct sq_stmt *st, int idx, int64_t id)
{
    if (id > 0)
        sq_bind_int64(st, idx, id);
    else
        sq_bind_null(st, idx);
}

const char *sq_db_col_text(struct sq_stmt *st, int col)
{
    const char *t = sq_col_text(st, col);
    return t ? t : "";
}

json_t *sq_db_col_id_json(struct sq_stmt *st, int col)
{
    return sq_col_is_null(st, col) ? json_null() : json_integer(sq_col_int64(st, col));
}

json_t *sq_db_row_json(struct sq_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0, n = sq_col_count(st); i < n; i++) {
        json_t *v;
        switch (sq_col_type(st, i)) {
        case SQ_COL_INT:
            v = json_integer(sq_col_int64(st, i));
            break;
        case SQ_COL_REAL:
            v = json_real(sq_col_double(st, i));
            break;
        case SQ_COL_TEXT:
            v = json_string(sq_col_text(st, i));
            break;
        default:
            v = json_null();
        }
        json_object_set_new(o, sq_col_name(st, i), v ? v : json_null());
    }
    return o;
}

json_t *sq_db_get_json(const char *sql, int64_t id, sq_row_json_fn row)
{
    struct sq_stmt *st = sq_db_stmt(sql);
    json_t *o = NULL;
    if (!st)
        return NULL;
    sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW)
        o = (row ? row : sq_db_row_json)(st);
    sq_db_reset(st);
    return o;
}

json_t *sq_db_list_json(const char *sql, sq_row_json_fn row)
{
    json_t *a = json_array();
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return a;
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(a, (row ? row : sq_db_row_json)(st));
    sq_db_reset(st);
    return a;
}

int64_t sq_db_scalar_id(const char *sql, int64_t id)
{
    struct sq_stmt *st = sq_db_stmt(sql);
    int64_t n = 0;
    if (!st)
        return 0;
    if (sq_bind_count(st) >= 1)
        sq_bind_int64(st, 1, id);
    if (sq_step(st) == SQ_ROW)
        n = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

int64_t sq_db_scalar(const char *sql)
{
    return sq_db_scalar_id(sql, 0);
}

static void bind_json(struct sq_stmt *st, int i, json_t *v)
{
    if (json_is_string(v))
        sq_bind_text(st, i, json_string_value(v));
    else if (json_is_integer(v))
        sq_bind_int64(st, i, json_integer_value(v));
    else if (json_is_real(v))
        sq_bind_double(st, i, json_real_value(v));
    else if (json_is_boolean(v))
        sq_bind_int(st, i, json_is_true(v));
    else
        sq_bind_null(st, i);
}

enum sq_err sq_db_update_fields(const char *table, int64_t id, json_t *in, const char *const *cols,
                                const char *stamp_col, int64_t now, struct sq_detail *d)
{
    enum sq_err e;
    char sql[256];
    if ((e = sq_db_begin(d)))
        return e;
    for (int i = 0; cols[i]; i++) {
        json_t *v = json_object_get(in, cols[i]);
        if (!v)
            continue;
        if (stamp_col)
            snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?2, %s = ?3 WHERE id = ?1", table,
                     cols[i], stamp_col);
        else
            snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?2 WHERE id = ?1", table, cols[i]);
        struct sq_stmt *st = sq_db_stmt(sql);
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        bind_json(st, 2, v);
        if (stamp_col)
            sq_bind_int64(st, 3, now);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err sq_db_delete_id(const char *table, int64_t id, const char *what, struct sq_detail *d)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", table);
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    enum sq_err e = sq_db_exec_stmt(st, d);
    if (!e && sq_db_changes() == 0)
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no such %s", what);
    return e;
}

bool sq_db_ping(void)
{
    struct sq_stmt *st = sq_db_stmt("SELECT count(*) FROM schema_version");
    bool ok = st && sq_step(st) == SQ_ROW;
    sq_db_reset(st);
    return ok;
}

/* ---- bulk loading -------------------------------------------------------- */

void sq_db_bulk_begin(void)
{
    sqlite3 *db = sq_db_conn();
    if (!db)
        return;
    /* The new file is filled in one big transaction. In WAL mode every page
     * would be written twice (to the log, then by the checkpoint); a rollback
     * journal only saves the few pages that existed before, so the build
     * writes once and still rolls back cleanly, even after a crash. */
    sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    /* a page cache that holds the whole transaction: a smaller one spills
     * dirty pages to the file and reads them back */
    sqlite3_exec(db, "PRAGMA cache_size=-1048576", NULL, NULL, NULL);
}

void sq_db_bulk_end(void)
{
    sqlite3 *db = sq_db_conn();
    if (db)
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-16000", NULL, NULL, NULL);
}

enum sq_err sq_db_indexes_drop(const char *const *tables, struct sq_db_saved_indexes *x,
                               struct sq_detail *d)
{
    char *names[SQ_DB_MAX_SAVED_INDEXES];
    enum sq_err e = SQ_OK;
    x->n = 0;
    for (int t = 0; tables[t]; t++) {
        struct sq_stmt *st = sq_db_stmt("SELECT name, sql FROM sqlite_master WHERE type = "
                                        "'index' AND tbl_name = ?1 AND sql IS NOT NULL "
                                        "ORDER BY name");
        if (!st)
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_bind_text(st, 1, tables[t]);
        while (x->n < SQ_DB_MAX_SAVED_INDEXES && sq_step(st) == SQ_ROW) {
            names[x->n] = strdup(sq_db_col_text(st, 0));
            x->sql[x->n] = strdup(sq_db_col_text(st, 1));
            x->n++;
        }
        sq_db_reset(st);
    }
    for (int i = 0; i < x->n; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP INDEX \"%s\"", names[i]);
        if (!e && sqlite3_exec(sq_db_conn(), sql, NULL, NULL, NULL) != SQLITE_OK)
            e = sq_db_error(sqlite3_extended_errcode(sq_db_conn()), d);
        free(names[i]);
    }
    return e;
}

enum sq_err sq_db_indexes_restore(struct sq_db_saved_indexes *x, struct sq_detail *d)
{
    enum sq_err e = SQ_OK;
    for (int i = 0; i < x->n; i++) {
        if (!e && sqlite3_exec(sq_db_conn(), x->sql[i], NULL, NULL, NULL) != SQLITE_OK)
            e = sq_db_error(sqlite3_extended_errcode(sq_db_conn()), d);
        free(x->sql[i]);
    }
    x->n = 0;
    return e;
}

/* ---- migrations ---------------------------------------------------------- */

int sq_db_binary_schema_version(void)
{
    int v = 0;
    for (const struct sq_embed_file *m = sq_migrations; m->name; m++) {
        int n = atoi(m->name);
        if (n > v)
            v = n;
    }
    return v;
}

static int current_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version),0) FROM schema_version", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static bool recorded(sqlite3 *db, int v)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_version WHERE version = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int(st, 1, v);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

int sq_db_schema_version(void)
{
    sqlite3 *db = sq_db_conn();
    return db ? current_version(db) : -1;
}

static enum sq_err migrate(sqlite3 *db, struct sq_detail *d)
{
    if (exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"))
        return sq_fail(d, SQ_EDB, NULL, "cannot create schema_version table");
    int have = current_version(db), know = sq_db_binary_schema_version();
    if (have > know)
        return sq_fail(d, SQ_EDB, NULL,
                       "the database %s has schema version %d but this sanqu knows only up to "
                       "%d: use a newer sanqu (never an older one) with this database",
                       db_path, have, know);
    for (const struct sq_embed_file *m = sq_migrations; m->name; m++) {
        int v = atoi(m->name);
        /* apply every migration not recorded yet, not only those above the
         * newest: branches that land out of order still get all of theirs */
        if (v <= have && recorded(db, v))
            continue;
        if (exec(db, "BEGIN IMMEDIATE"))
            return sq_fail(d, SQ_EDB, NULL, "cannot start migration %s", m->name);
        sqlite3_stmt *st = NULL;
        if (exec(db, (const char *)m->data) != SQLITE_OK ||
            sqlite3_prepare_v2(db, "INSERT INTO schema_version(version, name) VALUES (?, ?)", -1,
                               &st, NULL) != SQLITE_OK) {
            exec(db, "ROLLBACK");
            return sq_fail(d, SQ_EDB, NULL, "migration %s failed: %s", m->name, sqlite3_errmsg(db));
        }
        sqlite3_bind_int(st, 1, v);
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE || exec(db, "COMMIT")) {
            exec(db, "ROLLBACK");
            return sq_fail(d, SQ_EDB, NULL, "cannot record migration %s", m->name);
        }
        sq_info("event=migrated version=%d name=%s", v, m->name);
    }
    return SQ_OK;
}

enum sq_err sq_db_open(const char *path, struct sq_detail *d)
{
    if (strlen(path) >= sizeof db_path)
        return sq_fail(d, SQ_EINVAL, "db", "database path too long");
    snprintf(db_path, sizeof db_path, "%s", path);
    /* no allocation statistics: they take one process-wide mutex on every
     * SQLite malloc and free of every thread; under concurrent full-text
     * search the request threads spent a quarter of their time waiting on
     * it (SQLITE_MISUSE, ignored, once SQLite is initialised: a second open
     * in the same process) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3 *db = sq_db_conn();
    if (!db)
        return sq_fail(d, SQ_EDB, "db", "cannot open database %s", path);
    return migrate(db, d);
}

void sq_db_shutdown(void)
{
    ckpt_stop(); /* before its connection is closed */
    pthread_mutex_lock(&db_lock);
    for (struct db_conn *c = db_all, *next; c; c = next) {
        next = c->next;
        for (int i = 0; i < STMT_CACHE_SIZE; i++)
            if (c->cache[i].sql) {
                sqlite3_finalize(c->cache[i].stmt);
                free(c->cache[i].sql);
            }
        sqlite3_close(c->db);
        free(c);
    }
    db_all = NULL;
    db_mine = NULL;
    pthread_mutex_unlock(&db_lock);
}

/* ---- check and backup ---------------------------------------------------- */

int sq_db_check(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int problems = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        printf("cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return 1;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        printf("integrity_check failed: %s\n", sqlite3_errmsg(db));
        problems++;
    } else {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(st, 0);
            if (r && strcmp(r, "ok")) {
                printf("integrity: %s\n", r);
                problems++;
            }
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            printf("foreign key: table %s row %lld refers to missing %s\n",
                   sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                   sqlite3_column_text(st, 2));
            problems++;
        }
    } else {
        problems++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version),0) FROM schema_version", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        printf("not a sanqu database (no schema_version)\n");
        problems++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return problems;
}

enum sq_err sq_db_backup(const char *from, const char *to, struct sq_detail *d)
{
    sqlite3 *src = NULL, *dst = NULL;
    enum sq_err e = SQ_OK;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        e = sq_fail(d, SQ_EDB, "db", "cannot open %s", from);
        goto out;
    }
    sqlite3_busy_timeout(src, 10000);
    if (sqlite3_open(to, &dst) != SQLITE_OK) {
        e = sq_fail(d, SQ_EDB, "to", "cannot create %s", to);
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        e = sq_fail(d, SQ_EDB, "to", "backup failed: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int rc;
    /* copy in steps so a serving process' writers are not blocked for long */
    while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED)
        sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        e = sq_fail(d, SQ_EDB, "to", "backup failed: %s", sqlite3_errstr(rc));
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return e;
}
