/*
 * appeals meta: categories, SLA policies and routing rules — the district's
 * settings that intake reads — plus the routing decision (rules in
 * routing.c, SQL in store_meta.c).
 */
#ifndef SQ_APPEALS_META_H
#define SQ_APPEALS_META_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "appeals/appeals.h"
#include "core/err.h"

struct sq_category {
    int64_t id, parent_id, default_unit_id, parent_default_unit_id;
    char code[32], name[128], kind[16], urgency[12];
    int response_hours, resolve_days;
    bool active;
    /* appeals of the category may appear in public lists and feeds (Open311):
     * its own flag and its parent's (a child is public only under a public
     * parent; the categories API keeps the flags so) */
    bool is_public, parent_is_public;
};

enum sq_err appeals_store_category(int64_t id, struct sq_category *c, struct sq_detail *d);
json_t *appeals_store_categories_json(bool include_inactive); /* tree */
json_t *appeals_store_category_json(int64_t id);
enum sq_err appeals_store_category_create(json_t *in, int64_t *id, struct sq_detail *d);
/* Updates the fields present in in; is_public false also makes the
 * category's children not public, in the same transaction. */
enum sq_err appeals_store_category_update(int64_t id, json_t *in, struct sq_detail *d);

/* The SLA for a category and urgency: policy (category, then parent, then
 * any category) overrides the category's own limits. */
void appeals_store_sla(const struct sq_category *c, const char *urgency, struct sq_sla *sla);
json_t *appeals_store_sla_json(void);
enum sq_err appeals_store_sla_put(int64_t category_id, const char *urgency, int response_hours,
                                  int resolve_days, struct sq_detail *d);
enum sq_err appeals_store_sla_delete(int64_t id, struct sq_detail *d);

struct sq_routing_rule {
    int64_t id, category_id, location_unit_id, handler_unit_id;
    char location_path[128];
    int priority;
};
/* Active rules ordered by priority, id. Caller frees *rules. */
int appeals_store_rules(struct sq_routing_rule **rules);
json_t *appeals_store_rules_json(void);
enum sq_err appeals_store_rule_create(json_t *in, int64_t *id, struct sq_detail *d);
enum sq_err appeals_store_rule_update(int64_t id, json_t *in, struct sq_detail *d);
enum sq_err appeals_store_rule_delete(int64_t id, struct sq_detail *d);
json_t *appeals_store_rule_json(int64_t id);

/* The routing decision (rules, no SQL): the first rule whose category
 * (or its parent) and location subtree match; else the category's default
 * unit; else 0, meaning "the tiered default for the location". */
int64_t sq_route_match(const struct sq_routing_rule *rules, int n, const struct sq_category *c,
                       const char *location_path);
/* Tiered default: which kind of unit handles appeals located in a unit of
 * kind `kind`: itself (community, street, department, university, park,
 * district), or its parent (school -> university, enterprise -> park). */
bool sq_route_default_is_parent(int unit_kind);

#endif
