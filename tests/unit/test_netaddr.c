/*
 * test_netaddr.c - where a webhook may connect (issue 10, item 7).
 *
 * The address classifier on every spelling of the addresses a webhook was
 * pointed at in the attack: the legacy IPv4 forms (octal, decimal, hex,
 * short), IPv6 loopback and IPv4-mapped loopback, cloud metadata, RFC 1918,
 * CGNAT, multicast and unspecified; CIDR ranges and the allow list; and
 * the check at creation (notify_webhook_dest_check) on numeric URLs, which
 * needs no DNS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/netaddr.h"
#include "notify/notify.h"

static enum sq_addr_class class_of(const char *host)
{
    struct sockaddr_storage ss;
    if (!sq_addr_parse_numeric(host, &ss))
        fail_msg("'%s' did not parse as a numeric address", host);
    return sq_addr_classify((struct sockaddr *)&ss);
}

static void test_legacy_ipv4_forms_are_loopback(void **state)
{
    (void)state;
    const char *forms[] = {"127.0.0.1",  "0177.0.0.1", "2130706433", "0x7f.1",         "127.1",
                           "0x7f000001", "127.0.1",    "0177.1",     "127.255.255.254"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        enum sq_addr_class c = class_of(forms[i]);
        if (c != SQ_ADDR_LOOPBACK)
            fail_msg("%s: %s, expected loopback", forms[i], sq_addr_class_name(c));
    }
}

static void test_ipv6_forms(void **state)
{
    (void)state;
    assert_int_equal(class_of("[::1]"), SQ_ADDR_LOOPBACK);
    assert_int_equal(class_of("::1"), SQ_ADDR_LOOPBACK);
    assert_int_equal(class_of("[::ffff:127.0.0.1]"), SQ_ADDR_LOOPBACK);
    assert_int_equal(class_of("::ffff:7f00:1"), SQ_ADDR_LOOPBACK);
    assert_int_equal(class_of("[::ffff:169.254.169.254]"), SQ_ADDR_LINK_LOCAL);
    assert_int_equal(class_of("[::ffff:10.0.0.1]"), SQ_ADDR_PRIVATE);
    assert_int_equal(class_of("[::]"), SQ_ADDR_UNSPECIFIED);
    assert_int_equal(class_of("[fe80::1]"), SQ_ADDR_LINK_LOCAL);
    assert_int_equal(class_of("[fd00::1]"), SQ_ADDR_PRIVATE);
    assert_int_equal(class_of("[fc00::1]"), SQ_ADDR_PRIVATE);
    assert_int_equal(class_of("[fec0::1]"), SQ_ADDR_PRIVATE);
    assert_int_equal(class_of("[ff02::1]"), SQ_ADDR_MULTICAST);
    assert_int_equal(class_of("[2001:db8::1]"), SQ_ADDR_RESERVED);
    assert_int_equal(class_of("[::127.0.0.1]"), SQ_ADDR_RESERVED);     /* IPv4-compatible */
    assert_int_equal(class_of("[64:ff9b::7f00:1]"), SQ_ADDR_LOOPBACK); /* NAT64 of 127.0.0.1 */
    assert_int_equal(class_of("[64:ff9b::808:808]"), SQ_ADDR_PUBLIC);  /* NAT64 of 8.8.8.8 */
    assert_int_equal(class_of("[2002:7f00:1::1]"), SQ_ADDR_LOOPBACK);  /* 6to4 of 127.0.0.1 */
    assert_int_equal(class_of("[2002:c0a8:101::1]"), SQ_ADDR_PRIVATE); /* 6to4 of 192.168.1.1 */
    assert_int_equal(class_of("[2400:3200::1]"), SQ_ADDR_PUBLIC);
    assert_int_equal(class_of("[2606:4700:4700::1111]"), SQ_ADDR_PUBLIC);
    assert_int_equal(class_of("[4000::1]"), SQ_ADDR_RESERVED); /* outside 2000::/3 */
}

static void test_ipv4_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        enum sq_addr_class c;
    } t[] = {
        {"169.254.169.254", SQ_ADDR_LINK_LOCAL}, /* cloud metadata */
        {"10.0.0.1", SQ_ADDR_PRIVATE},
        {"10.255.255.255", SQ_ADDR_PRIVATE},
        {"192.168.1.1", SQ_ADDR_PRIVATE},
        {"172.16.0.1", SQ_ADDR_PRIVATE},
        {"172.31.255.255", SQ_ADDR_PRIVATE},
        {"172.32.0.1", SQ_ADDR_PUBLIC},
        {"172.15.255.255", SQ_ADDR_PUBLIC},
        {"100.64.0.1", SQ_ADDR_PRIVATE},
        {"100.127.255.255", SQ_ADDR_PRIVATE},
        {"100.128.0.1", SQ_ADDR_PUBLIC},
        {"224.0.0.1", SQ_ADDR_MULTICAST},
        {"239.255.255.250", SQ_ADDR_MULTICAST},
        {"0.0.0.0", SQ_ADDR_UNSPECIFIED},
        {"0", SQ_ADDR_UNSPECIFIED},
        {"0.1.2.3", SQ_ADDR_UNSPECIFIED},
        {"255.255.255.255", SQ_ADDR_BROADCAST},
        {"240.0.0.1", SQ_ADDR_RESERVED},
        {"192.0.2.7", SQ_ADDR_RESERVED},
        {"198.18.0.1", SQ_ADDR_RESERVED},
        {"203.0.113.5", SQ_ADDR_RESERVED},
        {"192.0.0.170", SQ_ADDR_RESERVED},
        {"8.8.8.8", SQ_ADDR_PUBLIC},
        {"93.184.215.14", SQ_ADDR_PUBLIC},
        {"1.1.1.1", SQ_ADDR_PUBLIC},
        {"0xa.1", SQ_ADDR_PRIVATE},                  /* 10.0.0.1 in hex-short form */
        {"3232235777", SQ_ADDR_PRIVATE},             /* 192.168.1.1 as one number */
        {"0251.0376.0251.0376", SQ_ADDR_LINK_LOCAL}, /* 169.254.169.254 in octal */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum sq_addr_class c = class_of(t[i].host);
        if (c != t[i].c)
            fail_msg("%s: %s, expected %s", t[i].host, sq_addr_class_name(c),
                     sq_addr_class_name(t[i].c));
    }
}

static void test_names_are_not_numeric(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    assert_false(sq_addr_parse_numeric("localhost", &ss));
    assert_false(sq_addr_parse_numeric("example.org", &ss));
    assert_false(sq_addr_parse_numeric("", &ss));
    assert_false(sq_addr_parse_numeric("[127.0.0.1]", &ss)); /* brackets are for IPv6 */
    assert_false(sq_addr_parse_numeric("[::1", &ss));
}

static void test_cidr(void **state)
{
    (void)state;
    struct sq_cidr c[SQ_CIDR_MAX];
    struct sockaddr_storage ss;
    int n = -1;
    assert_true(sq_cidr_parse("127.0.0.0/8", &c[0]));
    assert_int_equal(c[0].prefix, 8);
    assert_true(sq_cidr_parse("10.1.2.3", &c[0]));
    assert_int_equal(c[0].prefix, 32);
    assert_true(sq_cidr_parse("fd00::/8", &c[0]));
    assert_true(sq_cidr_parse("0.0.0.0/0", &c[0]));
    assert_false(sq_cidr_parse("10.0.0.1/8", &c[0])); /* host bits set */
    assert_false(sq_cidr_parse("10.0.0.0/33", &c[0]));
    assert_false(sq_cidr_parse("10.0.0.0/", &c[0]));
    assert_false(sq_cidr_parse("10.0.0.0/-1", &c[0]));
    assert_false(sq_cidr_parse("0177.0.0.0/8", &c[0])); /* legacy forms only in URLs */
    assert_false(sq_cidr_parse("localhost", &c[0]));
    assert_false(sq_cidr_parse("::/129", &c[0]));

    assert_int_equal(sq_cidr_list_parse("", "k", c, SQ_CIDR_MAX, &n, NULL), SQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sq_cidr_list_parse("  ", "k", c, SQ_CIDR_MAX, &n, NULL), SQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        sq_cidr_list_parse("127.0.0.0/8, 10.1.0.0/16 ,fd00::/8", "k", c, SQ_CIDR_MAX, &n, NULL),
        SQ_OK);
    assert_int_equal(n, 3);
    struct sq_detail d = {0};
    assert_int_equal(sq_cidr_list_parse("127.0.0.0/8,", "k", c, SQ_CIDR_MAX, &n, &d), SQ_EINVAL);
    assert_int_equal(sq_cidr_list_parse("127.0.0.0/8,,10.0.0.0/8", "k", c, SQ_CIDR_MAX, &n, &d),
                     SQ_EINVAL);
    assert_int_equal(sq_cidr_list_parse("10.0.0.0/8,nope", "k", c, SQ_CIDR_MAX, &n, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "nope"));
    assert_string_equal(d.field, "k");

    assert_int_equal(sq_cidr_list_parse("127.0.0.0/8,10.1.0.0/16", "k", c, SQ_CIDR_MAX, &n, NULL),
                     SQ_OK);
    const char *in[] = {"127.0.0.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "10.1.200.3"};
    const char *out[] = {"10.2.0.1", "[::1]", "192.168.1.1", "128.0.0.1"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(sq_addr_parse_numeric(in[i], &ss));
        if (!sq_cidr_match(c, n, (struct sockaddr *)&ss))
            fail_msg("%s should be inside the ranges", in[i]);
        assert_true(sq_addr_parse_numeric(out[i], &ss));
        if (sq_cidr_match(c, n, (struct sockaddr *)&ss))
            fail_msg("%s should be outside the ranges", out[i]);
    }
}

static void test_webhook_addr_allowed(void **state)
{
    (void)state;
    struct sq_cidr allow[SQ_CIDR_MAX];
    struct sockaddr_storage ss;
    enum sq_addr_class cls;
    int n;
    /* by default only public addresses */
    assert_true(sq_addr_parse_numeric("93.184.215.14", &ss));
    assert_true(sq_webhook_addr_allowed((struct sockaddr *)&ss, NULL, 0, &cls));
    assert_int_equal(cls, SQ_ADDR_PUBLIC);
    const char *refused[] = {"0177.0.0.1",  "2130706433",         "0x7f.1",          "127.1",
                             "[::1]",       "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.1",
                             "192.168.1.1", "172.16.0.1",         "100.64.0.1",      "224.0.0.1",
                             "0.0.0.0",     "255.255.255.255"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_true(sq_addr_parse_numeric(refused[i], &ss));
        if (sq_webhook_addr_allowed((struct sockaddr *)&ss, NULL, 0, &cls))
            fail_msg("%s was allowed", refused[i]);
        assert_int_not_equal(cls, SQ_ADDR_PUBLIC);
    }
    /* an allowed range opens that range and nothing else */
    assert_int_equal(sq_cidr_list_parse("127.0.0.0/8", "k", allow, SQ_CIDR_MAX, &n, NULL), SQ_OK);
    assert_true(sq_addr_parse_numeric("0177.0.0.1", &ss));
    assert_true(sq_webhook_addr_allowed((struct sockaddr *)&ss, allow, n, NULL));
    assert_true(sq_addr_parse_numeric("0.0.0.0", &ss)); /* also reaches this host: not opened */
    assert_false(sq_webhook_addr_allowed((struct sockaddr *)&ss, allow, n, NULL));
    assert_true(sq_addr_parse_numeric("[::1]", &ss));
    assert_false(sq_webhook_addr_allowed((struct sockaddr *)&ss, allow, n, NULL));
    assert_true(sq_addr_parse_numeric("169.254.169.254", &ss));
    assert_false(sq_webhook_addr_allowed((struct sockaddr *)&ss, allow, n, NULL));
}

/* The creation check reads the URL as libcurl does, then resolves. */
static void test_dest_check(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    const char *refused[] = {"http://0177.0.0.1/",
                             "http://2130706433/",
                             "http://0x7f.1:8080/x",
                             "http://127.1/",
                             "http://[::1]:9/",
                             "http://[::ffff:127.0.0.1]/",
                             "http://169.254.169.254/latest/meta-data/",
                             "https://10.0.0.1/",
                             "http://192.168.1.1/",
                             "http://172.16.0.1/",
                             "http://100.64.0.1/",
                             "http://224.0.0.1/",
                             "http://0.0.0.0:8080/",
                             "http://localhost:8080/"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        memset(&d, 0, sizeof d);
        if (notify_webhook_dest_check(refused[i], "", &d) != SQ_EINVAL)
            fail_msg("%s was accepted", refused[i]);
        assert_string_equal(d.field, "url");
        assert_non_null(strstr(d.message, "webhook_allow_cidrs"));
        assert_non_null(strstr(d.message, " / ")); /* zh-CN / English */
    }
    assert_int_equal(notify_webhook_dest_check("http://0177.0.0.1/", "", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "loopback"));
    assert_int_equal(notify_webhook_dest_check("http://169.254.169.254/", "", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "link-local"));
    /* the documented way to reach a receiver on this machine */
    assert_int_equal(notify_webhook_dest_check("http://0177.0.0.1:8080/", "127.0.0.0/8", &d),
                     SQ_OK);
    assert_int_equal(notify_webhook_dest_check("http://127.0.0.1:8080/", "127.0.0.0/8", &d), SQ_OK);
    assert_int_equal(notify_webhook_dest_check("http://[::1]:8080/", "127.0.0.0/8", &d), SQ_EINVAL);
    assert_int_equal(notify_webhook_dest_check("http://[::1]:8080/", "127.0.0.0/8,::1", &d), SQ_OK);
    /* public literals pass without any setting */
    assert_int_equal(notify_webhook_dest_check("https://93.184.215.14/hook", "", &d), SQ_OK);
    assert_int_equal(notify_webhook_dest_check("https://[2606:4700:4700::1111]/hook", "", &d),
                     SQ_OK);
    /* a name that does not resolve is refused with its own message */
    memset(&d, 0, sizeof d);
    assert_int_equal(notify_webhook_dest_check("https://no-such-host.invalid/hook", "", &d),
                     SQ_EINVAL);
    assert_non_null(strstr(d.message, "cannot resolve"));
}

/* ---- address lists as text (trusted_proxies, metrics_allow) ---- */

static void test_list_check(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_addr_list_check("k", "", &d), SQ_OK);
    assert_int_equal(sq_addr_list_check("k", "127.0.0.1", &d), SQ_OK);
    assert_int_equal(sq_addr_list_check("k", " 10.0.0.0/8,192.168.1.0/24  ::1 fd00::/8", &d),
                     SQ_OK);
    assert_int_equal(sq_addr_list_check("k", "0.0.0.0/0", &d), SQ_OK);
    assert_int_equal(sq_addr_list_check("k", "10.0.0.0/33", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "10.0.0.0/33"));
    assert_string_equal(d.field, "k");
    assert_int_equal(sq_addr_list_check("k", "10.0.0.0/-1", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "10.0.0.0/8x", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "10.0.0/8", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "0177.0.0.1", &d), SQ_EINVAL); /* no octal forms */
    assert_int_equal(sq_addr_list_check("k", "2130706433", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "localhost", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "fd00::/129", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "1.2.3.4;5.6.7.8", &d), SQ_EINVAL);
    assert_int_equal(sq_addr_list_check("k", "10.0.0.0/8,", &d), SQ_EINVAL); /* a typo */
}

static void test_list_match(void **state)
{
    (void)state;
    assert_true(sq_addr_list_match("127.0.0.1", "127.0.0.1"));
    assert_false(sq_addr_list_match("127.0.0.1", "127.0.0.2"));
    assert_true(sq_addr_list_match("10.0.0.0/8", "10.255.1.2"));
    assert_false(sq_addr_list_match("10.0.0.0/8", "11.0.0.1"));
    /* prefixes off a byte boundary */
    assert_true(sq_addr_list_match("192.168.4.0/22", "192.168.7.255"));
    assert_false(sq_addr_list_match("192.168.4.0/22", "192.168.8.0"));
    assert_false(sq_addr_list_match("192.168.4.0/22", "192.168.3.255"));
    assert_true(sq_addr_list_match("0.0.0.0/0", "8.8.8.8"));
    assert_false(sq_addr_list_match("0.0.0.0/0", "2001:db8::1")); /* IPv4 only */
    /* the second entry, any separator */
    assert_true(sq_addr_list_match("10.0.0.1, 192.0.2.7", "192.0.2.7"));
    assert_true(sq_addr_list_match("10.0.0.1 192.0.2.7", "192.0.2.7"));
    /* IPv6, and IPv4 written as IPv6 */
    assert_true(sq_addr_list_match("fd00::/8", "fd12:3456::1"));
    assert_false(sq_addr_list_match("fd00::/8", "fe80::1"));
    assert_true(sq_addr_list_match("10.0.0.0/8", "::ffff:10.1.2.3"));
    assert_true(sq_addr_list_match("::ffff:10.0.0.0/104", "10.1.2.3"));
    /* malformed: matches nothing */
    assert_false(sq_addr_list_match("10.0.0.0/8", "10.1.2"));
    assert_false(sq_addr_list_match("10.0.0.0/8", "10.1.2.3/8"));
    assert_false(sq_addr_list_match("10.0.0.0/8", "?"));
    assert_false(sq_addr_list_match("10.0.0.0/8", ""));
    assert_false(sq_addr_list_match("10.0.0.0/8", NULL));
    assert_false(sq_addr_list_match("nonsense 10.0.0.0/8", "10.1.1.1"));
    assert_false(sq_addr_list_match("", "10.1.1.1"));
    assert_false(sq_addr_list_match(NULL, "10.1.1.1"));
    assert_true(sq_addr_valid("2001:db8::1"));
    assert_true(sq_addr_valid("192.0.2.1"));
    assert_false(sq_addr_valid("192.0.2.1/32"));
    assert_false(sq_addr_valid("192.0.2.1:80"));
}

static void test_list_loopback(void **state)
{
    (void)state;
    assert_true(sq_addr_is_loopback("127.0.0.1"));
    assert_true(sq_addr_is_loopback("127.1.2.3"));
    assert_true(sq_addr_is_loopback("::1"));
    assert_true(sq_addr_is_loopback("::ffff:127.0.0.1"));
    assert_false(sq_addr_is_loopback("128.0.0.1"));
    assert_false(sq_addr_is_loopback("10.0.0.1"));
    assert_false(sq_addr_is_loopback("::2"));
    assert_false(sq_addr_is_loopback("?"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_ipv4_forms_are_loopback),
        cmocka_unit_test(test_ipv6_forms),
        cmocka_unit_test(test_ipv4_ranges),
        cmocka_unit_test(test_names_are_not_numeric),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_list_check),
        cmocka_unit_test(test_list_match),
        cmocka_unit_test(test_list_loopback),
        cmocka_unit_test(test_webhook_addr_allowed),
        cmocka_unit_test(test_dest_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
