/*
 * open311: the Open311 GeoReport v2 interface at /open311/v2/ — services
 * are the leaf appeal categories, service requests are appeals, the update
 * feed (servicerequestupdates, the FixMyStreet extension) is the appeal
 * timeline. docs/open311.md says what is mapped how.
 *
 * Rules (open311.c): the bounded application/x-www-form-urlencoded parser,
 * the tiny XML writer (every document here is first built as JSON, then
 * written as JSON or XML, so the two formats cannot drift), status mapping
 * and the spec's error document. No SQL, no HTTP.
 *
 * Store (store.c): API clients (keys stored as sq_token_hash digests),
 * request listing and lookup, the update feed, location -> unit mapping.
 */
#ifndef SQ_OPEN311_H
#define SQ_OPEN311_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* ---- form bodies ---- */

#define O311_FORM_MAX_FIELDS 48
#define O311_FORM_MAX_VALUE 8192 /* decoded bytes per value */

struct o311_form {
    int n;
    char *key[O311_FORM_MAX_FIELDS];
    char *val[O311_FORM_MAX_FIELDS];
};
/* Parses body (len bytes, need not be NUL-terminated): '&'-separated
 * key=value pairs, '+' as space, %XX escapes. Rejects malformed escapes,
 * NUL bytes, invalid UTF-8, control characters other than tab/CR/LF,
 * duplicate keys, empty keys, and more fields or longer values than the
 * limits: SQ_EBADREQ with a message. f must be zeroed; o311_form_cleanup
 * frees it in every case. */
enum sq_err o311_form_parse(const char *body, size_t len, struct o311_form *f, struct sq_detail *d);
void o311_form_cleanup(struct o311_form *f);
/* The value of key, or NULL (borrowed from f). */
const char *o311_form_get(const struct o311_form *f, const char *key);

/* Percent-decodes src[0..len) into a new string (caller frees); plus_space
 * turns '+' into ' '. NULL on a malformed escape, a NUL byte or over max. */
char *o311_url_decode(const char *src, size_t len, bool plus_space, size_t max);
bool o311_utf8_valid(const char *s);

/* ---- documents ---- */

/* The XML form of a JSON document: `root` wraps it; array elements become
 * <item> (objects) or <singular of the array's key>; strings are escaped and
 * characters XML 1.0 forbids are dropped; null is an empty element. Returns
 * a malloc'd NUL-terminated string (caller frees) and its length. */
char *o311_xml(json_t *doc, const char *root, const char *item, size_t *len);
/* Appends s XML-escaped to an open_memstream FILE (exposed for tests). */
void o311_xml_text(void *file, const char *s);

/* The spec's error document: [{"code":status,"description":text}] (new ref). */
json_t *o311_error_json(int status, const char *description);

/* open / closed for an appeal status name ("submitted", ...); its label in
 * Chinese for status_notes. */
const char *o311_status(const char *appeal_status);
const char *o311_status_label(const char *appeal_status);

/* ---- store ---- */

struct o311_client {
    int64_t id, unit_id;
    char name[128];
};
/* The client holding api_key (not revoked), or SQ_ENOTFOUND. */
enum sq_err open311_store_client_by_key(const char *api_key, struct o311_client *c,
                                        struct sq_detail *d);
/* Creates a client; writes the new key (shown once) to key_out (>= 48). */
enum sq_err open311_store_client_create(const char *name, int64_t unit_id, int64_t created_by,
                                        int64_t *id, char *key_out, struct sq_detail *d);
json_t *open311_store_clients_json(void);
json_t *open311_store_client_json(int64_t id);
enum sq_err open311_store_client_revoke(int64_t id, struct sq_detail *d);

/* The tracking number (service_request_id) of an appeal. */
enum sq_err open311_store_tracking_no(int64_t appeal_id, char *out, size_t cap);

/* Remembers what an Open311 POST carried beyond the appeal. */
enum sq_err open311_store_request_put(int64_t appeal_id, int64_t client_id, const char *media_url,
                                      const char *email, const char *device_id,
                                      const char *account_id, struct sq_detail *d);

/* The district (root) unit: id and code. */
enum sq_err open311_store_root(int64_t *id, char *code, size_t cap, struct sq_detail *d);
/* Unit by code (active), 0 when none. */
int64_t open311_store_unit_by_code(const char *code);
/* The deepest active unit whose name occurs in text, 0 when none. */
int64_t open311_store_unit_in_text(const char *text);

/* Services: active leaf categories (JSON objects in the spec's shape). */
json_t *open311_store_services(void);
/* One service by code (active leaf), with its category id; NULL when none. */
json_t *open311_store_service(const char *code, int64_t *category_id);

struct o311_query {
    const char *ids_json;      /* JSON array of tracking numbers, or NULL */
    const char *codes_json;    /* JSON array of service codes, or NULL */
    const char *statuses_json; /* JSON array of appeal statuses, or NULL */
    int64_t start, end;        /* requested_datetime range */
    int page, page_size;       /* page is 1-based */
    int64_t client_id;         /* the caller, 0 = anonymous: sees public fields only */
};
/* Service requests in the spec's shape, newest first (new reference). */
json_t *open311_store_requests(const struct o311_query *q, struct sq_detail *d);
/* Updates (timeline events) in [start, end], oldest first (new reference). */
json_t *open311_store_updates(const struct o311_query *q, struct sq_detail *d);

#endif
