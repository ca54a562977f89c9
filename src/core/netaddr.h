/*
 * netaddr: what kind of network address this is, and address ranges (CIDR).
 *
 * Pure functions over socket addresses, used where the server connects out
 * to an address somebody else named (webhooks): loopback, private,
 * link-local, multicast and other non-global addresses are told apart from
 * global unicast ones, including every spelling that names them — the
 * legacy IPv4 forms (0177.0.0.1, 2130706433, 0x7f.1, 127.1) parse to the
 * same address as 127.0.0.1, and an IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) is classified by the IPv4 address inside it. Nothing
 * here touches the network: sq_addr_parse_numeric uses getaddrinfo with
 * AI_NUMERICHOST only.
 */
#ifndef SQ_NETADDR_H
#define SQ_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/err.h"

enum sq_addr_class {
    SQ_ADDR_PUBLIC,      /* global unicast: anyone's server on the internet */
    SQ_ADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
    SQ_ADDR_PRIVATE,     /* RFC 1918, CGNAT 100.64.0.0/10, ULA fc00::/7, site-local fec0::/10 */
    SQ_ADDR_LINK_LOCAL,  /* 169.254.0.0/16 (cloud metadata lives here), fe80::/10 */
    SQ_ADDR_MULTICAST,   /* 224.0.0.0/4, ff00::/8 */
    SQ_ADDR_UNSPECIFIED, /* 0.0.0.0/8 ("this network"), :: */
    SQ_ADDR_BROADCAST,   /* 255.255.255.255 */
    SQ_ADDR_RESERVED,    /* documentation, benchmarking, 240.0.0.0/4, IETF protocol
                            assignments, discard, Teredo, deprecated forms */
    SQ_ADDR__MAX
};

/* The class of an AF_INET or AF_INET6 address (anything else: RESERVED).
 * IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses are classified by the IPv4 address they carry. */
enum sq_addr_class sq_addr_classify(const struct sockaddr *sa);
/* "public", "loopback", "private", "link_local", ... (static). */
const char *sq_addr_class_name(enum sq_addr_class c);
/* The class in words for a person, in zh-CN or English (static). */
const char *sq_addr_class_words(enum sq_addr_class c, bool zh);

/* Parses a numeric host — any form getaddrinfo(AI_NUMERICHOST) accepts,
 * IPv6 optionally in brackets — into out. False when host is a name or
 * malformed. */
bool sq_addr_parse_numeric(const char *host, struct sockaddr_storage *out);
/* The address as text ("127.0.0.1", "::1") into buf (>= 64). */
const char *sq_addr_text(const struct sockaddr *sa, char *buf, size_t cap);

/* An address range: family AF_INET or AF_INET6, the network's bytes, the
 * prefix length. */
struct sq_cidr {
    int family;
    unsigned char net[16];
    int prefix;
};
#define SQ_CIDR_MAX 32

/* Parses "a.b.c.d/n", "x::y/n" or a single address (a /32 or /128).
 * Host bits must be zero ("10.0.0.1/8" is refused as ambiguous). */
bool sq_cidr_parse(const char *s, struct sq_cidr *out);
/* Parses a list separated by commas and/or spaces (an empty item between
 * two commas or after a trailing comma is refused; empty list = no range) into out[max]; *n gets
 * the count. SQ_EINVAL naming `key` and the bad item. */
enum sq_err sq_cidr_list_parse(const char *csv, const char *key, struct sq_cidr *out, int max,
                               int *n, struct sq_detail *d);
/* Whether sa lies in one of the ranges. An IPv4-mapped IPv6 address also
 * matches the IPv4 ranges that hold its IPv4 address. */
bool sq_cidr_match(const struct sq_cidr *list, int n, const struct sockaddr *sa);

/* ---- address lists as text, for settings (trusted_proxies, metrics_allow) ----
 * The same syntax as sq_cidr_list_parse; addresses in strict text form. */
/* SQ_OK when every entry parses; SQ_EINVAL naming key and the bad entry. */
enum sq_err sq_addr_list_check(const char *key, const char *list, struct sq_detail *d);
/* True when the address ip (text, as inet_ntop writes it) lies in one of the
 * list's ranges; false for an unparsable ip or list. */
bool sq_addr_list_match(const char *list, const char *ip);
/* True when ip is one IPv4 or IPv6 address (no prefix). */
bool sq_addr_valid(const char *ip);
/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool sq_addr_is_loopback(const char *ip);

#endif
