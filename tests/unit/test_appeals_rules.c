/*
 * Unit tests of the appeals rules: the state machine, routing, deadlines and
 * the KPI contribution. Pure functions: no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "appeals/appeals.h"
#include "appeals/meta.h"
#include "core/clock.h"
#include "units/units.h"

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(sq_clock_parse_iso(iso, &t), 0);
    return t;
}

static void test_lifecycle_path(void **state)
{
    (void)state;
    int s = SQ_AS_SUBMITTED;
    s = sq_appeal_next_status(SQ_AA_ACCEPT, s);
    assert_int_equal(s, SQ_AS_ACCEPTED);
    s = sq_appeal_next_status(SQ_AA_ASSIGN, s);
    assert_int_equal(s, SQ_AS_IN_PROGRESS);
    assert_int_equal(sq_appeal_next_status(SQ_AA_NOTE, s), SQ_AS_IN_PROGRESS);
    s = sq_appeal_next_status(SQ_AA_SUSPEND, s);
    assert_int_equal(s, SQ_AS_SUSPENDED);
    s = sq_appeal_next_status(SQ_AA_RESUME, s);
    assert_int_equal(s, SQ_AS_IN_PROGRESS);
    s = sq_appeal_next_status(SQ_AA_RESOLVE, s);
    assert_int_equal(s, SQ_AS_RESOLVED);
    s = sq_appeal_next_status(SQ_AA_RATE, s);
    assert_int_equal(s, SQ_AS_EVALUATED);
    assert_int_equal(sq_appeal_next_status(SQ_AA_REOPEN, s), SQ_AS_ACCEPTED);
    s = sq_appeal_next_status(SQ_AA_CLOSE, s);
    assert_int_equal(s, SQ_AS_CLOSED);
}

static void test_illegal_transitions(void **state)
{
    (void)state;
    /* resolve before accept, rate before resolve, anything after rejection */
    assert_int_equal(sq_appeal_next_status(SQ_AA_RESOLVE, SQ_AS_SUBMITTED), -1);
    assert_int_equal(sq_appeal_next_status(SQ_AA_RATE, SQ_AS_IN_PROGRESS), -1);
    assert_int_equal(sq_appeal_next_status(SQ_AA_RATE, SQ_AS_EVALUATED), -1);
    assert_int_equal(sq_appeal_next_status(SQ_AA_ACCEPT, SQ_AS_ACCEPTED), -1);
    for (int a = 0; a < SQ_AA__MAX; a++) {
        if (a == SQ_AA_REVIEW)
            continue; /* a supervisor may review a rejection */
        assert_int_equal(sq_appeal_next_status(a, SQ_AS_REJECTED), -1);
    }
    /* a merged duplicate can only follow its master: no public action */
    for (int a = 0; a < SQ_AA__MAX; a++)
        assert_int_equal(sq_appeal_next_status(a, SQ_AS_MERGED), -1);
    /* out of range */
    assert_int_equal(sq_appeal_next_status(-1, 0), -1);
    assert_int_equal(sq_appeal_next_status(0, SQ_AS__MAX), -1);
}

static void test_allowed_matches_table(void **state)
{
    (void)state;
    for (int s = 0; s < SQ_AS__MAX; s++) {
        json_t *allowed = sq_appeal_allowed_json(s);
        size_t i;
        json_t *v;
        json_array_foreach(allowed, i, v)
        {
            int a = sq_appeal_action_parse(json_string_value(v));
            assert_true(a >= 0);
            assert_true(sq_appeal_next_status(a, s) >= 0);
        }
        json_decref(allowed);
    }
    json_t *sub = sq_appeal_allowed_json(SQ_AS_SUBMITTED);
    char *text = json_dumps(sub, JSON_COMPACT);
    assert_non_null(strstr(text, "\"accept\""));
    assert_null(strstr(text, "\"resolve\""));
    free(text);
    json_decref(sub);
    /* internal actions are not callable by name */
    assert_int_equal(sq_appeal_action_parse("warn"), -1);
    assert_int_equal(sq_appeal_action_parse("submit"), -1);
    assert_int_equal(sq_appeal_action_parse("close"), -1);
    assert_int_equal(sq_appeal_action_parse("accept"), SQ_AA_ACCEPT);
}

static void test_routing(void **state)
{
    (void)state;
    struct sq_routing_rule rules[3] = {
        {.id = 1, .category_id = 10, .location_unit_id = 4, .handler_unit_id = 100,
         .location_path = "/1/4/"},
        {.id = 2, .category_id = 0, .location_unit_id = 5, .handler_unit_id = 200,
         .location_path = "/1/5/"},
        {.id = 3, .category_id = 20, .location_unit_id = 0, .handler_unit_id = 300},
    };
    struct sq_category parking = {.id = 11, .parent_id = 10};
    struct sq_category noise = {.id = 21, .parent_id = 20};
    struct sq_category other = {.id = 31, .parent_id = 30, .parent_default_unit_id = 77};
    /* a parent category's rule matches its children, in its subtree only */
    assert_int_equal(sq_route_match(rules, 3, &parking, "/1/4/17/"), 100);
    assert_int_equal(sq_route_match(rules, 3, &parking, "/1/44/17/"), 0);
    /* any-category rule for a location */
    assert_int_equal(sq_route_match(rules, 3, &parking, "/1/5/18/"), 200);
    /* anywhere rule */
    assert_int_equal(sq_route_match(rules, 3, &noise, "/1/9/"), 300);
    /* no rule: the parent's default unit */
    assert_int_equal(sq_route_match(rules, 3, &other, "/1/9/"), 77);
    assert_true(sq_route_default_is_parent(SQ_UNIT_SCHOOL));
    assert_true(sq_route_default_is_parent(SQ_UNIT_ENTERPRISE));
    assert_false(sq_route_default_is_parent(SQ_UNIT_COMMUNITY));
}

static void test_deadlines(void **state)
{
    (void)state;
    struct sq_workcal cal;
    struct sq_sla sla = {.response_hours = 8, .resolve_days = 5};
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    sq_workcal_init(&cal);
    /* Friday 16:00: 1.5 working hours left that day, 6.5 on Monday */
    sq_appeal_deadlines(&cal, &sla, at("2026-11-27T16:00:00+08:00"), 80, &a);
    assert_int_equal(a.response_due_at, at("2026-11-30T15:30:00+08:00"));
    /* five working days after Friday: the next Friday, close of business */
    assert_int_equal(a.due_at, at("2026-12-04T17:30:00+08:00"));
    assert_true(a.warn_at > at("2026-11-27T16:00:00+08:00"));
    assert_true(a.warn_at < a.due_at);
    /* a holiday on Wednesday moves it to Monday */
    sq_workcal_add_exception(&cal, 20261202, SQ_WORKCAL_HOLIDAY);
    sq_appeal_deadlines(&cal, &sla, at("2026-11-27T16:00:00+08:00"), 80, &a);
    assert_int_equal(a.due_at, at("2026-12-07T17:30:00+08:00"));
    sq_workcal_cleanup(&cal);
}

static void test_contrib(void **state)
{
    (void)state;
    struct sq_appeal a;
    struct sq_appeal_contrib c;
    memset(&a, 0, sizeof a);
    strcpy(a.kind, "enterprise");
    a.category_id = 3;
    a.handler_unit_id = 9;
    a.created_at = at("2026-01-31T20:00:00+08:00"); /* local January, UTC January too */
    a.status = SQ_AS_SUBMITTED;
    sq_appeal_contrib(&a, &c);
    assert_int_equal(c.month, 202601);
    assert_int_equal(c.total, 1);
    assert_int_equal(c.responded + c.resolved + c.rated, 0);
    /* local month, not UTC: 2026-02-01 01:00 +08:00 is still January in UTC */
    a.created_at = at("2026-02-01T01:00:00+08:00");
    sq_appeal_contrib(&a, &c);
    assert_int_equal(c.month, 202602);
    a.accepted_at = a.created_at + 3600;
    a.response_due_at = a.created_at + 1800;
    a.status = SQ_AS_EVALUATED;
    a.resolved_at = a.created_at + 7200;
    a.due_at = a.created_at + 86400;
    a.rated_at = a.resolved_at + 10;
    strcpy(a.satisfaction, "basically_satisfied");
    strcpy(a.rating_solved, "solved");
    sq_appeal_contrib(&a, &c);
    assert_int_equal(c.responded, 1);
    assert_int_equal(c.responded_on_time, 0); /* accepted after the response deadline */
    assert_int_equal(c.resolved, 1);
    assert_int_equal(c.resolved_on_time, 1);
    assert_int_equal(c.basically_satisfied, 1);
    assert_int_equal(c.satisfied, 0);
    assert_int_equal(c.solved, 1);
    assert_int_equal(c.response_secs, 3600);
    assert_int_equal(c.handle_secs, 7200);
    /* a reopened appeal is not resolved any more, but keeps its rating */
    a.status = SQ_AS_ACCEPTED;
    a.resolved_at = 0;
    a.reopen_count = 1;
    sq_appeal_contrib(&a, &c);
    assert_int_equal(c.resolved, 0);
    assert_int_equal(c.reopened, 1);
    assert_int_equal(c.rated, 1);
    /* merged duplicates count nothing */
    a.status = SQ_AS_MERGED;
    sq_appeal_contrib(&a, &c);
    assert_int_equal(c.total, 0);
}

static void test_copy_and_cleanup(void **state)
{
    (void)state;
    struct sq_appeal a, b;
    memset(&a, 0, sizeof a);
    sq_appeal_set(&a.title, "电梯故障");
    sq_appeal_set(&a.reply, "已修复");
    sq_appeal_copy(&b, &a);
    assert_string_equal(b.title, "电梯故障");
    assert_ptr_not_equal(b.title, a.title);
    sq_appeal_set(&b.reply, NULL);
    assert_null(b.reply);
    assert_string_equal(a.reply, "已修复");
    sq_appeal_cleanup(&a);
    sq_appeal_cleanup(&b);
    assert_null(a.title);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_path),  cmocka_unit_test(test_illegal_transitions),
        cmocka_unit_test(test_allowed_matches_table), cmocka_unit_test(test_routing),
        cmocka_unit_test(test_deadlines),       cmocka_unit_test(test_contrib),
        cmocka_unit_test(test_copy_and_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
