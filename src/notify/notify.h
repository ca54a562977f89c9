/*
 * notify: telling people and systems that something changed, in any domain.
 *
 * Two subscribers of the domain events (core/events.h), both running inside
 * the publisher's transaction, so what they write commits or rolls back with
 * the change itself:
 *   - the in-app inbox: one row per recipient, the recipients and the text
 *     asked of the event's declaration (the publishing domain says who
 *     hears); read at /api/v1/inbox;
 *   - the webhook outbox: one row per matching subscription, POSTed as
 *     signed JSON by the outbox thread after the commit, retried with
 *     exponential backoff and dead-lettered after webhook_attempts tries.
 * An SMS or WeChat gateway is another delivery kind of the same outbox
 * (docs/events.md). A retention thread purges read inbox rows and delivered
 * webhook attempts past inbox_retention_days / webhook_retention_days.
 *
 * Rules (notify.c): event-name and URL validation, backoff and signature,
 * the retention cut-offs. No SQL, no HTTP. Store (store.c): SQL. Outbox
 * (outbox.c): the subscribers, the sender thread (libcurl) and the retention
 * thread. API (api.c): /api/v1/inbox and /api/v1/webhooks.
 */
#ifndef SQ_NOTIFY_H
#define SQ_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/events.h"
#include "core/json.h"
#include "core/netaddr.h"

/* Most inbox rows one event writes (a unit with more staff gets the first ones). */
#define SQ_NOTIFY_MAX_RECIPIENTS 200

/* ---- rules: webhooks ---- */

/* True for "*", "<domain>.*" of a domain that declares events, and every
 * declared event name ("appeal.submit", "kb.answer_published"). */
bool sq_webhook_event_valid(const char *name);
/* Whether a subscription's event_types (a JSON array) includes event. */
bool sq_webhook_wants(json_t *types, const char *event);
/* True for an absolute http:// or https:// URL with a host, an optional port
 * 1-65535 and printable ASCII without spaces, at most 2000 characters. */
bool sq_webhook_url_valid(const char *url);
/* Whether a webhook may connect to sa: a public address, or one inside a
 * range the administrator allowed (webhook_allow_cidrs). *cls (optional)
 * gets the address class. */
bool sq_webhook_addr_allowed(const struct sockaddr *sa, const struct sq_cidr *allow, int nallow,
                             enum sq_addr_class *cls);
/* What the outbox records for a failed attempt: the receiver's own answer
 * (connection refused, a timeout, HTTP 302 ...) is not told apart, so the
 * outbox cannot serve as a port scanner. */
#define SQ_WEBHOOK_ERR_FAILED "delivery failed"
#define SQ_WEBHOOK_ERR_REFUSED "address not allowed"
/* Seconds to wait after the attempts-th failed try: 1, 2, 4, ... capped at
 * SQ_WEBHOOK_BACKOFF_MAX. */
#define SQ_WEBHOOK_BACKOFF_MAX 3600
int64_t sq_webhook_backoff(int attempts);
/* "sha256=" + lowercase hex HMAC-SHA256 of body keyed with secret. out >= 72. */
void sq_webhook_sign(const char *secret, const void *body, size_t len, char *out);

/* ---- rules: retention ---- */

/* The instant before which rows `days` old are purged at now; 0 (purge
 * nothing) when days is 0. */
int64_t sq_notify_retention_cutoff(int64_t now, int days);

/* ---- store ---- */

/* Users of the audiences (enabled accounts, deduplicated, without exclude),
 * at most max. Returns the count. */
int notify_store_recipients(const struct sq_audience *aud, int naud, int64_t exclude, int64_t *out,
                            int max);
/* One inbox row: kind is the event's type, (domain, record_id) its record. */
enum sq_err notify_store_inbox_add(int64_t user_id, const char *domain, const char *kind,
                                   int64_t record_id, const char *title, const char *body,
                                   int64_t now, struct sq_detail *d);
enum sq_err notify_store_inbox_list(int64_t user_id, bool unread_only, const struct sq_page *p,
                                    json_t **items, int64_t *total, int64_t *unread,
                                    struct sq_detail *d);
/* Marks one of the user's notifications read (idempotent); SQ_ENOTFOUND if
 * it is not theirs. *item gets the row (new reference). */
enum sq_err notify_store_inbox_read(int64_t user_id, int64_t id, int64_t now, json_t **item,
                                    struct sq_detail *d);
enum sq_err notify_store_inbox_read_all(int64_t user_id, int64_t now, int64_t *updated,
                                        struct sq_detail *d);

enum sq_err notify_store_webhook_create(const char *url, json_t *event_types, const char *secret,
                                        int64_t now, int64_t *id, struct sq_detail *d);
/* Subscriptions as API JSON (secret left out); include_inactive for deleted. */
json_t *notify_store_webhooks_json(bool include_inactive);
json_t *notify_store_webhook_json(int64_t id); /* NULL if missing */
/* Deactivates a subscription and kills its pending deliveries. */
enum sq_err notify_store_webhook_delete(int64_t id, int64_t now, struct sq_detail *d);
/* Queues the event for every active subscription that wants it, in the
 * caller's transaction; *queued gets how many deliveries were queued. */
enum sq_err notify_store_enqueue(const char *event, const char *payload, int64_t now, int *queued,
                                 struct sq_detail *d);

/* Retention: deletes up to limit read inbox rows created before `before`,
 * and up to limit delivered webhook attempts created before `before`;
 * returns how many rows went (< 0 on a database error). Unread rows,
 * pending and dead deliveries are never purged. */
int notify_store_purge_inbox(int64_t before, int limit);
int notify_store_purge_deliveries(int64_t before, int limit);

struct sq_delivery {
    int64_t id, webhook_id;
    int attempts;
    char event_type[32];
    char *payload, *url, *secret; /* owned: sq_delivery_cleanup */
};
void sq_delivery_cleanup(struct sq_delivery *x);
/* Pending deliveries due at now, oldest first, at most max; returns count. */
int notify_store_due_deliveries(int64_t now, struct sq_delivery *out, int max);
/* Records one attempt: delivered, retry at next_at, or dead. */
enum sq_err notify_store_delivery_result(int64_t id, const char *status, int attempts,
                                         int64_t next_at, int http_status, const char *error,
                                         int64_t now, struct sq_detail *d);
struct sq_delivery_filter {
    const char *status; /* NULL = any */
    int64_t webhook_id; /* 0 = any */
};
enum sq_err notify_store_deliveries_list(const struct sq_delivery_filter *f,
                                         const struct sq_page *p, json_t **items, int64_t *total,
                                         struct sq_detail *d);

/* ---- destinations (dest.c) ---- */

/* Checks a webhook URL before it is stored: the host (as libcurl reads the
 * URL, so 0177.0.0.1 is 127.0.0.1) is resolved and every address it
 * resolves to must pass sq_webhook_addr_allowed with the ranges of
 * allow_csv. SQ_EINVAL on field "url" with a zh-CN / English message when
 * the URL cannot be read, the host does not resolve, or an address is
 * refused. Blocks for the DNS lookup. */
enum sq_err notify_webhook_dest_check(const char *url, const char *allow_csv, struct sq_detail *d);

/* ---- the subscribers and the threads (outbox.c) ---- */

/* Subscribes the inbox and the outbox to every event ("*"). */
void notify_subscribe(void);
void notify_unsubscribe(void);
/* One retention pass at now: purges at most `limit` rows of each kind.
 * Returns the rows purged; *more when a kind had more to go. */
int notify_retention_run(int64_t now, int inbox_days, int webhook_days, int limit, bool *more);
/* Subscribes, starts the sender thread (curl initialised here) and the
 * retention thread. */
void notify_start(const struct sq_config *c);
/* Stops the threads (an attempt in flight is aborted), unsubscribes, cleans
 * up curl. Safe without a start. */
void notify_stop(void);

#endif
