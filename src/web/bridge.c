/* The bridge: one server, one browser and its pages; matches replies to requests by id, tracks
 * heartbeats, and turns a closed page or a dead browser into an error instead of a hang. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/log.h"
#include "ia/status.h"
#include "web/web_internal.h"

#define HEARTBEAT_SILENCE_MS 30000.0

double ia__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double ia__wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void ia__reply_free(ia__reply *r) {
    if (!r) return;
    ia_free(r->msg);
    ia_free(r);
}

static int page_of(ia__bridge *b, void *conn) {
    for (int i = 0; i < b->n_pages; i++)
        if (b->pages[i].conn == conn) return i;
    return -1;
}

static int on_connect(void *user, void *conn, const char *query) {
    ia__bridge *b = user;
    const char *p = strstr(query, "page=");
    long k = p ? strtol(p + 5, NULL, 10) : -1;
    pthread_mutex_lock(&b->mu);
    int ok = k >= 0 && k < b->n_pages && !b->pages[k].conn;
    if (ok) {
        b->pages[k].conn = conn;
        b->pages[k].gen++;
        b->pages[k].last_seen_ms = ia__now_ms();
        b->pages[k].remote_sessions = -1;
    }
    pthread_mutex_unlock(&b->mu);
    return ok ? (int)k : -1;
}

static int deliver(ia__bridge *b, uint64_t id, int opcode, const uint8_t *data, size_t len, double at) {
    for (ia__reply *r = b->waiting; r; r = r->next) {
        if (r->id != id || r->done) continue;
        r->msg = ia_malloc(len ? len : 1);
        if (r->msg) memcpy(r->msg, data, len);
        r->len = len;
        r->opcode = opcode;
        r->recv_at = at;
        r->done = 1;
        return 1;
    }
    return 0;
}

static int on_message(void *user, void *conn, int opcode, const uint8_t *data, size_t len) {
    ia__bridge *b = user;
    double at = ia__wall_ms();
    int woke = 0;
    cJSON *h = NULL;
    if (opcode == 1) h = cJSON_ParseWithLength((const char *)data, len);
    else if (len >= 4) {
        size_t hl = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
        if (hl <= len - 4) h = cJSON_ParseWithLength((const char *)data + 4, hl);
    }
    if (!cJSON_IsObject(h)) {
        cJSON_Delete(h);
        ia_log(IA_LOG_WARN, "bridge: a page sent a malformed %s message; closing it", opcode == 1 ? "text" : "binary");
        return -1;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(h, "type"), *id = cJSON_GetObjectItemCaseSensitive(h, "id");
    pthread_mutex_lock(&b->mu);
    int k = page_of(b, conn);
    if (k >= 0) {
        b->pages[k].last_seen_ms = ia__now_ms();
        if (cJSON_IsString(type) && !strcmp(type->valuestring, "hello") && !b->pages[k].hello) {
            b->pages[k].hello = h;
            b->pages[k].connected = 1;
            h = NULL;
            pthread_cond_broadcast(&b->cv);
        } else if (cJSON_IsString(type) && !strcmp(type->valuestring, "heartbeat")) {
            const cJSON *ns = cJSON_GetObjectItemCaseSensitive(h, "sessions");
            if (cJSON_IsNumber(ns)) b->pages[k].remote_sessions = (int)ns->valuedouble;
        } else if (cJSON_IsNumber(id)) {
            woke = deliver(b, (uint64_t)id->valuedouble, opcode, data, len, at);
        }
    }
    pthread_mutex_unlock(&b->mu);
    /* signalled after unlocking: a waiter woken while we still held the mutex would only block on it */
    if (woke) pthread_cond_broadcast(&b->cv);
    cJSON_Delete(h);
    return 0;
}

static void on_close(void *user, void *conn) {
    ia__bridge *b = user;
    pthread_mutex_lock(&b->mu);
    int k = page_of(b, conn);
    if (k >= 0) {
        b->pages[k].conn = NULL;
        b->pages[k].connected = 0;
        b->pages[k].gen++;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
}

void ia__bridge_browser_name(const ia__bridge *b, char *buf, size_t cap) {
    const char *k = b->br.kind;
    snprintf(buf, cap, "%c%.14s %.100s", k[0] ? k[0] - 32 : '?', k[0] ? k + 1 : "", b->br.version[0] ? b->br.version : "(version unknown)");
}

/* Checks whether the browser still runs; records why not. Caller holds mu. */
static int browser_gone(ia__bridge *b) {
    if (b->died[0]) return 1;
    if (ia__browser_alive(&b->br)) return 0;
    int st = b->br.exit_status;
    if (WIFSIGNALED(st)) snprintf(b->died, sizeof b->died, "the browser was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else snprintf(b->died, sizeof b->died, "the browser exited with status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    pthread_cond_broadcast(&b->cv);
    return 1;
}

static void wait_slice(ia__bridge *b, int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&b->cv, &b->mu, &ts);
}

int ia__bridge_start(const char *browser, int visible, int webnn, int n_pages, int timeout_ms, const char *static_dir,
                     const char *dist_dir, ia__bridge **out) {
    *out = NULL;
    if (n_pages < 1 || n_pages > IA__MAX_PAGES) return ia_set_error(IA_ERR_INVALID_ARG, "bridge: %d pages (1..%d)", n_pages, IA__MAX_PAGES);
    ia__bridge *b = ia_calloc(1, sizeof *b);
    if (!b) return ia_set_error(IA_ERR_NOMEM, "bridge: out of memory");
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->n_pages = n_pages;
    b->visible = visible;
    b->webnn = webnn;
    b->timeout_ms = timeout_ms > 0 ? timeout_ms : 120000;
    b->br.pid = -1;
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/ort.wasm.min.mjs", dist_dir);
    if (access(probe, R_OK)) {
        ia__bridge_stop(b);
        return ia_set_error(IA_ERR_NOT_FOUND, "onnxruntime-web is not installed: %s is missing (scripts/bootstrap.sh installs tools/web; "
                            "or set IA_WEB_DIST_DIR)", probe);
    }
    snprintf(probe, sizeof probe, "%s/bridge.js", static_dir);
    if (access(probe, R_OK)) {
        ia__bridge_stop(b);
        return ia_set_error(IA_ERR_NOT_FOUND, "the bridge page is missing: %s (set IA_WEB_STATIC_DIR to src/web/static)", probe);
    }
    int rc = ia__browser_find(browser, &b->br);
    if (rc) { ia__bridge_stop(b); return rc; }
    ia__server_options so;
    memset(&so, 0, sizeof so);
    so.static_dir = static_dir;
    so.dist_dir = dist_dir;
    so.events.user = b;
    so.events.on_connect = on_connect;
    so.events.on_message = on_message;
    so.events.on_close = on_close;
    rc = ia__server_start(&so, &b->srv);
    if (rc) { ia__bridge_stop(b); return rc; }
    /* Headless Chromium takes one start URL: page 0 opens the others (window.open). */
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/bridge.html?page=0&pages=%d", ia__server_port(b->srv), ia__server_token(b->srv), n_pages);
    const char *up[1] = {url};
    rc = ia__browser_launch(&b->br, up, 1, visible, webnn);
    if (rc) { ia__bridge_stop(b); return rc; }
    double deadline = ia__now_ms() + b->timeout_ms;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        int ready = 0;
        for (int i = 0; i < n_pages; i++) ready += b->pages[i].connected;
        if (ready == n_pages) break;
        if (browser_gone(b) || ia__now_ms() > deadline) {
            char name[128], tail[1024];
            ia__bridge_browser_name(b, name, sizeof name);
            ia__browser_log_tail(&b->br, tail, sizeof tail);
            rc = ia_set_error(IA_ERR_UNAVAILABLE, "%s (%s): %d of %d bridge pages connected: %s; browser log ends: %s", name, b->br.path, ready,
                              n_pages, b->died[0] ? b->died : "timed out", tail);
            break;
        }
        wait_slice(b, 100);
    }
    pthread_mutex_unlock(&b->mu);
    if (rc) { ia__bridge_stop(b); return rc; }
    *out = b;
    return IA_OK;
}

void ia__bridge_stop(ia__bridge *b) {
    if (!b) return;
    ia__browser_stop(&b->br);
    ia__server_stop(b->srv); /* after the browser: connections close, on_close runs */
    for (int i = 0; i < IA__MAX_PAGES; i++) cJSON_Delete(b->pages[i].hello);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    ia_free(b);
}

int ia__bridge_broken(ia__bridge *b) {
    pthread_mutex_lock(&b->mu);
    int broken = browser_gone(b);
    for (int i = 0; i < b->n_pages && !broken; i++) broken = !b->pages[i].conn;
    pthread_mutex_unlock(&b->mu);
    return broken;
}

int ia__bridge_post(ia__bridge *b, int page, const char *json) {
    pthread_mutex_lock(&b->mu);
    void *conn = page >= 0 && page < b->n_pages && !browser_gone(b) ? b->pages[page].conn : NULL;
    pthread_mutex_unlock(&b->mu);
    if (!conn) return ia_set_error(IA_ERR_UNAVAILABLE, "bridge: page %d is not connected", page);
    return ia__server_ws_send(conn, 1, json, strlen(json));
}

int ia__bridge_page_sessions(ia__bridge *b, int page) {
    pthread_mutex_lock(&b->mu);
    int n = page >= 0 && page < b->n_pages && b->pages[page].conn ? b->pages[page].remote_sessions : -1;
    pthread_mutex_unlock(&b->mu);
    return n;
}

uint64_t ia__bridge_next_id(ia__bridge *b) {
    pthread_mutex_lock(&b->mu);
    uint64_t id = ++b->next_id;
    pthread_mutex_unlock(&b->mu);
    return id;
}

int ia__bridge_call(ia__bridge *b, int page, int opcode, const void *msg, size_t len, uint64_t id, int timeout_ms,
                    ia__reply **out) {
    *out = NULL;
    ia__reply *r = ia_calloc(1, sizeof *r);
    if (!r) return ia_set_error(IA_ERR_NOMEM, "bridge: out of memory");
    r->id = id;
    char name[128];
    ia__bridge_browser_name(b, name, sizeof name);
    pthread_mutex_lock(&b->mu);
    ia__page *p = &b->pages[page];
    if (!p->conn || browser_gone(b)) {
        int rc = ia_set_error(IA_ERR_UNAVAILABLE, "%s: bridge page %d is not connected%s%s", name, page, b->died[0] ? ": " : "", b->died);
        pthread_mutex_unlock(&b->mu);
        ia_free(r);
        return rc;
    }
    void *conn = p->conn;
    int gen = p->gen;
    r->next = b->waiting;
    b->waiting = r;
    pthread_mutex_unlock(&b->mu);
    r->sent_at = ia__wall_ms();
    int rc = ia__server_ws_send(conn, opcode, msg, len);
    r->sent_done = ia__wall_ms();
    double deadline = ia__now_ms() + (timeout_ms > 0 ? timeout_ms : b->timeout_ms);
    pthread_mutex_lock(&b->mu);
    while (rc == IA_OK && !r->done) {
        if (p->gen != gen) rc = ia_set_error(IA_ERR_UNAVAILABLE, "%s: bridge page %d closed during the request", name, page);
        else if (browser_gone(b)) rc = ia_set_error(IA_ERR_UNAVAILABLE, "%s: %s during the request", name, b->died);
        else if (ia__now_ms() - p->last_seen_ms > HEARTBEAT_SILENCE_MS)
            rc = ia_set_error(IA_ERR_UNAVAILABLE, "%s: bridge page %d sent no heartbeat for %.0f s", name, page, HEARTBEAT_SILENCE_MS / 1e3);
        else if (ia__now_ms() > deadline) rc = ia_set_error(IA_ERR_RUNTIME, "%s: no reply from bridge page %d within %d ms", name, page, timeout_ms);
        else wait_slice(b, 100);
    }
    for (ia__reply **pp = &b->waiting; *pp; pp = &(*pp)->next)
        if (*pp == r) { *pp = r->next; break; }
    pthread_mutex_unlock(&b->mu);
    r->woke_at = ia__wall_ms();
    if (rc) { ia__reply_free(r); return rc; }
    if (r->opcode == 1) { /* a text reply may be the page's error */
        cJSON *h = cJSON_ParseWithLength((const char *)r->msg, r->len);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(h, "type"), *m = cJSON_GetObjectItemCaseSensitive(h, "message");
        if (cJSON_IsString(t) && !strcmp(t->valuestring, "error"))
            rc = ia_set_error(IA_ERR_RUNTIME, "%s page: %s", name, cJSON_IsString(m) ? m->valuestring : "(no message)");
        cJSON_Delete(h);
        if (rc) { ia__reply_free(r); return rc; }
    }
    *out = r;
    return IA_OK;
}
