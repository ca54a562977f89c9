/*
 * test_jbuf: the hand-written JSON of hot replies (core/json.c sq_jbuf_*)
 * prints exactly what jansson's json_dumps(JSON_COMPACT) prints, the fast
 * sq_clock_iso() agrees with strftime(), and the reply cache (core/rcache.c)
 * never serves an entry across a commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/db_sqlite.h"
#include "core/json.h"
#include "core/rcache.h"

void sq_app_init(void); /* app.c: the per-connection hooks (the kb tokenizer) */

static void test_strings_match_jansson(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",
        "plain",
        "路灯不亮（压测1-2）",
        "quote \" and backslash \\ and slash /",
        "tab\tnewline\ncr\rbs\bff\f",
        "\x01\x02\x1f\x7f end",
        "emoji \xF0\x9F\x98\x80 and \xE2\x80\xA8 line separator",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sq_jbuf b;
        sq_jbuf_init(&b, 4); /* tiny: every write grows it */
        sq_jbuf_str(&b, cases[i]);
        json_t *s = json_string(cases[i]);
        char *want = json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_non_null(want);
        assert_string_equal(b.p, want);
        assert_int_equal(b.len, strlen(want));
        free(want);
        json_decref(s);
        sq_jbuf_cleanup(&b);
    }
}

static void test_values_and_take(void **state)
{
    (void)state;
    struct sq_jbuf b;
    sq_jbuf_init(&b, 0);
    sq_jbuf_lit(&b, "[");
    const int64_t ints[] = {0, 7, -1, 1234567890123LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        sq_jbuf_int(&b, ints[i]);
        sq_jbuf_lit(&b, ",");
    }
    sq_jbuf_str(&b, NULL);
    sq_jbuf_lit(&b, ",");
    sq_jbuf_time(&b, 0);
    sq_jbuf_lit(&b, ",");
    sq_jbuf_time(&b, 1795743000);
    sq_jbuf_lit(&b, "]");
    size_t len;
    char *text = sq_jbuf_take(&b, &len);
    assert_null(b.p);
    assert_string_equal(text, "[0,7,-1,1234567890123,9223372036854775807,"
                              "-9223372036854775808,null,null,\"2026-11-27T09:30:00+08:00\"]");
    assert_int_equal(len, strlen(text));
    free(text);
    sq_jbuf_cleanup(&b); /* harmless after take */
}

static void test_iso_matches_strftime(void **state)
{
    (void)state;
    /* 1900 to 9999 local, in uneven steps that reach every field */
    for (int64_t t = -2208988800LL + 1; t < 253402300800LL - 8 * 3600; t += 86400LL * 37 + 3661) {
        char got[32], want[32];
        time_t local = (time_t)(t + 8 * 3600);
        struct tm tm;
        gmtime_r(&local, &tm);
        strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
        sq_clock_iso(t, got);
        if (strcmp(got, want))
            fail_msg("%lld: %s, strftime says %s", (long long)t, got, want);
    }
}

static void test_rcache_generation(void **state)
{
    (void)state;
    char path[] = "/tmp/sanqu-test-jbuf-XXXXXX", dbp[64];
    assert_non_null(mkdtemp(path));
    snprintf(dbp, sizeof dbp, "%s/t.db", path);
    struct sq_detail d = {0};
    sq_app_init();
    assert_int_equal(sq_db_open(dbp, &d), SQ_OK);
    char *text;
    size_t len;
    uint64_t gen = sq_rcache_generation();
    sq_rcache_put("k", gen, "{\"a\":1}", 7);
    assert_true(sq_rcache_get("k", &text, &len));
    assert_string_equal(text, "{\"a\":1}");
    assert_int_equal(len, 7);
    free(text);
    assert_false(sq_rcache_get("other", &text, &len));
    /* a commit invalidates every entry ... */
    assert_int_equal(sqlite3_exec(sq_db_conn(), "CREATE TABLE t(x); INSERT INTO t VALUES (1);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(sq_rcache_generation() > gen);
    assert_false(sq_rcache_get("k", &text, &len));
    /* ... and a reply read before it is not stored */
    sq_rcache_put("k", gen, "{\"a\":1}", 7);
    assert_false(sq_rcache_get("k", &text, &len));
    sq_rcache_put("k", sq_rcache_generation(), "{\"a\":2}", 7);
    assert_true(sq_rcache_get("k", &text, &len));
    assert_string_equal(text, "{\"a\":2}");
    free(text);
    /* a read-only statement or a rollback is no commit */
    gen = sq_rcache_generation();
    assert_int_equal(sqlite3_exec(sq_db_conn(),
                                  "SELECT * FROM t; BEGIN; INSERT INTO t VALUES "
                                  "(2); ROLLBACK;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(sq_rcache_generation() == gen);
    assert_true(sq_rcache_get("k", &text, &len));
    free(text);
    sq_rcache_free();
    sq_db_shutdown();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", path);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_match_jansson),
        cmocka_unit_test(test_values_and_take),
        cmocka_unit_test(test_iso_matches_strftime),
        cmocka_unit_test(test_rcache_generation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
