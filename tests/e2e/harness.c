/*
 * harness: server lifecycle, libcurl requests, sessions, commands and the
 * test runner for the end-to-end tests (see harness.h).
 *
 * One process runs at most one server at a time. The server is a child in
 * our process group that also gets SIGTERM if we die (PR_SET_PDEATHSIG), so
 * a crashed test binary leaves no server behind.
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 30000 /* ASan builds start slowly on busy machines */
#define STOP_TIMEOUT_MS 30000
#define RUN_TIMEOUT_MS 120000

/* ---- per-test memory ------------------------------------------------------ */

struct h_mem {
    struct h_mem *next;
    void *p;
    void (*free_fn)(void *);
};
static struct h_mem *h_arena;

static void *keep_with(void *p, void (*fn)(void *))
{
    struct h_mem *m = malloc(sizeof *m);
    if (!m || !p) {
        fprintf(stderr, "harness: out of memory\n");
        exit(2);
    }
    m->p = p;
    m->free_fn = fn;
    m->next = h_arena;
    h_arena = m;
    return p;
}

void *h_keep(void *p)
{
    return keep_with(p, free);
}

static void arena_free(void)
{
    while (h_arena) {
        struct h_mem *m = h_arena;
        h_arena = m->next;
        m->free_fn(m->p);
        free(m);
    }
}

static char *vfmt(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        fprintf(stderr, "harness: out of memory\n");
        exit(2);
    }
    return s;
}

char *h_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vfmt(fmt, ap);
    va_end(ap);
    return h_keep(s);
}

double h_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- runner and assertions ----------------------------------------------- */

static jmp_buf h_jmp;
static bool h_in_test;
static const char *h_test_name = "(setup)";
static const struct h_resp *h_last;

static void print_resp(const struct h_resp *r)
{
    if (!r)
        return;
    fprintf(stderr, "  response to %s %s: %d\n  body: %.2000s%s\n", r->method, r->path, r->status,
            r->body ? r->body : "", r->len > 2000 ? " ..." : "");
}

void h_fail(const char *file, int line, const struct h_resp *r, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL %s at %s:%d: ", h_test_name, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_resp(r ? r : h_last);
    fflush(stderr);
    if (h_in_test)
        longjmp(h_jmp, 1);
    exit(1);
}

void h_check_err(const char *file, int line, const struct h_resp *r, int status, const char *code,
                 const char *field)
{
    if (r->status != status)
        h_fail(file, line, r, "expected status %d, got %d", status, r->status);
    const char *c = json_string_value(h_get(r->json, "error.code"));
    if (!c || strcmp(c, code))
        h_fail(file, line, r, "expected error.code \"%s\", got \"%s\"", code, c ? c : "(none)");
    if (!json_is_string(h_get(r->json, "error.message")))
        h_fail(file, line, r, "error.message missing");
    if (field) {
        const char *f = json_string_value(h_get(r->json, "error.field"));
        if (!f || strcmp(f, field))
            h_fail(file, line, r, "expected error.field \"%s\", got \"%s\"", field,
                   f ? f : "(none)");
    }
}

json_t *h_get(json_t *root, const char *path)
{
    char key[256];
    const char *p = path;
    json_t *j = root;
    while (j && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        p += n + (p[n] == '.');
        if (json_is_array(j)) {
            char *end;
            long i = strtol(key, &end, 10);
            j = (*end || i < 0) ? NULL : json_array_get(j, (size_t)i);
        } else {
            j = json_object_get(j, key);
        }
    }
    return j;
}

long long h_int_at(const char *file, int line, json_t *root, const char *path)
{
    json_t *j = h_get(root, path);
    if (!json_is_integer(j))
        h_fail(file, line, NULL, "expected an integer at %s", path);
    return (long long)json_integer_value(j);
}

const char *h_str_at(const char *file, int line, json_t *root, const char *path)
{
    json_t *j = h_get(root, path);
    if (!json_is_string(j))
        h_fail(file, line, NULL, "expected a string at %s", path);
    return json_string_value(j);
}

static void json_free(void *p)
{
    json_decref(p);
}

json_t *h_keep_json(json_t *j)
{
    return j ? keep_with(j, json_free) : NULL;
}

json_t *h_routes(void)
{
    struct h_run *r = h_sanqu("routes", "--json", NULL);
    if (r->status != 0)
        H_FAIL("sanqu routes --json failed (%d): %s", r->status, r->err);
    json_error_t e;
    json_t *j = json_loads(r->out, 0, &e);
    if (!json_is_array(j) || !json_array_size(j))
        H_FAIL("sanqu routes --json gave no JSON array (%s): %.500s", e.text, r->out);
    return h_keep_json(j);
}

long long h_unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "items.0.code"), code);
    return H_INT(r->json, "items.0.id");
}

long long h_category_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", "/api/v1/categories", NULL, NULL);
    H_STATUS(r, 200);
    json_t *roots = json_object_get(r->json, "items"), *root, *kid;
    size_t i, j;
    json_array_foreach(roots, i, root)
    {
        json_array_foreach(json_object_get(root, "children"), j, kid)
        {
            const char *c = json_string_value(json_object_get(kid, "code"));
            if (c && !strcmp(c, code))
                return json_integer_value(json_object_get(kid, "id"));
        }
    }
    H_FAIL("no category %s", code);
}

char *h_path_fill(const char *pattern, const char *value)
{
    char *out = h_fmt("%s", ""), *tail;
    for (const char *p = pattern; *p;) {
        if (*p == ':' && p > pattern && p[-1] == '/') {
            size_t n = strcspn(p, "/");
            tail = h_fmt("%s%s", out, value);
            p += n;
        } else {
            size_t n = strcspn(p + 1, ":") + 1;
            tail = h_fmt("%s%.*s", out, (int)n, p);
            p += n;
        }
        out = tail;
    }
    return out;
}

char *h_dump(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
    return h_keep(s ? s : strdup("?"));
}

/* ---- temporary files ----------------------------------------------------- */

static char h_root[PATH_MAX];
static int h_ndirs;

static void tmp_init(const char *name)
{
    const char *t = getenv("TMPDIR");
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    snprintf(h_root, sizeof h_root, "%s/sanqu-%s-XXXXXX", t && *t ? t : "/tmp", base);
    if (!mkdtemp(h_root)) {
        fprintf(stderr, "harness: mkdtemp %s: %s\n", h_root, strerror(errno));
        exit(2);
    }
}

const char *h_tmpdir(void)
{
    return h_root;
}

const char *h_newdir(const char *hint)
{
    char *d = h_fmt("%s/%02d-%s", h_root, ++h_ndirs, hint ? hint : "d");
    if (mkdir(d, 0700))
        H_FAIL("mkdir %s: %s", d, strerror(errno));
    return d;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

static void tmp_remove(void)
{
    if (h_root[0])
        nftw(h_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (f) {
        for (;;) {
            if (n + 4096 + 1 > cap) {
                cap = cap ? cap * 2 : 8192;
                buf = realloc(buf, cap);
                if (!buf)
                    exit(2);
            }
            size_t got = fread(buf + n, 1, 4096, f);
            n += got;
            if (got == 0)
                break;
        }
        fclose(f);
    }
    if (!buf)
        buf = malloc(1);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = read_file(from, &n);
    FILE *f = fopen(to, "wb");
    int rc = (f && fwrite(data, 1, n, f) == n) ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(data);
    return rc;
}

/* ---- commands -------------------------------------------------------------- */

const char *h_bin(void)
{
    const char *b = getenv("SANQU_BIN");
    return b && *b ? b : "./sanqu";
}

/* Waits for pid up to ms; returns the decoded status or -1 on timeout. */
static int wait_for(pid_t pid, int ms)
{
    double until = h_ms() + ms;
    int st;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (w < 0 && errno != EINTR)
            return -2;
        if (h_ms() > until)
            return -1;
        usleep(2000);
    }
}

static pid_t spawn(const char *const *env, const char *const *argv, const char *out,
                   const char *err)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        H_FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0)
            _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        if (strchr(argv[0], '/'))
            execv(argv[0], (char *const *)argv);
        else
            execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

struct h_run *h_runv(const char *const *env, const char *const *argv)
{
    const char *dir = h_newdir("run");
    char *out = h_fmt("%s/stdout", dir), *err = h_fmt("%s/stderr", dir);
    pid_t pid = spawn(env, argv, out, err);
    struct h_run *r = h_keep(calloc(1, sizeof *r));
    r->status = wait_for(pid, RUN_TIMEOUT_MS);
    if (r->status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        H_FAIL("%s did not finish within %d ms", argv[0], RUN_TIMEOUT_MS);
    }
    r->out = h_keep(read_file(out, NULL));
    r->err = h_keep(read_file(err, NULL));
    return r;
}

struct h_run *h_sanqu(const char *arg, ...)
{
    const char *argv[64];
    int n = 0;
    va_list ap;
    argv[n++] = h_bin();
    va_start(ap, arg);
    for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return h_runv(NULL, argv);
}

/* ---- the engine ------------------------------------------------------------ */

/* With SANQU_TEST_ENGINE=postgres and SANQU_TEST_PG (the URI of a test
 * cluster's maintenance database, scripts/pg-cluster.sh) every server gets a
 * database of its own on that cluster instead of a file: CREATE DATABASE, or
 * a copy of the demo template (CREATE DATABASE ... TEMPLATE), dropped when
 * the binary ends (kept, like the temporary files, when a test failed; the
 * cluster goes anyway). */
static int h_engine = -1; /* 0 SQLite, 1 PostgreSQL */
static PGconn *h_pgc;     /* to the maintenance database */
#define H_MAX_PGDBS 256
static char *h_pgdbs[H_MAX_PGDBS]; /* databases this binary created */
static int h_npgdbs;

bool h_on_pg(void)
{
    if (h_engine < 0) {
        const char *e = getenv("SANQU_TEST_ENGINE"), *u = getenv("SANQU_TEST_PG");
        h_engine = e && !strcmp(e, "postgres") && u && *u;
        if (e && !strcmp(e, "postgres") && !h_engine) {
            fprintf(stderr, "harness: SANQU_TEST_ENGINE=postgres needs SANQU_TEST_PG\n");
            exit(2);
        }
    }
    return h_engine == 1;
}

/* SANQU_TEST_PG with its database name replaced by name. */
static char *pg_uri(const char *name)
{
    const char *u = getenv("SANQU_TEST_PG");
    const char *auth = strstr(u, "://");
    if (!auth)
        H_FAIL("SANQU_TEST_PG is not a URI: %s", u);
    const char *slash = strchr(auth + 3, '/'), *q = strchr(auth + 3, '?');
    if (!slash || (q && slash > q))
        slash = q ? q : u + strlen(u);
    const char *rest = strchr(slash, '?');
    return h_fmt("%.*s/%s%s", (int)(slash - u), u, name, rest ? rest : "");
}

/* Runs sql on the maintenance database; the result (PGRES_TUPLES_OK or
 * COMMAND_OK) is freed after the test. Fails the test otherwise. */
static void pg_free(void *p)
{
    PQclear(p);
}

static PGresult *pg_exec(const char *sql, int n, const char *const *params)
{
    if (!h_pgc) {
        h_pgc = PQconnectdb(getenv("SANQU_TEST_PG"));
        if (PQstatus(h_pgc) != CONNECTION_OK) {
            char *e = h_fmt("%s", PQerrorMessage(h_pgc));
            PQfinish(h_pgc);
            h_pgc = NULL;
            H_FAIL("cannot reach the test cluster %s: %s", getenv("SANQU_TEST_PG"), e);
        }
        PQclear(PQexec(h_pgc, "SET client_min_messages = warning"));
    }
    PGresult *r = PQexecParams(h_pgc, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        char *e = h_fmt("%s", PQerrorMessage(h_pgc));
        PQclear(r);
        H_FAIL("%s: %s", sql, e);
    }
    return keep_with(r, pg_free);
}

/* A new database (from template when not NULL), remembered for dropping;
 * returns its URI. */
static const char *pg_newdb(const char *hint, const char *template)
{
    static int n;
    char *name = h_fmt("sq_e2e_%d_%d_%s", (int)getpid(), ++n, hint ? hint : "db");
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    if (strlen(name) > 60)
        name[60] = '\0';
    pg_exec(h_fmt("CREATE DATABASE %s%s%s", name, template ? " TEMPLATE " : "",
                  template ? template : ""),
            0, NULL);
    if (h_npgdbs < H_MAX_PGDBS)
        h_pgdbs[h_npgdbs++] = strdup(name);
    return pg_uri(name);
}

static void pg_drop_all(void)
{
    for (int i = 0; i < h_npgdbs; i++) {
        char *sql = NULL;
        if (asprintf(&sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", h_pgdbs[i]) > 0)
            PQclear(PQexec(h_pgc, sql));
        free(sql);
        free(h_pgdbs[i]);
    }
    h_npgdbs = 0;
}

const char *h_newdb(const char *hint)
{
    if (h_on_pg())
        return pg_newdb(hint, NULL);
    return h_fmt("%s/%s.db", h_newdir(hint), hint ? hint : "d");
}

struct h_run *h_sql(const char *db, const char *sql)
{
    if (!db)
        db = h_db();
    if (h_on_pg()) {
        const char *argv[] = {"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-d",   db,   "-c", sql,  NULL};
        return h_runv(NULL, argv);
    }
    const char *argv[] = {"sqlite3", db, sql, NULL};
    return h_runv(NULL, argv);
}

/* One cached connection for h_sql_int (to the last db asked for), closed
 * after the test. */
static char *h_q_db;
static sqlite3 *h_q_lite;
static PGconn *h_q_pg;

static void q_close(void *unused)
{
    (void)unused;
    sqlite3_close(h_q_lite);
    PQfinish(h_q_pg);
    h_q_lite = NULL;
    h_q_pg = NULL;
    free(h_q_db);
    h_q_db = NULL;
}

long long h_sql_int(const char *db, const char *sql, const char *arg)
{
    static char keep_marker;
    if (!db)
        db = h_db();
    if (!h_q_db || strcmp(h_q_db, db)) {
        if (h_q_db)
            q_close(NULL);
        else
            keep_with(&keep_marker, q_close);
        h_q_db = strdup(db);
        if (h_on_pg()) {
            h_q_pg = PQconnectdb(db);
            if (PQstatus(h_q_pg) != CONNECTION_OK)
                H_FAIL("cannot reach %s: %s", db, PQerrorMessage(h_q_pg));
        } else {
            if (sqlite3_open_v2(db, &h_q_lite, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
                H_FAIL("cannot open %s read-only", db);
            sqlite3_busy_timeout(h_q_lite, 5000);
        }
    }
    long long v = -1;
    if (h_q_pg) {
        const char *params[1] = {arg};
        PGresult *r = PQexecParams(h_q_pg, sql, arg ? 1 : 0, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char *e = h_fmt("%s", PQerrorMessage(h_q_pg));
            PQclear(r);
            H_FAIL("%s: %s", sql, e);
        }
        if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        return v;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h_q_lite, sql, -1, &st, NULL) != SQLITE_OK)
        H_FAIL("%s: %s", sql, sqlite3_errmsg(h_q_lite));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        H_FAIL("%s: %s", sql, sqlite3_errmsg(h_q_lite));
    return v;
}

static int h_skipping; /* set by h_sqlite_only for the runner */

void h_sqlite_only(const char *reason)
{
    if (!h_on_pg())
        return;
    printf("skipped on postgres: %s\n", reason);
    h_skipping = 1;
    if (h_in_test)
        longjmp(h_jmp, 2);
}

/* ---- the demo template ----------------------------------------------------- */

/* The demo database is built once per server binary, next to it, together
 * with one signed-in session per demo account (an argon2id verification
 * each: slow, and slower under ASan), so that every test binary starts from
 * a copy with ready tokens. Both are rebuilt when the binary is newer or the
 * sessions (12 h lifetime) are getting old. */
static const char *const demo_logins[] = {
    "admin",          "supervisor",      "auditor",           "street_admin",
    "street_handler", "community_admin", "community_handler", "community2_handler",
    "gridworker",     "dept_handler",    "univ_handler",      "park_handler",
    "resident",       "student",         "enterprise",        NULL,
};
#define TEMPLATE_MAX_AGE (3 * 3600) /* tokens keep >= 9 of their 12 hours */

static char h_template[PATH_MAX];
static json_t *h_tpl_sessions; /* {"login":{"token","csrf","user_id"}} */

static struct h_session login_new(const char *login, const char *password);
static void start_server(const struct h_opts *o);

static bool newer(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

static json_t *load_sessions(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    json_int_t created = json_integer_value(json_object_get(j, "created"));
    if (!json_is_object(json_object_get(j, "sessions")) ||
        time(NULL) - created > TEMPLATE_MAX_AGE) {
        json_decref(j);
        return NULL;
    }
    json_t *s = json_incref(json_object_get(j, "sessions"));
    json_decref(j);
    return s;
}

/* Builds the demo in db and signs every demo account in; returns the file
 * content for the sessions. */
static json_t *build_template(const char *db)
{
    /* units and accounts only: the default three years of appeals would
     * take seconds to build and change what the scenarios count */
    struct h_run *r = h_sanqu("demo", "--db", db, "--appeals", "0", NULL);
    if (r->status != 0)
        H_FAIL("sanqu demo failed (%d): %s", r->status, r->err);
    start_server(&(struct h_opts){.db = db});
    json_t *sessions = json_object();
    for (const char *const *l = demo_logins; *l; l++) {
        struct h_session s = login_new(*l, "sanqu-demo");
        json_object_set_new(sessions, *l,
                            json_pack("{s:s,s:s,s:I}", "token", s.token, "csrf", s.csrf, "user_id",
                                      (json_int_t)s.user_id));
        free((char *)s.token);
        free((char *)s.csrf);
    }
    h_stop();
    if (!h_on_pg() && !access(h_fmt("%s-wal", db), F_OK))
        H_FAIL("the server left a WAL file behind after a clean stop: %s-wal", db);
    return json_pack("{s:I,s:o}", "created", (json_int_t)time(NULL), "sessions", sessions);
}

/* On PostgreSQL the template is a database of the test cluster,
 * sq_e2e_tpl_<hash of the binary>_<pid of its builder>, registered with its
 * sessions in a table of the maintenance database (sq_e2e_templates) so that
 * the first test binary of a run builds it and the others copy it. */
static const char *demo_template_pg(const struct stat *sb)
{
    unsigned long long hsh = 1469598103934665603ULL;
    char *id = h_fmt("%s|%lld|%lld.%ld", h_bin(), (long long)sb->st_size,
                     (long long)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec);
    for (const char *p = id; *p; p++)
        hsh = (hsh ^ (unsigned char)*p) * 1099511628211ULL;
    const char *key = h_fmt("sq_e2e_tpl_%016llx", hsh);
    const char *now = h_fmt("%lld", (long long)time(NULL));
    const char *oldest = h_fmt("%lld", (long long)time(NULL) - TEMPLATE_MAX_AGE);
    pg_exec("CREATE TABLE IF NOT EXISTS sq_e2e_templates (name text PRIMARY KEY, "
            "db text NOT NULL, sessions text NOT NULL, created bigint NOT NULL)",
            0, NULL);
    const char *sel = "SELECT db, sessions FROM sq_e2e_templates WHERE name = $1 AND created >= $2";
    PGresult *r = pg_exec(sel, 2, (const char *const[]){key, oldest});
    if (PQntuples(r) == 0) {
        char *name = h_fmt("%s_%d", key, (int)getpid());
        pg_exec(h_fmt("CREATE DATABASE %s", name), 0, NULL);
        json_t *file = build_template(pg_uri(name));
        char *ses = h_keep(json_dumps(json_object_get(file, "sessions"), JSON_COMPACT));
        json_decref(file);
        pg_exec("INSERT INTO sq_e2e_templates (name, db, sessions, created) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET db = excluded.db, "
                "sessions = excluded.sessions, created = excluded.created "
                "WHERE sq_e2e_templates.created < $5",
                5, (const char *const[]){key, name, ses, now, oldest});
        r = pg_exec(sel, 2, (const char *const[]){key, oldest});
        if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), name)) /* another binary won */
            pg_exec(h_fmt("DROP DATABASE IF EXISTS %s WITH (FORCE)", name), 0, NULL);
    }
    if (PQntuples(r) != 1)
        H_FAIL("the demo template %s is not registered", key);
    h_tpl_sessions = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
    if (!json_is_object(h_tpl_sessions))
        H_FAIL("the demo template %s has no sessions", key);
    snprintf(h_template, sizeof h_template, "%s", PQgetvalue(r, 0, 0));
    return h_template;
}

static const char *demo_template(void)
{
    struct stat sb, st;
    if (h_template[0])
        return h_template;
    if (stat(h_bin(), &sb))
        H_FAIL("cannot find the server binary %s (set SANQU_BIN)", h_bin());
    if (h_on_pg())
        return demo_template_pg(&sb);
    char *cache = h_fmt("%s.e2e-demo.db", h_bin());
    char *cache_ses = h_fmt("%s.e2e-demo.sessions.json", h_bin());
    if (!stat(cache, &st) && st.st_size > 0 && newer(&st, &sb) &&
        (h_tpl_sessions = load_sessions(cache_ses))) {
        snprintf(h_template, sizeof h_template, "%s", cache);
        return h_template;
    }
    char *tmp = h_fmt("%s/demo-template.db", h_root);
    json_t *file = build_template(tmp);
    h_tpl_sessions = json_incref(json_object_get(file, "sessions"));
    /* publish atomically (sessions first: the db marks the pair complete);
     * if the binary's directory is read-only keep ours */
    char *part = h_fmt("%s.%d.part", cache, (int)getpid());
    char *ses_part = h_fmt("%s.%d.part", cache_ses, (int)getpid());
    int rc = json_dump_file(file, ses_part, JSON_COMPACT);
    json_decref(file);
    if (!rc && !rename(ses_part, cache_ses) && !copy_file(tmp, part) && !rename(part, cache)) {
        snprintf(h_template, sizeof h_template, "%s", cache);
    } else {
        unlink(part);
        unlink(ses_part);
        char *kept = h_fmt("%s/demo-template-kept.db", h_root);
        if (strlen(kept) >= sizeof h_template || rename(tmp, kept))
            H_FAIL("cannot keep the demo template: %s", strerror(errno));
        memcpy(h_template, kept, strlen(kept) + 1);
    }
    return h_template;
}

/* ---- the server ------------------------------------------------------------ */

static pid_t h_pid;
static int h_port;
static bool h_is_demo; /* the running server is a plain demo (h_need_demo) */
static char h_dbpath[PATH_MAX], h_errpath[PATH_MAX], h_baseurl[64];

const char *h_db(void)
{
    return h_dbpath;
}

const char *h_base(void)
{
    return h_baseurl;
}

void h_forget_sessions(void);

static bool h_use_tpl; /* h_session may hand out the template's sessions */

void h_start(const struct h_opts *o)
{
    if (o && o->demo)
        demo_template(); /* may start and stop a server of its own */
    start_server(o);
}

static void start_server(const struct h_opts *o)
{
    static const struct h_opts none = {0};
    const char *argv[64];
    int n = 0;
    h_stop();
    h_forget_sessions();
    if (!o)
        o = &none;
    const char *dir = h_newdir("server");
    if (h_on_pg() && o->demo && o->db)
        H_FAIL("a demo copy into a given database is SQLite-only (%s)", o->db);
    if (o->db)
        snprintf(h_dbpath, sizeof h_dbpath, "%s", o->db);
    else if (h_on_pg())
        snprintf(h_dbpath, sizeof h_dbpath, "%s",
                 pg_newdb(o->demo ? "demo" : "new", o->demo ? demo_template() : NULL));
    else
        snprintf(h_dbpath, sizeof h_dbpath, "%s/sanqu.db", dir);
    if (o->demo && !h_on_pg() && copy_file(demo_template(), h_dbpath))
        H_FAIL("cannot copy the demo database to %s", h_dbpath);
    const char *pf = o->port_file ? o->port_file : h_fmt("%s/port", dir);
    snprintf(h_errpath, sizeof h_errpath, "%s/stderr", dir);
    argv[n++] = h_bin();
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = h_dbpath;
    if (!o->port_file) {
        argv[n++] = "--listen";
        argv[n++] = "127.0.0.1:0";
        argv[n++] = "--port_file";
        argv[n++] = pf;
    }
    argv[n++] = "--quiet";
    argv[n++] = "true";
    argv[n++] = "--test_clock";
    argv[n++] = "true";
    for (const char *const *a = o->args; a && *a && n < 62; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    unlink(pf);
    h_pid = spawn(o->env, argv, h_fmt("%s/stdout", dir), h_errpath);
    double until = h_ms() + START_TIMEOUT_MS;
    for (;;) {
        FILE *f = fopen(pf, "r");
        int port = 0;
        if (f) {
            int ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0) {
                h_port = port;
                break;
            }
        }
        int st = wait_for(h_pid, 0);
        if (st >= 0) {
            h_pid = 0;
            char *err = h_keep(read_file(h_errpath, NULL));
            H_FAIL("the server exited with %d before listening; stderr:\n%s", st, err);
        }
        if (h_ms() > until) {
            kill(h_pid, SIGKILL);
            waitpid(h_pid, NULL, 0);
            h_pid = 0;
            H_FAIL("the server did not write its port file %s in time", pf);
        }
        usleep(5000);
    }
    snprintf(h_baseurl, sizeof h_baseurl, "http://127.0.0.1:%d", h_port);
    h_is_demo = o->demo && !o->args && !o->env && !o->port_file;
    /* the template's sessions were issued by a default server on the real
     * clock: only a plain demo server, and only until the clock moves */
    h_use_tpl = h_is_demo;
}

void h_need_demo(void)
{
    if (!h_pid || !h_is_demo)
        h_start_demo();
}

void h_start_demo(void)
{
    h_start(&(struct h_opts){.demo = true});
}

/* Sanitizer reports are failures even when the exit code looks fine. */
static const char *sanitizer_report(const char *err)
{
    static const char *const marks[] = {
        "AddressSanitizer", "LeakSanitizer",   "UndefinedBehaviorSanitizer",
        "runtime error:",   "ThreadSanitizer", NULL};
    for (const char *const *m = marks; *m; m++)
        if (strstr(err, *m))
            return *m;
    return NULL;
}

void h_stop(void)
{
    if (!h_pid)
        return;
    pid_t pid = h_pid;
    h_pid = 0;
    h_is_demo = false;
    h_forget_sessions();
    kill(pid, SIGTERM);
    int st = wait_for(pid, STOP_TIMEOUT_MS);
    char *err = h_keep(read_file(h_errpath, NULL));
    if (st == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        H_FAIL("the server did not stop within %d ms of SIGTERM; stderr:\n%s", STOP_TIMEOUT_MS,
               err);
    }
    const char *san = sanitizer_report(err);
    if (san)
        H_FAIL("the server's stderr has a %s report:\n%s", san, err);
    if (st != 0)
        H_FAIL("the server exited with %d after SIGTERM; stderr:\n%s", st, err);
}

/* ---- HTTP ------------------------------------------------------------------ */

static CURL *h_curl;

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const char *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            exit(2);
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    buf_add(ud, data, size * nmemb);
    return size * nmemb;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    if (size * nmemb >= 5 && !strncmp(data, "HTTP/", 5))
        b->n = 0; /* a new response (after 100 Continue): keep only the last */
    buf_add(b, data, size * nmemb);
    return size * nmemb;
}

static void resp_free(void *p)
{
    struct h_resp *r = p;
    json_decref(r->json);
    free(r->body);
    free(r->headers);
    free((char *)r->method);
    free((char *)r->path);
    free(r);
}

struct h_resp *h_send(const struct h_call *c)
{
    struct curl_slist *hl = NULL;
    struct buf body = {0}, head = {0};
    char url[4096];
    if (!h_port)
        H_FAIL("no server is running (call h_start first)");
    if (!h_curl && !(h_curl = curl_easy_init()))
        H_FAIL("curl_easy_init failed");
    CURL *cu = h_curl;
    curl_easy_reset(cu);
    snprintf(url, sizeof url, "%s%s", h_baseurl, c->path);
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(cu, CURLOPT_HEADERDATA, &head);
    const char *m = c->method ? c->method : "GET";
    if (!strcmp(m, "HEAD"))
        curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
    else if (strcmp(m, "GET"))
        curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, m);
    if (c->body) {
        curl_easy_setopt(cu, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(c->body_len ? (size_t)c->body_len : strlen(c->body)));
        if (strcmp(m, "POST"))
            curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, m);
    } else if (!strcmp(m, "POST") || !strcmp(m, "PATCH") || !strcmp(m, "PUT")) {
        curl_easy_setopt(cu, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, 0L);
    }
    hl = curl_slist_append(hl, "Expect:");
    if (c->body && (!c->ctype || *c->ctype))
        hl = curl_slist_append(hl,
                               h_fmt("Content-Type: %s", c->ctype ? c->ctype : "application/json"));
    else
        hl = curl_slist_append(hl, "Content-Type:");
    if (c->token)
        hl = curl_slist_append(hl, h_fmt("Authorization: Bearer %s", c->token));
    if (c->cookie)
        hl = curl_slist_append(hl, h_fmt("Cookie: sanqu_session=%s", c->cookie));
    if (c->csrf)
        hl = curl_slist_append(hl, h_fmt("X-CSRF-Token: %s", c->csrf));
    for (const char *const *h = c->headers; h && *h; h++)
        hl = curl_slist_append(hl, *h);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
    if (!strcmp(m, "POST") && !strncmp(c->path, "/api/v1/test/clock", 18))
        h_use_tpl = false; /* sessions signed in from now on live on the new clock */
    CURLcode rc = curl_easy_perform(cu);
    curl_slist_free_all(hl);
    struct h_resp *r = calloc(1, sizeof *r);
    keep_with(r, resp_free);
    r->method = strdup(m);
    r->path = strdup(c->path);
    r->body = body.p ? body.p : strdup("");
    r->len = body.n;
    r->headers = head.p ? head.p : strdup("");
    h_last = r;
    if (rc != CURLE_OK) {
        int st = h_pid ? wait_for(h_pid, 0) : -1;
        if (st >= 0) {
            h_pid = 0;
            H_FAIL("%s %s: %s: the server has exited with %d; stderr:\n%s", m, c->path,
                   curl_easy_strerror(rc), st, (char *)h_keep(read_file(h_errpath, NULL)));
        }
        H_FAIL("%s %s: %s (server pid %d, wait %d, alive %d)", m, c->path, curl_easy_strerror(rc),
               (int)h_pid, st, h_pid ? kill(h_pid, 0) == 0 : 0);
    }
    long status = 0;
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
    r->status = (int)status;
    if (r->len)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    h_last = r;
    return r;
}

struct h_resp *h_req(const char *method, const char *path, const char *token, const char *json_body)
{
    return h_send(
        &(struct h_call){.method = method, .path = path, .token = token, .body = json_body});
}

struct h_resp *h_reqf(const char *method, const char *path, const char *token, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *body = h_keep(vfmt(fmt, ap));
    va_end(ap);
    return h_req(method, path, token, body);
}

const char *h_header(const struct h_resp *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && p[n] == ':' && !strncasecmp(p, name, n)) {
            const char *v = p + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return h_fmt("%.*s", (int)(len - (size_t)(v - p)), v);
        }
        p += len + (eol ? 2 : 0);
    }
    return NULL;
}

/* ---- sessions -------------------------------------------------------------- */

struct cached {
    struct cached *next;
    char *login;
    struct h_session s;
};
static struct cached *h_sessions;

void h_forget_sessions(void)
{
    h_use_tpl = false;
    while (h_sessions) {
        struct cached *c = h_sessions;
        h_sessions = c->next;
        free(c->login);
        free((char *)c->s.token);
        free((char *)c->s.csrf);
        free(c);
    }
}

static struct h_session login_new(const char *login, const char *password)
{
    json_t *in = json_pack("{s:s,s:s}", "login", login, "password", password);
    char *text = h_keep(json_dumps(in, JSON_COMPACT));
    json_decref(in);
    struct h_resp *r = h_req("POST", "/api/v1/auth/login", NULL, text);
    if (r->status != 200)
        h_fail(__FILE__, __LINE__, r, "cannot sign in as %s", login);
    struct h_session s = {
        .token = strdup(H_STR(r->json, "token")),
        .csrf = strdup(H_STR(r->json, "csrf_token")),
        .user_id = H_INT(r->json, "user.id"),
    };
    return s;
}

const struct h_session *h_session(const char *login, const char *password)
{
    for (struct cached *c = h_sessions; c; c = c->next)
        if (!strcmp(c->login, login))
            return &c->s;
    struct cached *c = calloc(1, sizeof *c);
    json_t *t = json_object_get(h_tpl_sessions, login);
    if (h_use_tpl && t && !strcmp(password, "sanqu-demo")) {
        c->s.token = strdup(json_string_value(json_object_get(t, "token")));
        c->s.csrf = strdup(json_string_value(json_object_get(t, "csrf")));
        c->s.user_id = json_integer_value(json_object_get(t, "user_id"));
    } else {
        c->s = login_new(login, password);
    }
    c->login = strdup(login);
    c->next = h_sessions;
    h_sessions = c;
    return &c->s;
}

const struct h_session *h_login_fresh(const char *login, const char *password)
{
    struct h_session *s = h_keep(calloc(1, sizeof *s));
    *s = login_new(login, password);
    h_keep((char *)s->token);
    h_keep((char *)s->csrf);
    return s;
}

const char *h_tok(const char *login)
{
    return h_session(login, "sanqu-demo")->token;
}

long long h_uid(const char *login)
{
    return h_session(login, "sanqu-demo")->user_id;
}

/* ---- main ------------------------------------------------------------------ */

/* Outside h_main so that longjmp cannot clobber them. */
static int h_passed, h_failed, h_skipped;
static const struct h_test *h_cur;

int h_main(int argc, char **argv, const struct h_test *tests)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    tmp_init(argv[0]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    double t0 = h_ms();
    for (h_cur = tests; h_cur->name; h_cur++) {
        if (argc > 1 && !strstr(h_cur->name, argv[1]))
            continue;
        h_test_name = h_cur->name;
        double s = h_ms();
        h_in_test = true;
        h_skipping = 0;
        int jumped = setjmp(h_jmp);
        if (!jumped) {
            h_cur->fn();
            h_in_test = false;
            printf("ok   %s (%.0f ms)\n", h_cur->name, h_ms() - s);
            h_passed++;
        } else if (jumped == 2 && h_skipping) {
            h_in_test = false;
            printf("skip %s\n", h_cur->name);
            h_skipped++;
        } else {
            h_in_test = false;
            printf("FAIL %s (%.0f ms)\n", h_cur->name, h_ms() - s);
            h_failed++;
        }
        h_last = NULL;
        arena_free();
    }
    h_test_name = "(shutdown)";
    h_in_test = true;
    if (!setjmp(h_jmp)) {
        h_stop();
    } else {
        printf("FAIL server shutdown\n");
        h_failed++;
    }
    h_in_test = false;
    h_last = NULL;
    arena_free();
    h_forget_sessions();
    json_decref(h_tpl_sessions);
    if (h_curl)
        curl_easy_cleanup(h_curl);
    curl_global_cleanup();
    if (h_skipped)
        printf("%d passed, %d failed, %d skipped on postgres (%.1f s)\n", h_passed, h_failed,
               h_skipped, (h_ms() - t0) / 1000.0);
    else
        printf("%d passed, %d failed (%.1f s)\n", h_passed, h_failed, (h_ms() - t0) / 1000.0);
    if (h_failed) {
        fprintf(stderr, "kept temporary files in %s\n", h_root);
        if (h_npgdbs)
            fprintf(stderr, "kept the PostgreSQL databases sq_e2e_%d_*\n", (int)getpid());
    } else {
        tmp_remove();
        if (h_pgc)
            pg_drop_all();
    }
    if (h_pgc)
        PQfinish(h_pgc);
    return h_failed ? 1 : 0;
}
