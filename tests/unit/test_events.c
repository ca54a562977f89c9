/*
 * test_events.c - domain events (core/events) and what hangs off them.
 *
 * Rules: pattern matching, the catalogue (every appeal action is a declared
 * "appeal.<action>", kb declares kb.answer_published), webhook event-name
 * validation from the declarations. Then on a temporary SQLite database:
 * publish reaches the subscribers that asked for the type, inside the
 * publisher's transaction (a rollback drops what they wrote, a failing
 * subscriber fails the publish and undoes the others), after-commit
 * callbacks run only after the outermost COMMIT; a synthetic "test" domain
 * and the kb domain reach the inbox of the recipients they declare; and
 * retention, with the fake clock, purges read inbox rows and delivered
 * webhook attempts past their age and nothing else.
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
#include "core/auth.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/events.h"
#include "kb/events.h"
#include "kb/kb.h"
#include "notify/notify.h"

#define ROLE(r) (1u << (r))
#define DAY 86400

/* ---- a synthetic domain ---- */

/* thing_done: user 4 and the unit admins of unit 2; other: nobody. */
static int test_recipients(const struct sq_event *ev, struct sq_audience *out, int max)
{
    (void)ev;
    if (max < 2)
        return 0;
    out[0] = (struct sq_audience){.kind = SQ_AUD_USER, .id = 4};
    out[1] = (struct sq_audience){.kind = SQ_AUD_UNIT, .id = 2, .roles = ROLE(SQ_ROLE_UNIT_ADMIN)};
    return 2;
}

static void test_text(const struct sq_event *ev, char *title, size_t tcap, char *body, size_t bcap)
{
    snprintf(title, tcap, "测试事件");
    snprintf(body, bcap, "记录 %lld", (long long)ev->record_id);
}

static const struct sq_event_type test_types[] = {
    {.name = "test.thing_done",
     .summary = "a test thing: user 4 and unit 2's admins",
     .recipients = test_recipients,
     .text = test_text},
    {.name = "test.other", .summary = "nobody in-app"},
    {0},
};

/* ---- rules ---- */

static void test_match(void **state)
{
    (void)state;
    assert_true(sq_event_match("*", "appeal.submit"));
    assert_true(sq_event_match("appeal.*", "appeal.submit"));
    assert_true(sq_event_match("appeal.submit", "appeal.submit"));
    assert_false(sq_event_match("appeal.*", "kb.answer_published"));
    assert_false(sq_event_match("appeal.*", "appealx.submit"));
    assert_false(sq_event_match("appeal.submit", "appeal.submitx"));
    assert_false(sq_event_match("appeal", "appeal.submit"));
    assert_false(sq_event_match("kb.*", "appeal.submit"));
    assert_true(sq_event_match("kb.*", "kb.answer_published"));
    assert_false(sq_event_match(NULL, "appeal.submit"));
    assert_false(sq_event_match("*", NULL));
}

static void test_catalogue(void **state)
{
    (void)state;
    char buf[32];
    /* one declared type per appeal action, in enum order */
    for (int i = 0; i < SQ_AA__EVENTS; i++) {
        sq_appeal_event_name(i, buf);
        assert_non_null(sq_event_type_find(buf));
        assert_string_equal(appeals_event_types[i].name, buf);
        assert_non_null(appeals_event_types[i].recipients);
        assert_non_null(appeals_event_types[i].text);
        assert_non_null(appeals_event_types[i].summary);
    }
    assert_null(appeals_event_types[SQ_AA__EVENTS].name);
    assert_non_null(sq_event_type_find("kb.answer_published"));
    assert_null(sq_event_type_find("kb.answer_archived"));
    assert_true(sq_event_domain_known("appeal", 6));
    assert_true(sq_event_domain_known("kb", 2));
    assert_false(sq_event_domain_known("k", 1));
    /* webhooks may name any declared type or domain */
    assert_true(sq_webhook_event_valid("kb.*"));
    assert_true(sq_webhook_event_valid("kb.answer_published"));
    assert_false(sq_webhook_event_valid("kb.nope"));
    assert_false(sq_webhook_event_valid("test.*"));
    sq_event_declare(test_types);
    assert_true(sq_webhook_event_valid("test.*"));
    assert_true(sq_webhook_event_valid("test.thing_done"));
    assert_false(sq_webhook_event_valid(".*"));
    assert_false(sq_webhook_event_valid("*.*"));
}

/* docs/events.md lists every declared type (the catalogue is not allowed to
 * drift from the code). Run from the repository root, as `make check` does. */
static char *docs;

static void doc_has(const struct sq_event_type *t, void *ctx)
{
    char quoted[64];
    int *missing = ctx;
    if (!strncmp(t->name, "test.", 5))
        return; /* this file's synthetic domain */
    snprintf(quoted, sizeof quoted, "`%s`", t->name);
    if (!strstr(docs, quoted)) {
        fprintf(stderr, "docs/events.md does not list %s\n", t->name);
        (*missing)++;
    }
}

static void test_catalogue_documented(void **state)
{
    (void)state;
    FILE *f = fopen("docs/events.md", "rb");
    assert_non_null(f);
    docs = calloc(1, 1 << 17);
    assert_non_null(docs);
    assert_true(fread(docs, 1, (1 << 17) - 1, f) > 0);
    fclose(f);
    int missing = 0;
    sq_event_types_each(doc_has, &missing);
    assert_int_equal(missing, 0);
    free(docs);
}

static void test_event_json(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:{s:i}}", "thing", "id", 9);
    struct sq_event ev = {.domain = "test",
                          .type = "thing_done",
                          .record_id = 9,
                          .actor_id = 3,
                          .occurred_at = 1791624600,
                          .payload = p};
    json_t *o = sq_event_json(&ev);
    assert_string_equal(json_string_value(json_object_get(o, "event")), "test.thing_done");
    assert_string_equal(json_string_value(json_object_get(o, "occurred_at")),
                        "2026-10-10T17:30:00+08:00");
    assert_int_equal(json_integer_value(json_object_get(o, "actor_id")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "thing"), "id")), 9);
    json_decref(o);
    json_decref(p);
}

/* ---- on a database ---- */

static int db_setup(void **state)
{
    (void)state;
    sq_event_declare(test_types);
    static const char *const seed = TDB_UNITS
        "INSERT INTO users(id,login,display_name,password_hash,created_at,updated_at) VALUES "
        "(1,'admin','a','x',0,0),(2,'street_admin','s','x',0,0),(3,'handler','h','x',0,0),"
        "(4,'resident','r','x',0,0),(5,'gone','g','x',0,0),(6,'collector','c','x',0,0);"
        "UPDATE users SET disabled = 1 WHERE id = 5;"
        "INSERT INTO grants(user_id,role,unit_id,created_at) VALUES (1,'district_admin',1,0),"
        "(2,'unit_admin',2,0),(3,'handler',3,0),(4,'public',1,0),(5,'unit_admin',2,0),"
        "(6,'collector',3,0);"
        "INSERT INTO webhooks(url,event_types,secret,active,created_at) VALUES "
        "('http://127.0.0.1:9/','[\"test.*\"]','k',1,0),"
        "('http://127.0.0.1:9/','[\"appeal.*\"]','k',1,0);"
        "CREATE TABLE seen(sub TEXT, name TEXT, record_id INTEGER);";
    return tdb_open("events", seed);
}

static int db_teardown(void **state)
{
    (void)state;
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

static int64_t countf(const char *fmt, long long id)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, id);
    return count(sql);
}

static void exec(const char *sql)
{
    assert_int_equal(tdb_exec(sql), 0);
}

/* A subscriber that writes a row: (its name, the event, the record). */
static bool fail_next;

static enum sq_err record_sub(struct sq_event *ev, void *ctx, struct sq_detail *d)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO seen(sub, name, record_id) VALUES (?,?,?)");
    if (!st)
        return sq_fail(d, SQ_EDB, NULL, "database error");
    sq_bind_text(st, 1, ctx);
    sq_bind_text(st, 2, ev->name);
    sq_bind_int64(st, 3, ev->record_id);
    return sq_db_exec_stmt(st, d);
}

static enum sq_err failing_sub(struct sq_event *ev, void *ctx, struct sq_detail *d)
{
    (void)ev;
    (void)ctx;
    if (!fail_next)
        return SQ_OK;
    return sq_fail(d, SQ_EDB, NULL, "subscriber failed");
}

static int commits_seen;
static void after_commit(void *ctx)
{
    (void)ctx;
    commits_seen++;
}

static enum sq_err wake_sub(struct sq_event *ev, void *ctx, struct sq_detail *d)
{
    (void)ev;
    (void)ctx;
    (void)d;
    sq_db_on_commit(after_commit, NULL);
    return SQ_OK;
}

static enum sq_err publish(const char *type, int64_t record, const char *payload_text,
                           struct sq_detail *d)
{
    struct sq_event ev = {.domain = "test",
                          .type = type,
                          .record_id = record,
                          .unit_path = "/1/2/",
                          .actor_id = 2,
                          .payload_text = payload_text};
    return sq_event_publish(&ev, d);
}

static void test_publish_subscribe(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    exec("DELETE FROM seen");
    assert_int_equal(sq_event_subscribe("*", record_sub, "all"), 0);
    assert_int_equal(sq_event_subscribe("test.thing_done", record_sub, "thing"), 0);
    assert_int_equal(sq_event_subscribe("appeal.*", record_sub, "appeal"), 0);
    /* outside a transaction: a transaction of its own */
    assert_int_equal(publish("thing_done", 1, NULL, &d), SQ_OK);
    assert_int_equal(publish("other", 2, "{\"x\":1}", &d), SQ_OK);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE sub = 'all'"), 2);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE sub = 'thing' AND record_id = 1"), 1);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE sub = 'thing'"), 1);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE sub = 'appeal'"), 0);
    /* undeclared names and bad payloads are refused, nothing written */
    assert_int_equal(publish("nope", 3, NULL, &d), SQ_EINVAL);
    assert_int_equal(publish("thing_done", 3, "[1,2]", &d), SQ_EINVAL);
    assert_int_equal(publish("thing_done", 3, "{bad", &d), SQ_EINVAL);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 3"), 0);
    sq_event_unsubscribe(record_sub, "all");
    sq_event_unsubscribe(record_sub, "thing");
    sq_event_unsubscribe(record_sub, "appeal");
    assert_int_equal(publish("thing_done", 4, NULL, &d), SQ_OK);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 4"), 0);
}

static void test_rollback_drops_event(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    exec("DELETE FROM seen");
    sq_event_subscribe("test.*", record_sub, "all");
    sq_event_subscribe("test.*", wake_sub, NULL);
    commits_seen = 0;
    /* the publisher rolls back: the subscriber's row goes too, no wake-up */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 10, NULL, &d), SQ_OK);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 10"), 1);
    sq_db_rollback();
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 10"), 0);
    assert_int_equal(commits_seen, 0);
    /* committed: the row stays, the wake-up runs once, after COMMIT only */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 11, NULL, &d), SQ_OK);
    assert_int_equal(publish("thing_done", 12, NULL, &d), SQ_OK);
    assert_int_equal(commits_seen, 0);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    assert_int_equal(commits_seen, 1);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id IN (11, 12)"), 2);
    /* inside a savepoint that rolls back (one job of a group commit) */
    commits_seen = 0;
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 13, NULL, &d), SQ_OK);
    sq_db_rollback();
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 14, NULL, &d), SQ_OK);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    assert_int_equal(commits_seen, 0);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    assert_int_equal(commits_seen, 1);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 13"), 0);
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 14"), 1);
    /* a failing subscriber fails the publish and undoes the others */
    sq_event_subscribe("test.thing_done", failing_sub, NULL);
    fail_next = true;
    commits_seen = 0;
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 15, NULL, &d), SQ_EDB);
    assert_string_equal(d.message, "subscriber failed");
    assert_int_equal(count("SELECT count(*) FROM seen WHERE record_id = 15"), 0);
    sq_db_rollback();
    assert_int_equal(commits_seen, 0);
    fail_next = false;
    sq_event_unsubscribe(failing_sub, NULL);
    sq_event_unsubscribe(record_sub, "all");
    sq_event_unsubscribe(wake_sub, NULL);
}

/* A non-appeal domain's event reaches the inbox of the recipients it
 * declares, and the outbox of the webhooks that want it. */
static void test_other_domain_reaches_inbox(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    notify_subscribe();
    sq_clock_set_fake(1791624600);
    /* rolled back: nobody hears */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_int_equal(publish("thing_done", 77, NULL, &d), SQ_OK);
    sq_db_rollback();
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE domain = 'test'"), 0);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE event_type LIKE "
                           "'test.%'"),
                     0);
    assert_int_equal(publish("thing_done", 77, "{\"thing\":{\"id\":77}}", &d), SQ_OK);
    /* user 4 and unit 2's admin (2 is the actor, 5 is disabled: 4 only) */
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE domain = 'test'"), 1);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE user_id = 4 AND domain = 'test' AND "
                           "kind = 'thing_done' AND record_id = 77 AND title = '测试事件' AND "
                           "body = '记录 77' AND appeal_id IS NULL"),
                     1);
    /* the test.* webhook got it, the appeal.* one did not */
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 1 AND "
                           "event_type = 'test.thing_done' AND json_extract(payload, "
                           "'$.thing.id') = 77 AND json_extract(payload, '$.actor_id') = 2"),
                     1);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 2"), 0);
    /* a type without recipients: outbox only */
    assert_int_equal(publish("other", 78, NULL, &d), SQ_OK);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE record_id = 78"), 0);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE event_type = "
                           "'test.other'"),
                     1);
    notify_unsubscribe();
}

static int64_t new_appeal(int64_t creator, int64_t collector)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    memset(&a, 0, sizeof a);
    snprintf(a.kind, sizeof a.kind, "resident");
    snprintf(a.urgency, sizeof a.urgency, "normal");
    snprintf(a.channel, sizeof a.channel, "web");
    sq_appeal_set(&a.title, "楼道灯不亮");
    sq_appeal_set(&a.description, "三楼楼道灯坏了");
    a.category_id = 1;
    a.unit_id = 3;
    a.handler_unit_id = 3;
    snprintf(a.handler_unit_path, sizeof a.handler_unit_path, "/1/2/3/");
    a.creator_id = creator;
    a.collector_id = collector;
    a.status = SQ_AS_SUBMITTED;
    a.created_at = sq_clock_now();
    assert_int_equal(appeals_store_insert(&a, creator ? creator : collector, NULL, &d), SQ_OK);
    int64_t id = a.id;
    sq_appeal_cleanup(&a);
    return id;
}

/* kb declares "the people who filed the linked appeals". */
static void test_kb_answer_reaches_filers(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct kb_answer ans;
    int64_t id = 0;
    notify_subscribe();
    sq_clock_set_fake(1791624600);
    int64_t mine = new_appeal(4, 0), collected = new_appeal(0, 6), anon = new_appeal(0, 0);
    /* intake itself reached the handling unit's handler through the same path */
    assert_int_equal(countf("SELECT count(*) FROM inbox WHERE user_id = 3 AND domain = 'appeal' "
                            "AND kind = 'submit' AND record_id = %lld AND appeal_id IS NULL",
                            (long long)mine),
                     1);
    json_t *in = json_pack("{s:i,s:s,s:s,s:s}", "category_id", 1, "title", "楼道灯报修办法",
                           "problem", "楼道灯坏了", "measures", "找物业报修");
    assert_int_equal(kb_store_create(in, 3, "/1/2/3/", 3, mine, &id, &d), SQ_OK);
    json_decref(in);
    assert_int_equal(kb_store_link(id, collected, 3, &d), SQ_OK);
    assert_int_equal(kb_store_link(id, anon, 3, &d), SQ_OK);
    int64_t filers[8];
    assert_int_equal(kb_store_answer_filers(id, filers, 8), 2);
    assert_int_equal(filers[0], 4);
    assert_int_equal(filers[1], 6);
    /* submit tells nobody; approve (publish) tells the two filers */
    assert_int_equal(kb_store_get(id, &ans, &d), SQ_OK);
    assert_int_equal(kb_store_transition(&ans, KB_SUBMIT, KB_IN_REVIEW, 3, NULL, &d), SQ_OK);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE domain = 'kb'"), 0);
    assert_int_equal(kb_store_get(id, &ans, &d), SQ_OK);
    assert_int_equal(kb_store_transition(&ans, KB_APPROVE, KB_PUBLISHED, 1, NULL, &d), SQ_OK);
    assert_int_equal(countf("SELECT count(*) FROM inbox WHERE domain = 'kb' AND kind = "
                            "'answer_published' AND record_id = %lld AND user_id IN (4, 6) AND "
                            "title = '您反映的问题有了公开答案'",
                            (long long)id),
                     2);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE domain = 'kb'"), 2);
    notify_unsubscribe();
}

/* Read inbox rows and delivered attempts past their age go; unread rows,
 * recent rows, pending and dead deliveries, the audit log and appeal events
 * stay. */
static void test_retention(void **state)
{
    (void)state;
    bool more;
    int64_t now = 1791624600;
    sq_clock_set_fake(now);
    exec("DELETE FROM inbox; DELETE FROM webhook_deliveries;");
    char *sql = NULL;
    assert_true(
        asprintf(
            &sql,
            "INSERT INTO inbox(user_id,domain,kind,record_id,title,created_at,read_at) VALUES "
            "(4,'test','old_read',1,'t',%lld,%lld),"    /* 200 days, read: goes */
            "(4,'test','old_unread',2,'t',%lld,NULL),"  /* 200 days, unread: stays */
            "(4,'test','recent_read',3,'t',%lld,%lld)," /* 10 days, read: stays */
            "(4,'test','edge_read',4,'t',%lld,%lld);"   /* 179 days: stays */
            "INSERT INTO webhook_deliveries(webhook_id,event_type,payload,status,attempts,"
            "next_attempt_at,created_at,delivered_at) VALUES "
            "(1,'test.a','{}','delivered',1,0,%lld,%lld)," /* 40 days: goes */
            "(1,'test.b','{}','delivered',1,0,%lld,%lld)," /* 5 days: stays */
            "(1,'test.c','{}','dead',6,0,%lld,NULL),"      /* dead: stays */
            "(1,'test.d','{}','pending',2,0,%lld,NULL);",  /* pending: stays */
            (long long)(now - 200 * DAY), (long long)(now - 199 * DAY),
            (long long)(now - 200 * DAY), (long long)(now - 10 * DAY), (long long)(now - 9 * DAY),
            (long long)(now - 179 * DAY), (long long)(now - 100 * DAY), (long long)(now - 40 * DAY),
            (long long)(now - 40 * DAY), (long long)(now - 5 * DAY), (long long)(now - 5 * DAY),
            (long long)(now - 40 * DAY), (long long)(now - 40 * DAY)) > 0);
    exec(sql);
    free(sql);
    int64_t events = count("SELECT count(*) FROM appeal_events");
    int64_t audit = count("SELECT count(*) FROM audit_log");
    assert_true(events > 0);
    /* 0 days: keep forever */
    assert_int_equal(notify_retention_run(sq_clock_now(), 0, 0, 500, &more), 0);
    assert_false(more);
    assert_int_equal(notify_retention_run(sq_clock_now(), 180, 30, 500, &more), 2);
    assert_false(more);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE kind = 'old_read'"), 0);
    assert_int_equal(count("SELECT count(*) FROM inbox"), 3);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'test.a'"),
                     0);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries"), 3);
    /* a second pass finds nothing */
    assert_int_equal(notify_retention_run(sq_clock_now(), 180, 30, 500, &more), 0);
    /* the clock moves on: the row read 9 days ago is now past 180 days, in
     * batches of one */
    sq_clock_advance(171 * DAY);
    assert_int_equal(notify_retention_run(sq_clock_now(), 180, 30, 1, &more), 2);
    assert_true(more); /* two inbox rows to go (recent_read, edge_read), one delivery */
    assert_int_equal(notify_retention_run(sq_clock_now(), 180, 30, 1, &more), 1);
    assert_int_equal(notify_retention_run(sq_clock_now(), 180, 30, 1, &more), 0);
    assert_false(more);
    assert_int_equal(count("SELECT count(*) FROM inbox"), 1);
    assert_int_equal(count("SELECT count(*) FROM inbox WHERE kind = 'old_unread'"), 1);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries"), 2);
    assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'"),
                     0);
    assert_int_equal(count("SELECT count(*) FROM appeal_events"), events);
    assert_int_equal(count("SELECT count(*) FROM audit_log"), audit);
}

int main(void)
{
    const struct CMUnitTest rules[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_catalogue_documented),
        cmocka_unit_test(test_event_json),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(test_publish_subscribe),
        cmocka_unit_test(test_rollback_drops_event),
        cmocka_unit_test(test_other_domain_reaches_inbox),
        cmocka_unit_test(test_kb_answer_reaches_filers),
        cmocka_unit_test(test_retention),
    };
    int failed = cmocka_run_group_tests_name("events rules", rules, NULL, NULL);
    failed += cmocka_run_group_tests_name("events store", store, db_setup, db_teardown);
    return failed ? 1 : 0;
}
