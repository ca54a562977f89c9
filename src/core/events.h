/*
 * events: domain events, published by any domain inside the transaction of
 * its change and delivered to the subscribers that asked for their type
 * (docs/events.md).
 *
 * An event is named "<domain>.<type>" ("appeal.submit", "kb.answer_published").
 * Every name a domain publishes is declared in that domain's table of
 * struct sq_event_type (app.c lists the tables, like the route tables), with
 * the recipients of the event: the domain, not the inbox, knows who hears of
 * it ("the person who filed it", "the handlers of the handling unit", "the
 * people who filed the linked appeals").
 *
 * Delivery: sq_event_publish() runs every matching subscriber synchronously,
 * on the publisher's thread, inside the publisher's transaction (in a
 * savepoint of its own). A subscriber that fails fails the publish, and the
 * publisher rolls its change back: a change is never committed without its
 * inbox rows and outbox rows, and a rolled-back change leaves none. Work that
 * must not run inside the transaction (a network call) is written to an
 * outbox table by the subscriber and done later by a thread that reads it;
 * sq_db_on_commit() wakes that thread once the rows are visible.
 *
 * Threads: declare and subscribe at start-up, before the threads that
 * publish run (the lists are read without a lock); publishing is
 * thread-safe.
 */
#ifndef SQ_EVENTS_H
#define SQ_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Longest "<domain>.<type>", NUL included. */
#define SQ_EVENT_NAME_MAX 48
/* Most audiences a recipients callback may return for one event. */
#define SQ_EVENT_MAX_AUDIENCES 64

/* ---- recipients ---- */

enum sq_audience_kind {
    SQ_AUD_USER,            /* one user: id */
    SQ_AUD_UNIT,            /* holders of `roles` (bit mask of 1 << SQ_ROLE_x) in unit id */
    SQ_AUD_DISTRICT_ADMINS, /* every district admin */
};

struct sq_audience {
    enum sq_audience_kind kind;
    int64_t id;
    unsigned roles;
};

/* ---- the event ---- */

struct sq_event_type;

struct sq_event {
    /* set by the publisher */
    const char *domain;       /* "appeal" */
    const char *type;         /* "submit" */
    int64_t record_id;        /* the changed record (0 = none) */
    const char *unit_path;    /* the unit the record belongs to, "/1/2/3/" (NULL = none) */
    int64_t actor_id;         /* who did it; 0 = the system (scheduler) */
    int64_t occurred_at;      /* 0: publish sets sq_clock_now() */
    json_t *payload;          /* borrowed JSON object: the event's public data (it is what
                               * webhooks send: no personal data), or NULL ... */
    const char *payload_text; /* ... the same as JSON text (parsed by publish) */
    const void *record;       /* the domain's in-memory record, for the domain's own
                               * callbacks (recipients, text); NULL when there is none */
    /* set by sq_event_publish */
    char name[SQ_EVENT_NAME_MAX];     /* "<domain>.<type>" */
    const struct sq_event_type *decl; /* its declaration */
    json_t *owned_payload;            /* parsed payload_text, freed by publish */
};

/* ---- declarations (by the publishing domain) ---- */

/* Who hears of ev in-app: fills out (room for max) and returns how many
 * audiences. May read the database (it runs inside the transaction); the
 * inbox leaves the actor out. Returns < 0 on a database error. */
typedef int (*sq_event_recipients_fn)(const struct sq_event *ev, struct sq_audience *out, int max);
/* The inbox title and body of ev (UTF-8, NUL-terminated within the caps;
 * sq_event_utf8_trim() cuts a split character). */
typedef void (*sq_event_text_fn)(const struct sq_event *ev, char *title, size_t tcap, char *body,
                                 size_t bcap);

struct sq_event_type {
    const char *name;                  /* "<domain>.<type>"; NULL ends a table */
    const char *summary;               /* when it happens, who hears (docs, `sanqu events`) */
    sq_event_recipients_fn recipients; /* NULL: nobody in-app */
    sq_event_text_fn text;             /* required with recipients */
};

/* The tables of the domains (app.c), NULL-terminated. */
extern const struct sq_event_type *const sq_event_tables[];

/* Adds a table at run time (tests, plug-ins), before publishing starts. At
 * most 16. The table must outlive every publish. */
void sq_event_declare(const struct sq_event_type *table);
/* The declaration of a full name, or NULL. */
const struct sq_event_type *sq_event_type_find(const char *name);
/* Whether some declared name starts with "<domain>.". */
bool sq_event_domain_known(const char *domain, size_t len);
/* Calls fn for every declared type, tables in order. */
void sq_event_types_each(void (*fn)(const struct sq_event_type *t, void *ctx), void *ctx);

/* ---- subscriptions ---- */

/* A synchronous subscriber: runs inside the publisher's transaction. An
 * error (with d filled) fails the publish and the publisher's change. */
typedef enum sq_err (*sq_event_fn)(struct sq_event *ev, void *ctx, struct sq_detail *d);

/* Whether pattern covers name: "*" everything, "<domain>.*" the domain,
 * otherwise the exact name. */
bool sq_event_match(const char *pattern, const char *name);

/* Subscribes fn to the events pattern covers (copied). Start-up only. At
 * most 32 subscriptions; returns -1 when full or the pattern is invalid. */
int sq_event_subscribe(const char *pattern, sq_event_fn fn, void *ctx);
/* Removes every subscription of (fn, ctx). Shutdown only. */
void sq_event_unsubscribe(sq_event_fn fn, void *ctx);

/* ---- publishing ---- */

/* Publishes ev to its subscribers inside the caller's transaction (or a
 * transaction of its own when none is open). Fills ev's name, decl and
 * occurred_at. SQ_EINVAL for an undeclared name or a payload that is not
 * a JSON object; a subscriber's error otherwise, after rolling back what
 * the subscribers wrote. The caller then rolls back its own change. */
enum sq_err sq_event_publish(struct sq_event *ev, struct sq_detail *d);

/* Whether any subscriber covers the name: a publisher may skip building a
 * costly payload when nobody listens (sq_event_publish checks it too). */
bool sq_event_wanted(const char *name);

/* The payload of ev as an object (borrowed; NULL when it has none). */
json_t *sq_event_payload(const struct sq_event *ev);
/* The event as webhooks and logs see it (new reference): {"event",
 * "occurred_at", "actor_id"} and then the payload's members. */
json_t *sq_event_json(const struct sq_event *ev);

/* Cuts a UTF-8 character that truncation left incomplete at the end of s. */
void sq_event_utf8_trim(char *s);

#endif
