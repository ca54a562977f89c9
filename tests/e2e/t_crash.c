/*
 * t_crash: crash durability. Appeals answered 201 survive SIGKILL, and a
 * retried Idempotency-Key never files a second appeal.
 *
 * CLIENTS threads each submit appeals one after another, every one with a
 * fresh Idempotency-Key, and keep retrying a key until it is answered 201
 * (connection refused or reset while the server is down counts as
 * unanswered). Meanwhile the main thread kills the server with SIGKILL at
 * pseudo-random moments (fixed seed) ROUNDS times and restarts it on the
 * same database; the clients simply go on with their pending keys. Every few
 * answers a client also replays an answered key and must get the same
 * appeal back. At the end, with the server stopped cleanly:
 *   - every appeal answered 201 exists (GET by id) with its tracking number
 *     and its submit event;
 *   - the appeals filed during the test are exactly one per key (counted in
 *     the database: read-only on SQLite, h_sql_int), and each key maps to
 *     its answer;
 *   - `sanqu check` passes.
 * The server is run by this file (not the harness) because the harness only
 * stops servers politely; the harness provides the demo database, the
 * session token, `sanqu check` and the runner.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CLIENTS 6
#define ROUNDS 5
#define SEED 20261128u
#define MAX_KEYS 20000
#define MIN_PER_ROUND 10 /* answers between two kills, at least */

/* ---- the server, killed and restarted ---- */

static char srv_db[1024], srv_dir[1024];
static pid_t srv_pid;
static atomic_int srv_port; /* 0 while down */
static int srv_starts;

static void srv_start(void)
{
    char pf[1100], out[1100], err[1100];
    snprintf(pf, sizeof pf, "%s/port", srv_dir);
    snprintf(out, sizeof out, "%s/stdout.%d", srv_dir, srv_starts);
    snprintf(err, sizeof err, "%s/stderr.%d", srv_dir, srv_starts);
    srv_starts++;
    unlink(pf);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    H_ASSERT(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(126);
        execl(h_bin(), h_bin(), "serve", "--db", srv_db, "--listen", "127.0.0.1:0", "--port_file",
              pf, "--quiet", "true", (char *)NULL);
        _exit(127);
    }
    srv_pid = pid;
    double until = h_ms() + 30000;
    for (;;) {
        FILE *f = fopen(pf, "r");
        int port = 0;
        if (f) {
            int ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0) {
                atomic_store(&srv_port, port);
                return;
            }
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            srv_pid = 0;
            H_FAIL("the server exited (status %d) before listening; see %s", st, err);
        }
        if (h_ms() > until)
            H_FAIL("the server did not start within 30 s");
        usleep(2000);
    }
}

static void srv_kill(int sig)
{
    int st = 0;
    atomic_store(&srv_port, 0);
    if (!srv_pid)
        return;
    kill(srv_pid, sig);
    waitpid(srv_pid, &st, 0);
    srv_pid = 0;
    if (sig == SIGTERM)
        H_ASSERTF(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "the server did not stop cleanly after the crashes (status %d)", st);
}

/* ---- clients ---- */

struct answer {
    char key[48];
    long long id;
    char tracking[32];
    int client, seq; /* what the body was made of (appeal_body) */
};

static struct answer answers[MAX_KEYS];
static atomic_int nanswers;
static atomic_int stopping;
static atomic_int client_errors, attempts, replays_checked, committed_unanswered;
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_error[600];
static char token[256];
static long long category_id, unit_id;

struct buf {
    char *p;
    size_t n;
};

static size_t on_header(char *d, size_t sz, size_t nm, void *ud)
{
    if (sz * nm >= 19 && !strncasecmp(d, "Idempotent-Replayed", 19))
        *(int *)ud = 1;
    return sz * nm;
}

static size_t on_data(char *d, size_t sz, size_t nm, void *ud)
{
    struct buf *b = ud;
    char *np = realloc(b->p, b->n + sz * nm + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, d, sz * nm);
    b->n += sz * nm;
    b->p[b->n] = '\0';
    return sz * nm;
}

static void client_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void client_error(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&err_lock);
    if (!first_error[0]) {
        va_start(ap, fmt);
        vsnprintf(first_error, sizeof first_error, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&err_lock);
    atomic_fetch_add(&client_errors, 1);
}

/* One POST; returns the HTTP status (0 = no answer) and fills *id, tracking. */
static long post_appeal(CURL *c, const char *key, const char *body, long long *id, char *tracking,
                        int *replayed)
{
    int port = atomic_load(&srv_port);
    if (!port)
        return 0;
    char url[96], auth[300], idem[200];
    struct buf b = {0};
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/appeals", port);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, idem);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, replayed);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    *replayed = 0;
    long status = 0;
    atomic_fetch_add(&attempts, 1);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (status == 201) {
        json_t *j = json_loads(b.p ? b.p : "", 0, NULL);
        json_t *jid = json_object_get(j, "id"), *jtn = json_object_get(j, "tracking_no");
        if (!json_is_integer(jid) || !json_is_string(jtn)) {
            client_error("201 without id/tracking_no: %.300s", b.p ? b.p : "");
            status = -1;
        } else {
            *id = json_integer_value(jid);
            snprintf(tracking, 32, "%s", json_string_value(jtn));
        }
        json_decref(j);
    } else if (status) {
        client_error("key %s answered %ld: %.300s", key, status, b.p ? b.p : "");
    }
    free(b.p);
    return status;
}

/* The body of client me's seq-th appeal: a replay sends the same bytes (a key
 * is bound to its request, issue 10 item 11). */
static void appeal_body(char *body, size_t cap, int me, int seq)
{
    snprintf(body, cap,
             "{\"title\":\"断电测试 %d-%d\",\"description\":\"崩溃恢复测试，第 %d 个客户端第 %d "
             "条诉求\",\"category_id\":%lld,\"unit_id\":%lld}",
             me, seq, me, seq, category_id, unit_id);
}

static void *client_main(void *arg)
{
    int me = (int)(intptr_t)arg;
    CURL *c = curl_easy_init();
    unsigned seed = SEED + (unsigned)me;
    for (int seq = 0; !atomic_load(&stopping); seq++) {
        char key[48], body[400], tracking[32];
        long long id = 0;
        snprintf(key, sizeof key, "crash-%d-%d", me, seq);
        appeal_body(body, sizeof body, me, seq);
        /* a key stays pending until it is answered, across any number of crashes */
        long st;
        int tries = 0, replayed = 0;
        while ((st = post_appeal(c, key, body, &id, tracking, &replayed)) != 201) {
            if (st != 0) /* an answer other than 201 is a failure, already recorded */
                goto out;
            tries++;
            usleep(10000);
        }
        if (replayed) {
            /* committed before the kill, answered only after the restart */
            if (tries)
                atomic_fetch_add(&committed_unanswered, 1);
            else
                client_error("fresh key %s answered as a replay", key);
        }
        int n = atomic_fetch_add(&nanswers, 1);
        if (n >= MAX_KEYS)
            break;
        snprintf(answers[n].key, sizeof answers[n].key, "%s", key);
        answers[n].client = me;
        answers[n].seq = seq;
        snprintf(answers[n].tracking, sizeof answers[n].tracking, "%s", tracking);
        answers[n].id = id; /* last: a replay picks answers with an id */
        if (n > 0 && rand_r(&seed) % 4 == 0) {
            /* replay an answered key: all clients are one user, so any
             * client's key must give back the same appeal */
            int k = (int)(rand_r(&seed) % (unsigned)n);
            if (answers[k].id) {
                long long rid = 0;
                char rtn[32];
                char rkey[48], rbody[400];
                snprintf(rkey, sizeof rkey, "%s", answers[k].key);
                appeal_body(rbody, sizeof rbody, answers[k].client, answers[k].seq);
                int rep = 0;
                long rst = post_appeal(c, rkey, rbody, &rid, rtn, &rep);
                if (rst == 201) {
                    if (!rep)
                        client_error("replayed key %s not marked Idempotent-Replayed", rkey);
                    atomic_fetch_add(&replays_checked, 1);
                    if (rid != answers[k].id)
                        client_error("replayed key %s gave appeal %lld, first %lld", rkey, rid,
                                     answers[k].id);
                } else if (rst != 0) {
                    goto out;
                }
            }
        }
    }
out:
    curl_easy_cleanup(c);
    return NULL;
}

/* ---- checks ---- */

static long long count(const char *sql)
{
    return h_sql_int(srv_db, sql, NULL);
}

/* GET /api/v1/appeals/{id} on our own server; returns the parsed body. */
static json_t *get_appeal(CURL *c, long long id, long *status)
{
    char url[128], auth[300];
    struct buf b = {0};
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/appeals/%lld", atomic_load(&srv_port),
             id);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    *status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    json_t *j = json_loads(b.p ? b.p : "", 0, NULL);
    free(b.p);
    return j;
}

static void test_sigkill_loses_no_answered_appeal(void)
{
    /* a demo database and a resident's token (sessions live in the database) */
    h_start_demo();
    snprintf(token, sizeof token, "%s", h_tok("resident")); /* h_stop() frees it */
    snprintf(srv_db, sizeof srv_db, "%s", h_db());
    snprintf(srv_dir, sizeof srv_dir, "%s", h_newdir("crash"));
    h_stop();
    category_id = count("SELECT min(id) FROM categories WHERE active = 1 AND parent_id IS "
                        "NOT NULL AND kind = 'livelihood'");
    unit_id = count("SELECT min(id) FROM units WHERE kind = 'community' AND archived = 0");
    long long appeals0 = count("SELECT count(*) FROM appeals");
    long long events0 = count("SELECT count(*) FROM appeal_events");
    H_ASSERT(category_id > 0 && unit_id > 0);

    srv_start();
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        H_ASSERT(pthread_create(&th[i], NULL, client_main, (void *)(intptr_t)i) == 0);
    unsigned seed = SEED;
    int before_kill[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        usleep((useconds_t)(300000 + rand_r(&seed) % 900000));
        /* a slow (sanitizer, valgrind) server still gets some work done per round */
        for (double until = h_ms() + 20000;
             atomic_load(&nanswers) < (round ? before_kill[round - 1] : 0) + MIN_PER_ROUND &&
             h_ms() < until && !atomic_load(&client_errors);)
            usleep(20000);
        before_kill[round] = atomic_load(&nanswers);
        srv_kill(SIGKILL);
        usleep((useconds_t)(rand_r(&seed) % 100000)); /* clients hammer a dead port */
        srv_start();
    }
    usleep(300000);
    atomic_store(&stopping, 1);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    int n = atomic_load(&nanswers);
    printf("  %d appeals answered 201 in %d attempts across %d SIGKILLs (answered before each "
           "kill:",
           n, atomic_load(&attempts), ROUNDS);
    for (int i = 0; i < ROUNDS; i++)
        printf(" %d", before_kill[i]);
    printf("); %d replays checked; %d keys committed but unanswered at a kill, replayed after "
           "restart\n",
           atomic_load(&replays_checked), atomic_load(&committed_unanswered));
    H_ASSERTF(!atomic_load(&client_errors), "%d client errors; first: %s",
              atomic_load(&client_errors), first_error);
    H_ASSERTF(n >= ROUNDS * MIN_PER_ROUND, "only %d appeals were answered; the test proves little",
              n);
    H_ASSERT(n < MAX_KEYS);

    /* every answered appeal exists with its number and its submit event */
    CURL *c = curl_easy_init();
    for (int i = 0; i < n; i++) {
        long st;
        json_t *j = get_appeal(c, answers[i].id, &st);
        const char *tn = json_string_value(json_object_get(j, "tracking_no"));
        json_t *ev = json_array_get(json_object_get(j, "events"), 0);
        const char *act = json_string_value(json_object_get(ev, "action"));
        bool ok =
            st == 200 && tn && !strcmp(tn, answers[i].tracking) && act && !strcmp(act, "submit");
        json_decref(j);
        if (!ok) {
            curl_easy_cleanup(c);
            H_FAIL("appeal %lld (key %s, %s) answered 201 but GET gives %ld / %s / %s",
                   answers[i].id, answers[i].key, answers[i].tracking, st, tn ? tn : "-",
                   act ? act : "-");
        }
    }
    curl_easy_cleanup(c);
    srv_kill(SIGTERM);

    /* one appeal per key: nothing filed twice, nothing filed unanswered */
    long long filed = count("SELECT count(*) FROM appeals") - appeals0;
    long long keys = count("SELECT count(*) FROM idempotency_keys WHERE key LIKE 'crash-%'");
    long long events = count("SELECT count(*) FROM appeal_events") - events0;
    H_EQ_INT(keys, n);
    H_EQ_INT(filed, n);
    H_EQ_INT(events, n); /* exactly the submit event of each */
    for (int i = 0; i < n; i++) {
        long long got = h_sql_int(srv_db, "SELECT appeal_id FROM idempotency_keys WHERE key = $1",
                                  answers[i].key);
        if (got != answers[i].id) {
            H_FAIL("key %s maps to appeal %lld but was answered with %lld", answers[i].key, got,
                   answers[i].id);
        }
    }

    struct h_run *r = h_sanqu("check", "--db", srv_db, NULL);
    H_ASSERTF(r->status == 0, "sanqu check failed (%d): %s%s", r->status, r->out, r->err);
}

static const struct h_test tests[] = {
    H_TEST(test_sigkill_loses_no_answered_appeal),
    {0},
};

int main(int argc, char **argv)
{
    int rc = h_main(argc, argv, tests);
    if (srv_pid) /* a failed test may leave our own server running */
        kill(srv_pid, SIGKILL);
    return rc;
}
