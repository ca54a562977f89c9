/*
 * appeals_gen: about three years of synthetic appeals for `sanqu demo`.
 *
 * Every appeal is simulated from submission to its last step the way the
 * API and the scheduler would move it: intake routing (routing rules, then
 * the tiered default) and deadlines on the working calendar, accept,
 * transfer and return, assign, notes, suspension, extension, warnings,
 * overdue marks and escalation, resolve, rating, the automatic reopen (重办)
 * that a dissatisfied rating triggers, and close. The simulation stops at
 * "now" (core/clock), so recent appeals are left open in every state. Each
 * step is checked against the state machine (sq_appeal_next_status) and
 * becomes an event row with its own time, so the timeline is consistent; the
 * final row's contribution (sq_appeal_contrib) is summed into appeal_stats,
 * so the aggregate equals a recount.
 *
 * Volume: opts->appeals (default 300,000) spread over the days since
 * 2024-01-01 by growth, season, weekday and holidays. Enterprise appeals have
 * their own yearly volume (2024: the article's 3,870 at the default volume,
 * scaled down for smaller demos) and satisfaction (98.1%, kept exact by error
 * diffusion rather than left to chance). Deterministic for (seed, now): every
 * appeal draws from its own PRNG seeded by the demo seed and its index.
 *
 * Speed: rows go straight into SQLite through prepared statements inside the
 * demo's one transaction (appeals_store_insert() would add a savepoint, a
 * tracking-number upsert and a stats upsert per appeal); the aggregate is
 * summed in memory and written once at the end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appeals/appeals.h"
#include "appeals/meta.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "demo/appeal_templates.h"
#include "demo/demo.h"
#include "demo/store.h"
#include "units/units.h"

#define DEFAULT_VOLUME 300000
#define ENT_2024 3870.0     /* article: enterprise appeals handled in 2024 */
#define ENT_GROWTH 1.12     /* per year, for the other years */
#define ENT_SATISFIED 0.981 /* article: enterprise satisfaction in 2024 */
#define ENT_BASIC_SHARE 0.07
#define DAY 86400
#define HOUR 3600
#define MAX_EVENTS 48
#define MAX_LEAVES 96

enum { K_RESIDENT, K_STUDENT, K_EMPLOYEE, K_ENTERPRISE, K__MAX }; /* = sq_appeal_kinds */

/* ---- distributions ---- */

/* Livelihood problem classes: weight per kind (resident, student, employee)
 * and a seasonal multiplier per month (noise and water in summer, elevators
 * and assistance in winter, schooling in August-September ...). */
static const struct top_mix {
    const char *code;
    double w[3];
    double season[12];
} top_mix[] = {
    {"WY", {18, 8, 12}, {1.2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.15}},
    {"DT", {8, 3, 4}, {1.35, 1.3, 1.1, 1, 1, 1, 1.1, 1.1, 1, 1, 1.15, 1.35}},
    {"TC", {12, 6, 20}, {1.1, 1.2, 1, 1, 1, 1, 1, 1, 1, 1.1, 1, 1.1}},
    {"CD", {9, 14, 14}, {1, 1, 1, 1, 1.1, 1.2, 1.35, 1.35, 1.1, 1, 1, 1}},
    {"ZY", {10, 12, 5}, {0.7, 0.7, 0.9, 1, 1.1, 1.5, 1.7, 1.6, 1.1, 0.9, 0.8, 0.7}},
    {"HJ", {9, 9, 9}, {0.9, 1.1, 1, 1, 1.1, 1.2, 1.35, 1.3, 1.1, 1, 0.9, 0.9}},
    {"GS", {7, 9, 6}, {1.25, 1.1, 0.9, 0.9, 1, 1.5, 1.8, 1.5, 1, 0.9, 0.9, 1.15}},
    {"DL", {5, 8, 9}, {1, 1, 1, 1, 1, 1.2, 1.3, 1.1, 1, 1, 1.1, 1.1}},
    {"LH", {4, 3, 3}, {0.5, 0.6, 1.2, 1.4, 1.5, 1.4, 1.3, 1.2, 1, 0.8, 0.6, 0.5}},
    {"ZA", {3, 6, 5}, {1.2, 1.3, 1, 1, 1, 1, 1.1, 1.1, 1, 1, 1, 1.2}},
    {"JZ", {2, 1, 0.5}, {1.5, 1.4, 1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1, 1.1, 1.4}},
    {"YL", {3, 0, 0.2}, {1.25, 1.1, 1, 1, 1, 1, 1.1, 1, 1, 1, 1.1, 1.25}},
    {"JY", {3, 4, 2}, {0.9, 1.3, 1.3, 1, 1.1, 1.4, 1.6, 2, 1.8, 0.8, 0.7, 0.7}},
    {"YW", {2, 6, 3}, {1.4, 1.3, 1.1, 1, 0.9, 0.9, 0.9, 0.9, 1, 1.1, 1.3, 1.4}},
    {"JC", {2, 12, 6}, {1, 1.3, 1.5, 1.6, 1.6, 1.6, 1.2, 0.9, 1, 1, 1.2, 0.9}},
    {"GZ", {5, 0, 0}, {0.7, 0.6, 1.2, 1.3, 1.2, 1, 0.9, 0.9, 1.2, 1.3, 1.1, 0.8}},
};
#define NTOP ((int)(sizeof top_mix / sizeof top_mix[0]))

/* Relative weight of a leaf inside its class, and the district department a
 * problem goes to when the first unit transfers it (index into the demo's
 * department list, -1 = the street instead). */
static const struct leaf_info {
    const char *code;
    double w;
    int dept;
} leaf_info[] = {
    {"WY01", 5, 3},   {"WY02", 4, 3},   {"WY03", 2, 3},  {"DT01", 4, 5},   {"DT02", 2, 2},
    {"TC01", 3, 4},   {"TC02", 2, 10},  {"CD01", 3, 18}, {"CD02", 2, 2},   {"ZY01", 3, 11},
    {"ZY02", 2, 1},   {"ZY03", 3, -1},  {"HJ01", 3, 1},  {"HJ02", 2, 1},   {"HJ03", 2, 1},
    {"GS01", 2, 12},  {"GS02", 2, 12},  {"GS03", 2, 12}, {"DL01", 1, 4},   {"DL02", 1, 1},
    {"LH01", 2, 13},  {"LH02", 1, 13},  {"ZA01", 1, 10}, {"ZA02", 1, 18},  {"JZ01", 1, 7},
    {"JZ02", 1, 7},   {"YL01", 1, 7},   {"YL02", 1, 7},  {"JY01", 1, 9},   {"JY02", 1, 9},
    {"YW01", 1, 8},   {"YW02", 1, 8},   {"JC01", 2, 6},  {"JC02", 1, 6},   {"GZ01", 1, 2},
    {"GZ02", 1, 2},   {"QY01", 25, 14}, {"QY02", 15, 0}, {"QY03", 12, 15}, {"QY04", 15, 6},
    {"QY05", 12, 15}, {"QY06", 6, 16},  {"QY07", 7, 5},  {"QY08", 8, 14},
};

/* Whole-district volume by month (Spring Festival dip, summer peak). */
static const double month_volume[12] = {0.95, 0.75, 1.0,  1.0,  1.05, 1.1,
                                        1.2,  1.15, 1.05, 0.95, 0.95, 0.95};
static const double month_volume_ent[12] = {0.9, 0.7,  1.2, 1.15, 1.05, 1.05,
                                            1.0, 0.95, 1.0, 0.95, 1.0,  1.05};
/* Share of submissions per local hour: residents file evenings too,
 * enterprises in office hours. */
static const double hour_w[2][24] = {
    {0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 6,   6.5, 5.5,
     3,   3.5, 5.5, 6,   5.5, 4,   3,   3.5, 4,   3.5, 2,   1},
    {0.05, 0.02, 0.02, 0.02, 0.02, 0.05, 0.1, 0.5, 3,   8,   9,   7,
     2.5,  4,    8,    8.5,  7,    4,    1.5, 0.8, 0.6, 0.4, 0.2, 0.1},
};
/* Bigger streets (more residents) first; the demo's streets in order. */
static const double street_w[] = {1.6, 1.7, 1.4, 1.3, 1.2, 1.0, 1.0,
                                  0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.45};

/* China's public holidays and make-up workdays (State Council notices),
 * written into calendar_days for the demo. Verify before production use. */
static const struct {
    int first, last;
    const char *name;
} holidays[] = {
    {20240101, 20240101, "元旦"},           {20240210, 20240217, "春节"},
    {20240404, 20240406, "清明节"},         {20240501, 20240505, "劳动节"},
    {20240610, 20240610, "端午节"},         {20240915, 20240917, "中秋节"},
    {20241001, 20241007, "国庆节"},         {20250101, 20250101, "元旦"},
    {20250128, 20250204, "春节"},           {20250404, 20250406, "清明节"},
    {20250501, 20250505, "劳动节"},         {20250531, 20250602, "端午节"},
    {20251001, 20251008, "国庆节、中秋节"}, {20260101, 20260103, "元旦"},
    {20260215, 20260223, "春节"},           {20260404, 20260406, "清明节"},
    {20260501, 20260505, "劳动节"},         {20260619, 20260621, "端午节"},
    {20260925, 20260927, "中秋节"},         {20261001, 20261007, "国庆节"},
};
static const int makeup_days[] = {20240204, 20240218, 20240407, 20240428, 20240511,
                                  20240914, 20240929, 20241012, 20250126, 20250208,
                                  20250427, 20250928, 20251011, 20260104, 20260214,
                                  20260228, 20260509, 20260920, 20261010};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};

/* ---- the generator's view of the district ---- */

struct gunit {
    int64_t parent;
    int kind;
    char path[64];
    char name[112];
    double lat, lon;
};

struct leaf {
    int64_t id;
    char code[16], name[64];
    bool enterprise;
    double w;
    int dept;
    struct sq_category cat;
    struct sq_sla sla[3]; /* by urgency: normal, urgent, critical */
    const struct sq_appeal_template *tpl;
};

/* Units that have a demo account, so their queues must not be empty. */
enum { P_COMM0, P_COMM1, P_STREET0, P_DEPT, P_UNIV0, P_PARK0, P__MAX };
static const int pin_quota[P__MAX] = {10, 6, 6, 6, 6, 6};

/* Where a pinned appeal stops. */
enum { STOP_NONE, STOP_SUBMITTED, STOP_ACCEPTED, STOP_IN_PROGRESS, STOP_RESOLVED };
static const int pin_stops[] = {STOP_RESOLVED,  STOP_SUBMITTED,   STOP_ACCEPTED, STOP_IN_PROGRESS,
                                STOP_SUBMITTED, STOP_IN_PROGRESS, STOP_ACCEPTED, STOP_IN_PROGRESS,
                                STOP_SUBMITTED, STOP_RESOLVED};

struct stat_slot {
    bool used;
    struct sq_appeal_contrib c; /* sums */
};

struct master_slot {
    int64_t unit, cat, id, created, resolved;
    char tracking[24];
    char reply[640];
};
#define MASTER_SLOTS 65536

struct year_sum {
    int year;
    long total, ent, ent_rated, ent_ok, rated, ok, overdue, reopened, open;
};

struct ev {
    int action, from, to;
    int64_t actor, t;
    char note[640];
    char data[240];
};

struct sim {
    struct sq_appeal a; /* text fields point into the buffers below */
    char title[256], desc[1200], address[256], cname[32], phone[16];
    char reply[640];       /* what a->reply points to once resolved or rejected */
    char progress[256];    /* a first reply while in progress */
    char final_reply[600]; /* the reply drawn for this appeal */
    struct ev ev[MAX_EVENTS];
    int nev;
    int64_t last;
    bool stop, bad;
};

struct gen {
    const struct sq_demo_opts *o;
    const struct sq_demo_world *w;
    int64_t now;
    struct sq_workcal cal;
    int warn_pct, unrated_days;
    /* units, indexed by id */
    struct gunit *u;
    int64_t nu;
    double comm_cum[256];
    double univ_cum[64];
    int64_t *schools; /* school ids, grouped by university */
    int nschools;
    int64_t *ents;
    int nents;
    double park_cum[16];
    /* categories */
    struct leaf leaves[MAX_LEAVES];
    int nleaves;
    double cum[3][12][MAX_LEAVES]; /* kind x month -> cumulative leaf weights */
    double ent_cum[MAX_LEAVES];
    struct sq_routing_rule *rules;
    int nrules;
    /* demo accounts */
    int64_t u_supervisor, u_resident, u_student, u_enterprise, u_gridworker;
    int64_t pin_unit[P__MAX], pin_handler[P__MAX], pin_admin[P__MAX];
    int64_t street0_comm; /* a community of street 0 other than community 0 */
    /* state */
    struct sim sim;
    struct stat_slot *stats;
    size_t nstats_cap, nstats;
    struct master_slot *masters;
    double ent_sat_acc, ent_basic_acc;
    struct year_sum years[16];
    int nyears;
    long count, events;
};

/* ---- small helpers ---- */

static int urgency_index(const char *u)
{
    for (int i = 0; sq_appeal_urgencies[i]; i++)
        if (!strcmp(sq_appeal_urgencies[i], u))
            return i < 3 ? i : 0;
    return 0;
}

static double unit_rand(struct sq_rng *r)
{
    return sq_rng_unit(r);
}

static int below(struct sq_rng *r, int n)
{
    return n > 0 ? (int)sq_rng_below(r, (uint32_t)n) : 0;
}

static const char *pick(struct sq_rng *r, const char *const *list)
{
    int n = sq_tpl_count(list);
    return n ? list[below(r, n)] : "";
}

static int pick_cum(struct sq_rng *r, const double *cum, int n)
{
    if (n <= 0 || cum[n - 1] <= 0)
        return 0;
    double x = unit_rand(r) * cum[n - 1];
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int local_date(int64_t t)
{
    time_t l = (time_t)(t + SQ_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&l, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Unix time of local midnight of YYYYMMDD. */
static int64_t local_midnight(int ymd)
{
    struct tm tm = {0};
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = ymd / 100 % 100 - 1;
    tm.tm_mday = ymd % 100;
    return (int64_t)timegm(&tm) - SQ_TZ_OFFSET;
}

static int64_t wsecs(struct gen *g, int64_t from, double secs)
{
    int64_t t = sq_workcal_add_working_seconds(&g->cal, from, (int64_t)(secs > 0 ? secs : 0));
    return t == SQ_WORKCAL_NEVER ? from + (int64_t)secs : t;
}

/* The instant a fraction f of the working time between from and the appeal's
 * deadline has passed (one working day when the deadline is already gone). */
static int64_t at_frac(struct gen *g, int64_t from, double f)
{
    int64_t due = g->sim.a.due_at;
    int64_t span = due > from ? sq_workcal_working_seconds_between(&g->cal, from, due) : 0;
    if (span < HOUR)
        span = 8 * HOUR;
    return wsecs(g, from, f * (double)span);
}

/* ---- the simulation of one appeal ---- */

static struct ev *emit(struct gen *g, int action, int from, int to, int64_t t, int64_t actor,
                       const char *note, const char *data)
{
    struct sim *s = &g->sim;
    if (s->nev >= MAX_EVENTS) {
        s->bad = true;
        return NULL;
    }
    struct ev *e = &s->ev[s->nev++];
    e->action = action;
    e->from = from;
    e->to = to;
    e->t = t;
    e->actor = actor;
    snprintf(e->note, sizeof e->note, "%s", note ? note : "");
    snprintf(e->data, sizeof e->data, "%s", data ? data : "");
    s->a.updated_at = t;
    s->last = t;
    return e;
}

/* Open with its clock running: what the scheduler watches (the rules'). */
static bool is_open(int st)
{
    return sq_appeal_status_running(st);
}

/* What the server's scheduler would have done up to `until`: warn at 80% of
 * the time, mark overdue at the deadline, escalate (督办) one working day
 * later. */
static void scheduler(struct gen *g, int64_t until)
{
    struct sim *s = &g->sim;
    struct sq_appeal *a = &s->a;
    char data[64];
    if (until > g->now)
        until = g->now;
    for (;;) {
        if (!is_open(a->status))
            return;
        if (!a->warned && a->warn_at && a->warn_at < a->due_at && a->warn_at <= until) {
            int64_t t = a->warn_at > s->last ? a->warn_at : s->last + 1;
            emit(g, SQ_AA_WARN, a->status, a->status, t, 0, NULL, NULL);
            a->warned = 1;
            continue;
        }
        if (!a->overdue && a->due_at && a->due_at <= until) {
            int64_t t = a->due_at > s->last ? a->due_at : s->last + 1;
            emit(g, SQ_AA_OVERDUE, a->status, a->status, t, 0, NULL, NULL);
            a->overdue = 1;
            continue;
        }
        if (a->overdue && !a->escalation_level && a->due_at) {
            int64_t t = wsecs(g, a->due_at, 8.5 * HOUR);
            if (t <= until) {
                t = t > s->last ? t : s->last + 1;
                snprintf(data, sizeof data, "{\"level\":1}");
                emit(g, SQ_AA_ESCALATE, a->status, a->status, t, 0, "超期未办结，自动督办", data);
                a->escalation_level = 1;
                continue;
            }
        }
        return;
    }
}

/* Moves the appeal by one action at time t (pushed after the previous
 * event). Returns false, changing nothing, once t is past "now": the caller
 * then leaves the appeal as it is. */
static bool step(struct gen *g, int action, int64_t t, int64_t actor, const char *note,
                 const char *data)
{
    struct sim *s = &g->sim;
    if (s->stop)
        return false;
    if (t <= s->last)
        t = s->last + 60;
    scheduler(g, t);
    if (t <= s->last)
        t = s->last + 60;
    if (t > g->now) {
        s->stop = true;
        return false;
    }
    int from = s->a.status;
    int to = sq_appeal_next_status(action, from);
    if (action == SQ_AA_RESOLVE && from == SQ_AS_MERGED)
        to = from; /* a duplicate learns its master's outcome (follow_master) */
    if (to < 0) {
        s->bad = true; /* a generator bug: never write an illegal timeline */
        s->stop = true;
        return false;
    }
    emit(g, action, from, to, t, actor, note, data);
    s->a.status = to;
    return true;
}

static int64_t now_of(struct gen *g)
{
    return g->sim.last;
}

/* The workflow rules' surroundings at the simulated appeal's last event:
 * the state changes below are the server's own (appeals/rules.h). */
static struct sq_appeal_ctx ctx_of(struct gen *g)
{
    return (struct sq_appeal_ctx){.now = now_of(g), .cal = &g->cal, .warn_percent = g->warn_pct};
}

/* ---- world loading ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static void load_unit(void *arg, int64_t id, int64_t parent, const char *kind, const char *path,
                      const char *name)
{
    struct gen *g = arg;
    if (id <= 0 || id >= g->nu)
        return;
    struct gunit *u = &g->u[id];
    u->parent = parent;
    u->kind = sq_unit_kind_parse(kind);
    snprintf(u->path, sizeof u->path, "%s", path);
    snprintf(u->name, sizeof u->name, "%s", name);
    /* a fixed spot in Hongshan per unit (30.45-30.58 N, 114.30-114.52 E) */
    uint64_t h = mix64((uint64_t)id * 0x9E3779B97F4A7C15ull + g->o->seed);
    u->lat = 30.45 + 0.13 * (double)(h & 0xffff) / 65536.0;
    u->lon = 114.30 + 0.22 * (double)((h >> 16) & 0xffff) / 65536.0;
    if (u->kind == SQ_UNIT_SCHOOL)
        g->schools[g->nschools++] = id;
    else if (u->kind == SQ_UNIT_ENTERPRISE)
        g->ents[g->nents++] = id;
}

static int load_units(struct gen *g, struct sq_detail *d)
{
    g->nu = demo_store_max_unit_id() + 1;
    g->u = calloc((size_t)g->nu, sizeof *g->u);
    g->schools = calloc((size_t)g->nu, sizeof *g->schools);
    g->ents = calloc((size_t)g->nu, sizeof *g->ents);
    if (!g->u || !g->schools || !g->ents)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory"), -1;
    return demo_store_units_each(load_unit, g, d) ? -1 : 0;
}

static int64_t user_id(const char *login)
{
    return demo_store_user_id(login);
}

static int top_index(const char *code)
{
    for (int i = 0; i < NTOP; i++)
        if (!strncmp(code, top_mix[i].code, 2))
            return i;
    return -1;
}

static bool load_leaf(void *arg, int64_t id, const char *code, const char *name)
{
    struct gen *g = arg;
    if (g->nleaves >= MAX_LEAVES)
        return false;
    struct leaf *l = &g->leaves[g->nleaves++];
    l->id = id;
    snprintf(l->code, sizeof l->code, "%s", code);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->w = 1;
    l->dept = -1;
    for (size_t i = 0; i < sizeof leaf_info / sizeof leaf_info[0]; i++)
        if (!strcmp(leaf_info[i].code, l->code)) {
            l->w = leaf_info[i].w;
            l->dept = leaf_info[i].dept;
        }
    l->tpl = sq_appeal_template_find(l->code);
    return g->nleaves < MAX_LEAVES;
}

static int load_categories(struct gen *g, struct sq_detail *d)
{
    if (demo_store_leaf_categories_each(load_leaf, g, d))
        return -1;
    for (int i = 0; i < g->nleaves; i++) {
        struct leaf *l = &g->leaves[i];
        if (appeals_store_category(l->id, &l->cat, d))
            return -1;
        l->enterprise = !strcmp(l->cat.kind, "enterprise");
        for (int u = 0; u < 3; u++)
            appeals_store_sla(&l->cat, sq_appeal_urgencies[u], &l->sla[u]);
    }
    /* cumulative weights per kind and month */
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 12; m++) {
            double c = 0;
            for (int i = 0; i < g->nleaves; i++) {
                const struct leaf *l = &g->leaves[i];
                int t = top_index(l->code);
                if (!l->enterprise && l->tpl && t >= 0)
                    c += l->w * top_mix[t].w[k] * top_mix[t].season[m];
                g->cum[k][m][i] = c;
            }
        }
    double c = 0;
    for (int i = 0; i < g->nleaves; i++) {
        if (g->leaves[i].enterprise && g->leaves[i].tpl)
            c += g->leaves[i].w;
        g->ent_cum[i] = c;
    }
    if (g->nleaves == 0 || g->cum[0][0][g->nleaves - 1] <= 0)
        return sq_fail(d, SQ_EINTERNAL, NULL, "the default categories are missing"), -1;
    return 0;
}

static int seed_calendar(struct sq_detail *d)
{
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        for (int64_t t = local_midnight(holidays[i].first); local_date(t) <= holidays[i].last;
             t += DAY)
            if (demo_store_calendar_day(local_date(t), "holiday", holidays[i].name, d))
                return -1;
    for (size_t i = 0; i < sizeof makeup_days / sizeof makeup_days[0]; i++)
        if (demo_store_calendar_day(makeup_days[i], "workday", "调休上班", d))
            return -1;
    appeals_calendar_invalidate(); /* the server's copy reloads on next use */
    return 0;
}

static int load_world(struct gen *g, struct sq_rng *rng, struct sq_detail *d)
{
    const struct sq_demo_world *w = g->w;
    if (load_units(g, d) || load_categories(g, d) || seed_calendar(d) ||
        appeals_store_load_calendar(&g->cal, d))
        return -1;
    g->nrules = appeals_store_rules(&g->rules);
    /* communities weighted by their street's size and a factor of their own */
    double c = 0;
    for (int i = 0; i < w->ncommunities && i < 256; i++) {
        int s = 0;
        for (int k = 0; k < w->nstreets; k++)
            if (w->streets[k] == w->community_street[i])
                s = k;
        double sw = s < (int)(sizeof street_w / sizeof street_w[0]) ? street_w[s] : 0.5;
        c += sw * (0.4 + 1.2 * unit_rand(rng));
        g->comm_cum[i] = c;
        if (!g->street0_comm && i > 0 && w->community_street[i] == w->streets[0])
            g->street0_comm = w->communities[i];
    }
    c = 0;
    for (int i = 0; i < w->nuniversities && i < 64; i++) {
        c += i < 7 ? 3.0 - 0.25 * i : 0.6 + 0.8 * unit_rand(rng);
        g->univ_cum[i] = c;
    }
    /* parks by their number of enterprises */
    c = 0;
    for (int i = 0; i < w->nparks && i < 16; i++) {
        int n = 0;
        for (int k = 0; k < g->nents; k++)
            n += g->u[g->ents[k]].parent == w->parks[i];
        c += n + 20;
        g->park_cum[i] = c;
    }
    g->u_supervisor = user_id("supervisor");
    g->u_resident = user_id("resident");
    g->u_student = user_id("student");
    g->u_enterprise = user_id("enterprise");
    g->u_gridworker = user_id("gridworker");
    const int64_t units[P__MAX] = {w->communities[0], w->communities[1],  w->streets[0],
                                   w->departments[2], w->universities[0], w->parks[0]};
    static const char *const handlers[P__MAX] = {"community_handler", "community2_handler",
                                                 "street_handler",    "dept_handler",
                                                 "univ_handler",      "park_handler"};
    static const char *const admins[P__MAX] = {
        "community_admin", NULL, "street_admin", NULL, NULL, NULL};
    for (int i = 0; i < P__MAX; i++) {
        g->pin_unit[i] = units[i];
        g->pin_handler[i] = user_id(handlers[i]);
        g->pin_admin[i] = admins[i] ? user_id(admins[i]) : 0;
    }
    if (!g->street0_comm)
        g->street0_comm = w->communities[0];
    return 0;
}

/* Staff of a unit who act in the demo: its demo handler, else nobody named
 * (the event's actor is then NULL, as for the scheduler). */
static int64_t handler_of(struct gen *g, int64_t unit)
{
    for (int i = 0; i < P__MAX; i++)
        if (g->pin_unit[i] == unit)
            return g->pin_handler[i];
    return 0;
}

static int64_t admin_of(struct gen *g, int64_t unit)
{
    for (int i = 0; i < P__MAX; i++)
        if (g->pin_unit[i] == unit && g->pin_admin[i])
            return g->pin_admin[i];
    return g->u_supervisor;
}

/* ---- aggregates ---- */

static size_t stat_hash(const struct sq_appeal_contrib *c)
{
    uint64_t h = (uint64_t)c->month * 1000003u ^ (uint64_t)c->unit_id * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)c->category_id * 0xC2B2AE3D27D4EB4Full ^
                 (uint64_t)(unsigned char)c->kind[0];
    return (size_t)mix64(h);
}

static bool stat_same(const struct sq_appeal_contrib *a, const struct sq_appeal_contrib *b)
{
    return a->month == b->month && a->unit_id == b->unit_id && a->category_id == b->category_id &&
           !strcmp(a->kind, b->kind);
}

static void contrib_sum(struct sq_appeal_contrib *t, const struct sq_appeal_contrib *c)
{
    t->total += c->total;
    t->responded += c->responded;
    t->responded_on_time += c->responded_on_time;
    t->resolved += c->resolved;
    t->resolved_on_time += c->resolved_on_time;
    t->rejected += c->rejected;
    t->overdue += c->overdue;
    t->reopened += c->reopened;
    t->rated += c->rated;
    t->satisfied += c->satisfied;
    t->basically_satisfied += c->basically_satisfied;
    t->dissatisfied += c->dissatisfied;
    t->solved += c->solved;
    t->response_secs += c->response_secs;
    t->handle_secs += c->handle_secs;
}

/* Open addressing, kept at most half full. */
static struct stat_slot *stat_find(struct stat_slot *tab, size_t cap,
                                   const struct sq_appeal_contrib *c)
{
    size_t mask = cap - 1, i = stat_hash(c) & mask;
    while (tab[i].used && !stat_same(&tab[i].c, c))
        i = (i + 1) & mask;
    return &tab[i];
}

static int stat_add(struct gen *g, const struct sq_appeal_contrib *c)
{
    if (2 * (g->nstats + 1) > g->nstats_cap) {
        size_t cap = g->nstats_cap ? 2 * g->nstats_cap : 1u << 16;
        struct stat_slot *tab = calloc(cap, sizeof *tab);
        if (!tab)
            return -1;
        for (size_t i = 0; i < g->nstats_cap; i++)
            if (g->stats[i].used)
                *stat_find(tab, cap, &g->stats[i].c) = g->stats[i];
        free(g->stats);
        g->stats = tab;
        g->nstats_cap = cap;
    }
    struct stat_slot *s = stat_find(g->stats, g->nstats_cap, c);
    if (!s->used) {
        s->used = true;
        s->c = *c;
        g->nstats++;
    } else {
        contrib_sum(&s->c, c);
    }
    return 0;
}

static int stats_write(struct gen *g, struct sq_detail *d)
{
    for (size_t i = 0; g->stats && i < g->nstats_cap; i++)
        if (g->stats[i].used && appeals_store_stats_add(&g->stats[i].c, 1, d))
            return -1;
    return 0;
}

/* ---- writing one appeal ---- */

static int write_appeal(struct gen *g, struct sq_detail *d)
{
    int64_t id = 0;
    if (demo_store_appeal_insert(&g->sim.a, &id, d))
        return -1;
    g->sim.a.id = id;
    for (int i = 0; i < g->sim.nev; i++) {
        const struct ev *e = &g->sim.ev[i];
        if (demo_store_event_insert(id, e->action, e->actor, e->from, e->to, e->note, e->data, e->t,
                                    d))
            return -1;
    }
    g->events += g->sim.nev;
    return 0;
}

/* ---- one appeal: who, where, what ---- */

struct plan {
    int kind;
    int leaf;
    int64_t loc; /* location unit */
    int64_t creator, collector;
    int pin;    /* P_* or -1 */
    bool first; /* the unit's first pinned appeal: its demo person's own */
    int stop;   /* STOP_* */
};

static void make_text(struct gen *g, struct sq_rng *r, const struct plan *p, const struct leaf *l)
{
    struct sim *s = &g->sim;
    const struct gunit *loc = &g->u[p->loc];
    char building[48], spot[96];
    const char *const *spots = sq_tpl_spots_residential;
    if (p->kind == K_STUDENT) {
        static const char *const b[] = {"号宿舍楼", "号教学楼", "号公寓", "号学生宿舍"};
        snprintf(building, sizeof building, "%d%s", 1 + below(r, 24), b[below(r, 4)]);
        spots = sq_tpl_spots_campus;
    } else if (p->kind == K_EMPLOYEE || p->kind == K_ENTERPRISE) {
        snprintf(building, sizeof building, "%c座%d楼", 'A' + below(r, 6), 1 + below(r, 18));
        spots = sq_tpl_spots_park;
    } else {
        snprintf(building, sizeof building, "%d栋%d单元", 1 + below(r, 32), 1 + below(r, 4));
    }
    struct sq_tpl_vars v = {.unit = loc->name,
                            .building = building,
                            .spot = "",
                            .time = pick(r, sq_tpl_times),
                            .n = 2 + below(r, 8),
                            .days = 3 + below(r, 18)};
    sq_appeal_template_expand(pick(r, spots), &v, spot, sizeof spot);
    v.spot = spot;
    int nd = l->tpl ? sq_tpl_count(l->tpl->descriptions) : 0;
    int nt = l->tpl ? sq_tpl_count(l->tpl->titles) : 0;
    int nr = l->tpl ? sq_tpl_count(l->tpl->replies) : 0;
    if (nd && nt >= nd && nr >= nd) {
        int c = below(r, nd);
        size_t n;
        if (nt > nd && unit_rand(r) < 0.25) {
            /* an alternate title: the person's words are the title itself */
            sq_appeal_template_expand(l->tpl->titles[nd + below(r, nt - nd)], &v, s->title,
                                      sizeof s->title);
            n = (size_t)snprintf(s->desc, sizeof s->desc, "%s%s居民反映：%s。", loc->name,
                                 p->kind == K_RESIDENT ? building : "", s->title);
            snprintf(s->final_reply, sizeof s->final_reply,
                     "经核实，已协调相关单位处理，%s的问题已解决，将持续跟踪。", s->title);
        } else {
            sq_appeal_template_expand(l->tpl->titles[c], &v, s->title, sizeof s->title);
            n = sq_appeal_template_expand(l->tpl->descriptions[c], &v, s->desc, sizeof s->desc);
            sq_appeal_template_expand(l->tpl->replies[c], &v, s->final_reply,
                                      sizeof s->final_reply);
        }
        if (unit_rand(r) < 0.4 && n + 64 < sizeof s->desc)
            snprintf(s->desc + n, sizeof s->desc - n, "%s", pick(r, sq_tpl_desc_closings));
    } else {
        snprintf(s->title, sizeof s->title, "%s问题", l->name);
        snprintf(s->desc, sizeof s->desc, "%s反映%s方面的问题，希望尽快处理。", loc->name, l->name);
        snprintf(s->final_reply, sizeof s->final_reply, "已核实并处理，%s问题已解决。", l->name);
    }
    if (loc->kind == SQ_UNIT_COMMUNITY || loc->kind == SQ_UNIT_STREET)
        snprintf(s->address, sizeof s->address, "武汉市洪山区%s%s", loc->name, building);
    else
        snprintf(s->address, sizeof s->address, "%s%s", loc->name, building);
    const char *sur = surnames[below(r, (int)(sizeof surnames / sizeof surnames[0]))];
    static const char *const titles[K__MAX][2] = {
        {"先生", "女士"}, {"同学", "同学"}, {"先生", "女士"}, {"经理", "主管"}};
    snprintf(s->cname, sizeof s->cname, "%s%s", sur, titles[p->kind][below(r, 2)]);
    static const char *const prefixes[] = {"138", "139", "135", "136", "137", "150", "151",
                                           "152", "158", "159", "186", "187", "188", "189",
                                           "133", "153", "177", "180", "181", "199"};
    snprintf(s->phone, sizeof s->phone, "%s%08u", prefixes[below(r, 20)],
             (unsigned)sq_rng_below(r, 100000000u));
}

static int pick_community(struct gen *g, struct sq_rng *r)
{
    return pick_cum(r, g->comm_cum, g->w->ncommunities < 256 ? g->w->ncommunities : 256);
}

static void plan_location(struct gen *g, struct sq_rng *r, struct plan *p, int month)
{
    const struct sq_demo_world *w = g->w;
    if (p->kind == K_ENTERPRISE) {
        p->leaf = pick_cum(r, g->ent_cum, g->nleaves);
        p->loc = g->nents ? g->ents[below(r, g->nents)] : w->parks[0];
        if (p->pin == P_PARK0)
            p->loc = w->first_enterprise;
        if (p->loc == w->first_enterprise && (p->first || unit_rand(r) < 0.5))
            p->creator = g->u_enterprise;
        return;
    }
    int k = p->kind == K_RESIDENT ? 0 : p->kind == K_STUDENT ? 1 : 2;
    p->leaf = pick_cum(r, g->cum[k][month], g->nleaves);
    if (p->kind == K_STUDENT) {
        int u = pick_cum(r, g->univ_cum, w->nuniversities < 64 ? w->nuniversities : 64);
        if (p->pin == P_UNIV0)
            u = 0;
        p->loc = w->universities[u];
        if (unit_rand(r) < 0.3) { /* filed from a school: routed to its university */
            int first = -1, n = 0;
            for (int i = 0; i < g->nschools; i++)
                if (g->u[g->schools[i]].parent == p->loc) {
                    if (first < 0)
                        first = i;
                    n++;
                }
            if (n)
                p->loc = g->schools[first + below(r, n)];
        }
        if (u == 0 && (p->first || unit_rand(r) < (p->pin >= 0 ? 0.5 : 0.06)))
            p->creator = g->u_student;
    } else if (p->kind == K_EMPLOYEE) {
        int pk = pick_cum(r, g->park_cum, w->nparks < 16 ? w->nparks : 16);
        p->loc = w->parks[pk];
        if (unit_rand(r) < 0.5) {
            int first = -1, n = 0;
            for (int i = 0; i < g->nents; i++)
                if (g->u[g->ents[i]].parent == p->loc) {
                    if (first < 0)
                        first = i;
                    n++;
                }
            if (n)
                p->loc = g->ents[first + below(r, n)];
        }
    } else {
        int c = pick_community(g, r);
        if (p->pin == P_COMM0)
            c = 0;
        else if (p->pin == P_COMM1)
            c = 1;
        p->loc = w->communities[c];
        if (p->pin == P_STREET0 || p->pin == P_DEPT)
            p->loc = g->street0_comm;
        if (c == 0 && p->pin != P_STREET0 && p->pin != P_DEPT) {
            double x = unit_rand(r);
            if (p->first || x < (p->pin >= 0 ? 0.3 : 0.05))
                p->creator = g->u_resident;
            else if (x < 0.22)
                p->collector = g->u_gridworker;
        }
    }
}

/* The handling unit at intake: routing rules, then the tiered default
 * (school -> university, enterprise -> park, else the unit itself). */
static int64_t route(struct gen *g, const struct leaf *l, int64_t loc)
{
    int64_t h = sq_route_match(g->rules, g->nrules, &l->cat, g->u[loc].path);
    if (h > 0 && h < g->nu)
        return h;
    return sq_route_default_is_parent(g->u[loc].kind) && g->u[loc].parent ? g->u[loc].parent : loc;
}

static void set_handler(struct gen *g, int64_t unit)
{
    g->sim.a.handler_unit_id = unit;
    snprintf(g->sim.a.handler_unit_path, sizeof g->sim.a.handler_unit_path, "%s", g->u[unit].path);
    g->sim.a.handler_id = 0;
}

/* ---- merging duplicates ---- */

static struct master_slot *master_slot(struct gen *g, int64_t unit, int64_t cat)
{
    size_t i = (size_t)mix64((uint64_t)unit * 131 + (uint64_t)cat) & (MASTER_SLOTS - 1);
    return &g->masters[i];
}

/* ---- the lifecycle ---- */

enum { F_SATISFIED, F_BASIC, F_DISSATISFIED };

struct rating {
    int speed, result, attitude;
    const char *solved, *satisfaction, *comment;
};

/* Draws the rating for an outcome (not yet applied). */
static void draw_rating(struct sq_rng *r, int f, struct rating *rt)
{
    static const char *const sat[] = {"satisfied", "basically_satisfied", "dissatisfied"};
    double x = unit_rand(r);
    rt->satisfaction = sat[f];
    rt->solved = f == F_SATISFIED ? (x < 0.95 ? "solved" : "partly_solved")
                 : f == F_BASIC   ? (x < 0.6 ? "solved" : "partly_solved")
                                  : (x < 0.6 ? "not_solved" : "partly_solved");
    int base = f == F_SATISFIED ? 5 : f == F_BASIC ? 4 : 2;
    rt->speed = base - (unit_rand(r) < 0.25) - (f == F_DISSATISFIED && unit_rand(r) < 0.5);
    rt->result = base - (unit_rand(r) < 0.2);
    rt->attitude = base - (unit_rand(r) < 0.15) + (f == F_DISSATISFIED);
    rt->comment = pick(r, f == F_SATISFIED ? sq_tpl_comment_satisfied
                          : f == F_BASIC   ? sq_tpl_comment_basic
                                           : sq_tpl_comment_dissatisfied);
}

/* The rate action as the API records it; false once past "now". */
static bool rate(struct gen *g, int64_t t, int64_t rater, bool staff, const struct rating *rt)
{
    struct sq_appeal *a = &g->sim.a;
    char data[240];
    snprintf(data, sizeof data,
             "{\"speed\":%d,\"result\":%d,\"attitude\":%d,\"solved\":\"%s\",\"satisfaction\":"
             "\"%s\",\"comment\":\"%s\"%s}",
             rt->speed, rt->result, rt->attitude, rt->solved, rt->satisfaction, rt->comment,
             staff ? ",\"recorded_by_staff\":true" : "");
    if (!step(g, SQ_AA_RATE, t, rater, rt->comment, data))
        return false;
    a->rating_speed = rt->speed;
    a->rating_result = rt->result;
    a->rating_attitude = rt->attitude;
    snprintf(a->rating_solved, sizeof a->rating_solved, "%s", rt->solved);
    snprintf(a->satisfaction, sizeof a->satisfaction, "%s", rt->satisfaction);
    a->rating_comment = (char *)rt->comment; /* static text; the row is never freed */
    a->rated_at = now_of(g);
    return true;
}

/* When a person rates: some hours to three days after the reply, in the
 * daytime. */
static int64_t rating_time(struct sq_rng *r, int64_t resolved)
{
    int64_t t = resolved + 2 * HOUR + (int64_t)(unit_rand(r) * 3 * DAY);
    int64_t local = (t + SQ_TZ_OFFSET) % DAY;
    if (local < 8 * HOUR)
        t += 8 * HOUR - local + (int64_t)(unit_rand(r) * 4 * HOUR);
    else if (local > 22 * HOUR)
        t += DAY - local + 9 * HOUR;
    return t;
}

static bool resolve(struct gen *g, int64_t t, int64_t staff, const char *reply)
{
    struct sim *s = &g->sim;
    if (!step(g, SQ_AA_RESOLVE, t, staff, reply, NULL))
        return false;
    snprintf(s->reply, sizeof s->reply, "%s", reply);
    s->a.reply = s->reply;
    s->a.resolved_at = now_of(g);
    if (!s->a.accepted_at)
        s->a.accepted_at = now_of(g);
    return true;
}

/* Resolve, then rating, reopen on dissatisfaction and close. f is the final
 * outcome (-1: never rated). */
static void finish(struct gen *g, struct sq_rng *r, const struct plan *p, const struct leaf *l,
                   int64_t t_resolve, int f, bool reopen_first)
{
    struct sim *s = &g->sim;
    struct sq_appeal *a = &s->a;
    int64_t staff = handler_of(g, a->handler_unit_id);
    int64_t person = a->creator_id ? a->creator_id : a->collector_id;
    /* a person without an account is rated by phone follow-up (回访) */
    int64_t rater = person ? person : g->u_supervisor;
    struct rating rt;
    char data[96];
    if (!resolve(g, t_resolve, staff, s->final_reply) || p->stop == STOP_RESOLVED)
        return;
    if (f >= 0 && (reopen_first || f == F_DISSATISFIED)) {
        int first = f == F_DISSATISFIED || unit_rand(r) < 0.7 ? F_DISSATISFIED : F_BASIC;
        draw_rating(r, first, &rt);
        if (first == F_BASIC)
            rt.solved = "not_solved"; /* also reopens */
        if (!rate(g, rating_time(r, a->resolved_at), rater, !person, &rt))
            return;
        /* the API reopens at once (重办): same unit, half the time limit */
        snprintf(data, sizeof data, "{\"cause\":\"dissatisfied\",\"reopen_count\":%d}",
                 a->reopen_count + 1);
        if (!step(g, SQ_AA_REOPEN, now_of(g) + 1, 0, "评价不满意，自动重办", data))
            return;
        struct sq_appeal_ctx c = ctx_of(g);
        /* a first reopen stays with the unit: no tier above is needed */
        sq_appeal_reopen_state(a, &c, &l->sla[urgency_index(a->urgency)], NULL);
        if (unit_rand(r) < 0.6 &&
            !step(g, SQ_AA_NOTE, at_frac(g, now_of(g), 0.1 + 0.2 * unit_rand(r)), staff,
                  "已重新安排人员上门核实处理。", NULL))
            return;
        char again[640];
        snprintf(again, sizeof again, "（重办）%s", s->final_reply);
        if (!resolve(g, at_frac(g, now_of(g), 0.3 + 0.6 * unit_rand(r)), staff, again))
            return;
        /* after a dissatisfied ending the person does not rate again: it
         * closes as unrated and the last rating stays on record */
        if (f == F_DISSATISFIED)
            f = -1;
    }
    if (f >= 0) {
        draw_rating(r, f, &rt);
        if (!rate(g, rating_time(r, a->resolved_at), rater, !person, &rt))
            return;
        if (step(g, SQ_AA_CLOSE, now_of(g) + 3 * DAY, 0, NULL, NULL))
            a->closed_at = now_of(g);
        return;
    }
    if (step(g, SQ_AA_CLOSE, a->resolved_at + (int64_t)g->unrated_days * DAY, 0,
             "超过评价期限未评价，自动办结", "{\"unrated\":true}"))
        a->closed_at = now_of(g);
}

/* Simulates one appeal created at t0 (its row is in g->sim.a when done). */
static void simulate(struct gen *g, struct sq_rng *r, const struct plan *p, int64_t t0, int urgency)
{
    struct sim *s = &g->sim;
    struct sq_appeal *a = &s->a;
    const struct leaf *l = &g->leaves[p->leaf];
    const struct sq_sla *sla = &l->sla[urgency];
    char data[240];
    double x;

    /* intake */
    a->status = SQ_AS_SUBMITTED;
    a->created_at = t0;
    a->updated_at = t0;
    s->last = t0;
    set_handler(g, route(g, l, p->loc));
    sq_appeal_deadlines(&g->cal, sla, t0, g->warn_pct, a);
    snprintf(data, sizeof data,
             "{\"channel\":\"%s\",\"handler_unit_id\":%lld,\"response_hours\":%d,"
             "\"resolve_days\":%d}",
             a->channel, (long long)a->handler_unit_id, sla->response_hours, sla->resolve_days);
    emit(g, SQ_AA_SUBMIT, -1, SQ_AS_SUBMITTED, t0, a->creator_id ? a->creator_id : a->collector_id,
         NULL, data);
    if (p->stop == STOP_SUBMITTED && p->pin != P_STREET0 && p->pin != P_DEPT)
        goto out;

    int64_t staff = handler_of(g, a->handler_unit_id);
    double resp = (double)sla->response_hours * HOUR;
    bool late = unit_rand(r) < 0.02;
    x = unit_rand(r);
    int64_t t_acc = wsecs(g, t0, resp * (late ? 1.05 + 1.5 * x : 0.04 + 0.9 * x * x));

    /* pinned appeals of a street or department arrive by transfer */
    bool transfer = false;
    int64_t to_unit = 0;
    int kind_of_loc = g->u[a->handler_unit_id].kind;
    if (p->pin == P_STREET0 || p->pin == P_DEPT) {
        transfer = true;
        to_unit = p->pin == P_STREET0 ? g->w->streets[0] : g->w->departments[2];
    } else if (p->pin < 0) {
        double pt = kind_of_loc == SQ_UNIT_COMMUNITY ? 0.09 : p->kind == K_ENTERPRISE ? 0.25 : 0.05;
        if (unit_rand(r) < pt) {
            transfer = true;
            if (l->dept >= 0 && l->dept < g->w->ndepartments &&
                (kind_of_loc != SQ_UNIT_COMMUNITY || unit_rand(r) < 0.7))
                to_unit = g->w->departments[l->dept];
            else if (kind_of_loc == SQ_UNIT_COMMUNITY)
                to_unit = g->u[a->handler_unit_id].parent;
            if (to_unit == a->handler_unit_id || to_unit <= 0 || to_unit >= g->nu)
                transfer = false;
        }
    }

    /* rejected (不予受理) or merged into an open duplicate, instead of accepting */
    x = unit_rand(r);
    if (p->pin < 0 && p->kind != K_ENTERPRISE && x < 0.014) {
        if (step(g, SQ_AA_REJECT, t_acc, staff, NULL, NULL)) {
            struct ev *e = &s->ev[s->nev - 1];
            snprintf(s->reply, sizeof s->reply, "%s", pick(r, sq_tpl_reject_reasons));
            snprintf(e->note, sizeof e->note, "%s", s->reply);
            a->reply = s->reply;
            a->closed_at = now_of(g);
        }
        goto out;
    }
    if (p->pin < 0 && p->kind != K_ENTERPRISE && x < 0.026) {
        struct master_slot *m = master_slot(g, a->handler_unit_id, a->category_id);
        if (m->id && m->unit == a->handler_unit_id && m->cat == a->category_id && m->created < t0 &&
            t_acc < m->resolved - HOUR && t0 - m->created < 10 * DAY) {
            snprintf(data, sizeof data, "{\"master_id\":%lld}", (long long)m->id);
            if (step(g, SQ_AA_MERGE, t_acc, staff, "与已受理诉求重复，合并办理", data)) {
                a->master_id = m->id;
                snprintf(data, sizeof data, "{\"master_id\":%lld,\"master_tracking_no\":\"%s\"}",
                         (long long)m->id, m->tracking);
                snprintf(s->reply, sizeof s->reply, "%s", m->reply);
                if (step(g, SQ_AA_RESOLVE, m->resolved, staff, s->reply, data)) {
                    a->reply = s->reply;
                    a->resolved_at = m->resolved;
                }
            }
            goto out;
        }
    }

    /* transfer before or after accepting; a few come back (退回) */
    bool transfer_first = transfer && (p->pin >= 0 || unit_rand(r) < 0.5);
    bool returned =
        transfer && p->pin < 0 && g->u[to_unit].kind == SQ_UNIT_DEPARTMENT && unit_rand(r) < 0.08;
    if (transfer_first) {
        int64_t from = a->handler_unit_id;
        snprintf(data, sizeof data, "{\"from_unit_id\":%lld,\"to_unit_id\":%lld}", (long long)from,
                 (long long)to_unit);
        if (!step(g, SQ_AA_TRANSFER, wsecs(g, t0, resp * 0.3 * unit_rand(r)), staff,
                  pick(r, sq_tpl_transfer_reasons), data))
            goto out;
        set_handler(g, to_unit);
        staff = handler_of(g, to_unit);
        if (returned) {
            snprintf(data, sizeof data, "{\"from_unit_id\":%lld,\"to_unit_id\":%lld}",
                     (long long)to_unit, (long long)from);
            if (!step(g, SQ_AA_RETURN, wsecs(g, now_of(g), 2 * HOUR * unit_rand(r)), staff,
                      pick(r, sq_tpl_return_reasons), data))
                goto out;
            set_handler(g, from);
            staff = handler_of(g, from);
            transfer = false;
        }
        t_acc = wsecs(g, now_of(g), resp * (late ? 1.0 : 0.5) * unit_rand(r));
    }
    if (p->stop == STOP_SUBMITTED)
        goto out;
    if (!step(g, SQ_AA_ACCEPT, t_acc, staff, NULL, NULL))
        goto out;
    a->accepted_at = now_of(g);
    if (p->stop == STOP_ACCEPTED)
        goto out;
    if (transfer && !transfer_first) {
        int64_t from = a->handler_unit_id;
        snprintf(data, sizeof data, "{\"from_unit_id\":%lld,\"to_unit_id\":%lld}", (long long)from,
                 (long long)to_unit);
        if (!step(g, SQ_AA_TRANSFER, at_frac(g, now_of(g), 0.05 + 0.1 * unit_rand(r)), staff,
                  pick(r, sq_tpl_transfer_reasons), data))
            goto out;
        set_handler(g, to_unit);
        staff = handler_of(g, to_unit);
        if (!step(g, SQ_AA_ACCEPT, wsecs(g, now_of(g), resp * 0.6 * unit_rand(r)), staff, NULL,
                  NULL))
            goto out;
    }

    /* handling */
    if (staff && (p->pin >= 0 || unit_rand(r) < 0.6)) {
        snprintf(data, sizeof data, "{\"handler_id\":%lld}", (long long)staff);
        if (!step(g, SQ_AA_ASSIGN, wsecs(g, now_of(g), (0.1 + 2 * unit_rand(r)) * HOUR), staff,
                  NULL, data))
            goto out;
        a->handler_id = staff;
    }
    x = unit_rand(r);
    if (x < 0.15 && a->status == SQ_AS_ACCEPTED) {
        /* a first reply to the person moves the appeal into progress */
        const char *msg = pick(r, sq_tpl_progress_notes);
        if (!step(g, SQ_AA_REPLY, at_frac(g, now_of(g), 0.05 + 0.2 * unit_rand(r)), staff, msg,
                  NULL))
            goto out;
        snprintf(s->progress, sizeof s->progress, "%s", msg);
        a->reply = s->progress;
    } else if (x < 0.45) {
        if (!step(g, SQ_AA_NOTE, at_frac(g, now_of(g), 0.05 + 0.2 * unit_rand(r)), staff,
                  pick(r, sq_tpl_progress_notes), NULL))
            goto out;
    }
    if (p->stop == STOP_IN_PROGRESS) {
        if (a->status == SQ_AS_ACCEPTED && staff) {
            snprintf(data, sizeof data, "{\"handler_id\":%lld}", (long long)staff);
            if (step(g, SQ_AA_ASSIGN, wsecs(g, now_of(g), HOUR), staff, NULL, data))
                a->handler_id = staff;
        }
        goto out;
    }
    if (unit_rand(r) < 0.02) { /* 挂起: waiting for the person */
        if (!step(g, SQ_AA_SUSPEND, at_frac(g, now_of(g), 0.1 + 0.2 * unit_rand(r)), staff,
                  pick(r, sq_tpl_suspend_reasons), NULL))
            goto out;
        a->suspended_at = now_of(g);
        int64_t t = wsecs(g, now_of(g), (1 + 16 * unit_rand(r)) * 8.5 * HOUR / 8);
        int64_t who = a->creator_id && unit_rand(r) < 0.5 ? a->creator_id : staff;
        snprintf(data, sizeof data, "{\"paused_seconds\":%lld}",
                 (long long)((t > now_of(g) ? t : now_of(g) + 60) - a->suspended_at));
        if (!step(g, SQ_AA_RESUME, t, who, "当事人已补充材料。", data))
            goto out;
        /* resume pushes the deadlines by the paused working time */
        struct sq_appeal_ctx c = ctx_of(g);
        sq_appeal_resume_state(a, &c);
    }
    if (unit_rand(r) < 0.015) { /* 延期 requested and approved */
        int days = 2 + below(r, 8);
        snprintf(data, sizeof data, "{\"requested_days\":%d}", days);
        if (!step(g, SQ_AA_EXTEND, at_frac(g, now_of(g), 0.4 + 0.3 * unit_rand(r)), staff,
                  pick(r, sq_tpl_extend_reasons), data))
            goto out;
        a->extension_days = days;
        snprintf(data, sizeof data, "{\"approved\":true,\"days\":%d}", days);
        if (!step(g, SQ_AA_EXTEND, wsecs(g, now_of(g), (0.5 + 3 * unit_rand(r)) * HOUR),
                  admin_of(g, a->handler_unit_id), "同意延期", data))
            goto out;
        struct sq_appeal_ctx c = ctx_of(g);
        sq_appeal_extension_state(a, true, &c);
    }

    /* resolution: most on time, ~2.5% after the deadline */
    bool overdue = unit_rand(r) < (p->kind == K_ENTERPRISE ? 0.015 : 0.025);
    int64_t t_res;
    if (overdue && a->due_at) {
        int64_t span = sq_workcal_working_seconds_between(&g->cal, a->accepted_at, a->due_at);
        t_res = wsecs(g, a->due_at,
                      (0.05 + 0.7 * unit_rand(r)) * (double)(span > HOUR ? span : 8 * HOUR));
    } else {
        x = unit_rand(r);
        t_res = at_frac(g, now_of(g), 0.08 + 0.85 * x * (0.5 + 0.5 * x));
    }
    if (p->stop == STOP_RESOLVED && g->now > now_of(g)) /* resolved, awaiting the rating */
        t_res = now_of(g) + (int64_t)((double)(g->now - now_of(g)) * (0.3 + 0.5 * unit_rand(r)));
    /* the outcome the person will give in the end */
    int f = -1;
    double p_rated = p->kind == K_ENTERPRISE ? 0.95 : p->kind == K_STUDENT ? 0.8 : 0.86;
    if (unit_rand(r) < p_rated) {
        if (p->kind == K_ENTERPRISE) {
            /* error diffusion over the rated enterprise appeals: the
             * article's rate exactly, whatever the volume */
            g->ent_sat_acc += 1.0 - ENT_SATISFIED;
            g->ent_basic_acc += ENT_BASIC_SHARE;
            f = F_SATISFIED;
            if (g->ent_sat_acc >= 1.0) {
                g->ent_sat_acc -= 1.0;
                f = F_DISSATISFIED;
            } else if (g->ent_basic_acc >= 1.0) {
                g->ent_basic_acc -= 1.0;
                f = F_BASIC;
            }
        } else {
            x = unit_rand(r);
            double pd = overdue ? 0.12 : 0.022, pb = overdue ? 0.26 : 0.115;
            f = x < pd ? F_DISSATISFIED : x < pd + pb ? F_BASIC : F_SATISFIED;
        }
    }
    bool reopen_first = f >= 0 && f != F_DISSATISFIED && unit_rand(r) < 0.018;
    finish(g, r, p, l, t_res, f, reopen_first);
out:
    scheduler(g, g->now);
}

/* ---- the volume over time ---- */

struct day {
    int ymd;
    int64_t midnight;
    double w, w_ent;
    long n, n_ent;
};

static double day_weight(struct gen *g, const struct day *dd, int64_t start, int64_t end, bool ent)
{
    int month = dd->ymd / 100 % 100 - 1;
    time_t l = (time_t)(dd->midnight + SQ_TZ_OFFSET + 12 * HOUR);
    struct tm tm;
    gmtime_r(&l, &tm);
    double w = ent ? month_volume_ent[month] : month_volume[month];
    bool workday = sq_workcal_is_workday(&g->cal, dd->ymd);
    if (!workday)
        w *= ent ? 0.15 : (tm.tm_wday == 0 || tm.tm_wday == 6) ? 0.62 : 0.5;
    else if (tm.tm_wday == 1)
        w *= 1.12;
    /* adoption grows over the years */
    w *= 1.0 + 0.3 * (double)(dd->midnight - start) / (double)(end - start > 0 ? end - start : 1);
    return w;
}

/* Share of a day's submissions made before `secs` after local midnight. */
static double day_share(int ent, int64_t secs)
{
    double tot = 0, part = 0;
    for (int h = 0; h < 24; h++) {
        tot += hour_w[ent][h];
        if ((h + 1) * HOUR <= secs)
            part += hour_w[ent][h];
        else if (h * HOUR < secs)
            part += hour_w[ent][h] * (double)(secs - h * HOUR) / HOUR;
    }
    return part / tot;
}

/* Spreads total over the days in proportion to their weights, exactly. */
static void spread(struct day *days, int ndays, long total)
{
    double sum = 0, cum = 0;
    long prev = 0;
    for (int i = 0; i < ndays; i++)
        sum += days[i].w;
    for (int i = 0; i < ndays; i++) {
        cum += days[i].w;
        long cur = i == ndays - 1 ? total : sum > 0 ? (long)llround((double)total * cum / sum) : 0;
        days[i].n = cur - prev;
        prev = cur;
    }
}

struct stamp {
    int64_t t;
    int ent;
};

static int cmp_stamp(const void *x, const void *y)
{
    const struct stamp *a = x, *b = y;
    return a->t < b->t ? -1 : a->t > b->t ? 1 : a->ent - b->ent;
}

static struct year_sum *year_of(struct gen *g, int year)
{
    for (int i = 0; i < g->nyears; i++)
        if (g->years[i].year == year)
            return &g->years[i];
    if (g->nyears >= 16)
        return &g->years[15];
    g->years[g->nyears].year = year;
    return &g->years[g->nyears++];
}

static void account(struct gen *g, const struct sq_appeal *a)
{
    struct year_sum *y = year_of(g, local_date(a->created_at) / 10000);
    if (a->status == SQ_AS_MERGED)
        return; /* counted on the master, as in the aggregate */
    bool ent = !strcmp(a->kind, "enterprise");
    bool ok = a->rated_at && strcmp(a->satisfaction, "dissatisfied");
    y->total++;
    y->ent += ent;
    y->rated += a->rated_at != 0;
    y->ok += ok;
    if (ent) {
        y->ent_rated += a->rated_at != 0;
        y->ent_ok += ok;
    }
    y->overdue += a->overdue != 0;
    y->reopened += a->reopen_count > 0;
    y->open += sq_appeal_status_open(a->status);
}

/* Generates every appeal of the days, in time order. */
static int generate(struct gen *g, struct sq_detail *d)
{
    int64_t start = local_midnight(20240101);
    if (g->now - start < 60 * DAY) /* a clock set before 2024: three years back */
        start = local_midnight(local_date(g->now - 3 * 365 * DAY) / 100 * 100 + 1);
    int today = local_date(g->now);
    int ndays = (int)((local_midnight(today) - start) / DAY) + 1;
    struct day *days = calloc((size_t)ndays, sizeof *days);
    struct stamp *stamps = NULL;
    size_t stamps_cap = 0;
    int rc = -1;
    if (!days)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory"), -1;
    long total = g->o->appeals < 0 ? DEFAULT_VOLUME : g->o->appeals;
    double scale = total < DEFAULT_VOLUME ? (double)total / DEFAULT_VOLUME : 1.0;
    int64_t now_secs = g->now - local_midnight(today);
    for (int i = 0; i < ndays; i++) {
        days[i].midnight = start + (int64_t)i * DAY;
        days[i].ymd = local_date(days[i].midnight + 12 * HOUR);
        days[i].w = day_weight(g, &days[i], start, g->now, false);
        days[i].w_ent = day_weight(g, &days[i], start, g->now, true);
        if (days[i].ymd == today) {
            days[i].w *= day_share(0, now_secs);
            days[i].w_ent *= day_share(1, now_secs);
        }
    }
    /* enterprise appeals: a yearly volume each (2024 = the article's) */
    long ent_total = 0;
    for (int i = 0; i < ndays;) {
        int year = days[i].ymd / 10000, j = i;
        double wy = 0, wfull = 0;
        while (j < ndays && days[j].ymd / 10000 == year)
            wy += days[j++].w_ent;
        /* weight of the whole year, for a year still running or begun late */
        for (int64_t t = local_midnight(year * 10000 + 101); local_date(t) / 10000 == year;
             t += DAY) {
            struct day tmp = {.ymd = local_date(t + 12 * HOUR), .midnight = t};
            wfull += day_weight(g, &tmp, start, g->now, true);
        }
        double target = ENT_2024 * pow(ENT_GROWTH, year - 2024) * scale * (wy / wfull);
        double cum = 0;
        long prev = 0, ytotal = (long)llround(target);
        for (int k = i; k < j; k++) {
            cum += days[k].w_ent;
            long cur = k == j - 1 ? ytotal : (long)llround((double)ytotal * cum / wy);
            days[k].n_ent = cur - prev;
            prev = cur;
        }
        ent_total += ytotal;
        i = j;
    }
    if (ent_total > total / 5) { /* tiny demos: keep enterprises a minority */
        for (int i = 0; i < ndays; i++)
            days[i].n_ent = 0;
        ent_total = 0;
    }
    spread(days, ndays, total - ent_total);

    /* pinned appeals: the last three weeks feed the demo accounts' queues */
    long window = 0;
    for (int i = ndays - 21 > 0 ? ndays - 21 : 0; i < ndays; i++)
        window += days[i].n + days[i].n_ent;
    int quota[P__MAX], pins = 0;
    for (int i = 0; i < P__MAX; i++) {
        quota[i] = pin_quota[i];
        if (window < 80) /* small demos: fewer, but never none */
            quota[i] = (int)(window / 2 / P__MAX) > 4 ? (int)(window / 2 / P__MAX) : 4;
        pins += quota[i];
    }
    long pin_every = pins ? (window / pins > 1 ? window / pins : 1) : 0;
    long in_window = 0;
    int pin_next = 0, pin_used[P__MAX] = {0};

    long index = 0;
    for (int i = 0; i < ndays; i++) {
        struct day *dd = &days[i];
        long n = dd->n + dd->n_ent;
        int month = dd->ymd / 100 % 100 - 1;
        if ((size_t)n > stamps_cap) {
            stamps_cap = (size_t)n * 2;
            free(stamps);
            if (!(stamps = malloc(stamps_cap * sizeof *stamps))) {
                sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
                goto out;
            }
        }
        struct sq_rng dr;
        sq_rng_seed(&dr, g->o->seed ^ mix64((uint64_t)dd->ymd));
        int64_t limit = dd->ymd == today ? now_secs : DAY;
        for (long k = 0; k < n; k++) {
            int ent = k >= dd->n;
            double cumh[24], c = 0;
            for (int h = 0; h < 24; h++) {
                double hw = hour_w[ent][h];
                if (h * HOUR >= limit)
                    hw = 0;
                c += hw;
                cumh[h] = c;
            }
            int h = pick_cum(&dr, cumh, 24);
            int64_t sec = h * HOUR + (int64_t)(unit_rand(&dr) * HOUR);
            if (sec >= limit)
                sec = limit > 1
                          ? limit - 1 -
                                (int64_t)(unit_rand(&dr) * (double)(limit > 600 ? 600 : limit - 1))
                          : 0;
            stamps[k].t = dd->midnight + sec;
            stamps[k].ent = ent;
        }
        qsort(stamps, (size_t)n, sizeof *stamps, cmp_stamp);
        bool in_pin_window = i >= ndays - 21;
        for (long k = 0; k < n; k++, index++) {
            struct sq_rng r;
            struct plan p = {.pin = -1};
            struct sim *s = &g->sim;
            sq_rng_seed(&r, g->o->seed * 0x100000001B3ull ^ mix64((uint64_t)index + 1));
            memset(&s->a, 0, sizeof s->a);
            s->nev = 0;
            s->stop = false;
            if (in_pin_window && pin_every && in_window++ % pin_every == pin_every / 2) {
                for (int tries = 0; tries < P__MAX; tries++, pin_next = (pin_next + 1) % P__MAX)
                    if (pin_used[pin_next] < quota[pin_next]) {
                        p.pin = pin_next;
                        p.first = pin_used[pin_next] == 0;
                        p.stop = pin_stops[pin_used[pin_next]++ %
                                           (int)(sizeof pin_stops / sizeof pin_stops[0])];
                        pin_next = (pin_next + 1) % P__MAX;
                        break;
                    }
            }
            double x = unit_rand(&r);
            if (p.pin == P_UNIV0)
                p.kind = K_STUDENT;
            else if (p.pin == P_PARK0)
                p.kind = K_ENTERPRISE;
            else if (p.pin >= 0)
                p.kind = K_RESIDENT;
            else if (stamps[k].ent)
                p.kind = K_ENTERPRISE;
            else
                p.kind = x < 0.8 ? K_RESIDENT : x < 0.92 ? K_STUDENT : K_EMPLOYEE;
            plan_location(g, &r, &p, month);
            if (p.pin == P_DEPT) { /* what the housing bureau handles */
                static const char *const codes[] = {"GZ01", "GZ02", "DT02", "WY02"};
                const char *want = codes[below(&r, 4)];
                for (int q = 0; q < g->nleaves; q++)
                    if (!strcmp(g->leaves[q].code, want))
                        p.leaf = q;
            }
            const struct leaf *l = &g->leaves[p.leaf];
            struct sq_appeal *a = &s->a;
            snprintf(a->kind, sizeof a->kind, "%s", sq_appeal_kinds[p.kind]);
            int urg = urgency_index(l->cat.urgency);
            x = unit_rand(&r);
            if (urg == 0 && x < 0.04)
                urg = 1;
            else if (urg == 1 && x < 0.01)
                urg = 2;
            snprintf(a->urgency, sizeof a->urgency, "%s", sq_appeal_urgencies[urg]);
            a->category_id = l->id;
            a->unit_id = p.loc;
            a->creator_id = p.creator;
            a->collector_id = p.creator ? 0 : p.collector;
            x = unit_rand(&r);
            snprintf(a->channel, sizeof a->channel, "%s",
                     a->collector_id          ? "collector"
                     : x < 0.55               ? "web"
                     : x < 0.9                ? "api"
                     : p.kind == K_ENTERPRISE ? "web"
                                              : "open311");
            make_text(g, &r, &p, l);
            a->title = s->title;
            a->description = s->desc;
            a->address = s->address;
            a->contact_name = s->cname;
            a->contact_phone = s->phone;
            if (unit_rand(&r) < 0.6) {
                a->has_geo = true;
                a->lat = g->u[p.loc].lat + (unit_rand(&r) - 0.5) * 0.006;
                a->lon = g->u[p.loc].lon + (unit_rand(&r) - 0.5) * 0.006;
            }
            snprintf(a->tracking_no, sizeof a->tracking_no, "HS%08d%07d", dd->ymd,
                     (int)((k + 1) % 10000000));
            simulate(g, &r, &p, stamps[k].t, urg);
            if (s->bad) {
                sq_fail(d, SQ_EINTERNAL, NULL, "demo appeals: illegal timeline for %s",
                        a->tracking_no);
                goto out;
            }
            if (write_appeal(g, d))
                goto out;
            struct sq_appeal_contrib c;
            sq_appeal_contrib(a, &c);
            if (stat_add(g, &c)) {
                sq_fail(d, SQ_EINTERNAL, NULL, "demo appeals: too many aggregate keys");
                goto out;
            }
            account(g, a);
            g->count++;
            /* a resolved, never reopened, never transferred appeal may be a
             * master for later duplicates */
            if (a->resolved_at && !a->reopen_count && a->status != SQ_AS_MERGED &&
                a->status != SQ_AS_REJECTED && a->handler_unit_id == route(g, l, p.loc)) {
                struct master_slot *m = master_slot(g, a->handler_unit_id, a->category_id);
                m->unit = a->handler_unit_id;
                m->cat = a->category_id;
                m->id = a->id;
                m->created = a->created_at;
                m->resolved = a->resolved_at;
                snprintf(m->tracking, sizeof m->tracking, "%s", a->tracking_no);
                snprintf(m->reply, sizeof m->reply, "%s", s->reply);
            }
        }
        if (n) {
            if (demo_store_tracking_seq(dd->ymd, n, d))
                goto out;
        }
    }
    rc = 0;
out:
    free(stamps);
    free(days);
    return rc;
}

/* The secondary indexes of appeals and their events are dropped during the
 * load and built again after it: building an index from sorted rows costs a
 * fraction of keeping a dozen indexes up to date row by row. Their SQL comes from the schema
 * itself, so the migrations stay the only definition. */
static const char *const bulk_tables[] = {"appeals", "appeal_events", NULL};

static void print_summary(struct gen *g, double secs)
{
    long total = 0, rated = 0, ok = 0, overdue = 0, reopened = 0, open = 0;
    printf("demo appeals (synthetic): %ld appeals, %ld events in %.1f s\n", g->count, g->events,
           secs);
    for (int i = 0; i < g->nyears; i++) {
        const struct year_sum *y = &g->years[i];
        printf("  %d: %7ld appeals, satisfaction %.1f%% of %ld rated; enterprise %ld, "
               "satisfaction %.1f%%\n",
               y->year, y->total, y->rated ? 100.0 * (double)y->ok / (double)y->rated : 0.0,
               y->rated, y->ent,
               y->ent_rated ? 100.0 * (double)y->ent_ok / (double)y->ent_rated : 0.0);
        total += y->total;
        rated += y->rated;
        ok += y->ok;
        overdue += y->overdue;
        reopened += y->reopened;
        open += y->open;
    }
    if (total)
        printf("  overall: satisfaction %.1f%%, overdue %.1f%%, reopened %.1f%%, open now %ld\n",
               rated ? 100.0 * (double)ok / (double)rated : 0.0,
               100.0 * (double)overdue / (double)total, 100.0 * (double)reopened / (double)total,
               open);
}

int demo_appeals_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                          struct sq_rng *rng, struct sq_detail *d)
{
    static struct gen g; /* large; one demo per process */
    int rc = -1;
    if (o->appeals == 0)
        return 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(&g, 0, sizeof g);
    g.o = o;
    g.w = w;
    g.now = sq_clock_now();
    g.warn_pct = sq_app_config ? sq_app_config->warn_percent : 80;
    g.unrated_days = sq_app_config ? sq_app_config->unrated_days : 7;
    sq_workcal_init(&g.cal);
    g.masters = calloc(MASTER_SLOTS, sizeof *g.masters);
    if (!g.masters) {
        sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
        goto out;
    }
    struct sq_db_saved_indexes idx = {0};
    if (load_world(&g, rng, d) || sq_db_indexes_drop(bulk_tables, &idx, d) || generate(&g, d) ||
        stats_write(&g, d)) {
        sq_db_indexes_restore(&idx, NULL);
        goto out;
    }
    if (sq_db_indexes_restore(&idx, d))
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_summary(&g, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    rc = 0;
out:
    sq_workcal_cleanup(&g.cal);
    free(g.u);
    free(g.schools);
    free(g.ents);
    free(g.rules);
    free(g.stats);
    free(g.masters);
    memset(&g, 0, sizeof g);
    return rc;
}
