/*
 * kb api: HTTP handlers of the knowledge base, search, suggestions and hot
 * problems. Each handler: parse + validate -> authorise -> call rules/store
 * -> reply. The route table at the end names each route's permission.
 *
 * Who sees what (docs/kb.md): published answers in their current text,
 * columns whose date has come and volumes, both with their published
 * answers only, are public. What is not public of an answer (the answer
 * while a draft, in review or archived; its version history and diffs; the
 * review note) is for the staff who may edit it (kb_may_edit: kb.write on
 * its unit, and kb.publish there once it is published or archived); to
 * anyone else it does not exist (404). Review actions need kb.publish on the
 * answer's unit; approving needs a reviewer other than the author (a
 * district-level reviewer is exempt): kb_check_action decides, and
 * allowed_actions lists what it allows. Columns and volumes belong to a unit
 * (district-wide ones to the root); only kb.publish holders at that unit or
 * above create, edit or delete them and see them in full (kb_may_manage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/appeals.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/http.h"
#include "core/json.h"
#include "kb/kb.h"
#include "stats/perms.h"
#include "units/units.h"

/* ---- helpers ---- */

/* Appeal read rights as search applies them (public grants: own only). */
static bool may_read_appeal(const struct sq_user *u, const struct kb_appeal_ref *ap)
{
    struct kb_scope sc;
    kb_scope_init(&sc, u);
    return kb_scope_may_read(&sc, ap->handler_unit_path, ap->creator_id, 0);
}

static bool may_see(const struct sq_user *u, const struct kb_answer *a)
{
    return a->status == KB_PUBLISHED || kb_may_edit(u, a);
}

/* The answer as this caller may see it: allowed_actions for the caller, and
 * the review note only for its editors. NULL if it vanished. */
static json_t *answer_json_for(const struct sq_user *u, int64_t id)
{
    struct kb_answer a;
    json_t *o = kb_store_get(id, &a, NULL) ? NULL : kb_store_answer_json(id);
    if (!o)
        return NULL;
    json_object_set_new(o, "allowed_actions", kb_allowed_for(u, &a));
    if (!kb_may_edit(u, &a))
        json_object_del(o, "review_note");
    return o;
}

static int reply_answer(struct sq_req *r, int status, int64_t id)
{
    json_t *o = answer_json_for(r->user, id);
    return o ? sq_reply_json(r, status, o) : sq_reply_errf(r, SQ_EDB, NULL, "answer vanished");
}

/* Loads the answer named by :id and checks the caller may see it; replies
 * with the error and returns its status otherwise (0 = go on). */
static int load_answer(struct sq_req *r, struct kb_answer *a)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e =
        id ? kb_store_get(id, a, &d) : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such answer");
    if (e)
        return sq_reply_err(r, e, &d);
    if (!may_see(r->user, a)) /* do not reveal that a draft exists */
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no answer with id %lld", (long long)id);
    return 0;
}

/* As load_answer, for the answer's history (versions, diffs): only its
 * editors see one; to others it does not exist. */
static int load_history(struct sq_req *r, struct kb_answer *a)
{
    int st = load_answer(r, a);
    if (st)
        return st;
    if (!kb_may_edit(r->user, a))
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL,
                             "只有可以编辑该答案的工作人员才能查看它的历史版本 / only staff who "
                             "may edit this answer see its history");
    return 0;
}

/* Checks an array of unit ids (source_units). */
static enum sq_err check_unit_ids(json_t *arr, struct sq_detail *d)
{
    size_t i;
    json_t *v;
    struct sq_unit u;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return sq_fail(d, SQ_EINVAL, "source_units", "source_units must be unit ids");
        if (units_store_get(json_integer_value(v), &u, NULL))
            return sq_fail(d, SQ_EINVAL, "source_units", "no unit with id %lld",
                           (long long)json_integer_value(v));
        for (size_t k = 0; k < i; k++)
            if (json_integer_value(json_array_get(arr, k)) == json_integer_value(v))
                return sq_fail(d, SQ_EINVAL, "source_units", "unit %lld is listed twice",
                               (long long)json_integer_value(v));
    }
    return SQ_OK;
}

static enum sq_err check_tags(json_t *arr, struct sq_detail *d)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !*s || sq_utf8_len(s) > 20)
            return sq_fail(d, SQ_EINVAL, "tags", "tags are strings of 1 to 20 characters");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                return sq_fail(d, SQ_EINVAL, "tags", "tags may not contain control characters");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_array_get(arr, k)), s))
                return sq_fail(d, SQ_EINVAL, "tags", "tag '%.40s' is listed twice", s);
    }
    return SQ_OK;
}

/* Checks an answer_ids array: distinct positive ids of published answers. */
static enum sq_err check_answer_ids(json_t *arr, struct sq_detail *d)
{
    size_t i;
    json_t *v;
    if (!arr)
        return SQ_OK;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return sq_fail(d, SQ_EINVAL, "answer_ids", "answer_ids must be answer ids");
        for (size_t k = 0; k < i; k++)
            if (json_integer_value(json_array_get(arr, k)) == json_integer_value(v))
                return sq_fail(d, SQ_EINVAL, "answer_ids", "answer %lld is listed twice",
                               (long long)json_integer_value(v));
    }
    return kb_store_check_published(arr, d);
}

/* ---- answers ---- */

static const struct sq_field answer_create_fields[] = {
    {.name = "category_id", .type = SQ_F_ID, .required = true},
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 2, .max = 100},
    {.name = "problem", .type = SQ_F_TEXT, .required = true, .min = 5, .max = 5000},
    {.name = "measures", .type = SQ_F_TEXT, .required = true, .min = 5, .max = 10000},
    {.name = "result", .type = SQ_F_TEXT, .max = 5000, .nullable = true},
    {.name = "conditions", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {.name = "source_units", .type = SQ_F_ARRAY, .max = 50, .nullable = true},
    {.name = "tags", .type = SQ_F_ARRAY, .max = 20, .nullable = true},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

static const struct sq_field answer_update_fields[] = {
    {.name = "category_id", .type = SQ_F_ID},
    {.name = "title", .type = SQ_F_STR, .min = 2, .max = 100},
    {.name = "problem", .type = SQ_F_TEXT, .min = 5, .max = 5000},
    {.name = "measures", .type = SQ_F_TEXT, .min = 5, .max = 10000},
    {.name = "result", .type = SQ_F_TEXT, .max = 5000, .nullable = true},
    {.name = "conditions", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {.name = "source_units", .type = SQ_F_ARRAY, .max = 50, .nullable = true},
    {.name = "tags", .type = SQ_F_ARRAY, .max = 20, .nullable = true},
    {.name = "note", .type = SQ_F_STR, .max = 200},
    {0},
};

static enum sq_err check_answer_body(json_t *in, struct sq_detail *d)
{
    enum sq_err e;
    int64_t cat = sq_json_int(in, "category_id", 0);
    if (cat && !kb_store_category_ok(cat))
        return sq_fail(d, SQ_EINVAL, "category_id",
                       "category_id must be one of the 16 livelihood categories "
                       "(GET /api/v1/kb/categories)");
    json_t *su = json_object_get(in, "source_units"), *tags = json_object_get(in, "tags");
    if (json_is_array(su) && (e = check_unit_ids(su, d)))
        return e;
    if (json_is_array(tags) && (e = check_tags(tags, d)))
        return e;
    return SQ_OK;
}

/* The unit a new answer belongs to: the given one (where the caller may
 * write) or the caller's first unit with kb.write. */
static int answer_unit(struct sq_req *r, int64_t given, const char *prefer_path, struct sq_unit *u)
{
    if (given) {
        if (units_store_get(given, u, NULL))
            return sq_reply_errf(r, SQ_EINVAL, "unit_id", "no unit with id %lld", (long long)given);
        if (!sq_may(r->user, SQ_PERM_KB_WRITE, u->path))
            return sq_reply_errf(r, SQ_EFORBIDDEN, "unit_id",
                                 "you may write answers only for your own units");
        return 0;
    }
    const struct sq_grant *pick = NULL;
    for (int i = 0; i < r->user->ngrants; i++) {
        const struct sq_grant *g = &r->user->grants[i];
        if (!sq_role_has(g->role, SQ_PERM_KB_WRITE))
            continue;
        if (!pick)
            pick = g;
        if (prefer_path && !strncmp(prefer_path, g->unit_path, strlen(g->unit_path))) {
            pick = g;
            break;
        }
    }
    if (!pick || units_store_get(pick->unit_id, u, NULL))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "you hold no unit where you may write answers");
    return 0;
}

static int answers_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit u;
    int64_t id = 0;
    enum sq_err e = sq_validate(r->json, answer_create_fields, &d);
    if (e || (e = check_answer_body(r->json, &d)))
        return sq_reply_err(r, e, &d);
    int st = answer_unit(r, sq_json_int(r->json, "unit_id", 0), NULL, &u);
    if (st)
        return st;
    if ((e = kb_store_create(r->json, u.id, u.path, r->user->id, 0, &id, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kb_answer_create", "kb_answer", id, r->ip, NULL);
    return reply_answer(r, 201, id);
}

static const struct sq_field from_appeal_fields[] = {
    {.name = "appeal_id", .type = SQ_F_ID, .required = true},
    {.name = "category_id", .type = SQ_F_ID},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

/* A draft pre-filled from a resolved appeal: title, problem (description),
 * measures (the reply), the location as source unit, and the link. */
static int answers_from_appeal(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_appeal_ref ap = {0};
    struct sq_unit u;
    int64_t id = 0;
    int status = 500;
    enum sq_err e = sq_validate(r->json, from_appeal_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if ((e = kb_store_appeal_ref(sq_json_int(r->json, "appeal_id", 0), &ap, &d))) {
        status = sq_reply_err(r, e == SQ_ENOTFOUND ? SQ_EINVAL : e, &d);
        goto out;
    }
    if (!may_read_appeal(r->user, &ap)) {
        status = sq_reply_errf(r, SQ_EFORBIDDEN, "appeal_id", "this appeal is outside your units");
        goto out;
    }
    if (!sq_appeal_status_done(sq_appeal_status_parse(ap.status))) {
        status = sq_reply_errf(r, SQ_ETRANSITION, "appeal_id",
                               "only a resolved appeal can become an answer (this one is %s)",
                               ap.status);
        goto out;
    }
    int64_t cat = sq_json_int(r->json, "category_id", kb_store_category_top(ap.category_id));
    if (!kb_store_category_ok(cat)) {
        status = sq_reply_errf(r, SQ_EINVAL, "category_id",
                               "the appeal's category is not a livelihood category; give "
                               "category_id");
        goto out;
    }
    if ((status = answer_unit(r, sq_json_int(r->json, "unit_id", 0), ap.handler_unit_path, &u)))
        goto out;
    char title[400];
    snprintf(title, sizeof title, "%s", ap.title);
    if (sq_utf8_len(title) < 2)
        snprintf(title, sizeof title, "%s", "（待补充标题）");
    json_t *in = json_pack("{s:I,s:s,s:s,s:s,s:[I]}", "category_id", (json_int_t)cat, "title",
                           title, "problem", ap.description, "measures",
                           ap.reply[0] ? ap.reply : "（待补充：采取的措施）", "source_units",
                           (json_int_t)ap.unit_id);
    e = kb_store_create(in, u.id, u.path, r->user->id, ap.id, &id, &d);
    json_decref(in);
    if (e) {
        status = sq_reply_err(r, e, &d);
        goto out;
    }
    sq_audit_write(r->user->id, "kb_answer_create", "kb_answer", id, r->ip, NULL);
    status = reply_answer(r, 201, id);
out:
    kb_appeal_ref_cleanup(&ap);
    return status;
}

/* sort names (declared choices of ?sort); the store turns them into ORDER BY */
static const char *const answer_sorts[] = {"-published_at", "published_at",   "-updated_at",
                                           "-reuse_count",  "-deflect_count", "id",
                                           "-id",           "title",          NULL};

static int answers_list(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_page pg;
    struct kb_answer_filter f = {.status = -1};
    const char *scope[16], *review[16];
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    /* the query was checked against answers_query before this runs */
    sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d);
    const char *s = sq_req_query(r, "status");
    if (s)
        f.status = kb_status_parse(s);
    f.category_id = sq_query_int(r, "category", 0);
    f.unit_id = sq_query_int(r, "unit", 0);
    f.column_id = sq_query_int(r, "column", 0);
    f.tag = sq_req_query(r, "tag");
    const char *sort = sq_req_query(r, "sort");
    for (size_t i = 0; sort && answer_sorts[i]; i++)
        if (!strcmp(answer_sorts[i], sort))
            f.sort = answer_sorts[i];
    if (r->user && sq_may_all(r->user, SQ_PERM_KB_WRITE) &&
        sq_may_all(r->user, SQ_PERM_KB_PUBLISH)) {
        f.all_statuses = true;
    } else {
        /* what kb_may_edit allows, as a filter */
        f.nscope = sq_scope_paths(r->user, SQ_PERM_KB_WRITE, scope, 16);
        f.scope_paths = scope;
        f.nreview = sq_scope_paths(r->user, SQ_PERM_KB_PUBLISH, review, 16);
        f.review_paths = review;
    }
    if (!f.all_statuses && f.nscope == 0 && f.status < 0)
        f.status = KB_PUBLISHED;
    if (!f.sort)
        f.sort = f.status == KB_PUBLISHED ? answer_sorts[0] : answer_sorts[2];
    enum sq_err e = kb_store_list(&f, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, items, total, sq_page_next(&pg, total, next));
}

static int answers_get(struct sq_req *r)
{
    struct kb_answer a;
    int st = load_answer(r, &a);
    if (st)
        return st;
    return reply_answer(r, 200, a.id);
}

static int answers_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    enum sq_err e = sq_validate(r->json, answer_update_fields, &d);
    if (e || (e = check_answer_body(r->json, &d)))
        return sq_reply_err(r, e, &d);
    int st = load_answer(r, &a);
    if (st)
        return st;
    if (!sq_may(r->user, SQ_PERM_KB_WRITE, a.unit_path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "this answer belongs to another unit");
    if (!kb_status_editable(a.status))
        return sq_reply_errf(r, SQ_ETRANSITION, NULL,
                             "an archived answer cannot be edited; restore it first");
    if (!kb_may_edit(r->user, &a))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "editing a published answer needs review rights (kb.publish)");
    bool any = false;
    static const char *const keys[] = {"category_id",  "title",  "problem",
                                       "measures",     "result", "conditions",
                                       "source_units", "tags",   NULL};
    for (int i = 0; keys[i]; i++)
        any |= sq_json_has(r->json, keys[i]);
    if (!any)
        return sq_reply_errf(r, SQ_EINVAL, NULL, "nothing to change: give at least one field");
    /* editing text under review sends it back to the writer's desk */
    int to = a.status == KB_IN_REVIEW ? KB_DRAFT : -1;
    if ((e = kb_store_update(&a, r->json, r->user->id, to, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kb_answer_update", "kb_answer", a.id, r->ip, NULL);
    return reply_answer(r, 200, a.id);
}

static int answers_delete(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    int st = load_answer(r, &a);
    if (st)
        return st;
    if (!sq_may(r->user, SQ_PERM_KB_WRITE, a.unit_path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "this answer belongs to another unit");
    if (a.status != KB_DRAFT || a.published_at)
        return sq_reply_errf(r, SQ_ETRANSITION, NULL,
                             "only a never-published draft can be "
                             "deleted; archive the answer instead");
    enum sq_err e = kb_store_delete(a.id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kb_answer_delete", "kb_answer", a.id, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)a.id, "deleted", 1));
}

static const struct sq_field transition_fields[] = {
    {.name = "note", .type = SQ_F_STR, .max = 500, .nullable = true},
    {0},
};

/* POST /api/v1/kb/answers/:id/<action>: the action is the route's last
 * path segment. */
static int answers_transition(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    const char *slash = strrchr(r->route->pattern, '/');
    int action = kb_action_parse(slash ? slash + 1 : "");
    enum sq_err e = sq_validate(r->json, transition_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load_answer(r, &a);
    if (st)
        return st;
    const struct sq_perm *need =
        kb_action_is_review(action) ? SQ_PERM_KB_PUBLISH : SQ_PERM_KB_WRITE;
    enum kb_refusal why = kb_check_action(r->user, &a, action);
    if (why == KB_NO_RIGHT)
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "%s on this answer needs %s on its unit",
                             kb_action_name(action), sq_perm_name(need));
    int to = kb_next_status(action, a.status);
    if (why == KB_ILLEGAL) {
        json_t *allowed = kb_allowed_json(a.status);
        char *list = json_dumps(allowed, JSON_COMPACT);
        json_decref(allowed);
        st = sq_reply_errf(r, SQ_ETRANSITION, NULL, "cannot %s an answer that is %s; allowed: %s",
                           kb_action_name(action), kb_status_name(a.status), list ? list : "[]");
        free(list);
        return st;
    }
    const char *note = sq_json_str(r->json, "note", NULL);
    if (action == KB_REJECT && (!note || !*note))
        return sq_reply_errf(r, SQ_EINVAL, "note", "say why the answer goes back (note)");
    if (why == KB_OWN_APPROVAL)
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL,
                             "another reviewer must approve an answer you wrote");
    if ((e = kb_store_transition(&a, action, to, r->user->id, note, &d)))
        return sq_reply_err(r, e, &d);
    json_t *det =
        json_pack("{s:s,s:s}", "from", kb_status_name(a.status), "to", kb_status_name(to));
    sq_audit_write(r->user->id, "kb_answer_transition", "kb_answer", a.id, r->ip, det);
    json_decref(det);
    return reply_answer(r, 200, a.id);
}

static int answers_versions(struct sq_req *r)
{
    struct kb_answer a;
    int st = load_history(r, &a);
    if (st)
        return st;
    json_t *items = kb_store_versions_json(a.id);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static int parse_version(struct sq_req *r, const char *s, const char *name, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > max)
        return sq_reply_errf(r, SQ_EINVAL, name, "%s must be a version from 1 to %d", name, max);
    *out = (int)v;
    return 0;
}

static int answers_version(struct sq_req *r)
{
    struct kb_answer a;
    int v, st = load_history(r, &a);
    if (st || (st = parse_version(r, sq_req_param(r, "version"), "version", a.version, &v)))
        return st;
    json_t *o = kb_store_version_json(a.id, v);
    return o ? sq_reply_json(r, 200, o) : sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such version");
}

static int answers_diff(struct sq_req *r)
{
    struct kb_answer a;
    int from, to, st = load_history(r, &a);
    if (st)
        return st;
    const char *f = sq_req_query(r, "from"), *t = sq_req_query(r, "to");
    char buf[16];
    if (!t) {
        snprintf(buf, sizeof buf, "%d", a.version);
        t = buf;
    }
    if ((st = parse_version(r, t, "to", a.version, &to)))
        return st;
    if (!f) {
        if (to < 2)
            return sq_reply_errf(r, SQ_EINVAL, "from",
                                 "version 1 has nothing before it; give from");
        from = to - 1;
    } else if ((st = parse_version(r, f, "from", a.version, &from))) {
        return st;
    }
    json_t *va = kb_store_version_json(a.id, from), *vb = kb_store_version_json(a.id, to);
    if (!va || !vb) {
        json_decref(va);
        json_decref(vb);
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no such version");
    }
    static const char *const text[] = {"title",  "problem",    "measures",
                                       "result", "conditions", NULL};
    static const char *const plain[] = {"category_id", "source_units", "tags", NULL};
    json_t *fields = json_object(), *changed = json_array();
    for (int i = 0; text[i]; i++) {
        const char *x = json_string_value(json_object_get(va, text[i]));
        const char *y = json_string_value(json_object_get(vb, text[i]));
        bool same = !strcmp(x ? x : "", y ? y : "");
        if (!same)
            json_array_append_new(changed, json_string(text[i]));
        json_object_set_new(fields, text[i], kb_diff_text(x, y));
    }
    for (int i = 0; plain[i]; i++) {
        json_t *x = json_object_get(va, plain[i]), *y = json_object_get(vb, plain[i]);
        if (!json_equal(x, y)) {
            json_array_append_new(changed, json_string(plain[i]));
            json_object_set_new(fields, plain[i], json_pack("{s:O,s:O}", "from", x, "to", y));
        }
    }
    json_t *o = json_pack("{s:I,s:i,s:i,s:o,s:o}", "answer_id", (json_int_t)a.id, "from", from,
                          "to", to, "changed", changed, "fields", fields);
    json_decref(va);
    json_decref(vb);
    return sq_reply_json(r, 200, o);
}

/* ---- appeal links and "this solved it" ---- */

static const struct sq_field link_fields[] = {
    {.name = "appeal_id", .type = SQ_F_ID, .required = true},
    {0},
};

static int answers_link(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    struct kb_appeal_ref ap = {0};
    enum sq_err e = sq_validate(r->json, link_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load_answer(r, &a);
    if (st)
        return st;
    if (a.status == KB_ARCHIVED)
        return sq_reply_errf(r, SQ_ETRANSITION, NULL, "the answer is archived");
    if ((e = kb_store_appeal_ref(sq_json_int(r->json, "appeal_id", 0), &ap, &d))) {
        st = sq_reply_err(r, e == SQ_ENOTFOUND ? SQ_EINVAL : e, &d);
        goto out;
    }
    if (!may_read_appeal(r->user, &ap)) {
        st = sq_reply_errf(r, SQ_EFORBIDDEN, "appeal_id", "this appeal is outside your units");
        goto out;
    }
    if ((e = kb_store_link(a.id, ap.id, r->user->id, &d))) {
        st = sq_reply_err(r, e, &d);
        goto out;
    }
    json_t *det = json_pack("{s:I}", "appeal_id", (json_int_t)ap.id);
    sq_audit_write(r->user->id, "kb_answer_link", "kb_answer", a.id, r->ip, det);
    json_decref(det);
    st = reply_answer(r, 201, a.id);
out:
    kb_appeal_ref_cleanup(&ap);
    return st;
}

static int answers_unlink(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    struct kb_appeal_ref ap = {0};
    int st = load_answer(r, &a);
    if (st)
        return st;
    int64_t aid = sq_req_param_id(r, "appeal_id");
    enum sq_err e =
        aid ? kb_store_appeal_ref(aid, &ap, &d) : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such appeal");
    if (e) {
        st = sq_reply_err(r, e, &d);
        goto out;
    }
    if (!may_read_appeal(r->user, &ap) || !sq_may(r->user, SQ_PERM_KB_WRITE, a.unit_path)) {
        st =
            sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "the answer or the appeal is outside your units");
        goto out;
    }
    if ((e = kb_store_unlink(a.id, ap.id, &d))) {
        st = sq_reply_err(r, e, &d);
        goto out;
    }
    st = reply_answer(r, 200, a.id);
out:
    kb_appeal_ref_cleanup(&ap);
    return st;
}

static int answers_links(struct sq_req *r)
{
    struct kb_answer a;
    struct kb_scope sc;
    int st = load_answer(r, &a);
    if (st)
        return st;
    kb_scope_init(&sc, r->user);
    json_t *items =
        kb_store_links_json(a.id, sc.all_appeals ? NULL : sc.paths, sc.all_appeals ? 0 : sc.npaths);
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field solved_fields[] = {
    {.name = "appeal_id", .type = SQ_F_ID, .nullable = true},
    {0},
};

static int answers_solved(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    enum sq_err e = sq_validate(r->json, solved_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int st = load_answer(r, &a);
    if (st)
        return st;
    if (a.status != KB_PUBLISHED)
        return sq_reply_errf(r, SQ_ETRANSITION, NULL, "only a published answer can solve a case");
    int64_t appeal = sq_json_int(r->json, "appeal_id", 0);
    if (appeal) {
        /* the appeals rule decides: its filer, while it is open (kb_solve) */
        struct sq_appeal ap;
        if ((e = appeals_store_get(appeal, &ap, &d)))
            return e == SQ_ENOTFOUND ? sq_reply_errf(r, SQ_EINVAL, "appeal_id", "no such appeal")
                                     : sq_reply_err(r, e, &d);
        e = sq_appeal_decide(r->user, &ap, SQ_AA_KB_SOLVE, &d);
        sq_appeal_cleanup(&ap);
        if (e) {
            d.field = "appeal_id";
            return sq_reply_err(r, e, &d);
        }
    }
    if ((e = kb_store_answered(a.id, appeal, r->user->id, &d)))
        return sq_reply_err(r, e, &d);
    json_t *o = kb_store_answer_json(a.id);
    json_t *out = json_pack("{s:I,s:o,s:I,s:I}", "answer_id", (json_int_t)a.id, "appeal_id",
                            appeal ? json_integer(appeal) : json_null(), "deflect_count",
                            json_integer_value(json_object_get(o, "deflect_count")), "reuse_count",
                            json_integer_value(json_object_get(o, "reuse_count")));
    if (appeal)
        json_object_set_new(out, "appeal_status", json_string("resolved"));
    json_decref(o);
    return sq_reply_json(r, 200, out);
}

static int kb_categories(struct sq_req *r)
{
    json_t *items = kb_store_categories_json();
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

/* ---- columns and volumes: owned by a unit ---- */

#define MANAGE_REFUSED                                                                                                                   \
    "只有在所属单位或其上级单位持有知识库发布权限（kb.publish）的管理员才能管理它；全区的专栏和" \
    "汇编只有区级管理员可以管理 / only admins holding kb.publish at the owning unit or above "                              \
    "manage it; district-wide ones only district admins"

static const char *const kind_noun[] = {[KB_COLUMN] = "column", [KB_VOLUME] = "volume"};
static const char *const kind_type[] = {[KB_COLUMN] = "kb_column", [KB_VOLUME] = "kb_volume"};

/* The kb.publish subtrees of the caller (who sees scheduled columns). */
static void collection_filter(const struct sq_req *r, struct kb_collection_filter *f,
                              const char **paths)
{
    f->all = sq_may_all(r->user, SQ_PERM_KB_PUBLISH);
    f->nscope = f->all ? 0 : sq_scope_paths(r->user, SQ_PERM_KB_PUBLISH, paths, 16);
    f->scope_paths = paths;
}

/* May the caller see the column or volume `id` in full (it manages it)?
 * A missing record is simply not managed. */
static bool manages(const struct sq_req *r, enum kb_kind kind, int64_t id)
{
    struct kb_owner o;
    return id && !kb_store_owner(kind, id, &o, NULL) && kb_may_manage(r->user, o.path);
}

/* The owner a new or edited column or volume is to have: the body's
 * unit_id, or on create the caller's highest unit with kb.publish; it must
 * be one the caller manages. Sets unit_id in the body. 0 = go on. */
static int pick_owner(struct sq_req *r, bool create)
{
    struct sq_unit u;
    int64_t id = sq_json_int(r->json, "unit_id", 0);
    if (!id && !create)
        return 0;
    if (!id) {
        const struct sq_grant *top = sq_widest_grant(r->user, SQ_PERM_KB_PUBLISH);
        if (!top)
            return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, MANAGE_REFUSED);
        id = top->unit_id;
    }
    if (units_store_get(id, &u, NULL))
        return sq_reply_errf(r, SQ_EINVAL, "unit_id",
                             "没有编号为 %lld 的单位 / no unit with id %lld", (long long)id,
                             (long long)id);
    if (!kb_may_manage(r->user, u.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, "unit_id", MANAGE_REFUSED);
    if (u.archived)
        return sq_reply_errf(r, SQ_EINVAL, "unit_id", "该单位已撤销 / the unit is archived");
    json_object_set_new(r->json, "unit_id", json_integer(id));
    return 0;
}

/* For edit and delete: the record must exist (404) and the caller manage
 * its owner (403). 0 = go on. */
static int check_managed(struct sq_req *r, enum kb_kind kind, int64_t id)
{
    struct sq_detail d = {0};
    struct kb_owner o;
    enum sq_err e = id ? kb_store_owner(kind, id, &o, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such %s", kind_noun[kind]);
    if (e)
        return sq_reply_err(r, e, &d);
    if (!kb_may_manage(r->user, o.path))
        return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, MANAGE_REFUSED);
    return 0;
}

/* ---- columns ---- */

static const struct sq_field column_create_fields[] = {
    {.name = "issue_no", .type = SQ_F_INT, .required = true, .min = 1, .max = 9999},
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 2, .max = 100},
    {.name = "intro", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {.name = "publish_date", .type = SQ_F_DATE, .required = true},
    {.name = "answer_ids", .type = SQ_F_ARRAY, .max = 50},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};
static const struct sq_field column_update_fields[] = {
    {.name = "issue_no", .type = SQ_F_INT, .min = 1, .max = 9999},
    {.name = "title", .type = SQ_F_STR, .min = 2, .max = 100},
    {.name = "intro", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {.name = "publish_date", .type = SQ_F_DATE},
    {.name = "answer_ids", .type = SQ_F_ARRAY, .max = 50},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

/* ---- volumes ---- */

static const struct sq_field volume_create_fields[] = {
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 2, .max = 100},
    {.name = "subtitle", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "preface", .type = SQ_F_TEXT, .max = 5000, .nullable = true},
    {.name = "edition", .type = SQ_F_STR, .max = 100, .nullable = true},
    {.name = "answer_ids", .type = SQ_F_ARRAY, .max = 500},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};
static const struct sq_field volume_update_fields[] = {
    {.name = "title", .type = SQ_F_STR, .min = 2, .max = 100},
    {.name = "subtitle", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "preface", .type = SQ_F_TEXT, .max = 5000, .nullable = true},
    {.name = "edition", .type = SQ_F_STR, .max = 100, .nullable = true},
    {.name = "answer_ids", .type = SQ_F_ARRAY, .max = 500},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

/* ---- the handlers of both kinds: the route says which ---- */

static enum kb_kind kind_of(const struct sq_req *r)
{
    return strstr(r->route->pattern, "/kb/volumes") ? KB_VOLUME : KB_COLUMN;
}

/* Columns: scheduled ones only to those who manage them; volumes: all. */
static int collections_list(struct sq_req *r)
{
    enum kb_kind kind = kind_of(r);
    struct sq_detail d = {0};
    struct sq_page pg;
    struct kb_collection_filter f;
    const char *paths[16];
    json_t *items = NULL;
    int64_t total = 0;
    char next[32];
    if (sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d))
        return sq_reply_err(r, SQ_EINVAL, &d);
    if (kind == KB_COLUMN)
        collection_filter(r, &f, paths);
    enum sq_err e =
        kb_store_collection_list(kind, kind == KB_COLUMN ? &f : NULL, &pg, &items, &total, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    return sq_reply_list(r, items, total, sq_page_next(&pg, total, next));
}

static int collection_get(struct sq_req *r)
{
    enum kb_kind kind = kind_of(r);
    int64_t id = sq_req_param_id(r, "id");
    json_t *o = id ? kb_store_collection_json(kind, id, manages(r, kind, id)) : NULL;
    return o ? sq_reply_json(r, 200, o)
             : sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no %s with id %lld", kind_noun[kind],
                             (long long)id);
}

/* POST creates, PATCH edits; the body is checked against the route's table. */
static int collection_save(struct sq_req *r)
{
    enum kb_kind kind = kind_of(r);
    bool create = !strcmp(r->route->method, "POST");
    struct sq_detail d = {0};
    char action[48];
    int64_t id = create ? 0 : sq_req_param_id(r, "id");
    int st;
    enum sq_err e = sq_validate(r->json, r->route->body, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    if ((!create && (st = check_managed(r, kind, id))) || (st = pick_owner(r, create)))
        return st;
    if ((e = check_answer_ids(json_object_get(r->json, "answer_ids"), &d)))
        return sq_reply_err(r, e, &d);
    if ((e = kb_store_collection_save(kind, &id, r->json, r->user->id, &d)))
        return sq_reply_err(r, e, &d);
    snprintf(action, sizeof action, "%s_%s", kind_type[kind], create ? "create" : "update");
    sq_audit_write(r->user->id, action, kind_type[kind], id, r->ip, NULL);
    return sq_reply_json(r, create ? 201 : 200, kb_store_collection_json(kind, id, true));
}

/* DELETE: ownership, the store call, the audit row, the reply. */
static int collection_delete(struct sq_req *r)
{
    enum kb_kind kind = kind_of(r);
    struct sq_detail d = {0};
    char action[48];
    int64_t id = sq_req_param_id(r, "id");
    int st = check_managed(r, kind, id);
    if (st)
        return st;
    enum sq_err e = kb_store_collection_delete(kind, id, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    snprintf(action, sizeof action, "%s_delete", kind_type[kind]);
    sq_audit_write(r->user->id, action, kind_type[kind], id, r->ip, NULL);
    return sq_reply_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1));
}

static int volumes_print(struct sq_req *r)
{
    size_t len = 0;
    int64_t id = sq_req_param_id(r, "id");
    char *html = id ? kb_volume_print_html(id, &len) : NULL;
    if (!html)
        return sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no volume with id %lld", (long long)id);
    int st = sq_reply_raw(r, 200, "text/html; charset=utf-8", html, len, true);
    free(html);
    return st;
}

/* ---- search and suggestions ---- */

#define SEARCH_Q_MAX_BYTES 4096

static int search(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_search s = {0};
    struct kb_scope sc;
    struct sq_page pg;
    int64_t unit = 0;
    struct sq_unit u;
    /* the query was checked against search_query before this runs */
    s.q = sq_req_query(r, "q");
    if (!*s.q)
        return sq_reply_errf(r, SQ_EINVAL, "q", "give the words to search for in q");
    if (strlen(s.q) > SEARCH_Q_MAX_BYTES)
        return sq_reply_errf(r, SQ_EINVAL, "q", "q is at most %d bytes", SEARCH_Q_MAX_BYTES);
    const char *type = sq_req_query(r, "type");
    s.answers = !type || strcmp(type, "appeal");
    s.appeals = !type || strcmp(type, "answer");
    const char *order = sq_req_query(r, "order");
    s.by_time = order && !strcmp(order, "time");
    s.category_id = sq_query_int(r, "category", 0);
    unit = sq_query_int(r, "unit", 0);
    s.from = sq_query_time(r, "from");
    s.to = sq_query_time(r, "to");
    if (s.from && s.to && s.to <= s.from)
        return sq_reply_errf(r, SQ_EINVAL, "to", "to must be after from");
    if (unit) {
        if (units_store_get(unit, &u, NULL))
            return sq_reply_errf(r, SQ_EINVAL, "unit", "no unit with id %lld", (long long)unit);
        s.unit_path = u.path;
    }
    if (sq_page_parse(sq_req_query(r, "limit"), sq_req_query(r, "cursor"), &pg, &d))
        return sq_reply_err(r, SQ_EINVAL, &d);
    if (s.answers && s.appeals && pg.offset)
        return sq_reply_errf(r, SQ_EINVAL, "cursor", "paging needs type=answer or type=appeal");
    s.limit = pg.limit;
    s.offset = pg.offset;
    kb_scope_init(&sc, r->user);
    json_t *items = NULL;
    int64_t total = 0;
    bool capped = false;
    int64_t t0 = sq_clock_now_ms();
    enum sq_err e = kb_search_run(&s, &sc, &items, &total, &capped, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    char next[32];
    const char *nx = s.answers && s.appeals ? NULL : sq_page_next(&pg, total, next);
    json_t *o = json_pack("{s:o,s:I,s:o,s:b,s:I}", "items", items, "total", (json_int_t)total,
                          "next", nx ? json_string(nx) : json_null(), "capped", capped, "took_ms",
                          (json_int_t)(sq_clock_now_ms() - t0));
    if (capped)
        json_object_set_new(o, "note",
                            json_sprintf("a very common term: only the most recent %d matching "
                                         "appeals were ranked; narrow with from/to or order=time",
                                         KB_RANK_WINDOW));
    return sq_reply_json(r, 200, o);
}

static int suggest_common(struct sq_req *r, struct kb_suggest *s)
{
    struct sq_detail d = {0};
    struct kb_scope sc;
    json_t *out = NULL;
    int64_t t0 = sq_clock_now_ms();
    kb_scope_init(&sc, r->user);
    enum sq_err e = kb_suggest_run(s, &sc, &out, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    json_object_set_new(out, "took_ms", json_integer(sq_clock_now_ms() - t0));
    return sq_reply_json(r, 200, out);
}

static int suggest(struct sq_req *r)
{
    struct kb_suggest s = {0};
    s.text = sq_req_query(r, "text");
    if (!s.text || !*s.text)
        return sq_reply_errf(r, SQ_EINVAL, "text", "give the text typed so far in text");
    if (strlen(s.text) > SEARCH_Q_MAX_BYTES)
        return sq_reply_errf(r, SQ_EINVAL, "text", "text is at most %d bytes", SEARCH_Q_MAX_BYTES);
    /* the query was checked against suggest_query before this runs; `limit`
     * is another name for k (list-style clients) */
    s.category_id = sq_query_int(r, "category", 0);
    s.unit_id = sq_query_int(r, "unit", 0);
    s.k = (int)sq_query_int(r, "k", sq_query_int(r, "limit", 5));
    struct sq_unit u;
    if (s.unit_id && units_store_get(s.unit_id, &u, NULL))
        return sq_reply_errf(r, SQ_EINVAL, "unit", "no unit with id %lld", (long long)s.unit_id);
    if (s.category_id && !kb_store_category_top(s.category_id))
        return sq_reply_errf(r, SQ_EINVAL, "category", "no category with id %lld",
                             (long long)s.category_id);
    return suggest_common(r, &s);
}

/* The handler's appeal view: the same suggestions for an existing appeal. */
static int appeal_suggestions(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_appeal_ref ap = {0};
    struct kb_suggest s = {0};
    int st;
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e =
        id ? kb_store_appeal_ref(id, &ap, &d) : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such appeal");
    if (e) {
        if (e == SQ_ENOTFOUND)
            d.field = NULL;
        st = sq_reply_err(r, e, &d);
        goto out;
    }
    if (!may_read_appeal(r->user, &ap)) {
        st = sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no appeal with id %lld", (long long)id);
        goto out;
    }
    s.k = (int)sq_query_int(r, "k", 5); /* declared: checked before the handler ran */
    size_t n = strlen(ap.title) + strlen(ap.description) + 2;
    char *text = malloc(n);
    if (!text)
        sq_fatal("out of memory");
    snprintf(text, n, "%s %s", ap.title, ap.description);
    s.text = text;
    s.category_id = ap.category_id;
    s.unit_id = ap.unit_id;
    s.exclude_appeal_id = ap.id;
    st = suggest_common(r, &s);
    free(text);
out:
    kb_appeal_ref_cleanup(&ap);
    return st;
}

/* ---- hot problems and themes ---- */

static int hot_problems(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_hot_query q = {0};
    struct sq_unit u;
    int64_t unit = 0;
    /* the query was checked against hot_query before this runs */
    q.from = sq_query_time(r, "from");
    q.to = sq_query_time(r, "to");
    unit = sq_query_int(r, "unit", 0);
    q.limit = (int)sq_query_int(r, "limit", 20);
    if (!q.to)
        q.to = sq_clock_now() + 1; /* include appeals filed this second */
    if (!q.from)
        q.from = q.to - 30 * 86400;
    if (q.to <= q.from)
        return sq_reply_errf(r, SQ_EINVAL, "to", "to must be after from");
    if (q.to - q.from > 366 * 86400LL)
        return sq_reply_errf(r, SQ_EINVAL, "from", "the window is at most one year");
    if (unit) {
        if (units_store_get(unit, &u, NULL))
            return sq_reply_errf(r, SQ_EINVAL, "unit", "no unit with id %lld", (long long)unit);
        if (!sq_may(r->user, SQ_PERM_STATS_READ, u.path))
            return sq_reply_errf(r, SQ_EFORBIDDEN, "unit", "this unit is outside your units");
        q.unit_path = u.path;
    } else if (!sq_may_all(r->user, SQ_PERM_STATS_READ)) {
        const char *paths[16];
        if (sq_scope_paths(r->user, SQ_PERM_STATS_READ, paths, 16) == 0)
            return sq_reply_errf(r, SQ_EFORBIDDEN, NULL, "you may not read statistics");
        q.unit_path = paths[0];
    }
    json_t *items = NULL;
    enum sq_err e = kb_hot_run(&q, &items, &d);
    if (e) {
        json_decref(items);
        return sq_reply_err(r, e, &d);
    }
    char f[32], t[32], pf[32];
    sq_clock_iso(q.from, f);
    sq_clock_iso(q.to, t);
    sq_clock_iso(q.from - (q.to - q.from), pf);
    return sq_reply_json(r, 200,
                         json_pack("{s:o,s:I,s:{s:s,s:s},s:{s:s,s:s}}", "items", items, "total",
                                   (json_int_t)json_array_size(items), "window", "from", f, "to", t,
                                   "previous_window", "from", pf, "to", f));
}

static const struct sq_field theme_create_fields[] = {
    {.name = "category_id", .type = SQ_F_ID, .required = true},
    {.name = "place_unit_id", .type = SQ_F_ID, .required = true},
    {.name = "from", .type = SQ_F_STR, .required = true, .min = 10, .max = 32},
    {.name = "to", .type = SQ_F_STR, .required = true, .min = 10, .max = 32},
    {.name = "month", .type = SQ_F_INT, .min = 200001, .max = 210012},
    {.name = "title", .type = SQ_F_STR, .min = 2, .max = 100},
    {.name = "note", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {0},
};
static const struct sq_field theme_update_fields[] = {
    {.name = "answer_id", .type = SQ_F_ID, .nullable = true},
    {.name = "title", .type = SQ_F_STR, .min = 2, .max = 100},
    {.name = "note", .type = SQ_F_TEXT, .max = 2000, .nullable = true},
    {0},
};

static int themes_list(struct sq_req *r)
{
    json_t *items = kb_themes_json();
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static int themes_get(struct sq_req *r)
{
    int64_t id = sq_req_param_id(r, "id");
    json_t *o = id ? kb_theme_json(id) : NULL;
    return o ? sq_reply_json(r, 200, o)
             : sq_reply_errf(r, SQ_ENOTFOUND, NULL, "no theme with id %lld", (long long)id);
}

static int themes_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = 0;
    enum sq_err e = sq_validate(r->json, theme_create_fields, &d);
    if (e || (e = kb_theme_create(r->json, r->user->id, &id, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kb_theme_create", "kb_theme", id, r->ip, NULL);
    return sq_reply_json(r, 201, kb_theme_json(id));
}

static int themes_update(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct kb_answer a;
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = sq_validate(r->json, theme_update_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    int64_t aid = sq_json_int(r->json, "answer_id", 0);
    if (aid && kb_store_get(aid, &a, NULL))
        return sq_reply_errf(r, SQ_EINVAL, "answer_id", "no answer with id %lld", (long long)aid);
    if ((e = id ? kb_theme_update(id, r->json, &d)
                : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such theme")))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "kb_theme_update", "kb_theme", id, r->ip, NULL);
    return sq_reply_json(r, 200, kb_theme_json(id));
}

/* ---- declared query parameters ---- */

static const struct sq_query answers_query[] = {
    SQ_QUERY_PAGE,
    {.name = "status",
     .type = SQ_Q_ENUM,
     .choices = kb_status_names,
     .message = "status 须为 draft、in_review、published 或 archived / status must be draft, "
                "in_review, published or archived",
     .desc = "default: published (staff see their drafts and reviews too)"},
    {.name = "category", .type = SQ_Q_ID, .empty_ok = true, .desc = "category id"},
    {.name = "unit", .type = SQ_Q_ID, .empty_ok = true, .desc = "owning unit id"},
    {.name = "column", .type = SQ_Q_ID, .empty_ok = true, .desc = "in this column"},
    {.name = "tag", .type = SQ_Q_STR, .max = 20, .desc = "has this tag"},
    {.name = "sort", .type = SQ_Q_ENUM, .choices = answer_sorts, .desc = "prefix - for descending"},
    {0},
};

static const struct sq_query diff_query[] = {
    {.name = "from", .type = SQ_Q_STR, .desc = "older version (default: the one before to)"},
    {.name = "to", .type = SQ_Q_STR, .desc = "newer version (default: the current one)"},
    {0},
};

static const struct sq_query columns_query[] = {
    SQ_QUERY_PAGE,
    {.name = "sort",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"-issue_no", NULL},
     .desc = "newest issue first, the only order"},
    {0},
};

static const struct sq_query volumes_query[] = {
    SQ_QUERY_PAGE,
    {0},
};

static const struct sq_query search_query[] = {
    {.name = "q", .type = SQ_Q_STR, .required = true, .min = 1, .desc = "the words to search for"},
    {.name = "type",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"answer", "appeal", "all", NULL},
     .message = "type 须为 answer、appeal 或 all / type must be answer, appeal or all",
     .desc = "what to search (default all)"},
    {.name = "order",
     .type = SQ_Q_ENUM,
     .choices = (const char *const[]){"rank", "time", NULL},
     .message = "order 须为 rank 或 time / order must be rank or time",
     .desc = "by relevance (default) or newest first"},
    {.name = "category", .type = SQ_Q_ID, .empty_ok = true, .desc = "category id"},
    {.name = "unit", .type = SQ_Q_ID, .empty_ok = true, .desc = "in this unit's subtree"},
    {.name = "from", .type = SQ_Q_TIME, .empty_ok = true, .desc = "at or after"},
    {.name = "to", .type = SQ_Q_TIME, .empty_ok = true, .desc = "before"},
    {.name = "limit",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 100,
     .message = "limit 须为 1 到 100（搜索每页至多 100 条） / search returns 1 to 100 per page",
     .desc = "page size (default 50)"},
    {.name = "cursor", .type = SQ_Q_CURSOR, .desc = "the `next` of the previous page"},
    {0},
};

static const struct sq_query suggest_query[] = {
    {.name = "text", .type = SQ_Q_STR, .desc = "the text typed so far"},
    {.name = "category", .type = SQ_Q_ID, .empty_ok = true, .desc = "category id"},
    {.name = "unit", .type = SQ_Q_ID, .empty_ok = true, .desc = "the appeal's unit"},
    {.name = "k",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 20,
     .empty_ok = true,
     .desc = "how many of each (default 5)"},
    {.name = "limit",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 20,
     .empty_ok = true,
     .desc = "another name for k"},
    {0},
};

static const struct sq_query appeal_suggest_query[] = {
    {.name = "k",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 20,
     .empty_ok = true,
     .desc = "how many of each (default 5)"},
    {0},
};

static const struct sq_query hot_query[] = {
    {.name = "from",
     .type = SQ_Q_TIME,
     .empty_ok = true,
     .desc = "at or after (default 30 days ago)"},
    {.name = "to", .type = SQ_Q_TIME, .empty_ok = true, .desc = "before (default now)"},
    {.name = "unit", .type = SQ_Q_ID, .empty_ok = true, .desc = "in this unit's subtree"},
    {.name = "limit",
     .type = SQ_Q_INT,
     .min = 1,
     .max = 100,
     .empty_ok = true,
     .desc = "clusters (default 20)"},
    {0},
};

const struct sq_route kb_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/kb/categories",
     .fn = kb_categories,
     .perm = SQ_PERM_PUBLIC,
     .summary = "the 16 livelihood problem categories with published answer counts"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers",
     .query = answers_query,
     .fn = answers_list,
     .perm = SQ_PERM_PUBLIC,
     .summary = "list answers (published; drafts within your units)"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers",
     .body = answer_create_fields,
     .fn = answers_create,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "write a draft answer"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/from-appeal",
     .body = from_appeal_fields,
     .fn = answers_from_appeal,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "draft an answer pre-filled from a resolved appeal"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers/:id",
     .fn = answers_get,
     .perm = SQ_PERM_PUBLIC,
     .summary = "one answer"},
    {.method = "PATCH",
     .pattern = "/api/v1/kb/answers/:id",
     .body = answer_update_fields,
     .fn = answers_update,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "edit an answer (a new version)"},
    {.method = "DELETE",
     .pattern = "/api/v1/kb/answers/:id",
     .fn = answers_delete,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "delete a never-published draft"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/submit",
     .body = transition_fields,
     .fn = answers_transition,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "submit a draft for review"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/approve",
     .body = transition_fields,
     .fn = answers_transition,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "approve and publish an answer"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/reject",
     .body = transition_fields,
     .fn = answers_transition,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "send an answer in review back to draft"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/archive",
     .body = transition_fields,
     .fn = answers_transition,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "archive an answer"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/restore",
     .body = transition_fields,
     .fn = answers_transition,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "restore an archived answer to draft"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers/:id/versions",
     .fn = answers_versions,
     .perm = SQ_PERM_PUBLIC,
     .summary = "version history of an answer (its editors only)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers/:id/versions/:version",
     .fn = answers_version,
     .perm = SQ_PERM_PUBLIC,
     .summary = "one version of an answer (its editors only)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers/:id/diff",
     .query = diff_query,
     .fn = answers_diff,
     .perm = SQ_PERM_PUBLIC,
     .summary = "differences between two versions (its editors only)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/answers/:id/appeals",
     .fn = answers_links,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "appeals linked to an answer (within your scope)"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/appeals",
     .body = link_fields,
     .fn = answers_link,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "link an appeal to an answer (counts a reuse)"},
    {.method = "DELETE",
     .pattern = "/api/v1/kb/answers/:id/appeals/:appeal_id",
     .fn = answers_unlink,
     .perm = SQ_PERM_KB_WRITE,
     .summary = "unlink an appeal"},
    {.method = "POST",
     .pattern = "/api/v1/kb/answers/:id/solved",
     .body = solved_fields,
     .fn = answers_solved,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "this answer solves my problem (answered by the knowledge base)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/appeals/:id/suggestions",
     .query = appeal_suggest_query,
     .fn = appeal_suggestions,
     .perm = SQ_PERM_SIGNED_IN,
     .summary = "similar answers and open appeals for an appeal"},
    {.method = "GET",
     .pattern = "/api/v1/kb/columns",
     .query = columns_query,
     .fn = collections_list,
     .perm = SQ_PERM_PUBLIC,
     .summary = "numbered columns (专栏)"},
    {.method = "POST",
     .pattern = "/api/v1/kb/columns",
     .body = column_create_fields,
     .fn = collection_save,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "create a column issue (owned by a unit you publish for)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/columns/:id",
     .fn = collection_get,
     .perm = SQ_PERM_PUBLIC,
     .summary = "one column issue"},
    {.method = "PATCH",
     .pattern = "/api/v1/kb/columns/:id",
     .body = column_update_fields,
     .fn = collection_save,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "edit a column issue"},
    {.method = "DELETE",
     .pattern = "/api/v1/kb/columns/:id",
     .fn = collection_delete,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "delete a column issue"},
    {.method = "GET",
     .pattern = "/api/v1/kb/volumes",
     .query = volumes_query,
     .fn = collections_list,
     .perm = SQ_PERM_PUBLIC,
     .summary = "volumes (汇编)"},
    {.method = "POST",
     .pattern = "/api/v1/kb/volumes",
     .body = volume_create_fields,
     .fn = collection_save,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "create a volume (owned by a unit you publish for)"},
    {.method = "GET",
     .pattern = "/api/v1/kb/volumes/:id",
     .fn = collection_get,
     .perm = SQ_PERM_PUBLIC,
     .summary = "one volume with its chapters"},
    {.method = "PATCH",
     .pattern = "/api/v1/kb/volumes/:id",
     .body = volume_update_fields,
     .fn = collection_save,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "edit a volume"},
    {.method = "DELETE",
     .pattern = "/api/v1/kb/volumes/:id",
     .fn = collection_delete,
     .perm = SQ_PERM_KB_PUBLISH,
     .summary = "delete a volume"},
    {.method = "GET",
     .pattern = "/api/v1/kb/volumes/:id/print",
     .fn = volumes_print,
     .perm = SQ_PERM_PUBLIC,
     .summary = "a volume as printable HTML"},
    {.method = "GET",
     .pattern = "/api/v1/search",
     .query = search_query,
     .fn = search,
     .perm = SQ_PERM_PUBLIC,
     .summary = "full-text search over answers and appeals (scoped)"},
    {.method = "GET",
     .pattern = "/api/v1/suggest",
     .query = suggest_query,
     .fn = suggest,
     .perm = SQ_PERM_PUBLIC,
     .summary = "similar answers and open appeals for text being typed"},
    {.method = "GET",
     .pattern = "/api/v1/hot-problems",
     .query = hot_query,
     .fn = hot_problems,
     .perm = SQ_PERM_STATS_READ,
     .summary = "recurring problems by category, place and window"},
    {.method = "GET",
     .pattern = "/api/v1/hot-problems/themes",
     .fn = themes_list,
     .perm = SQ_PERM_STATS_READ,
     .summary = "monthly themes (每月一题)"},
    {.method = "POST",
     .pattern = "/api/v1/hot-problems/themes",
     .body = theme_create_fields,
     .fn = themes_create,
     .perm = SQ_PERM_ADMIN,
     .summary = "pick a hot-problem cluster as the month's theme"},
    {.method = "GET",
     .pattern = "/api/v1/hot-problems/themes/:id",
     .fn = themes_get,
     .perm = SQ_PERM_STATS_READ,
     .summary = "a theme with the tracking of its appeals"},
    {.method = "PATCH",
     .pattern = "/api/v1/hot-problems/themes/:id",
     .body = theme_update_fields,
     .fn = themes_update,
     .perm = SQ_PERM_ADMIN,
     .summary = "set a theme's answer or note"},
    {0},
};
