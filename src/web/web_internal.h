/* Internals of the browser bridge shared across src/web: HTTP routing, WebSocket message assembly,
 * bridge frames, the server, the browser launcher and the page connections. */
#ifndef IA_WEB_INTERNAL_H
#define IA_WEB_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include "ia/tensor.h"

/* ---- HTTP routing (http_route.c): pure functions, fuzzed by tests/fuzz/fuzz_http.c ---- */
enum { IA__ROUTE_STATIC = 1, IA__ROUTE_ORT, IA__ROUTE_MODEL, IA__ROUTE_WS, IA__ROUTE_WS_INFO };
#define IA__TOKEN_LEN 32
typedef struct ia__route {
    int kind;
    char name[128]; /* file name (static/ort) or model id (model) */
} ia__route;
/* Maps a request target ("/TOKEN/ort/ort.wasm.min.mjs?x") to a route ("/TOKEN/ws": the WebSocket
 * endpoint, served on its own port; "/TOKEN/ws.json": that port, for the page). Returns an HTTP status:
 * 200 routed; 403 missing or wrong token; 400 malformed or traversal; 404 unknown. */
int ia__http_route(const char *target, const char *token, ia__route *out);
/* Parses a Range header value against a resource of `size` bytes: 0 = one satisfiable range
 * [*first, *last]; 1 = no usable Range (serve all); -1 = unsatisfiable (416). */
int ia__http_parse_range(const char *value, uint64_t size, uint64_t *first, uint64_t *last);
/* MIME type by file extension. */
const char *ia__http_mime(const char *name);

/* ---- WebSocket messages (ws_message.c) ---- */
/* Reassembles fragmented WebSocket frames (flags: the frame's first byte, FIN|RSV|opcode; the
 * payload unmasked) into whole messages, refusing protocol violations and oversized messages. */
typedef struct ia__ws_assembler {
    uint8_t *buf;
    size_t len, cap, max;
    int opcode; /* of the message being assembled; 0 when none */
} ia__ws_assembler;
/* Feeds one frame. Returns 1 when a whole text/binary message is ready (buf/len, opcode),
 * 0 when more frames are needed or for control frames, negative IA_ERR_* on violation. */
int ia__ws_feed(ia__ws_assembler *a, int flags, const uint8_t *data, size_t len);
void ia__ws_reset(ia__ws_assembler *a); /* drops a finished message */
/* Writes the header of one unfragmented, unmasked server frame (RFC 6455 5.2) carrying `len`
 * payload bytes; returns its length (2, 4 or 10). */
size_t ia__ws_frame_header(int opcode, uint64_t len, uint8_t out[10]);
void ia__ws_free(ia__ws_assembler *a);

/* ---- The bridge's own WebSocket endpoint: client frames (ws_frame.c), handshake (ws_handshake.c) ---- */
enum { IA__WS_NORMAL = 1000, IA__WS_GOING_AWAY = 1001, IA__WS_PROTOCOL_ERROR = 1002, IA__WS_NO_STATUS = 1005,
       IA__WS_INVALID_DATA = 1007, IA__WS_TOO_BIG = 1009, IA__WS_INTERNAL = 1011 };
typedef struct ia__ws_frame {
    int fin, opcode, masked;
    uint8_t key[4];
    uint64_t len;
} ia__ws_frame;
/* Parses the header of one client frame from p[0..n) (RFC 6455 5.2). open_op: opcode of the
 * fragmented message being assembled (0: none); assembled: its bytes so far; max: the message size
 * limit. Returns the header length (6-14) once complete and acceptable, 0 when more bytes are
 * needed, or the negated close status (-1002 protocol error: unmasked, RSV bits, unknown opcode,
 * fragmented or >125-byte control frame, 64-bit length with the top bit set, non-minimal length,
 * continuation without a message, new message inside a fragmented one; -1009: over the limit)
 * with *why a static reason. Decides as early as the bytes allow. Fuzzed by fuzz_ws_frame. */
int ia__ws_parse_frame(const uint8_t *p, size_t n, int open_op, uint64_t assembled, uint64_t max, ia__ws_frame *f,
                       const char **why);
/* XORs p[0..n) with the masking key, p[0] being payload byte number `offset`. */
void ia__ws_unmask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset);
/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
int ia__ws_utf8_valid(const uint8_t *s, size_t n);
/* Writes a server close frame (status > 0: with the status and up to 123 bytes of reason); returns its length. */
size_t ia__ws_close_frame(int status, const char *reason, uint8_t out[127]);
/* Reads a close frame's payload: 0 with *status (1005 when empty), -1 when malformed (1 byte, a
 * status that must not be sent, a reason that is not UTF-8). */
int ia__ws_close_status(const uint8_t *payload, size_t n, int *status);
typedef struct ia__ws_upgrade {
    char query[256];  /* after '?' in the request target */
    char accept[29];  /* Sec-WebSocket-Accept */
} ia__ws_upgrade;
/* Parses an upgrade request: req[0..n) is the header block including its terminating empty line.
 * Returns 101 (valid, u filled) or the HTTP status to refuse with: 403 missing or wrong token;
 * 404 not /TOKEN/ws; 400 wrong method or HTTP version, missing Host/Upgrade/Connection, missing or
 * malformed Sec-WebSocket-Key, Sec-WebSocket-Version not 13, malformed lines; 414 target too long;
 * *why says which in words. */
int ia__ws_parse_upgrade(const char *req, size_t n, const char *token, ia__ws_upgrade *u, const char **why);
/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + RFC 6455 GUID)). 0 on success. */
int ia__ws_accept_key(const char *key, char out[29]);

/* ---- WebSocket listener (ws_listener.c): 127.0.0.1, one thread per connection ---- */
typedef struct ia__ws_listener ia__ws_listener;
struct ia__ws_events;
/* Listens on 127.0.0.1:port (0: a free one); connections must upgrade at /TOKEN/ws. */
int ia__ws_listener_start(int port, const char *token, uint64_t max_message, const struct ia__ws_events *ev,
                          ia__ws_listener **out);
int ia__ws_listener_port(const ia__ws_listener *l);
/* Closes the listening socket and every connection, joins all threads, frees everything. */
void ia__ws_listener_stop(ia__ws_listener *l);

/* A tensor described by a bridge frame header. */
typedef struct ia__frame_tensor {
    char name[256];
    int dtype, rank;
    int64_t dims[IA_MAX_DIMS];
    uint64_t offset, bytes; /* relative to the frame's data start */
} ia__frame_tensor;
/* Binary bridge frame: u32 LE header length, JSON header, zero padding to 8, raw tensor bytes.
 * Decodes and validates (header JSON object, every tensor inside the frame, byte counts equal to
 * shape x dtype). On success *hdr (cJSON_Delete) and *tensors (ia_free) are owned by the caller. */
int ia__frame_decode(const uint8_t *msg, size_t len, cJSON **hdr, ia__frame_tensor **tensors, size_t *n_tensors,
                     const uint8_t **data);
/* Encodes a frame: `hdr` gets a "tensors" array describing `ts` (offset/bytes filled in here). */
int ia__frame_encode(cJSON *hdr, ia_tensor *const *ts, const char *const *names, size_t n, uint8_t **out,
                     size_t *out_len);
const char *ia__web_dtype_name(int dtype); /* onnxruntime-web type names; NULL if not carried */
int ia__web_dtype_from_name(const char *name);

/* ---- Server (server.c): civetweb on 127.0.0.1 for HTTP; the WebSocket on our own listener ---- */
typedef struct ia__server ia__server;
typedef struct ia__ws_events {
    void *user;
    /* A page connected (query string of the upgrade request given). Return page index or -1 to refuse. */
    int (*on_connect)(void *user, void *conn, const char *query);
    /* A whole text or binary message arrived; returns 0 to keep the connection, -1 to close it. */
    int (*on_message)(void *user, void *conn, int opcode, const uint8_t *data, size_t len);
    void (*on_close)(void *user, void *conn);
} ia__ws_events;
typedef struct ia__server_options {
    const char *static_dir, *dist_dir;
    int port;                 /* 0 = free port */
    uint64_t max_message;     /* largest WebSocket message accepted */
    ia__ws_events events;
} ia__server_options;
int ia__server_start(const ia__server_options *o, ia__server **out);
void ia__server_stop(ia__server *s);
int ia__server_port(const ia__server *s);    /* HTTP */
int ia__server_ws_port(const ia__server *s); /* WebSocket (ws://127.0.0.1:PORT/TOKEN/ws) */
const char *ia__server_token(const ia__server *s);
/* Registers a model file to be served at /TOKEN/model/ID; writes the URL path into url. */
int ia__server_add_model(ia__server *s, const char *path, char *url, size_t cap);
/* Registers a file from the content store (served with Range, every block verified). */
struct ia_blockstore;
struct ia_cid;
int ia__server_add_store_model(ia__server *s, struct ia_blockstore *bs, const struct ia_cid *cid, char *url, size_t cap);
/* Why the last model served from the store was cut short (a block failed its hash check or is
 * missing); empty when none was. */
void ia__server_store_error(ia__server *s, char *buf, size_t cap);
/* Sends one whole message on a page connection (the `conn` given to the events) as one frame in
 * one write; thread-safe. */
int ia__server_ws_send(void *conn, int opcode, const void *data, size_t len);
/* Starts the closing handshake on a page connection (close frame 1000). */
void ia__server_ws_close(void *conn);

/* ---- Browser launcher (launcher.c) ---- */
typedef struct ia__browser {
    pid_t pid;
    char kind[16];     /* chromium, chrome, edge, firefox */
    char path[4096];
    char version[128]; /* from `PATH --version` */
    char dir[4096];    /* temporary directory: profile/ and browser.log */
    int exited, exit_status;
} ia__browser;
/* Finds a browser: `want` is NULL (best available), a name (chromium, chrome, edge, firefox) or a path. */
int ia__browser_find(const char *want, ia__browser *b);
/* Starts it on `n` loopback URLs with a fresh profile, in its own process group. */
int ia__browser_launch(ia__browser *b, const char *const *urls, int n, int visible, int webnn);
/* 1 while running; 0 once it has exited (exit status recorded). */
int ia__browser_alive(ia__browser *b);
/* Ends the whole process group (TERM, then KILL) and removes the profile. */
void ia__browser_stop(ia__browser *b);
/* Last `cap`-1 bytes of the browser's log. */
void ia__browser_log_tail(const ia__browser *b, char *buf, size_t cap);


/* ---- Bridge (bridge.c): one server, one browser, its pages, request/reply matching ---- */
#define IA__MAX_PAGES 64
typedef struct ia__reply {
    uint64_t id;
    int done;
    int opcode;   /* 1 text, 2 binary */
    uint8_t *msg; /* whole message (ia_free) */
    size_t len;
    double sent_at, sent_done, recv_at, woke_at; /* ia__wall_ms() stamps: write start/end, message in, caller awake */
    struct ia__reply *next;
} ia__reply;
typedef struct ia__page {
    void *conn;
    int connected, gen;
    cJSON *hello;
    double last_seen_ms;
    int remote_sessions; /* onnxruntime-web sessions the page holds, as of its last heartbeat */
} ia__page;
typedef struct ia__bridge {
    ia__server *srv;
    ia__browser br;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ia__page pages[IA__MAX_PAGES];
    int n_pages;
    ia__reply *waiting;
    uint64_t next_id;
    int visible, webnn, timeout_ms;
    char want[4096];
    char died[512]; /* why the browser is gone; empty while it runs */
} ia__bridge;
int ia__bridge_start(const char *browser, int visible, int webnn, int n_pages, int timeout_ms, const char *static_dir,
                     const char *dist_dir, ia__bridge **out);
void ia__bridge_stop(ia__bridge *b);
uint64_t ia__bridge_next_id(ia__bridge *b);
/* 1 when the browser has exited or any of its pages lost its connection (pages never reconnect:
 * such a bridge must be replaced); 0 while all is well. Safe to call from any thread. */
int ia__bridge_broken(ia__bridge *b);
/* Sends a text message to a page without waiting for a reply; IA_ERR_UNAVAILABLE when the page
 * is not connected. */
int ia__bridge_post(ia__bridge *b, int page, const char *json);
/* Sessions the page reported holding in its last heartbeat (-1 before the first one). */
int ia__bridge_page_sessions(ia__bridge *b, int page);
/* Sends a request carrying `id` to page `page` and waits for the reply with that id, the page's
 * error, the page or browser going away, or the timeout. Returns IA_OK with *out (ia__reply_free). */
int ia__bridge_call(ia__bridge *b, int page, int opcode, const void *msg, size_t len, uint64_t id, int timeout_ms,
                    ia__reply **out);
void ia__reply_free(ia__reply *r);
double ia__now_ms(void);
double ia__wall_ms(void); /* CLOCK_REALTIME in ms: comparable with the page's timeOrigin + now() */
/* Browser "name version" for messages. */
void ia__bridge_browser_name(const ia__bridge *b, char *buf, size_t cap);

/* ---- Sessions on a bridge page owned by someone else (session.c; used by pool.c) ---- */
struct ia_web_session;
struct ia_web_options;
int ia__web_load_on(ia__bridge *b, int page, const char *path, const struct ia_web_options *o, struct ia_web_session **out);
void ia__web_detach(struct ia_web_session *s); /* frees the handle, leaves the bridge running */
/* Asks the page to release the session's onnxruntime-web session (frees its memory in the page);
 * does not wait for the answer. Used by the pool when it evicts a model. */
void ia__web_release_remote(struct ia_web_session *s);
uint64_t ia__web_model_bytes(const struct ia_web_session *s);

#endif
