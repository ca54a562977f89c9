/*
 * kb indexer: fills the appeals full-text index (appeals_fts) in batches off
 * the request path, so that intake never pays for FTS5 tokenizing and
 * segment merging inside its own transaction.
 *
 * A background thread wakes every KB_INDEX_PERIOD_MS and indexes the appeals
 * with ids above kb_index_state('appeals').last_id, up to KB_INDEX_SLICE at a
 * time, looping until it has caught up. Each slice is a job of the
 * group-commit writer (core/writer.h): it runs inside the writer's batch,
 * between the requests' jobs, instead of in a transaction of its own that
 * would hold SQLite's one write lock while intake's batches wait for it
 * (busy-waiting in sleeps of up to 100 ms: the p99 of 600 ms this had).
 * A slice is small (a few milliseconds of tokenizing), and the next one
 * queues behind the requests that arrived meanwhile. Appeal ids grow in commit
 * order (SQLite has one writer), so "ids above the last indexed" are exactly
 * the new appeals; title and description never change after intake, so an
 * indexed appeal never needs re-indexing. New appeals are searchable within
 * one period plus one batch (well under 2 s). Appeals still open when
 * indexed also go into appeals_open_fts (008_open_fts.sql), whose triggers
 * keep it to the open set afterwards.
 */
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "core/db.h"
#include "core/log.h"
#include "core/writer.h"
#include "kb/kb.h"
#include "kb/search_engine.h"

#define KB_INDEX_PERIOD_MS 250
#define KB_INDEX_SLICE 256

static pthread_t indexer;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool running, stopping;

static enum sq_err slice_run(void *ctx, struct sq_detail *d)
{
    int *n = ctx;
    *n = kb_index_appeals_batch(KB_INDEX_SLICE);
    return *n < 0 ? sq_fail(d, SQ_EDB, NULL, "indexing failed") : SQ_OK;
}

/* Indexes one slice inside a batch of the writer; the count or -1. */
static int index_slice(void)
{
    struct sq_detail d = {0};
    int n = 0;
    if (!kb_index_appeals_pending())
        return 0; /* no job for the writer when there is nothing to do */
    return sq_writer_run(slice_run, &n, &d) ? -1 : n;
}

static void *indexer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stopping) {
        pthread_mutex_unlock(&mu);
        int n;
        while ((n = index_slice()) == KB_INDEX_SLICE) {
            pthread_mutex_lock(&mu);
            bool stop = stopping;
            pthread_mutex_unlock(&mu);
            if (stop)
                break;
        }
        pthread_mutex_lock(&mu);
        if (stopping)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += KB_INDEX_PERIOD_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&cv, &mu, &ts);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

void kb_indexer_start(void)
{
    pthread_mutex_lock(&mu);
    stopping = false;
    if (!running && pthread_create(&indexer, NULL, indexer_main, NULL) == 0)
        running = true;
    pthread_mutex_unlock(&mu);
}

void kb_indexer_stop(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        pthread_mutex_unlock(&mu);
        return;
    }
    stopping = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(indexer, NULL);
    running = false;
}
