/*
 * stats api: the appeal KPIs per unit / category / month / kind / zone, the
 * same as CSV for spreadsheets, the monthly rankings and their weights.
 *
 * Scoping: a caller sees the subtree of a unit only when one of their grants
 * carrying STATS_READ covers it (sq_may); without `unit` the caller's widest
 * such unit is used. Every formula is in stats/kpi.c and docs/kpi.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/appeals.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "core/rcache.h"
#include "stats/stats.h"
#include "units/units.h"

#define MAX_SPAN_MONTHS 120

/* The widest unit in which the caller holds p (shortest path), or 0. */
static int64_t widest_unit(const struct sq_user *u, const struct sq_perm *p)
{
    const struct sq_grant *g = sq_widest_grant(u, p);
    return g ? g->unit_id : 0;
}

/* Reads an id query parameter; 0 when absent. Returns a reply status on
 * malformed input, else 0. */
static int query_id(struct sq_req *r, const char *name, int64_t *out)
{
    *out = sq_query_int(r, name, 0); /* declared: checked before the handler ran */
    return 0;
}

/* The scope unit: `unit` if given and covered by the caller's grants, else
 * the caller's widest unit. Returns 0 with *u filled, or the reply status. */
static int scope_unit(struct sq_req *r, struct sq_unit *u)
{
    int64_t id;
    int st;
    if ((st = query_id(r, "unit", &id)))
        return st;
    bool asked = id != 0;
    if (!id && !(id = widest_unit(r->user, SQ_PERM_STATS_READ)))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "you hold no role that reads statistics");
    if (units_store_get(id, u, NULL))
        return sq_reply_errf(r, asked ? SQ_EINVAL : SQ_ENOTFOUND, "unit", "no such unit");
    if (!sq_may(r->user, SQ_PERM_STATS_READ, u->path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, "unit",
                             "the statistics of this unit are outside your units");
    return 0;
}

static int query_month(struct sq_req *r, const char *name, int dflt, int *out)
{
    const char *s = sq_req_query(r, name);
    *out = s ? sq_month_parse(s) : dflt; /* declared SQ_Q_MONTH 2000-2099: checked */
    return 0;
}

static json_t *unit_json(const struct sq_unit *u)
{
    return json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->id, "name", u->name, "kind",
                     u->kind >= 0 && u->kind < SQ_UNIT_KIND__MAX ? sq_unit_kinds[u->kind] : "?");
}

/* ---- GET /stats/appeals and export.csv: shared parameters ---- */

struct stats_params {
    struct sq_unit unit;
    struct sq_stats_query q;
    char kind[16];
};

static int parse_stats_params(struct sq_req *r, struct stats_params *p)
{
    int st, now = sq_month_of(sq_clock_now());
    memset(p, 0, sizeof *p);
    if ((st = scope_unit(r, &p->unit)))
        return st;
    p->q.unit_path = p->unit.path;
    if ((st = query_month(r, "to", now, &p->q.to)) ||
        (st = query_month(r, "from", sq_month_add(p->q.to, -11), &p->q.from)))
        return st;
    if (p->q.from > p->q.to)
        return sq_reply_errf(r, SQ_EINVAL, "from", "from must not be after to");
    if (sq_month_diff(p->q.from, p->q.to) >= MAX_SPAN_MONTHS)
        return sq_reply_errf(r, SQ_EINVAL, "from", "at most %d months at once", MAX_SPAN_MONTHS);
    const char *g = sq_req_query(r, "group_by");
    p->q.group = SQ_SG_NONE;
    for (int i = 0; g && sq_stats_groups[i]; i++)
        if (!strcmp(g, sq_stats_groups[i]))
            p->q.group = i;
    if ((st = query_id(r, "category", &p->q.category_id)))
        return st;
    const char *kind = sq_req_query(r, "kind");
    if (kind) {
        snprintf(p->kind, sizeof p->kind, "%s", kind);
        p->q.kind = p->kind;
    }
    return 0;
}

static int stats_appeals(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct stats_params p;
    struct sq_kpi totals;
    struct sq_stats_group_row *g = NULL;
    int n = 0, st;
    char from[8], to[8], key[512], *text;
    size_t len;
    /* read before anything else is: the unit too (see core/rcache.h) */
    uint64_t gen = sq_rcache_generation();
    if ((st = parse_stats_params(r, &p)))
        return st;
    /* the caller's scope is the resolved unit, authorised just above; the key
     * holds it and every parameter, the reply depends on nothing else */
    snprintf(key, sizeof key,
             "stats/appeals unit=%lld path=%s from=%d to=%d group=%d cat=%lld kind=%s",
             (long long)p.unit.id, p.unit.path, p.q.from, p.q.to, p.q.group,
             (long long)p.q.category_id, p.q.kind ? p.q.kind : "");
    if (sq_rcache_get(key, &text, &len))
        return sq_reply_json_text(r, 200, text, len);
    enum sq_err e = stats_store_query(&p.q, p.unit.id, &totals, &g, &n, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_month_format(p.q.from, from);
    sq_month_format(p.q.to, to);
    json_t *tj = json_object(), *groups = json_array();
    sq_kpi_json(tj, &totals);
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:s}", "key", g[i].key, "label", g[i].label);
        if (g[i].id)
            json_object_set_new(o, "id", json_integer(g[i].id));
        if (p.q.group == SQ_SG_CATEGORY) {
            json_object_set_new(o, "parent_id",
                                g[i].parent_id ? json_integer(g[i].parent_id) : json_null());
            sq_json_set_str(o, "parent_label", g[i].parent_label);
        }
        sq_kpi_json(o, &g[i].k);
        json_array_append_new(groups, o);
    }
    free(g);
    json_t *out =
        json_pack("{s:o,s:s,s:s,s:s,s:o,s:o}", "unit", unit_json(&p.unit), "from", from, "to", to,
                  "group_by", sq_stats_groups[p.q.group], "totals", tj, "groups", groups);
    json_object_set_new(out, "category_id",
                        p.q.category_id ? json_integer(p.q.category_id) : json_null());
    sq_json_set_str(out, "kind", p.q.kind);
    /* serialised here as core/http would, so that the cache keeps the text */
    text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(out);
    if (!text)
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "out of memory");
    len = strlen(text);
    sq_rcache_put(key, gen, text, len);
    return sq_reply_json_text(r, 200, text, len);
}

/* ---- CSV ---- */

/* Appends one CSV field: quoted when needed; a leading = + - @ is defused
 * with a quote so spreadsheets do not run it as a formula. */
static void csv_field(FILE *f, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool formula = (*s == '=' || *s == '+' || *s == '-' || *s == '@');
    if (quote || formula) {
        fputc('"', f);
        if (formula)
            fputc('\'', f);
        for (const char *c = s; *c; c++) {
            if (*c == '"')
                fputc('"', f);
            fputc(*c, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void csv_num(FILE *f, bool has, double v, const char *fmt, bool last)
{
    char b[32] = "";
    if (has)
        snprintf(b, sizeof b, fmt, v);
    csv_field(f, b, last);
}

static void csv_row(FILE *f, const char *key, const char *label, const struct sq_kpi *k)
{
    struct sq_kpi_rates r;
    char b[32];
    sq_kpi_rates(k, &r);
    csv_field(f, key, false);
    csv_field(f, label, false);
    const int64_t v[] = {k->total,
                         k->responded,
                         k->responded_on_time,
                         k->resolved,
                         k->resolved_on_time,
                         k->rejected,
                         k->total - k->resolved - k->rejected,
                         k->overdue,
                         k->reopened,
                         k->rated,
                         k->resolved - k->rated > 0 ? k->resolved - k->rated : 0,
                         k->satisfied,
                         k->basically_satisfied,
                         k->dissatisfied,
                         k->solved};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        snprintf(b, sizeof b, "%lld", (long long)v[i]);
        csv_field(f, b, false);
    }
    csv_num(f, r.has_response, r.response * 100, "%.2f%%", false);
    csv_num(f, r.has_response_on_time, r.response_on_time * 100, "%.2f%%", false);
    csv_num(f, r.has_completion, r.completion * 100, "%.2f%%", false);
    csv_num(f, r.has_resolution, r.resolution * 100, "%.2f%%", false);
    csv_num(f, r.has_satisfaction, r.satisfaction * 100, "%.2f%%", false);
    csv_num(f, r.has_rating, r.rating * 100, "%.2f%%", false);
    csv_num(f, r.has_on_time, r.on_time * 100, "%.2f%%", false);
    csv_num(f, r.has_overdue, r.overdue * 100, "%.2f%%", false);
    csv_num(f, r.has_avg_response, r.avg_response_hours, "%.2f", false);
    csv_num(f, r.has_avg_handle, r.avg_handle_hours, "%.2f", true);
}

static const char *const csv_headers[] = {
    "分组",
    "名称",
    "诉求总数",
    "已响应",
    "按时响应",
    "已办结",
    "按时办结",
    "不予受理",
    "在办",
    "超期",
    "重办",
    "已评价",
    "未评价",
    "满意",
    "基本满意",
    "不满意",
    "已解决",
    "响应率",
    "及时响应率",
    "办结率",
    "解决率",
    "满意率",
    "参评率",
    "按时办结率",
    "超期率",
    "平均响应时长(小时)",
    "平均办理时长(小时)",
};

static int stats_export_csv(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct stats_params p;
    struct sq_kpi totals;
    struct sq_stats_group_row *g = NULL;
    int n = 0, st;
    char *buf = NULL, from[8], to[8], disp[160];
    size_t len = 0;
    if ((st = parse_stats_params(r, &p)))
        return st;
    enum sq_err e = stats_store_query(&p.q, p.unit.id, &totals, &g, &n, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        free(g);
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "out of memory");
    }
    fputs("\xEF\xBB\xBF", f); /* BOM: spreadsheets then read UTF-8 */
    size_t nh = sizeof csv_headers / sizeof csv_headers[0];
    for (size_t i = 0; i < nh; i++)
        csv_field(f, csv_headers[i], i + 1 == nh);
    csv_row(f, "合计", p.unit.name, &totals);
    for (int i = 0; i < n; i++)
        csv_row(f, g[i].key, g[i].label, &g[i].k);
    fclose(f);
    free(g);
    sq_month_format(p.q.from, from);
    sq_month_format(p.q.to, to);
    snprintf(disp, sizeof disp, "attachment; filename=\"appeal-stats-%lld-%s-%s.csv\"",
             (long long)p.unit.id, from, to);
    sq_reply_header(r, "Content-Disposition", disp);
    st = sq_reply_raw(r, 200, "text/csv; charset=utf-8", buf, len, true);
    free(buf);
    return st;
}

/* ---- rankings ---- */

static const char *const levels[] = {"community", "street", "department", NULL};

static int find_rank(const struct sq_rank_row *rows, int n, int64_t unit_id)
{
    for (int i = 0; i < n; i++)
        if (rows[i].unit_id == unit_id)
            return rows[i].rank;
    return 0;
}

static json_t *settings_json(const struct sq_kpi_settings *s)
{
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:i}", "weight_response", s->w_response,
                     "weight_resolution", s->w_resolution, "weight_satisfaction", s->w_satisfaction,
                     "weight_on_time", s->w_on_time, "overdue_penalty", s->overdue_penalty,
                     "min_volume", s->min_volume);
}

static int stats_rankings(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit scope;
    struct sq_kpi_settings set;
    struct sq_rank_row *cur = NULL, *prev = NULL;
    int ncur = 0, nprev = 0, month, st;
    char ms[8], pms[8];
    enum sq_err e;
    if ((st = scope_unit(r, &scope)) ||
        (st = query_month(r, "month", sq_month_of(sq_clock_now()), &month)))
        return st;
    const char *level = sq_req_query(r, "level");
    if (!level)
        level = "community";
    if ((e = stats_store_settings_get(&set, &d)) ||
        (e = stats_store_level(scope.path, level, month, &cur, &ncur, &d)) ||
        (e = stats_store_level(scope.path, level, sq_month_add(month, -1), &prev, &nprev, &d))) {
        free(cur);
        return sq_reply_err(r, e, &d);
    }
    sq_kpi_rank(cur, ncur, &set);
    sq_kpi_rank(prev, nprev, &set);
    json_t *items = json_array(), *not_ranked = json_array();
    for (int i = 0; i < ncur; i++) {
        const struct sq_rank_row *row = &cur[i];
        json_t *o = json_pack("{s:I,s:s}", "unit_id", (json_int_t)row->unit_id, "name", row->name);
        json_object_set_new(o, "score", row->has_score ? json_real(row->score) : json_null());
        if (row->ranked) {
            int pr = find_rank(prev, nprev, row->unit_id);
            json_object_set_new(o, "rank", json_integer(row->rank));
            json_object_set_new(o, "prev_rank", pr ? json_integer(pr) : json_null());
            json_object_set_new(o, "movement", pr ? json_integer(pr - row->rank) : json_null());
        } else {
            json_object_set_new(o, "reason",
                                json_string(row->k.total < set.min_volume || !row->k.total
                                                ? "below_min_volume"
                                                : "no_rated_data"));
        }
        sq_kpi_json(o, &row->k);
        json_array_append_new(row->ranked ? items : not_ranked, o);
    }
    free(cur);
    free(prev);
    sq_month_format(month, ms);
    sq_month_format(sq_month_add(month, -1), pms);
    json_t *out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "month", ms, "prev_month", pms,
                            "level", level, "unit", unit_json(&scope), "settings",
                            settings_json(&set), "items", items, "not_ranked", not_ranked);
    return sq_reply_json(r, 200, out);
}

/* ---- settings ---- */

static int stats_settings_get(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_kpi_settings s;
    enum sq_err e = stats_store_settings_get(&s, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    return sq_reply_json(r, 200, settings_json(&s));
}

static const struct sq_field settings_fields[] = {
    {.name = "weight_response", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "weight_resolution", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "weight_satisfaction", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "weight_on_time", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "overdue_penalty", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "min_volume", .type = SQ_F_INT, .min = 0, .max = 1000000},
    {0},
};

static int stats_settings_put(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_kpi_settings s;
    enum sq_err e;
    if ((e = sq_validate(r->json, settings_fields, &d)) || (e = stats_store_settings_get(&s, &d)))
        return sq_reply_err(r, e, &d);
    s.w_response = sq_json_num(r->json, "weight_response", s.w_response);
    s.w_resolution = sq_json_num(r->json, "weight_resolution", s.w_resolution);
    s.w_satisfaction = sq_json_num(r->json, "weight_satisfaction", s.w_satisfaction);
    s.w_on_time = sq_json_num(r->json, "weight_on_time", s.w_on_time);
    s.overdue_penalty = sq_json_num(r->json, "overdue_penalty", s.overdue_penalty);
    s.min_volume = (int)sq_json_int(r->json, "min_volume", s.min_volume);
    if ((e = sq_kpi_settings_check(&s, &d)) || (e = stats_store_settings_put(&s, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kpi_settings_put", "settings", 0, r->ip, r->json);
    return sq_reply_json(r, 200, settings_json(&s));
}

/* ---- declared query parameters ---- */

static const struct sq_query stats_query[] = {
    {.name = "unit", .type = SQ_Q_ID, .desc = "scope unit id (default: your widest unit)"},
    {.name = "from",
     .type = SQ_Q_MONTH,
     .min = 2000,
     .max = 2099,
     .desc = "first month YYYY-MM (default 11 months before to)"},
    {.name = "to",
     .type = SQ_Q_MONTH,
     .min = 2000,
     .max = 2099,
     .desc = "last month YYYY-MM (default this month)"},
    {.name = "group_by",
     .type = SQ_Q_ENUM,
     .choices = sq_stats_groups,
     .desc = "one row per group"},
    {.name = "category", .type = SQ_Q_ID, .desc = "category id"},
    {.name = "kind", .type = SQ_Q_ENUM, .choices = sq_appeal_kinds, .desc = "kind of person"},
    {0},
};

static const struct sq_query rankings_query[] = {
    {.name = "unit", .type = SQ_Q_ID, .desc = "scope unit id (default: your widest unit)"},
    {.name = "month",
     .type = SQ_Q_MONTH,
     .min = 2000,
     .max = 2099,
     .desc = "YYYY-MM (default this month)"},
    {.name = "level",
     .type = SQ_Q_ENUM,
     .choices = levels,
     .desc = "which units are ranked (default community)"},
    {0},
};

const struct sq_route stats_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/stats/appeals",
     .query = stats_query,
     .fn = stats_appeals,
     .perm = SQ_PERM_STATS_READ,
     .summary =
         "appeal KPIs of a unit subtree: unit, from, to (YYYY-MM), group_by, category, kind"},
    {.method = "GET",
     .pattern = "/api/v1/stats/export.csv",
     .query = stats_query,
     .fn = stats_export_csv,
     .perm = SQ_PERM_STATS_READ,
     .summary = "the same KPIs as CSV (UTF-8 with BOM, zh-CN headers)"},
    {.method = "GET",
     .pattern = "/api/v1/stats/rankings",
     .query = rankings_query,
     .fn = stats_rankings,
     .perm = SQ_PERM_STATS_READ,
     .summary = "monthly composite-score ranking: month, level=community|street|department, unit"},
    {.method = "GET",
     .pattern = "/api/v1/stats/settings",
     .fn = stats_settings_get,
     .perm = SQ_PERM_STATS_READ,
     .summary = "KPI weights, overdue penalty and minimum volume"},
    {.method = "PUT",
     .pattern = "/api/v1/stats/settings",
     .body = settings_fields,
     .fn = stats_settings_put,
     .perm = SQ_PERM_ADMIN,
     .summary = "change the KPI weights, overdue penalty or minimum volume"},
    {0},
};
