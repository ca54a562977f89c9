/*
 * worker: one background thread that calls a tick function periodically
 * until stopped (the deadline scheduler, the webhook outbox).
 *
 * The thread sleeps on a condition variable (CLOCK_MONOTONIC), so
 * sq_worker_wake() runs the next tick at once and sq_worker_stop() returns
 * promptly: it wakes the thread, waits for the tick in progress to finish
 * and joins it. A tick that reports more work pending (returns > 0) is
 * followed by the next one without sleeping, but the stop flag is checked
 * between ticks, so a long backlog never delays shutdown by more than one
 * tick.
 */
#ifndef SQ_WORKER_H
#define SQ_WORKER_H

#include <stdbool.h>
#include <stdint.h>

struct sq_worker;

/* Returns > 0 when more work is waiting (tick again now), else 0. */
typedef int (*sq_worker_tick_fn)(void *ctx);
/* Called once in the worker thread after the last tick (per-thread cleanup). */
typedef void (*sq_worker_exit_fn)(void *ctx);

/* Starts a thread that calls tick every interval_ms (and on wake). name is
 * for logs (static string). Returns NULL (and logs) when the thread cannot
 * start. Free with sq_worker_stop. */
struct sq_worker *sq_worker_start(const char *name, int interval_ms, sq_worker_tick_fn tick,
                                  sq_worker_exit_fn on_exit, void *ctx);
/* Runs the next tick as soon as possible. Safe from any thread; NULL is a no-op. */
void sq_worker_wake(struct sq_worker *w);
/* True once sq_worker_stop was called: long ticks poll it to give up early. */
bool sq_worker_stopping(const struct sq_worker *w);
/* Stops, joins and frees the worker. NULL is a no-op. */
void sq_worker_stop(struct sq_worker *w);

/* Periodic passes on core/clock time (the deadline schedulers of appeals
 * and tasks). A pass is due the first time, while the last one left work
 * behind (more), once period_ms has gone by on the monotonic clock, or,
 * under a fake clock (tests, with the worker waking every 200 ms), as soon
 * as the fake time moved. sq_pass_due records the pass when it says yes. */
struct sq_pass_timer {
    int period_ms;
    int64_t last_mono_ms, last_now;
    bool ran, more;
};
bool sq_pass_due(struct sq_pass_timer *t, int64_t now, bool fake_clock);

#endif
