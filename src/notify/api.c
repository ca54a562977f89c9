/*
 * notify api: the caller's own inbox, and the webhook subscriptions and
 * their outbox for district admins (route permission SQ_PERM_ADMIN).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/http.h"
#include "core/json.h"
#include "notify/notify.h"

/* ---- inbox ---- */

static int inbox_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    json_t *items = NULL;
    int64_t total = 0, unread = 0;
    char next[32];
    /* the query was checked against inbox_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    bool only = sq_query_bool(r, "unread");
    enum sq_err e = notify_store_inbox_list(r->user->id, only, &pg, &items, &total, &unread, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    const char *nx = sq_page_next(&pg, total, next);
    return sq_reply_json(r, 200,
                         json_pack("{s:o,s:I,s:o,s:I}", "items", items, "total", (json_int_t)total,
                                   "next", nx ? json_string(nx) : json_null(), "unread",
                                   (json_int_t)unread));
}

static int inbox_read(struct sq_req *r)
{
    struct sq_detail d = {0};
    json_t *item = NULL;
    int64_t id = sq_req_param_id(r, "id");
    if (!id)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such notification");
    enum sq_err e = notify_store_inbox_read(r->user->id, id, sq_clock_now(), &item, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    return sq_reply_json(r, 200, item);
}

static int inbox_read_all(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t n = 0;
    enum sq_err e = notify_store_inbox_read_all(r->user->id, sq_clock_now(), &n, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    return sq_reply_json(r, 200, json_pack("{s:I}", "updated", (json_int_t)n));
}

/* ---- webhooks ---- */

static int webhooks_list(struct sq_req *r)
{
    const char *all = sq_req_query(r, "all");
    json_t *items = notify_store_webhooks_json(all && !strcmp(all, "1"));
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field hook_fields[] = {
    {.name = "url", .type = SQ_F_STR, .required = true, .min = 8, .max = 2000},
    {.name = "event_types", .type = SQ_F_ARRAY, .required = true, .min = 1, .max = 32},
    {.name = "secret", .type = SQ_F_STR, .min = 16, .max = 128},
    {0},
};

static int webhooks_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    char secret[129];
    int64_t id = 0;
    size_t i;
    json_t *v;
    enum sq_err e = sq_validate(r->json, hook_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    const char *url = sq_json_str(r->json, "url", "");
    if (!sq_webhook_url_valid(url))
        return sq_reply_errf(r, SQ_EINVAL, "url",
                             "url must be an absolute http:// or https:// URL");
    json_t *types = json_object_get(r->json, "event_types");
    if (json_array_size(types) == 0)
        return sq_reply_errf(r, SQ_EINVAL, "event_types", "name at least one event type");
    json_array_foreach(types, i, v)
    {
        if (!sq_webhook_event_valid(json_string_value(v)))
            return sq_reply_errf(r, SQ_EINVAL, "event_types",
                                 "event_types[%zu] 不是已声明的事件类型 / event_types[%zu] is "
                                 "not an event: use \"*\", \"appeal.*\" or "
                                 "\"appeal.<action>\" (submit, assign, warn, overdue, escalate, "
                                 "resolve, ...), \"kb.*\" or \"kb.answer_published\" "
                                 "(docs/events.md)",
                                 i, i);
    }
    /* last: it waits for DNS */
    if ((e = notify_webhook_dest_check(url, sq_app_config ? sq_app_config->webhook_allow_cidrs : "",
                                       &d)))
        return sq_reply_err(r, e, &d);
    const char *given = sq_json_str(r->json, "secret", NULL);
    if (given) {
        snprintf(secret, sizeof secret, "%s", given);
    } else {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
    }
    if ((e = notify_store_webhook_create(url, types, secret, sq_clock_now(), &id, &d)))
        return sq_reply_err(r, e, &d);
    json_t *audit = json_pack("{s:s,s:O}", "url", url, "event_types", types);
    sq_audit_write(r->user->id, "webhook_create", "webhook", id, r->ip, audit);
    json_decref(audit);
    json_t *o = notify_store_webhook_json(id);
    if (!o)
        return sq_reply_errf(r, SQ_EDB, NULL, "database error");
    /* the one time the secret is shown: the receiver needs it to verify */
    json_object_set_new(o, "secret", json_string(secret));
    sodium_memzero(secret, sizeof secret);
    return sq_reply_json(r, 201, o);
}

static int webhooks_delete(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    if (!id)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such webhook");
    enum sq_err e = notify_store_webhook_delete(id, sq_clock_now(), &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "webhook_delete", "webhook", id, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static int deliveries_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_delivery_filter f = {0};
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    /* the query was checked against deliveries_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    f.status = sq_req_query(r, "status");
    f.webhook_id = sq_query_int(r, "webhook", 0);
    enum sq_err e = notify_store_deliveries_list(&f, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, items, total, sq_page_next(&pg, total, next));
}

/* ---- declared query parameters ---- */

static const struct sq_query inbox_query[] = {
    SQ_QUERY_PAGE,
    {.name = "unread",
     .type = SQ_Q_BOOL,
     .message = "unread 须为 true 或 false / unread must be true or false",
     .desc = "true: unread only"},
    {0},
};

static const struct sq_query webhooks_query[] = {
    SQ_QUERY_PAGE, /* the UI pages every list; the webhooks come in one page */
    {.name = "all", .type = SQ_Q_STR, .desc = "1: deleted webhooks too"},
    {0},
};

static const struct sq_query deliveries_query[] = {
    SQ_QUERY_PAGE,
    {.name = "status",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"pending", "delivered", "dead", NULL},
     .desc = "the deliveries in this state"},
    {.name = "webhook", .type = SQ_Q_ID, .desc = "of this webhook"},
    {0},
};

const struct sq_route notify_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/inbox",
     .query = inbox_query,
     .fn = inbox_list,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "your notifications, newest first (unread=true, limit, cursor)"},
    {.method = "POST",
     .pattern = "/api/v1/inbox/:id/read",
     .fn = inbox_read,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "mark one notification read"},
    {.method = "POST",
     .pattern = "/api/v1/inbox/read-all",
     .fn = inbox_read_all,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "mark all your notifications read"},
    {.method = "GET",
     .pattern = "/api/v1/webhooks",
     .query = webhooks_query,
     .fn = webhooks_list,
     .perm = SQ_PERM_ADMIN,
     .summary = "webhook subscriptions (all=1 includes deleted)"},
    {.method = "POST",
     .pattern = "/api/v1/webhooks",
     .body = hook_fields,
     .fn = webhooks_create,
     .perm = SQ_PERM_ADMIN,
     .flags = SQ_ROUTE_DIRECT,
     .summary = "subscribe a URL to appeal events (the secret is shown once)"},
    {.method = "DELETE",
     .pattern = "/api/v1/webhooks/:id",
     .fn = webhooks_delete,
     .perm = SQ_PERM_ADMIN,
     .summary = "delete a subscription (its pending deliveries die)"},
    {.method = "GET",
     .pattern = "/api/v1/webhooks/deliveries",
     .query = deliveries_query,
     .fn = deliveries_list,
     .perm = SQ_PERM_ADMIN,
     .summary = "the webhook outbox (status, webhook, limit, cursor)"},
    {0},
};
