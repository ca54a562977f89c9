/*
 * test_cjk_tokenizer.c - unit tests for src/kb/cjk_tokenizer.c.
 *
 * Three layers: the tokenizer called directly through the fts5_api (exact
 * tokens, colocation flags and byte offsets, on buffers allocated to the
 * exact length so AddressSanitizer catches any read past nText); a real
 * FTS5 table in an in-memory database (matching, phrases, highlight(),
 * stored positions); and sq_cjk_build_query(), whose every output must be a
 * valid MATCH expression.  Self-contained: links only the tokenizer,
 * SQLite and cmocka.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "kb/cjk_tokenizer.h"

#define TOKENS_MAX 512

struct token {
    char text[SQ_CJK_WORD_MAX + 1];
    int colocated;
    int start;
    int end;
};

struct token_list {
    struct token items[TOKENS_MAX];
    int n;
    int stop_after; /* if > 0, answer SQLITE_ABORT once this many arrived */
};

/* What a test expects; `colocated` is 1 for FTS5_TOKEN_COLOCATED. */
struct want {
    const char *text;
    int colocated;
    int start;
    int end;
};

struct fixture {
    sqlite3 *db;
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
};

static const char *const docs[] = {
    "小区电梯经常故障，维修不及时", /* rowid 1 */
    "停车难，3号楼车位不足",        /* rowid 2 */
    "夜间施工噪音扰民",             /* rowid 3 */
    "Wi-Fi信号差",                  /* rowid 4 */
};

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static fts5_api *fts5_api_get(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    fts5_api *api = NULL;

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL), SQLITE_OK);
    sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    sqlite3_finalize(stmt);
    assert_non_null(api);
    return api;
}

static int collect_token(void *ctx, int tflags, const char *token, int n_token, int start, int end)
{
    struct token_list *list = ctx;
    struct token *t;

    assert_true(list->n < TOKENS_MAX);
    assert_true(n_token > 0 && n_token <= SQ_CJK_WORD_MAX);
    t = &list->items[list->n++];
    memcpy(t->text, token, (size_t)n_token);
    t->text[n_token] = '\0';
    t->colocated = (tflags & FTS5_TOKEN_COLOCATED) != 0;
    t->start = start;
    t->end = end;
    if (list->stop_after > 0 && list->n >= list->stop_after)
        return SQLITE_ABORT;
    return SQLITE_OK;
}

/* Tokenize a copy of text[0..n) held in a buffer of exactly n bytes. */
static int tokenize(struct fixture *f, const char *text, size_t n, int flags,
                    struct token_list *list)
{
    char *copy = malloc(n > 0 ? n : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, text, n);
    rc = f->api.xTokenize(f->tok, list, flags, copy, (int)n, collect_token);
    free(copy);
    return rc;
}

static void expect_tokens(struct fixture *f, const char *text, size_t n, int flags,
                          const struct want *want, size_t n_want)
{
    struct token_list *list = calloc(1, sizeof(*list));
    size_t i;

    assert_non_null(list);
    assert_int_equal(tokenize(f, text, n, flags, list), SQLITE_OK);
    for (i = 0; i < n_want && i < (size_t)list->n; i++) {
        assert_string_equal(list->items[i].text, want[i].text);
        assert_int_equal(list->items[i].colocated, want[i].colocated);
        assert_int_equal(list->items[i].start, want[i].start);
        assert_int_equal(list->items[i].end, want[i].end);
    }
    assert_int_equal(list->n, (int)n_want);
    free(list);
}

/* `text` must be a string literal: its length is taken with sizeof, so
 * embedded odd bytes are kept and no terminating NUL is passed. */
#define EXPECT_TOKENS(f, text, flags, ...)                                                         \
    do {                                                                                           \
        static const struct want want_[] = {__VA_ARGS__};                                          \
        expect_tokens((f), (text), sizeof(text) - 1, (flags), want_,                               \
                      sizeof(want_) / sizeof(want_[0]));                                           \
    } while (0)

#define EXPECT_NO_TOKENS(f, text, flags)                                                           \
    expect_tokens((f), (text), sizeof(text) - 1, (flags), NULL, 0)

#define DOC FTS5_TOKENIZE_DOCUMENT
#define QUERY FTS5_TOKENIZE_QUERY

/*
 * Run `SELECT rowid FROM t WHERE t MATCH query` and write the rowids as
 * "1,3" into buf.  Returns the final sqlite3_step() code, so a caller can
 * assert that the query ran to completion without an error.
 */
static int match_ids(sqlite3 *db, const char *table, const char *query, char *buf, size_t size)
{
    char sql[128];
    sqlite3_stmt *stmt = NULL;
    size_t used = 0;
    int rc;

    buf[0] = '\0';
    snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE %s MATCH ?1 ORDER BY rowid", table,
             table);
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_bind_text(stmt, 1, query, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", used > 0 ? "," : "",
                                 (long long)sqlite3_column_int64(stmt, 0));
        assert_true(used < size);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static void assert_matches(sqlite3 *db, const char *query, const char *ids)
{
    char buf[64];

    assert_int_equal(match_ids(db, "t", query, buf, sizeof(buf)), SQLITE_DONE);
    assert_string_equal(buf, ids);
}

/* Like assert_matches, but the user text goes through the query builder. */
static void assert_user_matches(sqlite3 *db, const char *user_text, const char *ids)
{
    char *query = sq_cjk_build_query(user_text);

    assert_non_null(query);
    assert_matches(db, query, ids);
    free(query);
}

static void assert_highlight(sqlite3 *db, const char *query, const char *want)
{
    sqlite3_stmt *stmt = NULL;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT highlight(t, 0, '[', ']') "
                                        "FROM t WHERE t MATCH ?1",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(stmt, 1, query, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), want);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

static void insert_doc(sqlite3 *db, const char *table, const char *text, int n)
{
    char sql[64];
    sqlite3_stmt *stmt = NULL;

    snprintf(sql, sizeof(sql), "INSERT INTO %s(body) VALUES (?1)", table);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    sqlite3_bind_text(stmt, 1, text, n, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
}

/* Deterministic xorshift so a failing random input can be reproduced. */
static uint32_t rng_next(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Random text built from pieces that stress the classifier, the UTF-8
 * decoder and the FTS5 query syntax. */
static size_t random_text(uint32_t *rng, char *buf, size_t size)
{
    static const char *const pieces[] = {
        "电",
        "梯",
        "维修",
        "号",
        "ア",
        "한",
        "𠮷",
        "Ａ",
        "５",
        "a",
        "Z",
        "9",
        " ",
        "\t",
        "　",
        "，",
        "。",
        "-",
        "\"",
        "*",
        "(",
        ")",
        ":",
        "^",
        "+",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "\xff",
        "\xc3",
        "\xe7\x94",
        "\xed\xa0\x80",
        "\xf0\x9f\x98",
        "\xf4\x90\x80\x80",
        "\x80",
        "\xc0\xaf",
        "😀",
    };
    size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
    size_t count = rng_next(rng) % 24;
    size_t used = 0;
    size_t i;

    for (i = 0; i < count; i++) {
        const char *p = pieces[rng_next(rng) % n_pieces];
        size_t len = strlen(p);

        if (used + len + 1 > size)
            break;
        memcpy(buf + used, p, len);
        used += len;
    }
    buf[used] = '\0';
    return used;
}

/* ------------------------------------------------------------------------
 * Fixtures
 * ------------------------------------------------------------------------ */

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    fts5_api *api;
    void *user_data = NULL;
    size_t i;

    if (f == NULL || sqlite3_open(":memory:", &f->db) != SQLITE_OK)
        return -1;
    if (sq_cjk_tokenizer_register(f->db) != SQLITE_OK)
        return -1;
    api = fts5_api_get(f->db);
    if (api->xFindTokenizer(api, SQ_CJK_TOKENIZER_NAME, &user_data, &f->api) != SQLITE_OK)
        return -1;
    if (f->api.xCreate(user_data, NULL, 0, &f->tok) != SQLITE_OK)
        return -1;

    exec_ok(f->db, "CREATE VIRTUAL TABLE t USING fts5(body, "
                   "tokenize='sanqu_cjk')");
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        insert_doc(f->db, "t", docs[i], -1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    if (f->tok != NULL)
        f->api.xDelete(f->tok);
    sqlite3_close(f->db);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------
 * Tokenizer, called directly
 * ------------------------------------------------------------------------ */

static void test_han_run_document(void **state)
{
    EXPECT_TOKENS(*state, "电梯维修", DOC, {"电梯", 0, 0, 6}, {"电", 1, 0, 3}, {"梯维", 0, 3, 9},
                  {"梯", 1, 3, 6}, {"维修", 0, 6, 12}, {"维", 1, 6, 9}, {"修", 1, 9, 12});
    /* highlight()/snippet() tokenize in AUX mode and need the same
     * positions as the stored document. */
    EXPECT_TOKENS(*state, "电梯", FTS5_TOKENIZE_AUX, {"电梯", 0, 0, 6}, {"电", 1, 0, 3},
                  {"梯", 1, 3, 6});
}

static void test_han_run_query(void **state)
{
    EXPECT_TOKENS(*state, "电梯维修", QUERY, {"电梯", 0, 0, 6}, {"梯维", 0, 3, 9},
                  {"维修", 0, 6, 12});
    EXPECT_TOKENS(*state, "电梯", QUERY | FTS5_TOKENIZE_PREFIX, {"电梯", 0, 0, 6});
}

static void test_single_han(void **state)
{
    EXPECT_TOKENS(*state, "电", DOC, {"电", 0, 0, 3});
    EXPECT_TOKENS(*state, "电", QUERY, {"电", 0, 0, 3});
    EXPECT_TOKENS(*state, "a电b", DOC, {"a", 0, 0, 1}, {"电", 0, 1, 4}, {"b", 0, 4, 5});
}

static void test_digits_then_han(void **state)
{
    EXPECT_TOKENS(*state, "3号楼电梯", DOC, {"3", 0, 0, 1}, {"号楼", 0, 1, 7}, {"号", 1, 1, 4},
                  {"楼电", 0, 4, 10}, {"楼", 1, 4, 7}, {"电梯", 0, 7, 13}, {"电", 1, 7, 10},
                  {"梯", 1, 10, 13});
    EXPECT_TOKENS(*state, "2024年", QUERY, {"2024", 0, 0, 4}, {"年", 0, 4, 7});
}

static void test_latin_hyphen_and_han(void **state)
{
    EXPECT_TOKENS(*state, "Wi-Fi信号差", DOC, {"wi", 0, 0, 2}, {"fi", 0, 3, 5}, {"信号", 0, 5, 11},
                  {"信", 1, 5, 8}, {"号差", 0, 8, 14}, {"号", 1, 8, 11}, {"差", 1, 11, 14});
}

static void test_fullwidth_fold(void **state)
{
    EXPECT_TOKENS(*state, "ＷｉＦｉ５Ｇ", QUERY, {"wifi5g", 0, 0, 18});
    /* Mixed widths are one word; fullwidth punctuation is a separator. */
    EXPECT_TOKENS(*state, "Ｗifi：ＡＢ［c］", QUERY, {"wifi", 0, 0, 6}, {"ab", 0, 9, 15},
                  {"c", 0, 18, 19});
}

static void test_long_word_truncated(void **state)
{
    char text[100 + 3];
    char want[SQ_CJK_WORD_MAX + 1];
    struct token_list *list = calloc(1, sizeof(*list));

    assert_non_null(list);
    memset(text, 'A', 100);
    memcpy(text + 100, "电", 3);
    memset(want, 'a', SQ_CJK_WORD_MAX);
    want[SQ_CJK_WORD_MAX] = '\0';

    assert_int_equal(tokenize(*state, text, 103, DOC, list), SQLITE_OK);
    assert_int_equal(list->n, 2);
    assert_string_equal(list->items[0].text, want);
    /* The offsets still span the whole word, for highlighting. */
    assert_int_equal(list->items[0].start, 0);
    assert_int_equal(list->items[0].end, 100);
    assert_string_equal(list->items[1].text, "电");
    assert_int_equal(list->items[1].start, 100);
    free(list);
}

static void test_separators(void **state)
{
    EXPECT_TOKENS(*state, "小区，电梯。", QUERY, {"小区", 0, 0, 6}, {"电梯", 0, 9, 15});
    EXPECT_TOKENS(*state, "电梯😀故障", QUERY, {"电梯", 0, 0, 6}, {"故障", 0, 10, 16});
    EXPECT_TOKENS(*state, "ア・イ", QUERY, {"ア", 0, 0, 3}, {"イ", 0, 6, 9});
    EXPECT_TOKENS(*state, "  hello,\tWORLD! ", QUERY, {"hello", 0, 2, 7}, {"world", 0, 9, 14});
    EXPECT_NO_TOKENS(*state, "，。！？ -*()\"😀", DOC);
    EXPECT_NO_TOKENS(*state, "", DOC);
    /* café: non-ASCII Latin is a separator by design (docs/search.md). */
    EXPECT_TOKENS(*state, "café", QUERY, {"caf", 0, 0, 3});
}

static void test_kana_hangul_and_rare_han(void **state)
{
    EXPECT_TOKENS(*state, "エレベーター", QUERY, {"エレ", 0, 0, 6}, {"レベ", 0, 3, 9},
                  {"ベー", 0, 6, 12}, {"ータ", 0, 9, 15}, {"ター", 0, 12, 18});
    EXPECT_TOKENS(*state, "엘리베이터", QUERY, {"엘리", 0, 0, 6}, {"리베", 0, 3, 9},
                  {"베이", 0, 6, 12}, {"이터", 0, 9, 15});
    /* U+20BB7, a four-byte extension B character used in names. */
    EXPECT_TOKENS(*state, "𠮷野家", QUERY, {"𠮷野", 0, 0, 7}, {"野家", 0, 4, 10});
    /* U+F900, a compatibility ideograph; U+3007 ideographic zero. */
    EXPECT_TOKENS(*state, "豈", QUERY, {"豈", 0, 0, 3});
    EXPECT_TOKENS(*state, "二〇二四", QUERY, {"二〇", 0, 0, 6}, {"〇二", 0, 3, 9},
                  {"二四", 0, 6, 12});
}

static void test_invalid_utf8(void **state)
{
    EXPECT_TOKENS(*state, "\xff\xfe电梯\xc3", DOC, {"电梯", 0, 2, 8}, {"电", 1, 2, 5},
                  {"梯", 1, 5, 8});
    /* Overlong '/', stray continuation, surrogate, above U+10FFFF. */
    EXPECT_TOKENS(*state,
                  "a\xc0\xaf"
                  "b\x80"
                  "c",
                  QUERY, {"a", 0, 0, 1}, {"b", 0, 3, 4}, {"c", 0, 5, 6});
    EXPECT_TOKENS(*state, "\xed\xa0\x80电", QUERY, {"电", 0, 3, 6});
    EXPECT_TOKENS(*state,
                  "\xf4\x90\x80\x80"
                  "x",
                  QUERY, {"x", 0, 4, 5});
    /* A sequence cut short, in the middle and at the very end. */
    EXPECT_TOKENS(*state,
                  "\xe6\xa2"
                  "a电\xe6\xa2",
                  QUERY, {"a", 0, 2, 3}, {"电", 0, 3, 6});
    /* An invalid byte ends a Han run like any separator. */
    EXPECT_TOKENS(*state, "电梯\xff维修", QUERY, {"电梯", 0, 0, 6}, {"维修", 0, 7, 13});
}

static void test_callback_error_stops(void **state)
{
    struct token_list *list = calloc(1, sizeof(*list));

    assert_non_null(list);
    list->stop_after = 2;
    assert_int_equal(tokenize(*state, "电梯维修 abc", 16, DOC, list), SQLITE_ABORT);
    assert_int_equal(list->n, 2);
    free(list);
}

/* Property check over random input: offsets in bounds and non-decreasing,
 * bounded tokens, and never a colocated token first. */
static void test_random_input_invariants(void **state)
{
    uint32_t rng = 0x5a17u;
    char text[256];
    int round;

    for (round = 0; round < 3000; round++) {
        struct token_list *list = calloc(1, sizeof(*list));
        size_t n = random_text(&rng, text, sizeof(text));
        int flags = (round & 1) ? DOC : QUERY;
        int i;

        assert_non_null(list);
        assert_int_equal(tokenize(*state, text, n, flags, list), SQLITE_OK);
        for (i = 0; i < list->n; i++) {
            const struct token *t = &list->items[i];

            assert_true(t->start >= 0 && t->start < t->end);
            assert_true((size_t)t->end <= n);
            if (i == 0)
                assert_false(t->colocated);
            else
                assert_true(t->start >= list->items[i - 1].start);
            if (flags == QUERY)
                assert_false(t->colocated);
        }
        free(list);
    }
}

/* ------------------------------------------------------------------------
 * FTS5 table
 * ------------------------------------------------------------------------ */

static void test_match_bigram_and_single(void **state)
{
    struct fixture *f = *state;

    assert_matches(f->db, "电梯", "1");
    assert_matches(f->db, "梯", "1"); /* middle of a run */
    assert_matches(f->db, "时", "1"); /* last character of a run */
    assert_matches(f->db, "停车", "2");
    assert_matches(f->db, "车", "2");
    assert_matches(f->db, "噪音", "3");
    assert_matches(f->db, "火灾", "");
    assert_matches(f->db, "电 停", ""); /* implicit AND */
    assert_matches(f->db, "电 OR 停", "1,2");
}

static void test_match_phrases(void **state)
{
    struct fixture *f = *state;

    assert_matches(f->db, "\"维修不\"", "1");
    assert_matches(f->db, "维修不", "1"); /* bareword, same phrase */
    assert_matches(f->db, "\"维修不及时\"", "1");
    assert_matches(f->db, "\"电梯维修\"", ""); /* not adjacent in doc 1 */
    assert_matches(f->db, "\"梯故\"", "");
    assert_matches(f->db, "\"3号楼\"", "2");
    assert_matches(f->db, "\"3号\"", "2");
    assert_matches(f->db, "\"4号楼\"", "");
    /* A single character next to a Latin token, at either end of a run:
     * this is what placing c1 and cn with the outer bigrams buys. */
    assert_matches(f->db, "\"难 3\"", "2");
    assert_matches(f->db, "\"fi信\"", "4");
}

static void test_match_latin(void **state)
{
    struct fixture *f = *state;

    assert_matches(f->db, "\"wi-fi\"", "4");
    assert_matches(f->db, "WI", "4");
    assert_matches(f->db, "fi", "4");
    /* Decided: "Wi-Fi" is two words, so the run-together form misses. */
    assert_matches(f->db, "wifi", "");
    assert_matches(f->db, "\"ＷＩ－ＦＩ\"", "4");
}

static void test_highlight(void **state)
{
    struct fixture *f = *state;

    assert_highlight(f->db, "电梯", "小区[电梯]经常故障，维修不及时");
    assert_highlight(f->db, "\"维修不\"", "小区电梯经常故障，[维修不]及时");
    assert_highlight(f->db, "\"3号楼\"", "停车难，[3号楼]车位不足");
    assert_highlight(f->db, "\"wi-fi\"", "[Wi-Fi]信号差");
    /* Known limitation: a single-character hit inside a run is highlighted
     * as the bigram at its position (docs/search.md). */
    assert_highlight(f->db, "梯", "小区电[梯经]常故障，维修不及时");
    assert_highlight(f->db, "时", "小区电梯经常故障，维修不[及时]");
}

static void test_stored_positions(void **state)
{
    struct fixture *f = *state;
    sqlite3_stmt *stmt = NULL;

    exec_ok(f->db, "CREATE VIRTUAL TABLE p USING fts5(body, "
                   "tokenize='sanqu_cjk');"
                   "CREATE VIRTUAL TABLE pv USING fts5vocab(p, 'instance');");
    insert_doc(f->db, "p", "电梯维修 ok", -1);
    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT group_concat(offset || ':' || term, ' ') "
                                        "FROM (SELECT offset, term FROM pv "
                                        "      ORDER BY offset, term)",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0),
                        "0:电 0:电梯 1:梯 1:梯维 2:修 2:维 2:维修 3:ok");
    sqlite3_finalize(stmt);
    exec_ok(f->db, "DROP TABLE pv; DROP TABLE p;");
}

static void test_invalid_utf8_document(void **state)
{
    static const char bad[] = "\xff\xfe电梯\xc3";
    struct fixture *f = *state;
    char ids[32];
    sqlite3_stmt *stmt = NULL;

    exec_ok(f->db, "CREATE VIRTUAL TABLE b USING fts5(body, "
                   "tokenize='sanqu_cjk')");
    insert_doc(f->db, "b", bad, (int)sizeof(bad) - 1);
    assert_int_equal(match_ids(f->db, "b", "电梯", ids, sizeof(ids)), SQLITE_DONE);
    assert_string_equal(ids, "1");
    assert_int_equal(match_ids(f->db, "b", "梯", ids, sizeof(ids)), SQLITE_DONE);
    assert_string_equal(ids, "1");

    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT highlight(b, 0, '[', ']') "
                                        "FROM b WHERE b MATCH '电梯'",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "\xff\xfe[电梯]\xc3");
    sqlite3_finalize(stmt);
    exec_ok(f->db, "DROP TABLE b");
}

static void test_tokenizer_rejects_arguments(void **state)
{
    struct fixture *f = *state;

    assert_int_not_equal(sqlite3_exec(f->db,
                                      "CREATE VIRTUAL TABLE x USING fts5(body, "
                                      "tokenize='sanqu_cjk bigram')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(sq_cjk_tokenizer_register(NULL), SQLITE_MISUSE);
    /* Registering twice is harmless. */
    assert_int_equal(sq_cjk_tokenizer_register(f->db), SQLITE_OK);
    assert_matches(f->db, "电梯", "1");
}

/* ------------------------------------------------------------------------
 * Query builder
 * ------------------------------------------------------------------------ */

static void assert_built(const char *user_text, const char *want)
{
    char *query = sq_cjk_build_query(user_text);

    if (want == NULL) {
        assert_null(query);
        return;
    }
    assert_non_null(query);
    assert_string_equal(query, want);
    free(query);
}

static void test_build_query_shapes(void **state)
{
    (void)state;
    assert_built("电梯", "\"电梯\"");
    assert_built("  电梯   维修 ", "\"电梯\" \"维修\"");
    assert_built("电梯，维修。", "\"电梯\" \"维修\"");
    assert_built("电梯　维修", "\"电梯\" \"维修\""); /* U+3000 */
    assert_built("a\"b", "\"a\"\"b\"");
    assert_built("电梯 AND (\" NOT *", "\"电梯\" \"AND\" \"NOT\"");
    assert_built("wi-fi", "\"wi-fi\"");
    assert_built("ab\xff"
                 "cd",
                 "\"ab cd\"");
    /* A UTF-8-encoded surrogate is three bad bytes, not one character. */
    assert_built("ab\xed\xa0\x80"
                 "cd",
                 "\"ab   cd\"");
    assert_built("\xe7\x94", NULL);
    assert_built(NULL, NULL);
    assert_built("", NULL);
    assert_built(" \t\n　", NULL);
    assert_built("()*\"^:+- ！？", NULL);
    assert_built("😀", NULL);
}

static void test_build_query_limits(void **state)
{
    char text[1300];
    char *query;
    size_t i;
    int quotes = 0;

    /* 300 one-letter terms: only the first 256 are kept. */
    for (i = 0; i < 300; i++) {
        text[2 * i] = 'x';
        text[2 * i + 1] = ' ';
    }
    text[600] = '\0';
    query = sq_cjk_build_query(text);
    assert_non_null(query);
    for (i = 0; query[i] != '\0'; i++)
        quotes += query[i] == '"';
    assert_int_equal(quotes, 2 * SQ_CJK_QUERY_MAX_TERMS);
    /* The largest query the builder makes is still valid FTS5. */
    assert_matches(((struct fixture *)*state)->db, query, "");
    free(query);

    /* 400 three-byte characters: cut at 1000 bytes, then back to the
     * character boundary at 999. */
    for (i = 0; i < 400; i++)
        memcpy(text + 3 * i, "电", 3);
    text[1200] = '\0';
    query = sq_cjk_build_query(text);
    assert_non_null(query);
    assert_int_equal(strlen(query), 2 + 999);
    assert_memory_equal(query + 1 + 996, "电\"", 4);
    free(query);
}

static void test_build_query_against_table(void **state)
{
    struct fixture *f = *state;

    assert_user_matches(f->db, "电梯", "1");
    assert_user_matches(f->db, "梯", "1");
    assert_user_matches(f->db, "维修不", "1");
    assert_user_matches(f->db, "停车", "2");
    assert_user_matches(f->db, "3号楼", "2");
    assert_user_matches(f->db, "wi-fi", "4");
    assert_user_matches(f->db, "Ｗｉ－Ｆｉ 信号", "4");
    assert_user_matches(f->db, "电梯 维修", "1");
    assert_user_matches(f->db, "电梯，停车", "");
    /* Operator characters are text: these run without a syntax error. */
    assert_user_matches(f->db, "电梯 AND (\" NOT *", "");
    assert_user_matches(f->db, "\"电梯\"", "1");
    assert_user_matches(f->db, "(电梯)", "1");
    assert_user_matches(f->db, "电梯*", "1");
    assert_user_matches(f->db, "body:电梯", "");
    assert_user_matches(f->db, "^电梯", "1");
    assert_user_matches(f->db, "NEAR(电梯 维修)", "");
    assert_user_matches(f->db, "- 电梯 +", "1");
}

/* Whatever the user types, the built query must run without an error. */
static void test_build_query_random_is_valid(void **state)
{
    struct fixture *f = *state;
    uint32_t rng = 0xc0ffeeu;
    char text[256];
    char ids[64];
    int round;

    for (round = 0; round < 3000; round++) {
        char *query;

        random_text(&rng, text, sizeof(text));
        query = sq_cjk_build_query(text);
        if (query == NULL)
            continue;
        if (match_ids(f->db, "t", query, ids, sizeof(ids)) != SQLITE_DONE)
            fail_msg("query %s from input %s: %s", query, text, sqlite3_errmsg(f->db));
        free(query);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_han_run_document),
        cmocka_unit_test(test_han_run_query),
        cmocka_unit_test(test_single_han),
        cmocka_unit_test(test_digits_then_han),
        cmocka_unit_test(test_latin_hyphen_and_han),
        cmocka_unit_test(test_fullwidth_fold),
        cmocka_unit_test(test_long_word_truncated),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_kana_hangul_and_rare_han),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_callback_error_stops),
        cmocka_unit_test(test_random_input_invariants),
        cmocka_unit_test(test_match_bigram_and_single),
        cmocka_unit_test(test_match_phrases),
        cmocka_unit_test(test_match_latin),
        cmocka_unit_test(test_highlight),
        cmocka_unit_test(test_stored_positions),
        cmocka_unit_test(test_invalid_utf8_document),
        cmocka_unit_test(test_tokenizer_rejects_arguments),
        cmocka_unit_test(test_build_query_shapes),
        cmocka_unit_test(test_build_query_limits),
        cmocka_unit_test(test_build_query_against_table),
        cmocka_unit_test(test_build_query_random_is_valid),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
