/*
 * test_accounts: the account rules of issue 10, as data.
 *
 *   - role ranks: public < collector < handler < unit_admin < district_admin,
 *     the auditor ranked with district_admin;
 *   - accounts_check_grant: a grant needs the grant permission on the unit or
 *     an ancestor AND a role of the caller ranked at or above the one given;
 *   - accounts_check_manage: EVERY grant of the target must be one the caller
 *     could give (the takeover was: ANY grant in scope was enough), a target
 *     without grants is the district admins' only, and so is one with more
 *     grants than the struct holds;
 *   - sq_password_check (libpwquality): the weak passwords of the issue are
 *     refused with field "password" and a zh-CN / English reason, good ones
 *     pass, the minimum is a parameter.
 *
 * Paths follow the demo: /1/ district, /1/2/ street ST01, /1/2/16/ community
 * CM001, /1/3/ street ST02, /1/3/17/ community CM002.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "accounts/accounts.h"
#include "core/auth.h"

struct g {
    enum sq_role role;
    const char *path;
};

static struct sq_user caller(int n, const struct g *gs)
{
    struct sq_user u;
    memset(&u, 0, sizeof u);
    u.id = 100;
    for (int i = 0; i < n; i++) {
        u.grants[i].id = i + 1;
        u.grants[i].role = gs[i].role;
        snprintf(u.grants[i].unit_path, sizeof u.grants[i].unit_path, "%s", gs[i].path);
    }
    u.ngrants = n;
    return u;
}

static struct accounts_target target(int n, const struct g *gs)
{
    struct accounts_target t;
    memset(&t, 0, sizeof t);
    t.id = 200;
    for (int i = 0; i < n; i++) {
        t.grants[i].id = i + 10;
        t.grants[i].role = gs[i].role;
        snprintf(t.grants[i].unit_path, sizeof t.grants[i].unit_path, "%s", gs[i].path);
    }
    t.ngrants = n;
    return t;
}

static const struct g DISTRICT_ADMIN[] = {{SQ_ROLE_DISTRICT_ADMIN, "/1/"}};
static const struct g STREET_ADMIN[] = {{SQ_ROLE_UNIT_ADMIN, "/1/2/"}};
static const struct g COMMUNITY_ADMIN[] = {{SQ_ROLE_UNIT_ADMIN, "/1/2/16/"}};
static const struct g HANDLER[] = {{SQ_ROLE_HANDLER, "/1/2/16/"}};
static const struct g AUDITOR[] = {{SQ_ROLE_AUDITOR, "/1/"}};

static void test_ranks(void **state)
{
    (void)state;
    assert_true(sq_role_rank(SQ_ROLE_PUBLIC) < sq_role_rank(SQ_ROLE_COLLECTOR));
    assert_true(sq_role_rank(SQ_ROLE_COLLECTOR) < sq_role_rank(SQ_ROLE_HANDLER));
    assert_true(sq_role_rank(SQ_ROLE_HANDLER) < sq_role_rank(SQ_ROLE_UNIT_ADMIN));
    assert_true(sq_role_rank(SQ_ROLE_UNIT_ADMIN) < sq_role_rank(SQ_ROLE_DISTRICT_ADMIN));
    assert_int_equal(sq_role_rank(SQ_ROLE_AUDITOR), sq_role_rank(SQ_ROLE_DISTRICT_ADMIN));
    assert_int_equal(sq_role_rank(SQ_ROLE__MAX), -1);
    assert_int_equal(sq_role_rank(-1), -1);
}

static void test_grant_rule(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct sq_user ca = caller(1, COMMUNITY_ADMIN), sa = caller(1, STREET_ADMIN);
    struct sq_user da = caller(1, DISTRICT_ADMIN), h = caller(1, HANDLER);
    struct sq_user au = caller(1, AUDITOR);
    /* at or below one's own rank, in one's subtree */
    for (int r = SQ_ROLE_PUBLIC; r <= SQ_ROLE_UNIT_ADMIN; r++) {
        assert_int_equal(accounts_check_grant(&ca, r, "/1/2/16/", NULL), SQ_OK);
        assert_int_equal(accounts_check_grant(&sa, r, "/1/2/16/", NULL), SQ_OK);
        assert_int_equal(accounts_check_grant(&sa, r, "/1/2/", NULL), SQ_OK);
    }
    /* never above it */
    assert_int_equal(accounts_check_grant(&sa, SQ_ROLE_DISTRICT_ADMIN, "/1/2/", &d), SQ_EFORBIDDEN);
    assert_string_equal(d.field, "role");
    assert_non_null(strstr(d.message, " / only a district admin"));
    assert_int_equal(accounts_check_grant(&sa, SQ_ROLE_AUDITOR, "/1/2/", &d), SQ_EFORBIDDEN);
    assert_string_equal(d.field, "role");
    /* never outside the subtree: up, sideways, a sibling with a longer id */
    assert_int_equal(accounts_check_grant(&ca, SQ_ROLE_PUBLIC, "/1/2/", &d), SQ_EFORBIDDEN);
    assert_string_equal(d.field, "unit_id");
    assert_int_equal(accounts_check_grant(&ca, SQ_ROLE_PUBLIC, "/1/", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&sa, SQ_ROLE_PUBLIC, "/1/3/17/", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&sa, SQ_ROLE_PUBLIC, "/1/22/", NULL), SQ_EFORBIDDEN);
    /* the district admin gives anything anywhere, the auditor included */
    for (int r = 0; r < SQ_ROLE__MAX; r++) {
        assert_int_equal(accounts_check_grant(&da, r, "/1/", NULL), SQ_OK);
        assert_int_equal(accounts_check_grant(&da, r, "/1/3/17/", NULL), SQ_OK);
    }
    /* roles without the grant permission give nothing, not even public */
    assert_int_equal(accounts_check_grant(&h, SQ_ROLE_PUBLIC, "/1/2/16/", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&au, SQ_ROLE_PUBLIC, "/1/", NULL), SQ_EFORBIDDEN);
    /* nonsense */
    assert_int_equal(accounts_check_grant(&da, SQ_ROLE__MAX, "/1/", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&da, SQ_ROLE_PUBLIC, "", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&da, SQ_ROLE_PUBLIC, NULL, NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(NULL, SQ_ROLE_PUBLIC, "/1/", NULL), SQ_EFORBIDDEN);
    /* the rank must come from a grant that reaches the unit: a unit admin of
     * one community and a handler of the street may not give unit_admin in
     * the street */
    static const struct g mixed[] = {{SQ_ROLE_UNIT_ADMIN, "/1/2/16/"}, {SQ_ROLE_HANDLER, "/1/2/"}};
    struct sq_user m = caller(2, mixed);
    assert_int_equal(accounts_check_grant(&m, SQ_ROLE_UNIT_ADMIN, "/1/2/", NULL), SQ_EFORBIDDEN);
    assert_int_equal(accounts_check_grant(&m, SQ_ROLE_UNIT_ADMIN, "/1/2/16/", NULL), SQ_OK);
}

static void test_manage_every_grant(void **state)
{
    (void)state;
    struct sq_detail d = {0};
    struct sq_user ca = caller(1, COMMUNITY_ADMIN), sa = caller(1, STREET_ADMIN);
    struct sq_user da = caller(1, DISTRICT_ADMIN), h = caller(1, HANDLER);
    struct sq_user au = caller(1, AUDITOR);
    /* the repro: a district admin who also holds public in the community */
    static const struct g supervisor[] = {{SQ_ROLE_DISTRICT_ADMIN, "/1/"},
                                          {SQ_ROLE_PUBLIC, "/1/2/16/"}};
    struct accounts_target sup = target(2, supervisor);
    assert_int_equal(accounts_check_manage(&ca, &sup, &d), SQ_EFORBIDDEN);
    assert_string_equal(d.field, "user_id");
    assert_non_null(strstr(d.message, " / this user holds"));
    assert_false(accounts_may_manage(&sa, &sup));
    assert_true(accounts_may_manage(&da, &sup)); /* one district admin manages another */
    /* one grant in scope and one outside: no */
    static const struct g split[] = {{SQ_ROLE_HANDLER, "/1/2/16/"},
                                     {SQ_ROLE_COLLECTOR, "/1/3/17/"}};
    struct accounts_target sp = target(2, split);
    assert_false(accounts_may_manage(&ca, &sp));
    assert_false(accounts_may_manage(&sa, &sp));
    assert_true(accounts_may_manage(&da, &sp));
    /* all in scope, at or below: yes; a peer unit admin too */
    static const struct g inside[] = {{SQ_ROLE_HANDLER, "/1/2/16/"}, {SQ_ROLE_COLLECTOR, "/1/2/"}};
    struct accounts_target in = target(2, inside);
    assert_false(accounts_may_manage(&ca, &in)); /* the street grant is above the community */
    assert_true(accounts_may_manage(&sa, &in));
    struct accounts_target peer = target(1, COMMUNITY_ADMIN);
    assert_true(accounts_may_manage(&ca, &peer));
    assert_true(accounts_may_manage(&sa, &peer));
    /* a street admin is above a community admin, not the other way round */
    struct accounts_target street = target(1, STREET_ADMIN);
    assert_false(accounts_may_manage(&ca, &street));
    assert_true(accounts_may_manage(&sa, &street));
    /* an auditor is managed by district admins only */
    struct accounts_target aud = target(1, AUDITOR);
    assert_false(accounts_may_manage(&sa, &aud));
    assert_true(accounts_may_manage(&da, &aud));
    /* handlers and auditors manage nobody, not even a plain member */
    static const struct g member[] = {{SQ_ROLE_PUBLIC, "/1/2/16/"}};
    struct accounts_target mem = target(1, member);
    assert_true(accounts_may_manage(&ca, &mem));
    assert_false(accounts_may_manage(&h, &mem));
    assert_false(accounts_may_manage(&au, &mem));
    /* a resident registered at the district: district admins only */
    static const struct g resident[] = {{SQ_ROLE_PUBLIC, "/1/"}};
    struct accounts_target res = target(1, resident);
    assert_false(accounts_may_manage(&sa, &res));
    assert_true(accounts_may_manage(&da, &res));
    assert_false(accounts_may_manage(NULL, &res));
    assert_false(accounts_may_manage(&da, NULL));
}

static void test_manage_no_or_many_grants(void **state)
{
    (void)state;
    struct sq_user sa = caller(1, STREET_ADMIN), da = caller(1, DISTRICT_ADMIN);
    /* in no unit at all: only a district admin */
    struct accounts_target none = target(0, NULL);
    assert_false(accounts_may_manage(&sa, &none));
    assert_true(accounts_may_manage(&da, &none));
    /* a district admin's rank somewhere below the root is not the root's */
    static const struct g low_da[] = {{SQ_ROLE_DISTRICT_ADMIN, "/1/2/"}};
    struct sq_user lda = caller(1, low_da);
    assert_false(accounts_may_manage(&lda, &none));
    /* more grants than we hold: the ones we did not see could be anything */
    static const struct g member[] = {{SQ_ROLE_PUBLIC, "/1/2/16/"}};
    struct accounts_target many = target(1, member);
    many.truncated = true;
    assert_false(accounts_may_manage(&sa, &many));
    assert_true(accounts_may_manage(&da, &many));
}

/* ---- the password policy ---- */

static void refused(const char *pw, const char *login, const char *reason_en)
{
    struct sq_detail d = {0};
    enum sq_err e = sq_password_check(pw, login, 0, &d);
    if (e != SQ_EINVAL)
        fail_msg("'%s' (login %s) was accepted", pw, login ? login : "-");
    assert_string_equal(d.field, "password");
    /* zh-CN first, then " / " and English */
    const char *sep = strstr(d.message, " / ");
    if (!sep || (unsigned char)d.message[0] < 0x80)
        fail_msg("'%s': message not zh-CN / English: %s", pw, d.message);
    if (reason_en && !strstr(sep, reason_en))
        fail_msg("'%s': expected \"%s\" in: %s", pw, reason_en, d.message);
}

static void test_password_policy(void **state)
{
    (void)state;
    /* the list */
    refused("12345678", "resident", "too short: at least 10 characters");
    refused("aaaaaaaa", "resident", "too short");
    refused("password", "resident", "too short");
    refused("        ", "resident", "too short");
    refused("resident", "resident", NULL);
    /* the same at the minimum length and beyond: still refused, for a reason */
    refused("1234567890", "someone", "sequence");
    refused("aaaaaaaaaaaa", "someone", NULL);
    refused("password12", "someone", "dictionary");
    refused("Password123", "someone", "dictionary");
    refused("            ", "someone", NULL);
    refused("zhao.liu.zhao.liu", "zhao.liu", "login");
    refused("my-zhao.liu-2024", "zhao.liu", "login");
    refused("qwertyuiop", "someone", "dictionary");
    refused("", "someone", "empty");
    /* good ones */
    static const char *const good[] = {
        "maple-river-27", "correct horse battery", "Zq8#mVt2pLx", "first-pass-1",
        "long-enough",    "河边的小房子很安静的",  NULL};
    for (const char *const *p = good; *p; p++) {
        struct sq_detail d = {0};
        if (sq_password_check(*p, "zhao.liu", 0, &d) != SQ_OK)
            fail_msg("'%s' refused: %s", *p, d.message);
    }
    assert_int_equal(sq_password_check("maple-river-27", NULL, 0, NULL), SQ_OK);
    /* the minimum is a setting */
    struct sq_detail d = {0};
    assert_int_equal(sq_password_check("maple-river-27", "x", 20, &d), SQ_EINVAL);
    assert_non_null(strstr(d.message, "至少 20 个字符"));
    assert_non_null(strstr(d.message, "at least 20 characters"));
    assert_int_equal(sq_password_check("maple-riv", "x", 8, NULL), SQ_OK);
    assert_int_equal(sq_password_check("maple-riv", "x", 0, NULL), SQ_EINVAL); /* default 10 */
    assert_int_equal(SQ_PASSWORD_MIN_LENGTH, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks),
        cmocka_unit_test(test_grant_rule),
        cmocka_unit_test(test_manage_every_grant),
        cmocka_unit_test(test_manage_no_or_many_grants),
        cmocka_unit_test(test_password_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
