/*
 * events: the declaration registry, the subscriber list and publishing (see
 * events.h). Both lists are filled at start-up and read without a lock.
 */
#include "core/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/db.h"
#include "core/log.h"

#define MAX_EXTRA_TABLES 16
#define MAX_SUBS 32

static const struct sq_event_type *extra_tables[MAX_EXTRA_TABLES];
static int nextra;

struct sub {
    char pattern[SQ_EVENT_NAME_MAX];
    sq_event_fn fn;
    void *ctx;
};
static struct sub subs[MAX_SUBS];
static int nsubs;

/* ---- declarations ---- */

void sq_event_declare(const struct sq_event_type *table)
{
    for (int i = 0; i < nextra; i++)
        if (extra_tables[i] == table)
            return;
    if (nextra == MAX_EXTRA_TABLES)
        sq_fatal("too many event tables");
    extra_tables[nextra++] = table;
}

void sq_event_types_each(void (*fn)(const struct sq_event_type *t, void *ctx), void *ctx)
{
    for (int i = 0; sq_event_tables[i]; i++)
        for (const struct sq_event_type *t = sq_event_tables[i]; t->name; t++)
            fn(t, ctx);
    for (int i = 0; i < nextra; i++)
        for (const struct sq_event_type *t = extra_tables[i]; t->name; t++)
            fn(t, ctx);
}

struct find {
    const char *name;
    size_t len;  /* compare this many bytes, then require a '.' (domain) or the end */
    bool domain; /* looking for a domain prefix */
    const struct sq_event_type *hit;
};

static void find_one(const struct sq_event_type *t, void *ctx)
{
    struct find *f = ctx;
    if (f->hit)
        return;
    if (f->domain ? !strncmp(t->name, f->name, f->len) && t->name[f->len] == '.'
                  : !strcmp(t->name, f->name))
        f->hit = t;
}

const struct sq_event_type *sq_event_type_find(const char *name)
{
    struct find f = {.name = name};
    if (!name)
        return NULL;
    sq_event_types_each(find_one, &f);
    return f.hit;
}

bool sq_event_domain_known(const char *domain, size_t len)
{
    struct find f = {.name = domain, .len = len, .domain = true};
    if (!domain || !len)
        return false;
    sq_event_types_each(find_one, &f);
    return f.hit != NULL;
}

/* ---- subscriptions ---- */

bool sq_event_match(const char *pattern, const char *name)
{
    if (!pattern || !name)
        return false;
    if (!strcmp(pattern, "*"))
        return true;
    size_t n = strlen(pattern);
    if (n >= 2 && !strcmp(pattern + n - 2, ".*"))
        return !strncmp(name, pattern, n - 1); /* "appeal.*" -> "appeal." */
    return !strcmp(pattern, name);
}

int sq_event_subscribe(const char *pattern, sq_event_fn fn, void *ctx)
{
    if (!pattern || !*pattern || strlen(pattern) >= SQ_EVENT_NAME_MAX || !fn || nsubs == MAX_SUBS) {
        sq_error("event=event_subscribe_refused pattern=\"%s\"", pattern ? pattern : "");
        return -1;
    }
    struct sub *s = &subs[nsubs++];
    snprintf(s->pattern, sizeof s->pattern, "%s", pattern);
    s->fn = fn;
    s->ctx = ctx;
    return 0;
}

void sq_event_unsubscribe(sq_event_fn fn, void *ctx)
{
    int n = 0;
    for (int i = 0; i < nsubs; i++)
        if (subs[i].fn != fn || subs[i].ctx != ctx)
            subs[n++] = subs[i];
    nsubs = n;
}

/* ---- publishing ---- */

bool sq_event_wanted(const char *name)
{
    for (int i = 0; i < nsubs; i++)
        if (sq_event_match(subs[i].pattern, name))
            return true;
    return false;
}

json_t *sq_event_payload(const struct sq_event *ev)
{
    return ev->payload ? ev->payload : ev->owned_payload;
}

enum sq_err sq_event_publish(struct sq_event *ev, struct sq_detail *d)
{
    enum sq_err e = SQ_OK;
    int n = snprintf(ev->name, sizeof ev->name, "%s.%s", ev->domain ? ev->domain : "",
                     ev->type ? ev->type : "");
    ev->owned_payload = NULL;
    if (n < 0 || (size_t)n >= sizeof ev->name || !(ev->decl = sq_event_type_find(ev->name))) {
        sq_error("event=event_undeclared name=\"%s\"", ev->name);
        return sq_fail(d, SQ_EINVAL, NULL, "undeclared event %s", ev->name);
    }
    if (!ev->occurred_at)
        ev->occurred_at = sq_clock_now();
    if (!ev->payload && ev->payload_text) {
        ev->owned_payload = json_loads(ev->payload_text, 0, NULL);
        if (!json_is_object(ev->owned_payload)) { /* a macro: its argument twice */
            json_decref(ev->owned_payload);
            ev->owned_payload = NULL;
            return sq_fail(d, SQ_EINVAL, NULL, "the payload of %s is not a JSON object", ev->name);
        }
    }
    if (ev->payload && !json_is_object(ev->payload))
        return sq_fail(d, SQ_EINVAL, NULL, "the payload of %s is not a JSON object", ev->name);
    if (!sq_event_wanted(ev->name))
        goto out;
    /* a savepoint of our own: a failing subscriber undoes the others too */
    if ((e = sq_db_begin(d)))
        goto out;
    for (int i = 0; i < nsubs; i++) {
        if (!sq_event_match(subs[i].pattern, ev->name))
            continue;
        if ((e = subs[i].fn(ev, subs[i].ctx, d))) {
            sq_error("event=event_subscriber_failed name=%s record=%lld msg=\"%s\"", ev->name,
                     (long long)ev->record_id, d->message);
            sq_db_rollback();
            goto out;
        }
    }
    e = sq_db_commit(d);
out:
    json_decref(ev->owned_payload);
    ev->owned_payload = NULL;
    return e;
}

json_t *sq_event_json(const struct sq_event *ev)
{
    char at[32], name[SQ_EVENT_NAME_MAX];
    json_t *o = json_object();
    if (ev->name[0])
        snprintf(name, sizeof name, "%s", ev->name);
    else /* not published (yet): the name it will have */
        snprintf(name, sizeof name, "%s.%s", ev->domain, ev->type);
    json_object_set_new(o, "event", json_string(name));
    sq_clock_iso(ev->occurred_at, at);
    json_object_set_new(o, "occurred_at", json_string(at));
    json_object_set_new(o, "actor_id", ev->actor_id ? json_integer(ev->actor_id) : json_null());
    json_t *p = sq_event_payload(ev);
    if (p)
        json_object_update(o, p);
    return o;
}

void sq_event_utf8_trim(char *s)
{
    size_t len = strlen(s), i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
        unsigned char lead = (unsigned char)s[i - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (len - (i - 1) < need)
            s[i - 1] = '\0';
    }
}
