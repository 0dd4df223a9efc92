/* RFC 6455 client frames as the bridge's own WebSocket endpoint reads them: the header parser (with
 * every refusal and its close status), unmasking, UTF-8 checking and close frames. Pure functions. */
#include <string.h>
#include "web/web_internal.h"

enum { OP_CONT = 0, OP_TEXT = 1, OP_BIN = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10 };

#define REFUSE(st, msg) do { *why = (msg); return -(st); } while (0)

int ia__ws_parse_frame(const uint8_t *p, size_t n, int open_op, uint64_t assembled, uint64_t max, ia__ws_frame *f,
                       const char **why) {
    static const char *none = "";
    *why = none;
    memset(f, 0, sizeof *f);
    if (n < 1) return 0;
    f->fin = (p[0] & 0x80) != 0;
    f->opcode = p[0] & 0x0f;
    if (p[0] & 0x70) REFUSE(IA__WS_PROTOCOL_ERROR, "reserved bits set (no extension negotiated)");
    int op = f->opcode;
    if (op >= 8) {
        if (op != OP_CLOSE && op != OP_PING && op != OP_PONG) REFUSE(IA__WS_PROTOCOL_ERROR, "unknown control opcode");
        if (!f->fin) REFUSE(IA__WS_PROTOCOL_ERROR, "fragmented control frame");
    } else {
        if (op != OP_CONT && op != OP_TEXT && op != OP_BIN) REFUSE(IA__WS_PROTOCOL_ERROR, "unknown data opcode");
        if (op == OP_CONT && !open_op) REFUSE(IA__WS_PROTOCOL_ERROR, "continuation frame without a message");
        if (op != OP_CONT && open_op) REFUSE(IA__WS_PROTOCOL_ERROR, "new data frame inside a fragmented message");
    }
    if (n < 2) return 0;
    f->masked = (p[1] & 0x80) != 0;
    if (!f->masked) REFUSE(IA__WS_PROTOCOL_ERROR, "unmasked client frame");
    uint64_t len = p[1] & 0x7f;
    if (op >= 8 && len > 125) REFUSE(IA__WS_PROTOCOL_ERROR, "control frame longer than 125 bytes");
    size_t h = 2;
    if (len == 126) {
        if (n < 4) return 0;
        len = (uint64_t)p[2] << 8 | p[3];
        if (len < 126) REFUSE(IA__WS_PROTOCOL_ERROR, "16-bit length for a payload under 126 bytes (not minimal)");
        h = 4;
    } else if (len == 127) {
        if (n < 10) return 0;
        if (p[2] & 0x80) REFUSE(IA__WS_PROTOCOL_ERROR, "64-bit length with the most significant bit set");
        len = 0;
        for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
        if (len <= 0xffff) REFUSE(IA__WS_PROTOCOL_ERROR, "64-bit length for a payload under 65536 bytes (not minimal)");
        h = 10;
    }
    if (op < 8 && (assembled > max || len > max - assembled)) REFUSE(IA__WS_TOO_BIG, "message larger than the server's limit");
    if (n < h + 4) return 0;
    memcpy(f->key, p + h, 4);
    f->len = len;
    return (int)(h + 4);
}

void ia__ws_unmask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset) {
    uint8_t k[8];
    for (int i = 0; i < 8; i++) k[i] = key[(offset + (uint64_t)i) & 3];
    uint64_t k64;
    memcpy(&k64, k, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= k64;
        memcpy(p + i, &v, 8);
    }
    for (; i < n; i++) p[i] ^= k[i & 7];
}

int ia__ws_utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t k;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
        else return 0;
        if (n - i <= k) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
        i += k + 1;
    }
    return 1;
}

size_t ia__ws_close_frame(int status, const char *reason, uint8_t out[125 + 2]) {
    out[0] = 0x88;
    size_t n = 0;
    if (status > 0) {
        size_t rl = reason ? strlen(reason) : 0, r = rl > 123 ? 123 : rl;
        while (r > 0 && r < rl && ((uint8_t)reason[r] & 0xc0) == 0x80) r--; /* do not cut a UTF-8 sequence */
        out[2] = (uint8_t)(status >> 8);
        out[3] = (uint8_t)status;
        if (r) memcpy(out + 4, reason, r);
        n = 2 + r;
    }
    out[1] = (uint8_t)n;
    return 2 + n;
}

int ia__ws_close_status(const uint8_t *payload, size_t n, int *status) {
    *status = IA__WS_NO_STATUS;
    if (n == 0) return 0;
    if (n == 1) return -1;
    int st = payload[0] << 8 | payload[1];
    /* RFC 6455 7.4: 1000-1003, 1007-1011 defined; 3000-4999 registered/private; others must not be sent */
    int ok = (st >= 1000 && st <= 1003) || (st >= 1007 && st <= 1011) || (st >= 3000 && st <= 4999);
    if (!ok || !ia__ws_utf8_valid(payload + 2, n - 2)) return -1;
    *status = st;
    return 0;
}
