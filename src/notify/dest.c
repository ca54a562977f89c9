/*
 * notify dest: may this webhook URL be stored? The host is read the way
 * libcurl reads it (its URL parser normalises the legacy IPv4 spellings
 * 0177.0.0.1, 2130706433, 0x7f.1, 127.1 to 127.0.0.1), resolved with
 * getaddrinfo, and every address is checked with sq_webhook_addr_allowed.
 * One refused address refuses the URL: a name that resolves to a public
 * and a private address is how DNS rebinding starts.
 *
 * This is the check at creation, for a clear 422. The sender checks again
 * at every delivery, on the address it is about to connect to (outbox.c,
 * CURLOPT_OPENSOCKETFUNCTION), so a name that resolves differently later
 * cannot reach what it could not reach here.
 */
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "notify/notify.h"

enum sq_err notify_webhook_dest_check(const char *url, const char *allow_csv, struct sq_detail *d)
{
    struct sq_cidr allow[SQ_CIDR_MAX];
    int nallow = 0;
    char host[300];
    char *h = NULL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    enum sq_err e = SQ_OK;
    CURLU *u = curl_url();
    if (!u)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
    if (sq_cidr_list_parse(allow_csv, "webhook_allow_cidrs", allow, SQ_CIDR_MAX, &nallow, NULL))
        nallow = 0; /* validated at start-up; never widen on a bad value */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !h || !*h ||
        strlen(h) >= sizeof host) {
        e = sq_fail(d, SQ_EINVAL, "url", "无法识别 url 中的主机 / the url's host cannot be read");
        goto out;
    }
    /* an IPv6 literal comes back in brackets */
    size_t len = strlen(h);
    if (h[0] == '[' && len > 2 && h[len - 1] == ']')
        snprintf(host, sizeof host, "%.*s", (int)(len - 2), h + 1);
    else
        snprintf(host, sizeof host, "%s", h);
    if (getaddrinfo(host, NULL, &hints, &res) || !res) {
        e = sq_fail(d, SQ_EINVAL, "url", "无法解析主机 %.100s / cannot resolve host %.100s", host,
                    host);
        goto out;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        enum sq_addr_class cls;
        if (sq_webhook_addr_allowed(ai->ai_addr, allow, nallow, &cls))
            continue;
        e = sq_fail(d, SQ_EINVAL, "url",
                    "url 的主机是%s，webhook 只能发往公网地址（管理员可用 webhook_allow_cidrs "
                    "放行指定网段） / the url's host is %s; webhooks go to public addresses only "
                    "(an administrator may allow a range with webhook_allow_cidrs)",
                    sq_addr_class_words(cls, true), sq_addr_class_words(cls, false));
        break;
    }
    freeaddrinfo(res);
out:
    curl_free(h);
    curl_url_cleanup(u);
    return e;
}
