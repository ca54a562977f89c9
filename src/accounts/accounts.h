/*
 * accounts: users, role grants and sign-in sessions.
 *
 * Tokens are random (core/auth), stored only as their hash, expire after
 * session_hours and are revoked on logout. Passwords are argon2id hashes and
 * pass the password policy (sq_password_check) wherever a person chooses one.
 * Personal data (phone, ID number) leaves the store whole; the API masks it
 * (sq_json_mask_personal) unless the caller may see it, which it audits.
 *
 * Rules (accounts.c, no SQL, no HTTP): who may grant which role where, and
 * who may manage whom (docs/security.md, "Accounts and passwords").
 */
#ifndef SQ_ACCOUNTS_H
#define SQ_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/err.h"
#include "core/json.h"
#include "accounts/perms.h"

/* ---- rules (accounts.c) ---- */

/* A user as the manage rule sees them: every grant they hold, grants in
 * archived units included (unarchiving would bring them back). */
struct accounts_target {
    int64_t id;
    int ngrants;    /* grants filled in */
    bool truncated; /* holds more than SQ_MAX_GRANTS: only a district admin decides */
    struct sq_grant grants[SQ_MAX_GRANTS];
};

/* May caller grant (or revoke) `role` in the unit at unit_path? Yes when one
 * grant of the caller carries SQ_PERM_GRANT on that unit or an ancestor and
 * its role ranks at or above `role` (sq_role_rank: only district admins give
 * district_admin and auditor). SQ_OK, or SQ_EFORBIDDEN naming "unit_id" (not
 * your subtree) or "role" (above your own). d may be NULL. */
enum sq_err accounts_check_grant(const struct sq_user *caller, enum sq_role role,
                                 const char *unit_path, struct sq_detail *d);

/* May caller manage target (set their password, read their personal data,
 * edit or disable them, grant or revoke their roles)? Yes only when EVERY
 * grant the target holds is one the caller may grant (accounts_check_grant)
 * in a unit where the caller also holds SQ_PERM_USER_WRITE. A user holding
 * no grant at all belongs to no unit: only district admins manage them. Being
 * the target is no exception here (self-service is the api's own path).
 * SQ_OK or SQ_EFORBIDDEN (field "user_id"). d may be NULL. */
enum sq_err accounts_check_manage(const struct sq_user *caller, const struct accounts_target *t,
                                  struct sq_detail *d);
bool accounts_may_manage(const struct sq_user *caller, const struct accounts_target *t);

/* ---- store ---- */
/* Loads the user behind a token (valid, unexpired, unrevoked) with grants. */
bool accounts_store_authenticate(const char *token, struct sq_user *u);
/* Password check; on success *user_id is set. SQ_EAUTH on mismatch/disabled. */
enum sq_err accounts_store_check_password(const char *login, const char *password, int64_t *user_id,
                                          struct sq_detail *d);
enum sq_err accounts_store_session_new(int64_t user_id, int hours, const char *ip, char *token,
                                       char *csrf, int64_t *expires_at, struct sq_detail *d);
enum sq_err accounts_store_session_revoke(int64_t session_id, struct sq_detail *d);
/* Loads grants for user_id into u (used by authenticate and /me). */
enum sq_err accounts_store_load_grants(int64_t user_id, struct sq_user *u);

/* Creates a user; password hashed here. SQ_ECONFLICT when the login exists. */
enum sq_err accounts_store_user_create(const char *login, const char *display_name,
                                       const char *password, const char *phone,
                                       const char *id_number, int64_t *id, struct sq_detail *d);
/* Same with an already computed argon2id hash (bulk creation, demo). */
enum sq_err accounts_store_user_create_hashed(const char *login, const char *display_name,
                                              const char *hash, const char *phone,
                                              const char *id_number, int64_t *id,
                                              struct sq_detail *d);
/* Who sets a password in accounts_store_user_update. */
enum accounts_pw_by {
    ACCOUNTS_PW_SELF,  /* the owner: the must-change flag clears, their other sessions end */
    ACCOUNTS_PW_ADMIN, /* someone else: every session of the owner ends and they must
                        * choose their own password at the next sign-in */
};
/* Updates display_name, phone, id_number, disabled (true ends every session)
 * and password from `in`, in one transaction (nested inside the caller's when
 * there is one). keep_session: with ACCOUNTS_PW_SELF, the session that stays. */
enum sq_err accounts_store_user_update(int64_t id, json_t *in, enum accounts_pw_by by,
                                       int64_t keep_session, struct sq_detail *d);
/* Sets the must-change flag (sanqu init's one-time password). */
enum sq_err accounts_store_set_must_change(int64_t id, bool on, struct sq_detail *d);
/* Every grant of user_id into t (archived units included). SQ_ENOTFOUND when
 * the user does not exist. */
enum sq_err accounts_store_target(int64_t user_id, struct accounts_target *t, struct sq_detail *d);
/* User record, phone and id_number as stored (the api masks them with
 * sq_json_mask_personal for whoever may not see them). NULL if missing. */
json_t *accounts_store_user_json(int64_t id);
struct sq_user_filter {
    const char *q;
    int64_t unit_id;       /* users holding any role in this unit's subtree */
    const char *unit_path; /* set by the api from unit_id */
    const char *role;
    const char **scope_paths; /* NULL = all users; else users with a grant under one */
    int nscope;
};
enum sq_err accounts_store_user_list(const struct sq_user_filter *f, const struct sq_page *p,
                                     json_t **items, int64_t *total, struct sq_detail *d);
/* Unit paths of every grant the user holds (to decide who may read them). */
int accounts_store_user_grant_paths(int64_t user_id, char paths[][128], int max);

json_t *accounts_store_grants_json(int64_t user_id);
enum sq_err accounts_store_grant_add(int64_t user_id, const char *role, int64_t unit_id, int64_t by,
                                     int64_t *id, struct sq_detail *d);
/* Looks up a grant: role, unit path, user. */
enum sq_err accounts_store_grant_get(int64_t id, char *role, size_t rolecap, char *unit_path,
                                     int64_t *user_id, struct sq_detail *d);
enum sq_err accounts_store_grant_delete(int64_t id, struct sq_detail *d);
int64_t accounts_store_count_users(void);

/* ---- writes that decide and write in one transaction ----
 * A guard is a check the store runs inside its transaction before it writes
 * (the manage rule on the target user), so that nothing it decided on (a
 * grant given to the person meanwhile) can change before the write. A NULL
 * guard checks nothing. Each function commits, or rolls back and returns the
 * first error. */
struct accounts_guard {
    enum sq_err (*check)(const struct sq_user *caller, int64_t user_id, struct sq_detail *d);
    const struct sq_user *caller;
};
/* A new user and, when role is not NULL, their first grant (given by `by`,
 * 0 = self-registration); *gid set then. */
enum sq_err accounts_store_user_create_granted(const char *login, const char *display_name,
                                               const char *password, const char *phone,
                                               const char *id_number, const char *role,
                                               int64_t unit_id, int64_t by, int64_t *id,
                                               int64_t *gid, struct sq_detail *d);
enum sq_err accounts_store_user_update_guarded(const struct accounts_guard *g, int64_t id,
                                               json_t *in, enum accounts_pw_by by,
                                               int64_t keep_session, struct sq_detail *d);
enum sq_err accounts_store_grant_add_guarded(const struct accounts_guard *g, int64_t user_id,
                                             const char *role, int64_t unit_id, int64_t by,
                                             int64_t *id, struct sq_detail *d);
/* Deletes grant id of user_id (the guard checks user_id). */
enum sq_err accounts_store_grant_delete_guarded(const struct accounts_guard *g, int64_t user_id,
                                                int64_t id, struct sq_detail *d);

#endif
