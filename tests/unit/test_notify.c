/*
 * test_notify.c - rules of notifications and the deadline scheduler:
 * recipients per action, inbox text, webhook event names, URL checks,
 * payload contents, backoff, HMAC signature (RFC 4231 vectors), and the
 * escalation schedule on the 2026 calendar. Then one store-level scenario on
 * a temporary SQLite database: an overdue appeal goes through
 * appeals_sched_run() and the notification hook (inbox + outbox rows).
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
#include "appeals/events.h"
#include "appeals/sched.h"
#include "core/auth.h"
#include "core/clock.h"
#include "notify/notify.h"

#define ROLE(r) (1u << (r))

static struct sq_appeal base_appeal(void)
{
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    a.id = 7;
    snprintf(a.tracking_no, sizeof a.tracking_no, "HS202610100000007");
    snprintf(a.kind, sizeof a.kind, "resident");
    snprintf(a.urgency, sizeof a.urgency, "normal");
    snprintf(a.channel, sizeof a.channel, "web");
    a.title = (char *)"楼道灯不亮";
    a.contact_phone = (char *)"13812341234";
    a.description = (char *)"secret description";
    a.handler_unit_id = 16;
    a.creator_id = 13;
    a.status = SQ_AS_ACCEPTED;
    return a;
}

/* ---- recipients ---- */

static void test_audiences_unit_work(void **state)
{
    (void)state;
    struct sq_audience aud[SQ_APPEAL_MAX_AUDIENCES];
    struct sq_appeal a = base_appeal();
    const int actions[] = {SQ_AA_SUBMIT, SQ_AA_TRANSFER, SQ_AA_RETURN, SQ_AA_REOPEN};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        assert_int_equal(sq_appeal_audiences(&a, actions[i], 2, aud), 1);
        assert_int_equal(aud[0].kind, SQ_AUD_UNIT);
        assert_int_equal(aud[0].id, 16);
        assert_int_equal(aud[0].roles, ROLE(SQ_ROLE_HANDLER) | ROLE(SQ_ROLE_UNIT_ADMIN));
    }
}

static void test_audiences_assign_warn(void **state)
{
    (void)state;
    struct sq_audience aud[SQ_APPEAL_MAX_AUDIENCES];
    struct sq_appeal a = base_appeal();
    /* unassigned: assign tells nobody, warn/overdue go to the unit's staff */
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_ASSIGN, 2, aud), 0);
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_WARN, 2, aud), 1);
    assert_int_equal(aud[0].kind, SQ_AUD_UNIT);
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_OVERDUE, 2, aud), 1);
    assert_int_equal(aud[0].kind, SQ_AUD_UNIT);
    /* assigned: the handler */
    a.handler_id = 7;
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_ASSIGN, 2, aud), 1);
    assert_int_equal(aud[0].kind, SQ_AUD_USER);
    assert_int_equal(aud[0].id, 7);
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_WARN, 2, aud), 1);
    assert_int_equal(aud[0].kind, SQ_AUD_USER);
    assert_int_equal(aud[0].id, 7);
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_OVERDUE, 2, aud), 1);
    assert_int_equal(aud[0].id, 7);
}

static void test_audiences_escalate(void **state)
{
    (void)state;
    struct sq_audience aud[SQ_APPEAL_MAX_AUDIENCES];
    struct sq_appeal a = base_appeal();
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_ESCALATE, 2, aud), 2);
    assert_int_equal(aud[0].kind, SQ_AUD_UNIT);
    assert_int_equal(aud[0].id, 2); /* the parent unit */
    assert_int_equal(aud[0].roles, ROLE(SQ_ROLE_UNIT_ADMIN));
    assert_int_equal(aud[1].kind, SQ_AUD_DISTRICT_ADMINS);
    /* no parent: the unit's own admins */
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_ESCALATE, 0, aud), 2);
    assert_int_equal(aud[0].id, 16);
}

static void test_audiences_person(void **state)
{
    (void)state;
    struct sq_audience aud[SQ_APPEAL_MAX_AUDIENCES];
    struct sq_appeal a = base_appeal();
    const int actions[] = {SQ_AA_REPLY, SQ_AA_RESOLVE, SQ_AA_REJECT, SQ_AA_MERGE};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        a.creator_id = 13;
        a.collector_id = 0;
        assert_int_equal(sq_appeal_audiences(&a, actions[i], 2, aud), 1);
        assert_int_equal(aud[0].kind, SQ_AUD_USER);
        assert_int_equal(aud[0].id, 13);
        /* filed by a collector on someone's behalf: the collector hears */
        a.creator_id = 0;
        a.collector_id = 9;
        assert_int_equal(sq_appeal_audiences(&a, actions[i], 2, aud), 1);
        assert_int_equal(aud[0].id, 9);
        /* anonymous: nobody in-app */
        a.collector_id = 0;
        assert_int_equal(sq_appeal_audiences(&a, actions[i], 2, aud), 0);
    }
}

static void test_audiences_quiet_actions(void **state)
{
    (void)state;
    struct sq_audience aud[SQ_APPEAL_MAX_AUDIENCES];
    struct sq_appeal a = base_appeal();
    const int quiet[] = {SQ_AA_ACCEPT, SQ_AA_NOTE,   SQ_AA_SUSPEND,
                         SQ_AA_RESUME, SQ_AA_REVIEW, SQ_AA_CLOSE};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        assert_int_equal(sq_appeal_audiences(&a, quiet[i], 2, aud), 0);
    /* extension request -> unit admin; decision -> handler */
    a.extension_days = 3;
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_EXTEND, 2, aud), 1);
    assert_int_equal(aud[0].roles, ROLE(SQ_ROLE_UNIT_ADMIN));
    a.extension_days = 0;
    a.handler_id = 7;
    assert_int_equal(sq_appeal_audiences(&a, SQ_AA_EXTEND, 2, aud), 1);
    assert_int_equal(aud[0].id, 7);
}

/* ---- text ---- */

static void test_text(void **state)
{
    (void)state;
    char title[64], body[256], small[8];
    struct sq_appeal a = base_appeal();
    a.due_at = 1791624600; /* 2026-10-10T17:30:00+08:00 */
    a.escalation_level = 2;
    sq_appeal_notice_text(&a, SQ_AA_ESCALATE, title, sizeof title, body, sizeof body);
    assert_string_equal(title, "超期督办（第2次）");
    assert_string_equal(body,
                        "HS202610100000007「楼道灯不亮」，办理时限 2026-10-10T17:30:00+08:00");
    a.reply = (char *)"已修好";
    sq_appeal_notice_text(&a, SQ_AA_RESOLVE, title, sizeof title, body, sizeof body);
    assert_string_equal(title, "您的诉求已办结，请评价");
    assert_non_null(strstr(body, "：已修好"));
    /* truncation never leaves half a UTF-8 character */
    sq_appeal_notice_text(&a, SQ_AA_WARN, small, sizeof small, body, sizeof body);
    assert_string_equal(small, "诉求"); /* 7 bytes fit: 2 characters and a piece */
}

/* ---- webhooks ---- */

static void test_event_names(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(sq_appeal_event_name(SQ_AA_ESCALATE, buf), "appeal.escalate");
    assert_true(sq_webhook_event_valid("*"));
    assert_true(sq_webhook_event_valid("appeal.*"));
    assert_true(sq_webhook_event_valid("appeal.submit"));
    assert_true(sq_webhook_event_valid("appeal.overdue"));
    assert_true(sq_webhook_event_valid("appeal.close"));
    assert_false(sq_webhook_event_valid("appeal."));
    assert_false(sq_webhook_event_valid("appeal.submitx"));
    assert_false(sq_webhook_event_valid("submit"));
    assert_false(sq_webhook_event_valid(""));
    assert_false(sq_webhook_event_valid(NULL));

    json_t *t = json_pack("[s,s]", "appeal.warn", "appeal.overdue");
    assert_true(sq_webhook_wants(t, "appeal.warn"));
    assert_false(sq_webhook_wants(t, "appeal.submit"));
    json_decref(t);
    t = json_pack("[s]", "appeal.*");
    assert_true(sq_webhook_wants(t, "appeal.submit"));
    json_decref(t);
    t = json_pack("[s]", "*");
    assert_true(sq_webhook_wants(t, "appeal.rate"));
    json_decref(t);
    t = json_array();
    assert_false(sq_webhook_wants(t, "appeal.rate"));
    json_decref(t);
}

static void test_url_valid(void **state)
{
    (void)state;
    const char *good[] = {"http://127.0.0.1:8080/hook", "https://example.org",
                          "https://hooks.example.org/a/b?c=d", "http://[::1]:9000/x",
                          "http://my_host.local/"};
    const char *bad[] = {"ftp://example.org/",
                         "file:///etc/passwd",
                         "http://",
                         "https:///path",
                         "http://ex ample.org/",
                         "http://example.org:0/",
                         "http://example.org:70000",
                         "http://example.org:/x",
                         "http://exa\tmple.org",
                         "gopher://x",
                         "HTTP//example.org",
                         "http://user@host/",
                         "http://[::1/"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(sq_webhook_url_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(sq_webhook_url_valid(bad[i]));
    char *longurl = malloc(2100);
    memcpy(longurl, "http://a/", 9);
    memset(longurl + 9, 'x', 2050);
    longurl[2059] = '\0';
    assert_false(sq_webhook_url_valid(longurl));
    free(longurl);
}

static void test_payload(void **state)
{
    (void)state;
    struct sq_appeal a = base_appeal();
    a.escalation_level = 1;
    a.overdue = 1;
    json_t *p = sq_appeal_webhook_body(&a, SQ_AA_ESCALATE, 0, 2, 1791624600);
    assert_string_equal(json_string_value(json_object_get(p, "event")), "appeal.escalate");
    assert_string_equal(json_string_value(json_object_get(p, "occurred_at")),
                        "2026-10-10T17:30:00+08:00");
    assert_true(json_is_null(json_object_get(p, "actor_id")));
    assert_int_equal(json_integer_value(json_object_get(p, "escalated_to_unit_id")), 2);
    json_t *ap = json_object_get(p, "appeal");
    assert_int_equal(json_integer_value(json_object_get(ap, "id")), 7);
    assert_string_equal(json_string_value(json_object_get(ap, "status")), "accepted");
    assert_true(json_is_true(json_object_get(ap, "overdue")));
    /* personal data never leaves in a webhook */
    char *text = json_dumps(p, 0);
    assert_null(strstr(text, "13812341234"));
    assert_null(strstr(text, "secret description"));
    free(text);
    json_decref(p);
    p = sq_appeal_webhook_body(&a, SQ_AA_SUBMIT, 13, 2, 1791624600);
    assert_null(json_object_get(p, "escalated_to_unit_id"));
    assert_int_equal(json_integer_value(json_object_get(p, "actor_id")), 13);
    json_decref(p);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(sq_webhook_backoff(0), 1);
    assert_int_equal(sq_webhook_backoff(1), 1);
    assert_int_equal(sq_webhook_backoff(2), 2);
    assert_int_equal(sq_webhook_backoff(3), 4);
    assert_int_equal(sq_webhook_backoff(5), 16);
    assert_int_equal(sq_webhook_backoff(12), 2048);
    assert_int_equal(sq_webhook_backoff(13), SQ_WEBHOOK_BACKOFF_MAX);
    assert_int_equal(sq_webhook_backoff(1000), SQ_WEBHOOK_BACKOFF_MAX);
    for (int i = 1; i < 40; i++)
        assert_true(sq_webhook_backoff(i + 1) >= sq_webhook_backoff(i));
}

static void test_signature(void **state)
{
    (void)state;
    char sig[80];
    /* RFC 4231 test case 2 */
    const char *data = "what do ya want for nothing?";
    sq_webhook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
                             "64ec3843");
    /* RFC 4231 test case 6: a key longer than the block size */
    char key[132];
    memset(key, 0xaa, 131);
    key[131] = '\0';
    const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    sq_webhook_sign(key, d6, strlen(d6), sig);
    assert_string_equal(sig, "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f"
                             "0ee37f54");
    /* the length is the body's, not up to a NUL */
    sq_webhook_sign("Jefe", "ab\0cd", 5, sig);
    char other[80];
    sq_webhook_sign("Jefe", "ab", 2, other);
    assert_string_not_equal(sig, other);
}

/* ---- scheduler rules ---- */

static void load_2026(struct sq_workcal *cal)
{
    static const int holidays[] = {20261001, 20261002, 20261003, 20261004,
                                   20261005, 20261006, 20261007, 20260925};
    static const int workdays[] = {20260920, 20261010};
    sq_workcal_init(cal);
    sq_workcal_set_hours(cal, 9 * 60, 17 * 60 + 30, 12 * 60, 13 * 60 + 30);
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        sq_workcal_add_exception(cal, holidays[i], SQ_WORKCAL_HOLIDAY);
    for (size_t i = 0; i < sizeof workdays / sizeof workdays[0]; i++)
        sq_workcal_add_exception(cal, workdays[i], SQ_WORKCAL_WORKDAY);
}

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(sq_clock_parse_iso(iso, &t), 0);
    return t;
}

static void test_next_escalation(void **state)
{
    (void)state;
    struct sq_workcal cal;
    load_2026(&cal);
    /* due on the make-up Saturday: Mon 12, Tue 13 */
    int64_t due = at("2026-10-10T17:30:00+08:00");
    assert_int_equal(sq_sched_next_escalation(&cal, due, 1, 2), at("2026-10-13T17:30:00+08:00"));
    assert_int_equal(sq_sched_next_escalation(&cal, due, 2, 2), at("2026-10-15T17:30:00+08:00"));
    /* due before the National Day week: the holiday does not count */
    due = at("2026-09-30T17:30:00+08:00");
    assert_int_equal(sq_sched_next_escalation(&cal, due, 1, 2), at("2026-10-09T17:30:00+08:00"));
    assert_int_equal(sq_sched_next_escalation(&cal, due, 1, 3), at("2026-10-10T17:30:00+08:00"));
    /* nonsense in, 0 out */
    assert_int_equal(sq_sched_next_escalation(&cal, 0, 1, 2), 0);
    assert_int_equal(sq_sched_next_escalation(&cal, due, 0, 2), 0);
    assert_int_equal(sq_sched_next_escalation(&cal, due, 1, 0), 0);
    assert_int_equal(sq_sched_next_escalation(&cal, due, 100000, 90), 0);
    assert_int_equal(sq_sched_close_after(1000, 7), 1000 + 7 * 86400);
    sq_workcal_cleanup(&cal);
}

/* ---- store level: scheduler + hook on a temporary database ---- */

static int db_setup(void **state)
{
    (void)state;
    static const char *const seed = TDB_UNITS
        "INSERT INTO users(id,login,display_name,password_hash,created_at,updated_at) VALUES "
        "(1,'admin','a','x',0,0),(2,'street_admin','s','x',0,0),(3,'handler','h','x',0,0),"
        "(4,'resident','r','x',0,0),(5,'gone','g','x',0,0);"
        "UPDATE users SET disabled = 1 WHERE id = 5;"
        "INSERT INTO grants(user_id,role,unit_id,created_at) VALUES (1,'district_admin',1,0),"
        "(2,'unit_admin',2,0),(3,'handler',3,0),(4,'public',1,0),(5,'unit_admin',2,0);"
        "INSERT INTO webhooks(url,event_types,secret,active,created_at) VALUES "
        "('http://127.0.0.1:9/','[\"appeal.overdue\",\"appeal.escalate\"]','k',1,0),"
        "('http://127.0.0.1:9/','[\"*\"]','k',0,0);";
    return tdb_open("notify", seed);
}

static int db_teardown(void **state)
{
    (void)state;
    notify_unsubscribe();
    appeals_calendar_free();
    return tdb_close();
}

static int64_t count(const char *sql)
{
    struct sq_stmt *st = sq_db_stmt(sql);
    int64_t n = -1;
    if (st && sq_step(st) == SQ_ROW)
        n = sq_col_int64(st, 0);
    sq_db_reset(st);
    return n;
}

static void test_recipients_store(void **state)
{
    (void)state;
    struct sq_audience aud[2] = {{SQ_AUD_UNIT, 2, ROLE(SQ_ROLE_UNIT_ADMIN)},
                                 {SQ_AUD_DISTRICT_ADMINS, 0, 0}};
    int64_t ids[8];
    /* disabled user 5 is left out; the actor (1) too */
    assert_int_equal(notify_store_recipients(aud, 2, 0, ids, 8), 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 1);
    assert_int_equal(notify_store_recipients(aud, 2, 1, ids, 8), 1);
    assert_int_equal(ids[0], 2);
    assert_int_equal(notify_store_recipients(aud, 2, 0, ids, 1), 1);
}

static void test_sched_overdue_scenario(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct sq_appeal a, got;
    struct sq_sched_opts o = {.unrated_days = 7, .escalate_days = 2, .batch = 100};
    bool more;
    notify_subscribe();
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
    a.creator_id = 4;
    a.status = SQ_AS_SUBMITTED;
    a.created_at = at("2026-10-08T09:00:00+08:00");
    a.warn_at = at("2026-10-09T15:00:00+08:00");
    a.due_at = at("2026-10-10T17:30:00+08:00");
    sq_clock_set_fake(a.created_at);
    assert_int_equal(appeals_store_insert(&a, 4, NULL, &d), SQ_OK);
    /* submit reached the handling unit's staff (handler 3) */
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE user_id = 3 AND kind = 'submit'"), 1);

    /* nothing yet */
    assert_int_equal(appeals_sched_run(at("2026-10-09T14:59:00+08:00"), &o, &more), 0);
    /* warning */
    assert_int_equal(appeals_sched_run(at("2026-10-09T15:00:00+08:00"), &o, &more), 1);
    assert_int_equal(appeals_sched_run(at("2026-10-09T15:01:00+08:00"), &o, &more), 0);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE user_id = 3 AND kind = 'warn'"), 1);
    /* overdue + first escalation */
    int64_t now = at("2026-10-10T17:31:00+08:00");
    assert_int_equal(appeals_sched_run(now, &o, &more), 2);
    assert_int_equal(appeals_store_get(a.id, &got, &d), SQ_OK);
    assert_int_equal(got.overdue, 1);
    assert_int_equal(got.escalation_level, 1);
    sq_appeal_cleanup(&got);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE kind = 'escalate' AND user_id IN "
                           "(1, 2)"),
                     2);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE user_id = 5"), 0);
    /* webhook 1 wants overdue + escalate; webhook 2 is inactive */
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 1"), 2);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 2"), 0);
    /* two working days later (Mon 12, Tue 13 17:30): escalated again */
    assert_int_equal(appeals_sched_run(at("2026-10-13T17:29:00+08:00"), &o, &more), 0);
    assert_int_equal(appeals_sched_run(at("2026-10-13T17:30:00+08:00"), &o, &more), 1);
    assert_int_equal(appeals_store_get(a.id, &got, &d), SQ_OK);
    assert_int_equal(got.escalation_level, 2);
    /* resolved: escalations stop, and 7 days later it closes as unrated */
    struct sq_appeal b;
    sq_appeal_copy(&b, &got);
    b.status = SQ_AS_RESOLVED;
    b.resolved_at = at("2026-10-14T10:00:00+08:00");
    b.updated_at = b.resolved_at;
    assert_int_equal(appeals_store_apply(&got, &b, SQ_AA_RESOLVE, 3, "done", NULL, &d), SQ_OK);
    sq_appeal_cleanup(&got);
    sq_appeal_cleanup(&b);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE user_id = 4 AND kind = 'resolve'"), 1);
    assert_int_equal(appeals_sched_run(at("2026-10-15T17:30:00+08:00"), &o, &more), 0);
    assert_int_equal(count("SELECT count(*) FROM appeal_escalations"), 0);
    assert_int_equal(appeals_sched_run(at("2026-10-21T09:59:00+08:00"), &o, &more), 0);
    assert_int_equal(appeals_sched_run(at("2026-10-21T10:00:00+08:00"), &o, &more), 1);
    assert_int_equal(appeals_store_get(a.id, &got, &d), SQ_OK);
    assert_int_equal(got.status, SQ_AS_CLOSED);
    sq_appeal_cleanup(&got);
    assert_int_equal(count("SELECT count(*) FROM appeal_events WHERE action = 'close' AND "
                           "json_extract(data, '$.unrated') = 1"),
                     1);
    sq_appeal_cleanup(&a);
}

int main(void)
{
    const struct CMUnitTest rules[] = {
        cmocka_unit_test(test_audiences_unit_work),
        cmocka_unit_test(test_audiences_assign_warn),
        cmocka_unit_test(test_audiences_escalate),
        cmocka_unit_test(test_audiences_person),
        cmocka_unit_test(test_audiences_quiet_actions),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_url_valid),
        cmocka_unit_test(test_payload),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_next_escalation),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(test_recipients_store),
        cmocka_unit_test(test_sched_overdue_scenario),
    };
    int failed = cmocka_run_group_tests_name("notify rules", rules, NULL, NULL);
    failed += cmocka_run_group_tests_name("notify store", store, db_setup, db_teardown);
    return failed ? 1 : 0;
}
