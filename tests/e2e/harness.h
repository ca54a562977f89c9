/*
 * harness: the small end-to-end test kit shared by every tests/e2e/t_*.c.
 *
 * A test binary holds one scenario (kcgi regress/ style): a handful of test
 * functions listed in a table and run by h_main(), which prints one line per
 * test and "N passed, N failed", and exits non-zero when anything failed.
 *
 * The server under test is the real binary ($SANQU_BIN), started on
 * 127.0.0.1 with an ephemeral port and a database in a fresh temporary
 * directory; h_stop() sends SIGTERM and fails the test unless the server
 * exits 0 with no sanitizer report on its stderr. The demo database is built
 * once per server binary (a template next to it, $SANQU_BIN.e2e-demo.db),
 * together with one signed-in session per demo account, and copied for each
 * start: h_tok("admin") costs no argon2id verification.
 *
 * On PostgreSQL (SANQU_TEST_ENGINE=postgres, SANQU_TEST_PG=<URI of a test
 * cluster's maintenance database>: make check-pg) every server gets a new
 * database on the cluster instead of a file, the demo template is a database
 * there (built once per run and binary, copied with CREATE DATABASE ...
 * TEMPLATE), and h_db() is that database's URI. A test about SQLite itself
 * calls h_sqlite_only("reason") first.
 *
 * Memory: everything the harness hands to a test (responses, formatted
 * strings, command output) is owned by the harness and freed after the test
 * function returns, so tests never free anything. A failed assertion prints
 * file:line, the message and the last response, then abandons the test
 * (longjmp) and the runner goes on with the next one.
 */
#ifndef H_HARNESS_H
#define H_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* ---- registry ---- */
typedef void (*h_test_fn)(void);
struct h_test {
    const char *name;
    h_test_fn fn;
};
/* clang-format off */
#define H_TEST(fn) {#fn, fn}
/* clang-format on */
/* Runs tests (an array ending with {0}); argv[1], if given, selects the tests
 * whose name contains it. Stops the server at the end. Returns the exit code. */
int h_main(int argc, char **argv, const struct h_test *tests);

/* ---- the server ---- */
struct h_opts {
    bool demo;               /* start from a copy of the demo database */
    const char *db;          /* serve this database file instead of a new one */
    const char *const *args; /* extra `serve` arguments, NULL-terminated */
    const char *const *env;  /* extra "KEY=value" environment, NULL-terminated */
    const char *port_file;   /* when set, the harness adds neither --listen nor
                              * --port_file and waits for this file */
};
/* Starts the server (stopping a running one first); NULL = empty database.
 * Every start gets --quiet true --test_clock true. */
void h_start(const struct h_opts *o);
void h_start_demo(void);
/* Starts a demo server unless one (with default options) is running: lets a
 * file share one server across tests and still run a single test alone. */
void h_need_demo(void);
/* SIGTERM; fails the test unless the server exits 0 without sanitizer
 * reports. No-op when no server runs. */
void h_stop(void);
const char *h_db(void);     /* database of the current server (path, or URI on PostgreSQL) */
const char *h_base(void);   /* "http://127.0.0.1:PORT" */
const char *h_tmpdir(void); /* this binary's temporary directory */
const char *h_bin(void);    /* $SANQU_BIN */
/* A new, empty directory under h_tmpdir() (harness-owned path). */
const char *h_newdir(const char *hint);

/* ---- the engine ---- */
/* Whether the suite runs on PostgreSQL (see above). */
bool h_on_pg(void);
/* A new, empty database for `sanqu init`, `serve --db` ...: a file path in
 * a new directory on SQLite, a new database's URI on PostgreSQL. */
const char *h_newdb(const char *hint);
/* Runs sql (one or more statements) on db (a path or a URI; NULL = the
 * current server's database) with the engine's client, sqlite3 or psql
 * (unaligned, tuples only): rows come out as "a|b" lines either way. Does not
 * check the exit status. Portable SQL (docs/storage.md) gives the same output
 * on both. */
struct h_run *h_sql(const char *db, const char *sql);
/* The first column of the first row of a query on db (NULL = the current
 * server's database) as an integer, -1 when there is no row or it is NULL;
 * arg (may be NULL) is bound to $1 (the one placeholder both engines read).
 * Read-only on SQLite; fails the test on an error. The connection is cached
 * until the end of the test. */
long long h_sql_int(const char *db, const char *sql, const char *arg);
/* For a test about SQLite itself (its file, WAL, crash recovery, disk full):
 * on PostgreSQL prints "skipped on postgres: <reason>" and abandons the test
 * as skipped; no-op on SQLite. Keep these few (docs/testing.md). */
void h_sqlite_only(const char *reason);

/* ---- HTTP ---- */
struct h_resp {
    int status;
    json_t *json; /* the body parsed as JSON, or NULL */
    char *body;   /* NUL-terminated */
    size_t len;
    char *headers; /* the raw header block of the final response */
    const char *method, *path;
};

struct h_call {
    const char *method, *path;  /* path may include a query string */
    const char *token;          /* Authorization: Bearer */
    const char *cookie;         /* sanqu_session cookie value */
    const char *csrf;           /* X-CSRF-Token */
    const char *body;           /* request body; NULL = none */
    long body_len;              /* 0 = strlen(body) */
    const char *ctype;          /* default application/json when there is a body;
                                 * "" sends no Content-Type */
    const char *const *headers; /* extra "Name: value", NULL-terminated */
};
struct h_resp *h_send(const struct h_call *c);
struct h_resp *h_req(const char *method, const char *path, const char *token,
                     const char *json_body);
/* Same with a printf-formatted body. */
struct h_resp *h_reqf(const char *method, const char *path, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A response header's value (first of that name, case-insensitive), or NULL. */
const char *h_header(const struct h_resp *r, const char *name);

/* ---- sign-in ---- */
struct h_session {
    const char *token, *csrf;
    long long user_id;
};
/* Signs in (must answer 200) and caches the session per login until the
 * server restarts; each login costs an argon2id verification, so reuse. On
 * a plain demo server (h_start_demo, h_need_demo) the demo accounts'
 * template sessions are handed out until the test first sets the clock
 * (POST /api/v1/test/clock); they were issued up to 3 hours before, so a
 * test that moves the clock by hours calls h_forget_sessions() afterwards. */
const struct h_session *h_session(const char *login, const char *password);
/* Token of a demo account (password sanqu-demo). */
const char *h_tok(const char *login);
long long h_uid(const char *login);
/* A new session that is not cached (to log out, expire, ...). */
const struct h_session *h_login_fresh(const char *login, const char *password);
/* Forgets cached sessions (after the test revoked or expired them). */
void h_forget_sessions(void);

/* ---- commands ---- */
struct h_run {
    int status; /* exit code, or 128 + signal */
    char *out, *err;
};
/* Runs argv (argv[0] is looked up in PATH unless it contains '/'), with extra
 * environment, and waits (60 s at most). Output is harness-owned. */
struct h_run *h_runv(const char *const *env, const char *const *argv);
/* $SANQU_BIN with the given arguments, NULL-terminated. */
struct h_run *h_sanqu(const char *arg, ...) __attribute__((sentinel));

/* ---- helpers ---- */
char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Looks up "a.b.0.c" (object keys and array indexes) under root; NULL if absent. */
json_t *h_get(json_t *root, const char *path);
/* Frees j (json_decref) after the current test; returns j. */
json_t *h_keep_json(json_t *j);
/* The server's routing table from `sanqu routes --json`:
 * [{method,pattern,perm,summary}], harness-owned. */
json_t *h_routes(void);
/* Demo ids by code: the unit ("CM001", "ST01", "UN01S01"; looked up as
 * admin) and the second-level category ("WY01"). Fail the test if absent. */
long long h_unit_by_code(const char *code);
long long h_category_by_code(const char *code);
/* The pattern with every ":name" segment replaced by value. */
char *h_path_fill(const char *pattern, const char *value);
/* Harness-owned copy of a JSON value's compact text. */
char *h_dump(json_t *j);
/* Frees p (free()) after the current test. */
void *h_keep(void *p);
/* Milliseconds since an arbitrary point (for timing). */
double h_ms(void);

/* ---- assertions: on failure print and abandon the test ---- */
void h_fail(const char *file, int line, const struct h_resp *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
long long h_int_at(const char *file, int line, json_t *root, const char *path);
const char *h_str_at(const char *file, int line, json_t *root, const char *path);

#define H_FAIL(...) h_fail(__FILE__, __LINE__, NULL, __VA_ARGS__)
#define H_ASSERT(c)                                                                                \
    do {                                                                                           \
        if (!(c))                                                                                  \
            h_fail(__FILE__, __LINE__, NULL, "assertion failed: %s", #c);                          \
    } while (0)
#define H_ASSERTF(c, ...)                                                                          \
    do {                                                                                           \
        if (!(c))                                                                                  \
            h_fail(__FILE__, __LINE__, NULL, __VA_ARGS__);                                         \
    } while (0)
/* The response has this status. */
#define H_STATUS(r, want)                                                                          \
    do {                                                                                           \
        const struct h_resp *r_ = (r);                                                             \
        int w_ = (want);                                                                           \
        if (r_->status != w_)                                                                      \
            h_fail(__FILE__, __LINE__, r_, "expected status %d, got %d", w_, r_->status);          \
    } while (0)
/* The response is an error with this status and error.code (and field). */
#define H_ERR(r, want, code) h_check_err(__FILE__, __LINE__, (r), (want), (code), NULL)
#define H_ERR_FIELD(r, want, code, field)                                                          \
    h_check_err(__FILE__, __LINE__, (r), (want), (code), (field))
#define H_EQ_INT(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            h_fail(__FILE__, __LINE__, NULL, "%s == %s: %lld != %lld", #a, #b, a_, b_);            \
    } while (0)
#define H_EQ_STR(a, b)                                                                             \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_))                                                          \
            h_fail(__FILE__, __LINE__, NULL, "%s == %s: \"%s\" != \"%s\"", #a, #b,                 \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                        \
    } while (0)
#define H_CONTAINS(hay, needle)                                                                    \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_))                                                                \
            h_fail(__FILE__, __LINE__, NULL, "%s does not contain \"%s\": %.2000s", #hay, n_,      \
                   h_ ? h_ : "(null)");                                                            \
    } while (0)
/* JSON getters that fail the test when the value is absent or mistyped. */
#define H_INT(j, path) h_int_at(__FILE__, __LINE__, (j), (path))
#define H_STR(j, path) h_str_at(__FILE__, __LINE__, (j), (path))

void h_check_err(const char *file, int line, const struct h_resp *r, int status, const char *code,
                 const char *field);

#endif
