/* The bridge's server on 127.0.0.1: civetweb serves the bridge page, the onnxruntime-web dist files
 * and model bytes (with Range); the WebSocket is our own listener (ws_listener.c); one token for all. */
#include <civetweb.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>
#include "ia/alloc.h"
#include "ia/log.h"
#include "ia/status.h"
#include "ia/store.h"
#include "web/web_internal.h"

#define MAX_MODELS 256
#define SECURITY_HEADERS                                                              \
    "Cross-Origin-Opener-Policy: same-origin\r\n"                                     \
    "Cross-Origin-Embedder-Policy: require-corp\r\n"                                  \
    "Cross-Origin-Resource-Policy: same-origin\r\n"                                   \
    "X-Content-Type-Options: nosniff\r\n"                                             \
    "Cache-Control: no-store\r\n"

struct ia__server {
    struct mg_context *ctx;
    int port;
    char token[IA__TOKEN_LEN + 1];
    char static_dir[4096], dist_dir[4096];
    ia__ws_listener *ws;
    uint64_t max_message;
    pthread_mutex_t mu;
    char store_error[1024]; /* why the last model served from the store was cut short */
    struct model_src {
        char *path;         /* a file, or NULL for a store entry */
        ia_blockstore *bs;  /* store entry: every block verified while it is sent */
        ia_cid cid;
        uint64_t size;
    } models[MAX_MODELS];
    int n_models;
};

static int send_status(struct mg_connection *c, int status, const char *reason, const char *text) {
    mg_printf(c,
              "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n" SECURITY_HEADERS
              "Connection: close\r\n\r\n%s",
              status, reason, strlen(text), text);
    return status;
}

static int send_file(struct mg_connection *c, const char *path, const char *mime, int head_only) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return send_status(c, 404, "Not Found", "not found\n");
    }
    uint64_t size = (uint64_t)st.st_size, first = 0, last = size ? size - 1 : 0;
    int r = ia__http_parse_range(mg_get_header(c, "Range"), size, &first, &last);
    if (r < 0) {
        mg_printf(c, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%llu\r\nContent-Length: 0\r\n" SECURITY_HEADERS "\r\n",
                  (unsigned long long)size);
        close(fd);
        return 416;
    }
    uint64_t n = size ? last - first + 1 : 0;
    if (r == 0)
        mg_printf(c, "HTTP/1.1 206 Partial Content\r\nContent-Type: %s\r\nContent-Length: %llu\r\nContent-Range: bytes %llu-%llu/%llu\r\n"
                     "Accept-Ranges: bytes\r\n" SECURITY_HEADERS "\r\n",
                  mime, (unsigned long long)n, (unsigned long long)first, (unsigned long long)last, (unsigned long long)size);
    else
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %llu\r\nAccept-Ranges: bytes\r\n" SECURITY_HEADERS "\r\n", mime,
                  (unsigned long long)n);
    if (!head_only) {
        static const size_t CH = 1 << 20;
        char *buf = ia_malloc(CH);
        uint64_t off = first, left = n;
        while (buf && left) {
            ssize_t got = pread(fd, buf, left < CH ? (size_t)left : CH, (off_t)off);
            if (got <= 0 || mg_write(c, buf, (size_t)got) != (int)got) break;
            off += (uint64_t)got;
            left -= (uint64_t)got;
        }
        ia_free(buf);
    }
    close(fd);
    return r == 0 ? 206 : 200;
}

static int write_conn(void *user, const void *data, size_t len) {
    return mg_write(user, data, len) == (int)len ? 0 : -1;
}

/* Model bytes from the content store, with Range; blocks are hash-checked by ia_store_cat. */
static int send_store(ia__server *s, struct mg_connection *c, ia_blockstore *bs, const ia_cid *cid, uint64_t size, int head_only) {
    uint64_t first = 0, last = size ? size - 1 : 0;
    int r = ia__http_parse_range(mg_get_header(c, "Range"), size, &first, &last);
    if (r < 0) {
        mg_printf(c, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%llu\r\nContent-Length: 0\r\n" SECURITY_HEADERS "\r\n",
                  (unsigned long long)size);
        return 416;
    }
    uint64_t n = size ? last - first + 1 : 0;
    if (r == 0)
        mg_printf(c, "HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Length: %llu\r\n"
                     "Content-Range: bytes %llu-%llu/%llu\r\nAccept-Ranges: bytes\r\n" SECURITY_HEADERS "\r\n",
                  (unsigned long long)n, (unsigned long long)first, (unsigned long long)last, (unsigned long long)size);
    else
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %llu\r\nAccept-Ranges: bytes\r\n" SECURITY_HEADERS "\r\n",
                  (unsigned long long)n);
    if (!head_only && n && ia_store_cat(bs, cid, first, n, write_conn, c)) { /* cut short: the page sees a short body */
        ia_log(IA_LOG_WARN, "bridge: serving a model from the store failed midway: %s", ia_last_error());
        pthread_mutex_lock(&s->mu);
        snprintf(s->store_error, sizeof s->store_error, "%s", ia_last_error());
        pthread_mutex_unlock(&s->mu);
    }
    return r == 0 ? 206 : 200;
}

static int handle_http(struct mg_connection *c, void *cb) {
    ia__server *s = cb;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *target = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri;
    ia__route route;
    int st = ia__http_route(target, s->token, &route);
    if (st == 403) return send_status(c, 403, "Forbidden", "missing or wrong token\n");
    if (st == 400) return send_status(c, 400, "Bad Request", "malformed path\n");
    if (st == 414) return send_status(c, 414, "URI Too Long", "request target too long\n");
    if (st != 200) return send_status(c, 404, "Not Found", "not found\n");
    int head = !strcmp(ri->request_method, "HEAD");
    if (strcmp(ri->request_method, "GET") && !head) return send_status(c, 405, "Method Not Allowed", "only GET and HEAD\n");
    if (ri->content_length > 0) return send_status(c, 413, "Content Too Large", "requests carry no body here\n");
    char path[8192];
    switch (route.kind) {
    case IA__ROUTE_STATIC:
        snprintf(path, sizeof path, "%s/%s", s->static_dir, route.name);
        return send_file(c, path, ia__http_mime(route.name), head);
    case IA__ROUTE_ORT:
        snprintf(path, sizeof path, "%s/%s", s->dist_dir, route.name);
        return send_file(c, path, ia__http_mime(route.name), head);
    case IA__ROUTE_MODEL: {
        long id = strtol(route.name, NULL, 10);
        pthread_mutex_lock(&s->mu);
        struct model_src m = {0};
        int found = id >= 0 && id < s->n_models;
        if (found) m = s->models[id];
        if (found && m.path) snprintf(path, sizeof path, "%s", m.path);
        pthread_mutex_unlock(&s->mu);
        if (!found) return send_status(c, 404, "Not Found", "no such model\n");
        if (!m.path) return send_store(s, c, m.bs, &m.cid, m.size, head);
        return send_file(c, path, "application/octet-stream", head);
    }
    case IA__ROUTE_WS_INFO: { /* where the page finds the WebSocket */
        char body[64];
        int n = snprintf(body, sizeof body, "{\"port\":%d}", ia__ws_listener_port(s->ws));
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" SECURITY_HEADERS "\r\n%s", n,
                  head ? "" : body);
        return 200;
    }
    default: {
        char text[128];
        snprintf(text, sizeof text, "the WebSocket endpoint listens on ws://127.0.0.1:%d/TOKEN/ws\n", ia__ws_listener_port(s->ws));
        return send_status(c, 400, "Bad Request", text);
    }
    }
}

/* An upgrade request on the HTTP port: without a WebSocket handler civetweb would close the
 * connection without an answer; this one answers 400 naming the WebSocket's own port. */
static int ws_refuse(const struct mg_connection *c, void *cb) {
    ia__server *s = cb;
    char text[128];
    snprintf(text, sizeof text, "the WebSocket endpoint listens on ws://127.0.0.1:%d/TOKEN/ws\n", ia__ws_listener_port(s->ws));
    send_status((struct mg_connection *)c, 400, "Bad Request", text);
    return 1; /* non-zero: civetweb does not upgrade */
}

static int log_message(const struct mg_connection *c, const char *msg) {
    ia_log(IA_LOG_DEBUG, "civetweb: %s", msg);
    return 1;
}

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void) { mg_init_library(0); }

int ia__server_start(const ia__server_options *o, ia__server **out) {
    *out = NULL;
    pthread_once(&lib_once, lib_init);
    ia__server *s = ia_calloc(1, sizeof *s);
    if (!s) return ia_set_error(IA_ERR_NOMEM, "bridge server: out of memory");
    pthread_mutex_init(&s->mu, NULL);
    snprintf(s->static_dir, sizeof s->static_dir, "%s", o->static_dir);
    snprintf(s->dist_dir, sizeof s->dist_dir, "%s", o->dist_dir);
    s->max_message = o->max_message ? o->max_message : ((uint64_t)1 << 30);
    unsigned char rnd[IA__TOKEN_LEN / 2];
    if (RAND_bytes(rnd, sizeof rnd) != 1) { ia_free(s); return ia_set_error(IA_ERR_IO, "bridge server: no random bytes for the token"); }
    for (size_t i = 0; i < sizeof rnd; i++) snprintf(s->token + 2 * i, 3, "%02x", rnd[i]);
    char ports[64];
    snprintf(ports, sizeof ports, "127.0.0.1:%d", o->port > 0 ? o->port : 0);
    const char *opts[] = {"listening_ports", ports, "num_threads", "64", "max_request_size", "16384",
                          "request_timeout_ms", "30000", "websocket_timeout_ms", "86400000", "enable_keep_alive", "yes",
                          "tcp_nodelay", "1", NULL};
    struct mg_callbacks cbs;
    memset(&cbs, 0, sizeof cbs);
    cbs.log_message = log_message;
    s->ctx = mg_start(&cbs, s, opts);
    if (!s->ctx) {
        pthread_mutex_destroy(&s->mu);
        ia_free(s);
        return ia_set_error(IA_ERR_IO, "bridge server: cannot listen on %s", ports);
    }
    struct mg_server_port sp[4];
    int np = mg_get_server_ports(s->ctx, 4, sp);
    s->port = np > 0 ? sp[0].port : 0;
    if (s->port <= 0) { ia__server_stop(s); return ia_set_error(IA_ERR_IO, "bridge server: no listening port"); }
    int rc = ia__ws_listener_start(0, s->token, s->max_message, &o->events, &s->ws);
    if (rc) { ia__server_stop(s); return rc; }
    mg_set_request_handler(s->ctx, "/", handle_http, s);
    mg_set_websocket_handler(s->ctx, "/", ws_refuse, NULL, NULL, NULL, s);
    *out = s;
    return IA_OK;
}

void ia__server_stop(ia__server *s) {
    if (!s) return;
    ia__ws_listener_stop(s->ws); /* every page connection closed, on_close run, threads joined */
    if (s->ctx) mg_stop(s->ctx);
    for (int i = 0; i < s->n_models; i++) ia_free(s->models[i].path);
    pthread_mutex_destroy(&s->mu);
    ia_free(s);
}

int ia__server_port(const ia__server *s) { return s->port; }
int ia__server_ws_port(const ia__server *s) { return ia__ws_listener_port(s->ws); }
const char *ia__server_token(const ia__server *s) { return s->token; }

int ia__server_add_model(ia__server *s, const char *path, char *url, size_t cap) {
    pthread_mutex_lock(&s->mu);
    int id = -1;
    for (int i = 0; i < s->n_models; i++)
        if (s->models[i].path && !strcmp(s->models[i].path, path)) id = i;
    if (id < 0 && s->n_models < MAX_MODELS && (s->models[s->n_models].path = ia_strdup(path))) id = s->n_models++;
    pthread_mutex_unlock(&s->mu);
    if (id < 0) return ia_set_error(IA_ERR_LIMIT, "bridge server: too many models registered");
    snprintf(url, cap, "/%s/model/%d", s->token, id);
    return IA_OK;
}

int ia__server_add_store_model(ia__server *s, ia_blockstore *bs, const ia_cid *cid, char *url, size_t cap) {
    uint64_t size;
    int rc = ia_store_file_size(bs, cid, &size);
    if (rc) return rc;
    pthread_mutex_lock(&s->mu);
    int id = -1;
    if (s->n_models < MAX_MODELS) {
        id = s->n_models++;
        s->models[id].path = NULL;
        s->models[id].bs = bs;
        s->models[id].cid = *cid;
        s->models[id].size = size;
    }
    pthread_mutex_unlock(&s->mu);
    if (id < 0) return ia_set_error(IA_ERR_LIMIT, "bridge server: too many models registered");
    snprintf(url, cap, "/%s/model/%d", s->token, id);
    return IA_OK;
}

void ia__server_store_error(ia__server *s, char *buf, size_t cap) {
    pthread_mutex_lock(&s->mu);
    snprintf(buf, cap, "%s", s->store_error);
    pthread_mutex_unlock(&s->mu);
}
