/*
 * kb/perms: the permissions of the knowledge base (社区答案): kb/api.c.
 * Declared in kb/perms.c (name, description, roles); core/auth collects
 * them from src/app.c's sq_perm_tables. Code names a permission by its
 * SQ_PERM_* macro, the address of its declaration.
 */
#ifndef KB_PERMS_H
#define KB_PERMS_H

#include "core/auth.h"

enum { KB_PERM_WRITE, KB_PERM_PUBLISH, KB_PERM__MAX };
extern const struct sq_perm kb_perms[];

#define SQ_PERM_KB_WRITE (&kb_perms[KB_PERM_WRITE])     /* kb.write */
#define SQ_PERM_KB_PUBLISH (&kb_perms[KB_PERM_PUBLISH]) /* kb.publish */

#endif
