/*
 * fuzz_router: sq_router_match over every route table with a random method
 * and path. Input: method bytes, a NUL, then the path (NUL-terminated by the
 * target). Checks the contract: a match fills params that are NUL-terminated
 * and shorter than the slot, a miss answers 404 or 405, and a path found
 * with a request struct is the same route as without one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"};
    char *buf = malloc(size + 2);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    const char *method = buf, *path;
    char *nul = memchr(buf, '\0', size);
    if (nul && (size_t)(nul - buf) < size) {
        path = nul + 1;
    } else {
        method = methods[size % 6];
        path = buf;
    }
    struct sq_req r;
    memset(&r, 0, sizeof r);
    int st1 = 0, st2 = 0;
    const struct sq_route *a = sq_router_match(method, path, NULL, &st1);
    const struct sq_route *b = sq_router_match(method, path, &r, &st2);
    if (a != b || st1 != st2)
        __builtin_trap();
    if (!a && st1 != 404 && st1 != 405)
        __builtin_trap();
    if (b) {
        if (r.nparams < 0 || r.nparams > SQ_MAX_PARAMS)
            __builtin_trap();
        for (int i = 0; i < r.nparams; i++) {
            if (strnlen(r.param[i], sizeof r.param[i]) >= sizeof r.param[i])
                __builtin_trap();
            if (!sq_req_param(&r, r.param_name[i]))
                __builtin_trap();
        }
        (void)sq_req_param_id(&r, "id");
    }
    free(buf);
    return 0;
}
