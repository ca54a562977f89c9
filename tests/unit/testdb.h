/*
 * testdb: a fresh, migrated database in a temporary directory for the unit
 * tests that need storage (cmocka group setup / teardown). One per process.
 */
#ifndef SQ_TESTDB_H
#define SQ_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
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

/* Opens a new database under /tmp/sq-<tag>-XXXXXX with every migration
 * applied, then runs seed (SQL, may be NULL). 0, or -1 with the reason on
 * stderr. */
static inline int tdb_open(const char *tag, const char *seed)
{
    struct sq_detail d = {0};
    char path[128];
    snprintf(tdb_dir, sizeof tdb_dir, "/tmp/sq-%s-XXXXXX", tag);
    if (!mkdtemp(tdb_dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.db", tdb_dir);
    sq_app_init();
    if (sq_auth_init() || sq_db_open(path, &d)) {
        fprintf(stderr, "db: %s\n", d.message);
        return -1;
    }
    if (seed && sqlite3_exec(sq_db_conn(), seed, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "seed: %s\n", sqlite3_errmsg(sq_db_conn()));
        return -1;
    }
    return 0;
}

/* Closes the database and removes its directory. */
static inline int tdb_close(void)
{
    char cmd[128];
    sq_db_shutdown();
    snprintf(cmd, sizeof cmd, "rm -rf %s", tdb_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
