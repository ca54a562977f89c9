/*
 * tasks/perms: what each permission of tracked tasks allows and which roles
 * hold it within their unit subtree (core/auth.h). A task is in scope when
 * its owner unit lies in such a subtree (docs/tasks.md). The district admin
 * holds every permission (sq_perms_check).
 */
#include "tasks/perms.h"

const struct sq_perm tasks_perms[] = {
    [TASKS_PERM_READ] = {.name = "task.read",
                         .zh = "查看本单位及下级单位的任务督办",
                         .en = "see the tracked tasks of the subtree",
                         .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) | SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN) |
                                  SQ_ROLE_BIT(SQ_ROLE_AUDITOR)},
    [TASKS_PERM_WRITE] = {.writes = true,
                          .name = "task.write",
                          .zh = "办理任务：记录进展、开始办理、办结并提交佐证",
                          .en = "work on tasks: progress notes, start, done with evidence",
                          .roles = SQ_ROLE_BIT(SQ_ROLE_HANDLER) | SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                   SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [TASKS_PERM_ASSIGN] = {.writes = true,
                           .name = "task.assign",
                           .zh = "派发、修改、撤销任务，上级可重新打开",
                           .en = "set, change and cancel tasks; reopen them from above",
                           .roles = SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                    SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [TASKS_PERM__MAX] = {0},
};
