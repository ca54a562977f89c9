/*
 * json: field validation and helpers (see json.h).
 */
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"

size_t sq_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool has_controls(const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x7f)
            return true;
        if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
            return true;
    }
    return false;
}

bool sq_phone_valid(const char *s)
{
    size_t n = strlen(s), digits = 0;
    if (n == 11 && s[0] == '1') {
        for (size_t i = 0; i < n; i++)
            if (s[i] < '0' || s[i] > '9')
                return false;
        return true;
    }
    /* landline: 0 + area code (2-3 digits) + optional '-' + 7-8 digits */
    if (n < 10 || n > 13 || s[0] != '0')
        return false;
    int dashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' && i >= 3 && i <= 4 && !dashes)
            dashes++;
        else if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else
            return false;
    }
    return digits >= 10 && digits <= 12;
}

static bool declared(const struct sq_field *fields, const char *key)
{
    for (const struct sq_field *f = fields; f->name; f++)
        if (!strcmp(f->name, key))
            return true;
    return false;
}

static enum sq_err check_field(const struct sq_field *f, json_t *v, struct sq_detail *d)
{
    const char *n = f->name;
    switch (f->type) {
    case SQ_F_STR:
    case SQ_F_TEXT: {
        if (!json_is_string(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be a string", n);
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must not contain NUL characters", n);
        size_t len = sq_utf8_len(s);
        if (len < (size_t)f->min || (f->max > 0 && len > (size_t)f->max))
            return sq_fail(d, SQ_EINVAL, n, "%s must be %g to %g characters long", n, f->min,
                           f->max);
        if (has_controls(s, f->type == SQ_F_TEXT))
            return sq_fail(d, SQ_EINVAL, n, "%s contains control characters", n);
        return SQ_OK;
    }
    case SQ_F_ENUM:
        if (json_is_string(v))
            for (const char *const *c = f->choices; c && *c; c++)
                if (!strcmp(*c, json_string_value(v)))
                    return SQ_OK;
        {
            char list[200] = "";
            size_t used = 0;
            for (const char *const *c = f->choices; c && *c && used < sizeof list - 40; c++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         used ? ", " : "", *c);
            return sq_fail(d, SQ_EINVAL, n, "%s must be one of: %s", n, list);
        }
    case SQ_F_INT:
    case SQ_F_ID: {
        if (!json_is_integer(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be a whole number", n);
        json_int_t i = json_integer_value(v);
        double lo = f->type == SQ_F_ID ? 1 : f->min;
        double hi = f->type == SQ_F_ID ? 9007199254740991.0 : f->max;
        if ((double)i < lo || (double)i > hi)
            return sq_fail(d, SQ_EINVAL, n, "%s must be from %.0f to %.0f", n, lo, hi);
        return SQ_OK;
    }
    case SQ_F_NUM: {
        if (!json_is_number(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be a number", n);
        double x = json_number_value(v);
        if (!isfinite(x) || x < f->min || x > f->max)
            return sq_fail(d, SQ_EINVAL, n, "%s must be from %g to %g", n, f->min, f->max);
        return SQ_OK;
    }
    case SQ_F_BOOL:
        if (!json_is_boolean(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be true or false", n);
        return SQ_OK;
    case SQ_F_PHONE:
        if (!json_is_string(v) || !sq_phone_valid(json_string_value(v)))
            return sq_fail(d, SQ_EINVAL, n,
                           "%s must be an 11-digit mobile number or a landline like 027-87654321",
                           n);
        return SQ_OK;
    case SQ_F_DATE: {
        int64_t t;
        if (!json_is_string(v) || strlen(json_string_value(v)) != 10 ||
            sq_clock_parse_iso(json_string_value(v), &t))
            return sq_fail(d, SQ_EINVAL, n, "%s must be a date YYYY-MM-DD", n);
        return SQ_OK;
    }
    case SQ_F_TIME: {
        int64_t t;
        if (!json_is_string(v) || sq_clock_parse_iso(json_string_value(v), &t))
            return sq_fail(d, SQ_EINVAL, n, "%s must be an ISO 8601 time", n);
        return SQ_OK;
    }
    case SQ_F_ARRAY:
        if (!json_is_array(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be an array", n);
        if (f->max > 0 && json_array_size(v) > (size_t)f->max)
            return sq_fail(d, SQ_EINVAL, n, "%s may have at most %g items", n, f->max);
        return SQ_OK;
    case SQ_F_OBJECT:
        if (!json_is_object(v))
            return sq_fail(d, SQ_EINVAL, n, "%s must be an object", n);
        return SQ_OK;
    }
    return sq_fail(d, SQ_EINTERNAL, n, "unknown field type");
}

enum sq_err sq_validate(json_t *obj, const struct sq_field *fields, struct sq_detail *d)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return sq_fail(d, SQ_EBADJSON, NULL, "the body must be a JSON object");
    json_object_foreach(obj, key, v)
    {
        if (!declared(fields, key))
            return sq_fail(d, SQ_EINVAL, NULL, "unknown field '%.60s'", key);
    }
    for (const struct sq_field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return sq_fail(d, SQ_EINVAL, f->name, "%s is required", f->name);
            if (v && !f->nullable)
                return sq_fail(d, SQ_EINVAL, f->name, "%s may not be null", f->name);
            continue;
        }
        enum sq_err e = check_field(f, v, d);
        if (e)
            return e;
    }
    return SQ_OK;
}

const char *sq_json_str(json_t *obj, const char *key, const char *dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

int64_t sq_json_int(json_t *obj, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

double sq_json_num(json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

bool sq_json_bool(json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

bool sq_json_has(json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}

void sq_json_set_str(json_t *obj, const char *key, const char *s)
{
    json_object_set_new(obj, key, s && *s ? json_string(s) : json_null());
}

enum sq_err sq_page_parse(const char *limit, const char *cursor, struct sq_page *p,
                          struct sq_detail *d)
{
    p->limit = 50;
    p->offset = 0;
    if (limit) {
        char *end;
        long n = strtol(limit, &end, 10);
        if (end == limit || *end || n < 1 || n > 500)
            return sq_fail(d, SQ_EINVAL, "limit", "limit must be from 1 to 500");
        p->limit = (int)n;
    }
    if (cursor && *cursor) {
        char *end;
        long long n = cursor[0] == 'o' ? strtoll(cursor + 1, &end, 10) : -1;
        if (n < 0 || *end || n > 1000000000LL)
            return sq_fail(d, SQ_EINVAL, "cursor", "cursor is not one this server gave out");
        p->offset = n;
    }
    return SQ_OK;
}

const char *sq_page_next(const struct sq_page *p, int64_t total, char *buf)
{
    if (p->offset + p->limit >= total)
        return NULL;
    snprintf(buf, 32, "o%lld", (long long)(p->offset + p->limit));
    return buf;
}

/* ---- JSON text buffer ---- */

void sq_jbuf_init(struct sq_jbuf *b, size_t cap)
{
    b->len = 0;
    b->cap = cap ? cap : 256;
    b->p = malloc(b->cap);
    if (!b->p)
        sq_fatal("out of memory");
    b->p[0] = '\0';
}

void sq_jbuf_cleanup(struct sq_jbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *sq_jbuf_take(struct sq_jbuf *b, size_t *len)
{
    char *p = b->p;
    if (len)
        *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* Room for n more bytes and the terminating NUL. */
void sq_grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap * 2 : 256;
    while (c < need)
        c *= 2;
    char *q = realloc(*p, c);
    if (!q)
        sq_fatal("out of memory");
    *p = q;
    *cap = c;
}

static void jbuf_reserve(struct sq_jbuf *b, size_t n)
{
    sq_grow(&b->p, &b->cap, b->len + n + 1);
}

void sq_jbuf_raw(struct sq_jbuf *b, const char *s, size_t n)
{
    jbuf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sq_jbuf_lit(struct sq_jbuf *b, const char *s)
{
    sq_jbuf_raw(b, s, strlen(s));
}

void sq_jbuf_str(struct sq_jbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) {
        sq_jbuf_raw(b, "null", 4);
        return;
    }
    size_t n = strlen(s);
    jbuf_reserve(b, n + 2);
    b->p[b->len++] = '"';
    const char *run = s; /* start of the bytes not yet copied */
    for (const char *c = s;; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch && ch != '"' && ch != '\\' && ch >= 0x20)
            continue;
        sq_jbuf_raw(b, run, (size_t)(c - run));
        if (!ch)
            break;
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        switch (ch) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            elen = 6;
        }
        sq_jbuf_raw(b, esc, elen);
        run = c + 1;
    }
    sq_jbuf_raw(b, "\"", 1);
}

void sq_jbuf_int(struct sq_jbuf *b, int64_t v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sq_jbuf_raw(b, p, (size_t)(e - p));
}

void sq_jbuf_time(struct sq_jbuf *b, int64_t t)
{
    char iso[32];
    if (!t) {
        sq_jbuf_raw(b, "null", 4);
        return;
    }
    sq_clock_iso(t, iso);
    sq_jbuf_str(b, iso);
}
