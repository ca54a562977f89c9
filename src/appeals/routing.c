/*
 * routing: which unit handles a new appeal. Pure rules over data the store
 * loaded; tiered community -> street -> department through rules and the
 * tree (see docs/appeals.md).
 */
#include <string.h>

#include "appeals/meta.h"
#include "units/units.h"

int64_t sq_route_match(const struct sq_routing_rule *rules, int n, const struct sq_category *c,
                       const char *location_path)
{
    for (int i = 0; i < n; i++) {
        const struct sq_routing_rule *r = &rules[i];
        if (r->category_id && r->category_id != c->id && r->category_id != c->parent_id)
            continue;
        if (r->location_unit_id &&
            strncmp(location_path, r->location_path, strlen(r->location_path)))
            continue;
        return r->handler_unit_id;
    }
    if (c->default_unit_id)
        return c->default_unit_id;
    return c->parent_default_unit_id;
}

bool sq_route_default_is_parent(int unit_kind)
{
    return unit_kind == SQ_UNIT_SCHOOL || unit_kind == SQ_UNIT_ENTERPRISE;
}
