/*
 * test_appeals_idem.c - Idempotency-Key bookkeeping at the store level, on
 * a temporary SQLite database (issue 10, item 11): a key is claimed by the
 * database (primary key, INSERT ... ON CONFLICT DO NOTHING), bound to the
 * hash of its request, replayed only for the same hash, refused for another
 * one, scoped per caller; keys from before migration 011 are never replayed.
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

#include "testdb.h"

#include "appeals/appeals.h"
#include "core/auth.h"
#include "core/clock.h"

static int db_setup(void **state)
{
    (void)state;
    static const char *const seed = TDB_UNITS
        "INSERT INTO users(id,login,display_name,password_hash,created_at,updated_at) VALUES "
        "(4,'resident','r','x',0,0);";
    return tdb_open("idem", seed);
}

static int db_teardown(void **state)
{
    (void)state;
    return tdb_close();
}

static int64_t new_appeal(void)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    snprintf(a.kind, sizeof a.kind, "resident");
    snprintf(a.urgency, sizeof a.urgency, "normal");
    snprintf(a.channel, sizeof a.channel, "web");
    sq_appeal_set(&a.title, "路灯坏了");
    sq_appeal_set(&a.description, "小区门口路灯坏了");
    a.category_id = 1;
    a.unit_id = 3;
    a.handler_unit_id = 3;
    snprintf(a.handler_unit_path, sizeof a.handler_unit_path, "/1/2/3/");
    a.status = SQ_AS_SUBMITTED;
    a.created_at = sq_clock_now();
    a.due_at = a.created_at + 86400;
    a.warn_at = a.created_at + 3600;
    assert_int_equal(appeals_store_insert(&a, 0, NULL, &d), SQ_OK);
    int64_t id = a.id;
    sq_appeal_cleanup(&a);
    return id;
}

static const char *HASH_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *HASH_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static void test_claim_replay_refuse(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int64_t first = -1;
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    /* new key: held, nothing to replay */
    assert_int_equal(appeals_store_idem_claim("a:10.0.0.7", "k1", HASH_A, &first, &d), SQ_OK);
    assert_int_equal(first, 0);
    int64_t id = new_appeal();
    assert_int_equal(appeals_store_idem_bind("a:10.0.0.7", "k1", id, &d), SQ_OK);
    assert_int_equal(sq_db_commit(&d), SQ_OK);

    /* the same request again: the first appeal */
    assert_int_equal(appeals_store_idem_claim("a:10.0.0.7", "k1", HASH_A, &first, &d), SQ_OK);
    assert_int_equal(first, id);
    /* another request with the same key from the same address: refused */
    memset(&d, 0, sizeof d);
    assert_int_equal(appeals_store_idem_claim("a:10.0.0.7", "k1", HASH_B, &first, &d), SQ_EIDEMKEY);
    assert_int_equal(first, 0);
    assert_string_equal(d.field, "Idempotency-Key");
    /* the key is the caller's: another scope may use it */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(appeals_store_idem_claim("u:4", "k1", HASH_B, &first, &d), SQ_OK);
    assert_int_equal(first, 0);
    sq_db_rollback(); /* a failed intake leaves no claim behind */
    assert_int_equal(appeals_store_idem_claim("u:4", "k1", HASH_A, &first, &d), SQ_OK);
    assert_int_equal(first, 0);
}

static void test_database_holds_the_key(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    /* the uniqueness is the table's, not the C code's */
    struct sq_stmt *st = sq_db_stmt("INSERT INTO idempotency_keys(scope, key, request_hash, "
                                    "appeal_id, created_at) VALUES ('a:10.0.0.7', 'k1', 'x', "
                                    "NULL, 0)");
    assert_non_null(st);
    assert_int_equal(sq_step(st), SQ_STEP_ERROR);
    assert_int_equal(sq_db_last_error(&d), SQ_ECONFLICT);
    sq_db_reset(st);
    /* binding a key nobody claimed is a bug, not a silent no-op */
    assert_int_equal(appeals_store_idem_bind("a:10.0.0.7", "never-claimed", 1, &d), SQ_EINTERNAL);
    /* a key from before migration 011 (no hash) is refused, never replayed */
    int64_t id = new_appeal(), first = -1;
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO idempotency_keys(scope, key, request_hash, appeal_id, created_at) "
             "VALUES ('u:4', 'old', '', %lld, 0)",
             (long long)id);
    assert_int_equal(tdb_exec(sql), 0);
    assert_int_equal(appeals_store_idem_claim("u:4", "old", HASH_A, &first, &d), SQ_EIDEMKEY);
    assert_int_equal(first, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_replay_refuse),
        cmocka_unit_test(test_database_holds_the_key),
    };
    return cmocka_run_group_tests_name("idempotency store", tests, db_setup, db_teardown);
}
