/*
 * test_config: settings (src/core/config.c). Defaults, then a file, then
 * SANQU_* environment variables, then sq_config_set (what flags call): each
 * later source wins for the keys it names and leaves the others alone.
 * Every source goes through the same validation, so a bad value is refused
 * with a message naming the key wherever it comes from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static char path[64];

static const char *write_conf(const char *text)
{
    snprintf(path, sizeof path, "/tmp/sanqu-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults(void **state)
{
    (void)state;
    struct sq_config c;
    sq_config_defaults(&c);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.db, "./sanqu.db");
    assert_string_equal(c.data_dir, "");
    assert_int_equal(c.threads, 0);
    assert_true(c.anonymous_appeals);
    assert_int_equal(c.warn_percent, 80);
    assert_int_equal(c.unrated_days, 7);
    assert_int_equal(c.session_hours, 12);
    assert_int_equal(c.max_body, 256 * 1024);
    assert_int_equal(c.max_upload, 10 * 1024 * 1024);
    assert_false(c.test_clock);
    assert_false(c.quiet);
    assert_string_equal(c.port_file, "");
    /* every key in the table has help and is settable by name */
    int n = 0;
    for (const struct sq_config_key *k = sq_config_keys; k->key; k++, n++) {
        assert_non_null(k->help);
        struct sq_detail d = {0};
        sq_config_set(&c, k->key, "", &d);
        assert_null(strstr(d.message, "unknown setting")); /* known, even if "" is bad */
    }
    assert_true(n >= 13);
}

static void test_precedence(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    /* file: three keys */
    const char *f = write_conf("# comment\n"
                               "\n"
                               "listen = 10.0.0.1:81\n"
                               "   session_hours=2   \n"
                               "db = /var/lib/sanqu/file.db\n"
                               "quiet = yes\n");
    assert_int_equal(sq_config_load_file(&c, f, &d), SQ_OK);
    unlink(f);
    assert_string_equal(c.host, "10.0.0.1");
    assert_int_equal(c.port, 81);
    assert_int_equal(c.session_hours, 2);
    assert_string_equal(c.db, "/var/lib/sanqu/file.db");
    assert_true(c.quiet);
    assert_int_equal(c.warn_percent, 80); /* untouched default */
    /* environment: overrides two of them, adds one, ignores the rest */
    char *env[] = {"PATH=/bin",
                   "SANQU_SESSION_HOURS=3",
                   "SANQU_LISTEN=10.0.0.2:82",
                   "SANQU_WARN_PERCENT=70",
                   "SANQU_SESSION_HOURSX=99",
                   "sanqu_db=/lower/case/ignored",
                   "SANQU_BIN=/not/a/setting",
                   NULL};
    assert_int_equal(sq_config_load_env(&c, env, &d), SQ_OK);
    assert_int_equal(c.session_hours, 3);
    assert_string_equal(c.host, "10.0.0.2");
    assert_int_equal(c.port, 82);
    assert_int_equal(c.warn_percent, 70);
    assert_string_equal(c.db, "/var/lib/sanqu/file.db"); /* the file's, still */
    assert_true(c.quiet);
    /* flags: the last word */
    assert_int_equal(sq_config_set(&c, "session_hours", "4", &d), SQ_OK);
    assert_int_equal(sq_config_set(&c, "listen", "127.0.0.1:0", &d), SQ_OK);
    assert_int_equal(c.session_hours, 4);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 0);
    assert_int_equal(c.warn_percent, 70);
    assert_string_equal(c.db, "/var/lib/sanqu/file.db");
    /* an empty environment changes nothing */
    char *none[] = {NULL};
    assert_int_equal(sq_config_load_env(&c, none, &d), SQ_OK);
    assert_int_equal(sq_config_load_env(&c, NULL, &d), SQ_OK);
    assert_int_equal(c.session_hours, 4);
}

static void refused(const char *key, const char *value)
{
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    struct sq_config before = c;
    if (sq_config_set(&c, key, value, &d) != SQ_EINVAL)
        fail_msg("%s = '%s' accepted", key, value);
    assert_non_null(strstr(d.message, key));
    assert_memory_equal(&c, &before, sizeof c); /* nothing half-set */
}

static void test_values(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    assert_int_equal(sq_config_set(&c, "listen", "[::1]:8443", &d), SQ_OK); /* last colon */
    assert_string_equal(c.host, "[::1]");
    assert_int_equal(c.port, 8443);
    assert_int_equal(sq_config_set(&c, "max_body_kb", "1", &d), SQ_OK);
    assert_int_equal(c.max_body, 1024);
    assert_int_equal(sq_config_set(&c, "max_upload_kb", "2048", &d), SQ_OK);
    assert_int_equal(c.max_upload, 2048 * 1024);
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sq_config_set(&c, "test_clock", yes[i], &d), SQ_OK);
        assert_true(c.test_clock);
        assert_int_equal(sq_config_set(&c, "test_clock", no[i], &d), SQ_OK);
        assert_false(c.test_clock);
    }
    assert_int_equal(sq_config_set(&c, "threads", "0", &d), SQ_OK);
    assert_int_equal(sq_config_set(&c, "threads", "256", &d), SQ_OK);
    assert_int_equal(sq_config_set(&c, "data_dir", "/srv/files", &d), SQ_OK);
    assert_string_equal(c.data_dir, "/srv/files");

    refused("listen", "localhost");
    refused("listen", ":8080");
    refused("listen", "127.0.0.1:");
    refused("listen", "127.0.0.1:65536");
    refused("listen", "127.0.0.1:-1");
    refused("listen", "127.0.0.1:80x");
    refused("listen", "a-very-long-host-name-that-does-not-fit-in-sixty-four-bytes-at-all:80");
    refused("threads", "257");
    refused("threads", "many");
    refused("threads", "");
    refused("warn_percent", "0");
    refused("warn_percent", "100");
    refused("unrated_days", "0");
    refused("session_hours", "0");
    refused("session_hours", "2161");
    refused("session_hours", "99999999999999999999");
    refused("max_body_kb", "0");
    refused("max_upload_kb", "-1");
    refused("quiet", "perhaps");
    refused("quiet", "TRUE");
    refused("db", "");
    refused("port_file", "");
    struct sq_config x;
    sq_config_defaults(&x);
    assert_int_equal(sq_config_set(&x, "colour", "red", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "colour"));
}

/* The edge's settings: addresses, the public URL, the per-address limits. */
static void test_edge_settings(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    assert_int_equal(c.anon_appeals_per_hour, 30);
    assert_int_equal(c.registrations_per_hour, 10);
    assert_string_equal(c.public_url, "");
    assert_string_equal(c.trusted_proxies, "");
    assert_string_equal(c.metrics_allow, "");
    assert_string_equal(c.metrics_token, "");
    assert_int_equal(sq_config_set(&c, "public_url", "https://sanqu.example.gov.cn", &d), SQ_OK);
    assert_string_equal(c.public_url, "https://sanqu.example.gov.cn");
    assert_int_equal(sq_config_set(&c, "public_url", "http://10.0.0.5:8080/", &d), SQ_OK);
    assert_int_equal(sq_config_set(&c, "trusted_proxies", "127.0.0.1, 10.0.0.0/8 ::1", &d), SQ_OK);
    assert_string_equal(c.trusted_proxies, "127.0.0.1, 10.0.0.0/8 ::1");
    assert_int_equal(sq_config_set(&c, "trusted_proxies", "", &d), SQ_OK); /* none again */
    assert_string_equal(c.trusted_proxies, "");
    assert_int_equal(sq_config_set(&c, "metrics_allow", "192.0.2.0/24,fd00::/8", &d), SQ_OK);
    assert_int_equal(sq_config_set(&c, "metrics_token", "0123456789abcdef", &d), SQ_OK);
    assert_string_equal(c.metrics_token, "0123456789abcdef");
    assert_int_equal(sq_config_set(&c, "anon_appeals_per_hour", "0", &d), SQ_OK);
    assert_int_equal(c.anon_appeals_per_hour, 0);
    assert_int_equal(sq_config_set(&c, "registrations_per_hour", "1000000", &d), SQ_OK);
    assert_int_equal(c.registrations_per_hour, 1000000);

    refused("public_url", "sanqu.example.gov.cn");
    refused("public_url", "ftp://sanqu.example");
    refused("public_url", "https://a b");
    refused("trusted_proxies", "nginx");
    refused("trusted_proxies", "10.0.0.0/33");
    refused("trusted_proxies", "10.0.0.1/");
    refused("trusted_proxies", "127.0.0.1, 10.0.0.256");
    refused("metrics_allow", "::1/129");
    refused("metrics_allow", "*");
    refused("metrics_token", "short");
    refused("metrics_token", "has a space in it, sixteen+");
    refused("anon_appeals_per_hour", "-1");
    refused("anon_appeals_per_hour", "many");
    refused("registrations_per_hour", "1000001");
}

static void test_file_errors(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    const char *f = write_conf("session_hours = 5\nthis line has no equals sign\nquiet = true\n");
    assert_int_equal(sq_config_load_file(&c, f, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, ":2:"));
    assert_non_null(strstr(d.message, path));
    unlink(f);
    sq_config_defaults(&c);
    f = write_conf("warn_percent = 150\n");
    assert_int_equal(sq_config_load_file(&c, f, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, ":1:"));
    assert_non_null(strstr(d.message, "warn_percent"));
    unlink(f);
    f = write_conf("colour = red\n");
    assert_int_equal(sq_config_load_file(&c, f, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "colour"));
    unlink(f);
    assert_int_equal(sq_config_load_file(&c, "/nonexistent/sanqu.conf", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "/nonexistent/sanqu.conf"));
    /* an environment variable with a bad value is refused too */
    char *env[] = {"SANQU_THREADS=lots", NULL};
    assert_int_equal(sq_config_load_env(&c, env, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "threads"));
}

/* issue 10 item 7: the ranges webhooks may reach although not public */
static void test_webhook_allow_cidrs(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    assert_string_equal(c.webhook_allow_cidrs, ""); /* public addresses only */
    assert_int_equal(sq_config_set(&c, "webhook_allow_cidrs", "127.0.0.0/8, 10.1.2.0/24,::1", &d),
                     SQ_OK);
    assert_string_equal(c.webhook_allow_cidrs, "127.0.0.0/8, 10.1.2.0/24,::1");
    assert_int_equal(sq_config_set(&c, "webhook_allow_cidrs", "", &d), SQ_OK);
    assert_string_equal(c.webhook_allow_cidrs, "");
    const char *bad[] = {"localhost", "10.0.0.1/8", "127.0.0.0/8,", "0177.0.0.0/8", "10.0.0.0/40"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&d, 0, sizeof d);
        assert_int_equal(sq_config_set(&c, "webhook_allow_cidrs", bad[i], &d), SQ_EINVAL);
        assert_non_null(strstr(d.message, "webhook_allow_cidrs"));
        assert_string_equal(c.webhook_allow_cidrs, ""); /* unchanged */
    }
}

/* Retention ages (docs/events.md): defaults, 0 = keep forever, bounds. */
static void test_retention_days(void **state)
{
    (void)state;
    struct sq_config c;
    struct sq_detail d = {0};
    sq_config_defaults(&c);
    assert_int_equal(c.inbox_retention_days, 180);
    assert_int_equal(c.webhook_retention_days, 30);
    assert_int_equal(sq_config_set(&c, "inbox_retention_days", "0", &d), SQ_OK);
    assert_int_equal(c.inbox_retention_days, 0);
    assert_int_equal(sq_config_set(&c, "webhook_retention_days", "3650", &d), SQ_OK);
    assert_int_equal(c.webhook_retention_days, 3650);
    char *env[] = {"SANQU_INBOX_RETENTION_DAYS=90", NULL};
    assert_int_equal(sq_config_load_env(&c, env, &d), SQ_OK);
    assert_int_equal(c.inbox_retention_days, 90);
    const char *bad[] = {"-1", "3651", "abc", "", "7d", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        refused("inbox_retention_days", bad[i]);
        refused("webhook_retention_days", bad[i]);
    }
    /* both are in the --help table */
    int found = 0;
    for (const struct sq_config_key *k = sq_config_keys; k->key; k++)
        found +=
            !strcmp(k->key, "inbox_retention_days") || !strcmp(k->key, "webhook_retention_days");
    assert_int_equal(found, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_values),         cmocka_unit_test(test_edge_settings),
        cmocka_unit_test(test_file_errors),    cmocka_unit_test(test_webhook_allow_cidrs),
        cmocka_unit_test(test_retention_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
