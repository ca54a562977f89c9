/*
 * Unit tests of the KPI formulas (stats/kpi.c) and of the Open311 rules
 * (form decoding, XML writing, status mapping). Pure functions: no database.
 * The numbers are the worked example of docs/kpi.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "open311/open311.h"
#include "stats/stats.h"

#define EPS 1e-9

/* docs/kpi.md, worked example: community A in March */
static struct sq_kpi example_a(void)
{
    struct sq_kpi k = {0};
    k.total = 40;
    k.responded = 38;
    k.responded_on_time = 36;
    k.resolved = 35;
    k.resolved_on_time = 33;
    k.rejected = 2;
    k.overdue = 2;
    k.rated = 30;
    k.satisfied = 24;
    k.basically_satisfied = 4;
    k.dissatisfied = 2;
    k.solved = 27;
    k.response_secs = 38 * 2 * 3600; /* 2 h on average */
    k.handle_secs = 35 * 50 * 3600;  /* 50 h on average */
    return k;
}

static void test_rates(void **state)
{
    (void)state;
    struct sq_kpi k = example_a();
    struct sq_kpi_rates r;
    sq_kpi_rates(&k, &r);
    assert_true(r.has_response && r.has_resolution && r.has_satisfaction && r.has_on_time);
    assert_float_equal(r.response, 38.0 / 40, EPS);
    assert_float_equal(r.response_on_time, 36.0 / 38, EPS);
    assert_float_equal(r.completion, 35.0 / 40, EPS);
    assert_float_equal(r.resolution, 27.0 / 30, EPS);
    assert_float_equal(r.satisfaction, 28.0 / 30, EPS);
    assert_float_equal(r.rating, 30.0 / 35, EPS);
    assert_float_equal(r.on_time, 33.0 / 35, EPS);
    assert_float_equal(r.overdue, 2.0 / 40, EPS);
    assert_float_equal(r.avg_response_hours, 2, EPS);
    assert_float_equal(r.avg_handle_hours, 50, EPS);
}

static void test_no_data_is_not_zero(void **state)
{
    (void)state;
    struct sq_kpi k = {0};
    struct sq_kpi_rates r;
    double score;
    sq_kpi_rates(&k, &r);
    assert_false(r.has_response || r.has_satisfaction || r.has_on_time || r.has_avg_handle);
    struct sq_kpi_settings s;
    sq_kpi_settings_default(&s);
    assert_false(sq_kpi_score(&k, &s, &score));
    /* resolved but never rated: unrated, satisfaction has no data (never 100%) */
    k.total = 5;
    k.responded = 5;
    k.resolved = 5;
    json_t *o = json_object();
    sq_kpi_json(o, &k);
    assert_int_equal(json_integer_value(json_object_get(o, "unrated")), 5);
    assert_true(json_is_null(json_object_get(o, "satisfaction_rate")));
    assert_true(json_is_null(json_object_get(o, "resolution_rate")));
    assert_int_equal(json_integer_value(json_object_get(o, "pending")), 0);
    json_decref(o);
}

static void test_score(void **state)
{
    (void)state;
    struct sq_kpi k = example_a();
    struct sq_kpi_settings s;
    double score;
    sq_kpi_settings_default(&s); /* 0.2 / 0.3 / 0.4 / 0.1, penalty 2, min volume 10 */
    assert_true(sq_kpi_score(&k, &s, &score));
    /* 100 x (0.2x0.95 + 0.3x0.9 + 0.4x0.93333 + 0.1x0.942857) - 2 x 5 = 82.7619 -> 82.76 */
    double want = 100 * (0.2 * 0.95 + 0.3 * 0.9 + 0.4 * 28.0 / 30 + 0.1 * 33.0 / 35) - 2 * 5;
    assert_float_equal(score, ((long long)(want * 100 + 0.5)) / 100.0, 1e-6);
    assert_float_equal(score, 82.76, 1e-6);
    /* no ratings: resolution and satisfaction drop out, weights renormalise */
    k.rated = k.satisfied = k.basically_satisfied = k.dissatisfied = k.solved = 0;
    assert_true(sq_kpi_score(&k, &s, &score));
    want = 100 * (0.2 * 0.95 + 0.1 * 33.0 / 35) / 0.3 - 10;
    assert_float_equal(score, ((long long)(want * 100 + 0.5)) / 100.0, 1e-6);
    /* the penalty never takes the score below 0 */
    k = example_a();
    k.overdue = 40;
    assert_true(sq_kpi_score(&k, &s, &score));
    assert_float_equal(score, 0, EPS);
}

static void test_settings_check(void **state)
{
    (void)state;
    struct sq_kpi_settings s;
    struct sq_detail d = {0};
    sq_kpi_settings_default(&s);
    assert_int_equal(sq_kpi_settings_check(&s, &d), SQ_OK);
    s.w_response = s.w_resolution = s.w_satisfaction = s.w_on_time = 0;
    assert_int_equal(sq_kpi_settings_check(&s, &d), SQ_EINVAL);
    sq_kpi_settings_default(&s);
    s.w_on_time = -1;
    assert_int_equal(sq_kpi_settings_check(&s, &d), SQ_EINVAL);
    assert_string_equal(d.field, "weight_on_time");
    sq_kpi_settings_default(&s);
    s.min_volume = -1;
    assert_int_equal(sq_kpi_settings_check(&s, &d), SQ_EINVAL);
}

static void test_ranking(void **state)
{
    (void)state;
    struct sq_kpi_settings s;
    sq_kpi_settings_default(&s);
    struct sq_rank_row rows[5];
    memset(rows, 0, sizeof rows);
    for (int i = 0; i < 5; i++)
        rows[i].unit_id = i + 1;
    /* 1: one fast, perfect case — below the minimum volume, not ranked */
    rows[0].k = (struct sq_kpi){.total = 1,
                                .responded = 1,
                                .responded_on_time = 1,
                                .resolved = 1,
                                .resolved_on_time = 1,
                                .rated = 1,
                                .satisfied = 1,
                                .solved = 1};
    rows[1].k = example_a();
    rows[2].k = example_a(); /* the same score as 2: the same rank */
    rows[3].k = example_a();
    rows[3].k.overdue = 0; /* no penalty: first */
    /* 5: nothing this month */
    sq_kpi_rank(rows, 5, &s);
    assert_int_equal(rows[0].unit_id, 4);
    assert_int_equal(rows[0].rank, 1);
    assert_int_equal(rows[1].rank, 2);
    assert_int_equal(rows[2].rank, 2);
    assert_true(rows[1].unit_id == 2 && rows[2].unit_id == 3);
    assert_false(rows[3].ranked);
    assert_false(rows[4].ranked);
    assert_int_equal(rows[3].unit_id, 1); /* not ranked, by volume */
    assert_int_equal(rows[4].unit_id, 5);
    assert_int_equal(rows[3].rank, 0);
}

static void test_months(void **state)
{
    (void)state;
    char b[8];
    assert_int_equal(sq_month_parse("2026-03"), 202603);
    assert_int_equal(sq_month_parse("2026-13"), -1);
    assert_int_equal(sq_month_parse("2026-3"), -1);
    assert_int_equal(sq_month_parse("1999-12"), -1);
    assert_int_equal(sq_month_parse(NULL), -1);
    assert_int_equal(sq_month_add(202601, -1), 202512);
    assert_int_equal(sq_month_add(202612, 1), 202701);
    assert_int_equal(sq_month_add(202603, -14), 202501);
    assert_int_equal(sq_month_diff(202512, 202601), 1);
    sq_month_format(202512, b);
    assert_string_equal(b, "2025-12");
    /* 2026-02-28T16:00:00Z is 2026-03-01 00:00 in Wuhan: March */
    assert_int_equal(sq_month_of(1772294400), 202603);
}

/* ---- Open311 rules ---- */

static void test_form(void **state)
{
    (void)state;
    struct o311_form f = {0};
    struct sq_detail d = {0};
    const char *body = "api_key=abc&description=%E7%94%B5%E6%A2%AF+broken%21&&lat=30.5&empty=";
    assert_int_equal(o311_form_parse(body, strlen(body), &f, &d), SQ_OK);
    assert_string_equal(o311_form_get(&f, "api_key"), "abc");
    assert_string_equal(o311_form_get(&f, "description"), "电梯 broken!");
    assert_string_equal(o311_form_get(&f, "lat"), "30.5");
    assert_string_equal(o311_form_get(&f, "empty"), "");
    assert_null(o311_form_get(&f, "missing"));
    o311_form_cleanup(&f);
    static const char *const bad[] = {
        "a=%zz",   "a=%4",     "a=%",      "a=x%00y",    "=novalue",
        "a=1&a=2", "a=%FF%FE", "a=%C0%AF", "a=line%01x", "a=%ED%A0%80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&f, 0, sizeof f);
        assert_int_equal(o311_form_parse(bad[i], strlen(bad[i]), &f, &d), SQ_EBADREQ);
        o311_form_cleanup(&f);
    }
    /* not NUL-terminated input is read only within len */
    char raw[8] = {'a', '=', '1', 'X', 'X', 'X', 'X', 'X'};
    memset(&f, 0, sizeof f);
    assert_int_equal(o311_form_parse(raw, 3, &f, &d), SQ_OK);
    assert_string_equal(o311_form_get(&f, "a"), "1");
    o311_form_cleanup(&f);
    /* too many fields */
    char many[2048] = "";
    for (int i = 0; i <= O311_FORM_MAX_FIELDS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "k%d=v&", i);
    memset(&f, 0, sizeof f);
    assert_int_equal(o311_form_parse(many, strlen(many), &f, &d), SQ_EBADREQ);
    o311_form_cleanup(&f);
}

static void test_xml(void **state)
{
    (void)state;
    size_t len;
    json_t *doc =
        json_pack("[{s:s,s:i,s:n,s:b,s:[s,s]}]", "description", "a<b & \"c\" 'd'\x01", "code", 400,
                  "zipcode", "metadata", 0, "formats", "text/xml", "application/json");
    char *x = o311_xml(doc, "errors", "error", &len);
    assert_non_null(x);
    assert_int_equal(strlen(x), len);
    assert_string_equal(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error>"
                           "<description>a&lt;b &amp; &quot;c&quot; &apos;d&apos;</description>"
                           "<code>400</code><zipcode></zipcode><metadata>false</metadata>"
                           "<formats><format>text/xml</format><format>application/json"
                           "</format></formats></error></errors>\n");
    free(x);
    json_decref(doc);
    json_t *e = o311_error_json(403, "invalid api_key");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 0), "code")), 403);
    json_decref(e);
}

static void test_status_map(void **state)
{
    (void)state;
    assert_string_equal(o311_status("submitted"), "open");
    assert_string_equal(o311_status("suspended"), "open");
    assert_string_equal(o311_status("resolved"), "closed");
    assert_string_equal(o311_status("rejected"), "closed");
    assert_string_equal(o311_status("merged"), "closed");
    assert_string_equal(o311_status_label("in_progress"), "办理中");
}

/* A scope with no unit of the level ranks nothing (rows may be NULL). */
static void test_ranking_empty(void **state)
{
    (void)state;
    struct sq_kpi_settings s;
    sq_kpi_settings_default(&s);
    sq_kpi_rank(NULL, 0, &s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates),      cmocka_unit_test(test_no_data_is_not_zero),
        cmocka_unit_test(test_score),      cmocka_unit_test(test_settings_check),
        cmocka_unit_test(test_ranking),    cmocka_unit_test(test_months),
        cmocka_unit_test(test_form),       cmocka_unit_test(test_xml),
        cmocka_unit_test(test_status_map), cmocka_unit_test(test_ranking_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
