/*
 * err: the one error vocabulary shared by rules and store code.
 *
 * A function that can fail returns enum sq_err and, when the caller passes a
 * struct sq_detail, fills it with the offending field and a human message.
 * Only core/http.c turns an sq_err into an HTTP status and JSON body
 * (sq_err_status, sq_err_code), so every layer below HTTP stays HTTP-free.
 */
#ifndef SQ_ERR_H
#define SQ_ERR_H

#include <stdarg.h>

enum sq_err {
    SQ_OK = 0,
    SQ_EINVAL,      /* a field failed validation (422, names the field) */
    SQ_EIDEMKEY,    /* an Idempotency-Key already used for a different request (422) */
    SQ_EBADREQ,     /* request is malformed in a way not tied to a field (400) */
    SQ_EBADJSON,    /* body is not valid JSON or not an object (400) */
    SQ_EAUTH,       /* no credentials or bad/expired ones (401) */
    SQ_EFORBIDDEN,  /* authenticated but not allowed (403) */
    SQ_EPWCHANGE,   /* the session must change its password before anything else (403) */
    SQ_ENOTFOUND,   /* no such record or route (404) */
    SQ_EMETHOD,     /* route exists, method does not (405) */
    SQ_ECONFLICT,   /* unique key or state conflict (409) */
    SQ_ETRANSITION, /* illegal state transition (409, lists allowed ones) */
    SQ_ETOOLARGE,   /* body or upload over the limit (413) */
    SQ_EMEDIA,      /* unsupported content type (415) */
    SQ_ERATE,       /* rate limited (429) */
    SQ_EFULL,       /* storage is full (507) */
    SQ_EDB,         /* database failure (500) */
    SQ_EINTERNAL,   /* anything else that is our bug (500) */
    SQ_ERR__MAX
};

/* Caller-owned detail about an error: which field, what to tell the user. */
struct sq_detail {
    const char *field; /* static string or NULL */
    char message[256];
};

/* Fills d (if not NULL) and returns e, so callers can `return sq_fail(...)`. */
enum sq_err sq_fail(struct sq_detail *d, enum sq_err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int sq_err_status(enum sq_err e);
const char *sq_err_code(enum sq_err e);

#endif
