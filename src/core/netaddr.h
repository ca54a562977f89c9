/*
 * netaddr: client addresses and address lists, for the settings that name
 * who is trusted (trusted_proxies) or allowed (metrics_allow).
 *
 * A list is text, "127.0.0.1, 10.0.0.0/8, fd00::/8": comma- or space-
 * separated IPv4 or IPv6 addresses, each with an optional /prefix. An IPv4
 * address written as IPv6 (::ffff:10.1.2.3) matches as the IPv4 address.
 * Lists are validated once, when the setting is read, and matched by
 * parsing them again (they are a few entries long).
 */
#ifndef SQ_NETADDR_H
#define SQ_NETADDR_H

#include <stdbool.h>

#include "core/err.h"

/* SQ_OK when every entry of list parses; otherwise SQ_EINVAL with a message
 * naming key and the bad entry. An empty list is valid. */
enum sq_err sq_addr_list_check(const char *key, const char *list, struct sq_detail *d);
/* True when the address ip (text, as inet_ntop writes it) lies in one of
 * the list's ranges. False for an unparsable ip or list. */
bool sq_addr_list_match(const char *list, const char *ip);
/* True when ip is one IPv4 or IPv6 address (no prefix). */
bool sq_addr_valid(const char *ip);
/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool sq_addr_is_loopback(const char *ip);

#endif
