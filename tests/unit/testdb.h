/*
 * testdb: a fresh, migrated database for the unit tests that need storage
 * (cmocka group setup / teardown). One per process.
 *
 * On SQLite (the default) it is a file in a temporary directory. With
 * SANQU_TEST_ENGINE=postgres and SANQU_TEST_PG=<uri of a test cluster's
 * maintenance database> (make check-pg, scripts/pg-cluster.sh) it is a new
 * database t_<tag>_<pid>_<n> on that cluster, created and dropped here with
 * libpq and opened through sq_db_open with its URI, so the same store tests
 * run on PostgreSQL.
 */
#ifndef SQ_TESTDB_H
#define SQ_TESTDB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/db.h"
#include "core/db_sqlite.h"

void sq_app_init(void); /* app.c: per-connection hooks (tokenizers) the migrations need */

/* The district, one street, one community (ids 1, 2, 3), as most tests want. */
#define TDB_UNITS                                                                                  \
    "INSERT INTO units(id,kind,code,name,parent_id,zone,path,depth,created_at,updated_at) "        \
    "VALUES (1,'district','D','区',NULL,'government','/1/',0,0,0),"                               \
    "(2,'street','S','街道',1,'government','/1/2/',1,0,0),"                                      \
    "(3,'community','C','社区',2,'community','/1/2/3/',2,0,0);"

static char tdb_dir[64];
static char tdb_pgname[64]; /* the PostgreSQL database, when on PostgreSQL */
static char tdb_uri[1024];
static PGconn *tdb_pg; /* a side connection to it, for tdb_exec */

/* Whether the tests run on PostgreSQL (SANQU_TEST_ENGINE=postgres and a
 * cluster in SANQU_TEST_PG). */
static inline bool tdb_on_pg(void)
{
    const char *e = getenv("SANQU_TEST_ENGINE"), *u = getenv("SANQU_TEST_PG");
    return e && !strcmp(e, "postgres") && u && *u;
}

/* SANQU_TEST_PG with its database name replaced by name (URI form
 * postgresql://user@host/dbname?params, host possibly empty). */
static inline int tdb_pg_uri(const char *name, char *out, size_t n)
{
    const char *u = getenv("SANQU_TEST_PG");
    const char *auth = strstr(u, "://");
    if (!auth)
        return -1;
    const char *slash = strchr(auth + 3, '/');
    const char *q = strchr(auth + 3, '?');
    if (!slash || (q && slash > q)) /* no database part: insert one */
        slash = q ? q : u + strlen(u);
    const char *rest = strchr(slash, '?');
    int k = snprintf(out, n, "%.*s/%s%s", (int)(slash - u), u, name, rest ? rest : "");
    return k > 0 && (size_t)k < n ? 0 : -1;
}

/* Runs sql (one or more statements) on a connection to the cluster's
 * maintenance database. 0, or -1 with the reason on stderr. */
static inline int tdb_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("SANQU_TEST_PG"));
    int rc = -1;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "testdb: cannot reach %s: %s", getenv("SANQU_TEST_PG"), PQerrorMessage(c));
    } else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
            rc = 0;
        else
            fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

/* Runs a fixture script (one or more statements, no parameters) on the test
 * database: sqlite3_exec on SQLite, a simple-protocol query on a side
 * connection on PostgreSQL (committed before it returns, so the engine's
 * connections see it). Explicit ids in PostgreSQL inserts do not move the
 * identity sequences, so they are moved past the highest id afterwards.
 * 0, or -1 with the reason on stderr. */
static inline int tdb_exec(const char *sql)
{
    if (!tdb_pgname[0]) {
        char *err = NULL;
        if (sqlite3_exec(sq_db_conn(), sql, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "testdb: %s: %s\n", sql, err ? err : "?");
            sqlite3_free(err);
            return -1;
        }
        return 0;
    }
    if (!tdb_pg) {
        tdb_pg = PQconnectdb(tdb_uri);
        if (PQstatus(tdb_pg) != CONNECTION_OK) {
            fprintf(stderr, "testdb: cannot reach %s: %s", tdb_uri, PQerrorMessage(tdb_pg));
            PQfinish(tdb_pg);
            tdb_pg = NULL;
            return -1;
        }
    }
    static const char fix_seq[] =
        "DO $$ DECLARE r record; BEGIN "
        "FOR r IN SELECT c.relname AS t, a.attname AS col, "
        "pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq "
        "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace "
        "AND a.attnum > 0 AND NOT a.attisdropped "
        "AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL LOOP "
        "EXECUTE format('SELECT setval(%L, m, true) FROM (SELECT max(%I) AS m FROM %I) x "
        "WHERE m IS NOT NULL', r.seq, r.col, r.t); "
        "END LOOP; END $$;";
    const char *const steps[] = {sql, fix_seq};
    for (int i = 0; i < 2; i++) {
        PGresult *r = PQexec(tdb_pg, steps[i]);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok) {
            fprintf(stderr, "testdb: %s: %s", steps[i], PQerrorMessage(tdb_pg));
            return -1;
        }
    }
    return 0;
}

/* Opens a new database with every migration applied, then runs seed (SQL,
 * may be NULL) with tdb_exec. On SQLite under /tmp/sq-<tag>-XXXXXX, on
 * PostgreSQL as t_<tag>_<pid>_<n>. 0, or -1 with the reason on stderr. */
static inline int tdb_open(const char *tag, const char *seed)
{
    struct sq_detail d = {0};
    static int n;
    char path[128];
    const char *db = path;
    tdb_pgname[0] = '\0';
    if (tdb_on_pg()) {
        char drop[160], create[160];
        snprintf(tdb_pgname, sizeof tdb_pgname, "t_%.24s_%d_%d", tag, (int)getpid(), ++n);
        for (char *p = tdb_pgname; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                *p = '_';
        /* one statement each: CREATE DATABASE refuses a multi-statement string */
        snprintf(drop, sizeof drop, "DROP DATABASE IF EXISTS %s WITH (FORCE)", tdb_pgname);
        snprintf(create, sizeof create, "CREATE DATABASE %s", tdb_pgname);
        if (tdb_pg_admin(drop) || tdb_pg_admin(create) ||
            tdb_pg_uri(tdb_pgname, tdb_uri, sizeof tdb_uri))
            return -1;
        db = tdb_uri;
    } else {
        snprintf(tdb_dir, sizeof tdb_dir, "/tmp/sq-%s-XXXXXX", tag);
        if (!mkdtemp(tdb_dir))
            return -1;
        snprintf(path, sizeof path, "%s/t.db", tdb_dir);
    }
    sq_app_init();
    if (sq_auth_init() || sq_db_open(db, &d)) {
        fprintf(stderr, "db %s: %s\n", db, d.message);
        return -1;
    }
    if (seed && tdb_exec(seed))
        return -1;
    return 0;
}

/* Closes the database and removes it (its directory, or DROP DATABASE). */
static inline int tdb_close(void)
{
    char cmd[160];
    sq_db_shutdown();
    if (tdb_pg) {
        PQfinish(tdb_pg);
        tdb_pg = NULL;
    }
    if (tdb_pgname[0]) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE IF EXISTS %s WITH (FORCE);", tdb_pgname);
        tdb_pgname[0] = '\0';
        return tdb_pg_admin(cmd);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", tdb_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* For a test that is about SQLite itself: on PostgreSQL it prints
 * "skipped on postgres: <reason>" and returns true (the caller returns). */
static inline bool tdb_sqlite_only(const char *reason)
{
    if (!tdb_on_pg())
        return false;
    printf("skipped on postgres: %s\n", reason);
    return true;
}

#endif
