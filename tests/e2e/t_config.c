/*
 * t_config: settings come from defaults < the config file < SANQU_*
 * environment variables < command-line flags. The server is started with a
 * file, then file + environment, then file + environment + flags that
 * disagree on listen (a bad address in the losing source would stop the
 * server), port_file (which file gets the port) and session_hours (the
 * lifetime of a new token). Bad values in any source stop the server with a
 * message naming the setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static time_t iso_time(const char *s)
{
    struct tm tm = {0};
    int oh = 0, om = 0;
    char sign = '+';
    H_ASSERTF(sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &oh, &om) == 9,
              "not an ISO time: %s", s);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm) - (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
}

/* Lifetime in hours of a token issued by the running server. */
static long session_hours(void)
{
    struct h_resp *me = h_req("GET", "/api/v1/test/clock", NULL, NULL);
    H_STATUS(me, 200);
    time_t now = iso_time(H_STR(me->json, "now"));
    struct h_resp *r = h_req("POST", "/api/v1/auth/login", NULL,
                             "{\"login\":\"admin\",\"password\":\"sanqu-demo\"}");
    H_STATUS(r, 200);
    double h = difftime(iso_time(H_STR(r->json, "expires_at")), now) / 3600.0;
    return (long)(h + 0.5);
}

static const char *write_file(const char *dir, const char *name, const char *text)
{
    const char *p = h_fmt("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    H_ASSERT(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static bool exists(const char *p)
{
    return access(p, F_OK) == 0;
}

static void test_file_only(void)
{
    const char *dir = h_newdir("cfg1");
    const char *a = h_fmt("%s/port-a", dir);
    const char *cfg = write_file(dir, "sanqu.conf",
                                 h_fmt("# sanqu settings\n"
                                       "listen = 127.0.0.1:0\n\n"
                                       "  session_hours =  1  \n"
                                       "port_file = %s\n",
                                       a));
    /* the file named by SANQU_CONFIG */
    const char *env[] = {h_fmt("SANQU_CONFIG=%s", cfg), NULL};
    h_start(&(struct h_opts){.demo = true, .env = env, .port_file = a});
    H_ASSERT(exists(a));
    H_EQ_INT(session_hours(), 1);
}

static void test_env_beats_file(void)
{
    const char *dir = h_newdir("cfg2");
    const char *a = h_fmt("%s/port-a", dir), *b = h_fmt("%s/port-b", dir);
    const char *cfg = write_file(
        dir, "sanqu.conf", h_fmt("listen = 256.0.0.1:0\nsession_hours = 1\nport_file = %s\n", a));
    const char *args[] = {"--config", cfg, NULL};
    const char *env[] = {"SANQU_LISTEN=127.0.0.1:0", "SANQU_SESSION_HOURS=2",
                         h_fmt("SANQU_PORT_FILE=%s", b), NULL};
    h_start(&(struct h_opts){.demo = true, .args = args, .env = env, .port_file = b});
    H_ASSERT(!exists(a));
    H_EQ_INT(session_hours(), 2);
}

static void test_flags_beat_env(void)
{
    const char *dir = h_newdir("cfg3");
    const char *a = h_fmt("%s/port-a", dir), *b = h_fmt("%s/port-b", dir),
               *c = h_fmt("%s/port-c", dir);
    const char *cfg = write_file(
        dir, "sanqu.conf", h_fmt("listen = 256.0.0.1:0\nsession_hours = 1\nport_file = %s\n", a));
    const char *args[] = {
        "--config", cfg, "--listen=127.0.0.1:0", "--session-hours", "3", "--port_file", c, NULL};
    const char *env[] = {"SANQU_LISTEN=256.0.0.2:0", "SANQU_SESSION_HOURS=2",
                         h_fmt("SANQU_PORT_FILE=%s", b), NULL};
    h_start(&(struct h_opts){.demo = true, .args = args, .env = env, .port_file = c});
    H_ASSERT(!exists(a) && !exists(b));
    H_EQ_INT(session_hours(), 3);
    /* and without any: the default is 12 hours */
    h_start_demo();
    H_EQ_INT(session_hours(), 12);
}

/* `serve` must refuse to start, exit 2 and name the problem on stderr. */
static void refused(const char *const *env, const char *const *args, const char *msg)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = h_bin();
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = h_fmt("%s/never.db", h_tmpdir());
    for (const char *const *a = args; a && *a && n < 30; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    struct h_run *r = h_runv(env, argv);
    H_ASSERTF(r->status == 2, "serve exited %d, want 2; stderr: %s", r->status, r->err);
    H_CONTAINS(r->err, msg);
}

static void test_bad_values(void)
{
    const char *dir = h_newdir("cfgbad");
    const char *bad_num = write_file(dir, "a.conf", "threads = many\n");
    const char *bad_key = write_file(dir, "b.conf", "colour = red\n");
    const char *no_eq = write_file(dir, "c.conf", "# ok\nlisten 127.0.0.1:0\n");
    refused(NULL, (const char *[]){"--config", bad_num, NULL}, "threads");
    refused(NULL, (const char *[]){"--config", bad_key, NULL}, "colour");
    refused(NULL, (const char *[]){"--config", no_eq, NULL}, ":2:");
    refused(NULL, (const char *[]){"--config", h_fmt("%s/missing.conf", dir), NULL},
            "missing.conf");
    refused((const char *[]){"SANQU_SESSION_HOURS=0", NULL}, NULL, "session_hours");
    refused((const char *[]){"SANQU_LISTEN=localhost", NULL}, NULL, "listen");
    refused(NULL, (const char *[]){"--max_body_kb", "-5", NULL}, "max_body_kb");
    refused(NULL, (const char *[]){"--listen", "127.0.0.1:70000", NULL}, "listen");
    refused(NULL, (const char *[]){"--quiet", "perhaps", NULL}, "quiet");
    refused(NULL, (const char *[]){"--no-such-flag", "1", NULL}, "unknown option");
    refused(NULL, (const char *[]){"--trusted_proxies", "nginx.local", NULL}, "trusted_proxies");
    refused(NULL, (const char *[]){"--metrics_allow", "10.0.0.0/40", NULL}, "metrics_allow");
    refused((const char *[]){"SANQU_METRICS_TOKEN=short", NULL}, NULL, "metrics_token");
    refused(NULL, (const char *[]){"--public_url", "sanqu.example.gov.cn", NULL}, "public_url");
    refused(NULL, (const char *[]){"--anon_appeals_per_hour", "-1", NULL}, "anon_appeals_per_hour");
    refused((const char *[]){"SANQU_REGISTRATIONS_PER_HOUR=lots", NULL}, NULL,
            "registrations_per_hour");
    /* --help teaches every setting and the precedence */
    struct h_run *r = h_sanqu("serve", "--help", NULL);
    H_EQ_INT(r->status, 0);
    H_CONTAINS(r->out, "flags beat the environment, which beats the file");
    H_CONTAINS(r->out, "--session_hours");
    H_CONTAINS(r->out, "--port_file");
    H_CONTAINS(r->out, "--trusted_proxies");
    H_CONTAINS(r->out, "--metrics_token");
    H_CONTAINS(r->out, "--anon_appeals_per_hour");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_file_only),
        H_TEST(test_env_beats_file),
        H_TEST(test_flags_beat_env),
        H_TEST(test_bad_values),
        {0},
    };
    return h_main(argc, argv, tests);
}
