/*
 * kb rules: the answer state machine, the segment diff of versions, HTML
 * highlighting of search hits, the similarity query used by suggestions and
 * the hot-problem score. Pure functions: no SQL, no HTTP, no clock.
 */
#include "kb/kb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/perms.h"
#include "core/log.h"

#define SQ_TERM_CAP 72 /* one query term: a bigram or a Latin word (<= 64 bytes) */

const char *const kb_status_names[] = {"draft", "in_review", "published", "archived", NULL};
static const char *const action_names[] = {"submit",  "approve", "reject",
                                           "archive", "restore", NULL};

const char *kb_status_name(int s)
{
    return s >= 0 && s < KB_STATUS__MAX ? kb_status_names[s] : "?";
}

int kb_status_parse(const char *s)
{
    for (int i = 0; s && i < KB_STATUS__MAX; i++)
        if (!strcmp(kb_status_names[i], s))
            return i;
    return -1;
}

const char *kb_action_name(int a)
{
    return a >= 0 && a < KB_ACTION__MAX ? action_names[a] : "?";
}

int kb_action_parse(const char *s)
{
    for (int i = 0; s && i < KB_ACTION__MAX; i++)
        if (!strcmp(action_names[i], s))
            return i;
    return -1;
}

/* [action][from] -> to, -1 illegal */
static const signed char transitions[KB_ACTION__MAX][KB_STATUS__MAX] = {
    [KB_SUBMIT] = {KB_IN_REVIEW, -1, -1, -1},
    [KB_APPROVE] = {-1, KB_PUBLISHED, -1, -1},
    [KB_REJECT] = {-1, KB_DRAFT, -1, -1},
    [KB_ARCHIVE] = {KB_ARCHIVED, KB_ARCHIVED, KB_ARCHIVED, -1},
    [KB_RESTORE] = {-1, -1, -1, KB_DRAFT},
};

int kb_next_status(int action, int from)
{
    if (action < 0 || action >= KB_ACTION__MAX || from < 0 || from >= KB_STATUS__MAX)
        return -1;
    return transitions[action][from];
}

bool kb_action_is_review(int action)
{
    return action != KB_SUBMIT;
}

json_t *kb_allowed_json(int status)
{
    json_t *a = json_array();
    for (int i = 0; i < KB_ACTION__MAX; i++)
        if (kb_next_status(i, status) >= 0)
            json_array_append_new(a, json_string(action_names[i]));
    return a;
}

bool kb_status_editable(int s)
{
    return s == KB_DRAFT || s == KB_IN_REVIEW || s == KB_PUBLISHED;
}

/* ---- who may do what ---- */

const struct sq_perm *kb_edit_perm(int status)
{
    return status == KB_DRAFT || status == KB_IN_REVIEW ? SQ_PERM_KB_WRITE : SQ_PERM_KB_PUBLISH;
}

bool kb_may_edit(const struct sq_user *u, const struct kb_answer *a)
{
    return u && sq_may(u, SQ_PERM_KB_WRITE, a->unit_path) &&
           sq_may(u, kb_edit_perm(a->status), a->unit_path);
}

enum kb_refusal kb_check_action(const struct sq_user *u, const struct kb_answer *a, int action)
{
    const struct sq_perm *need =
        kb_action_is_review(action) ? SQ_PERM_KB_PUBLISH : SQ_PERM_KB_WRITE;
    if (!u || !sq_may(u, need, a->unit_path))
        return KB_NO_RIGHT;
    if (kb_next_status(action, a->status) < 0)
        return KB_ILLEGAL;
    if (action == KB_APPROVE && a->author_id == u->id && !sq_may_all(u, SQ_PERM_KB_PUBLISH))
        return KB_OWN_APPROVAL;
    return KB_MAY;
}

json_t *kb_allowed_for(const struct sq_user *u, const struct kb_answer *a)
{
    json_t *out = json_array();
    for (int i = 0; i < KB_ACTION__MAX; i++)
        if (kb_check_action(u, a, i) == KB_MAY)
            json_array_append_new(out, json_string(action_names[i]));
    return out;
}

bool kb_may_manage(const struct sq_user *u, const char *owner_path)
{
    return u && owner_path && sq_may(u, SQ_PERM_KB_PUBLISH, owner_path);
}

/* ---- growing buffer ---- */

void kb_buf_add(struct kb_buf *b, const char *s, size_t n)
{
    sq_grow(&b->p, &b->cap, b->len + n + 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void kb_buf_adds(struct kb_buf *b, const char *s)
{
    kb_buf_add(b, s, strlen(s));
}

void kb_buf_addf(struct kb_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        kb_buf_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        sq_fatal("out of memory");
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    kb_buf_add(b, big, (size_t)n);
    free(big);
}

void kb_buf_esc(struct kb_buf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&':
            kb_buf_adds(b, "&amp;");
            break;
        case '<':
            kb_buf_adds(b, "&lt;");
            break;
        case '>':
            kb_buf_adds(b, "&gt;");
            break;
        case '"':
            kb_buf_adds(b, "&quot;");
            break;
        case '\'':
            kb_buf_adds(b, "&#39;");
            break;
        default:
            kb_buf_add(b, p, 1);
        }
    }
}

void kb_buf_free(struct kb_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- diff ---- */

struct seg {
    const char *p;
    size_t n;
};

/* Splits text after sentence ends (。！？；!?;) and newlines. */
static int split_segments(const char *t, struct seg **out)
{
    int n = 0, cap = 16;
    struct seg *v = malloc(sizeof *v * (size_t)cap);
    const char *start = t;
    if (!v)
        sq_fatal("out of memory");
    for (const char *p = t; *p;) {
        size_t step = 1;
        bool end = false;
        if (*p == '\n' || *p == '!' || *p == '?' || *p == ';')
            end = true;
        else if (!strncmp(p, "。", 3) || !strncmp(p, "！", 3) || !strncmp(p, "？", 3) ||
                 !strncmp(p, "；", 3))
            end = true, step = 3;
        p += step;
        if (end || !*p) {
            if (n == cap) {
                cap *= 2;
                v = realloc(v, sizeof *v * (size_t)cap);
                if (!v)
                    sq_fatal("out of memory");
            }
            v[n].p = start;
            v[n].n = (size_t)(p - start);
            n++;
            start = p;
        }
    }
    *out = v;
    return n;
}

static bool seg_eq(const struct seg *a, const struct seg *b)
{
    return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

static void diff_push(json_t *arr, const char *op, const struct seg *s)
{
    size_t n = json_array_size(arr);
    json_t *last = n ? json_array_get(arr, n - 1) : NULL;
    if (last && !strcmp(json_string_value(json_object_get(last, "op")), op)) {
        const char *old = json_string_value(json_object_get(last, "text"));
        size_t ol = strlen(old);
        char *cat = malloc(ol + s->n + 1);
        if (!cat)
            sq_fatal("out of memory");
        memcpy(cat, old, ol);
        memcpy(cat + ol, s->p, s->n);
        cat[ol + s->n] = 0;
        json_object_set_new(last, "text", json_string(cat));
        free(cat);
        return;
    }
    json_array_append_new(arr, json_pack("{s:s,s:s%}", "op", op, "text", s->p, s->n));
}

json_t *kb_diff_text(const char *a, const char *b)
{
    struct seg *sa = NULL, *sb = NULL;
    int na = split_segments(a ? a : "", &sa), nb = split_segments(b ? b : "", &sb);
    json_t *out = json_array();
    /* LCS table over segments; texts are bounded (validation caps them), but
     * guard the quadratic table anyway: beyond it, the diff is replace-all. */
    if ((long)na * nb > 4000000L) {
        for (int i = 0; i < na; i++)
            diff_push(out, "del", &sa[i]);
        for (int j = 0; j < nb; j++)
            diff_push(out, "ins", &sb[j]);
        goto done;
    }
    int *L = calloc((size_t)(na + 1) * (size_t)(nb + 1), sizeof *L);
    if (!L)
        sq_fatal("out of memory");
#define AT(i, j) L[(size_t)(i) * (size_t)(nb + 1) + (size_t)(j)]
    for (int i = na - 1; i >= 0; i--)
        for (int j = nb - 1; j >= 0; j--)
            AT(i, j) = seg_eq(&sa[i], &sb[j])         ? AT(i + 1, j + 1) + 1
                       : AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j)
                                                      : AT(i, j + 1);
    int i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && seg_eq(&sa[i], &sb[j])) {
            diff_push(out, "eq", &sa[i]);
            i++, j++;
        } else if (j < nb && (i == na || AT(i, j + 1) >= AT(i + 1, j))) {
            diff_push(out, "ins", &sb[j++]);
        } else {
            diff_push(out, "del", &sa[i++]);
        }
    }
#undef AT
    free(L);
done:
    free(sa);
    free(sb);
    return out;
}

/* ---- similarity query ---- */

/* Decodes one UTF-8 character; returns its length (1 for a bad byte, with
 * *cp = 0xFFFD). */
static int utf8_next(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n) {
        *cp = 0xFFFD;
        return 1;
    }
    unsigned v = s[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return n;
}

static bool is_han(unsigned c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x323AF) || c == 0x3007;
}

static bool is_word(unsigned c)
{
    return (c < 0x80 && ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')));
}

/* Bigrams that occur in most appeals and say nothing about the problem. */
static const char *const filler[] = {
    "问题", "希望", "反映", "解决", "居民", "我们", "一下", "没有", "这个", "什么", "怎么", "能否",
    "请求", "相关", "部门", "情况", "已经", "现在", "目前", "处理", "尽快", "要求", "影响", "严重",
    "经常", "一直", "帮助", "协调", "你们", "他们", "可以", "不能", "是否", "有关", "请问", "麻烦",
    "谢谢", "市民", "业主", "附近", "本人", "诉求", "了一", "的问", NULL,
};

static bool is_filler(const char *t)
{
    for (int i = 0; filler[i]; i++)
        if (!strcmp(filler[i], t))
            return true;
    return false;
}

static void add_term(struct kb_buf *b, char terms[][SQ_TERM_CAP], int *n, int max, const char *t)
{
    if (*n >= max || is_filler(t))
        return;
    for (int i = 0; i < *n; i++)
        if (!strcmp(terms[i], t))
            return;
    snprintf(terms[*n], SQ_TERM_CAP, "%s", t);
    (*n)++;
    if (b->len)
        kb_buf_adds(b, " OR ");
    kb_buf_adds(b, "\"");
    kb_buf_adds(b, t); /* no quote can occur: only Han chars or [a-z0-9] */
    kb_buf_adds(b, "\"");
}

char *kb_similar_query(const char *text, int max_terms)
{
    if (!text)
        return NULL;
    struct kb_buf b = {0};
    char(*terms)[SQ_TERM_CAP] = calloc((size_t)max_terms + 1, SQ_TERM_CAP);
    if (!terms)
        sq_fatal("out of memory");
    int n = 0;
    const unsigned char *p = (const unsigned char *)text;
    size_t budget = 2000; /* bytes of input considered */
    char prev[5] = "";    /* previous Han char (UTF-8) when the run continues */
    int run = 0;
    char word[65];
    int wl = 0;
    while (*p && budget > 0 && n < max_terms) {
        unsigned cp;
        int l = utf8_next(p, &cp);
        if (is_han(cp)) {
            if (wl) {
                word[wl] = 0;
                add_term(&b, terms, &n, max_terms, word);
                wl = 0;
            }
            char cur[5];
            memcpy(cur, p, (size_t)l);
            cur[l] = 0;
            if (run) {
                char bg[9];
                snprintf(bg, sizeof bg, "%s%s", prev, cur);
                add_term(&b, terms, &n, max_terms, bg);
            }
            memcpy(prev, cur, (size_t)l + 1);
            run++;
        } else {
            if (run == 1) /* a Han character standing alone */
                add_term(&b, terms, &n, max_terms, prev);
            run = 0;
            if (is_word(cp)) {
                if (wl < 64)
                    word[wl++] = (char)(cp | (cp >= 'A' && cp <= 'Z' ? 0x20 : 0));
            } else if (wl) {
                word[wl] = 0;
                add_term(&b, terms, &n, max_terms, word);
                wl = 0;
            }
        }
        p += l;
        budget = budget > (size_t)l ? budget - (size_t)l : 0;
    }
    if (run == 1)
        add_term(&b, terms, &n, max_terms, prev);
    if (wl) {
        word[wl] = 0;
        add_term(&b, terms, &n, max_terms, word);
    }
    free(terms);
    return b.p; /* NULL when no term was added */
}

/* ---- hot problems ---- */

double kb_growth(int64_t cur, int64_t prev)
{
    return (double)(cur - prev) / (double)(prev > 0 ? prev : 1);
}

double kb_hot_score(int64_t cur, int64_t prev)
{
    double g = kb_growth(cur, prev);
    if (g < 0)
        g = 0;
    if (g > 3)
        g = 3; /* a cluster going 1 -> 10 should not beat a steady 200 */
    return (double)cur * (1.0 + g / 2.0);
}

/* ---- highlighting ---- */

int kb_match_terms(const char *match, char ***out)
{
    int n = 0, cap = 8;
    char **v = malloc(sizeof *v * (size_t)cap);
    if (!v)
        sq_fatal("out of memory");
    for (const char *p = match ? match : ""; *p; p++) {
        if (*p != '"')
            continue;
        struct kb_buf b = {0};
        for (p++; *p; p++) {
            if (*p == '"' && p[1] == '"') {
                kb_buf_add(&b, "\"", 1);
                p++;
            } else if (*p == '"') {
                break;
            } else {
                kb_buf_add(&b, p, 1);
            }
        }
        if (!b.p)
            continue;
        if (n == cap && !(v = realloc(v, sizeof *v * (size_t)(cap *= 2))))
            sq_fatal("out of memory");
        v[n++] = b.p;
        if (!*p)
            break;
    }
    *out = v;
    return n;
}

void kb_terms_free(char **terms, int n)
{
    for (int i = 0; i < n; i++)
        free(terms[i]);
    free(terms);
}

static bool ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x |= 0x20;
        if (y >= 'A' && y <= 'Z')
            y |= 0x20;
        if (x != y)
            return false;
    }
    return true;
}

/* Moves back from p to the start of its UTF-8 character. */
static size_t char_start(const char *s, size_t p)
{
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    return p;
}

char *kb_snippet_html(const char *text, char *const *terms, int nterms, int max_chars)
{
    const char *t = text ? text : "";
    size_t len = strlen(t);
    unsigned char *cov = calloc(len + 1, 1);
    if (!cov)
        sq_fatal("out of memory");
    size_t first = len;
    /* cover every occurrence of every term; overlapping hits merge */
    for (int k = 0; k < nterms; k++) {
        size_t tl = strlen(terms[k]);
        if (!tl || tl > len)
            continue;
        for (size_t i = 0; i + tl <= len; i++) {
            if (((unsigned char)t[i] & 0xC0) == 0x80 || !ascii_ieq(t + i, terms[k], tl))
                continue;
            memset(cov + i, 1, tl);
            if (i < first)
                first = i;
        }
    }
    /* the window: from a little before the first hit, max_chars characters */
    size_t start = 0;
    if (max_chars > 0 && first < len) {
        int back = max_chars / 4;
        start = first;
        while (start > 0 && back > 0) {
            start = char_start(t, start - 1);
            back--;
        }
    }
    struct kb_buf b = {0};
    kb_buf_add(&b, "", 0);
    if (start > 0)
        kb_buf_adds(&b, "…");
    bool open = false;
    int chars = 0;
    size_t i = start;
    for (; i < len && (max_chars <= 0 || chars < max_chars); chars++) {
        size_t n = 1;
        while (i + n < len && ((unsigned char)t[i + n] & 0xC0) == 0x80)
            n++;
        if (cov[i] && !open)
            kb_buf_adds(&b, "<mark>"), open = true;
        else if (!cov[i] && open)
            kb_buf_adds(&b, "</mark>"), open = false;
        char one[8];
        memcpy(one, t + i, n < 7 ? n : 7);
        one[n < 7 ? n : 7] = 0;
        if (n == 1 && (unsigned char)one[0] < 0x20 && one[0] != '\n' && one[0] != '\t')
            one[0] = ' '; /* stray control characters never reach the page */
        kb_buf_esc(&b, one);
        i += n;
    }
    if (open)
        kb_buf_adds(&b, "</mark>");
    if (i < len)
        kb_buf_adds(&b, "…");
    free(cov);
    return b.p;
}

/* ---- who may read what in search (struct kb_scope, kb/search_engine.h) ---- */

void kb_scope_init(struct kb_scope *s, const struct sq_user *u)
{
    memset(s, 0, sizeof *s);
    if (!u)
        return;
    s->user_id = u->id;
    for (int i = 0; i < u->ngrants; i++) {
        const struct sq_grant *g = &u->grants[i];
        /* a public role's appeal-read right covers its own appeals only */
        if (g->role == SQ_ROLE_PUBLIC || !sq_role_has(g->role, SQ_PERM_APPEAL_READ))
            continue;
        int slashes = 0;
        for (const char *p = g->unit_path; *p; p++)
            slashes += *p == '/';
        if (slashes <= 2)
            s->all_appeals = true;
        if (s->npaths < SQ_MAX_GRANTS)
            s->paths[s->npaths++] = g->unit_path;
    }
}

bool kb_scope_may_read(const struct kb_scope *sc, const char *handler_path, int64_t creator,
                       int64_t collector)
{
    if (sc->all_appeals)
        return true;
    if (sc->user_id && (creator == sc->user_id || collector == sc->user_id))
        return true;
    for (int i = 0; i < sc->npaths; i++)
        if (!strncmp(handler_path, sc->paths[i], strlen(sc->paths[i])))
            return true;
    return false;
}
