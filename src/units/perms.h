/*
 * units/perms: the permissions of the unit tree (units/api.c).
 * Declared in units/perms.c (name, description, roles); core/auth collects
 * them from src/app.c's sq_perm_tables. Code names a permission by its
 * SQ_PERM_* macro, the address of its declaration.
 */
#ifndef UNITS_PERMS_H
#define UNITS_PERMS_H

#include "core/auth.h"

enum { UNITS_PERM_READ, UNITS_PERM_WRITE, UNITS_PERM__MAX };
extern const struct sq_perm units_perms[];

#define SQ_PERM_UNIT_READ (&units_perms[UNITS_PERM_READ])   /* unit.read */
#define SQ_PERM_UNIT_WRITE (&units_perms[UNITS_PERM_WRITE]) /* unit.write */

#endif
