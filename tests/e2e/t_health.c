/*
 * t_health: liveness and metrics. /healthz answers without a database
 * beyond a ping; /metrics is valid Prometheus text exposition (HELP/TYPE
 * before samples, cumulative histogram buckets) and its counters move with
 * the traffic they count.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static void test_healthz(void)
{
    h_start(NULL); /* an empty database is enough */
    struct h_resp *r = h_req("GET", "/healthz", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "ok");
    H_EQ_STR(H_STR(r->json, "db"), "ok");
    H_CONTAINS(h_header(r, "Content-Type"), "application/json");
    H_ASSERT(h_header(r, "X-Request-Id") != NULL);
    H_EQ_STR(h_header(r, "Cache-Control"), "no-store");
    /* HEAD is answered like GET, without a body */
    r = h_req("HEAD", "/healthz", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(r->len, 0);
}

/* Value of the sample whose line starts with `series ` (name and labels). */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, series, n) && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return 0; /* Prometheus omits counters that never moved */
}

static bool metric_name_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':') ||
            (i == 0 && isdigit((unsigned char)s[i])))
            return false;
    return n > 0;
}

/* Checks the text exposition format line by line. */
static void check_exposition(const char *text)
{
    char typed[32][80];
    int ntyped = 0, lineno = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        H_ASSERTF(eol, "the metrics text must end with a newline");
        char line[1024];
        size_t len = (size_t)(eol - p);
        H_ASSERTF(len < sizeof line, "metrics line %d too long", lineno);
        memcpy(line, p, len);
        line[len] = '\0';
        p = eol + 1;
        lineno++;
        if (!strncmp(line, "# HELP ", 7))
            continue;
        if (!strncmp(line, "# TYPE ", 7)) {
            char name[80], type[32];
            H_ASSERTF(sscanf(line + 7, "%79s %31s", name, type) == 2, "bad TYPE line: %s", line);
            H_ASSERTF(!strcmp(type, "counter") || !strcmp(type, "gauge") ||
                          !strcmp(type, "histogram") || !strcmp(type, "summary") ||
                          !strcmp(type, "untyped"),
                      "bad metric type in: %s", line);
            H_ASSERT(ntyped < 32);
            snprintf(typed[ntyped++], sizeof typed[0], "%s", name);
            continue;
        }
        H_ASSERTF(line[0] != '#' && line[0] != '\0', "unexpected line %d: '%s'", lineno, line);
        size_t nl = strcspn(line, "{ ");
        H_ASSERTF(metric_name_ok(line, nl), "bad metric name in: %s", line);
        const char *rest = line + nl;
        if (*rest == '{') {
            const char *close = strstr(rest, "} ");
            H_ASSERTF(close, "unterminated labels in: %s", line);
            /* labels: name="value" pairs separated by commas */
            for (const char *l = rest + 1; l < close;) {
                size_t ln = strcspn(l, "=");
                H_ASSERTF(metric_name_ok(l, ln) && l[ln + 1] == '"', "bad label in: %s", line);
                const char *q = strchr(l + ln + 2, '"');
                H_ASSERTF(q && q <= close, "bad label value in: %s", line);
                l = q + 1;
                if (*l == ',')
                    l++;
            }
            rest = close + 1;
        }
        char *end;
        H_ASSERTF(*rest == ' ', "no value in: %s", line);
        strtod(rest + 1, &end);
        H_ASSERTF(end != rest + 1 && *end == '\0', "bad value in: %s", line);
        bool known = false;
        for (int i = 0; i < ntyped; i++) {
            size_t tn = strlen(typed[i]);
            if (!strncmp(line, typed[i], tn) &&
                (tn == nl || !strncmp(line + tn, "_bucket", 7) || !strncmp(line + tn, "_sum", 4) ||
                 !strncmp(line + tn, "_count", 6)))
                known = true;
        }
        H_ASSERTF(known, "sample without a # TYPE line before it: %s", line);
    }
    H_ASSERT(lineno > 5);
}

static void test_metrics_format(void)
{
    struct h_resp *r = h_req("GET", "/metrics", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Content-Type"), "text/plain");
    H_CONTAINS(h_header(r, "Content-Type"), "version=0.0.4");
    check_exposition(r->body);
    H_CONTAINS(r->body, "# TYPE sanqu_http_requests_total counter");
    H_CONTAINS(r->body, "# TYPE sanqu_http_request_duration_seconds histogram");
    H_CONTAINS(r->body, "sanqu_http_open_connections ");
    H_CONTAINS(r->body, "sanqu_db_size_bytes ");
    /* histogram buckets are cumulative and +Inf equals the count */
    double prev = 0;
    static const char *const les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                      "0.1",   "0.25",   "0.5",   "1",    "2.5",   "5",
                                      "+Inf",  NULL};
    for (const char *const *le = les; *le; le++) {
        double v = sample(r->body,
                          h_fmt("sanqu_http_request_duration_seconds_bucket{le=\"%s\"}", *le));
        H_ASSERTF(v >= prev, "bucket le=%s (%g) below the previous one (%g)", *le, v, prev);
        prev = v;
    }
    H_ASSERT(prev == sample(r->body, "sanqu_http_request_duration_seconds_count"));
    H_ASSERT(sample(r->body, "sanqu_db_size_bytes") > 0);
}

static void test_metrics_counters_move(void)
{
    const char *ok = "sanqu_http_requests_total{route=\"GET /healthz\",status=\"2xx\"}";
    const char *nf = "sanqu_http_requests_total{route=\"unmatched\",status=\"4xx\"}";
    const char *cnt = "sanqu_http_request_duration_seconds_count";
    struct h_resp *before = h_req("GET", "/metrics", NULL, NULL);
    H_STATUS(before, 200);
    for (int i = 0; i < 3; i++)
        H_STATUS(h_req("GET", "/healthz", NULL, NULL), 200);
    H_STATUS(h_req("GET", "/api/v1/no-such-thing", NULL, NULL), 404);
    H_STATUS(h_req("GET", "/api/v1/me", NULL, NULL), 401);
    struct h_resp *after = h_req("GET", "/metrics", NULL, NULL);
    H_STATUS(after, 200);
    H_EQ_INT(sample(after->body, ok), sample(before->body, ok) + 3);
    H_EQ_INT(sample(after->body, nf), sample(before->body, nf) + 1);
    H_EQ_INT(sample(after->body, "sanqu_http_requests_total{route=\"GET /api/v1/me\","
                                 "status=\"4xx\"}"),
             1);
    /* the first /metrics call itself is counted once it completed */
    H_ASSERT(sample(after->body, cnt) >= sample(before->body, cnt) + 5);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_healthz),
        H_TEST(test_metrics_format),
        H_TEST(test_metrics_counters_move),
        {0},
    };
    return h_main(argc, argv, tests);
}
