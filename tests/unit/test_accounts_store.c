/*
 * test_accounts_store: the accounts writes that decide and write in one
 * transaction (accounts_store_*_granted / _guarded, issue 11 item 3: they
 * moved out of accounts/api.c), on a temporary database.
 *
 *   - a user and their first grant are created together, or neither: a
 *     grant the database refuses (unknown role, missing unit) leaves no user;
 *   - a guard runs inside the store's transaction: when it refuses, nothing
 *     is written (no grant, no profile change, no revocation) and its error
 *     comes back; when it allows, the write happens;
 *   - the guard sees the target user's id.
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

#include "accounts/accounts.h"
#include "core/db_sqlite.h"
#include "core/log.h"

void sq_app_init(void); /* src/app.c: per-connection hooks (FTS tokenizer) */

static char dir[64];
static int64_t unit_id;

static int setup(void **state)
{
    (void)state;
    char path[128];
    struct sq_detail d = {0};
    snprintf(dir, sizeof dir, "/tmp/sanqu-test-accst-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sq_log_set_quiet(1);
    sq_app_init();
    snprintf(path, sizeof path, "%s/a.db", dir);
    if (sq_db_open(path, &d))
        return -1;
    if (sqlite3_exec(sq_db_conn(),
                     "INSERT INTO units(kind, code, name, zone, path, depth, created_at, "
                     "updated_at) VALUES ('district','HS','洪山区','government','/1/',1,0,0)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    unit_id = sq_db_scalar("SELECT max(id) FROM units");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sq_db_shutdown();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t count_grants(int64_t user)
{
    return sq_db_scalar_id("SELECT count(*) FROM grants WHERE user_id = ?1", user);
}

static int64_t guard_target;
static enum sq_err guard_result;

static enum sq_err guard(const struct sq_user *caller, int64_t user_id, struct sq_detail *d)
{
    (void)caller;
    guard_target = user_id;
    /* inside the store's transaction, so the decision and the write are one */
    assert_true(sq_db_in_tx());
    return guard_result ? sq_fail(d, guard_result, NULL, "refused by the guard") : SQ_OK;
}

static void test_create_granted_atomic(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int64_t id = 0, gid = 0, users = accounts_store_count_users();
    assert_int_equal(accounts_store_user_create_granted("resident1", "居民一", "Xk9#mq2!vB7z", NULL,
                                                        NULL, "public", unit_id, 0, &id, &gid, &d),
                     SQ_OK);
    assert_true(id > 0 && gid > 0);
    assert_int_equal(count_grants(id), 1);
    assert_int_equal(accounts_store_count_users(), users + 1);
    /* no role: the user alone */
    int64_t id2 = 0, gid2 = 0;
    assert_int_equal(accounts_store_user_create_granted("staff1", "员工一", "Xk9#mq2!vB7z", NULL,
                                                        NULL, NULL, 0, 0, &id2, &gid2, &d),
                     SQ_OK);
    assert_int_equal(count_grants(id2), 0);
    assert_int_equal(gid2, 0);
    /* the grant fails (no such unit): the user is not created either */
    users = accounts_store_count_users();
    int64_t id3 = 0, gid3 = 0;
    assert_int_not_equal(accounts_store_user_create_granted("ghost", "幽灵", "Xk9#mq2!vB7z", NULL,
                                                            NULL, "public", unit_id + 999, 0, &id3,
                                                            &gid3, &d),
                         SQ_OK);
    assert_int_equal(accounts_store_count_users(), users);
    assert_int_equal(sq_db_scalar("SELECT count(*) FROM users WHERE login = 'ghost'"), 0);
    assert_false(sq_db_in_tx());
    /* a taken login is a conflict on the login field, nothing written */
    assert_int_equal(accounts_store_user_create_granted("resident1", "重复", "Xk9#mq2!vB7z", NULL,
                                                        NULL, "public", unit_id, 0, &id3, &gid3,
                                                        &d),
                     SQ_ECONFLICT);
    assert_string_equal(d.field, "login");
    assert_int_equal(accounts_store_count_users(), users);
}

static void test_guard_refuses_nothing_written(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int64_t id = 0, gid = 0, g2 = 0;
    assert_int_equal(accounts_store_user_create_granted("resident2", "居民二", "Xk9#mq2!vB7z", NULL,
                                                        NULL, "public", unit_id, 0, &id, &gid, &d),
                     SQ_OK);
    struct sq_user admin;
    memset(&admin, 0, sizeof admin);
    admin.id = 1;
    const struct accounts_guard g = {guard, &admin};

    guard_result = SQ_EFORBIDDEN;
    guard_target = 0;
    assert_int_equal(accounts_store_grant_add_guarded(&g, id, "collector", unit_id, 0, &g2, &d),
                     SQ_EFORBIDDEN);
    assert_int_equal(guard_target, id);
    assert_int_equal(count_grants(id), 1);
    json_t *in = json_pack("{s:s}", "display_name", "改了");
    assert_int_equal(accounts_store_user_update_guarded(&g, id, in, ACCOUNTS_PW_ADMIN, 0, &d),
                     SQ_EFORBIDDEN);
    assert_int_equal(
        sq_db_scalar_id("SELECT count(*) FROM users WHERE id = ?1 AND display_name = '居民二'", id),
        1);
    assert_int_equal(accounts_store_grant_delete_guarded(&g, id, gid, &d), SQ_EFORBIDDEN);
    assert_int_equal(count_grants(id), 1);
    assert_false(sq_db_in_tx());

    guard_result = SQ_OK;
    assert_int_equal(accounts_store_grant_add_guarded(&g, id, "collector", unit_id, 0, &g2, &d),
                     SQ_OK);
    assert_int_equal(count_grants(id), 2);
    assert_int_equal(accounts_store_user_update_guarded(&g, id, in, ACCOUNTS_PW_ADMIN, 0, &d),
                     SQ_OK);
    assert_int_equal(
        sq_db_scalar_id("SELECT count(*) FROM users WHERE id = ?1 AND display_name = '改了'", id),
        1);
    assert_int_equal(accounts_store_grant_delete_guarded(&g, id, g2, &d), SQ_OK);
    assert_int_equal(count_grants(id), 1);
    /* no guard: the owner's own change */
    json_t *in2 = json_pack("{s:s}", "display_name", "自己改");
    assert_int_equal(accounts_store_user_update_guarded(NULL, id, in2, ACCOUNTS_PW_SELF, 0, &d),
                     SQ_OK);
    assert_int_equal(
        sq_db_scalar_id("SELECT count(*) FROM users WHERE id = ?1 AND display_name = '自己改'", id),
        1);
    json_decref(in);
    json_decref(in2);
    assert_false(sq_db_in_tx());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_granted_atomic),
        cmocka_unit_test(test_guard_refuses_nothing_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
