/*
 * units: the one org-unit tree (district -> streets -> communities;
 * departments; universities -> schools; parks -> enterprises).
 *
 * Rules (units.c): which kind may sit under which, default zones, code and
 * name validation. Store (store.c): the SQL, including the materialised path
 * that makes subtree checks a prefix test.
 */
#ifndef SQ_UNITS_H
#define SQ_UNITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/json.h"
#include "units/perms.h"

enum sq_unit_kind {
    SQ_UNIT_DISTRICT,
    SQ_UNIT_STREET,
    SQ_UNIT_COMMUNITY,
    SQ_UNIT_DEPARTMENT,
    SQ_UNIT_UNIVERSITY,
    SQ_UNIT_SCHOOL,
    SQ_UNIT_PARK,
    SQ_UNIT_ENTERPRISE,
    SQ_UNIT_KIND__MAX
};

extern const char *const sq_unit_kinds[]; /* NULL-terminated names */
extern const char *const sq_unit_zones[]; /* NULL-terminated names */

int sq_unit_kind_parse(const char *s); /* -1 when unknown */
/* The kind a parent must have for a unit of kind k; -1 when k is a root. */
int sq_unit_parent_kind(enum sq_unit_kind k);
const char *sq_unit_default_zone(enum sq_unit_kind k);
/* Checks that a child of kind `kind` may sit under a parent of kind
 * `parent_kind` (-1 for none). SQ_EINVAL naming parent_id otherwise. */
enum sq_err sq_unit_check_parent(int kind, int parent_kind, struct sq_detail *d);
bool sq_unit_code_valid(const char *code);

/* A unit as the store sees it (for authorisation and rules). */
struct sq_unit {
    int64_t id;
    int kind;
    int64_t parent_id;
    char path[128];
    char name[256];
    bool archived;
};

/* ---- store ---- */
enum sq_err units_store_get(int64_t id, struct sq_unit *u, struct sq_detail *d);
json_t *units_store_get_json(int64_t id); /* NULL if missing */
enum sq_err units_store_create(const struct sq_unit *parent, json_t *in, int64_t *id,
                               struct sq_detail *d);
/* Updates fields of u; with new_parent, also moves u's subtree there: the
 * units' paths and depths and every materialised copy of those paths in other
 * tables (those the domains declare, units/paths.h), all in one transaction. SQ_EINVAL
 * (parent_id) when the move would close a cycle, SQ_ECONFLICT on a code
 * clash; nothing changes on error. */
enum sq_err units_store_update(const struct sq_unit *u, json_t *in,
                               const struct sq_unit *new_parent, struct sq_detail *d);
/* The i-th materialised copy of units.path (table, path column, and the
 * column with the id of the unit it copies); NULL past the last. For tests
 * and checks: the list the move rewrites. */
const char *units_store_path_copy(int i, const char **path_col, const char **id_col);
enum sq_err units_store_archive(int64_t id, struct sq_detail *d);
int64_t units_store_active_children(int64_t id);
int64_t units_store_count(void);

struct sq_unit_filter {
    const char *kind, *zone, *q;
    int64_t parent_id;
    int archived;             /* 0 active only, 1 archived only, -1 both */
    const char *sort;         /* validated sort name ([-]name, [-]code, [-]id ...) */
    const char **scope_paths; /* NULL = unrestricted, else any-of prefixes */
    int nscope;
    bool directory; /* minimal fields */
};
enum sq_err units_store_list(const struct sq_unit_filter *f, const struct sq_page *p,
                             json_t **items, int64_t *total, struct sq_detail *d);
/* Descendants (not the unit itself) ordered by path, with depth relative. */
enum sq_err units_store_subtree(const struct sq_unit *u, json_t **items, struct sq_detail *d);
enum sq_err units_store_ancestors(const struct sq_unit *u, json_t **items, struct sq_detail *d);

#endif
