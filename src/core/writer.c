/*
 * writer: the group-commit thread (see writer.h).
 */
#include "core/writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "core/db.h"
#include "core/log.h"

#define MAX_BATCH 256

static pthread_t w_thread;
static pthread_mutex_t w_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t w_cond = PTHREAD_COND_INITIALIZER; /* work arrived / stop */
static pthread_cond_t w_idle = PTHREAD_COND_INITIALIZER; /* queue drained */
static struct sq_write_job *w_head, *w_tail;
static bool w_running, w_stopping, w_busy;
static struct sq_writer_stats w_stats;

static void run_batch(struct sq_write_job *batch)
{
    struct sq_detail d = {0};
    enum sq_err e = sq_db_begin(&d);
    for (struct sq_write_job *j = batch; j; j = j->next) {
        memset(&j->detail, 0, sizeof j->detail);
        if (e) {
            j->err = e;
            j->detail = d;
            continue;
        }
        /* each job in its own savepoint: a failing job rolls back alone */
        if ((j->err = sq_db_begin(&j->detail)))
            continue;
        j->err = j->run(j->ctx, &j->detail);
        if (j->err)
            sq_db_rollback();
        else
            j->err = sq_db_commit(&j->detail); /* on failure it rolled back */
    }
    if (!e && (e = sq_db_commit(&d))) {
        /* the whole batch is lost: every job fails, none was acknowledged */
        for (struct sq_write_job *j = batch; j; j = j->next)
            if (!j->err) {
                j->err = e;
                j->detail = d;
            }
    }
    for (struct sq_write_job *j = batch, *next; j; j = next) {
        next = j->next; /* done() may free the job */
        j->done(j->ctx, j->err, &j->detail);
    }
}

static void *writer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&w_lock);
    for (;;) {
        while (!w_head && !w_stopping)
            pthread_cond_wait(&w_cond, &w_lock);
        if (!w_head && w_stopping)
            break;
        struct sq_write_job *batch = w_head, *last = w_head;
        unsigned long long n = 1;
        while (last->next && n < MAX_BATCH) {
            last = last->next;
            n++;
        }
        w_head = last->next;
        if (!w_head)
            w_tail = NULL;
        last->next = NULL;
        w_busy = true;
        w_stats.batches++;
        w_stats.jobs += n;
        if (n > w_stats.max_batch)
            w_stats.max_batch = n;
        pthread_mutex_unlock(&w_lock);
        run_batch(batch);
        pthread_mutex_lock(&w_lock);
        w_busy = false;
        if (!w_head)
            pthread_cond_broadcast(&w_idle);
    }
    pthread_mutex_unlock(&w_lock);
    return NULL;
}

int sq_writer_start(void)
{
    pthread_mutex_lock(&w_lock);
    w_stopping = false;
    int rc = pthread_create(&w_thread, NULL, writer_main, NULL);
    w_running = rc == 0;
    pthread_mutex_unlock(&w_lock);
    return rc ? -1 : 0;
}

bool sq_writer_submit(struct sq_write_job *job)
{
    pthread_mutex_lock(&w_lock);
    if (!w_running || w_stopping) {
        pthread_mutex_unlock(&w_lock);
        return false;
    }
    job->next = NULL;
    if (w_tail)
        w_tail->next = job;
    else
        w_head = job;
    w_tail = job;
    pthread_cond_signal(&w_cond);
    pthread_mutex_unlock(&w_lock);
    return true;
}

/* sq_writer_run: a job on the caller's stack, waited for. */
struct sync_job {
    struct sq_write_job job;
    enum sq_err (*fn)(void *ctx, struct sq_detail *d);
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    enum sq_err err;
    struct sq_detail *d;
};

static enum sq_err sync_run(void *ctx, struct sq_detail *d)
{
    struct sync_job *s = ctx;
    return s->fn(s->ctx, d);
}

static void sync_done(void *ctx, enum sq_err e, const struct sq_detail *d)
{
    struct sync_job *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->err = e;
    if (e && s->d)
        *s->d = *d;
    s->done = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

enum sq_err sq_writer_run(enum sq_err (*fn)(void *ctx, struct sq_detail *d), void *ctx,
                          struct sq_detail *d)
{
    if (sq_db_in_tx() || pthread_equal(pthread_self(), w_thread))
        return sq_db_run_tx(fn, ctx, d);
    struct sync_job s = {.fn = fn, .ctx = ctx, .d = d};
    s.job.run = sync_run;
    s.job.done = sync_done;
    s.job.ctx = &s;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    enum sq_err e;
    if (!sq_writer_submit(&s.job)) {
        e = sq_db_run_tx(fn, ctx, d);
    } else {
        pthread_mutex_lock(&s.mu);
        while (!s.done)
            pthread_cond_wait(&s.cv, &s.mu);
        pthread_mutex_unlock(&s.mu);
        e = s.err;
    }
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
    return e;
}

bool sq_writer_running(void)
{
    pthread_mutex_lock(&w_lock);
    bool r = w_running && !w_stopping;
    pthread_mutex_unlock(&w_lock);
    return r;
}

void sq_writer_drain(void)
{
    pthread_mutex_lock(&w_lock);
    while (w_running && (w_head || w_busy))
        pthread_cond_wait(&w_idle, &w_lock);
    pthread_mutex_unlock(&w_lock);
}

void sq_writer_stop(void)
{
    pthread_mutex_lock(&w_lock);
    if (!w_running) {
        pthread_mutex_unlock(&w_lock);
        return;
    }
    w_stopping = true;
    pthread_cond_broadcast(&w_cond);
    pthread_mutex_unlock(&w_lock);
    pthread_join(w_thread, NULL);
    pthread_mutex_lock(&w_lock);
    w_running = false;
    pthread_mutex_unlock(&w_lock);
}

void sq_writer_get_stats(struct sq_writer_stats *s)
{
    pthread_mutex_lock(&w_lock);
    *s = w_stats;
    pthread_mutex_unlock(&w_lock);
}
