/*
 * tasks rules: states, the authorisation decision, deadlines from input and
 * what the scheduler does at `now`. Pure functions of their inputs (no SQL,
 * no HTTP, no clock), unit-tested in tests/unit/test_tasks.c.
 */
#include "tasks/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"

const char *const sq_task_states[] = {"open", "in_progress", "done", "cancelled", NULL};

const char *const tasks_sort_names[] = {"due_at",      "-due_at",    "created_at",
                                        "-created_at", "updated_at", "-updated_at",
                                        "id",          "-id",        NULL};

static const char *const action_names[SQ_TA__MAX] = {
    "read", "create", "update", "note", "start", "done", "cancel", "reopen",
};

/* zh-CN verbs for messages */
static const char *const action_zh[SQ_TA__MAX] = {
    "查看", "创建", "修改", "记录进展", "开始办理", "办结", "撤销", "重新打开",
};

const char *sq_task_state_name(int s)
{
    return s >= 0 && s < SQ_TS__MAX ? sq_task_states[s] : "?";
}

int sq_task_state_parse(const char *s)
{
    for (int i = 0; s && i < SQ_TS__MAX; i++)
        if (!strcmp(sq_task_states[i], s))
            return i;
    return -1;
}

const char *sq_task_action_name(int a)
{
    return a >= 0 && a < SQ_TA__MAX ? action_names[a] : "?";
}

/* next[action][from]; K keeps the state, X is illegal */
#define X -1
#define K -2
static const int transitions[SQ_TA__MAX][SQ_TS__MAX] = {
    /*               open            in_progress     done      cancelled */
    [SQ_TA_READ] = {K, K, K, K},
    [SQ_TA_CREATE] = {K, X, X, X},
    [SQ_TA_UPDATE] = {K, K, X, X},
    [SQ_TA_NOTE] = {K, K, X, X},
    [SQ_TA_START] = {SQ_TS_IN_PROGRESS, X, X, X},
    [SQ_TA_DONE] = {SQ_TS_DONE, SQ_TS_DONE, X, X},
    [SQ_TA_CANCEL] = {SQ_TS_CANCELLED, SQ_TS_CANCELLED, X, X},
    [SQ_TA_REOPEN] = {X, X, SQ_TS_OPEN, SQ_TS_OPEN},
};

int tasks_next_state(int action, int from)
{
    if (action < 0 || action >= SQ_TA__MAX || from < 0 || from >= SQ_TS__MAX)
        return -1;
    int to = transitions[action][from];
    return to == K ? from : to;
}
#undef X
#undef K

/* ---- who may ---- */

static bool is_root_path(const char *path)
{
    int slashes = 0;
    for (const char *p = path; *p; p++)
        slashes += *p == '/';
    return slashes == 2; /* "/ID/" */
}

/* A grant with task.assign strictly above the owner unit (or at the root
 * when the owner is the district itself). */
static bool is_supervisor(const struct sq_user *u, const char *path)
{
    bool root = is_root_path(path);
    size_t plen = strlen(path);
    for (int i = 0; u && i < u->ngrants; i++) {
        const struct sq_grant *g = &u->grants[i];
        size_t n = strlen(g->unit_path);
        if (!n || !sq_role_has(g->role, SQ_PERM_TASK_ASSIGN) || strncmp(g->unit_path, path, n))
            continue;
        if (n < plen || root)
            return true;
    }
    return false;
}

enum sq_err tasks_decide(const struct sq_user *u, const struct sq_task *t,
                         enum sq_task_action action, struct sq_detail *d)
{
    const char *path = t->owner_unit_path;
    if (action < 0 || action >= SQ_TA__MAX)
        return sq_fail(d, SQ_EINVAL, NULL, "未知操作 / unknown action");
    if (!sq_may(u, SQ_PERM_TASK_READ, path))
        return sq_fail(d, SQ_EFORBIDDEN, action == SQ_TA_CREATE ? "owner_unit_id" : NULL,
                       "此任务的责任单位不在您的单位范围内 / the task's owner unit is outside "
                       "your units");
    bool ok = true;
    switch (action) {
    case SQ_TA_READ:
        break;
    case SQ_TA_CREATE:
    case SQ_TA_UPDATE:
    case SQ_TA_CANCEL:
        ok = sq_may(u, SQ_PERM_TASK_ASSIGN, path);
        break;
    case SQ_TA_NOTE:
    case SQ_TA_START:
    case SQ_TA_DONE:
        ok = sq_may(u, SQ_PERM_TASK_WRITE, path);
        break;
    case SQ_TA_REOPEN:
        ok = is_supervisor(u, path);
        break;
    case SQ_TA__MAX:
        break;
    }
    if (!ok) {
        if (action == SQ_TA_REOPEN)
            return sq_fail(d, SQ_EFORBIDDEN, NULL,
                           "只有责任单位的上级督办人员可以重新打开任务 / only supervisors above "
                           "the owner unit may reopen a task");
        if (action == SQ_TA_CREATE)
            return sq_fail(d, SQ_EFORBIDDEN, "owner_unit_id",
                           "只有该单位或其上级单位的管理员可以向其派发任务 / only admins of the "
                           "owner unit or of a unit above it may set it tasks");
        return sq_fail(d, SQ_EFORBIDDEN, NULL, "您无权%s此任务 / you may not %s this task",
                       action_zh[action], action_names[action]);
    }
    if (tasks_next_state(action, t->state) < 0)
        return sq_fail(
            d, SQ_ETRANSITION, NULL, "任务当前为%s状态，不能%s / a task that is %s cannot be %s",
            sq_task_state_name(t->state), action_zh[action], sq_task_state_name(t->state),
            action == SQ_TA_DONE ? "marked done" : action_names[action]);
    return SQ_OK;
}

int tasks_allowed(const struct sq_user *u, const struct sq_task *t, const char *out[SQ_TA__MAX])
{
    int n = 0;
    for (int i = SQ_TA_UPDATE; i < SQ_TA__MAX; i++)
        if (tasks_decide(u, t, (enum sq_task_action)i, NULL) == SQ_OK)
            out[n++] = action_names[i];
    return n;
}

/* ---- deadlines ---- */

enum sq_err tasks_due_from_input(const struct sq_workcal *cal, int64_t now, const char *due_date,
                                 int64_t due_days, int64_t *due_at, struct sq_detail *d)
{
    int day;
    if (due_date && due_days)
        return sq_fail(d, SQ_EINVAL, "due_working_days",
                       "请只填写 due_date 或 due_working_days 之一 / give due_date or "
                       "due_working_days, not both");
    if (due_days) {
        if (due_days < 1 || due_days > SQ_WORKCAL_MAX_DAYS)
            return sq_fail(d, SQ_EINVAL, "due_working_days",
                           "工作日数须在 1 到 %d 之间 / due_working_days must be 1..%d",
                           SQ_WORKCAL_MAX_DAYS, SQ_WORKCAL_MAX_DAYS);
        int64_t t = sq_workcal_add_working_days(cal, now, (int)due_days);
        if (t == SQ_WORKCAL_NEVER)
            return sq_fail(d, SQ_EINVAL, "due_working_days",
                           "无法计算截止时间 / the deadline cannot be computed");
        *due_at = t;
        return SQ_OK;
    }
    if (!due_date)
        return sq_fail(d, SQ_EINVAL, "due_date",
                       "请填写截止日期 / due_date (or due_working_days) is required");
    if (sq_workcal_parse_date(due_date, &day))
        return sq_fail(d, SQ_EINVAL, "due_date",
                       "截止日期须为 YYYY-MM-DD 格式的有效日期 / due_date must be a real date "
                       "as YYYY-MM-DD");
    if (!sq_workcal_is_workday(cal, day))
        return sq_fail(d, SQ_EINVAL, "due_date",
                       "截止日期须为工作日（%s 为休息日） / due_date must be a working day (%s is "
                       "not)",
                       due_date, due_date);
    int64_t t = sq_deadline_close_of_day(cal, day);
    if (!t || t <= now)
        return sq_fail(d, SQ_EINVAL, "due_date",
                       "截止日期已过 / due_date is in the past (it ends at close of business)");
    *due_at = t;
    return SQ_OK;
}

void tasks_set_deadline(const struct sq_workcal *cal, int warn_percent, int64_t now,
                        struct sq_task *t, int64_t due_at)
{
    t->due_at = due_at;
    t->warn_at = sq_deadline_warn_at(cal, now, due_at, warn_percent);
    t->warned = 0;
    t->overdue = 0;
    t->escalation_level = 0;
    t->escalation_round = 0;
    t->next_escalation_at = 0;
}

/* ---- the scheduler's view ---- */

enum sq_task_tick tasks_tick(const struct sq_task *t, int64_t now)
{
    if (t->state != SQ_TS_OPEN && t->state != SQ_TS_IN_PROGRESS)
        return SQ_TT_NONE;
    if (t->due_at && t->due_at <= now && !t->overdue)
        return SQ_TT_OVERDUE;
    if (t->overdue && t->next_escalation_at && t->next_escalation_at <= now)
        return SQ_TT_ESCALATE;
    if (!t->overdue && !t->warned && t->warn_at && t->warn_at <= now)
        return SQ_TT_WARN;
    return SQ_TT_NONE;
}

void tasks_escalate(const struct sq_workcal *cal, int every_days, int64_t now, struct sq_task *t,
                    int64_t *to_unit)
{
    if (!t->overdue) {
        t->overdue = 1;
        t->warned = 1; /* past the deadline, a warning would only be noise */
    }
    t->escalation_level++;
    t->escalation_round++;
    *to_unit = sq_deadline_escalation_unit(t->owner_unit_path, t->escalation_level);
    /* the district's supervisors hold it now: there is no further level */
    if (sq_deadline_escalation_unit(t->owner_unit_path, t->escalation_level + 1) == *to_unit) {
        t->next_escalation_at = 0;
        return;
    }
    int count = t->escalation_round;
    t->next_escalation_at =
        sq_deadline_next_escalation_after(cal, t->due_at, &count, every_days, now);
    t->escalation_round = count;
}

/* ---- the struct ---- */

void sq_task_set(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
}

void sq_task_cleanup(struct sq_task *t)
{
    free(t->title);
    free(t->description);
    free(t->evidence);
    free(t->evidence_url);
    memset(t, 0, sizeof *t);
}

void sq_task_copy(struct sq_task *dst, const struct sq_task *src)
{
    *dst = *src;
    dst->title = src->title ? strdup(src->title) : NULL;
    dst->description = src->description ? strdup(src->description) : NULL;
    dst->evidence = src->evidence ? strdup(src->evidence) : NULL;
    dst->evidence_url = src->evidence_url ? strdup(src->evidence_url) : NULL;
}
