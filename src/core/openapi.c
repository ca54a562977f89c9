/*
 * openapi: the API's OpenAPI 3 document, generated from the route tables.
 *
 * Every operation comes from its route: path, method, summary, permission
 * (x-permission), security, path parameters, the declared query parameters
 * (.query) and JSON body (.body, the same sq_field table the handler
 * validates with), and the error responses that follow from them (401/403
 * off public routes, 400/413/415 on JSON writes, 422 where input is
 * declared, 500 always). The hand-written part, docs/openapi-base.json
 * (embedded), holds what no table says: info, tags, response shapes
 * (components) and, under "x-operations" keyed "METHOD /pattern", each
 * operation's prose, success and special responses, header parameters and
 * the bodies no field table describes (uploads, the workflow actions). A
 * key of x-operations that is no route is an error: no stale prose.
 *
 * `sanqu openapi` prints the document, the Makefile writes it to
 * docs/openapi.json, and GET /api/v1/openapi.json serves the same text.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/http.h"
#include "core/json.h"
#include "core/log.h"

/* A bound: an integer when it is one (1, not 1.0). */
static json_t *num(double v)
{
    return v == (double)(json_int_t)v ? json_integer((json_int_t)v) : json_real(v);
}

static json_t *field_schema(const struct sq_field *f)
{
    json_t *s = json_object();
    switch (f->type) {
    case SQ_F_STR:
    case SQ_F_TEXT:
        json_object_set_new(s, "type", json_string("string"));
        if (f->min > 0)
            json_object_set_new(s, "minLength", json_integer((json_int_t)f->min));
        if (f->max > 0)
            json_object_set_new(s, "maxLength", json_integer((json_int_t)f->max));
        if (f->type == SQ_F_TEXT)
            json_object_set_new(s, "x-multiline", json_true());
        break;
    case SQ_F_INT:
    case SQ_F_NUM:
        json_object_set_new(s, "type", json_string(f->type == SQ_F_INT ? "integer" : "number"));
        json_object_set_new(s, "minimum", num(f->min));
        json_object_set_new(s, "maximum", num(f->max));
        break;
    case SQ_F_ID:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "format", json_string("int64"));
        json_object_set_new(s, "minimum", json_integer(1));
        break;
    case SQ_F_BOOL:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case SQ_F_ENUM: {
        json_t *e = json_array();
        for (const char *const *c = f->choices; c && *c; c++)
            json_array_append_new(e, json_string(*c));
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "enum", e);
        break;
    }
    case SQ_F_PHONE:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("phone"));
        json_object_set_new(s, "description",
                            json_string("a mobile number (11 digits from 1) or a landline "
                                        "0xx-xxxxxxx"));
        break;
    case SQ_F_DATE:
    case SQ_F_TIME:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string(f->type == SQ_F_DATE ? "date" : "date-time"));
        break;
    case SQ_F_ARRAY:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "items", json_object());
        if (f->max > 0)
            json_object_set_new(s, "maxItems", json_integer((json_int_t)f->max));
        break;
    case SQ_F_OBJECT:
        json_object_set_new(s, "type", json_string("object"));
        break;
    }
    if (f->nullable)
        json_object_set_new(s, "nullable", json_true());
    return s;
}

/* {"type":"object","additionalProperties":false,"properties":...,"required":[...]} */
static json_t *body_schema(const struct sq_field *fields)
{
    json_t *props = json_object(), *req = json_array();
    for (const struct sq_field *f = fields; f->name; f++) {
        json_object_set_new(props, f->name, field_schema(f));
        if (f->required)
            json_array_append_new(req, json_string(f->name));
    }
    json_t *s = json_pack("{s:s,s:b,s:o}", "type", "object", "additionalProperties", 0,
                          "properties", props);
    if (json_array_size(req))
        json_object_set_new(s, "required", req);
    else
        json_decref(req);
    return s;
}

static json_t *query_schema(const struct sq_query *q)
{
    json_t *s = json_object(), *e;
    switch (q->type) {
    case SQ_Q_STR:
        json_object_set_new(s, "type", json_string("string"));
        if (q->min > 0)
            json_object_set_new(s, "minLength", num(q->min));
        if (q->max > 0)
            json_object_set_new(s, "maxLength", num(q->max));
        break;
    case SQ_Q_INT:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", num(q->min));
        json_object_set_new(s, "maximum", num(q->max));
        break;
    case SQ_Q_ID:
        if (q->also) {
            json_object_set_new(s, "oneOf",
                                json_pack("[{s:s,s:s,s:i},{s:s,s:[s]}]", "type", "integer",
                                          "format", "int64", "minimum", 1, "type", "string", "enum",
                                          q->also));
        } else {
            json_object_set_new(s, "type", json_string("integer"));
            json_object_set_new(s, "format", json_string("int64"));
            json_object_set_new(s, "minimum", json_integer(1));
        }
        break;
    case SQ_Q_ENUM:
    case SQ_Q_LIST:
        e = json_array();
        for (const char *const *c = q->choices; c && *c; c++)
            json_array_append_new(e, json_string(*c));
        if (q->type == SQ_Q_ENUM) {
            json_object_set_new(s, "type", json_string("string"));
            json_object_set_new(s, "enum", e);
        } else {
            /* style form, explode false: status=a,b */
            json_object_set_new(s, "type", json_string("array"));
            json_object_set_new(s, "items", json_pack("{s:s,s:o}", "type", "string", "enum", e));
            if (q->max > 0)
                json_object_set_new(s, "maxItems", num(q->max));
        }
        break;
    case SQ_Q_BOOL:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "enum", json_pack("[s,s,s,s]", "1", "0", "true", "false"));
        break;
    case SQ_Q_DATE:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date"));
        break;
    case SQ_Q_MONTH:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "pattern", json_string("^[0-9]{4}-[0-9]{2}$"));
        break;
    case SQ_Q_TIME:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case SQ_Q_CURSOR:
        json_object_set_new(s, "type", json_string("string"));
        break;
    }
    return s;
}

/* "/api/v1/units/:id" -> "/api/v1/units/{id}"; appends each :name to names. */
static char *openapi_path(const char *pattern, json_t *names)
{
    size_t cap = strlen(pattern) * 2 + 2, n = 0;
    char *out = malloc(cap);
    if (!out)
        sq_fatal("out of memory");
    for (const char *p = pattern; *p;) {
        if (*p == ':' && p > pattern && p[-1] == '/') {
            size_t len = strcspn(p + 1, "/");
            json_array_append_new(names, json_stringn(p + 1, len));
            n += (size_t)snprintf(out + n, cap - n, "{%.*s}", (int)len, p + 1);
            p += len + 1;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

static bool is_write(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD");
}

static void response_ref(json_t *responses, const char *code, const char *name)
{
    char ref[96];
    if (json_object_get(responses, code))
        return;
    snprintf(ref, sizeof ref, "#/components/responses/%s", name);
    json_object_set_new(responses, code, json_pack("{s:s}", "$ref", ref));
}

/* The generated parts of one route's operation, over its prose (a copy). */
static json_t *operation(const struct sq_route *rt, json_t *prose, json_t *path_names)
{
    json_t *op = prose ? json_deep_copy(prose) : json_object();
    bool pub = rt->perm == SQ_PERM_PUBLIC;
    json_object_set_new(op, "summary", json_string(rt->summary ? rt->summary : ""));
    json_object_set_new(op, "x-permission", json_string(sq_perm_name(rt->perm)));
    if (pub)
        json_object_set_new(op, "security", json_array());
    else
        json_object_set_new(op, "security", json_pack("[{s:[]},{s:[]}]", "bearer", "cookie"));
    /* parameters: path ones, the declared query, then the prose's (headers) */
    json_t *params = json_array(), *x;
    size_t i;
    json_array_foreach(path_names, i, x)
    {
        const char *n = json_string_value(x);
        size_t len = strlen(n);
        bool id = !strcmp(n, "id") || (len > 3 && !strcmp(n + len - 3, "_id"));
        json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:o}", "name", n, "in", "path",
                                                "required", 1, "schema",
                                                id ? json_pack("{s:s,s:s,s:i}", "type", "integer",
                                                               "format", "int64", "minimum", 1)
                                                   : json_pack("{s:s}", "type", "string")));
    }
    for (const struct sq_query *q = rt->query; q && q->name; q++) {
        json_t *p =
            json_pack("{s:s,s:s,s:o}", "name", q->name, "in", "query", "schema", query_schema(q));
        if (q->required)
            json_object_set_new(p, "required", json_true());
        if (q->type == SQ_Q_LIST) {
            json_object_set_new(p, "style", json_string("form"));
            json_object_set_new(p, "explode", json_false());
        }
        if (q->desc)
            json_object_set_new(p, "description", json_string(q->desc));
        json_array_append_new(params, p);
    }
    json_array_extend(params, json_object_get(op, "parameters"));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (rt->body)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
                                      "application/json", "schema", body_schema(rt->body)));
    json_t *responses = json_object_get(op, "responses");
    if (!responses) {
        responses = json_object();
        json_object_set_new(op, "responses", responses);
    }
    bool json_write = is_write(rt->method) && !(rt->flags & SQ_ROUTE_RAW_BODY);
    if (json_write) {
        response_ref(responses, "400", "BadRequest");
        response_ref(responses, "413", "TooLarge");
        response_ref(responses, "415", "UnsupportedMediaType");
    }
    if (!pub) {
        response_ref(responses, "401", "Unauthenticated");
        response_ref(responses, "403", "Forbidden");
    }
    if (rt->body || (rt->query && rt->query->name && !(rt->flags & SQ_ROUTE_QUERY_OPEN)))
        response_ref(responses, "422", "Invalid");
    response_ref(responses, "500", "Internal");
    /* codes in order, as a reader expects */
    json_t *sorted = json_object();
    for (int c = 100; c < 600; c++) {
        char k[12];
        snprintf(k, sizeof k, "%d", c);
        if ((x = json_object_get(responses, k)))
            json_object_set(sorted, k, x);
    }
    const char *k;
    json_object_foreach(responses, k, x) if (!json_object_get(sorted, k))
        json_object_set(sorted, k, x);
    json_object_set_new(op, "responses", sorted);
    return op;
}

static const struct sq_embed_file *base_file(void)
{
    for (const struct sq_embed_file *f = sq_docs; f->name; f++)
        if (!strcmp(f->name, "openapi-base.json"))
            return f;
    return NULL;
}

/* Lower-case method name: "get". out >= 8. */
static const char *lower(const char *m, char *out)
{
    size_t i = 0;
    for (; m[i] && i < 7; i++)
        out[i] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] - 'A' + 'a' : m[i]);
    out[i] = '\0';
    return out;
}

json_t *sq_openapi_new(char *err, size_t cap)
{
    const struct sq_embed_file *f = base_file();
    json_error_t je;
    json_t *doc = f ? json_loadb((const char *)f->data, (size_t)f->size, 0, &je) : NULL;
    if (!doc) {
        snprintf(err, cap, "docs/openapi-base.json: %s", f ? je.text : "not built in");
        return NULL;
    }
    json_t *prose = json_incref(json_object_get(doc, "x-operations"));
    json_object_del(doc, "x-operations");
    json_t *paths = json_object(), *seen = json_object();
    for (const struct sq_route *const *t = sq_route_tables; *t; t++)
        for (const struct sq_route *rt = *t; rt->method; rt++) {
            char key[256], m[8];
            json_t *names = json_array();
            char *path = openapi_path(rt->pattern, names);
            snprintf(key, sizeof key, "%s %s", rt->method, rt->pattern);
            json_t *item = json_object_get(paths, path);
            if (!item) {
                item = json_object();
                json_object_set_new(paths, path, item);
            }
            json_object_set_new(item, lower(rt->method, m),
                                operation(rt, json_object_get(prose, key), names));
            json_object_set_new(seen, key, json_true());
            json_decref(names);
            free(path);
        }
    const char *k;
    json_t *x;
    json_object_foreach(prose, k, x)
    {
        if (!json_object_get(seen, k)) {
            snprintf(err, cap, "docs/openapi-base.json: x-operations.\"%s\" is no route", k);
            json_decref(paths);
            json_decref(seen);
            json_decref(prose);
            json_decref(doc);
            return NULL;
        }
    }
    json_decref(seen);
    json_decref(prose);
    /* the paths after info, servers and tags, before components */
    json_t *out = json_object();
    json_object_foreach(doc, k, x)
    {
        if (!strcmp(k, "components"))
            json_object_set_new(out, "paths", json_incref(paths));
        json_object_set(out, k, x);
    }
    if (!json_object_get(out, "paths"))
        json_object_set(out, "paths", paths);
    json_decref(paths);
    json_decref(doc);
    return out;
}

static char *doc_text;
static size_t doc_len;
static pthread_once_t doc_once = PTHREAD_ONCE_INIT;

static void doc_build(void)
{
    char err[256];
    json_t *doc = sq_openapi_new(err, sizeof err);
    if (!doc) {
        sq_warn("event=openapi_failed detail=\"%s\"", err);
        return;
    }
    doc_text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    doc_len = doc_text ? strlen(doc_text) : 0;
    json_decref(doc);
}

const char *sq_openapi_text(size_t *len)
{
    pthread_once(&doc_once, doc_build);
    *len = doc_len;
    return doc_text;
}
