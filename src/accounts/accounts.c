/*
 * accounts rules: who may hand out which role where, and who may manage
 * whom. Pure decisions over the caller's and the target's grants (no SQL, no
 * HTTP), so they are unit-tested as data (tests/unit/test_accounts.c).
 *
 * The invariant they keep: nobody gains, through another account, more than
 * they hold themselves. An admin grants only roles ranked at or below one of
 * their own, only in their subtree; and an admin acts on an account (its
 * password, personal data, roles, disabling it) only when every role that
 * account holds is one the admin could have granted. One grant in scope is
 * not enough: a district admin who also holds `public` in a community is
 * not that community admin's to reset.
 */
#include <string.h>

#include "accounts/accounts.h"

/* Is unit_path the unit at prefix or inside its subtree? */
static bool inside(const char *prefix, const char *unit_path)
{
    size_t n = strlen(prefix);
    return n && unit_path && !strncmp(prefix, unit_path, n);
}

/* The district root is the only unit at depth one: "/ID/". */
static bool at_root(const struct sq_grant *g)
{
    const char *second = g->unit_path[0] == '/' ? strchr(g->unit_path + 1, '/') : NULL;
    return second && second[1] == '\0';
}

/* A district admin at the root ranks over every role everywhere. */
static bool district_admin(const struct sq_user *u)
{
    for (int i = 0; u && i < u->ngrants; i++)
        if (u->grants[i].role == SQ_ROLE_DISTRICT_ADMIN && at_root(&u->grants[i]))
            return true;
    return false;
}

enum sq_err accounts_check_grant(const struct sq_user *caller, enum sq_role role,
                                 const char *unit_path, struct sq_detail *d)
{
    int want = sq_role_rank(role);
    bool in_subtree = false;
    if (want < 0 || !unit_path || !*unit_path)
        return sq_fail(d, SQ_EFORBIDDEN, "role", "未知角色 / unknown role");
    for (int i = 0; caller && i < caller->ngrants; i++) {
        const struct sq_grant *g = &caller->grants[i];
        if (!sq_role_has(g->role, SQ_PERM_GRANT) || !inside(g->unit_path, unit_path))
            continue;
        in_subtree = true;
        if (sq_role_rank(g->role) >= want)
            return SQ_OK;
    }
    if (!in_subtree)
        return sq_fail(d, SQ_EFORBIDDEN, "unit_id",
                       "只能在您管理的单位内授予或撤销角色 / you may grant and revoke roles only "
                       "in your units");
    if (role == SQ_ROLE_DISTRICT_ADMIN || role == SQ_ROLE_AUDITOR)
        return sq_fail(d, SQ_EFORBIDDEN, "role",
                       "只有区级管理员可以授予或撤销 %s / only a "
                       "district admin may grant or revoke %s",
                       sq_role_name(role), sq_role_name(role));
    return sq_fail(d, SQ_EFORBIDDEN, "role",
                   "只能授予不高于您自己的角色 / you may grant only roles at or below your own");
}

enum sq_err accounts_check_manage(const struct sq_user *caller, const struct accounts_target *t,
                                  struct sq_detail *d)
{
    static const char *const refused =
        "该用户持有您无权管理的角色或单位 / this user holds a role or unit outside what you "
        "administer";
    if (!caller || !t)
        return sq_fail(d, SQ_EFORBIDDEN, "user_id", "%s", refused);
    /* no grant: in no unit, so nobody's below the district; too many to know
     * them all: only the one rank above every role may decide */
    if (t->ngrants == 0 || t->truncated)
        return district_admin(caller) ? SQ_OK : sq_fail(d, SQ_EFORBIDDEN, "user_id", "%s", refused);
    for (int i = 0; i < t->ngrants; i++) {
        const struct sq_grant *g = &t->grants[i];
        if (accounts_check_grant(caller, g->role, g->unit_path, NULL) ||
            !sq_may(caller, SQ_PERM_USER_WRITE, g->unit_path))
            return sq_fail(d, SQ_EFORBIDDEN, "user_id", "%s", refused);
    }
    return SQ_OK;
}

bool accounts_may_manage(const struct sq_user *caller, const struct accounts_target *t)
{
    return accounts_check_manage(caller, t, NULL) == SQ_OK;
}
