/*
 * auth: the role x permission matrix and role ranks, the subtree rule,
 * libsodium-backed passwords and tokens, the password policy (libpwquality),
 * masking and the login rate limiter.
 */
#include "core/auth.h"

#include <pthread.h>
#include <pwquality.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

static const char *role_names[SQ_ROLE__MAX] = {
    "public", "collector", "handler", "unit_admin", "district_admin", "auditor",
};

static const char *perm_names[SQ_PERM__MAX] = {
    "public", "signed_in", "unit.read", "unit.write", "user.read", "user.write", "grant",
    "personal.read", "audit.read", "appeal.create", "appeal.collect", "appeal.read",
    "appeal.handle", "appeal.supervise", "stats.read", "kb.write", "kb.publish", "admin",
};

#define P(x) (1u << (x))
/* The matrix: which permissions each role carries (within its unit subtree). */
static const unsigned role_perms[SQ_ROLE__MAX] = {
    /* a person reads their own appeals only: that is decided per record, not
     * by a subtree grant, so public holds no APPEAL_READ */
    [SQ_ROLE_PUBLIC] = P(SQ_PERM_APPEAL_CREATE),
    [SQ_ROLE_COLLECTOR] = P(SQ_PERM_UNIT_READ) | P(SQ_PERM_APPEAL_CREATE) |
                          P(SQ_PERM_APPEAL_COLLECT) | P(SQ_PERM_APPEAL_READ),
    [SQ_ROLE_HANDLER] = P(SQ_PERM_UNIT_READ) | P(SQ_PERM_USER_READ) |
                        P(SQ_PERM_APPEAL_CREATE) | P(SQ_PERM_APPEAL_COLLECT) |
                        P(SQ_PERM_APPEAL_READ) | P(SQ_PERM_APPEAL_HANDLE) |
                        P(SQ_PERM_PERSONAL_READ) | P(SQ_PERM_STATS_READ) | P(SQ_PERM_KB_WRITE),
    [SQ_ROLE_UNIT_ADMIN] = P(SQ_PERM_UNIT_READ) | P(SQ_PERM_UNIT_WRITE) | P(SQ_PERM_USER_READ) |
                           P(SQ_PERM_USER_WRITE) | P(SQ_PERM_GRANT) | P(SQ_PERM_PERSONAL_READ) |
                           P(SQ_PERM_APPEAL_CREATE) | P(SQ_PERM_APPEAL_COLLECT) |
                           P(SQ_PERM_APPEAL_READ) | P(SQ_PERM_APPEAL_HANDLE) |
                           P(SQ_PERM_APPEAL_SUPERVISE) | P(SQ_PERM_STATS_READ) |
                           P(SQ_PERM_KB_WRITE) | P(SQ_PERM_KB_PUBLISH),
    [SQ_ROLE_DISTRICT_ADMIN] = 0xffffffffu & ~(P(SQ_PERM_PUBLIC) | P(SQ_PERM_SIGNED_IN)),
    [SQ_ROLE_AUDITOR] = P(SQ_PERM_UNIT_READ) | P(SQ_PERM_USER_READ) | P(SQ_PERM_PERSONAL_READ) |
                        P(SQ_PERM_AUDIT_READ) | P(SQ_PERM_APPEAL_READ) | P(SQ_PERM_STATS_READ),
};

const char *sq_role_name(enum sq_role r)
{
    return (r >= 0 && r < SQ_ROLE__MAX) ? role_names[r] : "?";
}

int sq_role_parse(const char *name)
{
    for (int i = 0; name && i < SQ_ROLE__MAX; i++)
        if (!strcmp(role_names[i], name))
            return i;
    return -1;
}

const char *sq_perm_name(enum sq_perm p)
{
    return (p >= 0 && p < SQ_PERM__MAX) ? perm_names[p] : "?";
}

bool sq_role_has(enum sq_role r, enum sq_perm p)
{
    if (r < 0 || r >= SQ_ROLE__MAX || p < 0 || p >= SQ_PERM__MAX)
        return false;
    return (role_perms[r] & P(p)) != 0;
}

int sq_role_rank(enum sq_role r)
{
    static const int rank[SQ_ROLE__MAX] = {
        [SQ_ROLE_PUBLIC] = 0,         [SQ_ROLE_COLLECTOR] = 1,      [SQ_ROLE_HANDLER] = 2,
        [SQ_ROLE_UNIT_ADMIN] = 3,     [SQ_ROLE_DISTRICT_ADMIN] = 4, [SQ_ROLE_AUDITOR] = 4,
    };
    return (r >= 0 && r < SQ_ROLE__MAX) ? rank[r] : -1;
}

bool sq_user_has(const struct sq_user *u, enum sq_perm p)
{
    if (p == SQ_PERM_PUBLIC)
        return true;
    if (!u)
        return false;
    if (p == SQ_PERM_SIGNED_IN)
        return true;
    for (int i = 0; i < u->ngrants; i++)
        if (sq_role_has(u->grants[i].role, p))
            return true;
    return false;
}

bool sq_user_has_role(const struct sq_user *u, enum sq_role r)
{
    for (int i = 0; u && i < u->ngrants; i++)
        if (u->grants[i].role == r)
            return true;
    return false;
}

bool sq_may(const struct sq_user *u, enum sq_perm p, const char *unit_path)
{
    if (!u || !unit_path || !*unit_path)
        return false;
    for (int i = 0; i < u->ngrants; i++) {
        const struct sq_grant *g = &u->grants[i];
        if (!sq_role_has(g->role, p))
            continue;
        size_t n = strlen(g->unit_path);
        if (n && !strncmp(g->unit_path, unit_path, n))
            return true;
    }
    return false;
}

bool sq_may_all(const struct sq_user *u, enum sq_perm p)
{
    for (int i = 0; u && i < u->ngrants; i++) {
        const struct sq_grant *g = &u->grants[i];
        /* the district root is the only unit at depth one: "/ID/" */
        const char *second = strchr(g->unit_path + 1, '/');
        if (sq_role_has(g->role, p) && g->unit_path[0] == '/' && second && second[1] == '\0')
            return true;
    }
    return false;
}

int sq_auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

int sq_password_hash(const char *password, char *out)
{
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

bool sq_password_verify(const char *hash, const char *password)
{
    if (!hash || !*hash || !password)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- password policy -------------------------------------------------------- */

/* libpwquality (with cracklib's dictionary) is not documented as thread-safe:
 * one settings object, used under a lock. Checks are rare (sign-up, resets). */
static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER;
static pwquality_settings_t *pwq;

static pwquality_settings_t *pwq_settings(void)
{
    if (pwq)
        return pwq;
    if (!(pwq = pwquality_default_settings()))
        return NULL;
    /* our own choices, not /etc/security/pwquality.conf: the policy must be
     * the same on every machine (and in the tests) */
    pwquality_set_int_value(pwq, PWQ_SETTING_MAX_REPEAT, 4);   /* aaaaa */
    pwquality_set_int_value(pwq, PWQ_SETTING_MAX_SEQUENCE, 4); /* 12345, abcde */
    pwquality_set_int_value(pwq, PWQ_SETTING_DICT_CHECK, 1);
    pwquality_set_int_value(pwq, PWQ_SETTING_USER_CHECK, 1);
    pwquality_set_int_value(pwq, PWQ_SETTING_MIN_LENGTH, SQ_PASSWORD_MIN_LENGTH);
    /* a dictionary that cannot be loaded fails every password: keep the other
     * checks and say so once (Debian: cracklib-runtime) */
    void *aux = NULL;
    char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
    int rc = pwquality_check(pwq, "Vt7-kq2Ls9-Wx4pZ", NULL, NULL, &aux);
    if (rc == PWQ_ERROR_CRACKLIB_CHECK) {
        sq_warn("event=password_dictionary_unusable detail=\"%s\" (install cracklib-runtime)",
                pwquality_strerror(buf, sizeof buf, rc, aux));
        pwquality_set_int_value(pwq, PWQ_SETTING_DICT_CHECK, 0);
    } else if (aux) {
        pwquality_strerror(buf, sizeof buf, rc, aux); /* releases aux when it was allocated */
    }
    return pwq;
}

/* Our short texts for libpwquality's reasons: zh-CN, then English. */
static const char *pwq_reason(int code)
{
    switch (code) {
    case PWQ_ERROR_EMPTY_PASSWORD:
        return "密码不能为空 / the password is empty";
    case PWQ_ERROR_USER_CHECK:
    case PWQ_ERROR_GECOS_CHECK:
        return "密码不能是登录名或包含登录名 / the password must not be or contain the login";
    case PWQ_ERROR_CRACKLIB_CHECK:
        return "密码过于简单：是常见词或简单规律 / the password is too simple: a dictionary word "
               "or an easy pattern";
    case PWQ_ERROR_PALINDROME:
        return "密码不能是回文 / the password is a palindrome";
    case PWQ_ERROR_MAX_CONSECUTIVE:
        return "密码中同一字符连续重复太多次 / the same character repeats too often in a row";
    case PWQ_ERROR_MAX_CLASS_REPEAT:
        return "密码中同类字符连续太多 / too many characters of one kind in a row";
    case PWQ_ERROR_MAX_SEQUENCE:
        return "密码含有过长的连续序列（如 12345、abcde） / the password contains a long "
               "sequence such as 12345 or abcde";
    case PWQ_ERROR_MIN_DIGITS:
    case PWQ_ERROR_MIN_UPPERS:
    case PWQ_ERROR_MIN_LOWERS:
    case PWQ_ERROR_MIN_OTHERS:
    case PWQ_ERROR_MIN_CLASSES:
        return "密码需要包含更多种类的字符 / the password needs more kinds of characters";
    case PWQ_ERROR_BAD_WORDS:
        return "密码含有不允许的词 / the password contains a forbidden word";
    case PWQ_ERROR_TOO_SIMILAR:
    case PWQ_ERROR_SAME_PASSWORD:
    case PWQ_ERROR_CASE_CHANGES_ONLY:
    case PWQ_ERROR_ROTATED:
        return "新密码与旧密码太相似 / the new password is too similar to the old one";
    default:
        return "密码不符合安全要求 / the password does not meet the password policy";
    }
}

enum sq_err sq_password_check(const char *password, const char *login, int min_length,
                              struct sq_detail *d)
{
    if (min_length <= 0)
        min_length = SQ_PASSWORD_MIN_LENGTH;
    if (!password || !*password)
        return sq_fail(d, SQ_EINVAL, "password", "%s", pwq_reason(PWQ_ERROR_EMPTY_PASSWORD));
    pthread_mutex_lock(&pwq_lock);
    pwquality_settings_t *s = pwq_settings();
    int rc = PWQ_ERROR_MEM_ALLOC;
    void *aux = NULL;
    char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
    if (s) {
        pwquality_set_int_value(s, PWQ_SETTING_MIN_LENGTH, min_length);
        rc = pwquality_check(s, password, NULL, login && *login ? login : NULL, &aux);
        if (aux)
            pwquality_strerror(buf, sizeof buf, rc, aux); /* releases aux if allocated */
    }
    pthread_mutex_unlock(&pwq_lock);
    if (rc == PWQ_ERROR_MEM_ALLOC)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory checking a password");
    if (rc == PWQ_ERROR_MIN_LENGTH)
        return sq_fail(d, SQ_EINVAL, "password",
                       "密码太短，至少 %d 个字符 / password too short: at least %d characters",
                       min_length, min_length);
    if (rc < 0)
        return sq_fail(d, SQ_EINVAL, "password", "%s", pwq_reason(rc));
    /* pwquality lets a long run of blanks through */
    if (strspn(password, " \t\r\n") == strlen(password))
        return sq_fail(d, SQ_EINVAL, "password",
                       "密码不能只由空白字符组成 / the password must not be only blanks");
    return SQ_OK;
}

void sq_token_new(char *out)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void sq_token_hash(const char *token, char *out)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

bool sq_str_equal_ct(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    return sodium_memcmp(a, b, n) == 0;
}

static void mask(const char *in, char *out, size_t cap, size_t keep_head, size_t keep_tail)
{
    size_t n = in ? strlen(in) : 0;
    if (!cap)
        return;
    if (n == 0) {
        out[0] = '\0';
        return;
    }
    if (n <= keep_head + keep_tail) { /* too short to show any of it */
        size_t m = n < cap - 1 ? n : cap - 1;
        memset(out, '*', m);
        out[m] = '\0';
        return;
    }
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < cap; i++)
        out[j++] = (i < keep_head || i >= n - keep_tail) ? in[i] : '*';
    out[j] = '\0';
}

void sq_mask_phone(const char *in, char *out, size_t cap)
{
    mask(in, out, cap, 3, 4);
}

void sq_mask_id(const char *in, char *out, size_t cap)
{
    mask(in, out, cap, 4, 4);
}

/* ---- rate limiting --------------------------------------------------------- */

#define RL_SLOTS 4096
#define RL_WINDOW 900 /* seconds */
#define RL_MAX_FAILS 10

struct rl_slot {
    char key[96];
    int64_t window_start;
    int fails;
};

static struct rl_slot rl_table[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static struct rl_slot *rl_find(const char *key, bool create, int64_t now)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (int i = 0; i < 8; i++) { /* small probe; evict expired or oldest */
        struct rl_slot *s = &rl_table[(h + (uint32_t)i) % RL_SLOTS];
        if (!strncmp(s->key, key, sizeof s->key - 1))
            return s;
        if (create && (!s->key[0] || now - s->window_start > RL_WINDOW)) {
            snprintf(s->key, sizeof s->key, "%s", key);
            s->window_start = now;
            s->fails = 0;
            return s;
        }
    }
    if (!create)
        return NULL;
    struct rl_slot *s = &rl_table[h % RL_SLOTS];
    snprintf(s->key, sizeof s->key, "%s", key);
    s->window_start = now;
    s->fails = 0;
    return s;
}

bool sq_ratelimit_blocked(const char *key, int64_t now, int *retry_after)
{
    bool blocked = false;
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *s = rl_find(key, false, now);
    if (s && now - s->window_start <= RL_WINDOW && s->fails >= RL_MAX_FAILS) {
        blocked = true;
        if (retry_after)
            *retry_after = (int)(RL_WINDOW - (now - s->window_start)) + 1;
    }
    pthread_mutex_unlock(&rl_lock);
    return blocked;
}

void sq_ratelimit_fail(const char *key, int64_t now)
{
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *s = rl_find(key, true, now);
    if (now - s->window_start > RL_WINDOW) {
        s->window_start = now;
        s->fails = 0;
    }
    s->fails++;
    pthread_mutex_unlock(&rl_lock);
}

void sq_ratelimit_clear(const char *key)
{
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *s = rl_find(key, false, 0);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&rl_lock);
}

/* ---- authenticated-caller cache ------------------------------------------ */

#define AC_SLOTS 256
#define AC_TTL_MS 5000

struct ac_slot {
    char hash[65];
    int64_t expires_at; /* the session's, clock seconds */
    int64_t cached_ms;  /* monotonic, for the TTL */
    unsigned gen;
    struct sq_user user;
};

static struct ac_slot *ac_table;
static unsigned ac_gen = 1;
static pthread_mutex_t ac_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned ac_index(const char *hash)
{
    unsigned h = 0;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return h % AC_SLOTS;
}

/* Copies the used grants only: the struct is 5 KiB, a caller holds one or two. */
static void user_copy(struct sq_user *dst, const struct sq_user *src)
{
    int n = src->ngrants >= 0 && src->ngrants <= SQ_MAX_GRANTS ? src->ngrants : 0;
    memcpy(dst, src, offsetof(struct sq_user, grants) + (size_t)n * sizeof src->grants[0]);
    dst->ngrants = n;
}

bool sq_auth_cache_get(const char *token_hash, int64_t now, struct sq_user *u, unsigned *gen)
{
    bool hit = false;
    pthread_mutex_lock(&ac_lock);
    *gen = ac_gen;
    if (ac_table) {
        struct ac_slot *s = &ac_table[ac_index(token_hash)];
        if (s->gen == ac_gen && !strcmp(s->hash, token_hash) && now < s->expires_at &&
            mono_ms() - s->cached_ms < AC_TTL_MS) {
            user_copy(u, &s->user);
            hit = true;
        }
    }
    pthread_mutex_unlock(&ac_lock);
    return hit;
}

void sq_auth_cache_put(const char *token_hash, int64_t expires_at, const struct sq_user *u,
                       unsigned gen)
{
    pthread_mutex_lock(&ac_lock);
    if (gen != ac_gen) {
        pthread_mutex_unlock(&ac_lock);
        return;
    }
    if (!ac_table)
        ac_table = calloc(AC_SLOTS, sizeof *ac_table);
    if (ac_table) {
        struct ac_slot *s = &ac_table[ac_index(token_hash)];
        snprintf(s->hash, sizeof s->hash, "%s", token_hash);
        s->expires_at = expires_at;
        s->cached_ms = mono_ms();
        s->gen = ac_gen;
        user_copy(&s->user, u);
    }
    pthread_mutex_unlock(&ac_lock);
}

void sq_auth_cache_bump(void)
{
    pthread_mutex_lock(&ac_lock);
    ac_gen++;
    pthread_mutex_unlock(&ac_lock);
}

void sq_auth_cache_free(void)
{
    pthread_mutex_lock(&ac_lock);
    free(ac_table);
    ac_table = NULL;
    pthread_mutex_unlock(&ac_lock);
}
