/*
 * config: sanqu's settings with one precedence rule, applied in this order so
 * that later sources win: defaults < config file < environment (SANQU_*) <
 * command-line flags. Every source goes through sq_config_set(), so a key is
 * validated the same way wherever it comes from.
 */
#ifndef SQ_CONFIG_H
#define SQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sq_config {
    char host[64];              /* listen address, default 127.0.0.1 */
    int port;                   /* default 8080; 0 = ephemeral (tests) */
    char db[1024];              /* SQLite path, default ./sanqu.db */
    char data_dir[1024];        /* attachments; default: <db>.files */
    int threads;                /* HTTP worker threads; 0 = number of cores */
    bool anonymous_appeals;     /* allow intake without an account */
    int warn_percent;           /* deadline warning threshold, % of time used */
    int unrated_days;           /* days after resolve before an appeal counts as unrated */
    int scheduler_seconds;      /* deadline scheduler period (fake clock: reacts within 200 ms) */
    int escalate_days;          /* escalate again every N working days overdue */
    int webhook_attempts;       /* webhook tries before a delivery is dead */
    int inbox_retention_days;   /* read inbox rows older than this are purged; 0 = never */
    int webhook_retention_days; /* delivered webhook attempts older than this go; 0 = never */
    /* comma-separated CIDR ranges webhooks may reach although they are not
     * public (loopback, private, ...); default empty: public addresses only */
    char webhook_allow_cidrs[1024];
    int session_hours;       /* token lifetime */
    int password_min_length; /* password policy minimum (sq_password_check), default 10 */
    long max_body;           /* bytes; JSON bodies */
    long max_upload;         /* bytes; attachments */
    bool test_clock;         /* expose /api/v1/test/clock (tests only) */
    bool quiet;              /* log warnings and errors only */
    bool kb_index;           /* index new appeals for full-text search (default true) */
    int db_cache_mb;         /* SQLite page cache per connection (default 16) */
    char port_file[1024];    /* write the bound port here (tests with port 0) */
    /* the edge: who the client is, who may read /metrics, per-address limits */
    char public_url[256];       /* the address people use, "https://..." (cookies get Secure) */
    char trusted_proxies[512];  /* peers whose X-Forwarded-For names the client (netaddr list) */
    char metrics_allow[512];    /* addresses besides loopback that may read /metrics */
    char metrics_token[128];    /* or a bearer token that may read /metrics */
    int anon_appeals_per_hour;  /* anonymous appeals per client address per hour; 0 = no limit */
    int registrations_per_hour; /* self-registrations per client address per hour; 0 = no limit */
};

/* Key table entry, used by --help and by sq_config_set. */
struct sq_config_key {
    const char *key; /* file key; flag is --key, env is SANQU_KEY */
    const char *help;
};
extern const struct sq_config_key sq_config_keys[];

/* The running process' settings (set once at start-up by main). */
extern const struct sq_config *sq_app_config;

void sq_config_defaults(struct sq_config *c);
/* Sets one key from its text form. Unknown keys and bad values fail with
 * SQ_EINVAL and a message naming the key. */
enum sq_err sq_config_set(struct sq_config *c, const char *key, const char *value,
                          struct sq_detail *d);
/* Reads "key = value" lines ('#' comments). Fails on the first bad line. */
enum sq_err sq_config_load_file(struct sq_config *c, const char *path, struct sq_detail *d);
/* Applies SANQU_<KEY> environment variables (envp style array or environ). */
enum sq_err sq_config_load_env(struct sq_config *c, char **envp, struct sq_detail *d);

#endif
