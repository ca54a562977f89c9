/*
 * fuzz_query: the query-string value parsers handlers use: pagination
 * (sq_page_parse), ISO dates and times (sq_clock_parse_iso, the from/to
 * filters and SQ_F_DATE/TIME fields), phone numbers and the UTF-8 length
 * used for the q limit. Input: two NUL-separated strings. The cursor a page
 * hands out must parse back to the next page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    const char *a = buf, *b = buf + strlen(buf) + 1;
    if (b > buf + size)
        b = buf + size;

    struct sq_page p;
    struct sq_detail d = {0};
    if (sq_page_parse(a, b, &p, &d) == SQ_OK) {
        if (p.limit < 1 || p.limit > 500 || p.offset < 0)
            __builtin_trap();
        char next[32];
        if (p.offset + p.limit > 1000000000LL)
            goto dates; /* past the deepest cursor the parser accepts */
        const char *n = sq_page_next(&p, p.offset + p.limit + 1, next);
        struct sq_page q;
        if (!n || sq_page_parse(NULL, n, &q, &d) || q.offset != p.offset + p.limit)
            __builtin_trap();
    }
dates:
    (void)sq_page_parse(NULL, a, &p, &d);

    int64_t t;
    if (sq_clock_parse_iso(a, &t) == 0) {
        char iso[64];
        sq_clock_iso(t, iso);
        int64_t t2;
        /* what we print we must read back to the same second */
        if (sq_clock_parse_iso(iso, &t2) || t2 != t)
            __builtin_trap();
    }
    (void)sq_clock_parse_iso(b, &t);
    (void)sq_phone_valid(a);
    (void)sq_utf8_len(b);
    free(buf);
    return 0;
}
