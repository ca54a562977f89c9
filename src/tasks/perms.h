/*
 * tasks/perms: the permissions of tracked tasks (任务 / 督办): tasks/api.c
 * and the rule tasks_decide (tasks.c). Declared in tasks/perms.c; core/auth
 * collects them from src/app.c's sq_perm_tables. Code names a permission by
 * its SQ_PERM_* macro, the address of its declaration.
 */
#ifndef TASKS_PERMS_H
#define TASKS_PERMS_H

#include "core/auth.h"

enum { TASKS_PERM_READ, TASKS_PERM_WRITE, TASKS_PERM_ASSIGN, TASKS_PERM__MAX };
extern const struct sq_perm tasks_perms[];

#define SQ_PERM_TASK_READ (&tasks_perms[TASKS_PERM_READ])     /* task.read */
#define SQ_PERM_TASK_WRITE (&tasks_perms[TASKS_PERM_WRITE])   /* task.write */
#define SQ_PERM_TASK_ASSIGN (&tasks_perms[TASKS_PERM_ASSIGN]) /* task.assign */

#endif
