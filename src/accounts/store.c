/*
 * accounts store: SQL on users, grants and sessions.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/log.h"

enum sq_err accounts_store_load_grants(int64_t user_id, struct sq_user *u)
{
    struct sq_stmt *st = sq_db_stmt("SELECT g.id, g.role, g.unit_id, un.path FROM grants g JOIN "
                                    "units un ON un.id = g.unit_id WHERE g.user_id = ? AND "
                                    "un.archived = 0 ORDER BY g.id");
    if (!st)
        return SQ_EDB;
    sq_bind_int64(st, 1, user_id);
    u->ngrants = 0;
    while (sq_step(st) == SQ_ROW && u->ngrants < SQ_MAX_GRANTS) {
        struct sq_grant *g = &u->grants[u->ngrants];
        int role = sq_role_parse(sq_db_col_text(st, 1));
        if (role < 0)
            continue;
        g->id = sq_col_int64(st, 0);
        g->role = (enum sq_role)role;
        g->unit_id = sq_col_int64(st, 2);
        snprintf(g->unit_path, sizeof g->unit_path, "%s", sq_db_col_text(st, 3));
        u->ngrants++;
    }
    sq_db_reset(st);
    return SQ_OK;
}

bool accounts_store_authenticate(const char *token, struct sq_user *u)
{
    char hash[65];
    int64_t now = sq_clock_now(), expires = 0;
    unsigned gen;
    sq_token_hash(token, hash);
    if (sq_auth_cache_get(hash, now, u, &gen))
        return true;
    struct sq_stmt *st = sq_db_stmt(
        "SELECT s.id, s.user_id, s.csrf, u.login, u.display_name, s.expires_at, "
        "u.must_change_password FROM sessions s JOIN users u "
        "ON u.id = s.user_id WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at "
        "> ? AND u.disabled = 0");
    if (!st)
        return false;
    sq_bind_text(st, 1, hash);
    sq_bind_int64(st, 2, now);
    bool ok = false;
    if (sq_step(st) == SQ_ROW) {
        expires = sq_col_int64(st, 5);
        u->session_id = sq_col_int64(st, 0);
        u->id = sq_col_int64(st, 1);
        snprintf(u->csrf, sizeof u->csrf, "%s", sq_db_col_text(st, 2));
        snprintf(u->login, sizeof u->login, "%s", sq_db_col_text(st, 3));
        snprintf(u->display_name, sizeof u->display_name, "%s", sq_db_col_text(st, 4));
        u->must_change_password = sq_col_int(st, 6) != 0;
        ok = true;
    }
    sq_db_reset(st);
    if (!ok || accounts_store_load_grants(u->id, u) != SQ_OK)
        return false;
    sq_auth_cache_put(hash, expires, u, gen);
    return true;
}

/* A fixed argon2id hash to verify against when the login does not exist, so
 * that timing does not reveal which logins are real. Made once, lazily. */
static const char *dummy_hash(void)
{
    static char h[128];
    static int done;
    if (!done) {
        sq_password_hash("sanqu-timing-equaliser", h);
        done = 1;
    }
    return h;
}

enum sq_err accounts_store_check_password(const char *login, const char *password, int64_t *user_id,
                                          struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT id, password_hash, disabled FROM users WHERE login = ?");
    char hash[128] = "";
    int64_t id = 0;
    int disabled = 0;
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, login);
    if (sq_step(st) == SQ_ROW) {
        id = sq_col_int64(st, 0);
        snprintf(hash, sizeof hash, "%s", sq_db_col_text(st, 1));
        disabled = sq_col_int(st, 2);
    }
    sq_db_reset(st);
    bool ok = sq_password_verify(id ? hash : dummy_hash(), password) && id;
    if (!ok || disabled)
        return sq_fail(d, SQ_EAUTH, NULL, "wrong login or password");
    *user_id = id;
    return SQ_OK;
}

enum sq_err accounts_store_session_new(int64_t user_id, int hours, const char *ip, char *token,
                                       char *csrf, int64_t *expires_at, struct sq_detail *d)
{
    char hash[65];
    int64_t now = sq_clock_now();
    sq_token_new(token);
    sq_token_new(csrf);
    sq_token_hash(token, hash);
    *expires_at = now + (int64_t)hours * 3600;
    struct sq_stmt *st = sq_db_stmt("INSERT INTO sessions(user_id, token_hash, csrf, ip, "
                                    "created_at, expires_at) VALUES (?,?,?,?,?,?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, user_id);
    sq_bind_text(st, 2, hash);
    sq_bind_text(st, 3, csrf);
    sq_db_bind_text(st, 4, ip);
    sq_bind_int64(st, 5, now);
    sq_bind_int64(st, 6, *expires_at);
    return sq_db_exec_stmt(st, d);
}

enum sq_err accounts_store_session_revoke(int64_t session_id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE sessions SET revoked_at = ? WHERE id = ? AND "
                                    "revoked_at IS NULL");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, sq_clock_now());
    sq_bind_int64(st, 2, session_id);
    enum sq_err e = sq_db_exec_stmt(st, d);
    sq_auth_cache_bump();
    return e;
}

enum sq_err accounts_store_user_create(const char *login, const char *display_name,
                                       const char *password, const char *phone,
                                       const char *id_number, int64_t *id, struct sq_detail *d)
{
    char hash[128];
    if (sq_password_hash(password, hash) != 0)
        return sq_fail(d, SQ_EINTERNAL, NULL, "cannot hash password (out of memory)");
    return accounts_store_user_create_hashed(login, display_name, hash, phone, id_number, id, d);
}

enum sq_err accounts_store_user_create_hashed(const char *login, const char *display_name,
                                              const char *hash, const char *phone,
                                              const char *id_number, int64_t *id,
                                              struct sq_detail *d)
{
    int64_t now = sq_clock_now();
    struct sq_stmt *st =
        sq_db_stmt("INSERT INTO users(login, display_name, password_hash, phone, "
                   "id_number, created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, login);
    sq_bind_text(st, 2, display_name);
    sq_bind_text(st, 3, hash);
    sq_db_bind_text(st, 4, phone);
    sq_db_bind_text(st, 5, id_number);
    sq_bind_int64(st, 6, now);
    sq_bind_int64(st, 7, now);
    enum sq_err e = sq_db_exec_id(st, id, d);
    if (e == SQ_ECONFLICT)
        return sq_fail(d, SQ_ECONFLICT, "login", "the login '%s' is taken", login);
    return e;
}

enum sq_err accounts_store_user_update(int64_t id, json_t *in, enum accounts_pw_by by,
                                       int64_t keep_session, struct sq_detail *d)
{
    enum sq_err e;
    char hash[128];
    struct sq_stmt *st;
    int64_t now = sq_clock_now();
    bool pw = sq_json_has(in, "password");
    /* hashing takes tens of milliseconds: not while holding the write lock */
    if (pw && sq_password_hash(sq_json_str(in, "password", ""), hash))
        return sq_fail(d, SQ_EINTERNAL, NULL, "cannot hash password (out of memory)");
    if ((e = sq_db_begin(d)))
        return e;
    static const char *const cols[] = {"display_name", "phone", "id_number", NULL};
    if ((e = sq_db_update_fields("users", id, in, cols, "updated_at", now, d)))
        goto fail;
    if (sq_json_has(in, "disabled")) {
        st = sq_db_stmt("UPDATE users SET disabled = ?2 WHERE id = ?1");
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        sq_bind_int(st, 2, sq_json_bool(in, "disabled", false));
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    /* sessions end with a disabling, and with a password set by someone else;
     * the owner's own change keeps the session it was made from */
    bool revoke = sq_json_bool(in, "disabled", false) || pw;
    int64_t keep =
        pw && by == ACCOUNTS_PW_SELF && !sq_json_bool(in, "disabled", false) ? keep_session : 0;
    if (pw) {
        st = sq_db_stmt("UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE "
                        "id = ?1");
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        sq_bind_text(st, 2, hash);
        sq_bind_int(st, 3, by == ACCOUNTS_PW_ADMIN);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    if (revoke) {
        st = sq_db_stmt("UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at "
                        "IS NULL AND id <> ?3");
        if (!st) {
            e = sq_fail(d, SQ_EDB, NULL, "database error");
            goto fail;
        }
        sq_bind_int64(st, 1, id);
        sq_bind_int64(st, 2, now);
        sq_bind_int64(st, 3, keep);
        if ((e = sq_db_exec_stmt(st, d)))
            goto fail;
    }
    e = sq_db_commit(d);
    sq_auth_cache_bump();
    return e;
fail:
    sq_db_rollback();
    return e;
}

enum sq_err accounts_store_set_must_change(int64_t id, bool on, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE users SET must_change_password = ?2 WHERE id = ?1");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    sq_bind_int(st, 2, on);
    enum sq_err e = sq_db_exec_stmt(st, d);
    sq_auth_cache_bump();
    return e;
}

enum sq_err accounts_store_target(int64_t user_id, struct accounts_target *t, struct sq_detail *d)
{
    memset(t, 0, offsetof(struct accounts_target, grants));
    t->id = user_id;
    if (!sq_db_scalar_id("SELECT count(*) FROM users WHERE id = ?1", user_id))
        return sq_fail(d, SQ_ENOTFOUND, "user_id", "no such user");
    struct sq_stmt *st = sq_db_stmt("SELECT g.id, g.role, g.unit_id, un.path FROM grants g JOIN "
                                    "units un ON un.id = g.unit_id WHERE g.user_id = ? ORDER BY "
                                    "g.id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, user_id);
    while (sq_step(st) == SQ_ROW) {
        int role = sq_role_parse(sq_db_col_text(st, 1));
        if (t->ngrants == SQ_MAX_GRANTS || role < 0) {
            t->truncated = true; /* not understood is not allowed */
            continue;
        }
        struct sq_grant *g = &t->grants[t->ngrants++];
        g->id = sq_col_int64(st, 0);
        g->role = (enum sq_role)role;
        g->unit_id = sq_col_int64(st, 2);
        snprintf(g->unit_path, sizeof g->unit_path, "%s", sq_db_col_text(st, 3));
    }
    sq_db_reset(st);
    return SQ_OK;
}

static json_t *user_row(struct sq_stmt *st)
{
    char c[32];
    sq_clock_iso(sq_col_int64(st, 6), c);
    json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "login",
                          sq_db_col_text(st, 1), "display_name", sq_db_col_text(st, 2), "disabled",
                          sq_col_int(st, 5), "created_at", c);
    sq_json_set_str(o, "phone", sq_db_col_text(st, 3));
    sq_json_set_str(o, "id_number", sq_db_col_text(st, 4));
    json_object_set_new(o, "must_change_password", json_boolean(sq_col_int(st, 7)));
    return o;
}

#define USER_COLS                                                                                  \
    "u.id, u.login, u.display_name, u.phone, u.id_number, u.disabled, u.created_at, "              \
    "u.must_change_password"

json_t *accounts_store_user_json(int64_t id)
{
    return sq_db_get_json("SELECT " USER_COLS " FROM users u WHERE u.id = ?", id, user_row);
}

enum sq_err accounts_store_user_list(const struct sq_user_filter *f, const struct sq_page *p,
                                     json_t **items, int64_t *total, struct sq_detail *d)
{
    char where[2048], sql[3072];
    size_t w = 0;
    w += (size_t)snprintf(
        where + w, sizeof where - w,
        " FROM users u WHERE (?1 IS NULL OR u.login LIKE '%%' || ?1 || '%%' OR u.display_name "
        "LIKE '%%' || ?1 || '%%') AND (?2 IS NULL OR EXISTS (SELECT 1 FROM grants g JOIN units "
        "un ON un.id = g.unit_id WHERE g.user_id = u.id AND substr(un.path, 1, length(?2)) = ?2 "
        "AND (?3 IS NULL OR g.role = ?3))) AND (?3 IS NULL OR EXISTS (SELECT 1 FROM grants g "
        "WHERE g.user_id = u.id AND g.role = ?3))");
    if (f->scope_paths) {
        w += (size_t)snprintf(where + w, sizeof where - w,
                              " AND EXISTS (SELECT 1 FROM grants g JOIN units un ON un.id = "
                              "g.unit_id WHERE g.user_id = u.id AND (0");
        for (int i = 0; i < f->nscope && w < sizeof where - 80; i++)
            w += (size_t)snprintf(where + w, sizeof where - w,
                                  " OR substr(un.path, 1, length(?%d)) = ?%d", 4 + i, 4 + i);
        w += (size_t)snprintf(where + w, sizeof where - w, "))");
    }
    *items = json_array();
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
        else
            snprintf(sql, sizeof sql, "SELECT " USER_COLS "%s ORDER BY u.login LIMIT ? OFFSET ?",
                     where);
        struct sq_stmt *st = sq_db_stmt(sql);
        if (!st)
            return sq_fail(d, SQ_EDB, NULL, "database error");
        sq_db_bind_text(st, 1, f->q);
        sq_db_bind_text(st, 2, f->unit_path);
        sq_db_bind_text(st, 3, f->role);
        int n = 3;
        for (int i = 0; f->scope_paths && i < f->nscope; i++)
            sq_bind_text(st, ++n, f->scope_paths[i]);
        if (pass == 0) {
            *total = sq_step(st) == SQ_ROW ? sq_col_int64(st, 0) : 0;
            sq_db_reset(st);
            continue;
        }
        sq_bind_int(st, n + 1, p->limit);
        sq_bind_int64(st, n + 2, p->offset);
        while (sq_step(st) == SQ_ROW)
            json_array_append_new(*items, user_row(st));
        sq_db_reset(st);
    }
    return SQ_OK;
}

int accounts_store_user_grant_paths(int64_t user_id, char paths[][128], int max)
{
    struct sq_stmt *st = sq_db_stmt("SELECT un.path FROM grants g JOIN units un ON un.id = "
                                    "g.unit_id WHERE g.user_id = ?");
    int n = 0;
    if (!st)
        return 0;
    sq_bind_int64(st, 1, user_id);
    while (n < max && sq_step(st) == SQ_ROW)
        snprintf(paths[n++], 128, "%s", sq_db_col_text(st, 0));
    sq_db_reset(st);
    return n;
}

json_t *accounts_store_grants_json(int64_t user_id)
{
    struct sq_stmt *st = sq_db_stmt("SELECT g.id, g.role, g.unit_id, un.name, un.kind, "
                                    "g.created_at FROM grants g JOIN units un ON un.id = g.unit_id "
                                    "WHERE g.user_id = ? ORDER BY g.id");
    json_t *a = json_array();
    if (!st)
        return a;
    sq_bind_int64(st, 1, user_id);
    while (sq_step(st) == SQ_ROW) {
        char c[32];
        sq_clock_iso(sq_col_int64(st, 5), c);
        json_array_append_new(
            a, json_pack("{s:I,s:s,s:I,s:s,s:s,s:s}", "id", (json_int_t)sq_col_int64(st, 0), "role",
                         sq_db_col_text(st, 1), "unit_id", (json_int_t)sq_col_int64(st, 2),
                         "unit_name", sq_db_col_text(st, 3), "unit_kind", sq_db_col_text(st, 4),
                         "created_at", c));
    }
    sq_db_reset(st);
    return a;
}

enum sq_err accounts_store_grant_add(int64_t user_id, const char *role, int64_t unit_id, int64_t by,
                                     int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO grants(user_id, role, unit_id, created_by, "
                                    "created_at) VALUES (?,?,?,?,?) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, user_id);
    sq_bind_text(st, 2, role);
    sq_bind_int64(st, 3, unit_id);
    sq_db_bind_id(st, 4, by);
    sq_bind_int64(st, 5, sq_clock_now());
    enum sq_err e = sq_db_exec_id(st, id, d);
    sq_auth_cache_bump();
    if (e == SQ_ECONFLICT)
        return sq_fail(d, SQ_ECONFLICT, "role", "the user already holds this role in this unit");
    return e;
}

enum sq_err accounts_store_grant_get(int64_t id, char *role, size_t rolecap, char *unit_path,
                                     int64_t *user_id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT g.role, un.path, g.user_id FROM grants g JOIN units "
                                    "un ON un.id = g.unit_id WHERE g.id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, NULL, "no grant with id %lld", (long long)id);
    }
    snprintf(role, rolecap, "%s", sq_db_col_text(st, 0));
    snprintf(unit_path, 128, "%s", sq_db_col_text(st, 1));
    *user_id = sq_col_int64(st, 2);
    sq_db_reset(st);
    return SQ_OK;
}

enum sq_err accounts_store_grant_delete(int64_t id, struct sq_detail *d)
{
    enum sq_err e = sq_db_delete_id("grants", id, "grant", d);
    sq_auth_cache_bump();
    return e;
}

int64_t accounts_store_count_users(void)
{
    return sq_db_scalar("SELECT count(*) FROM users");
}

/* ---- decide and write in one transaction ---- */

static enum sq_err guard_check(const struct accounts_guard *g, int64_t user_id, struct sq_detail *d)
{
    return g && g->check ? g->check(g->caller, user_id, d) : SQ_OK;
}

/* Commits after e == SQ_OK (a failed commit has rolled back), else rolls back. */
static enum sq_err finish(enum sq_err e, struct sq_detail *d)
{
    if (!e)
        return sq_db_commit(d);
    sq_db_rollback();
    return e;
}

enum sq_err accounts_store_user_create_granted(const char *login, const char *display_name,
                                               const char *password, const char *phone,
                                               const char *id_number, const char *role,
                                               int64_t unit_id, int64_t by, int64_t *id,
                                               int64_t *gid, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(e = accounts_store_user_create(login, display_name, password, phone, id_number, id, d)) &&
        role)
        e = accounts_store_grant_add(*id, role, unit_id, by, gid, d);
    return finish(e, d);
}

enum sq_err accounts_store_user_update_guarded(const struct accounts_guard *g, int64_t id,
                                               json_t *in, enum accounts_pw_by by,
                                               int64_t keep_session, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(e = guard_check(g, id, d)))
        e = accounts_store_user_update(id, in, by, keep_session, d);
    return finish(e, d);
}

enum sq_err accounts_store_grant_add_guarded(const struct accounts_guard *g, int64_t user_id,
                                             const char *role, int64_t unit_id, int64_t by,
                                             int64_t *id, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(e = guard_check(g, user_id, d)))
        e = accounts_store_grant_add(user_id, role, unit_id, by, id, d);
    return finish(e, d);
}

enum sq_err accounts_store_grant_delete_guarded(const struct accounts_guard *g, int64_t user_id,
                                                int64_t id, struct sq_detail *d)
{
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if (!(e = guard_check(g, user_id, d)))
        e = accounts_store_grant_delete(id, d);
    return finish(e, d);
}
