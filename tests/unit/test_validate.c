/*
 * test_validate: declared-field validation (src/core/json.c). Each field
 * type accepts what it promises and refuses the rest, naming the field;
 * undeclared fields are refused; required and nullable behave as declared;
 * lengths count UTF-8 characters; control characters are refused in
 * one-line strings and allowed (newline, tab) in text. Also the helpers:
 * phone numbers, UTF-8 length, pagination cursors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"

static const char *const colours[] = {"red", "green", NULL};

static const struct sq_field fields[] = {
    {.name = "name", .type = SQ_F_STR, .min = 2, .max = 5},
    {.name = "text", .type = SQ_F_TEXT, .max = 10},
    {.name = "count", .type = SQ_F_INT, .min = -3, .max = 7},
    {.name = "id", .type = SQ_F_ID},
    {.name = "ratio", .type = SQ_F_NUM, .min = 0, .max = 1},
    {.name = "flag", .type = SQ_F_BOOL},
    {.name = "colour", .type = SQ_F_ENUM, .choices = colours},
    {.name = "phone", .type = SQ_F_PHONE},
    {.name = "day", .type = SQ_F_DATE},
    {.name = "at", .type = SQ_F_TIME},
    {.name = "list", .type = SQ_F_ARRAY, .max = 2},
    {.name = "obj", .type = SQ_F_OBJECT},
    {.name = "note", .type = SQ_F_STR, .max = 3, .nullable = true},
    {0},
};

/* Validates the JSON text against `fields`; returns the error. */
static enum sq_err check(const char *text, struct sq_detail *d)
{
    json_error_t e;
    json_t *o = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!o)
        fail_msg("test JSON does not parse: %s (%s)", text, e.text);
    memset(d, 0, sizeof *d);
    enum sq_err err = sq_validate(o, fields, d);
    json_decref(o);
    return err;
}

static void ok(const char *text)
{
    struct sq_detail d;
    if (check(text, &d) != SQ_OK)
        fail_msg("refused %s: %s", text, d.message);
}

static void bad(const char *text, const char *field)
{
    struct sq_detail d;
    enum sq_err e = check(text, &d);
    if (e != SQ_EINVAL)
        fail_msg("%s gave %d, want SQ_EINVAL", text, e);
    if (field ? (!d.field || strcmp(d.field, field)) : d.field != NULL)
        fail_msg("%s named field %s, want %s", text, d.field ? d.field : "(none)",
                 field ? field : "(none)");
    assert_true(d.message[0] != '\0');
}

static void test_strings(void **state)
{
    (void)state;
    ok("{\"name\":\"ab\"}");
    ok("{\"name\":\"abcde\"}");
    bad("{\"name\":\"a\"}", "name");
    bad("{\"name\":\"abcdef\"}", "name");
    /* characters, not bytes: five Han characters are 15 bytes and fit */
    ok("{\"name\":\"三区融合治\"}");
    bad("{\"name\":\"三区融合治理\"}", "name");
    ok("{\"name\":\"区\\ud83d\\ude00\"}"); /* an astral character counts once */
    /* one line: no control characters, not even a newline */
    bad("{\"name\":\"a\\nb\"}", "name");
    bad("{\"name\":\"a\\tb\"}", "name");
    bad("{\"name\":\"a\\u0001\"}", "name");
    bad("{\"name\":\"a\\u007f\"}", "name");
    bad("{\"name\":\"a\\u0000b\"}", "name");
    bad("{\"name\":5}", "name");
    bad("{\"name\":[\"ab\"]}", "name");
    /* text allows newlines and tabs, not other controls */
    ok("{\"text\":\"a\\nb\\r\\n\\tc\"}");
    ok("{\"text\":\"\"}");
    bad("{\"text\":\"a\\u0002\"}", "text");
    bad("{\"text\":\"a\\u0000\"}", "text");
    bad("{\"text\":\"01234567890\"}", "text");
}

static void test_numbers(void **state)
{
    (void)state;
    ok("{\"count\":-3}");
    ok("{\"count\":7}");
    bad("{\"count\":8}", "count");
    bad("{\"count\":-4}", "count");
    bad("{\"count\":1.5}", "count");
    bad("{\"count\":\"1\"}", "count");
    bad("{\"count\":true}", "count");
    ok("{\"id\":1}");
    ok("{\"id\":9007199254740991}");
    bad("{\"id\":0}", "id");
    bad("{\"id\":-5}", "id");
    bad("{\"id\":9007199254740993}", "id");
    bad("{\"id\":1.0}", "id");
    bad("{\"id\":\"7\"}", "id");
    ok("{\"ratio\":0}");
    ok("{\"ratio\":0.5}");
    ok("{\"ratio\":1}");
    bad("{\"ratio\":1.0001}", "ratio");
    bad("{\"ratio\":-0.1}", "ratio");
    bad("{\"ratio\":\"0.5\"}", "ratio");
}

static void test_bool_enum(void **state)
{
    (void)state;
    ok("{\"flag\":true}");
    ok("{\"flag\":false}");
    bad("{\"flag\":1}", "flag");
    bad("{\"flag\":\"true\"}", "flag");
    ok("{\"colour\":\"red\"}");
    bad("{\"colour\":\"Red\"}", "colour");
    bad("{\"colour\":\"blue\"}", "colour");
    bad("{\"colour\":1}", "colour");
    struct sq_detail d;
    check("{\"colour\":\"blue\"}", &d);
    assert_non_null(strstr(d.message, "red, green")); /* the message lists the choices */
}

static void test_phone_date_time(void **state)
{
    (void)state;
    ok("{\"phone\":\"13812341234\"}");
    ok("{\"phone\":\"027-87654321\"}");
    ok("{\"phone\":\"02787654321\"}");
    ok("{\"phone\":\"0755-1234567\"}");
    bad("{\"phone\":\"1381234123\"}", "phone");
    bad("{\"phone\":\"138123412345\"}", "phone");
    bad("{\"phone\":\"23812341234\"}", "phone");
    bad("{\"phone\":\"1381234123a\"}", "phone");
    bad("{\"phone\":\"+8613812341234\"}", "phone");
    bad("{\"phone\":\"027--8765432\"}", "phone");
    bad("{\"phone\":13812341234}", "phone");
    ok("{\"day\":\"2026-11-27\"}");
    ok("{\"day\":\"2024-02-29\"}");
    bad("{\"day\":\"2026-02-30\"}", "day");
    bad("{\"day\":\"2026-2-3\"}", "day");
    bad("{\"day\":\"2026-11-27T09:00\"}", "day");
    bad("{\"day\":20261127}", "day");
    ok("{\"at\":\"2026-11-27T09:30:00+08:00\"}");
    ok("{\"at\":\"2026-11-27T01:30:00Z\"}");
    bad("{\"at\":\"soon\"}", "at");
    bad("{\"at\":\"2026-11-27T09:30:00+8:00\"}", "at");
}

static void test_array_object(void **state)
{
    (void)state;
    ok("{\"list\":[]}");
    ok("{\"list\":[1,\"x\"]}");
    bad("{\"list\":[1,2,3]}", "list");
    bad("{\"list\":{}}", "list");
    ok("{\"obj\":{\"anything\":1}}");
    bad("{\"obj\":[]}", "obj");
}

static const struct sq_field req_fields[] = {
    {.name = "must", .type = SQ_F_STR, .required = true, .max = 10},
    {.name = "maybe", .type = SQ_F_INT, .min = 0, .max = 9},
    {.name = "clearable", .type = SQ_F_STR, .max = 10, .nullable = true},
    {0},
};

static enum sq_err check_req(const char *text, struct sq_detail *d)
{
    json_t *o = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(o);
    memset(d, 0, sizeof *d);
    enum sq_err e = sq_validate(o, req_fields, d);
    json_decref(o);
    return e;
}

static void test_required_nullable_unknown(void **state)
{
    (void)state;
    struct sq_detail d;
    assert_int_equal(check_req("{\"must\":\"x\"}", &d), SQ_OK);
    assert_int_equal(check_req("{}", &d), SQ_EINVAL);
    assert_string_equal(d.field, "must");
    assert_int_equal(check_req("{\"must\":null}", &d), SQ_EINVAL);
    assert_string_equal(d.field, "must");
    /* null only where declared nullable */
    assert_int_equal(check_req("{\"must\":\"x\",\"maybe\":null}", &d), SQ_EINVAL);
    assert_string_equal(d.field, "maybe");
    assert_int_equal(check_req("{\"must\":\"x\",\"clearable\":null}", &d), SQ_OK);
    /* an undeclared field is refused, and named in the message */
    assert_int_equal(check_req("{\"must\":\"x\",\"admin\":true}", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "admin"));
    /* ...before a missing required field is reported */
    assert_int_equal(check_req("{\"sneaky\":1}", &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "sneaky"));
    /* not an object at all */
    assert_int_equal(check_req("[1]", &d), SQ_EBADJSON);
    assert_int_equal(check_req("\"x\"", &d), SQ_EBADJSON);
    assert_int_equal(sq_validate(NULL, req_fields, &d), SQ_EBADJSON);
    /* a NULL detail is allowed */
    json_t *o = json_pack("{s:s}", "must", "x");
    assert_int_equal(sq_validate(o, req_fields, NULL), SQ_OK);
    json_object_set_new(o, "maybe", json_integer(10));
    assert_int_equal(sq_validate(o, req_fields, NULL), SQ_EINVAL);
    json_decref(o);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_int_equal(sq_utf8_len(""), 0);
    assert_int_equal(sq_utf8_len("abc"), 3);
    assert_int_equal(sq_utf8_len("三区"), 2);
    assert_int_equal(sq_utf8_len("a区\xf0\x9f\x98\x80"), 3);
    assert_true(sq_phone_valid("19912345678"));
    assert_false(sq_phone_valid(""));
    assert_false(sq_phone_valid("0"));
    json_t *o =
        json_pack("{s:s,s:I,s:f,s:b,s:n}", "s", "x", "i", (json_int_t)5, "f", 2.5, "b", 1, "n");
    assert_string_equal(sq_json_str(o, "s", "d"), "x");
    assert_string_equal(sq_json_str(o, "i", "d"), "d");
    assert_string_equal(sq_json_str(o, "missing", "d"), "d");
    assert_int_equal(sq_json_int(o, "i", -1), 5);
    assert_int_equal(sq_json_int(o, "f", -1), -1);
    assert_true(sq_json_num(o, "f", 0) == 2.5);
    assert_true(sq_json_num(o, "i", 0) == 5.0);
    assert_true(sq_json_bool(o, "b", false));
    assert_false(sq_json_bool(o, "n", false));
    assert_true(sq_json_has(o, "n"));
    assert_false(sq_json_has(o, "zz"));
    sq_json_set_str(o, "e", "");
    assert_true(json_is_null(json_object_get(o, "e")));
    sq_json_set_str(o, "e", NULL);
    assert_true(json_is_null(json_object_get(o, "e")));
    sq_json_set_str(o, "e", "v");
    assert_string_equal(json_string_value(json_object_get(o, "e")), "v");
    json_decref(o);
}

static void test_pagination(void **state)
{
    (void)state;
    struct sq_page p;
    struct sq_detail d = {0};
    char buf[32];
    assert_int_equal(sq_page_parse(NULL, NULL, &p, &d), SQ_OK);
    assert_int_equal(p.limit, 50);
    assert_int_equal(p.offset, 0);
    assert_int_equal(sq_page_parse("500", "o100", &p, &d), SQ_OK);
    assert_int_equal(p.limit, 500);
    assert_int_equal(p.offset, 100);
    assert_int_equal(sq_page_parse("1", "", &p, &d), SQ_OK);
    static const char *const bad_limits[] = {"0", "501", "-1", "abc", "", "10x", "5.0", NULL};
    for (const char *const *l = bad_limits; *l; l++) {
        if (sq_page_parse(*l, NULL, &p, &d) != SQ_EINVAL)
            fail_msg("limit '%s' accepted", *l);
        assert_string_equal(d.field, "limit");
    }
    static const char *const bad_cursors[] = {"100", "o-1", "ox",           "o1x",
                                              "p5",  "O5",  "o99999999999", NULL};
    for (const char *const *c = bad_cursors; *c; c++) {
        if (sq_page_parse(NULL, *c, &p, &d) != SQ_EINVAL)
            fail_msg("cursor '%s' accepted", *c);
        assert_string_equal(d.field, "cursor");
    }
    /* next: only while more remains */
    p.limit = 50;
    p.offset = 0;
    assert_string_equal(sq_page_next(&p, 120, buf), "o50");
    p.offset = 50;
    assert_string_equal(sq_page_next(&p, 120, buf), "o100");
    p.offset = 100;
    assert_null(sq_page_next(&p, 120, buf));
    p.offset = 0;
    assert_null(sq_page_next(&p, 50, buf));
    assert_null(sq_page_next(&p, 0, buf));
    /* a cursor the server gave out parses back to its offset */
    p.offset = 0;
    const char *next = sq_page_next(&p, 1000, buf);
    struct sq_page q;
    assert_int_equal(sq_page_parse("50", next, &q, &d), SQ_OK);
    assert_int_equal(q.offset, 50);
}

/* Declared query parameters (sq_query_check): each type, empty values,
 * undeclared names, and the field named in the error. */
static const struct sq_query qdecl[] = {
    SQ_QUERY_PAGE,
    {.name = "q", .type = SQ_Q_STR, .max = 3},
    {.name = "n", .type = SQ_Q_INT, .min = -2, .max = 7},
    {.name = "id", .type = SQ_Q_ID, .also = "me"},
    {.name = "eid", .type = SQ_Q_ID, .empty_ok = true},
    {.name = "c", .type = SQ_Q_ENUM, .choices = colours},
    {.name = "cs", .type = SQ_Q_LIST, .choices = colours, .max = 2},
    {.name = "b", .type = SQ_Q_BOOL},
    {.name = "d", .type = SQ_Q_DATE},
    {.name = "m", .type = SQ_Q_MONTH},
    {.name = "my", .type = SQ_Q_MONTH, .min = 2000, .max = 2099},
    {.name = "t", .type = SQ_Q_TIME, .message = "t 不对 / t is wrong"},
    {0},
};

static bool qok(const char *name, const char *value)
{
    struct sq_detail d = {0};
    enum sq_err e = sq_query_check(sq_query_find(qdecl, name), name, value, &d);
    if (e) {
        assert_int_equal(e, SQ_EINVAL);
        assert_string_equal(d.field, name);
        assert_non_null(strstr(d.message, " / "));
    }
    return e == SQ_OK;
}

static void test_query(void **state)
{
    (void)state;
    assert_true(qok("limit", "500"));
    assert_false(qok("limit", "0"));
    assert_false(qok("limit", "5x"));
    assert_true(qok("cursor", "o50"));
    assert_true(qok("cursor", ""));
    assert_false(qok("cursor", "xyz"));
    assert_false(qok("cursor", "o-5"));
    assert_true(qok("q", "三个字"));
    assert_false(qok("q", "四个字符"));
    assert_true(qok("q", ""));
    assert_true(qok("n", "-2"));
    assert_false(qok("n", "8"));
    assert_false(qok("n", ""));
    assert_false(qok("n", "99999999999999999999"));
    assert_true(qok("id", "12"));
    assert_true(qok("id", "me"));
    assert_false(qok("id", "0"));
    assert_false(qok("id", ""));
    assert_false(qok("id", "you"));
    assert_true(qok("eid", ""));
    assert_false(qok("eid", "-1"));
    assert_true(qok("c", "green"));
    assert_false(qok("c", "gre"));
    assert_false(qok("c", ""));
    assert_true(qok("cs", "red,green"));
    assert_true(qok("cs", ""));
    assert_true(qok("cs", "red,,"));
    assert_false(qok("cs", "red,blue"));
    assert_false(qok("cs", "red,green,red"));
    assert_true(qok("b", "true"));
    assert_true(qok("b", "0"));
    assert_false(qok("b", "yes"));
    assert_true(qok("d", "2026-05-31"));
    assert_false(qok("d", "2026-13-01"));
    assert_false(qok("d", "2026-5-1"));
    assert_true(qok("m", "2026-05"));
    assert_false(qok("m", "2026-00"));
    assert_true(qok("my", "2099-12"));
    assert_false(qok("my", "1999-12"));
    assert_true(qok("t", "2026-05-01T08:00:00+08:00"));
    assert_false(qok("t", "yesterday"));
    assert_false(qok("nope", "1")); /* undeclared */
    assert_null(sq_query_find(qdecl, "nope"));
    assert_null(sq_query_find(NULL, "q"));
    struct sq_detail d = {0};
    sq_query_check(sq_query_find(qdecl, "t"), "t", "x", &d);
    assert_string_equal(d.message, "t 不对 / t is wrong");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),      cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bool_enum),    cmocka_unit_test(test_phone_date_time),
        cmocka_unit_test(test_array_object), cmocka_unit_test(test_required_nullable_unknown),
        cmocka_unit_test(test_helpers),      cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
