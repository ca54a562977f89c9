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
static pthread_cond_t w_cond = PTHREAD_COND_INITIALIZER;  /* work arrived / stop */
static pthread_cond_t w_idle = PTHREAD_COND_INITIALIZER;  /* queue drained */
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
