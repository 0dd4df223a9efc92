/* The bridge server refuses bad requests and frames and stays up for good clients: no token,
 * wrong token, path traversal, oversized headers and bodies, methods, malformed WebSocket frames
 * (unmasked ones included, on the bridge's own WebSocket listener);
 * plus the headers WASM threads need (COOP/COEP/CORP), MIME types and Range on model bytes.
 * usage: test_bridge_refusals STATIC_DIR DIST_DIR */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "web/web_internal.h"
#include "raw_socket.h"

static int fails = 0;
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #c); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); fails++; } } while (0)

static int port, ws_port; /* HTTP (civetweb), WebSocket (ours) */
static char token[64];

static int dial_port(int p) { return raw_dial(p, 10); }
static int dial(void) { return dial_port(port); }

/* Sends a request and reads the whole response (until close or 1 MiB); returns the status code. */
static int http(const char *req, size_t reqlen, char *resp, size_t cap, size_t *got) {
    int fd = dial();
    if (fd < 0) return -1;
    send_all(fd, req, reqlen);
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, resp + n, cap - 1 - n, 0);
        if (r <= 0) break;
        n += (size_t)r;
        if (n >= cap - 1) break;
        /* stop when the headers and Content-Length bytes are in */
        char *e = memmem(resp, n, "\r\n\r\n", 4);
        if (e) {
            resp[n] = 0;
            char *cl = strcasestr(resp, "Content-Length:");
            if (cl && cl < e && n >= (size_t)(e + 4 - resp) + strtoull(cl + 15, NULL, 10)) break;
        }
    }
    close(fd);
    resp[n] = 0;
    if (got) *got = n;
    int st = 0;
    if (n > 12) sscanf(resp, "HTTP/1.%*d %d", &st);
    return st;
}

static int get(const char *target, const char *extra, char *resp, size_t cap, size_t *got) {
    char req[8192];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s\r\n", target, port, extra ? extra : "");
    return http(req, (size_t)n, resp, cap, got);
}

static const char *body_of(const char *resp) {
    const char *e = strstr(resp, "\r\n\r\n");
    return e ? e + 4 : "";
}

/* ---- a minimal WebSocket client ---- */
static int ws_open(void) {
    int fd = dial_port(ws_port);
    char req[1024], resp[4096];
    int n = snprintf(req, sizeof req,
                     "GET /%s/ws?page=0 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: aXBmcy1hY2NlbGVyYXRlIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", token, port);
    send_all(fd, req, (size_t)n);
    size_t got = 0;
    while (got < sizeof resp - 1 && !memmem(resp, got, "\r\n\r\n", 4)) {
        ssize_t r = recv(fd, resp + got, 1, 0);
        if (r <= 0) { close(fd); return -1; }
        got++;
    }
    resp[got] = 0;
    if (!strstr(resp, " 101 ")) { close(fd); return -1; }
    return fd;
}

static int ws_send_raw(int fd, uint8_t b0, int masked, const uint8_t *p, uint64_t n, uint64_t claimed) {
    uint8_t h[14];
    size_t k = 0;
    h[k++] = b0;
    uint8_t m = masked ? 0x80 : 0;
    if (claimed < 126) h[k++] = m | (uint8_t)claimed;
    else if (claimed < 65536) { h[k++] = m | 126; h[k++] = (uint8_t)(claimed >> 8); h[k++] = (uint8_t)claimed; }
    else { h[k++] = m | 127; for (int i = 7; i >= 0; i--) h[k++] = (uint8_t)(claimed >> (8 * i)); }
    uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked) { memcpy(h + k, key, 4); k += 4; }
    if (send_all(fd, h, k)) return -1;
    uint8_t *buf = malloc(n ? n : 1);
    for (uint64_t i = 0; i < n; i++) buf[i] = p[i] ^ (masked ? key[i & 3] : 0);
    int r = send_all(fd, buf, n);
    free(buf);
    return r;
}

/* Reads one frame: returns its opcode (payload into buf), or -1 when the connection closed. */
static int ws_recv(int fd, uint8_t *buf, size_t cap, size_t *len) {
    uint8_t h[2];
    if (recv_n(fd, h, 2)) return -1;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) { uint8_t e[2]; if (recv_n(fd, e, 2)) return -1; n = (uint64_t)e[0] << 8 | e[1]; }
    else if (n == 127) { uint8_t e[8]; if (recv_n(fd, e, 8)) return -1; n = 0; for (int i = 0; i < 8; i++) n = n << 8 | e[i]; }
    if (n > cap) return -1;
    if (recv_n(fd, buf, (size_t)n)) return -1;
    *len = (size_t)n;
    return h[0] & 0x0f;
}

/* After a bad frame the server must end the connection (close frame or EOF), not echo. */
static int closed_after(int fd) {
    static uint8_t buf[1 << 16];
    size_t n;
    for (int i = 0; i < 4; i++) {
        int op = ws_recv(fd, buf, sizeof buf, &n);
        if (op < 0 || op == 8) return 1;
        if (op == 1 || op == 2) return 0;
    }
    return 0;
}

static int echo_ok(int fd, size_t n) {
    uint8_t *p = malloc(n), *q = malloc(n + 16);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 31 + 7);
    size_t got = 0;
    int ok = ws_send_raw(fd, 0x82, 1, p, n, n) == 0 && ws_recv(fd, q, n + 16, &got) == 2 && got == n && !memcmp(p, q, n);
    free(p);
    free(q);
    return ok;
}

static int on_connect(void *u, void *c, const char *q) { return 0; }
static int on_message(void *u, void *c, int op, const uint8_t *d, size_t n) { return ia__server_ws_send(c, op, d, n) ? -1 : 0; }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: test_bridge_refusals STATIC_DIR DIST_DIR\n"); return 2; }
    ia__server_options o;
    memset(&o, 0, sizeof o);
    o.static_dir = argv[1];
    o.dist_dir = argv[2];
    o.max_message = 1 << 20;
    o.events.on_connect = on_connect;
    o.events.on_message = on_message;
    ia__server *s;
    if (ia__server_start(&o, &s)) { fprintf(stderr, "FAIL: server: %s\n", ia_last_error()); return 1; }
    port = ia__server_port(s);
    ws_port = ia__server_ws_port(s);
    snprintf(token, sizeof token, "%s", ia__server_token(s));
    char model_url[256];
    /* model bytes: the static page stands in for a model file */
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/bridge.js", argv[1]);
    ia__server_add_model(s, mpath, model_url, sizeof model_url);
    FILE *mf = fopen(mpath, "rb");
    static char mbytes[1 << 16];
    size_t mlen = mf ? fread(mbytes, 1, sizeof mbytes, mf) : 0;
    if (mf) fclose(mf);

    static char resp[1 << 20];
    char t[1024];
    size_t got;
    int good = ws_open(); /* a session that must stay undisturbed by everything below */
    CHECK(good >= 0, "websocket upgrade with the token");

    /* token */
    CHECK(get("/bridge.html", NULL, resp, sizeof resp, NULL) == 403, "no token");
    CHECK(get("/0123456789abcdef0123456789abcdef/bridge.html", NULL, resp, sizeof resp, NULL) == 403, "wrong token");
    snprintf(t, sizeof t, "/%.*sX/bridge.html", (int)strlen(token) - 1, token);
    CHECK(get(t, NULL, resp, sizeof resp, NULL) == 403, "token with one character changed");
    /* page, MIME types and cross-origin isolation headers */
    snprintf(t, sizeof t, "/%s/bridge.html", token);
    CHECK(get(t, NULL, resp, sizeof resp, NULL) == 200, "page with token");
    CHECK(strstr(resp, "Cross-Origin-Opener-Policy: same-origin") && strstr(resp, "Cross-Origin-Embedder-Policy: require-corp") &&
              strstr(resp, "Cross-Origin-Resource-Policy: same-origin"), "COOP/COEP/CORP headers");
    snprintf(t, sizeof t, "/%s/ort/ort.wasm.min.mjs", token);
    CHECK(get(t, NULL, resp, sizeof resp, NULL) == 200 && strstr(resp, "Content-Type: text/javascript"), ".mjs MIME");
    snprintf(t, sizeof t, "/%s/ort/ort-wasm-simd-threaded.wasm", token);
    CHECK(get(t, "Range: bytes=0-7\r\n", resp, sizeof resp, &got) == 206 && strstr(resp, "Content-Type: application/wasm") &&
              !memcmp(body_of(resp), "\0asm", 4), ".wasm MIME and magic");
    /* Range on model bytes, compared with the file */
    snprintf(t, sizeof t, "%s", model_url);
    CHECK(get(t, "Range: bytes=10-19\r\n", resp, sizeof resp, &got) == 206 && strstr(resp, "Content-Range: bytes 10-19/") &&
              !memcmp(body_of(resp), mbytes + 10, 10), "Range 10-19");
    CHECK(get(t, "Range: bytes=-5\r\n", resp, sizeof resp, &got) == 206 && !memcmp(body_of(resp), mbytes + mlen - 5, 5), "suffix Range");
    CHECK(get(t, "Range: bytes=99999999-\r\n", resp, sizeof resp, &got) == 416, "unsatisfiable Range");
    CHECK(get(t, NULL, resp, sizeof resp, &got) == 200 && !memcmp(body_of(resp), mbytes, mlen), "whole model");
    /* traversal and odd paths */
    const char *bad[] = {"/%s/ort/../../../../etc/passwd", "/%s/ort/%%2e%%2e/%%2e%%2e/etc/passwd", "/%s/../%s/bridge.html",
                         "/%s/ort/.hidden", "/%s/ort//etc/passwd", "/%s/ort/a%%00b", "/%s/ort/..%%2fx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(t, sizeof t, bad[i], token, token);
        int st = get(t, NULL, resp, sizeof resp, NULL);
        CHECK(st == 400 || st == 404, "traversal %s answered %d", t, st);
        CHECK(!strstr(resp, "root:"), "traversal %s leaked a file", t);
    }
    /* oversized header block, body, methods */
    {
        size_t big = 64 * 1024;
        char *req = malloc(big + 512);
        int n = snprintf(req, 512, "GET /%s/bridge.html HTTP/1.1\r\nHost: x\r\nX-Big: ", token);
        memset(req + n, 'a', big);
        memcpy(req + n + big, "\r\n\r\n", 4);
        int st = http(req, (size_t)n + big + 4, resp, sizeof resp, NULL);
        CHECK(st != 200, "oversized headers answered %d", st);
        printf("oversized headers: status %d (0 = connection closed)\n", st);
        free(req);
    }
    {
        char req[512];
        int n = snprintf(req, sizeof req, "POST /%s/bridge.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nabc", token);
        int st = http(req, (size_t)n, resp, sizeof resp, NULL);
        CHECK(st == 405 || st == 413, "huge body answered %d", st);
        n = snprintf(req, sizeof req, "DELETE /%s/bridge.html HTTP/1.1\r\nHost: x\r\n\r\n", token);
        CHECK(http(req, (size_t)n, resp, sizeof resp, NULL) == 405, "DELETE");
        n = snprintf(req, sizeof req, "GARBAGE\r\n\r\n");
        st = http(req, (size_t)n, resp, sizeof resp, NULL);
        CHECK(st != 200, "garbage request answered %d", st);
    }
    /* WebSocket: upgrade without the token is not a WebSocket */
    {
        char req[512];
        int n = snprintf(req, sizeof req, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                          "Sec-WebSocket-Key: aXBmcy1hY2NlbGVyYXRlIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        int st = http(req, (size_t)n, resp, sizeof resp, NULL);
        CHECK(st != 101 && st != 200, "upgrade without token answered %d", st);
        printf("websocket upgrade without the token on the HTTP port: status %d (0 = connection closed by civetweb)\n", st);
        port = ws_port;
        st = http(req, (size_t)n, resp, sizeof resp, NULL);
        CHECK(st == 403, "upgrade without token on the WebSocket port answered %d", st);
        printf("websocket upgrade without the token on the WebSocket port: status %d\n", st);
        port = ia__server_port(s);
        n = snprintf(req, sizeof req, "GET /%s/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Key: aXBmcy1hY2NlbGVyYXRlIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", token);
        st = http(req, (size_t)n, resp, sizeof resp, NULL);
        CHECK(st == 400, "upgrade on the HTTP port answered %d", st);
        printf("websocket upgrade with the token on the HTTP port: status %d: %s", st, body_of(resp));
        /* the page learns the WebSocket port from /TOKEN/ws.json */
        char t2[256];
        snprintf(t2, sizeof t2, "/%s/ws.json", token);
        char want[64];
        snprintf(want, sizeof want, "{\"port\":%d}", ws_port);
        CHECK(get(t2, NULL, resp, sizeof resp, NULL) == 200 && !strcmp(body_of(resp), want), "ws.json: %s", body_of(resp));
        CHECK(get("/ws.json", NULL, resp, sizeof resp, NULL) == 403, "ws.json without the token");
    }
    /* malformed frames, each on its own connection */
    uint8_t pl[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct { const char *what; uint8_t b0; int masked; uint64_t n, claimed; } frames[] = {
        {"reserved bit RSV1", 0xC2, 1, 8, 8},
        {"unknown opcode 3", 0x83, 1, 8, 8},
        {"continuation without a message", 0x80, 1, 8, 8},
        {"fragmented ping", 0x09, 1, 8, 8},
        {"message over the size limit", 0x82, 1, 0, (uint64_t)2 << 20},
        {"length 2^63", 0x82, 1, 0, (uint64_t)1 << 63},
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        int fd = ws_open();
        CHECK(fd >= 0, "open for %s", frames[i].what);
        if (fd < 0) continue;
        ws_send_raw(fd, frames[i].b0, frames[i].masked, pl, frames[i].n, frames[i].claimed);
        if (frames[i].claimed > frames[i].n && frames[i].claimed < ((uint64_t)1 << 32)) { /* stream the oversized body */
            static uint8_t zero[65536];
            for (uint64_t sent = 0; sent < frames[i].claimed; sent += sizeof zero)
                if (send_all(fd, zero, sizeof zero)) break;
        }
        CHECK(closed_after(fd), "%s: connection not closed", frames[i].what);
        close(fd);
    }
    {   /* unmasked client frame (RFC 6455 5.1: the server must close; status 1002 in test_bridge_ws) */
        int fd = ws_open();
        ws_send_raw(fd, 0x82, 0, pl, 8, 8);
        CHECK(closed_after(fd), "unmasked client frame: connection not closed");
        close(fd);
    }
    /* the good session is undisturbed */
    CHECK(good >= 0 && echo_ok(good, 100), "good session echo after the bad ones");
    CHECK(good >= 0 && echo_ok(good, 300000), "good session 300 KB echo");
    if (good >= 0) close(good);
    snprintf(t, sizeof t, "/%s/bridge.html", token);
    CHECK(get(t, NULL, resp, sizeof resp, NULL) == 200, "server still serves");
    ia__server_stop(s);
    printf("%s (%d failures)\n", fails ? "FAILED" : "PASSED", fails);
    return fails ? 1 : 0;
}
