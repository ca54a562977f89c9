/*
 * netaddr: address lists (see netaddr.h). Every address is held as 16 bytes,
 * IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d, its prefix plus 96), so
 * one comparison serves both families.
 */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct range {
    unsigned char a[16];
    int prefix; /* 0..128 */
};

/* Parses "ADDR" or "ADDR/N" (n bytes of s, not NUL-terminated). */
static bool range_parse(const char *s, size_t n, struct range *r)
{
    char text[64], *slash;
    unsigned char v4[4];
    long prefix = -1;
    if (!n || n >= sizeof text)
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    if ((slash = strchr(text, '/'))) {
        char *end;
        *slash = '\0';
        if (!isdigit((unsigned char)slash[1]))
            return false;
        prefix = strtol(slash + 1, &end, 10);
        if (*end || prefix > 128)
            return false;
    }
    memset(r->a, 0, sizeof r->a);
    if (inet_pton(AF_INET, text, v4) == 1) {
        if (prefix > 32)
            return false;
        r->a[10] = r->a[11] = 0xff;
        memcpy(r->a + 12, v4, 4);
        r->prefix = 96 + (int)(prefix < 0 ? 32 : prefix);
        return true;
    }
    if (inet_pton(AF_INET6, text, r->a) == 1) {
        r->prefix = (int)(prefix < 0 ? 128 : prefix);
        return true;
    }
    return false;
}

static bool range_has(const struct range *r, const unsigned char ip[16])
{
    int full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(r->a, ip, (size_t)full))
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (r->a[full] & mask) == (ip[full] & mask);
}

static bool is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

/* Calls fn for every entry of list; stops at the first that returns false.
 * Returns false when an entry does not parse (bad is set to it). */
static bool each_range(const char *list, bool (*fn)(const struct range *, void *), void *ctx,
                       const char **bad, size_t *badlen)
{
    const char *p = list;
    while (p && *p) {
        while (is_sep(*p))
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && !is_sep(*p))
            p++;
        struct range r;
        if (!range_parse(s, (size_t)(p - s), &r)) {
            if (bad) {
                *bad = s;
                *badlen = (size_t)(p - s);
            }
            return false;
        }
        if (fn && !fn(&r, ctx))
            return true;
    }
    return true;
}

enum sq_err sq_addr_list_check(const char *key, const char *list, struct sq_detail *d)
{
    const char *bad = NULL;
    size_t n = 0;
    if (each_range(list, NULL, NULL, &bad, &n))
        return SQ_OK;
    return sq_fail(d, SQ_EINVAL, key,
                   "%s: '%.*s' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)", key,
                   (int)(n > 60 ? 60 : n), bad);
}

struct match_ctx {
    unsigned char ip[16];
    bool found;
};

static bool match_one(const struct range *r, void *ctx)
{
    struct match_ctx *m = ctx;
    m->found = range_has(r, m->ip);
    return !m->found;
}

/* ip as 16 bytes (IPv4 mapped); false when it is not an address. */
static bool ip_parse(const char *ip, unsigned char out[16])
{
    struct range r;
    if (!ip || strchr(ip, '/') || !range_parse(ip, strlen(ip), &r))
        return false;
    memcpy(out, r.a, 16);
    return true;
}

bool sq_addr_valid(const char *ip)
{
    unsigned char a[16];
    return ip_parse(ip, a);
}

bool sq_addr_list_match(const char *list, const char *ip)
{
    struct match_ctx m = {.found = false};
    if (!list || !*list || !ip_parse(ip, m.ip))
        return false;
    return each_range(list, match_one, &m, NULL, NULL) && m.found;
}

bool sq_addr_is_loopback(const char *ip)
{
    return sq_addr_list_match("127.0.0.0/8 ::1", ip);
}
