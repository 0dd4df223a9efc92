/* The bridge's own WebSocket endpoint against a raw TCP client (no browser): the RFC 6455 handshake
 * (Sec-WebSocket-Accept from the RFC's own example), masked frames echoed at every length encoding,
 * fragments with a ping between them; every malformed frame refused with a close frame carrying
 * the right status (1002 / 1007 / 1009) and then EOF; bad upgrades refused with 400 / 403 / 404 /
 * 431, silent ones with 408, connections past the limit with 503; a good connection keeps echoing
 * while the others are refused; stop joins everything. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "web/web_internal.h"
#include "raw_socket.h"

static int fails = 0;
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #c); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); fails++; } } while (0)

#define LIMIT (1 << 20) /* the server's message limit in this test */
static int port;
static char token[64];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int n_connect, n_close, n_message;

static int on_connect(void *u, void *c, const char *q) {
    (void)u; (void)c;
    if (strstr(q, "refuse")) return -1;
    pthread_mutex_lock(&mu); n_connect++; pthread_mutex_unlock(&mu);
    return 0;
}
static int on_message(void *u, void *c, int op, const uint8_t *d, size_t n) {
    (void)u;
    pthread_mutex_lock(&mu); n_message++; pthread_mutex_unlock(&mu);
    if (n >= 6 && !memcmp(d, "reject", 6)) return -1; /* the events may refuse a message */
    return ia__server_ws_send(c, op, d, n) ? -1 : 0;
}
static void on_close(void *u, void *c) {
    (void)u; (void)c;
    pthread_mutex_lock(&mu); n_close++; pthread_mutex_unlock(&mu);
}

static int dial(void) { return raw_dial(port, 20); }

/* Reads the HTTP response head byte by byte (nothing of a following frame is consumed). */
static int read_head(int fd, char *buf, size_t cap) {
    size_t got = 0;
    buf[0] = 0;
    while (got + 1 < cap) {
        if (recv(fd, buf + got, 1, 0) != 1) break;
        got++;
        buf[got] = 0;
        if (got >= 4 && !memcmp(buf + got - 4, "\r\n\r\n", 4)) break;
    }
    int st = 0;
    if (got > 12) sscanf(buf, "HTTP/1.1 %d", &st);
    return st;
}

/* Sends a raw request on a fresh connection; returns the status and the head (+ body) in resp. */
static int request(const char *req, size_t n, char *resp, size_t cap) {
    int fd = dial();
    if (fd < 0) return -1;
    send_all(fd, req, n);
    int st = read_head(fd, resp, cap);
    size_t l = strlen(resp);
    ssize_t r = recv(fd, resp + l, cap - 1 - l, 0); /* the body's text */
    if (r > 0) resp[l + (size_t)r] = 0;
    close(fd);
    return st;
}

static const char *KEY = "dGhlIHNhbXBsZSBub25jZQ==";    /* RFC 6455 section 1.3's example */
static const char *ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; /* ... and its Sec-WebSocket-Accept */

static int upgrade_req(char *out, size_t cap, const char *target, const char *method, const char *version, const char *extra,
                       int with_key, const char *wsver) {
    return snprintf(out, cap, "%s %s %s\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n%s%s%s%s%s\r\n",
                    method, target, version, port, with_key ? "Sec-WebSocket-Key: " : "", with_key ? KEY : "", with_key ? "\r\n" : "",
                    wsver ? wsver : "Sec-WebSocket-Version: 13\r\n", extra ? extra : "");
}

/* Opens a WebSocket; `extra_bytes` are sent right after the request (a client not waiting for 101). */
static int ws_open_with(const char *query, const uint8_t *extra_bytes, size_t extra_n) {
    int fd = dial();
    if (fd < 0) return -1;
    char req[1024], resp[4096], target[256];
    snprintf(target, sizeof target, "/%s/ws?%s", token, query);
    int n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", NULL, 1, NULL);
    uint8_t *all = malloc((size_t)n + extra_n);
    memcpy(all, req, (size_t)n);
    if (extra_n) memcpy(all + n, extra_bytes, extra_n);
    send_all(fd, all, (size_t)n + extra_n);
    free(all);
    int st = read_head(fd, resp, sizeof resp);
    char want[64];
    snprintf(want, sizeof want, "Sec-WebSocket-Accept: %s\r\n", ACCEPT);
    if (st != 101 || !strstr(resp, want) || !strcasestr(resp, "Upgrade: websocket")) {
        fprintf(stderr, "upgrade answered: %s\n", resp);
        close(fd);
        return -1;
    }
    return fd;
}
static int ws_open(void) { return ws_open_with("page=0", NULL, 0); }

/* Builds a client frame: b0 (FIN/RSV/opcode), masked or not, `claimed` length (encoded minimally
 * unless len_bytes forces 2 or 8 extension bytes), n payload bytes. */
static size_t frame(uint8_t *out, uint8_t b0, int masked, const uint8_t *p, size_t n, uint64_t claimed, int len_bytes) {
    size_t k = 0;
    out[k++] = b0;
    uint8_t m = masked ? 0x80 : 0;
    if (len_bytes == 0 && claimed < 126) out[k++] = m | (uint8_t)claimed;
    else if (len_bytes == 2 || (len_bytes == 0 && claimed < 65536)) { out[k++] = m | 126; out[k++] = (uint8_t)(claimed >> 8); out[k++] = (uint8_t)claimed; }
    else { out[k++] = m | 127; for (int i = 7; i >= 0; i--) out[k++] = (uint8_t)(claimed >> (8 * i)); }
    static const uint8_t key[4] = {0x9a, 0x3c, 0x55, 0xe1};
    if (masked) { memcpy(out + k, key, 4); k += 4; }
    for (size_t i = 0; i < n; i++) out[k + i] = p[i] ^ (masked ? key[i & 3] : 0);
    return k + n;
}
static int send_frame(int fd, uint8_t b0, int masked, const void *p, size_t n) {
    uint8_t *buf = malloc(n + 14);
    size_t k = frame(buf, b0, masked, p, n, n, 0);
    int r = send_all(fd, buf, k);
    free(buf);
    return r;
}

/* Reads one server frame: opcode (-1 on EOF/error), payload into buf. Server frames must be unmasked. */
static int ws_recv(int fd, uint8_t *buf, size_t cap, size_t *len, int *fin) {
    uint8_t h[2];
    if (recv_n(fd, h, 2)) return -1;
    if (h[1] & 0x80) { fprintf(stderr, "server frame masked\n"); return -2; }
    uint64_t n = h[1] & 0x7f;
    if (n == 126) { uint8_t e[2]; if (recv_n(fd, e, 2)) return -1; n = (uint64_t)e[0] << 8 | e[1]; }
    else if (n == 127) { uint8_t e[8]; if (recv_n(fd, e, 8)) return -1; n = 0; for (int i = 0; i < 8; i++) n = n << 8 | e[i]; }
    if (n > cap) return -2;
    if (recv_n(fd, buf, (size_t)n)) return -1;
    *len = (size_t)n;
    if (fin) *fin = (h[0] & 0x80) != 0;
    return h[0] & 0x0f;
}

/* Expects a close frame with `status`, then EOF. */
static int closed_with(int fd, int status, const char *what) {
    uint8_t buf[256];
    size_t n = 0;
    int op = ws_recv(fd, buf, sizeof buf, &n, NULL);
    int st = op == 8 && n >= 2 ? buf[0] << 8 | buf[1] : -1;
    uint8_t x;
    ssize_t eof = recv(fd, &x, 1, 0);
    printf("%-44s -> close %d \"%.*s\", then %s\n", what, st, n > 2 ? (int)n - 2 : 0, (const char *)buf + 2, eof == 0 ? "EOF" : "no EOF");
    return op == 8 && st == status && eof == 0;
}

static int echo_ok(int fd, size_t n, uint8_t op) {
    uint8_t *p = malloc(n + 1), *q = malloc(n + 16);
    for (size_t i = 0; i < n; i++) p[i] = op == 1 ? (uint8_t)('a' + i % 26) : (uint8_t)(i * 31 + 7);
    size_t got = 0;
    int fin = 0;
    int ok = send_frame(fd, (uint8_t)(0x80 | op), 1, p, n) == 0 && ws_recv(fd, q, n + 16, &got, &fin) == op && fin && got == n &&
             (n == 0 || !memcmp(p, q, n));
    free(p);
    free(q);
    return ok;
}

int main(void) {
    ia__server_options o;
    memset(&o, 0, sizeof o);
    o.static_dir = o.dist_dir = "/nonexistent";
    o.max_message = LIMIT;
    o.events.on_connect = on_connect;
    o.events.on_message = on_message;
    o.events.on_close = on_close;
    ia__server *s;
    if (ia__server_start(&o, &s)) { fprintf(stderr, "FAIL: server: %s\n", ia_last_error()); return 1; }
    port = ia__server_ws_port(s);
    snprintf(token, sizeof token, "%s", ia__server_token(s));
    CHECK(port > 0 && port != ia__server_port(s), "WebSocket port %d, HTTP port %d", port, ia__server_port(s));
    char resp[8192], req[16384], target[256];

    /* (a) upgrade and echo */
    int good = ws_open();
    CHECK(good >= 0, "upgrade with the token (Sec-WebSocket-Accept as in RFC 6455 1.3)");
    static const size_t sizes[] = {0, 1, 125, 126, 65535, 65536, 300000, LIMIT};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) CHECK(echo_ok(good, sizes[i], 2), "binary echo of %zu bytes", sizes[i]);
    CHECK(echo_ok(good, 1000, 1), "text echo");
    {   /* fragments: text in three frames with a ping between them; the ping is answered first */
        uint8_t buf[64];
        size_t n;
        int fin;
        send_frame(good, 0x01, 1, "hel", 3);
        send_frame(good, 0x89, 1, "pi", 2);
        send_frame(good, 0x00, 1, "lo ", 3);
        send_frame(good, 0x80, 1, "you", 3);
        CHECK(ws_recv(good, buf, sizeof buf, &n, &fin) == 10 && n == 2 && !memcmp(buf, "pi", 2), "pong with the ping's payload");
        CHECK(ws_recv(good, buf, sizeof buf, &n, &fin) == 1 && n == 9 && !memcmp(buf, "hello you", 9), "fragmented text reassembled");
        send_frame(good, 0x8a, 1, "x", 1); /* unsolicited pong: ignored */
        CHECK(echo_ok(good, 10, 2), "echo after an unsolicited pong");
    }
    {   /* a frame sent with the upgrade request, before the 101 */
        uint8_t f[32];
        size_t k = frame(f, 0x82, 1, (const uint8_t *)"early", 5, 5, 0);
        int fd = ws_open_with("page=1", f, k);
        uint8_t buf[16];
        size_t n;
        CHECK(fd >= 0 && ws_recv(fd, buf, sizeof buf, &n, NULL) == 2 && n == 5 && !memcmp(buf, "early", 5), "pipelined first frame");
        if (fd >= 0) close(fd);
    }
    {   /* the client closes: the server echoes its status and ends the connection */
        int fd = ws_open();
        uint8_t st[2] = {0x03, 0xe8};
        send_frame(fd, 0x88, 1, st, 2);
        CHECK(closed_with(fd, 1000, "client close 1000"), "close echoed");
        close(fd);
    }

    /* (b), (c), (d): each bad frame on its own connection; the good one echoes meanwhile */
    static uint8_t big[3 << 20];
    uint8_t pl[200];
    for (size_t i = 0; i < sizeof pl; i++) pl[i] = (uint8_t)i;
    static const uint8_t bad_utf8[] = {'o', 'k', 0xc0, 0xaf}; /* overlong '/' */
    struct bad {
        const char *what;
        int status;
        size_t n;
    } bads[] = {
        {"unmasked binary frame", 1002, 0}, {"RSV1 set", 1002, 0}, {"RSV3 set", 1002, 0}, {"data opcode 3", 1002, 0},
        {"control opcode 0xB", 1002, 0}, {"ping with 126 bytes", 1002, 0}, {"fragmented ping", 1002, 0},
        {"continuation without a message", 1002, 0}, {"new message inside a fragmented one", 1002, 0},
        {"64-bit length with the top bit set", 1002, 0}, {"16-bit length for 5 bytes", 1002, 0}, {"64-bit length for 200 bytes", 1002, 0},
        {"message over the limit (one frame)", 1009, 0}, {"message over the limit (fragments)", 1009, 0},
        {"text that is not UTF-8", 1007, 0}, {"close frame with 1 byte", 1002, 0}, {"close status 1005 (must not be sent)", 1002, 0},
        {"message the events refuse", 1007, 0}, {"unmasked ping", 1002, 0},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        int fd = ws_open();
        CHECK(fd >= 0, "open for %s", bads[i].what);
        if (fd < 0) continue;
        size_t k = 0;
        uint8_t *f = big;
        switch (i) {
        case 0: k = frame(f, 0x82, 0, pl, 8, 8, 0); break;
        case 1: k = frame(f, 0xc2, 1, pl, 8, 8, 0); break;
        case 2: k = frame(f, 0x92, 1, pl, 8, 8, 0); break;
        case 3: k = frame(f, 0x83, 1, pl, 8, 8, 0); break;
        case 4: k = frame(f, 0x8b, 1, pl, 8, 8, 0); break;
        case 5: k = frame(f, 0x89, 1, pl, 126, 126, 0); break;
        case 6: k = frame(f, 0x09, 1, pl, 8, 8, 0); break;
        case 7: k = frame(f, 0x80, 1, pl, 8, 8, 0); break;
        case 8: k = frame(f, 0x02, 1, pl, 8, 8, 0); k += frame(f + k, 0x82, 1, pl, 8, 8, 0); break;
        case 9: k = frame(f, 0x82, 1, pl, 0, (uint64_t)1 << 63, 8); break;
        case 10: k = frame(f, 0x82, 1, pl, 5, 5, 2); break;
        case 11: k = frame(f, 0x82, 1, pl, 200, 200, 8); break;
        case 12: k = frame(f, 0x82, 1, pl, 0, (uint64_t)LIMIT + 1, 0); break;
        case 13: k = frame(f, 0x02, 1, big + (2 << 20), LIMIT - 10, LIMIT - 10, 0); k += frame(f + k, 0x80, 1, pl, 11, 11, 0); break;
        case 14: k = frame(f, 0x81, 1, bad_utf8, sizeof bad_utf8, sizeof bad_utf8, 0); break;
        case 15: k = frame(f, 0x88, 1, pl, 1, 1, 0); break;
        case 16: k = frame(f, 0x88, 1, (const uint8_t *)"\x03\xed", 2, 2, 0); break;
        case 17: k = frame(f, 0x82, 1, (const uint8_t *)"reject", 6, 6, 0); break;
        case 18: k = frame(f, 0x89, 0, pl, 4, 4, 0); break;
        }
        send_all(fd, f, k);
        CHECK(good >= 0 && echo_ok(good, 1000, 2), "good connection echoes while '%s' is refused", bads[i].what);
        CHECK(closed_with(fd, bads[i].status, bads[i].what), "%s: want close %d then EOF", bads[i].what, bads[i].status);
        close(fd);
    }

    /* bad upgrades: status and a clear text */
    struct { const char *what; int status; const char *text; } ups[] = {
        {"no token", 403, "token"}, {"wrong token", 403, "token"}, {"not /TOKEN/ws", 404, "WebSocket"},
        {"POST", 400, "GET"}, {"HTTP/1.0", 400, "HTTP/1.1"}, {"no Sec-WebSocket-Key", 400, "Sec-WebSocket-Key"},
        {"Sec-WebSocket-Version 8", 400, "13"}, {"key not 16 bytes", 400, "Sec-WebSocket-Key"}, {"no Upgrade header", 400, "Upgrade"},
        {"page refused by the events", 403, "refused"}, {"garbage", 400, "malformed"},
    };
    for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
        int n = 0;
        snprintf(target, sizeof target, "/%s/ws?page=0", token);
        switch (i) {
        case 0: n = upgrade_req(req, sizeof req, "/ws?page=0", "GET", "HTTP/1.1", NULL, 1, NULL); break;
        case 1: n = upgrade_req(req, sizeof req, "/0123456789abcdef0123456789abcdef/ws", "GET", "HTTP/1.1", NULL, 1, NULL); break;
        case 2: snprintf(target, sizeof target, "/%s/bridge.html", token); n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", NULL, 1, NULL); break;
        case 3: n = upgrade_req(req, sizeof req, target, "POST", "HTTP/1.1", NULL, 1, NULL); break;
        case 4: n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.0", NULL, 1, NULL); break;
        case 5: n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", NULL, 0, NULL); break;
        case 6: n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", NULL, 1, "Sec-WebSocket-Version: 8\r\n"); break;
        case 7: n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n", target); break;
        case 8: n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", target, KEY); break;
        case 9: snprintf(target, sizeof target, "/%s/ws?page=refuse", token); n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", NULL, 1, NULL); break;
        case 10: n = snprintf(req, sizeof req, "GARBAGE\r\n\r\n"); break;
        }
        int st = request(req, (size_t)n, resp, sizeof resp);
        const char *body = strstr(resp, "\r\n\r\n");
        printf("%-44s -> %d %s", ups[i].what, st, body ? body + 4 : "(no body)\n");
        CHECK(st == ups[i].status && body && strstr(body, ups[i].text), "%s: want %d mentioning '%s'", ups[i].what, ups[i].status, ups[i].text);
        CHECK(good >= 0 && echo_ok(good, 100, 2), "good connection after upgrade '%s'", ups[i].what);
    }
    {   /* header block past 8 KiB */
        snprintf(target, sizeof target, "/%s/ws?page=0", token);
        char extra[10000];
        int e = snprintf(extra, sizeof extra, "X-Big: ");
        memset(extra + e, 'a', 9000);
        strcpy(extra + e + 9000, "\r\n");
        int n = upgrade_req(req, sizeof req, target, "GET", "HTTP/1.1", extra, 1, NULL);
        int st = request(req, (size_t)n, resp, sizeof resp);
        printf("%-44s -> %d\n", "9 KB header block", st);
        CHECK(st == 431, "oversized header block answered %d", st);
    }
    {   /* 70 connections that never send a request: past 64 live ones the listener answers 503 at
         * once; the others get 408 when the 10 s for the request are over; the good one echoes meanwhile */
        enum { HOLD = 70 };
        int hold[HOLD], n503 = 0, other = 0;
        for (int i = 0; i < HOLD; i++) hold[i] = dial();
        usleep(500000);
        for (int i = 0; i < HOLD; i++) {
            struct pollfd pf = {hold[i], POLLIN, 0};
            if (hold[i] < 0 || poll(&pf, 1, 0) != 1) continue;
            int st = read_head(hold[i], resp, sizeof resp);
            if (st == 503) n503++; else other++;
            close(hold[i]);
            hold[i] = -1;
        }
        printf("%-44s -> %d answered 503 at once, %d otherwise\n", "70 connections without a request", n503, other);
        CHECK(n503 >= HOLD - 64 + 1 && other == 0, "%d of %d connections refused with 503, %d other answers", n503, HOLD, other);
        CHECK(good >= 0 && echo_ok(good, 1000, 2), "good connection while the listener is full");
        int first = -1;
        for (int i = 0; i < HOLD && first < 0; i++) if (hold[i] >= 0) first = i;
        int st = first >= 0 ? read_head(hold[first], resp, sizeof resp) : -1;
        printf("%-44s -> %d\n", "a connection that sends no request", st);
        CHECK(st == 408, "no request within the deadline answered %d", st);
        for (int i = 0; i < HOLD; i++) if (hold[i] >= 0) close(hold[i]);
        usleep(300000);
        int fd = ws_open();
        CHECK(fd >= 0 && echo_ok(fd, 10, 2), "a new connection after the held ones timed out");
        if (fd >= 0) close(fd);
    }
    {   /* a frame cut short by the client going away, and a connection left idle: neither disturbs */
        int fd = ws_open();
        uint8_t f[64];
        size_t k = frame(f, 0x82, 1, pl, 40, 40, 0);
        send_all(fd, f, k - 20);
        close(fd);
        int idle = ws_open();
        CHECK(idle >= 0, "idle connection");
        CHECK(good >= 0 && echo_ok(good, 65536, 2), "good connection after a truncated frame");
        /* left open on purpose: ia__server_stop must end it */
        ia__server_stop(s);
        uint8_t x;
        CHECK(idle >= 0 && recv(idle, &x, 1, 0) == 0, "server stop ends an idle connection (EOF)");
        if (idle >= 0) close(idle);
    }
    if (good >= 0) close(good);
    pthread_mutex_lock(&mu);
    printf("events: %d connected, %d closed, %d messages\n", n_connect, n_close, n_message);
    CHECK(n_connect == n_close, "every accepted connection got on_close (%d vs %d)", n_connect, n_close);
    pthread_mutex_unlock(&mu);
    printf("%s (%d failures)\n", fails ? "FAILED" : "PASSED", fails);
    return fails ? 1 : 0;
}
