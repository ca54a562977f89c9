/*
 * outbox: the two event subscribers (inbox rows, queued webhook deliveries),
 * the thread that sends the deliveries and the retention thread.
 *
 * The subscribers run in whichever thread published the event, inside the
 * publisher's transaction (core/events.h), so a rolled-back change notifies
 * nobody and a committed one is never without its rows. They only write
 * rows; the network is touched by the sender thread alone, woken once the
 * rows are committed (sq_db_on_commit), so a slow receiver never slows a
 * request down.
 *
 * Who hears of an event in-app is asked of its declaration (the publishing
 * domain's recipients callback); the inbox knows no domain.
 *
 * Delivery is at least once: a delivery is marked after its POST returns, so
 * a crash in between sends it again. Receivers deduplicate on
 * X-Sanqu-Delivery. An attempt interrupted by shutdown is not counted.
 *
 * Where it connects: every socket libcurl opens passes open_checked(), which
 * refuses an address that is not public and not in webhook_allow_cidrs. The
 * check is on the address actually connected to, after libcurl's own DNS
 * lookup, so a name that resolved to a public address when the webhook was
 * created and to 127.0.0.1 now (DNS rebinding) gets nowhere. Redirects are
 * not followed and proxies from the environment are not used.
 *
 * What it records: a 2xx is "delivered" with its status; any failure —
 * refused, timed out, TLS, a 3xx/4xx/5xx answer — is the one
 * SQ_WEBHOOK_ERR_FAILED without a status, and a refused address is
 * SQ_WEBHOOK_ERR_REFUSED, so the outbox tells an administrator nothing
 * about what listens where. The server log keeps the detail for operators.
 *
 * Retention: every RETENTION_PERIOD_MS (200 ms with the test clock) the
 * retention thread deletes read inbox rows older than inbox_retention_days
 * and delivered attempts older than webhook_retention_days, in batches of
 * RETENTION_BATCH rows per short transaction.
 */
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/db.h"
#include "core/log.h"
#include "core/worker.h"
#include "notify/notify.h"

#define SENDER_BATCH 16
#define SEND_TIMEOUT_MS 5000
#define CONNECT_TIMEOUT_MS 3000
#define RETENTION_PERIOD_MS 60000
#define RETENTION_BATCH 500

static struct sq_worker *sender;
static atomic_bool sender_stopping;
static int max_attempts = 6;
static CURL *curl;                        /* used by the sender thread only */
static struct sq_cidr allow[SQ_CIDR_MAX]; /* webhook_allow_cidrs, set before the thread starts */
static int nallow;
static bool curl_ready; /* curl_global_init succeeded */
static struct sq_worker *retention;
static int inbox_days = 180, webhook_days = 30;

/* ---- the subscribers ---- */

static void wake_sender(void *ctx)
{
    (void)ctx;
    sq_worker_wake(sender);
}

/* The inbox: one row per recipient the event's domain declares. */
static enum sq_err inbox_on_event(struct sq_event *ev, void *ctx, struct sq_detail *d)
{
    struct sq_audience aud[SQ_EVENT_MAX_AUDIENCES];
    int64_t users[SQ_NOTIFY_MAX_RECIPIENTS];
    char title[256], body[1024];
    enum sq_err e;
    (void)ctx;
    if (!ev->decl->recipients || !ev->decl->text)
        return SQ_OK;
    int naud = ev->decl->recipients(ev, aud, SQ_EVENT_MAX_AUDIENCES);
    if (naud < 0)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    if (naud == 0)
        return SQ_OK;
    int n = notify_store_recipients(aud, naud, ev->actor_id, users, SQ_NOTIFY_MAX_RECIPIENTS);
    if (n == 0)
        return SQ_OK;
    ev->decl->text(ev, title, sizeof title, body, sizeof body);
    for (int i = 0; i < n; i++)
        if ((e = notify_store_inbox_add(users[i], ev->domain, ev->type, ev->record_id, title, body,
                                        ev->occurred_at, d)))
            return e;
    return SQ_OK;
}

/* The outbox: one delivery per subscription that wants the event, sent
 * after the commit. */
static enum sq_err outbox_on_event(struct sq_event *ev, void *ctx, struct sq_detail *d)
{
    (void)ctx;
    json_t *body = sq_event_json(ev);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        sq_fatal("out of memory");
    int queued = 0;
    enum sq_err e = notify_store_enqueue(ev->name, text, ev->occurred_at, &queued, d);
    free(text);
    if (e)
        return e;
    if (queued)
        sq_db_on_commit(wake_sender, NULL);
    return SQ_OK;
}

void notify_subscribe(void)
{
    sq_event_subscribe("*", inbox_on_event, NULL);
    sq_event_subscribe("*", outbox_on_event, NULL);
}

void notify_unsubscribe(void)
{
    sq_event_unsubscribe(inbox_on_event, NULL);
    sq_event_unsubscribe(outbox_on_event, NULL);
}

/* ---- retention ---- */

int notify_retention_run(int64_t now, int inbox_age_days, int webhook_age_days, int limit,
                         bool *more)
{
    int total = 0, n;
    int64_t cut;
    *more = false;
    if ((cut = sq_notify_retention_cutoff(now, inbox_age_days)) &&
        (n = notify_store_purge_inbox(cut, limit)) > 0) {
        total += n;
        *more |= n == limit;
    }
    if ((cut = sq_notify_retention_cutoff(now, webhook_age_days)) &&
        (n = notify_store_purge_deliveries(cut, limit)) > 0) {
        total += n;
        *more |= n == limit;
    }
    return total;
}

static int retention_tick(void *ctx)
{
    bool more;
    (void)ctx;
    int n = notify_retention_run(sq_clock_now(), inbox_days, webhook_days, RETENTION_BATCH, &more);
    if (n)
        sq_info("event=retention_purged rows=%d more=%d", n, more);
    return more;
}

/* ---- the sender ---- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static int abort_on_stop(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)ctx;
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load(&sender_stopping) ? 1 : 0;
}

struct guard {
    int64_t delivery;
    bool refused; /* an address was not allowed */
};

/* libcurl's socket factory: only allowed addresses get a socket. */
static curl_socket_t open_checked(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct guard *g = ctx;
    enum sq_addr_class cls;
    char text[64];
    (void)purpose;
    if (!sq_webhook_addr_allowed(&a->addr, allow, nallow, &cls)) {
        g->refused = true;
        sq_warn("event=webhook_address_refused delivery=%lld address=%s class=%s",
                (long long)g->delivery, sq_addr_text(&a->addr, text, sizeof text),
                sq_addr_class_name(cls));
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* One attempt; records its outcome unless shutdown interrupted it. */
static void send_one(const struct sq_delivery *x)
{
    char sig[80], h_sig[112], h_event[64], h_id[64], detail[256] = "";
    struct guard g = {.delivery = x->id};
    struct curl_slist *hdr = NULL;
    long code = 0;
    struct sq_detail d = {0};
    size_t len = strlen(x->payload);
    sq_webhook_sign(x->secret, x->payload, len, sig);
    snprintf(h_sig, sizeof h_sig, "X-Sanqu-Signature: %s", sig);
    snprintf(h_event, sizeof h_event, "X-Sanqu-Event: %s", x->event_type);
    snprintf(h_id, sizeof h_id, "X-Sanqu-Delivery: %lld", (long long)x->id);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "User-Agent: sanqu-webhook/1");
    hdr = curl_slist_append(hdr, "Expect:");
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, h_event);
    hdr = curl_slist_append(hdr, h_id);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, x->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* never http_proxy & co. */
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &g);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)SEND_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, x->payload);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdr);
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return; /* shutting down: the attempt does not count */
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    int attempts = x->attempts + 1;
    int64_t now = sq_clock_now();
    if (rc == CURLE_OK && code >= 200 && code < 300) {
        notify_store_delivery_result(x->id, "delivered", attempts, now, (int)code, NULL, now, &d);
        sq_info("event=webhook_delivered delivery=%lld webhook=%lld status=%ld attempts=%d",
                (long long)x->id, (long long)x->webhook_id, code, attempts);
        return;
    }
    /* the detail goes to the log only (see the top of this file) */
    if (rc != CURLE_OK)
        snprintf(detail, sizeof detail, "%s", curl_easy_strerror(rc));
    else
        snprintf(detail, sizeof detail, "HTTP %ld", code);
    const char *err = g.refused ? SQ_WEBHOOK_ERR_REFUSED : SQ_WEBHOOK_ERR_FAILED;
    bool dead = attempts >= max_attempts;
    notify_store_delivery_result(x->id, dead ? "dead" : "pending", attempts,
                                 dead ? now : now + sq_webhook_backoff(attempts), 0, err, now, &d);
    sq_warn("event=webhook_failed delivery=%lld webhook=%lld attempts=%d dead=%d error=\"%s\" "
            "detail=\"%s\"",
            (long long)x->id, (long long)x->webhook_id, attempts, dead, err, detail);
}

static int sender_tick(void *ctx)
{
    struct sq_delivery batch[SENDER_BATCH];
    (void)ctx;
    int n = notify_store_due_deliveries(sq_clock_now(), batch, SENDER_BATCH);
    for (int i = 0; i < n; i++) {
        if (!atomic_load(&sender_stopping))
            send_one(&batch[i]);
        sq_delivery_cleanup(&batch[i]);
    }
    return n == SENDER_BATCH;
}

static void sender_exit(void *ctx)
{
    (void)ctx;
    curl_easy_cleanup(curl);
    curl = NULL;
}

void notify_start(const struct sq_config *c)
{
    struct sq_detail d = {0};
    max_attempts = c->webhook_attempts > 0 ? c->webhook_attempts : 6;
    if (sq_cidr_list_parse(c->webhook_allow_cidrs, "webhook_allow_cidrs", allow, SQ_CIDR_MAX,
                           &nallow, &d)) {
        sq_error("event=webhook_allow_cidrs_invalid msg=\"%s\" (public addresses only)", d.message);
        nallow = 0;
    }
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!curl_ready || !(curl = curl_easy_init())) {
        sq_error("event=curl_init_failed (webhooks will not be sent)");
    } else {
        atomic_store(&sender_stopping, false);
        /* with a test clock, time jumps: look often so retries follow it */
        sender =
            sq_worker_start("webhooks", c->test_clock ? 200 : 1000, sender_tick, sender_exit, NULL);
    }
    inbox_days = c->inbox_retention_days;
    webhook_days = c->webhook_retention_days;
    retention = sq_worker_start("retention", c->test_clock ? 200 : RETENTION_PERIOD_MS,
                                retention_tick, NULL, NULL);
    notify_subscribe();
}

void notify_stop(void)
{
    notify_unsubscribe();
    sq_worker_stop(retention);
    retention = NULL;
    atomic_store(&sender_stopping, true);
    sq_worker_stop(sender); /* its exit callback frees the handle */
    sender = NULL;
    if (curl) { /* the thread never started */
        curl_easy_cleanup(curl);
        curl = NULL;
    }
    if (curl_ready)
        curl_global_cleanup();
    curl_ready = false;
}
