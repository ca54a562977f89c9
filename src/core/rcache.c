/*
 * rcache: serialised replies keyed by text, valid for one database
 * generation and at most RCACHE_TTL_MS (see rcache.h). A fixed table of
 * slots, one entry per slot (a colliding key replaces it), one mutex.
 */
#include "core/rcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db.h"

#define RC_SLOTS 128
#define RC_MAX_LEN (256 * 1024) /* so at most 32 MiB in all */
#define RC_REFRESH_MS 1000      /* a refresher that gave up is replaced after this */

struct rc_slot {
    char *key, *text;
    size_t len;
    uint64_t gen;
    int64_t filled_ms, refresh_ms;
    bool refreshing;
};

static struct rc_slot rc_table[RC_SLOTS];
static pthread_mutex_t rc_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct rc_slot *slot_of(const char *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return &rc_table[h % RC_SLOTS];
}

uint64_t sq_rcache_generation(void)
{
    return sq_db_generation();
}

bool sq_rcache_get(const char *key, char **text, size_t *len)
{
    bool hit = false;
    int64_t now = mono_ms();
    pthread_mutex_lock(&rc_lock);
    struct rc_slot *s = slot_of(key);
    if (s->key && s->gen == sq_db_generation() && !strcmp(s->key, key)) {
        hit = true;
        if (now - s->filled_ms >= RCACHE_TTL_MS &&
            (!s->refreshing || now - s->refresh_ms >= RC_REFRESH_MS)) {
            s->refreshing = true; /* this caller refreshes, the others keep hitting */
            s->refresh_ms = now;
            hit = false;
        }
    }
    if (hit) {
        *text = malloc(s->len + 1);
        if (*text) {
            memcpy(*text, s->text, s->len + 1);
            *len = s->len;
        } else {
            hit = false;
        }
    }
    pthread_mutex_unlock(&rc_lock);
    return hit;
}

void sq_rcache_put(const char *key, uint64_t gen, const char *text, size_t len)
{
    if (len > RC_MAX_LEN)
        return;
    char *k = strdup(key), *t = malloc(len + 1);
    if (!k || !t) {
        free(k);
        free(t);
        return;
    }
    memcpy(t, text, len);
    t[len] = '\0';
    pthread_mutex_lock(&rc_lock);
    if (gen == sq_db_generation()) {
        struct rc_slot *s = slot_of(key);
        free(s->key);
        free(s->text);
        *s = (struct rc_slot){.key = k, .text = t, .len = len, .gen = gen, .filled_ms = mono_ms()};
        k = t = NULL;
    }
    pthread_mutex_unlock(&rc_lock);
    free(k);
    free(t);
}

void sq_rcache_free(void)
{
    pthread_mutex_lock(&rc_lock);
    for (int i = 0; i < RC_SLOTS; i++) {
        free(rc_table[i].key);
        free(rc_table[i].text);
        rc_table[i] = (struct rc_slot){0};
    }
    pthread_mutex_unlock(&rc_lock);
}
