/*
 * test_kb: the knowledge base's rules (answer state machine, version diff,
 * similarity query, highlighting, hot-problem score) and its store on a
 * temporary SQLite database: Chinese full-text search (phrases, partial
 * words, 1- and 2-character queries, traditional vs simplified, operator
 * characters, very long queries), scoping, the bounded-ranking rule, the
 * batch indexer, hot-problem clustering on fixed data, and the suggestion
 * quality on the labelled pairs of tests/data/kb_pairs.tsv (precision@5
 * printed).
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

#include "core/clock.h"
#include "core/db_sqlite.h"
#include "kb/demo_answers.h"
#include "kb/kb.h"
#include "units/units.h"

void sq_app_init(void);

/* ---- rules ---- */

static void test_transitions(void **state)
{
    (void)state;
    assert_int_equal(kb_next_status(KB_SUBMIT, KB_DRAFT), KB_IN_REVIEW);
    assert_int_equal(kb_next_status(KB_APPROVE, KB_IN_REVIEW), KB_PUBLISHED);
    assert_int_equal(kb_next_status(KB_REJECT, KB_IN_REVIEW), KB_DRAFT);
    assert_int_equal(kb_next_status(KB_ARCHIVE, KB_PUBLISHED), KB_ARCHIVED);
    assert_int_equal(kb_next_status(KB_RESTORE, KB_ARCHIVED), KB_DRAFT);
    assert_int_equal(kb_next_status(KB_APPROVE, KB_DRAFT), -1);
    assert_int_equal(kb_next_status(KB_SUBMIT, KB_PUBLISHED), -1);
    assert_int_equal(kb_next_status(KB_RESTORE, KB_PUBLISHED), -1);
    assert_int_equal(kb_next_status(-1, KB_DRAFT), -1);
    assert_int_equal(kb_next_status(KB_SUBMIT, 99), -1);
    assert_int_equal(kb_status_parse("in_review"), KB_IN_REVIEW);
    assert_int_equal(kb_status_parse("nope"), -1);
    assert_int_equal(kb_action_parse("approve"), KB_APPROVE);
    assert_false(kb_action_is_review(KB_SUBMIT));
    assert_true(kb_action_is_review(KB_APPROVE));
    assert_false(kb_status_editable(KB_ARCHIVED));
    json_t *a = kb_allowed_json(KB_IN_REVIEW);
    char *s = json_dumps(a, JSON_COMPACT);
    assert_string_equal(s, "[\"approve\",\"reject\",\"archive\"]");
    free(s);
    json_decref(a);
}

/* A caller holding one role in one unit. */
static struct sq_user one_grant(int64_t id, enum sq_role role, const char *path)
{
    struct sq_user u = {.id = id, .ngrants = 1};
    u.grants[0].role = role;
    snprintf(u.grants[0].unit_path, sizeof u.grants[0].unit_path, "%s", path);
    return u;
}

/* Who may edit an answer, and so see its history; who may act on it; who
 * manages a column or volume (issue 10). */
static void test_permissions(void **state)
{
    (void)state;
    struct kb_answer a = {.id = 1, .status = KB_PUBLISHED, .author_id = 7};
    snprintf(a.unit_path, sizeof a.unit_path, "/1/2/16/");
    struct sq_user district = one_grant(1, SQ_ROLE_DISTRICT_ADMIN, "/1/");
    struct sq_user street_admin = one_grant(2, SQ_ROLE_UNIT_ADMIN, "/1/2/");
    struct sq_user comm_admin = one_grant(3, SQ_ROLE_UNIT_ADMIN, "/1/2/16/");
    struct sq_user handler = one_grant(7, SQ_ROLE_HANDLER, "/1/2/16/");
    struct sq_user other_admin = one_grant(4, SQ_ROLE_UNIT_ADMIN, "/1/3/17/");
    struct sq_user auditor = one_grant(5, SQ_ROLE_AUDITOR, "/1/");
    struct sq_user resident = one_grant(6, SQ_ROLE_PUBLIC, "/1/");
    /* a published answer: its reviewers above it; not its writer, not
     * outsiders, not the auditor, not the public, not anonymous */
    assert_int_equal(kb_edit_perm(KB_PUBLISHED), SQ_PERM_KB_PUBLISH);
    assert_int_equal(kb_edit_perm(KB_ARCHIVED), SQ_PERM_KB_PUBLISH);
    assert_int_equal(kb_edit_perm(KB_DRAFT), SQ_PERM_KB_WRITE);
    assert_true(kb_may_edit(&district, &a));
    assert_true(kb_may_edit(&street_admin, &a));
    assert_true(kb_may_edit(&comm_admin, &a));
    assert_false(kb_may_edit(&handler, &a));
    assert_false(kb_may_edit(&other_admin, &a));
    assert_false(kb_may_edit(&auditor, &a));
    assert_false(kb_may_edit(&resident, &a));
    assert_false(kb_may_edit(NULL, &a));
    a.status = KB_ARCHIVED;
    assert_false(kb_may_edit(&handler, &a));
    assert_true(kb_may_edit(&comm_admin, &a));
    /* a draft: its writers too */
    a.status = KB_DRAFT;
    assert_true(kb_may_edit(&handler, &a));
    assert_false(kb_may_edit(&other_admin, &a));
    assert_false(kb_may_edit(&resident, &a));
    /* actions: the same decision as the handler takes */
    assert_int_equal(kb_check_action(&handler, &a, KB_SUBMIT), KB_MAY);
    assert_int_equal(kb_check_action(&handler, &a, KB_ARCHIVE), KB_NO_RIGHT);
    assert_int_equal(kb_check_action(&comm_admin, &a, KB_APPROVE), KB_ILLEGAL);
    assert_int_equal(kb_check_action(NULL, &a, KB_SUBMIT), KB_NO_RIGHT);
    a.status = KB_IN_REVIEW;
    struct sq_user author_admin = one_grant(7, SQ_ROLE_UNIT_ADMIN, "/1/2/16/");
    assert_int_equal(kb_check_action(&author_admin, &a, KB_APPROVE), KB_OWN_APPROVAL);
    assert_int_equal(kb_check_action(&comm_admin, &a, KB_APPROVE), KB_MAY);
    struct sq_user district_author = one_grant(7, SQ_ROLE_DISTRICT_ADMIN, "/1/");
    assert_int_equal(kb_check_action(&district_author, &a, KB_APPROVE), KB_MAY);
    json_t *l = kb_allowed_for(&handler, &a);
    assert_int_equal(json_array_size(l), 0); /* a writer may not review */
    json_decref(l);
    l = kb_allowed_for(&comm_admin, &a);
    char *txt = json_dumps(l, JSON_COMPACT);
    assert_string_equal(txt, "[\"approve\",\"reject\",\"archive\"]");
    free(txt);
    json_decref(l);
    l = kb_allowed_for(NULL, &a);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    /* columns and volumes: kb.publish at the owner or above */
    assert_true(kb_may_manage(&district, "/1/"));
    assert_false(kb_may_manage(&street_admin, "/1/"));
    assert_false(kb_may_manage(&comm_admin, "/1/"));
    assert_true(kb_may_manage(&street_admin, "/1/2/"));
    assert_true(kb_may_manage(&street_admin, "/1/2/16/"));
    assert_false(kb_may_manage(&comm_admin, "/1/2/"));
    assert_true(kb_may_manage(&comm_admin, "/1/2/16/"));
    assert_false(kb_may_manage(&other_admin, "/1/2/16/"));
    assert_false(kb_may_manage(&handler, "/1/2/16/"));
    assert_false(kb_may_manage(&auditor, "/1/"));
    assert_false(kb_may_manage(NULL, "/1/"));
}

static void test_diff(void **state)
{
    (void)state;
    json_t *d = kb_diff_text("甲。乙。丙。", "甲。乙改。丙。丁。");
    char *s = json_dumps(d, JSON_COMPACT);
    assert_string_equal(s,
                        "[{\"op\":\"eq\",\"text\":\"甲。\"},{\"op\":\"ins\",\"text\":\"乙改。\"},"
                        "{\"op\":\"del\",\"text\":\"乙。\"},{\"op\":\"eq\",\"text\":\"丙。\"},"
                        "{\"op\":\"ins\",\"text\":\"丁。\"}]");
    free(s);
    json_decref(d);
    d = kb_diff_text(NULL, "new");
    assert_int_equal(json_array_size(d), 1);
    json_decref(d);
    d = kb_diff_text("same\nlines", "same\nlines");
    assert_int_equal(json_array_size(d), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "op")), "eq");
    json_decref(d);
}

static void test_similar_query(void **state)
{
    (void)state;
    char *q = kb_similar_query("电梯坏了", 40);
    assert_string_equal(q, "\"电梯\" OR \"梯坏\" OR \"坏了\"");
    free(q);
    /* filler bigrams are dropped, Latin words folded, operators are text */
    q = kb_similar_query("希望解决 WiFi AND (\"*", 40);
    assert_string_equal(q, "\"望解\" OR \"wifi\" OR \"and\"");
    free(q);
    q = kb_similar_query("楼", 40);
    assert_string_equal(q, "\"楼\"");
    free(q);
    assert_null(kb_similar_query("（）！", 40));
    assert_null(kb_similar_query(NULL, 40));
    q = kb_similar_query("电梯电梯电梯", 40); /* duplicates once */
    assert_string_equal(q, "\"电梯\" OR \"梯电\"");
    free(q);
    char big[20000];
    for (size_t i = 0; i + 3 < sizeof big; i += 3)
        memcpy(big + i, i % 2 ? "梯" : "电", 3);
    big[sizeof big - 2] = 0;
    q = kb_similar_query(big, 5);
    assert_non_null(q);
    free(q);
}

static void test_snippet(void **state)
{
    (void)state;
    char *terms[] = {"电梯", "梯坏", "<b>"};
    char *s = kb_snippet_html("老<b>电梯坏了&", terms, 3, 0);
    /* escaped first, overlapping hits merged into one mark */
    assert_string_equal(s, "老<mark>&lt;b&gt;电梯坏</mark>了&amp;");
    free(s);
    char *t2[] = {"wifi"};
    s = kb_snippet_html("信号 WiFi 差", t2, 1, 0);
    assert_string_equal(s, "信号 <mark>WiFi</mark> 差");
    free(s);
    /* cut around the first hit with ellipses */
    s = kb_snippet_html("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸电梯子丑寅卯辰巳午未申酉", terms,
                        1, 8);
    assert_string_equal(s, "…壬癸<mark>电梯</mark>子丑寅卯…");
    free(s);
    char **m = NULL;
    int n = kb_match_terms("\"电梯\" \"a\"\"b\" OR \"wifi\"", &m);
    assert_int_equal(n, 3);
    assert_string_equal(m[1], "a\"b");
    kb_terms_free(m, n);
}

static void test_hot_score(void **state)
{
    (void)state;
    assert_true(kb_growth(10, 2) == 4.0);
    assert_true(kb_growth(3, 0) == 3.0);
    assert_true(kb_growth(1, 4) < 0);
    assert_true(kb_hot_score(10, 2) > kb_hot_score(10, 10));
    assert_true(kb_hot_score(200, 200) > kb_hot_score(10, 1)); /* growth is capped */
}

/* ---- store on a temporary database ---- */

static char dbpath[256];
static int64_t district, street1, street2, comm_a, comm_b, comm_c;
static char path_a[128], path_c[128], path_s1[128];
static int64_t u_res1, u_res2;

static int64_t cat(const char *code)
{
    struct sq_stmt *st = sq_db_stmt("SELECT id FROM categories WHERE code = ?");
    int64_t id = 0;
    sq_bind_text(st, 1, code);
    if (sq_step(st) == SQ_ROW)
        id = sq_col_int64(st, 0);
    sq_db_reset(st);
    assert_true(id > 0);
    return id;
}

static int64_t unit(int64_t parent, const char *kind, const char *code, char *path_out)
{
    struct sq_unit p, u;
    int64_t id = 0;
    if (parent)
        assert_int_equal(units_store_get(parent, &p, NULL), SQ_OK);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "code", code, "name", code, "zone",
                           "government");
    assert_int_equal(units_store_create(parent ? &p : NULL, in, &id, NULL), SQ_OK);
    json_decref(in);
    assert_int_equal(units_store_get(id, &u, NULL), SQ_OK);
    if (path_out)
        strcpy(path_out, u.path);
    return id;
}

static int64_t user(const char *login)
{
    struct sq_stmt *st = sq_db_stmt("INSERT INTO users(login, display_name, password_hash, "
                                    "created_at, updated_at) VALUES (?, ?, 'x', 0, 0)");
    sq_bind_text(st, 1, login);
    sq_bind_text(st, 2, login);
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
    return sqlite3_last_insert_rowid(sq_db_conn());
}

static int64_t appeal(const char *title, const char *desc, int64_t category, int64_t loc,
                      const char *handler_path, int64_t creator, const char *status, int64_t at)
{
    static int seq;
    char tn[32];
    snprintf(tn, sizeof tn, "T%07d", ++seq);
    struct sq_stmt *st = sq_db_stmt(
        "INSERT INTO appeals(tracking_no, kind, title, description, category_id, unit_id, status, "
        "handler_unit_id, handler_unit_path, creator_id, created_at, updated_at) VALUES "
        "(?1,'resident',?2,?3,?4,?5,?6,?5,?7,?8,?9,?9)");
    sq_bind_text(st, 1, tn);
    sq_bind_text(st, 2, title);
    sq_bind_text(st, 3, desc);
    sq_bind_int64(st, 4, category);
    sq_bind_int64(st, 5, loc);
    sq_bind_text_ref(st, 6, status);
    sq_bind_text(st, 7, handler_path);
    sq_db_bind_id(st, 8, creator);
    sq_bind_int64(st, 9, at);
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
    return sqlite3_last_insert_rowid(sq_db_conn());
}

static int64_t answer(const char *code, const char *title, const char *problem,
                      const char *measures, bool publish)
{
    int64_t id = 0;
    struct kb_answer a;
    json_t *in = json_pack("{s:I,s:s,s:s,s:s}", "category_id", (json_int_t)cat(code), "title",
                           title, "problem", problem, "measures", measures);
    assert_int_equal(kb_store_create(in, comm_a, path_a, 0, 0, &id, NULL), SQ_OK);
    json_decref(in);
    if (publish) {
        assert_int_equal(kb_store_get(id, &a, NULL), SQ_OK);
        assert_int_equal(kb_store_transition(&a, KB_SUBMIT, KB_IN_REVIEW, 0, NULL, NULL), SQ_OK);
        a.status = KB_IN_REVIEW;
        assert_int_equal(kb_store_transition(&a, KB_APPROVE, KB_PUBLISHED, 0, "ok", NULL), SQ_OK);
    }
    return id;
}

static int setup_db(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/sanqu-test-kb-%d.db", (int)getpid());
    unlink(dbpath);
    sq_clock_set_fake(1767225600); /* 2026-01-01 08:00 +08:00 */
    sq_app_init();
    struct sq_detail d = {0};
    if (sq_db_open(dbpath, &d)) {
        fprintf(stderr, "db: %s\n", d.message);
        return -1;
    }
    district = unit(0, "district", "D", NULL);
    street1 = unit(district, "street", "S1", path_s1);
    street2 = unit(district, "street", "S2", NULL);
    comm_a = unit(street1, "community", "CA", path_a);
    comm_b = unit(street1, "community", "CB", NULL);
    comm_c = unit(street2, "community", "CC", path_c);
    u_res1 = user("res1");
    u_res2 = user("res2");
    return 0;
}

static int teardown_db(void **state)
{
    (void)state;
    sq_db_shutdown();
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static json_t *run_search(const char *q, bool answers, bool appeals, const struct kb_scope *sc,
                          int64_t *total, bool *capped)
{
    struct kb_search s = {.q = q, .answers = answers, .appeals = appeals, .limit = 20};
    json_t *items = NULL;
    int64_t t = 0;
    bool c = false;
    assert_int_equal(kb_search_run(&s, sc, &items, &t, &c, NULL), SQ_OK);
    if (total)
        *total = t;
    if (capped)
        *capped = c;
    return items;
}

static int64_t count_of(const char *q, bool answers, bool appeals, const struct kb_scope *sc)
{
    int64_t t;
    json_t *items = run_search(q, answers, appeals, sc, &t, NULL);
    json_decref(items);
    return t;
}

static void test_search_chinese(void **state)
{
    (void)state;
    struct kb_scope all = {.all_appeals = true};
    int64_t a1 =
        answer("DT", "老旧小区加装电梯", "低层住户反对加装电梯，协商困难。", "议事会协商。", true);
    answer("TC", "停车难的解决办法", "小区车位不足，晚上停车难。", "错时共享停车。", true);
    answer("ZY", "电梯井施工噪音（草稿）", "草稿不可见。", "无。", false);
    appeal("3号楼电梯经常故障", "电梯维修不及时，老人被困", cat("DT01"), comm_a, path_a, u_res1,
           "submitted", 1767000000);
    appeal("Wi-Fi信号差", "社区服务中心的WiFi很慢", cat("WY01"), comm_c, path_c, u_res2,
           "submitted", 1767000100);
    appeal("電梯故障", "繁体字的诉求", cat("DT01"), comm_c, path_c, u_res2, "submitted",
           1767000200);
    assert_int_equal(kb_index_appeals_batch(1000), 3);
    assert_int_equal(kb_index_appeals_batch(1000), 0);

    assert_int_equal(count_of("加装电梯", true, false, &all), 1); /* exact phrase */
    assert_int_equal(count_of("电梯", true, false, &all), 1);     /* two characters; draft hidden */
    assert_int_equal(count_of("梯", true, true, &all), 3); /* one character (梯 is also in 電梯) */
    assert_int_equal(count_of("装电", true, false, &all), 1); /* part of a word */
    assert_int_equal(count_of("电梯维修", false, true, &all), 1);
    assert_int_equal(count_of("维修电梯", false, true, &all), 0);  /* order matters in a phrase */
    assert_int_equal(count_of("电梯 维修", false, true, &all), 1); /* two terms, AND */
    assert_int_equal(count_of("電梯", false, true, &all), 1);      /* traditional stays as-is */
    assert_int_equal(count_of("wi-fi", false, true, &all), 1);
    assert_int_equal(count_of("WIFI", false, true, &all), 1);
    assert_int_equal(count_of("3号楼", false, true, &all), 1);
    /* operators and special characters are text and never an error */
    assert_int_equal(count_of("电梯 AND (\" NOT * ^ : NEAR(", true, true, &all), 0);
    assert_int_equal(count_of("\"\"\"", true, true, &all), 0);
    assert_int_equal(count_of("'; DROP TABLE appeals; --", true, true, &all), 0);
    char *big = malloc(60000);
    for (int i = 0; i < 20000; i++)
        memcpy(big + 3 * i, i % 2 ? "梯" : "电", 3);
    big[59999] = 0;
    big[59998] = 0;
    big[59997] = 0;
    json_decref(run_search(big, true, true, &all, NULL, NULL)); /* very long: no error */
    free(big);

    /* highlighted snippets: escaped, <mark> around the hit */
    json_t *items = run_search("电梯", true, false, &all, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), a1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title_html")),
                        "老旧小区加装<mark>电梯</mark>");
    json_decref(items);
}

static void test_search_scope(void **state)
{
    (void)state;
    /* appeals of test_search_chinese: 1 in comm A (res1), 2 in comm C (res2) */
    struct kb_scope anon = {0}, res1 = {.user_id = u_res1}, res2 = {.user_id = u_res2},
                    handler_a = {.npaths = 1}, handler_s2 = {.npaths = 1};
    handler_a.paths[0] = path_a;
    handler_s2.paths[0] = path_c;
    assert_int_equal(count_of("梯", false, true, &anon), 0);
    assert_int_equal(count_of("梯", false, true, &res1), 1);
    assert_int_equal(count_of("梯", false, true, &res2), 1);
    assert_int_equal(count_of("故障", false, true, &handler_a), 1);
    assert_int_equal(count_of("故障", false, true, &handler_s2), 1);
    assert_int_equal(count_of("wifi", false, true, &handler_a), 0);
    assert_int_equal(count_of("wifi", false, true, &res1), 0);
    /* answers are public */
    assert_int_equal(count_of("停车", true, false, &anon), 1);
}

static void test_bounded_ranking(void **state)
{
    (void)state;
    struct kb_scope all = {.all_appeals = true};
    struct sq_detail d = {0};
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    for (int i = 0; i < KB_RANK_WINDOW + 300; i++)
        appeal("车位紧张停车困难", "每天晚上停车找不到位置", cat("TC01"), comm_b, path_s1, 0,
               "closed", 1767100000 + i);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    int n, sum = 0;
    while ((n = kb_index_appeals_batch(1000)) > 0)
        sum += n;
    assert_int_equal(sum, KB_RANK_WINDOW + 300);
    int64_t total;
    bool capped;
    json_t *items = run_search("停车", false, true, &all, &total, &capped);
    assert_true(capped);
    assert_int_equal(total, KB_RANK_WINDOW);
    /* the newest matches are the ones ranked */
    int64_t first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    assert_true(first > KB_RANK_WINDOW / 2);
    json_decref(items);
    /* a rare term is ranked in full */
    json_decref(run_search("電梯", false, true, &all, &total, &capped));
    assert_false(capped);
}

static void test_hot_clusters(void **state)
{
    (void)state;
    int64_t t0 = 1768000000, w = 30 * 86400;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    /* this window: 12 noise appeals around street 1 (two communities), 3 the window before */
    for (int i = 0; i < 12; i++)
        appeal("夜间施工噪音", "工地半夜施工", cat("ZY01"), i % 2 ? comm_a : comm_b, path_s1, 0,
               "submitted", t0 + 1000 + i);
    for (int i = 0; i < 3; i++)
        appeal("夜间施工噪音", "工地半夜施工", cat("ZY01"), comm_a, path_s1, 0, "closed",
               t0 - w + 1000 + i);
    /* 6 water appeals in street 2, steady (6 before too) */
    for (int i = 0; i < 6; i++) {
        appeal("停水", "又停水了", cat("GS01"), comm_c, path_c, 0, "submitted", t0 + 2000 + i);
        appeal("停水", "又停水了", cat("GS01"), comm_c, path_c, 0, "closed", t0 - w + 2000 + i);
    }
    /* a single appeal is not a cluster */
    appeal("树太高", "挡光", cat("LH01"), comm_c, path_c, 0, "submitted", t0 + 3000);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    struct kb_hot_query q = {.from = t0, .to = t0 + w, .limit = 10};
    json_t *items = NULL;
    assert_int_equal(kb_hot_run(&q, &items, &d), SQ_OK);
    assert_int_equal(json_array_size(items), 2);
    json_t *c0 = json_array_get(items, 0), *c1 = json_array_get(items, 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c0, "category"), "id")),
                     cat("ZY"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c0, "place"), "id")),
                     street1);
    assert_int_equal(json_integer_value(json_object_get(c0, "count")), 12);
    assert_int_equal(json_integer_value(json_object_get(c0, "previous_count")), 3);
    assert_true(json_real_value(json_object_get(c0, "growth")) == 3.0);
    assert_int_equal(json_integer_value(json_object_get(c0, "affected_unit_count")), 2);
    assert_int_equal(json_array_size(json_object_get(c0, "representative_appeals")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c1, "place"), "id")),
                     street2);
    assert_int_equal(json_integer_value(json_object_get(c1, "count")), 6);
    json_decref(items);
    /* scoped to street 2 only */
    q.unit_path = path_c;
    assert_int_equal(kb_hot_run(&q, &items, &d), SQ_OK);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);

    /* pick the noise cluster as the month's theme; tracking counts its appeals */
    char from[32], to[32];
    sq_clock_iso(t0, from);
    sq_clock_iso(t0 + w, to);
    json_t *in = json_pack("{s:I,s:I,s:s,s:s}", "category_id", (json_int_t)cat("ZY"),
                           "place_unit_id", (json_int_t)street1, "from", from, "to", to);
    int64_t tid = 0;
    assert_int_equal(kb_theme_create(in, 0, &tid, &d), SQ_OK);
    assert_int_equal(kb_theme_create(in, 0, &tid, &d), SQ_ECONFLICT); /* one per month */
    json_decref(in);
    json_t *t = kb_theme_json(tid);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "tracking"), "appeals")),
                     12);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "tracking"), "open")),
                     12);
    json_decref(t);
}

static void test_versions_and_links(void **state)
{
    (void)state;
    struct kb_answer a;
    int64_t id = answer("HJ", "垃圾清运", "垃圾堆积。", "增加清运。", false);
    assert_int_equal(kb_store_get(id, &a, NULL), SQ_OK);
    json_t *ed = json_pack("{s:s}", "measures", "增加清运。增设垃圾桶。");
    assert_int_equal(kb_store_update(&a, ed, 0, -1, NULL), SQ_OK);
    json_decref(ed);
    json_t *v = kb_store_versions_json(id);
    assert_int_equal(json_array_size(v), 2);
    json_decref(v);
    v = kb_store_version_json(id, 1);
    assert_string_equal(json_string_value(json_object_get(v, "measures")), "增加清运。");
    json_decref(v);
    /* search follows the edit (triggers on the external-content index) */
    struct kb_scope all = {.all_appeals = true};
    assert_int_equal(kb_store_get(id, &a, NULL), SQ_OK);
    assert_int_equal(kb_store_transition(&a, KB_SUBMIT, KB_IN_REVIEW, 0, NULL, NULL), SQ_OK);
    a.status = KB_IN_REVIEW;
    assert_int_equal(kb_store_transition(&a, KB_APPROVE, KB_PUBLISHED, 0, NULL, NULL), SQ_OK);
    assert_int_equal(count_of("垃圾桶", true, false, &all), 1);
    /* a stale transition loses cleanly */
    assert_int_equal(kb_store_transition(&a, KB_APPROVE, KB_PUBLISHED, 0, NULL, NULL),
                     SQ_ECONFLICT);
    int64_t ap = appeal("垃圾没人清", "垃圾堆了三天", cat("HJ01"), comm_a, path_a, u_res1, "closed",
                        1767000300);
    assert_int_equal(kb_store_link(id, ap, 0, NULL), SQ_OK);
    assert_int_equal(kb_store_link(id, ap, 0, NULL), SQ_ECONFLICT);
    json_t *o = kb_store_answer_json(id);
    assert_int_equal(json_integer_value(json_object_get(o, "reuse_count")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "linked_appeals")), 1);
    json_decref(o);
    assert_int_equal(kb_store_answered(id, 0, 0, NULL), SQ_OK);
    o = kb_store_answer_json(id);
    assert_int_equal(json_integer_value(json_object_get(o, "deflect_count")), 1);
    json_decref(o);
}

/* The labelled pairs: each appeal text should bring its answer into the top 5. */
/* sq_rank (kb/rank.c): bm25 without the idf scan and without length
 * normalisation. A title hit outweighs a description hit (weights 3 and 1),
 * more hits outrank fewer, equal hits go to the newer appeal whatever its
 * length, and the value is negative (lower is better, like bm25()). */
static void test_rank(void **state)
{
    (void)state;
    struct kb_scope all = {.all_appeals = true};
    int64_t c = cat("ZY01");
    int64_t in_desc =
        appeal("楼下有只大鸟", "孔雀在叫", c, comm_a, path_a, 0, "closed", 1767200000);
    int64_t in_title =
        appeal("孔雀每天叫", "楼下有动物在叫", c, comm_a, path_a, 0, "closed", 1767200001);
    int64_t twice =
        appeal("孔雀和孔雀", "楼下有动物在叫", c, comm_a, path_a, 0, "closed", 1767200002);
    int64_t longer = appeal("孔雀每天叫",
                            "楼下有动物在叫，早上六点开始一直叫到中午，周末也不停，"
                            "已经持续了三个多月，老人孩子都休息不好",
                            c, comm_a, path_a, 0, "closed", 1767200003);
    while (kb_index_appeals_batch(1000) > 0)
        ;
    json_t *items = run_search("孔雀", false, true, &all, NULL, NULL);
    assert_int_equal(json_array_size(items), 4);
    int64_t order[4];
    for (int i = 0; i < 4; i++) {
        json_t *it = json_array_get(items, (size_t)i);
        order[i] = json_integer_value(json_object_get(it, "id"));
        assert_true(json_real_value(json_object_get(it, "score")) > 0);
    }
    int pos_twice = -1, pos_title = -1, pos_longer = -1, pos_desc = -1;
    for (int i = 0; i < 4; i++) {
        pos_twice = order[i] == twice ? i : pos_twice;
        pos_title = order[i] == in_title ? i : pos_title;
        pos_longer = order[i] == longer ? i : pos_longer;
        pos_desc = order[i] == in_desc ? i : pos_desc;
    }
    assert_int_equal(pos_twice, 0);      /* two title hits */
    assert_true(pos_title < pos_desc);   /* title hit over description hit, same length */
    assert_true(pos_longer < pos_title); /* same hits: the newer, though longer */
    json_decref(items);
    /* the same ranking through the appeals table (a filter present) */
    struct kb_search s = {.q = "孔雀", .appeals = true, .limit = 20, .category_id = c};
    int64_t t = 0;
    bool capped = false;
    assert_int_equal(kb_search_run(&s, &all, &items, &t, &capped, NULL), SQ_OK);
    assert_int_equal(t, 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), twice);
    json_decref(items);
    /* order=time: newest first */
    s.by_time = true;
    assert_int_equal(kb_search_run(&s, &all, &items, &t, &capped, NULL), SQ_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), longer);
    json_decref(items);
    /* paging walks the ranked window */
    s.by_time = false;
    s.limit = 1;
    s.offset = 3;
    assert_int_equal(kb_search_run(&s, &all, &items, &t, &capped, NULL), SQ_OK);
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), order[3]);
    json_decref(items);
}

static int64_t suggested_appeals(const char *text, int64_t exclude)
{
    struct kb_scope all = {.all_appeals = true};
    struct kb_suggest s = {.text = text, .k = 5, .exclude_appeal_id = exclude};
    json_t *out = NULL;
    assert_int_equal(kb_suggest_run(&s, &all, &out, NULL), SQ_OK);
    int64_t n = json_integer_value(json_object_get(out, "similar_open_appeals"));
    assert_int_equal((int64_t)json_array_size(json_object_get(out, "appeals")), n < 5 ? n : 5);
    json_decref(out);
    return n;
}

static void set_status(int64_t id, const char *status)
{
    struct sq_stmt *st = sq_db_stmt("UPDATE appeals SET status = ? WHERE id = ?");
    sq_bind_text_ref(st, 1, status);
    sq_bind_int64(st, 2, id);
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
}

/* Likely duplicates come from the index of open appeals (008_open_fts.sql):
 * an appeal is there while open and indexed, leaves it when it closes and
 * comes back when reopened; a closed one never shows. */
static void test_open_index(void **state)
{
    (void)state;
    const char *text = "河边有人捕捞鳄龟";
    int64_t c = cat("ZY01");
    int64_t open =
        appeal("河边鳄龟出没", "有人在河边捕捞鳄龟", c, comm_a, path_a, 0, "submitted", 1767300000);
    int64_t closed =
        appeal("鳄龟被捕捞", "河边捕捞鳄龟已处理", c, comm_a, path_a, 0, "closed", 1767300001);
    assert_int_equal(suggested_appeals(text, 0), 0); /* not indexed yet */
    while (kb_index_appeals_batch(1000) > 0)
        ;
    assert_int_equal(suggested_appeals(text, 0), 1);
    assert_int_equal(suggested_appeals(text, open), 0); /* the appeal itself is left out */
    set_status(open, "in_progress");                    /* open to open: stays */
    assert_int_equal(suggested_appeals(text, 0), 1);
    set_status(open, "resolved");
    assert_int_equal(suggested_appeals(text, 0), 0);
    set_status(open, "in_progress"); /* reopened */
    set_status(closed, "accepted");  /* reopened too */
    assert_int_equal(suggested_appeals(text, 0), 2);
    /* the category and location filters read the index's own columns,
     * kept in step when an open appeal is recategorised */
    struct kb_scope all = {.all_appeals = true};
    struct kb_suggest s = {.text = text, .k = 5, .category_id = c, .unit_id = comm_b};
    json_t *out = NULL;
    assert_int_equal(kb_suggest_run(&s, &all, &out, NULL), SQ_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "similar_open_appeals")), 2);
    json_decref(out);
    s.unit_id = comm_c; /* another street */
    assert_int_equal(kb_suggest_run(&s, &all, &out, NULL), SQ_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "similar_open_appeals")), 0);
    json_decref(out);
    struct sq_stmt *st = sq_db_stmt("UPDATE appeals SET category_id = ? WHERE id = ?");
    sq_bind_int64(st, 1, cat("TC01"));
    sq_bind_int64(st, 2, open);
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
    s.unit_id = comm_b;
    assert_int_equal(kb_suggest_run(&s, &all, &out, NULL), SQ_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "similar_open_appeals")), 1);
    json_decref(out);
    set_status(open, "closed");
    set_status(closed, "merged");
    assert_int_equal(suggested_appeals(text, 0), 0);
    /* deleting an appeal that was never in the index is harmless */
    st = sq_db_stmt("DELETE FROM appeals WHERE id = ?");
    sq_bind_int64(st, 1, closed);
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
    assert_int_equal(suggested_appeals(text, 0), 0);
}

static void test_suggest_precision(void **state)
{
    (void)state;
    int64_t ids[KB_DEMO_NANSWERS];
    /* a clean library: archive what earlier tests published */
    struct sq_stmt *st = sq_db_stmt("UPDATE kb_answers SET status = 'archived'");
    assert_int_equal(sq_db_exec_stmt(st, NULL), SQ_OK);
    for (int i = 0; i < KB_DEMO_NANSWERS; i++) {
        char code[3] = {kb_demo_answers[i].key[0], kb_demo_answers[i].key[1], 0};
        ids[i] = answer(code, kb_demo_answers[i].title, kb_demo_answers[i].problem,
                        kb_demo_answers[i].measures, true);
    }
    FILE *f = fopen("tests/data/kb_pairs.tsv", "r");
    if (!f)
        f = fopen("../../../tests/data/kb_pairs.tsv", "r");
    assert_non_null(f);
    char line[2048];
    int n = 0, hit1 = 0, hit5 = 0;
    double rr = 0;
    struct kb_scope anon = {0};
    int64_t t0 = sq_clock_now_ms();
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || !strchr(line, '\t'))
            continue;
        line[strcspn(line, "\r\n")] = 0;
        char *text = strchr(line, '\t');
        *text++ = 0;
        int want = -1;
        for (int i = 0; i < KB_DEMO_NANSWERS; i++)
            if (!strcmp(kb_demo_answers[i].key, line))
                want = i;
        assert_true(want >= 0);
        struct kb_suggest s = {.text = text, .k = 5};
        json_t *out = NULL;
        assert_int_equal(kb_suggest_run(&s, &anon, &out, NULL), SQ_OK);
        json_t *ans = json_object_get(out, "answers");
        for (size_t k = 0; k < json_array_size(ans); k++)
            if (json_integer_value(json_object_get(json_array_get(ans, k), "id")) == ids[want]) {
                hit5++;
                hit1 += k == 0;
                rr += 1.0 / (double)(k + 1);
                break;
            }
        json_decref(out);
        n++;
    }
    fclose(f);
    int64_t ms = sq_clock_now_ms() - t0;
    assert_true(n >= 200);
    /* One labelled answer per appeal: precision@5 = hits / (5 n); the
     * success rate (labelled answer among the 5) is hit@5. */
    printf("suggest quality on %d labelled pairs: hit@1 %.3f, hit@5 %.3f, precision@5 %.3f, "
           "MRR %.3f, %.2f ms per query\n",
           n, (double)hit1 / n, (double)hit5 / n, (double)hit5 / (5.0 * n), rr / n, (double)ms / n);
    assert_true((double)hit5 / n >= 0.85);
}

int main(void)
{
    const struct CMUnitTest rules[] = {
        cmocka_unit_test(test_transitions), cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_diff),        cmocka_unit_test(test_similar_query),
        cmocka_unit_test(test_snippet),     cmocka_unit_test(test_hot_score),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(test_search_chinese),     cmocka_unit_test(test_search_scope),
        cmocka_unit_test(test_bounded_ranking),    cmocka_unit_test(test_hot_clusters),
        cmocka_unit_test(test_versions_and_links), cmocka_unit_test(test_rank),
        cmocka_unit_test(test_open_index),         cmocka_unit_test(test_suggest_precision),
    };
    int fails = cmocka_run_group_tests_name("kb rules", rules, NULL, NULL);
    fails += cmocka_run_group_tests_name("kb store", store, setup_db, teardown_db);
    return fails ? 1 : 0;
}
