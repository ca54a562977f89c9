/*
 * open311 api: GeoReport v2 at /open311/v2/ and the admin endpoints that
 * issue client keys.
 *
 * Every resource comes as .json and .xml; a document is built once as JSON
 * and written in the asked format. Errors are the spec's own document
 * ([{code, description}] / <errors><error>...) with 400, 403 or 404, in the
 * format of the resource asked for. Routes are PUBLIC: a POST is authorised
 * by its api_key (an Open311 client issued by a district admin); a GET with
 * an api_key additionally shows that client's own requests in full.
 * Requests in a category that is not public (categories.is_public) are
 * shown to the client that filed them only: absent from lists and feeds,
 * 404 by id and by token for everyone else (open311/store.c).
 *
 * Mapping decisions (docs/open311.md): service_code = leaf category code;
 * service_request_id = token = tracking number (creation is synchronous);
 * jurisdiction_id = the district unit's code (optional); address_id = a
 * unit code; location -> unit: address_id, else the deepest unit named in
 * address_string, else the client's unit (the district by default).
 */
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeals/rules.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "open311/open311.h"
#include "units/units.h"

/* defined in appeals/api.c: the one intake shared by every channel */
enum sq_err appeals_intake(json_t *in, const struct sq_user *u, const char *channel,
                           const char *idem_scope, const char *idem_key, int64_t *id,
                           bool *replayed, struct sq_detail *d);

enum fmt { FMT_JSON, FMT_XML };

#define MAX_IDS 100
#define DEFAULT_PAGE_SIZE 100
#define MAX_PAGE_SIZE 1000
#define DAY 86400

/* ---- replies ---- */

static int reply_doc(struct sq_req *r, int status, enum fmt f, json_t *doc, const char *root,
                     const char *item)
{
    if (f == FMT_JSON)
        return sq_reply_json(r, status, doc);
    size_t len = 0;
    char *xml = o311_xml(doc, root, item, &len);
    json_decref(doc);
    if (!xml)
        return sq_reply_errf(r, SQ_EINTERNAL, NULL, "out of memory");
    int st = sq_reply_raw(r, status, "text/xml; charset=utf-8", xml, len, true);
    free(xml);
    return st;
}

static int reply_error(struct sq_req *r, enum fmt f, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int reply_error(struct sq_req *r, enum fmt f, int status, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return reply_doc(r, status, f, o311_error_json(status, msg), "errors", "error");
}

/* The format named by the path's extension; -1 when neither. */
static int fmt_of(const char *s)
{
    const char *dot = s ? strrchr(s, '.') : NULL;
    if (dot && !strcmp(dot, ".json"))
        return FMT_JSON;
    if (dot && !strcmp(dot, ".xml"))
        return FMT_XML;
    return -1;
}

/* Splits a path parameter "ID.json" into its id (into out) and format. */
static int param_fmt(struct sq_req *r, const char *name, char *out, size_t cap)
{
    const char *p = sq_req_param(r, name);
    int f = fmt_of(p);
    if (f < 0)
        return -1;
    size_t n = (size_t)(strrchr(p, '.') - p);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return f;
}

/* ---- shared checks ---- */

/* jurisdiction_id, when given, must be the district's code. */
static int check_jurisdiction(struct sq_req *r, enum fmt f, const char *given)
{
    char code[64];
    int64_t root;
    if (!given)
        return 0;
    if (open311_store_root(&root, code, sizeof code, NULL) || strcmp(given, code))
        return reply_error(r, f, 404, "unknown jurisdiction_id '%.40s'", given);
    return 0;
}

/* The client of an optional api_key (GET): 0 with c->id = 0 when none. */
static int optional_client(struct sq_req *r, enum fmt f, const char *key, struct o311_client *c)
{
    memset(c, 0, sizeof *c);
    if (!key)
        return 0;
    if (strlen(key) > 200 || open311_store_client_by_key(key, c, NULL))
        return reply_error(r, f, 403, "invalid api_key");
    return 0;
}

static int query_int(const char *s, int lo, int hi, int dflt, int *out)
{
    char *end;
    *out = dflt;
    if (!s)
        return 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* A comma list of tokens of [A-Za-z0-9_-] as a JSON array text (caller
 * frees); NULL with *bad set when a token is malformed or there are more
 * than max. */
static char *comma_list(const char *s, int max, bool *bad)
{
    json_t *a = json_array();
    const char *p = s;
    *bad = false;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char tok[32];
        if (n == 0 || n >= sizeof tok || (int)json_array_size(a) == max) {
            *bad = true;
            break;
        }
        memcpy(tok, p, n);
        tok[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!(tok[i] == '_' || tok[i] == '-' || (tok[i] >= '0' && tok[i] <= '9') ||
                  (tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= 'A' && tok[i] <= 'Z')))
                *bad = true;
        json_array_append_new(a, json_string(tok));
        p = e ? e + 1 : p + n;
        if (e && !*p)
            *bad = true; /* trailing comma */
    }
    char *text = *bad ? NULL : json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

/* ---- discovery ---- */

static int o311_discovery(struct sq_req *r)
{
    static char changeset[32];
    char url[300], code[64], contact[400];
    int64_t root = 0;
    enum fmt f = (enum fmt)fmt_of(r->path);
    if (!changeset[0]) /* the service list can change with a restart (migrations) */
        sq_clock_iso(sq_clock_now(), changeset);
    const char *host = sq_req_header(r, "Host");
    const char *proto = sq_req_header(r, "X-Forwarded-Proto");
    bool host_ok = host && strlen(host) < 200 && !strpbrk(host, " \t\r\n\"<>/\\");
    snprintf(url, sizeof url, "%s://%s/open311/v2",
             proto && !strcmp(proto, "https") ? "https" : "http", host_ok ? host : "localhost");
    struct sq_unit u = {0};
    if (!open311_store_root(&root, code, sizeof code, NULL))
        units_store_get(root, &u, NULL);
    snprintf(contact, sizeof contact, "%s 诉求服务（政务服务中心）", u.name[0] ? u.name : "sanqu");
    json_t *doc = json_pack(
        "{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:[s,s]}]}", "changeset", changeset, "contact", contact,
        "key_service", "api_key 由区级管理员签发：POST /api/v1/open311/clients", "endpoints",
        "specification", "http://wiki.open311.org/GeoReport_v2", "url", url, "changeset", changeset,
        "type", "production", "formats", "text/xml", "application/json");
    if (f == FMT_JSON)
        return sq_reply_json(r, 200, doc);
    /* discovery is one object, not a list: write its members under the root */
    return reply_doc(r, 200, f, doc, "discovery", "item");
}

/* ---- services ---- */

static int o311_services(struct sq_req *r)
{
    enum fmt f = (enum fmt)fmt_of(r->path);
    int st = check_jurisdiction(r, f, sq_req_query(r, "jurisdiction_id"));
    if (st)
        return st;
    return reply_doc(r, 200, f, open311_store_services(), "services", "service");
}

static int o311_service_definition(struct sq_req *r)
{
    char code[40];
    int f = param_fmt(r, "code", code, sizeof code);
    if (f < 0)
        return reply_error(r, FMT_JSON, 404, "ask for services/{service_code}.json or .xml");
    int st = check_jurisdiction(r, (enum fmt)f, sq_req_query(r, "jurisdiction_id"));
    if (st)
        return st;
    json_t *svc = open311_store_service(code, NULL);
    if (!svc)
        return reply_error(r, (enum fmt)f, 404, "no service with service_code '%s'", code);
    json_decref(svc);
    /* our services take no extra attributes: the definition is empty */
    json_t *doc = json_pack("{s:s,s:[]}", "service_code", code, "attributes");
    if (f == FMT_JSON)
        return sq_reply_json(r, 200, doc);
    return reply_doc(r, 200, FMT_XML, doc, "service_definition", "attribute");
}

/* ---- GET requests ---- */

/* Reads the paging and date parameters shared by requests and updates.
 * Without dates: the last default_span seconds, open-ended (a client that
 * polls sees changes made at the second it asks); page bounds the answer. */
static int list_params(struct sq_req *r, enum fmt f, int64_t default_span, struct o311_query *q)
{
    const char *sd = sq_req_query(r, "start_date"), *ed = sq_req_query(r, "end_date");
    if (query_int(sq_req_query(r, "page"), 1, 100000, 1, &q->page))
        return reply_error(r, f, 400, "page must be a whole number from 1");
    if (query_int(sq_req_query(r, "page_size"), 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, &q->page_size))
        return reply_error(r, f, 400, "page_size must be 1 to %d", MAX_PAGE_SIZE);
    q->end = INT64_MAX / 2;
    if (ed && sq_clock_parse_iso(ed, &q->end))
        return reply_error(r, f, 400,
                           "end_date must be a W3C date-time, e.g. "
                           "2026-01-01T00:00:00+08:00");
    q->start = (ed ? q->end : sq_clock_now()) - default_span;
    if (sd && sq_clock_parse_iso(sd, &q->start))
        return reply_error(r, f, 400,
                           "start_date must be a W3C date-time, e.g. "
                           "2026-01-01T00:00:00+08:00");
    if (q->start > q->end)
        return reply_error(r, f, 400, "start_date is after end_date");
    return 0;
}

static int o311_requests_get(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct o311_query q = {0};
    struct o311_client c;
    enum fmt f = (enum fmt)fmt_of(r->path);
    char *ids = NULL, *codes = NULL, *statuses = NULL;
    bool bad;
    int st;
    if ((st = check_jurisdiction(r, f, sq_req_query(r, "jurisdiction_id"))) ||
        (st = optional_client(r, f, sq_req_query(r, "api_key"), &c)) ||
        (st = list_params(r, f, 90 * DAY, &q)))
        return st;
    q.client_id = c.id;
    const char *s = sq_req_query(r, "service_request_id");
    if (s && !(ids = comma_list(s, MAX_IDS, &bad))) {
        st = reply_error(r, f, 400, "service_request_id must be a comma list of at most %d ids",
                         MAX_IDS);
        goto out;
    }
    if ((s = sq_req_query(r, "service_code")) && !(codes = comma_list(s, MAX_IDS, &bad))) {
        st = reply_error(r, f, 400, "service_code must be a comma list of service codes");
        goto out;
    }
    if ((s = sq_req_query(r, "status"))) {
        bool want_open = false, want_closed = false;
        char *list = comma_list(s, 2, &bad);
        json_t *a = list ? json_loads(list, 0, NULL) : NULL;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            const char *t = json_string_value(v);
            want_open |= !strcmp(t, "open");
            want_closed |= !strcmp(t, "closed");
            bad |= strcmp(t, "open") && strcmp(t, "closed");
        }
        json_decref(a);
        free(list);
        if (bad || !(want_open || want_closed)) {
            st = reply_error(r, f, 400, "status must be open, closed or open,closed");
            goto out;
        }
        json_t *names = json_array();
        /* Open311's open is the rules' open (sq_appeal_status_open); the rest is closed */
        for (int k = 0; k < SQ_AS__MAX; k++)
            if (sq_appeal_status_open(k) ? want_open : want_closed)
                json_array_append_new(names, json_string(sq_appeal_status_name(k)));
        statuses = json_dumps(names, JSON_COMPACT);
        json_decref(names);
    }
    q.ids_json = ids;
    q.codes_json = codes;
    q.statuses_json = statuses;
    json_t *items = open311_store_requests(&q, &d);
    st = items ? reply_doc(r, 200, f, items, "service_requests", "request")
               : reply_error(r, f, 500, "internal error; the request id is %s", r->rid);
out:
    free(ids);
    free(codes);
    free(statuses);
    return st;
}

static int o311_request_get(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct o311_query q = {0};
    struct o311_client c;
    char id[32], ids[64];
    int f = param_fmt(r, "id", id, sizeof id), st;
    if (f < 0)
        return reply_error(r, FMT_JSON, 404, "ask for requests/{service_request_id}.json or .xml");
    if ((st = check_jurisdiction(r, (enum fmt)f, sq_req_query(r, "jurisdiction_id"))) ||
        (st = optional_client(r, (enum fmt)f, sq_req_query(r, "api_key"), &c)))
        return st;
    bool bad;
    char *list = comma_list(id, 1, &bad);
    if (!list)
        return reply_error(r, (enum fmt)f, 404, "no service request '%.40s'", id);
    snprintf(ids, sizeof ids, "%s", list);
    free(list);
    q.ids_json = ids;
    q.page = 1;
    q.page_size = 1;
    q.client_id = c.id;
    json_t *items = open311_store_requests(&q, &d);
    if (!items)
        return reply_error(r, (enum fmt)f, 500, "internal error; the request id is %s", r->rid);
    if (!json_array_size(items)) {
        json_decref(items);
        return reply_error(r, (enum fmt)f, 404, "no service request '%s'", id);
    }
    return reply_doc(r, 200, (enum fmt)f, items, "service_requests", "request");
}

/* tokens: requests are created synchronously, so the token a client might
 * hold is the service_request_id itself. */
static int o311_token_get(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct o311_query q = {0};
    struct o311_client c;
    char id[32];
    int f = param_fmt(r, "token", id, sizeof id), st;
    if (f < 0)
        return reply_error(r, FMT_JSON, 404, "ask for tokens/{token}.json or .xml");
    if ((st = check_jurisdiction(r, (enum fmt)f, sq_req_query(r, "jurisdiction_id"))) ||
        (st = optional_client(r, (enum fmt)f, sq_req_query(r, "api_key"), &c)))
        return st;
    bool bad;
    char *list = comma_list(id, 1, &bad);
    if (!list)
        return reply_error(r, (enum fmt)f, 404, "no token '%.40s'", id);
    q.ids_json = list;
    q.page = 1;
    q.page_size = 1;
    q.client_id = c.id; /* a request that is not public exists for its client only */
    json_t *items = open311_store_requests(&q, &d);
    free(list);
    if (!items)
        return reply_error(r, (enum fmt)f, 500, "internal error; the request id is %s", r->rid);
    size_t n = json_array_size(items);
    json_decref(items);
    if (!n)
        return reply_error(r, (enum fmt)f, 404, "no token '%s'", id);
    return reply_doc(r, 200, (enum fmt)f,
                     json_pack("[{s:s,s:s}]", "service_request_id", id, "token", id),
                     "service_requests", "request");
}

static int o311_updates(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct o311_query q = {0};
    struct o311_client c;
    enum fmt f = (enum fmt)fmt_of(r->path);
    int st;
    if ((st = check_jurisdiction(r, f, sq_req_query(r, "jurisdiction_id"))) ||
        (st = optional_client(r, f, sq_req_query(r, "api_key"), &c)) ||
        (st = list_params(r, f, 7 * DAY, &q)))
        return st;
    q.client_id = c.id;
    json_t *items = open311_store_updates(&q, &d);
    if (!items)
        return reply_error(r, f, 500, "internal error; the request id is %s", r->rid);
    return reply_doc(r, 200, f, items, "service_request_updates", "request_update");
}

/* ---- POST requests ---- */

static const char *const post_fields[] = {
    "api_key",    "jurisdiction_id", "service_code", "lat",        "long",       "address_string",
    "address_id", "email",           "device_id",    "account_id", "first_name", "last_name",
    "phone",      "description",     "media_url",    NULL,
};

/* Our field names in intake errors, as the Open311 client knows them. */
static const char *o311_field(const char *ours)
{
    static const char *const map[][2] = {
        {"title", "description"},  {"description", "description"}, {"category_id", "service_code"},
        {"unit_id", "address_id"}, {"address", "address_string"},  {"lat", "lat"},
        {"lon", "long"},           {"contact_name", "first_name"}, {"contact_phone", "phone"},
    };
    for (size_t i = 0; ours && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(ours, map[i][0]))
            return map[i][1];
    return ours ? ours : "request";
}

static bool parse_coord(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s || strlen(s) > 32)
        return false;
    *out = strtod(s, &end);
    return !*end && isfinite(*out) && *out >= lo && *out <= hi;
}

/* The first ~30 characters of the description, on one line, as the title. */
static void title_of(const char *desc, const char *fallback, char *out, size_t cap)
{
    size_t o = 0, chars = 0;
    for (const unsigned char *p = (const unsigned char *)desc; *p && chars < 30; chars++) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        if (o + n + 1 > cap)
            break;
        for (size_t i = 0; i < n && p[i]; i++)
            out[o++] = (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') ? ' ' : (char)p[i];
        p += n;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    while (*out == ' ')
        memmove(out, out + 1, strlen(out));
    if (sq_utf8_len(out) < 2)
        snprintf(out, cap, "%s", fallback);
}

static int o311_requests_post(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct o311_form form = {0};
    struct o311_client client;
    enum fmt f = (enum fmt)fmt_of(r->path);
    json_t *in = NULL, *svc = NULL;
    char title[160], name[160], scope[48];
    int64_t category_id = 0, unit_id = 0, id = 0;
    bool replayed;
    int st;
    const char *ct = sq_req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        return reply_error(r, f, 400, "send the request as application/x-www-form-urlencoded");
    if (o311_form_parse(r->body ? r->body : "", r->body_len, &form, &d)) {
        st = reply_error(r, f, 400, "%s", d.message);
        goto out;
    }
    const char *key = o311_form_get(&form, "api_key");
    if (!key)
        key = sq_req_query(r, "api_key");
    if (!key || strlen(key) > 200 || open311_store_client_by_key(key, &client, NULL)) {
        st = reply_error(r, f, 403,
                         key ? "invalid api_key"
                             : "api_key is required to create a "
                               "service request");
        goto out;
    }
    for (int i = 0; i < form.n; i++) {
        bool known = false;
        for (int k = 0; post_fields[k]; k++)
            known |= !strcmp(form.key[i], post_fields[k]);
        if (!known) {
            st =
                !strncmp(form.key[i], "attribute[", 10)
                    ? reply_error(r, f, 400, "our services take no attributes (%.40s)", form.key[i])
                    : reply_error(r, f, 400, "unknown parameter '%.40s'", form.key[i]);
            goto out;
        }
    }
    if ((st = check_jurisdiction(r, f, o311_form_get(&form, "jurisdiction_id"))))
        goto out;
    const char *code = o311_form_get(&form, "service_code");
    if (!code || !*code) {
        st = reply_error(r, f, 400, "service_code is required");
        goto out;
    }
    if (strlen(code) > 32 || !(svc = open311_store_service(code, &category_id))) {
        st = reply_error(r, f, 400, "service_code '%.32s' is not one of our services", code);
        goto out;
    }
    const char *lat_s = o311_form_get(&form, "lat"), *lon_s = o311_form_get(&form, "long");
    const char *addr = o311_form_get(&form, "address_string");
    const char *addr_id = o311_form_get(&form, "address_id");
    double lat = 0, lon = 0;
    if ((lat_s || lon_s) &&
        !(parse_coord(lat_s, -90, 90, &lat) && parse_coord(lon_s, -180, 180, &lon))) {
        st = reply_error(r, f, 400,
                         "lat and long must both be given, as decimal degrees "
                         "(WGS84)");
        goto out;
    }
    if (!lat_s && !(addr && *addr) && !(addr_id && *addr_id)) {
        st = reply_error(r, f, 400,
                         "a location is required: lat and long, address_string or "
                         "address_id");
        goto out;
    }
    if (addr_id && *addr_id && !(unit_id = open311_store_unit_by_code(addr_id))) {
        st = reply_error(r, f, 400, "address_id '%.40s' is not a unit code here", addr_id);
        goto out;
    }
    if (!unit_id && addr && *addr)
        unit_id = open311_store_unit_in_text(addr);
    if (!unit_id)
        unit_id = client.unit_id; /* cannot place it: the client's unit (the district) */
    const char *media = o311_form_get(&form, "media_url"), *email = o311_form_get(&form, "email");
    const char *device = o311_form_get(&form, "device_id");
    const char *account = o311_form_get(&form, "account_id");
    if (media &&
        (strlen(media) > 1000 || (strncmp(media, "https://", 8) && strncmp(media, "http://", 7)))) {
        st = reply_error(r, f, 400, "media_url must be an http(s) URL of at most 1000 bytes");
        goto out;
    }
    if (email && (strlen(email) > 254 || !strchr(email, '@') || strpbrk(email, " \t\r\n"))) {
        st = reply_error(r, f, 400, "email is not an e-mail address");
        goto out;
    }
    if ((device && strlen(device) > 128) || (account && strlen(account) > 128)) {
        st = reply_error(r, f, 400, "device_id and account_id are at most 128 bytes");
        goto out;
    }
    const char *desc = o311_form_get(&form, "description");
    const char *first = o311_form_get(&form, "first_name");
    const char *last = o311_form_get(&form, "last_name");
    title_of(desc ? desc : "", json_string_value(json_object_get(svc, "service_name")), title,
             sizeof title);
    name[0] = '\0';
    if (last && first) /* surname first; a space between Latin names */
        snprintf(name, sizeof name, "%s%s%s", last, (unsigned char)last[0] < 0x80 ? " " : "",
                 first);
    else if (last || first)
        snprintf(name, sizeof name, "%s", last ? last : first);
    in = json_pack("{s:s,s:I,s:I}", "title", title, "category_id", (json_int_t)category_id,
                   "unit_id", (json_int_t)unit_id);
    if (desc)
        json_object_set_new(in, "description", json_string(desc));
    if (addr && *addr)
        json_object_set_new(in, "address", json_string(addr));
    if (lat_s) {
        json_object_set_new(in, "lat", json_real(lat));
        json_object_set_new(in, "lon", json_real(lon));
    }
    if (name[0])
        json_object_set_new(in, "contact_name", json_string(name));
    if (o311_form_get(&form, "phone"))
        json_object_set_new(in, "contact_phone", json_string(o311_form_get(&form, "phone")));
    snprintf(scope, sizeof scope, "o:%lld", (long long)client.id);
    enum sq_err e = appeals_intake(in, NULL, "open311", scope, NULL, &id, &replayed, &d);
    if (e == SQ_EINVAL || e == SQ_EBADREQ) {
        const char *field = o311_field(d.field);
        st = reply_error(r, f, 400, "%s: %s", field,
                         d.field && !strcmp(d.field, "contact_phone") &&
                                 !o311_form_get(&form, "phone")
                             ? "phone is required (a mainland mobile or landline number) so the "
                               "handler can reach the person"
                             : d.message);
        goto out;
    }
    if (e == SQ_EFORBIDDEN) {
        st = reply_error(r, f, 403, "%s", d.message);
        goto out;
    }
    if (e || (e = open311_store_request_put(id, client.id, media, email, device, account, &d))) {
        st = reply_error(r, f, 500, "internal error; the request id is %s", r->rid);
        goto out;
    }
    /* read it back to answer with the tracking number and the unit */
    struct o311_query q = {.page = 1, .page_size = 1, .client_id = client.id};
    char ids[64], no[32];
    ids[0] = '\0';
    if (open311_store_tracking_no(id, no, sizeof no) == SQ_OK)
        snprintf(ids, sizeof ids, "[\"%s\"]", no);
    q.ids_json = ids;
    json_t *items = ids[0] ? open311_store_requests(&q, &d) : NULL;
    json_t *req = json_array_get(items, 0);
    if (!req) {
        json_decref(items);
        st = reply_error(r, f, 500, "internal error; the request id is %s", r->rid);
        goto out;
    }
    char notice[400];
    snprintf(notice, sizeof notice, "已受理，由%s承办%s%s",
             json_string_value(json_object_get(req, "agency_responsible")),
             json_is_string(json_object_get(req, "expected_datetime")) ? "，预计办结时间 " : "",
             json_is_string(json_object_get(req, "expected_datetime"))
                 ? json_string_value(json_object_get(req, "expected_datetime"))
                 : "");
    json_t *doc = json_pack("[{s:O,s:s,s:s?}]", "service_request_id",
                            json_object_get(req, "service_request_id"), "service_notice", notice,
                            "account_id", account);
    json_decref(items);
    json_t *ad = json_pack("{s:I,s:s}", "client_id", (json_int_t)client.id, "client", client.name);
    sq_audit_write(0, "open311_request", "appeal", id, r->ip, ad);
    json_decref(ad);
    st = reply_doc(r, 201, f, doc, "service_requests", "request");
out:
    json_decref(in);
    json_decref(svc);
    o311_form_cleanup(&form);
    return st;
}

/* Anything else under /open311/v2/: a 404 in the spec's format. */
static int o311_not_found(struct sq_req *r)
{
    int f = fmt_of(r->path);
    return reply_error(r, f < 0 ? FMT_JSON : (enum fmt)f, 404, "no such Open311 resource: %.80s",
                       r->path);
}

/* ---- admin: clients ---- */

static int clients_list(struct sq_req *r)
{
    json_t *items = open311_store_clients_json();
    return sq_reply_list(r, items, (int64_t)json_array_size(items), NULL);
}

static const struct sq_field client_fields[] = {
    {.name = "name", .type = SQ_F_STR, .required = true, .min = 1, .max = 100},
    {.name = "unit_id", .type = SQ_F_ID},
    {0},
};

static int clients_create(struct sq_req *r)
{
    struct sq_detail d = {0};
    struct sq_unit u;
    char key[64], code[64];
    int64_t id = 0, unit_id = 0;
    enum sq_err e = sq_validate(r->json, client_fields, &d);
    if (e)
        return sq_reply_err(r, e, &d);
    unit_id = sq_json_int(r->json, "unit_id", 0);
    if (!unit_id && (e = open311_store_root(&unit_id, code, sizeof code, &d)))
        return sq_reply_err(r, e, &d);
    if (units_store_get(unit_id, &u, NULL) || u.archived)
        return sq_reply_errf(r, SQ_EINVAL, "unit_id", "unit_id must be an active unit");
    if ((e = open311_store_client_create(sq_json_str(r->json, "name", ""), unit_id, r->user->id,
                                         &id, key, &d)))
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "open311_client_create", "open311_client", id, r->ip, r->json);
    json_t *o = open311_store_client_json(id);
    if (!o)
        return sq_reply_errf(r, SQ_EDB, NULL, "client vanished");
    json_object_set_new(o, "api_key", json_string(key)); /* shown this once */
    sodium_memzero(key, sizeof key);
    return sq_reply_json(r, 201, o);
}

static int clients_revoke(struct sq_req *r)
{
    struct sq_detail d = {0};
    int64_t id = sq_req_param_id(r, "id");
    enum sq_err e = id ? open311_store_client_revoke(id, &d)
                       : sq_fail(&d, SQ_ENOTFOUND, NULL, "no such client");
    if (e)
        return sq_reply_err(r, e, &d);
    sq_audit_write(r->user->id, "open311_client_revoke", "open311_client", id, r->ip, NULL);
    return sq_reply_json(r, 200, open311_store_client_json(id));
}

/* ---- declared query parameters ----
 * Open311 GeoReport v2 is a public standard whose clients send parameters
 * of their own: its routes are SQ_ROUTE_QUERY_OPEN, so these declarations
 * document the parameters and the handlers check them, answering in the
 * standard's error format. */

#define O311_JURISDICTION                                                                          \
    {                                                                                              \
        .name = "jurisdiction_id", .type = SQ_Q_STR,                                               \
        .desc = "this server's jurisdiction (optional)"                                            \
    }
#define O311_API_KEY                                                                               \
    {                                                                                              \
        .name = "api_key", .type = SQ_Q_STR, .desc = "a registered client's key"                   \
    }

static const struct sq_query o311_query[] = {
    O311_JURISDICTION,
    {0},
};

static const struct sq_query o311_keyed_query[] = {
    O311_JURISDICTION,
    O311_API_KEY,
    {0},
};

static const struct sq_query o311_updates_query[] = {
    O311_JURISDICTION,
    O311_API_KEY,
    {.name = "start_date",
     .type = SQ_Q_TIME,
     .desc = "W3C date-time (default: 90 days before end)"},
    {.name = "end_date", .type = SQ_Q_TIME, .desc = "W3C date-time (default: now)"},
    {.name = "page", .type = SQ_Q_INT, .min = 1, .max = 100000, .desc = "page number (default 1)"},
    {.name = "page_size", .type = SQ_Q_INT, .min = 1, .max = MAX_PAGE_SIZE, .desc = "per page"},
    {0},
};

static const struct sq_query o311_requests_query[] = {
    O311_JURISDICTION,
    O311_API_KEY,
    {.name = "service_request_id", .type = SQ_Q_STR, .desc = "comma-separated ids"},
    {.name = "service_code", .type = SQ_Q_STR, .desc = "comma-separated service codes"},
    {.name = "status", .type = SQ_Q_STR, .desc = "open or closed"},
    {.name = "start_date",
     .type = SQ_Q_TIME,
     .desc = "W3C date-time (default: 90 days before end)"},
    {.name = "end_date", .type = SQ_Q_TIME, .desc = "W3C date-time (default: now)"},
    {.name = "page", .type = SQ_Q_INT, .min = 1, .max = 100000, .desc = "page number (default 1)"},
    {.name = "page_size", .type = SQ_Q_INT, .min = 1, .max = MAX_PAGE_SIZE, .desc = "per page"},
    {0},
};

const struct sq_route open311_routes[] = {
    {.method = "GET",
     .pattern = "/open311/v2/discovery.json",
     .query = o311_query,
     .fn = o311_discovery,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 service discovery"},
    {.method = "GET",
     .pattern = "/open311/v2/discovery.xml",
     .query = o311_query,
     .fn = o311_discovery,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 service discovery (XML)"},
    {.method = "GET",
     .pattern = "/open311/v2/services.json",
     .query = o311_query,
     .fn = o311_services,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 services: leaf appeal categories"},
    {.method = "GET",
     .pattern = "/open311/v2/services.xml",
     .query = o311_query,
     .fn = o311_services,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 services (XML)"},
    {.method = "GET",
     .pattern = "/open311/v2/services/:code",
     .query = o311_query,
     .fn = o311_service_definition,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 service definition: {service_code}.json|xml (no attributes)"},
    {.method = "GET",
     .pattern = "/open311/v2/requests.json",
     .query = o311_requests_query,
     .fn = o311_requests_get,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 service requests (filters, page/page_size)"},
    {.method = "GET",
     .pattern = "/open311/v2/requests.xml",
     .query = o311_requests_query,
     .fn = o311_requests_get,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 service requests (XML)"},
    {.method = "POST",
     .pattern = "/open311/v2/requests.json",
     .query = o311_keyed_query,
     .fn = o311_requests_post,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_RAW_BODY | SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 create a service request (form-encoded, api_key)"},
    {.method = "POST",
     .pattern = "/open311/v2/requests.xml",
     .query = o311_keyed_query,
     .fn = o311_requests_post,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_RAW_BODY | SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 create a service request (XML answer)"},
    {.method = "GET",
     .pattern = "/open311/v2/requests/:id",
     .query = o311_keyed_query,
     .fn = o311_request_get,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 one service request: {service_request_id}.json|xml"},
    {.method = "GET",
     .pattern = "/open311/v2/tokens/:token",
     .query = o311_keyed_query,
     .fn = o311_token_get,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 token lookup: {token}.json|xml"},
    {.method = "GET",
     .pattern = "/open311/v2/servicerequestupdates.json",
     .query = o311_updates_query,
     .fn = o311_updates,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 update feed (FixMyStreet extension)"},
    {.method = "GET",
     .pattern = "/open311/v2/servicerequestupdates.xml",
     .query = o311_updates_query,
     .fn = o311_updates,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311 update feed (XML)"},
    {.method = "GET",
     .pattern = "/open311/v2/:resource",
     .fn = o311_not_found,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311: unknown resource (404 in the spec's format)"},
    {.method = "POST",
     .pattern = "/open311/v2/:resource",
     .fn = o311_not_found,
     .perm = SQ_PERM_PUBLIC,
     .flags = SQ_ROUTE_RAW_BODY | SQ_ROUTE_QUERY_OPEN,
     .summary = "Open311: unknown resource (404 in the spec's format)"},
    {.method = "GET",
     .pattern = "/api/v1/open311/clients",
     .fn = clients_list,
     .perm = SQ_PERM_ADMIN,
     .summary = "Open311 API clients"},
    {.method = "POST",
     .pattern = "/api/v1/open311/clients",
     .body = client_fields,
     .fn = clients_create,
     .perm = SQ_PERM_ADMIN,
     .summary = "issue an Open311 API key (shown once)"},
    {.method = "DELETE",
     .pattern = "/api/v1/open311/clients/:id",
     .fn = clients_revoke,
     .perm = SQ_PERM_ADMIN,
     .summary = "revoke an Open311 API key"},
    {0},
};
