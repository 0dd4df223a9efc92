/* Fuzz target: the bridge's WebSocket upgrade request parser (ws_handshake.c). Input: the header
 * block as received; 101 must come with a query and a 28-character Sec-WebSocket-Accept. */
#include <stdint.h>
#include <string.h>
#include "web/web_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char tok[] = "0123456789abcdef0123456789abcdef";
    ia__ws_upgrade u;
    const char *why;
    int st = ia__ws_parse_upgrade((const char *)data, size, tok, &u, &why);
    if (st == 101) {
        if (strlen(u.accept) != 28 || strlen(u.query) >= sizeof u.query) __builtin_trap();
    } else if (st != 400 && st != 403 && st != 404 && st != 414) {
        __builtin_trap();
    } else if (!why || !why[0]) {
        __builtin_trap();
    }
    return 0;
}
