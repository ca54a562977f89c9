/*
 * appeals rules: the state machine, deadlines and KPI contribution.
 * No SQL, no HTTP: everything here is a pure function of its inputs, so the
 * unit tests drive it with fixed times and calendars.
 */
#include "appeals/appeals.h"
#include "core/deadline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    "submit",  "accept", "assign", "transfer", "return",   "note",     "reply",
    "resolve", "reject", "extend", "suspend",  "resume",   "merge",    "rate",
    "review",  "reopen", "warn",   "overdue",  "escalate", "close",
    "extend_decide", "attach", "contact", "kb_solve",
};

/* Actions a person or staff may ask for by name over the API. */
static const bool action_public[SQ_AA__MAX] = {
    [SQ_AA_ACCEPT] = true,  [SQ_AA_ASSIGN] = true, [SQ_AA_TRANSFER] = true,
    [SQ_AA_RETURN] = true,  [SQ_AA_NOTE] = true,   [SQ_AA_REPLY] = true,
    [SQ_AA_RESOLVE] = true, [SQ_AA_REJECT] = true, [SQ_AA_EXTEND] = true,
    [SQ_AA_SUSPEND] = true, [SQ_AA_RESUME] = true, [SQ_AA_MERGE] = true,
    [SQ_AA_RATE] = true,    [SQ_AA_REVIEW] = true, [SQ_AA_REOPEN] = true,
    [SQ_AA_ESCALATE] = true,
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

json_t *sq_appeal_allowed_json(int status)
{
    json_t *a = json_array();
    for (int i = 0; i < SQ_AA__MAX; i++)
        if (action_public[i] && sq_appeal_next_status(i, status) >= 0)
            json_array_append_new(a, json_string(action_names[i]));
    return a;
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
        const struct sq_perm *need = (who & WHO_H) ? SQ_PERM_APPEAL_HANDLE : SQ_PERM_APPEAL_SUPERVISE;
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
    bool done = a->status == SQ_AS_RESOLVED || a->status == SQ_AS_EVALUATED ||
                a->status == SQ_AS_CLOSED;
    if (done && a->resolved_at) {
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
