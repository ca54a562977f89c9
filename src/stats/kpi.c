/*
 * kpi: the formulas of docs/kpi.md — rates from counters, the composite
 * score, months and the ranking order. Pure arithmetic; every number the
 * stats API shows comes from here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "stats/stats.h"

/* ---- counters and rates ---- */

void sq_kpi_add(struct sq_kpi *a, const struct sq_kpi *b)
{
    a->total += b->total;
    a->responded += b->responded;
    a->responded_on_time += b->responded_on_time;
    a->resolved += b->resolved;
    a->resolved_on_time += b->resolved_on_time;
    a->rejected += b->rejected;
    a->overdue += b->overdue;
    a->reopened += b->reopened;
    a->rated += b->rated;
    a->satisfied += b->satisfied;
    a->basically_satisfied += b->basically_satisfied;
    a->dissatisfied += b->dissatisfied;
    a->solved += b->solved;
    a->response_secs += b->response_secs;
    a->handle_secs += b->handle_secs;
}

/* num/den into *v when den > 0; returns whether there is data. */
static bool ratio(int64_t num, int64_t den, double *v)
{
    *v = den > 0 ? (double)num / (double)den : 0;
    return den > 0;
}

void sq_kpi_rates(const struct sq_kpi *k, struct sq_kpi_rates *r)
{
    memset(r, 0, sizeof *r);
    r->has_response = ratio(k->responded, k->total, &r->response);
    r->has_response_on_time = ratio(k->responded_on_time, k->responded, &r->response_on_time);
    r->has_completion = ratio(k->resolved, k->total, &r->completion);
    r->has_resolution = ratio(k->solved, k->rated, &r->resolution);
    r->has_satisfaction = ratio(k->satisfied + k->basically_satisfied, k->rated, &r->satisfaction);
    r->has_rating = ratio(k->rated, k->resolved, &r->rating);
    r->has_on_time = ratio(k->resolved_on_time, k->resolved, &r->on_time);
    r->has_overdue = ratio(k->overdue, k->total, &r->overdue);
    r->has_avg_response = ratio(k->response_secs, k->responded * 3600, &r->avg_response_hours);
    r->has_avg_handle = ratio(k->handle_secs, k->resolved * 3600, &r->avg_handle_hours);
}

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

static json_t *rate_json(bool has, double v, double unit)
{
    return has ? json_real(round_to(v, unit)) : json_null();
}

void sq_kpi_json(json_t *o, const struct sq_kpi *k)
{
    struct sq_kpi_rates r;
    sq_kpi_rates(k, &r);
    const struct {
        const char *name;
        int64_t v;
    } counts[] = {
        {"total", k->total},
        {"responded", k->responded},
        {"responded_on_time", k->responded_on_time},
        {"resolved", k->resolved},
        {"resolved_on_time", k->resolved_on_time},
        {"on_time", k->resolved_on_time},
        {"rejected", k->rejected},
        {"pending", k->total - k->resolved - k->rejected},
        {"overdue", k->overdue},
        {"reopened", k->reopened},
        {"rated", k->rated},
        {"unrated", k->resolved - k->rated > 0 ? k->resolved - k->rated : 0},
        {"satisfied", k->satisfied},
        {"basically_satisfied", k->basically_satisfied},
        {"dissatisfied", k->dissatisfied},
        {"solved", k->solved},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        json_object_set_new(o, counts[i].name, json_integer(counts[i].v));
    json_object_set_new(o, "response_rate", rate_json(r.has_response, r.response, 1e-4));
    json_object_set_new(o, "response_on_time_rate",
                        rate_json(r.has_response_on_time, r.response_on_time, 1e-4));
    json_object_set_new(o, "completion_rate", rate_json(r.has_completion, r.completion, 1e-4));
    json_object_set_new(o, "resolution_rate", rate_json(r.has_resolution, r.resolution, 1e-4));
    json_object_set_new(o, "satisfaction_rate",
                        rate_json(r.has_satisfaction, r.satisfaction, 1e-4));
    json_object_set_new(o, "rating_rate", rate_json(r.has_rating, r.rating, 1e-4));
    json_object_set_new(o, "on_time_rate", rate_json(r.has_on_time, r.on_time, 1e-4));
    json_object_set_new(o, "overdue_rate", rate_json(r.has_overdue, r.overdue, 1e-4));
    json_object_set_new(o, "avg_response_hours",
                        rate_json(r.has_avg_response, r.avg_response_hours, 0.01));
    json_object_set_new(o, "avg_handle_hours",
                        rate_json(r.has_avg_handle, r.avg_handle_hours, 0.01));
}

/* ---- settings and the composite score ---- */

void sq_kpi_settings_default(struct sq_kpi_settings *s)
{
    s->w_response = 0.2;
    s->w_resolution = 0.3;
    s->w_satisfaction = 0.4;
    s->w_on_time = 0.1;
    s->overdue_penalty = 2;
    s->min_volume = 10;
}

enum sq_err sq_kpi_settings_check(const struct sq_kpi_settings *s, struct sq_detail *d)
{
    const struct {
        const char *name;
        double v;
    } w[] = {{"weight_response", s->w_response},
             {"weight_resolution", s->w_resolution},
             {"weight_satisfaction", s->w_satisfaction},
             {"weight_on_time", s->w_on_time}};
    double sum = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!(w[i].v >= 0 && w[i].v <= 100)) /* also rejects NaN */
            return sq_fail(d, SQ_EINVAL, w[i].name, "%s must be between 0 and 100", w[i].name);
        sum += w[i].v;
    }
    if (sum <= 0)
        return sq_fail(d, SQ_EINVAL, "weight_satisfaction", "at least one weight must be above 0");
    if (!(s->overdue_penalty >= 0 && s->overdue_penalty <= 100))
        return sq_fail(d, SQ_EINVAL, "overdue_penalty", "overdue_penalty must be 0 to 100");
    if (s->min_volume < 0 || s->min_volume > 1000000)
        return sq_fail(d, SQ_EINVAL, "min_volume", "min_volume must be 0 to 1000000");
    return SQ_OK;
}

bool sq_kpi_score(const struct sq_kpi *k, const struct sq_kpi_settings *s, double *score)
{
    struct sq_kpi_rates r;
    sq_kpi_rates(k, &r);
    const struct {
        bool has;
        double rate, w;
    } terms[] = {
        {r.has_response, r.response, s->w_response},
        {r.has_resolution, r.resolution, s->w_resolution},
        {r.has_satisfaction, r.satisfaction, s->w_satisfaction},
        {r.has_on_time, r.on_time, s->w_on_time},
    };
    double sum = 0, wsum = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!terms[i].has || terms[i].w <= 0)
            continue;
        sum += terms[i].rate * terms[i].w;
        wsum += terms[i].w;
    }
    *score = 0;
    if (wsum <= 0)
        return false;
    double v = 100.0 * sum / wsum - s->overdue_penalty * 100.0 * r.overdue;
    if (v < 0)
        v = 0;
    *score = round_to(v, 0.01);
    return true;
}

/* ---- months ---- */

int sq_month_parse(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (y < 2000 || y > 2099 || m < 1 || m > 12)
        return -1;
    return y * 100 + m;
}

void sq_month_format(int month, char out[8])
{
    unsigned y = (unsigned)(month / 100) % 10000u, m = (unsigned)(month % 100) % 100u;
    snprintf(out, 8, "%04u-%02u", y, m);
}

int sq_month_add(int month, int n)
{
    int idx = (month / 100) * 12 + (month % 100 - 1) + n;
    return (idx / 12) * 100 + idx % 12 + 1;
}

int sq_month_diff(int from, int to)
{
    return ((to / 100) * 12 + to % 100) - ((from / 100) * 12 + from % 100);
}

int sq_month_of(int64_t t)
{
    time_t local = (time_t)(t + SQ_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

/* ---- rankings ---- */

static int rank_cmp(const void *pa, const void *pb)
{
    const struct sq_rank_row *a = pa, *b = pb;
    if (a->ranked != b->ranked)
        return a->ranked ? -1 : 1;
    if (a->ranked && a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->k.total != b->k.total)
        return a->k.total > b->k.total ? -1 : 1;
    return a->unit_id < b->unit_id ? -1 : a->unit_id > b->unit_id;
}

void sq_kpi_rank(struct sq_rank_row *rows, int n, const struct sq_kpi_settings *s)
{
    for (int i = 0; i < n; i++) {
        rows[i].has_score = sq_kpi_score(&rows[i].k, s, &rows[i].score);
        rows[i].ranked =
            rows[i].has_score && rows[i].k.total >= s->min_volume && rows[i].k.total > 0;
        rows[i].rank = 0;
    }
    if (n > 1) /* an empty level may come as NULL, which qsort must not get */
        qsort(rows, (size_t)n, sizeof *rows, rank_cmp);
    for (int i = 0; i < n && rows[i].ranked; i++)
        rows[i].rank = (i > 0 && rows[i].score == rows[i - 1].score) ? rows[i - 1].rank : i + 1;
}
