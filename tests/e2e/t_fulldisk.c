/*
 * t_fulldisk: a full disk fails writes cleanly and loses nothing.
 *
 * The database lives on a small tmpfs mounted for the test; a filler file
 * then takes every free block. Writes (an appeal through the group-commit
 * writer, a unit through a plain transaction) must answer 507 with
 * error.code "storage_full" (a write that still fits in pages SQLite already
 * holds may succeed: every answer is 201 or 507, and 507 must come), reads
 * keep working, failed writes leave no trace, `sanqu check` passes on the
 * full disk, and once the filler is deleted writes succeed again.
 *
 * Needs root and tmpfs (mount(2)); elsewhere the test says why and passes as
 * skipped. The tmpfs is unmounted at the end, also when an assertion fails
 * (atexit), lazily so a server still holding files cannot keep it mounted.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char mnt[1024];
static bool mounted;

static void unmount(void)
{
    if (mounted && umount2(mnt, MNT_DETACH) == 0)
        mounted = false;
}

/* Fills the filesystem holding dir; returns the bytes written. */
static long long fill(const char *path)
{
    static char block[64 * 1024];
    memset(block, 'x', sizeof block);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    H_ASSERT(fd >= 0);
    long long total = 0;
    size_t chunk = sizeof block;
    while (chunk >= 512) {
        ssize_t w = write(fd, block, chunk);
        if (w > 0) {
            total += w;
            continue;
        }
        if (w < 0 && errno != ENOSPC)
            H_FAIL("filling %s: %s", path, strerror(errno));
        chunk /= 2; /* take the last partial blocks too */
    }
    fsync(fd);
    close(fd);
    return total;
}

static long long count(const char *table)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    char *sql = h_fmt("SELECT count(*) FROM %s", table);
    if (sqlite3_open_v2(h_db(), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    H_ASSERTF(n >= 0, "cannot count %s in %s", table, h_db());
    return n;
}

static int seq;

static struct h_resp *post_unit(const char *tok)
{
    seq++;
    return h_reqf("POST", "/api/v1/units", tok,
                  "{\"kind\":\"street\",\"code\":\"FULL%d\",\"name\":\"满盘测试街道%d\","
                  "\"parent_id\":1,\"address\":\"%0200d\"}",
                  seq, seq, 0);
}

static struct h_resp *post_appeal(const char *tok)
{
    seq++;
    char *key = h_fmt("full-%d", seq);
    return h_send(&(struct h_call){
        .method = "POST",
        .path = "/api/v1/appeals",
        .token = tok,
        .body = h_fmt("{\"title\":\"满盘测试 %d\",\"description\":\"%01000d\",\"category_id\":3,"
                      "\"unit_id\":20}",
                      seq, seq),
        .headers = (const char *const[]){h_fmt("Idempotency-Key: %s", key), NULL},
    });
}

/* Every write answers 201 or a clean 507; returns how many were 507. */
static int writes_until_full(const char *admin, const char *resident, int *created_units,
                             int *created_appeals)
{
    int full = 0;
    for (int i = 0; i < 60 && full < 6; i++) {
        struct h_resp *r = (i % 2) ? post_unit(admin) : post_appeal(resident);
        if (r->status == 201) {
            (i % 2 ? (*created_units)++ : (*created_appeals)++);
            continue;
        }
        H_ERR(r, 507, "storage_full");
        full++;
    }
    return full;
}

static void test_full_disk(void)
{
    h_sqlite_only("the database file on a small full tmpfs (a PostgreSQL counterpart needs a "
                  "cluster of its own on a tmpfs)");
    if (geteuid() != 0) {
        printf("  skipped: needs root to mount a small tmpfs\n");
        return;
    }
    struct stat st;
    snprintf(mnt, sizeof mnt, "%s", h_newdir("tmpfs"));
    h_start_demo(); /* builds the demo template, to size the filesystem */
    H_ASSERT(stat(h_db(), &st) == 0);
    h_stop();
    long long size = ((long long)st.st_size + 4 * 1024 * 1024 + 65535) / 65536 * 65536;
    if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, h_fmt("size=%lld", size))) {
        printf("  skipped: cannot mount a tmpfs on %s: %s\n", mnt, strerror(errno));
        return;
    }
    mounted = true;
    atexit(unmount);

    const char *db = h_fmt("%s/sanqu.db", mnt), *filler = h_fmt("%s/filler", mnt);
    h_start(&(struct h_opts){.demo = true, .db = db});
    const char *admin = h_tok("admin"), *resident = h_tok("resident");
    /* warm up: the WAL and the attachment directory exist before the disk fills */
    H_STATUS(post_unit(admin), 201);
    H_STATUS(post_appeal(resident), 201);
    long long units0 = count("units"), appeals0 = count("appeals"),
              events0 = count("appeal_events");

    long long filled = fill(filler);
    printf("  tmpfs of %lld KiB, filler %lld KiB\n", size / 1024, filled / 1024);
    int units_ok = 0, appeals_ok = 0;
    int full = writes_until_full(admin, resident, &units_ok, &appeals_ok);
    printf("  while full: %d writes answered 507, %d units and %d appeals still fit\n", full,
           units_ok, appeals_ok);
    H_ASSERTF(full >= 6, "no write was refused on a full disk");
    /* a unit and an appeal both reach 507 */
    struct h_resp *r = post_unit(admin);
    H_ERR(r, 507, "storage_full");
    H_CONTAINS(H_STR(r->json, "error.message"), "storage");
    H_ERR(post_appeal(resident), 507, "storage_full");

    /* reads keep working */
    r = h_req("GET", "/healthz", NULL, NULL);
    H_STATUS(r, 200);
    r = h_req("GET", "/api/v1/appeals?limit=5", admin, NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 1);
    H_STATUS(h_req("GET", "/api/v1/units/1", admin, NULL), 200);
    H_STATUS(h_req("GET", "/api/v1/me", resident, NULL), 200);

    /* failed writes left nothing behind; the file is sound on a full disk */
    H_EQ_INT(count("units"), units0 + units_ok);
    H_EQ_INT(count("appeals"), appeals0 + appeals_ok);
    H_EQ_INT(count("appeal_events"), events0 + appeals_ok);
    struct h_run *chk = h_sanqu("check", "--db", db, NULL);
    H_ASSERTF(chk->status == 0, "sanqu check on the full disk: %s%s", chk->out, chk->err);

    /* space comes back: so do writes */
    H_ASSERT(unlink(filler) == 0);
    H_STATUS(post_unit(admin), 201);
    H_STATUS(post_appeal(resident), 201);
    H_EQ_INT(count("units"), units0 + units_ok + 1);
    H_EQ_INT(count("appeals"), appeals0 + appeals_ok + 1);

    h_stop();
    chk = h_sanqu("check", "--db", db, NULL);
    H_ASSERTF(chk->status == 0, "sanqu check after the test: %s%s", chk->out, chk->err);
    unmount();
    H_ASSERTF(!mounted, "cannot unmount %s", mnt);
}

static const struct h_test tests[] = {
    H_TEST(test_full_disk),
    {0},
};

int main(int argc, char **argv)
{
    return h_main(argc, argv, tests);
}
