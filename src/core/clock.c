/*
 * clock: real or fake time. The fake clock is an atomic so request threads
 * and the scheduler thread see one consistent value.
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_bool clock_fake;
static _Atomic int64_t clock_fake_now;

int64_t sq_clock_now(void)
{
    if (atomic_load(&clock_fake))
        return atomic_load(&clock_fake_now);
    return (int64_t)time(NULL);
}

int64_t sq_clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sq_clock_set_fake(int64_t t)
{
    atomic_store(&clock_fake_now, t);
    atomic_store(&clock_fake, true);
}

void sq_clock_advance(int64_t seconds)
{
    atomic_fetch_add(&clock_fake_now, seconds);
}

bool sq_clock_is_fake(void)
{
    return atomic_load(&clock_fake);
}

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian; Howard
 * Hinnant's days_from_civil inverse), so that formatting takes no lock:
 * gmtime_r() goes through glibc's time-zone lock. */
static void civil_of_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void sq_clock_iso(int64_t t, char *out)
{
    int64_t local = t + SQ_TZ_OFFSET;
    int64_t days = (local >= 0 ? local : local - 86399) / 86400, secs = local - days * 86400;
    int year, month, day;
    civil_of_days(days, &year, &month, &day);
    /* by hand: strftime() was a visible share of a queue page's 60 times */
    if (year < 1000 || year > 9999) { /* four digits: what sq_clock_parse_iso() takes */
        time_t lt = (time_t)local;
        struct tm tm;
        gmtime_r(&lt, &tm);
        strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
        return;
    }
    const int v[6] = {
        year, month, day, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60)};
    static const char sep[6] = {'-', '-', 'T', ':', ':', '+'};
    char *p = out;
    for (int i = 0; i < 6; i++) {
        if (i == 0) {
            *p++ = (char)('0' + v[0] / 1000);
            *p++ = (char)('0' + v[0] / 100 % 10);
        }
        *p++ = (char)('0' + v[i] / 10 % 10);
        *p++ = (char)('0' + v[i] % 10);
        *p++ = sep[i];
    }
    memcpy(p, "08:00", 6);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int sq_clock_parse_iso(const char *s, int64_t *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s)
        return -1;
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (!p)
        return -1;
    int offset = SQ_TZ_OFFSET;
    if (*p == 'T' || *p == ' ') {
        const char *q = strptime(p + 1, "%H:%M:%S", &tm);
        if (!q)
            q = strptime(p + 1, "%H:%M", &tm);
        if (!q)
            return -1;
        p = q;
        if (*p == '.') { /* fractional seconds are accepted and dropped */
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (*p == 'Z') {
            offset = 0;
            p++;
        } else if (*p == '+' || *p == '-') {
            /* exactly hh:mm, checked byte by byte: p must never step past
             * the terminator (a short "+1:1" once made it read beyond) */
            if (!is_digit(p[1]) || !is_digit(p[2]) || p[3] != ':' || !is_digit(p[4]) ||
                !is_digit(p[5]))
                return -1;
            int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
            if (hh > 14 || mm > 59)
                return -1;
            offset = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
            p += 6;
        }
    }
    if (*p)
        return -1;
    /* reject normalised dates such as 2026-02-30 */
    int mday = tm.tm_mday, mon = tm.tm_mon;
    time_t v = timegm(&tm);
    if (v == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon)
        return -1;
    /* local (+08:00) years 1900-9999 only: whatever we accept, sq_clock_iso()
     * must print with a four-digit year that parses back (9999-12-31T23:59Z
     * is already year 10000 here) */
    int64_t local = (int64_t)v - offset + SQ_TZ_OFFSET;
    if (local < -2208988800LL || local >= 253402300800LL)
        return -1;
    *t = (int64_t)v - offset;
    return 0;
}
