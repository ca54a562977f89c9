/*
 * fuzz_sniff: attachment type sniffing (appeals/attach.c). Any answer must
 * be one of the three accepted types, and it must agree with the magic
 * bytes: a JPEG/PNG/PDF answer implies the prefix is really there.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

const char *sq_sniff_type(const unsigned char *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = sq_sniff_type(data, size);
    if (!t)
        return 0;
    if (!strcmp(t, "image/jpeg")) {
        if (size < 3 || data[0] != 0xFF || data[1] != 0xD8)
            __builtin_trap();
    } else if (!strcmp(t, "image/png")) {
        if (size < 8 || memcmp(data, "\x89PNG", 4))
            __builtin_trap();
    } else if (!strcmp(t, "application/pdf")) {
        if (size < 5 || memcmp(data, "%PDF-", 5))
            __builtin_trap();
    } else {
        __builtin_trap();
    }
    return 0;
}
