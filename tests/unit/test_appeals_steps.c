/*
 * test_appeals_steps.c - a decision of the workflow rules is written in one
 * transaction (appeals_store_apply_steps), on a temporary SQLite database:
 * a dissatisfied rating and its automatic reopen, a resolved master and the
 * duplicates merged into it, all or nothing.
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
#include "core/db.h"

static struct sq_workcal cal;

static int db_setup(void **state)
{
    (void)state;
    sq_workcal_init(&cal);
    sq_clock_set_fake(1796000000); /* 2026-11-30, a Monday */
    static const char *const seed = TDB_UNITS
        "INSERT INTO users(id,login,display_name,password_hash,created_at,updated_at) VALUES "
        "(4,'resident','r','x',0,0),(5,'handler','h','x',0,0);";
    return tdb_open("steps", seed);
}

static int db_teardown(void **state)
{
    (void)state;
    sq_workcal_cleanup(&cal);
    return tdb_close();
}

static int64_t new_appeal(int status)
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
    a.creator_id = 4;
    snprintf(a.handler_unit_path, sizeof a.handler_unit_path, "/1/2/3/");
    a.status = status;
    a.created_at = sq_clock_now() - 86400;
    a.due_at = a.created_at + 5 * 86400;
    a.warn_at = a.created_at + 3600;
    if (status == SQ_AS_RESOLVED) {
        a.accepted_at = a.created_at + 60;
        a.resolved_at = a.created_at + 120;
        sq_appeal_set(&a.reply, "已修复");
    }
    assert_int_equal(appeals_store_insert(&a, 0, NULL, &d), SQ_OK);
    int64_t id = a.id;
    sq_appeal_cleanup(&a);
    return id;
}

static int64_t events_of(int64_t id)
{
    return sq_db_scalar_id("SELECT count(*) FROM appeal_events WHERE appeal_id = ?1", id);
}

static struct sq_user person(void)
{
    struct sq_user u = {.id = 4, .ngrants = 1};
    u.grants[0].role = SQ_ROLE_PUBLIC;
    u.grants[0].unit_id = 1;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "/1/");
    return u;
}

static struct sq_user handler(void)
{
    struct sq_user u = {.id = 5, .ngrants = 1};
    u.grants[0].role = SQ_ROLE_HANDLER;
    u.grants[0].unit_id = 3;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "/1/2/3/");
    return u;
}

static void test_rate_then_reopen_in_one_transaction(void **state)
{
    (void)state;
    struct sq_user u = person();
    struct sq_detail d = {0};
    struct sq_appeal a, got;
    struct sq_appeal_decision dec;
    struct sq_appeal_ctx ctx = {.now = sq_clock_now(), .cal = &cal, .warn_percent = 80};
    struct sq_appeal_input in = {.speed = 1,
                                 .result = 1,
                                 .attitude = 2,
                                 .solved = "not_solved",
                                 .satisfaction = "dissatisfied",
                                 .sla = {.response_hours = 8, .resolve_days = 5}};
    int64_t id = new_appeal(SQ_AS_RESOLVED);
    assert_int_equal(appeals_store_get(id, &a, &d), SQ_OK);
    assert_int_equal(sq_appeal_act(&u, &a, SQ_AA_RATE, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.n, 2);

    /* someone changed the appeal meanwhile: neither step is written */
    struct sq_appeal stale;
    sq_appeal_copy(&stale, &dec.step[0].after);
    stale.updated_at -= 1000; /* the reopen step now expects another row */
    dec.step[1].before = &stale;
    assert_int_equal(appeals_store_apply_steps(dec.step, dec.n, &d), SQ_ECONFLICT);
    assert_int_equal(appeals_store_get(id, &got, &d), SQ_OK);
    assert_int_equal(got.status, SQ_AS_RESOLVED);
    assert_int_equal(got.rated_at, 0);
    assert_int_equal(events_of(id), 1);
    sq_appeal_cleanup(&got);

    /* as decided: rated and reopened, two events, one transaction */
    dec.step[1].before = &dec.step[0].after;
    assert_int_equal(appeals_store_apply_steps(dec.step, dec.n, &d), SQ_OK);
    assert_int_equal(appeals_store_get(id, &got, &d), SQ_OK);
    assert_int_equal(got.status, SQ_AS_ACCEPTED);
    assert_int_equal(got.reopen_count, 1);
    assert_string_equal(got.satisfaction, "dissatisfied");
    assert_int_equal(events_of(id), 3);
    assert_int_equal(sq_db_scalar_id("SELECT count(*) FROM appeal_events WHERE appeal_id = ?1 "
                                     "AND action = 'reopen' AND actor_id IS NULL AND data LIKE "
                                     "'%\"cause\":\"dissatisfied\"%'",
                                     id),
                     1);
    sq_appeal_cleanup(&got);
    sq_appeal_cleanup(&stale);
    sq_appeal_decision_cleanup(&dec);
    sq_appeal_cleanup(&a);
}

static void test_master_and_duplicates_together(void **state)
{
    (void)state;
    struct sq_user h = handler();
    struct sq_detail d = {0};
    struct sq_appeal master, kids[2];
    struct sq_appeal_decision dec;
    struct sq_appeal_step steps[3];
    struct sq_appeal_ctx ctx = {.now = sq_clock_now(), .cal = &cal, .warn_percent = 80};
    int64_t mid = new_appeal(SQ_AS_ACCEPTED);
    int64_t kid[2] = {new_appeal(SQ_AS_MERGED), new_appeal(SQ_AS_MERGED)};
    assert_int_equal(appeals_store_get(mid, &master, &d), SQ_OK);
    struct sq_appeal_input in = {.reply = "已统一维修"};
    assert_int_equal(sq_appeal_act(&h, &master, SQ_AA_RESOLVE, &in, &ctx, &dec, &d), SQ_OK);
    steps[0] = dec.step[0];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(appeals_store_get(kid[i], &kids[i], &d), SQ_OK);
        sq_appeal_follow_master(&dec.step[0].after, &kids[i], h.id, &steps[1 + i]);
    }
    /* the second duplicate was changed meanwhile: the master is not resolved either */
    kids[1].updated_at += 7;
    assert_int_equal(appeals_store_apply_steps(steps, 3, &d), SQ_ECONFLICT);
    assert_int_equal(sq_db_scalar_id("SELECT count(*) FROM appeals WHERE id = ?1 AND status = "
                                     "'accepted'",
                                     mid),
                     1);
    assert_int_equal(events_of(kid[0]), 1);
    kids[1].updated_at -= 7;
    assert_int_equal(appeals_store_apply_steps(steps, 3, &d), SQ_OK);
    for (int i = 0; i < 2; i++) {
        struct sq_appeal got;
        assert_int_equal(appeals_store_get(kid[i], &got, &d), SQ_OK);
        assert_int_equal(got.status, SQ_AS_MERGED);
        assert_string_equal(got.reply, "已统一维修");
        assert_int_equal(events_of(kid[i]), 2);
        sq_appeal_cleanup(&got);
        sq_appeal_step_cleanup(&steps[1 + i]);
        sq_appeal_cleanup(&kids[i]);
    }
    assert_int_equal(sq_db_scalar_id("SELECT count(*) FROM appeals WHERE id = ?1 AND status = "
                                     "'resolved'",
                                     mid),
                     1);
    sq_appeal_decision_cleanup(&dec);
    sq_appeal_cleanup(&master);
}

static void test_transferred_from(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int64_t id = new_appeal(SQ_AS_SUBMITTED);
    assert_int_equal(appeals_store_transferred_from(id), 0);
    struct sq_appeal a, b;
    assert_int_equal(appeals_store_get(id, &a, &d), SQ_OK);
    sq_appeal_copy(&b, &a);
    b.updated_at = a.updated_at + 1;
    json_t *data =
        json_pack("{s:I,s:I}", "from_unit_id", (json_int_t)2, "to_unit_id", (json_int_t)3);
    assert_int_equal(appeals_store_apply(&a, &b, SQ_AA_TRANSFER, 5, "转办", data, &d), SQ_OK);
    json_decref(data);
    assert_int_equal(appeals_store_transferred_from(id), 2);
    sq_appeal_cleanup(&a);
    sq_appeal_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_then_reopen_in_one_transaction),
        cmocka_unit_test(test_master_and_duplicates_together),
        cmocka_unit_test(test_transferred_from),
    };
    return cmocka_run_group_tests_name("appeal decisions in one transaction", tests, db_setup,
                                       db_teardown);
}
