/*
 * cjk_tokenizer.c - the "sanqu_cjk" FTS5 tokenizer and the MATCH query
 * builder declared in cjk_tokenizer.h.
 *
 * Text is read as UTF-8 and every code point falls in one of three classes:
 *
 *   ALNUM  ASCII letters and digits, and their fullwidth forms (U+FF10-FF19,
 *          U+FF21-FF3A, U+FF41-FF5A).  A run of them is one token, folded to
 *          lowercase ASCII and truncated to SQ_CJK_WORD_MAX bytes.
 *   IDEO   Han ideographs (URO, extensions A to H, compatibility blocks, and
 *          a few Han-like marks such as 〇 and 々), Hiragana, Katakana
 *          (including halfwidth) and Hangul.  A run of them is cut into
 *          overlapping bigrams; a run of one character is that character.
 *   SEP    everything else, and every byte that is not part of a valid,
 *          shortest-form UTF-8 sequence.  Separators are never indexed.
 *
 * Position layout.  A run c1..cn (n >= 2) takes n-1 positions: bigram
 * c(i)c(i+1) opens position i, and when indexing a document (or tokenizing
 * for highlight/snippet, which must see the same positions) c(i) is added
 * at that position with FTS5_TOKEN_COLOCATED; the last character cn shares
 * the last bigram's position.  For a query, a run of n >= 2 yields only its
 * bigrams, so a phrase of bigrams lines up with the document's consecutive
 * bigrams; a run of one yields the single character, which the colocated
 * singles make findable anywhere in a document.  Putting c1 with the first
 * bigram and cn with the last keeps mixed phrases such as "3号" or "修abc"
 * aligned with the neighbouring Latin token.  The bigram is emitted first at
 * each position because FTS5's highlight() takes offsets only from the first
 * token at a position, so highlighting a bigram phrase covers whole
 * characters (a single-character hit is highlighted as its bigram).
 *
 * Invariants: no read ever goes past nText (input need not be
 * NUL-terminated); token offsets are byte offsets into the original text;
 * a non-OK return from xToken stops tokenizing and is returned unchanged.
 */
#include "kb/cjk_tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cjk_class {
    CJK_CLASS_SEP,   /* separator: skipped, ends any pending token */
    CJK_CLASS_ALNUM, /* ASCII-foldable letter or digit */
    CJK_CLASS_IDEO,  /* character indexed as bigrams */
};

/* Inclusive code point ranges of class IDEO, sorted for binary search. */
static const uint32_t cjk_ideo_ranges[][2] = {
    {0x1100, 0x11FF},   /* Hangul Jamo */
    {0x3005, 0x3007},   /* 々 〆 〇 */
    {0x3021, 0x3029},   /* Hangzhou numerals */
    {0x3038, 0x303A},   /* Hangzhou numerals 10, 20, 30 */
    {0x3041, 0x3096},   /* Hiragana */
    {0x3099, 0x309F},   /* kana voicing and iteration marks, ゟ */
    {0x30A1, 0x30FA},   /* Katakana (the middle dot U+30FB is punctuation) */
    {0x30FC, 0x30FF},   /* ー and Katakana iteration marks */
    {0x3131, 0x318E},   /* Hangul compatibility Jamo */
    {0x31F0, 0x31FF},   /* Katakana phonetic extensions */
    {0x3400, 0x4DBF},   /* CJK extension A */
    {0x4E00, 0x9FFF},   /* CJK unified ideographs */
    {0xA960, 0xA97F},   /* Hangul Jamo extended A */
    {0xAC00, 0xD7A3},   /* Hangul syllables */
    {0xD7B0, 0xD7FF},   /* Hangul Jamo extended B */
    {0xF900, 0xFAFF},   /* CJK compatibility ideographs */
    {0xFF66, 0xFF9F},   /* halfwidth Katakana */
    {0xFFA1, 0xFFDC},   /* halfwidth Hangul */
    {0x1B000, 0x1B16F}, /* Kana supplement and extensions */
    {0x20000, 0x2A6DF}, /* CJK extension B */
    {0x2A700, 0x2EE5F}, /* CJK extensions C to F, I */
    {0x2F800, 0x2FA1F}, /* CJK compatibility ideographs supplement */
    {0x30000, 0x323AF}, /* CJK extensions G, H */
};

/* Tokens pending while scanning; see cjk_emit_*() for how they flush. */
struct cjk_emitter {
    void *ctx;
    int (*x_token)(void *ctx, int tflags, const char *token, int n_token, int start, int end);
    const char *text;
    int document;   /* nonzero: add colocated single characters */
    int run_len;    /* IDEO characters seen in the current run, capped at 2 */
    int prev_start; /* byte span of the run's latest IDEO character */
    int prev_end;
    int word_len;   /* bytes in word[]; nonzero while inside a word */
    int word_start; /* byte span of the whole word in the source */
    int word_end;
    char word[SQ_CJK_WORD_MAX];
};

/*
 * Decode one UTF-8 sequence from s[0..n-1] (n > 0) into *cp.  Returns its
 * length (1-4), or 0 when s[0] does not start a valid sequence: stray
 * continuation bytes, overlong forms, surrogates, values above U+10FFFF and
 * sequences cut short by the end of the buffer are all rejected, so that
 * the caller can skip exactly one byte and resynchronise.
 */
static int cjk_utf8_decode(const unsigned char *s, int n, uint32_t *cp)
{
    uint32_t value;
    uint32_t min;
    int len;
    int k;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xC2) {
        return 0; /* continuation byte, or lead of an overlong 2-byte form */
    } else if (s[0] < 0xE0) {
        len = 2;
        value = s[0] & 0x1Fu;
        min = 0x80;
    } else if (s[0] < 0xF0) {
        len = 3;
        value = s[0] & 0x0Fu;
        min = 0x800;
    } else if (s[0] < 0xF5) {
        len = 4;
        value = s[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (s[k] & 0x3Fu);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return len;
}

static int cjk_is_ideo(uint32_t cp)
{
    size_t lo = 0;
    size_t hi = sizeof(cjk_ideo_ranges) / sizeof(cjk_ideo_ranges[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < cjk_ideo_ranges[mid][0])
            hi = mid;
        else if (cp > cjk_ideo_ranges[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Classify cp; for ALNUM, *folded receives the lowercase ASCII byte. */
static enum cjk_class cjk_classify(uint32_t cp, char *folded)
{
    /* Fullwidth digits and letters map onto ASCII by a fixed offset. */
    if (cp >= 0xFF10 && cp <= 0xFF19)
        cp = cp - 0xFF10 + '0';
    else if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))
        cp = cp - 0xFF21 + 'A';

    if (cp >= 'A' && cp <= 'Z') {
        *folded = (char)(cp - 'A' + 'a');
        return CJK_CLASS_ALNUM;
    }
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
        *folded = (char)cp;
        return CJK_CLASS_ALNUM;
    }
    if (cp >= 0x1100 && cjk_is_ideo(cp))
        return CJK_CLASS_IDEO;
    return CJK_CLASS_SEP;
}

/* ------------------------------------------------------------------------
 * Tokenizer
 * ------------------------------------------------------------------------ */

static int cjk_emit_word(struct cjk_emitter *e)
{
    int rc;

    if (e->word_len == 0)
        return SQLITE_OK;
    /* The offsets cover the whole word even when the token was truncated,
     * so highlight() brackets what the reader sees. */
    rc = e->x_token(e->ctx, 0, e->word, e->word_len, e->word_start, e->word_end);
    e->word_len = 0;
    return rc;
}

/* End the current IDEO run: emit whatever its last character still owes. */
static int cjk_emit_run_end(struct cjk_emitter *e)
{
    int rc = SQLITE_OK;
    int n = e->prev_end - e->prev_start;

    if (e->run_len == 1)
        rc = e->x_token(e->ctx, 0, e->text + e->prev_start, n, e->prev_start, e->prev_end);
    else if (e->run_len > 1 && e->document)
        rc = e->x_token(e->ctx, FTS5_TOKEN_COLOCATED, e->text + e->prev_start, n, e->prev_start,
                        e->prev_end);
    e->run_len = 0;
    return rc;
}

/* Add the IDEO character at text[start..end) to the current run. */
static int cjk_emit_ideo(struct cjk_emitter *e, int start, int end)
{
    int rc = SQLITE_OK;

    if (e->run_len > 0) {
        /* Consecutive characters are contiguous bytes, so the bigram is a
         * slice of the source and needs no copy. */
        rc =
            e->x_token(e->ctx, 0, e->text + e->prev_start, end - e->prev_start, e->prev_start, end);
        if (rc == SQLITE_OK && e->document)
            rc = e->x_token(e->ctx, FTS5_TOKEN_COLOCATED, e->text + e->prev_start,
                            e->prev_end - e->prev_start, e->prev_start, e->prev_end);
    }
    e->prev_start = start;
    e->prev_end = end;
    if (e->run_len < 2)
        e->run_len++;
    return rc;
}

static int cjk_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n_text,
                        int (*x_token)(void *, int, const char *, int, int, int))
{
    const unsigned char *s = (const unsigned char *)text;
    struct cjk_emitter e;
    int rc = SQLITE_OK;
    int i = 0;

    (void)tok;
    if (text == NULL || n_text <= 0)
        return SQLITE_OK;

    memset(&e, 0, sizeof(e));
    e.ctx = ctx;
    e.x_token = x_token;
    e.text = text;
    /* FTS5_TOKENIZE_AUX (highlight, snippet) must reproduce the document's
     * positions exactly, so only queries drop the colocated singles. */
    e.document = (flags & FTS5_TOKENIZE_QUERY) == 0;

    while (i < n_text && rc == SQLITE_OK) {
        uint32_t cp = 0;
        char folded = 0;
        int len = cjk_utf8_decode(s + i, n_text - i, &cp);
        enum cjk_class cls = CJK_CLASS_SEP;

        if (len == 0)
            len = 1; /* invalid byte: a separator, resynchronise after it */
        else
            cls = cjk_classify(cp, &folded);

        switch (cls) {
        case CJK_CLASS_ALNUM:
            rc = cjk_emit_run_end(&e);
            if (e.word_len == 0)
                e.word_start = i;
            if (e.word_len < SQ_CJK_WORD_MAX)
                e.word[e.word_len++] = folded;
            e.word_end = i + len;
            break;
        case CJK_CLASS_IDEO:
            rc = cjk_emit_word(&e);
            if (rc == SQLITE_OK)
                rc = cjk_emit_ideo(&e, i, i + len);
            break;
        case CJK_CLASS_SEP:
            rc = cjk_emit_word(&e);
            if (rc == SQLITE_OK)
                rc = cjk_emit_run_end(&e);
            break;
        }
        i += len;
    }
    /* At most one of the two is pending, so the order does not matter. */
    if (rc == SQLITE_OK)
        rc = cjk_emit_word(&e);
    if (rc == SQLITE_OK)
        rc = cjk_emit_run_end(&e);
    return rc;
}

/*
 * The tokenizer keeps no per-table state, but FTS5 treats a NULL handle as
 * "no tokenizer configured" and would silently fall back to unicode61, so
 * xCreate hands out a real (empty) allocation.
 */
struct cjk_tokenizer {
    int unused;
};

static int cjk_create(void *user_data, const char **args, int n_args, Fts5Tokenizer **out)
{
    struct cjk_tokenizer *t;

    (void)user_data;
    (void)args;
    *out = NULL;
    /* No options exist; refusing them makes a misspelt declaration fail at
     * CREATE VIRTUAL TABLE instead of indexing with unexpected rules. */
    if (n_args > 0)
        return SQLITE_ERROR;
    t = sqlite3_malloc(sizeof(*t));
    if (t == NULL)
        return SQLITE_NOMEM;
    t->unused = 0;
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void cjk_delete(Fts5Tokenizer *tok)
{
    sqlite3_free(tok);
}

fts5_api *sq_fts5_api(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    fts5_api *api = NULL;
    if (db == NULL || sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
        goto out; /* no fts5() function: SQLite built without FTS5 */
    if (sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        api = NULL;
    /* Version 2 of fts5_api is what this file was written against. */
    if (api && api->iVersion < 2)
        api = NULL;
out:
    sqlite3_finalize(stmt);
    return api;
}

int sq_cjk_tokenizer_register(sqlite3 *db)
{
    /* FTS5 copies this struct, so one static instance serves every db. */
    static fts5_tokenizer tokenizer = {cjk_create, cjk_delete, cjk_tokenize};
    if (db == NULL)
        return SQLITE_MISUSE;
    fts5_api *api = sq_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, SQ_CJK_TOKENIZER_NAME, NULL, &tokenizer, NULL);
}

/* ------------------------------------------------------------------------
 * Query builder
 * ------------------------------------------------------------------------ */

/* Unicode White_Space, plus the fullwidth CJK clause punctuation that
 * Chinese users type between search words the way others type spaces. */
static int cjk_is_term_break(uint32_t cp)
{
    switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0x3001: /* 、 */
    case 0x3002: /* 。 */
    case 0xFF01: /* ！ */
    case 0xFF0C: /* ， */
    case 0xFF1A: /* ： */
    case 0xFF1B: /* ； */
    case 0xFF1F: /* ？ */
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

char *sq_cjk_build_query(const char *user_text)
{
    const unsigned char *s = (const unsigned char *)user_text;
    char *out = NULL;
    size_t n;
    size_t o = 0;
    size_t i = 0;
    int terms = 0;
    int k;

    if (user_text == NULL)
        return NULL;
    n = strlen(user_text);
    if (n > SQ_CJK_QUERY_MAX_BYTES) {
        n = SQ_CJK_QUERY_MAX_BYTES;
        /* Do not split a character; a UTF-8 sequence has at most three
         * continuation bytes, and stopping there bounds invalid input. */
        for (k = 0; k < 3 && n > 0 && (s[n] & 0xC0) == 0x80; k++)
            n--;
    }
    if (n == 0)
        return NULL;
    /* Each input byte yields at most two output bytes ("" or itself), and
     * each term at most three more (a space and two quotes). */
    out = malloc(5 * n + 1);
    if (out == NULL)
        return NULL;

    while (i < n && terms < SQ_CJK_QUERY_MAX_TERMS) {
        size_t start;
        size_t j;
        int indexable = 0;
        uint32_t cp = 0;
        char folded;
        int len = cjk_utf8_decode(s + i, (int)(n - i), &cp);

        if (len > 0 && cjk_is_term_break(cp)) {
            i += (size_t)len;
            continue;
        }
        start = i;
        while (i < n) {
            len = cjk_utf8_decode(s + i, (int)(n - i), &cp);
            if (len == 0) {
                i++;
                continue;
            }
            if (cjk_is_term_break(cp))
                break;
            if (cjk_classify(cp, &folded) != CJK_CLASS_SEP)
                indexable = 1;
            i += (size_t)len;
        }
        /* A term of separators only would become an empty FTS5 phrase. */
        if (!indexable)
            continue;

        if (terms > 0)
            out[o++] = ' ';
        out[o++] = '"';
        for (j = start; j < i;) {
            len = cjk_utf8_decode(s + j, (int)(i - j), &cp);
            if (len == 0) {
                /* The tokenizer treats a bad byte as a separator; a space
                 * keeps that meaning and keeps the query valid UTF-8. */
                out[o++] = ' ';
                j++;
                continue;
            }
            if (s[j] == '"')
                out[o++] = '"';
            memcpy(out + o, s + j, (size_t)len);
            o += (size_t)len;
            j += (size_t)len;
        }
        out[o++] = '"';
        terms++;
    }

    if (terms == 0) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    return out;
}
