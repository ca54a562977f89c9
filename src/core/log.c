/*
 * log: logfmt lines on stderr.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static enum sq_log_level log_level = SQ_LOG_INFO;

void sq_log_set_level(enum sq_log_level l)
{
    log_level = l;
}

void sq_log_set_quiet(int quiet)
{
    log_level = quiet ? SQ_LOG_WARN : SQ_LOG_INFO;
}

void sq_log(enum sq_log_level l, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (l < log_level)
        return;
    char msg[2048], ts[40];
    struct timespec now;
    struct tm tm;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "time=%s.%03ldZ level=%s %s\n", ts, now.tv_nsec / 1000000, names[l], msg);
}

void sq_fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("sanqu: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}
