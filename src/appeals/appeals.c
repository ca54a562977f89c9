/*
 * appeals rules: the state machine, who may act, what each action changes,
 * deadlines and KPI contribution (rules.h). No SQL, no HTTP, no JSON:
 * everything here is a pure function of its inputs, so the unit tests drive
 * it with fixed times and calendars (tests/unit/test_appeals_rules.c,
 * test_appeals_flow.c).
 */
#include "appeals/rules.h"
#include "core/deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The rules see plain structs only (rules.h): the build fails if a header
 * ever drags JSON, SQL or HTTP types in. */
#if defined(JANSSON_H) || defined(SQLITE3_H) || defined(MHD_VERSION)
#error "appeals rules include neither jansson, sqlite nor libmicrohttpd"
#endif

const char *const sq_appeal_kinds[] = {"resident", "student", "employee", "enterprise", NULL};
const char *const sq_appeal_urgencies[] = {"normal", "urgent", "critical", NULL};
const char *const sq_appeal_channels[] = {"web", "api", "collector", "open311", NULL};
const char *const sq_satisfactions[] = {"satisfied", "basically_satisfied", "dissatisfied", NULL};
const char *const sq_solved_values[] = {"solved", "partly_solved", "not_solved", NULL};

const char *const sq_appeal_status_names[SQ_AS__MAX + 1] = {
    "submitted", "accepted", "in_progress", "suspended", "resolved",
    "evaluated", "closed",   "rejected",    "merged",
};

static const char *const action_names[SQ_AA__MAX] = {
    "submit", "accept",  "assign",   "transfer", "return",        "note",   "reply",   "resolve",
    "reject", "extend",  "suspend",  "resume",   "merge",         "rate",   "review",  "reopen",
    "warn",   "overdue", "escalate", "close",    "extend_decide", "attach", "contact", "kb_solve",
};

/* Actions a person or staff may ask for by name over the API. */
static const bool action_public[SQ_AA__MAX] = {
    [SQ_AA_ACCEPT] = true, [SQ_AA_ASSIGN] = true,  [SQ_AA_TRANSFER] = true, [SQ_AA_RETURN] = true,
    [SQ_AA_NOTE] = true,   [SQ_AA_REPLY] = true,   [SQ_AA_RESOLVE] = true,  [SQ_AA_REJECT] = true,
    [SQ_AA_EXTEND] = true, [SQ_AA_SUSPEND] = true, [SQ_AA_RESUME] = true,   [SQ_AA_MERGE] = true,
    [SQ_AA_RATE] = true,   [SQ_AA_REVIEW] = true,  [SQ_AA_REOPEN] = true,   [SQ_AA_ESCALATE] = true,
};

/* next[action][from]: the status after the action, -1 = illegal, KEEP = same */
#define X -1
#define K -2
enum { S_SUB, S_ACC, S_INP, S_SUS, S_RES, S_EVA, S_CLO, S_REJ, S_MER };
static const int transitions[SQ_AA__MAX][SQ_AS__MAX] = {
    /*                 sub    acc    inp    sus    res    eva    clo    rej    mer */
    [SQ_AA_SUBMIT] = {X, X, X, X, X, X, X, X, X},
    [SQ_AA_ACCEPT] = {S_ACC, X, X, X, X, X, X, X, X},
    [SQ_AA_ASSIGN] = {X, S_INP, K, K, X, X, X, X, X},
    [SQ_AA_TRANSFER] = {S_SUB, S_SUB, S_SUB, X, X, X, X, X, X},
    [SQ_AA_RETURN] = {S_SUB, S_SUB, X, X, X, X, X, X, X},
    [SQ_AA_NOTE] = {K, K, K, K, K, K, X, X, X},
    [SQ_AA_REPLY] = {X, S_INP, K, X, X, X, X, X, X},
    [SQ_AA_RESOLVE] = {X, S_RES, S_RES, X, X, X, X, X, X},
    [SQ_AA_REJECT] = {S_REJ, S_REJ, X, X, X, X, X, X, X},
    [SQ_AA_EXTEND] = {X, K, K, K, X, X, X, X, X},
    [SQ_AA_SUSPEND] = {X, S_SUS, S_SUS, X, X, X, X, X, X},
    [SQ_AA_RESUME] = {X, X, X, S_INP, X, X, X, X, X},
    [SQ_AA_MERGE] = {S_MER, S_MER, S_MER, S_MER, X, X, X, X, X},
    [SQ_AA_RATE] = {X, X, X, X, S_EVA, X, X, X, X},
    [SQ_AA_REVIEW] = {X, X, X, X, K, K, K, K, X},
    [SQ_AA_REOPEN] = {X, X, X, X, S_ACC, S_ACC, S_ACC, X, X},
    [SQ_AA_WARN] = {K, K, K, X, X, X, X, X, X},
    [SQ_AA_OVERDUE] = {K, K, K, X, X, X, X, X, X},
    [SQ_AA_ESCALATE] = {K, K, K, K, X, X, X, X, X},
    [SQ_AA_CLOSE] = {X, X, X, X, S_CLO, S_CLO, X, X, X},
    [SQ_AA_EXTEND_DECIDE] = {X, K, K, K, X, X, X, X, X},
    [SQ_AA_ATTACH] = {K, K, K, K, K, K, X, X, X},
    [SQ_AA_CONTACT] = {K, K, K, K, K, K, K, K, K},
    [SQ_AA_KB_SOLVE] = {S_RES, S_RES, S_RES, X, X, X, X, X, X},
};
#undef X

const char *sq_appeal_status_name(int s)
{
    return (s >= 0 && s < SQ_AS__MAX) ? sq_appeal_status_names[s] : "?";
}

int sq_appeal_status_parse(const char *s)
{
    for (int i = 0; s && i < SQ_AS__MAX; i++)
        if (!strcmp(sq_appeal_status_names[i], s))
            return i;
    return -1;
}

const char *sq_appeal_action_name(int a)
{
    return (a >= 0 && a < SQ_AA__MAX) ? action_names[a] : "?";
}

int sq_appeal_action_parse(const char *s)
{
    for (int i = 0; s && i < SQ_AA__MAX; i++)
        if (action_public[i] && !strcmp(action_names[i], s))
            return i;
    return -1;
}

int sq_appeal_next_status(int action, int from)
{
    if (action < 0 || action >= SQ_AA__MAX || from < 0 || from >= SQ_AS__MAX)
        return -1;
    int to = transitions[action][from];
    return to == K ? from : to;
}

bool sq_appeal_status_open(int s)
{
    return s == SQ_AS_SUBMITTED || s == SQ_AS_ACCEPTED || s == SQ_AS_IN_PROGRESS ||
           s == SQ_AS_SUSPENDED;
}

bool sq_appeal_status_running(int s)
{
    return sq_appeal_status_open(s) && s != SQ_AS_SUSPENDED;
}

bool sq_appeal_status_done(int s)
{
    return s == SQ_AS_RESOLVED || s == SQ_AS_EVALUATED || s == SQ_AS_CLOSED;
}

/* ---- who may do what ---- */

/* Who may take an action: H handlers of the handling unit, S its
 * supervisors, P the person who filed it (creator or collector), C its
 * creator only (who filed it for someone does not speak for them). */
enum { WHO_H = 1, WHO_S = 2, WHO_P = 4, WHO_C = 8 };
static const int action_who[SQ_AA__MAX] = {
    [SQ_AA_ACCEPT] = WHO_H,        [SQ_AA_ASSIGN] = WHO_H,         [SQ_AA_TRANSFER] = WHO_H,
    [SQ_AA_RETURN] = WHO_H,        [SQ_AA_NOTE] = WHO_H | WHO_P,   [SQ_AA_REPLY] = WHO_H,
    [SQ_AA_RESOLVE] = WHO_H,       [SQ_AA_REJECT] = WHO_H,         [SQ_AA_EXTEND] = WHO_H,
    [SQ_AA_SUSPEND] = WHO_H,       [SQ_AA_RESUME] = WHO_H | WHO_P, [SQ_AA_MERGE] = WHO_H,
    [SQ_AA_RATE] = WHO_P | WHO_S, /* S: a rating taken by phone; never by its handler */
    [SQ_AA_REVIEW] = WHO_S,        [SQ_AA_REOPEN] = WHO_P | WHO_S, [SQ_AA_ESCALATE] = WHO_S,
    [SQ_AA_EXTEND_DECIDE] = WHO_S, [SQ_AA_ATTACH] = WHO_H | WHO_P, [SQ_AA_CONTACT] = WHO_H | WHO_P,
    [SQ_AA_KB_SOLVE] = WHO_C,
};

bool sq_appeal_action_listed(int act)
{
    return act >= 0 && act < SQ_AA__MAX && action_who[act] != 0;
}

bool sq_appeal_is_person(const struct sq_user *u, const struct sq_appeal *a)
{
    return u && ((a->creator_id && a->creator_id == u->id) ||
                 (a->collector_id && a->collector_id == u->id));
}

enum sq_err sq_appeal_decide(const struct sq_user *u, const struct sq_appeal *a, int act,
                             struct sq_detail *why)
{
    if (!sq_appeal_action_listed(act))
        return sq_fail(why, SQ_ENOTFOUND, NULL, "没有这个操作 / no such action");
    int who = action_who[act];
    const char *name = action_names[act];
    bool person = sq_appeal_is_person(u, a);
    bool handler = sq_may(u, SQ_PERM_APPEAL_HANDLE, a->handler_unit_path);
    bool supervisor = sq_may(u, SQ_PERM_APPEAL_SUPERVISE, a->handler_unit_path);
    /* whoever handles an appeal does not grade their own work */
    if (act == SQ_AA_RATE && u && a->handler_id == u->id)
        supervisor = false;
    bool creator = u && a->creator_id && a->creator_id == u->id;
    bool ok = ((who & WHO_H) && handler) || ((who & WHO_S) && supervisor) ||
              ((who & WHO_P) && person) || ((who & WHO_C) && creator);
    if (!ok) {
        if (act == SQ_AA_RATE && !person)
            return sq_fail(why, SQ_EFORBIDDEN, NULL,
                           "只有提出诉求的本人可以评价，办理人不能评价自己的办理 / only the "
                           "person who filed it rates an appeal, never its handler");
        if (who == WHO_P || who == WHO_C)
            return sq_fail(why, SQ_EFORBIDDEN, NULL,
                           "只有提出诉求的本人可以这样做 / only the person who filed it may %s it",
                           name);
        const struct sq_perm *need =
            (who & WHO_H) ? SQ_PERM_APPEAL_HANDLE : SQ_PERM_APPEAL_SUPERVISE;
        if (!sq_user_has(u, need))
            return sq_fail(why, SQ_EFORBIDDEN, NULL,
                           "您的角色不能执行此操作（%s） / your role may not %s an appeal", name,
                           name);
        return sq_fail(why, SQ_EFORBIDDEN, NULL,
                       "此诉求不在您的单位范围内（%s） / you may not %s this appeal: it is "
                       "outside your units",
                       name, name);
    }
    if (sq_appeal_next_status(act, a->status) < 0)
        return sq_fail(why, SQ_ETRANSITION, NULL,
                       "状态为 %s 的诉求不能执行 %s / cannot %s an appeal that is %s",
                       sq_appeal_status_name(a->status), name, name,
                       sq_appeal_status_name(a->status));
    if (act == SQ_AA_EXTEND && a->extension_days)
        return sq_fail(why, SQ_ECONFLICT, "days",
                       "已有待审批的延期申请 / an extension request is pending");
    if (act == SQ_AA_EXTEND_DECIDE && !a->extension_days)
        return sq_fail(why, SQ_ECONFLICT, "approve",
                       "没有待审批的延期申请 / no extension was requested");
    return SQ_OK;
}

uint32_t sq_appeal_allowed_mask(const struct sq_user *u, const struct sq_appeal *a)
{
    uint32_t m = 0;
    for (int i = 0; i < SQ_AA__MAX; i++)
        if (sq_appeal_action_listed(i) && sq_appeal_decide(u, a, i, NULL) == SQ_OK)
            m |= 1u << i;
    return m;
}

/* ---- deadlines ---- */

static int64_t guard(int64_t t)
{
    return t == SQ_WORKCAL_NEVER ? 0 : t;
}

void sq_appeal_rewarn(const struct sq_workcal *cal, int warn_percent, int64_t from,
                      struct sq_appeal *a)
{
    a->warn_at = sq_deadline_warn_at(cal, from, a->due_at, warn_percent);
    if (a->due_at && a->due_at > from)
        a->warned = 0;
}

void sq_appeal_deadlines(const struct sq_workcal *cal, const struct sq_sla *sla, int64_t start,
                         int warn_percent, struct sq_appeal *a)
{
    a->response_due_at =
        guard(sq_workcal_add_working_seconds(cal, start, (int64_t)sla->response_hours * 3600));
    a->due_at = guard(sq_workcal_add_working_days(cal, start, sla->resolve_days));
    sq_appeal_rewarn(cal, warn_percent, start, a);
}

/* ---- KPI contribution ---- */

void sq_appeal_contrib(const struct sq_appeal *a, struct sq_appeal_contrib *c)
{
    memset(c, 0, sizeof *c);
    time_t local = (time_t)(a->created_at + SQ_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    c->month = (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
    c->unit_id = a->handler_unit_id;
    c->category_id = a->category_id;
    memcpy(c->kind, a->kind, sizeof c->kind);
    if (a->status == SQ_AS_MERGED)
        return; /* duplicates are counted once, on their master */
    c->total = 1;
    if (a->accepted_at) {
        c->responded = 1;
        c->responded_on_time = !a->response_due_at || a->accepted_at <= a->response_due_at;
        c->response_secs = a->accepted_at - a->created_at;
    }
    if (sq_appeal_status_done(a->status) && a->resolved_at) {
        c->resolved = 1;
        c->resolved_on_time = !a->due_at || a->resolved_at <= a->due_at;
        c->handle_secs = a->resolved_at - a->created_at;
    }
    c->rejected = a->status == SQ_AS_REJECTED;
    c->overdue = a->overdue != 0;
    c->reopened = a->reopen_count > 0;
    if (a->rated_at) {
        c->rated = 1;
        c->satisfied = !strcmp(a->satisfaction, "satisfied");
        c->basically_satisfied = !strcmp(a->satisfaction, "basically_satisfied");
        c->dissatisfied = !strcmp(a->satisfaction, "dissatisfied");
        c->solved = !strcmp(a->rating_solved, "solved");
    }
}

/* ---- the struct ---- */

void sq_appeal_set(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
}

void sq_appeal_cleanup(struct sq_appeal *a)
{
    free(a->title);
    free(a->description);
    free(a->address);
    free(a->contact_name);
    free(a->contact_phone);
    free(a->reply);
    free(a->rating_comment);
    memset(a, 0, sizeof *a);
}

void sq_appeal_copy(struct sq_appeal *dst, const struct sq_appeal *src)
{
    *dst = *src;
    dst->title = src->title ? strdup(src->title) : NULL;
    dst->description = src->description ? strdup(src->description) : NULL;
    dst->address = src->address ? strdup(src->address) : NULL;
    dst->contact_name = src->contact_name ? strdup(src->contact_name) : NULL;
    dst->contact_phone = src->contact_phone ? strdup(src->contact_phone) : NULL;
    dst->reply = src->reply ? strdup(src->reply) : NULL;
    dst->rating_comment = src->rating_comment ? strdup(src->rating_comment) : NULL;
}

/* ---- the workflow: what an action changes ---- */

int64_t sq_appeal_change_time(const struct sq_appeal *a, int64_t now)
{
    return now > a->updated_at ? now : a->updated_at + 1;
}

void sq_appeal_step_cleanup(struct sq_appeal_step *s)
{
    sq_appeal_cleanup(&s->after);
    memset(s, 0, sizeof *s);
}

void sq_appeal_decision_cleanup(struct sq_appeal_decision *dec)
{
    for (int i = 0; i < dec->n; i++)
        sq_appeal_step_cleanup(&dec->step[i]);
    dec->n = 0;
}

static void datum_int(struct sq_appeal_event *ev, const char *key, int64_t v)
{
    if (ev->ndata < SQ_APPEAL_DATA_MAX)
        ev->data[ev->ndata++] = (struct sq_appeal_datum){.key = key, .type = SQ_AD_INT, .i = v};
}

static void datum_bool(struct sq_appeal_event *ev, const char *key, bool v)
{
    if (ev->ndata < SQ_APPEAL_DATA_MAX)
        ev->data[ev->ndata++] = (struct sq_appeal_datum){.key = key, .type = SQ_AD_BOOL, .i = v};
}

static void datum_text(struct sq_appeal_event *ev, const char *key, const char *v)
{
    if (ev->ndata < SQ_APPEAL_DATA_MAX)
        ev->data[ev->ndata++] = (struct sq_appeal_datum){.key = key, .type = SQ_AD_TEXT, .s = v};
}

void sq_appeal_reopen_state(struct sq_appeal *b, const struct sq_appeal_ctx *ctx,
                            const struct sq_sla *sla, const struct sq_appeal_unit *parent)
{
    b->reopen_count++;
    b->status = SQ_AS_ACCEPTED;
    b->resolved_at = 0;
    b->closed_at = 0;
    b->overdue = 0;
    if (b->reopen_count >= 2 && parent && parent->id) {
        b->handler_unit_id = parent->id;
        snprintf(b->handler_unit_path, sizeof b->handler_unit_path, "%s", parent->path);
        b->handler_id = 0;
        b->status = SQ_AS_SUBMITTED;
    }
    b->due_at = guard(sq_workcal_add_working_days(
        ctx->cal, ctx->now, sla->resolve_days > 1 ? sla->resolve_days / 2 : 1));
    sq_appeal_rewarn(ctx->cal, ctx->warn_percent, ctx->now, b);
}

void sq_appeal_resume_state(struct sq_appeal *b, const struct sq_appeal_ctx *ctx)
{
    if (b->suspended_at && b->due_at) {
        int64_t due = sq_workcal_shift_deadline(ctx->cal, b->due_at, b->suspended_at, ctx->now);
        if (b->warn_at && !b->warned) {
            int64_t w = sq_workcal_shift_deadline(ctx->cal, b->warn_at, b->suspended_at, ctx->now);
            if (w != SQ_WORKCAL_NEVER)
                b->warn_at = w;
        }
        if (due != SQ_WORKCAL_NEVER)
            b->due_at = due;
    }
    b->suspended_at = 0;
}

void sq_appeal_extension_state(struct sq_appeal *b, bool approve, const struct sq_appeal_ctx *ctx)
{
    if (approve) {
        int64_t due = sq_workcal_add_working_days(ctx->cal, b->due_at, b->extension_days);
        if (due != SQ_WORKCAL_NEVER)
            b->due_at = due;
        sq_appeal_rewarn(ctx->cal, ctx->warn_percent, ctx->now, b);
        if (b->due_at > ctx->now)
            b->overdue = 0;
    }
    b->extension_days = 0;
}

/* A hand-over to unit `to`: the timeline names both units, so the person
 * reads where the appeal went without access to the unit records. */
static void hand_over(const struct sq_appeal *a, struct sq_appeal *b,
                      const struct sq_appeal_unit *to, const struct sq_appeal_input *in,
                      struct sq_appeal_event *ev)
{
    b->handler_unit_id = to->id;
    snprintf(b->handler_unit_path, sizeof b->handler_unit_path, "%s", to->path);
    b->handler_id = 0;
    datum_int(ev, "from_unit_id", a->handler_unit_id);
    datum_int(ev, "to_unit_id", to->id);
    datum_text(ev, "to_unit_name", to->name);
    if (in->handler_unit && in->handler_unit->id == a->handler_unit_id)
        datum_text(ev, "from_unit_name", in->handler_unit->name);
    ev->note = in->reason;
}

/* The checks on what the input names, before anything changes. */
static enum sq_err check_input(const struct sq_user *u, const struct sq_appeal *a, int action,
                               const struct sq_appeal_input *in, struct sq_detail *d)
{
    switch (action) {
    case SQ_AA_ASSIGN:
        if (!in->assignee)
            return sq_fail(d, SQ_EINVAL, "handler_id", "没有这个用户 / no such user");
        if (!sq_may(in->assignee, SQ_PERM_APPEAL_HANDLE, a->handler_unit_path))
            return sq_fail(d, SQ_EINVAL, "handler_id",
                           "此人不是承办单位的办理人 / this person is not a handler of the "
                           "handling unit");
        return SQ_OK;
    case SQ_AA_TRANSFER:
        if (!in->unit || in->unit->archived)
            return sq_fail(d, SQ_EINVAL, "unit_id",
                           "请选择一个在用的单位 / unit_id must be an active unit");
        if (in->unit->id == a->handler_unit_id)
            return sq_fail(d, SQ_EINVAL, "unit_id",
                           "诉求已在该单位 / the appeal is already with this unit");
        return SQ_OK;
    case SQ_AA_EXTEND:
        if (!in->has_approve && (!in->has_days || !in->reason))
            return sq_fail(d, SQ_EINVAL, in->has_days ? "reason" : "days",
                           "延期申请需要天数（1-30）和理由 / an extension request needs days "
                           "(1-30) and a reason");
        return SQ_OK;
    case SQ_AA_MERGE:
        if (in->master_id == a->id)
            return sq_fail(d, SQ_EINVAL, "master_id",
                           "诉求不能合并到自身 / an appeal cannot merge into itself");
        if (!in->master)
            return sq_fail(d, SQ_EINVAL, "master_id", "没有这个诉求 / no such appeal");
        if (!sq_may(u, SQ_PERM_APPEAL_HANDLE, in->master->handler_unit_path))
            return sq_fail(d, SQ_EFORBIDDEN, "master_id",
                           "主诉求不在您的单位范围内 / the master appeal is outside your units");
        if (!sq_appeal_status_open(in->master->status))
            return sq_fail(d, SQ_ECONFLICT, "master_id",
                           "主诉求已不在办理中 / the master appeal is not open");
        return SQ_OK;
    default:
        return SQ_OK;
    }
}

/* The dispatcher an appeal is returned to: the unit it was last
 * transferred from, else the parent of its handling unit. */
static const struct sq_appeal_unit *dispatcher_of(const struct sq_appeal *a,
                                                  const struct sq_appeal_input *in)
{
    if (in->transferred_from && in->transferred_from->id &&
        in->transferred_from->id != a->handler_unit_id)
        return in->transferred_from;
    return in->parent && in->parent->id ? in->parent : NULL;
}

static bool rating_reopens(const struct sq_appeal *b)
{
    return !strcmp(b->satisfaction, "dissatisfied") || !strcmp(b->rating_solved, "not_solved");
}

enum sq_err sq_appeal_act(const struct sq_user *u, const struct sq_appeal *a, int action,
                          const struct sq_appeal_input *in, const struct sq_appeal_ctx *ctx,
                          struct sq_appeal_decision *dec, struct sq_detail *d)
{
    enum sq_err e;
    memset(dec, 0, sizeof *dec);
    /* extend with "approve" decides a pending request: a right of its own */
    int act = action == SQ_AA_EXTEND && in->has_approve ? SQ_AA_EXTEND_DECIDE : action;
    if (action < 0 || action >= SQ_AA__EVENTS || !sq_appeal_action_listed(action))
        return sq_fail(d, SQ_ENOTFOUND, NULL, "没有这个操作 / no such action");
    if ((e = sq_appeal_decide(u, a, act, d)) || (e = check_input(u, a, action, in, d)))
        return e;
    const struct sq_appeal_unit *to = NULL;
    if (action == SQ_AA_RETURN && !(to = dispatcher_of(a, in)))
        return sq_fail(d, SQ_ECONFLICT, NULL,
                       "此单位之上没有可退回的派单单位 / there is no dispatcher above this unit "
                       "to return the appeal to");
    struct sq_appeal_step *st = &dec->step[0];
    struct sq_appeal *b = &st->after;
    struct sq_appeal_event *ev = &st->ev;
    struct sq_appeal_ctx now = *ctx;
    dec->n = 1;
    st->before = a;
    sq_appeal_copy(b, a);
    b->status = sq_appeal_next_status(action, a->status);
    b->updated_at = now.now = sq_appeal_change_time(a, ctx->now);
    ev->action = action;
    ev->actor_id = u->id;
    switch (action) {
    case SQ_AA_ACCEPT:
        if (!b->accepted_at)
            b->accepted_at = now.now;
        if (!b->handler_id && sq_may(u, SQ_PERM_APPEAL_HANDLE, a->handler_unit_path))
            b->handler_id = u->id; /* whoever signs for it owns it until assigned */
        ev->note = in->note;
        break;
    case SQ_AA_ASSIGN:
        b->handler_id = in->handler_id;
        datum_int(ev, "handler_id", in->handler_id);
        ev->note = in->note;
        break;
    case SQ_AA_TRANSFER:
        hand_over(a, b, in->unit, in, ev);
        break;
    case SQ_AA_RETURN:
        hand_over(a, b, to, in, ev);
        break;
    case SQ_AA_NOTE:
        ev->note = in->note;
        break;
    case SQ_AA_REPLY:
        sq_appeal_set(&b->reply, in->reply);
        ev->note = b->reply;
        break;
    case SQ_AA_RESOLVE:
        sq_appeal_set(&b->reply, in->reply);
        b->resolved_at = now.now;
        if (!b->accepted_at)
            b->accepted_at = now.now;
        ev->note = b->reply;
        break;
    case SQ_AA_REJECT:
        b->closed_at = now.now;
        sq_appeal_set(&b->reply, in->reason);
        ev->note = b->reply;
        break;
    case SQ_AA_EXTEND:
        if (in->has_approve) {
            datum_bool(ev, "approved", in->approve);
            datum_int(ev, "days", a->extension_days);
            sq_appeal_extension_state(b, in->approve, &now);
            ev->note = in->note;
        } else {
            b->extension_days = in->days;
            datum_int(ev, "requested_days", in->days);
            ev->note = in->reason;
        }
        break;
    case SQ_AA_SUSPEND:
        b->suspended_at = now.now;
        ev->note = in->reason;
        break;
    case SQ_AA_RESUME:
        sq_appeal_resume_state(b, &now);
        datum_int(ev, "paused_seconds", now.now - a->suspended_at);
        ev->note = in->note;
        break;
    case SQ_AA_MERGE:
        b->master_id = in->master_id;
        datum_int(ev, "master_id", in->master_id);
        ev->note = in->note;
        break;
    case SQ_AA_RATE:
        b->rating_speed = in->speed;
        b->rating_result = in->result;
        b->rating_attitude = in->attitude;
        snprintf(b->rating_solved, sizeof b->rating_solved, "%s", in->solved ? in->solved : "");
        snprintf(b->satisfaction, sizeof b->satisfaction, "%s",
                 in->satisfaction ? in->satisfaction : "");
        sq_appeal_set(&b->rating_comment, in->comment);
        b->rated_at = now.now;
        datum_int(ev, "speed", in->speed);
        datum_int(ev, "result", in->result);
        datum_int(ev, "attitude", in->attitude);
        datum_text(ev, "solved", in->solved);
        datum_text(ev, "satisfaction", in->satisfaction);
        if (in->comment)
            datum_text(ev, "comment", in->comment);
        if (!sq_appeal_is_person(u, a))
            datum_bool(ev, "recorded_by_staff", true);
        ev->note = b->rating_comment;
        break;
    case SQ_AA_REVIEW:
        datum_text(ev, "verdict", in->verdict ? in->verdict : "approved");
        ev->note = in->note;
        break;
    case SQ_AA_REOPEN:
        sq_appeal_reopen_state(b, &now, &in->sla, in->parent);
        ev->note = in->reason;
        break;
    case SQ_AA_ESCALATE:
        b->escalation_level++;
        datum_int(ev, "level", b->escalation_level);
        ev->note = in->reason;
        break;
    default:
        break;
    }
    if (action == SQ_AA_RATE && rating_reopens(b)) {
        /* dissatisfaction reopens the appeal at once (重办), by the system */
        struct sq_appeal_step *r2 = &dec->step[1];
        struct sq_appeal_ctx later = now;
        dec->n = 2;
        r2->before = b;
        sq_appeal_copy(&r2->after, b);
        r2->after.updated_at = b->updated_at + 1;
        sq_appeal_reopen_state(&r2->after, &later, &in->sla, in->parent);
        r2->ev.action = SQ_AA_REOPEN;
        r2->ev.actor_id = 0;
        r2->ev.note = "评价不满意，自动重办";
        datum_text(&r2->ev, "cause", "dissatisfied");
        datum_int(&r2->ev, "reopen_count", r2->after.reopen_count);
    }
    return SQ_OK;
}

void sq_appeal_follow_master(const struct sq_appeal *master, const struct sq_appeal *child,
                             int64_t actor_id, struct sq_appeal_step *out)
{
    memset(out, 0, sizeof *out);
    out->before = child;
    sq_appeal_copy(&out->after, child);
    sq_appeal_set(&out->after.reply, master->reply);
    out->after.resolved_at = master->resolved_at;
    out->after.updated_at = sq_appeal_change_time(child, master->updated_at);
    out->ev.action = SQ_AA_RESOLVE;
    out->ev.actor_id = actor_id;
    out->ev.note = master->reply;
    datum_int(&out->ev, "master_id", master->id);
    datum_text(&out->ev, "master_tracking_no", master->tracking_no);
}

enum sq_err sq_appeal_kb_solved(const struct sq_appeal *a, int64_t answer_id, const char *reply,
                                int64_t actor_id, int64_t now, struct sq_appeal_step *out,
                                struct sq_detail *d)
{
    memset(out, 0, sizeof *out);
    if (sq_appeal_next_status(SQ_AA_KB_SOLVE, a->status) < 0)
        return sq_fail(d, SQ_ETRANSITION, "appeal_id",
                       "诉求状态为 %s，只有办理中的诉求可由知识库答复 / the appeal is %s; only "
                       "an open appeal can be answered by the knowledge base",
                       sq_appeal_status_name(a->status), sq_appeal_status_name(a->status));
    struct sq_appeal *b = &out->after;
    out->before = a;
    sq_appeal_copy(b, a);
    b->status = sq_appeal_next_status(SQ_AA_KB_SOLVE, a->status);
    b->updated_at = sq_appeal_change_time(a, now);
    if (!b->accepted_at)
        b->accepted_at = now;
    b->resolved_at = now;
    b->kb_answer_id = answer_id;
    sq_appeal_set(&b->reply, reply);
    out->ev.action = SQ_AA_RESOLVE;
    out->ev.actor_id = actor_id;
    out->ev.note = "answered by the knowledge base";
    datum_int(&out->ev, "kb_answer_id", answer_id);
    datum_bool(&out->ev, "answered_by_kb", true);
    return SQ_OK;
}
