/*
 * cjk_tokenizer.h - FTS5 tokenizer for Chinese (and other CJK) text, and a
 * builder for safe FTS5 MATCH expressions from what a user typed.
 *
 * Chinese has no spaces between words, so the tokenizer indexes overlapping
 * character bigrams (the approach of Lucene's CJK analyzer) plus each single
 * character at the same position, and ASCII-folded Latin/digit words.  The
 * exact rules, and why positions are laid out the way they are, are in
 * cjk_tokenizer.c and docs/search.md.
 *
 * Invariant shared by both functions: the query builder and the tokenizer
 * use the same character classes, so a term the builder keeps always
 * produces at least one token and never becomes an empty FTS5 phrase.
 */
#ifndef SQ_KB_CJK_TOKENIZER_H
#define SQ_KB_CJK_TOKENIZER_H

#include <sqlite3.h>

/* Name to use in `CREATE VIRTUAL TABLE ... USING fts5(..., tokenize='...')`. */
#define SQ_CJK_TOKENIZER_NAME "sanqu_cjk"

/* Limits applied by sq_cjk_build_query(); input beyond them is ignored. */
#define SQ_CJK_QUERY_MAX_BYTES 1000
#define SQ_CJK_QUERY_MAX_TERMS 256

/* Longest Latin/digit token, in bytes; longer words are truncated. */
#define SQ_CJK_WORD_MAX 64

/*
 * Register the "sanqu_cjk" FTS5 tokenizer on `db`.  Must be called on every
 * connection that reads or writes a table declared with this tokenizer,
 * before the table is first touched.  Registering again replaces the
 * previous registration harmlessly.
 *
 * Returns SQLITE_OK, or an SQLite error code when FTS5 is not available in
 * this SQLite build or the registration fails.
 */
int sq_cjk_tokenizer_register(sqlite3 *db);

/* The FTS5 api of db's connection (version 2 or later), or NULL when this
 * SQLite has no FTS5. */
fts5_api *sq_fts5_api(sqlite3 *db);

/*
 * Build an FTS5 MATCH expression from free text typed by a user.
 *
 * The text is split into terms at whitespace (ASCII, U+00A0, U+3000) and at
 * CJK clause punctuation (，、。；：！？ in their fullwidth forms).  Each term
 * that contains at least one indexable character becomes an FTS5 string
 * ("..." with any " doubled), so FTS5 operators and special characters in
 * the input are always text.  Terms are joined by spaces, which FTS5 reads
 * as AND.  Inside a term, invalid UTF-8 is replaced by a space.  Only the
 * first SQ_CJK_QUERY_MAX_BYTES bytes (cut back to a character boundary) and
 * the first SQ_CJK_QUERY_MAX_TERMS kept terms are used.
 *
 * Returns a malloc'd NUL-terminated string the caller frees with free(), or
 * NULL when `user_text` is NULL, has nothing indexable (the caller should
 * answer "no results" without querying), or memory runs out.
 */
char *sq_cjk_build_query(const char *user_text);

#endif /* SQ_KB_CJK_TOKENIZER_H */
