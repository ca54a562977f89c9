/*
 * Unit tests of the appeal workflow rules (appeals/rules.h): what each
 * action changes in the record, the timeline events it writes and the
 * errors of its input, with the fake clock and the working calendar. Pure:
 * no database, no HTTP.
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

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(sq_clock_parse_iso(iso, &t), 0);
    return t;
}

static struct sq_workcal cal;

static int setup(void **state)
{
    (void)state;
    sq_workcal_init(&cal);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sq_workcal_cleanup(&cal);
    return 0;
}

/* The rules' surroundings at the fake clock's now. */
static struct sq_appeal_ctx ctx_at(const char *iso)
{
    sq_clock_set_fake(at(iso));
    return (struct sq_appeal_ctx){.now = sq_clock_now(), .cal = &cal, .warn_percent = 80};
}

/* District /1/, street /1/2/, communities /1/2/5/ and /1/2/6/. */
static struct sq_user user_with(int64_t id, enum sq_role role, const char *path)
{
    struct sq_user u = {.id = id, .ngrants = 1};
    u.grants[0].role = role;
    u.grants[0].unit_id = 1;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "%s", path);
    return u;
}

static struct sq_user handler, admin, person, neighbour;

static void people(void)
{
    handler = user_with(21, SQ_ROLE_HANDLER, "/1/2/5/");
    admin = user_with(24, SQ_ROLE_UNIT_ADMIN, "/1/2/5/");
    person = user_with(100, SQ_ROLE_PUBLIC, "/1/");
    neighbour = user_with(22, SQ_ROLE_HANDLER, "/1/2/6/");
}

/* An appeal of community 5 filed by person 100, due Friday 4 December. */
static struct sq_appeal appeal_in(int status)
{
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    a.id = 9;
    a.status = status;
    a.creator_id = 100;
    a.handler_unit_id = 5;
    snprintf(a.handler_unit_path, sizeof a.handler_unit_path, "%s", "/1/2/5/");
    snprintf(a.tracking_no, sizeof a.tracking_no, "%s", "HS202611270000009");
    a.created_at = at("2026-11-27T16:00:00+08:00");
    a.accepted_at = status == SQ_AS_SUBMITTED ? 0 : a.created_at + 600;
    a.due_at = at("2026-12-04T17:30:00+08:00");
    a.warn_at = at("2026-12-03T12:00:00+08:00");
    a.updated_at = a.created_at + 600;
    return a;
}

static struct sq_appeal_unit unit(int64_t id, const char *path, const char *name)
{
    struct sq_appeal_unit u = {.id = id};
    snprintf(u.path, sizeof u.path, "%s", path);
    snprintf(u.name, sizeof u.name, "%s", name);
    return u;
}

static const struct sq_appeal_datum *datum(const struct sq_appeal_event *ev, const char *key)
{
    for (int i = 0; i < ev->ndata; i++)
        if (!strcmp(ev->data[i].key, key))
            return &ev->data[i];
    return NULL;
}

static int64_t datum_i(const struct sq_appeal_event *ev, const char *key)
{
    const struct sq_appeal_datum *v = datum(ev, key);
    assert_non_null(v);
    return v->i;
}

static const char *datum_s(const struct sq_appeal_event *ev, const char *key)
{
    const struct sq_appeal_datum *v = datum(ev, key);
    assert_non_null(v);
    assert_int_equal(v->type, SQ_AD_TEXT);
    return v->s;
}

/* ---- the simple actions ---- */

static void test_accept_assign_note_reply_resolve(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_SUBMITTED);
    struct sq_appeal_decision dec;
    struct sq_appeal_input in = {.note = "已签收"};
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-11-30T10:00:00+08:00");
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_ACCEPT, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.n, 1);
    struct sq_appeal *b = &dec.step[0].after;
    assert_ptr_equal(dec.step[0].before, &a);
    assert_int_equal(b->status, SQ_AS_ACCEPTED);
    assert_int_equal(b->accepted_at, ctx.now);
    assert_int_equal(b->updated_at, ctx.now);
    assert_int_equal(b->handler_id, 21); /* who signs for it owns it */
    assert_int_equal(dec.step[0].ev.action, SQ_AA_ACCEPT);
    assert_int_equal(dec.step[0].ev.actor_id, 21);
    assert_string_equal(dec.step[0].ev.note, "已签收");
    assert_int_equal(dec.step[0].ev.ndata, 0);
    sq_appeal_decision_cleanup(&dec);

    /* assign: only to a handler of the handling unit */
    a = appeal_in(SQ_AS_ACCEPTED);
    in = (struct sq_appeal_input){.handler_id = 22, .assignee = &neighbour};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_ASSIGN, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "handler_id");
    assert_non_null(strstr(d.message, " / "));
    in.assignee = NULL;
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_ASSIGN, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "handler_id");
    in = (struct sq_appeal_input){.handler_id = 21, .assignee = &handler};
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_ASSIGN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_IN_PROGRESS);
    assert_int_equal(dec.step[0].after.handler_id, 21);
    assert_int_equal(datum_i(&dec.step[0].ev, "handler_id"), 21);
    sq_appeal_decision_cleanup(&dec);

    /* the person notes; a note keeps the status */
    in = (struct sq_appeal_input){.note = "补充：晚上更吵"};
    assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_NOTE, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_ACCEPTED);
    assert_string_equal(dec.step[0].ev.note, "补充：晚上更吵");
    sq_appeal_decision_cleanup(&dec);

    /* reply: in progress, the reply kept on the record and the timeline */
    in = (struct sq_appeal_input){.reply = "已联系物业"};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_REPLY, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_IN_PROGRESS);
    assert_string_equal(dec.step[0].after.reply, "已联系物业");
    assert_string_equal(dec.step[0].ev.note, "已联系物业");
    sq_appeal_decision_cleanup(&dec);

    /* resolve straight from submitted is illegal; from accepted it is done */
    struct sq_appeal s = appeal_in(SQ_AS_SUBMITTED);
    in = (struct sq_appeal_input){.reply = "已修复路灯"};
    assert_int_equal(sq_appeal_act(&handler, &s, SQ_AA_RESOLVE, &in, &ctx, &dec, &d),
                     SQ_ETRANSITION);
    assert_int_equal(dec.n, 0);
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_RESOLVE, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_RESOLVED);
    assert_int_equal(dec.step[0].after.resolved_at, ctx.now);
    assert_string_equal(dec.step[0].after.reply, "已修复路灯");
    sq_appeal_decision_cleanup(&dec);

    /* reject: closed with the reason as the reply */
    in = (struct sq_appeal_input){.reason = "不属于受理范围"};
    assert_int_equal(sq_appeal_act(&handler, &s, SQ_AA_REJECT, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_REJECTED);
    assert_int_equal(dec.step[0].after.closed_at, ctx.now);
    assert_string_equal(dec.step[0].after.reply, "不属于受理范围");
    sq_appeal_decision_cleanup(&dec);

    /* escalate (督办): one level up, by a supervisor only */
    in = (struct sq_appeal_input){.reason = "超期未办"};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_ESCALATE, &in, &ctx, &dec, &d),
                     SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_ESCALATE, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.escalation_level, 1);
    assert_int_equal(datum_i(&dec.step[0].ev, "level"), 1);
    sq_appeal_decision_cleanup(&dec);

    /* review keeps the status and records the verdict */
    struct sq_appeal c = appeal_in(SQ_AS_CLOSED);
    in = (struct sq_appeal_input){.note = "抽查"};
    assert_int_equal(sq_appeal_act(&admin, &c, SQ_AA_REVIEW, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_CLOSED);
    assert_string_equal(datum_s(&dec.step[0].ev, "verdict"), "approved");
    sq_appeal_decision_cleanup(&dec);
    sq_appeal_decision_cleanup(&dec); /* twice is harmless */
}

static void test_change_time_follows_the_record(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_ACCEPTED);
    struct sq_appeal_decision dec;
    struct sq_appeal_input in = {.note = "x"};
    /* the fake clock stands before the record's last change */
    struct sq_appeal_ctx ctx = ctx_at("2026-11-27T15:00:00+08:00");
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_NOTE, &in, &ctx, &dec, NULL), SQ_OK);
    assert_int_equal(dec.step[0].after.updated_at, a.updated_at + 1);
    sq_appeal_decision_cleanup(&dec);
}

/* ---- transfer and return ---- */

static void test_transfer_and_return(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_ACCEPTED);
    a.handler_id = 21;
    struct sq_appeal_unit here = unit(5, "/1/2/5/", "幸福社区");
    struct sq_appeal_unit there = unit(6, "/1/2/6/", "和平社区");
    struct sq_appeal_unit street = unit(2, "/1/2/", "东城街道");
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-11-30T10:00:00+08:00");
    struct sq_appeal_input in = {.reason = "属地不符", .unit = &here, .handler_unit = &here};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_TRANSFER, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "unit_id");
    in.unit = NULL;
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_TRANSFER, &in, &ctx, &dec, &d), SQ_EINVAL);
    there.archived = true;
    in.unit = &there;
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_TRANSFER, &in, &ctx, &dec, &d), SQ_EINVAL);
    there.archived = false;
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_TRANSFER, &in, &ctx, &dec, &d), SQ_OK);
    const struct sq_appeal *b = &dec.step[0].after;
    const struct sq_appeal_event *ev = &dec.step[0].ev;
    assert_int_equal(b->status, SQ_AS_SUBMITTED); /* the new unit accepts again */
    assert_int_equal(b->handler_unit_id, 6);
    assert_string_equal(b->handler_unit_path, "/1/2/6/");
    assert_int_equal(b->handler_id, 0);
    assert_int_equal(b->due_at, a.due_at); /* the deadline keeps running */
    assert_int_equal(datum_i(ev, "from_unit_id"), 5);
    assert_int_equal(datum_i(ev, "to_unit_id"), 6);
    assert_string_equal(datum_s(ev, "to_unit_name"), "和平社区");
    assert_string_equal(datum_s(ev, "from_unit_name"), "幸福社区");
    assert_string_equal(ev->note, "属地不符");
    sq_appeal_decision_cleanup(&dec);

    /* return (退回): to the unit it was transferred from ... */
    struct sq_appeal moved = appeal_in(SQ_AS_SUBMITTED);
    moved.handler_unit_id = 6;
    snprintf(moved.handler_unit_path, sizeof moved.handler_unit_path, "%s", "/1/2/6/");
    in = (struct sq_appeal_input){
        .reason = "非本社区", .transferred_from = &here, .parent = &street, .handler_unit = &there};
    assert_int_equal(sq_appeal_act(&neighbour, &moved, SQ_AA_RETURN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.handler_unit_id, 5);
    assert_string_equal(dec.step[0].after.handler_unit_path, "/1/2/5/");
    assert_string_equal(datum_s(&dec.step[0].ev, "to_unit_name"), "幸福社区");
    sq_appeal_decision_cleanup(&dec);
    /* ... else (never transferred, or from itself) to the parent ... */
    in.transferred_from = NULL;
    assert_int_equal(sq_appeal_act(&neighbour, &moved, SQ_AA_RETURN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.handler_unit_id, 2);
    sq_appeal_decision_cleanup(&dec);
    in.transferred_from = &there;
    assert_int_equal(sq_appeal_act(&neighbour, &moved, SQ_AA_RETURN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.handler_unit_id, 2);
    sq_appeal_decision_cleanup(&dec);
    /* ... and at the top of the tree there is no one to return it to */
    in.transferred_from = NULL;
    in.parent = NULL;
    assert_int_equal(sq_appeal_act(&neighbour, &moved, SQ_AA_RETURN, &in, &ctx, &dec, &d),
                     SQ_ECONFLICT);
    assert_non_null(strstr(d.message, " / "));
    assert_int_equal(dec.n, 0);
}

/* ---- extension, suspension, resumption on the working calendar ---- */

static void test_extension(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_IN_PROGRESS);
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-12-02T09:00:00+08:00");
    /* a request needs days and a reason */
    struct sq_appeal_input in = {.has_days = true, .days = 3};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_EXTEND, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "reason");
    in = (struct sq_appeal_input){.reason = "需要协调"};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_EXTEND, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "days");
    in = (struct sq_appeal_input){.has_days = true, .days = 3, .reason = "需要协调"};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_EXTEND, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.extension_days, 3);
    assert_int_equal(dec.step[0].after.due_at, a.due_at); /* not before it is approved */
    assert_int_equal(datum_i(&dec.step[0].ev, "requested_days"), 3);
    assert_string_equal(dec.step[0].ev.note, "需要协调");
    sq_appeal_decision_cleanup(&dec);

    /* pending: a second request conflicts; the handler does not decide */
    a.extension_days = 3;
    a.overdue = 1;
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_EXTEND, &in, &ctx, &dec, &d), SQ_ECONFLICT);
    struct sq_appeal_input yes = {.has_approve = true, .approve = true, .note = "同意"};
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_EXTEND, &yes, &ctx, &dec, &d),
                     SQ_EFORBIDDEN);

    /* approved: three working days later, past a Monday holiday */
    sq_workcal_add_exception(&cal, 20261207, SQ_WORKCAL_HOLIDAY);
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_EXTEND, &yes, &ctx, &dec, &d), SQ_OK);
    const struct sq_appeal *b = &dec.step[0].after;
    assert_int_equal(b->due_at, at("2026-12-10T17:30:00+08:00"));
    assert_int_equal(b->extension_days, 0);
    assert_int_equal(b->overdue, 0);
    assert_int_equal(b->warned, 0);
    /* the warning is 80% of the working time from now to the new deadline */
    int64_t span = sq_workcal_working_seconds_between(&cal, ctx.now, b->due_at);
    assert_int_equal(sq_workcal_working_seconds_between(&cal, ctx.now, b->warn_at),
                     span * 80 / 100);
    assert_true(datum(&dec.step[0].ev, "approved")->i);
    assert_int_equal(datum_i(&dec.step[0].ev, "days"), 3);
    sq_appeal_decision_cleanup(&dec);

    /* denied: the deadline stays, the request is cleared */
    struct sq_appeal_input no = {.has_approve = true, .approve = false};
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_EXTEND, &no, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.due_at, a.due_at);
    assert_int_equal(dec.step[0].after.extension_days, 0);
    assert_int_equal(dec.step[0].after.overdue, 1);
    assert_false(datum(&dec.step[0].ev, "approved")->i);
    sq_appeal_decision_cleanup(&dec);

    /* nothing pending: nothing to decide */
    a.extension_days = 0;
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_EXTEND, &yes, &ctx, &dec, &d), SQ_ECONFLICT);
    assert_string_equal(d.field, "approve");
    sq_workcal_remove_exception(&cal, 20261207);
}

static void test_suspend_resume(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_IN_PROGRESS);
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_input in = {.reason = "等待补充材料"};
    struct sq_appeal_ctx ctx = ctx_at("2026-12-02T16:30:00+08:00");
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_SUSPEND, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.status, SQ_AS_SUSPENDED);
    assert_int_equal(dec.step[0].after.suspended_at, ctx.now);
    struct sq_appeal s;
    sq_appeal_copy(&s, &dec.step[0].after);
    sq_appeal_decision_cleanup(&dec);

    /* resumed Thursday 10:00 by the person: one working hour on Wednesday and
     * one on Thursday were paused, so the deadline and the warning move by two */
    in = (struct sq_appeal_input){.note = "已补充"};
    ctx = ctx_at("2026-12-03T10:00:00+08:00");
    assert_int_equal(sq_appeal_act(&person, &s, SQ_AA_RESUME, &in, &ctx, &dec, &d), SQ_OK);
    const struct sq_appeal *b = &dec.step[0].after;
    assert_int_equal(b->status, SQ_AS_IN_PROGRESS);
    assert_int_equal(b->suspended_at, 0);
    assert_int_equal(b->due_at, at("2026-12-07T11:00:00+08:00"));
    assert_int_equal(b->warn_at, at("2026-12-03T14:00:00+08:00"));
    assert_int_equal(datum_i(&dec.step[0].ev, "paused_seconds"), 63000);
    sq_appeal_decision_cleanup(&dec);

    /* a warning already given stays where it was */
    s.warned = 1;
    assert_int_equal(sq_appeal_act(&handler, &s, SQ_AA_RESUME, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.due_at, at("2026-12-07T11:00:00+08:00"));
    assert_int_equal(dec.step[0].after.warn_at, s.warn_at);
    sq_appeal_decision_cleanup(&dec);

    /* a pause over the weekend counts only its working time */
    struct sq_appeal w = appeal_in(SQ_AS_SUSPENDED);
    w.suspended_at = at("2026-11-27T17:00:00+08:00");
    w.updated_at = w.suspended_at;
    ctx = ctx_at("2026-11-30T09:30:00+08:00");
    assert_int_equal(sq_appeal_act(&handler, &w, SQ_AA_RESUME, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.step[0].after.due_at, at("2026-12-07T10:00:00+08:00"));
    sq_appeal_decision_cleanup(&dec);

    /* only a suspended appeal resumes */
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_RESUME, &in, &ctx, &dec, &d),
                     SQ_ETRANSITION);
    sq_appeal_cleanup(&s);
}

/* ---- rating and reopening ---- */

static struct sq_appeal_input rating(const char *satisfaction, const char *solved)
{
    return (struct sq_appeal_input){.speed = 4,
                                    .result = 3,
                                    .attitude = 5,
                                    .solved = solved,
                                    .satisfaction = satisfaction,
                                    .comment = "谢谢",
                                    .sla = {.response_hours = 8, .resolve_days = 5}};
}

static void test_rate(void **state)
{
    (void)state;
    people();
    struct sq_appeal a = appeal_in(SQ_AS_RESOLVED);
    a.resolved_at = at("2026-12-01T10:00:00+08:00");
    a.updated_at = a.resolved_at;
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-12-02T10:00:00+08:00");
    struct sq_appeal_input in = rating("satisfied", "solved");
    /* never by the handler who did the work */
    a.handler_id = 24;
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_RATE, &in, &ctx, &dec, &d), SQ_EFORBIDDEN);
    a.handler_id = 21;
    assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_RATE, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(dec.n, 1);
    const struct sq_appeal *b = &dec.step[0].after;
    assert_int_equal(b->status, SQ_AS_EVALUATED);
    assert_int_equal(b->rating_speed, 4);
    assert_int_equal(b->rating_result, 3);
    assert_int_equal(b->rating_attitude, 5);
    assert_string_equal(b->satisfaction, "satisfied");
    assert_string_equal(b->rating_solved, "solved");
    assert_string_equal(b->rating_comment, "谢谢");
    assert_int_equal(b->rated_at, ctx.now);
    assert_int_equal(datum_i(&dec.step[0].ev, "speed"), 4);
    assert_string_equal(datum_s(&dec.step[0].ev, "satisfaction"), "satisfied");
    assert_string_equal(datum_s(&dec.step[0].ev, "comment"), "谢谢");
    assert_null(datum(&dec.step[0].ev, "recorded_by_staff"));
    sq_appeal_decision_cleanup(&dec);
    /* a supervisor recording a return visit (回访) is marked */
    assert_int_equal(sq_appeal_act(&admin, &a, SQ_AA_RATE, &in, &ctx, &dec, &d), SQ_OK);
    assert_true(datum(&dec.step[0].ev, "recorded_by_staff")->i);
    sq_appeal_decision_cleanup(&dec);
}

static void test_dissatisfied_rating_reopens(void **state)
{
    (void)state;
    people();
    const char *const cases[][2] = {{"dissatisfied", "solved"},
                                    {"basically_satisfied", "not_solved"}};
    for (int k = 0; k < 2; k++) {
        struct sq_appeal a = appeal_in(SQ_AS_RESOLVED);
        a.resolved_at = at("2026-12-01T10:00:00+08:00");
        a.updated_at = a.resolved_at;
        a.overdue = 1;
        struct sq_appeal_decision dec;
        struct sq_appeal_ctx ctx = ctx_at("2026-12-07T10:00:00+08:00"); /* a Monday */
        struct sq_appeal_input in = rating(cases[k][0], cases[k][1]);
        assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_RATE, &in, &ctx, &dec, NULL), SQ_OK);
        assert_int_equal(dec.n, 2);
        const struct sq_appeal_step *rate = &dec.step[0], *re = &dec.step[1];
        assert_int_equal(rate->after.status, SQ_AS_EVALUATED);
        assert_int_equal(rate->ev.actor_id, 100);
        /* then the system reopens it (重办), from the rated record */
        assert_ptr_equal(re->before, &rate->after);
        assert_int_equal(re->ev.action, SQ_AA_REOPEN);
        assert_int_equal(re->ev.actor_id, 0);
        assert_string_equal(re->ev.note, "评价不满意，自动重办");
        assert_string_equal(datum_s(&re->ev, "cause"), "dissatisfied");
        assert_int_equal(datum_i(&re->ev, "reopen_count"), 1);
        assert_int_equal(re->after.status, SQ_AS_ACCEPTED);
        assert_int_equal(re->after.reopen_count, 1);
        assert_int_equal(re->after.resolved_at, 0);
        assert_int_equal(re->after.overdue, 0);
        assert_int_equal(re->after.updated_at, rate->after.updated_at + 1);
        assert_string_equal(re->after.satisfaction, cases[k][0]); /* the rating stays */
        /* half the five-day limit, rounded down: two working days from now */
        assert_int_equal(re->after.due_at, at("2026-12-09T17:30:00+08:00"));
        assert_true(re->after.warn_at > ctx.now && re->after.warn_at < re->after.due_at);
        sq_appeal_decision_cleanup(&dec);
    }
}

static void test_reopen(void **state)
{
    (void)state;
    people();
    struct sq_appeal_unit street = unit(2, "/1/2/", "东城街道");
    struct sq_appeal a = appeal_in(SQ_AS_CLOSED);
    a.handler_id = 21;
    a.closed_at = at("2026-12-01T10:00:00+08:00");
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-12-02T10:00:00+08:00");
    struct sq_appeal_input in = {
        .reason = "问题复发", .parent = &street, .sla = {.response_hours = 8, .resolve_days = 1}};
    /* the handler does not reopen; the person does */
    assert_int_equal(sq_appeal_act(&handler, &a, SQ_AA_REOPEN, &in, &ctx, &dec, &d), SQ_EFORBIDDEN);
    assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_REOPEN, &in, &ctx, &dec, &d), SQ_OK);
    const struct sq_appeal *b = &dec.step[0].after;
    assert_int_equal(b->status, SQ_AS_ACCEPTED); /* the same unit, at once */
    assert_int_equal(b->handler_unit_id, 5);
    assert_int_equal(b->handler_id, 21);
    assert_int_equal(b->closed_at, 0);
    assert_int_equal(b->due_at, at("2026-12-03T17:30:00+08:00")); /* at least a day */
    assert_string_equal(dec.step[0].ev.note, "问题复发");
    sq_appeal_decision_cleanup(&dec);
    /* the second reopen goes one tier up, to be accepted there */
    a.reopen_count = 1;
    assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_REOPEN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(b->status, SQ_AS_SUBMITTED);
    assert_int_equal(b->reopen_count, 2);
    assert_int_equal(b->handler_unit_id, 2);
    assert_string_equal(b->handler_unit_path, "/1/2/");
    assert_int_equal(b->handler_id, 0);
    sq_appeal_decision_cleanup(&dec);
    /* at the top it stays */
    in.parent = NULL;
    assert_int_equal(sq_appeal_act(&person, &a, SQ_AA_REOPEN, &in, &ctx, &dec, &d), SQ_OK);
    assert_int_equal(b->status, SQ_AS_ACCEPTED);
    assert_int_equal(b->handler_unit_id, 5);
    sq_appeal_decision_cleanup(&dec);
}

/* ---- merge ---- */

static void test_merge_and_follow_master(void **state)
{
    (void)state;
    people();
    struct sq_appeal dup = appeal_in(SQ_AS_SUBMITTED);
    struct sq_appeal master = appeal_in(SQ_AS_IN_PROGRESS);
    master.id = 7;
    struct sq_appeal_decision dec;
    struct sq_detail d = {0};
    struct sq_appeal_ctx ctx = ctx_at("2026-11-30T10:00:00+08:00");
    struct sq_appeal_input in = {.master_id = 9, .master = &dup};
    assert_int_equal(sq_appeal_act(&handler, &dup, SQ_AA_MERGE, &in, &ctx, &dec, &d), SQ_EINVAL);
    assert_string_equal(d.field, "master_id");
    in = (struct sq_appeal_input){.master_id = 8, .master = NULL};
    assert_int_equal(sq_appeal_act(&handler, &dup, SQ_AA_MERGE, &in, &ctx, &dec, &d), SQ_EINVAL);
    /* the master must be the caller's too ... */
    in = (struct sq_appeal_input){.master_id = 7, .master = &master, .note = "重复"};
    snprintf(master.handler_unit_path, sizeof master.handler_unit_path, "%s", "/1/2/6/");
    assert_int_equal(sq_appeal_act(&handler, &dup, SQ_AA_MERGE, &in, &ctx, &dec, &d),
                     SQ_EFORBIDDEN);
    assert_string_equal(d.field, "master_id");
    snprintf(master.handler_unit_path, sizeof master.handler_unit_path, "%s", "/1/2/5/");
    /* ... and open */
    for (int s = 0; s < SQ_AS__MAX; s++) {
        master.status = s;
        enum sq_err e = sq_appeal_act(&handler, &dup, SQ_AA_MERGE, &in, &ctx, &dec, &d);
        assert_int_equal(e, sq_appeal_status_open(s) ? SQ_OK : SQ_ECONFLICT);
        if (!e) {
            assert_int_equal(dec.step[0].after.status, SQ_AS_MERGED);
            assert_int_equal(dec.step[0].after.master_id, 7);
            assert_int_equal(datum_i(&dec.step[0].ev, "master_id"), 7);
            assert_string_equal(dec.step[0].ev.note, "重复");
        }
        sq_appeal_decision_cleanup(&dec);
    }

    /* the master resolved: the duplicate receives its reply and stays merged */
    master.status = SQ_AS_IN_PROGRESS;
    in = (struct sq_appeal_input){.reply = "已统一维修"};
    assert_int_equal(sq_appeal_act(&handler, &master, SQ_AA_RESOLVE, &in, &ctx, &dec, &d), SQ_OK);
    struct sq_appeal child = appeal_in(SQ_AS_MERGED);
    child.master_id = 7;
    child.updated_at = ctx.now + 50; /* changed after the master: still ordered */
    struct sq_appeal_step st;
    sq_appeal_follow_master(&dec.step[0].after, &child, 21, &st);
    assert_ptr_equal(st.before, &child);
    assert_int_equal(st.after.status, SQ_AS_MERGED);
    assert_string_equal(st.after.reply, "已统一维修");
    assert_int_equal(st.after.resolved_at, ctx.now);
    assert_int_equal(st.after.updated_at, child.updated_at + 1);
    assert_int_equal(st.ev.action, SQ_AA_RESOLVE);
    assert_int_equal(st.ev.actor_id, 21);
    assert_string_equal(st.ev.note, "已统一维修");
    assert_int_equal(datum_i(&st.ev, "master_id"), 7);
    assert_string_equal(datum_s(&st.ev, "master_tracking_no"), master.tracking_no);
    sq_appeal_step_cleanup(&st);
    child.updated_at = 1;
    sq_appeal_follow_master(&dec.step[0].after, &child, 21, &st);
    assert_int_equal(st.after.updated_at, dec.step[0].after.updated_at);
    sq_appeal_step_cleanup(&st);
    sq_appeal_decision_cleanup(&dec);
}

/* ---- answered by the knowledge base ---- */

static void test_kb_solved(void **state)
{
    (void)state;
    struct sq_appeal a = appeal_in(SQ_AS_SUBMITTED);
    struct sq_appeal_step st;
    struct sq_detail d = {0};
    int64_t now = at("2026-11-30T10:00:00+08:00");
    assert_int_equal(sq_appeal_kb_solved(&a, 33, "已由社区答案解决", 100, now, &st, &d), SQ_OK);
    assert_ptr_equal(st.before, &a);
    assert_int_equal(st.after.status, SQ_AS_RESOLVED);
    assert_int_equal(st.after.accepted_at, now); /* never accepted: now */
    assert_int_equal(st.after.resolved_at, now);
    assert_int_equal(st.after.kb_answer_id, 33);
    assert_string_equal(st.after.reply, "已由社区答案解决");
    assert_int_equal(st.ev.action, SQ_AA_RESOLVE);
    assert_int_equal(st.ev.actor_id, 100);
    assert_int_equal(datum_i(&st.ev, "kb_answer_id"), 33);
    assert_true(datum(&st.ev, "answered_by_kb")->i);
    sq_appeal_step_cleanup(&st);
    /* accepted before: that time stays */
    struct sq_appeal acc = appeal_in(SQ_AS_ACCEPTED);
    assert_int_equal(sq_appeal_kb_solved(&acc, 33, "x", 100, now, &st, &d), SQ_OK);
    assert_int_equal(st.after.accepted_at, acc.accepted_at);
    sq_appeal_step_cleanup(&st);
    /* only while it is open and not suspended */
    struct sq_appeal done = appeal_in(SQ_AS_RESOLVED);
    assert_int_equal(sq_appeal_kb_solved(&done, 33, "x", 100, now, &st, &d), SQ_ETRANSITION);
    assert_string_equal(d.field, "appeal_id");
    assert_non_null(strstr(d.message, " / "));
    sq_appeal_step_cleanup(&st);
}

/* ---- one definition of open ---- */

static void test_open_is_one_definition(void **state)
{
    (void)state;
    int open = 0;
    for (int s = 0; s < SQ_AS__MAX; s++) {
        char quoted[32];
        snprintf(quoted, sizeof quoted, "'%s'", sq_appeal_status_name(s));
        /* the SQL fragments say what the C functions say */
        assert_int_equal(strstr(SQ_APPEAL_OPEN_SQL, quoted) != NULL, sq_appeal_status_open(s));
        assert_int_equal(strstr(SQ_APPEAL_RUNNING_SQL, quoted) != NULL,
                         sq_appeal_status_running(s));
        assert_int_equal(strstr(SQ_APPEAL_DONE_SQL, quoted) != NULL, sq_appeal_status_done(s));
        /* done and open never overlap; running is open without the pause */
        assert_false(sq_appeal_status_open(s) && sq_appeal_status_done(s));
        assert_int_equal(sq_appeal_status_running(s),
                         sq_appeal_status_open(s) && s != SQ_AS_SUSPENDED);
        open += sq_appeal_status_open(s);
    }
    assert_int_equal(open, 4);
    assert_true(sq_appeal_status_open(SQ_AS_SUSPENDED));
    assert_false(sq_appeal_status_open(SQ_AS_RESOLVED));
    assert_false(sq_appeal_status_open(SQ_AS_MERGED));
    assert_false(sq_appeal_status_open(SQ_AS_REJECTED));
    assert_false(sq_appeal_status_open(-1));
    assert_true(sq_appeal_status_done(SQ_AS_EVALUATED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_assign_note_reply_resolve),
        cmocka_unit_test(test_change_time_follows_the_record),
        cmocka_unit_test(test_transfer_and_return),
        cmocka_unit_test(test_extension),
        cmocka_unit_test(test_suspend_resume),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_dissatisfied_rating_reopens),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_merge_and_follow_master),
        cmocka_unit_test(test_kb_solved),
        cmocka_unit_test(test_open_is_one_definition),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
