/* Fuzz target: WebSocket message reassembly (frame flags + payloads as civetweb delivers them)
 * and the bridge's binary frame decoder (JSON header + tensor bytes). Input: a sequence of
 * [flags u8][length u16 LE][payload]; every completed message is decoded as a bridge frame. */
#include <stdint.h>
#include <string.h>
#include "ia/alloc.h"
#include "web/web_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia__ws_assembler a;
    memset(&a, 0, sizeof a);
    a.max = 1 << 16;
    size_t p = 0;
    volatile uint8_t sink = 0;
    /* the whole input as one message, too */
    cJSON *h;
    ia__frame_tensor *ts;
    size_t nt;
    const uint8_t *d;
    if (ia__frame_decode(data, size, &h, &ts, &nt, &d) == 0) {
        for (size_t i = 0; i < nt; i++)
            if (ts[i].bytes) sink ^= d[ts[i].offset] ^ d[ts[i].offset + ts[i].bytes - 1];
        ia_free(ts);
        cJSON_Delete(h);
    }
    while (p + 3 <= size) {
        int flags = data[p];
        size_t len = (size_t)data[p + 1] | (size_t)data[p + 2] << 8;
        p += 3;
        if (len > size - p) len = size - p;
        int r = ia__ws_feed(&a, flags, data + p, len);
        p += len;
        if (r < 0) { ia__ws_reset(&a); continue; }
        if (r == 1) {
            if (ia__frame_decode(a.buf, a.len, &h, &ts, &nt, &d) == 0) {
                for (size_t i = 0; i < nt; i++) {
                    if (d + ts[i].offset + ts[i].bytes > a.buf + a.len) __builtin_trap();
                    if (ts[i].bytes) sink ^= d[ts[i].offset] ^ d[ts[i].offset + ts[i].bytes - 1];
                }
                ia_free(ts);
                cJSON_Delete(h);
            }
            ia__ws_reset(&a);
        }
    }
    ia__ws_free(&a);
    (void)sink;
    return 0;
}
