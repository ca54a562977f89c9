/*
 * auth: the core's permissions and the collection of every domain's, role
 * ranks, the subtree rule,
 * libsodium-backed passwords and tokens, the password policy (libpwquality),
 * masking, sign-in throttling and the per-address limits of anonymous writes.
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
#include "core/clock.h"
#include "core/db.h"

const char *const sq_role_names[SQ_ROLE__MAX + 1] = {
    "public", "collector", "handler", "unit_admin", "district_admin", "auditor",
};

/* The core's permissions; every other one is declared by its domain. */
const struct sq_perm core_perms[] = {
    [SQ_CORE_PERM_PUBLIC] = {.name = "public",
                             .zh = "任何人，无需登录",
                             .en = "anyone, no sign-in needed",
                             .route_only = true},
    [SQ_CORE_PERM_SIGNED_IN] = {.name = "signed_in",
                                .zh = "任何已登录的用户",
                                .en = "any signed-in caller",
                                .route_only = true},
    [SQ_CORE_PERM_ADMIN] = {.writes = true,
                            .name = "admin",
                            .zh = "区级设置：分类、分派规则、工作日历、Webhook、Open311 客户端",
                            .en = "district settings: categories, routing, calendar, webhooks, "
                                  "Open311 clients",
                            .roles = SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)},
    [SQ_CORE_PERM__MAX] = {0},
};

/* The collected permissions (sq_perm_tables walked once), so that lookups
 * by index and name need no walk. */
static const struct sq_perm **perms_all;
static int perms_n;
static pthread_once_t perms_once = PTHREAD_ONCE_INIT;

static void perms_collect(void)
{
    int n = 0;
    for (const struct sq_perm *const *t = sq_perm_tables; *t; t++)
        for (const struct sq_perm *p = *t; p->name; p++)
            n++;
    perms_all = calloc((size_t)n + 1, sizeof *perms_all);
    if (!perms_all)
        sq_fatal("out of memory");
    for (const struct sq_perm *const *t = sq_perm_tables; *t; t++)
        for (const struct sq_perm *p = *t; p->name; p++)
            perms_all[perms_n++] = p;
}

int sq_perm_count(void)
{
    pthread_once(&perms_once, perms_collect);
    return perms_n;
}

const struct sq_perm *sq_perm_at(int i)
{
    pthread_once(&perms_once, perms_collect);
    return i >= 0 && i < perms_n ? perms_all[i] : NULL;
}

const struct sq_perm *sq_perm_find(const char *name)
{
    pthread_once(&perms_once, perms_collect);
    for (int i = 0; name && i < perms_n; i++)
        if (!strcmp(perms_all[i]->name, name))
            return perms_all[i];
    return NULL;
}

enum sq_err sq_perms_check(struct sq_detail *d)
{
    unsigned every = SQ_ROLE_BIT(SQ_ROLE__MAX) - 1;
    for (int i = 0; i < sq_perm_count(); i++) {
        const struct sq_perm *p = perms_all[i];
        if (!p->zh || !p->en || !*p->zh || !*p->en)
            return sq_fail(d, SQ_EINVAL, p->name, "permission %s has no description", p->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(perms_all[j]->name, p->name))
                return sq_fail(d, SQ_EINVAL, p->name, "permission %s is declared twice", p->name);
        if (p->route_only
                ? p->roles != 0
                : (p->roles & ~every) || !(p->roles & SQ_ROLE_BIT(SQ_ROLE_DISTRICT_ADMIN)))
            return sq_fail(d, SQ_EINVAL, p->name,
                           "permission %s: route-level ones are held by no role, every other "
                           "by the district admin and only by known roles",
                           p->name);
    }
    return SQ_OK;
}

const char *sq_role_name(enum sq_role r)
{
    return (r >= 0 && r < SQ_ROLE__MAX) ? sq_role_names[r] : "?";
}

int sq_role_parse(const char *name)
{
    for (int i = 0; name && i < SQ_ROLE__MAX; i++)
        if (!strcmp(sq_role_names[i], name))
            return i;
    return -1;
}

const char *sq_perm_name(const struct sq_perm *p)
{
    return p && p->name ? p->name : "?";
}

bool sq_role_has(enum sq_role r, const struct sq_perm *p)
{
    if ((int)r < 0 || r >= SQ_ROLE__MAX || !p || p->route_only)
        return false;
    return (p->roles & SQ_ROLE_BIT(r)) != 0;
}

bool sq_perm_writes(const struct sq_perm *p)
{
    return p && p->writes;
}

int sq_role_rank(enum sq_role r)
{
    static const int rank[SQ_ROLE__MAX] = {
        [SQ_ROLE_PUBLIC] = 0,     [SQ_ROLE_COLLECTOR] = 1,      [SQ_ROLE_HANDLER] = 2,
        [SQ_ROLE_UNIT_ADMIN] = 3, [SQ_ROLE_DISTRICT_ADMIN] = 4, [SQ_ROLE_AUDITOR] = 4,
    };
    return (r >= 0 && r < SQ_ROLE__MAX) ? rank[r] : -1;
}

bool sq_user_has(const struct sq_user *u, const struct sq_perm *p)
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

bool sq_may(const struct sq_user *u, const struct sq_perm *p, const char *unit_path)
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

bool sq_may_all(const struct sq_user *u, const struct sq_perm *p)
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

int sq_scope_paths_except(const struct sq_user *u, const struct sq_perm *p, unsigned skip,
                          const char **out, int max)
{
    int n = 0;
    for (int i = 0; u && i < u->ngrants && n < max; i++) {
        const struct sq_grant *g = &u->grants[i];
        if (!(skip & SQ_ROLE_BIT(g->role)) && sq_role_has(g->role, p))
            out[n++] = g->unit_path;
    }
    return n;
}

int sq_scope_paths(const struct sq_user *u, const struct sq_perm *p, const char **out, int max)
{
    return sq_scope_paths_except(u, p, 0, out, max);
}

const struct sq_grant *sq_widest_grant(const struct sq_user *u, const struct sq_perm *p)
{
    const struct sq_grant *best = NULL;
    size_t best_len = 0;
    for (int i = 0; u && i < u->ngrants; i++) {
        const struct sq_grant *g = &u->grants[i];
        size_t len = strlen(g->unit_path);
        if (sq_role_has(g->role, p) && len && (!best || len < best_len)) {
            best = g;
            best_len = len;
        }
    }
    return best;
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

/* ---- sign-in throttling and per-address limits --------------------------- */

/* The rules, stated for people in docs/security.md "Sign-in throttling":
 * keep the two in step. Time comes from core/clock, so tests drive it. */
#define RL_SLOTS 8192
#define RL_PROBE 8
#define PAIR_FREE 5         /* failures of one login from one address before any delay */
#define PAIR_MAX_DELAY 900  /* then the wait doubles from 1 s up to 15 minutes */
#define PAIR_FORGET 86400   /* a pair's failures are forgotten a day after the last one */
#define ADDR_MAX_FAILS 50   /* failures from one address, any logins, ... */
#define ADDR_WINDOW 900     /* ... per 15 minutes; then that address waits the window out */
#define LOGIN_SOFT_FAILS 10 /* failures of one login, any addresses, per LOGIN_WINDOW ... */
#define LOGIN_WINDOW 900
#define LOGIN_DELAY 5 /* ... then an address that failed on it waits 5 s after the last */

/* One slot per key: "p:LOGIN\nADDR" (a login from an address), "a:ADDR",
 * "l:LOGIN", "b:NAME\nADDR" (a per-address bucket). */
struct rl_slot {
    char key[136];
    int64_t start;   /* counting window start (a:, l:) */
    int64_t last;    /* last failure (p:, l:) or last hit (b:) */
    int64_t expires; /* the slot is free from then on */
    double level;    /* b: hits still in the bucket */
    int count;       /* failures in the window (p: since the last success) */
};

static struct rl_slot rl_table[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

/* The live slot of key, or (create) a new one: a free or expired slot of
 * the probe, else the one that expires first. NULL when absent. */
static struct rl_slot *rl_get(const char *key, int64_t now, bool create)
{
    uint32_t h = 2166136261u;
    struct rl_slot *victim = NULL;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (uint32_t i = 0; i < RL_PROBE; i++) {
        struct rl_slot *s = &rl_table[(h + i) % RL_SLOTS];
        bool live = s->key[0] && now < s->expires;
        if (live && !strcmp(s->key, key))
            return s;
        if (!live) {
            if (!victim || victim->key[0])
                victim = s;
        } else if (!victim || (victim->key[0] && s->expires < victim->expires)) {
            victim = s;
        }
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    return victim;
}

static void rl_key(char *out, size_t cap, char kind, const char *a, const char *b)
{
    /* real logins are at most 32 bytes: a longer string is cut, which can
     * only merge two made-up logins, never split one */
    if (b)
        snprintf(out, cap, "%c:%.64s\n%.63s", kind, a, b);
    else
        snprintf(out, cap, "%c:%.64s", kind, a);
}

/* The wait after a pair's fails-th failure: none up to PAIR_FREE, then
 * 1 s, doubling with every further failure, at most PAIR_MAX_DELAY. */
static int64_t pair_delay(int fails)
{
    int64_t d = 1;
    if (fails < PAIR_FREE)
        return 0;
    for (int i = PAIR_FREE; i < fails && d < PAIR_MAX_DELAY; i++)
        d *= 2;
    return d < PAIR_MAX_DELAY ? d : PAIR_MAX_DELAY;
}

void sq_login_normalise(const char *in, char *out, size_t cap)
{
    size_t n;
    if (!cap)
        return;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    n = strlen(in);
    while (n && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
        n--;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
    out[n] = '\0';
}

bool sq_signin_attempt(const char *login, const char *ip, int *retry_after)
{
    char kp[136], ka[136], kl[136];
    int64_t now = sq_clock_now(), wait = 0;
    rl_key(kp, sizeof kp, 'p', login, ip);
    rl_key(ka, sizeof ka, 'a', ip, NULL);
    rl_key(kl, sizeof kl, 'l', login, NULL);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *p = rl_get(kp, now, false), *a = rl_get(ka, now, false),
                   *l = rl_get(kl, now, false);
    if (p && p->count >= PAIR_FREE && p->last + pair_delay(p->count) - now > wait)
        wait = p->last + pair_delay(p->count) - now;
    if (a && a->count >= ADDR_MAX_FAILS && a->start + ADDR_WINDOW - now > wait)
        wait = a->start + ADDR_WINDOW - now;
    /* only an address that has itself failed on this login: the right
     * password from anywhere else is never held up by others' failures */
    if (l && p && p->count > 0 && l->count >= LOGIN_SOFT_FAILS &&
        l->last + LOGIN_DELAY - now > wait)
        wait = l->last + LOGIN_DELAY - now;
    if (wait <= 0) {
        /* counted as a failure now, under the lock, so that parallel tries
         * cannot all pass the check; sq_signin_succeeded takes it back */
        p = rl_get(kp, now, true);
        p->count++;
        p->last = now;
        p->expires = now + PAIR_FORGET;
        a = rl_get(ka, now, true);
        if (!a->count || now >= a->start + ADDR_WINDOW) {
            a->start = now;
            a->count = 0;
        }
        a->count++;
        a->expires = a->start + ADDR_WINDOW;
        l = rl_get(kl, now, true);
        if (!l->count || now >= l->start + LOGIN_WINDOW) {
            l->start = now;
            l->count = 0;
        }
        l->count++;
        l->last = now;
        l->expires = l->start + LOGIN_WINDOW + LOGIN_DELAY;
    }
    pthread_mutex_unlock(&rl_lock);
    if (retry_after)
        *retry_after = wait > 0 ? (int)wait : 0;
    return wait <= 0;
}

void sq_signin_succeeded(const char *login, const char *ip)
{
    char kp[136], ka[136], kl[136];
    int64_t now = sq_clock_now();
    rl_key(kp, sizeof kp, 'p', login, ip);
    rl_key(ka, sizeof ka, 'a', ip, NULL);
    rl_key(kl, sizeof kl, 'l', login, NULL);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *p = rl_get(kp, now, false), *a = rl_get(ka, now, false),
                   *l = rl_get(kl, now, false);
    if (p)
        memset(p, 0, sizeof *p);
    /* the attempt was no failure; the address's and the login's other
     * failures stay (signing in to one's own account clears nothing else) */
    if (a && a->count > 0)
        a->count--;
    if (l && l->count > 0)
        l->count--;
    pthread_mutex_unlock(&rl_lock);
}

bool sq_ratelimit_take(const char *name, const char *ip, int per_hour, int *retry_after)
{
    char k[136];
    bool ok = true;
    int64_t now = sq_clock_now();
    if (retry_after)
        *retry_after = 0;
    if (per_hour <= 0)
        return true;
    rl_key(k, sizeof k, 'b', name, ip);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *s = rl_get(k, now, true);
    double rate = per_hour / 3600.0; /* the bucket drains at this many hits a second */
    if (s->last && now > s->last)
        s->level -= (double)(now - s->last) * rate;
    if (s->level < 0)
        s->level = 0;
    s->last = now;
    if (s->level + 1 > per_hour) {
        ok = false;
        if (retry_after) {
            double secs = (s->level + 1 - per_hour) / rate;
            *retry_after = secs < 1 ? 1 : (int)(secs + 0.999);
        }
    } else {
        s->level += 1;
    }
    s->expires = now + (int64_t)(s->level / rate) + 1;
    pthread_mutex_unlock(&rl_lock);
    return ok;
}

void sq_ratelimit_reset(void)
{
    pthread_mutex_lock(&rl_lock);
    memset(rl_table, 0, sizeof rl_table);
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

static void ac_bump(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&ac_lock);
    ac_gen++;
    pthread_mutex_unlock(&ac_lock);
}

/* Now, and again once the transaction of the change has committed: a
 * request thread that reloaded the caller between the two read the old
 * rows (the writer's batch was still open), and its copy must not stay. */
void sq_auth_cache_bump(void)
{
    ac_bump(NULL);
    if (sq_db_in_tx())
        sq_db_on_commit(ac_bump, NULL);
}

void sq_auth_cache_free(void)
{
    pthread_mutex_lock(&ac_lock);
    free(ac_table);
    ac_table = NULL;
    pthread_mutex_unlock(&ac_lock);
}
