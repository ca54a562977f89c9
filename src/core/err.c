/*
 * err: error detail filling and the single sq_err -> HTTP mapping table.
 */
#include "core/err.h"

#include <stdio.h>

static const struct {
    int status;
    const char *code;
} err_table[SQ_ERR__MAX] = {
    [SQ_OK] = {200, "ok"},
    [SQ_EINVAL] = {422, "invalid"},
    [SQ_EIDEMKEY] = {422, "idempotency_key_reused"},
    [SQ_EBADREQ] = {400, "bad_request"},
    [SQ_EBADJSON] = {400, "bad_json"},
    [SQ_EAUTH] = {401, "unauthenticated"},
    [SQ_EFORBIDDEN] = {403, "forbidden"},
    [SQ_EPWCHANGE] = {403, "password_change_required"},
    [SQ_ENOTFOUND] = {404, "not_found"},
    [SQ_EMETHOD] = {405, "method_not_allowed"},
    [SQ_ECONFLICT] = {409, "conflict"},
    [SQ_ETRANSITION] = {409, "illegal_transition"},
    [SQ_ETOOLARGE] = {413, "too_large"},
    [SQ_EMEDIA] = {415, "unsupported_media_type"},
    [SQ_ERATE] = {429, "rate_limited"},
    [SQ_EFULL] = {507, "storage_full"},
    [SQ_EDB] = {500, "internal"},
    [SQ_EINTERNAL] = {500, "internal"},
};

enum sq_err sq_fail(struct sq_detail *d, enum sq_err e, const char *field, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        d->field = field;
        va_start(ap, fmt);
        vsnprintf(d->message, sizeof d->message, fmt, ap);
        va_end(ap);
    }
    return e;
}

int sq_err_status(enum sq_err e)
{
    return (e >= 0 && e < SQ_ERR__MAX) ? err_table[e].status : 500;
}

const char *sq_err_code(enum sq_err e)
{
    return (e >= 0 && e < SQ_ERR__MAX) ? err_table[e].code : "internal";
}
