/*
 * demo store: the statements of the synthetic district's bulk load
 * (appeals_gen.c) that the product's stores do not have: reading the units
 * and categories the earlier generators made, and writing the finished
 * timelines of whole appeals (no workflow replay). The appeal row itself goes
 * through the appeals store's own insert (appeals_store_insert_row).
 * Callers hold the demo's transaction (sq_demo_build).
 */
#ifndef SQ_DEMO_STORE_H
#define SQ_DEMO_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "appeals/appeals.h"
#include "core/err.h"

/* The highest unit id (0 when there are none). */
int64_t demo_store_max_unit_id(void);
/* Calls fn for every unit in id order (text borrowed for the call). */
typedef void (*demo_unit_fn)(void *arg, int64_t id, int64_t parent, const char *kind,
                             const char *path, const char *name);
enum sq_err demo_store_units_each(demo_unit_fn fn, void *arg, struct sq_detail *d);
/* Calls fn for every active second-level category in id order until it
 * returns false. */
typedef bool (*demo_leaf_fn)(void *arg, int64_t id, const char *code, const char *name);
enum sq_err demo_store_leaf_categories_each(demo_leaf_fn fn, void *arg, struct sq_detail *d);
/* The id of the user with this login, 0 if none. */
int64_t demo_store_user_id(const char *login);
/* A calendar day (YYYYMMDD) of kind "holiday" or "workday", kept as it is
 * when the day is already set. */
enum sq_err demo_store_calendar_day(int ymd, const char *kind, const char *name,
                                    struct sq_detail *d);
/* One event of an appeal's timeline; from < 0 = none; note, data may be "". */
enum sq_err demo_store_event_insert(int64_t appeal_id, int action, int64_t actor, int from, int to,
                                    const char *note, const char *data, int64_t t,
                                    struct sq_detail *d);
/* Raises the tracking-number sequence of day (YYYYMMDD) to at least n. */
enum sq_err demo_store_tracking_seq(int ymd, int64_t n, struct sq_detail *d);

#endif
