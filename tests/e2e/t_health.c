/*
 * t_health: liveness and metrics. /healthz answers without a database
 * beyond a ping; /metrics is valid Prometheus text exposition (HELP/TYPE
 * before samples, cumulative histogram buckets), its counters move with
 * the traffic they count, and it is served only to loopback, metrics_allow
 * and metrics_token. HTML pages (the UI, the KB print page) carry the CSP.
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
    static const char *const les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                      "0.25",  "0.5",    "1",     "2.5",  "5",     "+Inf", NULL};
    for (const char *const *le = les; *le; le++) {
        double v =
            sample(r->body, h_fmt("sanqu_http_request_duration_seconds_bucket{le=\"%s\"}", *le));
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

/* GET /metrics as the client xff behind the proxy 127.0.0.1, with token. */
static struct h_resp *metrics_from(const char *xff, const char *token)
{
    const char *hdr[] = {xff ? h_fmt("X-Forwarded-For: %s", xff) : NULL, NULL};
    return h_send(&(struct h_call){.path = "/metrics", .token = token, .headers = hdr});
}

/* /metrics is for loopback, the metrics_allow addresses and metrics_token
 * holders; a remote client behind a trusted proxy is none of them. */
static void test_metrics_access(void)
{
    const char *token = "metrics-token-0123456789";
    h_start(&(struct h_opts){.args = (const char *const[]){
                                 "--trusted_proxies", "127.0.0.1", "--metrics_allow",
                                 "192.0.2.0/24, 2001:db8::/32", "--metrics_token", token, NULL}});
    H_STATUS(metrics_from(NULL, NULL), 200);
    struct h_resp *r = metrics_from("203.0.113.10", NULL);
    H_ERR(r, 403, "forbidden");
    H_CONTAINS(H_STR(r->json, "error.message"), "metrics_allow");
    H_ASSERT(!strstr(r->body, "sanqu_http_requests_total"));
    H_ERR(metrics_from("203.0.113.10", "not-the-metrics-token"), 403, "forbidden");
    H_ERR(metrics_from("203.0.113.10", "metrics-token-012345678"), 403, "forbidden");
    H_STATUS(metrics_from("203.0.113.10", token), 200);
    H_CONTAINS(metrics_from("192.0.2.77", NULL)->body, "sanqu_http_requests_total");
    H_STATUS(metrics_from("2001:db8::5", NULL), 200);
    H_ERR(metrics_from("192.0.3.1", NULL), 403, "forbidden");
    /* a forwarded loopback address is a client's claim, not loopback */
    H_ERR(metrics_from("127.0.0.1, 203.0.113.10", NULL), 403, "forbidden");
    /* without settings: loopback only, and a proxy that is not trusted is
     * just the loopback client it is */
    h_start(
        &(struct h_opts){.args = (const char *const[]){"--trusted_proxies", "127.0.0.1", NULL}});
    H_ERR(metrics_from("192.0.2.77", NULL), 403, "forbidden");
    H_ERR(metrics_from("203.0.113.10", token), 403, "forbidden");
    h_start(NULL);
    H_STATUS(metrics_from("203.0.113.10", NULL), 200);
}

/* Every HTML page carries the UI's Content-Security-Policy: the app and
 * the knowledge-base volume's print page alike. */
static void test_html_csp(void)
{
    h_need_demo();
    struct h_resp *ui = h_req("GET", "/", NULL, NULL);
    H_STATUS(ui, 200);
    const char *csp = h_header(ui, "Content-Security-Policy");
    H_ASSERTF(csp, "the UI has no CSP");
    H_CONTAINS(csp, "default-src 'self'");
    H_CONTAINS(csp, "frame-ancestors 'none'");
    struct h_resp *v = h_req("GET", "/api/v1/kb/volumes?limit=1", NULL, NULL);
    H_STATUS(v, 200);
    struct h_resp *p = h_req(
        "GET", h_fmt("/api/v1/kb/volumes/%lld/print", H_INT(v->json, "items.0.id")), NULL, NULL);
    H_STATUS(p, 200);
    H_CONTAINS(h_header(p, "Content-Type"), "text/html");
    H_EQ_STR(h_header(p, "Content-Security-Policy"), csp);
    H_EQ_STR(h_header(p, "X-Frame-Options"), "DENY");
    H_EQ_STR(h_header(p, "X-Content-Type-Options"), "nosniff");
    H_EQ_STR(h_header(p, "Referrer-Policy"), "no-referrer");
    H_EQ_STR(h_header(p, "Cache-Control"), "no-store");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_healthz),
        H_TEST(test_metrics_format),
        H_TEST(test_metrics_counters_move),
        H_TEST(test_metrics_access),
        H_TEST(test_html_csp),
        {0},
    };
    return h_main(argc, argv, tests);
}
