/*
 * fuzz_search_query: what a user types into search, end to end through
 * SQLite. sq_cjk_build_query() must return NULL or an expression FTS5
 * accepts: running it as MATCH on an in-memory FTS5 table that uses the
 * sanqu_cjk tokenizer must never give a syntax error. The table holds a few
 * rows (Chinese, Latin, mixed) and the input itself, so the tokenizer also
 * indexes arbitrary bytes, and highlight()/snippet() walk the positions.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/cjk_tokenizer.h"

static sqlite3 *db;
static sqlite3_stmt *ins, *del, *q;

static void setup(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || sq_cjk_tokenizer_register(db) != SQLITE_OK)
        abort();
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='sanqu_cjk');"
                     "INSERT INTO t VALUES ('小区路灯不亮', '和平街道3号楼门口的路灯坏了两周');"
                     "INSERT INTO t VALUES ('Wi-Fi 信号差', 'campus wifi 在图书馆 drops');"
                     "INSERT INTO t VALUES ('噪音扰民', '夜间施工 22:00 以后 \"仍然\" 继续');"
                     "INSERT INTO t VALUES ('ＡＢＣ全角', 'ｘｙｚ１２３ カタカナ 한국어');",
                     NULL, NULL, NULL) != SQLITE_OK)
        abort();
    if (sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, body) VALUES (100, ?, ?)", -1, &ins,
                           NULL) ||
        sqlite3_prepare_v2(db, "DELETE FROM t WHERE rowid = 100", -1, &del, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT rowid, highlight(t, 0, '[', ']'), "
                           "snippet(t, 1, '[', ']', '…', 8), bm25(t) FROM t WHERE t MATCH ? "
                           "ORDER BY rank LIMIT 10",
                           -1, &q, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        setup();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    sqlite3_bind_text(ins, 1, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_blob(ins, 2, data, (int)size, SQLITE_STATIC); /* raw bytes, maybe no NUL */
    if (sqlite3_step(ins) != SQLITE_DONE)
        abort();
    sqlite3_reset(ins);

    char *m = sq_cjk_build_query(text);
    if (m) {
        if (!*m)
            __builtin_trap(); /* an empty expression is a syntax error */
        sqlite3_bind_text(q, 1, m, -1, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            ;
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "MATCH %s failed: %s\n", m, sqlite3_errmsg(db));
            __builtin_trap();
        }
        sqlite3_reset(q);
        free(m);
    }
    if (sqlite3_step(del) != SQLITE_DONE)
        abort();
    sqlite3_reset(del);
    free(text);
    return 0;
}
