/*
 * outbox: the appeals event hook (inbox rows and queued webhook deliveries)
 * and the thread that sends the deliveries.
 *
 * The hook runs in whichever thread changed the appeal, after that change
 * committed (or, at intake, inside the intake's transaction, so a rolled-back
 * intake notifies nobody). It only writes rows; the network is touched by the
 * sender thread alone, so a slow receiver never slows a request down.
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
#include "units/units.h"

#define SENDER_BATCH 16
#define SEND_TIMEOUT_MS 5000
#define CONNECT_TIMEOUT_MS 3000

static struct sq_worker *sender;
static atomic_bool sender_stopping;
static int max_attempts = 6;
static CURL *curl; /* used by the sender thread only */
static struct sq_cidr allow[SQ_CIDR_MAX]; /* webhook_allow_cidrs, set before the thread starts */
static int nallow;
static bool curl_ready; /* curl_global_init succeeded */

/* ---- the hook ---- */

void notify_appeal_event(const struct sq_appeal *a, int action, int64_t actor_id)
{
    struct sq_audience aud[SQ_NOTIFY_MAX_AUDIENCES];
    int64_t users[SQ_NOTIFY_MAX_RECIPIENTS];
    struct sq_detail d = {0};
    struct sq_unit unit;
    char title[256], body[1024], ev[32];
    int64_t parent = 0, now = sq_clock_now();
    int queued = 0;
    if (action == SQ_AA_ESCALATE && units_store_get(a->handler_unit_id, &unit, NULL) == SQ_OK)
        parent = unit.parent_id;
    int naud = sq_notify_audiences(a, action, parent, aud);
    json_t *payload = sq_webhook_payload(a, action, actor_id, parent, now);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    if (!text)
        sq_fatal("out of memory");
    if (sq_db_begin(&d))
        goto fail;
    int n = notify_store_recipients(aud, naud, actor_id, users, SQ_NOTIFY_MAX_RECIPIENTS);
    if (n)
        sq_notify_text(a, action, title, sizeof title, body, sizeof body);
    for (int i = 0; i < n; i++)
        if (notify_store_inbox_add(users[i], sq_appeal_action_name(action), a->id, title, body,
                                   now, &d)) {
            sq_db_rollback();
            goto fail;
        }
    queued = notify_store_enqueue(sq_webhook_event_name(action, ev), text, now, &d);
    if (sq_db_commit(&d))
        goto fail;
    free(text);
    if (queued)
        sq_worker_wake(sender);
    return;
fail:
    sq_error("event=notify_failed appeal=%lld action=%s msg=\"%s\"", (long long)a->id,
             sq_appeal_action_name(action), d.message);
    free(text);
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
        notify_store_delivery_result(x->id, "delivered", attempts, now, (int)code, NULL, now,
                                     &d);
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
        sender = sq_worker_start("webhooks", c->test_clock ? 200 : 1000, sender_tick,
                                 sender_exit, NULL);
    }
    sq_appeal_event_hook = notify_appeal_event;
}

void notify_stop(void)
{
    sq_appeal_event_hook = NULL;
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
