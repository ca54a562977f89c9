/*
 * main: command dispatch. `sanqu serve|init|demo|backup|check|routes`.
 *
 * Settings come, later winning, from defaults, the --config file, SANQU_*
 * environment variables and command-line flags (core/config.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "core/http.h"
#include "core/log.h"
#include "core/writer.h"
#include "demo/demo.h"
#include "units/units.h"

extern char **environ;

static struct sq_config app_cfg;

void accounts_audit_access(const struct sq_req *r);
void sq_app_init(void);                       /* per-connection hooks (app.c) */
void sq_app_start(const struct sq_config *c); /* domain background work (app.c) */
void sq_app_stop(void);

static void usage(FILE *f)
{
    fprintf(f,
            "sanqu - governance platform for campuses, communities and parks (三区融合治理)\n\n"
            "usage: sanqu COMMAND [options]\n\n"
            "commands:\n"
            "  serve    serve the web UI and JSON API (default 127.0.0.1:8080, ./sanqu.db)\n"
            "  init     create a new database with the district and its first admin\n"
            "  demo     build a synthetic demo district (units, users, appeals) in a new database\n"
            "  backup   copy a database safely, even while it is being served\n"
            "  check    verify a database's integrity and foreign keys\n"
            "  routes   print every API route with the permission it needs\n"
            "  perms    print every permission, what it allows and the roles holding it\n"
            "  openapi  print the OpenAPI document generated from the route tables\n\n"
            "Run `sanqu COMMAND --help` for the options of a command.\n"
            "Examples:\n"
            "  sanqu demo --db demo.db && sanqu serve --db demo.db\n"
            "  sanqu init --db prod.db --admin alice\n"
            "  sanqu backup --db prod.db --to backup-2026-11-27.db && sanqu check --db "
            "backup-2026-11-27.db\n");
}

static void serve_usage(void)
{
    printf("usage: sanqu serve [--listen HOST:PORT] [--db PATH] [--config FILE] [options]\n\n"
           "Serves the web UI and the API. Each setting may be given as a flag (--key value),\n"
           "as an environment variable (SANQU_KEY), or in the config file (key = value);\n"
           "flags beat the environment, which beats the file.\n\nsettings:\n");
    for (const struct sq_config_key *k = sq_config_keys; k->key; k++)
        printf("  --%-18s %s\n", k->key, k->help);
    printf("\nThe server stops cleanly on SIGINT or SIGTERM, finishing requests in flight.\n");
}

/* Finds "--name value" or "--name=value" (dashes or underscores). */
static const char *flag(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2))
            continue;
        a += 2;
        bool same = true;
        size_t j;
        for (j = 0; j < n && a[j]; j++) {
            char x = a[j] == '-' ? '_' : a[j], y = name[j] == '-' ? '_' : name[j];
            if (x != y) {
                same = false;
                break;
            }
        }
        if (!same || j < n)
            continue;
        if (a[n] == '=')
            return a + n + 1;
        if (a[n] == '\0')
            return i + 1 < argc ? argv[i + 1] : "";
    }
    return NULL;
}

static bool has_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

/* Stands in a command's known-flag list for all of serve's settings. */
static const char SERVE_SETTINGS[] = "(settings)";

/* Rejects flags the command does not know, so typos do not pass silently. */
static int check_flags(int argc, char **argv, const char *const *known)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2))
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s", argv[i] + 2);
        char *eq = strchr(name, '=');
        if (eq)
            *eq = '\0';
        for (char *p = name; *p; p++)
            if (*p == '-')
                *p = '_';
        bool ok = false;
        for (const char *const *k = known; *k; k++)
            ok |= !strcmp(*k, name);
        /* SERVE_SETTINGS in known: every setting of sq_config_keys */
        for (const char *const *k = known; *k && !ok; k++)
            for (const struct sq_config_key *c = sq_config_keys; *k == SERVE_SETTINGS && c->key;
                 c++)
                ok |= !strcmp(c->key, name);
        if (!ok) {
            fprintf(stderr, "sanqu: unknown option --%s (see --help)\n", name);
            return -1;
        }
        if (!eq && strcmp(name, "help") && strcmp(name, "force"))
            i++; /* skip the value */
    }
    return 0;
}

static int load_config(int argc, char **argv, struct sq_config *c)
{
    struct sq_detail d = {0};
    sq_config_defaults(c);
    const char *file = flag(argc, argv, "config");
    if (!file)
        file = getenv("SANQU_CONFIG");
    if (file && sq_config_load_file(c, file, &d)) {
        fprintf(stderr, "sanqu: %s\n", d.message);
        return -1;
    }
    if (sq_config_load_env(c, environ, &d)) {
        fprintf(stderr, "sanqu: environment: %s\n", d.message);
        return -1;
    }
    for (const struct sq_config_key *k = sq_config_keys; k->key; k++) {
        const char *v = flag(argc, argv, k->key);
        if (v && sq_config_set(c, k->key, v, &d)) {
            fprintf(stderr, "sanqu: --%s: %s\n", k->key, d.message);
            return -1;
        }
    }
    if (!c->data_dir[0])
        snprintf(c->data_dir, sizeof c->data_dir, "%.1000s.files", c->db);
    return 0;
}

static int open_db(const struct sq_config *c)
{
    struct sq_detail d = {0};
    if (sq_auth_init()) {
        fprintf(stderr, "sanqu: libsodium failed to initialise\n");
        return -1;
    }
    sq_app_config = c;
    sq_app_init();
    sq_db_set_cache_kb(c->db_cache_mb * 1000);
    if (sq_db_open(c->db, &d)) {
        fprintf(stderr, "sanqu: %s\n", d.message);
        return -1;
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const char *const known[] = {"config", "help", SERVE_SETTINGS, NULL};
    if (has_flag(argc, argv, "--help")) {
        serve_usage();
        return 0;
    }
    if (check_flags(argc, argv, known) || load_config(argc, argv, &app_cfg))
        return 2;
    sq_log_set_quiet(app_cfg.quiet);
    if (open_db(&app_cfg))
        return 1;
    mkdir(app_cfg.data_dir, 0750);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    sq_http_set_authenticator(accounts_store_authenticate);
    sq_http_set_audit_access(accounts_audit_access);
    sq_app_start(&app_cfg);
    int port = sq_http_start(&app_cfg);
    if (port < 0) {
        fprintf(stderr, "sanqu: cannot listen on %s:%d: %s\n", app_cfg.host, app_cfg.port,
                strerror(errno));
        sq_app_stop();
        sq_db_shutdown();
        return 1;
    }
    if (app_cfg.port_file[0]) {
        char tmp[1100];
        snprintf(tmp, sizeof tmp, "%s.tmp", app_cfg.port_file);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
            rename(tmp, app_cfg.port_file);
        }
    }
    sq_info("event=listening url=http://%s:%d/ db=%s schema=%d", app_cfg.host, port, app_cfg.db,
            sq_db_schema_version());
    int sig = 0;
    sigwait(&set, &sig);
    sq_info("event=stopping signal=%d", sig);
    sq_writer_drain(); /* commit and answer what was submitted */
    sq_http_stop();    /* waits for requests in flight */
    sq_app_stop();
    sq_db_shutdown();
    sq_info("event=stopped");
    return 0;
}

static int cmd_init(int argc, char **argv)
{
    static const char *const known[] = {"db", "admin", "district", "help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf("usage: sanqu init --db PATH --admin LOGIN [--district NAME]\n\n"
               "Creates the database, the district unit (default 洪山区) and its first district\n"
               "admin, and prints the admin's one-time password. There is no default password.\n"
               "The one-time password works once: the first sign-in must choose a new one.\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    const char *admin = flag(argc, argv, "admin"), *district = flag(argc, argv, "district");
    struct sq_config c;
    if (load_config(argc, argv, &c))
        return 2;
    if (!admin || !*admin) {
        fprintf(stderr, "sanqu init: --admin LOGIN is required\n");
        return 2;
    }
    if (open_db(&c))
        return 1;
    struct sq_detail d = {0};
    char password[48];
    int rc = sq_demo_init_district(district ? district : "洪山区", admin, password, &d);
    sq_db_shutdown();
    if (rc) {
        fprintf(stderr, "sanqu init: %s\n", d.message);
        return 1;
    }
    printf("created %s with district admin '%s'\none-time password: %s\n"
           "It works once: the first sign-in must choose a new password (at least %d\n"
           "characters; the web UI asks for it, or PATCH /api/v1/users/{id}\n"
           "{\"password\": NEW, \"current_password\": ONE-TIME}). Until then that session\n"
           "may do nothing else.\n",
           c.db, admin, password, c.password_min_length);
    return 0;
}

static int cmd_demo(int argc, char **argv)
{
    static const char *const known[] = {"db",  "seed", "scale", "appeals", "answers",
                                        "now", "help", "force", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf(
            "usage: sanqu demo [--db PATH] [--seed N] [--appeals N] [--answers N] [--now TIME]\n\n"
            "Builds a synthetic district at the scale of Hongshan, Wuhan: 14 streets, 192\n"
            "communities, departments, 35 universities with schools, 8 parks with 3,700\n"
            "enterprises, users for every role, and about three years of appeals. The same\n"
            "seed gives the same data. The data is synthetic: no real person is in it.\n"
            "Every demo account's password is sanqu-demo.\n\n"
            "  --appeals N  appeals since 2024-01-01 (default 300000; 0 = none)\n"
            "  --answers N  knowledge-base answers (default 48, the curated ones; more are\n"
            "               local variants of them, as the benchmark's 10000)\n"
            "  --now TIME   pretend it is TIME (ISO 8601, e.g. 2026-11-27T10:00+08:00):\n"
            "               appeals stop there; same seed + same --now = same data\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    struct sq_config c;
    if (load_config(argc, argv, &c))
        return 2;
    const char *seed = flag(argc, argv, "seed"), *appeals = flag(argc, argv, "appeals");
    const char *now = flag(argc, argv, "now"), *answers = flag(argc, argv, "answers");
    int64_t now_t = 0;
    if (now && sq_clock_parse_iso(now, &now_t)) {
        fprintf(stderr, "sanqu demo: --now wants ISO 8601, e.g. 2026-11-27T10:00+08:00\n");
        return 2;
    }
    if (appeals && (strspn(appeals, "0123456789") != strlen(appeals) || strlen(appeals) > 9)) {
        fprintf(stderr, "sanqu demo: --appeals wants a number from 0 to 999999999\n");
        return 2;
    }
    if (answers && (strspn(answers, "0123456789") != strlen(answers) || strlen(answers) > 6)) {
        fprintf(stderr, "sanqu demo: --answers wants a number from 0 to 999999\n");
        return 2;
    }
    if (now)
        sq_clock_set_fake(now_t);
    struct sq_demo_opts o = {.seed = seed ? strtoul(seed, NULL, 10) : 1,
                             .appeals = appeals ? atol(appeals) : -1,
                             .answers = answers ? atol(answers) : 0};
    sq_log_set_quiet(1);
    if (open_db(&c))
        return 1;
    struct sq_detail d = {0};
    int rc = sq_demo_build(&o, &d);
    sq_db_shutdown();
    if (rc) {
        fprintf(stderr, "sanqu demo: %s\n", d.message);
        return 1;
    }
    return 0;
}

static int cmd_backup(int argc, char **argv)
{
    static const char *const known[] = {"db", "to", "help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf("usage: sanqu backup --db PATH --to FILE\n\nCopies the database with SQLite's "
               "online backup: safe while sanqu serves it.\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    const char *db = flag(argc, argv, "db"), *to = flag(argc, argv, "to");
    if (!db || !to || !*to) {
        fprintf(stderr, "sanqu backup: --db PATH and --to FILE are required\n");
        return 2;
    }
    if (access(db, R_OK)) {
        fprintf(stderr, "sanqu backup: cannot read %s\n", db);
        return 1;
    }
    struct sq_detail d = {0};
    if (sq_db_backup(db, to, &d)) {
        fprintf(stderr, "sanqu backup: %s\n", d.message);
        return 1;
    }
    printf("backed up %s to %s\n", db, to);
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    static const char *const known[] = {"db", "help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf("usage: sanqu check --db PATH\n\nRuns SQLite's integrity and foreign-key checks; "
               "exits 1 when there is any problem.\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    const char *db = flag(argc, argv, "db");
    if (!db) {
        fprintf(stderr, "sanqu check: --db PATH is required\n");
        return 2;
    }
    if (access(db, R_OK)) {
        fprintf(stderr, "sanqu check: cannot read %s\n", db);
        return 1;
    }
    int n = sq_db_check(db);
    if (n) {
        printf("%s: %d problem(s)\n", db, n);
        return 1;
    }
    printf("%s: ok\n", db);
    return 0;
}

/* Prints s as a JSON string literal (the route table holds plain ASCII and
 * UTF-8; quotes, backslashes and control characters are escaped). */
static void print_json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* `sanqu routes --json`: [{method,pattern,perm,summary,raw_body,query_open,
 * query:[names],body:[names]|null}], one route a line,
 * read by the permission-matrix and OpenAPI tests. */
static int cmd_routes_json(void)
{
    const char *sep = "";
    printf("[");
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *r = *t; r->method; r++) {
            printf("%s\n{\"method\":", sep);
            print_json_str(r->method);
            printf(",\"pattern\":");
            print_json_str(r->pattern);
            printf(",\"perm\":");
            print_json_str(sq_perm_name(r->perm));
            printf(",\"summary\":");
            print_json_str(r->summary);
            printf(",\"raw_body\":%s,\"query_open\":%s,\"query\":[",
                   (r->flags & SQ_ROUTE_RAW_BODY) ? "true" : "false",
                   (r->flags & SQ_ROUTE_QUERY_OPEN) ? "true" : "false");
            for (const struct sq_query *q = r->query; q && q->name; q++) {
                printf("%s", q == r->query ? "" : ",");
                print_json_str(q->name);
            }
            printf("],\"body\":");
            if (!r->body)
                printf("null");
            for (const struct sq_field *f = r->body; f && f->name; f++) {
                printf("%s", f == r->body ? "[" : ",");
                print_json_str(f->name);
            }
            printf("%s}", r->body ? (r->body->name ? "]" : "[]") : "");
            sep = ",";
        }
    printf("\n]\n");
    return 0;
}

/* `sanqu openapi`: the OpenAPI document, as GET /api/v1/openapi.json serves
 * it; the Makefile writes docs/openapi.json with it. */
static int cmd_openapi(int argc, char **argv)
{
    static const char *const known[] = {"help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf("usage: sanqu openapi\n\nPrints the OpenAPI 3 document of every route, generated "
               "from the route tables\nand docs/openapi-base.json.\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    char err[256];
    json_t *doc = sq_openapi_new(err, sizeof err);
    if (!doc) {
        fprintf(stderr, "sanqu openapi: %s\n", err);
        return 1;
    }
    size_t len;
    const char *text = sq_openapi_text(&len);
    json_decref(doc);
    if (!text)
        return 1;
    fwrite(text, 1, len, stdout);
    putchar('\n');
    return 0;
}

/* `sanqu perms [--json]`: every declared permission, what it allows and
 * the roles holding it; --json prints [{name,zh,en,route_only,roles:[...]}]
 * for the permission-matrix test. */
static int cmd_perms(int argc, char **argv)
{
    static const char *const known[] = {"json", "help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf("usage: sanqu perms [--json]\n\nPrints every permission the domains declare, "
               "with the roles that hold it.\n");
        return 0;
    }
    if (check_flags(argc, argv, known))
        return 2;
    bool json = has_flag(argc, argv, "--json");
    if (json)
        printf("[");
    for (int i = 0; i < sq_perm_count(); i++) {
        const struct sq_perm *p = sq_perm_at(i);
        if (!json) {
            printf("%-18s", p->name);
            for (int r = 0; r < SQ_ROLE__MAX; r++)
                if (sq_role_has(r, p))
                    printf(" %s", sq_role_name(r));
            printf("%s\n      %s / %s\n", p->route_only ? " (route-level)" : "", p->zh, p->en);
            continue;
        }
        printf("%s\n{\"name\":", i ? "," : "");
        print_json_str(p->name);
        printf(",\"zh\":");
        print_json_str(p->zh);
        printf(",\"en\":");
        print_json_str(p->en);
        printf(",\"route_only\":%s,\"roles\":[", p->route_only ? "true" : "false");
        for (int r = 0, n = 0; r < SQ_ROLE__MAX; r++)
            if (sq_role_has(r, p)) {
                printf("%s", n++ ? "," : "");
                print_json_str(sq_role_name(r));
            }
        printf("]}");
    }
    if (json)
        printf("\n]\n");
    return 0;
}

static int cmd_routes(int argc, char **argv)
{
    static const char *const known[] = {"json", "help", NULL};
    if (has_flag(argc, argv, "--help")) {
        printf(
            "usage: sanqu routes [--json]\n\nPrints every API route with the permission it "
            "needs;\n--json prints [{method,pattern,perm,summary,raw_body,query_open,query,body}] "
            "for tools and tests.\n");
        return 0;
    }
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "--", 2)) {
            fprintf(stderr, "sanqu routes: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    if (check_flags(argc, argv, known))
        return 2;
    if (has_flag(argc, argv, "--json"))
        return cmd_routes_json();
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *r = *t; r->method; r++)
            printf("%-6s %-48s %-18s %s\n", r->method, r->pattern, sq_perm_name(r->perm),
                   r->summary ? r->summary : "");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    argc -= 2;
    argv += 2;
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc, argv);
    if (!strcmp(cmd, "init"))
        return cmd_init(argc, argv);
    if (!strcmp(cmd, "demo"))
        return cmd_demo(argc, argv);
    if (!strcmp(cmd, "backup"))
        return cmd_backup(argc, argv);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc, argv);
    if (!strcmp(cmd, "routes"))
        return cmd_routes(argc, argv);
    if (!strcmp(cmd, "perms"))
        return cmd_perms(argc, argv);
    if (!strcmp(cmd, "openapi"))
        return cmd_openapi(argc, argv);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("sanqu 0.1 (schema %d)\n", sq_db_binary_schema_version());
        return 0;
    }
    fprintf(stderr, "sanqu: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
