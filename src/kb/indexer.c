/*
 * kb indexer: fills the appeals full-text index (appeals_fts) in batches off
 * the request path, so that intake never pays for FTS5 tokenizing and
 * segment merging inside its own transaction.
 *
 * A background thread wakes every KB_INDEX_PERIOD_MS and indexes the appeals
 * with ids above kb_index_state('appeals').last_id, up to KB_INDEX_BATCH per
 * transaction, looping until it has caught up. Appeal ids grow in commit
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

#include "core/log.h"
#include "kb/kb.h"
#include "kb/search_engine.h"

#define KB_INDEX_PERIOD_MS 500
#define KB_INDEX_BATCH 1000

static pthread_t indexer;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool running, stopping;

static void *indexer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stopping) {
        pthread_mutex_unlock(&mu);
        int n;
        while ((n = kb_index_appeals_batch(KB_INDEX_BATCH)) == KB_INDEX_BATCH)
            ;
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
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(indexer, NULL);
    running = false;
}
