/*
 * units api: HTTP handlers for /api/v1/units. Each handler: parse + validate
 * -> authorise against the unit's path -> call store -> reply.
 *
 * Reading: district admins and auditors see every unit; other staff see the
 * subtrees of their grants plus the ancestors of their units (a community
 * handler sees its street, never a sibling community). The directory
 * (/units/directory) is the public minimal tree used by intake pickers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/http.h"
#include "core/json.h"
#include "units/units.h"

/* sort names; the store turns them into ORDER BY */
static const char *const sort_names[] = {"name", "-name",      "code",        "-code", "id",
                                         "-id",  "created_at", "-created_at", "path",  NULL};

static const char *sort_name(const char *s)
{
    if (!s)
        return "id";
    for (size_t i = 0; sort_names[i]; i++)
        if (!strcmp(sort_names[i], s))
            return sort_names[i];
    return "id";
}

/* May u read unit x: inside a granted subtree, or an ancestor of a grant. */
static bool may_read(const struct sq_user *u, const struct sq_unit *x)
{
    if (sq_may(u, SQ_PERM_UNIT_READ, x->path))
        return true;
    for (int i = 0; i < u->ngrants; i++)
        if (sq_role_has(u->grants[i].role, SQ_PERM_UNIT_READ) &&
            !strncmp(u->grants[i].unit_path, x->path, strlen(x->path)))
            return true;
    return false;
}

static int load_unit(struct sq_req *r, struct sq_unit *x)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e =
        id ? units_store_get(id, x, &d) : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such unit");
    if (e)
        return sq_reply_err(r, e, &d);
    if (!may_read(r->user, x))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "this unit is outside your units");
    return 0;
}

static int list_common(struct sq_req *r, bool directory)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_unit_filter f = {0};
    const char *scope[SQ_MAX_GRANTS];
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    /* the query was checked against list_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    f.kind = sq_req_query(r, "kind");
    f.zone = sq_req_query(r, "zone");
    f.q = sq_req_query(r, "q");
    f.parent_id = sq_query_int(r, "parent", 0);
    const char *arch = sq_req_query(r, "archived");
    f.archived = !arch                                         ? 0
                 : !strcmp(arch, "1") || !strcmp(arch, "true") ? 1
                 : !strcmp(arch, "all")                        ? -1
                                                               : 0;
    f.sort = sort_name(sq_req_query(r, "sort")); /* checked by the router */
    f.directory = directory;
    if (directory) {
        f.archived = 0;
        if (!f.parent_id && !f.kind && !f.q)
            f.kind = "district";
    } else if (!sq_may_all(r->user, SQ_PERM_UNIT_READ)) {
        f.nscope = sq_scope_paths(r->user, SQ_PERM_UNIT_READ, scope, SQ_MAX_GRANTS);
        f.scope_paths = scope;
    }
    enum sq_err e = units_store_list(&f, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, items, total, sq_page_next(&pg, total, next));
}

static int units_list(struct sq_req *r)
{
    return list_common(r, false);
}

static int units_directory(struct sq_req *r)
{
    return list_common(r, true);
}

static int units_get(struct sq_req *r)
{
    struct sq_unit x;
    int st = load_unit(r, &x);
    if (st)
        return st;
    json_t *o = units_store_get_json(x.id);
    return o ? sq_reply_json(r, 200, o) : sq_reply_errf(r, SQ_EDB, NULL, "unit vanished");
}

static int units_subtree(struct sq_req *r)
{
    struct sq_unit x;
    struct sq_detail d = {0};
    json_t *items = NULL;
    int st = load_unit(r, &x);
    if (st)
        return st;
    if (!sq_may(r->user, SQ_PERM_UNIT_READ, x.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "this subtree is outside your units");
    enum sq_err e = units_store_subtree(&x, &items, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static int units_ancestors(struct sq_req *r)
{
    struct sq_unit x;
    struct sq_detail d = {0};
    json_t *items = NULL;
    int st = load_unit(r, &x);
    if (st)
        return st;
    enum sq_err e = units_store_ancestors(&x, &items, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field create_fields[] = {
    {.name = "kind", .type = SQ_F_ENUM, .required = true, .choices = sq_unit_kinds},
    {.name = "code", .type = SQ_F_STR, .required = true, .min = 1, .max = 32},
    {.name = "name", .type = SQ_F_STR, .required = true, .min = 1, .max = 100},
    {.name = "parent_id", .type = SQ_F_ID, .required = true},
    {.name = "zone", .type = SQ_F_ENUM, .choices = sq_unit_zones},
    {.name = "address", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "contact", .type = SQ_F_STR, .max = 100, .nullable = true},
    {0},
};

static const struct sq_field update_fields[] = {
    {.name = "code", .type = SQ_F_STR, .min = 1, .max = 32},
    {.name = "name", .type = SQ_F_STR, .min = 1, .max = 100},
    {.name = "parent_id", .type = SQ_F_ID},
    {.name = "zone", .type = SQ_F_ENUM, .choices = sq_unit_zones},
    {.name = "address", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "contact", .type = SQ_F_STR, .max = 100, .nullable = true},
    {0},
};

static int units_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit parent;
    int64_t id = 0;
    enum sq_err e = sq_validate(r->json, create_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if (!sq_unit_code_valid(sq_json_str(r->json, "code", "")))
        return sq_reply_errf(r, SQ_EINVAL, "code", "code may use letters, digits, - and _ only");
    int kind = sq_unit_kind_parse(sq_json_str(r->json, "kind", ""));
    if ((e = units_store_get(sq_json_int(r->json, "parent_id", 0), &parent, &d))) {
        if (e == SQ_ENOTFOUND)
            d.field = "parent_id";
        return sq_reply_err(r, e == SQ_ENOTFOUND ? SQ_EINVAL : e, &d);
    }
    if (!sq_may(r->user, SQ_PERM_UNIT_WRITE, parent.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, "parent_id",
                             "you may only add units under units you administer");
    if (parent.archived)
        return sq_reply_errf(r, SQ_EINVAL, "parent_id", "the parent unit is archived");
    if ((e = sq_unit_check_parent(kind, parent.kind, &d)))
        return sq_reply_err(r, e, &d);
    if (!sq_json_has(r->json, "zone"))
        json_object_set_new(r->json, "zone", json_string(sq_unit_default_zone(kind)));
    if ((e = units_store_create(&parent, r->json, &id, &d)))
        return sq_reply_err(r, e, &d);
    json_t *o = units_store_get_json(id);
    sq_audit_write(r->user->id, "unit_create", "unit", id, r->ip, r->json);
    return sq_reply_json(r, 201, o);
}

static int units_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit x, np, *newp = NULL;
    enum sq_err e = sq_validate(r->json, update_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load_unit(r, &x);
    if (st)
        return st;
    if (!sq_may(r->user, SQ_PERM_UNIT_WRITE, x.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "you do not administer this unit");
    const char *code = sq_json_str(r->json, "code", NULL);
    if (code && !sq_unit_code_valid(code))
        return sq_reply_errf(r, SQ_EINVAL, "code", "code may use letters, digits, - and _ only");
    int64_t pid = sq_json_int(r->json, "parent_id", 0);
    if (pid && pid != x.parent_id) {
        if ((e = units_store_get(pid, &np, &d)))
            return sq_reply_errf(r, SQ_EINVAL, "parent_id", "no unit with id %lld", (long long)pid);
        if (!strncmp(np.path, x.path, strlen(x.path)))
            return sq_reply_errf(r, SQ_EINVAL, "parent_id",
                                 "a unit cannot move under itself or its own descendant");
        if ((e = sq_unit_check_parent(x.kind, np.kind, &d)))
            return sq_reply_err(r, e, &d);
        struct sq_unit op;
        if (units_store_get(x.parent_id, &op, &d) ||
            !sq_may(r->user, SQ_PERM_UNIT_WRITE, op.path) ||
            !sq_may(r->user, SQ_PERM_UNIT_WRITE, np.path))
            return sq_reply_errf(r, SQ_EFORBIDDEN, "parent_id",
                                 "moving a unit needs admin rights on both parents");
        if (np.archived)
            return sq_reply_errf(r, SQ_EINVAL, "parent_id", "the new parent is archived");
        newp = &np;
    }
    if ((e = units_store_update(&x, r->json, newp, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "unit_update", "unit", x.id, r->ip, r->json);
    return sq_reply_json(r, 200, units_store_get_json(x.id));
}

static int units_archive(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit x, parent;
    int st = load_unit(r, &x);
    if (st)
        return st;
    if (!x.parent_id)
        return sq_reply_errf(r, SQ_ECONFLICT, NULL, "the district itself cannot be archived");
    if (units_store_get(x.parent_id, &parent, &d) ||
        !sq_may(r->user, SQ_PERM_UNIT_WRITE, parent.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "archiving a unit needs admin rights on its parent");
    if (units_store_active_children(x.id) > 0)
        return sq_reply_errf(r, SQ_ECONFLICT, NULL,
                             "archive or move this unit's active children first");
    enum sq_err e = units_store_archive(x.id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "unit_archive", "unit", x.id, r->ip, NULL);
    return sq_reply_json(r, 200, units_store_get_json(x.id));
}

/* ---- declared query parameters ---- */

static const struct sq_query list_query[] = {
    SQ_QUERY_PAGE,
    {.name = "kind", .type = SQ_Q_ENUM, .choices = sq_unit_kinds, .desc = "unit kind"},
    {.name = "zone", .type = SQ_Q_ENUM, .choices = sq_unit_zones, .desc = "zone"},
    {.name = "q", .type = SQ_Q_STR, .max = 100, .desc = "name or code contains"},
    {.name = "parent", .type = SQ_Q_ID, .desc = "children of this unit"},
    {.name = "archived",
     .type = SQ_Q_ENUM,
     .empty_ok = true,
     .choices = (const char *const[]){"0", "1", "true", "false", "all", NULL},
     .desc = "1/true: archived only, all: both; default: active only"},
    {.name = "sort",
     .type = SQ_Q_ENUM,
     .choices = sort_names,
     .desc = "prefix - for descending (default id)"},
    {0},
};

const struct sq_route units_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/units",
     .query = list_query,
     .fn = units_list,
     .perm = SQ_PERM_UNIT_READ,
     .summary = "list units in your scope"},
    {.method = "GET",
     .pattern = "/api/v1/units/directory",
     .query = list_query,
     .fn = units_directory,
     .perm = SQ_PERM_PUBLIC,
     .summary = "public unit directory for location pickers"},
    {.method = "GET",
     .pattern = "/api/v1/units/:id",
     .fn = units_get,
     .perm = SQ_PERM_UNIT_READ,
     .summary = "one unit"},
    {.method = "GET",
     .pattern = "/api/v1/units/:id/subtree",
     .fn = units_subtree,
     .perm = SQ_PERM_UNIT_READ,
     .summary = "all descendants of a unit"},
    {.method = "GET",
     .pattern = "/api/v1/units/:id/ancestors",
     .fn = units_ancestors,
     .perm = SQ_PERM_UNIT_READ,
     .summary = "a unit's ancestors, root first"},
    {.method = "POST",
     .pattern = "/api/v1/units",
     .body = create_fields,
     .fn = units_create,
     .perm = SQ_PERM_UNIT_WRITE,
     .summary = "create a unit"},
    {.method = "PATCH",
     .pattern = "/api/v1/units/:id",
     .body = update_fields,
     .fn = units_update,
     .perm = SQ_PERM_UNIT_WRITE,
     .summary = "update or move a unit"},
    {.method = "POST",
     .pattern = "/api/v1/units/:id/archive",
     .fn = units_archive,
     .perm = SQ_PERM_UNIT_WRITE,
     .summary = "archive a unit"},
    {0},
};
