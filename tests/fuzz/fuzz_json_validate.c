/*
 * fuzz_json_validate: the JSON body path of every write endpoint. The input
 * is parsed exactly as core/http.c parses a body (json_loadb with
 * JSON_REJECT_DUPLICATES) and validated against field specs that together
 * use every sq_ftype, every flag (required, nullable, bounds, choices) and
 * the appeal intake spec. The first input byte picks the spec. On success the
 * typed getters are exercised the way handlers use them.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/json.h"

static const char *const kinds[] = {"resident", "student", "employee", "enterprise", NULL};
static const char *const urgencies[] = {"normal", "urgent", "critical", NULL};

/* The appeal intake spec (src/appeals/api.c intake_fields). */
static const struct sq_field intake[] = {
    {.name = "kind", .type = SQ_F_ENUM, .choices = kinds},
    {.name = "title", .type = SQ_F_STR, .required = true, .min = 2, .max = 100},
    {.name = "description", .type = SQ_F_TEXT, .required = true, .min = 5, .max = 5000},
    {.name = "category_id", .type = SQ_F_ID, .required = true},
    {.name = "unit_id", .type = SQ_F_ID, .required = true},
    {.name = "address", .type = SQ_F_STR, .max = 200, .nullable = true},
    {.name = "lat", .type = SQ_F_NUM, .min = -90, .max = 90, .nullable = true},
    {.name = "lon", .type = SQ_F_NUM, .min = -180, .max = 180, .nullable = true},
    {.name = "contact_name", .type = SQ_F_STR, .max = 50, .nullable = true},
    {.name = "contact_phone", .type = SQ_F_PHONE, .nullable = true},
    {.name = "urgency", .type = SQ_F_ENUM, .choices = urgencies},
    {.name = "on_behalf", .type = SQ_F_BOOL},
    {.name = "kb_answer_id", .type = SQ_F_ID, .nullable = true},
    {0},
};

/* A unit / user / grant / rating shaped spec: the remaining types. */
static const struct sq_field misc[] = {
    {.name = "name", .type = SQ_F_STR, .min = 1, .max = 60},
    {.name = "speed", .type = SQ_F_INT, .min = 1, .max = 5},
    {.name = "days", .type = SQ_F_INT, .min = 1, .max = 30},
    {.name = "date", .type = SQ_F_DATE},
    {.name = "at", .type = SQ_F_TIME, .nullable = true},
    {.name = "items", .type = SQ_F_ARRAY, .max = 50},
    {.name = "settings", .type = SQ_F_OBJECT},
    {.name = "score", .type = SQ_F_NUM, .min = 0, .max = 100},
    {.name = "disabled", .type = SQ_F_BOOL, .nullable = true},
    {.name = "phone", .type = SQ_F_PHONE},
    {.name = "kind", .type = SQ_F_ENUM, .choices = kinds, .nullable = true},
    {0},
};

/* Everything optional with no bounds: exercises the zero-value defaults. */
static const struct sq_field loose[] = {
    {.name = "a", .type = SQ_F_STR},
    {.name = "b", .type = SQ_F_TEXT},
    {.name = "c", .type = SQ_F_INT},
    {.name = "d", .type = SQ_F_ID},
    {.name = "e", .type = SQ_F_ENUM},
    {.name = "f", .type = SQ_F_ARRAY},
    {0},
};

static const struct sq_field empty[] = {{0}};

static const struct sq_field *const specs[] = {intake, misc, loose, empty};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct sq_field *spec = specs[data[0] % (sizeof specs / sizeof specs[0])];
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return 0;
    struct sq_detail d = {0};
    enum sq_err e = sq_validate(j, spec, &d);
    if (e == SQ_OK) {
        for (const struct sq_field *f = spec; f->name; f++) {
            const char *s = sq_json_str(j, f->name, NULL);
            if (s)
                (void)sq_utf8_len(s);
            (void)sq_json_int(j, f->name, 0);
            (void)sq_json_num(j, f->name, 0);
            (void)sq_json_bool(j, f->name, false);
        }
    } else {
        /* the message must be a terminated string; the field a declared name */
        if (strlen(d.message) >= sizeof d.message)
            __builtin_trap();
    }
    json_decref(j);
    return 0;
}
