/*
 * accounts/perms: the permissions of accounts, grants and the audit log (accounts/api.c).
 * Declared in accounts/perms.c (name, description, roles); core/auth collects
 * them from src/app.c's sq_perm_tables. Code names a permission by its
 * SQ_PERM_* macro, the address of its declaration.
 */
#ifndef ACCOUNTS_PERMS_H
#define ACCOUNTS_PERMS_H

#include "core/auth.h"

enum {
    ACCOUNTS_PERM_USER_READ,
    ACCOUNTS_PERM_USER_WRITE,
    ACCOUNTS_PERM_GRANT,
    ACCOUNTS_PERM_PERSONAL_READ,
    ACCOUNTS_PERM_AUDIT_READ,
    ACCOUNTS_PERM__MAX
};
extern const struct sq_perm accounts_perms[];

#define SQ_PERM_USER_READ (&accounts_perms[ACCOUNTS_PERM_USER_READ])         /* user.read */
#define SQ_PERM_USER_WRITE (&accounts_perms[ACCOUNTS_PERM_USER_WRITE])       /* user.write */
#define SQ_PERM_GRANT (&accounts_perms[ACCOUNTS_PERM_GRANT])                 /* grant */
#define SQ_PERM_PERSONAL_READ (&accounts_perms[ACCOUNTS_PERM_PERSONAL_READ]) /* personal.read */
#define SQ_PERM_AUDIT_READ (&accounts_perms[ACCOUNTS_PERM_AUDIT_READ])       /* audit.read */

#endif
