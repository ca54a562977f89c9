/*
 * The tasks store and one scheduler pass on a temporary SQLite database, at
 * fixed instants (tasks_sched_run takes `now`; no thread, no real clock):
 * a community's task is warned, falls overdue and is escalated to its
 * street, then to the district, then nothing more; each step is one
 * timeline entry and one escalation row. A stale version is refused
 * (SQ_ECONFLICT) and changes nothing; scoped lists see their subtree only;
 * a task done meanwhile is left alone.
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

#include "appeals/appeals.h"
#include "core/clock.h"
#include "core/db.h"
#include "tasks/tasks.h"
#include "units/units.h"

void sq_app_init(void);

static char dir[64];
static int64_t district, street, comm, other;

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(sq_clock_parse_iso(iso, &t), 0);
    return t;
}

static int64_t add_unit(int64_t parent, const char *kind, const char *code)
{
    struct sq_unit p;
    struct sq_detail d = {0};
    int64_t id = 0;
    if (parent)
        assert_int_equal(units_store_get(parent, &p, &d), SQ_OK);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "code", code, "name", code, "zone",
                           sq_unit_default_zone(sq_unit_kind_parse(kind)));
    assert_int_equal(units_store_create(parent ? &p : NULL, in, &id, &d), SQ_OK);
    json_decref(in);
    return id;
}

static int setup(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/sanqu-tasks-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    sq_app_init();
    assert_int_equal(sq_db_open(path, &d), SQ_OK);
    district = add_unit(0, "district", "D");
    street = add_unit(district, "street", "S1");
    comm = add_unit(street, "community", "C11");
    other = add_unit(district, "street", "S2");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    appeals_calendar_free();
    sq_db_shutdown();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* A task of unit `owner` set at `set`, due `days` working days later. */
static int64_t new_task(int64_t owner, const char *set, int days)
{
    struct sq_task t;
    struct sq_detail d = {0};
    memset(&t, 0, sizeof t);
    sq_task_set(&t.title, "联席会议决议：整治占道经营");
    t.owner_unit_id = owner;
    snprintf(t.source_domain, sizeof t.source_domain, "council_decision");
    t.source_id = 7;
    t.state = SQ_TS_OPEN;
    t.created_at = at(set);
    const struct sq_workcal *cal = appeals_calendar_acquire();
    int64_t due = 0;
    assert_int_equal(tasks_due_from_input(cal, t.created_at, NULL, days, &due, &d), SQ_OK);
    tasks_set_deadline(cal, 80, t.created_at, &t, due);
    appeals_calendar_release();
    assert_int_equal(tasks_store_insert(&t, 0, "", &d), SQ_OK);
    int64_t id = t.id;
    sq_task_cleanup(&t);
    return id;
}

struct seen {
    int notes, escalations;
    char kinds[16][16];
    int64_t to[8];
};

static void on_note(const struct sq_task_note *n, void *ctx)
{
    struct seen *s = ctx;
    if (s->notes < 16)
        snprintf(s->kinds[s->notes], sizeof s->kinds[0], "%s", n->kind);
    s->notes++;
}

static void on_escalation(const struct sq_task_escalation_row *e, void *ctx)
{
    struct seen *s = ctx;
    if (s->escalations < 8)
        s->to[s->escalations] = e->to_unit_id;
    s->escalations++;
}

static struct seen history(int64_t id)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(tasks_store_notes(id, on_note, &s), SQ_OK);
    assert_int_equal(tasks_store_escalations(id, on_escalation, &s), SQ_OK);
    return s;
}

static struct sq_task load(int64_t id)
{
    struct sq_task t;
    assert_int_equal(tasks_store_get(id, &t, NULL), SQ_OK);
    return t;
}

static int pass(const char *iso)
{
    bool more;
    return tasks_sched_run(at(iso), 2, 100, &more);
}

static void test_scheduler_chain(void **state)
{
    (void)state;
    /* Mon 2026-12-07 10:00, 2 working days: due Wed 12-09 17:30 */
    int64_t id = new_task(comm, "2026-12-07T10:00:00+08:00", 2);
    struct sq_task t = load(id);
    assert_int_equal(t.due_at, at("2026-12-09T17:30:00+08:00"));
    int64_t warn_at = t.warn_at;
    assert_true(warn_at > t.created_at && warn_at < t.due_at);
    sq_task_cleanup(&t);

    assert_int_equal(pass("2026-12-08T09:00:00+08:00"), 0);
    char iso[32];
    sq_clock_iso(warn_at, iso);
    assert_int_equal(pass(iso), 1); /* warned */
    assert_int_equal(pass(iso), 0); /* once */
    t = load(id);
    assert_int_equal(t.warned, 1);
    assert_int_equal(t.overdue, 0);
    sq_task_cleanup(&t);

    /* at the deadline: overdue, then the first escalation, to the street */
    assert_int_equal(pass("2026-12-09T17:30:00+08:00"), 1);
    t = load(id);
    assert_int_equal(t.overdue, 1);
    assert_int_equal(t.escalation_level, 1);
    assert_int_equal(t.next_escalation_at, at("2026-12-11T17:30:00+08:00"));
    sq_task_cleanup(&t);
    assert_int_equal(pass("2026-12-11T17:29:00+08:00"), 0);
    assert_int_equal(pass("2026-12-11T17:30:00+08:00"), 1); /* to the district */
    assert_int_equal(pass("2027-03-01T17:30:00+08:00"), 0); /* and no further */
    t = load(id);
    assert_int_equal(t.escalation_level, 2);
    assert_int_equal(t.next_escalation_at, 0);
    assert_int_equal(t.state, SQ_TS_OPEN);
    sq_task_cleanup(&t);

    struct seen s = history(id);
    assert_int_equal(s.notes, 5);
    assert_string_equal(s.kinds[0], "create");
    assert_string_equal(s.kinds[1], "warn");
    assert_string_equal(s.kinds[2], "overdue");
    assert_string_equal(s.kinds[3], "escalate");
    assert_string_equal(s.kinds[4], "escalate");
    assert_int_equal(s.escalations, 2);
    assert_int_equal(s.to[0], street);
    assert_int_equal(s.to[1], district);
}

static void test_stale_version_and_done(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int64_t id = new_task(comm, "2026-12-14T10:00:00+08:00", 3);
    struct sq_task a = load(id), b;
    sq_task_copy(&b, &a);
    b.state = SQ_TS_IN_PROGRESS;
    assert_int_equal(tasks_store_apply(&a, &b, "start", 0, "", NULL, a.created_at + 60, &d), SQ_OK);
    /* the same change again, from the old version: refused, nothing written */
    assert_int_equal(tasks_store_apply(&a, &b, "start", 0, "", NULL, a.created_at + 61, &d),
                     SQ_ECONFLICT);
    assert_int_equal(history(id).notes, 2);
    sq_task_cleanup(&a);
    sq_task_cleanup(&b);
    /* done before the deadline: the scheduler leaves it alone */
    a = load(id);
    assert_int_equal(a.version, 2);
    sq_task_copy(&b, &a);
    b.state = SQ_TS_DONE;
    b.done_at = a.created_at + 3600;
    sq_task_set(&b.evidence, "已完成");
    assert_int_equal(tasks_store_apply(&a, &b, "done", 0, "已完成", NULL, b.done_at, &d), SQ_OK);
    sq_task_cleanup(&a);
    sq_task_cleanup(&b);
    assert_int_equal(pass("2027-01-20T17:30:00+08:00"), 0);
    a = load(id);
    assert_int_equal(a.state, SQ_TS_DONE);
    assert_int_equal(a.overdue, 0);
    assert_string_equal(a.evidence, "已完成");
    sq_task_cleanup(&a);
}

static int count_cb;
static void count_one(const struct sq_task *t, void *ctx)
{
    (void)t;
    (void)ctx;
    count_cb++;
}

static void test_scoped_list(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct sq_page pg = {.limit = 50};
    new_task(other, "2026-12-14T10:00:00+08:00", 5);
    struct sq_unit s1;
    assert_int_equal(units_store_get(street, &s1, NULL), SQ_OK);
    const char *scope[] = {s1.path};
    struct sq_task_filter f = {.overdue = -1, .scope_paths = scope, .nscope = 1};
    int64_t total = 0;
    count_cb = 0;
    assert_int_equal(tasks_store_list(&f, &pg, count_one, NULL, &total, &d), SQ_OK);
    assert_int_equal(total, 2); /* the community's two, not the other street's */
    assert_int_equal(count_cb, 2);
    f.overdue = 1;
    assert_int_equal(tasks_store_list(&f, &pg, count_one, NULL, &total, &d), SQ_OK);
    assert_int_equal(total, 1);
    f = (struct sq_task_filter){.overdue = -1, .source_domain = "council_decision", .source_id = 7};
    assert_int_equal(tasks_store_list(&f, &pg, count_one, NULL, &total, &d), SQ_OK);
    assert_int_equal(total, 3);
    f.sort = "priority";
    assert_int_equal(tasks_store_list(&f, &pg, count_one, NULL, &total, &d), SQ_EINVAL);
    assert_string_equal(d.field, "sort");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduler_chain),
        cmocka_unit_test(test_stale_version_and_done),
        cmocka_unit_test(test_scoped_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
