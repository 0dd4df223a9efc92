/* Fuzz target: the bridge server's request routing (token, path validation, traversal refusal)
 * and Range header parsing. Input: first line = request target, second = Range value, rest = size. */
#include <stdint.h>
#include <string.h>
#include "web/web_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char buf[4096];
    size_t n = size < sizeof buf - 1 ? size : sizeof buf - 1;
    memcpy(buf, data, n);
    buf[n] = 0;
    char *target = buf, *range = strchr(buf, '\n'), *rest = NULL;
    if (range) { *range++ = 0; rest = strchr(range, '\n'); if (rest) *rest++ = 0; }
    ia__route r;
    int st = ia__http_route(target, "0123456789abcdef0123456789abcdef", &r);
    if (st == 200) {
        if (r.kind < IA__ROUTE_STATIC || r.kind > IA__ROUTE_WS) __builtin_trap();
        if (r.kind == IA__ROUTE_ORT && (strchr(r.name, '/') || r.name[0] == '.' || strstr(r.name, ".."))) __builtin_trap();
        if (strncmp(target, "/0123456789abcdef0123456789abcdef/", 34) != 0) __builtin_trap();
    }
    (void)ia__http_mime(r.name);
    uint64_t sz = 0;
    for (const char *p = rest; p && *p; p++) sz = sz * 31 + (uint8_t)*p;
    uint64_t sizes[3] = {0, 1000, sz};
    for (int i = 0; i < 3; i++) {
        uint64_t a = 0, b = 0;
        int k = ia__http_parse_range(range, sizes[i], &a, &b);
        if (k == 0 && (a > b || b >= sizes[i])) __builtin_trap();
    }
    return 0;
}
