/*
 * units rules: the shape of the tree. No SQL, no HTTP.
 */
#include "units/units.h"

#include <string.h>

const char *const sq_unit_kinds[] = {"district", "street", "community",  "department", "university",
                                     "school",   "park",   "enterprise", NULL};
const char *const sq_unit_zones[] = {"government", "community", "campus", "park", NULL};

static const int parent_kind[SQ_UNIT_KIND__MAX] = {
    [SQ_UNIT_DISTRICT] = -1,
    [SQ_UNIT_STREET] = SQ_UNIT_DISTRICT,
    [SQ_UNIT_COMMUNITY] = SQ_UNIT_STREET,
    [SQ_UNIT_DEPARTMENT] = SQ_UNIT_DISTRICT,
    [SQ_UNIT_UNIVERSITY] = SQ_UNIT_DISTRICT,
    [SQ_UNIT_SCHOOL] = SQ_UNIT_UNIVERSITY,
    [SQ_UNIT_PARK] = SQ_UNIT_DISTRICT,
    [SQ_UNIT_ENTERPRISE] = SQ_UNIT_PARK,
};

static const char *const default_zone[SQ_UNIT_KIND__MAX] = {
    [SQ_UNIT_DISTRICT] = "government", [SQ_UNIT_STREET] = "government",
    [SQ_UNIT_COMMUNITY] = "community", [SQ_UNIT_DEPARTMENT] = "government",
    [SQ_UNIT_UNIVERSITY] = "campus",   [SQ_UNIT_SCHOOL] = "campus",
    [SQ_UNIT_PARK] = "park",           [SQ_UNIT_ENTERPRISE] = "park",
};

int sq_unit_kind_parse(const char *s)
{
    for (int i = 0; s && sq_unit_kinds[i]; i++)
        if (!strcmp(sq_unit_kinds[i], s))
            return i;
    return -1;
}

int sq_unit_parent_kind(enum sq_unit_kind k)
{
    return (k >= 0 && k < SQ_UNIT_KIND__MAX) ? parent_kind[k] : -1;
}

const char *sq_unit_default_zone(enum sq_unit_kind k)
{
    return (k >= 0 && k < SQ_UNIT_KIND__MAX) ? default_zone[k] : "government";
}

enum sq_err sq_unit_check_parent(int kind, int pkind, struct sq_detail *d)
{
    if (kind < 0 || kind >= SQ_UNIT_KIND__MAX)
        return sq_fail(d, SQ_EINVAL, "kind", "unknown unit kind");
    int want = parent_kind[kind];
    if (want < 0 && pkind >= 0)
        return sq_fail(d, SQ_EINVAL, "parent_id", "a %s has no parent", sq_unit_kinds[kind]);
    if (want >= 0 && pkind < 0)
        return sq_fail(d, SQ_EINVAL, "parent_id", "a %s needs a parent %s", sq_unit_kinds[kind],
                       sq_unit_kinds[want]);
    if (want >= 0 && pkind != want)
        return sq_fail(d, SQ_EINVAL, "parent_id", "a %s must sit under a %s, not a %s",
                       sq_unit_kinds[kind], sq_unit_kinds[want], sq_unit_kinds[pkind]);
    return SQ_OK;
}

bool sq_unit_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}
