/*
 * Unit tests of the tasks rules (src/tasks/tasks.c) and the deadline code
 * they share with appeals (src/core/deadline.c): states, the warning share,
 * deadlines from input on the working calendar, the escalation chain up the
 * unit tree, and who may do what. Pure functions at fixed instants (the
 * rules take `now`): no database, no real clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/deadline.h"
#include "tasks/tasks.h"

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(sq_clock_parse_iso(iso, &t), 0);
    return t;
}

/* The test_workcal fixture: Oct 1-7 2026 off, Sun Sep 27 and Sat Oct 10
 * worked (test data, not the official schedule). */
static void national_day(struct sq_workcal *cal)
{
    sq_workcal_init(cal);
    for (int d = 20261001; d <= 20261007; d++)
        assert_int_equal(sq_workcal_add_exception(cal, d, SQ_WORKCAL_HOLIDAY), 0);
    assert_int_equal(sq_workcal_add_exception(cal, 20260927, SQ_WORKCAL_WORKDAY), 0);
    assert_int_equal(sq_workcal_add_exception(cal, 20261010, SQ_WORKCAL_WORKDAY), 0);
}

/* Units: district 1, street 4, its communities 17 and 18. */
#define DISTRICT "/1/"
#define STREET "/1/4/"
#define COMM "/1/4/17/"
#define OTHER_COMM "/1/4/18/"

static struct sq_user user(enum sq_role role, const char *path)
{
    struct sq_user u;
    memset(&u, 0, sizeof u);
    u.id = 100 + role;
    u.ngrants = 1;
    u.grants[0].id = 1;
    u.grants[0].role = role;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "%s", path);
    return u;
}

static struct sq_task task(const char *owner_path, int state)
{
    struct sq_task t;
    memset(&t, 0, sizeof t);
    t.id = 1;
    snprintf(t.owner_unit_path, sizeof t.owner_unit_path, "%s", owner_path);
    t.state = state;
    return t;
}

static void test_states(void **state)
{
    (void)state;
    assert_int_equal(tasks_next_state(SQ_TA_START, SQ_TS_OPEN), SQ_TS_IN_PROGRESS);
    assert_int_equal(tasks_next_state(SQ_TA_START, SQ_TS_IN_PROGRESS), -1);
    assert_int_equal(tasks_next_state(SQ_TA_DONE, SQ_TS_OPEN), SQ_TS_DONE);
    assert_int_equal(tasks_next_state(SQ_TA_DONE, SQ_TS_IN_PROGRESS), SQ_TS_DONE);
    assert_int_equal(tasks_next_state(SQ_TA_DONE, SQ_TS_DONE), -1);
    assert_int_equal(tasks_next_state(SQ_TA_NOTE, SQ_TS_IN_PROGRESS), SQ_TS_IN_PROGRESS);
    assert_int_equal(tasks_next_state(SQ_TA_NOTE, SQ_TS_DONE), -1);
    assert_int_equal(tasks_next_state(SQ_TA_UPDATE, SQ_TS_CANCELLED), -1);
    assert_int_equal(tasks_next_state(SQ_TA_CANCEL, SQ_TS_DONE), -1);
    assert_int_equal(tasks_next_state(SQ_TA_REOPEN, SQ_TS_DONE), SQ_TS_OPEN);
    assert_int_equal(tasks_next_state(SQ_TA_REOPEN, SQ_TS_CANCELLED), SQ_TS_OPEN);
    assert_int_equal(tasks_next_state(SQ_TA_REOPEN, SQ_TS_OPEN), -1);
    assert_int_equal(tasks_next_state(SQ_TA__MAX, SQ_TS_OPEN), -1);
    assert_int_equal(sq_task_state_parse("in_progress"), SQ_TS_IN_PROGRESS);
    assert_int_equal(sq_task_state_parse("late"), -1);
}

/* Warned at 80 % of the working time, exactly as an appeal with the same
 * deadline is: one computation (core/deadline.c) behind both. */
static void test_warning_share(void **state)
{
    (void)state;
    struct sq_workcal cal;
    sq_workcal_init(&cal);
    int64_t now = at("2026-11-02T09:00:00+08:00"), due = 0;
    assert_int_equal(tasks_due_from_input(&cal, now, NULL, 5, &due, NULL), SQ_OK);
    assert_int_equal(due, at("2026-11-09T17:30:00+08:00"));
    struct sq_task t = task(COMM, SQ_TS_OPEN);
    t.warned = 1;
    t.overdue = 1;
    t.escalation_level = 2;
    tasks_set_deadline(&cal, 80, now, &t, due);
    /* 6 working days of 8.5 h = 51 h; 80 % = 40.8 h: 4 days and 6 h 48 min */
    assert_int_equal(t.warn_at, at("2026-11-06T15:48:00+08:00"));
    assert_int_equal(t.warned, 0);
    assert_int_equal(t.overdue, 0);
    assert_int_equal(t.escalation_level, 0);
    /* the appeal with the same deadline warns at the same instant */
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    a.due_at = due;
    sq_appeal_rewarn(&cal, 80, now, &a);
    assert_int_equal(a.warn_at, t.warn_at);
    /* another share */
    tasks_set_deadline(&cal, 50, now, &t, due);
    /* 25.5 h: exactly three working days, due at the third one's close */
    assert_int_equal(t.warn_at, at("2026-11-04T17:30:00+08:00"));
    /* the scheduler's view */
    assert_int_equal(tasks_tick(&t, t.warn_at - 1), SQ_TT_NONE);
    assert_int_equal(tasks_tick(&t, t.warn_at), SQ_TT_WARN);
    t.warned = 1;
    assert_int_equal(tasks_tick(&t, due - 1), SQ_TT_NONE);
    assert_int_equal(tasks_tick(&t, due), SQ_TT_OVERDUE);
    t.state = SQ_TS_DONE;
    assert_int_equal(tasks_tick(&t, due + 86400), SQ_TT_NONE);
    sq_workcal_cleanup(&cal);
}

static void test_due_from_input(void **state)
{
    (void)state;
    struct sq_workcal cal;
    struct sq_detail d;
    int64_t due = 0, now = at("2026-09-28T10:00:00+08:00");
    national_day(&cal);
    /* a working day: its close of business */
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-09", 0, &due, &d), SQ_OK);
    assert_int_equal(due, at("2026-10-09T17:30:00+08:00"));
    /* the make-up Saturday is a working day */
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-10", 0, &due, &d), SQ_OK);
    /* a holiday, a plain Sunday: not working days */
    memset(&d, 0, sizeof d);
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-05", 0, &due, &d), SQ_EINVAL);
    assert_string_equal(d.field, "due_date");
    assert_non_null(strstr(d.message, "working day"));
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-11", 0, &due, &d), SQ_EINVAL);
    /* past, malformed, both, neither */
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-09-25", 0, &due, &d), SQ_EINVAL);
    assert_string_equal(d.field, "due_date");
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-02-30", 0, &due, &d), SQ_EINVAL);
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-9", 0, &due, &d), SQ_EINVAL);
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-10-09", 3, &due, &d), SQ_EINVAL);
    assert_string_equal(d.field, "due_working_days");
    assert_int_equal(tasks_due_from_input(&cal, now, NULL, 0, &due, &d), SQ_EINVAL);
    assert_string_equal(d.field, "due_date");
    assert_int_equal(tasks_due_from_input(&cal, now, NULL, 3651, &due, &d), SQ_EINVAL);
    /* the day the task is set never counts: Mon 28 + 3 working days over
     * National Day = Sep 29, 30, Oct 8 */
    assert_int_equal(tasks_due_from_input(&cal, now, NULL, 3, &due, &d), SQ_OK);
    assert_int_equal(due, at("2026-10-08T17:30:00+08:00"));
    /* today's close of business, set before it: fine; after it: past */
    assert_int_equal(tasks_due_from_input(&cal, now, "2026-09-28", 0, &due, &d), SQ_OK);
    assert_int_equal(
        tasks_due_from_input(&cal, at("2026-09-28T17:30:00+08:00"), "2026-09-28", 0, &due, &d),
        SQ_EINVAL);
    sq_workcal_cleanup(&cal);
}

static void test_escalation_unit(void **state)
{
    (void)state;
    assert_int_equal(sq_deadline_escalation_unit(COMM, 1), 4);
    assert_int_equal(sq_deadline_escalation_unit(COMM, 2), 1);
    assert_int_equal(sq_deadline_escalation_unit(COMM, 3), 1); /* capped at the district */
    assert_int_equal(sq_deadline_escalation_unit(DISTRICT, 1), 1);
    assert_int_equal(sq_deadline_escalation_unit(COMM, 0), 0);
    assert_int_equal(sq_deadline_escalation_unit("1/4/", 1), 0);
    assert_int_equal(sq_deadline_escalation_unit("/1/x/", 1), 0);
    assert_int_equal(sq_deadline_escalation_unit("", 1), 0);
    struct sq_workcal cal;
    sq_workcal_init(&cal);
    assert_int_equal(sq_deadline_close_of_day(&cal, 20261109), at("2026-11-09T17:30:00+08:00"));
    assert_int_equal(sq_deadline_close_of_day(&cal, 20260230), 0);
    sq_workcal_cleanup(&cal);
}

/* Late at the deadline: to the street; still late two working days later:
 * to the district, whose supervisors then hold it (nothing further). */
static void test_escalation_chain(void **state)
{
    (void)state;
    struct sq_workcal cal;
    national_day(&cal);
    struct sq_task t = task(COMM, SQ_TS_IN_PROGRESS);
    int64_t set = at("2026-09-24T10:00:00+08:00"), to = 0;
    tasks_set_deadline(&cal, 80, set, &t, at("2026-09-30T17:30:00+08:00"));
    assert_int_equal(tasks_tick(&t, at("2026-09-30T17:30:00+08:00")), SQ_TT_OVERDUE);
    tasks_escalate(&cal, 2, t.due_at, &t, &to);
    assert_int_equal(to, 4);
    assert_int_equal(t.overdue, 1);
    assert_int_equal(t.warned, 1);
    assert_int_equal(t.escalation_level, 1);
    assert_int_equal(t.escalation_round, 1);
    /* two working days after Sep 30, over the holiday: Oct 8, Oct 9 */
    assert_int_equal(t.next_escalation_at, at("2026-10-09T17:30:00+08:00"));
    assert_int_equal(tasks_tick(&t, at("2026-10-09T17:29:59+08:00")), SQ_TT_NONE);
    assert_int_equal(tasks_tick(&t, at("2026-10-09T17:30:00+08:00")), SQ_TT_ESCALATE);
    tasks_escalate(&cal, 2, at("2026-10-09T17:30:00+08:00"), &t, &to);
    assert_int_equal(to, 1);
    assert_int_equal(t.escalation_level, 2);
    assert_int_equal(t.next_escalation_at, 0);
    assert_int_equal(tasks_tick(&t, at("2026-12-31T17:30:00+08:00")), SQ_TT_NONE);

    /* a street's task goes to the district at once and stops there */
    struct sq_task s = task(STREET, SQ_TS_OPEN);
    tasks_set_deadline(&cal, 80, set, &s, at("2026-09-30T17:30:00+08:00"));
    tasks_escalate(&cal, 2, s.due_at, &s, &to);
    assert_int_equal(to, 1);
    assert_int_equal(s.next_escalation_at, 0);

    /* after downtime the periods already past are skipped: one escalation,
     * the next one still in the future */
    struct sq_task late = task("/1/4/17/30/", SQ_TS_OPEN);
    tasks_set_deadline(&cal, 80, set, &late, at("2026-09-30T17:30:00+08:00"));
    int64_t now = at("2026-10-20T12:00:00+08:00");
    tasks_escalate(&cal, 2, now, &late, &to);
    assert_int_equal(to, 17);
    assert_int_equal(late.escalation_level, 1);
    assert_true(late.next_escalation_at > now);
    assert_int_equal(late.next_escalation_at,
                     sq_deadline_next_escalation(&cal, late.due_at, late.escalation_round, 2));
    /* rounds every 2 working days from Sep 30: Oct 9, 12 (Sat 10 worked),
     * 14, 16, 20: the first after now */
    assert_int_equal(late.next_escalation_at, at("2026-10-20T17:30:00+08:00"));
    sq_workcal_cleanup(&cal);
}

static enum sq_err decide(const struct sq_user *u, const struct sq_task *t, enum sq_task_action a)
{
    struct sq_detail d;
    memset(&d, 0, sizeof d);
    enum sq_err e = tasks_decide(u, t, a, &d);
    if (e)
        assert_true(d.message[0] != '\0');
    return e;
}

static void test_who_may(void **state)
{
    (void)state;
    struct sq_user handler = user(SQ_ROLE_HANDLER, COMM), admin = user(SQ_ROLE_UNIT_ADMIN, COMM),
                   street = user(SQ_ROLE_UNIT_ADMIN, STREET),
                   street_handler = user(SQ_ROLE_HANDLER, STREET),
                   district = user(SQ_ROLE_DISTRICT_ADMIN, DISTRICT),
                   auditor = user(SQ_ROLE_AUDITOR, DISTRICT),
                   other = user(SQ_ROLE_HANDLER, OTHER_COMM),
                   collector = user(SQ_ROLE_COLLECTOR, COMM),
                   person = user(SQ_ROLE_PUBLIC, DISTRICT);
    struct sq_task open = task(COMM, SQ_TS_OPEN), done = task(COMM, SQ_TS_DONE);

    /* reading: the owner unit within a task.read subtree */
    assert_int_equal(decide(&handler, &open, SQ_TA_READ), SQ_OK);
    assert_int_equal(decide(&street_handler, &open, SQ_TA_READ), SQ_OK);
    assert_int_equal(decide(&auditor, &open, SQ_TA_READ), SQ_OK);
    assert_int_equal(decide(&other, &open, SQ_TA_READ), SQ_EFORBIDDEN);
    assert_int_equal(decide(&collector, &open, SQ_TA_READ), SQ_EFORBIDDEN);
    assert_int_equal(decide(&person, &open, SQ_TA_READ), SQ_EFORBIDDEN);
    assert_int_equal(decide(NULL, &open, SQ_TA_READ), SQ_EFORBIDDEN);

    /* setting tasks: admins of the owner unit and above */
    assert_int_equal(decide(&admin, &open, SQ_TA_CREATE), SQ_OK);
    assert_int_equal(decide(&street, &open, SQ_TA_CREATE), SQ_OK);
    assert_int_equal(decide(&district, &open, SQ_TA_CREATE), SQ_OK);
    assert_int_equal(decide(&handler, &open, SQ_TA_CREATE), SQ_EFORBIDDEN);
    assert_int_equal(decide(&auditor, &open, SQ_TA_CREATE), SQ_EFORBIDDEN);
    assert_int_equal(decide(&other, &open, SQ_TA_CREATE), SQ_EFORBIDDEN);
    struct sq_task street_task = task(STREET, SQ_TS_OPEN);
    assert_int_equal(decide(&admin, &street_task, SQ_TA_CREATE), SQ_EFORBIDDEN); /* above it */
    assert_int_equal(decide(&handler, &open, SQ_TA_UPDATE), SQ_EFORBIDDEN);
    assert_int_equal(decide(&handler, &open, SQ_TA_CANCEL), SQ_EFORBIDDEN);
    assert_int_equal(decide(&admin, &open, SQ_TA_CANCEL), SQ_OK);

    /* the owner unit's handlers work on it */
    assert_int_equal(decide(&handler, &open, SQ_TA_NOTE), SQ_OK);
    assert_int_equal(decide(&handler, &open, SQ_TA_START), SQ_OK);
    assert_int_equal(decide(&handler, &open, SQ_TA_DONE), SQ_OK);
    assert_int_equal(decide(&auditor, &open, SQ_TA_DONE), SQ_EFORBIDDEN);
    assert_int_equal(decide(&other, &open, SQ_TA_DONE), SQ_EFORBIDDEN);

    /* states */
    assert_int_equal(decide(&handler, &done, SQ_TA_DONE), SQ_ETRANSITION);
    assert_int_equal(decide(&handler, &done, SQ_TA_NOTE), SQ_ETRANSITION);
    assert_int_equal(decide(&admin, &done, SQ_TA_UPDATE), SQ_ETRANSITION);
    assert_int_equal(decide(&street, &open, SQ_TA_REOPEN), SQ_ETRANSITION);

    /* reopening: supervisors strictly above the owner unit */
    assert_int_equal(decide(&street, &done, SQ_TA_REOPEN), SQ_OK);
    assert_int_equal(decide(&district, &done, SQ_TA_REOPEN), SQ_OK);
    assert_int_equal(decide(&admin, &done, SQ_TA_REOPEN), SQ_EFORBIDDEN);
    assert_int_equal(decide(&handler, &done, SQ_TA_REOPEN), SQ_EFORBIDDEN);
    assert_int_equal(decide(&street_handler, &done, SQ_TA_REOPEN), SQ_EFORBIDDEN);
    struct sq_task district_done = task(DISTRICT, SQ_TS_DONE);
    assert_int_equal(decide(&district, &district_done, SQ_TA_REOPEN), SQ_OK);

    /* allowed_actions is the same decision */
    const char *names[SQ_TA__MAX];
    int n = tasks_allowed(&handler, &open, names);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "note");
    assert_string_equal(names[1], "start");
    assert_string_equal(names[2], "done");
    n = tasks_allowed(&admin, &open, names);
    assert_int_equal(n, 5); /* update note start done cancel */
    assert_int_equal(tasks_allowed(&auditor, &open, names), 0);
    n = tasks_allowed(&street, &done, names);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "reopen");
    assert_int_equal(tasks_allowed(&admin, &done, names), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),           cmocka_unit_test(test_warning_share),
        cmocka_unit_test(test_due_from_input),   cmocka_unit_test(test_escalation_unit),
        cmocka_unit_test(test_escalation_chain), cmocka_unit_test(test_who_may),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
