/*
 * tasks events: the declared "task.<kind>" types (one per timeline kind),
 * their in-app recipients and inbox text, and the publishing of a change's
 * event inside its transaction (tasks_store_insert / tasks_store_apply call
 * tasks_publish). The payload is public data only: ids, title, state,
 * dates, levels — it is what webhooks send.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/events.h"
#include "tasks/tasks.h"

#define ROLE(r) (1u << (r))
#define STAFF (ROLE(SQ_ROLE_HANDLER) | ROLE(SQ_ROLE_UNIT_ADMIN))

/* What tasks_publish() hands its callbacks as the event's record. */
struct task_ev {
    const struct sq_task *t;
    const char *kind;
    int64_t to_unit_id; /* an escalation's unit */
};

/* The people who work on it: the assignee, else the owner unit's staff. */
static int workers(const struct sq_task *t, struct sq_audience *out)
{
    if (t->assignee_id)
        out[0] = (struct sq_audience){.kind = SQ_AUD_USER, .id = t->assignee_id};
    else
        out[0] = (struct sq_audience){.kind = SQ_AUD_UNIT, .id = t->owner_unit_id, .roles = STAFF};
    return 1;
}

static int recipients(const struct sq_event *ev, struct sq_audience *out, int max)
{
    const struct task_ev *x = ev->record;
    if (!x || max < 2)
        return 0;
    const char *k = x->kind;
    if (!strcmp(k, "create") || !strcmp(k, "warn") || !strcmp(k, "overdue") ||
        !strcmp(k, "reopen") || !strcmp(k, "cancel"))
        return workers(x->t, out);
    if (!strcmp(k, "escalate")) {
        /* 督办: the leaders of the unit it went to, and the district office */
        out[0] = (struct sq_audience){
            .kind = SQ_AUD_UNIT, .id = x->to_unit_id, .roles = ROLE(SQ_ROLE_UNIT_ADMIN)};
        out[1] = (struct sq_audience){.kind = SQ_AUD_DISTRICT_ADMINS};
        return 2;
    }
    if (!strcmp(k, "done") && x->t->created_by) {
        out[0] = (struct sq_audience){.kind = SQ_AUD_USER, .id = x->t->created_by};
        return 1;
    }
    return 0;
}

static void text(const struct sq_event *ev, char *title, size_t tcap, char *body, size_t bcap)
{
    const struct task_ev *x = ev->record;
    const char *k = x ? x->kind : "", *t = "任务有更新";
    char due[32] = "";
    if (x && x->t->due_at)
        sq_clock_iso(x->t->due_at, due);
    if (!strcmp(k, "create"))
        t = "新任务待办理";
    else if (!strcmp(k, "warn"))
        t = "任务即将到期";
    else if (!strcmp(k, "overdue"))
        t = "任务已超期";
    else if (!strcmp(k, "escalate"))
        t = "任务超期督办";
    else if (!strcmp(k, "done"))
        t = "您派发的任务已办结";
    else if (!strcmp(k, "reopen"))
        t = "任务被重新打开";
    else if (!strcmp(k, "cancel"))
        t = "任务已撤销";
    snprintf(title, tcap, "%s", t);
    snprintf(body, bcap, "「%s」（%s）截止 %.16s", x && x->t->title ? x->t->title : "",
             x ? x->t->owner_unit_name : "", due);
    sq_event_utf8_trim(title);
    sq_event_utf8_trim(body);
}

#define TASK_EVENT(k, what)                                                                        \
    {                                                                                              \
        .name = "task." k, .summary = what, .recipients = recipients, .text = text                 \
    }

const struct sq_event_type tasks_event_types[] = {
    TASK_EVENT("create", "a task is set: the assignee, else the owner unit's handlers and admins"),
    TASK_EVENT("start", "work on a task started: nobody"),
    TASK_EVENT("note", "a progress note: nobody"),
    TASK_EVENT("update", "title, description, due date or assignee changed: nobody"),
    TASK_EVENT("warn", "the configured share of the time used (scheduler): the assignee, else "
                       "the owner unit's handlers and admins"),
    TASK_EVENT("overdue", "the deadline passed (scheduler): the assignee, else the owner unit's "
                          "handlers and admins"),
    TASK_EVENT("escalate", "督办 up the unit tree (scheduler): unit admins of the unit it went "
                           "to and every district admin"),
    TASK_EVENT("done", "done with evidence: the person who set the task"),
    TASK_EVENT("cancel", "cancelled: the assignee, else the owner unit's handlers and admins"),
    TASK_EVENT("reopen", "reopened by a supervisor: the assignee, else the owner unit's "
                         "handlers and admins"),
    {0},
};

enum sq_err tasks_publish(const struct sq_task *t, const char *kind, int64_t actor_id,
                          int64_t to_unit_id, int64_t at, struct sq_detail *d)
{
    char name[SQ_EVENT_NAME_MAX], due[32] = "";
    snprintf(name, sizeof name, "task.%s", kind);
    if (!sq_event_wanted(name))
        return SQ_OK;
    if (t->due_at)
        sq_clock_iso(t->due_at, due);
    json_t *task = json_object();
    json_object_set_new(task, "id", json_integer(t->id));
    json_object_set_new(task, "title", json_string(t->title ? t->title : ""));
    json_object_set_new(task, "state", json_string(sq_task_state_name(t->state)));
    json_object_set_new(task, "owner_unit_id", json_integer(t->owner_unit_id));
    json_object_set_new(task, "due_at", t->due_at ? json_string(due) : json_null());
    json_object_set_new(task, "escalation_level", json_integer(t->escalation_level));
    json_object_set_new(task, "source",
                        t->source_domain[0] ? json_pack("{s:s,s:I}", "domain", t->source_domain,
                                                        "id", (json_int_t)t->source_id)
                                            : json_null());
    json_t *payload = json_pack("{s:o}", "task", task);
    if (to_unit_id)
        json_object_set_new(payload, "escalated_to_unit_id", json_integer(to_unit_id));
    struct task_ev x = {.t = t, .kind = kind, .to_unit_id = to_unit_id};
    struct sq_event ev = {
        .domain = "task",
        .type = kind,
        .record_id = t->id,
        .unit_path = t->owner_unit_path[0] ? t->owner_unit_path : NULL,
        .actor_id = actor_id,
        .occurred_at = at,
        .payload = payload,
        .record = &x,
    };
    enum sq_err e = sq_event_publish(&ev, d);
    json_decref(payload);
    return e;
}
