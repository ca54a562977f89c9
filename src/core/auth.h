/*
 * auth: roles, permissions and the one authorisation decision, plus password
 * and token primitives (libsodium). No SQL here: sessions and grants are
 * loaded by the accounts store and handed to core/http as a struct sq_user.
 *
 * A role is always held in a unit; rights reach the unit's whole subtree.
 * Units carry a materialised path ("/1/4/17/"), so "is unit X inside the
 * subtree of grant G" is a prefix test on paths: sq_may() is pure and cheap.
 */
#ifndef SQ_AUTH_H
#define SQ_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum sq_role {
    SQ_ROLE_PUBLIC,         /* resident, student, employee, enterprise contact */
    SQ_ROLE_COLLECTOR,      /* grid worker, building leader: files on behalf */
    SQ_ROLE_HANDLER,        /* handles appeals of their unit */
    SQ_ROLE_UNIT_ADMIN,     /* leads a unit: queue, members, resources */
    SQ_ROLE_DISTRICT_ADMIN, /* district office / supervisor */
    SQ_ROLE_AUDITOR,        /* read-only, everything, every access logged */
    SQ_ROLE__MAX
};

#define SQ_ROLE_BIT(r) (1u << (r))
_Static_assert(SQ_ROLE__MAX <= 32, "a permission's roles are bits of an unsigned");

/* A permission names what a route or a rule needs. Each domain declares its
 * own next to its routes, in a table of designated initialisers ended by
 * {0}: its name ("appeal.handle"), what it allows (zh-CN and English) and the
 * roles that hold it within their unit subtree. src/app.c lists the tables
 * (sq_perm_tables) as it lists the route tables; the core collects them, so
 * the set has no fixed size. A permission is its declaration: code names it
 * by address (the SQ_PERM_* macros of the domain's header), never by a
 * position or a bit. PUBLIC and SIGNED_IN are route-level only. */
struct sq_perm {
    const char *name; /* dotted, unique: routes, /me, `sanqu routes`, the docs */
    const char *zh;   /* what it allows, zh-CN */
    const char *en;   /* the same in English */
    unsigned roles;   /* SQ_ROLE_BIT() of every role holding it */
    bool route_only;  /* held by no role: decided at the route (public, signed_in) */
    bool writes;      /* lets its holder change something; none: read-only (/me) */
};

/* Every domain's permission table, ending with NULL (src/app.c). */
extern const struct sq_perm *const sq_perm_tables[];

/* The core's own permissions: anyone, any signed-in caller, and the district
 * settings (categories, routing, calendar, webhooks, Open311 clients). */
enum { SQ_CORE_PERM_PUBLIC, SQ_CORE_PERM_SIGNED_IN, SQ_CORE_PERM_ADMIN, SQ_CORE_PERM__MAX };
extern const struct sq_perm core_perms[];
#define SQ_PERM_PUBLIC (&core_perms[SQ_CORE_PERM_PUBLIC])       /* anyone, no token needed */
#define SQ_PERM_SIGNED_IN (&core_perms[SQ_CORE_PERM_SIGNED_IN]) /* any valid token */
#define SQ_PERM_ADMIN (&core_perms[SQ_CORE_PERM_ADMIN])         /* district settings */

#define SQ_MAX_GRANTS 32

struct sq_grant {
    int64_t id;
    enum sq_role role;
    int64_t unit_id;
    char unit_path[128]; /* materialised path of the unit, "/1/4/17/" */
};

/* The authenticated caller, filled by the accounts store per request. */
struct sq_user {
    int64_t id;
    int64_t session_id;
    char login[64];
    char display_name[128];
    char csrf[48];
    bool must_change_password; /* the session may only change its password */
    int ngrants;
    struct sq_grant grants[SQ_MAX_GRANTS];
};

extern const char *const sq_role_names[]; /* NULL-terminated, enum order */
const char *sq_role_name(enum sq_role r);
/* Returns the role for a name, or -1. */
int sq_role_parse(const char *name);
/* "?" for NULL. */
const char *sq_perm_name(const struct sq_perm *p);
bool sq_role_has(enum sq_role r, const struct sq_perm *p);
/* The collected permissions, in domain order then declaration order:
 * sq_perm_at(0 .. sq_perm_count() - 1); NULL out of range. */
int sq_perm_count(void);
const struct sq_perm *sq_perm_at(int i);
/* The permission with that name, or NULL. */
const struct sq_perm *sq_perm_find(const char *name);
/* The declarations are sound: every name is set and unique, every role
 * permission is held by the district admin (who holds them all) and by no
 * role outside enum sq_role, route-level ones by none. SQ_OK, or SQ_EINVAL
 * with the offending name in d->field. */
enum sq_err sq_perms_check(struct sq_detail *d);
/* Does p let its holder change something (create, write, grant, handle...)?
 * False for the read permissions and the route-level public / signed_in: a
 * caller holding no writing permission is read-only (the auditor). */
bool sq_perm_writes(const struct sq_perm *p);

/* The order in which roles may hand each other out: public < collector <
 * handler < unit_admin < district_admin. An admin grants only roles ranked at
 * or below one they hold. The auditor ranks with district_admin, so only a
 * district admin grants it. -1 for a value that is no role. */
int sq_role_rank(enum sq_role r);

/* True when the user holds p in any unit (the route-level check). */
bool sq_user_has(const struct sq_user *u, const struct sq_perm *p);
bool sq_user_has_role(const struct sq_user *u, enum sq_role r);
/* The decision: may u do p on a record of the unit whose path is unit_path?
 * True when some grant with p is on that unit or an ancestor of it. */
bool sq_may(const struct sq_user *u, const struct sq_perm *p, const char *unit_path);
/* True when u holds p at the district root (unrestricted). */
bool sq_may_all(const struct sq_user *u, const struct sq_perm *p);

/* Password hashing (argon2id, interactive limits). out >= 128 bytes. */
int sq_password_hash(const char *password, char *out);
bool sq_password_verify(const char *hash, const char *password);

/* The password policy (libpwquality): at least min_length characters
 * (SQ_PASSWORD_MIN_LENGTH when min_length <= 0), not only blanks, not the
 * login nor containing it, not a dictionary word or an easy pattern (long
 * repeats, 12345 / abcde sequences). login may be NULL. SQ_OK, or SQ_EINVAL
 * with field "password" and a message naming the reason, zh-CN then English.
 * Thread-safe. */
#define SQ_PASSWORD_MIN_LENGTH 10
enum sq_err sq_password_check(const char *password, const char *login, int min_length,
                              struct sq_detail *d);

/* New random token as 43 chars of base64url (32 bytes); out >= 48. */
void sq_token_new(char *out);
/* Hex SHA-256-equivalent digest (BLAKE2b-256) of a token; out >= 65. */
void sq_token_hash(const char *token, char *out);
/* Constant-time string equality. */
bool sq_str_equal_ct(const char *a, const char *b);

/* Masks personal data for display: 13812341234 -> 138****1234. out >= len+1 */
void sq_mask_phone(const char *in, char *out, size_t cap);
void sq_mask_id(const char *in, char *out, size_t cap);

/* Sign-in throttling (docs/security.md "Sign-in throttling"), thread-safe,
 * on core/clock time. login is normalised (sq_login_normalise), ip is the
 * client address. sq_signin_attempt() says whether an attempt may check a
 * password now; when it may, the attempt is already counted as a failure
 * (parallel attempts see it), and sq_signin_succeeded() takes that back
 * after the right password. When it may not, *retry_after is the wait in
 * seconds (>= 1). */
bool sq_signin_attempt(const char *login, const char *ip, int *retry_after);
void sq_signin_succeeded(const char *login, const char *ip);
/* The login as the lookup compares it: trimmed of whitespace, ASCII
 * lowercased (logins match case-insensitively). out >= strlen(in) + 1. */
void sq_login_normalise(const char *in, char *out, size_t cap);
/* A per-address bucket of per_hour hits an hour (bursts of per_hour, then
 * one every 3600/per_hour s): true and counted when the hit fits, false
 * with *retry_after (s) when not. per_hour <= 0: no limit. name says what
 * is counted ("anon_appeal", "register"). */
bool sq_ratelimit_take(const char *name, const char *ip, int per_hour, int *retry_after);
/* Forgets every count (unit tests). */
void sq_ratelimit_reset(void);

int sq_auth_init(void); /* sodium_init; -1 on failure */

/* A small cache of authenticated callers, keyed by token hash, so that a
 * request does not pay two queries to learn who is asking. Any change to
 * sessions, users, grants or units calls sq_auth_cache_bump(), which empties
 * it: a revoked token or grant stops working with the very next request.
 * Entries also expire with their session and after a few seconds. */
/* get also returns the generation seen; put stores only if nothing changed
 * since (a caller that read the database before a change never caches it). */
bool sq_auth_cache_get(const char *token_hash, int64_t now, struct sq_user *u, unsigned *gen);
void sq_auth_cache_put(const char *token_hash, int64_t expires_at, const struct sq_user *u,
                       unsigned gen);
void sq_auth_cache_bump(void);
void sq_auth_cache_free(void); /* at shutdown */

#endif
