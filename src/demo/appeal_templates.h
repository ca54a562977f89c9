/*
 * appeal_templates: Chinese wording of synthetic appeals, per leaf category
 * code of migrations/003_categories.sql (titles, descriptions, handling
 * replies), plus shared pools (rating comments, reasons for transfers,
 * returns, rejections, suspensions, extensions and progress notes).
 *
 * Used by the demo generator (appeals_gen.c); meant to be reused by anything
 * that needs realistic appeal text: search and suggestion tests, the
 * knowledge base's fixtures. Pure data plus one expander, no SQL.
 *
 * Placeholders, filled by sq_appeal_template_expand():
 *   {U} the location unit's name (社区 / 高校 / 企业)   {B} a building ("5栋2单元")
 *   {P} a spot ("小区东门")                               {T} a time phrase ("每晚十点以后")
 *   {N} a small number (2-9)                               {D} a day count (3-20)
 * Every string is complete without its placeholders' values being quoted,
 * contains no double quote or backslash (it may be written into JSON as is),
 * and a title expands to at most 100 characters.
 */
#ifndef SQ_DEMO_APPEAL_TEMPLATES_H
#define SQ_DEMO_APPEAL_TEMPLATES_H

#include <stddef.h>

#define SQ_TPL_MAX 6 /* entries per list, NULL-terminated below that */

/* Cases of one category: titles[i], descriptions[i] and replies[i] tell the
 * same story for every i below the number of descriptions (and replies);
 * titles beyond that are alternates without a description of their own. */
struct sq_appeal_template {
    const char *code; /* leaf category code, e.g. "DT01" */
    const char *titles[SQ_TPL_MAX + 1];
    const char *descriptions[SQ_TPL_MAX + 1];
    const char *replies[SQ_TPL_MAX + 1]; /* the handler's reply when resolving */
};

/* Every leaf category of the default tree, terminated by {NULL}. */
extern const struct sq_appeal_template sq_appeal_templates[];

/* The template for a category code, or NULL. */
const struct sq_appeal_template *sq_appeal_template_find(const char *code);

/* Number of non-NULL entries of a list. */
int sq_tpl_count(const char *const *list);

/* Shared pools, NULL-terminated. */
extern const char *const sq_tpl_comment_satisfied[];
extern const char *const sq_tpl_comment_basic[];
extern const char *const sq_tpl_comment_dissatisfied[];
extern const char *const sq_tpl_transfer_reasons[];
extern const char *const sq_tpl_return_reasons[];
extern const char *const sq_tpl_reject_reasons[];
extern const char *const sq_tpl_suspend_reasons[];
extern const char *const sq_tpl_extend_reasons[];
extern const char *const sq_tpl_progress_notes[];
extern const char *const sq_tpl_desc_closings[]; /* appended to some descriptions */

/* Places by the kind of location: residential, campus, park. */
extern const char *const sq_tpl_spots_residential[];
extern const char *const sq_tpl_spots_campus[];
extern const char *const sq_tpl_spots_park[];
extern const char *const sq_tpl_times[];

struct sq_tpl_vars {
    const char *unit;     /* {U} */
    const char *building; /* {B} */
    const char *spot;     /* {P} */
    const char *time;     /* {T} */
    int n;                /* {N} */
    int days;             /* {D} */
};

/* Expands tpl into out (always NUL-terminated, truncated at a UTF-8
 * character boundary when cap is too small). Unknown placeholders are
 * copied as they are. Returns the length written. */
size_t sq_appeal_template_expand(const char *tpl, const struct sq_tpl_vars *v, char *out,
                                 size_t cap);

#endif
