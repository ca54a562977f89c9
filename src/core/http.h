/*
 * http: the request/response model every handler sees, the route table type,
 * the server (libmicrohttpd) and reply helpers.
 *
 * A handler has the shape `int fn(struct sq_req *r)`: it validates input,
 * authorises against the record's unit, calls rules/store, and answers with
 * sq_reply_json() or sq_reply_err(), whose return value (the HTTP status) it
 * returns. Everything the request allocated is released once after the reply.
 * The route's permission is checked before the handler runs (401/403), so a
 * handler only adds the unit-level decision (sq_may).
 */
#ifndef SQ_HTTP_H
#define SQ_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/config.h"
#include "core/err.h"
#include "core/json.h"

struct sq_req;
typedef int (*sq_handler_fn)(struct sq_req *r);

enum sq_route_flags {
    SQ_ROUTE_RAW_BODY = 1, /* body is not JSON (uploads, form posts): handler reads r->body */
    SQ_ROUTE_NO_LOG = 2,   /* not in the per-route metrics (static files) */
    SQ_ROUTE_PASSWORD_CHANGE = 4, /* open to a session that must change its password first
                                   * (sign-in, sign-out, /me, changing it); every other route
                                   * answers 403 password_change_required to such a session */
    SQ_ROUTE_QUERY_OPEN = 8,      /* the query is the handler's: .query documents it, the router
                                   * checks nothing and lets undeclared parameters through (Open311,
                                   * a public standard whose clients send extras, with its own
                                   * error format) */
    SQ_ROUTE_DIRECT = 16,         /* a write run on its request thread, not as a job of the
                                   * group-commit writer (see below): password hashing, DNS,
                                   * uploads, or a handler with its own group commit (intake) */
};

struct sq_route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/units/:id"; ':name' captures one segment */
    sq_handler_fn fn;
    const struct sq_perm *perm; /* checked before fn: PUBLIC, SIGNED_IN or a role permission */
    int flags;
    const char *summary;          /* one line: `sanqu routes`, the OpenAPI document */
    const struct sq_field *body;  /* the JSON body's fields ({0}-ended), when one table
                                   * describes it; the handler validates with the same table */
    const struct sq_query *query; /* the query parameters ({0}-ended); none when NULL */
};

#define SQ_MAX_PARAMS 4

struct sq_req {
    void *conn; /* struct MHD_Connection *, opaque above core */
    const char *method;
    const char *path;
    const struct sq_route *route;
    int route_index;
    const char *param_name[SQ_MAX_PARAMS];
    char param[SQ_MAX_PARAMS][128];
    int nparams;
    char *body; /* NUL-terminated copy of the request body */
    size_t body_len;
    bool body_too_large;
    json_t *json;               /* parsed JSON body (object), owned */
    const struct sq_user *user; /* NULL when anonymous */
    bool cookie_auth;
    char rid[20]; /* request id, in logs and 500 bodies */
    char ip[64];  /* the client: the peer, or whom a trusted proxy names */
    int64_t t0_us;
    /* response */
    int status;
    json_t *out;
    char *raw; /* non-JSON body; raw_free says whether to free */
    size_t raw_len;
    bool raw_free;
    const char *ctype;
    char *headers[8][2]; /* extra headers, owned */
    int nheaders;
    bool close;     /* answer with Connection: close (MHD then closes) */
    void *user_buf; /* storage for user when the connection has none, owned */
    /* deferred replies (group commit): see sq_http_defer() */
    sq_handler_fn cont;
    void *cont_ctx;
    _Atomic int deferred; /* 1 = suspended, waiting; 2 = resumed */
    bool in_writer;       /* the handler runs as a writer job (it may not defer) */
};

/* Route tables: each domain's api.c exports one, ending with {0}. */
extern const struct sq_route *const sq_route_tables[];

/* ---- request helpers ---- */
const char *sq_req_param(const struct sq_req *r, const char *name);
/* Path parameter as a positive id; 0 when absent or malformed. */
int64_t sq_req_param_id(const struct sq_req *r, const char *name);
const char *sq_req_query(const struct sq_req *r, const char *name);
/* Values of declared (so already validated) query parameters: an integer or
 * id (dflt when absent or empty), a time (0 when absent or empty), a
 * boolean (true for 1 or true). */
int64_t sq_query_int(const struct sq_req *r, const char *name, int64_t dflt);
int64_t sq_query_time(const struct sq_req *r, const char *name);
bool sq_query_bool(const struct sq_req *r, const char *name);
/* Checks the request's query against its route's declaration (see
 * core/json.h); replies 422 and returns its status, or 0. */
int sq_req_query_check(struct sq_req *r);
/* Every query argument, in request order, as "name=value&..." (unescaped,
 * so only fit for a cache key). False when it does not fit in cap. */
bool sq_req_query_all(const struct sq_req *r, char *out, size_t cap);
const char *sq_req_header(const struct sq_req *r, const char *name);
const char *sq_req_cookie(const struct sq_req *r, const char *name);

/* Writes go through the group-commit writer: a route whose method is not
 * GET/HEAD/OPTIONS, unless flagged SQ_ROUTE_DIRECT, runs its handler on the
 * writer thread inside the writer's batch transaction (the handler's own
 * sq_db_begin/commit become savepoints of it), and its reply is sent only
 * after that batch committed. A handler answering an error (4xx, 5xx) has
 * its writes rolled back (its savepoint only: nothing half-written). Work that must follow the
 * durable commit (waking another thread, emptying a cache other threads refill) is registered with
 * sq_db_on_commit(). */

/* ---- replies: each returns the HTTP status so handlers can return it ---- */
int sq_reply_json(struct sq_req *r, int status, json_t *body); /* steals body */
int sq_reply_err(struct sq_req *r, enum sq_err e, const struct sq_detail *d);
int sq_reply_errf(struct sq_req *r, enum sq_err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Raw body; if copy, the data is copied, else it must outlive the request. */
int sq_reply_raw(struct sq_req *r, int status, const char *ctype, const void *data, size_t len,
                 bool copy);
void sq_reply_header(struct sq_req *r, const char *name, const char *value);
/* JSON already serialised (sq_jbuf_take): takes ownership of the malloc'd
 * text, sent as application/json like sq_reply_json's. */
int sq_reply_json_text(struct sq_req *r, int status, char *text, size_t len);
/* 429 rate_limited with Retry-After: retry_after seconds, the message
 * "<zh>，请 N 秒后再试 / <en>; try again in N s". */
int sq_reply_rate_limited(struct sq_req *r, int retry_after, const char *zh, const char *en);
/* Sets the session cookie (token; max_age seconds, 0 = delete it), Secure
 * when the configured public_url is https. */
void sq_reply_session_cookie(struct sq_req *r, const char *token, int max_age);
/* {"items":items,"total":total,"next":next|null}; steals items */
int sq_reply_list(struct sq_req *r, json_t *items, int64_t total, const char *next);

/* Deferred reply: the handler hands its work to another thread and returns
 * sq_http_defer(r, cont, ctx); the connection is suspended (the worker thread
 * is free for other requests) until that thread calls sq_http_resume(r), and
 * then cont(r) runs on a worker thread to produce the reply. ctx is the
 * handler's; cont must free it. Outside a server (no connection) the caller
 * must not defer. */
int sq_http_defer(struct sq_req *r, sq_handler_fn cont, void *ctx);
void sq_http_resume(struct sq_req *r);
/* True when this request runs inside the HTTP server (so it may defer). */
bool sq_http_can_defer(const struct sq_req *r);

/* ---- server ---- */
/* Authenticator: resolves a bearer/cookie token into *u; true on success. */
typedef bool (*sq_auth_fn)(const char *token, struct sq_user *u);
/* Called for every request of a user holding the auditor role (access log). */
typedef void (*sq_audit_access_fn)(const struct sq_req *r);
void sq_http_set_authenticator(sq_auth_fn fn);
void sq_http_set_audit_access(sq_audit_access_fn fn);

/* Starts serving; returns the bound port or -1. */
int sq_http_start(const struct sq_config *c);
void sq_http_stop(void);
/* Route matching (exposed for tests and `sanqu routes`): returns the route
 * and fills params, or NULL with *status 404 or 405. */
const struct sq_route *sq_router_match(const char *method, const char *path, struct sq_req *r,
                                       int *status);
/* The OpenAPI document (core/openapi.c): built from the route tables and
 * docs/openapi-base.json. _new returns a new reference, or NULL with err
 * filled; _text is the document as served and printed, built once,
 * borrowed (NULL if it cannot be built). */
json_t *sq_openapi_new(char *err, size_t cap);
const char *sq_openapi_text(size_t *len);
/* Prometheus text; caller frees. */
char *sq_metrics_text(void);

#endif
