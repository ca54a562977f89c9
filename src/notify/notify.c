/*
 * notify rules: recipients, inbox text, webhook payloads, backoff and
 * signatures. Pure functions of their inputs (plus libsodium's HMAC), so the
 * unit tests check every rule without a database.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/clock.h"
#include "notify/notify.h"

#define ROLE(r) (1u << (r))
#define STAFF (ROLE(SQ_ROLE_HANDLER) | ROLE(SQ_ROLE_UNIT_ADMIN))

/* The person an answer goes to: the creator, else the collector who filed. */
static int64_t person_of(const struct sq_appeal *a)
{
    return a->creator_id ? a->creator_id : a->collector_id;
}

int sq_notify_audiences(const struct sq_appeal *a, int action, int64_t parent_unit_id,
                        struct sq_audience out[SQ_NOTIFY_MAX_AUDIENCES])
{
    int n = 0;
#define ADD(k, i, r) (out[n++] = (struct sq_audience){.kind = (k), .id = (i), .roles = (r)})
    switch (action) {
    case SQ_AA_SUBMIT:
    case SQ_AA_TRANSFER:
    case SQ_AA_RETURN:
    case SQ_AA_REOPEN:
        /* new work for a unit: whoever signs for it */
        ADD(SQ_AUD_UNIT, a->handler_unit_id, STAFF);
        break;
    case SQ_AA_ASSIGN:
        if (a->handler_id)
            ADD(SQ_AUD_USER, a->handler_id, 0);
        break;
    case SQ_AA_WARN:
    case SQ_AA_OVERDUE:
        if (a->handler_id)
            ADD(SQ_AUD_USER, a->handler_id, 0);
        else
            ADD(SQ_AUD_UNIT, a->handler_unit_id, STAFF);
        break;
    case SQ_AA_ESCALATE:
        /* 督办: the leaders one tier up, and the district office */
        ADD(SQ_AUD_UNIT, parent_unit_id ? parent_unit_id : a->handler_unit_id,
            ROLE(SQ_ROLE_UNIT_ADMIN));
        ADD(SQ_AUD_DISTRICT_ADMINS, 0, 0);
        break;
    case SQ_AA_REPLY:
    case SQ_AA_RESOLVE:
    case SQ_AA_REJECT:
    case SQ_AA_MERGE:
        if (person_of(a))
            ADD(SQ_AUD_USER, person_of(a), 0);
        break;
    case SQ_AA_RATE:
        /* the unit learns its rating (the 多维评价 feeds its KPIs) */
        if (a->handler_id)
            ADD(SQ_AUD_USER, a->handler_id, 0);
        ADD(SQ_AUD_UNIT, a->handler_unit_id, ROLE(SQ_ROLE_UNIT_ADMIN));
        break;
    case SQ_AA_EXTEND:
        if (a->extension_days) /* a request: the unit admin decides */
            ADD(SQ_AUD_UNIT, a->handler_unit_id, ROLE(SQ_ROLE_UNIT_ADMIN));
        else if (a->handler_id) /* a decision: the handler learns it */
            ADD(SQ_AUD_USER, a->handler_id, 0);
        break;
    default:
        break;
    }
#undef ADD
    return n;
}

static const char *satisfaction_zh(const char *s)
{
    if (!strcmp(s, "satisfied"))
        return "满意";
    if (!strcmp(s, "basically_satisfied"))
        return "基本满意";
    if (!strcmp(s, "dissatisfied"))
        return "不满意";
    return s;
}

void sq_notify_text(const struct sq_appeal *a, int action, char *title, size_t tcap, char *body,
                    size_t bcap)
{
    char due[32] = "";
    const char *t;
    if (a->due_at)
        sq_clock_iso(a->due_at, due);
    switch (action) {
    case SQ_AA_SUBMIT: t = "新诉求待签收"; break;
    case SQ_AA_TRANSFER: t = "诉求转入，待签收"; break;
    case SQ_AA_RETURN: t = "诉求退回，待重新派单"; break;
    case SQ_AA_REOPEN: t = "诉求重办"; break;
    case SQ_AA_ASSIGN: t = "诉求已分派给您"; break;
    case SQ_AA_WARN: t = "诉求即将超期"; break;
    case SQ_AA_OVERDUE: t = "诉求已超期"; break;
    case SQ_AA_ESCALATE: t = "超期督办"; break;
    case SQ_AA_REPLY: t = "您的诉求有新回复"; break;
    case SQ_AA_RESOLVE: t = "您的诉求已办结，请评价"; break;
    case SQ_AA_REJECT: t = "您的诉求不予受理"; break;
    case SQ_AA_MERGE: t = "您的诉求已与相同诉求合并办理"; break;
    case SQ_AA_RATE: t = "诉求已评价"; break;
    case SQ_AA_EXTEND: t = a->extension_days ? "延期申请待审批" : "延期申请已处理"; break;
    default: t = "诉求动态"; break;
    }
    if (action == SQ_AA_ESCALATE)
        snprintf(title, tcap, "%s（第%d次）", t, a->escalation_level);
    else
        snprintf(title, tcap, "%s", t);
    int n = snprintf(body, bcap, "%s「%s」", a->tracking_no, a->title ? a->title : "");
    size_t used = n < 0 ? 0 : (size_t)n < bcap ? (size_t)n : bcap;
    if ((action == SQ_AA_WARN || action == SQ_AA_OVERDUE || action == SQ_AA_ESCALATE ||
         action == SQ_AA_SUBMIT || action == SQ_AA_ASSIGN || action == SQ_AA_REOPEN) &&
        due[0])
        snprintf(body + used, bcap - used, "，办理时限 %s", due);
    else if (action == SQ_AA_RATE && a->satisfaction[0])
        snprintf(body + used, bcap - used, "，评价：%s", satisfaction_zh(a->satisfaction));
    else if ((action == SQ_AA_REPLY || action == SQ_AA_RESOLVE || action == SQ_AA_REJECT) &&
             a->reply)
        snprintf(body + used, bcap - used, "：%s", a->reply);
    /* never cut a UTF-8 sequence in half */
    for (char *s = title; s; s = s == title ? body : NULL) {
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
}

/* ---- webhooks ---- */

const char *sq_webhook_event_name(int action, char *buf)
{
    snprintf(buf, 32, "appeal.%s", sq_appeal_action_name(action));
    return buf;
}

bool sq_webhook_event_valid(const char *name)
{
    char buf[32];
    if (!name)
        return false;
    if (!strcmp(name, "*") || !strcmp(name, "appeal.*"))
        return true;
    for (int i = 0; i < SQ_AA__EVENTS; i++)
        if (!strcmp(name, sq_webhook_event_name(i, buf)))
            return true;
    return false;
}

bool sq_webhook_wants(json_t *types, const char *event)
{
    size_t i;
    json_t *v;
    json_array_foreach(types, i, v)
    {
        const char *t = json_string_value(v);
        if (!t)
            continue;
        if (!strcmp(t, "*") || !strcmp(t, event) ||
            (!strcmp(t, "appeal.*") && !strncmp(event, "appeal.", 7)))
            return true;
    }
    return false;
}

bool sq_webhook_url_valid(const char *url)
{
    const char *p;
    if (!url || strlen(url) > 2000)
        return false;
    if (!strncmp(url, "http://", 7))
        p = url + 7;
    else if (!strncmp(url, "https://", 8))
        p = url + 8;
    else
        return false;
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return false;
    const char *host = p;
    if (*p == '[') { /* IPv6 literal */
        p++;
        while (isxdigit((unsigned char)*p) || *p == ':' || *p == '.')
            p++;
        if (*p != ']' || p == host + 1)
            return false;
        p++;
    } else {
        while (isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_')
            p++;
        if (p == host)
            return false;
    }
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535)
            return false;
        p = end;
    }
    return *p == '\0' || *p == '/' || *p == '?';
}

bool sq_webhook_addr_allowed(const struct sockaddr *sa, const struct sq_cidr *allow, int nallow,
                             enum sq_addr_class *cls)
{
    enum sq_addr_class c = sq_addr_classify(sa);
    if (cls)
        *cls = c;
    return c == SQ_ADDR_PUBLIC || sq_cidr_match(allow, nallow, sa);
}

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

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

json_t *sq_webhook_payload(const struct sq_appeal *a, int action, int64_t actor_id,
                           int64_t parent_unit_id, int64_t now)
{
    char ev[32];
    json_t *ap = json_object();
    json_object_set_new(ap, "id", json_integer(a->id));
    json_object_set_new(ap, "tracking_no", json_string(a->tracking_no));
    json_object_set_new(ap, "kind", json_string(a->kind));
    sq_json_set_str(ap, "title", a->title);
    json_object_set_new(ap, "status", json_string(sq_appeal_status_name(a->status)));
    json_object_set_new(ap, "category_id", json_integer(a->category_id));
    json_object_set_new(ap, "unit_id", json_integer(a->unit_id));
    json_object_set_new(ap, "handler_unit_id", json_integer(a->handler_unit_id));
    json_object_set_new(ap, "handler_id", id_or_null(a->handler_id));
    json_object_set_new(ap, "urgency", json_string(a->urgency));
    json_object_set_new(ap, "channel", json_string(a->channel));
    set_time(ap, "created_at", a->created_at);
    set_time(ap, "due_at", a->due_at);
    set_time(ap, "resolved_at", a->resolved_at);
    json_object_set_new(ap, "warned", json_boolean(a->warned));
    json_object_set_new(ap, "overdue", json_boolean(a->overdue));
    json_object_set_new(ap, "escalation_level", json_integer(a->escalation_level));
    json_object_set_new(ap, "reopen_count", json_integer(a->reopen_count));
    json_object_set_new(ap, "master_id", id_or_null(a->master_id));
    json_object_set_new(ap, "satisfaction",
                        a->satisfaction[0] ? json_string(a->satisfaction) : json_null());
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string(sq_webhook_event_name(action, ev)));
    set_time(o, "occurred_at", now);
    json_object_set_new(o, "actor_id", id_or_null(actor_id));
    json_object_set_new(o, "appeal", ap);
    if (action == SQ_AA_ESCALATE)
        json_object_set_new(o, "escalated_to_unit_id",
                            json_integer(parent_unit_id ? parent_unit_id : a->handler_unit_id));
    return o;
}

int64_t sq_webhook_backoff(int attempts)
{
    if (attempts < 1)
        return 1;
    if (attempts > 12) /* 2^12 s is already past the cap */
        return SQ_WEBHOOK_BACKOFF_MAX;
    int64_t s = (int64_t)1 << (attempts - 1);
    return s < SQ_WEBHOOK_BACKOFF_MAX ? s : SQ_WEBHOOK_BACKOFF_MAX;
}

void sq_webhook_sign(const char *secret, const void *body, size_t len, char *out)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}
