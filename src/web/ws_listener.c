/* The bridge's own WebSocket endpoint (RFC 6455) on 127.0.0.1: an accept thread, one thread per
 * connection (handshake, then client frames: every one must be masked), and the send path. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "ia/alloc.h"
#include "ia/log.h"
#include "ia/status.h"
#include "web/web_internal.h"

#define MAX_CONNS 64                 /* live connections; past it new ones get 503 */
#define HANDSHAKE_MAX 8192           /* the upgrade request's header block */
#define HANDSHAKE_MS 10000           /* to receive it */
#define DRAIN_MS 2000                /* after our close frame, for the peer's close */
#define SEND_STALL_S 30              /* a send making no progress this long fails */
#define INBUF (64 * 1024)
#define KEEP_SCRATCH ((size_t)1 << 20)

typedef struct ws_conn {
    ia__ws_listener *l;
    int fd;                /* -1 once closed; changed under wmu and fdmu */
    pthread_t th;
    pthread_mutex_t wmu;   /* one frame at a time on the socket */
    pthread_mutex_t fdmu;  /* the descriptor's lifetime, for ia__ws_listener_stop's shutdown */
    int close_sent;        /* under wmu */
    int handed;            /* given to the events: kept until the listener stops */
    int done, joined;      /* thread finished / joined (under l->mu) */
    ia__ws_assembler as;
    uint8_t *in;           /* buffered input [off, len) */
    size_t in_off, in_len;
    uint8_t *scratch;      /* payloads that were not whole in the input buffer */
    size_t scratch_cap;
    struct ws_conn *next;
} ws_conn;

struct ia__ws_listener {
    int fd, port, wake[2];
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    ws_conn *conns;
    int n_live;
    char token[IA__TOKEN_LEN + 1];
    uint64_t max;
    ia__ws_events ev;
};

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Writes the iovecs completely (one sendmsg in the common case). */
static int send_iov(int fd, struct iovec *iov, int n) {
    while (n > 0) {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = (size_t)n;
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        size_t left = (size_t)w;
        while (n > 0 && left >= iov->iov_len) { left -= iov->iov_len; iov++; n--; }
        if (n > 0) { iov->iov_base = (uint8_t *)iov->iov_base + left; iov->iov_len -= left; }
    }
    return 0;
}

static int send_bytes(int fd, const void *p, size_t n) {
    struct iovec v = {(void *)p, n};
    return send_iov(fd, &v, 1);
}

/* One frame, header and payload in one write, unless the connection is closing. Takes wmu. */
static int send_frame(ws_conn *c, const uint8_t *hdr, size_t hl, const void *data, size_t len, int is_close) {
    struct iovec v[2] = {{(void *)hdr, hl}, {(void *)data, len}};
    pthread_mutex_lock(&c->wmu);
    int ok = c->fd >= 0 && !c->close_sent;
    if (ok && is_close) c->close_sent = 1;
    if (ok) ok = send_iov(c->fd, v, len ? 2 : 1) == 0;
    pthread_mutex_unlock(&c->wmu);
    return ok ? 0 : -1;
}

int ia__server_ws_send(void *conn, int opcode, const void *data, size_t len) {
    uint8_t h[10];
    size_t hl = ia__ws_frame_header(opcode, len, h);
    if (send_frame(conn, h, hl, data, len, 0)) return ia_set_error(IA_ERR_IO, "bridge: the page connection is closed");
    return IA_OK;
}

static void send_close(ws_conn *c, int status, const char *reason) {
    uint8_t f[127];
    size_t n = ia__ws_close_frame(status, reason, f);
    send_frame(c, f, n, NULL, 0, 1);
}

void ia__server_ws_close(void *conn) { send_close(conn, IA__WS_NORMAL, ""); }

/* After our close frame or HTTP refusal: no more output (FIN), then read and drop what the peer
 * still sends until it closes or DRAIN_MS pass, so that it receives our last bytes rather than a
 * reset. */
static void finish_output(ws_conn *c) {
    pthread_mutex_lock(&c->fdmu);
    if (c->fd >= 0) shutdown(c->fd, SHUT_WR);
    pthread_mutex_unlock(&c->fdmu);
    double end = mono_ms() + DRAIN_MS;
    uint8_t buf[4096];
    for (;;) {
        double left = end - mono_ms();
        if (left <= 0) break;
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, (int)left + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        ssize_t got = recv(c->fd, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
    }
}

static const char *reason_phrase(int st) {
    switch (st) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

static void http_refuse(int fd, int status, const char *text) {
    char r[1024];
    int n = snprintf(r, sizeof r,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                     "%sConnection: close\r\n\r\n%s\n",
                     status, reason_phrase(status), strlen(text) + 1, status == 400 ? "Sec-WebSocket-Version: 13\r\n" : "", text);
    send_bytes(fd, r, (size_t)n < sizeof r ? (size_t)n : sizeof r - 1);
}

/* Reads the upgrade request, answers it; 1 when the connection is now a WebSocket given to the events. */
static int handshake(ws_conn *c) {
    ia__ws_listener *l = c->l;
    char req[HANDSHAKE_MAX];
    size_t got = 0, end = 0;
    double deadline = mono_ms() + HANDSHAKE_MS;
    int status = 0;
    const char *why = "";
    while (!end) {
        if (got == sizeof req) { status = 431; why = "request header block larger than 8192 bytes"; break; }
        double left = deadline - mono_ms();
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = left > 0 ? poll(&p, 1, (int)left + 1) : 0;
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) { status = 408; why = "no complete upgrade request within 10 s"; break; }
        if (r < 0) return 0;
        ssize_t n = recv(c->fd, req + got, sizeof req - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; /* the client went away */
        size_t from = got >= 3 ? got - 3 : 0;
        got += (size_t)n;
        const char *e = memmem(req + from, got - from, "\r\n\r\n", 4);
        if (e) end = (size_t)(e - req) + 4;
    }
    ia__ws_upgrade u;
    memset(&u, 0, sizeof u);
    if (!status) status = ia__ws_parse_upgrade(req, end, l->token, &u, &why);
    if (status != 101) {
        ia_log(IA_LOG_DEBUG, "bridge: WebSocket upgrade refused: %d %s", status, why);
        http_refuse(c->fd, status, why);
        finish_output(c);
        return 0;
    }
    /* bytes after the request (a client that did not wait for 101) are the first frames */
    memcpy(c->in, req + end, got - end);
    c->in_len = got - end;
    pthread_mutex_lock(&c->wmu); /* nothing is sent on the connection before the 101 */
    int accepted = !l->ev.on_connect || l->ev.on_connect(l->ev.user, c, u.query) >= 0;
    if (accepted) {
        c->handed = 1;
        char r[256];
        int n = snprintf(r, sizeof r, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                         u.accept);
        send_bytes(c->fd, r, (size_t)n);
    }
    pthread_mutex_unlock(&c->wmu);
    if (!accepted) {
        http_refuse(c->fd, 403, "the bridge refused this connection (unknown page, or that page is already connected)");
        finish_output(c);
        return 0;
    }
    return 1;
}

/* Reads more input into the buffer; <= 0 when the connection is gone. */
static ssize_t fill(ws_conn *c) {
    if (c->in_off == c->in_len) c->in_off = c->in_len = 0;
    else if (c->in_off && c->in_len == INBUF) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->in + c->in_len, INBUF - c->in_len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) c->in_len += (size_t)n;
        return n;
    }
}

/* The payload of `len` bytes: in place in the input buffer when it is all there, else in scratch. */
static uint8_t *payload(ws_conn *c, uint64_t len) {
    size_t have = c->in_len - c->in_off;
    if (have >= len) {
        uint8_t *p = c->in + c->in_off;
        c->in_off += (size_t)len;
        return p;
    }
    if (len > SIZE_MAX - 1) return NULL;
    if (c->scratch_cap < len) {
        ia_free(c->scratch);
        c->scratch_cap = 0;
        if (!(c->scratch = ia_malloc((size_t)len))) return NULL;
        c->scratch_cap = (size_t)len;
    }
    memcpy(c->scratch, c->in + c->in_off, have);
    c->in_off = c->in_len = 0;
    for (size_t got = have; got < len;) {
        ssize_t n = recv(c->fd, c->scratch + got, (size_t)len - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return NULL;
        got += (size_t)n;
    }
    return c->scratch;
}

static void refuse(ws_conn *c, int status, const char *why) {
    ia_log(IA_LOG_WARN, "bridge: closing a page connection with status %d: websocket: %s", status, why);
    send_close(c, status, why);
    finish_output(c);
}

static int deliver(ws_conn *c, int opcode, const uint8_t *data, size_t len) {
    ia__ws_listener *l = c->l;
    if (opcode == 1 && !ia__ws_utf8_valid(data, len)) {
        refuse(c, IA__WS_INVALID_DATA, "text message is not valid UTF-8");
        return -1;
    }
    if (l->ev.on_message && l->ev.on_message(l->ev.user, c, opcode, data, len) < 0) {
        refuse(c, IA__WS_INVALID_DATA, "message refused by the bridge");
        return -1;
    }
    return 0;
}

/* Frames until the connection ends. */
static void frames(ws_conn *c) {
    ia__ws_listener *l = c->l;
    for (;;) {
        ia__ws_frame f;
        const char *why;
        int h;
        while ((h = ia__ws_parse_frame(c->in + c->in_off, c->in_len - c->in_off, c->as.opcode, c->as.len, l->max, &f, &why)) == 0)
            if (fill(c) <= 0) return;
        if (h < 0) { refuse(c, -h, why); return; }
        c->in_off += (size_t)h;
        uint8_t *p = payload(c, f.len);
        if (!p) {
            if (c->fd >= 0 && f.len > c->scratch_cap) refuse(c, IA__WS_TOO_BIG, "out of memory for the message");
            return;
        }
        ia__ws_unmask(p, (size_t)f.len, f.key, 0);
        size_t len = (size_t)f.len;
        int op = f.opcode;
        if (op == 8) {
            int st;
            if (ia__ws_close_status(p, len, &st)) { refuse(c, IA__WS_PROTOCOL_ERROR, "malformed close frame"); return; }
            send_close(c, st == IA__WS_NO_STATUS ? 0 : st, ""); /* the echo; nothing when we closed first */
            finish_output(c);
            return;
        }
        if (op == 9) {
            uint8_t hdr[10];
            size_t hl = ia__ws_frame_header(10, len, hdr);
            send_frame(c, hdr, hl, p, len, 0);
        } else if (op == 10) {
            /* unsolicited pong: ignored */
        } else if (f.fin && op != 0) { /* a whole message in one frame: no copy */
            if (deliver(c, op, p, len)) return;
        } else {
            int r = ia__ws_feed(&c->as, (f.fin ? 0x80 : 0) | op, p, len);
            if (r < 0) { refuse(c, r == IA_ERR_LIMIT ? IA__WS_TOO_BIG : IA__WS_PROTOCOL_ERROR, ia_last_error()); return; }
            if (r == 1) {
                int op0 = c->as.opcode;
                if (deliver(c, op0, c->as.buf, c->as.len)) return;
                ia__ws_reset(&c->as);
            }
        }
        if (c->scratch_cap > KEEP_SCRATCH) {
            ia_free(c->scratch);
            c->scratch = NULL;
            c->scratch_cap = 0;
        }
    }
}

static void *conn_main(void *arg) {
    ws_conn *c = arg;
    ia__ws_listener *l = c->l;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {SEND_STALL_S, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c->in = ia_malloc(INBUF);
    if (c->in && handshake(c)) {
        frames(c);
        if (l->ev.on_close) l->ev.on_close(l->ev.user, c);
    }
    /* wake a sender blocked on the socket, wait for it, then close */
    pthread_mutex_lock(&c->fdmu);
    shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&c->fdmu);
    pthread_mutex_lock(&c->wmu);
    pthread_mutex_lock(&c->fdmu);
    close(c->fd);
    c->fd = -1;
    pthread_mutex_unlock(&c->fdmu);
    pthread_mutex_unlock(&c->wmu);
    ia__ws_free(&c->as);
    ia_free(c->in);
    ia_free(c->scratch);
    c->in = c->scratch = NULL;
    c->scratch_cap = 0;
    pthread_mutex_lock(&l->mu);
    c->done = 1;
    l->n_live--;
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void conn_free(ws_conn *c) {
    pthread_mutex_destroy(&c->wmu);
    pthread_mutex_destroy(&c->fdmu);
    ia_free(c);
}

/* Joins finished connection threads; frees those never given to the events (the others may still
 * be referenced by them until the listener stops). Caller holds l->mu. */
static void reap(ia__ws_listener *l) {
    for (ws_conn **pp = &l->conns; *pp;) {
        ws_conn *c = *pp;
        if (c->done && !c->joined) {
            pthread_join(c->th, NULL);
            c->joined = 1;
        }
        if (c->joined && !c->handed) {
            *pp = c->next;
            conn_free(c);
        } else {
            pp = &c->next;
        }
    }
}

static void *accept_main(void *arg) {
    ia__ws_listener *l = arg;
    for (;;) {
        struct pollfd p[2] = {{l->fd, POLLIN, 0}, {l->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents) break;
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) usleep(10000);
            continue;
        }
        pthread_mutex_lock(&l->mu);
        reap(l);
        ws_conn *c = l->n_live < MAX_CONNS ? ia_calloc(1, sizeof *c) : NULL;
        if (c) {
            c->l = l;
            c->fd = fd;
            c->as.max = (size_t)l->max;
            pthread_mutex_init(&c->wmu, NULL);
            pthread_mutex_init(&c->fdmu, NULL);
            if (pthread_create(&c->th, NULL, conn_main, c)) {
                conn_free(c);
                c = NULL;
            } else {
                c->next = l->conns;
                l->conns = c;
                l->n_live++;
            }
        }
        pthread_mutex_unlock(&l->mu);
        if (!c) {
            ia_log(IA_LOG_WARN, "bridge: WebSocket connection refused: %d connections already open", MAX_CONNS);
            http_refuse(fd, 503, "too many WebSocket connections");
            shutdown(fd, SHUT_WR);
            close(fd);
        }
    }
    return NULL;
}

int ia__ws_listener_start(int port, const char *token, uint64_t max_message, const ia__ws_events *ev, ia__ws_listener **out) {
    *out = NULL;
    ia__ws_listener *l = ia_calloc(1, sizeof *l);
    if (!l) return ia_set_error(IA_ERR_NOMEM, "bridge WebSocket: out of memory");
    l->fd = l->wake[0] = l->wake[1] = -1;
    pthread_mutex_init(&l->mu, NULL);
    snprintf(l->token, sizeof l->token, "%s", token);
    l->max = max_message;
    l->ev = *ev;
    int rc = IA_OK;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)(port > 0 ? port : 0));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    int one = 1;
    if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) || bind(l->fd, (struct sockaddr *)&a, sizeof a) ||
        listen(l->fd, 64) || getsockname(l->fd, (struct sockaddr *)&a, &al))
        rc = ia_set_error(IA_ERR_IO, "bridge WebSocket: cannot listen on 127.0.0.1:%d: %s", port > 0 ? port : 0, strerror(errno));
    if (!rc && pipe2(l->wake, O_CLOEXEC)) rc = ia_set_error(IA_ERR_IO, "bridge WebSocket: pipe: %s", strerror(errno));
    if (!rc) {
        l->port = ntohs(a.sin_port);
        if (pthread_create(&l->th, NULL, accept_main, l)) rc = ia_set_error(IA_ERR_IO, "bridge WebSocket: cannot start a thread");
        else l->started = 1;
    }
    if (rc) { ia__ws_listener_stop(l); return rc; }
    *out = l;
    return IA_OK;
}

int ia__ws_listener_port(const ia__ws_listener *l) { return l->port; }

void ia__ws_listener_stop(ia__ws_listener *l) {
    if (!l) return;
    if (l->started) {
        char x = 1;
        while (write(l->wake[1], &x, 1) < 0 && errno == EINTR) {}
        pthread_join(l->th, NULL);
    }
    if (l->fd >= 0) close(l->fd);
    for (int i = 0; i < 2; i++)
        if (l->wake[i] >= 0) close(l->wake[i]);
    /* the acceptor is gone: the list no longer changes; wake every connection thread */
    pthread_mutex_lock(&l->mu);
    for (ws_conn *c = l->conns; c; c = c->next) {
        pthread_mutex_lock(&c->fdmu);
        if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
        pthread_mutex_unlock(&c->fdmu);
    }
    pthread_mutex_unlock(&l->mu);
    for (ws_conn *c = l->conns; c; c = c->next)
        if (!c->joined) pthread_join(c->th, NULL);
    while (l->conns) {
        ws_conn *c = l->conns;
        l->conns = c->next;
        conn_free(c);
    }
    pthread_mutex_destroy(&l->mu);
    ia_free(l);
}
