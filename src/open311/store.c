/*
 * open311 store: the SQL behind /open311/v2/ and its client keys.
 *
 * Privacy (PIPL): a service request's description, address, coordinates,
 * media_url and the handler's reply are shown only to the Open311 client
 * that filed it (identified by its api_key); everyone else sees the public
 * part — category, status, handling unit, times. Personal contact data is
 * never shown here at all.
 *
 * Not public categories (categories.is_public = 0, or a parent's: 低保救助,
 * 困难帮扶 by default): their service requests and updates are left out of
 * every list, lookup and feed here, except for the client that filed them.
 * Staff read them through /api/v1/appeals like any other appeal.
 */
#include <stdio.h>
#include <string.h>

#include "core/auth.h"
#include "core/clock.h"
#include "core/db.h"
#include "open311/open311.h"

/* ---- clients ---- */

enum sq_err open311_store_client_by_key(const char *api_key, struct o311_client *c,
                                        struct sq_detail *d)
{
    char hash[72];
    sq_token_hash(api_key, hash);
    struct sq_stmt *st = sq_db_stmt("SELECT id, name, unit_id FROM open311_clients WHERE "
                                    "api_key_hash = ? AND revoked_at IS NULL");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, hash);
    enum sq_err e = SQ_OK;
    if (sq_step(st) == SQ_ROW) {
        c->id = sq_col_int64(st, 0);
        snprintf(c->name, sizeof c->name, "%s", sq_db_col_text(st, 1));
        c->unit_id = sq_col_int64(st, 2);
    } else {
        e = sq_fail(d, SQ_ENOTFOUND, "api_key", "unknown or revoked api_key");
    }
    sq_db_reset(st);
    return e;
}

enum sq_err open311_store_client_create(const char *name, int64_t unit_id, int64_t created_by,
                                        int64_t *id, char *key_out, struct sq_detail *d)
{
    char hash[72];
    sq_token_new(key_out);
    sq_token_hash(key_out, hash);
    struct sq_stmt *st = sq_db_stmt("INSERT INTO open311_clients(name, api_key_hash, unit_id, "
                                    "created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, name);
    sq_bind_text(st, 2, hash);
    sq_bind_int64(st, 3, unit_id);
    sq_db_bind_id(st, 4, created_by);
    sq_bind_int64(st, 5, sq_clock_now());
    enum sq_err e = sq_db_exec_id(st, id, d);
    return e;
}

#define CLIENT_SQL                                                                                 \
    "SELECT c.id, c.name, c.unit_id, u.name, c.created_at, c.revoked_at, (SELECT count(*) FROM "   \
    "open311_requests r WHERE r.client_id = c.id) FROM open311_clients c JOIN units u ON u.id "    \
    "= c.unit_id"

static json_t *client_row(struct sq_stmt *st)
{
    char created[32], revoked[32];
    sq_clock_iso(sq_col_int64(st, 4), created);
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s,s:I}", "id", (json_int_t)sq_col_int64(st, 0),
                          "name", sq_db_col_text(st, 1), "unit_id", (json_int_t)sq_col_int64(st, 2),
                          "unit_name", sq_db_col_text(st, 3), "created_at", created, "requests",
                          (json_int_t)sq_col_int64(st, 6));
    if (sq_col_is_null(st, 5)) {
        json_object_set_new(o, "revoked_at", json_null());
    } else {
        sq_clock_iso(sq_col_int64(st, 5), revoked);
        json_object_set_new(o, "revoked_at", json_string(revoked));
    }
    return o;
}

json_t *open311_store_clients_json(void)
{
    return sq_db_list_json(CLIENT_SQL " ORDER BY c.id", client_row);
}

json_t *open311_store_client_json(int64_t id)
{
    return sq_db_get_json(CLIENT_SQL " WHERE c.id = ?", id, client_row);
}

enum sq_err open311_store_client_revoke(int64_t id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE open311_clients SET revoked_at = ? WHERE id = ? AND "
                                    "revoked_at IS NULL");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, sq_clock_now());
    sq_bind_int64(st, 2, id);
    enum sq_err e = sq_db_exec_stmt(st, d);
    if (!e && sq_db_changes() == 0)
        e = sq_fail(d, SQ_ENOTFOUND, NULL, "no such client, or already revoked");
    return e;
}

enum sq_err open311_store_tracking_no(int64_t appeal_id, char *out, size_t cap)
{
    struct sq_stmt *st = sq_db_stmt("SELECT tracking_no FROM appeals WHERE id = ?");
    enum sq_err e = SQ_ENOTFOUND;
    if (!st)
        return SQ_EDB;
    sq_bind_int64(st, 1, appeal_id);
    if (sq_step(st) == SQ_ROW) {
        snprintf(out, cap, "%s", sq_db_col_text(st, 0));
        e = SQ_OK;
    }
    sq_db_reset(st);
    return e;
}

enum sq_err open311_store_request_put(int64_t appeal_id, int64_t client_id, const char *media_url,
                                      const char *email, const char *device_id,
                                      const char *account_id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO open311_requests(appeal_id, client_id, "
                                    "media_url, email, device_id, account_id, created_at) VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, appeal_id);
    sq_bind_int64(st, 2, client_id);
    sq_db_bind_text(st, 3, media_url);
    sq_db_bind_text(st, 4, email);
    sq_db_bind_text(st, 5, device_id);
    sq_db_bind_text(st, 6, account_id);
    sq_bind_int64(st, 7, sq_clock_now());
    return sq_db_exec_stmt(st, d);
}

/* ---- units ---- */

enum sq_err open311_store_root(int64_t *id, char *code, size_t cap, struct sq_detail *d)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT id, code FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1");
    enum sq_err e = SQ_OK;
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    if (sq_step(st) == SQ_ROW) {
        *id = sq_col_int64(st, 0);
        snprintf(code, cap, "%s", sq_db_col_text(st, 1));
    } else {
        e = sq_fail(d, SQ_ENOTFOUND, NULL, "this server has no district yet");
    }
    sq_db_reset(st);
    return e;
}

int64_t open311_store_unit_by_code(const char *code)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id FROM units WHERE code = ? AND archived = 0");
    int64_t id = 0;
    if (!st)
        return 0;
    sq_bind_text(st, 1, code);
    if (sq_step(st) == SQ_ROW)
        id = sq_col_int64(st, 0);
    sq_db_reset(st);
    return id;
}

int64_t open311_store_unit_in_text(const char *text)
{
    /* a scan of a few thousand names; the deepest (most precise) match wins */
    struct sq_stmt *st = sq_db_stmt("SELECT id, name FROM units WHERE archived = 0 AND "
                                    "length(name) >= 2 ORDER BY depth DESC, length(name) DESC, id");
    int64_t id = 0;
    if (!st || !text)
        return sq_db_reset(st), 0;
    /* the substring test in C: instr() is not in PostgreSQL, and LIKE would
     * read % and _ in a name as wildcards */
    while (!id && sq_step(st) == SQ_ROW)
        if (strstr(text, sq_db_col_text(st, 1)))
            id = sq_col_int64(st, 0);
    sq_db_reset(st);
    return id;
}

/* ---- services ---- */

#define SERVICE_SQL                                                                                \
    "SELECT c.code, c.name, c.kind, coalesce(p.name, ''), c.response_hours, c.resolve_days, "      \
    "c.id, c.is_public AND coalesce(p.is_public, 1) FROM categories c LEFT JOIN categories p "     \
    "ON p.id = c.parent_id WHERE c.active = 1 AND NOT EXISTS (SELECT 1 FROM categories ch "        \
    "WHERE ch.parent_id = c.id AND ch.active = 1)"

static json_t *service_row(struct sq_stmt *st)
{
    char desc[400];
    const char *group = sq_db_col_text(st, 3);
    bool pub = sq_col_int(st, 7);
    /* a service that is not public is still offered for filing; its
     * description and keywords say that its requests are not listed */
    snprintf(desc, sizeof desc, "%s%s%s：%d 个工作小时内签收，%d 个工作日内办结%s", group,
             *group ? "/" : "", sq_db_col_text(st, 1), sq_col_int(st, 4), sq_col_int(st, 5),
             pub ? ""
                 : "；不公开：此类诉求不出现在公开列表中 / not public: its requests are not "
                   "listed");
    bool ent = !strcmp(sq_db_col_text(st, 2), "enterprise");
    char keywords[80];
    snprintf(keywords, sizeof keywords, "%s%s", ent ? "enterprise,企业诉求" : "livelihood,民生",
             pub ? "" : ",private,不公开");
    return json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code", sq_db_col_text(st, 0),
                     "service_name", sq_db_col_text(st, 1), "description", desc, "metadata", 0,
                     "type", "realtime", "keywords", keywords, "group",
                     *group ? group : sq_db_col_text(st, 1));
}

json_t *open311_store_services(void)
{
    json_t *items = json_array();
    struct sq_stmt *st = sq_db_stmt(SERVICE_SQL " ORDER BY coalesce(p.sort, c.sort), "
                                                "coalesce(p.id, c.id), c.sort, c.id");
    if (!st)
        return items;
    while (sq_step(st) == SQ_ROW)
        json_array_append_new(items, service_row(st));
    sq_db_reset(st);
    return items;
}

json_t *open311_store_service(const char *code, int64_t *category_id)
{
    json_t *o = NULL;
    struct sq_stmt *st = sq_db_stmt(SERVICE_SQL " AND c.code = ?");
    if (!st)
        return NULL;
    sq_bind_text(st, 1, code);
    if (sq_step(st) == SQ_ROW) {
        o = service_row(st);
        if (category_id)
            *category_id = sq_col_int64(st, 6);
    }
    sq_db_reset(st);
    return o;
}

/* ---- service requests ---- */

static json_t *time_or_null(struct sq_stmt *st, int col)
{
    char b[32];
    if (sq_col_is_null(st, col) || !sq_col_int64(st, col))
        return json_null();
    sq_clock_iso(sq_col_int64(st, col), b);
    return json_string(b);
}

static json_t *text_or_null(struct sq_stmt *st, int col, bool show)
{
    const char *s = sq_db_col_text(st, col);
    return show && *s ? json_string(s) : json_null();
}

#define REQUEST_SQL                                                                                \
    "SELECT a.tracking_no, a.status, a.reply, c.name, c.code, a.description, hu.name, "            \
    "a.created_at, a.updated_at, a.due_at, a.address, lu.code, a.lat, a.lon, o.media_url, "        \
    "coalesce(o.client_id, 0) FROM appeals a JOIN categories c ON c.id = a.category_id LEFT "      \
    "JOIN categories cp ON cp.id = c.parent_id JOIN units hu ON hu.id = a.handler_unit_id JOIN "   \
    "units lu ON lu.id = a.unit_id LEFT JOIN open311_requests o ON o.appeal_id = a.id"

/* Whom a request is shown to: everyone when its category (and the
 * category's parent) is public, else only the client that filed it (?8,
 * NULL for an anonymous caller). Needs c, cp and o joined as above. */
#define VISIBLE_SQL "((c.is_public = 1 AND coalesce(cp.is_public, 1) = 1) OR o.client_id = ?8)"

static json_t *request_row(struct sq_stmt *st, int64_t client_id)
{
    bool own = client_id && sq_col_int64(st, 15) == client_id;
    const char *status = sq_db_col_text(st, 1);
    const char *reply = sq_db_col_text(st, 2);
    char notes[1200];
    bool closed = !strcmp(o311_status(status), "closed");
    snprintf(notes, sizeof notes, "%s: %s%s%.1000s", status, o311_status_label(status),
             own && closed && *reply ? " — " : "", own && closed ? reply : "");
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "service_request_id", sq_db_col_text(st, 0),
                          "status", o311_status(status), "status_notes", notes, "service_name",
                          sq_db_col_text(st, 3), "service_code", sq_db_col_text(st, 4));
    json_object_set_new(o, "description", text_or_null(st, 5, own));
    json_object_set_new(o, "agency_responsible", json_string(sq_db_col_text(st, 6)));
    json_object_set_new(o, "service_notice", json_null());
    json_object_set_new(o, "requested_datetime", time_or_null(st, 7));
    json_object_set_new(o, "updated_datetime", time_or_null(st, 8));
    json_object_set_new(o, "expected_datetime", time_or_null(st, 9));
    json_object_set_new(o, "address", text_or_null(st, 10, own));
    json_object_set_new(o, "address_id", json_string(sq_db_col_text(st, 11)));
    json_object_set_new(o, "zipcode", json_null());
    bool geo = own && !sq_col_is_null(st, 12);
    json_object_set_new(o, "lat", geo ? json_real(sq_col_double(st, 12)) : json_null());
    json_object_set_new(o, "long", geo ? json_real(sq_col_double(st, 13)) : json_null());
    json_object_set_new(o, "media_url", text_or_null(st, 14, own));
    return o;
}

static void bind_page(struct sq_stmt *st, int idx, const struct o311_query *q)
{
    sq_bind_int(st, idx, q->page_size);
    sq_bind_int64(st, idx + 1, (int64_t)(q->page - 1) * q->page_size);
}

json_t *open311_store_requests(const struct o311_query *q, struct sq_detail *d)
{
    char sql[1500];
    if (q->ids_json)
        snprintf(sql, sizeof sql,
                 REQUEST_SQL
                 " WHERE a.tracking_no IN (SELECT value FROM json_each(?1)) AND " VISIBLE_SQL
                 " ORDER BY a.created_at DESC, a.id DESC LIMIT ?6 "
                 "OFFSET ?7");
    else
        snprintf(sql, sizeof sql,
                 REQUEST_SQL " WHERE a.created_at >= ?2 AND a.created_at <= ?3%s%s AND " VISIBLE_SQL
                             " ORDER BY a.created_at DESC, a.id DESC LIMIT ?6 "
                             "OFFSET ?7",
                 q->codes_json ? " AND c.code IN (SELECT value FROM json_each(?4))" : "",
                 q->statuses_json ? " AND a.status IN (SELECT value FROM json_each(?5))" : "");
    struct sq_stmt *st = sq_db_stmt(sql);
    if (!st) {
        sq_fail(d, SQ_EDB, NULL, "database error");
        return NULL;
    }
    if (q->ids_json)
        sq_bind_text(st, 1, q->ids_json);
    sq_bind_int64(st, 2, q->start);
    sq_bind_int64(st, 3, q->end);
    if (q->codes_json)
        sq_bind_text(st, 4, q->codes_json);
    if (q->statuses_json)
        sq_bind_text(st, 5, q->statuses_json);
    bind_page(st, 6, q);
    sq_db_bind_id(st, 8, q->client_id);
    json_t *items = json_array();
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW)
        json_array_append_new(items, request_row(st, q->client_id));
    sq_db_reset(st);
    if (rc != SQ_DONE) {
        json_decref(items);
        sq_db_last_error(d);
        return NULL;
    }
    return items;
}

/* ---- the update feed ---- */

static const char *const action_labels[][2] = {
    {"submit", "已受理登记"}, {"accept", "已签收"}, {"transfer", "已转办"},
    {"return", "已退回派单"}, {"reply", "已答复"},  {"resolve", "已办结"},
    {"reject", "不予受理"},   {"suspend", "挂起"},  {"resume", "恢复办理"},
    {"merge", "合并办理"},    {"rate", "已评价"},   {"reopen", "重办"},
    {"escalate", "已督办"},   {"close", "已关闭"},  {"overdue", "已超期"},
};

json_t *open311_store_updates(const struct o311_query *q, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "SELECT e.id, a.tracking_no, e.action, coalesce(e.to_status, a.status), e.note, "
        "e.created_at, coalesce(o.client_id, 0), o.media_url FROM appeal_events e JOIN appeals a "
        "ON a.id = e.appeal_id JOIN categories c ON c.id = a.category_id LEFT JOIN categories cp "
        "ON cp.id = c.parent_id LEFT JOIN open311_requests o ON o.appeal_id = a.id WHERE "
        "e.created_at >= ?2 AND e.created_at <= ?3 AND e.action IN ('submit', 'accept', "
        "'transfer', 'return', 'reply', 'resolve', 'reject', 'suspend', 'resume', 'merge', "
        "'rate', 'reopen', 'escalate', 'close', 'overdue') AND " VISIBLE_SQL " ORDER BY "
        "e.created_at, e.id LIMIT ?6 OFFSET ?7");
    if (!st) {
        sq_fail(d, SQ_EDB, NULL, "database error");
        return NULL;
    }
    sq_bind_int64(st, 2, q->start);
    sq_bind_int64(st, 3, q->end);
    bind_page(st, 6, q);
    sq_db_bind_id(st, 8, q->client_id);
    json_t *items = json_array();
    int rc;
    while ((rc = sq_step(st)) == SQ_ROW) {
        const char *action = sq_db_col_text(st, 2), *label = action;
        for (size_t i = 0; i < sizeof action_labels / sizeof action_labels[0]; i++)
            if (!strcmp(action, action_labels[i][0]))
                label = action_labels[i][1];
        bool own = q->client_id && sq_col_int64(st, 6) == q->client_id;
        bool public_note =
            !strcmp(action, "reply") || !strcmp(action, "resolve") || !strcmp(action, "reject");
        const char *note = sq_db_col_text(st, 4);
        char desc[1200], id[24];
        snprintf(desc, sizeof desc, "%s%s%.1000s", label, own && public_note && *note ? "：" : "",
                 own && public_note ? note : "");
        snprintf(id, sizeof id, "%lld", (long long)sq_col_int64(st, 0));
        json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "update_id", id, "service_request_id",
                              sq_db_col_text(st, 1), "status", o311_status(sq_db_col_text(st, 3)),
                              "updated_datetime", time_or_null(st, 5), "description", desc);
        json_object_set_new(o, "media_url", text_or_null(st, 7, own && !strcmp(action, "submit")));
        json_array_append_new(items, o);
    }
    sq_db_reset(st);
    if (rc != SQ_DONE) {
        json_decref(items);
        sq_db_last_error(d);
        return NULL;
    }
    return items;
}
