/*
 * netaddr: address classes and CIDR ranges (see netaddr.h). The tables
 * follow the IANA special-purpose registries (RFC 6890 and successors).
 */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t v4_of(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool in4(uint32_t a, uint32_t net, int prefix)
{
    uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
    return (a & mask) == net;
}

static enum sq_addr_class classify4(uint32_t a)
{
    static const struct {
        uint32_t net;
        int prefix;
        enum sq_addr_class c;
    } t[] = {
        {0x00000000, 8, SQ_ADDR_UNSPECIFIED}, /* 0.0.0.0/8 */
        {0x0a000000, 8, SQ_ADDR_PRIVATE},     /* 10.0.0.0/8 */
        {0x64400000, 10, SQ_ADDR_PRIVATE},    /* 100.64.0.0/10 CGNAT */
        {0x7f000000, 8, SQ_ADDR_LOOPBACK},    /* 127.0.0.0/8 */
        {0xa9fe0000, 16, SQ_ADDR_LINK_LOCAL}, /* 169.254.0.0/16 */
        {0xac100000, 12, SQ_ADDR_PRIVATE},    /* 172.16.0.0/12 */
        {0xc0000000, 24, SQ_ADDR_RESERVED},   /* 192.0.0.0/24 IETF protocol assignments */
        {0xc0000200, 24, SQ_ADDR_RESERVED},   /* 192.0.2.0/24 TEST-NET-1 */
        {0xc0586300, 24, SQ_ADDR_RESERVED},   /* 192.88.99.0/24 6to4 relay (deprecated) */
        {0xc0a80000, 16, SQ_ADDR_PRIVATE},    /* 192.168.0.0/16 */
        {0xc6120000, 15, SQ_ADDR_RESERVED},   /* 198.18.0.0/15 benchmarking */
        {0xc6336400, 24, SQ_ADDR_RESERVED},   /* 198.51.100.0/24 TEST-NET-2 */
        {0xcb007100, 24, SQ_ADDR_RESERVED},   /* 203.0.113.0/24 TEST-NET-3 */
        {0xe0000000, 4, SQ_ADDR_MULTICAST},   /* 224.0.0.0/4 */
        {0xffffffff, 32, SQ_ADDR_BROADCAST},  /* before 240/4, which holds it */
        {0xf0000000, 4, SQ_ADDR_RESERVED},    /* 240.0.0.0/4 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (in4(a, t[i].net, t[i].prefix))
            return t[i].c;
    return SQ_ADDR_PUBLIC;
}

/* Whether the first `prefix` bits of a and net agree. */
static bool in6(const unsigned char *a, const unsigned char *net, int prefix)
{
    int whole = prefix / 8, rest = prefix % 8;
    if (memcmp(a, net, (size_t)whole))
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

static enum sq_addr_class classify6(const unsigned char *a)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    static const struct {
        unsigned char net[16];
        int prefix;
        enum sq_addr_class c;
    } t[] = {
        {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, SQ_ADDR_PRIVATE},  /* local-use NAT64 */
        {{0x01, 0x00}, 64, SQ_ADDR_RESERVED},                         /* 100::/64 discard */
        {{0x20, 0x01, 0x00, 0x00}, 32, SQ_ADDR_RESERVED},             /* 2001::/32 Teredo */
        {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, SQ_ADDR_RESERVED}, /* benchmarking */
        {{0x20, 0x01, 0x0d, 0xb8}, 32, SQ_ADDR_RESERVED},             /* documentation */
        {{0x3f, 0xff}, 20, SQ_ADDR_RESERVED},                         /* documentation */
        {{0xfc}, 7, SQ_ADDR_PRIVATE},                                 /* ULA */
        {{0xfe, 0x80}, 10, SQ_ADDR_LINK_LOCAL},
        {{0xfe, 0xc0}, 10, SQ_ADDR_PRIVATE}, /* site-local (deprecated) */
        {{0xff}, 8, SQ_ADDR_MULTICAST},
    };
    if (!memcmp(a, zero, 16))
        return SQ_ADDR_UNSPECIFIED;
    if (!memcmp(a, zero, 15) && a[15] == 1)
        return SQ_ADDR_LOOPBACK;
    if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12))
        return classify4(v4_of(a + 12));
    if (!memcmp(a, zero, 12))
        return SQ_ADDR_RESERVED;        /* ::a.b.c.d, IPv4-compatible (deprecated) */
    if (a[0] == 0x20 && a[1] == 0x02) { /* 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD */
        enum sq_addr_class c = classify4(v4_of(a + 2));
        if (c != SQ_ADDR_PUBLIC)
            return c;
    }
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (in6(a, t[i].net, t[i].prefix))
            return t[i].c;
    /* only 2000::/3 is allocated as global unicast */
    return (a[0] & 0xe0) == 0x20 ? SQ_ADDR_PUBLIC : SQ_ADDR_RESERVED;
}

enum sq_addr_class sq_addr_classify(const struct sockaddr *sa)
{
    if (!sa)
        return SQ_ADDR_RESERVED;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        return classify4(ntohl(s4->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        return classify6(s6->sin6_addr.s6_addr);
    }
    return SQ_ADDR_RESERVED;
}

const char *sq_addr_class_name(enum sq_addr_class c)
{
    static const char *const names[SQ_ADDR__MAX] = {
        [SQ_ADDR_PUBLIC] = "public",       [SQ_ADDR_LOOPBACK] = "loopback",
        [SQ_ADDR_PRIVATE] = "private",     [SQ_ADDR_LINK_LOCAL] = "link_local",
        [SQ_ADDR_MULTICAST] = "multicast", [SQ_ADDR_UNSPECIFIED] = "unspecified",
        [SQ_ADDR_BROADCAST] = "broadcast", [SQ_ADDR_RESERVED] = "reserved",
    };
    return c >= 0 && c < SQ_ADDR__MAX ? names[c] : "reserved";
}

const char *sq_addr_class_words(enum sq_addr_class c, bool zh)
{
    static const char *const words[SQ_ADDR__MAX][2] = {
        [SQ_ADDR_PUBLIC] = {"a public address", "公网地址"},
        [SQ_ADDR_LOOPBACK] = {"a loopback address", "本机回环地址"},
        [SQ_ADDR_PRIVATE] = {"a private network address", "内网地址"},
        [SQ_ADDR_LINK_LOCAL] = {"a link-local address", "链路本地地址"},
        [SQ_ADDR_MULTICAST] = {"a multicast address", "组播地址"},
        [SQ_ADDR_UNSPECIFIED] = {"an unspecified address", "未指定地址"},
        [SQ_ADDR_BROADCAST] = {"a broadcast address", "广播地址"},
        [SQ_ADDR_RESERVED] = {"a reserved address", "保留地址"},
    };
    if (c < 0 || c >= SQ_ADDR__MAX)
        c = SQ_ADDR_RESERVED;
    return words[c][zh ? 1 : 0];
}

bool sq_addr_parse_numeric(const char *host, struct sockaddr_storage *out)
{
    char buf[128];
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC}, *res = NULL;
    size_t len = host ? strlen(host) : 0;
    if (!len || len >= sizeof buf)
        return false;
    if (host[0] == '[') {
        if (len < 3 || host[len - 1] != ']')
            return false;
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        hints.ai_family = AF_INET6;
    } else {
        memcpy(buf, host, len + 1);
    }
    if (getaddrinfo(buf, NULL, &hints, &res) || !res)
        return false;
    bool ok = res->ai_addrlen <= sizeof *out;
    if (ok) {
        memset(out, 0, sizeof *out);
        memcpy(out, res->ai_addr, res->ai_addrlen);
    }
    freeaddrinfo(res);
    return ok;
}

const char *sq_addr_text(const struct sockaddr *sa, char *buf, size_t cap)
{
    const void *src = NULL;
    if (sa && sa->sa_family == AF_INET)
        src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa && sa->sa_family == AF_INET6)
        src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!src || !inet_ntop(sa->sa_family, src, buf, (socklen_t)cap))
        snprintf(buf, cap, "?");
    return buf;
}

/* ---- ranges ---- */

bool sq_cidr_parse(const char *s, struct sq_cidr *out)
{
    char buf[80];
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    long prefix = -1;
    if (!len || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (slash) {
        char *end;
        if (!slash[1] || slash[1] == '-' || slash[1] == '+')
            return false;
        prefix = strtol(slash + 1, &end, 10);
        if (*end)
            return false;
    }
    memset(out, 0, sizeof *out);
    /* strict dotted quads and RFC 4291 text only: a range is written by an
     * administrator, so the legacy forms are refused here */
    if (inet_pton(AF_INET, buf, out->net) == 1) {
        out->family = AF_INET;
        if (prefix < 0)
            prefix = 32;
        if (prefix > 32)
            return false;
    } else if (inet_pton(AF_INET6, buf, out->net) == 1) {
        out->family = AF_INET6;
        if (prefix < 0)
            prefix = 128;
        if (prefix > 128)
            return false;
    } else {
        return false;
    }
    out->prefix = (int)prefix;
    /* host bits must be zero */
    int bytes = out->family == AF_INET ? 4 : 16;
    for (int bit = out->prefix; bit < bytes * 8; bit++)
        if (out->net[bit / 8] & (0x80 >> (bit % 8)))
            return false;
    return true;
}

static bool is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

enum sq_err sq_cidr_list_parse(const char *csv, const char *key, struct sq_cidr *out, int max,
                               int *n, struct sq_detail *d)
{
    const char *p = csv ? csv : "";
    bool need_item = false; /* after a comma: an empty item is a typo */
    *n = 0;
    for (;;) {
        char item[80];
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ',' || (!*p && need_item))
            return sq_fail(d, SQ_EINVAL, key, "%s: empty item in '%.100s'", key, csv);
        if (!*p)
            return SQ_OK;
        const char *s = p;
        while (*p && !is_sep(*p))
            p++;
        size_t len = (size_t)(p - s);
        if (len >= sizeof item)
            return sq_fail(d, SQ_EINVAL, key, "%s: overlong item in '%.100s'", key, csv);
        if (*n == max)
            return sq_fail(d, SQ_EINVAL, key, "%s: at most %d ranges", key, max);
        memcpy(item, s, len);
        item[len] = '\0';
        if (!sq_cidr_parse(item, &out[*n]))
            return sq_fail(d, SQ_EINVAL, key,
                           "%s: '%s' is not an address range such as 127.0.0.0/8 or fd00::/8 "
                           "(host bits zero)",
                           key, item);
        (*n)++;
        while (*p == ' ' || *p == '\t')
            p++;
        need_item = *p == ',';
        if (need_item)
            p++;
    }
}

/* Addresses and ranges compared as 16 bytes: IPv4 as its IPv4-mapped IPv6
 * form (::ffff:a.b.c.d, prefix plus 96), so ::ffff:10.0.0.0/104 and
 * 10.0.0.0/8 are the same range and either spelling of an address matches. */
static void to16(int family, const unsigned char *a, unsigned char out[16])
{
    if (family == AF_INET) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, a, 4);
    } else {
        memcpy(out, a, 16);
    }
}

bool sq_cidr_match(const struct sq_cidr *list, int n, const struct sockaddr *sa)
{
    unsigned char a[16], net[16];
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET)
        to16(AF_INET,
             (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr, a);
    else if (sa->sa_family == AF_INET6)
        to16(AF_INET6, ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr, a);
    else
        return false;
    for (int i = 0; i < n; i++) {
        to16(list[i].family, list[i].net, net);
        if (in6(a, net, list[i].prefix + (list[i].family == AF_INET ? 96 : 0)))
            return true;
    }
    return false;
}

/* ---- address lists as text (settings: trusted_proxies, metrics_allow) ---- */

/* One address in strict text form (no legacy IPv4 spellings, no prefix). */
static bool addr_parse_strict(const char *ip, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
    if (!ip)
        return false;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

enum sq_err sq_addr_list_check(const char *key, const char *list, struct sq_detail *d)
{
    struct sq_cidr r[SQ_CIDR_MAX];
    int n;
    return sq_cidr_list_parse(list, key, r, SQ_CIDR_MAX, &n, d);
}

bool sq_addr_list_match(const char *list, const char *ip)
{
    struct sq_cidr r[SQ_CIDR_MAX];
    struct sockaddr_storage ss;
    int n = 0;
    if (!list || sq_cidr_list_parse(list, "list", r, SQ_CIDR_MAX, &n, NULL) ||
        !addr_parse_strict(ip, &ss))
        return false;
    return sq_cidr_match(r, n, (struct sockaddr *)&ss);
}

bool sq_addr_valid(const char *ip)
{
    struct sockaddr_storage ss;
    return addr_parse_strict(ip, &ss);
}

bool sq_addr_is_loopback(const char *ip)
{
    struct sockaddr_storage ss;
    return addr_parse_strict(ip, &ss) &&
           sq_addr_classify((struct sockaddr *)&ss) == SQ_ADDR_LOOPBACK;
}
