/*
 * notify store: SQL for the inbox, webhook subscriptions and the delivery
 * outbox, and the recipient lookup over role grants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/log.h"
#include "notify/notify.h"

static void set_time(json_t *o, const char *key, int64_t t)
{
    char buf[32];
    if (!t) {
        json_object_set_new(o, key, json_null());
        return;
    }
    sq_clock_iso(t, buf);
    json_object_set_new(o, key, json_string(buf));
}

/* ---- recipients ---- */

static int add_unique(int64_t *out, int n, int max, int64_t id, int64_t exclude)
{
    if (id <= 0 || id == exclude || n >= max)
        return n;
    for (int i = 0; i < n; i++)
        if (out[i] == id)
            return n;
    out[n] = id;
    return n + 1;
}

static int collect(struct sq_stmt *st, int64_t *out, int n, int max, int64_t exclude)
{
    while (n < max && sq_step(st) == SQ_ROW)
        n = add_unique(out, n, max, sq_col_int64(st, 0), exclude);
    sq_db_reset(st);
    return n;
}

int notify_store_recipients(const struct sq_audience *aud, int naud, int64_t exclude, int64_t *out,
                            int max)
{
    int n = 0;
    struct sq_stmt *st;
    for (int i = 0; i < naud; i++) {
        switch (aud[i].kind) {
        case SQ_AUD_USER:
            if (!(st = sq_db_stmt("SELECT id FROM users WHERE id = ? AND disabled = 0")))
                break;
            sq_bind_int64(st, 1, aud[i].id);
            n = collect(st, out, n, max, exclude);
            break;
        case SQ_AUD_UNIT:
            for (int role = 0; role < SQ_ROLE__MAX; role++) {
                if (!(aud[i].roles & (1u << role)))
                    continue;
                if (!(st = sq_db_stmt("SELECT g.user_id FROM grants g JOIN users u ON u.id = "
                                      "g.user_id WHERE g.unit_id = ? AND g.role = ? AND "
                                      "u.disabled = 0 ORDER BY g.user_id")))
                    break;
                sq_bind_int64(st, 1, aud[i].id);
                sq_bind_text_ref(st, 2, sq_role_name((enum sq_role)role));
                n = collect(st, out, n, max, exclude);
            }
            break;
        case SQ_AUD_DISTRICT_ADMINS:
            if (!(st = sq_db_stmt("SELECT DISTINCT g.user_id FROM grants g JOIN users u ON u.id "
                                  "= g.user_id WHERE g.role = 'district_admin' AND u.disabled = "
                                  "0 ORDER BY g.user_id")))
                break;
            n = collect(st, out, n, max, exclude);
            break;
        }
    }
    return n;
}

/* ---- inbox ---- */

enum sq_err notify_store_inbox_add(int64_t user_id, const char *domain, const char *kind,
                                   int64_t record_id, const char *title, const char *body,
                                   int64_t now, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO inbox(user_id, domain, kind, record_id, title, "
                                    "body, created_at) VALUES (?,?,?,?,?,?,?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, user_id);
    sq_bind_text(st, 2, domain);
    sq_bind_text(st, 3, kind);
    sq_db_bind_id(st, 4, record_id);
    sq_bind_text(st, 5, title);
    sq_db_bind_text(st, 6, body);
    sq_bind_int64(st, 7, now);
    return sq_db_exec_stmt(st, d);
}

/* appeal_id: the inbox API's field from before events of other domains
 * (013_events.sql), kept for its readers. */
#define INBOX_COLS                                                                                 \
    "id, kind, CASE WHEN domain = 'appeal' THEN record_id END, title, body, created_at, "          \
    "read_at, domain, record_id"

static json_t *inbox_row(struct sq_stmt *st)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "kind",
                          sq_db_col_text(st, 1));
    int64_t appeal = sq_col_int64(st, 2);
    json_object_set_new(o, "appeal_id", appeal ? json_integer(appeal) : json_null());
    json_object_set_new(o, "title", json_string(sq_db_col_text(st, 3)));
    sq_json_set_str(o, "body", sq_db_col_text(st, 4));
    set_time(o, "created_at", sq_col_int64(st, 5));
    set_time(o, "read_at", sq_col_int64(st, 6));
    json_object_set_new(o, "read", json_boolean(!sq_col_is_null(st, 6)));
    json_object_set_new(o, "domain", json_string(sq_db_col_text(st, 7)));
    json_object_set_new(o, "record_id", sq_db_col_id_json(st, 8));
    return o;
}

enum sq_err notify_store_inbox_list(int64_t user_id, bool unread_only, const struct sq_page *p,
                                    json_t **items, int64_t *total, int64_t *unread,
                                    struct sq_detail *d)
{
    *items = json_array();
    *unread = sq_db_scalar_id("SELECT count(*) FROM inbox WHERE user_id = ? AND read_at IS NULL",
                              user_id);
    *total = unread_only ? *unread
                         : sq_db_scalar_id("SELECT count(*) FROM inbox WHERE user_id = ?", user_id);
    struct sq_stmt *st = sq_db_stmt(
        unread_only ? "SELECT " INBOX_COLS " FROM inbox WHERE user_id = ? AND read_at IS NULL "
                      "ORDER BY id DESC LIMIT ? OFFSET ?"
                    : "SELECT " INBOX_COLS " FROM inbox WHERE user_id = ? ORDER BY id DESC "
                      "LIMIT ? OFFSET ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, user_id);
    sq_bind_int(st, 2, p->limit);
    sq_bind_int64(st, 3, p->offset);
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(*items, inbox_row(st));
    sq_db_reset(st);
    return SQ_OK;
}

enum sq_err notify_store_inbox_read(int64_t user_id, int64_t id, int64_t now, json_t **item,
                                    struct sq_detail *d)
{
    enum sq_err e;
    struct sq_stmt *st = sq_db_stmt("UPDATE inbox SET read_at = ? WHERE id = ? AND user_id = ? "
                                    "AND read_at IS NULL");
    *item = NULL;
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, now);
    sq_bind_int64(st, 2, id);
    sq_bind_int64(st, 3, user_id);
    if ((e = sq_db_exec_stmt(st, d)))
        return e;
    if (!(st = sq_db_stmt("SELECT " INBOX_COLS " FROM inbox WHERE id = ? AND user_id = ?")))
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    sq_bind_int64(st, 2, user_id);
    if (sq_step(st) == SQ_ROW)
        *item = inbox_row(st);
    sq_db_reset(st);
    /* someone else's notification is as absent as a missing one */
    return *item ? SQ_OK : sq_fail(d, SQ_ENOTFOUND, NULL, "no such notification");
}

enum sq_err notify_store_inbox_read_all(int64_t user_id, int64_t now, int64_t *updated,
                                        struct sq_detail *d)
{
    enum sq_err e;
    struct sq_stmt *st = sq_db_stmt("UPDATE inbox SET read_at = ? WHERE user_id = ? AND read_at "
                                    "IS NULL");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, now);
    sq_bind_int64(st, 2, user_id);
    if ((e = sq_db_exec_stmt(st, d)))
        return e;
    *updated = sq_db_changes();
    return SQ_OK;
}

/* ---- retention ---- */

/* Deletes the rows `pick` selects (binding ?1 = before, ?2 = limit), after
 * asking `any` (?1) whether there is one: an idle pass takes no write lock. */
static int purge(const char *any, const char *pick, int64_t before, int limit)
{
    struct sq_detail d = {0};
    struct sq_stmt *st = sq_db_stmt(any);
    if (!st)
        return -1;
    sq_bind_int64(st, 1, before);
    bool found = sq_step(st) == SQ_ROW;
    sq_db_reset(st);
    if (!found)
        return 0;
    if (!(st = sq_db_stmt(pick)))
        return -1;
    sq_bind_int64(st, 1, before);
    sq_bind_int(st, 2, limit);
    if (sq_db_exec_stmt(st, &d))
        return -1;
    return (int)sq_db_changes();
}

int notify_store_purge_inbox(int64_t before, int limit)
{
    return purge("SELECT 1 FROM inbox WHERE read_at IS NOT NULL AND created_at < ?1 LIMIT 1",
                 "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE read_at IS NOT NULL "
                 "AND created_at < ?1 ORDER BY created_at LIMIT ?2)",
                 before, limit);
}

int notify_store_purge_deliveries(int64_t before, int limit)
{
    return purge("SELECT 1 FROM webhook_deliveries WHERE status = 'delivered' AND created_at < "
                 "?1 LIMIT 1",
                 "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
                 "WHERE status = 'delivered' AND created_at < ?1 ORDER BY created_at LIMIT ?2)",
                 before, limit);
}

/* ---- webhooks ---- */

enum sq_err notify_store_webhook_create(const char *url, json_t *event_types, const char *secret,
                                        int64_t now, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO webhooks(url, event_types, secret, active, "
                                    "created_at) VALUES (?,?,?,1,?) RETURNING id");
    char *types = json_dumps(event_types, JSON_COMPACT);
    enum sq_err e;
    if (!st || !types) {
        free(types);
        return sq_fail(d, SQ_EDB, NULL, "database error");
    }
    sq_bind_text(st, 1, url);
    sq_bind_text(st, 2, types);
    sq_bind_text(st, 3, secret);
    sq_bind_int64(st, 4, now);
    e = sq_db_exec_id(st, id, d);
    free(types);
    return e;
}

#define HOOK_COLS                                                                                  \
    "w.id, w.url, w.event_types, w.active, w.created_at, substr(w.secret, -4), "                   \
    "(SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = w.id AND x.status = "         \
    "'pending'), (SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = w.id AND "        \
    "x.status = 'dead')"

static json_t *hook_row(struct sq_stmt *st)
{
    json_t *types = json_loads(sq_db_col_text(st, 2), 0, NULL);
    json_t *o = json_pack("{s:I,s:s,s:o,s:b}", "id", (json_int_t)sq_col_int64(st, 0), "url",
                          sq_db_col_text(st, 1), "event_types", types ? types : json_array(),
                          "active", sq_col_int(st, 3));
    set_time(o, "created_at", sq_col_int64(st, 4));
    char hint[16];
    snprintf(hint, sizeof hint, "...%s", sq_db_col_text(st, 5));
    json_object_set_new(o, "secret_hint", json_string(hint));
    json_object_set_new(o, "pending", json_integer(sq_col_int64(st, 6)));
    json_object_set_new(o, "dead", json_integer(sq_col_int64(st, 7)));
    return o;
}

json_t *notify_store_webhooks_json(bool include_inactive)
{
    return sq_db_list_json(include_inactive ? "SELECT " HOOK_COLS " FROM webhooks w ORDER BY w.id"
                                            : "SELECT " HOOK_COLS " FROM webhooks w WHERE "
                                              "w.active = 1 ORDER BY w.id",
                           hook_row);
}

json_t *notify_store_webhook_json(int64_t id)
{
    return sq_db_get_json("SELECT " HOOK_COLS " FROM webhooks w WHERE w.id = ?", id, hook_row);
}

enum sq_err notify_store_webhook_delete(int64_t id, int64_t now, struct sq_detail *d)
{
    enum sq_err e;
    struct sq_stmt *st;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(st = sq_db_stmt("UPDATE webhooks SET active = 0 WHERE id = ? AND active = 1"))) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, id);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    if (sq_db_changes() != 1) {
        e = sq_fail(d, SQ_ENOTFOUND, NULL, "no active webhook with id %lld", (long long)id);
        goto fail;
    }
    if (!(st = sq_db_stmt("UPDATE webhook_deliveries SET status = 'dead', last_error = "
                          "'subscription deleted', next_attempt_at = ? WHERE webhook_id = ? AND "
                          "status = 'pending'"))) {
        e = sq_fail(d, SQ_EDB, NULL, "database error");
        goto fail;
    }
    sq_bind_int64(st, 1, now);
    sq_bind_int64(st, 2, id);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err notify_store_enqueue(const char *event, const char *payload, int64_t now, int *queued,
                                 struct sq_detail *d)
{
    int64_t ids[64];
    int n = 0;
    enum sq_err e;
    *queued = 0;
    struct sq_stmt *st = sq_db_stmt("SELECT id, event_types FROM webhooks WHERE active = 1 ORDER "
                                    "BY id LIMIT 64");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    /* collect first: the INSERT below must not run under this cursor */
    while (sq_step(st) == SQ_ROW) {
        json_t *types = json_loads(sq_db_col_text(st, 1), 0, NULL);
        if (sq_webhook_wants(types, event))
            ids[n++] = sq_col_int64(st, 0);
        json_decref(types);
    }
    sq_db_reset(st);
    for (int i = 0; i < n; i++) {
        if (!(st = sq_db_stmt("INSERT INTO webhook_deliveries(webhook_id, event_type, payload, "
                              "status, attempts, next_attempt_at, created_at) VALUES "
                              "(?,?,?,'pending',0,?,?)")))
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_bind_int64(st, 1, ids[i]);
        sq_bind_text(st, 2, event);
        sq_bind_text(st, 3, payload);
        sq_bind_int64(st, 4, now);
        sq_bind_int64(st, 5, now);
        if ((e = sq_db_exec_stmt(st, d)))
            return e;
        (*queued)++;
    }
    return SQ_OK;
}

/* ---- deliveries ---- */

void sq_delivery_cleanup(struct sq_delivery *x)
{
    free(x->payload);
    free(x->url);
    free(x->secret);
    memset(x, 0, sizeof *x);
}

int notify_store_due_deliveries(int64_t now, struct sq_delivery *out, int max)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT x.id, x.webhook_id, x.attempts, x.event_type, x.payload, w.url, w.secret FROM "
        "webhook_deliveries x JOIN webhooks w ON w.id = x.webhook_id WHERE x.status = 'pending' "
        "AND x.next_attempt_at <= ? ORDER BY x.next_attempt_at, x.id LIMIT ?");
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, now);
    sq_bind_int(st, 2, max);
    while (n < max && sq_step(st) == SQ_ROW) {
        struct sq_delivery *x = &out[n++];
        memset(x, 0, sizeof *x);
        x->id = sq_col_int64(st, 0);
        x->webhook_id = sq_col_int64(st, 1);
        x->attempts = sq_col_int(st, 2);
        snprintf(x->event_type, sizeof x->event_type, "%s", sq_db_col_text(st, 3));
        x->payload = strdup(sq_db_col_text(st, 4));
        x->url = strdup(sq_db_col_text(st, 5));
        x->secret = strdup(sq_db_col_text(st, 6));
        if (!x->payload || !x->url || !x->secret)
            sq_fatal("out of memory");
    }
    sq_db_reset(st);
    return n;
}

enum sq_err notify_store_delivery_result(int64_t id, const char *status, int attempts,
                                         int64_t next_at, int http_status, const char *error,
                                         int64_t now, struct sq_detail *d)
{
    /* only a still-pending row moves: a subscription deleted meanwhile stays dead */
    struct sq_stmt *st = sq_db_stmt("UPDATE webhook_deliveries SET status = ?, attempts = ?, "
                                    "next_attempt_at = ?, last_status = ?, last_error = ?, "
                                    "delivered_at = ? WHERE id = ? AND status = 'pending'");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text_ref(st, 1, status);
    sq_bind_int(st, 2, attempts);
    sq_bind_int64(st, 3, next_at);
    if (http_status)
        sq_bind_int(st, 4, http_status);
    sq_db_bind_text(st, 5, error);
    if (!strcmp(status, "delivered"))
        sq_bind_int64(st, 6, now);
    sq_bind_int64(st, 7, id);
    return sq_db_exec_stmt(st, d);
}

enum sq_err notify_store_deliveries_list(const struct sq_delivery_filter *f,
                                         const struct sq_page *p, json_t **items, int64_t *total,
                                         struct sq_detail *d)
{
    static const char *where = " FROM webhook_deliveries x WHERE (?1 IS NULL OR x.status = ?1) "
                               "AND (?2 IS NULL OR x.webhook_id = ?2)";
    char sql[768];
    struct sq_stmt *st;
    *items = json_array();
    *total = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
        else
            snprintf(sql, sizeof sql,
                     "SELECT x.id, x.webhook_id, x.event_type, x.payload, x.status, x.attempts, "
                     "x.next_attempt_at, x.last_status, x.last_error, x.created_at, "
                     "x.delivered_at%s ORDER BY x.id DESC LIMIT ?3 OFFSET ?4",
                     where);
        if (!(st = sq_db_stmt(sql)))
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_db_bind_text(st, 1, f->status);
        sq_db_bind_id(st, 2, f->webhook_id);
        if (pass == 0) {
            *total = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
            sq_db_reset(st);
            if (*total <= p->offset)
                break;
            continue;
        }
        sq_bind_int(st, 3, p->limit);
        sq_bind_int64(st, 4, p->offset);
        while (sq_step(st) == SQ_ROW) {
            json_t *payload = json_loads(sq_db_col_text(st, 3), 0, NULL);
            json_t *o =
                json_pack("{s:I,s:I,s:s,s:o,s:s,s:i}", "id", (json_int_t)sq_col_int64(st, 0),
                          "webhook_id", (json_int_t)sq_col_int64(st, 1), "event_type",
                          sq_db_col_text(st, 2), "payload", payload ? payload : json_null(),
                          "status", sq_db_col_text(st, 4), "attempts", sq_col_int(st, 5));
            if (!strcmp(sq_db_col_text(st, 4), "pending"))
                set_time(o, "next_attempt_at", sq_col_int64(st, 6));
            else
                json_object_set_new(o, "next_attempt_at", json_null());
            json_object_set_new(o, "last_status",
                                sq_col_is_null(st, 7) ? json_null()
                                                      : json_integer(sq_col_int(st, 7)));
            sq_json_set_str(o, "last_error", sq_db_col_text(st, 8));
            set_time(o, "created_at", sq_col_int64(st, 9));
            set_time(o, "delivered_at", sq_col_int64(st, 10));
            json_array_append_new(*items, o);
        }
        sq_db_reset(st);
    }
    return SQ_OK;
}
