/*
 * accounts api: sign-in, sessions, users, role grants and the audit log
 * reader. Every handler states who may call it in the route table and makes
 * the unit-level decision itself: reading a (masked) account through sq_may()
 * on any unit the account belongs to, and everything that acts on an account
 * (its password, personal data, roles, disabling it) through the manage rule
 * (accounts_check_manage), decided inside the transaction that writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "core/http.h"
#include "core/json.h"
#include "units/units.h"

/* ---- helpers ---- */

static bool valid_login(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* May the caller read (masked) user `id` with p: self counts when self_ok;
 * otherwise p must cover one of the unit subtrees where the target holds a
 * role, or the caller holds p at the district root. Reads only: acting on an
 * account takes the manage rule (check_manage). */
static bool may_user(const struct sq_user *u, const struct sq_perm *p, int64_t id, bool self_ok)
{
    char paths[SQ_MAX_GRANTS][128];
    if (self_ok && u->id == id)
        return true;
    if (sq_may_all(u, p))
        return true;
    int n = accounts_store_user_grant_paths(id, paths, SQ_MAX_GRANTS);
    for (int i = 0; i < n; i++)
        if (sq_may(u, p, paths[i]))
            return true;
    return false;
}

/* A user as the API shows it: phone and ID number masked (the unmasked
 * form is its own audited route). NULL if missing. */
static json_t *user_view(int64_t id)
{
    return sq_json_mask_personal(accounts_store_user_json(id));
}

/* What u's grants allow, one entry per permission held:
 * {name, units: [ids of the units where a grant carries it, each reaching
 * its subtree], all_units: held at the district root}. *read_only is set
 * when none of them writes (sq_perm_writes). */
static json_t *permissions_json(const struct sq_user *u, bool *read_only)
{
    json_t *out = json_array();
    *read_only = true;
    for (int n = 0; n < sq_perm_count(); n++) {
        const struct sq_perm *p = sq_perm_at(n);
        if (p->route_only)
            continue;
        json_t *units = json_array();
        for (int i = 0; i < u->ngrants; i++) {
            bool seen = false;
            if (!sq_role_has(u->grants[i].role, p))
                continue;
            for (int k = 0; k < i; k++)
                seen |= sq_role_has(u->grants[k].role, p) &&
                        u->grants[k].unit_id == u->grants[i].unit_id;
            if (!seen)
                json_array_append_new(units, json_integer(u->grants[i].unit_id));
        }
        if (!json_array_size(units)) {
            json_decref(units);
            continue;
        }
        if (sq_perm_writes(p))
            *read_only = false;
        json_array_append_new(out, json_pack("{s:s,s:o,s:b}", "name", sq_perm_name(p), "units",
                                             units, "all_units", sq_may_all(u, p)));
    }
    return out;
}

/* u carries the grants (as authenticated, or loaded after sign-in). */
static json_t *me_json(const struct sq_user *u)
{
    bool read_only;
    json_t *user = user_view(u->id);
    json_t *grants = accounts_store_grants_json(u->id);
    json_t *perms = permissions_json(u, &read_only);
    bool must_change = json_is_true(json_object_get(user, "must_change_password"));
    return json_pack("{s:o,s:o,s:o,s:b,s:s,s:b}", "user", user ? user : json_null(), "grants",
                     grants, "permissions", perms, "read_only", read_only, "csrf_token", u->csrf,
                     "must_change_password", must_change);
}

/* Loads user_id's grants and applies the manage rule. Called inside the
 * transaction that then writes, so no grant can arrive in between. */
static enum sq_err check_manage(const struct sq_user *caller, int64_t user_id, struct sq_detail *d)
{
    struct accounts_target t;
    enum sq_err e = accounts_store_target(user_id, &t, d);
    return e ? e : accounts_check_manage(caller, &t, d);
}

static int password_min(void)
{
    return sq_app_config ? sq_app_config->password_min_length : 0;
}

/* ---- sign-in ---- */

static const struct sq_field login_fields[] = {
    {.name = "login", .type = SQ_F_STR, .required = true, .min = 1, .max = 64},
    {.name = "password", .type = SQ_F_STR, .required = true, .min = 1, .max = 256},
    {0},
};

static int auth_login(struct sq_req *r)
{
    struct sq_detail d = {0};
    enum sq_err e = sq_validate(r->json, login_fields, &d);
    char login[320], token[48], csrf[48], exp[32];
    int retry = 0;
    int64_t uid = 0, expires = 0;
    if (e)
        return sq_reply_err(r, e, &d);
    /* counted and looked up as one: Supervisor and supervisor are one account */
    sq_login_normalise(sq_json_str(r->json, "login", ""), login, sizeof login);
    if (!sq_signin_attempt(login, r->ip, &retry))
        return sq_reply_rate_limited(r, retry, "登录失败次数过多", "too many failed sign-ins");
    if ((e = accounts_store_check_password(login, sq_json_str(r->json, "password", ""), &uid,
                                           &d))) {
        if (e == SQ_EAUTH) {
            json_t *det = json_pack("{s:s}", "login", login);
            sq_audit_write(0, "login_failed", "user", 0, r->ip, det);
            json_decref(det);
        }
        return sq_reply_err(r, e, &d);
    }
    sq_signin_succeeded(login, r->ip);
    if ((e = accounts_store_session_new(uid, sq_app_config->session_hours, r->ip, token, csrf,
                                        &expires, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(uid, "login", "user", uid, r->ip, NULL);
    struct sq_user u = {.id = uid};
    snprintf(u.csrf, sizeof u.csrf, "%s", csrf);
    accounts_store_load_grants(uid, &u);
    json_t *me = me_json(&u);
    sq_clock_iso(expires, exp);
    json_object_set_new(me, "token", json_string(token));
    json_object_set_new(me, "expires_at", json_string(exp));
    sq_reply_session_cookie(r, token, sq_app_config->session_hours * 3600);
    return sq_reply_json(r, 200, me);
}

static int auth_logout(struct sq_req *r)
{
    struct sq_detail d = {0};
    enum sq_err e = accounts_store_session_revoke(r->user->session_id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "logout", "user", r->user->id, r->ip, NULL);
    sq_reply_session_cookie(r, "", 0);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* Passwords: the policy (sq_password_check) decides their length and says why. */
static const struct sq_field register_fields[] = {
    {.name = "login", .type = SQ_F_STR, .required = true, .min = 3, .max = 32},
    {.name = "password", .type = SQ_F_STR, .required = true, .min = 1, .max = 256},
    {.name = "display_name", .type = SQ_F_STR, .required = true, .min = 1, .max = 50},
    {.name = "phone", .type = SQ_F_PHONE, .required = true},
    {0},
};

static int64_t district_root(void)
{
    struct sq_unit_filter f = {.kind = "district", .archived = 0, .sort = "id"};
    struct sq_page p = {.limit = 1};
    json_t *items = NULL;
    int64_t total = 0, id = 0;
    if (units_store_list(&f, &p, &items, &total, NULL) == SQ_OK && json_array_size(items))
        id = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_decref(items);
    return id;
}

static int auth_register(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = 0, gid = 0, root;
    int retry = 0;
    if (!sq_ratelimit_take("register", r->ip, sq_app_config->registrations_per_hour, &retry))
        return sq_reply_rate_limited(r, retry, "该地址注册过于频繁",
                                     "too many registrations from this address");
    enum sq_err e = sq_validate(r->json, register_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    const char *login = sq_json_str(r->json, "login", "");
    if (!valid_login(login))
        return sq_reply_errf(r, SQ_EINVAL, "login", "login may use letters, digits, _ - . only");
    if ((e = sq_password_check(sq_json_str(r->json, "password", ""), login, password_min(), &d)))
        return sq_reply_err(r, e, &d);
    if (!(root = district_root()))
        return sq_reply_errf(r, SQ_ECONFLICT, NULL, "the district is not set up yet");
    if ((e = accounts_store_user_create_granted(
             login, sq_json_str(r->json, "display_name", ""), sq_json_str(r->json, "password", ""),
             sq_json_str(r->json, "phone", NULL), NULL, "public", root, 0, &id, &gid, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(id, "register", "user", id, r->ip, NULL);
    return sq_reply_json(r, 201, user_view(id));
}

static int me_get(struct sq_req *r)
{
    return sq_reply_json(r, 200, me_json(r->user));
}

/* ---- users ---- */

static int users_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_user_filter f = {0};
    const char *scope[SQ_MAX_GRANTS];
    struct sq_unit unit;
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    /* the query was checked against users_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    f.q = sq_req_query(r, "q");
    f.role = sq_req_query(r, "role");
    if (sq_req_query(r, "unit")) {
        if (units_store_get(sq_query_int(r, "unit", 0), &unit, &d))
            return sq_reply_errf(r, SQ_EINVAL, "unit", "unit must be an existing unit id");
        if (!sq_may(r->user, SQ_PERM_USER_READ, unit.path))
            return sq_reply_errf(r, SQ_EFORBIDDEN, "unit", "this unit is outside your units");
        f.unit_path = unit.path;
    }
    if (!sq_may_all(r->user, SQ_PERM_USER_READ)) {
        f.nscope = sq_scope_paths(r->user, SQ_PERM_USER_READ, scope, SQ_MAX_GRANTS);
        f.scope_paths = scope;
    }
    enum sq_err e = accounts_store_user_list(&f, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, sq_json_mask_personal(items), total, sq_page_next(&pg, total, next));
}

static int load_user_for(struct sq_req *r, const struct sq_perm *p, bool self_ok, int64_t *id)
{
    *id = sq_req_param_id(r, "id");
    json_t *u = *id ? user_view(*id) : NULL;
    if (!u)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such user");
    json_decref(u);
    if (!may_user(r->user, p, *id, self_ok))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "this user is outside your units");
    return 0;
}

static int users_get(struct sq_req *r)
{
    int64_t id;
    int st = load_user_for(r, SQ_PERM_USER_READ, true, &id);
    if (st)
        return st;
    json_t *o = user_view(id);
    json_object_set_new(o, "grants", accounts_store_grants_json(id));
    /* what the UI may offer: edit, reset, disable, grant and revoke */
    json_object_set_new(o, "may_manage", json_boolean(!check_manage(r->user, id, NULL)));
    return sq_reply_json(r, 200, o);
}

/* Unmasked phone and ID number: the person, and the admins who may manage
 * them (a colleague's handler role or the auditor's read-everything is not
 * enough). Every read is audited. */
static int users_personal(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    json_t *u = id ? user_view(id) : NULL;
    if (!u)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such user");
    json_decref(u);
    if (id != r->user->id && check_manage(r->user, id, &d))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "只有本人和可管理该用户的管理员能查看完整个人信息 / only the "
                             "person and the admins who may manage them see unmasked data");
    json_t *o = accounts_store_user_json(id);
    sq_audit_write(r->user->id, "personal_read", "user", id, r->ip, NULL);
    return sq_reply_json(r, 200, o);
}

static int users_grants(struct sq_req *r)
{
    int64_t id;
    int st = load_user_for(r, SQ_PERM_USER_READ, true, &id);
    if (st)
        return st;
    json_t *items = accounts_store_grants_json(id);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const char *const role_names[] = {"public",         "collector", "handler", "unit_admin",
                                         "district_admin", "auditor",   NULL};

/* Checks that the caller may grant `role` in `unit` (accounts_check_grant:
 * in their subtree, at or below their own rank); fills unit. */
static enum sq_err check_grant(const struct sq_user *u, const char *role, int64_t unit_id,
                               struct sq_unit *unit, struct sq_detail *d)
{
    enum sq_err e = units_store_get(unit_id, unit, d);
    if (e)
        return e == SQ_ENOTFOUND ? sq_fail(d, SQ_EINVAL, "unit_id", "no such unit") : e;
    if (unit->archived)
        return sq_fail(d, SQ_EINVAL, "unit_id", "the unit is archived");
    int rl = sq_role_parse(role);
    if (rl < 0)
        return sq_fail(d, SQ_EINVAL, "role", "unknown role '%.40s'", role);
    if ((e = accounts_check_grant(u, (enum sq_role)rl, unit->path, d)))
        return e;
    bool elevated = rl == SQ_ROLE_DISTRICT_ADMIN || rl == SQ_ROLE_AUDITOR;
    if (elevated && unit->kind != SQ_UNIT_DISTRICT)
        return sq_fail(d, SQ_EINVAL, "unit_id", "%s is held at the district", role);
    return SQ_OK;
}

static const struct sq_field user_create_fields[] = {
    {.name = "login", .type = SQ_F_STR, .required = true, .min = 3, .max = 32},
    {.name = "password", .type = SQ_F_STR, .required = true, .min = 1, .max = 256},
    {.name = "display_name", .type = SQ_F_STR, .required = true, .min = 1, .max = 50},
    {.name = "phone", .type = SQ_F_PHONE, .nullable = true},
    {.name = "id_number", .type = SQ_F_STR, .min = 15, .max = 18, .nullable = true},
    {.name = "role", .type = SQ_F_ENUM, .choices = role_names},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

static bool valid_id_number(const char *s)
{
    size_t n = strlen(s);
    if (n != 18 && n != 15)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (i == n - 1 && (s[i] == 'X' || s[i] == 'x'))))
            return false;
    return true;
}

static int users_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit unit;
    int64_t id = 0, gid = 0;
    enum sq_err e = sq_validate(r->json, user_create_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    const char *login = sq_json_str(r->json, "login", ""),
               *role = sq_json_str(r->json, "role", NULL);
    const char *idn = sq_json_str(r->json, "id_number", NULL);
    int64_t unit_id = sq_json_int(r->json, "unit_id", 0);
    if (!valid_login(login))
        return sq_reply_errf(r, SQ_EINVAL, "login", "login may use letters, digits, _ - . only");
    if (idn && !valid_id_number(idn))
        return sq_reply_errf(r, SQ_EINVAL, "id_number",
                             "id_number must be 18 digits (last may "
                             "be X)");
    if (!role != !unit_id)
        return sq_reply_errf(r, SQ_EINVAL, role ? "unit_id" : "role",
                             "role and unit_id go together");
    if (!role && !sq_may_all(r->user, SQ_PERM_USER_WRITE))
        return sq_reply_errf(r, SQ_EINVAL, "role",
                             "give the new user a role in one of your units (role, unit_id)");
    if (role && (e = check_grant(r->user, role, unit_id, &unit, &d)))
        return sq_reply_err(r, e, &d);
    if ((e = sq_password_check(sq_json_str(r->json, "password", ""), login, password_min(), &d)))
        return sq_reply_err(r, e, &d);
    if ((e = accounts_store_user_create_granted(
             login, sq_json_str(r->json, "display_name", ""), sq_json_str(r->json, "password", ""),
             sq_json_str(r->json, "phone", NULL), idn, role, unit_id, r->user->id, &id, &gid, &d)))
        return sq_reply_err(r, e, &d);
    json_t *det =
        json_pack("{s:s,s:s?,s:I}", "login", login, "role", role, "unit_id", (json_int_t)unit_id);
    sq_audit_write(r->user->id, "user_create", "user", id, r->ip, det);
    json_decref(det);
    json_t *o = user_view(id);
    json_object_set_new(o, "grants", accounts_store_grants_json(id));
    return sq_reply_json(r, 201, o);
}

static const struct sq_field user_update_fields[] = {
    {.name = "display_name", .type = SQ_F_STR, .min = 1, .max = 50},
    {.name = "phone", .type = SQ_F_PHONE, .nullable = true},
    {.name = "id_number", .type = SQ_F_STR, .min = 15, .max = 18, .nullable = true},
    {.name = "password", .type = SQ_F_STR, .min = 1, .max = 256},
    {.name = "current_password", .type = SQ_F_STR, .max = 256},
    {.name = "disabled", .type = SQ_F_BOOL},
    {0},
};

/* The audit detail of an update: what changed, never a password. */
static void audit_update(struct sq_req *r, int64_t id, bool reset)
{
    json_t *det = json_deep_copy(r->json);
    if (json_object_get(det, "password"))
        json_object_set_new(det, "password", json_string(reset ? "(reset)" : "(changed)"));
    sq_audit_write(r->user->id, "user_update", "user", id, r->ip, det);
    json_decref(det);
}

/* PATCH /users/:id. The person edits their name and phone and changes their
 * password with the current one (their other sessions end, this one stays).
 * An admin who may manage them (the manage rule) also edits the ID number,
 * disables, and sets a password without the old one: every session of the
 * person ends and they must choose their own at the next sign-in. A session
 * that must change its password may do exactly that and nothing else. */
static int users_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id"), uid;
    char login[64];
    enum sq_err e = sq_validate(r->json, user_update_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    json_t *cur = id ? user_view(id) : NULL;
    if (!cur)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such user");
    snprintf(login, sizeof login, "%s", json_string_value(json_object_get(cur, "login")));
    json_decref(cur);
    bool self = id == r->user->id, pw = sq_json_has(r->json, "password");
    const char *idn = sq_json_str(r->json, "id_number", NULL);
    const char *current = sq_json_str(r->json, "current_password", NULL);
    if (r->user->must_change_password &&
        (!self || !pw || json_object_size(r->json) != (current ? 2u : 1u)))
        return sq_reply_errf(r, SQ_EPWCHANGE, "password",
                             "请先修改密码，再做其他操作 / change your password first: send only "
                             "password and current_password");
    /* refuse before looking at the body's values, so that a refusal never
     * depends on them; decided again below, where it counts */
    if (!self && (e = check_manage(r->user, id, &d)))
        return sq_reply_errf(r, e, NULL, "%s", d.message);
    if (self && sq_json_has(r->json, "disabled"))
        return sq_user_has(r->user, SQ_PERM_USER_WRITE)
                   ? sq_reply_errf(r, SQ_EINVAL, "disabled", "you cannot disable your own account")
                   : sq_reply_errf(r, SQ_EFORBIDDEN, "disabled",
                                   "only an admin may disable an account");
    if (idn && !valid_id_number(idn))
        return sq_reply_errf(r, SQ_EINVAL, "id_number", "id_number must be 18 digits");
    if (self && pw) {
        if (!current || !*current)
            return sq_reply_errf(r, SQ_EINVAL, "current_password",
                                 "请提供当前密码 / give your current password to set a new one");
        /* the current password is guessed like a sign-in: the same throttle */
        char key[320];
        int retry = 0;
        sq_login_normalise(login, key, sizeof key);
        if (!sq_signin_attempt(key, r->ip, &retry))
            return sq_reply_rate_limited(r, retry, "密码错误次数过多", "too many wrong passwords");
        if (accounts_store_check_password(login, current, &uid, &d) || uid != id)
            return sq_reply_errf(r, SQ_EINVAL, "current_password",
                                 "当前密码不正确 / the current password is wrong");
        sq_signin_succeeded(key, r->ip);
        if (!strcmp(current, sq_json_str(r->json, "password", "")))
            return sq_reply_errf(r, SQ_EINVAL, "password",
                                 "新密码不能与当前密码相同 / the new password must differ from "
                                 "the current one");
    }
    if (pw &&
        (e = sq_password_check(sq_json_str(r->json, "password", ""), login, password_min(), &d)))
        return sq_reply_err(r, e, &d);
    json_object_del(r->json, "current_password");
    /* an admin's decision and write in one transaction: a grant given to the
     * person meanwhile cannot slip between them */
    const struct accounts_guard manage = {check_manage, r->user};
    if ((e = accounts_store_user_update_guarded(self ? NULL : &manage, id, r->json,
                                                self ? ACCOUNTS_PW_SELF : ACCOUNTS_PW_ADMIN,
                                                r->user->session_id, &d))) {
        if (e == SQ_EFORBIDDEN)
            d.field = NULL;
        return sq_reply_err(r, e, &d);
    }
    audit_update(r, id, pw && !self);
    return sq_reply_json(r, 200, user_view(id));
}

/* ---- grants ---- */

static const struct sq_field grant_fields[] = {
    {.name = "user_id", .type = SQ_F_ID, .required = true},
    {.name = "role", .type = SQ_F_ENUM, .required = true, .choices = role_names},
    {.name = "unit_id", .type = SQ_F_ID, .required = true},
    {0},
};

static int grants_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit unit;
    int64_t gid = 0;
    enum sq_err e = sq_validate(r->json, grant_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int64_t uid = sq_json_int(r->json, "user_id", 0), unit_id = sq_json_int(r->json, "unit_id", 0);
    const char *role = sq_json_str(r->json, "role", "");
    json_t *target = user_view(uid);
    if (!target)
        return sq_reply_errf(r, SQ_EINVAL, "user_id", "no such user");
    json_decref(target);
    if ((e = check_grant(r->user, role, unit_id, &unit, &d)))
        return sq_reply_err(r, e, &d);
    /* giving a role is managing its holder: every role they already hold
     * must be one the caller could have given */
    const struct accounts_guard manage = {check_manage, r->user};
    if ((e = accounts_store_grant_add_guarded(&manage, uid, role, unit_id, r->user->id, &gid, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "grant", "user", uid, r->ip, r->json);
    json_t *grants = accounts_store_grants_json(uid), *g = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(grants, i, v) if (json_integer_value(json_object_get(v, "id")) == gid) g =
        json_incref(v);
    json_decref(grants);
    return sq_reply_json(r, 201, g ? g : json_pack("{s:I}", "id", (json_int_t)gid));
}

static int grants_delete(struct sq_req *r)
{
    struct sq_detail d = {0};
    char role[32], path[128];
    int64_t uid, id = sq_req_param_id(r, "id");
    enum sq_err e = id ? accounts_store_grant_get(id, role, sizeof role, path, &uid, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such grant");
    if (e)
        return sq_reply_err(r, e, &d);
    int rl = sq_role_parse(role);
    /* revoke what you could grant, from someone you may manage */
    if ((e = accounts_check_grant(r->user, rl < 0 ? SQ_ROLE__MAX : (enum sq_role)rl, path, &d))) {
        d.field = NULL;
        return sq_reply_err(r, e, &d);
    }
    if (uid == r->user->id && rl == SQ_ROLE_DISTRICT_ADMIN)
        return sq_reply_errf(r, SQ_ECONFLICT, NULL,
                             "you cannot revoke your own district admin "
                             "role");
    const struct accounts_guard manage = {check_manage, r->user};
    if ((e = accounts_store_grant_delete_guarded(&manage, uid, id, &d))) {
        if (e == SQ_EFORBIDDEN)
            d.field = NULL;
        return sq_reply_err(r, e, &d);
    }
    json_t *det = json_pack("{s:s,s:I}", "role", role, "grant_id", (json_int_t)id);
    sq_audit_write(r->user->id, "revoke", "user", uid, r->ip, det);
    json_decref(det);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- audit ---- */

static int audit_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_audit_filter f = {0};
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    /* the query was checked against audit_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    f.action = sq_req_query(r, "action");
    f.actor_id = sq_query_int(r, "actor", 0);
    f.from = sq_query_time(r, "from");
    f.to = sq_query_time(r, "to");
    enum sq_err e = sq_audit_list(&f, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, items, total, sq_page_next(&pg, total, next));
}

/* Every request of an auditor is itself audited (SPEC: every access logged). */
void accounts_audit_access(const struct sq_req *r);
void accounts_audit_access(const struct sq_req *r)
{
    json_t *det =
        json_pack("{s:s,s:s,s:i}", "method", r->method, "path", r->path, "status", r->status);
    sq_audit_write(r->user->id, "auditor_access", "request", 0, r->ip, det);
    json_decref(det);
}

/* ---- declared query parameters ---- */

static const struct sq_query users_query[] = {
    SQ_QUERY_PAGE,
    {.name = "q", .type = SQ_Q_STR, .max = 100, .desc = "login or name contains"},
    {.name = "role", .type = SQ_Q_ENUM, .choices = sq_role_names, .desc = "holds this role"},
    {.name = "unit", .type = SQ_Q_ID, .desc = "holds a role in this unit's subtree"},
    {0},
};

static const struct sq_query audit_query[] = {
    SQ_QUERY_PAGE,
    {.name = "action", .type = SQ_Q_STR, .max = 40, .desc = "action name (user_create, grant ...)"},
    {.name = "actor", .type = SQ_Q_ID, .desc = "the acting user's id"},
    {.name = "from", .type = SQ_Q_TIME, .desc = "at or after"},
    {.name = "to", .type = SQ_Q_TIME, .desc = "before"},
    {.name = "sort",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"-created_at", NULL},
     .desc = "newest first, the only order"},
    {0},
};

const struct sq_route accounts_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/auth/login",
     .body = login_fields,
     .fn = auth_login,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_PASSWORD_CHANGE | SQ_ROUTE_DIRECT,
     .summary = "sign in"},
    {.method = "POST",
     .pattern = "/api/v1/auth/logout",
     .fn = auth_logout,
     .perm = SQ_PERM_SIGNED_IN,
     .flags = SQ_ROUTE_PASSWORD_CHANGE,
     .summary = "sign out"},
    {.method = "POST",
     .pattern = "/api/v1/auth/register",
     .body = register_fields,
     .fn = auth_register,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_DIRECT,
     .summary = "create a resident account"},
    {.method = "GET",
     .pattern = "/api/v1/me",
     .fn = me_get,
     .perm = SQ_PERM_SIGNED_IN,
     .flags = SQ_ROUTE_PASSWORD_CHANGE,
     .summary = "the caller, grants and CSRF token"},
    {.method = "GET",
     .pattern = "/api/v1/users",
     .query = users_query,
     .fn = users_list,
     .perm = SQ_PERM_USER_READ,
     .summary = "list users in your units"},
    {.method = "GET",
     .pattern = "/api/v1/users/:id",
     .fn = users_get,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "one user (masked)"},
    {.method = "GET",
     .pattern = "/api/v1/users/:id/personal",
     .fn = users_personal,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "unmasked personal data (audited)"},
    {.method = "GET",
     .pattern = "/api/v1/users/:id/grants",
     .fn = users_grants,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "a user's roles"},
    {.method = "POST",
     .pattern = "/api/v1/users",
     .body = user_create_fields,
     .fn = users_create,
     .perm = SQ_PERM_USER_WRITE,
     .flags = SQ_ROUTE_DIRECT,
     .summary = "create a user"},
    {.method = "PATCH",
     .pattern = "/api/v1/users/:id",
     .body = user_update_fields,
     .fn = users_update,
     .perm = SQ_PERM_SIGNED_IN,
     .flags = SQ_ROUTE_PASSWORD_CHANGE | SQ_ROUTE_DIRECT,
     .summary = "update a user (self or admin)"},
    {.method = "POST",
     .pattern = "/api/v1/grants",
     .body = grant_fields,
     .fn = grants_create,
     .perm = SQ_PERM_GRANT,
     .summary = "grant a role in a unit"},
    {.method = "DELETE",
     .pattern = "/api/v1/grants/:id",
     .fn = grants_delete,
     .perm = SQ_PERM_GRANT,
     .summary = "revoke a role"},
    {.method = "GET",
     .pattern = "/api/v1/audit",
     .query = audit_query,
     .fn = audit_list,
     .perm = SQ_PERM_AUDIT_READ,
     .summary = "read the audit log"},
    {0},
};
