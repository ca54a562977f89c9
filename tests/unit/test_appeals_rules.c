/*
 * Unit tests of the appeals rules: the state machine, routing, deadlines and
 * the KPI contribution. Pure functions: no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
    for (int a = 0; a < SQ_AA__EVENTS; a++) {
        if (a == SQ_AA_REVIEW)
            continue; /* a supervisor may review a rejection */
        assert_int_equal(sq_appeal_next_status(a, SQ_AS_REJECTED), -1);
    }
    /* a merged duplicate can only follow its master: no public action */
    for (int a = 0; a < SQ_AA__EVENTS; a++)
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

/* ---- who may do what: sq_appeal_decide ---- */

/* Demo-like tree: district /1/, street /1/2/, its communities /1/2/5/ and
 * /1/2/6/. */
static struct sq_user user_with(int64_t id, enum sq_role role, const char *path)
{
    struct sq_user u = {.id = id, .ngrants = 1};
    u.grants[0].role = role;
    u.grants[0].unit_id = 1;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "%s", path);
    return u;
}

static struct sq_appeal appeal_in(int status)
{
    struct sq_appeal a = {.id = 9, .status = status, .creator_id = 100, .handler_unit_id = 5};
    snprintf(a.handler_unit_path, sizeof a.handler_unit_path, "%s", "/1/2/5/");
    return a;
}

static bool may(const struct sq_user *u, int status, int act)
{
    struct sq_appeal a = appeal_in(status);
    return sq_appeal_decide(u, &a, act, NULL) == SQ_OK;
}

static void test_decide_roles(void **state)
{
    (void)state;
    struct sq_user collector = user_with(20, SQ_ROLE_COLLECTOR, "/1/2/5/");
    struct sq_user handler = user_with(21, SQ_ROLE_HANDLER, "/1/2/5/");
    struct sq_user neighbour = user_with(22, SQ_ROLE_HANDLER, "/1/2/6/");
    struct sq_user street = user_with(23, SQ_ROLE_HANDLER, "/1/2/");
    struct sq_user admin = user_with(24, SQ_ROLE_UNIT_ADMIN, "/1/2/5/");
    struct sq_user auditor = user_with(25, SQ_ROLE_AUDITOR, "/1/");
    struct sq_user district = user_with(26, SQ_ROLE_DISTRICT_ADMIN, "/1/");
    struct sq_user stranger = user_with(101, SQ_ROLE_PUBLIC, "/1/");
    struct sq_detail d = {0};
    struct sq_appeal a = appeal_in(SQ_AS_SUBMITTED);
    /* the collector of the community reads but does not handle */
    assert_int_equal(sq_appeal_decide(&collector, &a, SQ_AA_ACCEPT, &d), SQ_EFORBIDDEN);
    assert_non_null(strstr(d.message, " / "));
    assert_false(may(&collector, SQ_AS_SUBMITTED, SQ_AA_TRANSFER));
    assert_false(may(&collector, SQ_AS_SUBMITTED, SQ_AA_REJECT));
    assert_int_equal(sq_appeal_allowed_mask(&collector, &a), 0);
    /* the auditor may do nothing at all, in any status */
    for (int s = 0; s < SQ_AS__MAX; s++) {
        struct sq_appeal x = appeal_in(s);
        assert_int_equal(sq_appeal_allowed_mask(&auditor, &x), 0);
        for (int act = 0; act < SQ_AA__MAX; act++)
            assert_int_not_equal(sq_appeal_decide(&auditor, &x, act, NULL), SQ_OK);
    }
    assert_int_equal(sq_appeal_decide(&auditor, &a, SQ_AA_NOTE, NULL), SQ_EFORBIDDEN);
    /* anonymous: nothing */
    assert_int_equal(sq_appeal_allowed_mask(NULL, &a), 0);
    /* handlers of the unit and of an ancestor may; the next community may not */
    assert_true(may(&handler, SQ_AS_SUBMITTED, SQ_AA_ACCEPT));
    assert_true(may(&street, SQ_AS_SUBMITTED, SQ_AA_ACCEPT));
    assert_int_equal(sq_appeal_decide(&neighbour, &a, SQ_AA_ACCEPT, &d), SQ_EFORBIDDEN);
    assert_non_null(strstr(d.message, "outside your units"));
    assert_int_equal(sq_appeal_decide(&neighbour, &a, SQ_AA_CONTACT, NULL), SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_decide(&neighbour, &a, SQ_AA_ATTACH, NULL), SQ_EFORBIDDEN);
    assert_true(may(&handler, SQ_AS_SUBMITTED, SQ_AA_CONTACT));
    assert_true(may(&handler, SQ_AS_SUBMITTED, SQ_AA_ATTACH));
    /* supervising is the unit admin's: a handler neither reviews nor escalates */
    assert_false(may(&handler, SQ_AS_IN_PROGRESS, SQ_AA_ESCALATE));
    assert_false(may(&handler, SQ_AS_CLOSED, SQ_AA_REVIEW));
    assert_true(may(&admin, SQ_AS_IN_PROGRESS, SQ_AA_ESCALATE));
    assert_true(may(&admin, SQ_AS_CLOSED, SQ_AA_REVIEW));
    assert_true(may(&district, SQ_AS_CLOSED, SQ_AA_REVIEW));
    /* the person: notes, files, resumes, reopens; never handles */
    struct sq_user person = user_with(100, SQ_ROLE_PUBLIC, "/1/");
    assert_true(may(&person, SQ_AS_SUBMITTED, SQ_AA_NOTE));
    assert_true(may(&person, SQ_AS_SUBMITTED, SQ_AA_ATTACH));
    assert_true(may(&person, SQ_AS_SUBMITTED, SQ_AA_CONTACT));
    assert_true(may(&person, SQ_AS_SUSPENDED, SQ_AA_RESUME));
    assert_true(may(&person, SQ_AS_CLOSED, SQ_AA_REOPEN));
    assert_false(may(&person, SQ_AS_SUBMITTED, SQ_AA_ACCEPT));
    assert_false(may(&person, SQ_AS_IN_PROGRESS, SQ_AA_RESOLVE));
    /* someone else with the same role is nobody here */
    assert_int_equal(sq_appeal_decide(&stranger, &a, SQ_AA_NOTE, NULL), SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_decide(&stranger, &a, SQ_AA_CONTACT, NULL), SQ_EFORBIDDEN);
    /* a collector who filed for someone is that appeal's person */
    struct sq_appeal onb = appeal_in(SQ_AS_RESOLVED);
    onb.creator_id = 0;
    onb.collector_id = 20;
    assert_int_equal(sq_appeal_decide(&collector, &onb, SQ_AA_RATE, NULL), SQ_OK);
    assert_int_equal(sq_appeal_decide(&collector, &onb, SQ_AA_RESOLVE, NULL), SQ_EFORBIDDEN);
    /* "a KB answer solved it" is the filer's word, while the appeal is open */
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_KB_SOLVE, NULL), SQ_OK);
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_KB_SOLVE, NULL), SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_decide(&collector, &onb, SQ_AA_KB_SOLVE, NULL), SQ_EFORBIDDEN);
    struct sq_appeal done = appeal_in(SQ_AS_RESOLVED);
    assert_int_equal(sq_appeal_decide(&person, &done, SQ_AA_KB_SOLVE, NULL), SQ_ETRANSITION);
    /* internal actions are no caller's */
    assert_int_equal(sq_appeal_decide(&district, &a, SQ_AA_WARN, NULL), SQ_ENOTFOUND);
    assert_int_equal(sq_appeal_decide(&district, &a, SQ_AA_CLOSE, NULL), SQ_ENOTFOUND);
    assert_int_equal(sq_appeal_decide(&district, &a, -1, NULL), SQ_ENOTFOUND);
    assert_int_equal(sq_appeal_decide(&district, &a, SQ_AA__MAX, NULL), SQ_ENOTFOUND);
}

static void test_decide_rating(void **state)
{
    (void)state;
    struct sq_user person = user_with(100, SQ_ROLE_PUBLIC, "/1/");
    struct sq_user handler = user_with(21, SQ_ROLE_HANDLER, "/1/2/5/");
    struct sq_user admin = user_with(24, SQ_ROLE_UNIT_ADMIN, "/1/2/5/");
    struct sq_detail d = {0};
    struct sq_appeal a = appeal_in(SQ_AS_RESOLVED);
    a.handler_id = 21; /* the handler resolved it */
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_RATE, NULL), SQ_OK);
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_RATE, &d), SQ_EFORBIDDEN);
    assert_non_null(strstr(d.message, "only the person"));
    assert_false(sq_appeal_allowed_mask(&handler, &a) & (1u << SQ_AA_RATE));
    assert_true(sq_appeal_allowed_mask(&person, &a) & (1u << SQ_AA_RATE));
    /* the unit admin records a rating taken by phone, but not of their own work */
    assert_int_equal(sq_appeal_decide(&admin, &a, SQ_AA_RATE, NULL), SQ_OK);
    a.handler_id = 24;
    assert_int_equal(sq_appeal_decide(&admin, &a, SQ_AA_RATE, NULL), SQ_EFORBIDDEN);
    /* the person rates once, when resolved */
    a.status = SQ_AS_EVALUATED;
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_RATE, NULL), SQ_ETRANSITION);
    a.status = SQ_AS_IN_PROGRESS;
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_RATE, NULL), SQ_ETRANSITION);
}

static void test_decide_status(void **state)
{
    (void)state;
    struct sq_user handler = user_with(21, SQ_ROLE_HANDLER, "/1/2/5/");
    struct sq_user admin = user_with(24, SQ_ROLE_UNIT_ADMIN, "/1/2/5/");
    struct sq_user person = user_with(100, SQ_ROLE_PUBLIC, "/1/");
    struct sq_detail d = {0};
    struct sq_appeal a = appeal_in(SQ_AS_ACCEPTED);
    /* the right person in the wrong status: 409, not 403 */
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_ACCEPT, &d), SQ_ETRANSITION);
    assert_non_null(strstr(d.message, "accepted"));
    a.status = SQ_AS_SUBMITTED;
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_RESOLVE, NULL), SQ_ETRANSITION);
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_REOPEN, NULL), SQ_ETRANSITION);
    /* role before status: the wrong person in the wrong status is 403 */
    assert_int_equal(sq_appeal_decide(&person, &a, SQ_AA_RESOLVE, NULL), SQ_EFORBIDDEN);
    /* final statuses: no files, no workflow; the contact stays readable */
    for (int s = SQ_AS_CLOSED; s <= SQ_AS_MERGED; s++) {
        a.status = s;
        assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_ATTACH, NULL), SQ_ETRANSITION);
        assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_CONTACT, NULL), SQ_OK);
    }
    a.status = SQ_AS_MERGED;
    assert_int_equal(sq_appeal_allowed_mask(&admin, &a), 1u << SQ_AA_CONTACT);
    /* extensions: requested when none is pending, decided when one is */
    a.status = SQ_AS_IN_PROGRESS;
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_EXTEND, NULL), SQ_OK);
    assert_int_equal(sq_appeal_decide(&admin, &a, SQ_AA_EXTEND_DECIDE, &d), SQ_ECONFLICT);
    assert_string_equal(d.field, "approve");
    a.extension_days = 3;
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_EXTEND, &d), SQ_ECONFLICT);
    assert_string_equal(d.field, "days");
    assert_int_equal(sq_appeal_decide(&handler, &a, SQ_AA_EXTEND_DECIDE, NULL), SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_decide(&admin, &a, SQ_AA_EXTEND_DECIDE, NULL), SQ_OK);
    a.status = SQ_AS_RESOLVED;
    assert_int_equal(sq_appeal_decide(&admin, &a, SQ_AA_EXTEND_DECIDE, NULL), SQ_ETRANSITION);
}

/* allowed_actions is exactly what decide allows, for every caller and status */
static void test_mask_matches_decide(void **state)
{
    (void)state;
    struct sq_user users[] = {
        user_with(21, SQ_ROLE_HANDLER, "/1/2/5/"),    user_with(24, SQ_ROLE_UNIT_ADMIN, "/1/2/"),
        user_with(100, SQ_ROLE_PUBLIC, "/1/"),        user_with(20, SQ_ROLE_COLLECTOR, "/1/2/5/"),
        user_with(26, SQ_ROLE_DISTRICT_ADMIN, "/1/"),
    };
    for (size_t k = 0; k < sizeof users / sizeof users[0]; k++)
        for (int s = 0; s < SQ_AS__MAX; s++) {
            struct sq_appeal a = appeal_in(s);
            uint32_t m = sq_appeal_allowed_mask(&users[k], &a);
            for (int act = 0; act < SQ_AA__MAX; act++) {
                bool listed = (m >> act) & 1u;
                assert_int_equal(listed, sq_appeal_action_listed(act) &&
                                             sq_appeal_decide(&users[k], &a, act, NULL) == SQ_OK);
                if (listed && act < SQ_AA__EVENTS)
                    assert_true(sq_appeal_next_status(act, s) >= 0);
            }
        }
}

static void test_routing(void **state)
{
    (void)state;
    struct sq_routing_rule rules[3] = {
        {.id = 1,
         .category_id = 10,
         .location_unit_id = 4,
         .handler_unit_id = 100,
         .location_path = "/1/4/"},
        {.id = 2,
         .category_id = 0,
         .location_unit_id = 5,
         .handler_unit_id = 200,
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

/* The one definition of open and done that GET /meta/enums hands the UI:
 * every status is at most one of them; rejected and merged are neither. */
static void test_status_open_done(void **state)
{
    (void)state;
    static const struct {
        int status;
        bool open, done;
    } want[] = {
        {SQ_AS_SUBMITTED, true, false},   {SQ_AS_ACCEPTED, true, false},
        {SQ_AS_IN_PROGRESS, true, false}, {SQ_AS_SUSPENDED, true, false},
        {SQ_AS_RESOLVED, false, true},    {SQ_AS_EVALUATED, false, true},
        {SQ_AS_CLOSED, false, true},      {SQ_AS_REJECTED, false, false},
        {SQ_AS_MERGED, false, false},
    };
    assert_int_equal(sizeof want / sizeof want[0], SQ_AS__MAX);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(sq_appeal_status_open(want[i].status), want[i].open);
        assert_int_equal(sq_appeal_status_done(want[i].status), want[i].done);
    }
    assert_false(sq_appeal_status_open(-1));
    assert_false(sq_appeal_status_done(SQ_AS__MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_path),
        cmocka_unit_test(test_illegal_transitions),
        cmocka_unit_test(test_allowed_matches_table),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_contrib),
        cmocka_unit_test(test_copy_and_cleanup),
        cmocka_unit_test(test_decide_roles),
        cmocka_unit_test(test_decide_rating),
        cmocka_unit_test(test_decide_status),
        cmocka_unit_test(test_mask_matches_decide),
        cmocka_unit_test(test_status_open_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
