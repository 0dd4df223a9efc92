/* Unit tests of the browser bridge's parsers: request routing (token, traversal), Range headers
 * (RFC 9110 semantics), WebSocket message reassembly, bridge frame encode/decode. */
#include <string.h>
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "unit.h"
#include "web/web_internal.h"

#define TOK "0123456789abcdef0123456789abcdef"

TEST(route_token_and_paths) {
    ia__route r;
    CHECK(ia__http_route("/" TOK "/bridge.html", TOK, &r) == 200 && r.kind == IA__ROUTE_STATIC && !strcmp(r.name, "bridge.html"));
    CHECK(ia__http_route("/" TOK "/", TOK, &r) == 200 && r.kind == IA__ROUTE_STATIC);
    CHECK(ia__http_route("/" TOK "/bridge.js?v=1", TOK, &r) == 200 && !strcmp(r.name, "bridge.js"));
    CHECK(ia__http_route("/" TOK "/ort/ort.wasm.min.mjs", TOK, &r) == 200 && r.kind == IA__ROUTE_ORT && !strcmp(r.name, "ort.wasm.min.mjs"));
    CHECK(ia__http_route("/" TOK "/model/12", TOK, &r) == 200 && r.kind == IA__ROUTE_MODEL && !strcmp(r.name, "12"));
    CHECK(ia__http_route("/" TOK "/ws?page=1", TOK, &r) == 200 && r.kind == IA__ROUTE_WS);
    CHECK(ia__http_route("/bridge.html", TOK, &r) == 403);
    CHECK(ia__http_route("/" TOK "x/bridge.html", TOK, &r) == 403);
    CHECK(ia__http_route("/" TOK, TOK, &r) == 404);
    CHECK(ia__http_route("/" TOK "/ort/../x", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "/ort/a..b", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "/ort/.x", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "//ort/x", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "/ort/a%2fb", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "/ort/sub/x", TOK, &r) == 400);
    CHECK(ia__http_route("/" TOK "/model/1a", TOK, &r) == 404);
    CHECK(ia__http_route("relative", TOK, &r) == 400);
    CHECK(!strcmp(ia__http_mime("a.wasm"), "application/wasm"));
    CHECK(!strncmp(ia__http_mime("a.mjs"), "text/javascript", 15));
}

TEST(range_header) {
    uint64_t a, b;
    CHECK(ia__http_parse_range("bytes=0-9", 100, &a, &b) == 0 && a == 0 && b == 9);
    CHECK(ia__http_parse_range("bytes=90-", 100, &a, &b) == 0 && a == 90 && b == 99);
    CHECK(ia__http_parse_range("bytes=90-1000", 100, &a, &b) == 0 && a == 90 && b == 99);
    CHECK(ia__http_parse_range("bytes=-10", 100, &a, &b) == 0 && a == 90 && b == 99);
    CHECK(ia__http_parse_range("bytes=-1000", 100, &a, &b) == 0 && a == 0 && b == 99);
    CHECK(ia__http_parse_range("bytes=100-", 100, &a, &b) == -1);
    CHECK(ia__http_parse_range("bytes=-0", 100, &a, &b) == -1);
    CHECK(ia__http_parse_range("bytes=9-1", 100, &a, &b) == 1);
    CHECK(ia__http_parse_range("items=0-1", 100, &a, &b) == 1);
    CHECK(ia__http_parse_range("bytes=0-1,5-6", 100, &a, &b) == 1);
    CHECK(ia__http_parse_range("bytes=99999999999999999999-", 100, &a, &b) == 1);
    CHECK(ia__http_parse_range(NULL, 100, &a, &b) == 1);
}

TEST(ws_reassembly) {
    ia__ws_assembler as;
    memset(&as, 0, sizeof as);
    as.max = 10;
    CHECK(ia__ws_feed(&as, 0x01, (const uint8_t *)"abc", 3) == 0);
    CHECK(ia__ws_feed(&as, 0x89, (const uint8_t *)"p", 1) == 0); /* ping between fragments */
    CHECK(ia__ws_feed(&as, 0x80, (const uint8_t *)"de", 2) == 1 && as.len == 5 && as.opcode == 1 && !memcmp(as.buf, "abcde", 5));
    ia__ws_reset(&as);
    CHECK(ia__ws_feed(&as, 0x80, (const uint8_t *)"x", 1) < 0);           /* orphan continuation */
    CHECK(ia__ws_feed(&as, 0xC2, (const uint8_t *)"x", 1) < 0);           /* RSV1 */
    CHECK(ia__ws_feed(&as, 0x83, (const uint8_t *)"x", 1) < 0);           /* opcode 3 */
    CHECK(ia__ws_feed(&as, 0x09, (const uint8_t *)"x", 1) < 0);           /* fragmented ping */
    CHECK(ia__ws_feed(&as, 0x82, (const uint8_t *)"0123456789a", 11) < 0); /* over max */
    ia__ws_reset(&as);
    CHECK(ia__ws_feed(&as, 0x02, (const uint8_t *)"012345", 6) == 0);
    CHECK(ia__ws_feed(&as, 0x80, (const uint8_t *)"6789a", 5) < 0);       /* over max across fragments */
    ia__ws_reset(&as);
    CHECK(ia__ws_feed(&as, 0x02, (const uint8_t *)"a", 1) == 0);
    CHECK(ia__ws_feed(&as, 0x82, (const uint8_t *)"b", 1) < 0);           /* new message inside a fragmented one */
    ia__ws_free(&as);
}

TEST(frame_roundtrip) {
    int64_t d1[2] = {2, 3}, d2[1] = {1};
    ia_tensor *t[2];
    CHECK(ia_tensor_create(IA_DTYPE_FLOAT, 2, d1, &t[0]) == 0 && ia_tensor_create(IA_DTYPE_INT64, 1, d2, &t[1]) == 0);
    for (int i = 0; i < 6; i++) ((float *)t[0]->data)[i] = (float)i + 0.5f;
    ((int64_t *)t[1]->data)[0] = -7;
    const char *names[2] = {"x", "ids"};
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "id", 42);
    uint8_t *msg;
    size_t len;
    CHECK(ia__frame_encode(h, t, names, 2, &msg, &len) == 0);
    cJSON_Delete(h);
    cJSON *hdr;
    ia__frame_tensor *ts;
    size_t n;
    const uint8_t *data;
    CHECK(ia__frame_decode(msg, len, &hdr, &ts, &n, &data) == 0 && n == 2);
    if (n == 2) {
        CHECK(!strcmp(ts[0].name, "x") && ts[0].dtype == IA_DTYPE_FLOAT && ts[0].rank == 2 && ts[0].dims[1] == 3 && ts[0].bytes == 24);
        CHECK(!memcmp(data + ts[0].offset, t[0]->data, 24));
        CHECK(ts[1].dtype == IA_DTYPE_INT64 && ts[1].offset % 8 == 0 && *(const int64_t *)(data + ts[1].offset) == -7);
        CHECK(cJSON_GetObjectItem(hdr, "id")->valuedouble == 42);
    }
    ia_free(ts);
    cJSON_Delete(hdr);
    /* truncations and corruptions are refused */
    for (size_t cut = 0; cut < len; cut += 7) {
        if (ia__frame_decode(msg, cut, &hdr, &ts, &n, &data) == 0) {
            CHECK(n == 0 || ts[n - 1].offset + ts[n - 1].bytes <= cut);
            ia_free(ts);
            cJSON_Delete(hdr);
        }
    }
    msg[0] = 0xff; /* header length beyond the frame */
    CHECK(ia__frame_decode(msg, len, &hdr, &ts, &n, &data) != 0);
    ia_free(msg);
    ia_tensor_release(t[0]);
    ia_tensor_release(t[1]);
}

/* Server frame headers against RFC 6455 section 5.7's examples ("Hello" as text; 256 bytes and
 * 64 KiB as binary), plus the 125/126 and 65535/65536 length-encoding boundaries of section 5.2. */
TEST(ws_frame_header) {
    uint8_t h[10];
    static const uint8_t hello[] = {0x81, 0x05};
    CHECK(ia__ws_frame_header(1, 5, h) == 2 && !memcmp(h, hello, 2));
    static const uint8_t b256[] = {0x82, 0x7e, 0x01, 0x00};
    CHECK(ia__ws_frame_header(2, 256, h) == 4 && !memcmp(h, b256, 4));
    static const uint8_t b64k[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    CHECK(ia__ws_frame_header(2, 65536, h) == 10 && !memcmp(h, b64k, 10));
    CHECK(ia__ws_frame_header(2, 125, h) == 2 && h[1] == 125);
    CHECK(ia__ws_frame_header(2, 126, h) == 4 && h[1] == 126 && h[2] == 0 && h[3] == 126);
    CHECK(ia__ws_frame_header(2, 65535, h) == 4 && h[2] == 0xff && h[3] == 0xff);
    CHECK(ia__ws_frame_header(2, 0, h) == 2 && h[0] == 0x82 && h[1] == 0);
    CHECK(ia__ws_frame_header(8, 0, h) == 2 && h[0] == 0x88); /* close */
    CHECK(ia__ws_frame_header(2, (uint64_t)1 << 40, h) == 10 && h[1] == 127 && h[4] == 0x01 && h[5] == 0 && h[9] == 0);
}

UNIT_MAIN(CASE(route_token_and_paths), CASE(range_header), CASE(ws_reassembly), CASE(frame_roundtrip), CASE(ws_frame_header))
