/*
 * appeals meta api: the district's settings for intake — categories, SLA
 * policies, routing rules. Read by everyone who files or handles appeals,
 * changed by district admins only (the route permission says so), each
 * change audited. A category's is_public says whether its appeals may show
 * in public lists and feeds (Open311); a child is public only under a
 * public parent, and making a parent not public makes its children so.
 */
#include <string.h>

#include "appeals/meta.h"
#include "audit/audit.h"
#include "core/events.h"
#include "core/http.h"
#include "core/json.h"
#include "units/units.h"

/* The appeal statuses and what they mean, from the rules (rules.h): the web
 * reads which are open and which are done here instead of keeping copies. */
static int appeal_statuses(struct sq_req *r)
{
    json_t *all = json_array(), *open = json_array(), *done = json_array();
    for (int s = 0; s < SQ_AS__MAX; s++) {
        json_array_append_new(all, json_string(sq_appeal_status_name(s)));
        if (sq_appeal_status_open(s))
            json_array_append_new(open, json_string(sq_appeal_status_name(s)));
        if (sq_appeal_status_done(s))
            json_array_append_new(done, json_string(sq_appeal_status_name(s)));
    }
    return sq_reply_json(
        r, 200,
        json_pack("{s:o,s:o,s:o}", "statuses", all, "open_statuses", open, "done_statuses", done));
}

static const char *const cat_kinds[] = {"livelihood", "enterprise", NULL};

static int categories_list(struct sq_req *r)
{
    const char *all = sq_req_query(r, "all");
    json_t *items = appeals_store_categories_json(all && !strcmp(all, "1"));
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field cat_create[] = {
    {.name = "code", .type = SQ_F_STR, .required = true, .min = 1, .max = 16},
    {.name = "name", .type = SQ_F_STR, .required = true, .min = 1, .max = 50},
    {.name = "kind", .type = SQ_F_ENUM, .required = true, .choices = cat_kinds},
    {.name = "parent_id", .type = SQ_F_ID, .nullable = true},
    {.name = "urgency", .type = SQ_F_ENUM, .choices = sq_appeal_urgencies},
    {.name = "response_hours", .type = SQ_F_INT, .min = 1, .max = 240},
    {.name = "resolve_days", .type = SQ_F_INT, .min = 1, .max = 90},
    {.name = "default_unit_id", .type = SQ_F_ID, .nullable = true},
    {.name = "active", .type = SQ_F_BOOL},
    {.name = "sort", .type = SQ_F_INT, .min = 0, .max = 100000},
    {.name = "is_public", .type = SQ_F_BOOL},
    {0},
};

static const struct sq_field cat_update[] = {
    {.name = "code", .type = SQ_F_STR, .min = 1, .max = 16},
    {.name = "name", .type = SQ_F_STR, .min = 1, .max = 50},
    {.name = "urgency", .type = SQ_F_ENUM, .choices = sq_appeal_urgencies},
    {.name = "response_hours", .type = SQ_F_INT, .min = 1, .max = 240},
    {.name = "resolve_days", .type = SQ_F_INT, .min = 1, .max = 90},
    {.name = "default_unit_id", .type = SQ_F_ID, .nullable = true},
    {.name = "active", .type = SQ_F_BOOL},
    {.name = "sort", .type = SQ_F_INT, .min = 0, .max = 100000},
    {.name = "is_public", .type = SQ_F_BOOL},
    {0},
};

/* A category is public only under a public parent: its appeals would
 * otherwise show in public lists while the class they belong to does not. */
static int check_public(struct sq_req *r, bool parent_public)
{
    if (!parent_public && json_is_true(json_object_get(r->json, "is_public")))
        return sq_reply_errf(
            r, SQ_EINVAL, "is_public",
            "上级分类不公开，子分类也不能公开 / the parent category is not public, "
            "so this one cannot be public either");
    return 0;
}

static int check_unit(struct sq_req *r, const char *field)
{
    struct sq_unit u;
    json_t *v = json_object_get(r->json, field);
    if (!json_is_integer(v))
        return 0;
    if (units_store_get(json_integer_value(v), &u, NULL) || u.archived)
        return sq_reply_errf(r, SQ_EINVAL, field, "%s must be an active unit", field);
    return 0;
}

static int categories_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_category parent;
    int64_t id = 0;
    int st;
    enum sq_err e = sq_validate(r->json, cat_create, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if ((st = check_unit(r, "default_unit_id")))
        return st;
    int64_t pid = sq_json_int(r->json, "parent_id", 0);
    if (pid) {
        if (appeals_store_category(pid, &parent, &d))
            return sq_reply_errf(r, SQ_EINVAL, "parent_id", "no such parent category");
        if (parent.parent_id)
            return sq_reply_errf(r, SQ_EINVAL, "parent_id", "categories have two levels only");
        if (strcmp(parent.kind, sq_json_str(r->json, "kind", "")))
            return sq_reply_errf(r, SQ_EINVAL, "kind", "a child has its parent's kind (%s)",
                                 parent.kind);
        if ((st = check_public(r, parent.is_public)))
            return st;
    }
    if ((e = appeals_store_category_create(r->json, &id, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "category_create", "category", id, r->ip, r->json);
    return sq_reply_json(r, 201, appeals_store_category_json(id));
}

static int categories_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_category c;
    int st;
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = sq_validate(r->json, cat_update, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if (!id || appeals_store_category(id, &c, &d))
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such category");
    if ((st = check_unit(r, "default_unit_id")) || (st = check_public(r, c.parent_is_public)))
        return st;
    if ((e = appeals_store_category_update(id, r->json, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "category_update", "category", id, r->ip, r->json);
    return sq_reply_json(r, 200, appeals_store_category_json(id));
}

/* ---- SLA ---- */

static int sla_list(struct sq_req *r)
{
    json_t *items = appeals_store_sla_json();
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field sla_fields[] = {
    {.name = "category_id", .type = SQ_F_ID, .nullable = true},
    {.name = "urgency", .type = SQ_F_ENUM, .required = true, .choices = sq_appeal_urgencies},
    {.name = "response_hours", .type = SQ_F_INT, .required = true, .min = 1, .max = 240},
    {.name = "resolve_days", .type = SQ_F_INT, .required = true, .min = 1, .max = 90},
    {0},
};

static int sla_put(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_category c;
    enum sq_err e = sq_validate(r->json, sla_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int64_t cid = sq_json_int(r->json, "category_id", 0);
    if (cid && appeals_store_category(cid, &c, &d))
        return sq_reply_errf(r, SQ_EINVAL, "category_id", "no such category");
    if ((e = appeals_store_sla_put(cid, sq_json_str(r->json, "urgency", "normal"),
                                   (int)sq_json_int(r->json, "response_hours", 8),
                                   (int)sq_json_int(r->json, "resolve_days", 5), &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "sla_put", "sla", cid, r->ip, r->json);
    return sla_list(r);
}

static int sla_delete(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = appeals_store_sla_delete(id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "sla_delete", "sla", id, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- routing rules ---- */

static int rules_list(struct sq_req *r)
{
    json_t *items = appeals_store_rules_json();
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field rule_fields[] = {
    {.name = "category_id", .type = SQ_F_ID, .nullable = true},
    {.name = "location_unit_id", .type = SQ_F_ID, .nullable = true},
    {.name = "handler_unit_id", .type = SQ_F_ID, .required = true},
    {.name = "priority", .type = SQ_F_INT, .min = 0, .max = 100000},
    {.name = "active", .type = SQ_F_BOOL},
    {.name = "note", .type = SQ_F_STR, .max = 200, .nullable = true},
    {0},
};

static const struct sq_field rule_update_fields[] = {
    {.name = "category_id", .type = SQ_F_ID, .nullable = true},
    {.name = "location_unit_id", .type = SQ_F_ID, .nullable = true},
    {.name = "handler_unit_id", .type = SQ_F_ID},
    {.name = "priority", .type = SQ_F_INT, .min = 0, .max = 100000},
    {.name = "active", .type = SQ_F_BOOL},
    {.name = "note", .type = SQ_F_STR, .max = 200, .nullable = true},
    {0},
};

static int check_rule_refs(struct sq_req *r)
{
    struct sq_category c;
    int st;
    json_t *cid = json_object_get(r->json, "category_id");
    if (json_is_integer(cid) && appeals_store_category(json_integer_value(cid), &c, NULL))
        return sq_reply_errf(r, SQ_EINVAL, "category_id", "no such category");
    if ((st = check_unit(r, "location_unit_id")) || (st = check_unit(r, "handler_unit_id")))
        return st;
    return 0;
}

static int rules_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = 0;
    int st;
    enum sq_err e = sq_validate(r->json, rule_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if ((st = check_rule_refs(r)))
        return st;
    if ((e = appeals_store_rule_create(r->json, &id, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "routing_rule_create", "routing_rule", id, r->ip, r->json);
    return sq_reply_json(r, 201, appeals_store_rule_json(id));
}

static int rules_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    int st;
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = sq_validate(r->json, rule_update_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    json_t *cur = id ? appeals_store_rule_json(id) : NULL;
    if (!cur)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such routing rule");
    json_decref(cur);
    if ((st = check_rule_refs(r)))
        return st;
    if ((e = appeals_store_rule_update(id, r->json, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "routing_rule_update", "routing_rule", id, r->ip, r->json);
    return sq_reply_json(r, 200, appeals_store_rule_json(id));
}

static int rules_delete(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = appeals_store_rule_delete(id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "routing_rule_delete", "routing_rule", id, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static const struct sq_query categories_query[] = {
    {.name = "all", .type = SQ_Q_STR, .desc = "1: archived categories too"},
    {0},
};

static const struct sq_query rules_query[] = {
    SQ_QUERY_PAGE, /* the UI pages every list; the rules come in one page */
    {0},
};

/* ---- enumerations ---- */

static json_t *names_json(const char *const *names)
{
    json_t *a = json_array();
    for (int i = 0; names[i]; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

static void add_event_type(const struct sq_event_type *t, void *ctx)
{
    json_array_append_new(ctx, json_string(t->name));
}

/* The other lists the UI would otherwise copy (the statuses are GET
 * /appeal-statuses): appeal kinds, urgencies, channels, category kinds, unit
 * kinds with the kind their parent must have, zones, roles in the order they
 * may hand each other out, and the declared event types (what a webhook may
 * subscribe to). Names only: labels are the UI's. Built from the C tables,
 * no SQL. */
static int meta_enums(struct sq_req *r)
{
    json_t *units = json_array(), *roles = json_array(), *events = json_array();
    sq_event_types_each(add_event_type, events);
    for (int k = 0; sq_unit_kinds[k]; k++) {
        int pk = sq_unit_parent_kind(k);
        json_array_append_new(units,
                              json_pack("{s:s,s:o}", "name", sq_unit_kinds[k], "parent",
                                        pk < 0 ? json_null() : json_string(sq_unit_kinds[pk])));
    }
    for (int i = 0; i < SQ_ROLE__MAX; i++)
        json_array_append_new(
            roles, json_pack("{s:s,s:i}", "name", sq_role_name(i), "rank", sq_role_rank(i)));
    json_t *out = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "appeal_kinds", names_json(sq_appeal_kinds),
        "urgencies", names_json(sq_appeal_urgencies), "channels", names_json(sq_appeal_channels),
        "category_kinds", names_json(cat_kinds), "unit_kinds", units, "zones",
        names_json(sq_unit_zones), "roles", roles, "event_types", events);
    return sq_reply_json(r, 200, out);
}

const struct sq_route appeals_meta_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/meta/enums",
     .fn = meta_enums,
     .perm = SQ_PERM_PUBLIC,
     .summary = "appeal kinds, urgencies, channels, unit kinds, zones, roles, event types"},
    {.method = "GET",
     .pattern = "/api/v1/appeal-statuses",
     .fn = appeal_statuses,
     .perm = SQ_PERM_PUBLIC,
     .summary = "the appeal statuses: all, open, done"},
    {.method = "GET",
     .pattern = "/api/v1/categories",
     .query = categories_query,
     .fn = categories_list,
     .perm = SQ_PERM_PUBLIC,
     .summary = "the category tree (all=1 includes inactive)"},
    {.method = "POST",
     .pattern = "/api/v1/categories",
     .body = cat_create,
     .fn = categories_create,
     .perm = SQ_PERM_ADMIN,
     .summary = "create a category"},
    {.method = "PATCH",
     .pattern = "/api/v1/categories/:id",
     .body = cat_update,
     .fn = categories_update,
     .perm = SQ_PERM_ADMIN,
     .summary = "update a category"},
    {.method = "GET",
     .pattern = "/api/v1/sla",
     .fn = sla_list,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "SLA policies"},
    {.method = "PUT",
     .pattern = "/api/v1/sla",
     .body = sla_fields,
     .fn = sla_put,
     .perm = SQ_PERM_ADMIN,
     .summary = "set an SLA policy"},
    {.method = "DELETE",
     .pattern = "/api/v1/sla/:id",
     .fn = sla_delete,
     .perm = SQ_PERM_ADMIN,
     .summary = "remove an SLA policy"},
    {.method = "GET",
     .pattern = "/api/v1/routing-rules",
     .query = rules_query,
     .fn = rules_list,
     .perm = SQ_PERM_APPEAL_HANDLE,
     .summary = "routing rules"},
    {.method = "POST",
     .pattern = "/api/v1/routing-rules",
     .body = rule_fields,
     .fn = rules_create,
     .perm = SQ_PERM_ADMIN,
     .summary = "create a routing rule"},
    {.method = "PATCH",
     .pattern = "/api/v1/routing-rules/:id",
     .body = rule_update_fields,
     .fn = rules_update,
     .perm = SQ_PERM_ADMIN,
     .summary = "update a routing rule"},
    {.method = "DELETE",
     .pattern = "/api/v1/routing-rules/:id",
     .fn = rules_delete,
     .perm = SQ_PERM_ADMIN,
     .summary = "delete a routing rule"},
    {0},
};
