/*
 * stats/perms: the permissions of KPIs and rankings: stats/api.c.
 * Declared in stats/perms.c (name, description, roles); core/auth collects
 * them from src/app.c's sq_perm_tables. Code names a permission by its
 * SQ_PERM_* macro, the address of its declaration.
 */
#ifndef STATS_PERMS_H
#define STATS_PERMS_H

#include "core/auth.h"

enum { STATS_PERM_READ, STATS_PERM__MAX };
extern const struct sq_perm stats_perms[];

#define SQ_PERM_STATS_READ (&stats_perms[STATS_PERM_READ]) /* stats.read */

#endif
