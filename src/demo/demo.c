/*
 * demo: the synthetic district. Unit names are made from fixed word lists
 * (real place and institution names of Hongshan where the article names
 * them); people are invented. Everything runs in one transaction, so a demo
 * database is either complete or not created.
 */
#include "demo/demo.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/db.h"
#include "units/units.h"

void sq_rng_seed(struct sq_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (!r->s)
        r->s = 1;
}

uint64_t sq_rng_next(struct sq_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

uint32_t sq_rng_below(struct sq_rng *r, uint32_t n)
{
    return n ? (uint32_t)((sq_rng_next(r) >> 32) % n) : 0;
}

double sq_rng_unit(struct sq_rng *r)
{
    return (double)(sq_rng_next(r) >> 11) / 9007199254740992.0;
}

static int add_unit(int64_t parent, const char *kind, const char *code, const char *name,
                    const char *address, int64_t *id, struct sq_detail *d)
{
    struct sq_unit p;
    if (parent && units_store_get(parent, &p, d))
        return -1;
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "code", code, "name", name, "zone",
                           sq_unit_default_zone(sq_unit_kind_parse(kind)));
    if (address)
        json_object_set_new(in, "address", json_string(address));
    enum sq_err e = units_store_create(parent ? &p : NULL, in, id, d);
    json_decref(in);
    return e ? -1 : 0;
}

int sq_demo_init_district(const char *name, const char *admin, char *password_out,
                          struct sq_detail *d)
{
    int64_t district = 0, uid = 0, gid = 0;
    if (units_store_count() > 0 || accounts_store_count_users() > 0) {
        sq_fail(d, SQ_ECONFLICT, NULL, "this database already has a district; use a new file");
        return -1;
    }
    /* 16 random bytes as base64url: about 128 bits, typeable */
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(password_out, 24, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (sq_db_begin(d))
        return -1;
    if (add_unit(0, "district", "HS", name, NULL, &district, d) ||
        accounts_store_user_create(admin, "区级管理员", password_out, NULL, NULL, &uid, d) ||
        accounts_store_grant_add(uid, "district_admin", district, 0, &gid, d) ||
        accounts_store_set_must_change(uid, true, d) || /* it works once */
        sq_db_commit(d)) {
        sq_db_rollback();
        return -1;
    }
    return 0;
}

/* ---- the demo district ---- */

static const char *const streets[] = {
    "珞南街道", "关山街道", "狮子山街道", "张家湾街道", "梨园街道", "卓刀泉街道", "洪山街道",
    "和平街道", "青菱街道", "八吉府街道", "九峰街道",   "花山街道", "左岭街道",   "天兴街道",
};
static const char *const departments[] = {
    "区政务服务和大数据管理局",
    "区城市管理执法局",
    "区住房和城市更新局",
    "区房产管理局",
    "区交通运输局",
    "区市场监督管理局",
    "区人力资源和社会保障局",
    "区民政局",
    "区卫生健康局",
    "区教育局",
    "公安洪山分局",
    "区生态环境分局",
    "区水务和湖泊局",
    "区园林和林业局",
    "区科学技术和经济信息化局",
    "区发展和改革局",
    "区司法局",
    "区退役军人事务局",
    "区应急管理局",
    "区文化和旅游局",
};
static const char *const universities[] = {
    "武汉大学",
    "华中科技大学",
    "武汉理工大学",
    "华中农业大学",
    "华中师范大学",
    "中国地质大学（武汉）",
    "中南民族大学",
    "湖北工业大学",
    "武汉体育学院",
    "湖北美术学院",
    "中南财经政法大学",
    "武汉纺织大学",
    "武汉工程大学",
    "湖北经济学院",
    "武汉轻工大学",
    "武汉职业技术学院",
    "湖北第二师范学院",
    "武汉工商学院",
    "华中科技大学同济医学院",
    "武汉设计工程学院",
    "湖北大学知行学院",
    "武汉晴川学院",
    "武汉学院",
    "武昌首义学院",
    "武汉工程科技学院",
    "武汉城市学院",
    "武汉华夏理工学院",
    "湖北警官学院",
    "武汉船舶职业技术学院",
    "湖北生物科技职业学院",
    "武汉软件工程职业学院",
    "湖北开放大学",
    "武汉商贸职业学院",
    "武汉铁路桥梁职业学院",
    "湖北青年职业学院",
};
static const char *const schools[] = {
    "计算机学院",   "法学院",   "医学院",       "经济与管理学院", "马克思主义学院", "外国语学院",
    "土木工程学院", "材料学院", "生命科学学院", "体育学院",       "艺术学院",       "社会学院",
};
static const char *const parks[] = {
    "创意天地",   "烽火创新谷",     "融创智谷",       "洪山科技园",
    "南湖创新园", "青菱都市工业园", "珞喻数字经济园", "花山生态科创园",
};
static const char *const comm_a[] = {"珞", "南", "书", "华", "桂", "东", "鲁", "狮",
                                     "雄", "卓", "广", "梨", "青", "晒", "虎", "马",
                                     "关", "光", "荣", "杨", "洪", "丽", "和", "锦"};
static const char *const comm_b[] = {"苑", "园", "湖", "山", "城", "湾", "桥", "林",
                                     "岭", "家", "庭", "都", "景", "安", "馨", "阳"};
static const char *const ent_a[] = {"光谷", "楚天", "江城", "珞珈", "东湖", "长江", "荆楚",
                                    "鸿图", "智联", "云帆", "星火", "汉韵", "新桥", "博远",
                                    "华创", "卓越", "启明", "恒通", "瑞德", "天成"};
static const char *const ent_b[] = {"信息技术", "生物科技", "智能制造", "文化传媒", "电子商务",
                                    "光电",     "新材料",   "软件",     "设计",     "物流",
                                    "医疗器械", "教育科技", "环保科技", "数据服务", "餐饮管理"};

struct demo_user {
    const char *login, *name, *role;
    int unit_sel; /* which unit: see unit_for() */
};

enum { U_DISTRICT, U_STREET0, U_COMM0, U_COMM1, U_DEPT_HOUSING, U_UNIV0, U_PARK0, U_ENT0 };

static const struct demo_user demo_users[] = {
    {"admin", "区级管理员（演示）", "district_admin", U_DISTRICT},
    {"supervisor", "区督办专员（演示）", "district_admin", U_DISTRICT},
    {"auditor", "纪检审计员（演示）", "auditor", U_DISTRICT},
    {"street_admin", "珞南街道主任（演示）", "unit_admin", U_STREET0},
    {"street_handler", "珞南街道办事员（演示）", "handler", U_STREET0},
    {"community_admin", "社区书记（演示）", "unit_admin", U_COMM0},
    {"community_handler", "社区工作者（演示）", "handler", U_COMM0},
    {"community2_handler", "邻社区工作者（演示）", "handler", U_COMM1},
    {"gridworker", "网格员（演示）", "collector", U_COMM0},
    {"dept_handler", "住房局办事员（演示）", "handler", U_DEPT_HOUSING},
    {"univ_handler", "高校联络员（演示）", "handler", U_UNIV0},
    {"park_handler", "园区联络员（演示）", "handler", U_PARK0},
    {"resident", "居民张三（演示）", "public", U_DISTRICT},
    {"student", "学生李四（演示）", "public", U_DISTRICT},
    {"enterprise", "企业联系人王五（演示）", "public", U_DISTRICT},
};

static int64_t unit_for(const struct sq_demo_world *w, int sel)
{
    switch (sel) {
    case U_STREET0:
        return w->streets[0];
    case U_COMM0:
        return w->communities[0];
    case U_COMM1:
        return w->communities[1];
    case U_DEPT_HOUSING:
        return w->departments[2];
    case U_UNIV0:
        return w->universities[0];
    case U_PARK0:
        return w->parks[0];
    case U_ENT0:
        return w->first_enterprise;
    default:
        return w->district;
    }
}

static int build_units(struct sq_demo_world *w, struct sq_rng *rng, struct sq_detail *d)
{
    char code[40], name[160], addr[200];
    if (add_unit(0, "district", "HS", "洪山区", "武汉市洪山区", &w->district, d))
        return -1;
    w->nstreets = (int)(sizeof streets / sizeof streets[0]);
    for (int i = 0; i < w->nstreets; i++) {
        snprintf(code, sizeof code, "ST%02d", i + 1);
        if (add_unit(w->district, "street", code, streets[i], NULL, &w->streets[i], d))
            return -1;
    }
    /* 192 communities, spread over the streets (13 or 14 each) */
    w->ncommunities = 192;
    for (int i = 0; i < w->ncommunities; i++) {
        int s = i % w->nstreets;
        const char *a = comm_a[sq_rng_below(rng, sizeof comm_a / sizeof comm_a[0])];
        const char *b = comm_b[sq_rng_below(rng, sizeof comm_b / sizeof comm_b[0])];
        snprintf(code, sizeof code, "CM%03d", i + 1);
        snprintf(name, sizeof name, "%s%s%s社区", a, b, i >= 48 ? (i % 3 ? "" : "东") : "");
        /* names may repeat across streets, as in life; codes never do */
        snprintf(addr, sizeof addr, "武汉市洪山区%s%s%d号", streets[s], b, 1 + i);
        if (add_unit(w->streets[s], "community", code, name, addr, &w->communities[i], d))
            return -1;
        w->community_street[i] = w->streets[s];
    }
    w->ndepartments = (int)(sizeof departments / sizeof departments[0]);
    for (int i = 0; i < w->ndepartments; i++) {
        snprintf(code, sizeof code, "DP%02d", i + 1);
        if (add_unit(w->district, "department", code, departments[i], NULL, &w->departments[i], d))
            return -1;
    }
    w->nuniversities = (int)(sizeof universities / sizeof universities[0]);
    for (int i = 0; i < w->nuniversities; i++) {
        int64_t sid;
        snprintf(code, sizeof code, "UN%02d", i + 1);
        if (add_unit(w->district, "university", code, universities[i], NULL, &w->universities[i],
                     d))
            return -1;
        int nschools = 3 + (int)sq_rng_below(rng, 6);
        for (int k = 0; k < nschools; k++) {
            snprintf(code, sizeof code, "UN%02dS%02d", i + 1, k + 1);
            if (add_unit(w->universities[i], "school", code,
                         schools[(i + k) % (int)(sizeof schools / sizeof schools[0])], NULL, &sid,
                         d))
                return -1;
        }
    }
    w->nparks = 8;
    /* 3,700 enterprises spread over the parks, more in the bigger ones */
    static const int per_park[8] = {820, 640, 560, 480, 420, 340, 260, 180};
    int n = 0;
    for (int i = 0; i < w->nparks; i++) {
        snprintf(code, sizeof code, "PK%02d", i + 1);
        if (add_unit(w->district, "park", code, parks[i], NULL, &w->parks[i], d))
            return -1;
        for (int k = 0; k < per_park[i]; k++, n++) {
            int64_t eid;
            snprintf(code, sizeof code, "EN%04d", n + 1);
            snprintf(name, sizeof name, "武汉%s%s有限公司（演示%04d）",
                     ent_a[sq_rng_below(rng, sizeof ent_a / sizeof ent_a[0])],
                     ent_b[sq_rng_below(rng, sizeof ent_b / sizeof ent_b[0])], n + 1);
            if (add_unit(w->parks[i], "enterprise", code, name, NULL, &eid, d))
                return -1;
            if (!w->first_enterprise)
                w->first_enterprise = eid;
            w->last_enterprise = eid;
            w->nenterprises++;
        }
    }
    return 0;
}

static int build_users(struct sq_demo_world *w, struct sq_detail *d)
{
    char hash[128];
    if (sq_password_hash("sanqu-demo", hash))
        return sq_fail(d, SQ_EINTERNAL, NULL, "cannot hash the demo password"), -1;
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        const struct demo_user *u = &demo_users[i];
        int64_t id, gid;
        char phone[16];
        snprintf(phone, sizeof phone, "1380000%04zu", i + 1);
        if (accounts_store_user_create_hashed(u->login, u->name, hash, phone, NULL, &id, d) ||
            accounts_store_grant_add(id, u->role, unit_for(w, u->unit_sel), 0, &gid, d))
            return -1;
        w->users[w->nusers++] = id;
    }
    return 0;
}

int sq_demo_build(const struct sq_demo_opts *o, struct sq_detail *d)
{
    static struct sq_demo_world w; /* large; one demo per process */
    struct sq_rng rng;
    memset(&w, 0, sizeof w);
    if (units_store_count() > 0 || accounts_store_count_users() > 0) {
        sq_fail(d, SQ_ECONFLICT, NULL, "this database is not empty; give a new --db file");
        return -1;
    }
    sq_rng_seed(&rng, o->seed);
    /* the new file is filled in one big transaction (core/db: written once,
     * still rolled back cleanly) */
    sq_db_bulk_begin();
    if (sq_db_begin(d))
        goto fail_mode;
    if (build_units(&w, &rng, d) || build_users(&w, d))
        goto fail;
    for (const sq_demo_gen_fn *g = sq_demo_generators; *g; g++)
        if ((*g)(o, &w, &rng, d))
            goto fail;
    if (sq_db_commit(d))
        goto fail_mode;
    sq_db_bulk_end();
    printf("demo district built (synthetic data, seed %lu): 1 district, %d streets, %d "
           "communities, %d departments, %d universities, %d parks, %lld enterprises\n",
           o->seed, w.nstreets, w.ncommunities, w.ndepartments, w.nuniversities, w.nparks,
           (long long)w.nenterprises);
    printf("demo accounts (password sanqu-demo):\n");
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++)
        printf("  %-20s %-16s %s\n", demo_users[i].login, demo_users[i].role, demo_users[i].name);
    return 0;
fail:
    sq_db_rollback();
fail_mode:
    sq_db_bulk_end();
    return -1;
}
