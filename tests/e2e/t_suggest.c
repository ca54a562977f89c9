/*
 * t_suggest: suggestions stay true to the library while their answers are
 * cached (issue 11, item 7: the answers of a suggestion are kept per
 * search terms until an answer or a category changes). Asked twice, the
 * same text gives the same answers; after a change to the answer (a
 * counter, its status) the next suggestion shows the change at once. The
 * same holds for the answers of full-text search.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* 老旧小区加装电梯协调难 */
#define TEXT                                                                                       \
    "%E8%80%81%E6%97%A7%E5%B0%8F%E5%8C%BA%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF%E5%8D%8F%E8%B0%83%"  \
    "E9%9A%BE"

static json_t *suggest(void)
{
    struct h_resp *r = h_req("GET", "/api/v1/suggest?k=5&text=" TEXT, h_tok("resident"), NULL);
    H_STATUS(r, 200);
    H_ASSERTF(json_array_size(h_get(r->json, "answers")) > 0, "no answer suggested");
    return r->json;
}

static bool lists(json_t *s, long long id)
{
    json_t *a = h_get(s, "answers"), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id)
            return true;
    }
    return false;
}

/* The answers a search for 加装电梯 finds. */
static json_t *search(void)
{
    struct h_resp *r =
        h_req("GET", "/api/v1/search?type=answer&q=%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF",
              h_tok("resident"), NULL);
    H_STATUS(r, 200);
    return r->json;
}

static bool found(json_t *s, long long id)
{
    json_t *a = h_get(s, "items"), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id)
            return true;
    }
    return false;
}

static void test_search_follows_changes(void)
{
    h_need_demo();
    json_t *s1 = search();
    long long id = H_INT(s1, "items.0.id"), total = H_INT(s1, "total");
    H_EQ_STR(h_dump(h_get(search(), "items")), h_dump(h_get(s1, "items")));
    H_STATUS(h_req("POST", h_fmt("/api/v1/kb/answers/%lld/archive", id), h_tok("admin"), NULL),
             200);
    json_t *s2 = search();
    H_ASSERTF(!found(s2, id), "an archived answer is still found");
    H_EQ_INT(H_INT(s2, "total"), total - 1);
}

static void test_suggestion_follows_changes(void)
{
    h_need_demo();
    json_t *s1 = suggest();
    long long id = H_INT(s1, "answers.0.id"), n = H_INT(s1, "answers.0.deflect_count");
    json_t *s2 = suggest();
    H_EQ_STR(h_dump(h_get(s2, "answers")), h_dump(h_get(s1, "answers")));
    /* a resident says the answer solved it: the counter is in the next one */
    struct h_resp *r =
        h_req("POST", h_fmt("/api/v1/kb/answers/%lld/solved", id), h_tok("student"), "{}");
    H_STATUS(r, 200);
    H_EQ_INT(H_INT(r->json, "deflect_count"), n + 1);
    json_t *s3 = suggest();
    H_EQ_INT(H_INT(s3, "answers.0.id"), id);
    H_EQ_INT(H_INT(s3, "answers.0.deflect_count"), n + 1);
    /* archived: no longer suggested */
    H_STATUS(h_req("POST", h_fmt("/api/v1/kb/answers/%lld/archive", id), h_tok("admin"), NULL),
             200);
    H_ASSERTF(!lists(suggest(), id), "an archived answer is still suggested");
    /* restored to draft: still not (only published answers are) */
    H_STATUS(h_req("POST", h_fmt("/api/v1/kb/answers/%lld/restore", id), h_tok("admin"), NULL),
             200);
    H_ASSERTF(!lists(suggest(), id), "a draft answer is suggested");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_search_follows_changes),
        H_TEST(test_suggestion_follows_changes),
        {0},
    };
    return h_main(argc, argv, tests);
}
