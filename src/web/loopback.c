/* The bridge's transport without a browser: a C WebSocket client echoing messages through our own
 * server on 127.0.0.1 (same WebSocket listener, same send path), to separate the browser's IPC cost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "ia/web.h"
#include "web/sock_io.h"
#include "web/web_internal.h"

static int on_connect(void *user, void *conn, const char *query) {
    (void)user; (void)conn; (void)query;
    return 0;
}
static int on_message(void *user, void *conn, int opcode, const uint8_t *data, size_t len) {
    (void)user;
    return ia__server_ws_send(conn, opcode, data, len) ? -1 : 0;
}

/* Connects, upgrades, returns the socket (or -1). */
static int ws_dial(int port, const char *token) {
    int fd = ia__sock_dial_loopback(port, 10);
    if (fd < 0) return -1;
    char req[512], resp[1024];
    int n = snprintf(req, sizeof req,
                     "GET /%s/ws?page=0 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: aXBmcy1hY2NlbGVyYXRlIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     token, port);
    if (ia__sock_send_all(fd, req, (size_t)n)) { close(fd); return -1; }
    size_t got = 0;
    while (got + 1 < sizeof resp) { /* byte by byte up to the blank line: nothing of the first frame is consumed */
        if (recv(fd, resp + got, 1, 0) != 1) { close(fd); return -1; }
        got++;
        resp[got] = 0;
        if (got >= 4 && !memcmp(resp + got - 4, "\r\n\r\n", 4)) break;
    }
    if (strncmp(resp, "HTTP/1.1 101", 12)) { close(fd); return -1; }
    return fd;
}

struct ia_web_loopback {
    ia__server *srv;
    int fd;
};

int ia_web_loopback_open(ia_web_loopback **out) {
    *out = NULL;
    ia_web_loopback *l = ia_calloc(1, sizeof *l);
    if (!l) return ia_set_error(IA_ERR_NOMEM, "loopback echo: out of memory");
    l->fd = -1;
    ia__server_options so;
    memset(&so, 0, sizeof so);
    so.static_dir = so.dist_dir = "/nonexistent";
    so.events.on_connect = on_connect;
    so.events.on_message = on_message;
    int rc = ia__server_start(&so, &l->srv);
    if (!rc && (l->fd = ws_dial(ia__server_ws_port(l->srv), ia__server_token(l->srv))) < 0)
        rc = ia_set_error(IA_ERR_IO, "loopback echo: cannot open a WebSocket to our own server");
    if (rc) { ia_web_loopback_close(l); return rc; }
    *out = l;
    return IA_OK;
}

void ia_web_loopback_close(ia_web_loopback *l) {
    if (!l) return;
    if (l->fd >= 0) close(l->fd);
    ia__server_stop(l->srv);
    ia_free(l);
}

int ia_web_loopback_echo(ia_web_loopback *l, size_t bytes, int n, double *times_ms) {
    if (n < 1 || bytes > ((size_t)1 << 30)) return ia_set_error(IA_ERR_INVALID_ARG, "loopback echo: %d messages of %zu bytes", n, bytes);
    uint8_t *out = ia_malloc(bytes + 14), *in = ia_malloc(bytes + 14);
    int rc = out && in ? IA_OK : ia_set_error(IA_ERR_NOMEM, "loopback echo: out of memory");
    int fd = l->fd;
    /* a client frame as a browser sends it: FIN|binary, masked, one write */
    static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    size_t hl = 0;
    if (!rc) {
        hl = ia__ws_frame_header(2, bytes, out);
        out[1] |= 0x80;
        memcpy(out + hl, key, 4);
        for (size_t i = 0; i < bytes; i++) out[hl + 4 + i] = (uint8_t)(i * 131u) ^ key[i & 3];
    }
    for (int k = 0; k < n && !rc; k++) {
        double t0 = ia__now_ms();
        if (ia__sock_send_all(fd, out, hl + 4 + bytes)) { rc = ia_set_error(IA_ERR_IO, "loopback echo: send failed"); break; }
        uint8_t h[10];
        uint64_t len = 0;
        if (ia__sock_recv_all(fd, h, 2)) { rc = ia_set_error(IA_ERR_IO, "loopback echo: no reply"); break; }
        size_t ext = (h[1] & 0x7f) == 126 ? 2 : (h[1] & 0x7f) == 127 ? 8 : 0;
        if (ext && ia__sock_recv_all(fd, h + 2, ext)) { rc = ia_set_error(IA_ERR_IO, "loopback echo: short reply"); break; }
        if (!ext) len = h[1] & 0x7f;
        for (size_t i = 0; i < ext; i++) len = len << 8 | h[2 + i];
        if (h[0] != 0x82 || (h[1] & 0x80) || len != bytes || ia__sock_recv_all(fd, in, (size_t)len)) {
            rc = ia_set_error(IA_ERR_IO, "loopback echo: unexpected reply (%02x %02x, %llu bytes)", h[0], h[1], (unsigned long long)len);
            break;
        }
        times_ms[k] = ia__now_ms() - t0;
        for (size_t i = 0; i < bytes; i++)
            if (in[i] != (uint8_t)(i * 131u)) { rc = ia_set_error(IA_ERR_IO, "loopback echo: byte %zu differs", i); break; }
    }
    ia_free(out);
    ia_free(in);
    return rc;
}
