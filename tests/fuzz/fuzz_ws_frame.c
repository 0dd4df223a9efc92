/* Fuzz target: the bridge's WebSocket endpoint reading client frames (ws_frame.c) the way
 * ws_listener.c does: header parse with the fragmentation state and a message limit, unmask,
 * reassembly, UTF-8 check of text messages, close frame status. Input: the byte stream after the
 * handshake; the first byte picks the limit. */
#include <stdint.h>
#include <string.h>
#include "ia/alloc.h"
#include "web/web_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint64_t max = (uint64_t)1 << (data[0] % 20);
    data++;
    size--;
    ia__ws_assembler a;
    memset(&a, 0, sizeof a);
    a.max = (size_t)max;
    uint8_t *buf = ia_malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    size_t p = 0;
    volatile int sink = 0;
    while (p < size) {
        ia__ws_frame f;
        const char *why;
        int h = ia__ws_parse_frame(buf + p, size - p, a.opcode, a.len, max, &f, &why);
        if (h < 0) {
            if ((h != -IA__WS_PROTOCOL_ERROR && h != -IA__WS_TOO_BIG) || !why[0]) __builtin_trap();
            uint8_t cf[127];
            size_t n = ia__ws_close_frame(-h, why, cf);
            if (n > 127 || cf[1] != n - 2 || !ia__ws_utf8_valid(cf + 4, n - 4)) __builtin_trap();
            break;
        }
        if (h == 0) break;
        if (h < 6 || h > 14 || !f.masked) __builtin_trap();
        p += (size_t)h;
        if (f.len > size - p) break; /* the rest of the payload never came */
        uint8_t *pl = buf + p;
        size_t len = (size_t)f.len;
        p += len;
        ia__ws_unmask(pl, len, f.key, 0);
        if (f.opcode >= 8) {
            if (len > 125 || !f.fin) __builtin_trap();
            int st;
            if (f.opcode == 8) {
                if (ia__ws_close_status(pl, len, &st) == 0) sink += st;
                break;
            }
            continue;
        }
        if (f.fin && f.opcode) {
            if (f.len > max) __builtin_trap();
            if (f.opcode == 1) sink += ia__ws_utf8_valid(pl, len);
            continue;
        }
        int r = ia__ws_feed(&a, (f.fin ? 0x80 : 0) | f.opcode, pl, len);
        if (r < 0) __builtin_trap(); /* the header parser already refused what the assembler would */
        if (r == 1) {
            if (a.len > max) __builtin_trap();
            if (a.opcode == 1) sink += ia__ws_utf8_valid(a.buf, a.len);
            ia__ws_reset(&a);
        }
    }
    ia__ws_free(&a);
    ia_free(buf);
    (void)sink;
    return 0;
}
