/*
 * json: field validation and helpers (see json.h).
 */
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
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
                used +=
                    (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *c);
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

/* ---- query-string parameters ---- */

const struct sq_query *sq_query_find(const struct sq_query *q, const char *name)
{
    for (; q && q->name; q++)
        if (!strcmp(q->name, name))
            return q;
    return NULL;
}

static bool in_choices(const char *const *c, const char *s, size_t n)
{
    for (; c && *c; c++)
        if (strlen(*c) == n && !strncmp(*c, s, n))
            return true;
    return false;
}

/* "a, b or c" from the choices, cut to fit out. */
static const char *choices_text(const char *const *c, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; c && c[i] && len < cap; i++) {
        const char *sep = i == 0 ? "" : c[i + 1] ? ", " : " or ";
        int n = snprintf(out + len, cap - len, "%s%s", sep, c[i][0] ? c[i] : "\"\"");
        len += n > 0 ? (size_t)n : 0;
    }
    return out;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static enum sq_err bad_value(const struct sq_query *q, struct sq_detail *d)
{
    char ch[160];
    if (q->message)
        return sq_fail(d, SQ_EINVAL, q->name, "%s", q->message);
    switch (q->type) {
    case SQ_Q_STR:
        return sq_fail(d, SQ_EINVAL, q->name, "%s 最多 %.0f 个字符 / %s is at most %.0f characters",
                       q->name, q->max, q->name, q->max);
    case SQ_Q_INT:
        return sq_fail(d, SQ_EINVAL, q->name,
                       "%s 须为 %.0f 到 %.0f 的整数 / %s must be an integer from %.0f to %.0f",
                       q->name, q->min, q->max, q->name, q->min, q->max);
    case SQ_Q_ID:
        return sq_fail(d, SQ_EINVAL, q->name, "%s 须为编号%s%s / %s must be an id%s%s", q->name,
                       q->also ? "或 " : "", q->also ? q->also : "", q->name, q->also ? " or " : "",
                       q->also ? q->also : "");
    case SQ_Q_ENUM:
    case SQ_Q_LIST:
        choices_text(q->choices, ch, sizeof ch);
        return sq_fail(d, SQ_EINVAL, q->name, "%s 的取值无效 / %s must be %s%s", q->name, q->name,
                       q->type == SQ_Q_LIST ? "a comma-separated list of " : "", ch);
    case SQ_Q_BOOL:
        return sq_fail(d, SQ_EINVAL, q->name,
                       "%s 须为 1、0、true 或 false / %s must be 1, 0, true or false", q->name,
                       q->name);
    case SQ_Q_DATE:
        return sq_fail(d, SQ_EINVAL, q->name,
                       "%s 须为日期 YYYY-MM-DD / %s must be a date YYYY-MM-DD", q->name, q->name);
    case SQ_Q_MONTH:
        if (q->min > 0 && q->max > 0)
            return sq_fail(d, SQ_EINVAL, q->name,
                           "%s 须为 %.0f-%.0f 年的月份 YYYY-MM / %s must be a month YYYY-MM of "
                           "%.0f to %.0f",
                           q->name, q->min, q->max, q->name, q->min, q->max);
        return sq_fail(d, SQ_EINVAL, q->name, "%s 须为月份 YYYY-MM / %s must be a month YYYY-MM",
                       q->name, q->name);
    case SQ_Q_CURSOR:
        return sq_fail(d, SQ_EINVAL, q->name,
                       "%s 不是本服务给出的翻页标记 / %s is not one this server gave out", q->name,
                       q->name);
    case SQ_Q_TIME:
        break;
    }
    return sq_fail(d, SQ_EINVAL, q->name,
                   "%s 须为日期或 ISO 8601 时间 / %s must be a date or an ISO 8601 time", q->name,
                   q->name);
}

enum sq_err sq_query_check(const struct sq_query *q, const char *name, const char *value,
                           struct sq_detail *d)
{
    char *end;
    int64_t t;
    if (!q)
        return sq_fail(d, SQ_EINVAL, name, "未知的查询参数 %.60s / unknown query parameter '%.60s'",
                       name, name);
    if (!value)
        value = "";
    if (!*value &&
        (q->empty_ok || q->type == SQ_Q_STR || q->type == SQ_Q_LIST || q->type == SQ_Q_CURSOR))
        return SQ_OK;
    switch (q->type) {
    case SQ_Q_STR: {
        size_t n = sq_utf8_len(value);
        if ((q->max > 0 && (double)n > q->max) || (double)n < q->min)
            return bad_value(q, d);
        return SQ_OK;
    }
    case SQ_Q_INT: {
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (end == value || *end || errno || (double)v < q->min || (double)v > q->max)
            return bad_value(q, d);
        return SQ_OK;
    }
    case SQ_Q_ID: {
        if (q->also && !strcmp(value, q->also))
            return SQ_OK;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (end == value || *end || errno || v <= 0)
            return bad_value(q, d);
        return SQ_OK;
    }
    case SQ_Q_ENUM:
        return in_choices(q->choices, value, strlen(value)) ? SQ_OK : bad_value(q, d);
    case SQ_Q_LIST: {
        int n = 0;
        if (strlen(value) > 255)
            return bad_value(q, d);
        for (const char *s = value; *s;) {
            size_t len = strcspn(s, ",");
            if (len && (!in_choices(q->choices, s, len) || (q->max > 0 && ++n > q->max)))
                return bad_value(q, d);
            s += len;
            if (*s == ',')
                s++;
        }
        return SQ_OK;
    }
    case SQ_Q_BOOL:
        return !strcmp(value, "1") || !strcmp(value, "0") || !strcmp(value, "true") ||
                       !strcmp(value, "false")
                   ? SQ_OK
                   : bad_value(q, d);
    case SQ_Q_DATE:
        if (strlen(value) != 10 || !digits(value, 4) || value[4] != '-' || !digits(value + 5, 2) ||
            value[7] != '-' || !digits(value + 8, 2) || atoi(value + 5) < 1 ||
            atoi(value + 5) > 12 || atoi(value + 8) < 1 || atoi(value + 8) > 31)
            return bad_value(q, d);
        return SQ_OK;
    case SQ_Q_MONTH:
        if (strlen(value) != 7 || !digits(value, 4) || value[4] != '-' || !digits(value + 5, 2) ||
            atoi(value + 5) < 1 || atoi(value + 5) > 12 || (q->min > 0 && atoi(value) < q->min) ||
            (q->max > 0 && atoi(value) > q->max))
            return bad_value(q, d);
        return SQ_OK;
    case SQ_Q_TIME:
        return sq_clock_parse_iso(value, &t) ? bad_value(q, d) : SQ_OK;
    case SQ_Q_CURSOR: {
        struct sq_page pg;
        return sq_page_parse(NULL, value, &pg, NULL) ? bad_value(q, d) : SQ_OK;
    }
    }
    return bad_value(q, d);
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

json_t *sq_json_mask_personal(json_t *j)
{
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) sq_json_mask_personal(v);
        return j;
    }
    json_object_foreach(j, key, v)
    {
        bool phone = !strcmp(key, "phone") || !strcmp(key, "contact_phone");
        bool idn = !strcmp(key, "id_number");
        if ((phone || idn) && json_is_string(v)) {
            char m[128];
            if (phone)
                sq_mask_phone(json_string_value(v), m, sizeof m);
            else
                sq_mask_id(json_string_value(v), m, sizeof m);
            json_string_set(v, m);
        } else if (json_is_object(v) || json_is_array(v)) {
            sq_json_mask_personal(v);
        }
    }
    return j;
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

void sq_jbuf_real(struct sq_jbuf *b, double v)
{
    /* jansson's jsonp_dtostr() with precision 15 (the C locale) */
    char buf[64];
    int n = snprintf(buf, sizeof buf - 3, "%.15g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3) {
        sq_jbuf_raw(b, "null", 4);
        return;
    }
    size_t len = (size_t)n;
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *start = strchr(buf, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - buf) + 1);
            len -= (size_t)(end - start);
        }
    }
    sq_jbuf_raw(b, buf, len);
}

static int jbuf_dump_cb(const char *s, size_t n, void *ctx)
{
    sq_jbuf_raw(ctx, s, n);
    return 0;
}

void sq_jbuf_json(struct sq_jbuf *b, const json_t *j)
{
    if (!j || json_dump_callback(j, jbuf_dump_cb, b,
                                 JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY))
        sq_jbuf_raw(b, "null", 4);
}
