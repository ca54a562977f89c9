/*
 * deadline: warning share, escalation periods and escalation targets on the
 * working calendar, shared by appeals and tasks (see deadline.h).
 */
#include "core/deadline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t guard(int64_t t)
{
    return t == SQ_WORKCAL_NEVER ? 0 : t;
}

int64_t sq_deadline_warn_at(const struct sq_workcal *cal, int64_t from, int64_t due, int percent)
{
    if (!due || due <= from)
        return due;
    int64_t span = sq_workcal_working_seconds_between(cal, from, due);
    return guard(sq_workcal_add_working_seconds(cal, from, span * percent / 100));
}

int64_t sq_deadline_next_escalation(const struct sq_workcal *cal, int64_t due, int count,
                                    int every_days)
{
    int64_t days = (int64_t)count * every_days;
    if (!due || count < 1 || every_days < 1 || days > SQ_WORKCAL_MAX_DAYS)
        return 0;
    return guard(sq_workcal_add_working_days(cal, due, (int)days));
}

int64_t sq_deadline_next_escalation_after(const struct sq_workcal *cal, int64_t due, int *count,
                                          int every_days, int64_t now)
{
    int64_t t = sq_deadline_next_escalation(cal, due, *count, every_days);
    while (t && t <= now && *count < SQ_DEADLINE_MAX_ROUNDS)
        t = sq_deadline_next_escalation(cal, due, ++*count, every_days);
    return t;
}

int64_t sq_deadline_escalation_unit(const char *path, int level)
{
    /* ids along the path, root first */
    int64_t ids[64];
    int n = 0;
    if (!path || path[0] != '/' || level < 1)
        return 0;
    for (const char *p = path + 1; *p && n < 64;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || *end != '/' || v <= 0)
            return 0;
        ids[n++] = v;
        p = end + 1;
    }
    if (!n)
        return 0;
    int i = n - 1 - level;
    return ids[i < 0 ? 0 : i];
}

int64_t sq_deadline_close_of_day(const struct sq_workcal *cal, int yyyymmdd)
{
    struct tm tm = {0};
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t midnight = timegm(&tm);
    if (tm.tm_mday != d) /* 02-30 normalised to March */
        return 0;
    return (int64_t)midnight + (int64_t)cal->day_end * 60 - cal->tz_offset;
}
