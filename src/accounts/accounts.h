/*
 * accounts: users, role grants and sign-in sessions.
 *
 * Tokens are random (core/auth), stored only as their hash, expire after
 * session_hours and are revoked on logout. Passwords are argon2id hashes.
 * Personal data (phone, ID number) leaves the store masked unless the caller
 * asks for the unmasked form, which the API audits.
 */
#ifndef SQ_ACCOUNTS_H
#define SQ_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/err.h"
#include "core/json.h"

/* ---- store ---- */
/* Loads the user behind a token (valid, unexpired, unrevoked) with grants. */
bool accounts_store_authenticate(const char *token, struct sq_user *u);
/* Password check; on success *user_id is set. SQ_EAUTH on mismatch/disabled. */
enum sq_err accounts_store_check_password(const char *login, const char *password,
                                          int64_t *user_id, struct sq_detail *d);
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
enum sq_err accounts_store_user_update(int64_t id, json_t *in, struct sq_detail *d);
/* User record; unmasked=true returns real phone/id_number. NULL if missing. */
json_t *accounts_store_user_json(int64_t id, bool unmasked);
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
enum sq_err accounts_store_grant_add(int64_t user_id, const char *role, int64_t unit_id,
                                     int64_t by, int64_t *id, struct sq_detail *d);
/* Looks up a grant: role, unit path, user. */
enum sq_err accounts_store_grant_get(int64_t id, char *role, size_t rolecap, char *unit_path,
                                     int64_t *user_id, struct sq_detail *d);
enum sq_err accounts_store_grant_delete(int64_t id, struct sq_detail *d);
int64_t accounts_store_count_users(void);

#endif
