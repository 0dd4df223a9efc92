/* Unit tests of the bridge's own WebSocket parsers: client frame headers (every refusal and its
 * close status, decided as early as the bytes allow), unmasking, UTF-8, close frames, handshake. */
#include <string.h>
#include "ipfs_accelerate.h"
#include "unit.h"
#include "web/web_internal.h"

#define TOK "0123456789abcdef0123456789abcdef"
#define MAX 1000

static int parse(const uint8_t *p, size_t n, int open_op, uint64_t assembled, ia__ws_frame *f) {
    const char *why;
    return ia__ws_parse_frame(p, n, open_op, assembled, MAX, f, &why);
}

TEST(frame_accepts_and_needs_bytes) {
    ia__ws_frame f;
    const uint8_t a[] = {0x82, 0x85, 1, 2, 3, 4};               /* binary, masked, 5 bytes */
    for (size_t n = 0; n < sizeof a; n++) CHECK(parse(a, n, 0, 0, &f) == 0);
    CHECK(parse(a, sizeof a, 0, 0, &f) == 6 && f.fin && f.opcode == 2 && f.len == 5 && f.key[0] == 1 && f.key[3] == 4);
    const uint8_t b[] = {0x01, 0xfe, 0x01, 0x00, 9, 9, 9, 9};   /* text start, 16-bit length 256 */
    for (size_t n = 0; n < sizeof b; n++) CHECK(parse(b, n, 0, 0, &f) == 0);
    CHECK(parse(b, sizeof b, 0, 0, &f) == 8 && !f.fin && f.opcode == 1 && f.len == 256);
    const uint8_t c[] = {0x80, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 5, 6, 7, 8}; /* continuation, 64-bit length 65536 */
    CHECK(parse(c, sizeof c, 0, 0, &f) < 0);                     /* no message open */
    const char *why;
    CHECK(ia__ws_parse_frame(c, sizeof c, 1, 10, 1 << 20, &f, &why) == 14 && f.len == 65536 && f.opcode == 0);
    const uint8_t d[] = {0x89, 0x80 | 125, 0, 0, 0, 0};          /* ping of 125 bytes: the most allowed */
    CHECK(parse(d, sizeof d, 2, 5, &f) == 6 && f.opcode == 9);   /* control frames may come inside a message */
    const uint8_t e[] = {0x88, 0x80, 0, 0, 0, 0};
    CHECK(parse(e, sizeof e, 0, 0, &f) == 6 && f.len == 0);
}

TEST(frame_refusals) {
    ia__ws_frame f;
    struct { uint8_t b[14]; size_t n; int open_op; uint64_t assembled; int want; } cases[] = {
        {{0x82, 0x05}, 2, 0, 0, -1002},                          /* unmasked */
        {{0x89, 0x00}, 2, 0, 0, -1002},                          /* unmasked ping */
        {{0xc2}, 1, 0, 0, -1002},                                /* RSV1: decided from one byte */
        {{0xa2}, 1, 0, 0, -1002},                                /* RSV2 */
        {{0x92}, 1, 0, 0, -1002},                                /* RSV3 */
        {{0x83}, 1, 0, 0, -1002},                                /* data opcode 3 */
        {{0x87}, 1, 0, 0, -1002},                                /* data opcode 7 */
        {{0x8b}, 1, 0, 0, -1002},                                /* control opcode 0xB */
        {{0x8f}, 1, 0, 0, -1002},                                /* control opcode 0xF */
        {{0x09}, 1, 0, 0, -1002},                                /* fragmented ping */
        {{0x08}, 1, 0, 0, -1002},                                /* fragmented close */
        {{0x89, 0xfe, 0x00, 0x7e}, 4, 0, 0, -1002},              /* ping of 126 bytes */
        {{0x80}, 1, 0, 0, -1002},                                /* continuation without a message */
        {{0x82}, 1, 1, 0, -1002},                                /* new message inside a fragmented one */
        {{0x01}, 1, 2, 0, -1002},                                /* same, not final */
        {{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}, 10, 0, 0, -1002}, /* 64-bit length with the top bit set */
        {{0x82, 0xfe, 0x00, 0x05}, 4, 0, 0, -1002},              /* 16-bit length for 5 bytes */
        {{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 10, 0, 0, -1002}, /* 64-bit length for 65535 bytes */
        {{0x82, 0xfe, 0x03, 0xe9}, 4, 0, 0, -1009},              /* 1001 bytes: over the limit (1000) */
        {{0x80, 0xfe, 0x01, 0x00}, 4, 2, 800, -1009},            /* 800 assembled + 256 */
        {{0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0}, 10, 0, 0, -1009}, /* 4 GiB */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = parse(cases[i].b, cases[i].n, cases[i].open_op, cases[i].assembled, &f);
        CHECK_MSG(r == cases[i].want, "case %zu: %d, want %d", i, r, cases[i].want);
        /* with every later byte present the answer is the same */
        uint8_t full[24];
        memset(full, 0, sizeof full);
        memcpy(full, cases[i].b, cases[i].n);
        r = parse(full, sizeof full, cases[i].open_op, cases[i].assembled, &f);
        CHECK_MSG(r == cases[i].want, "case %zu with more bytes: %d, want %d", i, r, cases[i].want);
    }
    const uint8_t ok[] = {0x82, 0xfe, 0x03, 0xe8, 0, 0, 0, 0}; /* exactly the limit */
    CHECK(parse(ok, sizeof ok, 0, 0, &f) == 8 && f.len == 1000);
}

TEST(unmask) {
    uint8_t key[4] = {0x11, 0x22, 0x33, 0x44}, p[40], q[40];
    for (int i = 0; i < 40; i++) p[i] = q[i] = (uint8_t)(i * 7 + 1);
    for (uint64_t off = 0; off < 5; off++) {
        for (size_t n = 0; n <= 37; n++) {
            uint8_t a[40];
            memcpy(a, p, sizeof a);
            ia__ws_unmask(a + 1, n, key, off); /* unaligned on purpose */
            int same = 1;
            for (size_t i = 0; i < 40; i++) {
                uint8_t want = i >= 1 && i < 1 + n ? (uint8_t)(q[i] ^ key[(off + i - 1) & 3]) : q[i];
                same &= a[i] == want;
            }
            CHECK_MSG(same, "offset %d, %zu bytes", (int)off, n);
        }
    }
}

TEST(utf8) {
    struct { const char *s; int ok; } cases[] = {
        {"", 1}, {"plain ascii {\"a\":1}", 1}, {"\xc3\xa9t\xc3\xa9", 1}, {"\xe2\x82\xac", 1}, {"\xf0\x9f\x98\x80", 1},
        {"\xf4\x8f\xbf\xbf", 1},  /* U+10FFFF */
        {"\xed\x9f\xbf", 1},      /* U+D7FF */
        {"\xc0\xaf", 0},          /* overlong '/' */
        {"\xe0\x80\xaf", 0},      /* overlong */
        {"\xf0\x80\x80\xaf", 0},  /* overlong */
        {"\xed\xa0\x80", 0},      /* U+D800 surrogate */
        {"\xf4\x90\x80\x80", 0},  /* U+110000 */
        {"\xc3", 0},              /* truncated */
        {"\xe2\x82", 0},          /* truncated */
        {"\x80", 0},              /* lone continuation */
        {"\xfe", 0}, {"\xff", 0},
        {"a\xc3(", 0},            /* bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(ia__ws_utf8_valid((const uint8_t *)cases[i].s, strlen(cases[i].s)) == cases[i].ok, "case %zu", i);
}

TEST(close_frames) {
    uint8_t f[127];
    CHECK(ia__ws_close_frame(1002, "unmasked client frame", f) == 4 + 21 && f[0] == 0x88 && f[1] == 23 && f[2] == 0x03 && f[3] == 0xea &&
          !memcmp(f + 4, "unmasked client frame", 21));
    CHECK(ia__ws_close_frame(0, "x", f) == 2 && f[1] == 0);
    char long_reason[300];
    memset(long_reason, 'a', sizeof long_reason);
    long_reason[299] = 0;
    long_reason[122] = (char)0xc3; /* a 2-byte sequence across the 123-byte cut */
    long_reason[123] = (char)0xa9;
    size_t n = ia__ws_close_frame(1009, long_reason, f);
    CHECK(n == 2 + 2 + 122 && f[1] == 124 && ia__ws_utf8_valid(f + 4, 122));
    int st;
    CHECK(ia__ws_close_status((const uint8_t *)"", 0, &st) == 0 && st == 1005);
    CHECK(ia__ws_close_status((const uint8_t *)"\x03\xe8", 2, &st) == 0 && st == 1000);
    CHECK(ia__ws_close_status((const uint8_t *)"\x0f\xa0 bye", 6, &st) == 0 && st == 4000);
    CHECK(ia__ws_close_status((const uint8_t *)"\x03", 1, &st) < 0);
    CHECK(ia__ws_close_status((const uint8_t *)"\x03\xed", 2, &st) < 0);      /* 1005 must not be sent */
    CHECK(ia__ws_close_status((const uint8_t *)"\x03\xee", 2, &st) < 0);      /* 1006 neither */
    CHECK(ia__ws_close_status((const uint8_t *)"\x03\xe7", 2, &st) < 0);      /* 999 */
    CHECK(ia__ws_close_status((const uint8_t *)"\x03\xe8\xc0\xaf", 4, &st) < 0); /* reason not UTF-8 */
}

static int up(const char *req, ia__ws_upgrade *u, const char **why) { return ia__ws_parse_upgrade(req, strlen(req), TOK, u, why); }

TEST(handshake) {
    char acc[29];
    /* RFC 6455 section 1.3's example */
    CHECK(ia__ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", acc) == 0 && !strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    ia__route route;
    CHECK(ia__http_route("/" TOK "/ws.json", TOK, &route) == 200 && route.kind == IA__ROUTE_WS_INFO);
    CHECK(ia__http_route("/ws.json", TOK, &route) == 403);
    ia__ws_upgrade u;
    const char *why;
    const char *good = "GET /" TOK "/ws?page=3 HTTP/1.1\r\nHost: 127.0.0.1:5\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:4\r\n\r\n";
    CHECK(up(good, &u, &why) == 101 && !strcmp(u.query, "page=3") && !strcmp(u.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    struct { const char *req; int want; } bad[] = {
        {"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n", 403},
        {"GET /" TOK "x/ws HTTP/1.1\r\nHost: x\r\n\r\n", 403},
        {"GET /" TOK "/bridge.html HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"GET /" TOK "/../ws HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"POST /" TOK "/ws HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.0\r\nHost: x\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\n\r\n", 400},                      /* no Host and nothing else */
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 8\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost x\r\n\r\n", 400},
        {"GET /" TOK "/ws HTTP/1.1\r\nHost: x\r\n", 400},              /* no empty line */
        {"GET  HTTP/1.1\r\n\r\n", 400},
        {"\r\n\r\n", 400},
        {"", 400},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = up(bad[i].req, &u, &why);
        CHECK_MSG(r == bad[i].want && why[0], "case %zu: %d (%s), want %d", i, r, why, bad[i].want);
    }
}

UNIT_MAIN(CASE(frame_accepts_and_needs_bytes), CASE(frame_refusals), CASE(unmask), CASE(utf8), CASE(close_frames), CASE(handshake))
