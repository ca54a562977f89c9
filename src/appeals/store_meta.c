/*
 * appeals meta store: SQL for categories, SLA policies and routing rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/meta.h"
#include "core/clock.h"
#include "core/db.h"

#define CAT_COLS                                                                                   \
    "c.id, c.parent_id, c.code, c.name, c.kind, c.urgency, c.response_hours, c.resolve_days, "     \
    "c.default_unit_id, c.active, c.sort, p.default_unit_id, c.is_public, "                        \
    "coalesce(p.is_public, 1)"

enum sq_err appeals_store_category(int64_t id, struct sq_category *c, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " CAT_COLS " FROM categories c LEFT JOIN categories p "
                                    "ON p.id = c.parent_id WHERE c.id = ?");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_int64(st, 1, id);
    if (sq_step(st) != SQ_ROW) {
        sq_db_reset(st);
        return sq_fail(d, SQ_ENOTFOUND, "category_id", "no category with id %lld", (long long)id);
    }
    memset(c, 0, sizeof *c);
    c->id = sq_col_int64(st, 0);
    c->parent_id = sq_col_int64(st, 1);
    snprintf(c->code, sizeof c->code, "%s", sq_db_col_text(st, 2));
    snprintf(c->name, sizeof c->name, "%s", sq_db_col_text(st, 3));
    snprintf(c->kind, sizeof c->kind, "%s", sq_db_col_text(st, 4));
    snprintf(c->urgency, sizeof c->urgency, "%s", sq_db_col_text(st, 5));
    c->response_hours = sq_col_int(st, 6);
    c->resolve_days = sq_col_int(st, 7);
    c->default_unit_id = sq_col_int64(st, 8);
    c->active = sq_col_int(st, 9);
    c->parent_default_unit_id = sq_col_int64(st, 11);
    c->is_public = sq_col_int(st, 12);
    c->parent_is_public = sq_col_int(st, 13);
    sq_db_reset(st);
    return SQ_OK;
}

static json_t *cat_row(struct sq_stmt *st)
{
    json_t *o = json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:b,s:i}", "id", (json_int_t)sq_col_int64(st, 0), "code",
        sq_db_col_text(st, 2), "name", sq_db_col_text(st, 3), "kind", sq_db_col_text(st, 4),
        "urgency", sq_db_col_text(st, 5), "response_hours", sq_col_int(st, 6), "resolve_days",
        sq_col_int(st, 7), "active", sq_col_int(st, 9), "sort", sq_col_int(st, 10));
    json_object_set_new(o, "parent_id", sq_db_col_id_json(st, 1));
    json_object_set_new(o, "default_unit_id", sq_db_col_id_json(st, 8));
    json_object_set_new(o, "is_public", json_boolean(sq_col_int(st, 12)));
    return o;
}

json_t *appeals_store_category_json(int64_t id)
{
    return sq_db_get_json("SELECT " CAT_COLS " FROM categories c LEFT JOIN categories p ON p.id = "
                          "c.parent_id WHERE c.id = ?",
                          id, cat_row);
}

json_t *appeals_store_categories_json(bool include_inactive)
{
    struct sq_stmt *st = sq_db_stmt("SELECT " CAT_COLS " FROM categories c LEFT JOIN categories p "
                                    "ON p.id = c.parent_id WHERE (?1 = 1 OR c.active = 1) ORDER BY "
                                    "c.parent_id IS NOT NULL, c.sort, c.id");
    json_t *roots = json_array();
    if (!st)
        return roots;
    sq_bind_int(st, 1, include_inactive);
    while (sq_step(st) == SQ_ROW) {
        json_t *o = cat_row(st);
        if (sq_col_is_null(st, 1)) {
            json_object_set_new(o, "children", json_array());
            json_array_append_new(roots, o);
            continue;
        }
        int64_t pid = sq_col_int64(st, 1);
        size_t i;
        json_t *root;
        bool placed = false;
        json_array_foreach(roots, i, root)
        {
            if (json_integer_value(json_object_get(root, "id")) == pid) {
                json_array_append(json_object_get(root, "children"), o);
                placed = true;
                break;
            }
        }
        (void)placed; /* children of an inactive parent are left out with it */
        json_decref(o);
    }
    sq_db_reset(st);
    return roots;
}

static void bind_opt_int(struct sq_stmt *st, int i, json_t *in, const char *key)
{
    json_t *v = json_object_get(in, key);
    if (json_is_integer(v))
        sq_bind_int64(st, i, json_integer_value(v));
    else
        sq_bind_null(st, i);
}

enum sq_err appeals_store_category_create(json_t *in, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO categories(parent_id, code, name, kind, urgency, response_hours, "
        "resolve_days, default_unit_id, active, sort, is_public) VALUES "
        "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,coalesce(?11, (SELECT is_public FROM categories WHERE "
        "id = ?1), 1)) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_opt_int(st, 1, in, "parent_id");
    sq_db_bind_text(st, 2, sq_json_str(in, "code", NULL));
    sq_db_bind_text(st, 3, sq_json_str(in, "name", NULL));
    sq_db_bind_text(st, 4, sq_json_str(in, "kind", NULL));
    sq_db_bind_text(st, 5, sq_json_str(in, "urgency", "normal"));
    sq_bind_int64(st, 6, sq_json_int(in, "response_hours", 8));
    sq_bind_int64(st, 7, sq_json_int(in, "resolve_days", 5));
    bind_opt_int(st, 8, in, "default_unit_id");
    sq_bind_int(st, 9, sq_json_bool(in, "active", true));
    sq_bind_int64(st, 10, sq_json_int(in, "sort", 0));
    /* not given: a child inherits its parent's flag, a top level is public */
    if (json_is_boolean(json_object_get(in, "is_public")))
        sq_bind_int(st, 11, sq_json_bool(in, "is_public", true));
    enum sq_err e = sq_db_exec_id(st, id, d);
    if (e == SQ_ECONFLICT)
        return sq_fail(d, SQ_ECONFLICT, "code", "a category with this code exists");
    return e;
}

enum sq_err appeals_store_category_update(int64_t id, json_t *in, struct sq_detail *d)
{
    static const char *const cols[] = {"code",         "name",
                                       "urgency",      "response_hours",
                                       "resolve_days", "default_unit_id",
                                       "active",       "sort",
                                       "is_public",    NULL};
    enum sq_err e;
    if ((e = sq_db_begin(d)))
        return e;
    if ((e = sq_db_update_fields("categories", id, in, cols, NULL, 0, d))) {
        sq_db_rollback();
        return e == SQ_ECONFLICT
                   ? sq_fail(d, SQ_ECONFLICT, "code", "a category with this code exists")
                   : e;
    }
    if (json_is_false(json_object_get(in, "is_public"))) {
        /* a child is public only under a public parent */
        struct sq_stmt *st = sq_db_stmt("UPDATE categories SET is_public = 0 WHERE parent_id = ?");
        if (!st) {
            sq_db_rollback();
            return sq_fail(d, SQ_EDB, NULL, "database error");
        }
        sq_bind_int64(st, 1, id);
        if ((e = sq_db_exec_stmt(st, d))) {
            sq_db_rollback();
            return e;
        }
    }
    return sq_db_commit(d);
}

void appeals_store_sla(const struct sq_category *c, const char *urgency, struct sq_sla *sla)
{
    sla->response_hours = c->response_hours > 0 ? c->response_hours : 8;
    sla->resolve_days = c->resolve_days > 0 ? c->resolve_days : 5;
    struct sq_stmt *st = sq_db_stmt(
        "SELECT response_hours, resolve_days FROM sla_policies WHERE urgency = ?1 AND "
        "(category_id = ?2 OR category_id = ?3 OR category_id IS NULL) ORDER BY category_id = "
        "?2 DESC, category_id = ?3 DESC LIMIT 1");
    if (!st)
        return;
    sq_bind_text(st, 1, urgency);
    sq_bind_int64(st, 2, c->id);
    sq_bind_int64(st, 3, c->parent_id);
    if (sq_step(st) == SQ_ROW) {
        int rh = sq_col_int(st, 0), rd = sq_col_int(st, 1);
        /* a policy only tightens limits for urgent cases: it never loosens
         * a category that is stricter already */
        if (strcmp(urgency, "normal")) {
            sla->response_hours = rh < sla->response_hours ? rh : sla->response_hours;
            sla->resolve_days = rd < sla->resolve_days ? rd : sla->resolve_days;
        } else {
            sla->response_hours = rh;
            sla->resolve_days = rd;
        }
    }
    sq_db_reset(st);
}

json_t *appeals_store_sla_json(void)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT s.id, s.category_id, c.name, s.urgency, "
                   "s.response_hours, s.resolve_days FROM sla_policies s LEFT JOIN "
                   "categories c ON c.id = s.category_id ORDER BY s.id");
    json_t *a = json_array();
    if (!st)
        return a;
    while (sq_step(st) == SQ_ROW) {
        json_t *o = json_pack("{s:I,s:s,s:i,s:i}", "id", (json_int_t)sq_col_int64(st, 0), "urgency",
                              sq_db_col_text(st, 3), "response_hours", sq_col_int(st, 4),
                              "resolve_days", sq_col_int(st, 5));
        json_object_set_new(o, "category_id", sq_db_col_id_json(st, 1));
        sq_json_set_str(o, "category_name", sq_db_col_text(st, 2));
        json_array_append_new(a, o);
    }
    sq_db_reset(st);
    return a;
}

enum sq_err appeals_store_sla_put(int64_t category_id, const char *urgency, int response_hours,
                                  int resolve_days, struct sq_detail *d)
{
    enum sq_err e;
    /* UNIQUE(category_id, urgency) does not catch NULL category: delete first */
    if ((e = sq_db_begin(d)))
        return e;
    struct sq_stmt *st = sq_db_stmt("DELETE FROM sla_policies WHERE urgency = ?2 AND "
                                    "category_id IS NOT DISTINCT FROM CAST(?1 AS BIGINT)");
    sq_db_bind_id(st, 1, category_id);
    sq_bind_text(st, 2, urgency);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    st = sq_db_stmt("INSERT INTO sla_policies(category_id, urgency, response_hours, "
                    "resolve_days) VALUES (?,?,?,?)");
    sq_db_bind_id(st, 1, category_id);
    sq_bind_text(st, 2, urgency);
    sq_bind_int(st, 3, response_hours);
    sq_bind_int(st, 4, resolve_days);
    if ((e = sq_db_exec_stmt(st, d)))
        goto fail;
    return sq_db_commit(d);
fail:
    sq_db_rollback();
    return e;
}

enum sq_err appeals_store_sla_delete(int64_t id, struct sq_detail *d)
{
    return sq_db_delete_id("sla_policies", id, "SLA policy", d);
}

int appeals_store_rules(struct sq_routing_rule **rules)
{
    struct sq_stmt *st =
        sq_db_stmt("SELECT r.id, r.category_id, r.location_unit_id, coalesce(u.path, ''), "
                   "r.handler_unit_id, r.priority FROM routing_rules r LEFT JOIN units u ON u.id = "
                   "r.location_unit_id WHERE r.active = 1 ORDER BY r.priority, r.id");
    int n = 0, cap = 16;
    *rules = calloc((size_t)cap, sizeof **rules);
    if (!st || !*rules)
        return 0;
    while (sq_step(st) == SQ_ROW) {
        if (n == cap) {
            cap *= 2;
            struct sq_routing_rule *nr = realloc(*rules, (size_t)cap * sizeof **rules);
            if (!nr)
                break;
            *rules = nr;
        }
        struct sq_routing_rule *r = &(*rules)[n++];
        r->id = sq_col_int64(st, 0);
        r->category_id = sq_col_int64(st, 1);
        r->location_unit_id = sq_col_int64(st, 2);
        snprintf(r->location_path, sizeof r->location_path, "%s", sq_db_col_text(st, 3));
        r->handler_unit_id = sq_col_int64(st, 4);
        r->priority = sq_col_int(st, 5);
    }
    sq_db_reset(st);
    return n;
}

#define RULE_SQL                                                                                   \
    "SELECT r.id, r.category_id, c.name, r.location_unit_id, lu.name, r.handler_unit_id, "         \
    "hu.name, r.priority, r.active, r.note FROM routing_rules r LEFT JOIN categories c ON c.id "   \
    "= r.category_id LEFT JOIN units lu ON lu.id = r.location_unit_id JOIN units hu ON hu.id = "   \
    "r.handler_unit_id"

static json_t *rule_row(struct sq_stmt *st)
{
    json_t *o =
        json_pack("{s:I,s:I,s:s,s:i,s:b}", "id", (json_int_t)sq_col_int64(st, 0), "handler_unit_id",
                  (json_int_t)sq_col_int64(st, 5), "handler_unit_name", sq_db_col_text(st, 6),
                  "priority", sq_col_int(st, 7), "active", sq_col_int(st, 8));
    json_object_set_new(o, "category_id", sq_db_col_id_json(st, 1));
    sq_json_set_str(o, "category_name", sq_db_col_text(st, 2));
    json_object_set_new(o, "location_unit_id", sq_db_col_id_json(st, 3));
    sq_json_set_str(o, "location_unit_name", sq_db_col_text(st, 4));
    sq_json_set_str(o, "note", sq_db_col_text(st, 9));
    return o;
}

json_t *appeals_store_rules_json(void)
{
    return sq_db_list_json(RULE_SQL " ORDER BY r.priority, r.id", rule_row);
}

json_t *appeals_store_rule_json(int64_t id)
{
    return sq_db_get_json(RULE_SQL " WHERE r.id = ?", id, rule_row);
}

enum sq_err appeals_store_rule_create(json_t *in, int64_t *id, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO routing_rules(category_id, location_unit_id, "
                                    "handler_unit_id, priority, active, note, created_at) VALUES "
                                    "(?,?,?,?,?,?,?) RETURNING id");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    bind_opt_int(st, 1, in, "category_id");
    bind_opt_int(st, 2, in, "location_unit_id");
    sq_bind_int64(st, 3, sq_json_int(in, "handler_unit_id", 0));
    sq_bind_int64(st, 4, sq_json_int(in, "priority", 100));
    sq_bind_int(st, 5, sq_json_bool(in, "active", true));
    sq_db_bind_text(st, 6, sq_json_str(in, "note", NULL));
    sq_bind_int64(st, 7, sq_clock_now());
    enum sq_err e = sq_db_exec_id(st, id, d);
    return e;
}

enum sq_err appeals_store_rule_update(int64_t id, json_t *in, struct sq_detail *d)
{
    static const char *const cols[] = {
        "category_id", "location_unit_id", "handler_unit_id", "priority", "active", "note", NULL};
    return sq_db_update_fields("routing_rules", id, in, cols, NULL, 0, d);
}

enum sq_err appeals_store_rule_delete(int64_t id, struct sq_detail *d)
{
    return sq_db_delete_id("routing_rules", id, "routing rule", d);
}
