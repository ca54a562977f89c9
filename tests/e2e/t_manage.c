/*
 * t_manage: who may act on an account (issue 10, items 1, 5, 8, 9).
 *
 *   - the takeover repro: a community admin gives the supervisor (a district
 *     admin) a public role in their community, resets the password and signs
 *     in as the supervisor. Now the first step is refused, and even when the
 *     district admin gave that public role, the community admin still may not
 *     reset, read unmasked, disable or revoke: EVERY grant of the target must
 *     be one the admin could give;
 *   - unmasked personal data: the person and the admins who may manage them,
 *     never a colleague (park_handler reading user 16: 403), audited;
 *   - an admin's reset ends every session of the person and forces a change
 *     at the next sign-in (the session may do nothing else meanwhile); the
 *     person's own change needs the current password, keeps the session it is
 *     made from and ends the others, admins included;
 *   - a user in no unit is the district admins' only;
 *   - the password policy on registration, creation, reset and self change.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define GOOD_PW "maple-river-27"

static long long cm1, st1;

static long long unit_by_code(const char *code)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/units?q=%s", code), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "items.0.code"), code);
    return H_INT(r->json, "items.0.id");
}

static void setup(void)
{
    h_need_demo();
    if (!cm1) {
        cm1 = unit_by_code("CM001");
        st1 = unit_by_code("ST01");
    }
}

static struct h_resp *login(const char *who, const char *pw)
{
    return h_reqf("POST", "/api/v1/auth/login", NULL, "{\"login\":\"%s\",\"password\":\"%s\"}", who,
                  pw);
}

static long long ngrants(long long user)
{
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/users/%lld/grants", user), h_tok("admin"), NULL);
    H_STATUS(r, 200);
    return H_INT(r->json, "total");
}

/* A new account created by `by` with `role` in `unit`. */
static long long new_user(const char *by, const char *login, const char *pw, const char *role,
                          long long unit)
{
    struct h_resp *r = h_reqf("POST", "/api/v1/users", h_tok(by),
                              "{\"login\":\"%s\",\"password\":\"%s\",\"display_name\":\"测试\","
                              "\"phone\":\"13700001234\",\"id_number\":\"420111199001011234\","
                              "\"role\":\"%s\",\"unit_id\":%lld}",
                              login, pw, role, unit);
    H_STATUS(r, 201);
    return H_INT(r->json, "id");
}

static void test_takeover_repro(void)
{
    setup();
    const char *ca = h_tok("community_admin");
    long long sup = h_uid("supervisor");
    const char *upath = h_fmt("/api/v1/users/%lld", sup);
    /* step 1: a foothold in the community: refused, nothing granted */
    H_ERR_FIELD(h_reqf("POST", "/api/v1/grants", ca,
                       "{\"user_id\":%lld,\"role\":\"public\",\"unit_id\":%lld}", sup, cm1),
                403, "forbidden", "user_id");
    H_EQ_INT(ngrants(sup), 1);
    /* step 2: the reset: refused, the password unchanged */
    H_ERR(h_req("PATCH", upath, ca, "{\"password\":\"taken-over-2024\"}"), 403, "forbidden");
    H_ERR(login("supervisor", "taken-over-2024"), 401, "unauthenticated");
    H_STATUS(login("supervisor", "sanqu-demo"), 200);
    /* and no unmasked data */
    H_ERR(h_req("GET", h_fmt("%s/personal", upath), ca, NULL), 403, "forbidden");

    /* the same with the foothold given by someone who may (the district
     * admin): one grant in scope is still not enough */
    struct h_resp *g = h_reqf("POST", "/api/v1/grants", h_tok("admin"),
                              "{\"user_id\":%lld,\"role\":\"public\",\"unit_id\":%lld}", sup, cm1);
    H_STATUS(g, 201);
    long long gid = H_INT(g->json, "id");
    H_ERR(h_req("PATCH", upath, ca, "{\"password\":\"taken-over-2024\"}"), 403, "forbidden");
    H_ERR(h_req("PATCH", upath, ca, "{\"display_name\":\"被接管\"}"), 403, "forbidden");
    H_ERR(h_req("PATCH", upath, ca, "{\"disabled\":true}"), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("%s/personal", upath), ca, NULL), 403, "forbidden");
    H_ERR(h_req("GET", h_fmt("%s/personal", upath), h_tok("street_admin"), NULL), 403, "forbidden");
    H_ERR(h_reqf("POST", "/api/v1/grants", ca,
                 "{\"user_id\":%lld,\"role\":\"handler\",\"unit_id\":%lld}", sup, cm1),
          403, "forbidden");
    H_ERR(h_req("DELETE", h_fmt("/api/v1/grants/%lld", gid), ca, NULL), 403, "forbidden");
    /* the masked record is readable (the supervisor is in the community now),
     * and says it may not be managed */
    struct h_resp *u = h_req("GET", upath, ca, NULL);
    H_STATUS(u, 200);
    H_ASSERT(json_is_false(h_get(u->json, "may_manage")));
    H_ERR(login("supervisor", "taken-over-2024"), 401, "unauthenticated");
    struct h_resp *me = h_req("GET", "/api/v1/me", h_tok("supervisor"), NULL);
    H_STATUS(me, 200);
    H_ASSERT(json_is_false(h_get(me->json, "must_change_password")));
    H_ASSERT(strcmp(H_STR(me->json, "user.display_name"), "被接管"));
    H_ASSERT(json_is_false(h_get(me->json, "user.disabled")));
    /* nothing the community admin tried is in the log as done */
    struct h_resp *a =
        h_req("GET", h_fmt("/api/v1/audit?action=user_update&actor=%lld", h_uid("community_admin")),
              h_tok("admin"), NULL);
    H_EQ_INT(H_INT(a->json, "total"), 0);
    H_STATUS(h_req("DELETE", h_fmt("/api/v1/grants/%lld", gid), h_tok("admin"), NULL), 200);
    H_EQ_INT(ngrants(sup), 1);
}

static void test_ranks_and_subtrees(void)
{
    setup();
    const char *ca = h_tok("community_admin"), *sa = h_tok("street_admin");
    /* the street admin manages the community admin (below, same rank), not
     * the reverse; neither manages the other street's staff */
    long long cadm = h_uid("community_admin"), sadm = h_uid("street_admin");
    struct h_resp *r = h_req("GET", h_fmt("/api/v1/users/%lld", cadm), sa, NULL);
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "may_manage")));
    H_STATUS(h_req("GET", h_fmt("/api/v1/users/%lld/personal", cadm), sa, NULL), 200);
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/personal", sadm), ca, NULL), 403, "forbidden");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", sadm), ca, "{\"display_name\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/personal", h_uid("community2_handler")), sa, NULL),
          403, "forbidden");
    /* grants at or below one's own rank only, in one's subtree only */
    long long u = new_user("community_admin", "rank.member", GOOD_PW, "public", cm1);
    H_STATUS(h_reqf("POST", "/api/v1/grants", ca,
                    "{\"user_id\":%lld,\"role\":\"unit_admin\",\"unit_id\":%lld}", u, cm1),
             201);
    H_ERR_FIELD(h_reqf("POST", "/api/v1/grants", ca,
                       "{\"user_id\":%lld,\"role\":\"handler\",\"unit_id\":%lld}", u, st1),
                403, "forbidden", "unit_id");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/grants", ca,
                       "{\"user_id\":%lld,\"role\":\"district_admin\",\"unit_id\":1}", u),
                403, "forbidden", NULL);
    /* once the street admin made them a street handler, the community admin
     * no longer manages them */
    H_STATUS(h_reqf("POST", "/api/v1/grants", sa,
                    "{\"user_id\":%lld,\"role\":\"handler\",\"unit_id\":%lld}", u, st1),
             201);
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", u), ca, "{\"display_name\":\"x\"}"), 403,
          "forbidden");
    H_STATUS(h_req("PATCH", h_fmt("/api/v1/users/%lld", u), sa, "{\"display_name\":\"街道经办\"}"),
             200);
}

static void test_personal_reads(void)
{
    setup();
    /* a colleague of the park handler (user 16 in the database) */
    long long mate = new_user("admin", "park.mate", GOOD_PW, "handler", unit_by_code("PK01"));
    const char *path = h_fmt("/api/v1/users/%lld/personal", mate);
    H_ERR(h_req("GET", path, h_tok("park_handler"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", "/api/v1/users/16/personal", h_tok("park_handler"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", path, h_tok("auditor"), NULL), 403, "forbidden");
    H_ERR(h_req("GET", path, h_tok("street_admin"), NULL), 403, "forbidden");
    /* nor does the masked read leak: */
    struct h_resp *m = h_req("GET", h_fmt("/api/v1/users/%lld", mate), h_tok("park_handler"), NULL);
    H_STATUS(m, 200);
    H_EQ_STR(H_STR(m->json, "phone"), "137****1234");
    H_ASSERT(!strstr(m->body, "420111199001011234"));
    /* colleagues in the community likewise */
    H_ERR(h_req("GET", h_fmt("/api/v1/users/%lld/personal", h_uid("community_admin")),
                h_tok("community_handler"), NULL),
          403, "forbidden");
    /* the person, and the district admin, do; each read is audited */
    const char *q = h_fmt("/api/v1/audit?action=personal_read&actor=%lld", mate);
    long long before = H_INT(h_req("GET", q, h_tok("admin"), NULL)->json, "total");
    struct h_resp *p = h_req("GET", path, h_session("park.mate", GOOD_PW)->token, NULL);
    H_STATUS(p, 200);
    H_EQ_STR(H_STR(p->json, "phone"), "13700001234");
    H_EQ_INT(H_INT(h_req("GET", q, h_tok("admin"), NULL)->json, "total"), before + 1);
    H_STATUS(h_req("GET", path, h_tok("supervisor"), NULL), 200);
}

static void test_admin_reset(void)
{
    setup();
    long long u = new_user("street_admin", "reset.me", GOOD_PW, "handler", cm1);
    const char *path = h_fmt("/api/v1/users/%lld", u);
    const struct h_session *a = h_login_fresh("reset.me", GOOD_PW);
    const struct h_session *b = h_login_fresh("reset.me", GOOD_PW);
    H_STATUS(h_req("GET", "/api/v1/appeals?limit=1", a->token, NULL), 200);
    /* a weak new password is refused and changes nothing */
    H_ERR_FIELD(h_req("PATCH", path, h_tok("community_admin"), "{\"password\":\"12345678\"}"), 422,
                "invalid", "password");
    H_STATUS(h_req("GET", "/api/v1/me", a->token, NULL), 200);
    /* the community admin resets it: every session ends */
    struct h_resp *r =
        h_req("PATCH", path, h_tok("community_admin"), "{\"password\":\"temp-key-8317\"}");
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "must_change_password")));
    H_ERR(h_req("GET", "/api/v1/me", a->token, NULL), 401, "unauthenticated");
    H_ERR(h_req("GET", "/api/v1/me", b->token, NULL), 401, "unauthenticated");
    H_ERR(login("reset.me", GOOD_PW), 401, "unauthenticated");
    /* signing in works, but only to choose a new password */
    r = login("reset.me", "temp-key-8317");
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "must_change_password")));
    const char *tok = H_STR(r->json, "token");
    struct h_resp *me = h_req("GET", "/api/v1/me", tok, NULL);
    H_STATUS(me, 200);
    H_ASSERT(json_is_true(h_get(me->json, "must_change_password")));
    H_ERR_FIELD(h_req("GET", "/api/v1/appeals?limit=1", tok, NULL), 403, "password_change_required",
                "password");
    H_ERR(h_req("GET", path, tok, NULL), 403, "password_change_required");
    H_ERR(h_req("PATCH", path, tok, "{\"display_name\":\"x\"}"), 403, "password_change_required");
    H_ERR_FIELD(h_req("PATCH", path, tok, "{\"password\":\"own-choice-5521\"}"), 422, "invalid",
                "current_password");
    H_ERR_FIELD(h_req("PATCH", path, tok,
                      "{\"password\":\"own-choice-5521\",\"current_password\":\"wrong-one\"}"),
                422, "invalid", "current_password");
    H_ERR_FIELD(h_req("PATCH", path, tok,
                      "{\"password\":\"aaaaaaaa\",\"current_password\":\"temp-key-8317\"}"),
                422, "invalid", "password");
    /* the message names the reason, zh-CN then English */
    struct h_resp *w =
        h_req("PATCH", path, tok,
              "{\"password\":\"temp-key-8317\",\"current_password\":\"temp-key-8317\"}");
    H_ERR_FIELD(w, 422, "invalid", "password");
    H_CONTAINS(H_STR(w->json, "error.message"), " / the new password must differ");
    H_STATUS(h_req("PATCH", path, tok,
                   "{\"password\":\"own-choice-5521\",\"current_password\":\"temp-key-8317\"}"),
             200);
    /* the flag is gone, the session goes on */
    me = h_req("GET", "/api/v1/me", tok, NULL);
    H_ASSERT(json_is_false(h_get(me->json, "must_change_password")));
    H_STATUS(h_req("GET", "/api/v1/appeals?limit=1", tok, NULL), 200);
    H_STATUS(login("reset.me", "own-choice-5521"), 200);
    H_ERR(login("reset.me", "temp-key-8317"), 401, "unauthenticated");
    /* the audit log tells a reset from a change, and holds no password */
    struct h_resp *al =
        h_req("GET", "/api/v1/audit?action=user_update&limit=5", h_tok("admin"), NULL);
    H_ASSERT(!strstr(al->body, "temp-key-8317") && !strstr(al->body, "own-choice-5521"));
    H_CONTAINS(al->body, "(reset)");
    H_CONTAINS(al->body, "(changed)");
}

static void test_self_change(void)
{
    setup();
    long long u = new_user("admin", "self.change", GOOD_PW, "district_admin", 1);
    const char *path = h_fmt("/api/v1/users/%lld", u);
    const struct h_session *a = h_login_fresh("self.change", GOOD_PW);
    const struct h_session *b = h_login_fresh("self.change", GOOD_PW);
    /* even a district admin needs the current password for their own */
    H_ERR_FIELD(h_req("PATCH", path, a->token, "{\"password\":\"fresh-start-9054\"}"), 422,
                "invalid", "current_password");
    struct h_resp *w =
        h_req("PATCH", path, a->token,
              "{\"password\":\"fresh-start-9054\",\"current_password\":\"nope-nope\"}");
    H_ERR_FIELD(w, 422, "invalid", "current_password");
    H_CONTAINS(H_STR(w->json, "error.message"), "当前密码不正确 / the current password is wrong");
    /* the wrong tries changed nothing: both sessions live, old password works */
    H_STATUS(h_req("GET", "/api/v1/me", b->token, NULL), 200);
    /* the policy applies to one's own change too */
    H_ERR_FIELD(h_reqf("PATCH", path, a->token,
                       "{\"password\":\"self.change\",\"current_password\":\"%s\"}", GOOD_PW),
                422, "invalid", "password");
    H_STATUS(h_reqf("PATCH", path, a->token,
                    "{\"password\":\"fresh-start-9054\",\"current_password\":\"%s\"}", GOOD_PW),
             200);
    /* this session stays, every other one ends; no forced change */
    struct h_resp *me = h_req("GET", "/api/v1/me", a->token, NULL);
    H_STATUS(me, 200);
    H_ASSERT(json_is_false(h_get(me->json, "must_change_password")));
    H_STATUS(h_req("GET", "/api/v1/audit?limit=1", a->token, NULL), 200);
    H_ERR(h_req("GET", "/api/v1/me", b->token, NULL), 401, "unauthenticated");
    H_ERR(login("self.change", GOOD_PW), 401, "unauthenticated");
    H_STATUS(login("self.change", "fresh-start-9054"), 200);
}

/* Guessing the current password through PATCH is throttled like a sign-in:
 * after the free failures the next try waits (429 with Retry-After), and
 * the right password is not even checked meanwhile. */
static void test_current_password_throttled(void)
{
    setup();
    long long u = new_user("admin", "guess.me", GOOD_PW, "district_admin", 1);
    const char *path = h_fmt("/api/v1/users/%lld", u);
    const struct h_session *a = h_login_fresh("guess.me", GOOD_PW);
    int limited = 0;
    /* stop the clock: a slow machine must not end a wait early */
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":0}"), 200);
    for (int i = 0; i < 12 && !limited; i++) {
        struct h_resp *w =
            h_req("PATCH", path, a->token,
                  "{\"password\":\"fresh-start-9054\",\"current_password\":\"wrong-guess\"}");
        if (w->status == 429) {
            limited = i + 1;
            H_ASSERT(strstr(w->headers, "Retry-After") || strstr(w->headers, "retry-after"));
        } else {
            H_ERR_FIELD(w, 422, "invalid", "current_password");
        }
    }
    H_ASSERTF(limited > 1 && limited <= 7, "throttled after %d tries", limited);
    H_STATUS(h_reqf("PATCH", path, a->token,
                    "{\"password\":\"fresh-start-9054\",\"current_password\":\"%s\"}", GOOD_PW),
             429);
    /* once the wait is over the old password still works: nothing changed */
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":3600}"), 200);
    h_forget_sessions();
    H_STATUS(login("guess.me", GOOD_PW), 200);
}

static void test_user_without_grants(void)
{
    setup();
    struct h_resp *r = h_req("POST", "/api/v1/users", h_tok("admin"),
                             "{\"login\":\"nowhere\",\"password\":\"" GOOD_PW "\","
                             "\"display_name\":\"无单位\",\"phone\":\"13700005555\"}");
    H_STATUS(r, 201);
    long long u = H_INT(r->json, "id");
    const char *path = h_fmt("/api/v1/users/%lld", u);
    /* in no unit, so no unit admin's: only the district admins manage them */
    H_ERR(h_reqf("POST", "/api/v1/grants", h_tok("street_admin"),
                 "{\"user_id\":%lld,\"role\":\"collector\",\"unit_id\":%lld}", u, cm1),
          403, "forbidden");
    H_ERR(h_req("PATCH", path, h_tok("street_admin"), "{\"password\":\"grab-this-1290\"}"), 403,
          "forbidden");
    H_ERR(h_req("GET", h_fmt("%s/personal", path), h_tok("street_admin"), NULL), 403, "forbidden");
    H_STATUS(h_req("GET", h_fmt("%s/personal", path), h_tok("supervisor"), NULL), 200);
    H_STATUS(h_reqf("POST", "/api/v1/grants", h_tok("admin"),
                    "{\"user_id\":%lld,\"role\":\"collector\",\"unit_id\":%lld}", u, cm1),
             201);
    /* now a member of the community: its admins manage them */
    H_STATUS(h_req("GET", h_fmt("%s/personal", path), h_tok("community_admin"), NULL), 200);
    /* a resident registered at the district stays the district admins' */
    H_ERR(h_req("PATCH", h_fmt("/api/v1/users/%lld", h_uid("resident")), h_tok("street_admin"),
                "{\"password\":\"grab-this-1290\"}"),
          403, "forbidden");
}

static void test_password_policy(void)
{
    setup();
    static const char *const weak[] = {"12345678", "aaaaaaaa",         "password",   "        ",
                                       "pol.user", "my-pol.user-home", "1234567890", NULL};
    for (const char *const *p = weak; *p; p++) {
        struct h_resp *r = h_reqf("POST", "/api/v1/auth/register", NULL,
                                  "{\"login\":\"pol.user\",\"password\":\"%s\",\"display_name\":"
                                  "\"x\",\"phone\":\"13912345678\"}",
                                  *p);
        H_ERR_FIELD(r, 422, "invalid", "password");
        const char *msg = H_STR(r->json, "error.message");
        H_ASSERTF((unsigned char)msg[0] >= 0x80 && strstr(msg, " / "),
                  "'%s': not a zh-CN / English message: %s", *p, msg);
        H_ERR_FIELD(h_reqf("POST", "/api/v1/users", h_tok("admin"),
                           "{\"login\":\"pol.user\",\"password\":\"%s\",\"display_name\":\"x\"}",
                           *p),
                    422, "invalid", "password");
    }
    struct h_resp *r = h_req("POST", "/api/v1/auth/register", NULL,
                             "{\"login\":\"pol.user\",\"password\":\"12345678\",\"display_name\":"
                             "\"x\",\"phone\":\"13912345678\"}");
    H_CONTAINS(H_STR(r->json, "error.message"), "至少 10 个字符 / password too short: at least 10");
    /* nothing was created by all that */
    H_EQ_INT(H_INT(h_req("GET", "/api/v1/users?q=pol.user", h_tok("admin"), NULL)->json, "total"),
             0);
    H_ERR(login("pol.user", "12345678"), 401, "unauthenticated");
    /* a good one is fine */
    H_STATUS(h_req("POST", "/api/v1/auth/register", NULL,
                   "{\"login\":\"pol.user\",\"password\":\"" GOOD_PW "\",\"display_name\":\"x\","
                   "\"phone\":\"13912345678\"}"),
             201);
    /* and an admin's reset follows the same policy */
    long long u = h_uid("student");
    H_ERR_FIELD(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", u), h_tok("admin"),
                       "{\"password\":\"student\"}"),
                422, "invalid", "password");
    H_ERR_FIELD(h_reqf("PATCH", h_fmt("/api/v1/users/%lld", u), h_tok("admin"),
                       "{\"password\":\"student-2024-x\"}"),
                422, "invalid", "password");
    H_STATUS(login("student", "sanqu-demo"), 200);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_takeover_repro),
        H_TEST(test_ranks_and_subtrees),
        H_TEST(test_personal_reads),
        H_TEST(test_admin_reset),
        H_TEST(test_self_change),
        H_TEST(test_current_password_throttled),
        H_TEST(test_user_without_grants),
        H_TEST(test_password_policy),
        {0},
    };
    return h_main(argc, argv, tests);
}
