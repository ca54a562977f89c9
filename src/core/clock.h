/*
 * clock: the one source of "now" for every rule. Production reads the real
 * clock; tests (and `serve --test-clock`) set or advance a fake one so that
 * deadlines, warnings and escalations can be driven deterministically.
 */
#ifndef SQ_CLOCK_H
#define SQ_CLOCK_H
#include <stdint.h>
#include <stdbool.h>

int64_t sq_clock_now(void);        /* Unix seconds */
int64_t sq_clock_now_ms(void);     /* Unix milliseconds (monotonic enough for logging) */
void sq_clock_set_fake(int64_t t); /* switch to a fake clock fixed at t */
void sq_clock_advance(int64_t seconds);
bool sq_clock_is_fake(void);

/* Formats t as ISO 8601 with the district's offset (+08:00). out >= 32 bytes. */
void sq_clock_iso(int64_t t, char *out);
/* Parses ISO 8601 (YYYY-MM-DD[THH:MM[:SS]][Z|+hh:mm]); date-only = local midnight.
 * Returns 0 and sets *t, or -1. */
int sq_clock_parse_iso(const char *s, int64_t *t);

#define SQ_TZ_OFFSET (8 * 3600)

#endif
