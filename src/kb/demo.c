/*
 * kb demo: the synthetic answer library of `sanqu demo`. Three answers for
 * each of the 16 livelihood categories (demo_answers.h), most published,
 * a few left in draft and review so the workflow shows; 28 column issues
 * (专栏, the article's 28) and the two volumes (汇编 两册). Answers are
 * linked to resolved demo appeals of their category when the appeals
 * generator made some. Deterministic for a seed (its own PRNG draws).
 * Writes through the kb store (kb_store_create, _update, _link ...) and the
 * demo's own few statements in store_demo.c.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "demo/demo.h"
#include "kb/demo_answers.h"
#include "kb/kb.h"

/* json array from "a,b,c" */
static json_t *split_tags(const char *s)
{
    json_t *a = json_array();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(a, json_string(t));
    return a;
}

/* Links an answer to the five newest resolved appeals of its category not
 * linked yet. */
static int link_appeals(int64_t answer, int64_t cat, int64_t user, struct sq_detail *d)
{
    int64_t ids[5];
    int n = kb_demo_store_unlinked_appeals(cat, ids, 5);
    for (int i = 0; i < n; i++)
        if (kb_store_link(answer, ids[i], user, d))
            return -1;
    return n;
}

/* Local follow-up measures that make a variant read differently. */
static const char *const demo_local_measures[] = {
    "社区网格员每日巡查，问题当日登记、当日派单。", "联合辖区高校志愿者开展入户宣传和意见征集。",
    "召开居民议事会，协商确定实施方案和时间表。",   "街道、社区、物业三方每周例会，跟踪整改进度。",
    "邀请共建单位党员认领项目，结对推进。",         "在小区公告栏和业主群公示处理结果，接受监督。",
    "引入第三方专业机构评估，形成长效管理制度。",   "设立意见箱和热线回访，满意度纳入考核。",
};

/* o->answers - 48 more published answers when the caller asked for a large
 * library (the benchmark's 10,000): each a curated answer as practised in
 * another community, with that community's name in the title and problem
 * and one local measure added. Returns how many, or -1. */
static int kb_demo_variants(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                            struct sq_rng *rng, int64_t author, int64_t reviewer,
                            struct sq_detail *d)
{
    long n = o->answers - KB_DEMO_NANSWERS;
    int64_t now = sq_clock_now();
    for (long k = 0; k < n; k++) {
        const struct kb_demo_answer *x = &kb_demo_answers[k % KB_DEMO_NANSWERS];
        char code[3] = {x->key[0], x->key[1], 0};
        int64_t cat = kb_demo_store_category_id(code);
        int64_t unit = w->communities[sq_rng_below(rng, (uint32_t)w->ncommunities)];
        char name[128] = "", path[128] = "";
        if (kb_demo_store_unit(unit, name, sizeof name, path, sizeof path, d))
            return -1;
        char title[400], problem[1200], measures[1600];
        snprintf(title, sizeof title, "%s：%s", name, x->title);
        snprintf(problem, sizeof problem, "%s居民反映：%s", name, x->problem);
        snprintf(measures, sizeof measures, "%s%s", x->measures,
                 demo_local_measures[sq_rng_below(rng, sizeof demo_local_measures /
                                                           sizeof demo_local_measures[0])]);
        json_t *units = json_pack("[I]", (json_int_t)unit);
        json_t *in = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "category_id", (json_int_t)cat,
                               "title", title, "problem", problem, "measures", measures, "result",
                               x->result, "conditions", x->conditions, "source_units", units,
                               "tags", split_tags(x->tags));
        int64_t id = 0;
        enum sq_err e = kb_store_create(in, unit, path, author, 0, &id, d);
        json_decref(in);
        if (e)
            return -1;
        int64_t pub = now - (int64_t)(1 + sq_rng_below(rng, 3 * 365)) * 86400;
        if (kb_demo_store_publish(id, "published", reviewer, pub, (int)sq_rng_below(rng, 10),
                                  (int)sq_rng_below(rng, 8), d))
            return -1;
    }
    return n > 0 ? (int)n : 0;
}

int kb_demo_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                     struct sq_rng *rng, struct sq_detail *d)
{
    int64_t ids[KB_DEMO_NANSWERS];
    int64_t author = w->nusers > 6 ? w->users[6] : 0;   /* community_handler */
    int64_t reviewer = w->nusers > 5 ? w->users[5] : 0; /* community_admin */
    int64_t now = sq_clock_now();
    int linked = 0;
    for (int i = 0; i < KB_DEMO_NANSWERS; i++) {
        const struct kb_demo_answer *x = &kb_demo_answers[i];
        char code[3] = {x->key[0], x->key[1], 0};
        int64_t cat = kb_demo_store_category_id(code);
        if (!cat)
            return sq_fail(d, SQ_EINTERNAL, NULL, "demo: no category %s", code), -1;
        /* the owning unit: a community; practice used there and in 1-3 others */
        int c0 = (int)sq_rng_below(rng, (uint32_t)w->ncommunities);
        int64_t unit = w->communities[c0];
        json_t *units = json_array();
        json_array_append_new(units, json_integer(unit));
        int extra = 1 + (int)sq_rng_below(rng, 3);
        for (int k = 0; k < extra; k++) {
            int64_t u = w->communities[(c0 + 7 + 13 * k) % w->ncommunities];
            json_array_append_new(units, json_integer(u));
        }
        json_t *in = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "category_id", (json_int_t)cat,
                               "title", x->title, "problem", x->problem, "measures", x->measures,
                               "result", x->result, "conditions", x->conditions, "source_units",
                               units, "tags", split_tags(x->tags));
        char name[128] = "", path[128] = "";
        kb_demo_store_unit(unit, name, sizeof name, path, sizeof path, NULL);
        enum sq_err e = kb_store_create(in, unit, path, author, 0, &ids[i], d);
        json_decref(in);
        if (e)
            return -1;
        /* every sixth answer got a second edit: the history shows it */
        if (i % 6 == 1) {
            struct kb_answer a;
            json_t *ed = json_pack("{s:s,s:s}", "result", x->result, "note", "补充成效数据");
            char more[600];
            snprintf(more, sizeof more, "%s经回访，居民满意度持续提升。", x->result);
            json_object_set_new(ed, "result", json_string(more));
            e = kb_store_get(ids[i], &a, d) ? SQ_EDB : kb_store_update(&a, ed, author, -1, d);
            json_decref(ed);
            if (e)
                return -1;
        }
        /* 44 of 48 published over the last three years; the rest show the workflow */
        const char *status = i == 5                            ? "draft"
                             : (i == 17 || i == 29 || i == 41) ? "in_review"
                                                               : "published";
        int64_t pub = now - (int64_t)(1 + sq_rng_below(rng, 3 * 365)) * 86400;
        int pubd = !strcmp(status, "published");
        if (kb_demo_store_publish(ids[i], status, reviewer, pub,
                                  pubd ? (int)sq_rng_below(rng, 40) : 0,
                                  pubd ? (int)sq_rng_below(rng, 25) : 0, d))
            return -1;
        int n = link_appeals(ids[i], cat, author, d);
        if (n < 0)
            return -1;
        linked += n;
    }
    int extra = kb_demo_variants(o, w, rng, author, reviewer, d);
    if (extra < 0)
        return -1;
    /* 28 column issues, monthly, oldest first; each shows 3 published answers */
    int next = 0;
    for (int k = 0; k < 28; k++) {
        char date[16], title[320], iso[32];
        sq_clock_iso(now - (int64_t)(27 - k) * 30 * 86400, iso);
        snprintf(date, sizeof date, "%.10s", iso);
        json_t *aid = json_array();
        char cats[200] = "";
        while (json_array_size(aid) < 3) {
            int i = next++ % KB_DEMO_NANSWERS;
            if (i == 5 || i == 17 || i == 29 || i == 41)
                continue;
            json_array_append_new(aid, json_integer(ids[i]));
            if (!cats[0])
                snprintf(cats, sizeof cats, "%s", kb_demo_answers[i].title);
        }
        snprintf(title, sizeof title, "社区答案·你我共学 第%d期：%s", k + 1, cats);
        json_t *in = json_pack("{s:i,s:s,s:s,s:s,s:o}", "issue_no", k + 1, "title", title, "intro",
                               "展示为民办实事做法，引导街道社区互学互鉴。（演示数据）",
                               "publish_date", date, "answer_ids", aid);
        int64_t cid = 0;
        enum sq_err e = kb_store_collection_save(KB_COLUMN, &cid, in, reviewer, d);
        json_decref(in);
        if (e)
            return -1;
    }
    /* two volumes: categories 1-8 and 9-16, published answers only */
    for (int v = 0; v < 2; v++) {
        json_t *aid = json_array();
        for (int i = v * 24; i < v * 24 + 24; i++)
            if (!(i == 5 || i == 17 || i == 29 || i == 41))
                json_array_append_new(aid, json_integer(ids[i]));
        json_t *in = json_pack(
            "{s:s,s:s,s:s,s:s,s:o}", "title",
            v ? "基层治理“高频问题·社区答案”案例选编（第二册）"
              : "基层治理“高频问题·社区答案”案例选编（第一册）",
            "subtitle", "16类民生共性问题的化解举措（演示数据）", "preface",
            "按照可复制、可推广标准，梳理民生共性问题的化解举措，推动从解决一个问题向解决一类问"
            "题转变。\n本册内容为演示用合成数据。",
            "edition", "洪山区 · 演示版", "answer_ids", aid);
        int64_t vid = 0;
        enum sq_err e = kb_store_collection_save(KB_VOLUME, &vid, in, reviewer, d);
        json_decref(in);
        if (e)
            return -1;
    }
    printf("knowledge base: %d answers in 16 categories, 28 columns, 2 volumes, %d appeals "
           "linked\n",
           KB_DEMO_NANSWERS + extra, linked);
    return 0;
}
