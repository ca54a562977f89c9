/*
 * t_load: a bounded mixed load on one server — 64 connections, 80% reads
 * (handler queue, appeal detail, /me, stats) and 20% writes (appeal intake),
 * for a few seconds — must finish with zero errors: every read 200, every
 * write 201, and every acknowledged appeal readable afterwards.
 * (The long soak with RSS and descriptor checks is `make soak`.)
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CONNS 64
#define SECONDS 6

static char base[64], tok_handler[64], tok_resident[64], intake_body[512];
static atomic_long n_reads, n_writes, n_errors;
static long long created[CONNS][4096];
static int ncreated[CONNS];

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    struct {
        char buf[2048];
        size_t len;
    } *b = ud;
    size_t take = size * n;
    if (b->len + take < sizeof b->buf) {
        memcpy(b->buf + b->len, p, take);
        b->len += take;
        b->buf[b->len] = '\0';
    }
    return size * n;
}

static void *client(void *arg)
{
    int me = (int)(long)arg;
    CURL *c = curl_easy_init();
    struct curl_slist *hr = NULL, *hw = NULL;
    char auth_h[128], auth_r[128], url[256];
    snprintf(auth_h, sizeof auth_h, "Authorization: Bearer %s", tok_handler);
    snprintf(auth_r, sizeof auth_r, "Authorization: Bearer %s", tok_resident);
    hr = curl_slist_append(hr, auth_h);
    hw = curl_slist_append(hw, auth_r);
    hw = curl_slist_append(hw, "Content-Type: application/json");
    struct {
        char buf[2048];
        size_t len;
    } b;
    unsigned seed = 1234u + (unsigned)me;
    double end = h_ms() + SECONDS * 1000.0;
    static const char *const reads[] = {"/api/v1/appeals?queue=unit&limit=20", "/api/v1/me",
                                        "/api/v1/stats/appeals?group_by=category",
                                        "/api/v1/appeals?limit=5"};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    while (h_ms() < end) {
        bool write = rand_r(&seed) % 5 == 0;
        b.len = 0;
        b.buf[0] = '\0';
        if (write) {
            snprintf(url, sizeof url, "%s/api/v1/appeals", base);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hw);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, intake_body);
        } else {
            snprintf(url, sizeof url, "%s%s", base, reads[rand_r(&seed) % 4]);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hr);
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        long status = 0;
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != (write ? 201 : 200)) {
            if (atomic_fetch_add(&n_errors, 1) < 5)
                fprintf(stderr, "load error: %s -> curl %d status %ld %.200s\n", url, rc, status,
                        b.buf);
            continue;
        }
        if (write) {
            atomic_fetch_add(&n_writes, 1);
            const char *p = strstr(b.buf, "\"id\":");
            if (p && ncreated[me] < 4096)
                created[me][ncreated[me]++] = atoll(p + 5);
        } else {
            atomic_fetch_add(&n_reads, 1);
        }
    }
    curl_slist_free_all(hr);
    curl_slist_free_all(hw);
    curl_easy_cleanup(c);
    return NULL;
}

static long long unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "items.0.id");
}

static void test_mixed_load(void)
{
    h_need_demo();
    long long comm = unit_by_code("CM001");
    struct h_resp *cats = h_req("GET", "/api/v1/categories", NULL, NULL);
    long long cat = H_INT(cats->json, "items.0.children.0.id");
    snprintf(base, sizeof base, "%s", h_base());
    snprintf(tok_handler, sizeof tok_handler, "%s", h_tok("community_handler"));
    snprintf(tok_resident, sizeof tok_resident, "%s", h_tok("resident"));
    snprintf(intake_body, sizeof intake_body,
             "{\"title\":\"压力测试诉求\",\"description\":\"负载测试中提交的诉求，用于检验并发\","
             "\"category_id\":%lld,\"unit_id\":%lld}",
             cat, comm);
    pthread_t t[CONNS];
    double t0 = h_ms();
    for (long i = 0; i < CONNS; i++)
        pthread_create(&t[i], NULL, client, (void *)i);
    for (int i = 0; i < CONNS; i++)
        pthread_join(t[i], NULL);
    double secs = (h_ms() - t0) / 1000.0;
    printf("mixed load: %ld reads, %ld writes, %ld errors in %.1f s (%.0f req/s)\n",
           atomic_load(&n_reads), atomic_load(&n_writes), atomic_load(&n_errors), secs,
           (double)(atomic_load(&n_reads) + atomic_load(&n_writes)) / secs);
    H_ASSERTF(atomic_load(&n_errors) == 0, "%ld requests failed", atomic_load(&n_errors));
    H_ASSERT(atomic_load(&n_writes) > 0 && atomic_load(&n_reads) > 0);
    /* every acknowledged appeal is there (a sample from each connection) */
    for (int i = 0; i < CONNS; i++)
        if (ncreated[i]) {
            struct h_resp *r =
                h_req("GET", h_fmt("/api/v1/appeals/%lld", created[i][0]), h_tok("resident"), NULL);
            H_STATUS(r, 200);
        }
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_mixed_load),
        {0},
    };
    return h_main(argc, argv, tests);
}
