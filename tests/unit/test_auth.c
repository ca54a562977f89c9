/*
 * test_auth: the authorisation core (src/core/auth.c). The role matrix the
 * domains declare (src/<domain>/perms.c) is written out here as data (the
 * same as docs/api.md), so changing a role's rights means changing the test
 * on purpose; the declarations are checked sound and unbounded in number. sq_may is a prefix test
 * on materialised paths: its edge cases
 * (/1/2/ vs /1/22/, the root, empty paths, several grants) are pinned, as
 * are sq_may_all, passwords, tokens, masking, the sign-in throttle and the
 * per-address buckets (on the fake clock of core/clock).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/auth.h"
#include "core/clock.h"
#include "accounts/perms.h"
#include "appeals/perms.h"
#include "units/perms.h"

/* ---- the matrix ---- */

static const struct {
    enum sq_role role;
    const char *perms; /* space-separated permission names */
} matrix[] = {
    /* a person reads their own appeals, decided per record: no appeal.read */
    {SQ_ROLE_PUBLIC, "appeal.create"},
    {SQ_ROLE_COLLECTOR, "unit.read appeal.create appeal.collect appeal.read"},
    {SQ_ROLE_HANDLER, "unit.read user.read appeal.create appeal.collect appeal.read "
                      "appeal.handle personal.read stats.read kb.write task.read task.write"},
    {SQ_ROLE_UNIT_ADMIN, "unit.read unit.write user.read user.write grant personal.read "
                         "appeal.create appeal.collect appeal.read appeal.handle "
                         "appeal.supervise stats.read kb.write kb.publish task.read task.write "
                         "task.assign"},
    {SQ_ROLE_DISTRICT_ADMIN, "unit.read unit.write user.read user.write grant personal.read "
                             "audit.read appeal.create appeal.collect appeal.read appeal.handle "
                             "appeal.supervise stats.read kb.write kb.publish admin task.read "
                             "task.write task.assign"},
    {SQ_ROLE_AUDITOR, "unit.read user.read personal.read audit.read appeal.read stats.read "
                      "task.read"},
};

static bool listed(const char *perms, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = perms; (p = strstr(p, name)); p += n)
        if ((p == perms || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void test_names(void **state)
{
    (void)state;
    static const char *const roles[] = {"public",     "collector",      "handler",
                                        "unit_admin", "district_admin", "auditor"};
    assert_int_equal(SQ_ROLE__MAX, 6);
    for (int r = 0; r < SQ_ROLE__MAX; r++) {
        assert_string_equal(sq_role_name(r), roles[r]);
        assert_int_equal(sq_role_parse(roles[r]), r);
    }
    assert_int_equal(sq_role_parse("admin"), -1);
    assert_int_equal(sq_role_parse("Public"), -1);
    assert_int_equal(sq_role_parse(""), -1);
    assert_int_equal(sq_role_parse(NULL), -1);
    assert_string_equal(sq_role_name(SQ_ROLE__MAX), "?");
    assert_string_equal(sq_role_name(-1), "?");
    for (int p = 0; p < sq_perm_count(); p++) {
        assert_string_not_equal(sq_perm_name(sq_perm_at(p)), "?");
        for (int q = 0; q < p; q++)
            assert_string_not_equal(sq_perm_name(sq_perm_at(p)), sq_perm_name(sq_perm_at(q)));
        assert_ptr_equal(sq_perm_find(sq_perm_name(sq_perm_at(p))), sq_perm_at(p));
    }
    assert_string_equal(sq_perm_name(SQ_PERM_PUBLIC), "public");
    assert_string_equal(sq_perm_name(SQ_PERM_SIGNED_IN), "signed_in");
    assert_string_equal(sq_perm_name(NULL), "?");
    assert_null(sq_perm_at(sq_perm_count()));
    assert_null(sq_perm_find("no.such"));
}

static void test_role_matrix(void **state)
{
    (void)state;
    assert_int_equal(sizeof matrix / sizeof matrix[0], SQ_ROLE__MAX);
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++)
        for (int i_p = 0; i_p < sq_perm_count(); i_p++) {
            const struct sq_perm *p = sq_perm_at(i_p);
            bool want = listed(matrix[i].perms, sq_perm_name(p));
            if (sq_role_has(matrix[i].role, p) != want)
                fail_msg("%s %s %s, the matrix says otherwise", sq_role_name(matrix[i].role),
                         want ? "lacks" : "has", sq_perm_name(p));
        }
    /* every permission named in the matrix exists */
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", matrix[i].perms);
        for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            bool found = false;
            for (int p = 0; p < sq_perm_count(); p++)
                found |= !strcmp(sq_perm_name(sq_perm_at(p)), t);
            if (!found)
                fail_msg("the matrix names an unknown permission %s", t);
        }
    }
    /* route-level permissions are never carried by roles; out of range is no */
    for (int r = 0; r < SQ_ROLE__MAX; r++) {
        assert_false(sq_role_has(r, SQ_PERM_PUBLIC));
        assert_false(sq_role_has(r, SQ_PERM_SIGNED_IN));
        assert_false(sq_role_has(r, NULL));
    }
    assert_false(sq_role_has(SQ_ROLE__MAX, SQ_PERM_UNIT_READ));
    assert_false(sq_role_has(-1, SQ_PERM_UNIT_READ));
}

/* ---- users and the subtree rule ---- */

static struct sq_user user_with(int n, const enum sq_role *roles, const char *const *paths)
{
    struct sq_user u;
    memset(&u, 0, sizeof u);
    u.id = 7;
    for (int i = 0; i < n; i++) {
        u.grants[i].id = i + 1;
        u.grants[i].role = roles[i];
        snprintf(u.grants[i].unit_path, sizeof u.grants[i].unit_path, "%s", paths[i]);
    }
    u.ngrants = n;
    return u;
}

/* The declarations are sound, and a permission is its declaration: any
 * number of them work (no bit word to overflow), by address, not position. */
static void test_perms_declared(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    if (sq_perms_check(&d))
        fail_msg("%s", d.message);
    assert_true(sq_perm_count() >= 18);
    assert_true(sq_perm_at(0) == SQ_PERM_PUBLIC);
    assert_true(sq_perm_find("appeal.handle") == SQ_PERM_APPEAL_HANDLE);
    assert_true(sq_perm_find("grant") == SQ_PERM_GRANT);
    static struct sq_perm many[70];
    struct sq_user u = {.ngrants = 1};
    u.grants[0] = (struct sq_grant){.role = SQ_ROLE_HANDLER, .unit_path = "/1/2/"};
    for (int i = 0; i < 70; i++)
        many[i] = (struct sq_perm){.name = "x", .roles = i % 2 ? SQ_ROLE_BIT(SQ_ROLE_HANDLER) : 0};
    for (int i = 0; i < 70; i++) {
        assert_int_equal(sq_role_has(SQ_ROLE_HANDLER, &many[i]), i % 2 == 1);
        assert_int_equal(sq_user_has(&u, &many[i]), i % 2 == 1);
        assert_int_equal(sq_may(&u, &many[i], "/1/2/3/"), i % 2 == 1);
        assert_false(sq_role_has(SQ_ROLE_AUDITOR, &many[i]));
    }
}

static void test_user_has(void **state)
{
    (void)state;
    assert_true(sq_user_has(NULL, SQ_PERM_PUBLIC));
    assert_false(sq_user_has(NULL, SQ_PERM_SIGNED_IN));
    assert_false(sq_user_has(NULL, SQ_PERM_UNIT_READ));
    struct sq_user none = user_with(0, NULL, NULL);
    assert_true(sq_user_has(&none, SQ_PERM_SIGNED_IN));
    assert_false(sq_user_has(&none, SQ_PERM_UNIT_READ));
    enum sq_role roles[] = {SQ_ROLE_PUBLIC, SQ_ROLE_COLLECTOR};
    const char *paths[] = {"/1/", "/1/2/16/"};
    struct sq_user u = user_with(2, roles, paths);
    assert_true(sq_user_has(&u, SQ_PERM_UNIT_READ));      /* from the second grant */
    assert_true(sq_user_has(&u, SQ_PERM_APPEAL_COLLECT)); /* anywhere, route-level */
    assert_false(sq_user_has(&u, SQ_PERM_USER_READ));
    assert_true(sq_user_has_role(&u, SQ_ROLE_COLLECTOR));
    assert_false(sq_user_has_role(&u, SQ_ROLE_AUDITOR));
    assert_false(sq_user_has_role(NULL, SQ_ROLE_PUBLIC));
}

static void test_may_subtree(void **state)
{
    (void)state;
    enum sq_role roles[] = {SQ_ROLE_HANDLER};
    const char *paths[] = {"/1/2/"};
    struct sq_user u = user_with(1, roles, paths);
    static const struct {
        const char *path;
        bool may;
    } cases[] = {
        {"/1/2/", true},                      /* the unit itself */
        {"/1/2/5/", true},                    /* a child */
        {"/1/2/5/77/", true},                 /* deeper */
        {"/1/22/", false},                    /* a sibling whose id starts the same */
        {"/1/22/5/", false},  {"/1/", false}, /* the parent */
        {"/1/3/2/", false},                   /* the same id elsewhere */
        {"/2/", false},       {"/12/", false}, {"/1/2", false}, /* malformed: no trailing slash */
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sq_may(&u, SQ_PERM_UNIT_READ, cases[i].path) != cases[i].may)
            fail_msg("handler at /1/2/ on %s: want %d", cases[i].path, cases[i].may);
    assert_false(sq_may(&u, SQ_PERM_UNIT_READ, NULL));
    assert_false(sq_may(NULL, SQ_PERM_UNIT_READ, "/1/2/"));
    /* the permission must come from a role that has it */
    assert_false(sq_may(&u, SQ_PERM_UNIT_WRITE, "/1/2/5/"));
    assert_false(sq_may(&u, SQ_PERM_AUDIT_READ, "/1/2/"));
    /* a grant on an empty path (never written by the store) grants nothing */
    const char *empty[] = {""};
    struct sq_user e = user_with(1, roles, empty);
    assert_false(sq_may(&e, SQ_PERM_UNIT_READ, "/1/"));
}

/* The scope of a list query: the paths of the grants carrying p, in grant
 * order, capped at max; a skipped role's grants left out; the widest one. */
static void test_scope_paths(void **state)
{
    (void)state;
    enum sq_role roles[] = {SQ_ROLE_HANDLER, SQ_ROLE_UNIT_ADMIN, SQ_ROLE_PUBLIC};
    const char *paths[] = {"/1/2/16/", "/1/3/", "/1/"};
    struct sq_user u = user_with(3, roles, paths);
    const char *out[4];
    bool pub = sq_role_has(SQ_ROLE_PUBLIC, SQ_PERM_APPEAL_READ);
    int n = sq_scope_paths(&u, SQ_PERM_APPEAL_READ, out, 4);
    assert_int_equal(n, pub ? 3 : 2);
    assert_string_equal(out[0], "/1/2/16/");
    assert_string_equal(out[1], "/1/3/");
    assert_ptr_equal(out[0], u.grants[0].unit_path); /* pointers into u */
    assert_int_equal(sq_scope_paths(&u, SQ_PERM_APPEAL_READ, out, 1), 1);
    n = sq_scope_paths_except(&u, SQ_PERM_APPEAL_READ, SQ_ROLE_BIT(SQ_ROLE_PUBLIC), out, 4);
    assert_int_equal(n, 2);
    assert_int_equal(sq_scope_paths_except(&u, SQ_PERM_APPEAL_READ,
                                           SQ_ROLE_BIT(SQ_ROLE_HANDLER) |
                                               SQ_ROLE_BIT(SQ_ROLE_UNIT_ADMIN) |
                                               SQ_ROLE_BIT(SQ_ROLE_PUBLIC),
                                           out, 4),
                     0);
    assert_int_equal(sq_scope_paths(NULL, SQ_PERM_APPEAL_READ, out, 4), 0);
    /* the widest grant: the shortest path among those carrying p */
    const struct sq_grant *g = sq_widest_grant(&u, SQ_PERM_APPEAL_READ);
    assert_non_null(g);
    assert_string_equal(g->unit_path, pub ? "/1/" : "/1/3/");
    g = sq_widest_grant(&u, SQ_PERM_ADMIN); /* district settings: none of these roles */
    assert_null(g);
    assert_null(sq_widest_grant(NULL, SQ_PERM_APPEAL_READ));
}

static void test_may_several_grants(void **state)
{
    (void)state;
    /* a community handler who is also unit admin of another community */
    enum sq_role roles[] = {SQ_ROLE_HANDLER, SQ_ROLE_UNIT_ADMIN, SQ_ROLE_PUBLIC};
    const char *paths[] = {"/1/2/16/", "/1/3/17/", "/1/"};
    struct sq_user u = user_with(3, roles, paths);
    assert_true(sq_may(&u, SQ_PERM_UNIT_READ, "/1/2/16/"));
    assert_true(sq_may(&u, SQ_PERM_UNIT_READ, "/1/3/17/"));
    assert_false(sq_may(&u, SQ_PERM_UNIT_WRITE, "/1/2/16/")); /* handler only there */
    assert_true(sq_may(&u, SQ_PERM_UNIT_WRITE, "/1/3/17/"));
    assert_true(sq_may(&u, SQ_PERM_APPEAL_CREATE, "/1/9/")); /* public at the root */
    assert_false(sq_may(&u, SQ_PERM_UNIT_READ, "/1/9/"));
    assert_false(sq_may_all(&u, SQ_PERM_UNIT_READ));
    assert_true(sq_may_all(&u, SQ_PERM_APPEAL_CREATE));
}

static void test_may_all(void **state)
{
    (void)state;
    enum sq_role da[] = {SQ_ROLE_DISTRICT_ADMIN};
    const char *root[] = {"/1/"}, *street[] = {"/1/2/"}, *root12[] = {"/12/"};
    struct sq_user a = user_with(1, da, root);
    assert_true(sq_may_all(&a, SQ_PERM_UNIT_WRITE));
    assert_true(sq_may_all(&a, SQ_PERM_ADMIN));
    assert_false(sq_may_all(&a, SQ_PERM_PUBLIC));
    assert_true(sq_may(&a, SQ_PERM_GRANT, "/1/2/16/"));
    /* a district_admin grant below the root is not unrestricted */
    struct sq_user s = user_with(1, da, street);
    assert_false(sq_may_all(&s, SQ_PERM_UNIT_WRITE));
    assert_true(sq_may(&s, SQ_PERM_UNIT_WRITE, "/1/2/9/"));
    assert_false(sq_may(&s, SQ_PERM_UNIT_WRITE, "/1/3/"));
    /* any root id, not only 1 */
    struct sq_user r = user_with(1, da, root12);
    assert_true(sq_may_all(&r, SQ_PERM_UNIT_READ));
    /* the auditor reads everything, writes nothing */
    enum sq_role aud[] = {SQ_ROLE_AUDITOR};
    struct sq_user au = user_with(1, aud, root);
    assert_true(sq_may_all(&au, SQ_PERM_AUDIT_READ));
    assert_true(sq_may_all(&au, SQ_PERM_PERSONAL_READ));
    assert_false(sq_may_all(&au, SQ_PERM_UNIT_WRITE));
    assert_false(sq_may(&au, SQ_PERM_USER_WRITE, "/1/2/"));
    assert_false(sq_may_all(NULL, SQ_PERM_UNIT_READ));
    struct sq_user none = user_with(0, NULL, NULL);
    assert_false(sq_may_all(&none, SQ_PERM_UNIT_READ));
}

/* ---- passwords and tokens ---- */

static void test_passwords(void **state)
{
    (void)state;
    char h1[128], h2[128];
    assert_int_equal(sq_auth_init(), 0);
    assert_int_equal(sq_password_hash("correct horse 电池", h1), 0);
    assert_int_equal(sq_password_hash("correct horse 电池", h2), 0);
    assert_true(!strncmp(h1, "$argon2id$", 10));
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(sq_password_verify(h1, "correct horse 电池"));
    assert_true(sq_password_verify(h2, "correct horse 电池"));
    assert_false(sq_password_verify(h1, "correct horse 电"));
    assert_false(sq_password_verify(h1, ""));
    assert_false(sq_password_verify(h1, NULL));
    assert_false(sq_password_verify("", "x"));
    assert_false(sq_password_verify(NULL, "x"));
    assert_false(sq_password_verify("$argon2id$garbage", "x"));
}

static void test_tokens(void **state)
{
    (void)state;
    char a[48], b[48], ha[65], ha2[65], hb[65];
    sq_token_new(a);
    sq_token_new(b);
    assert_int_equal(strlen(a), 43);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
    sq_token_hash(a, ha);
    sq_token_hash(a, ha2);
    sq_token_hash(b, hb);
    assert_int_equal(strlen(ha), 64);
    assert_string_equal(ha, ha2);
    assert_string_not_equal(ha, hb);
    for (const char *p = ha; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    assert_true(strstr(ha, a) == NULL);
    assert_true(sq_str_equal_ct(a, a));
    assert_false(sq_str_equal_ct(a, b));
    assert_false(sq_str_equal_ct("abc", "abcd"));
    assert_false(sq_str_equal_ct("abcd", "abc"));
    assert_true(sq_str_equal_ct("", ""));
    assert_false(sq_str_equal_ct("", "a"));
}

/* ---- masking ---- */

static void test_masking(void **state)
{
    (void)state;
    char out[64];
    sq_mask_phone("13812341234", out, sizeof out);
    assert_string_equal(out, "138****1234");
    sq_mask_phone("027-87654321", out, sizeof out);
    assert_string_equal(out, "027*****4321");
    sq_mask_phone("1234567", out, sizeof out); /* too short to show anything */
    assert_string_equal(out, "*******");
    sq_mask_phone("12345678", out, sizeof out);
    assert_string_equal(out, "123*5678");
    sq_mask_phone("", out, sizeof out);
    assert_string_equal(out, "");
    sq_mask_phone(NULL, out, sizeof out);
    assert_string_equal(out, "");
    sq_mask_id("420111199001011234", out, sizeof out);
    assert_string_equal(out, "4201**********1234");
    sq_mask_id("42011119900101X", out, sizeof out);
    assert_string_equal(out, "4201*******101X");
    /* a small buffer truncates, always terminated, never overflows */
    char small[6];
    memset(small, 'Z', sizeof small);
    sq_mask_phone("13812341234", small, sizeof small);
    assert_string_equal(small, "138**");
    sq_mask_phone("1234", small, sizeof small);
    assert_string_equal(small, "****");
    char one[1] = {'Z'};
    sq_mask_phone("13812341234", one, sizeof one);
    assert_int_equal(one[0], '\0');
}

/* ---- sign-in throttling and per-address limits (on the fake clock) ---- */

static const int64_t T0 = 1800000000;

static int throttle_setup(void **state)
{
    (void)state;
    sq_ratelimit_reset();
    sq_clock_set_fake(T0);
    return 0;
}

/* An attempt that is let through and then fails (the password was wrong). */
static void fail_once(const char *login, const char *ip)
{
    int retry = -1;
    assert_true(sq_signin_attempt(login, ip, &retry));
    assert_int_equal(retry, 0);
}

static int refused_for(const char *login, const char *ip)
{
    int retry = -1;
    assert_false(sq_signin_attempt(login, ip, &retry));
    assert_true(retry >= 1);
    return retry;
}

static void test_login_normalise(void **state)
{
    (void)state;
    char out[64];
    sq_login_normalise("  SuperVisor\t", out, sizeof out);
    assert_string_equal(out, "supervisor");
    sq_login_normalise("supervisor", out, sizeof out);
    assert_string_equal(out, "supervisor");
    sq_login_normalise("SUPERVISOR\r\n", out, sizeof out);
    assert_string_equal(out, "supervisor");
    sq_login_normalise("Zhang.San-1_X", out, sizeof out);
    assert_string_equal(out, "zhang.san-1_x");
    sq_login_normalise("   ", out, sizeof out);
    assert_string_equal(out, "");
    sq_login_normalise("张三A", out, sizeof out); /* only ASCII folds, as SQLite's NOCASE */
    assert_string_equal(out, "张三a");
    char small[4];
    sq_login_normalise("ABCDEF", small, sizeof small);
    assert_string_equal(small, "abc");
}

/* One login from one address: five free failures, then a wait that
 * doubles from 1 s to at most 15 minutes; the right password lifts it. */
static void test_signin_pair_delay(void **state)
{
    (void)state;
    const char *ip = "192.0.2.10";
    for (int i = 0; i < 5; i++)
        fail_once("supervisor", ip);
    assert_int_equal(refused_for("supervisor", ip), 1);
    sq_clock_advance(1);
    int want = 1;
    for (int i = 0; i < 14; i++) {
        fail_once("supervisor", ip); /* failure 6, 7, ... */
        want = want * 2 > 900 ? 900 : want * 2;
        assert_int_equal(refused_for("supervisor", ip), want);
        sq_clock_advance(want - 1);
        assert_int_equal(refused_for("supervisor", ip), 1);
        sq_clock_advance(1);
    }
    assert_int_equal(want, 900);
    /* a refused attempt is no failure: refusals do not make the wait longer */
    fail_once("supervisor", ip);
    for (int i = 0; i < 20; i++)
        assert_int_equal(refused_for("supervisor", ip), 900);
    sq_clock_advance(900);
    /* the right password: the pair starts over */
    assert_true(sq_signin_attempt("supervisor", ip, NULL));
    sq_signin_succeeded("supervisor", ip);
    for (int i = 0; i < 5; i++)
        fail_once("supervisor", ip);
    refused_for("supervisor", ip);
}

/* Locking one address out of a login locks nobody else out of it. */
static void test_signin_other_address(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        fail_once("street_admin", "192.0.2.20");
    for (int i = 0; i < 6; i++) {
        sq_clock_advance(refused_for("street_admin", "192.0.2.20"));
        fail_once("street_admin", "192.0.2.20");
    }
    assert_true(refused_for("street_admin", "192.0.2.20") >= 32);
    /* the owner, from another address, signs in at once */
    int retry = -1;
    assert_true(sq_signin_attempt("street_admin", "198.51.100.1", &retry));
    assert_int_equal(retry, 0);
    sq_signin_succeeded("street_admin", "198.51.100.1");
    /* and that does not unlock the attacker's address */
    refused_for("street_admin", "192.0.2.20");
    /* the attacker's address still signs in to other accounts */
    assert_true(sq_signin_attempt("resident", "192.0.2.20", NULL));
    sq_signin_succeeded("resident", "192.0.2.20");
}

/* Failures of one login from many addresses: an address that failed on
 * it waits at most 5 s; an address that did not is never held up. */
static void test_signin_login_across_addresses(void **state)
{
    (void)state;
    char ip[32];
    for (int i = 0; i < 10; i++) {
        snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
        fail_once("univ_handler", ip);
    }
    int retry = refused_for("univ_handler", "203.0.113.1");
    assert_true(retry >= 1 && retry <= 5);
    int retry_ok = -1;
    assert_true(sq_signin_attempt("univ_handler", "198.51.100.2", &retry_ok));
    assert_int_equal(retry_ok, 0);
    sq_signin_succeeded("univ_handler", "198.51.100.2");
    sq_clock_advance(5);
    fail_once("univ_handler", "203.0.113.1");
    assert_int_equal(refused_for("univ_handler", "203.0.113.2"), 5);
    /* after the 15-minute window the login's count starts over */
    sq_clock_advance(901);
    for (int i = 0; i < 10; i++) {
        snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
        assert_true(sq_signin_attempt("univ_handler", ip, NULL));
    }
}

/* One address failing on many logins: 50 per 15 minutes, then it waits
 * for the window to end whatever the login; other addresses do not. */
static void test_signin_address_across_logins(void **state)
{
    (void)state;
    char login[32];
    const char *ip = "192.0.2.30";
    for (int i = 0; i < 50; i++) {
        snprintf(login, sizeof login, "guess%d", i);
        fail_once(login, ip);
        sq_clock_advance(2);
    }
    /* the first failure was 100 s ago: 800 s of the window are left */
    assert_int_equal(refused_for("resident", ip), 800);
    assert_int_equal(refused_for("guess0", ip), 800);
    assert_true(sq_signin_attempt("resident", "192.0.2.31", NULL));
    sq_clock_advance(800);
    assert_true(sq_signin_attempt("resident", ip, NULL));
    sq_signin_succeeded("resident", ip);
    /* a success hands back its own attempt only: 49 failures, then one more */
    sq_ratelimit_reset();
    for (int i = 0; i < 49; i++) {
        snprintf(login, sizeof login, "guess%d", i);
        fail_once(login, ip);
    }
    assert_true(sq_signin_attempt("own_account", ip, NULL));
    sq_signin_succeeded("own_account", ip);
    fail_once("guess49", ip);
    refused_for("own_account", ip);
}

/* Parallel attempts: the attempt counts before its password is checked,
 * so a burst cannot all pass the check at once. */
static void test_signin_parallel(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        fail_once("admin", "192.0.2.40");
    assert_true(sq_signin_attempt("admin", "192.0.2.40", NULL)); /* in flight */
    refused_for("admin", "192.0.2.40");                          /* its twin */
    sq_signin_succeeded("admin", "192.0.2.40");
    assert_true(sq_signin_attempt("admin", "192.0.2.40", NULL));
}

static void test_ratelimit_bucket(void **state)
{
    (void)state;
    int retry = -1;
    for (int i = 0; i < 3; i++)
        assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, &retry));
    assert_false(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, &retry));
    assert_int_equal(retry, 1200); /* one hit drains every 3600 / 3 s */
    /* others: another address, another counter */
    assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.51", 3, NULL));
    assert_true(sq_ratelimit_take("register", "192.0.2.50", 3, NULL));
    sq_clock_advance(1199);
    assert_false(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, &retry));
    assert_int_equal(retry, 1);
    sq_clock_advance(1);
    assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, NULL));
    assert_false(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, NULL));
    /* an hour later the whole burst is back */
    sq_clock_advance(3600);
    for (int i = 0; i < 3; i++)
        assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, NULL));
    assert_false(sq_ratelimit_take("anon_appeal", "192.0.2.50", 3, NULL));
    /* 0: no limit */
    for (int i = 0; i < 1000; i++)
        assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.52", 0, NULL));
    /* many addresses: each still counts on its own */
    char ip[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(ip, sizeof ip, "10.%d.%d.%d", i / 65536, (i / 256) % 256, i % 256);
        sq_ratelimit_take("anon_appeal", ip, 3, NULL);
    }
    assert_true(sq_ratelimit_take("anon_appeal", "192.0.2.53", 1, NULL));
    assert_false(sq_ratelimit_take("anon_appeal", "192.0.2.53", 1, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_role_matrix),
        cmocka_unit_test(test_perms_declared),
        cmocka_unit_test(test_user_has),
        cmocka_unit_test(test_may_subtree),
        cmocka_unit_test(test_may_several_grants),
        cmocka_unit_test(test_scope_paths),
        cmocka_unit_test(test_may_all),
        cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_masking),
        cmocka_unit_test(test_login_normalise),
        cmocka_unit_test_setup(test_signin_pair_delay, throttle_setup),
        cmocka_unit_test_setup(test_signin_other_address, throttle_setup),
        cmocka_unit_test_setup(test_signin_login_across_addresses, throttle_setup),
        cmocka_unit_test_setup(test_signin_address_across_logins, throttle_setup),
        cmocka_unit_test_setup(test_signin_parallel, throttle_setup),
        cmocka_unit_test_setup(test_ratelimit_bucket, throttle_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
