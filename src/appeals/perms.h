/*
 * appeals/perms: the permissions of appeals (诉求): appeals/api.c, api_meta.c, attach.c.
 * Declared in appeals/perms.c (name, description, roles); core/auth collects
 * them from src/app.c's sq_perm_tables. Code names a permission by its
 * SQ_PERM_* macro, the address of its declaration.
 */
#ifndef APPEALS_PERMS_H
#define APPEALS_PERMS_H

#include "core/auth.h"

enum {
    APPEALS_PERM_CREATE,
    APPEALS_PERM_COLLECT,
    APPEALS_PERM_READ,
    APPEALS_PERM_HANDLE,
    APPEALS_PERM_SUPERVISE,
    APPEALS_PERM__MAX
};
extern const struct sq_perm appeals_perms[];

#define SQ_PERM_APPEAL_CREATE (&appeals_perms[APPEALS_PERM_CREATE])       /* appeal.create */
#define SQ_PERM_APPEAL_COLLECT (&appeals_perms[APPEALS_PERM_COLLECT])     /* appeal.collect */
#define SQ_PERM_APPEAL_READ (&appeals_perms[APPEALS_PERM_READ])           /* appeal.read */
#define SQ_PERM_APPEAL_HANDLE (&appeals_perms[APPEALS_PERM_HANDLE])       /* appeal.handle */
#define SQ_PERM_APPEAL_SUPERVISE (&appeals_perms[APPEALS_PERM_SUPERVISE]) /* appeal.supervise */

#endif
