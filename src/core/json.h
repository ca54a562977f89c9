/*
 * json: declared-field validation of request bodies and small jansson helpers.
 *
 * Each endpoint declares its fields once (name, type, required, bounds,
 * choices); sq_validate() rejects undeclared fields, wrong types, missing
 * required fields, out-of-range numbers, over-long or control-character
 * strings, and names the field in the error. Handlers then read values with
 * the sq_json_* getters, knowing they are well-formed.
 */
#ifndef SQ_JSON_H
#define SQ_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum sq_ftype {
    SQ_F_STR,  /* one line of text: min/max in characters, no control chars */
    SQ_F_TEXT, /* multi-line text: newlines and tabs allowed */
    SQ_F_INT,  /* integer in [min,max] */
    SQ_F_ID,   /* positive integer id */
    SQ_F_NUM,  /* number (real or integer) in [min,max] */
    SQ_F_BOOL,
    SQ_F_ENUM,  /* string among choices */
    SQ_F_PHONE, /* Chinese mobile (11 digits starting with 1) or landline 0xx-xxxxxxx */
    SQ_F_DATE,  /* YYYY-MM-DD */
    SQ_F_TIME,  /* ISO 8601 date-time */
    SQ_F_ARRAY, /* array of at most max items (items validated by the handler) */
    SQ_F_OBJECT,
};

struct sq_field {
    const char *name;
    enum sq_ftype type;
    bool required;
    double min, max;
    const char *const *choices; /* NULL-terminated, for SQ_F_ENUM */
    bool nullable;              /* JSON null accepted (clears the value) */
};

/* Validates obj against the declared fields; SQ_OK or SQ_EINVAL with field. */
enum sq_err sq_validate(json_t *obj, const struct sq_field *fields, struct sq_detail *d);

/* ---- query-string parameters ----
 * Declared like body fields, on the route (struct sq_route .query, ended by
 * {0}): the router checks every argument of a request against them before
 * the handler runs and answers 422 (field = the parameter) for a bad value,
 * a missing required one or, unless the route opts out
 * (SQ_ROUTE_QUERY_OPEN), an undeclared one. The handler then reads values
 * knowing they are well-formed (sq_req_query, sq_query_int, ...). The same
 * declarations document the parameters in the OpenAPI document. */
enum sq_qtype {
    SQ_Q_STR,    /* text of min..max characters (max 0: unbounded) */
    SQ_Q_INT,    /* integer in [min,max] */
    SQ_Q_ID,     /* positive integer id, or the word in .also ("me") */
    SQ_Q_ENUM,   /* one of choices */
    SQ_Q_LIST,   /* comma-separated choices: at most max of them (0: any), 255 bytes */
    SQ_Q_BOOL,   /* 1, 0, true or false */
    SQ_Q_DATE,   /* YYYY-MM-DD */
    SQ_Q_MONTH,  /* YYYY-MM, the year in [min,max] when they are set */
    SQ_Q_TIME,   /* a date or an ISO 8601 time (sq_clock_parse_iso) */
    SQ_Q_CURSOR, /* a page cursor this server gave out (sq_page_parse); empty: the first page */
};

struct sq_query {
    const char *name;
    enum sq_qtype type;
    double min, max;
    const char *const *choices; /* NULL-terminated, for SQ_Q_ENUM and SQ_Q_LIST */
    const char *also;           /* SQ_Q_ID: a word accepted besides ids */
    bool required;
    bool empty_ok;       /* an empty value stands for "not given" */
    const char *message; /* the 422 message for a bad value (zh-CN / English); NULL: one
                          * stating the rule */
    const char *desc;    /* what it does, one line, for the OpenAPI document */
};

/* Pagination, as sq_page_parse reads it: splice into a declaration. */
#define SQ_QUERY_PAGE                                                                              \
    {.name = "limit",                                                                              \
     .type = SQ_Q_INT,                                                                             \
     .min = 1,                                                                                     \
     .max = 500,                                                                                   \
     .message = "limit 须为 1 到 500 / limit must be from 1 to 500",                               \
     .desc = "page size (default 50)"},                                                            \
    {                                                                                              \
        .name = "cursor", .type = SQ_Q_CURSOR, .desc = "the `next` of the previous page (opaque)"  \
    }

/* The declaration of name in q (ended by {0}), or NULL. */
const struct sq_query *sq_query_find(const struct sq_query *q, const char *name);
/* Checks one argument: SQ_OK, or SQ_EINVAL with d->field = the declared
 * name. An undeclared name (decl NULL) is refused with d->field = name, so
 * name must outlive d (it does: it belongs to the request). */
enum sq_err sq_query_check(const struct sq_query *decl, const char *name, const char *value,
                           struct sq_detail *d);

/* Getters for validated objects: absent or null gives the default. */
const char *sq_json_str(json_t *obj, const char *key, const char *dflt);
int64_t sq_json_int(json_t *obj, const char *key, int64_t dflt);
double sq_json_num(json_t *obj, const char *key, double dflt);
bool sq_json_bool(json_t *obj, const char *key, bool dflt);
bool sq_json_has(json_t *obj, const char *key);

/* Number of UTF-8 characters in s (s is valid UTF-8: jansson checked it). */
size_t sq_utf8_len(const char *s);
/* Validates a phone number (same rule as SQ_F_PHONE). */
bool sq_phone_valid(const char *s);

/* Sets key to a string or JSON null when s is NULL/empty. */
void sq_json_set_str(json_t *obj, const char *key, const char *s);

/* Masks in place every personal field anywhere in j (objects and arrays
 * within): "phone" and "contact_phone" by sq_mask_phone, "id_number" by
 * sq_mask_id. Returns j (NULL stays NULL). Stores return records whole; the
 * api layer masks them for callers who may not see them (and the audit log
 * for what it keeps). */
json_t *sq_json_mask_personal(json_t *j);

/* Grows the malloc'd block *p to hold at least need bytes (doubling from
 * 256); out of memory is fatal. The growable text buffers use it. */
void sq_grow(char **p, size_t *cap, size_t need);

/* A growable JSON text buffer, for replies too hot to build as a jansson
 * tree (the appeal queue). The writers print exactly what json_dumps() with
 * JSON_COMPACT prints for the same values: strings escape '"', '\\' and
 * control characters (\uXXXX in upper case), UTF-8 is kept as is, '/' is not
 * escaped. Out of memory is fatal. _init/_cleanup pair; sq_jbuf_take()
 * hands the malloc'd, NUL-terminated text to the caller instead. */
struct sq_jbuf {
    char *p;
    size_t len, cap;
};
void sq_jbuf_init(struct sq_jbuf *b, size_t cap);
void sq_jbuf_cleanup(struct sq_jbuf *b);
char *sq_jbuf_take(struct sq_jbuf *b, size_t *len);
void sq_jbuf_raw(struct sq_jbuf *b, const char *s, size_t n); /* verbatim */
void sq_jbuf_lit(struct sq_jbuf *b, const char *s);           /* verbatim, NUL-terminated */
void sq_jbuf_str(struct sq_jbuf *b, const char *s);           /* string; NULL prints null */
void sq_jbuf_int(struct sq_jbuf *b, int64_t v);
/* A time as sq_clock_iso() prints it, or null when t is 0 (as set_time). */
void sq_jbuf_time(struct sq_jbuf *b, int64_t t);
/* A real as json_dumps() with JSON_REAL_PRECISION(15) prints it (the
 * server's replies): "%.15g", ".0" added to an integral value, the
 * exponent without '+' or leading zeros. */
void sq_jbuf_real(struct sq_jbuf *b, double v);
/* A jansson value as json_dumps() with JSON_COMPACT | JSON_REAL_PRECISION(15)
 * prints it; NULL prints null. */
void sq_jbuf_json(struct sq_jbuf *b, const json_t *j);

/* Pagination: limit (1..500, default 50) and an opaque offset cursor. */
struct sq_page {
    int limit;
    int64_t offset;
};
enum sq_err sq_page_parse(const char *limit, const char *cursor, struct sq_page *p,
                          struct sq_detail *d);
/* The cursor for the next page, or NULL when none; buf >= 32. */
const char *sq_page_next(const struct sq_page *p, int64_t total, char *buf);

#endif
