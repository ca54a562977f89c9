/*
 * tasks api: HTTP handlers for /api/v1/tasks. Each handler parses and
 * validates, loads the task, asks tasks_decide() (the same rule that fills
 * allowed_actions), changes a copy and hands both to tasks_store_apply().
 *
 * Scope: a task is visible to whoever holds task.read on its owner unit or
 * above; outside that it answers 403. Deadlines are counted on the district
 * working calendar (appeals_calendar_acquire), warnings at the configured
 * warn_percent, as for appeals.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "appeals/appeals.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "tasks/tasks.h"
#include "units/units.h"

static int warn_pct(void)
{
    return sq_app_config ? sq_app_config->warn_percent : 80;
}

/* ---- JSON ---- */

static json_t *time_json(int64_t t)
{
    char buf[32];
    if (!t)
        return json_null();
    sq_clock_iso(t, buf);
    return json_string(buf);
}

static json_t *id_json(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *task_json(const struct sq_user *u, const struct sq_task *t)
{
    char iso[32];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "title", json_string(t->title ? t->title : ""));
    json_object_set_new(o, "description", json_string(t->description ? t->description : ""));
    json_object_set_new(o, "owner_unit_id", json_integer(t->owner_unit_id));
    json_object_set_new(o, "owner_unit_name", json_string(t->owner_unit_name));
    json_object_set_new(o, "assignee_id", id_json(t->assignee_id));
    json_object_set_new(o, "assignee_name",
                        t->assignee_id ? json_string(t->assignee_name) : json_null());
    json_object_set_new(o, "source",
                        t->source_domain[0] ? json_pack("{s:s,s:I}", "domain", t->source_domain,
                                                        "id", (json_int_t)t->source_id)
                                            : json_null());
    json_object_set_new(o, "state", json_string(sq_task_state_name(t->state)));
    json_object_set_new(o, "created_by", id_json(t->created_by));
    json_object_set_new(o, "created_at", time_json(t->created_at));
    json_object_set_new(o, "updated_at", time_json(t->updated_at));
    json_object_set_new(o, "due_at", time_json(t->due_at));
    sq_clock_iso(t->due_at, iso);
    json_object_set_new(o, "due_date", json_stringn(iso, 10));
    json_object_set_new(o, "warn_at", time_json(t->warn_at));
    json_object_set_new(o, "warned", json_boolean(t->warned));
    json_object_set_new(o, "overdue", json_boolean(t->overdue));
    json_object_set_new(o, "escalation_level", json_integer(t->escalation_level));
    json_object_set_new(o, "next_escalation_at", time_json(t->next_escalation_at));
    json_object_set_new(o, "reopen_count", json_integer(t->reopen_count));
    json_object_set_new(o, "done_at", time_json(t->done_at));
    json_object_set_new(o, "done_by", id_json(t->done_by));
    if (t->evidence) {
        json_t *ev = json_pack("{s:s}", "text", t->evidence);
        json_object_set_new(ev, "url",
                            t->evidence_url ? json_string(t->evidence_url) : json_null());
        json_object_set_new(ev, "attachment_id", id_json(t->evidence_attachment_id));
        json_object_set_new(o, "evidence", ev);
    } else {
        json_object_set_new(o, "evidence", json_null());
    }
    json_object_set_new(o, "cancelled_at", time_json(t->cancelled_at));
    const char *names[SQ_TA__MAX];
    int n = tasks_allowed(u, t, names);
    json_t *allowed = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(allowed, json_string(names[i]));
    json_object_set_new(o, "allowed_actions", allowed);
    return o;
}

static void note_json(const struct sq_task_note *n, void *ctx)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s}", "id", (json_int_t)n->id, "kind", n->kind, "body", n->body);
    json_object_set_new(o, "actor_id", id_json(n->actor_id));
    json_object_set_new(o, "actor_name", n->actor_id ? json_string(n->actor_name) : json_null());
    json_object_set_new(o, "created_at", time_json(n->created_at));
    json_array_append_new(ctx, o);
}

static void escalation_json(const struct sq_task_escalation_row *e, void *ctx)
{
    json_t *o = json_pack("{s:I,s:i,s:i,s:I,s:s}", "id", (json_int_t)e->id, "level", e->level,
                          "round", e->round, "to_unit_id", (json_int_t)e->to_unit_id,
                          "to_unit_name", e->to_unit_name);
    json_object_set_new(o, "due_at", time_json(e->due_at));
    json_object_set_new(o, "created_at", time_json(e->created_at));
    json_array_append_new(ctx, o);
}

/* The task with its timeline and escalations. */
static json_t *detail_json(const struct sq_user *u, const struct sq_task *t)
{
    json_t *o = task_json(u, t), *notes = json_array(), *escs = json_array();
    tasks_store_notes(t->id, note_json, notes);
    tasks_store_escalations(t->id, escalation_json, escs);
    json_object_set_new(o, "notes", notes);
    json_object_set_new(o, "escalations", escs);
    return o;
}

/* ---- loading and deciding ---- */

/* Loads the task named by :id into t and decides action on it; on failure
 * replies and returns the status (t is clean). */
static int load(struct sq_req *r, struct sq_task *t, enum sq_task_action action)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = id ? tasks_store_get(id, t, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "没有这个任务 / no such task");
    if (e)
        return sq_reply_err(r, e, &d);
    if ((e = tasks_decide(r->user, t, action, &d))) {
        sq_task_cleanup(t);
        return sq_reply_err(r, e, &d);
    }
    return 0;
}

/* Applies b over a for the caller and answers with the task. Consumes a, b. */
static int commit(struct sq_req *r, struct sq_task *a, struct sq_task *b, const char *kind,
                  const char *body, int64_t now)
{
    struct sq_detail d = {0};
    int64_t at = now > a->updated_at ? now : a->updated_at + 1;
    enum sq_err e = tasks_store_apply(a, b, kind, r->user->id, body, NULL, at, &d);
    int st;
    if (e) {
        st = sq_reply_err(r, e, &d);
    } else {
        char action[32];
        snprintf(action, sizeof action, "task_%s", kind);
        sq_audit_write(r->user->id, action, "task", a->id, r->ip, r->json);
        struct sq_task fresh;
        if (tasks_store_get(a->id, &fresh, &d) == SQ_OK) {
            st = sq_reply_json(r, 200, detail_json(r->user, &fresh));
            sq_task_cleanup(&fresh);
        } else {
            st = sq_reply_err(r, SQ_EDB, &d);
        }
    }
    sq_task_cleanup(a);
    sq_task_cleanup(b);
    return st;
}

/* ---- input checks shared by create and update ---- */

static bool source_domain_valid(const char *s)
{
    if (!s || !islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return false;
    return strlen(s) <= 40;
}

static bool url_valid(const char *s)
{
    return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
}

/* The assignee must be able to work on the owner unit's tasks. */
static enum sq_err check_assignee(int64_t user_id, const char *owner_path, struct sq_detail *d)
{
    struct sq_user *w = calloc(1, sizeof *w); /* large: not on the stack */
    if (!w)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
    w->id = user_id;
    enum sq_err e = accounts_store_load_grants(user_id, w);
    bool ok = e == SQ_OK && sq_may(w, SQ_PERM_TASK_WRITE, owner_path);
    free(w);
    if (!ok)
        return sq_fail(d, SQ_EINVAL, "assignee_id",
                       "承办人须为责任单位（或其上级）中可办理任务的人员 / the assignee must be "
                       "someone who works on the owner unit's tasks");
    return SQ_OK;
}

/* The deadline from due_date / due_working_days, or 0 when neither is given
 * and optional. */
static enum sq_err due_input(json_t *in, int64_t now, bool required, int64_t *due,
                             struct sq_detail *d)
{
    const char *date = sq_json_str(in, "due_date", NULL);
    int64_t days = sq_json_int(in, "due_working_days", 0);
    *due = 0;
    if (!date && !days && !required)
        return SQ_OK;
    const struct sq_workcal *cal = appeals_calendar_acquire();
    enum sq_err e = tasks_due_from_input(cal, now, date, days, due, d);
    appeals_calendar_release();
    return e;
}

static void set_deadline(struct sq_task *t, int64_t now, int64_t due)
{
    const struct sq_workcal *cal = appeals_calendar_acquire();
    tasks_set_deadline(cal, warn_pct(), now, t, due);
    appeals_calendar_release();
}

/* ---- list ---- */

struct list_ctx {
    const struct sq_user *u;
    json_t *items;
};

static void list_item(const struct sq_task *t, void *ctx)
{
    struct list_ctx *c = ctx;
    json_array_append_new(c->items, task_json(c->u, t));
}

/* A declared (so well-formed) local date as the instant its day starts, +
 * one day when end; 0 when absent. */
static int64_t query_day(struct sq_req *r, const char *name, bool end)
{
    const char *s = sq_req_query(r, name);
    int64_t t = 0;
    if (!s || !*s || sq_clock_parse_iso(s, &t))
        return 0;
    return end ? t + 86400 : t;
}

/* The query was checked against list_query by the router before this runs. */
static int tasks_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_task_filter f = {.overdue = -1};
    const char *scope[SQ_MAX_GRANTS];
    char states[256], next[32];
    struct sq_unit unit;
    int64_t total = 0;
    enum sq_err e;
    if ((e = sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d)))
        return sq_reply_err(r, e, &d);
    if (sq_req_query(r, "overdue"))
        f.overdue = sq_query_bool(r, "overdue");
    f.due_soon = sq_query_bool(r, "due_soon");
    f.due_from = query_day(r, "due_after", false);
    f.due_to = query_day(r, "due_before", true);
    f.source_id = sq_query_int(r, "source_id", 0);
    const char *st = sq_req_query(r, "state");
    if (st) {
        snprintf(states, sizeof states, "%s", st);
        for (char *save = NULL, *s = strtok_r(states, ",", &save); s && f.nstates < SQ_TS__MAX;
             s = strtok_r(NULL, ",", &save)) {
            int k = sq_task_state_parse(s);
            if (k >= 0)
                f.states[f.nstates++] = sq_task_states[k];
        }
    }
    f.source_domain = sq_req_query(r, "source_domain");
    if (f.source_domain && !source_domain_valid(f.source_domain))
        return sq_reply_errf(r, SQ_EINVAL, "source_domain",
                             "来源领域须为小写字母、数字和下划线 / source_domain is lower-case "
                             "letters, digits and _");
    const char *as = sq_req_query(r, "assignee_id");
    f.assignee_id = as && !strcmp(as, "me") ? r->user->id : sq_query_int(r, "assignee_id", 0);
    f.sort = sq_req_query(r, "sort");
    int64_t unit_id = sq_query_int(r, "unit_id", 0);
    if (unit_id) {
        if (units_store_get(unit_id, &unit, &d))
            return sq_reply_errf(r, SQ_EINVAL, "unit_id",
                                 "没有编号为 %lld 的单位 / no unit with id %lld",
                                 (long long)unit_id, (long long)unit_id);
        if (!sq_may(r->user, SQ_PERM_TASK_READ, unit.path))
            return sq_reply_errf(r, SQ_EFORBIDDEN, "unit_id",
                                 "该单位不在您的单位范围内 / that unit is outside your units");
        f.unit_path = unit.path;
    }
    if (!sq_may_all(r->user, SQ_PERM_TASK_READ)) {
        for (int i = 0; i < r->user->ngrants; i++)
            if (sq_role_has(r->user->grants[i].role, SQ_PERM_TASK_READ))
                scope[f.nscope++] = r->user->grants[i].unit_path;
        f.scope_paths = scope;
    }
    struct list_ctx c = {.u = r->user, .items = json_array()};
    if ((e = tasks_store_list(&f, &pg, list_item, &c, &total, &d))) {
        json_decref(c.items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, c.items, total, sq_page_next(&pg, total, next));
}

static int tasks_get(struct sq_req *r)
{
    struct sq_task t;
    int st = load(r, &t, SQ_TA_READ);
    if (st)
        return st;
    st = sq_reply_json(r, 200, detail_json(r->user, &t));
    sq_task_cleanup(&t);
    return st;
}

/* ---- create and update ---- */

static const struct sq_field create_fields[] = {
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 1, .max = 200},
    {.name = "description", .type = SQ_F_TEXT, .max = 4000},
    {.name = "owner_unit_id", .type = SQ_F_ID, .required = true},
    {.name = "assignee_id", .type = SQ_F_ID, .nullable = true},
    {.name = "source_domain", .type = SQ_F_STR, .min = 1, .max = 40},
    {.name = "source_id", .type = SQ_F_ID},
    {.name = "due_date", .type = SQ_F_DATE},
    {.name = "due_working_days", .type = SQ_F_INT, .min = 1, .max = SQ_WORKCAL_MAX_DAYS},
    {0},
};

static const struct sq_field update_fields[] = {
    {.name = "title", .type = SQ_F_STR, .min = 1, .max = 200},
    {.name = "description", .type = SQ_F_TEXT, .max = 4000},
    {.name = "assignee_id", .type = SQ_F_ID, .nullable = true},
    {.name = "due_date", .type = SQ_F_DATE},
    {.name = "due_working_days", .type = SQ_F_INT, .min = 1, .max = SQ_WORKCAL_MAX_DAYS},
    {0},
};

static int tasks_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit owner;
    struct sq_task t = {0};
    int64_t now = sq_clock_now(), due = 0;
    int status = 500;
    enum sq_err e = sq_validate(r->json, create_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    const char *dom = sq_json_str(r->json, "source_domain", NULL);
    int64_t sid = sq_json_int(r->json, "source_id", 0);
    if (dom && !source_domain_valid(dom))
        return sq_reply_errf(r, SQ_EINVAL, "source_domain",
                             "来源领域须为小写字母、数字和下划线，如 council_decision / "
                             "source_domain is lower-case letters, digits and _, e.g. "
                             "council_decision");
    if (!dom != !sid)
        return sq_reply_errf(r, SQ_EINVAL, dom ? "source_id" : "source_domain",
                             "来源须同时给出领域和编号 / a source needs both source_domain and "
                             "source_id");
    if (units_store_get(sq_json_int(r->json, "owner_unit_id", 0), &owner, &d) || owner.archived)
        return sq_reply_errf(r, SQ_EINVAL, "owner_unit_id",
                             "责任单位不存在或已撤销 / the owner unit does not exist or is "
                             "archived");
    t.owner_unit_id = owner.id;
    snprintf(t.owner_unit_path, sizeof t.owner_unit_path, "%s", owner.path);
    t.state = SQ_TS_OPEN;
    if ((e = tasks_decide(r->user, &t, SQ_TA_CREATE, &d)) ||
        (e = due_input(r->json, now, true, &due, &d))) {
        status = sq_reply_err(r, e, &d);
        goto out;
    }
    t.assignee_id = sq_json_int(r->json, "assignee_id", 0);
    if (t.assignee_id && (e = check_assignee(t.assignee_id, owner.path, &d))) {
        status = sq_reply_err(r, e, &d);
        goto out;
    }
    sq_task_set(&t.title, sq_json_str(r->json, "title", ""));
    sq_task_set(&t.description, sq_json_str(r->json, "description", ""));
    if (dom) {
        snprintf(t.source_domain, sizeof t.source_domain, "%s", dom);
        t.source_id = sid;
    }
    t.created_by = r->user->id;
    t.created_at = now;
    set_deadline(&t, now, due);
    if ((e = tasks_store_insert(&t, r->user->id, "", &d))) {
        status = sq_reply_err(r, e, &d);
        goto out;
    }
    sq_audit_write(r->user->id, "task_create", "task", t.id, r->ip, r->json);
    struct sq_task fresh;
    if ((e = tasks_store_get(t.id, &fresh, &d))) {
        status = sq_reply_err(r, e, &d);
        goto out;
    }
    status = sq_reply_json(r, 201, detail_json(r->user, &fresh));
    sq_task_cleanup(&fresh);
out:
    sq_task_cleanup(&t);
    return status;
}

static int tasks_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_task a, b;
    int64_t now = sq_clock_now(), due = 0;
    enum sq_err e = sq_validate(r->json, update_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if (!json_object_size(r->json))
        return sq_reply_errf(r, SQ_EINVAL, NULL,
                             "没有要修改的内容 / nothing to change: give title, description, "
                             "assignee_id, due_date or due_working_days");
    int st = load(r, &a, SQ_TA_UPDATE);
    if (st)
        return st;
    if ((e = due_input(r->json, now, false, &due, &d)))
        goto fail;
    json_t *as = json_object_get(r->json, "assignee_id");
    int64_t assignee = json_is_integer(as) ? json_integer_value(as) : 0;
    if (assignee && assignee != a.assignee_id &&
        (e = check_assignee(assignee, a.owner_unit_path, &d)))
        goto fail;
    sq_task_copy(&b, &a);
    if (sq_json_has(r->json, "title"))
        sq_task_set(&b.title, sq_json_str(r->json, "title", ""));
    if (sq_json_has(r->json, "description"))
        sq_task_set(&b.description, sq_json_str(r->json, "description", ""));
    if (as)
        b.assignee_id = assignee;
    if (due)
        set_deadline(&b, now, due);
    char body[256] = "";
    if (due) {
        char iso[32];
        sq_clock_iso(due, iso);
        snprintf(body, sizeof body, "截止时间改为 %s / due date moved to %s", iso, iso);
    }
    return commit(r, &a, &b, "update", body, now);
fail:
    sq_task_cleanup(&a);
    return sq_reply_err(r, e, &d);
}

/* ---- notes and state changes ---- */

static const struct sq_field note_fields[] = {
    {.name = "body", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 2000},
    {0},
};

static const struct sq_field start_fields[] = {
    {.name = "body", .type = SQ_F_TEXT, .max = 2000},
    {0},
};

static const struct sq_field done_fields[] = {
    {.name = "evidence", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 2000},
    {.name = "evidence_url", .type = SQ_F_STR, .min = 1, .max = 500},
    {.name = "evidence_attachment_id", .type = SQ_F_ID},
    {0},
};

static const struct sq_field reason_fields[] = {
    {.name = "reason", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 1000},
    {0},
};

static const struct sq_field reopen_fields[] = {
    {.name = "reason", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 1000},
    {.name = "due_date", .type = SQ_F_DATE},
    {.name = "due_working_days", .type = SQ_F_INT, .min = 1, .max = SQ_WORKCAL_MAX_DAYS},
    {0},
};

/* Validates, loads and decides; on success a and b (a copy) are ready. */
static int begin(struct sq_req *r, const struct sq_field *fields, enum sq_task_action action,
                 struct sq_task *a, struct sq_task *b)
{
    struct sq_detail d = {0};
    enum sq_err e = sq_validate(r->json, fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load(r, a, action);
    if (st)
        return st;
    sq_task_copy(b, a);
    b->state = tasks_next_state(action, a->state);
    return 0;
}

static int tasks_note(struct sq_req *r)
{
    struct sq_task a, b;
    int st = begin(r, note_fields, SQ_TA_NOTE, &a, &b);
    return st ? st : commit(r, &a, &b, "note", sq_json_str(r->json, "body", ""), sq_clock_now());
}

static int tasks_start(struct sq_req *r)
{
    struct sq_task a, b;
    int st = begin(r, start_fields, SQ_TA_START, &a, &b);
    return st ? st : commit(r, &a, &b, "start", sq_json_str(r->json, "body", ""), sq_clock_now());
}

static int tasks_done(struct sq_req *r)
{
    struct sq_task a, b;
    const char *url = sq_json_str(r->json, "evidence_url", NULL);
    if (url && !url_valid(url))
        return sq_reply_errf(r, SQ_EINVAL, "evidence_url",
                             "佐证链接须以 http:// 或 https:// 开头 / evidence_url must be an "
                             "http:// or https:// address");
    int st = begin(r, done_fields, SQ_TA_DONE, &a, &b);
    if (st)
        return st;
    int64_t now = sq_clock_now();
    const char *ev = sq_json_str(r->json, "evidence", "");
    sq_task_set(&b.evidence, ev);
    sq_task_set(&b.evidence_url, url);
    b.evidence_attachment_id = sq_json_int(r->json, "evidence_attachment_id", 0);
    b.done_at = now;
    b.done_by = r->user->id;
    b.next_escalation_at = 0;
    return commit(r, &a, &b, "done", ev, now);
}

static int tasks_cancel(struct sq_req *r)
{
    struct sq_task a, b;
    int st = begin(r, reason_fields, SQ_TA_CANCEL, &a, &b);
    if (st)
        return st;
    int64_t now = sq_clock_now();
    b.cancelled_at = now;
    b.next_escalation_at = 0;
    return commit(r, &a, &b, "cancel", sq_json_str(r->json, "reason", ""), now);
}

static int tasks_reopen(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_task a, b;
    int64_t now = sq_clock_now(), due = 0;
    int st = begin(r, reopen_fields, SQ_TA_REOPEN, &a, &b);
    if (st)
        return st;
    enum sq_err e = due_input(r->json, now, false, &due, &d);
    if (!e && !due && a.due_at <= now)
        e = sq_fail(&d, SQ_EINVAL, "due_date",
                    "原截止时间已过，请给出新的截止日期 / the old deadline has passed: give a new "
                    "due_date or due_working_days");
    if (e) {
        sq_task_cleanup(&a);
        sq_task_cleanup(&b);
        return sq_reply_err(r, e, &d);
    }
    set_deadline(&b, now, due ? due : a.due_at);
    b.reopen_count++;
    b.done_at = 0;
    b.done_by = 0;
    b.cancelled_at = 0;
    sq_task_set(&b.evidence, NULL);
    sq_task_set(&b.evidence_url, NULL);
    b.evidence_attachment_id = 0;
    return commit(r, &a, &b, "reopen", sq_json_str(r->json, "reason", ""), now);
}

/* ---- declared query parameters ---- */

static const struct sq_query list_query[] = {
    SQ_QUERY_PAGE,
    {.name = "unit_id",
     .type = SQ_Q_ID,
     .desc = "tasks owned in this unit's subtree (403 outside "
             "your units)"},
    {.name = "state",
     .type = SQ_Q_LIST,
     .choices = sq_task_states,
     .max = SQ_TS__MAX,
     .message = "state 须为 open、in_progress、done、cancelled（可用逗号分隔） / state must be "
                "open, in_progress, done or cancelled (comma-separated)",
     .desc = "one state or several, comma-separated"},
    {.name = "overdue", .type = SQ_Q_BOOL, .desc = "only late (true) or not late (false) tasks"},
    {.name = "due_soon", .type = SQ_Q_BOOL, .desc = "warned, not late, still open (即将到期)"},
    {.name = "due_after", .type = SQ_Q_DATE, .desc = "due on or after this local date"},
    {.name = "due_before", .type = SQ_Q_DATE, .desc = "due on or before this local date"},
    {.name = "source_domain",
     .type = SQ_Q_STR,
     .min = 1,
     .max = 40,
     .desc = "the source record's domain, e.g. council_decision"},
    {.name = "source_id", .type = SQ_Q_ID, .desc = "the source record's id"},
    {.name = "assignee_id", .type = SQ_Q_ID, .also = "me", .desc = "a user id, or me"},
    {.name = "sort",
     .type = SQ_Q_ENUM,
     .choices = tasks_sort_names,
     .message = "sort 须为 due_at、created_at、updated_at 或 id（前加 - 为降序） / sort must be "
                "due_at, created_at, updated_at or id (prefix - for descending)",
     .desc = "prefix - for descending (default due_at)"},
    {0},
};

const struct sq_route tasks_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/tasks",
     .fn = tasks_list,
     .perm = SQ_PERM_TASK_READ,
     .query = list_query,
     .summary = "list tracked tasks in your scope (filters, pagination, sorting)"},
    {.method = "POST",
     .pattern = "/api/v1/tasks",
     .fn = tasks_create,
     .perm = SQ_PERM_TASK_ASSIGN,
     .body = create_fields,
     .summary = "set a unit a tracked task"},
    {.method = "GET",
     .pattern = "/api/v1/tasks/:id",
     .fn = tasks_get,
     .perm = SQ_PERM_TASK_READ,
     .summary = "one task with its timeline and escalations"},
    {.method = "PATCH",
     .pattern = "/api/v1/tasks/:id",
     .fn = tasks_update,
     .perm = SQ_PERM_TASK_ASSIGN,
     .body = update_fields,
     .summary = "change an open task's title, description, due date or assignee"},
    {.method = "POST",
     .pattern = "/api/v1/tasks/:id/notes",
     .fn = tasks_note,
     .perm = SQ_PERM_TASK_WRITE,
     .body = note_fields,
     .summary = "add a progress note"},
    {.method = "POST",
     .pattern = "/api/v1/tasks/:id/start",
     .fn = tasks_start,
     .perm = SQ_PERM_TASK_WRITE,
     .body = start_fields,
     .summary = "start working on a task"},
    {.method = "POST",
     .pattern = "/api/v1/tasks/:id/done",
     .fn = tasks_done,
     .perm = SQ_PERM_TASK_WRITE,
     .body = done_fields,
     .summary = "mark a task done, with evidence"},
    {.method = "POST",
     .pattern = "/api/v1/tasks/:id/cancel",
     .fn = tasks_cancel,
     .perm = SQ_PERM_TASK_ASSIGN,
     .body = reason_fields,
     .summary = "cancel a task, with a reason"},
    {.method = "POST",
     .pattern = "/api/v1/tasks/:id/reopen",
     .fn = tasks_reopen,
     .perm = SQ_PERM_TASK_ASSIGN,
     .body = reopen_fields,
     .summary = "reopen a done or cancelled task (supervisors above the owner unit)"},
    {0},
};
