/*
 * rcache: a small cache of serialised replies to hot or expensive reads
 * (the KPI query in stats/api.c, appeal list pages in appeals/api.c), keyed
 * by text.
 *
 * Exactness: an entry is valid only while sq_db_generation() has not moved
 * since the data it holds was read, so any commit of this process (an
 * appeal changing appeal_stats, a unit renamed) makes every entry a miss
 * with the very next request. Writes by another process are not seen; for
 * them an entry also expires RCACHE_TTL_MS after it was filled (docs/kpi.md).
 *
 * The key must contain everything the reply depends on besides the
 * database: the caller's resolved scope (a unit, not a token: authorisation
 * is decided per request before the cache is asked) and every parameter.
 *
 * Usage: gen = sq_rcache_generation() before reading the database; on a
 * miss compute the reply, then sq_rcache_put(key, gen, ...), which stores
 * nothing if a commit happened in between. Thread-safe.
 */
#ifndef SQ_RCACHE_H
#define SQ_RCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RCACHE_TTL_MS 2000

uint64_t sq_rcache_generation(void);

/* On a hit, *text is a malloc'd copy (NUL-terminated; caller frees) and
 * *len its length. When an entry expired by age only, one caller gets a miss
 * and refreshes it while the others keep getting the entry (no commit has
 * happened since it was read), so 64 clients do not recompute at once. */
bool sq_rcache_get(const char *key, char **text, size_t *len);

/* Stores a copy of text under key if the generation is still gen. Replies
 * over 256 KiB are not kept. Out of memory just skips the store. */
void sq_rcache_put(const char *key, uint64_t gen, const char *text, size_t len);

void sq_rcache_free(void); /* at shutdown */

#endif
