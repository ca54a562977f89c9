/*
 * log: one logfmt line per event on stderr (time, level, then key=value).
 * Thread-safe: each line is written with a single fprintf on an unbuffered
 * stream, so lines from request threads never interleave.
 */
#ifndef SQ_LOG_H
#define SQ_LOG_H

enum sq_log_level { SQ_LOG_DEBUG, SQ_LOG_INFO, SQ_LOG_WARN, SQ_LOG_ERROR };

void sq_log_set_level(enum sq_log_level l);
void sq_log_set_quiet(int quiet); /* suppress info/debug (tests) */
void sq_log(enum sq_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sq_info(...) sq_log(SQ_LOG_INFO, __VA_ARGS__)
#define sq_warn(...) sq_log(SQ_LOG_WARN, __VA_ARGS__)
#define sq_error(...) sq_log(SQ_LOG_ERROR, __VA_ARGS__)

/* Prints "sanqu: message" and exits 1. Start-up and out-of-memory only. */
void sq_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
