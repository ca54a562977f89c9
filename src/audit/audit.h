/*
 * audit: the append-only audit log (logins, failed logins, grants, unmasked
 * personal-data reads, admin changes, auditor access). Rows are never updated
 * or deleted; triggers in 001_core.sql enforce it.
 */
#ifndef SQ_AUDIT_H
#define SQ_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/json.h"

/* Appends one row. detail may be NULL; it is borrowed (not changed). Every
 * phone, contact_phone and id_number string in it, at any depth, is stored
 * masked (sq_mask_phone, sq_mask_id). Failures are logged, never fatal to
 * the caller's request. Returns SQ_OK or the db error. */
enum sq_err sq_audit_write(int64_t actor_id, const char *action, const char *target_type,
                           int64_t target_id, const char *ip, json_t *detail);

struct sq_audit_filter {
    const char *action;
    int64_t actor_id;
    int64_t from, to; /* 0 = open */
};
/* Newest first; returns a new array and sets *total. Details come masked as
 * above, older rows included, so reading the log reveals no personal data
 * and needs no personal_read entry of its own. */
enum sq_err sq_audit_list(const struct sq_audit_filter *f, const struct sq_page *p, json_t **items,
                          int64_t *total, struct sq_detail *d);

#endif
