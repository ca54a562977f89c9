/*
 * t_schema: migrations and the schema version. A fresh database records
 * every embedded migration; a database whose schema_version is newer than
 * the binary knows (999) is refused by serve, init and demo with a clear
 * message and a non-zero exit, and is left untouched.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static struct h_run *sql(const char *db, const char *q)
{
    struct h_run *r = h_sql(db, q);
    H_ASSERTF(r->status == 0, "%s failed: %s", q, r->err);
    return r;
}

/* The schema version this binary knows, from `sanqu --version`. */
static int binary_version(void)
{
    struct h_run *r = h_sanqu("--version", NULL);
    H_EQ_INT(r->status, 0);
    const char *p = strstr(r->out, "schema ");
    H_ASSERTF(p, "no schema version in: %s", r->out);
    return atoi(p + 7);
}

static void test_fresh_database_is_migrated(void)
{
    int v = binary_version();
    H_ASSERT(v >= 1);
    h_start(NULL);
    H_STATUS(h_req("GET", "/healthz", NULL, NULL), 200);
    h_stop();
    struct h_run *r = sql(h_db(), "SELECT max(version) FROM schema_version;");
    H_EQ_STR(r->out, h_fmt("%d\n", v));
    const char *rows =
        sql(h_db(), "SELECT version || ':' || name FROM schema_version ORDER BY version;")->out;
    H_CONTAINS(rows, "1:001_core.sql");
    /* a second start applies nothing again */
    h_start(&(struct h_opts){.db = h_fmt("%s", h_db())});
    h_stop();
    r = sql(h_db(), "SELECT version || ':' || name FROM schema_version ORDER BY version;");
    H_EQ_STR(r->out, rows);
}

static void test_newer_schema_is_refused(void)
{
    const char *db = h_newdb("future");
    H_EQ_INT(h_sanqu("init", "--db", db, "--admin", "root", NULL)->status, 0);
    sql(db, "INSERT INTO schema_version(version, name) VALUES (999, '999_from_the_future.sql');");
    const char *before = sql(db, "SELECT count(*) FROM units; SELECT count(*) FROM users;")->out;

    const char *argv[] = {h_bin(),       "serve",   "--db", db,  "--listen",
                          "127.0.0.1:0", "--quiet", "true", NULL};
    struct h_run *r = h_runv(NULL, argv);
    H_ASSERTF(r->status != 0, "serve started on a newer schema: %s", r->err);
    H_CONTAINS(r->err, "schema version 999");
    H_CONTAINS(r->err, h_fmt("knows only up to %d", binary_version()));
    H_CONTAINS(r->err, "newer sanqu");

    r = h_sanqu("init", "--db", db, "--admin", "other", NULL);
    H_ASSERT(r->status != 0);
    H_CONTAINS(r->err, "schema version 999");
    r = h_sanqu("demo", "--db", db, NULL);
    H_ASSERT(r->status != 0);
    H_CONTAINS(r->err, "schema version 999");

    /* nothing was touched */
    H_EQ_STR(sql(db, "SELECT count(*) FROM units; SELECT count(*) FROM users;")->out, before);
    H_EQ_STR(sql(db, "SELECT max(version) FROM schema_version;")->out, "999\n");
}

static void test_not_a_database(void)
{
    h_sqlite_only("a file that is not a SQLite database");
    const char *dir = h_newdir("junk");
    const char *db = h_fmt("%s/junk.db", dir);
    FILE *f = fopen(db, "w");
    H_ASSERT(f);
    for (int i = 0; i < 100; i++)
        fputs("definitely not SQLite\n", f);
    fclose(f);
    const char *argv[] = {h_bin(), "serve", "--db", db, "--listen", "127.0.0.1:0", NULL};
    struct h_run *r = h_runv(NULL, argv);
    H_ASSERT(r->status != 0);
    H_CONTAINS(r->err, "sanqu: ");
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_fresh_database_is_migrated),
        H_TEST(test_newer_schema_is_refused),
        H_TEST(test_not_a_database),
        {0},
    };
    return h_main(argc, argv, tests);
}
