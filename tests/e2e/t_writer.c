/*
 * t_writer: every write goes through the group-commit writer (issue 11,
 * item 7). A write route's handler runs as a job of the writer, inside its
 * batch transaction, and is answered only after the batch committed; the
 * routes flagged SQ_ROUTE_DIRECT (sign-in, intake with its own group
 * commit, ...) run on their request thread. /metrics counts the requests
 * run as writer jobs (sanqu_writer_requests_total), which is what these
 * tests read; the background writers (indexer, scheduler) do not count.
 *   - a workflow action runs in the writer, once; what it wrote is visible
 *     as soon as it is answered;
 *   - a refused action (422) also runs there and leaves no trace;
 *   - sign-in and intake do not run in the writer;
 *   - many handlers acting at once are all answered, every change kept.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long writer_requests(void)
{
    struct h_resp *r = h_req("GET", "/metrics", NULL, NULL);
    H_STATUS(r, 200);
    const char *p = strstr(r->body, "\nsanqu_writer_requests_total ");
    H_ASSERTF(p, "no sanqu_writer_requests_total in /metrics");
    return atoll(p + strlen("\nsanqu_writer_requests_total "));
}

static long long file_appeal(const char *title)
{
    long long unit = h_unit_by_code("CM001"), cat = h_category_by_code("WY01");
    struct h_resp *r =
        h_reqf("POST", "/api/v1/appeals", h_tok("resident"),
               "{\"title\":\"%s\",\"description\":\"楼道里的灯坏了很久，晚上看不见路\","
               "\"category_id\":%lld,\"unit_id\":%lld}",
               title, cat, unit);
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static long long events_of(long long id)
{
    struct h_resp *r =
        h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    json_t *tl = h_get(r->json, "events");
    H_ASSERTF(json_is_array(tl), "the appeal has no events");
    return (long long)json_array_size(tl);
}

static void test_action_runs_in_writer(void)
{
    h_need_demo();
    long long id = file_appeal("写入线程测试：楼道灯坏了");
    long long w0 = writer_requests();
    struct h_resp *r =
        h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", id), h_tok("community_handler"), "{}");
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "accepted");
    H_EQ_INT(writer_requests(), w0 + 1);
    /* answered after the commit: another connection sees it at once */
    r = h_req("GET", h_fmt("/api/v1/appeals/%lld", id), h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "status"), "accepted");
    r = h_req("POST", h_fmt("/api/v1/appeals/%lld/note", id), h_tok("community_handler"),
              "{\"note\":\"已联系物业\"}");
    H_STATUS(r, 200);
    H_EQ_INT(writer_requests(), w0 + 2);
}

static void test_refused_write_leaves_nothing(void)
{
    h_need_demo();
    long long id = file_appeal("写入线程测试：拒绝的操作");
    long long n0 = events_of(id), w0 = writer_requests();
    struct h_resp *r = h_req("POST", h_fmt("/api/v1/appeals/%lld/note", id),
                             h_tok("community_handler"), "{\"note\":\"\"}");
    H_ERR_FIELD(r, 422, "invalid", "note");
    /* rate before it was resolved: refused by the workflow, after loading */
    r = h_req("POST", h_fmt("/api/v1/appeals/%lld/rate", id), h_tok("resident"),
              "{\"speed\":5,\"result\":5,\"attitude\":5,\"solved\":\"solved\","
              "\"satisfaction\":\"satisfied\"}");
    H_ASSERTF(r->status == 409 || r->status == 403, "rating a submitted appeal: %d", r->status);
    H_EQ_INT(writer_requests(), w0 + 2);
    H_EQ_INT(events_of(id), n0);
}

static void test_direct_routes_skip_writer(void)
{
    h_need_demo();
    long long w0 = writer_requests();
    h_login_fresh("street_handler", "sanqu-demo"); /* argon2id: on its request thread */
    file_appeal("写入线程测试：受理走自己的批量提交");
    H_EQ_INT(writer_requests(), w0);
}

/* ---- many handlers at once ---- */

#define THREADS 16

static char base[64], tok_handler[64];
static long long ids[THREADS];
static atomic_int failures;

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void *actor(void *arg)
{
    int me = (int)(long)arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char auth[128], url[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok_handler);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    static const char *const steps[][2] = {
        {"accept", "{}"},
        {"note", "{\"note\":\"已派人查看\"}"},
        {"note", "{\"note\":\"明天上午维修\"}"},
        {"resolve", "{\"reply\":\"灯已修好，感谢反映。\"}"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        snprintf(url, sizeof url, "%s/api/v1/appeals/%lld/%s", base, ids[me], steps[i][0]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, steps[i][1]);
        long status = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status != 200)) {
            fprintf(stderr, "%s -> %ld\n", url, status);
            atomic_fetch_add(&failures, 1);
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_concurrent_actions(void)
{
    h_need_demo();
    for (int i = 0; i < THREADS; i++)
        ids[i] = file_appeal(h_fmt("写入线程测试：并发处理%d", i));
    long long n0 = events_of(ids[0]), w0 = writer_requests();
    snprintf(base, sizeof base, "%s", h_base());
    snprintf(tok_handler, sizeof tok_handler, "%s", h_tok("community_handler"));
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, actor, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    H_EQ_INT(atomic_load(&failures), 0);
    H_EQ_INT(writer_requests(), w0 + THREADS * 4);
    for (int i = 0; i < THREADS; i++) {
        struct h_resp *r =
            h_req("GET", h_fmt("/api/v1/appeals/%lld", ids[i]), h_tok("community_handler"), NULL);
        H_STATUS(r, 200);
        H_EQ_STR(H_STR(r->json, "status"), "resolved");
    }
    H_EQ_INT(events_of(ids[0]), n0 + 4);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_action_runs_in_writer),
        H_TEST(test_refused_write_leaves_nothing),
        H_TEST(test_direct_routes_skip_writer),
        H_TEST(test_concurrent_actions),
        {0},
    };
    return h_main(argc, argv, tests);
}
