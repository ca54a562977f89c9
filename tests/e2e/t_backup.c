/*
 * t_backup: `sanqu backup` copies a database while the server writes to it,
 * the copy passes `sanqu check` and serves every write acknowledged before
 * the backup began; `check` finds broken files; bad arguments are refused.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* A child process that keeps creating streets until killed. */
static pid_t start_writer(const char *token)
{
    char url[128], auth[160], body[160];
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    H_ASSERT(pid >= 0);
    if (pid)
        return pid;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    snprintf(url, sizeof url, "%s/api/v1/units", h_base());
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    FILE *devnull = fopen("/dev/null", "w");
    for (int i = 0; i < 400; i++) {
        snprintf(body, sizeof body,
                 "{\"kind\":\"street\",\"code\":\"T-BK-W%d\",\"name\":\"备份中写入%d\","
                 "\"parent_id\":1}",
                 i, i);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
        curl_easy_perform(c);
    }
    _exit(0);
}

static long long units(const char *token)
{
    struct h_resp *r = h_req("GET", "/api/v1/units?limit=1&archived=all", token, NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

static void test_backup_while_serving(void)
{
    h_sqlite_only("sanqu backup is SQLite's online backup to a file (PostgreSQL: pg_dump; its "
                  "test comes with the engine's backup)");
    h_start_demo();
    const char *admin = h_tok("admin");
    H_STATUS(h_req("POST", "/api/v1/units", admin,
                   "{\"kind\":\"street\",\"code\":\"T-BK-BEFORE\",\"name\":\"备份前\","
                   "\"parent_id\":1}"),
             201);
    long long before = units(admin);
    const char *dir = h_newdir("backup");
    const char *to = h_fmt("%s/copy.db", dir);
    pid_t writer = start_writer(admin);
    usleep(50 * 1000); /* let the writer get going */
    struct h_run *b = h_sanqu("backup", "--db", h_db(), "--to", to, NULL);
    kill(writer, SIGKILL);
    waitpid(writer, NULL, 0);
    H_ASSERTF(b->status == 0, "backup failed (%d): %s", b->status, b->err);
    H_CONTAINS(b->out, to);
    long long after = units(admin);
    struct h_run *c = h_sanqu("check", "--db", to, NULL);
    H_ASSERTF(c->status == 0, "check of the copy failed (%d): %s%s", c->status, c->out, c->err);
    H_CONTAINS(c->out, "ok");
    /* the live database is fine too */
    c = h_sanqu("check", "--db", h_db(), NULL);
    H_ASSERTF(c->status == 0, "check of the live db failed: %s", c->out);

    /* serve the copy: everything from before the backup is there */
    h_start(&(struct h_opts){.db = to});
    const char *a2 = h_session("admin", "sanqu-demo")->token;
    long long copied = units(a2);
    H_ASSERTF(copied >= before && copied <= after, "copy has %lld units, live had %lld..%lld",
              copied, before, after);
    struct h_resp *r = h_req("GET", "/api/v1/units?q=T-BK-BEFORE", a2, NULL);
    H_EQ_INT(H_INT(r->json, "total"), 1);
    /* and the copy is an independent, writable database */
    H_STATUS(h_req("POST", "/api/v1/units", a2,
                   "{\"kind\":\"street\",\"code\":\"T-BK-COPY\",\"name\":\"副本\","
                   "\"parent_id\":1}"),
             201);
}

static void test_check_finds_problems(void)
{
    h_sqlite_only("damaged SQLite files (not a database, a planted foreign-key violation) made "
                  "with sqlite3");
    const char *dir = h_newdir("check");
    /* not a database at all */
    const char *junk = h_fmt("%s/junk.db", dir);
    FILE *f = fopen(junk, "w");
    H_ASSERT(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an SQLite database\n", f);
    fclose(f);
    struct h_run *r = h_sanqu("check", "--db", junk, NULL);
    H_ASSERTF(r->status == 1, "check of junk exited %d: %s", r->status, r->out);
    /* an SQLite database that is not sanqu's */
    const char *other = h_fmt("%s/other.db", dir);
    const char *argv[] = {"sqlite3", other, "CREATE TABLE t(x);", NULL};
    H_EQ_INT(h_runv(NULL, argv)->status, 0);
    r = h_sanqu("check", "--db", other, NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->out, "not a sanqu database");
    /* a dangling foreign key */
    const char *fk = h_fmt("%s/fk.db", dir);
    H_EQ_INT(h_sanqu("init", "--db", fk, "--admin", "root", NULL)->status, 0);
    const char *argv2[] = {"sqlite3", fk,
                           "INSERT INTO grants(user_id, role, unit_id, created_at) "
                           "VALUES (999, 'handler', 1, 0);",
                           NULL};
    H_EQ_INT(h_runv(NULL, argv2)->status, 0);
    r = h_sanqu("check", "--db", fk, NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->out, "foreign key");
    /* a missing file */
    r = h_sanqu("check", "--db", h_fmt("%s/missing.db", dir), NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->err, "cannot read");
}

static void test_bad_arguments(void)
{
    const char *dir = h_newdir("args");
    struct h_run *r = h_sanqu("backup", "--db", h_fmt("%s/x.db", dir), NULL);
    H_EQ_INT(r->status, 2);
    H_CONTAINS(r->err, "--to");
    r = h_sanqu("backup", "--db", h_fmt("%s/missing.db", dir), "--to", h_fmt("%s/y.db", dir), NULL);
    H_EQ_INT(r->status, 1);
    H_CONTAINS(r->err, "cannot read");
    H_ASSERT(access(h_fmt("%s/y.db", dir), F_OK) != 0);
    r = h_sanqu("backup", "--db", "x", "--to", "y", "--frobnicate", "1", NULL);
    H_EQ_INT(r->status, 2);
    H_CONTAINS(r->err, "unknown option --frobnicate");
    r = h_sanqu("check", NULL);
    H_EQ_INT(r->status, 2);
    r = h_sanqu("backup", "--help", NULL);
    H_EQ_INT(r->status, 0);
    H_CONTAINS(r->out, "usage: sanqu backup");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_backup_while_serving),
        H_TEST(test_check_finds_problems),
        H_TEST(test_bad_arguments),
        {0},
    };
    return h_main(argc, argv, tests);
}
