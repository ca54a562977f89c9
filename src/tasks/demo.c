/*
 * tasks demo: the synthetic tracked tasks of `sanqu demo` — council
 * decisions (议事会决议), co-building agreement obligations (共建协议),
 * rotating secretaries' commitments (任职承诺) and livelihood-project and
 * challenge milestones (里程碑), owed by streets, communities, campuses and
 * parks over the last half year. Every title says 演示 (synthetic); the
 * source records (council decision 7, agreement 12 ...) are numbers only
 * until those domains exist.
 *
 * Each task is played forward with the real rules, in time order: created,
 * started, a progress note, warned at the configured share of its time,
 * overdue and escalated up the tree every escalate_days working days (the
 * scheduler's rules, core/deadline.h), and for most of them done with
 * evidence; a few are cancelled. Everything goes through the tasks store.
 * Deterministic for a seed (its own PRNG draws) and the day it runs.
 */
#include <stdio.h>
#include <string.h>

#include "appeals/appeals.h"
#include "core/clock.h"
#include "demo/demo.h"
#include "tasks/tasks.h"

#define DAY 86400
#define DEMO_TASKS 320

static const struct {
    const char *domain, *label;
    const char *const titles[6];
} kinds[] = {
    {"council_decision",
     "议事会决议",
     {"小区楼道杂物清理", "增设电动自行车充电桩", "老旧小区雨污分流改造", "社区食堂试运营",
      "夜间施工噪音协调", "小区停车位重新划线"}},
    {"agreement",
     "共建协议",
     {"高校体育场馆向居民错时开放", "大学生志愿者进社区辅导作业", "园区企业提供就业见习岗位",
      "联合开展防诈骗宣传", "共建党员活动阵地", "图书馆资源进社区"}},
    {"commitment",
     "轮值书记任职承诺",
     {"走访园区企业不少于20家", "解决企业用工诉求", "组织园区联组学习", "推动司机之家建设",
      "建立企业诉求直通车", "举办园区招聘会"}},
    {"project_milestone",
     "民生实事里程碑",
     {"加装电梯完成方案公示", "加装电梯开工", "非机动车棚建成", "新增停车位交付",
      "十件实事清单项目验收", "年度服务项目中期评估"}},
    {"challenge_milestone",
     "揭榜挂帅里程碑",
     {"揭榜团队提交技术方案", "完成样机测试", "中期成果汇报", "技术合同签订", "成果转化落地",
      "项目结题验收"}},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *const evidence[] = {
    "已完成，现场照片与验收记录已归档。",
    "已办结，居民代表签字确认。",
    "已完成，详见会议纪要。",
    "已落实，台账已更新。",
};

struct sim {
    const struct sq_workcal *cal;
    int every_days, warn_percent;
    int64_t actor;
};

/* Applies b over *t at `at` and makes b the new *t. */
static int step(struct sq_task *t, struct sq_task *b, const char *kind, int64_t actor,
                const char *body, const struct sq_task_escalation *esc, int64_t at,
                struct sq_detail *d)
{
    if (at <= t->updated_at)
        at = t->updated_at + 1;
    if (tasks_store_apply(t, b, kind, actor, body, esc, at, d))
        return -1;
    b->version = t->version + 1;
    b->updated_at = at;
    sq_task_cleanup(t);
    *t = *b;
    memset(b, 0, sizeof *b);
    return 0;
}

/* Plays the scheduler's warnings and escalations forward until `until`. */
static int simulate(const struct sim *s, struct sq_task *t, int64_t until, struct sq_detail *d)
{
    for (int guard = 0; guard < 64; guard++) {
        struct sq_task b;
        if (!t->warned && t->warn_at && t->warn_at < t->due_at && t->warn_at <= until) {
            sq_task_copy(&b, t);
            b.warned = 1;
            if (step(t, &b, "warn", 0, "办理时限即将届满 / the deadline is near", NULL, t->warn_at,
                     d))
                return -1;
        } else if (!t->overdue && t->due_at <= until) {
            sq_task_copy(&b, t);
            b.overdue = b.warned = 1;
            if (step(t, &b, "overdue", 0, "已超过截止时间 / past the deadline", NULL, t->due_at, d))
                return -1;
        } else if (t->overdue && (t->escalation_level == 0 ||
                                  (t->next_escalation_at && t->next_escalation_at <= until))) {
            int64_t at = t->escalation_level ? t->next_escalation_at : t->due_at, to = 0;
            sq_task_copy(&b, t);
            tasks_escalate(s->cal, s->every_days, at, &b, &to);
            struct sq_task_escalation esc = {.level = b.escalation_level,
                                             .round = t->escalation_round + 1,
                                             .to_unit_id = to,
                                             .due_at = t->due_at};
            char body[96];
            snprintf(body, sizeof body, "超期自动督办（第%d次） / escalated (round %d)", esc.round,
                     esc.round);
            if (step(t, &b, "escalate", 0, body, &esc, at, d))
                return -1;
        } else {
            return 0;
        }
    }
    return 0;
}

static int64_t owner_of(const struct sq_demo_world *w, struct sq_rng *rng, int k)
{
    /* commitments belong to parks' joint committees, agreements to campuses
     * and communities, the rest mostly to communities and streets */
    uint32_t r = sq_rng_below(rng, 100);
    if (k == 2 && w->nparks)
        return w->parks[sq_rng_below(rng, (uint32_t)w->nparks)];
    if (k == 1 && r < 40 && w->nuniversities)
        return w->universities[sq_rng_below(rng, (uint32_t)w->nuniversities)];
    if (k == 4 && w->nuniversities)
        return w->universities[sq_rng_below(rng, (uint32_t)w->nuniversities)];
    if (r < 25 && w->nstreets)
        return w->streets[sq_rng_below(rng, (uint32_t)w->nstreets)];
    if (w->ncommunities)
        return w->communities[sq_rng_below(rng, (uint32_t)w->ncommunities)];
    return w->district;
}

static int one_task(const struct sim *s, const struct sq_demo_world *w, struct sq_rng *rng, int i,
                    int64_t now, struct sq_detail *d)
{
    int k = (int)sq_rng_below(rng, NKINDS);
    struct sq_task t = {0}, b;
    char title[256];
    int rc = -1;
    snprintf(title, sizeof title, "【演示】%s：%s（第%d号）", kinds[k].label,
             kinds[k].titles[sq_rng_below(rng, 6)], 1 + i / 2);
    sq_task_set(&t.title, title);
    sq_task_set(&t.description,
                "演示数据（合成，非真实记录）/ synthetic demo data, not a real record");
    t.owner_unit_id = owner_of(w, rng, k);
    snprintf(t.source_domain, sizeof t.source_domain, "%s", kinds[k].domain);
    t.source_id = 1 + i / 3;
    t.state = SQ_TS_OPEN;
    t.created_by = s->actor;
    /* set during working hours: now is UTC midnight, 08:00 in the district */
    t.created_at =
        now - (int64_t)(5 + sq_rng_below(rng, 175)) * DAY + 3600 + sq_rng_below(rng, 8 * 3600);
    int days = 5 + (int)sq_rng_below(rng, 40);
    int64_t due = sq_workcal_add_working_days(s->cal, t.created_at, days);
    if (due == SQ_WORKCAL_NEVER)
        due = t.created_at + (int64_t)days * DAY;
    tasks_set_deadline(s->cal, s->warn_percent, t.created_at, &t, due);
    if (tasks_store_insert(&t, s->actor, "", d))
        goto out;
    /* started, one progress note a quarter of the way */
    int64_t span = t.due_at - t.created_at;
    uint32_t fate = sq_rng_below(rng, 100);
    if (fate < 5) { /* cancelled early */
        sq_task_copy(&b, &t);
        b.state = SQ_TS_CANCELLED;
        b.cancelled_at = t.created_at + span / 5;
        rc = step(&t, &b, "cancel", s->actor,
                  "上级决议调整，任务撤销 / withdrawn after the "
                  "decision changed",
                  NULL, b.cancelled_at, d);
        goto out;
    }
    if (fate < 90 && t.created_at + 2 * 3600 < now) {
        sq_task_copy(&b, &t);
        b.state = SQ_TS_IN_PROGRESS;
        if (step(&t, &b, "start", s->actor, "", NULL, t.created_at + 2 * 3600, d))
            goto out;
        if (t.created_at + span / 4 < now) {
            sq_task_copy(&b, &t);
            if (step(&t, &b, "note", s->actor, "已召开专题会部署，正在推进 / under way", NULL,
                     t.created_at + span / 4, d))
                goto out;
        }
    }
    /* most are done: on time (between 30 % and 95 % of the span), a few
     * late (a few days after the deadline); the rest are still open */
    int64_t done_at = 0;
    if (fate < 70)
        done_at = t.created_at + span * (30 + (int64_t)sq_rng_below(rng, 65)) / 100;
    else if (fate < 80)
        done_at = t.due_at + (int64_t)(1 + sq_rng_below(rng, 6)) * DAY;
    if (done_at && done_at >= now)
        done_at = 0;
    if (simulate(s, &t, done_at ? done_at : now, d))
        goto out;
    if (done_at) {
        sq_task_copy(&b, &t);
        b.state = SQ_TS_DONE;
        b.done_at = done_at;
        b.done_by = s->actor;
        b.next_escalation_at = 0;
        sq_task_set(&b.evidence, evidence[sq_rng_below(rng, 4)]);
        if (step(&t, &b, "done", s->actor, b.evidence, NULL, done_at, d))
            goto out;
    }
    rc = 0;
out:
    sq_task_cleanup(&t);
    return rc;
}

int tasks_demo_generate(const struct sq_demo_opts *o, const struct sq_demo_world *w,
                        struct sq_rng *rng, struct sq_detail *d)
{
    (void)o;
    struct sim s = {
        .every_days =
            sq_app_config && sq_app_config->escalate_days > 0 ? sq_app_config->escalate_days : 2,
        .warn_percent =
            sq_app_config && sq_app_config->warn_percent > 0 ? sq_app_config->warn_percent : 80,
        .actor = w->nusers ? w->users[0] : 0,
    };
    /* its own stream, so the other generators' draws do not move it */
    struct sq_rng r;
    sq_rng_seed(&r, sq_rng_next(rng) ^ 0x7461736b73ull);
    int64_t now = sq_clock_now() / DAY * DAY;
    int rc = 0;
    s.cal = appeals_calendar_acquire();
    for (int i = 0; i < DEMO_TASKS && !rc; i++)
        rc = one_task(&s, w, &r, i, now, d);
    appeals_calendar_release();
    if (!rc)
        printf("demo tasks (synthetic): %d council decisions, agreement obligations, commitments "
               "and milestones\n",
               DEMO_TASKS);
    return rc;
}
