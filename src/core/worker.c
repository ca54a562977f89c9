/*
 * worker: periodic background thread with prompt wake-up and stop
 * (see worker.h).
 */
#include "core/worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"

struct sq_worker {
    const char *name;
    int interval_ms;
    sq_worker_tick_fn tick;
    sq_worker_exit_fn on_exit;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken; /* under lock */
    atomic_bool stop;
};

static void *worker_main(void *arg)
{
    struct sq_worker *w = arg;
    while (!atomic_load(&w->stop)) {
        int more = w->tick(w->ctx);
        pthread_mutex_lock(&w->lock);
        if (more <= 0 && !w->woken && !atomic_load(&w->stop)) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += w->interval_ms / 1000;
            ts.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&w->cond, &w->lock, &ts);
        }
        w->woken = false;
        pthread_mutex_unlock(&w->lock);
    }
    if (w->on_exit)
        w->on_exit(w->ctx);
    return NULL;
}

struct sq_worker *sq_worker_start(const char *name, int interval_ms, sq_worker_tick_fn tick,
                                  sq_worker_exit_fn on_exit, void *ctx)
{
    struct sq_worker *w = calloc(1, sizeof *w);
    pthread_condattr_t ca;
    if (!w)
        sq_fatal("out of memory");
    w->name = name;
    w->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    w->tick = tick;
    w->on_exit = on_exit;
    w->ctx = ctx;
    atomic_init(&w->stop, false);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
        sq_error("event=worker_start_failed worker=%s", name);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void sq_worker_wake(struct sq_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->woken = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

bool sq_worker_stopping(const struct sq_worker *w)
{
    return w && atomic_load(&w->stop);
}

void sq_worker_stop(struct sq_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->stop, true);
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool sq_pass_due(struct sq_pass_timer *t, int64_t now, bool fake_clock)
{
    int64_t m = mono_ms();
    bool due = !t->ran || t->more || m - t->last_mono_ms >= t->period_ms ||
               (fake_clock && now != t->last_now);
    if (due) {
        t->ran = true;
        t->last_mono_ms = m;
        t->last_now = now;
    }
    return due;
}
