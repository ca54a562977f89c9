/*
 * t_badinput: the bad-input matrix. One table row per hostile request, across
 * the endpoints: malformed JSON, wrong types, missing and undeclared fields,
 * huge strings and arrays, invalid UTF-8, control characters, numbers out of
 * range, SQL and FTS5 metacharacters, path traversal in static and
 * attachment paths, oversized and mistyped uploads, wrong content types,
 * forged, revoked and expired tokens, cookie writes without the CSRF header.
 *
 * Every row asserts the status, the error code (and the field when the API
 * names one), and that the database did not change: a fingerprint of row
 * counts, taken before and after (h_sql_int: read-only on SQLite), must be
 * equal. Rows that are expected to succeed (metacharacters that are just
 * text) answer 200 and change nothing either.
 *
 * Paths that libcurl would normalise ("/../", "%2e%2e") are sent on a raw
 * socket byte for byte, as are requests framed both by Content-Length and
 * Transfer-Encoding (400, connection closed). Expiry runs last: it moves the
 * server's fake clock.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"

/* ---- the database fingerprint ---- */

static const char *const fp_tables[] = {
    "appeals",       "appeal_events",   "attachments",        "idempotency_keys",  "units",
    "users",         "grants",          "categories",         "routing_rules",     "sla_policies",
    "calendar_days", "kb_answers",      "kb_answer_versions", "kb_answer_appeals", "kb_columns",
    "kb_volumes",    "open311_clients", "open311_requests",
};
#define NFP (sizeof fp_tables / sizeof fp_tables[0])

struct fp {
    long long n[NFP];
};

static void fingerprint(struct fp *f)
{
    for (size_t i = 0; i < NFP; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", fp_tables[i]);
        f->n[i] = h_sql_int(NULL, sql, NULL);
    }
}

/* ---- raw requests (no client-side path normalisation) ---- */

static json_t *raw_json[64];
static size_t nraw_json;

static void raw_free(void)
{
    while (nraw_json)
        json_decref(raw_json[--nraw_json]);
}

static struct h_resp *raw_get(const char *path, const char *token)
{
    int port = atoi(strrchr(h_base(), ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    H_ASSERT(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    char *req =
        h_fmt("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s\r\n", path,
              token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    H_ASSERT(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    size_t cap = 1 << 16, n = 0;
    char *buf = h_keep(malloc(cap + 1));
    ssize_t got;
    while (n < cap && (got = read(fd, buf + n, cap - n)) > 0)
        n += (size_t)got;
    close(fd);
    buf[n] = '\0';
    struct h_resp *r = h_keep(calloc(1, sizeof *r));
    r->method = "GET";
    r->path = path;
    r->body = buf;
    r->len = n;
    if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
        r->status = 0;
    char *body = strstr(buf, "\r\n\r\n");
    if (body && nraw_json < sizeof raw_json / sizeof raw_json[0]) {
        r->json = json_loads(body + 4, 0, NULL);
        raw_json[nraw_json++] = r->json; /* the harness frees only its own responses */
    }
    return r;
}

/* ---- the matrix ---- */

enum who {
    ANON,
    ADMIN,
    RESIDENT,
    ENTERPRISE, /* a public user who is not the appeal's person */
    HANDLER,    /* handler of the appeal's unit */
    AUDITOR,
    FORGED,  /* a well-formed token the server never issued */
    REVOKED, /* a token whose session was logged out */
    LONGTOK, /* a 300-character token */
    COOKIE,  /* admin's session as a cookie, no X-CSRF-Token */
    COOKIE_BADCSRF,
};

enum { RAW = 1, IDEM_LONG = 2 };

struct bad {
    enum who who;
    const char *method, *path; /* "{A}" is the test appeal's id */
    const char *body;          /* NULL = none; "@name" = a generated body */
    const char *ctype;         /* NULL = application/json when there is a body */
    int status;
    const char *code; /* NULL when the request is expected to succeed */
    const char *field;
    int flags;
};

#define APPEAL_OK "\"category_id\":3,\"unit_id\":16"
#define INTAKE(extra)                                                                              \
    "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK extra "}"
#define UNIT(extra)                                                                                \
    "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"测试街道\",\"parent_id\":1" extra "}"

/* rows list only the columns they need; the rest are zero */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct bad cases[] = {
    /* --- appeal intake: malformed JSON --- */
    {RESIDENT, "POST", "/api/v1/appeals", "{", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "{\"title\":", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "[]", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "\"text\"", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "null", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "42", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "{}{}", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "{'title':'x'}", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "{\"title\":\"ab\",}", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"title\":\"again\""), NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "@deep", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "@bad_utf8", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "@overlong_utf8", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"address\":\"\\ud800\""), NULL, 400,
     "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "{\"title\":\"ab\",\"lat\":NaN}", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":1e400,\"lon\":1"), NULL, 400,
     "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"kb_answer_id\":99999999999999999999"), NULL,
     400, "bad_json"},
    /* --- intake: missing, mistyped and undeclared fields --- */
    {RESIDENT, "POST", "/api/v1/appeals", "", NULL, 422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals", "{}", NULL, 422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals", "{\"title\":\"路灯不亮\"," APPEAL_OK "}", NULL, 422,
     "invalid", "description"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"unit_id\":16}", NULL, 422,
     "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":3}", NULL, 422,
     "invalid", "unit_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":12345,\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422, "invalid",
     "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":[\"a\",\"b\"],\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422,
     "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":{\"x\":1},\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422,
     "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":null,\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422, "invalid",
     "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":true," APPEAL_OK "}", NULL, 422, "invalid",
     "description"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":\"3\",\"unit_"
     "id\":16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":3.5,\"unit_id\":"
     "16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":0,\"unit_id\":"
     "16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":-3,\"unit_id\":"
     "16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":3e0,\"unit_id\":"
     "16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":"
     "9007199254740993,"
     "\"unit_id\":16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":999999,\"unit_"
     "id\":16}",
     NULL, 422, "invalid", "category_id"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口路灯坏了\",\"category_id\":3,\"unit_id\":"
     "999999}",
     NULL, 422, "invalid", "unit_id"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"status\":\"closed\""), NULL, 422, "invalid"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"id\":1"), NULL, 422, "invalid"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"creator_id\":1"), NULL, 422, "invalid"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"title \":\"x\""), NULL, 422, "invalid"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"\":\"x\""), NULL, 422, "invalid"},
    /* --- intake: strings: length, control characters --- */
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"a\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422, "invalid",
     "title"},
    {RESIDENT, "POST", "/api/v1/appeals", "@title_101", NULL, 422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals", "@title_200k", NULL, 422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals", "@description_5001", NULL, 422, "invalid", "description"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯\\u0001不亮\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL,
     422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯\\n不亮\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL, 422,
     "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯\\u0000不亮\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL,
     400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯\\u007f不亮\",\"description\":\"小区门口路灯坏了\"," APPEAL_OK "}", NULL,
     422, "invalid", "title"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口\\u001b[31m路灯坏了\"," APPEAL_OK "}", NULL,
     422, "invalid", "description"},
    {RESIDENT, "POST", "/api/v1/appeals",
     "{\"title\":\"路灯不亮\",\"description\":\"小区门口\\u0000路灯坏了\"," APPEAL_OK "}", NULL,
     400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/appeals", "@address_201", NULL, 422, "invalid", "address"},
    {RESIDENT, "POST", "/api/v1/appeals", "@contact_name_51", NULL, 422, "invalid", "contact_name"},
    {RESIDENT, "POST", "/api/v1/appeals", "@huge_array", NULL, 422, "invalid", "title"},
    /* --- intake: numbers, enums, phones, booleans --- */
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":90.0001,\"lon\":114"), NULL, 422,
     "invalid", "lat"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":-91,\"lon\":114"), NULL, 422, "invalid",
     "lat"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":30,\"lon\":180.5"), NULL, 422, "invalid",
     "lon"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":\"30\",\"lon\":114"), NULL, 422,
     "invalid", "lat"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"lat\":30.5"), NULL, 422, "invalid", "lon"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"urgency\":\"extreme\""), NULL, 422, "invalid",
     "urgency"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"urgency\":\"URGENT\""), NULL, 422, "invalid",
     "urgency"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"kind\":\"alien\""), NULL, 422, "invalid",
     "kind"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"kind\":1"), NULL, 422, "invalid", "kind"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"123\""), NULL, 422,
     "invalid", "contact_phone"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"1380013800a\""), NULL, 422,
     "invalid", "contact_phone"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":13800138000"), NULL, 422,
     "invalid", "contact_phone"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"+8613800138000\""), NULL,
     422, "invalid", "contact_phone"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"on_behalf\":\"yes\""), NULL, 422, "invalid",
     "on_behalf"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"on_behalf\":1"), NULL, 422, "invalid",
     "on_behalf"},
    {RESIDENT, "POST", "/api/v1/appeals",
     INTAKE(",\"on_behalf\":true,\"contact_name\":\"李四\",\"contact_phone\":\"13800138000\""),
     NULL, 403, "forbidden", "on_behalf"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"kb_answer_id\":-5"), NULL, 422, "invalid",
     "kb_answer_id"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(",\"urgency\":null"), NULL, 422, "invalid",
     "urgency"},
    {ANON, "POST", "/api/v1/appeals", INTAKE(""), NULL, 422, "invalid", "contact_phone"},
    {FORGED, "POST", "/api/v1/appeals", INTAKE(""), NULL, 401, "unauthenticated"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), NULL, 422, "invalid", "Idempotency-Key",
     IDEM_LONG},
    /* --- intake: size and content type --- */
    {RESIDENT, "POST", "/api/v1/appeals", "@body_300k", NULL, 413, "too_large"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "text/plain", 415, "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "application/x-www-form-urlencoded", 415,
     "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "application/xml", 415,
     "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "multipart/form-data; boundary=x", 415,
     "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", "title=x&description=y",
     "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
    /* a body without Content-Type (a cross-site no-cors fetch of a Blob) or
     * with a look-alike type is not JSON (issue 10, item 12) */
    {ANON, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"13800138000\""), "", 415,
     "unsupported_media_type", "Content-Type"},
    {ANON, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"13800138000\""), "text/plain",
     415, "unsupported_media_type", "Content-Type"},
    {ANON, "POST", "/api/v1/appeals", INTAKE(",\"contact_phone\":\"13800138000\""),
     "text/plain; charset=application/json", 415, "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "", 415, "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "application/jsonp", 415,
     "unsupported_media_type"},
    {RESIDENT, "POST", "/api/v1/appeals", INTAKE(""), "application/json-seq", 415,
     "unsupported_media_type"},
    {ANON, "POST", "/api/v1/auth/login", "{\"login\":\"admin\",\"password\":\"sanqu-demo\"}", "",
     415, "unsupported_media_type"},
    {ANON, "POST", "/api/v1/auth/register",
     "{\"login\":\"ctless\",\"password\":\"longenough1\",\"display_name\":\"x\",\"phone\":"
     "\"13800138000\"}",
     "", 415, "unsupported_media_type"},
    {ADMIN, "PATCH", "/api/v1/units/2", "{\"name\":\"无类型\"}", "", 415, "unsupported_media_type"},
    /* --- listing: query parameters --- */
    {ADMIN, "GET", "/api/v1/appeals?limit=0", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/appeals?limit=501", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/appeals?limit=-1", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/appeals?limit=abc", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/appeals?limit=1e2", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/appeals?limit=99999999999999999999", NULL, NULL, 422, "invalid",
     "limit"},
    {ADMIN, "GET", "/api/v1/appeals?cursor=xyz", NULL, NULL, 422, "invalid", "cursor"},
    {ADMIN, "GET", "/api/v1/appeals?cursor=o-5", NULL, NULL, 422, "invalid", "cursor"},
    {ADMIN, "GET", "/api/v1/appeals?cursor=o99999999999", NULL, NULL, 422, "invalid", "cursor"},
    {ADMIN, "GET", "/api/v1/appeals?status=bogus", NULL, NULL, 422, "invalid", "status"},
    {ADMIN, "GET", "/api/v1/appeals?status=submitted,bogus", NULL, NULL, 422, "invalid", "status"},
    {ADMIN, "GET", "/api/v1/appeals?status=%27)%3B%20DROP%20TABLE%20appeals%3B--", NULL, NULL, 422,
     "invalid", "status"},
    {ADMIN, "GET", "/api/v1/appeals?status=@status_300", NULL, NULL, 422, "invalid", "status"},
    {ADMIN, "GET", "/api/v1/appeals?category=abc", NULL, NULL, 422, "invalid", "category"},
    {ADMIN, "GET", "/api/v1/appeals?category=-1", NULL, NULL, 422, "invalid", "category"},
    {ADMIN, "GET", "/api/v1/appeals?unit=0", NULL, NULL, 422, "invalid", "unit"},
    {ADMIN, "GET", "/api/v1/appeals?unit=1%20OR%201%3D1", NULL, NULL, 422, "invalid", "unit"},
    {ADMIN, "GET", "/api/v1/appeals?handler=abc", NULL, NULL, 422, "invalid", "handler"},
    {ADMIN, "GET", "/api/v1/appeals?kind=alien", NULL, NULL, 422, "invalid", "kind"},
    {ADMIN, "GET", "/api/v1/appeals?urgency=extreme", NULL, NULL, 422, "invalid", "urgency"},
    {ADMIN, "GET", "/api/v1/appeals?q=@q_101", NULL, NULL, 422, "invalid", "q"},
    {ADMIN, "GET", "/api/v1/appeals?from=2026-13-01", NULL, NULL, 422, "invalid", "from"},
    {ADMIN, "GET", "/api/v1/appeals?from=yesterday", NULL, NULL, 422, "invalid", "from"},
    {ADMIN, "GET", "/api/v1/appeals?to=2026-02-30", NULL, NULL, 422, "invalid", "to"},
    {ADMIN, "GET", "/api/v1/appeals?from=2026-01-01T00:00%2B1:1", NULL, NULL, 422, "invalid",
     "from"},
    {ADMIN, "GET", "/api/v1/appeals?to=9999-12-31T23:59:59Z", NULL, NULL, 422, "invalid", "to"},
    {ADMIN, "GET", "/api/v1/appeals?due_within=0", NULL, NULL, 422, "invalid", "due_within"},
    {ADMIN, "GET", "/api/v1/appeals?due_within=99999", NULL, NULL, 422, "invalid", "due_within"},
    {ADMIN, "GET", "/api/v1/appeals?due_within=1h", NULL, NULL, 422, "invalid", "due_within"},
    {ADMIN, "GET", "/api/v1/appeals?queue=bogus", NULL, NULL, 422, "invalid", "queue"},
    {ADMIN, "GET", "/api/v1/appeals?sort=title", NULL, NULL, 422, "invalid", "sort"},
    {ADMIN, "GET", "/api/v1/appeals?sort=a.id%3B%20DROP%20TABLE%20appeals", NULL, NULL, 422,
     "invalid", "sort"},
    /* --- SQL and FTS5 metacharacters are only text --- */
    {ADMIN, "GET", "/api/v1/appeals?q=%27%20OR%201%3D1%20--", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%22%3B%20DROP%20TABLE%20appeals%3B%20--", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=NEAR(%E8%B7%AF%E7%81%AF%20a)", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=title%3A%E8%B7%AF*", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%22%22%22", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=a%20AND%20OR%20NOT%20b", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%5E%2B-()%7B%7D", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%25%5F%5C", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%E8%B7", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%FF%FE", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=%00", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/appeals?q=", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/units?q=%27%20OR%20%271%27%3D%271", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/units?q=%25", NULL, NULL, 200},
    {ADMIN, "GET", "/api/v1/users?q=%27%3B--", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/units/directory?q=%22%20OR%20%22", NULL, NULL, 200},
    /* --- knowledge base: search and suggestions (FTS5 MATCH built from user text) --- */
    {ANON, "GET", "/api/v1/search?q=%22%20OR%20*%20NEAR(a%20b)%20NOT%20c%3A", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=%27%3B%20DROP%20TABLE%20kb_answers%3B--", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=title%3A%E8%B7%AF%E7%81%AF%5E", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=%22%22%22%22", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=%FF%FE%E8%B7", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=(((((", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/search?q=", NULL, NULL, 422, "invalid", "q"},
    {ANON, "GET", "/api/v1/search", NULL, NULL, 422, "invalid", "q"},
    /* raw: the harness caps URLs at 4 KiB */
    {ANON, "GET", "/api/v1/search?q=@q_5000", NULL, NULL, 422, "invalid", "q", RAW},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&type=bogus", NULL, NULL, 422, "invalid", "type"},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&order=random", NULL, NULL, 422, "invalid", "order"},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&limit=101", NULL, NULL, 422, "invalid", "limit"},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&unit=999999", NULL, NULL, 422, "invalid", "unit"},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&from=2026-02-01&to=2026-01-01", NULL, NULL, 422,
     "invalid", "to"},
    {ANON, "GET", "/api/v1/search?q=%E8%B7%AF&from=2026-01-01T00:00%2B1:1", NULL, NULL, 422,
     "invalid", "from"},
    {ANON, "GET", "/api/v1/suggest?text=%22%20OR%20*", NULL, NULL, 200},
    {ANON, "GET", "/api/v1/suggest", NULL, NULL, 422, "invalid", "text"},
    {ANON, "GET", "/api/v1/suggest?text=@q_5000", NULL, NULL, 422, "invalid", "text", RAW},
    {ANON, "GET", "/api/v1/suggest?text=%E8%B7%AF&category=999999", NULL, NULL, 422, "invalid",
     "category"},
    {RESIDENT, "GET", "/api/v1/kb/appeals/abc/suggestions", NULL, NULL, 404, "not_found"},
    /* --- knowledge base: answers --- */
    {ANON, "GET", "/api/v1/kb/answers/abc", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/api/v1/kb/answers/99999999", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/api/v1/kb/answers?limit=0", NULL, NULL, 422, "invalid", "limit"},
    {ANON, "GET", "/api/v1/kb/answers/99999999/versions/abc", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/api/v1/kb/volumes/99999999/print", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/api/v1/kb/columns/abc", NULL, NULL, 404, "not_found"},
    {RESIDENT, "POST", "/api/v1/kb/answers",
     "{\"category_id\":1,\"title\":\"标题\",\"problem\":\"问题描述\",\"measures\":\"措施内容\"}",
     NULL, 403, "forbidden"},
    {ANON, "POST", "/api/v1/kb/answers", "{}", NULL, 401, "unauthenticated"},
    {HANDLER, "POST", "/api/v1/kb/answers", "{}", NULL, 422, "invalid", "category_id"},
    {HANDLER, "POST", "/api/v1/kb/answers",
     "{\"category_id\":1,\"title\":\"标\",\"problem\":\"问题描述啊\",\"measures\":\"措施内容啊\"}",
     NULL, 422, "invalid", "title"},
    {HANDLER, "POST", "/api/v1/kb/answers",
     "{\"category_id\":1,\"title\":\"标题\",\"problem\":\"问题描述啊\",\"measures\":\"措施内容啊\","
     "\"tags\":\"not-an-array\"}",
     NULL, 422, "invalid", "tags"},
    {HANDLER, "POST", "/api/v1/kb/answers",
     "{\"category_id\":1,\"title\":\"标题\",\"problem\":\"问题描述啊\",\"measures\":\"措施内容啊\","
     "\"published\":true}",
     NULL, 422, "invalid"},
    {HANDLER, "POST", "/api/v1/kb/answers", "{\"category_id\":", NULL, 400, "bad_json"},
    {HANDLER, "POST", "/api/v1/kb/answers/from-appeal", "{\"appeal_id\":0}", NULL, 422, "invalid",
     "appeal_id"},
    {HANDLER, "PATCH", "/api/v1/kb/answers/99999999", "{\"title\":\"新标题\"}", NULL, 404,
     "not_found"},
    {HANDLER, "POST", "/api/v1/kb/answers/99999999/submit", "{}", NULL, 404, "not_found"},
    {HANDLER, "POST", "/api/v1/kb/answers/99999999/approve", "{}", NULL, 403, "forbidden"},
    {RESIDENT, "POST", "/api/v1/kb/columns", "{}", NULL, 403, "forbidden"},
    {ADMIN, "POST", "/api/v1/kb/columns", "{\"bogus\":1}", NULL, 422, "invalid"},
    {ADMIN, "POST", "/api/v1/kb/volumes", "[]", NULL, 400, "bad_json"},
    {ADMIN, "DELETE", "/api/v1/kb/volumes/abc", NULL, NULL, 404, "not_found"},
    /* --- statistics and hot problems --- */
    {RESIDENT, "GET", "/api/v1/stats/appeals", NULL, NULL, 403, "forbidden"},
    {ANON, "GET", "/api/v1/stats/appeals", NULL, NULL, 401, "unauthenticated"},
    {ADMIN, "GET", "/api/v1/stats/appeals?group_by=bogus", NULL, NULL, 422, "invalid", "group_by"},
    {ADMIN, "GET", "/api/v1/stats/appeals?from=2026-13", NULL, NULL, 422, "invalid", "from"},
    {ADMIN, "GET", "/api/v1/stats/appeals?to=%27%3B--", NULL, NULL, 422, "invalid", "to"},
    {ADMIN, "GET", "/api/v1/stats/appeals?unit=abc", NULL, NULL, 422, "invalid", "unit"},
    {ADMIN, "GET", "/api/v1/stats/rankings?month=2026-13", NULL, NULL, 422, "invalid", "month"},
    {ADMIN, "GET", "/api/v1/stats/rankings?month=2026-11&level=planet", NULL, NULL, 422, "invalid",
     "level"},
    {RESIDENT, "PUT", "/api/v1/stats/settings", "{}", NULL, 403, "forbidden"},
    {ADMIN, "PUT", "/api/v1/stats/settings", "{\"bogus\":1}", NULL, 422, "invalid"},
    {ADMIN, "PUT", "/api/v1/stats/settings", "{", NULL, 400, "bad_json"},
    {ADMIN, "GET", "/api/v1/hot-problems/themes/abc", NULL, NULL, 404, "not_found"},
    {HANDLER, "GET", "/api/v1/hot-problems/themes/99999999", NULL, NULL, 404, "not_found"},
    {RESIDENT, "POST", "/api/v1/open311/clients", "{}", NULL, 403, "forbidden"},
    {ADMIN, "DELETE", "/api/v1/open311/clients/abc", NULL, NULL, 404, "not_found"},
    /* --- one appeal: ids --- */
    {ADMIN, "GET", "/api/v1/appeals/abc", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/0", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/-1", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/1e3", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/99999999", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/9999999999999999999999", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/1%20OR%201=1", NULL, NULL, 404, "not_found"},
    {ENTERPRISE, "GET", "/api/v1/appeals/{A}", NULL, NULL, 403, "forbidden"},
    {ENTERPRISE, "GET", "/api/v1/appeals/{A}/contact", NULL, NULL, 403, "forbidden"},
    /* --- workflow actions --- */
    {HANDLER, "POST", "/api/v1/appeals/{A}/bogus", "{}", NULL, 404, "not_found"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/accept", "{\"x\":1}", NULL, 422, "invalid"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/accept", "[1]", NULL, 400, "bad_json"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/transfer", "{\"unit_id\":\"x\",\"reason\":\"转办\"}",
     NULL, 422, "invalid", "unit_id"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/transfer", "{\"unit_id\":999999,\"reason\":\"转办\"}",
     NULL, 422, "invalid", "unit_id"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/transfer", "{\"unit_id\":17}", NULL, 422, "invalid",
     "reason"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"\"}", NULL, 422, "invalid", "note"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"ok\\u0007\"}", NULL, 422, "invalid",
     "note"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/extend", "{\"days\":31,\"reason\":\"需要更多时间\"}",
     NULL, 422, "invalid", "days"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/extend", "{\"days\":0,\"reason\":\"需要更多时间\"}",
     NULL, 422, "invalid", "days"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/merge", "{\"master_id\":{A}}", NULL, 422, "invalid",
     "master_id"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/resolve", "{\"reply\":\"x\"}", NULL, 422, "invalid",
     "reply"},
    {HANDLER, "POST", "/api/v1/appeals/{A}/rate",
     "{\"speed\":6,\"result\":5,\"attitude\":5,\"solved\":\"solved\",\"satisfaction\":"
     "\"satisfied\"}",
     NULL, 422, "invalid", "speed"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/accept", "{}", NULL, 403, "forbidden"},
    {ENTERPRISE, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"我也要说\"}", NULL, 403,
     "forbidden"},
    {AUDITOR, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"审计\"}", NULL, 403, "forbidden"},
    {ADMIN, "POST", "/api/v1/appeals/99999999/accept", "{}", NULL, 404, "not_found"},
    {ADMIN, "POST", "/api/v1/appeals/{A}/accept/extra", "{}", NULL, 404, "not_found"},
    /* --- attachments: uploads and ids --- */
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@gif", "image/gif", 415,
     "unsupported_media_type", "file"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@html", "image/png", 415,
     "unsupported_media_type", "file"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@png", "image/jpeg", 415,
     "unsupported_media_type", "Content-Type"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@jpeg", "", 415,
     "unsupported_media_type", "Content-Type"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@pdf", "application/json", 415,
     "unsupported_media_type", "Content-Type"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "", "image/png", 422, "invalid", "file"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments", "@jpeg_big", "image/jpeg", 413,
     "too_large"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments?filename=..%2F..%2Fetc%2Fpasswd", "@png",
     "image/png", 422, "invalid", "filename"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments?filename=a%22b.png", "@png", "image/png",
     422, "invalid", "filename"},
    {RESIDENT, "POST", "/api/v1/appeals/{A}/attachments?filename=a%0Ab.png", "@png", "image/png",
     422, "invalid", "filename"},
    {ENTERPRISE, "POST", "/api/v1/appeals/{A}/attachments", "@png", "image/png", 403, "forbidden"},
    {RESIDENT, "POST", "/api/v1/appeals/abc/attachments", "@png", "image/png", 404, "not_found"},
    {RESIDENT, "POST", "/api/v1/appeals/99999999/attachments", "@png", "image/png", 404,
     "not_found"},
    {ADMIN, "GET", "/api/v1/attachments/0", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/attachments/-1", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/attachments/99999999", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/attachments/..%2F..%2Fetc%2Fpasswd", NULL, NULL, 404, "not_found", NULL,
     RAW},
    {ADMIN, "GET", "/api/v1/attachments/%2e%2e", NULL, NULL, 404, "not_found", NULL, RAW},
    /* --- static files: traversal --- */
    {ANON, "GET", "/../../../etc/passwd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/%2e%2e/%2e%2e/etc/passwd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/assets/../../../../etc/passwd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/assets/..%2f..%2f..%2fetc%2fpasswd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/assets/%2e%2e%5c%2e%2e%5cetc%5cpasswd", NULL, NULL, 404, "not_found", NULL,
     RAW},
    {ANON, "GET", "/..%c0%af..%c0%afetc/passwd", NULL, NULL, 404, "not_found", NULL, RAW},
    {ANON, "GET", "/assets/no-such-file.js", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/favicon-missing.png", NULL, NULL, 404, "not_found"},
    {ANON, "POST", "/index.html", "{}", NULL, 405, "method_not_allowed"},
    /* --- units --- */
    {ADMIN, "POST", "/api/v1/units", "{\"code\":\"BAD1\",\"name\":\"x\",\"parent_id\":1}", NULL,
     422, "invalid", "kind"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"planet\",\"code\":\"BAD1\",\"name\":\"x\",\"parent_id\":1}", NULL, 422, "invalid",
     "kind"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"a b\",\"name\":\"x\",\"parent_id\":1}", NULL, 422, "invalid",
     "code"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"a';--\",\"name\":\"x\",\"parent_id\":1}", NULL, 422,
     "invalid", "code"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"\",\"name\":\"x\",\"parent_id\":1}", NULL, 422, "invalid",
     "code"},
    {ADMIN, "POST", "/api/v1/units", "@unit_code_33", NULL, 422, "invalid", "code"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"\",\"parent_id\":1}", NULL, 422, "invalid",
     "name"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"x\\ty\",\"parent_id\":1}", NULL, 422,
     "invalid", "name"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"x\",\"parent_id\":0}", NULL, 422, "invalid",
     "parent_id"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"x\",\"parent_id\":\"1\"}", NULL, 422,
     "invalid", "parent_id"},
    {ADMIN, "POST", "/api/v1/units", UNIT(",\"parent_id2\":1"), NULL, 422, "invalid"},
    {ADMIN, "POST", "/api/v1/units",
     "{\"kind\":\"street\",\"code\":\"BAD1\",\"name\":\"x\",\"parent_id\":999999}", NULL, 422,
     "invalid", "parent_id"},
    {ADMIN, "POST", "/api/v1/units", UNIT(",\"zone\":\"moon\""), NULL, 422, "invalid", "zone"},
    {ADMIN, "POST", "/api/v1/units", UNIT(",\"path\":\"/1/\""), NULL, 422, "invalid"},
    {ADMIN, "POST", "/api/v1/units", "@unit_address_201", NULL, 422, "invalid", "address"},
    {ADMIN, "POST", "/api/v1/units", UNIT(""), "text/plain", 415, "unsupported_media_type"},
    {ADMIN, "POST", "/api/v1/units", "{\"kind\":\"street\"", NULL, 400, "bad_json"},
    {RESIDENT, "POST", "/api/v1/units", UNIT(""), NULL, 403, "forbidden"},
    {AUDITOR, "POST", "/api/v1/units", UNIT(""), NULL, 403, "forbidden"},
    {ANON, "POST", "/api/v1/units", UNIT(""), NULL, 401, "unauthenticated"},
    {ADMIN, "PATCH", "/api/v1/units/abc", "{\"name\":\"x\"}", NULL, 404, "not_found"},
    {ADMIN, "PATCH", "/api/v1/units/99999999", "{\"name\":\"x\"}", NULL, 404, "not_found"},
    {ADMIN, "PATCH", "/api/v1/units/2", "{\"code\":null}", NULL, 422, "invalid", "code"},
    {ADMIN, "PATCH", "/api/v1/units/2", "{\"name\":123}", NULL, 422, "invalid", "name"},
    {ADMIN, "PATCH", "/api/v1/units/2", "{\"kind\":\"park\"}", NULL, 422, "invalid"},
    {ADMIN, "PATCH", "/api/v1/units/2", "[]", NULL, 400, "bad_json"},
    {ADMIN, "POST", "/api/v1/units/1/archive", "{}", NULL, 409, "conflict"},
    {ADMIN, "GET", "/api/v1/units?limit=0", NULL, NULL, 422, "invalid", "limit"},
    {ADMIN, "GET", "/api/v1/units/abc", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/units/0/subtree", NULL, NULL, 404, "not_found"},
    {ADMIN, "DELETE", "/api/v1/units/2", NULL, NULL, 405, "method_not_allowed"},
    /* --- users and grants --- */
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"ab\",\"password\":\"longenough1\",\"display_name\":\"x\"}", NULL, 422, "invalid",
     "login"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"short\",\"display_name\":\"x\"}", NULL, 422, "invalid",
     "password"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"longenough1\",\"display_name\":\"x\",\"phone\":\"12\"}",
     NULL, 422, "invalid", "phone"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"longenough1\",\"display_name\":\"x\",\"id_number\":"
     "\"123\"}",
     NULL, 422, "invalid", "id_number"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"longenough1\",\"display_name\":\"x\",\"role\":\"god\"}",
     NULL, 422, "invalid", "role"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"longenough1\",\"display_name\":\"x\",\"is_admin\":"
     "true}",
     NULL, 422, "invalid"},
    {ADMIN, "POST", "/api/v1/users",
     "{\"login\":\"admin\",\"password\":\"longenough1\",\"display_name\":\"x\"}", NULL, 409,
     "conflict"},
    {RESIDENT, "POST", "/api/v1/users",
     "{\"login\":\"newuser\",\"password\":\"longenough1\",\"display_name\":\"x\"}", NULL, 403,
     "forbidden"},
    {RESIDENT, "PATCH", "/api/v1/users/1", "{\"display_name\":\"pwned\"}", NULL, 403, "forbidden"},
    {RESIDENT, "PATCH", "/api/v1/users/{R}", "{\"disabled\":true}", NULL, 403, "forbidden"},
    {RESIDENT, "PATCH", "/api/v1/users/{R}", "{\"phone\":\"555\"}", NULL, 422, "invalid", "phone"},
    {ADMIN, "PATCH", "/api/v1/users/abc", "{\"display_name\":\"x\"}", NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/users/99999999", NULL, NULL, 404, "not_found"},
    {ADMIN, "POST", "/api/v1/grants", "{\"user_id\":0,\"role\":\"handler\",\"unit_id\":16}", NULL,
     422, "invalid", "user_id"},
    {ADMIN, "POST", "/api/v1/grants", "{\"user_id\":{R},\"role\":\"emperor\",\"unit_id\":16}", NULL,
     422, "invalid", "role"},
    {ADMIN, "POST", "/api/v1/grants", "{\"user_id\":{R},\"role\":\"handler\",\"unit_id\":999999}",
     NULL, 422, "invalid", "unit_id"},
    {ADMIN, "POST", "/api/v1/grants", "{\"user_id\":{R},\"role\":\"handler\"}", NULL, 422,
     "invalid", "unit_id"},
    {RESIDENT, "POST", "/api/v1/grants",
     "{\"user_id\":{R},\"role\":\"district_admin\",\"unit_id\":1}", NULL, 403, "forbidden"},
    {ADMIN, "DELETE", "/api/v1/grants/abc", NULL, NULL, 404, "not_found"},
    {ADMIN, "DELETE", "/api/v1/grants/99999999", NULL, NULL, 404, "not_found"},
    {HANDLER, "DELETE", "/api/v1/grants/1", NULL, NULL, 403, "forbidden"},
    /* --- categories, routing rules, SLA --- */
    {RESIDENT, "POST", "/api/v1/categories", "{\"code\":\"X1\",\"name\":\"x\"}", NULL, 403,
     "forbidden"},
    {ADMIN, "POST", "/api/v1/categories", "{}", NULL, 422, "invalid"},
    {ADMIN, "PATCH", "/api/v1/categories/abc", "{\"name\":\"x\"}", NULL, 404, "not_found"},
    {ADMIN, "POST", "/api/v1/routing-rules", "{}", NULL, 422, "invalid"},
    {ADMIN, "POST", "/api/v1/routing-rules", "{\"category_id\":\"x\"}", NULL, 422, "invalid"},
    {ADMIN, "PUT", "/api/v1/sla", "{}", NULL, 422, "invalid"},
    {ADMIN, "DELETE", "/api/v1/sla/abc", NULL, NULL, 404, "not_found"},
    {ADMIN, "DELETE", "/api/v1/routing-rules/99999999", NULL, NULL, 404, "not_found"},
    /* --- sign-in --- */
    {ANON, "POST", "/api/v1/auth/login", "{\"login\":\"admin\"}", NULL, 422, "invalid", "password"},
    {ANON, "POST", "/api/v1/auth/login", "{\"login\":\"\",\"password\":\"x\"}", NULL, 422,
     "invalid", "login"},
    {ANON, "POST", "/api/v1/auth/login", "{\"login\":[\"admin\"],\"password\":\"x\"}", NULL, 422,
     "invalid", "login"},
    {ANON, "POST", "/api/v1/auth/login", "@login_65", NULL, 422, "invalid", "login"},
    {ANON, "POST", "/api/v1/auth/login",
     "{\"login\":\"nobody' OR '1'='1\",\"password\":\"x' OR '1'='1\"}", NULL, 401,
     "unauthenticated"},
    {ANON, "POST", "/api/v1/auth/login", "{\"login\":\"admin\",\"password\":\"sanqu-demo\"}",
     "text/plain", 415, "unsupported_media_type"},
    {ANON, "POST", "/api/v1/auth/register",
     "{\"login\":\"newbie\",\"password\":\"longenough1\",\"display_name\":\"x\",\"phone\":\"1\"}",
     NULL, 422, "invalid", "phone"},
    {ANON, "POST", "/api/v1/auth/register",
     "{\"login\":\"newbie\",\"password\":\"short\",\"display_name\":\"x\",\"phone\":"
     "\"13800138000\"}",
     NULL, 422, "invalid", "password"},
    {ANON, "POST", "/api/v1/auth/register",
     "{\"login\":\"resident\",\"password\":\"longenough1\",\"display_name\":\"x\",\"phone\":"
     "\"13800138000\"}",
     NULL, 409, "conflict"},
    /* --- tokens --- */
    {FORGED, "GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated"},
    {FORGED, "GET", "/api/v1/appeals", NULL, NULL, 401, "unauthenticated"},
    {FORGED, "POST", "/api/v1/units", UNIT(""), NULL, 401, "unauthenticated"},
    {FORGED, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"x\"}", NULL, 401, "unauthenticated"},
    {LONGTOK, "GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated"},
    {REVOKED, "GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated"},
    {REVOKED, "POST", "/api/v1/units", UNIT(""), NULL, 401, "unauthenticated"},
    {REVOKED, "PATCH", "/api/v1/users/{R}", "{\"display_name\":\"x\"}", NULL, 401,
     "unauthenticated"},
    {ANON, "GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated"},
    {ANON, "GET", "/api/v1/appeals/{A}", NULL, NULL, 401, "unauthenticated"},
    /* --- CSRF: a cookie session must send X-CSRF-Token on writes --- */
    {COOKIE, "POST", "/api/v1/units", UNIT(""), NULL, 403, "forbidden", "X-CSRF-Token"},
    {COOKIE, "PATCH", "/api/v1/units/2", "{\"name\":\"改名\"}", NULL, 403, "forbidden",
     "X-CSRF-Token"},
    {COOKIE, "DELETE", "/api/v1/grants/1", NULL, NULL, 403, "forbidden", "X-CSRF-Token"},
    {COOKIE, "POST", "/api/v1/appeals", INTAKE(""), NULL, 403, "forbidden", "X-CSRF-Token"},
    {COOKIE, "POST", "/api/v1/appeals/{A}/note", "{\"note\":\"x\"}", NULL, 403, "forbidden",
     "X-CSRF-Token"},
    {COOKIE_BADCSRF, "POST", "/api/v1/units", UNIT(""), NULL, 403, "forbidden", "X-CSRF-Token"},
    {COOKIE_BADCSRF, "PATCH", "/api/v1/users/1", "{\"display_name\":\"x\"}", NULL, 403, "forbidden",
     "X-CSRF-Token"},
    {COOKIE, "GET", "/api/v1/me", NULL, NULL, 200}, /* reads need no CSRF header */
    /* --- methods and unknown routes --- */
    {ADMIN, "PUT", "/api/v1/appeals", "{}", NULL, 405, "method_not_allowed"},
    {ANON, "PATCH", "/healthz", "{}", NULL, 405, "method_not_allowed"},
    {ANON, "GET", "/api/v1/nope", NULL, NULL, 404, "not_found"},
    {ANON, "GET", "/api/v2/appeals", NULL, NULL, 404, "not_found"},
    {ADMIN, "GET", "/api/v1/appeals/1/2/3/4/5/6/7/8/9/10/11/12/13", NULL, NULL, 404, "not_found"},
    {ANON, "POST", "/api/v1/test/clock", "{\"advance_seconds\":\"x\"}", NULL, 422, "invalid"},
    {0},
};
#pragma GCC diagnostic pop

/* ---- generated bodies ---- */

static char *repeat(const char *unit, int n)
{
    size_t u = strlen(unit);
    char *s = h_keep(malloc(u * (size_t)n + 1));
    for (int i = 0; i < n; i++)
        memcpy(s + u * (size_t)i, unit, u);
    s[u * (size_t)n] = '\0';
    return s;
}

static const char *gen(const char *name, long *len)
{
    *len = 0;
    if (!strcmp(name, "deep"))
        return h_fmt("{\"title\":%s1%s}", repeat("[", 5000), repeat("]", 5000));
    if (!strcmp(name, "bad_utf8")) {
        *len = 0;
        return h_fmt("{\"title\":\"\xff\xfe\xe8\xb7\",\"description\":\"abcdef\"," APPEAL_OK "}");
    }
    if (!strcmp(name, "overlong_utf8"))
        return h_fmt("{\"title\":\"\xc0\xaf\xc0\xaf\",\"description\":\"abcdef\"," APPEAL_OK "}");
    if (!strcmp(name, "title_101"))
        return h_fmt("{\"title\":\"%s\",\"description\":\"abcdef\"," APPEAL_OK "}",
                     repeat("灯", 101));
    if (!strcmp(name, "title_200k"))
        return h_fmt("{\"title\":\"%s\",\"description\":\"abcdef\"," APPEAL_OK "}",
                     repeat("x", 200000));
    if (!strcmp(name, "description_5001"))
        return h_fmt("{\"title\":\"路灯\",\"description\":\"%s\"," APPEAL_OK "}",
                     repeat("坏", 5001));
    if (!strcmp(name, "address_201"))
        return h_fmt(INTAKE(",\"address\":\"%s\""), repeat("路", 201));
    if (!strcmp(name, "contact_name_51"))
        return h_fmt(INTAKE(",\"contact_name\":\"%s\""), repeat("名", 51));
    if (!strcmp(name, "huge_array"))
        return h_fmt("{\"title\":[%s0],\"description\":\"abcdef\"," APPEAL_OK "}",
                     repeat("0,", 100000));
    if (!strcmp(name, "body_300k"))
        return h_fmt(INTAKE(",\"address\":\"%s\""), repeat("x", 300 * 1024));
    if (!strcmp(name, "unit_code_33"))
        return h_fmt("{\"kind\":\"street\",\"code\":\"%s\",\"name\":\"x\",\"parent_id\":1}",
                     repeat("C", 33));
    if (!strcmp(name, "unit_address_201"))
        return h_fmt(UNIT(",\"address\":\"%s\""), repeat("址", 201));
    if (!strcmp(name, "login_65"))
        return h_fmt("{\"login\":\"%s\",\"password\":\"x\"}", repeat("l", 65));
    if (!strcmp(name, "gif")) {
        *len = 16;
        return "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00";
    }
    if (!strcmp(name, "html"))
        return "<html><script>alert(1)</script></html>";
    if (!strcmp(name, "png")) {
        *len = 24;
        return "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02";
    }
    if (!strcmp(name, "jpeg")) {
        *len = 12;
        return "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01";
    }
    if (!strcmp(name, "pdf"))
        return "%PDF-1.4\n%%EOF\n";
    if (!strcmp(name, "jpeg_big")) {
        char *s = repeat("x", 100 * 1024);
        memcpy(s, "\xff\xd8\xff\xe0", 4);
        *len = 100 * 1024;
        return s;
    }
    H_FAIL("no generator %s", name);
}

/* Fills "{A}", "{R}" and "@name" query values in a path or body. */
static const char *expand(const char *s, long long appeal, long long resident)
{
    if (!s)
        return NULL;
    char *out = h_fmt("%s", s), *p;
    while ((p = strstr(out, "{A}")) || (p = strstr(out, "{R}"))) {
        *p = '\0';
        out = h_fmt("%s%lld%s", out, p[1] == 'A' ? appeal : resident, p + 3);
    }
    if ((p = strstr(out, "=@"))) {
        long n;
        const char *v = !strcmp(p + 2, "status_300") ? repeat("submitted,", 30)
                        : !strcmp(p + 2, "q_101")    ? repeat("q", 101)
                        : !strcmp(p + 2, "q_5000")   ? repeat("q", 5000)
                                                     : gen(p + 2, &n);
        p[1] = '\0';
        out = h_fmt("%s%s", out, v);
    }
    return out;
}

static const char *who_name(enum who w)
{
    static const char *const names[] = {"anonymous",  "admin",   "resident",       "enterprise",
                                        "handler",    "auditor", "forged",         "revoked",
                                        "long token", "cookie",  "cookie+bad csrf"};
    return names[w];
}

static void test_bad_input_matrix(void)
{
    h_start(&(struct h_opts){.demo = true,
                             .args = (const char *const[]){"--max_upload_kb", "64", NULL}});
    const char *tok[16] = {0};
    tok[ADMIN] = h_tok("admin");
    tok[RESIDENT] = h_tok("resident");
    tok[ENTERPRISE] = h_tok("enterprise");
    tok[HANDLER] = h_tok("community_handler");
    tok[AUDITOR] = h_tok("auditor");
    tok[FORGED] = "dGhpcyB0b2tlbiB3YXMgbmV2ZXIgaXNzdWVkIGJ5IHNhbnF1";
    tok[LONGTOK] = repeat("A", 300);
    const struct h_session *gone = h_login_fresh("student", "sanqu-demo");
    H_STATUS(h_req("POST", "/api/v1/auth/logout", gone->token, "{}"), 200);
    tok[REVOKED] = gone->token;
    const struct h_session *admin = h_session("admin", "sanqu-demo");
    long long resident = h_uid("resident");

    /* the appeal the matrix works on: the resident's, handled by 桂林社区 */
    struct h_resp *r = h_req("POST", "/api/v1/appeals", tok[RESIDENT], INTAKE(""));
    H_STATUS(r, 201);
    long long appeal = H_INT(r->json, "id");
    H_EQ_INT(H_INT(r->json, "handler_unit_id"), 16);

    int n = 0, failed = 0;
    for (const struct bad *c = cases; c->method; c++, n++) {
        const char *path = expand(c->path, appeal, resident);
        const char *body = NULL;
        long len = 0;
        if (c->body && c->body[0] == '@')
            body = gen(c->body + 1, &len);
        else
            body = expand(c->body, appeal, resident);
        struct fp before, after;
        fingerprint(&before);
        if (c->flags & RAW) {
            r = raw_get(path, tok[c->who]);
        } else {
            struct h_call call = {.method = c->method,
                                  .path = path,
                                  .body = body,
                                  .body_len = len,
                                  .ctype = c->ctype};
            const char *hdr[3] = {0};
            if (c->who == COOKIE || c->who == COOKIE_BADCSRF) {
                call.cookie = admin->token;
                if (c->who == COOKIE_BADCSRF)
                    call.csrf = "not-the-csrf-token";
            } else {
                call.token = tok[c->who];
            }
            if (c->flags & IDEM_LONG)
                hdr[0] = h_fmt("Idempotency-Key: %s", repeat("k", 129));
            call.headers = hdr;
            r = h_send(&call);
        }
        fingerprint(&after);
        const char *code = json_string_value(h_get(r->json, "error.code"));
        const char *field = json_string_value(h_get(r->json, "error.field"));
        bool ok = r->status == c->status && (c->code ? code && !strcmp(code, c->code) : !code) &&
                  (!c->field || (field && !strcmp(field, c->field))) &&
                  (!c->code || json_is_string(h_get(r->json, "error.message")));
        bool same = !memcmp(&before, &after, sizeof before);
        if (!ok || !same) {
            failed++;
            fprintf(stderr, "case %d (%s %s %.80s as %s): want %d %s %s, got %d: %.300s%s\n", n,
                    c->method, c->path, c->body ? c->body : "", who_name(c->who), c->status,
                    c->code ? c->code : "-", c->field ? c->field : "", r->status,
                    r->body ? r->body : "", same ? "" : " [DATABASE CHANGED]");
            for (size_t i = 0; !same && i < NFP; i++)
                if (before.n[i] != after.n[i])
                    fprintf(stderr, "  %s: %lld -> %lld\n", fp_tables[i], before.n[i], after.n[i]);
        }
    }
    printf("  %d bad-input cases, %d failed\n", n, failed);
    raw_free();
    H_ASSERTF(n >= 150, "only %d cases", n);
    H_ASSERTF(!failed, "%d of %d bad-input cases failed (listed above)", failed, n);
}

/* Sends req on a new connection and reads until the server closes it (or
 * secs pass: *closed says which). Harness-owned text. */
static char *raw_exchange(const char *req, size_t len, int secs, bool *closed)
{
    int port = atoi(strrchr(h_base(), ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    H_ASSERT(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    struct timeval tv = {.tv_sec = secs};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    H_ASSERT(write(fd, req, len) == (ssize_t)len);
    size_t cap = 1 << 16, n = 0;
    char *buf = h_keep(malloc(cap + 1));
    ssize_t got = 0;
    while (n < cap && (got = read(fd, buf + n, cap - n)) > 0)
        n += (size_t)got;
    *closed = got == 0;
    close(fd);
    buf[n] = '\0';
    return buf;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Content-Length and Transfer-Encoding together (RFC 9112 6.3): one 400,
 * the connection closed, the body and a request smuggled after it never
 * run (issue 10, item 14). */
static void test_ambiguous_framing(void)
{
    h_start_demo();
    const char *body = "{\"title\":\"走私的诉求\",\"description\":\"不应被受理\",\"category_id\":3,"
                       "\"unit_id\":16,\"contact_phone\":\"13800138000\"}";
    const char *framings[] = {
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        "transfer-encoding: chunked\r\ncontent-length: 0\r\n",
    };
    for (int i = 0; i < 2; i++) {
        struct fp before, after;
        fingerprint(&before);
        char *req = h_fmt("POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\n%s\r\n%zx\r\n%s\r\n0\r\n\r\n"
                          "POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                          framings[i], strlen(body), body, strlen(body), body);
        bool closed = false;
        char *resp = raw_exchange(req, strlen(req), 5, &closed);
        H_ASSERTF(!strncmp(resp, "HTTP/1.1 400 ", 13), "framing %d answered: %.300s", i, resp);
        H_CONTAINS(resp, "\"code\":\"bad_request\"");
        H_CONTAINS(resp, "Content-Length 和 Transfer-Encoding");
        H_ASSERTF(strcasestr(resp, "\r\nConnection: close\r\n"), "no Connection: close: %.300s",
                  resp);
        H_ASSERTF(count_of(resp, "HTTP/1.1 ") == 1, "more than one answer: %.600s", resp);
        H_ASSERTF(closed, "the connection was kept open");
        fingerprint(&after);
        H_ASSERT(!memcmp(&before, &after, sizeof before));
    }
    /* one framing is fine, and keeps the connection */
    bool closed = true;
    const char *plain = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    char *resp = raw_exchange(plain, strlen(plain), 1, &closed);
    H_ASSERTF(!strncmp(resp, "HTTP/1.1 200 ", 13), "healthz: %.300s", resp);
    H_ASSERTF(!closed, "a plain keep-alive request was closed");
}

/* Expiry last: it moves the server's clock past every session's lifetime. */
static void test_expired_tokens(void)
{
    h_start_demo();
    const char *tok = h_tok("admin"), *res = h_tok("resident");
    H_STATUS(h_req("GET", "/api/v1/me", tok, NULL), 200);
    H_STATUS(h_req("POST", "/api/v1/test/clock", NULL, "{\"advance_seconds\":46800}"), 200);
    struct fp before, after;
    fingerprint(&before);
    H_ERR(h_req("GET", "/api/v1/me", tok, NULL), 401, "unauthenticated");
    H_ERR(h_req("GET", "/api/v1/appeals", tok, NULL), 401, "unauthenticated");
    H_ERR(h_req("POST", "/api/v1/units", tok, UNIT("")), 401, "unauthenticated");
    H_ERR(h_req("PATCH", "/api/v1/units/2", tok, "{\"name\":\"过期\"}"), 401, "unauthenticated");
    H_ERR(h_req("POST", "/api/v1/auth/logout", res, "{}"), 401, "unauthenticated");
    H_ERR(h_send(&(struct h_call){
              .method = "POST", .path = "/api/v1/units", .cookie = tok, .body = UNIT("")}),
          401, "unauthenticated");
    fingerprint(&after);
    H_ASSERT(!memcmp(&before, &after, sizeof before));
    h_forget_sessions();
}

static const struct h_test tests[] = {
    H_TEST(test_bad_input_matrix),
    H_TEST(test_ambiguous_framing),
    H_TEST(test_expired_tokens),
    {0},
};

int main(int argc, char **argv)
{
    return h_main(argc, argv, tests);
}
