/* The RFC 6455 opening handshake of the bridge's WebSocket endpoint: parses the HTTP/1.1 upgrade
 * request (untrusted; fuzzed by fuzz_ws_handshake) and computes Sec-WebSocket-Accept. */
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include "web/web_internal.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int ia__ws_accept_key(const char *key, char out[29]) {
    char buf[64 + sizeof WS_GUID];
    size_t k = strlen(key);
    if (k > 64) return -1;
    memcpy(buf, key, k);
    memcpy(buf + k, WS_GUID, sizeof WS_GUID - 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(buf, k + sizeof WS_GUID - 1, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20) return -1;
    return EVP_EncodeBlock((unsigned char *)out, md, 20) == 28 ? 0 : -1; /* 28 characters + NUL */
}

static int b64char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Whether a comma-separated header value holds `tok` (case-insensitive, spaces trimmed). */
static int has_token(const char *v, size_t n, const char *tok) {
    size_t t = strlen(tok), i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        size_t s = i;
        while (i < n && v[i] != ',') i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e - s == t && !strncasecmp(v + s, tok, t)) return 1;
    }
    return 0;
}

#define BAD(st, msg) do { *why = (msg); return (st); } while (0)

int ia__ws_parse_upgrade(const char *req, size_t n, const char *token, ia__ws_upgrade *u, const char **why) {
    memset(u, 0, sizeof *u);
    *why = "";
    /* the request line */
    const char *end = req + n, *eol = NULL;
    for (const char *q = req; q + 1 < end; q++)
        if (q[0] == '\r' && q[1] == '\n') { eol = q; break; }
    if (!eol) BAD(400, "malformed request: no request line");
    const char *sp1 = memchr(req, ' ', (size_t)(eol - req));
    if (!sp1) BAD(400, "malformed request line");
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1) BAD(400, "malformed request line");
    if ((size_t)(eol - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.1", 8)) BAD(400, "a WebSocket upgrade needs HTTP/1.1");
    if (sp1 - req != 3 || memcmp(req, "GET", 3)) BAD(400, "a WebSocket upgrade needs the GET method");
    char target[1100];
    size_t tl = (size_t)(sp2 - sp1 - 1);
    if (tl >= sizeof target) BAD(414, "request target too long");
    memcpy(target, sp1 + 1, tl);
    target[tl] = 0;
    if (memchr(target, 0, tl)) BAD(400, "malformed request target");
    ia__route r;
    int st = ia__http_route(target, token, &r);
    if (st == 403) BAD(403, "missing or wrong token");
    if (st == 400 || st == 414) BAD(st, "malformed request target");
    if (st != 200 || r.kind != IA__ROUTE_WS) BAD(404, "not a WebSocket endpoint (use /TOKEN/ws)");
    const char *qm = memchr(target, '?', tl);
    if (qm) {
        size_t ql = strcspn(qm + 1, "#");
        if (ql >= sizeof u->query) BAD(400, "query string too long");
        memcpy(u->query, qm + 1, ql);
        u->query[ql] = 0;
    }
    /* header fields, one per CRLF-terminated line, up to the empty line */
    int upgrade = 0, connection = 0, version = 0, host = 0, keys = 0;
    char key[32] = "";
    const char *line = eol + 2;
    for (;;) {
        const char *le = NULL;
        for (const char *q = line; q + 1 < end; q++)
            if (q[0] == '\r' && q[1] == '\n') { le = q; break; }
        if (!le) BAD(400, "malformed request: header block not terminated by an empty line");
        if (le == line) break;
        size_t ll = (size_t)(le - line);
        if (memchr(line, '\n', ll) || memchr(line, '\r', ll) || memchr(line, 0, ll)) BAD(400, "malformed header line");
        if (line[0] == ' ' || line[0] == '\t') BAD(400, "folded header lines are not accepted");
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line) BAD(400, "malformed header line");
        size_t nl = (size_t)(colon - line);
        for (size_t i = 0; i < nl; i++)
            if (line[i] == ' ' || line[i] == '\t') BAD(400, "space in a header name");
        const char *v = colon + 1, *ve = le;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        size_t vl = (size_t)(ve - v);
#define NAME_IS(s) (nl == sizeof(s) - 1 && !strncasecmp(line, s, nl))
        if (NAME_IS("Host")) host++;
        else if (NAME_IS("Upgrade")) upgrade |= has_token(v, vl, "websocket");
        else if (NAME_IS("Connection")) connection |= has_token(v, vl, "Upgrade");
        else if (NAME_IS("Sec-WebSocket-Version")) version = vl == 2 && !memcmp(v, "13", 2) ? version | 1 : version | 2;
        else if (NAME_IS("Sec-WebSocket-Key")) {
            keys++;
            if (vl < sizeof key) { memcpy(key, v, vl); key[vl] = 0; }
            else key[0] = 0;
        }
#undef NAME_IS
        line = le + 2;
    }
    if (host != 1) BAD(400, "a WebSocket upgrade needs exactly one Host header");
    if (!upgrade) BAD(400, "not a WebSocket upgrade: no \"Upgrade: websocket\" header");
    if (!connection) BAD(400, "not a WebSocket upgrade: no \"Connection: Upgrade\" header");
    if (version != 1) BAD(400, "Sec-WebSocket-Version must be 13");
    if (keys != 1) BAD(400, "a WebSocket upgrade needs exactly one Sec-WebSocket-Key");
    /* the key: base64 of 16 bytes, i.e. 22 characters and "==" */
    int kok = strlen(key) == 24 && key[22] == '=' && key[23] == '=';
    for (int i = 0; kok && i < 22; i++) kok = b64char(key[i]);
    if (!kok) BAD(400, "Sec-WebSocket-Key is not the base64 of 16 bytes");
    if (ia__ws_accept_key(key, u->accept)) BAD(500, "cannot compute Sec-WebSocket-Accept");
    return 101;
}
