/*
 * writer: one thread that commits many small writes together (group commit).
 *
 * With synchronous=FULL every COMMIT waits for the disk, so one transaction
 * per request caps intake at the fsync rate. Requests instead submit a job;
 * the writer runs every queued job inside one transaction (each job in its
 * own savepoint, so one bad job does not spoil the others), commits once,
 * then reports each job's own result. A job's `done` runs only after the
 * COMMIT returned: nothing is acknowledged before it is durable.
 */
#ifndef SQ_WRITER_H
#define SQ_WRITER_H

#include <stdbool.h>

#include "core/err.h"

struct sq_write_job {
    /* runs on the writer thread inside the batch transaction */
    enum sq_err (*run)(void *ctx, struct sq_detail *d);
    /* runs on the writer thread after COMMIT (or failure), with the result */
    void (*done)(void *ctx, enum sq_err e, const struct sq_detail *d);
    void *ctx;
    struct sq_write_job *next; /* queue link, owned by the writer */
    enum sq_err err;
    struct sq_detail detail;
};

int sq_writer_start(void);
/* Waits until every queued job is done, then stops the thread. */
void sq_writer_stop(void);
/* Queues a job; false when the writer is not running (run it inline then). */
bool sq_writer_submit(struct sq_write_job *job);
bool sq_writer_running(void);
/* Waits until the queue is empty and no batch is running. */
void sq_writer_drain(void);

/* Runs fn(ctx, d) as one job and waits for its batch to commit: for
 * background threads (the full-text indexer, the deadline scheduler) whose
 * writes would otherwise hold SQLite's write lock in transactions of their
 * own while the requests' batches wait for it. Without the writer (or from
 * the writer thread itself, or inside a transaction) it runs in a
 * transaction of its own. fn's writes are rolled back when it fails. */
enum sq_err sq_writer_run(enum sq_err (*fn)(void *ctx, struct sq_detail *d), void *ctx,
                          struct sq_detail *d);

struct sq_writer_stats {
    unsigned long long batches, jobs, max_batch;
};
void sq_writer_get_stats(struct sq_writer_stats *s);

#endif
