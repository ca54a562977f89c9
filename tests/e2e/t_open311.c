/*
 * t_open311: GeoReport v2 as a client sees it, with requests shaped like the
 * spec's published examples: discovery, GET services (JSON and XML), a
 * service definition, POST a request form-encoded with an api_key issued by
 * an admin, read it back in JSON and XML (own fields only with the key),
 * filters and paging, tokens, the update feed, and the error documents
 * ([{code, description}] / <errors>) with 400, 403 and 404.
 *
 * Sensitive categories (issue 10, item 15): appeals in a category that is
 * not public (低保救助, 困难帮扶 by default) are absent from the anonymous
 * request list, lookups by id and token, and the update feed, in JSON and
 * XML; the client that filed one still reads it, staff read it through
 * /api/v1/appeals; admins change the flag through the categories API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char api_key[64];
static char request_id[32];

static struct h_resp *form_post(const char *path, const char *body)
{
    struct h_call c = {
        .method = "POST", .path = path, .body = body, .ctype = "application/x-www-form-urlencoded"};
    return h_send(&c);
}

/* The spec's error document: one error with this code. */
static void spec_error(struct h_resp *r, int status)
{
    H_STATUS(r, status);
    H_ASSERTF(json_is_array(r->json), "an Open311 error is a JSON array: %s", r->body);
    H_EQ_INT(H_INT(r->json, "0.code"), status);
    H_ASSERT(strlen(H_STR(r->json, "0.description")) > 0);
}

static void spec_error_xml(struct h_resp *r, int status)
{
    H_STATUS(r, status);
    H_CONTAINS(h_header(r, "Content-Type"), "text/xml");
    H_CONTAINS(r->body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    H_CONTAINS(r->body, h_fmt("<errors><error><code>%d</code><description>", status));
}

static void setup(void)
{
    h_need_demo();
    if (api_key[0])
        return;
    struct h_resp *r =
        h_req("POST", "/api/v1/open311/clients", h_tok("admin"), "{\"name\":\"随手拍 App\"}");
    H_STATUS(r, 201);
    snprintf(api_key, sizeof api_key, "%s", H_STR(r->json, "api_key"));
    H_ASSERT(strlen(api_key) >= 40);
    H_EQ_INT(H_INT(r->json, "unit_id"), 1); /* the district by default */
}

static void test_clients_admin(void)
{
    setup();
    H_ERR(h_req("POST", "/api/v1/open311/clients", h_tok("street_admin"), "{\"name\":\"x\"}"), 403,
          "forbidden");
    H_ERR(h_req("GET", "/api/v1/open311/clients", h_tok("community_handler"), NULL), 403,
          "forbidden");
    H_ERR_FIELD(h_req("POST", "/api/v1/open311/clients", h_tok("admin"), "{}"), 422, "invalid",
                "name");
    H_ERR_FIELD(h_req("POST", "/api/v1/open311/clients", h_tok("admin"),
                      "{\"name\":\"x\",\"unit_id\":999999}"),
                422, "invalid", "unit_id");
    struct h_resp *r = h_req("GET", "/api/v1/open311/clients", h_tok("admin"), NULL);
    H_STATUS(r, 200);
    /* the key is shown once: never in the list */
    H_ASSERT(!strstr(r->body, api_key));
    H_ASSERT(!h_get(r->json, "items.0.api_key"));
}

static void test_discovery_and_services(void)
{
    setup();
    struct h_resp *r = h_req("GET", "/open311/v2/discovery.json", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "endpoints.0.specification"), "http://wiki.open311.org/GeoReport_v2");
    H_EQ_STR(H_STR(r->json, "endpoints.0.formats.0"), "text/xml");
    r = h_req("GET", "/open311/v2/discovery.xml", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "<discovery><changeset>");
    H_CONTAINS(r->body, "<formats><format>text/xml</format><format>application/json</format>");

    r = h_req("GET", "/open311/v2/services.json", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Content-Type"), "application/json");
    H_ASSERT(json_array_size(r->json) > 20);
    bool seen = false;
    json_t *s;
    size_t i;
    json_array_foreach(r->json, i, s)
    {
        /* leaf categories only, each with the spec's fields */
        H_ASSERT(strlen(H_STR(s, "service_code")) == 4);
        H_ASSERT(json_is_false(h_get(s, "metadata")));
        H_EQ_STR(H_STR(s, "type"), "realtime");
        H_STR(s, "service_name");
        H_STR(s, "description");
        H_STR(s, "keywords");
        if (!strcmp(H_STR(s, "service_code"), "DT01")) {
            H_EQ_STR(H_STR(s, "service_name"), "电梯故障");
            H_EQ_STR(H_STR(s, "group"), "电梯");
            seen = true;
        }
    }
    H_ASSERT(seen);
    r = h_req("GET", "/open311/v2/services.xml?jurisdiction_id=HS", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(h_header(r, "Content-Type"), "text/xml; charset=utf-8");
    H_ASSERT(!strncmp(r->body,
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service>"
                      "<service_code>",
                      strlen("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service>"
                             "<service_code>")));
    H_CONTAINS(r->body, "<service_code>DT01</service_code><service_name>电梯故障</service_name>");
    H_CONTAINS(r->body, "<metadata>false</metadata><type>realtime</type>");
    /* a definition: no attributes */
    r = h_req("GET", "/open311/v2/services/DT01.json", NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "service_code"), "DT01");
    H_EQ_INT(json_array_size(h_get(r->json, "attributes")), 0);
    r = h_req("GET", "/open311/v2/services/DT01.xml", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "<service_definition><service_code>DT01</service_code><attributes>"
                        "</attributes></service_definition>");
    /* 404s in the spec's format */
    spec_error(h_req("GET", "/open311/v2/services/NOPE.json", NULL, NULL), 404);
    spec_error(h_req("GET", "/open311/v2/services/DT.json", NULL, NULL), 404); /* not a leaf */
    spec_error_xml(h_req("GET", "/open311/v2/services/NOPE.xml", NULL, NULL), 404);
    spec_error(h_req("GET", "/open311/v2/services.json?jurisdiction_id=nyc.gov", NULL, NULL), 404);
    spec_error(h_req("GET", "/open311/v2/whatever.json", NULL, NULL), 404);
}

static void test_post_and_read_back(void)
{
    setup();
    /* as in the spec's example: api_key, service_code, lat/long, address,
     * contact and description, application/x-www-form-urlencoded */
    struct h_resp *r = form_post(
        "/open311/v2/requests.json",
        h_fmt("api_key=%s&jurisdiction_id=HS&service_code=DT01&lat=30.5215&long=114.3620"
              "&address_string=%%E6%%A1%%82%%E6%%9E%%97%%E7%%A4%%BE%%E5%%8C%%BA3%%E5%%8F%%B7"
              "%%E6%%A5%%BC&email=zhang%%40example.org&device_id=tt222111&first_name=%%E4%%B8%%89"
              "&last_name=%%E5%%BC%%A0&phone=13800138000&description=%%E7%%94%%B5%%E6%%A2%%AF"
              "%%E5%%9B%%B0%%E4%%BA%%BA+%%3Cdoor%%3E+%%26+stuck&media_url=http%%3A%%2F%%2F"
              "example.org%%2Fa.jpg",
              api_key));
    H_STATUS(r, 201);
    H_ASSERT(json_is_array(r->json));
    snprintf(request_id, sizeof request_id, "%s", H_STR(r->json, "0.service_request_id"));
    H_ASSERT(!strncmp(request_id, "HS", 2));
    H_CONTAINS(H_STR(r->json, "0.service_notice"), "桂林社区"); /* mapped from the address */
    /* read back: full with the client's key */
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.json?api_key=%s", request_id, api_key), NULL,
              NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(r->json), 1);
    H_EQ_STR(H_STR(r->json, "0.service_request_id"), request_id);
    H_EQ_STR(H_STR(r->json, "0.status"), "open");
    H_CONTAINS(H_STR(r->json, "0.status_notes"), "submitted");
    H_EQ_STR(H_STR(r->json, "0.service_code"), "DT01");
    H_EQ_STR(H_STR(r->json, "0.description"), "电梯困人 <door> & stuck");
    H_EQ_STR(H_STR(r->json, "0.agency_responsible"), "桂林社区");
    H_EQ_STR(H_STR(r->json, "0.address"), "桂林社区3号楼");
    H_EQ_STR(H_STR(r->json, "0.media_url"), "http://example.org/a.jpg");
    H_ASSERT(strstr(H_STR(r->json, "0.requested_datetime"), "+08:00"));
    H_ASSERT(json_is_real(h_get(r->json, "0.lat")));
    /* ... and in XML, escaped */
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.xml?api_key=%s", request_id, api_key), NULL,
              NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, h_fmt("<service_requests><request><service_request_id>%s"
                              "</service_request_id><status>open</status>",
                              request_id));
    H_CONTAINS(r->body, "<description>电梯困人 &lt;door&gt; &amp; stuck</description>");
    /* without the key: the public part only */
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.json", request_id), NULL, NULL);
    H_STATUS(r, 200);
    H_ASSERT(json_is_null(h_get(r->json, "0.description")));
    H_ASSERT(json_is_null(h_get(r->json, "0.address")));
    H_ASSERT(!strstr(r->body, "13800138000"));
    H_EQ_STR(H_STR(r->json, "0.service_name"), "电梯故障");
    /* it is an appeal like any other: the community handler sees it */
    r = h_req("GET", "/api/v1/appeals?queue=unit", h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, request_id);
    H_CONTAINS(r->body, "\"channel\":\"open311\"");
    /* tokens: creation is synchronous, the token is the id */
    r = h_req("GET", h_fmt("/open311/v2/tokens/%s.json", request_id), NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "0.service_request_id"), request_id);
    H_EQ_STR(H_STR(r->json, "0.token"), request_id);
    spec_error(h_req("GET", "/open311/v2/tokens/HS000.json", NULL, NULL), 404);
    /* an XML answer to a POST */
    r = form_post("/open311/v2/requests.xml",
                  h_fmt("api_key=%s&service_code=HJ01&address_id=CM001&phone=027-87654321"
                        "&description=%%E5%%9E%%83%%E5%%9C%%BE%%E4%%B8%%89%%E5%%A4%%A9%%E6%%B2"
                        "%%A1%%E6%%B8%%85%%E8%%BF%%90",
                        api_key));
    H_STATUS(r, 201);
    H_CONTAINS(r->body, "<service_requests><request><service_request_id>HS");
}

static void test_lists_and_updates(void)
{
    setup();
    if (!request_id[0])
        test_post_and_read_back();
    struct h_resp *r = h_req("GET",
                             h_fmt("/open311/v2/requests.json?service_request_id=%s,"
                                   "HS000&status=open",
                                   request_id),
                             NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(r->json), 1);
    r = h_req("GET", "/open311/v2/requests.json?service_code=DT01&status=closed", NULL, NULL);
    H_STATUS(r, 200);
    H_ASSERT(!strstr(r->body, request_id));
    r = h_req("GET",
              "/open311/v2/requests.json?service_code=DT01,HJ01&status=open,closed"
              "&page_size=1&page=1",
              NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_INT(json_array_size(r->json), 1);
    r = h_req("GET", "/open311/v2/requests.xml?service_code=DT01&page_size=2", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "<service_requests><request>");
    /* the handler accepts and resolves: the feed and the status follow */
    r = h_req("GET", "/api/v1/appeals?queue=unit", h_tok("community_handler"), NULL);
    long long id = 0;
    json_t *a;
    size_t i;
    json_array_foreach(json_object_get(r->json, "items"), i, a)
    {
        if (!strcmp(H_STR(a, "tracking_no"), request_id))
            id = H_INT(a, "id");
    }
    H_ASSERT(id);
    H_STATUS(
        h_req("POST", h_fmt("/api/v1/appeals/%lld/accept", id), h_tok("community_handler"), "{}"),
        200);
    H_STATUS(h_req("POST", h_fmt("/api/v1/appeals/%lld/resolve", id), h_tok("community_handler"),
                   "{\"reply\":\"已联系维保 & 修复\"}"),
             200);
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.json?api_key=%s", request_id, api_key), NULL,
              NULL);
    H_EQ_STR(H_STR(r->json, "0.status"), "closed");
    H_CONTAINS(H_STR(r->json, "0.status_notes"), "已联系维保 & 修复");
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.json", request_id), NULL, NULL);
    H_ASSERT(!strstr(H_STR(r->json, "0.status_notes"), "维保")); /* the reply is the client's */
    r = h_req("GET", h_fmt("/open311/v2/servicerequestupdates.json?api_key=%s", api_key), NULL,
              NULL);
    H_STATUS(r, 200);
    int mine = 0;
    json_array_foreach(r->json, i, a)
    {
        if (strcmp(H_STR(a, "service_request_id"), request_id))
            continue;
        mine++;
        H_STR(a, "update_id");
        H_ASSERT(strstr(H_STR(a, "updated_datetime"), "+08:00"));
        if (strstr(H_STR(a, "description"), "已办结")) {
            H_EQ_STR(H_STR(a, "status"), "closed");
            H_CONTAINS(H_STR(a, "description"), "已联系维保");
        }
    }
    H_EQ_INT(mine, 3); /* submit, accept, resolve */
    r = h_req("GET", "/open311/v2/servicerequestupdates.xml", NULL, NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, "<service_request_updates><request_update><update_id>");
}

static void test_errors(void)
{
    setup();
    const char *ok = "service_code=DT01&address_id=CM001&phone=13800138000"
                     "&description=%E7%94%B5%E6%A2%AF%E5%9D%8F%E4%BA%86%E4%B8%A4%E5%A4%A9";
    /* 403: no key, a wrong key */
    spec_error(form_post("/open311/v2/requests.json", ok), 403);
    spec_error(form_post("/open311/v2/requests.json", h_fmt("api_key=nope&%s", ok)), 403);
    spec_error_xml(form_post("/open311/v2/requests.xml", h_fmt("api_key=nope&%s", ok)), 403);
    spec_error(h_req("GET", "/open311/v2/requests.json?api_key=nope", NULL, NULL), 403);
    /* 400: what the spec requires, and what we do */
    const char *bad[] = {
        "address_id=CM001&phone=13800138000&description=hello+there", /* no service_code */
        "service_code=NOPE&address_id=CM001&phone=13800138000&description=hello+there",
        "service_code=DT01&phone=13800138000&description=hello+there",          /* no location */
        "service_code=DT01&lat=30.5&phone=13800138000&description=hello+there", /* lat, no long */
        "service_code=DT01&lat=91&long=10&phone=13800138000&description=hello+there",
        "service_code=DT01&address_id=CM001&description=hello+there", /* no phone */
        "service_code=DT01&address_id=CM001&phone=12&description=hello+there",
        "service_code=DT01&address_id=NOPE&phone=13800138000&description=hello+there",
        "service_code=DT01&address_id=CM001&phone=13800138000", /* no description */
        "service_code=DT01&address_id=CM001&phone=13800138000&description=hi+there&foo=1",
        "service_code=DT01&address_id=CM001&phone=13800138000&description=hi+there"
        "&attribute%5Bx%5D=1",
        "service_code=DT01&address_id=CM001&phone=13800138000&description=bad%ZZescape",
        "service_code=DT01&address_id=CM001&phone=13800138000&description=nul%00byte",
        "service_code=DT01&address_id=CM001&phone=13800138000&description=%FF%FE",
        "service_code=DT01&service_code=DT02&address_id=CM001&phone=13800138000"
        "&description=hello+there",
        "service_code=DT01&address_id=CM001&phone=13800138000&description=hello+there"
        "&media_url=javascript%3Aalert(1)",
    };
    struct h_resp *before = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    long long total = H_INT(before->json, "total");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct h_resp *r =
            form_post("/open311/v2/requests.json", h_fmt("api_key=%s&%s", api_key, bad[i]));
        if (r->status != 400)
            H_FAIL("case %zu (%s): expected 400, got %d %s", i, bad[i], r->status, r->body);
        spec_error(r, 400);
    }
    /* a JSON body is not what the spec says */
    struct h_call c = {.method = "POST", .path = "/open311/v2/requests.json", .body = "{}"};
    spec_error(h_send(&c), 400);
    /* nothing was created by any of them */
    struct h_resp *after = h_req("GET", "/api/v1/appeals?limit=1", h_tok("admin"), NULL);
    H_EQ_INT(H_INT(after->json, "total"), total);
    /* GET filters */
    spec_error(h_req("GET", "/open311/v2/requests.json?status=pending", NULL, NULL), 400);
    spec_error(h_req("GET", "/open311/v2/requests.json?start_date=yesterday", NULL, NULL), 400);
    spec_error(h_req("GET", "/open311/v2/requests.json?page_size=0", NULL, NULL), 400);
    spec_error(h_req("GET", "/open311/v2/requests.json?service_request_id=a;b", NULL, NULL), 400);
    spec_error(h_req("GET",
                     "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date="
                     "2025-01-01T00:00:00Z",
                     NULL, NULL),
               400);
    /* 404 */
    spec_error(h_req("GET", "/open311/v2/requests/HS000.json", NULL, NULL), 404);
    spec_error_xml(h_req("GET", "/open311/v2/requests/HS000.xml", NULL, NULL), 404);
    spec_error(h_req("GET", "/open311/v2/requests/HS000", NULL, NULL), 404);
    /* a revoked key stops working */
    struct h_resp *r =
        h_req("POST", "/api/v1/open311/clients", h_tok("admin"), "{\"name\":\"temporary\"}");
    H_STATUS(r, 201);
    const char *key = h_fmt("%s", H_STR(r->json, "api_key"));
    long long cid = H_INT(r->json, "id");
    H_STATUS(form_post("/open311/v2/requests.json", h_fmt("api_key=%s&%s", key, ok)), 201);
    H_STATUS(h_req("DELETE", h_fmt("/api/v1/open311/clients/%lld", cid), h_tok("admin"), NULL),
             200);
    spec_error(form_post("/open311/v2/requests.json", h_fmt("api_key=%s&%s", key, ok)), 403);
    H_STATUS(h_req("DELETE", h_fmt("/api/v1/open311/clients/%lld", cid), h_tok("admin"), NULL),
             404);
}

static long long category_id_of(const char *code, bool *is_public)
{
    struct h_resp *r = h_req("GET", "/api/v1/categories", NULL, NULL);
    H_STATUS(r, 200);
    json_t *root, *kid;
    size_t i, j;
    json_array_foreach(json_object_get(r->json, "items"), i, root)
    {
        if (!strcmp(H_STR(root, "code"), code)) {
            *is_public = json_is_true(h_get(root, "is_public"));
            return H_INT(root, "id");
        }
        json_array_foreach(json_object_get(root, "children"), j, kid)
        {
            if (!strcmp(H_STR(kid, "code"), code)) {
                *is_public = json_is_true(h_get(kid, "is_public"));
                return H_INT(kid, "id");
            }
        }
    }
    H_FAIL("no category %s", code);
    return 0;
}

static const char *const ALL_TIME = "start_date=2000-01-01T00:00:00%2B08:00&page_size=1000";

/* Whether a public (or the client's) list or feed names the request. */
static bool listed(const char *path, const char *query, const char *key, const char *id)
{
    struct h_resp *r = h_req(
        "GET", h_fmt("%s?%s%s%s", path, query, key ? "&api_key=" : "", key ? key : ""), NULL, NULL);
    H_STATUS(r, 200);
    return strstr(r->body, id) != NULL;
}

static void test_sensitive_categories_not_public(void)
{
    setup();
    const char *admin = h_tok("admin");
    bool pub = true;
    long long jz = category_id_of("JZ", &pub);
    H_ASSERT(!pub);
    long long jz01 = category_id_of("JZ01", &pub);
    H_ASSERT(!pub);
    category_id_of("JZ02", &pub);
    H_ASSERT(!pub);
    category_id_of("DT01", &pub);
    H_ASSERT(pub);
    /* a 低保 request filed through Open311, and one filed on the web */
    struct h_resp *r =
        form_post("/open311/v2/requests.json",
                  h_fmt("api_key=%s&service_code=JZ01&address_id=CM001&phone=13800138000"
                        "&first_name=%%E7%%A7%%80%%E8%%8B%%B1&last_name=%%E7%%8E%%8B"
                        "&description=%%E7%%94%%B3%%E8%%AF%%B7%%E4%%BD%%8E%%E4%%BF%%9D+please+help",
                        api_key));
    H_STATUS(r, 201);
    const char *mine = h_fmt("%s", H_STR(r->json, "0.service_request_id"));
    r = h_reqf(
        "POST", "/api/v1/appeals", h_tok("resident"),
        "{\"title\":\"低保申请进度\",\"description\":\"我家申请低保一个月了\","
        "\"category_id\":%lld,\"unit_id\":%lld,\"contact_phone\":\"13812345678\"}",
        jz01,
        (long long)H_INT(h_req("GET", "/api/v1/units?q=CM001", admin, NULL)->json, "items.0.id"));
    H_STATUS(r, 201);
    const char *web = h_fmt("%s", H_STR(r->json, "tracking_no"));
    long long web_id = H_INT(r->json, "id");

    /* anonymous: absent from every list and feed, in both formats; 404 by id and token */
    const char *feeds[] = {"/open311/v2/requests.json", "/open311/v2/requests.xml",
                           "/open311/v2/servicerequestupdates.json",
                           "/open311/v2/servicerequestupdates.xml"};
    for (size_t i = 0; i < 4; i++) {
        H_ASSERTF(!listed(feeds[i], ALL_TIME, NULL, mine), "%s lists %s", feeds[i], mine);
        H_ASSERTF(!listed(feeds[i], ALL_TIME, NULL, web), "%s lists %s", feeds[i], web);
    }
    H_ASSERT(!listed("/open311/v2/requests.json", h_fmt("service_request_id=%s,%s", mine, web),
                     NULL, mine));
    spec_error(h_req("GET", h_fmt("/open311/v2/requests/%s.json", mine), NULL, NULL), 404);
    spec_error_xml(h_req("GET", h_fmt("/open311/v2/requests/%s.xml", web), NULL, NULL), 404);
    spec_error(h_req("GET", h_fmt("/open311/v2/tokens/%s.json", mine), NULL, NULL), 404);
    /* another Open311 client is the public too */
    r = h_req("POST", "/api/v1/open311/clients", admin, "{\"name\":\"另一个 App\"}");
    H_STATUS(r, 201);
    const char *other = h_fmt("%s", H_STR(r->json, "api_key"));
    spec_error(
        h_req("GET", h_fmt("/open311/v2/requests/%s.json?api_key=%s", mine, other), NULL, NULL),
        404);
    H_ASSERT(!listed("/open311/v2/servicerequestupdates.json", ALL_TIME, other, mine));
    /* the client that filed it reads its own request, not the web one */
    r = h_req("GET", h_fmt("/open311/v2/requests/%s.json?api_key=%s", mine, api_key), NULL, NULL);
    H_STATUS(r, 200);
    H_EQ_STR(H_STR(r->json, "0.service_code"), "JZ01");
    H_ASSERT(listed("/open311/v2/requests.json", ALL_TIME, api_key, mine));
    H_ASSERT(!listed("/open311/v2/requests.json", ALL_TIME, api_key, web));
    H_ASSERT(listed("/open311/v2/servicerequestupdates.json", ALL_TIME, api_key, mine));
    H_STATUS(
        h_req("GET", h_fmt("/open311/v2/tokens/%s.json?api_key=%s", mine, api_key), NULL, NULL),
        200);
    /* staff see both where they always did, and the person their own */
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld", web_id), admin, NULL), 200);
    r = h_req("GET", h_fmt("/api/v1/appeals?category=%lld&limit=500", jz01), admin, NULL);
    H_CONTAINS(r->body, mine);
    H_CONTAINS(r->body, web);
    r = h_req("GET", "/api/v1/appeals?queue=unit&limit=500", h_tok("community_handler"), NULL);
    H_STATUS(r, 200);
    H_CONTAINS(r->body, mine);
    H_STATUS(h_req("GET", h_fmt("/api/v1/appeals/%lld", web_id), h_tok("resident"), NULL), 200);

    /* the service is still offered, marked as not public */
    r = h_req("GET", "/open311/v2/services.json", NULL, NULL);
    json_t *svc;
    size_t i;
    bool seen = false;
    json_array_foreach(r->json, i, svc)
    {
        if (strcmp(H_STR(svc, "service_code"), "JZ01"))
            continue;
        seen = true;
        H_CONTAINS(H_STR(svc, "keywords"), "private");
        H_CONTAINS(H_STR(svc, "description"), "不公开");
    }
    H_ASSERT(seen);

    /* admins change the flag; a child is public only under a public parent */
    H_ERR_FIELD(
        h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz01), admin, "{\"is_public\":true}"), 422,
        "invalid", "is_public");
    H_ERR_FIELD(
        h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz01), admin, "{\"is_public\":\"yes\"}"),
        422, "invalid", "is_public");
    H_ERR_FIELD(h_reqf("POST", "/api/v1/categories", admin,
                       "{\"code\":\"JZ09\",\"name\":\"临时救助\",\"kind\":\"livelihood\","
                       "\"parent_id\":%lld,\"is_public\":true}",
                       jz),
                422, "invalid", "is_public");
    H_ERR(h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz), h_tok("street_admin"),
                "{\"is_public\":true}"),
          403, "forbidden");
    /* a new child of a category that is not public is not public either */
    r = h_reqf("POST", "/api/v1/categories", admin,
               "{\"code\":\"JZ09\",\"name\":\"临时救助\",\"kind\":\"livelihood\","
               "\"parent_id\":%lld}",
               jz);
    H_STATUS(r, 201);
    H_ASSERT(json_is_false(h_get(r->json, "is_public")));
    r = h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz), admin, "{\"is_public\":true}");
    H_STATUS(r, 200);
    H_ASSERT(json_is_true(h_get(r->json, "is_public")));
    H_ASSERT(!listed("/open311/v2/requests.json", ALL_TIME, NULL, web)); /* JZ01 still not */
    r = h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz01), admin, "{\"is_public\":true}");
    H_STATUS(r, 200);
    H_ASSERT(listed("/open311/v2/requests.json", ALL_TIME, NULL, web));
    H_STATUS(h_req("GET", h_fmt("/open311/v2/requests/%s.json", web), NULL, NULL), 200);
    /* not public again, from the parent: the children follow */
    r = h_req("PATCH", h_fmt("/api/v1/categories/%lld", jz), admin, "{\"is_public\":false}");
    H_STATUS(r, 200);
    category_id_of("JZ01", &pub);
    H_ASSERT(!pub);
    H_ASSERT(!listed("/open311/v2/requests.json", ALL_TIME, NULL, web));
    spec_error(h_req("GET", h_fmt("/open311/v2/requests/%s.json", web), NULL, NULL), 404);
    r = h_req("GET", "/api/v1/audit?action=category_update", h_tok("auditor"), NULL);
    H_STATUS(r, 200);
    H_ASSERT(H_INT(r->json, "total") >= 3);
}

int main(int argc, char **argv)
{
    static const struct h_test tests[] = {
        H_TEST(test_clients_admin),
        H_TEST(test_discovery_and_services),
        H_TEST(test_post_and_read_back),
        H_TEST(test_lists_and_updates),
        H_TEST(test_errors),
        H_TEST(test_sensitive_categories_not_public),
        {0},
    };
    return h_main(argc, argv, tests);
}
