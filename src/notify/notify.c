/*
 * notify rules: webhook event names and URLs, backoff, signatures and the
 * retention cut-off. Pure functions of their inputs (plus libsodium's HMAC
 * and the event declarations), so the unit tests check every rule without a
 * database. Who hears of an event is the publishing domain's rule
 * (appeals/events.c, kb/events.c), asked through core/events.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "notify/notify.h"

bool sq_webhook_event_valid(const char *name)
{
    if (!name)
        return false;
    if (!strcmp(name, "*"))
        return true;
    size_t n = strlen(name);
    if (n > 2 && !strcmp(name + n - 2, ".*"))
        return sq_event_domain_known(name, n - 2);
    return sq_event_type_find(name) != NULL;
}

bool sq_webhook_wants(json_t *types, const char *event)
{
    size_t i;
    json_t *v;
    json_array_foreach(types, i, v)
    {
        if (sq_event_match(json_string_value(v), event))
            return true;
    }
    return false;
}

bool sq_webhook_url_valid(const char *url)
{
    const char *p;
    if (!url || strlen(url) > 2000)
        return false;
    if (!strncmp(url, "http://", 7))
        p = url + 7;
    else if (!strncmp(url, "https://", 8))
        p = url + 8;
    else
        return false;
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return false;
    const char *host = p;
    if (*p == '[') { /* IPv6 literal */
        p++;
        while (isxdigit((unsigned char)*p) || *p == ':' || *p == '.')
            p++;
        if (*p != ']' || p == host + 1)
            return false;
        p++;
    } else {
        while (isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_')
            p++;
        if (p == host)
            return false;
    }
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535)
            return false;
        p = end;
    }
    return *p == '\0' || *p == '/' || *p == '?';
}

bool sq_webhook_addr_allowed(const struct sockaddr *sa, const struct sq_cidr *allow, int nallow,
                             enum sq_addr_class *cls)
{
    enum sq_addr_class c = sq_addr_classify(sa);
    if (cls)
        *cls = c;
    return c == SQ_ADDR_PUBLIC || sq_cidr_match(allow, nallow, sa);
}

int64_t sq_webhook_backoff(int attempts)
{
    if (attempts < 1)
        return 1;
    if (attempts > 12) /* 2^12 s is already past the cap */
        return SQ_WEBHOOK_BACKOFF_MAX;
    int64_t s = (int64_t)1 << (attempts - 1);
    return s < SQ_WEBHOOK_BACKOFF_MAX ? s : SQ_WEBHOOK_BACKOFF_MAX;
}

void sq_webhook_sign(const char *secret, const void *body, size_t len, char *out)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

int64_t sq_notify_retention_cutoff(int64_t now, int days)
{
    return days > 0 ? now - (int64_t)days * 86400 : 0;
}
