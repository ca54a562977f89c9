/*
 * open311 rules: form decoding, the XML writer and the status mapping.
 * Everything is bounded: a form has at most O311_FORM_MAX_FIELDS fields of
 * at most O311_FORM_MAX_VALUE bytes, and is refused whole when any part is
 * malformed, so a handler never sees a half-decoded request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/rules.h"
#include "open311/open311.h"

/* ---- decoding ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *o311_url_decode(const char *src, size_t len, bool plus_space, size_t max)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            int hi = i + 2 < len ? hexval(src[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(src[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                goto bad;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == '\0')
            goto bad;
        *o++ = c;
        if ((size_t)(o - out) > max)
            goto bad;
    }
    *o = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

bool o311_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        int n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        p += n + 1;
    }
    return true;
}

static bool has_controls(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return true;
    return false;
}

void o311_form_cleanup(struct o311_form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->key[i]);
        free(f->val[i]);
    }
    memset(f, 0, sizeof *f);
}

const char *o311_form_get(const struct o311_form *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->key[i], key))
            return f->val[i];
    return NULL;
}

enum sq_err o311_form_parse(const char *body, size_t len, struct o311_form *f, struct sq_detail *d)
{
    size_t i = 0;
    while (i < len) {
        size_t start = i, eq = 0;
        bool has_eq = false;
        while (i < len && body[i] != '&') {
            if (body[i] == '=' && !has_eq) {
                has_eq = true;
                eq = i;
            }
            i++;
        }
        size_t end = i;
        i++; /* skip '&' */
        if (end == start)
            continue; /* "a=1&&b=2" or a trailing '&' */
        if (f->n == O311_FORM_MAX_FIELDS)
            return sq_fail(d, SQ_EBADREQ, NULL, "more than %d form fields", O311_FORM_MAX_FIELDS);
        size_t klen = has_eq ? eq - start : end - start;
        char *k = o311_url_decode(body + start, klen, true, 128);
        char *v = has_eq ? o311_url_decode(body + eq + 1, end - eq - 1, true, O311_FORM_MAX_VALUE)
                         : strdup("");
        if (!k || !v || !*k) {
            free(k);
            free(v);
            return sq_fail(d, SQ_EBADREQ, NULL,
                           "malformed form field near byte %zu (bad %%-escape, NUL, empty name "
                           "or over %d bytes)",
                           start, O311_FORM_MAX_VALUE);
        }
        f->key[f->n] = k;
        f->val[f->n] = v;
        f->n++;
        if (!o311_utf8_valid(k) || !o311_utf8_valid(v))
            return sq_fail(d, SQ_EBADREQ, NULL, "form field %.40s is not valid UTF-8",
                           o311_utf8_valid(k) ? k : "?");
        if (has_controls(k) || has_controls(v))
            return sq_fail(d, SQ_EBADREQ, NULL, "form field %.40s has control characters", k);
        for (int j = 0; j < f->n - 1; j++)
            if (!strcmp(f->key[j], k))
                return sq_fail(d, SQ_EBADREQ, NULL, "form field %.40s appears twice", k);
    }
    return SQ_OK;
}

/* ---- XML ---- */

void o311_xml_text(void *file, const char *s)
{
    FILE *f = file;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            /* XML 1.0 allows no C0 controls but tab, LF and CR */
            if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
                fputc(*p, f);
        }
    }
}

static const char *singular(const char *key)
{
    static const char *const names[][2] = {
        {"endpoints", "endpoint"},
        {"formats", "format"},
        {"attributes", "attribute"},
        {"values", "value"},
    };
    for (size_t i = 0; key && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(key, names[i][0]))
            return names[i][1];
    return "item";
}

static void xml_value(FILE *f, const char *name, json_t *v, const char *item);

static void xml_children(FILE *f, json_t *v, const char *item)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) xml_value(f, k, c, singular(k));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) xml_value(f, item, c, "item");
    }
}

static void xml_value(FILE *f, const char *name, json_t *v, const char *item)
{
    fprintf(f, "<%s>", name);
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        xml_children(f, v, item);
        break;
    case JSON_STRING:
        o311_xml_text(f, json_string_value(v));
        break;
    case JSON_INTEGER:
        fprintf(f, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        fprintf(f, "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        fputs("true", f);
        break;
    case JSON_FALSE:
        fputs("false", f);
        break;
    default: /* null: an empty element */
        break;
    }
    fprintf(f, "</%s>", name);
}

char *o311_xml(json_t *doc, const char *root, const char *item, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", f);
    fprintf(f, "<%s>", root);
    xml_children(f, doc, item);
    fprintf(f, "</%s>\n", root);
    fclose(f);
    *len = n;
    return buf;
}

json_t *o311_error_json(int status, const char *description)
{
    return json_pack("[{s:i,s:s}]", "code", status, "description", description);
}

/* ---- statuses ---- */

/* Open311's two statuses: open is the rules' open (sq_appeal_status_open). */
static const char *const labels[][2] = {
    {"submitted", "待签收"},   {"accepted", "已签收"},
    {"in_progress", "办理中"}, {"suspended", "挂起（等待补充材料）"},
    {"resolved", "已办结"},    {"evaluated", "已评价"},
    {"closed", "已关闭"},      {"rejected", "不予受理"},
    {"merged", "已合并办理"},
};

const char *o311_status(const char *s)
{
    int st = sq_appeal_status_parse(s);
    return st < 0 || sq_appeal_status_open(st) ? "open" : "closed";
}

const char *o311_status_label(const char *s)
{
    for (size_t i = 0; s && i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(s, labels[i][0]))
            return labels[i][1];
    return s ? s : "";
}
