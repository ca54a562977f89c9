/*
 * appeals api: intake, reading, queues and the workflow actions.
 *
 * Who sees an appeal: its person (creator) and the collector who filed it;
 * staff whose APPEAL_READ grant covers the handling unit; district admins
 * and auditors. The contact phone is masked in every read; the handler who
 * needs it asks /appeals/{id}/contact, which is audited.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "appeals/appeals.h"
#include "appeals/meta.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "core/http.h"
#include "core/json.h"
#include "core/rcache.h"
#include "core/writer.h"
#include "units/units.h"

/* ---- access ---- */

/* The person, staff over the handling unit, and staff over the place where
 * the problem is (a community follows up an appeal it transferred away).
 * The appeal, its timeline and its files are read under this one rule. */
bool appeals_may_read(const struct sq_user *u, const struct sq_appeal *a)
{
    struct sq_unit loc;
    if (sq_appeal_is_person(u, a) || sq_may(u, SQ_PERM_APPEAL_READ, a->handler_unit_path) ||
        sq_may_all(u, SQ_PERM_APPEAL_READ))
        return true;
    return units_store_get(a->unit_id, &loc, NULL) == SQ_OK &&
           sq_may(u, SQ_PERM_APPEAL_READ, loc.path);
}

/* Loads the appeal named by :id and checks the caller may read it.
 * Returns 0 with *a filled, or the reply status. */
static int load(struct sq_req *r, struct sq_appeal *a)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = id ? appeals_store_get(id, a, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "没有这个诉求 / no such appeal");
    if (e)
        return sq_reply_err(r, e, &d);
    if (!appeals_may_read(r->user, a)) {
        sq_appeal_cleanup(a);
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "此诉求不在您的单位范围内 / this appeal is outside your units");
    }
    return 0;
}

/* The appeal as its detail page shows it to caller u (NULL: anonymous),
 * written straight into the reply text (no jansson tree: the detail is the
 * hottest read after the queue). allowed_actions: what this caller may do
 * to it now, by name (sq_appeal_decide). */
char *appeals_detail_text(const struct sq_user *u, const struct sq_appeal *a, size_t *len)
{
    struct sq_jbuf b;
    uint32_t m = sq_appeal_allowed_mask(u, a);
    bool first = true;
    sq_jbuf_init(&b, 8192);
    appeals_store_write_open(&b, a, true);
    sq_jbuf_lit(&b, ",\"events\":");
    appeals_store_write_events(&b, a->id);
    sq_jbuf_lit(&b, ",\"attachments\":");
    appeals_store_write_attachments(&b, a->id);
    sq_jbuf_lit(&b, ",\"allowed_actions\":[");
    for (int i = 0; i < SQ_AA__MAX; i++)
        if (m & (1u << i)) {
            if (!first)
                sq_jbuf_lit(&b, ",");
            first = false;
            sq_jbuf_str(&b, sq_appeal_action_name(i));
        }
    sq_jbuf_lit(&b, "]}");
    return sq_jbuf_take(&b, len);
}

/* Replies with the detail of a and releases it. */
static int reply_detail(struct sq_req *r, int status, struct sq_appeal *a)
{
    size_t len;
    char *text = appeals_detail_text(r->user, a, &len);
    sq_appeal_cleanup(a);
    return sq_reply_json_text(r, status, text, len);
}

/* The surroundings of a rule: now, the calendar (held until
 * appeals_calendar_release) and the configured warning share. */
static struct sq_appeal_ctx rules_ctx(void)
{
    return (struct sq_appeal_ctx){
        .now = sq_clock_now(),
        .cal = appeals_calendar_acquire(),
        .warn_percent = sq_app_config ? sq_app_config->warn_percent : 80,
    };
}

/* ---- intake ---- */

static const struct sq_field intake_fields[] = {
    {.name = "kind", .type = SQ_F_ENUM, .choices = sq_appeal_kinds},
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 2, .max = 100},
    {.name = "description", .type = SQ_F_TEXT, .required = true, .min = 5, .max = 5000},
    {.name = "category_id", .type = SQ_F_ID, .required = true},
    {.name = "unit_id", .type = SQ_F_ID, .required = true},
    {.name = "address", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "lat", .type = SQ_F_NUM, .min = -90, .max = 90, .nullable = true},
    {.name = "lon", .type = SQ_F_NUM, .min = -180, .max = 180, .nullable = true},
    {.name = "contact_name", .type = SQ_F_STR, .max = 50, .nullable = true},
    {.name = "contact_phone", .type = SQ_F_PHONE, .nullable = true},
    {.name = "urgency", .type = SQ_F_ENUM, .choices = sq_appeal_urgencies},
    {.name = "on_behalf", .type = SQ_F_BOOL},
    {.name = "kb_answer_id", .type = SQ_F_ID, .nullable = true},
    {0},
};

/* The handling unit for a new appeal located in `loc`. */
static int64_t route(const struct sq_category *c, const struct sq_unit *loc)
{
    struct sq_routing_rule *rules = NULL;
    int n = appeals_store_rules(&rules);
    int64_t h = sq_route_match(rules, n, c, loc->path);
    free(rules);
    if (h)
        return h;
    return sq_route_default_is_parent(loc->kind) && loc->parent_id ? loc->parent_id : loc->id;
}

/* Intake in two phases. prepare: validate, route and compute deadlines
 * (reads only, on the request thread). commit: the idempotency check, the
 * insert with its first event and the key, inside a transaction — on the
 * group-commit writer when serving, inline otherwise. */
struct intake {
    struct sq_write_job job;
    struct sq_appeal a;
    json_t *ev;
    int64_t actor;
    char scope[96];
    char key[132];
    char hash[crypto_generichash_BYTES * 2 + 1]; /* of the request body (idem_hash) */
    bool has_key;
    /* results */
    int64_t id;
    bool replayed;
    enum sq_err err;
    struct sq_detail d;
    struct sq_req *r;
};

static void intake_free(struct intake *in)
{
    sq_appeal_cleanup(&in->a);
    json_decref(in->ev);
    free(in);
}

static enum sq_err intake_prepare(json_t *in, const struct sq_user *u, const char *channel,
                                  struct intake *t, struct sq_detail *d)
{
    struct sq_category cat;
    struct sq_unit loc, handler;
    struct sq_appeal *a = &t->a;
    struct sq_sla sla;
    enum sq_err e;
    bool on_behalf = sq_json_bool(in, "on_behalf", false);
    if ((e = sq_validate(in, intake_fields, d)))
        return e;
    if ((e = appeals_store_category(sq_json_int(in, "category_id", 0), &cat, d)))
        return e == SQ_ENOTFOUND ? sq_fail(d, SQ_EINVAL, "category_id", "no such category") : e;
    if (!cat.active)
        return sq_fail(d, SQ_EINVAL, "category_id", "this category is no longer in use");
    if ((e = units_store_get(sq_json_int(in, "unit_id", 0), &loc, d)) || loc.archived)
        return sq_fail(d, SQ_EINVAL, "unit_id", "unit_id must be an active unit");
    if (sq_json_has(in, "lat") != sq_json_has(in, "lon"))
        return sq_fail(d, SQ_EINVAL, "lon", "give both lat and lon, or neither");
    if (on_behalf && !sq_user_has(u, SQ_PERM_APPEAL_COLLECT))
        return sq_fail(d, SQ_EFORBIDDEN, "on_behalf", "only collectors file on behalf of others");
    if ((!u || on_behalf) && !sq_json_str(in, "contact_phone", NULL))
        return sq_fail(d, SQ_EINVAL, "contact_phone",
                       "a contact phone is required when filing without an account or for "
                       "someone else");
    if (on_behalf && !sq_json_str(in, "contact_name", NULL))
        return sq_fail(d, SQ_EINVAL, "contact_name", "name the person you file for");
    const char *kind =
        sq_json_str(in, "kind", strcmp(cat.kind, "enterprise") ? "resident" : "enterprise");
    snprintf(a->kind, sizeof a->kind, "%s", kind);
    snprintf(a->urgency, sizeof a->urgency, "%s", sq_json_str(in, "urgency", cat.urgency));
    snprintf(a->channel, sizeof a->channel, "%s", on_behalf ? "collector" : channel);
    sq_appeal_set(&a->title, sq_json_str(in, "title", NULL));
    sq_appeal_set(&a->description, sq_json_str(in, "description", NULL));
    sq_appeal_set(&a->address, sq_json_str(in, "address", NULL));
    sq_appeal_set(&a->contact_name,
                  sq_json_str(in, "contact_name", u && !on_behalf ? u->display_name : NULL));
    sq_appeal_set(&a->contact_phone, sq_json_str(in, "contact_phone", NULL));
    if (!a->contact_phone && u && !on_behalf) {
        /* a person filing for themselves is called back on their own number */
        json_t *me = accounts_store_user_json(u->id);
        sq_appeal_set(&a->contact_phone, sq_json_str(me, "phone", NULL));
        json_decref(me);
    }
    a->has_geo = sq_json_has(in, "lat") && !json_is_null(json_object_get(in, "lat"));
    a->lat = sq_json_num(in, "lat", 0);
    a->lon = sq_json_num(in, "lon", 0);
    a->category_id = cat.id;
    a->unit_id = loc.id;
    a->kb_answer_id = sq_json_int(in, "kb_answer_id", 0);
    a->creator_id = u && !on_behalf ? u->id : 0;
    a->collector_id = on_behalf ? u->id : 0;
    a->status = SQ_AS_SUBMITTED;
    a->created_at = sq_clock_now();
    a->handler_unit_id = route(&cat, &loc);
    if ((e = units_store_get(a->handler_unit_id, &handler, d)))
        return e;
    snprintf(a->handler_unit_path, sizeof a->handler_unit_path, "%s", handler.path);
    appeals_store_sla(&cat, a->urgency, &sla);
    struct sq_appeal_ctx ctx = rules_ctx();
    sq_appeal_deadlines(ctx.cal, &sla, a->created_at, ctx.warn_percent, a);
    appeals_calendar_release();
    t->actor = u ? u->id : 0;
    t->ev = json_pack("{s:s,s:I,s:i,s:i}", "channel", a->channel, "handler_unit_id",
                      (json_int_t)a->handler_unit_id, "response_hours", sla.response_hours,
                      "resolve_days", sla.resolve_days);
    return SQ_OK;
}

/* Idempotency-Key: a key names one request of one caller. The scope is the
 * caller (the account, or the client address when anonymous) and the key
 * is bound to a BLAKE2b-256 hash of the body in canonical form (keys
 * sorted, compact), so only the same request replays the first answer: a
 * different body with the same key, such as another person's appeal from
 * the same address, is refused and never answered with the first one. */
static void idem_hash(json_t *body, char out[crypto_generichash_BYTES * 2 + 1])
{
    unsigned char h[crypto_generichash_BYTES];
    /* no body hashes as the empty text (intake refuses it later anyway) */
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    crypto_generichash(h, sizeof h, (const unsigned char *)(text ? text : ""),
                       text ? strlen(text) : 0, NULL, 0);
    free(text);
    sodium_bin2hex(out, crypto_generichash_BYTES * 2 + 1, h, sizeof h);
}

static void idem_set(struct intake *t, const char *scope, const char *key, json_t *body)
{
    t->has_key = true;
    snprintf(t->scope, sizeof t->scope, "%s", scope);
    snprintf(t->key, sizeof t->key, "%s", key);
    idem_hash(body, t->hash);
}

/* Runs inside a transaction (the writer's batch or intake_commit's own). */
static enum sq_err intake_run(void *ctx, struct sq_detail *d)
{
    struct intake *t = ctx;
    enum sq_err e;
    int64_t first = 0;
    if (t->has_key && (e = appeals_store_idem_claim(t->scope, t->key, t->hash, &first, d)))
        return e;
    if (first) {
        t->id = first;
        t->replayed = true;
        return SQ_OK;
    }
    if ((e = appeals_store_insert(&t->a, t->actor, t->ev, d)))
        return e;
    if (t->has_key && (e = appeals_store_idem_bind(t->scope, t->key, t->a.id, d)))
        return e;
    t->id = t->a.id;
    return SQ_OK;
}

/* Without the writer: the same job in a transaction of its own. */
static enum sq_err intake_commit_inline(struct intake *t, struct sq_detail *d)
{
    return sq_db_run_tx(intake_run, t, d);
}

enum sq_err appeals_intake(json_t *in, const struct sq_user *u, const char *channel,
                           const char *idem_scope, const char *idem_key, int64_t *id,
                           bool *replayed, struct sq_detail *d);

/* The whole intake in one call (Open311, tools): prepare and commit inline. */
enum sq_err appeals_intake(json_t *in, const struct sq_user *u, const char *channel,
                           const char *idem_scope, const char *idem_key, int64_t *id,
                           bool *replayed, struct sq_detail *d)
{
    struct intake *t = calloc(1, sizeof *t);
    enum sq_err e;
    if (!t)
        return sq_fail(d, SQ_EINTERNAL, NULL, "out of memory");
    if (idem_key)
        idem_set(t, idem_scope, idem_key, in);
    if (!(e = intake_prepare(in, u, channel, t, d)))
        e = intake_commit_inline(t, d);
    *id = t->id;
    *replayed = t->replayed;
    intake_free(t);
    return e;
}

/* Replies with the created (or replayed) appeal. */
static int intake_reply(struct sq_req *r, struct intake *t)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    enum sq_err e;
    if (t->err)
        return sq_reply_err(r, t->err, &t->d);
    if ((e = appeals_store_get(t->id, &a, &d)))
        return sq_reply_err(r, e, &d);
    if (t->replayed)
        sq_reply_header(r, "Idempotent-Replayed", "true");
    return reply_detail(r, 201, &a);
}

static int intake_continue(struct sq_req *r)
{
    struct intake *t = r->cont_ctx;
    int st = intake_reply(r, t);
    intake_free(t);
    r->cont_ctx = NULL;
    return st;
}

static void intake_done(void *ctx, enum sq_err e, const struct sq_detail *d)
{
    struct intake *t = ctx;
    t->err = e;
    if (e)
        t->d = *d;
    sq_http_resume(t->r);
}

static int appeals_create(struct sq_req *r)
{
    if (!r->user && !sq_app_config->anonymous_appeals)
        return sq_reply_errf(r, SQ_EAUTH, NULL, "sign in to file an appeal");
    int retry = 0;
    if (!r->user &&
        !sq_ratelimit_take("anon_appeal", r->ip, sq_app_config->anon_appeals_per_hour, &retry))
        return sq_reply_rate_limited(r, retry, "该地址匿名提交的诉求过多，可登录后提交",
                                     "too many anonymous appeals from this address; sign in to "
                                     "file more");
    if (r->user && !sq_user_has(r->user, SQ_PERM_APPEAL_CREATE))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "your role does not file appeals");
    const char *key = sq_req_header(r, "Idempotency-Key");
    if (key && (strlen(key) < 1 || strlen(key) > 128))
        return sq_reply_errf(r, SQ_EINVAL, "Idempotency-Key",
                             "Idempotency-Key must be 1 to 128 "
                             "characters");
    struct intake *t = calloc(1, sizeof *t);
    if (!t)
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "out of memory");
    if (key) {
        char scope[96];
        if (r->user)
            snprintf(scope, sizeof scope, "u:%lld", (long long)r->user->id);
        else
            snprintf(scope, sizeof scope, "a:%s", r->ip);
        idem_set(t, scope, key, r->json);
    }
    enum sq_err e =
        intake_prepare(r->json, r->user, r->cookie_auth || !r->user ? "web" : "api", t, &t->d);
    if (e) {
        int st = sq_reply_err(r, e, &t->d);
        intake_free(t);
        return st;
    }
    t->r = r;
    t->job.run = intake_run;
    t->job.done = intake_done;
    t->job.ctx = t;
    if (sq_http_can_defer(r) && sq_writer_running()) {
        /* suspend before submitting: the writer may finish at once */
        sq_http_defer(r, intake_continue, t);
        if (!sq_writer_submit(&t->job)) {
            t->err = sq_fail(&t->d, SQ_EINTERNAL, NULL, "the server is stopping; try again");
            sq_http_resume(r);
        }
        return 0;
    }
    t->err = intake_commit_inline(t, &t->d);
    int st = intake_reply(r, t);
    intake_free(t);
    return st;
}

/* ---- reading ---- */

static int appeals_get(struct sq_req *r)
{
    struct sq_appeal a;
    int st = load(r, &a);
    if (st)
        return st;
    return reply_detail(r, 200, &a);
}

static int appeals_contact(struct sq_req *r)
{
    struct sq_appeal a;
    int st = load(r, &a);
    if (st)
        return st;
    struct sq_detail d = {0};
    enum sq_err e = sq_appeal_decide(r->user, &a, SQ_AA_CONTACT, &d);
    if (e) {
        sq_appeal_cleanup(&a);
        return sq_reply_err(r, e, &d);
    }
    json_t *o = json_pack("{s:I,s:s?,s:s?}", "appeal_id", (json_int_t)a.id, "contact_name",
                          a.contact_name, "contact_phone", a.contact_phone);
    sq_audit_write(r->user->id, "personal_read", "appeal", a.id, r->ip, NULL);
    sq_appeal_cleanup(&a);
    return sq_reply_json(r, 200, o);
}

/* sort names (declared choices of ?sort); the store turns them into ORDER BY */
static const char *const sort_names[] = {"-created_at", "created_at", "due_at", "-due_at",
                                         "-id",         "id",         NULL};

/* Writes one list item, keys in the order the API has always printed them:
 * the page is serialised straight from the statement, with no jansson tree. */
static void item_write(const struct sq_appeal_item *it, void *ctx)
{
    struct sq_jbuf *b = ctx;
    sq_jbuf_lit(b, b->p[b->len - 1] == '[' ? "{\"id\":" : ",{\"id\":");
    sq_jbuf_int(b, it->id);
    sq_jbuf_lit(b, ",\"tracking_no\":");
    sq_jbuf_str(b, it->tracking_no);
    sq_jbuf_lit(b, ",\"kind\":");
    sq_jbuf_str(b, it->kind);
    sq_jbuf_lit(b, ",\"title\":");
    sq_jbuf_str(b, it->title);
    sq_jbuf_lit(b, ",\"status\":");
    sq_jbuf_str(b, it->status);
    sq_jbuf_lit(b, ",\"urgency\":");
    sq_jbuf_str(b, it->urgency);
    sq_jbuf_lit(b, ",\"category_id\":");
    sq_jbuf_int(b, it->category_id);
    sq_jbuf_lit(b, ",\"category_name\":");
    sq_jbuf_str(b, it->category_name);
    sq_jbuf_lit(b, ",\"unit_id\":");
    sq_jbuf_int(b, it->unit_id);
    sq_jbuf_lit(b, ",\"unit_name\":");
    sq_jbuf_str(b, it->unit_name);
    sq_jbuf_lit(b, ",\"handler_unit_id\":");
    sq_jbuf_int(b, it->handler_unit_id);
    sq_jbuf_lit(b, ",\"handler_unit_name\":");
    sq_jbuf_str(b, it->handler_unit_name);
    sq_jbuf_lit(b, ",\"handler_id\":");
    if (it->handler_id)
        sq_jbuf_int(b, it->handler_id);
    else
        sq_jbuf_lit(b, "null");
    sq_jbuf_lit(b, ",\"created_at\":");
    sq_jbuf_time(b, it->created_at);
    sq_jbuf_lit(b, ",\"due_at\":");
    sq_jbuf_time(b, it->due_at);
    sq_jbuf_lit(b, it->warned ? ",\"warned\":true" : ",\"warned\":false");
    sq_jbuf_lit(b, it->overdue ? ",\"overdue\":true" : ",\"overdue\":false");
    sq_jbuf_lit(b, ",\"channel\":");
    sq_jbuf_str(b, it->channel);
    sq_jbuf_lit(b, ",\"satisfaction\":");
    sq_jbuf_str(b, it->satisfaction[0] ? it->satisfaction : NULL);
    sq_jbuf_lit(b, ",\"reopen_count\":");
    sq_jbuf_int(b, it->reopen_count);
    sq_jbuf_lit(b, "}");
}

static int appeals_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct sq_appeal_filter f = {0};
    const char *scope[SQ_MAX_GRANTS];
    char statuses[256], unit_path[128];
    struct sq_jbuf items;
    int64_t total = 0, unit_id = 0;
    char next[32], key[1024], *text;
    size_t len;
    /* read before anything else is (see core/rcache.h) */
    uint64_t gen = sq_rcache_generation();
    /* the query was checked against list_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    const char *s = sq_req_query(r, "status");
    snprintf(statuses, sizeof statuses, "%s", s ? s : "");
    char *save = NULL;
    for (char *t = strtok_r(statuses, ",", &save); t; t = strtok_r(NULL, ",", &save))
        f.statuses[f.nstatuses++] = t;
    f.category_id = sq_query_int(r, "category", 0);
    unit_id = sq_query_int(r, "unit", 0);
    const char *h = sq_req_query(r, "handler");
    f.handler_id = h && !strcmp(h, "me") ? r->user->id : sq_query_int(r, "handler", 0);
    f.kind = sq_req_query(r, "kind");
    f.urgency = sq_req_query(r, "urgency");
    f.q = sq_req_query(r, "q");
    f.from = sq_query_time(r, "from");
    f.to = sq_query_time(r, "to");
    f.overdue = sq_query_bool(r, "overdue");
    if (sq_req_query(r, "due_within"))
        f.due_before = sq_clock_now() + sq_query_int(r, "due_within", 0) * 3600;
    const char *q = sq_req_query(r, "queue");
    if (q) {
        if (!strcmp(q, "mine"))
            f.handler_id = r->user->id;
        else if (!strcmp(q, "overdue"))
            f.overdue = true;
        else if (!strcmp(q, "due_soon"))
            f.due_before = sq_clock_now() + 24 * 3600;
        else if (!strcmp(q, "own"))
            f.creator_or_collector = r->user->id;
        if (strcmp(q, "own") && strcmp(q, "mine") && !f.nstatuses) {
            /* staff queues show open work unless a status is asked for */
            for (int i = 0; i < SQ_AS__MAX; i++)
                if (sq_appeal_status_open(i))
                    f.statuses[f.nstatuses++] = sq_appeal_status_name(i);
        }
    }
    const char *sort = sq_req_query(r, "sort");
    /* the router has checked the name against the declared choices */
    f.order = sort_names[0];
    for (size_t i = 0; sort && sort_names[i]; i++)
        if (!strcmp(sort_names[i], sort))
            f.order = sort_names[i];
    if (unit_id) {
        struct sq_unit u;
        if (units_store_get(unit_id, &u, &d))
            return sq_reply_errf(r, SQ_EINVAL, "unit", "no such unit");
        snprintf(unit_path, sizeof unit_path, "%s", u.path);
        f.unit_path = unit_path;
    }
    /* scoping: staff see their subtrees; people see their own */
    if (!sq_may_all(r->user, SQ_PERM_APPEAL_READ)) {
        f.nscope = sq_scope_paths_except(r->user, SQ_PERM_APPEAL_READ, SQ_ROLE_BIT(SQ_ROLE_PUBLIC),
                                         scope, SQ_MAX_GRANTS);
        if (!f.nscope || (q && !strcmp(q, "own")))
            f.creator_or_collector = r->user->id;
        else
            f.scope_paths = scope;
    }
    /* Pages are cached per caller and query: the scope follows from the
     * caller's grants, which only a commit changes. Not the clock-dependent
     * queues (due soon), whose answer moves without any write. */
    int kn = snprintf(key, sizeof key, "appeals/list user=%lld ", (long long)r->user->id);
    bool cacheable =
        !f.due_before && kn > 0 && sq_req_query_all(r, key + kn, sizeof key - (size_t)kn);
    if (cacheable && sq_rcache_get(key, &text, &len))
        return sq_reply_json_text(r, 200, text, len);
    /* {"items":[...],"total":N,"next":"..."|null}, as sq_reply_list() prints */
    sq_jbuf_init(&items, 16384);
    sq_jbuf_lit(&items, "{\"items\":[");
    enum sq_err e = appeals_store_list(&f, &pg, item_write, &items, &total, &d);
    if (e) {
        sq_jbuf_cleanup(&items);
        return sq_reply_err(r, e, &d);
    }
    sq_jbuf_lit(&items, "],\"total\":");
    sq_jbuf_int(&items, total);
    sq_jbuf_lit(&items, ",\"next\":");
    sq_jbuf_str(&items, sq_page_next(&pg, total, next));
    sq_jbuf_lit(&items, "}");
    text = sq_jbuf_take(&items, &len);
    if (cacheable)
        sq_rcache_put(key, gen, text, len);
    return sq_reply_json_text(r, 200, text, len);
}

/* ---- actions ---- */

static const struct sq_field f_note_opt[] = {{.name = "note", .type = SQ_F_TEXT, .max = 2000}, {0}};
static const struct sq_field f_assign[] = {
    {.name = "handler_id", .type = SQ_F_ID, .required = true},
    {.name = "note", .type = SQ_F_TEXT, .max = 2000},
    {0}};
static const struct sq_field f_transfer[] = {
    {.name = "unit_id", .type = SQ_F_ID, .required = true},
    {.name = "reason", .type = SQ_F_TEXT, .required = true, .min = 2, .max = 1000},
    {0}};
static const struct sq_field f_reason[] = {
    {.name = "reason", .type = SQ_F_TEXT, .required = true, .min = 2, .max = 1000}, {0}};
static const struct sq_field f_note[] = {
    {.name = "note", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 2000}, {0}};
static const struct sq_field f_reply[] = {
    {.name = "reply", .type = SQ_F_TEXT, .required = true, .min = 2, .max = 5000}, {0}};
static const struct sq_field f_extend[] = {
    {.name = "days", .type = SQ_F_INT, .min = 1, .max = 30},
    {.name = "reason", .type = SQ_F_TEXT, .min = 2, .max = 1000},
    {.name = "approve", .type = SQ_F_BOOL},
    {.name = "note", .type = SQ_F_TEXT, .max = 1000},
    {0}};
static const struct sq_field f_merge[] = {{.name = "master_id", .type = SQ_F_ID, .required = true},
                                          {.name = "note", .type = SQ_F_TEXT, .max = 1000},
                                          {0}};
static const struct sq_field f_rate[] = {
    {.name = "speed", .type = SQ_F_INT, .required = true, .min = 1, .max = 5},
    {.name = "result", .type = SQ_F_INT, .required = true, .min = 1, .max = 5},
    {.name = "attitude", .type = SQ_F_INT, .required = true, .min = 1, .max = 5},
    {.name = "solved", .type = SQ_F_ENUM, .required = true, .choices = sq_solved_values},
    {.name = "satisfaction", .type = SQ_F_ENUM, .required = true, .choices = sq_satisfactions},
    {.name = "comment", .type = SQ_F_TEXT, .max = 1000},
    {0}};
static const char *const verdicts[] = {"approved", "rejected", NULL};
static const struct sq_field f_review[] = {
    {.name = "note", .type = SQ_F_TEXT, .required = true, .min = 1, .max = 2000},
    {.name = "verdict", .type = SQ_F_ENUM, .choices = verdicts},
    {0}};

static const struct sq_field *const action_fields[SQ_AA__MAX] = {
    [SQ_AA_ACCEPT] = f_note_opt, [SQ_AA_ASSIGN] = f_assign,   [SQ_AA_TRANSFER] = f_transfer,
    [SQ_AA_RETURN] = f_reason,   [SQ_AA_NOTE] = f_note,       [SQ_AA_REPLY] = f_reply,
    [SQ_AA_RESOLVE] = f_reply,   [SQ_AA_REJECT] = f_reason,   [SQ_AA_EXTEND] = f_extend,
    [SQ_AA_SUSPEND] = f_reason,  [SQ_AA_RESUME] = f_note_opt, [SQ_AA_MERGE] = f_merge,
    [SQ_AA_RATE] = f_rate,       [SQ_AA_REVIEW] = f_review,   [SQ_AA_REOPEN] = f_reason,
    [SQ_AA_ESCALATE] = f_reason,
};

/* A unit as the rules see it; false when there is none such. */
static bool unit_load(int64_t id, struct sq_appeal_unit *out)
{
    struct sq_unit u;
    if (!id || units_store_get(id, &u, NULL) != SQ_OK)
        return false;
    out->id = u.id;
    out->archived = u.archived;
    snprintf(out->path, sizeof out->path, "%s", u.path);
    snprintf(out->name, sizeof out->name, "%s", u.name);
    return true;
}

/* The parent of a's handling unit into *out; NULL at the top of the tree. */
static const struct sq_appeal_unit *parent_load(const struct sq_appeal *a,
                                                struct sq_appeal_unit *out)
{
    struct sq_unit h;
    if (units_store_get(a->handler_unit_id, &h, NULL) != SQ_OK || !unit_load(h.parent_id, out))
        return NULL;
    return out;
}

/* What an action's rule needs besides the body: loaded here, borrowed by
 * the input. Absent records leave their pointer NULL: the rule says why. */
struct action_load {
    struct sq_user assignee;
    struct sq_appeal master;
    struct sq_appeal_unit unit, handler_unit, transferred_from, parent;
    bool has_master;
};

/* The handler's part of an action: the validated body of `action` into x,
 * and the records it names loaded into l. Nothing is decided here (that is
 * sq_appeal_act); only a failing database read is an error. */
static enum sq_err action_input(const struct sq_appeal *a, int action, json_t *in,
                                struct action_load *l, struct sq_appeal_input *x,
                                struct sq_detail *d)
{
    x->note = sq_json_str(in, "note", NULL);
    x->reason = sq_json_str(in, "reason", NULL);
    x->reply = sq_json_str(in, "reply", NULL);
    switch (action) {
    case SQ_AA_ASSIGN: {
        x->handler_id = sq_json_int(in, "handler_id", 0);
        json_t *tu = accounts_store_user_json(x->handler_id);
        if (tu) {
            l->assignee.id = x->handler_id;
            accounts_store_load_grants(x->handler_id, &l->assignee);
            x->assignee = &l->assignee;
        }
        json_decref(tu);
        break;
    }
    case SQ_AA_TRANSFER:
    case SQ_AA_RETURN: {
        if (action == SQ_AA_TRANSFER && unit_load(sq_json_int(in, "unit_id", 0), &l->unit))
            x->unit = &l->unit;
        if (unit_load(a->handler_unit_id, &l->handler_unit))
            x->handler_unit = &l->handler_unit;
        if (action == SQ_AA_RETURN) {
            if (unit_load(appeals_store_transferred_from(a->id), &l->transferred_from))
                x->transferred_from = &l->transferred_from;
            x->parent = parent_load(a, &l->parent);
        }
        break;
    }
    case SQ_AA_EXTEND:
        x->has_approve = sq_json_has(in, "approve");
        x->approve = sq_json_bool(in, "approve", false);
        x->has_days = sq_json_has(in, "days");
        x->days = (int)sq_json_int(in, "days", 1);
        break;
    case SQ_AA_MERGE:
        x->master_id = sq_json_int(in, "master_id", 0);
        if (x->master_id != a->id && appeals_store_get(x->master_id, &l->master, NULL) == SQ_OK) {
            l->has_master = true;
            x->master = &l->master;
        }
        break;
    case SQ_AA_RATE:
    case SQ_AA_REOPEN: {
        /* a dissatisfied rating reopens: both need the SLA and the tier above */
        struct sq_category cat;
        enum sq_err e;
        if ((e = appeals_store_category(a->category_id, &cat, d)))
            return e;
        appeals_store_sla(&cat, a->urgency, &x->sla);
        x->parent = parent_load(a, &l->parent);
        x->speed = (int)sq_json_int(in, "speed", 0);
        x->result = (int)sq_json_int(in, "result", 0);
        x->attitude = (int)sq_json_int(in, "attitude", 0);
        x->solved = sq_json_str(in, "solved", "");
        x->satisfaction = sq_json_str(in, "satisfaction", "");
        x->comment = sq_json_str(in, "comment", NULL);
        break;
    }
    case SQ_AA_REVIEW:
        x->verdict = sq_json_str(in, "verdict", "approved");
        break;
    default:
        break;
    }
    return SQ_OK;
}

static void action_load_cleanup(struct action_load *l)
{
    if (l->has_master)
        sq_appeal_cleanup(&l->master);
}

/* The steps to write: the decision's, and for a resolved master one for each
 * duplicate merged into it (they learn its outcome in the same transaction).
 * *children (loaded records, *nchildren of them) and the returned array are
 * malloc'd. */
static struct sq_appeal_step *steps_of(const struct sq_appeal_decision *dec, int action,
                                       struct sq_appeal **children, int *nchildren, int *n)
{
    int64_t *ids = NULL;
    int nc = 0;
    const struct sq_appeal *last = &dec->step[dec->n - 1].after;
    if (action == SQ_AA_RESOLVE)
        nc = appeals_store_children(last->id, &ids);
    struct sq_appeal_step *steps = calloc((size_t)(dec->n + nc), sizeof *steps);
    *children = calloc(nc ? (size_t)nc : 1, sizeof **children);
    *nchildren = 0;
    *n = 0;
    if (!steps || !*children) {
        free(ids);
        free(steps);
        free(*children);
        *children = NULL;
        return NULL;
    }
    for (int i = 0; i < dec->n; i++)
        steps[(*n)++] = dec->step[i]; /* borrowed: the decision still owns them */
    for (int i = 0; i < nc; i++) {
        struct sq_appeal *c = &(*children)[*nchildren];
        if (appeals_store_get(ids[i], c, NULL))
            continue;
        (*nchildren)++;
        sq_appeal_follow_master(last, c, dec->step[0].ev.actor_id, &steps[(*n)++]);
    }
    free(ids);
    return steps;
}

static int appeals_action(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_appeal a;
    struct sq_appeal_decision dec = {0};
    struct action_load l = {0};
    struct sq_appeal_input in = {0};
    struct sq_appeal_step *steps = NULL;
    struct sq_appeal *children = NULL;
    int nsteps = 0, nchildren = 0;
    int action = sq_appeal_action_parse(sq_req_param(r, "action"));
    if (action < 0)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "没有这个操作 / no such action: %.40s",
                             sq_req_param(r, "action"));
    enum sq_err e = sq_validate(r->json, action_fields[action], &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load(r, &a);
    if (st)
        return st;
    if (!(e = action_input(&a, action, r->json, &l, &in, &d))) {
        struct sq_appeal_ctx ctx = rules_ctx();
        e = sq_appeal_act(r->user, &a, action, &in, &ctx, &dec, &d);
        appeals_calendar_release();
    }
    if (e == SQ_ETRANSITION) {
        /* name what the status allows (to anyone), as this error always has */
        json_t *allowed_actions = sq_appeal_allowed_json(a.status);
        char *list = json_dumps(allowed_actions, JSON_COMPACT);
        st = sq_reply_errf(r, SQ_ETRANSITION, NULL, "%s; allowed: %s", d.message, list);
        json_object_set_new(json_object_get(r->out, "error"), "allowed", allowed_actions);
        free(list);
        goto out;
    }
    if (!e && !(steps = steps_of(&dec, action, &children, &nchildren, &nsteps)))
        e = sq_fail(&d, SQ_EINTERNAL, NULL, "内存不足 / out of memory");
    if (!e)
        e = appeals_store_apply_steps(steps, nsteps, &d);
    if (e) {
        st = sq_reply_err(r, e, &d);
        goto out;
    }
    sq_appeal_cleanup(&a);
    if (appeals_store_get(sq_req_param_id(r, "id"), &a, &d)) {
        st = sq_reply_err(r, SQ_EDB, &d);
        goto out;
    }
    size_t len;
    char *text = appeals_detail_text(r->user, &a, &len);
    st = sq_reply_json_text(r, 200, text, len);
out:
    for (int i = dec.n; i < nsteps; i++)
        sq_appeal_step_cleanup(&steps[i]);
    for (int i = 0; i < nchildren; i++)
        sq_appeal_cleanup(&children[i]);
    free(steps);
    free(children);
    sq_appeal_decision_cleanup(&dec);
    action_load_cleanup(&l);
    sq_appeal_cleanup(&a);
    return st;
}

/* ---- the events feed of one appeal ---- */

static int appeals_events(struct sq_req *r)
{
    struct sq_appeal a;
    int st = load(r, &a);
    if (st)
        return st;
    json_t *items = appeals_store_events_json(a.id);
    sq_appeal_cleanup(&a);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

int appeals_attach(struct sq_req *r);
int appeals_attachment_get(struct sq_req *r);

/* ---- declared query parameters ---- */

static const struct sq_query list_query[] = {
    SQ_QUERY_PAGE,
    {.name = "status",
     .type = SQ_Q_LIST,
     .choices = sq_appeal_status_names,
     .max = SQ_AS__MAX,
     .desc = "comma-separated statuses"},
    {.name = "category", .type = SQ_Q_ID, .desc = "category id"},
    {.name = "unit", .type = SQ_Q_ID, .desc = "location in this unit's subtree"},
    {.name = "handler", .type = SQ_Q_ID, .also = "me", .desc = "handler's user id, or me"},
    {.name = "kind", .type = SQ_Q_ENUM, .choices = sq_appeal_kinds, .desc = "kind of person"},
    {.name = "urgency", .type = SQ_Q_ENUM, .choices = sq_appeal_urgencies, .desc = "urgency"},
    {.name = "q", .type = SQ_Q_STR, .max = 100, .desc = "tracking number, title or text contains"},
    {.name = "from", .type = SQ_Q_TIME, .desc = "created at or after"},
    {.name = "to", .type = SQ_Q_TIME, .desc = "created before"},
    {.name = "overdue",
     .type = SQ_Q_ENUM,
     .empty_ok = true,
     .choices = (const char *const[]){"1", "true", "0", "false", NULL},
     .desc = "1/true: overdue only"},
    {.name = "due_within",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 24 * 365,
     .message = "due_within 须为 1 到 8760 小时 / due_within is hours, 1 to 8760",
     .desc = "due within this many hours"},
    {.name = "queue",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"mine", "unit", "overdue", "due_soon", "own", NULL},
     .desc = "a work queue (staff queues show open work unless a status is given)"},
    {.name = "sort",
     .type = SQ_Q_ENUM,
     .choices = sort_names,
     .desc = "prefix - for descending (default -created_at)"},
    {0},
};

static const struct sq_query attach_query[] = {
    {.name = "filename", .type = SQ_Q_STR, .desc = "the file's name, shown on download"},
    {0},
};

const struct sq_route appeals_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/appeals",
     .body = intake_fields,
     .fn = appeals_create,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_DIRECT,
     .summary = "file an appeal (Idempotency-Key honoured)"},
    {.method = "GET",
     .pattern = "/api/v1/appeals",
     .query = list_query,
     .fn = appeals_list,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "list appeals in your scope, with filters and queues"},
    {.method = "GET",
     .pattern = "/api/v1/appeals/:id",
     .fn = appeals_get,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "one appeal with its timeline"},
    {.method = "GET",
     .pattern = "/api/v1/appeals/:id/events",
     .fn = appeals_events,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "an appeal's timeline"},
    {.method = "GET",
     .pattern = "/api/v1/appeals/:id/contact",
     .fn = appeals_contact,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "the person's unmasked contact (audited)"},
    {.method = "POST",
     .pattern = "/api/v1/appeals/:id/attachments",
     .query = attach_query,
     .fn = appeals_attach,
     .perm = SQ_PERM_SIGNED_IN,
     .flags = SQ_ROUTE_RAW_BODY | SQ_ROUTE_DIRECT,
     .summary = "attach a photo or PDF"},
    {.method = "GET",
     .pattern = "/api/v1/attachments/:id",
     .fn = appeals_attachment_get,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "download an attachment"},
    {.method = "POST",
     .pattern = "/api/v1/appeals/:id/:action",
     .fn = appeals_action,
     .perm = SQ_PERM_SIGNED_IN,
     .summary =
         "workflow action: accept assign transfer return note reply resolve reject extend suspend "
         "resume merge rate review reopen escalate"},
    {0},
};
