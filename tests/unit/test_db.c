/*
 * test_db: the SQLite layer (src/core/db.c) on a temporary database.
 * Opening applies every embedded migration once and records it in
 * schema_version; opening again applies nothing; a database whose schema is
 * newer than the binary is refused with a message that says so and is left
 * as it was. Also: nested transactions, the error mapping, the audit log's
 * append-only triggers, check and backup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/db_sqlite.h"
#include "core/embed.h"
#include "core/log.h"

void sq_app_init(void); /* src/app.c: per-connection hooks (FTS tokenizer) */

static char dir[64];

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sanqu-test-db-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sq_log_set_quiet(1);
    sq_app_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sq_db_shutdown();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t scalar(const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(sq_db_conn(), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int exec(const char *sql)
{
    return sqlite3_exec(sq_db_conn(), sql, NULL, NULL, NULL);
}

static int nmigrations(void)
{
    int n = 0;
    for (const struct sq_embed_file *m = sq_migrations; m->name; m++)
        n++;
    return n;
}

static void test_migrations(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    int know = sq_db_binary_schema_version();
    assert_true(know >= 1);
    /* NNN_ numbers rise in name order (gaps allowed: branches reserve numbers) */
    for (const struct sq_embed_file *m = sq_migrations; m[1].name; m++)
        assert_true(atoi(m->name) < atoi(m[1].name));
    int n = nmigrations();

    assert_int_equal(sq_db_open(path_in("a.db"), &d), SQ_OK);
    assert_string_equal(sq_db_path(), path_in("a.db"));
    assert_int_equal(sq_db_schema_version(), know);
    assert_int_equal(scalar("SELECT max(version) FROM schema_version"), know);
    assert_int_equal(scalar("SELECT count(*) FROM schema_version"), n);
    assert_int_equal(scalar("SELECT count(DISTINCT name) FROM schema_version"), n);
    assert_int_equal(scalar("PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                            "('units','users','grants','sessions','audit_log')"),
                     5);
    /* journal_mode is WAL */
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(sq_db_conn(), "PRAGMA journal_mode", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(exec("INSERT INTO units(kind, code, name, zone, path, depth, created_at, "
                          "updated_at) VALUES ('district','HS','洪山区','government','/1/',1,0,0)"),
                     SQLITE_OK);
    sq_db_shutdown();

    /* a second open applies nothing and keeps the data */
    assert_int_equal(sq_db_open(path_in("a.db"), &d), SQ_OK);
    assert_int_equal(scalar("SELECT count(*) FROM schema_version"), n);
    assert_int_equal(scalar("SELECT count(*) FROM units"), 1);
    sq_db_shutdown();
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("b.db"), &d), SQ_OK);
    assert_int_equal(exec("INSERT INTO schema_version(version, name) VALUES (999, 'x.sql')"),
                     SQLITE_OK);
    sq_db_shutdown();
    memset(&d, 0, sizeof d);
    enum sq_err e = sq_db_open(path_in("b.db"), &d);
    assert_int_not_equal(e, SQ_OK);
    assert_non_null(strstr(d.message, "999"));
    assert_non_null(strstr(d.message, "newer sanqu"));
    char know[16];
    snprintf(know, sizeof know, "%d", sq_db_binary_schema_version());
    assert_non_null(strstr(d.message, know));
    /* untouched */
    assert_int_equal(scalar("SELECT max(version) FROM schema_version"), 999);
    sq_db_shutdown();
}

static void test_transactions(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("c.db"), &d), SQ_OK);
    exec("CREATE TABLE t(x INTEGER UNIQUE)");
    /* outer commits, inner rolls back */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    exec("INSERT INTO t VALUES (1)");
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    exec("INSERT INTO t VALUES (2)");
    sq_db_rollback();
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    exec("INSERT INTO t VALUES (3)");
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    assert_int_equal(scalar("SELECT count(*) FROM t"), 2);
    assert_int_equal(scalar("SELECT sum(x) FROM t"), 4);
    /* outer rollback drops everything */
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    exec("INSERT INTO t VALUES (5)");
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    exec("INSERT INTO t VALUES (6)");
    assert_int_equal(sq_db_commit(&d), SQ_OK);
    sq_db_rollback();
    assert_int_equal(scalar("SELECT count(*) FROM t"), 2);
    assert_int_equal(sqlite3_get_autocommit(sq_db_conn()), 1);
    /* commit without begin is an error, not a crash */
    assert_int_equal(sq_db_commit(&d), SQ_EINTERNAL);
    sq_db_rollback(); /* harmless */
    /* a failing write through the statement cache maps to conflict */
    struct sq_stmt *st = sq_db_stmt("INSERT INTO t VALUES (?)");
    assert_non_null(st);
    sq_bind_int(st, 1, 1);
    assert_int_equal(sq_db_exec_stmt(st, &d), SQ_ECONFLICT);
    assert_ptr_equal(sq_db_stmt("INSERT INTO t VALUES (?)"), st); /* cached, reset */
    sq_bind_int(st, 1, 9);
    assert_int_equal(sq_db_exec_stmt(st, &d), SQ_OK);
    assert_null(sq_db_stmt("SELECT nonsense FROM nowhere"));
    assert_int_equal(sq_db_exec_stmt(NULL, &d), SQ_EDB);
    sq_db_shutdown();
}

/* The engine-neutral statement API: binds of every type, column reads,
 * NULLs, RETURNING ids, rows changed, step errors mapped to sq_err. */
static void test_statement_api(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("s.db"), &d), SQ_OK);
    exec("CREATE TABLE s(id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT UNIQUE, b BLOB)");
    struct sq_stmt *st =
        sq_db_stmt("INSERT INTO s(i, r, t, b) VALUES (?1, ?2, ?3, ?4) RETURNING id");
    assert_non_null(st);
    sq_bind_int64(st, 1, INT64_C(1) << 40);
    sq_bind_double(st, 2, 2.5);
    sq_bind_textn(st, 3, "abcdef", 3);
    sq_bind_blob(st, 4, "\0\1\2", 3);
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(sq_db_exec_id(st, &id1, &d), SQ_OK);
    assert_true(id1 > 0);
    st = sq_db_stmt("INSERT INTO s(i, r, t, b) VALUES (?1, ?2, ?3, ?4) RETURNING id");
    sq_bind_null(st, 1);
    sq_bind_null(st, 2);
    sq_db_bind_text(st, 3, ""); /* empty optional text is NULL */
    sq_bind_blob(st, 4, NULL, 0);
    assert_int_equal(sq_db_exec_id(st, &id2, &d), SQ_OK);
    assert_int_equal(id2, id1 + 1);
    /* a unique violation is a conflict, through step and last_error too */
    st = sq_db_stmt("INSERT INTO s(t) VALUES (?1) RETURNING id");
    sq_bind_text_ref(st, 1, "abc");
    assert_int_equal(sq_step(st), SQ_STEP_ERROR);
    assert_int_equal(sq_db_last_error(&d), SQ_ECONFLICT);
    sq_db_reset(st);
    sq_bind_text(st, 1, "abc");
    assert_int_equal(sq_db_exec_id(st, NULL, &d), SQ_ECONFLICT);
    /* ON CONFLICT DO NOTHING returns no row */
    st = sq_db_stmt("INSERT INTO s(t) VALUES (?1) ON CONFLICT (t) DO NOTHING RETURNING id");
    sq_bind_text(st, 1, "abc");
    assert_int_equal(sq_db_exec_id(st, NULL, &d), SQ_ENOTFOUND);
    /* reads */
    st = sq_db_stmt("SELECT id, i, r, t, b FROM s ORDER BY id");
    assert_int_equal(sq_col_count(st), 5);
    assert_string_equal(sq_col_name(st, 3), "t");
    assert_int_equal(sq_step(st), SQ_ROW);
    assert_int_equal(sq_col_int64(st, 0), id1);
    assert_int_equal(sq_col_int64(st, 1), INT64_C(1) << 40);
    assert_true(sq_col_double(st, 2) == 2.5);
    assert_string_equal(sq_col_text(st, 3), "abc");
    assert_int_equal(sq_col_bytes(st, 4), 3);
    assert_memory_equal(sq_col_blob(st, 4), "\0\1\2", 3);
    assert_int_equal(sq_col_type(st, 1), SQ_COL_INT);
    assert_int_equal(sq_col_type(st, 2), SQ_COL_REAL);
    assert_int_equal(sq_col_type(st, 3), SQ_COL_TEXT);
    assert_int_equal(sq_col_type(st, 4), SQ_COL_BLOB);
    assert_int_equal(sq_step(st), SQ_ROW);
    for (int c = 1; c <= 4; c++) {
        assert_true(sq_col_is_null(st, c));
        assert_int_equal(sq_col_type(st, c), SQ_COL_NULL);
    }
    assert_null(sq_col_text(st, 3));
    assert_string_equal(sq_db_col_text(st, 3), "");
    assert_int_equal(sq_col_int(st, 1), 0);
    json_t *j = sq_db_col_id_json(st, 1);
    assert_true(json_is_null(j));
    json_decref(j);
    assert_int_equal(sq_step(st), SQ_DONE);
    sq_db_reset(st);
    /* rows changed */
    st = sq_db_stmt("UPDATE s SET i = 7 WHERE id >= ?1");
    sq_bind_int64(st, 1, id1);
    assert_int_equal(sq_db_exec_stmt(st, &d), SQ_OK);
    assert_int_equal(sq_db_changes(), 2);
    assert_int_equal(sq_db_delete_id("s", id2 + 100, "row", &d), SQ_ENOTFOUND);
    assert_int_equal(sq_db_delete_id("s", id2, "row", &d), SQ_OK);
    assert_int_equal(sq_db_scalar("SELECT count(*) FROM s"), 1);
    assert_int_equal(sq_db_scalar_id("SELECT i FROM s WHERE id = ?1", id1), 7);
    assert_true(sq_db_ping());
    assert_false(sq_db_in_tx());
    assert_int_equal(sq_db_begin(&d), SQ_OK);
    assert_true(sq_db_in_tx());
    sq_db_rollback();
    assert_int_equal(sq_step(NULL), SQ_STEP_ERROR);
    /* composed SQL in a reused buffer: the same address, another text, is
     * another statement (the cache's address shortcut still compares text) */
    char sql[64];
    for (int round = 0; round < 2; round++)
        for (int v = 1; v <= 3; v++) {
            snprintf(sql, sizeof sql, "SELECT %d", v);
            st = sq_db_stmt(sql);
            assert_int_equal(sq_step(st), SQ_ROW);
            assert_int_equal(sq_col_int(st, 0), v);
            sq_db_reset(st);
        }
    sq_db_shutdown();
}

static void test_error_mapping(void **state)
{
    (void)state;
    struct sq_detail d;
    assert_int_equal(sq_db_error(SQLITE_OK, &d), SQ_OK);
    assert_int_equal(sq_db_error(SQLITE_DONE, &d), SQ_OK);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_UNIQUE, &d), SQ_ECONFLICT);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_PRIMARYKEY, &d), SQ_ECONFLICT);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_FOREIGNKEY, &d), SQ_ECONFLICT);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_CHECK, &d), SQ_EINVAL);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_NOTNULL, &d), SQ_EINVAL);
    assert_int_equal(sq_db_error(SQLITE_FULL, &d), SQ_EFULL);
    assert_non_null(strstr(d.message, "nothing was saved"));
    assert_int_equal(sq_db_error(SQLITE_IOERR_WRITE, &d), SQ_EFULL);
    assert_int_equal(sq_db_error(SQLITE_IOERR_FSYNC, &d), SQ_EFULL);
    assert_int_equal(sq_db_error(SQLITE_IOERR_READ, &d), SQ_EDB);
    assert_int_equal(sq_db_error(SQLITE_BUSY, &d), SQ_EDB);
    assert_int_equal(sq_db_error(SQLITE_LOCKED, &d), SQ_EDB);
    assert_int_equal(sq_db_error(SQLITE_CORRUPT, &d), SQ_EDB);
    assert_int_equal(sq_db_error(SQLITE_CONSTRAINT_UNIQUE, NULL), SQ_ECONFLICT);
}

static void test_audit_append_only(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("d.db"), &d), SQ_OK);
    assert_int_equal(exec("INSERT INTO audit_log(at, action) VALUES (1, 'login')"), SQLITE_OK);
    assert_int_not_equal(exec("UPDATE audit_log SET action = 'x'"), SQLITE_OK);
    assert_int_not_equal(exec("DELETE FROM audit_log"), SQLITE_OK);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'login'"), 1);
    sq_db_shutdown();
}

static void test_check_and_backup(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("e.db"), &d), SQ_OK);
    exec("INSERT INTO units(kind, code, name, zone, path, depth, created_at, updated_at) "
         "VALUES ('district','HS','洪山区','government','/1/',1,0,0)");
    /* back up while this connection is open (as a running server would be) */
    assert_int_equal(sq_db_backup(path_in("e.db"), path_in("e-copy.db"), &d), SQ_OK);
    sq_db_shutdown();
    int saved = dup(1), devnull = open("/dev/null", O_WRONLY); /* check prints its findings */
    dup2(devnull, 1);
    int ok_live = sq_db_check(path_in("e.db")), ok_copy = sq_db_check(path_in("e-copy.db"));
    FILE *f = fopen(path_in("junk.db"), "w");
    fputs("not a database, not at all, no SQLite header here; just some text\n", f);
    fclose(f);
    int junk = sq_db_check(path_in("junk.db"));
    int missing = sq_db_check(path_in("missing.db"));
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(devnull);
    assert_int_equal(ok_live, 0);
    assert_int_equal(ok_copy, 0);
    assert_true(junk > 0);
    assert_true(missing > 0);
    assert_int_equal(sq_db_open(path_in("e-copy.db"), &d), SQ_OK);
    assert_int_equal(scalar("SELECT count(*) FROM units"), 1);
    sq_db_shutdown();
    assert_int_not_equal(sq_db_backup(path_in("missing.db"), path_in("x.db"), &d), SQ_OK);
}

/* The generic row readers: columns by name and type, one row by id, all rows. */
static void test_row_json(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    assert_int_equal(sq_db_open(path_in("j.db"), &d), SQ_OK);
    exec("CREATE TABLE j(id INTEGER PRIMARY KEY, n INTEGER, r REAL, t TEXT, b BLOB)");
    exec("INSERT INTO j(n, r, t, b) VALUES (7, 1.5, 'x', x'00'), (NULL, NULL, NULL, NULL)");
    json_t *o = sq_db_get_json("SELECT id, n AS count, r, t, b FROM j WHERE id = ?", 1, NULL);
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT);
    assert_string_equal(s, "{\"id\":1,\"count\":7,\"r\":1.5,\"t\":\"x\",\"b\":null}");
    free(s);
    json_decref(o);
    assert_null(sq_db_get_json("SELECT id FROM j WHERE id = ?", 99, NULL));
    json_t *a = sq_db_list_json("SELECT n, t FROM j ORDER BY id", NULL);
    s = json_dumps(a, JSON_COMPACT);
    assert_string_equal(s, "[{\"n\":7,\"t\":\"x\"},{\"n\":null,\"t\":null}]");
    free(s);
    json_decref(a);
    /* a bad statement: NULL for one row, an empty array for a list */
    sq_log_set_quiet(1);
    assert_null(sq_db_get_json("SELECT nope FROM j WHERE id = ?", 1, NULL));
    a = sq_db_list_json("SELECT nope FROM j", NULL);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    sq_db_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations),       cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_transactions),     cmocka_unit_test(test_statement_api),
        cmocka_unit_test(test_error_mapping),    cmocka_unit_test(test_audit_append_only),
        cmocka_unit_test(test_check_and_backup), cmocka_unit_test(test_row_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
