/*
 * http: the libmicrohttpd server. One access callback collects the body,
 * then dispatch() runs the fixed pipeline: route -> size limit -> authenticate
 * -> route permission -> CSRF -> JSON parse -> handler -> reply. The response
 * is queued on the final callback, which keeps keep-alive connections open;
 * only a request whose framing is ambiguous (Content-Length together with
 * Transfer-Encoding, RFC 9112 6.3) is answered on the first one, unread, and
 * its connection closed. A request's memory is freed in completed().
 *
 * The client address (r->ip) is the peer's, unless the peer is one of the
 * trusted_proxies: then it is the right-most X-Forwarded-For entry that is
 * not a trusted proxy itself. Every HTML answer carries the UI's CSP.
 */
#include "core/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/db.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/netaddr.h"
#include "core/writer.h"

#define MAX_ROUTES 512
#define NBUCKETS 12

/* The web UI's Content-Security-Policy; every HTML page gets it. */
#define UI_CSP                                                                                     \
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "           \
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'"

static struct MHD_Daemon *http_daemon;
static const struct sq_config *http_cfg;
static sq_auth_fn http_auth;
static sq_audit_access_fn http_audit_access;
static atomic_uint_fast64_t http_req_counter;
static unsigned http_rid_prefix;

/* ---- metrics ---- */
static const double bucket_le[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,   0.25,   0.5,   1,    2.5,   5};
static atomic_uint_fast64_t m_route_status[MAX_ROUTES + 2][6]; /* [route][status/100] */
static atomic_uint_fast64_t m_buckets[NBUCKETS + 1];
static atomic_uint_fast64_t m_latency_us_sum;
static atomic_uint_fast64_t m_count;
static atomic_int m_open_conns;
static atomic_uint_fast64_t m_writer_requests; /* requests run as writer jobs */

void sq_http_set_authenticator(sq_auth_fn fn)
{
    http_auth = fn;
}

void sq_http_set_audit_access(sq_audit_access_fn fn)
{
    http_audit_access = fn;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- request helpers ---- */

const char *sq_req_query(const struct sq_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int64_t sq_query_int(const struct sq_req *r, const char *name, int64_t dflt)
{
    const char *s = sq_req_query(r, name);
    return s && *s ? strtoll(s, NULL, 10) : dflt;
}

int64_t sq_query_time(const struct sq_req *r, const char *name)
{
    const char *s = sq_req_query(r, name);
    int64_t t = 0;
    if (s && *s && sq_clock_parse_iso(s, &t))
        t = 0;
    return t;
}

bool sq_query_bool(const struct sq_req *r, const char *name)
{
    const char *s = sq_req_query(r, name);
    return s && (!strcmp(s, "1") || !strcmp(s, "true"));
}

struct query_check {
    const struct sq_query *decl;
    struct sq_detail d;
    enum sq_err e;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct query_check *q = cls;
    (void)kind;
    q->e = sq_query_check(sq_query_find(q->decl, key), key, value, &q->d);
    return q->e ? MHD_NO : MHD_YES;
}

int sq_req_query_check(struct sq_req *r)
{
    struct query_check q = {.decl = r->route->query};
    if (!r->conn || (r->route->flags & SQ_ROUTE_QUERY_OPEN))
        return 0;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &q);
    for (const struct sq_query *p = q.decl; !q.e && p && p->name; p++)
        if (p->required && !sq_req_query(r, p->name))
            q.e = sq_fail(&q.d, SQ_EINVAL, p->name, "缺少查询参数 %s / %s is required", p->name,
                          p->name);
    return q.e ? sq_reply_err(r, q.e, &q.d) : 0;
}

struct query_all {
    char *out;
    size_t cap, len;
    int n; /* arguments seen */
    bool fits;
};

/* Appends s; unless raw (a separator), with '%', '&' and '=' escaped, so
 * that distinct argument lists never print the same. */
static void query_put(struct query_all *q, const char *s, bool raw)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s && q->fits; s++) {
        bool esc = !raw && (*s == '%' || *s == '&' || *s == '=');
        if (q->len + (esc ? 3 : 1) >= q->cap) {
            q->fits = false;
            break;
        }
        if (esc) {
            q->out[q->len++] = '%';
            q->out[q->len++] = hex[(unsigned char)*s >> 4];
            q->out[q->len++] = hex[(unsigned char)*s & 15];
        } else {
            q->out[q->len++] = *s;
        }
    }
    q->out[q->len < q->cap ? q->len : q->cap - 1] = '\0';
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct query_all *q = cls;
    (void)kind;
    if (q->n++)
        query_put(q, "&", true);
    query_put(q, key, false);
    if (value) { /* "?a" and "?a=" differ: the value is NULL or "" */
        query_put(q, "=", true);
        query_put(q, value, false);
    }
    return q->fits ? MHD_YES : MHD_NO;
}

bool sq_req_query_all(const struct sq_req *r, char *out, size_t cap)
{
    struct query_all q = {out, cap, 0, 0, cap > 0};
    if (!cap || !r->conn)
        return false;
    out[0] = '\0';
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    return q.fits;
}

const char *sq_req_header(const struct sq_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *sq_req_cookie(const struct sq_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int64_t sq_req_param_id(const struct sq_req *r, const char *name)
{
    const char *s = sq_req_param(r, name);
    int64_t v = 0;
    if (!s || !*s || strlen(s) > 15)
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* ---- replies ---- */

int sq_reply_json(struct sq_req *r, int status, json_t *body)
{
    json_decref(r->out);
    r->out = body;
    if (r->raw_free)
        free(r->raw);
    r->raw = NULL;
    r->raw_free = false;
    r->status = status;
    return status;
}

int sq_reply_err(struct sq_req *r, enum sq_err e, const struct sq_detail *d)
{
    int status = sq_err_status(e);
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(sq_err_code(e)));
    if (status >= 500) {
        json_object_set_new(err, "message",
                            json_string(e == SQ_EFULL ? d->message
                                                      : "internal error; the "
                                                        "request id is logged"));
        json_object_set_new(err, "request_id", json_string(r->rid));
        sq_error("event=internal_error rid=%s path=%s err=%s msg=\"%s\"", r->rid, r->path,
                 sq_err_code(e), d ? d->message : "");
    } else {
        json_object_set_new(err, "message",
                            json_string(d && d->message[0] ? d->message : sq_err_code(e)));
    }
    if (d && d->field)
        json_object_set_new(err, "field", json_string(d->field));
    return sq_reply_json(r, status, json_pack("{s:o}", "error", err));
}

int sq_reply_errf(struct sq_req *r, enum sq_err e, const char *field, const char *fmt, ...)
{
    struct sq_detail d = {.field = field};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.message, sizeof d.message, fmt, ap);
    va_end(ap);
    return sq_reply_err(r, e, &d);
}

int sq_reply_raw(struct sq_req *r, int status, const char *ctype, const void *data, size_t len,
                 bool copy)
{
    if (r->raw_free)
        free(r->raw);
    if (copy) {
        r->raw = malloc(len ? len : 1);
        if (!r->raw)
            sq_fatal("out of memory");
        memcpy(r->raw, data, len);
    } else {
        r->raw = (char *)data;
    }
    r->raw_free = copy;
    r->raw_len = len;
    r->ctype = ctype;
    r->status = status;
    return status;
}

int sq_reply_json_text(struct sq_req *r, int status, char *text, size_t len)
{
    json_decref(r->out);
    r->out = NULL;
    if (r->raw_free)
        free(r->raw);
    r->raw = text;
    r->raw_free = true;
    r->raw_len = len;
    r->ctype = "application/json; charset=utf-8";
    r->status = status;
    return status;
}

void sq_reply_header(struct sq_req *r, const char *name, const char *value)
{
    if (r->nheaders == 8)
        return;
    r->headers[r->nheaders][0] = strdup(name);
    r->headers[r->nheaders][1] = strdup(value);
    r->nheaders++;
}

int sq_reply_rate_limited(struct sq_req *r, int retry_after, const char *zh, const char *en)
{
    char ra[16];
    if (retry_after < 1)
        retry_after = 1;
    snprintf(ra, sizeof ra, "%d", retry_after);
    sq_reply_header(r, "Retry-After", ra);
    return sq_reply_errf(r, SQ_ERATE, NULL, "%s，请 %d 秒后再试 / %s; try again in %d s", zh,
                         retry_after, en, retry_after);
}

void sq_reply_session_cookie(struct sq_req *r, const char *token, int max_age)
{
    char cookie[256];
    const struct sq_config *c = http_cfg ? http_cfg : sq_app_config;
    bool secure = c && !strncmp(c->public_url, "https://", 8);
    snprintf(cookie, sizeof cookie,
             "sanqu_session=%s; Path=/; HttpOnly; SameSite=Strict; "
             "Max-Age=%d%s",
             token, max_age, secure ? "; Secure" : "");
    sq_reply_header(r, "Set-Cookie", cookie);
}

int sq_reply_list(struct sq_req *r, json_t *items, int64_t total, const char *next)
{
    return sq_reply_json(r, 200,
                         json_pack("{s:o,s:I,s:o}", "items", items, "total", (json_int_t)total,
                                   "next", next ? json_string(next) : json_null()));
}

/* ---- static files (the embedded web UI) ---- */

struct asset_meta {
    char etag[24];
};
static struct asset_meta *asset_metas;

static const char *mime_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static void assets_init(void)
{
    size_t n = 0;
    while (sq_web_assets[n].name)
        n++;
    asset_metas = calloc(n + 1, sizeof *asset_metas);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = 1469598103934665603ull;
        for (long j = 0; j < sq_web_assets[i].size; j++)
            h = (h ^ sq_web_assets[i].data[j]) * 1099511628211ull;
        snprintf(asset_metas[i].etag, sizeof asset_metas[i].etag, "\"%016llx\"",
                 (unsigned long long)h);
    }
}

static int find_asset(const char *name)
{
    for (int i = 0; sq_web_assets[i].name; i++)
        if (!strcmp(sq_web_assets[i].name, name))
            return i;
    return -1;
}

static int serve_static(struct sq_req *r)
{
    char name[512], gzname[520];
    const char *p = r->path;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
        return sq_reply_errf(r, SQ_EMETHOD, NULL, "only GET is allowed here");
    if (strstr(p, "..") || strlen(p) >= sizeof name - 1)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such file");
    snprintf(name, sizeof name, "%s", (*p == '/' ? p + 1 : p));
    int idx = name[0] ? find_asset(name) : -1;
    if (idx < 0) {
        /* history-mode routes (no extension) fall back to the app; missing
         * files under /assets/ are real 404s */
        const char *last = strrchr(p, '/');
        if (!strncmp(p, "/assets/", 8) || (last && strchr(last, '.')))
            return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such file");
        snprintf(name, sizeof name, "index.html");
        idx = find_asset(name);
        if (idx < 0)
            return sq_reply_raw(r, 200, "text/html; charset=utf-8",
                                "<!doctype html><meta charset=utf-8><title>sanqu</title>"
                                "<p>sanqu API is running; the web UI was not built into this "
                                "binary.</p>",
                                135, false);
    }
    const char *inm = sq_req_header(r, "If-None-Match");
    sq_reply_header(r, "ETag", asset_metas[idx].etag);
    sq_reply_header(r, "Cache-Control",
                    strncmp(name, "assets/", 7) ? "no-cache"
                                                : "public, max-age=31536000, immutable");
    if (inm && !strcmp(inm, asset_metas[idx].etag))
        return sq_reply_raw(r, 304, mime_of(name), "", 0, false);
    const char *ae = sq_req_header(r, "Accept-Encoding");
    snprintf(gzname, sizeof gzname, "%s.gz", name);
    int gz = (ae && strstr(ae, "gzip")) ? find_asset(gzname) : -1;
    sq_reply_header(r, "Vary", "Accept-Encoding");
    if (gz >= 0) {
        sq_reply_header(r, "Content-Encoding", "gzip");
        idx = gz;
    }
    return sq_reply_raw(r, 200, mime_of(name), sq_web_assets[idx].data,
                        (size_t)sq_web_assets[idx].size, false);
}

/* ---- dispatch ---- */

static const char *bearer_or_cookie(struct sq_req *r)
{
    const char *h = sq_req_header(r, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7))
        return h + 7;
    const char *c = sq_req_cookie(r, "sanqu_session");
    if (c && *c) {
        r->cookie_auth = true;
        return c;
    }
    return NULL;
}

static bool is_write(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

static int authenticate(struct sq_req *r)
{
    const char *token = bearer_or_cookie(r);
    if (!token)
        return 0;
    /* the connection's user storage (requests on a connection run one at a
     * time): no 5 KiB allocation per request */
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    struct sq_user *u = ci ? ci->socket_context : NULL;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            sq_fatal("out of memory");
        r->user_buf = u;
    }
    memset(u, 0, offsetof(struct sq_user, grants));
    if (strlen(token) < 200 && http_auth && http_auth(token, u)) {
        r->user = u;
        return 0;
    }
    /* A stale token does not stop public reads or signing in again; but a
     * public write that depends on who is asking (filing an appeal) answers
     * 401, so a client never silently acts as anonymous. */
    r->cookie_auth = false;
    if (r->route->perm == SQ_PERM_PUBLIC &&
        (!is_write(r->method) || !strncmp(r->route->pattern, "/api/v1/auth/", 13)))
        return 0;
    return sq_reply_errf(r, SQ_EAUTH, NULL, "the sign-in token is invalid or has expired");
}

/* "application/json", with or without parameters (charset=utf-8). */
static bool is_json_type(const char *ct)
{
    if (!ct || strncasecmp(ct, "application/json", 16))
        return false;
    ct += 16;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* A body needs Content-Type: application/json: a cross-site page can send
 * a body without one (a no-cors fetch of a Blob) but not with it, unless
 * CORS allows it, which this server never does. */
static int parse_json_body(struct sq_req *r)
{
    if (r->body_len == 0) {
        r->json = json_object();
        return 0;
    }
    if (!is_json_type(sq_req_header(r, "Content-Type")))
        return sq_reply_errf(r, SQ_EMEDIA, "Content-Type",
                             "请求体须为 JSON，并带 Content-Type: application/json / send the "
                             "body as JSON with Content-Type: application/json");
    json_error_t jerr;
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!r->json)
        return sq_reply_errf(r, SQ_EBADJSON, NULL, "malformed JSON at line %d column %d: %s",
                             jerr.line, jerr.column, jerr.text);
    if (!json_is_object(r->json))
        return sq_reply_errf(r, SQ_EBADJSON, NULL, "the body must be a JSON object");
    return 0;
}

static bool is_api_path(const char *p)
{
    return !strncmp(p, "/api/", 5) || !strcmp(p, "/healthz") || !strcmp(p, "/metrics") ||
           !strncmp(p, "/open311/", 9) || !strcmp(p, "/api");
}

int sq_http_defer(struct sq_req *r, sq_handler_fn cont, void *ctx)
{
    r->cont = cont;
    r->cont_ctx = ctx;
    r->deferred = 1;
    MHD_suspend_connection(r->conn);
    return 0;
}

void sq_http_resume(struct sq_req *r)
{
    r->deferred = 2;
    MHD_resume_connection(r->conn);
}

bool sq_http_can_defer(const struct sq_req *r)
{
    return r->conn != NULL && http_daemon != NULL && !r->in_writer;
}

/* Every request of a user holding the auditor role goes to the audit log. */
static void audit_access(struct sq_req *r)
{
    if (r->user && http_audit_access && sq_user_has_role(r->user, SQ_ROLE_AUDITOR))
        http_audit_access(r);
}

/* Runs the handler (or its continuation) and checks it answered. */
static void finish(struct sq_req *r, int status)
{
    if (r->deferred)
        return;
    if (status <= 0 || (!r->out && !r->raw && status != 204 && status != 304)) {
        sq_reply_errf(r, SQ_EINTERNAL, NULL, "handler %s %s gave no reply", r->route->method,
                      r->route->pattern);
    }
    audit_access(r);
}

/* ---- writes through the group-commit writer ---- */

/* One write request as a writer job: the handler runs on the writer thread
 * in its own savepoint of the batch; the connection stays suspended until
 * the batch committed (or failed), then the continuation sends the reply. */
struct http_job {
    struct sq_write_job job;
    struct sq_req *r;
    int status;          /* the handler's */
    bool handler_failed; /* it answered an error: its savepoint was rolled back */
};

static enum sq_err http_job_run(void *ctx, struct sq_detail *d)
{
    struct http_job *j = ctx;
    j->r->in_writer = true;
    j->status = j->r->route->fn(j->r);
    j->r->in_writer = false;
    if (j->status <= 0 || j->r->status >= 400) {
        /* nothing half-written: an error answer rolls its own writes back */
        j->handler_failed = true;
        return sq_fail(d, SQ_EINTERNAL, NULL, "the handler answered an error");
    }
    return SQ_OK;
}

static void http_job_done(void *ctx, enum sq_err e, const struct sq_detail *d)
{
    struct http_job *j = ctx;
    struct sq_req *r = j->r;
    if (e && !j->handler_failed) {
        /* the savepoint or the batch did not commit: nothing of it is
         * durable, so the handler's answer is replaced by the failure */
        for (int i = 0; i < r->nheaders; i++) {
            free(r->headers[i][0]);
            free(r->headers[i][1]);
        }
        r->nheaders = 0;
        j->status = sq_reply_err(r, e, d);
    }
    sq_http_resume(r);
}

static int http_job_continue(struct sq_req *r)
{
    struct http_job *j = r->cont_ctx;
    int status = j->status;
    free(j);
    r->cont_ctx = NULL;
    return status;
}

/* Hands the request to the writer; false when it cannot (no server, no
 * writer, or already inside a transaction): the handler then runs here. */
static bool writer_submit(struct sq_req *r)
{
    if (!sq_http_can_defer(r) || !sq_writer_running() || sq_db_in_tx())
        return false;
    struct http_job *j = calloc(1, sizeof *j);
    if (!j)
        return false;
    j->r = r;
    j->job.run = http_job_run;
    j->job.done = http_job_done;
    j->job.ctx = j;
    /* suspend before submitting: the writer may finish at once */
    sq_http_defer(r, http_job_continue, j);
    atomic_fetch_add(&m_writer_requests, 1);
    if (!sq_writer_submit(&j->job)) {
        /* stopping: run it here, as without the writer */
        j->status = r->route->fn(r);
        sq_http_resume(r);
    }
    return true;
}

/* The pipeline up to the handler. Returns true when the request was refused
 * (or served statically) before any handler ran. */
static bool route_and_run(struct sq_req *r)
{
    int status;
    if (!is_api_path(r->path)) {
        r->route_index = MAX_ROUTES + 1;
        serve_static(r);
        return true;
    }
    r->route = sq_router_match(r->method, r->path, r, &status);
    if (!r->route) {
        r->route_index = MAX_ROUTES;
        if (status == 405)
            sq_reply_errf(r, SQ_EMETHOD, NULL, "%s is not allowed on %s", r->method, r->path);
        else
            sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such endpoint: %s", r->path);
        return true;
    }
    if (r->body_too_large) {
        sq_reply_errf(r, SQ_ETOOLARGE, NULL, "the request body is larger than allowed");
        return true;
    }
    if (authenticate(r))
        return true;
    if (r->route->perm != SQ_PERM_PUBLIC && !r->user) {
        sq_reply_errf(r, SQ_EAUTH, NULL, "sign in first");
        return true;
    }
    if (r->user && r->user->must_change_password && !(r->route->flags & SQ_ROUTE_PASSWORD_CHANGE)) {
        sq_reply_errf(r, SQ_EPWCHANGE, "password",
                      "请先修改密码 / change your password first: PATCH /api/v1/users/%lld with "
                      "password and current_password",
                      (long long)r->user->id);
        return true;
    }
    if (!sq_user_has(r->user, r->route->perm)) {
        sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "your role does not allow this (%s needed)",
                      sq_perm_name(r->route->perm));
        return true;
    }
    if (is_write(r->method) && sq_user_has_role(r->user, SQ_ROLE_AUDITOR) &&
        r->route->perm != SQ_PERM_PUBLIC && strcmp(r->route->pattern, "/api/v1/auth/logout")) {
        sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "auditors have read-only access");
        return true;
    }
    /* signing in or up needs no CSRF token: it acts on no existing session */
    if (r->cookie_auth && is_write(r->method) && strcmp(r->route->pattern, "/api/v1/auth/login") &&
        strcmp(r->route->pattern, "/api/v1/auth/register")) {
        const char *csrf = sq_req_header(r, "X-CSRF-Token");
        if (!csrf || !sq_str_equal_ct(csrf, r->user->csrf)) {
            sq_reply_errf(r, SQ_EFORBIDDEN, "X-CSRF-Token",
                          "a cookie-authenticated change needs the X-CSRF-Token header");
            return true;
        }
    }
    if (!(r->route->flags & SQ_ROUTE_RAW_BODY) && is_write(r->method) && parse_json_body(r))
        return true;
    if (sq_req_query_check(r))
        return true;
    if (is_write(r->method) && !(r->route->flags & SQ_ROUTE_DIRECT) && writer_submit(r))
        return false; /* answered once its batch committed */
    finish(r, r->route->fn(r));
    return false;
}

static void dispatch(struct sq_req *r)
{
    /* every request of a signed-in auditor is logged, refused ones included */
    if (route_and_run(r))
        audit_access(r);
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct sq_req *r)
{
    struct MHD_Response *resp;
    const char *ctype = r->ctype;
    if (r->out) {
        /* 15 digits: a rate rounded to 0.9523 prints as 0.9523, not 0.95230000000000004 */
        char *text = json_dumps(r->out, JSON_COMPACT | JSON_REAL_PRECISION(15));
        if (!text)
            sq_fatal("out of memory");
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        ctype = "application/json; charset=utf-8";
    } else if (r->raw) {
        resp = MHD_create_response_from_buffer(r->raw_len, r->raw, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    if (r->close)
        MHD_add_response_header(resp, "Connection", "close");
    MHD_add_response_header(resp, "X-Request-Id", r->rid);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (r->route_index == MAX_ROUTES + 1 || (ctype && !strncasecmp(ctype, "text/html", 9)))
        MHD_add_response_header(resp, "Content-Security-Policy", UI_CSP);
    if (r->route_index != MAX_ROUTES + 1)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void peer_ip(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)cap);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)cap);
}

static enum MHD_Result last_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    if (value && !strcasecmp(key, "X-Forwarded-For"))
        *(const char **)cls = value; /* a later header was appended by a later hop */
    return MHD_YES;
}

/* The peer, or when the peer is a trusted proxy, the right-most address of
 * X-Forwarded-For that is not one (entries left of it are the client's own
 * word). A malformed entry ends the walk at the last trusted hop. */
static void client_ip(struct MHD_Connection *conn, char *out, size_t cap)
{
    const char *xff = NULL;
    peer_ip(conn, out, cap);
    if (!http_cfg->trusted_proxies[0] || !sq_addr_list_match(http_cfg->trusted_proxies, out))
        return;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, last_xff, &xff);
    for (const char *end = xff ? xff + strlen(xff) : NULL; end && end > xff;) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *a = start, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        char hop[64];
        if (b - a <= 0 || (size_t)(b - a) >= sizeof hop)
            return;
        memcpy(hop, a, (size_t)(b - a));
        hop[b - a] = '\0';
        if (!sq_addr_valid(hop))
            return;
        snprintf(out, cap, "%s", hop);
        if (!sq_addr_list_match(http_cfg->trusted_proxies, hop))
            return;
        end = start > xff ? start - 1 : xff;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct sq_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->t0_us = now_us();
        snprintf(r->rid, sizeof r->rid, "%08x%08llx", http_rid_prefix,
                 (unsigned long long)atomic_fetch_add(&http_req_counter, 1));
        client_ip(conn, r->ip, sizeof r->ip);
        *con_cls = r;
        /* both framings: a proxy in front may have read the body the
         * other way, so the rest of this connection cannot be trusted */
        if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding") &&
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length")) {
            r->route_index = MAX_ROUTES;
            r->close = true;
            sq_reply_errf(r, SQ_EBADREQ, NULL,
                          "请求同时带有 Content-Length 和 Transfer-Encoding / a request may not "
                          "have both Content-Length and Transfer-Encoding");
            return queue(conn, r);
        }
        /* refuse an announced oversize body before reading it */
        int st;
        const struct sq_route *rt = sq_router_match(method, url, NULL, &st);
        long limit =
            (rt && (rt->flags & SQ_ROUTE_RAW_BODY)) ? http_cfg->max_upload : http_cfg->max_body;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoll(cl, NULL, 10) > limit)
            r->body_too_large = true;
        return MHD_YES;
    }
    if (*upload_size) {
        int st;
        const struct sq_route *rt = sq_router_match(method, url, NULL, &st);
        size_t limit = (size_t)((rt && (rt->flags & SQ_ROUTE_RAW_BODY)) ? http_cfg->max_upload
                                                                        : http_cfg->max_body);
        if (!r->body_too_large && r->body_len + *upload_size <= limit) {
            char *nb = realloc(r->body, r->body_len + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            memcpy(r->body + r->body_len, upload_data, *upload_size);
            r->body_len += *upload_size;
            r->body[r->body_len] = '\0';
        } else {
            r->body_too_large = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->deferred == 2) { /* resumed after group commit */
        r->deferred = 0;
        finish(r, r->cont(r));
        return queue(conn, r);
    }
    if (r->deferred == 1)
        return MHD_YES; /* still waiting (spurious call) */
    dispatch(r);
    if (r->deferred)
        return MHD_YES; /* the continuation answers once resumed */
    return queue(conn, r);
}

static void record_metrics(struct sq_req *r, int64_t dur_us)
{
    int idx = r->route_index >= 0 && r->route_index <= MAX_ROUTES + 1 ? r->route_index : MAX_ROUTES;
    int cls = r->status / 100;
    if (cls < 0 || cls > 5)
        cls = 0;
    atomic_fetch_add(&m_route_status[idx][cls], 1);
    double s = (double)dur_us / 1e6;
    int b = 0;
    while (b < NBUCKETS && s > bucket_le[b])
        b++;
    atomic_fetch_add(&m_buckets[b], 1);
    atomic_fetch_add(&m_latency_us_sum, (uint64_t)dur_us);
    atomic_fetch_add(&m_count, 1);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct sq_req *r = *con_cls;
    if (!r)
        return;
    int64_t dur = now_us() - r->t0_us;
    if (!r->status)
        r->status = 499; /* client went away before a reply */
    record_metrics(r, dur);
    if (!http_cfg->quiet)
        sq_info("event=request rid=%s method=%s path=%s status=%d dur_ms=%.2f user=%lld ip=%s%s",
                r->rid, r->method, r->path, r->status, (double)dur / 1000.0,
                r->user ? (long long)r->user->id : 0LL, r->ip,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    json_decref(r->json);
    json_decref(r->out);
    if (r->raw_free)
        free(r->raw);
    for (int i = 0; i < r->nheaders; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    free(r->user_buf);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)conn;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&m_open_conns, 1);
        /* storage for the caller of each request of this connection (see
         * authenticate); malloc'd, filled per request */
        *socket_context = malloc(sizeof(struct sq_user));
    } else {
        atomic_fetch_sub(&m_open_conns, 1);
        free(*socket_context);
        *socket_context = NULL;
    }
}

int sq_http_start(const struct sq_config *c)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)c->port);
    if (inet_pton(AF_INET, c->host, &addr.sin_addr) != 1) {
        sq_error("event=bad_listen_host host=%s", c->host);
        return -1;
    }
    http_cfg = c;
    unsigned rnd;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&rnd, sizeof rnd, 1, f) != 1)
        rnd = (unsigned)time(NULL);
    if (f)
        fclose(f);
    http_rid_prefix = rnd;
    assets_init();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = c->threads > 0 ? (unsigned)c->threads : (unsigned)(ncpu > 0 ? ncpu : 2);
    http_daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_END);
    if (!http_daemon)
        return -1;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(http_daemon, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : c->port;
}

void sq_http_stop(void)
{
    if (http_daemon) {
        MHD_stop_daemon(http_daemon);
        http_daemon = NULL;
    }
    free(asset_metas);
    asset_metas = NULL;
}

/* ---- metrics text ---- */

char *sq_metrics_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "# HELP sanqu_http_requests_total HTTP requests by route and status class.\n"
               "# TYPE sanqu_http_requests_total counter\n");
    int idx = 0;
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *rt = *t; rt->method; rt++, idx++)
            for (int c = 1; c < 6; c++) {
                uint64_t v = atomic_load(&m_route_status[idx][c]);
                if (v)
                    fprintf(f, "sanqu_http_requests_total{route=\"%s %s\",status=\"%dxx\"} %llu\n",
                            rt->method, rt->pattern, c, (unsigned long long)v);
            }
    static const char *special[] = {"unmatched", "static"};
    for (int s = 0; s < 2; s++)
        for (int c = 1; c < 6; c++) {
            uint64_t v = atomic_load(&m_route_status[MAX_ROUTES + s][c]);
            if (v)
                fprintf(f, "sanqu_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n",
                        special[s], c, (unsigned long long)v);
        }
    fprintf(f, "# HELP sanqu_http_request_duration_seconds Request latency.\n"
               "# TYPE sanqu_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b < NBUCKETS; b++) {
        cum += atomic_load(&m_buckets[b]);
        fprintf(f, "sanqu_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bucket_le[b],
                (unsigned long long)cum);
    }
    cum += atomic_load(&m_buckets[NBUCKETS]);
    fprintf(f, "sanqu_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
            (unsigned long long)cum);
    fprintf(f, "sanqu_http_request_duration_seconds_sum %.6f\n",
            (double)atomic_load(&m_latency_us_sum) / 1e6);
    fprintf(f, "sanqu_http_request_duration_seconds_count %llu\n",
            (unsigned long long)atomic_load(&m_count));
    fprintf(f,
            "# HELP sanqu_http_open_connections Open client connections.\n"
            "# TYPE sanqu_http_open_connections gauge\nsanqu_http_open_connections %d\n",
            atomic_load(&m_open_conns));
    struct sq_writer_stats ws;
    sq_writer_get_stats(&ws);
    fprintf(f,
            "# HELP sanqu_writer_batches_total Group-commit transactions.\n"
            "# TYPE sanqu_writer_batches_total counter\nsanqu_writer_batches_total %llu\n"
            "# HELP sanqu_writer_jobs_total Writes committed through the group-commit writer.\n"
            "# TYPE sanqu_writer_jobs_total counter\nsanqu_writer_jobs_total %llu\n"
            "# HELP sanqu_writer_max_batch Largest batch committed at once.\n"
            "# TYPE sanqu_writer_max_batch gauge\nsanqu_writer_max_batch %llu\n",
            ws.batches, ws.jobs, ws.max_batch);
    fprintf(f,
            "# HELP sanqu_writer_requests_total HTTP writes run as jobs of the group-commit "
            "writer.\n# TYPE sanqu_writer_requests_total counter\n"
            "sanqu_writer_requests_total %llu\n",
            (unsigned long long)atomic_load(&m_writer_requests));
    struct stat st;
    char wal[1100];
    long long size = 0;
    if (stat(sq_db_path(), &st) == 0)
        size += st.st_size;
    snprintf(wal, sizeof wal, "%s-wal", sq_db_path());
    if (stat(wal, &st) == 0)
        size += st.st_size;
    fprintf(f,
            "# HELP sanqu_db_size_bytes Database file plus WAL.\n"
            "# TYPE sanqu_db_size_bytes gauge\nsanqu_db_size_bytes %lld\n",
            size);
    fclose(f);
    return buf;
}
