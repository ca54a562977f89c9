/*
 * raw_insert: the storage limit of appeal intake, without HTTP.
 *
 * Runs, against a copy of a real sanqu database (schema, indexes, units and
 * categories from the migrations and the demo), the same writes that one
 * intake makes (src/appeals/store.c): the daily tracking-number upsert, the
 * appeal row with all its indexes, the SUBMIT event and the appeal_stats
 * upsert. From one process and one connection in WAL mode, for a bounded
 * time per mode:
 *
 *   full     one transaction per appeal, synchronous=FULL  (what intake promises)
 *   normal   one transaction per appeal, synchronous=NORMAL
 *   batch32  32 appeals per transaction,  synchronous=FULL  (group commit)
 *
 * and prints one line per mode: "raw <mode> <appeals/s> <appeals> <seconds>".
 *
 * usage: raw_insert DB [seconds-per-mode]
 * The database is modified: give it a scratch copy.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "raw_insert: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(db, sql);
    return st;
}

static void run(sqlite3_stmt *st, sqlite3 *db)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(db, sqlite3_sql(st));
    sqlite3_reset(st);
}

struct ctx {
    sqlite3 *db;
    sqlite3_stmt *seq, *appeal, *event, *stats;
    int64_t unit, handler, category;
    char path[128];
    long n;
};

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = prep(db, sql);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

/* The writes of one intake (see appeals_store_insert and stats_add). */
static void insert_one(struct ctx *c, int64_t now)
{
    char tracking[32], title[64];
    sqlite3_bind_int(c->seq, 1, 20261128);
    if (sqlite3_step(c->seq) != SQLITE_ROW)
        die(c->db, "tracking_seq");
    snprintf(tracking, sizeof tracking, "HS%08d%07lld", 20261128,
             (long long)sqlite3_column_int64(c->seq, 0));
    sqlite3_reset(c->seq);
    snprintf(title, sizeof title, "压测诉求 %ld：小区东门路灯不亮", c->n);
    sqlite3_stmt *a = c->appeal;
    sqlite3_bind_text(a, 1, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(a, 2,
                      "小区东门的路灯已经坏了十多天，晚上一片漆黑，老人孩子出行不安全，"
                      "希望尽快维修。",
                      -1, SQLITE_STATIC);
    sqlite3_bind_int64(a, 3, c->category);
    sqlite3_bind_int64(a, 4, c->unit);
    sqlite3_bind_text(a, 5, "武汉市洪山区珞南街道某小区3栋", -1, SQLITE_STATIC);
    sqlite3_bind_text(a, 6, "张先生", -1, SQLITE_STATIC);
    sqlite3_bind_text(a, 7, "13800000000", -1, SQLITE_STATIC);
    sqlite3_bind_int64(a, 8, c->handler);
    sqlite3_bind_text(a, 9, c->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(a, 10, now + 8 * 3600);
    sqlite3_bind_int64(a, 11, now + 5 * 86400);
    sqlite3_bind_int64(a, 12, now + 4 * 86400);
    sqlite3_bind_int64(a, 13, now);
    sqlite3_bind_text(a, 14, tracking, -1, SQLITE_TRANSIENT);
    run(a, c->db);
    int64_t id = sqlite3_last_insert_rowid(c->db);
    sqlite3_bind_int64(c->event, 1, id);
    sqlite3_bind_int64(c->event, 2, now);
    run(c->event, c->db);
    sqlite3_bind_int64(c->stats, 1, c->handler);
    sqlite3_bind_int64(c->stats, 2, c->category);
    run(c->stats, c->db);
    c->n++;
}

static void mode(struct ctx *c, const char *name, const char *sync, int batch, double secs)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", sync);
    exec(c->db, pragma);
    long start_n = c->n;
    double t0 = now_s(), t;
    int64_t now = (int64_t)time(NULL);
    do {
        exec(c->db, "BEGIN IMMEDIATE");
        for (int i = 0; i < batch; i++)
            insert_one(c, now);
        exec(c->db, "COMMIT");
    } while ((t = now_s() - t0) < secs);
    long n = c->n - start_n;
    printf("raw %s %.0f %ld %.2f\n", name, (double)n / t, n, t);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct ctx c = {0};
    if (argc < 2) {
        fprintf(stderr, "usage: raw_insert DB [seconds-per-mode]\n");
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 5;
    if (sqlite3_open(argv[1], &c.db) != SQLITE_OK)
        die(c.db, "open");
    exec(c.db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
               "PRAGMA cache_size=-16000");
    c.unit = one_int(c.db, "SELECT id FROM units WHERE kind = 'community' ORDER BY id LIMIT 1");
    c.handler = c.unit;
    c.category = one_int(c.db, "SELECT id FROM categories WHERE code = 'DL02'");
    if (!c.unit || !c.category) {
        fprintf(stderr, "raw_insert: %s has no demo units or categories\n", argv[1]);
        return 1;
    }
    sqlite3_stmt *p = prep(c.db, "SELECT path FROM units WHERE id = ?");
    sqlite3_bind_int64(p, 1, c.unit);
    if (sqlite3_step(p) == SQLITE_ROW)
        snprintf(c.path, sizeof c.path, "%s", (const char *)sqlite3_column_text(p, 0));
    sqlite3_finalize(p);
    c.seq = prep(c.db, "INSERT INTO tracking_seq(day, last) VALUES (?1, 1) ON CONFLICT(day) DO "
                       "UPDATE SET last = last + 1 RETURNING last");
    c.appeal =
        prep(c.db, "INSERT INTO appeals(title, description, category_id, unit_id, address, "
                   "contact_name, contact_phone, urgency, status, handler_unit_id, "
                   "handler_unit_path, response_due_at, due_at, warn_at, warned, overdue, "
                   "escalation_level, extension_days, reopen_count, updated_at, tracking_no, "
                   "kind, channel, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,'normal',"
                   "'submitted',?8,?9,?10,?11,?12,0,0,0,0,0,?13,?14,'resident','api',?13)");
    c.event = prep(c.db, "INSERT INTO appeal_events(appeal_id, action, actor_id, from_status, "
                         "to_status, note, data, created_at) VALUES (?1,'submit',NULL,NULL,"
                         "'submitted',NULL,'{\"channel\":\"api\"}',?2)");
    c.stats = prep(c.db, "INSERT INTO appeal_stats(month, unit_id, category_id, kind, total, "
                         "responded, responded_on_time, resolved, resolved_on_time, rejected, "
                         "overdue, reopened, rated, satisfied, basically_satisfied, "
                         "dissatisfied, solved, response_secs, handle_secs) VALUES (202611,?1,"
                         "?2,'resident',1,0,0,0,0,0,0,0,0,0,0,0,0,0,0) ON CONFLICT(month, "
                         "unit_id, category_id, kind) DO UPDATE SET total = total + 1");
    mode(&c, "full", "FULL", 1, secs);
    mode(&c, "normal", "NORMAL", 1, secs);
    mode(&c, "batch32", "FULL", 32, secs);
    sqlite3_finalize(c.seq);
    sqlite3_finalize(c.appeal);
    sqlite3_finalize(c.event);
    sqlite3_finalize(c.stats);
    sqlite3_close(c.db);
    return 0;
}
