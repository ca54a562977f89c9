/*
 * appeal events: the declared "appeal.<action>" types, their recipients and
 * inbox text, and the webhook payload (see events.h). Moved here from notify
 * so that notify knows no domain: it asks the declaration who hears.
 */
#include "appeals/events.h"

#include <stdio.h>
#include <string.h>

#include "core/auth.h"
#include "core/clock.h"
#include "units/units.h"

#define ROLE(r) (1u << (r))
#define STAFF (ROLE(SQ_ROLE_HANDLER) | ROLE(SQ_ROLE_UNIT_ADMIN))

/* What appeals_publish() hands its own callbacks as the event's record. */
struct appeal_ev {
    const struct sq_appeal *a;
    int action;
    int64_t parent; /* parent of the handling unit, for escalations */
};

/* ---- recipients ---- */

/* The person an answer goes to: the creator, else the collector who filed. */
static int64_t person_of(const struct sq_appeal *a)
{
    return a->creator_id ? a->creator_id : a->collector_id;
}

int sq_appeal_audiences(const struct sq_appeal *a, int action, int64_t parent_unit_id,
                        struct sq_audience *out)
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

void sq_appeal_notice_text(const struct sq_appeal *a, int action, char *title, size_t tcap,
                           char *body, size_t bcap)
{
    char due[32] = "";
    const char *t;
    if (a->due_at)
        sq_clock_iso(a->due_at, due);
    switch (action) {
    case SQ_AA_SUBMIT:
        t = "新诉求待签收";
        break;
    case SQ_AA_TRANSFER:
        t = "诉求转入，待签收";
        break;
    case SQ_AA_RETURN:
        t = "诉求退回，待重新派单";
        break;
    case SQ_AA_REOPEN:
        t = "诉求重办";
        break;
    case SQ_AA_ASSIGN:
        t = "诉求已分派给您";
        break;
    case SQ_AA_WARN:
        t = "诉求即将超期";
        break;
    case SQ_AA_OVERDUE:
        t = "诉求已超期";
        break;
    case SQ_AA_ESCALATE:
        t = "超期督办";
        break;
    case SQ_AA_REPLY:
        t = "您的诉求有新回复";
        break;
    case SQ_AA_RESOLVE:
        t = "您的诉求已办结，请评价";
        break;
    case SQ_AA_REJECT:
        t = "您的诉求不予受理";
        break;
    case SQ_AA_MERGE:
        t = "您的诉求已与相同诉求合并办理";
        break;
    case SQ_AA_RATE:
        t = "诉求已评价";
        break;
    case SQ_AA_EXTEND:
        t = a->extension_days ? "延期申请待审批" : "延期申请已处理";
        break;
    default:
        t = "诉求动态";
        break;
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
    sq_event_utf8_trim(title);
    sq_event_utf8_trim(body);
}

/* ---- the declared types ---- */

static int recipients(const struct sq_event *ev, struct sq_audience *out, int max)
{
    const struct appeal_ev *x = ev->record;
    if (!x || max < SQ_APPEAL_MAX_AUDIENCES)
        return 0;
    return sq_appeal_audiences(x->a, x->action, x->parent, out);
}

static void text(const struct sq_event *ev, char *title, size_t tcap, char *body, size_t bcap)
{
    const struct appeal_ev *x = ev->record;
    sq_appeal_notice_text(x->a, x->action, title, tcap, body, bcap);
}

#define APPEAL_EVENT(act, what)                                                                    \
    {                                                                                              \
        .name = "appeal." act, .summary = what, .recipients = recipients, .text = text             \
    }

/* One per action, in enum order (test_events checks the names against
 * sq_appeal_action_name). The summaries are the catalogue in docs/events.md. */
const struct sq_event_type appeals_event_types[] = {
    APPEAL_EVENT("submit", "filed: handlers and unit admins of the handling unit"),
    APPEAL_EVENT("accept", "the unit signed for it: nobody in-app"),
    APPEAL_EVENT("assign", "assigned to a handler: that handler"),
    APPEAL_EVENT("transfer", "transferred: handlers and unit admins of the new handling unit"),
    APPEAL_EVENT("return", "returned for re-dispatch: handlers and unit admins of the unit"),
    APPEAL_EVENT("note", "internal note: nobody in-app"),
    APPEAL_EVENT("reply", "replied: the person who filed it (creator, else collector)"),
    APPEAL_EVENT("resolve", "resolved: the person who filed it"),
    APPEAL_EVENT("reject", "not accepted: the person who filed it"),
    APPEAL_EVENT("extend", "extension requested: unit admins; decided: the handler"),
    APPEAL_EVENT("suspend", "suspended: nobody in-app"),
    APPEAL_EVENT("resume", "resumed: nobody in-app"),
    APPEAL_EVENT("merge", "merged into a master: the person who filed it"),
    APPEAL_EVENT("rate", "rated: the handler and unit admins of the handling unit"),
    APPEAL_EVENT("review", "reviewed by a supervisor: nobody in-app"),
    APPEAL_EVENT("reopen", "reopened: handlers and unit admins of the handling unit"),
    APPEAL_EVENT("warn", "deadline near: the handler, else the unit's handlers and admins"),
    APPEAL_EVENT("overdue", "deadline passed: the handler, else the unit's handlers and admins"),
    APPEAL_EVENT("escalate", "督办: unit admins of the parent unit and every district admin"),
    APPEAL_EVENT("close", "closed after the rating period: nobody in-app"),
    {0},
};

/* ---- payload ---- */

const char *sq_appeal_event_name(int action, char *buf)
{
    snprintf(buf, 32, "appeal.%s", sq_appeal_action_name(action));
    return buf;
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

json_t *sq_appeal_event_payload(const struct sq_appeal *a, int action, int64_t parent_unit_id)
{
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
    json_object_set_new(o, "appeal", ap);
    if (action == SQ_AA_ESCALATE)
        json_object_set_new(o, "escalated_to_unit_id",
                            json_integer(parent_unit_id ? parent_unit_id : a->handler_unit_id));
    return o;
}

/* The event of `action` on a; x and payload must outlive it. */
static void event_init(struct sq_event *ev, struct appeal_ev *x, const struct sq_appeal *a,
                       int action, int64_t actor_id, int64_t parent, json_t *payload)
{
    *x = (struct appeal_ev){.a = a, .action = action, .parent = parent};
    *ev = (struct sq_event){
        .domain = "appeal",
        .type = sq_appeal_action_name(action),
        .record_id = a->id,
        .unit_path = a->handler_unit_path[0] ? a->handler_unit_path : NULL,
        .actor_id = actor_id,
        .payload = payload,
        .record = x,
    };
}

json_t *sq_appeal_webhook_body(const struct sq_appeal *a, int action, int64_t actor_id,
                               int64_t parent_unit_id, int64_t now)
{
    struct sq_event ev;
    struct appeal_ev x;
    json_t *payload = sq_appeal_event_payload(a, action, parent_unit_id);
    event_init(&ev, &x, a, action, actor_id, parent_unit_id, payload);
    ev.occurred_at = now;
    json_t *o = sq_event_json(&ev);
    json_decref(payload);
    return o;
}

enum sq_err appeals_publish(const struct sq_appeal *a, int action, int64_t actor_id,
                            struct sq_detail *d)
{
    struct sq_event ev;
    struct appeal_ev x;
    struct sq_unit unit;
    int64_t parent = 0;
    char name[32];
    if (!sq_event_wanted(sq_appeal_event_name(action, name)))
        return SQ_OK; /* nobody listens (`sanqu demo`, tools) */
    if (action == SQ_AA_ESCALATE && units_store_get(a->handler_unit_id, &unit, NULL) == SQ_OK)
        parent = unit.parent_id;
    json_t *payload = sq_appeal_event_payload(a, action, parent);
    event_init(&ev, &x, a, action, actor_id, parent, payload);
    enum sq_err e = sq_event_publish(&ev, d);
    json_decref(payload);
    return e;
}
