/*
 * test_netaddr: address lists (src/core/netaddr.c), which decide whose
 * X-Forwarded-For is believed (trusted_proxies) and who reads /metrics
 * (metrics_allow): prefixes on and off byte boundaries, IPv4 written as
 * IPv6, separators, and that anything malformed matches nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/netaddr.h"

static void test_check(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_addr_list_check("k", "", &d), SQ_OK);
    assert_int_equal(sq_addr_list_check("k", "127.0.0.1", &d), SQ_OK);
    assert_int_equal(sq_addr_list_check("k", " 10.0.0.0/8,192.168.1.0/24  ::1 fd00::/8,", &d),
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
}

static void test_match(void **state)
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

static void test_loopback(void **state)
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
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
