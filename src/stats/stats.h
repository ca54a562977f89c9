/*
 * stats: the appeal KPIs (三率: 响应率, 解决率, 满意率, plus on-time and
 * overdue), the composite score and the monthly rankings. docs/kpi.md is
 * the prose version of every formula here; keep the two in step.
 *
 * Rules (kpi.c): counters -> rates -> score, months, ranking order. Pure
 * arithmetic, no SQL, no HTTP, so the formulas are unit-tested directly.
 *
 * Store (store.c): reads ONLY the maintained aggregate appeal_stats (one row
 * per creation month x handling unit x category x kind, kept exact by
 * appeals_store_apply), joined with units for subtree filtering and with
 * categories for names; and the kpi_* rows of the settings table. A stats
 * query therefore sums at most a few thousand rows per unit-month, whatever
 * the number of appeals.
 */
#ifndef SQ_STATS_H
#define SQ_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "stats/perms.h"

/* The summed counters of a set of appeals (the appeal_stats columns). */
struct sq_kpi {
    int64_t total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue,
        reopened, rated, satisfied, basically_satisfied, dissatisfied, solved;
    int64_t response_secs, handle_secs;
};
#define SQ_KPI_NCOUNTERS 15

/* Adds b into a. */
void sq_kpi_add(struct sq_kpi *a, const struct sq_kpi *b);

/* Rates are fractions in [0,1]; a rate whose denominator is 0 is "no data"
 * (has_* false, JSON null), never 0 and never 1. */
struct sq_kpi_rates {
    double response, response_on_time, completion, resolution, satisfaction, rating, on_time,
        overdue, avg_response_hours, avg_handle_hours;
    bool has_response, has_response_on_time, has_completion, has_resolution, has_satisfaction,
        has_rating, has_on_time, has_overdue, has_avg_response, has_avg_handle;
};
void sq_kpi_rates(const struct sq_kpi *k, struct sq_kpi_rates *r);

/* The composite score's configuration (settings table, kpi_* keys). */
struct sq_kpi_settings {
    double w_response, w_resolution, w_satisfaction, w_on_time; /* >= 0, sum > 0 */
    double overdue_penalty; /* points per percentage point of volume overdue */
    int min_volume;         /* units with fewer appeals in the month are not ranked */
};
void sq_kpi_settings_default(struct sq_kpi_settings *s);
/* Checks bounds (weights 0..100 with a positive sum, penalty 0..100,
 * min_volume 0..1000000). SQ_EINVAL naming the field otherwise. */
enum sq_err sq_kpi_settings_check(const struct sq_kpi_settings *s, struct sq_detail *d);

/* Composite score in [0,100]: the weighted mean of the four rates that have
 * data (weights renormalised over them), times 100, minus overdue_penalty
 * per percentage point of overdue appeals; rounded to 0.01. Returns false
 * (no score) when none of the four rates has data. */
bool sq_kpi_score(const struct sq_kpi *k, const struct sq_kpi_settings *s, double *score);

/* Months are YYYYMM integers. "2026-03" -> 202603; -1 when malformed or out
 * of 2000-01..2099-12. */
int sq_month_parse(const char *s);
void sq_month_format(int month, char out[8]); /* "2026-03" */
int sq_month_add(int month, int n);           /* n may be negative */
int sq_month_of(int64_t t);                   /* local (+08:00) month of a time */
int sq_month_diff(int from, int to);          /* to - from in months */

/* One row of a ranking (filled by the caller, ordered by sq_kpi_rank). */
struct sq_rank_row {
    int64_t unit_id;
    char name[256];
    struct sq_kpi k;
    double score;
    bool has_score, ranked;
    int rank, prev_rank; /* 0 = none */
};
/* Marks rows below min_volume (or without a score) as not ranked, sorts the
 * ranked ones by score desc, then volume desc, then unit id, and gives equal
 * scores the same rank (1, 2, 2, 4). Not-ranked rows go last by volume. */
void sq_kpi_rank(struct sq_rank_row *rows, int n, const struct sq_kpi_settings *s);

/* JSON for counters and rates, merged into o: total, responded, ...,
 * pending, unrated, response_rate, ... (rates rounded to 0.0001). */
void sq_kpi_json(json_t *o, const struct sq_kpi *k);

/* ---- store ---- */

enum sq_stats_group {
    SQ_SG_NONE,
    SQ_SG_UNIT,     /* direct children of the chosen unit, each its subtree */
    SQ_SG_CATEGORY, /* the category appeals were filed under */
    SQ_SG_MONTH,
    SQ_SG_KIND,
    SQ_SG_ZONE, /* zone of the handling unit */
    SQ_SG__MAX
};
extern const char *const sq_stats_groups[]; /* names, NULL-terminated, by enum */

struct sq_stats_query {
    const char *unit_path; /* subtree of the chosen unit: "/1/4/" */
    int from, to;          /* months, inclusive */
    int64_t category_id;   /* 0 = all; else the category and its children */
    const char *kind;      /* NULL = all */
    int group;             /* enum sq_stats_group */
};

/* One group of a result: key is the group's id or name (unit id, category
 * id, "2026-03", "resident", "community"); label is its display name. */
struct sq_stats_group_row {
    char key[32];
    char label[256];
    int64_t id;        /* unit or category id; 0 otherwise */
    int64_t parent_id; /* the category's parent, for SQ_SG_CATEGORY */
    char parent_label[128];
    struct sq_kpi k;
};

/* Runs a query: totals and (unless SQ_SG_NONE) groups, ordered by key.
 * *groups is malloc'd (caller frees), *ngroups its length. For SQ_SG_UNIT
 * the chosen unit's own appeals (handled by the unit itself) form a group
 * with id = the unit, labelled "(本级)". */
enum sq_err stats_store_query(const struct sq_stats_query *q, int64_t unit_id,
                              struct sq_kpi *totals, struct sq_stats_group_row **groups,
                              int *ngroups, struct sq_detail *d);

/* Sums for every unit of `unit_kind` inside the subtree `scope_path`, each
 * over its own subtree, for one month. *rows is malloc'd (caller frees);
 * units without appeals are included with zero counters. */
enum sq_err stats_store_level(const char *scope_path, const char *unit_kind, int month,
                              struct sq_rank_row **rows, int *nrows, struct sq_detail *d);

enum sq_err stats_store_settings_get(struct sq_kpi_settings *s, struct sq_detail *d);
enum sq_err stats_store_settings_put(const struct sq_kpi_settings *s, struct sq_detail *d);

#endif
