/*
 * config: defaults, file, environment and flag handling (see config.h).
 */
#include "core/config.h"
#include "core/netaddr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/netaddr.h"

const struct sq_config *sq_app_config;

const struct sq_config_key sq_config_keys[] = {
    {"listen", "HOST:PORT to serve on (default 127.0.0.1:8080; port 0 picks a free one)"},
    {"db", "SQLite database file (default ./sanqu.db)"},
    {"data_dir", "directory for attachments (default <db>.files)"},
    {"threads", "HTTP worker threads (default: number of cores)"},
    {"anonymous_appeals",
     "accept appeals without an account, contact phone required (true/false, default true)"},
    {"warn_percent", "warn when this % of an appeal's or a task's time limit is used (default 80)"},
    {"unrated_days", "days after resolution before an appeal counts as unrated (default 7)"},
    {"scheduler_seconds", "deadline scheduler period in seconds (default 5)"},
    {"escalate_days", "escalate an overdue appeal or task again every N working days (default 2)"},
    {"webhook_attempts", "webhook delivery tries before a dead letter (default 6)"},
    {"inbox_retention_days", "days a read notification is kept before it is purged, 0 to 3650; "
                             "0 keeps them forever; unread ones are never purged (default 180)"},
    {"webhook_retention_days", "days a delivered webhook attempt is kept in the outbox, 0 to "
                               "3650; 0 keeps them forever; dead ones stay (default 30)"},
    {"webhook_allow_cidrs", "comma-separated address ranges webhooks may reach although not "
                            "public, e.g. 10.1.2.0/24 (default empty: public addresses only)"},
    {"session_hours", "sign-in token lifetime in hours (default 12)"},
    {"password_min_length", "shortest password a person may choose, 8 to 64 (default 10)"},
    {"max_body_kb", "largest JSON body accepted, KiB (default 256)"},
    {"max_upload_kb", "largest attachment accepted, KiB (default 10240)"},
    {"test_clock", "expose the fake-clock endpoint for tests (default false)"},
    {"quiet", "log only warnings and errors (default false)"},
    {"db_cache_mb", "SQLite page cache per database connection, MB (default 16)"},
    {"kb_index", "index new appeals for full-text search in the background (default true; "
                 "false only to measure intake without it)"},
    {"port_file", "write the bound port to this file once listening"},
    {"public_url", "the address people open, e.g. https://sanqu.example.gov.cn (https: the "
                   "session cookie is Secure)"},
    {"trusted_proxies", "reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For "
                        "names the client (default none)"},
    {"metrics_allow", "addresses (IPs or CIDRs) besides loopback that may read /metrics "
                      "(default none)"},
    {"metrics_token", "bearer token that may read /metrics from anywhere (16+ characters)"},
    {"anon_appeals_per_hour", "anonymous appeals accepted per client address per hour "
                              "(default 30; 0 = no limit)"},
    {"registrations_per_hour", "self-registrations per client address per hour "
                               "(default 10; 0 = no limit)"},
    {NULL, NULL},
};

void sq_config_defaults(struct sq_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "127.0.0.1");
    c->port = 8080;
    snprintf(c->db, sizeof c->db, "./sanqu.db");
    c->anonymous_appeals = true;
    c->kb_index = true;
    c->db_cache_mb = 16;
    c->warn_percent = 80;
    c->unrated_days = 7;
    c->scheduler_seconds = 5;
    c->escalate_days = 2;
    c->webhook_attempts = 6;
    c->inbox_retention_days = 180;
    c->webhook_retention_days = 30;
    c->session_hours = 12;
    c->password_min_length = 10;
    c->max_body = 256 * 1024;
    c->max_upload = 10 * 1024 * 1024;
    c->anon_appeals_per_hour = 30;
    c->registrations_per_hour = 10;
}

static enum sq_err parse_long(const char *key, const char *v, long lo, long hi, long *out,
                              struct sq_detail *d)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return sq_fail(d, SQ_EINVAL, key, "%s must be a whole number from %ld to %ld, got '%s'",
                       key, lo, hi, v);
    *out = n;
    return SQ_OK;
}

static enum sq_err parse_bool(const char *key, const char *v, bool *out, struct sq_detail *d)
{
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
        *out = false;
    else
        return sq_fail(d, SQ_EINVAL, key, "%s must be true or false, got '%s'", key, v);
    return SQ_OK;
}

static enum sq_err set_str(char *dst, size_t cap, const char *key, const char *v,
                           struct sq_detail *d)
{
    if (!*v || strlen(v) >= cap)
        return sq_fail(d, SQ_EINVAL, key, "%s must be 1 to %zu characters", key, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return SQ_OK;
}

static enum sq_err set_addr_list(char *dst, size_t cap, const char *key, const char *v,
                                 struct sq_detail *d)
{
    enum sq_err e;
    if (strlen(v) >= cap)
        return sq_fail(d, SQ_EINVAL, key, "%s is at most %zu characters", key, cap - 1);
    if ((e = sq_addr_list_check(key, v, d)))
        return e;
    memcpy(dst, v, strlen(v) + 1);
    return SQ_OK;
}

static enum sq_err set_public_url(struct sq_config *c, const char *v, struct sq_detail *d)
{
    if ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) || strpbrk(v, " \t\r\n\"<>"))
        return sq_fail(d, SQ_EINVAL, "public_url",
                       "public_url must be an http:// or https:// address, got '%.100s'", v);
    return set_str(c->public_url, sizeof c->public_url, "public_url", v, d);
}

static enum sq_err set_listen(struct sq_config *c, const char *v, struct sq_detail *d)
{
    const char *colon = strrchr(v, ':');
    long port;
    if (!colon || colon == v || (size_t)(colon - v) >= sizeof c->host)
        return sq_fail(d, SQ_EINVAL, "listen", "listen must be HOST:PORT, got '%s'", v);
    if (parse_long("listen", colon + 1, 0, 65535, &port, d))
        return SQ_EINVAL;
    memcpy(c->host, v, (size_t)(colon - v));
    c->host[colon - v] = '\0';
    c->port = (int)port;
    return SQ_OK;
}

enum sq_err sq_config_set(struct sq_config *c, const char *key, const char *v, struct sq_detail *d)
{
    long n = 0;
    enum sq_err e;
    if (!strcmp(key, "listen"))
        return set_listen(c, v, d);
    if (!strcmp(key, "db"))
        return set_str(c->db, sizeof c->db, key, v, d);
    if (!strcmp(key, "data_dir"))
        return set_str(c->data_dir, sizeof c->data_dir, key, v, d);
    if (!strcmp(key, "port_file"))
        return set_str(c->port_file, sizeof c->port_file, key, v, d);
    if (!strcmp(key, "webhook_allow_cidrs"))
        return set_addr_list(c->webhook_allow_cidrs, sizeof c->webhook_allow_cidrs, key, v, d);
    if (!strcmp(key, "public_url"))
        return set_public_url(c, v, d);
    if (!strcmp(key, "trusted_proxies"))
        return set_addr_list(c->trusted_proxies, sizeof c->trusted_proxies, key, v, d);
    if (!strcmp(key, "metrics_allow"))
        return set_addr_list(c->metrics_allow, sizeof c->metrics_allow, key, v, d);
    if (!strcmp(key, "metrics_token")) {
        if (strlen(v) < 16 || strpbrk(v, " \t\r\n"))
            return sq_fail(d, SQ_EINVAL, key,
                           "metrics_token must be 16 or more characters "
                           "without spaces");
        return set_str(c->metrics_token, sizeof c->metrics_token, key, v, d);
    }
    if (!strcmp(key, "anonymous_appeals"))
        return parse_bool(key, v, &c->anonymous_appeals, d);
    if (!strcmp(key, "test_clock"))
        return parse_bool(key, v, &c->test_clock, d);
    if (!strcmp(key, "quiet"))
        return parse_bool(key, v, &c->quiet, d);
    if (!strcmp(key, "kb_index"))
        return parse_bool(key, v, &c->kb_index, d);
    if (!strcmp(key, "threads")) {
        if ((e = parse_long(key, v, 0, 256, &n, d)))
            return e;
        c->threads = (int)n;
    } else if (!strcmp(key, "warn_percent")) {
        if ((e = parse_long(key, v, 1, 99, &n, d)))
            return e;
        c->warn_percent = (int)n;
    } else if (!strcmp(key, "unrated_days")) {
        if ((e = parse_long(key, v, 1, 365, &n, d)))
            return e;
        c->unrated_days = (int)n;
    } else if (!strcmp(key, "scheduler_seconds")) {
        if ((e = parse_long(key, v, 1, 3600, &n, d)))
            return e;
        c->scheduler_seconds = (int)n;
    } else if (!strcmp(key, "escalate_days")) {
        if ((e = parse_long(key, v, 1, 90, &n, d)))
            return e;
        c->escalate_days = (int)n;
    } else if (!strcmp(key, "webhook_attempts")) {
        if ((e = parse_long(key, v, 1, 20, &n, d)))
            return e;
        c->webhook_attempts = (int)n;
    } else if (!strcmp(key, "inbox_retention_days")) {
        if ((e = parse_long(key, v, 0, 3650, &n, d)))
            return e;
        c->inbox_retention_days = (int)n;
    } else if (!strcmp(key, "webhook_retention_days")) {
        if ((e = parse_long(key, v, 0, 3650, &n, d)))
            return e;
        c->webhook_retention_days = (int)n;
    } else if (!strcmp(key, "db_cache_mb")) {
        if ((e = parse_long(key, v, 1, 4096, &n, d)))
            return e;
        c->db_cache_mb = (int)n;
    } else if (!strcmp(key, "session_hours")) {
        if ((e = parse_long(key, v, 1, 24 * 90, &n, d)))
            return e;
        c->session_hours = (int)n;
    } else if (!strcmp(key, "password_min_length")) {
        if ((e = parse_long(key, v, 8, 64, &n, d)))
            return e;
        c->password_min_length = (int)n;
    } else if (!strcmp(key, "max_body_kb")) {
        if ((e = parse_long(key, v, 1, 64 * 1024, &n, d)))
            return e;
        c->max_body = n * 1024;
    } else if (!strcmp(key, "anon_appeals_per_hour")) {
        if ((e = parse_long(key, v, 0, 1000000, &n, d)))
            return e;
        c->anon_appeals_per_hour = (int)n;
    } else if (!strcmp(key, "registrations_per_hour")) {
        if ((e = parse_long(key, v, 0, 1000000, &n, d)))
            return e;
        c->registrations_per_hour = (int)n;
    } else if (!strcmp(key, "max_upload_kb")) {
        if ((e = parse_long(key, v, 1, 1024 * 1024, &n, d)))
            return e;
        c->max_upload = n * 1024;
    } else {
        return sq_fail(d, SQ_EINVAL, NULL, "unknown setting '%s' (see sanqu serve --help)", key);
    }
    return SQ_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

enum sq_err sq_config_load_file(struct sq_config *c, const char *path, struct sq_detail *d)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int lineno = 0;
    enum sq_err e = SQ_OK;
    if (!f)
        return sq_fail(d, SQ_EINVAL, "config", "cannot open config file %s: %s", path,
                       strerror(errno));
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            e = sq_fail(d, SQ_EINVAL, "config", "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if ((e = sq_config_set(c, key, val, d))) {
            if (d) {
                char msg[160];
                snprintf(msg, sizeof msg, "%.150s", d->message);
                snprintf(d->message, sizeof d->message, "%.80s:%d: %s", path, lineno, msg);
            }
            break;
        }
    }
    fclose(f);
    return e;
}

enum sq_err sq_config_load_env(struct sq_config *c, char **envp, struct sq_detail *d)
{
    for (const struct sq_config_key *k = sq_config_keys; k->key; k++) {
        char name[64];
        size_t i;
        snprintf(name, sizeof name, "SANQU_%s", k->key);
        for (i = 6; name[i]; i++)
            name[i] = (char)toupper((unsigned char)name[i]);
        for (char **e = envp; e && *e; e++) {
            size_t len = strlen(name);
            if (!strncmp(*e, name, len) && (*e)[len] == '=') {
                enum sq_err r = sq_config_set(c, k->key, *e + len + 1, d);
                if (r)
                    return r;
            }
        }
    }
    return SQ_OK;
}
