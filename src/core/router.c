/*
 * router: matches "METHOD /path" against every domain's route table.
 *
 * Patterns are split on '/'; a segment starting with ':' captures one path
 * segment. When several patterns match a path, the one with the most literal
 * segments wins (so /units/directory beats /units/:id), whatever the table
 * order. A path that matches some pattern but no route for the method is a
 * 405; no pattern at all is a 404.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/log.h"

#define MAX_SEGS 12

static int split(const char *path, const char *segs[MAX_SEGS], size_t lens[MAX_SEGS])
{
    int n = 0;
    const char *p = path;
    if (*p != '/')
        return -1;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        if (n == MAX_SEGS)
            return -1;
        segs[n] = s;
        lens[n] = (size_t)(p - s);
        n++;
    }
    return n;
}

/* The patterns of every route, split once (by route index): splitting them
 * again for every request was a tenth of a cached request's time. */
struct pattern {
    int n; /* segments, or -1 for a malformed pattern */
    const char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
};
static struct pattern *patterns;
static pthread_once_t patterns_once = PTHREAD_ONCE_INIT;

static void patterns_split(void)
{
    int n = 0;
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *rt = *t; rt->method; rt++)
            n++;
    patterns = calloc((size_t)n + 1, sizeof *patterns);
    if (!patterns)
        sq_fatal("out of memory");
    int idx = 0;
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *rt = *t; rt->method; rt++, idx++) {
            patterns[idx].n = split(rt->pattern, patterns[idx].segs, patterns[idx].lens);
            /* a route's permission is one some domain declares in src/app.c */
            if (!rt->perm || sq_perm_find(rt->perm->name) != rt->perm)
                sq_fatal("route %s %s needs a permission no table of sq_perm_tables declares",
                         rt->method, rt->pattern);
        }
    struct sq_detail d = {0};
    if (sq_perms_check(&d))
        sq_fatal("%s", d.message);
}

/* Returns the number of literal segments matched, or -1 when no match. */
static int match(const struct pattern *pt, const char *segs[], const size_t lens[], int n,
                 struct sq_req *r)
{
    int literal = 0;
    if (pt->n != n)
        return -1;
    for (int i = 0; i < n; i++) {
        if (pt->segs[i][0] == ':') {
            if (lens[i] >= sizeof r->param[0])
                return -1;
            continue;
        }
        if (pt->lens[i] != lens[i] || memcmp(pt->segs[i], segs[i], lens[i]))
            return -1;
        literal++;
    }
    if (r) {
        r->nparams = 0;
        for (int i = 0; i < n; i++) {
            if (pt->segs[i][0] != ':' || r->nparams == SQ_MAX_PARAMS)
                continue;
            r->param_name[r->nparams] = pt->segs[i] + 1;
            memcpy(r->param[r->nparams], segs[i], lens[i]);
            r->param[r->nparams][lens[i]] = '\0';
            /* the name points into the pattern and ends at '/' or NUL */
            r->nparams++;
        }
    }
    return literal;
}

const struct sq_route *sq_router_match(const char *method, const char *path, struct sq_req *r,
                                       int *status)
{
    const char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int n = split(path, segs, lens), best = -1, path_seen = 0, idx = 0, best_idx = -1;
    const struct sq_route *found = NULL;
    if (n < 0) {
        *status = 404;
        return NULL;
    }
    pthread_once(&patterns_once, patterns_split);
    for (const struct sq_route *const *t = sq_route_tables; *t; t++) {
        for (const struct sq_route *rt = *t; rt->method; rt++, idx++) {
            int lit = match(&patterns[idx], segs, lens, n, NULL);
            if (lit < 0)
                continue;
            path_seen = 1;
            if (strcmp(rt->method, method) &&
                !(strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
                continue;
            if (lit > best) {
                best = lit;
                found = rt;
                best_idx = idx;
            }
        }
    }
    if (!found) {
        *status = path_seen ? 405 : 404;
        return NULL;
    }
    if (r) {
        match(&patterns[best_idx], segs, lens, n, r);
        r->route_index = best_idx;
    }
    *status = 200;
    return found;
}

const char *sq_req_param(const struct sq_req *r, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < r->nparams; i++) {
        const char *pn = r->param_name[i];
        if (!strncmp(pn, name, n) && (pn[n] == '\0' || pn[n] == '/'))
            return r->param[i];
    }
    return NULL;
}
