/* Resource pool of browsers x pages holding loaded models: routing by model and queue length,
 * per-page concurrency, LRU eviction by a per-page model budget, crash detection, restart and
 * one retry. Every wait is bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/log.h"
#include "ia/status.h"
#include "ia/web.h"
#include "web/web_internal.h"

#define POOL_MAX_MODELS 32

typedef struct gen_bridge { /* one launch of a browser; freed when dead and unused */
    ia__bridge *b;
    int refs, dead;
} gen_bridge;

typedef struct handle { /* a loaded model: one reference from the page table, one per user */
    ia_web_session *ws;
    int refs;
    int evicted; /* set when the table lets go while the browser lives: release it in the page too */
} handle;

typedef struct pool_model {
    char *path;
    handle *h;
    double last_used;
    uint64_t bytes;
} pool_model;

typedef struct pool_page {
    int inflight;
    pool_model models[POOL_MAX_MODELS];
    int n_models;
    uint64_t used;
} pool_page;

typedef struct pool_browser {
    gen_bridge *cur;
    int restarting;
    pool_page pages[IA__MAX_PAGES];
} pool_browser;

struct ia_web_pool {
    ia_web_pool_options o;
    char static_dir[4096], dist_dir[4096];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pool_browser *br;
    ia_web_pool_stats st;
};

void ia_web_pool_options_init(ia_web_pool_options *o) {
    memset(o, 0, sizeof *o);
    ia_web_options_init(&o->web);
    o->browsers = 1;
    o->pages = 1;
    o->per_page = 1;
}

static const char *dir_or(const char *given, const char *env, const char *def) {
    if (given && *given) return given;
    const char *e = getenv(env);
    return e && *e ? e : def;
}

static int launch(ia_web_pool *p, gen_bridge **out) {
    *out = NULL;
    gen_bridge *g = ia_calloc(1, sizeof *g);
    if (!g) return ia_set_error(IA_ERR_NOMEM, "pool: out of memory");
    int rc = ia__bridge_start(p->o.web.browser, p->o.web.visible, 1, p->o.pages, p->o.web.timeout_ms, p->static_dir, p->dist_dir, &g->b);
    if (rc) { ia_free(g); return rc; }
    *out = g;
    return IA_OK;
}

static void handle_release(handle *h) { /* caller holds mu */
    if (h && --h->refs == 0) {
        if (h->evicted) ia__web_release_remote(h->ws); /* the page frees the session's memory */
        ia__web_detach(h->ws);
        ia_free(h);
    }
}

static void drop_models(pool_browser *pb, int np) {
    for (int j = 0; j < np; j++) {
        pool_page *pg = &pb->pages[j];
        for (int k = 0; k < pg->n_models; k++) { handle_release(pg->models[k].h); ia_free(pg->models[k].path); }
        pg->n_models = 0;
        pg->used = 0;
        pg->inflight = 0;
    }
}

/* Caller holds mu. Frees a dead generation nobody uses any more (outside work is quick: the
 * browser is already gone or gets killed). */
static void gen_release(gen_bridge *g) {
    if (--g->refs == 0 && g->dead) {
        ia__bridge_stop(g->b);
        ia_free(g);
    }
}

#ifndef IA_WEB_STATIC_DIR_DEFAULT
#define IA_WEB_STATIC_DIR_DEFAULT "src/web/static"
#endif
#ifndef IA_WEB_DIST_DIR_DEFAULT
#define IA_WEB_DIST_DIR_DEFAULT "tools/web/node_modules/onnxruntime-web/dist"
#endif

int ia_web_pool_create(const ia_web_pool_options *o, ia_web_pool **out) {
    *out = NULL;
    ia_web_pool *p = ia_calloc(1, sizeof *p);
    if (!p) return ia_set_error(IA_ERR_NOMEM, "pool: out of memory");
    if (o) p->o = *o;
    else ia_web_pool_options_init(&p->o);
    if (p->o.browsers < 1) p->o.browsers = 1;
    if (p->o.pages < 1) p->o.pages = 1;
    if (p->o.pages > IA__MAX_PAGES) p->o.pages = IA__MAX_PAGES;
    if (p->o.per_page < 1) p->o.per_page = 1;
    if (!p->o.page_budget) p->o.page_budget = (uint64_t)2 << 30;
    if (p->o.web.timeout_ms <= 0) p->o.web.timeout_ms = 120000;
    if (!p->o.web.device) p->o.web.device = "wasm";
    snprintf(p->static_dir, sizeof p->static_dir, "%s", dir_or(p->o.web.static_dir, "IA_WEB_STATIC_DIR", IA_WEB_STATIC_DIR_DEFAULT));
    snprintf(p->dist_dir, sizeof p->dist_dir, "%s", dir_or(p->o.web.dist_dir, "IA_WEB_DIST_DIR", IA_WEB_DIST_DIR_DEFAULT));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->br = ia_calloc((size_t)p->o.browsers, sizeof *p->br);
    int rc = p->br ? IA_OK : ia_set_error(IA_ERR_NOMEM, "pool: out of memory");
    for (int i = 0; !rc && i < p->o.browsers; i++) {
        rc = launch(p, &p->br[i].cur);
        if (!rc) p->br[i].cur->refs = 1; /* the pool's own reference */
    }
    if (rc) { ia_web_pool_destroy(p); return rc; }
    *out = p;
    return IA_OK;
}

void ia_web_pool_destroy(ia_web_pool *p) {
    if (!p) return;
    for (int i = 0; p->br && i < p->o.browsers; i++) {
        drop_models(&p->br[i], p->o.pages);
        gen_bridge *g = p->br[i].cur;
        if (g) { g->dead = 1; pthread_mutex_lock(&p->mu); gen_release(g); pthread_mutex_unlock(&p->mu); }
    }
    ia_free(p->br);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    ia_free(p);
}

/* Replaces browser i after a crash (caller holds mu; mu is released while launching). */
static void restart(ia_web_pool *p, int i, gen_bridge *seen) {
    pool_browser *pb = &p->br[i];
    if (pb->cur != seen || pb->restarting) return; /* someone else did or does it */
    pb->restarting = 1;
    pb->cur = NULL;
    seen->dead = 1;
    drop_models(pb, p->o.pages);
    gen_release(seen); /* the pool's reference */
    p->st.restarts++;
    pthread_mutex_unlock(&p->mu);
    gen_bridge *g = NULL;
    int rc = launch(p, &g);
    if (rc) ia_log(IA_LOG_ERROR, "pool: restarting browser %d failed: %s", i, ia_last_error());
    pthread_mutex_lock(&p->mu);
    if (g) g->refs = 1;
    pb->cur = g; /* NULL when the restart failed: the next request tries again */
    pb->restarting = 0;
    pthread_cond_broadcast(&p->cv);
}

static int find_model(pool_page *pg, const char *path) {
    for (int k = 0; k < pg->n_models; k++)
        if (!strcmp(pg->models[k].path, path)) return k;
    return -1;
}

/* Pages of a browser that lost any page are not used: the whole browser gets replaced. */
static int browser_usable(gen_bridge *g) { return g && !g->dead && !ia__bridge_broken(g->b); }

/* Picks a page (holding mu): the model's pages first, then the shortest queue. */
static int pick(ia_web_pool *p, const char *model, int *bi, int *pj) {
    int best = -1, best_i = -1, best_j = -1;
    for (int i = 0; i < p->o.browsers; i++) {
        gen_bridge *g = p->br[i].cur;
        if (!browser_usable(g)) continue;
        for (int j = 0; j < p->o.pages; j++) {
            pool_page *pg = &p->br[i].pages[j];
            if (pg->inflight >= p->o.per_page) continue;
            int score = (find_model(pg, model) >= 0 ? 0 : 1000) + pg->inflight;
            if (best < 0 || score < best) { best = score; best_i = i; best_j = j; }
        }
    }
    if (best < 0) return 0;
    *bi = best_i;
    *pj = best_j;
    return 1;
}

/* Evicts least-recently-used models until `need` more bytes fit (holding mu); a model in use
 * lives on until its last user lets go. */
static void evict(ia_web_pool *p, pool_page *pg, uint64_t need) {
    while (pg->used + need > p->o.page_budget && pg->n_models > 0) {
        int v = 0;
        for (int k = 1; k < pg->n_models; k++)
            if (pg->models[k].last_used < pg->models[v].last_used) v = k;
        pg->models[v].h->evicted = 1;
        handle_release(pg->models[v].h);
        pg->used -= pg->models[v].bytes;
        ia_free(pg->models[v].path);
        pg->models[v] = pg->models[--pg->n_models];
        p->st.evictions++;
    }
}

/* One attempt. *infra is set when the failure came from the browser or page going away. */
static int attempt(ia_web_pool *p, const char *model, const char *const *names, ia_value *const *inputs, size_t n_in,
                   ia_value **outputs, size_t n_out, int *infra) {
    *infra = 0;
    double deadline = ia__now_ms() + p->o.web.timeout_ms;
    int i = -1, j = -1;
    pthread_mutex_lock(&p->mu);
    while (!pick(p, model, &i, &j)) {
        /* No free live page: restart dead browsers we find, otherwise wait in the queue. */
        for (int b = 0; b < p->o.browsers; b++) {
            gen_bridge *g = p->br[b].cur;
            if (p->br[b].restarting) continue;
            /* A browser killed between requests has no caller in ia__bridge_call to notice: ask. */
            if (g && ia__bridge_broken(g->b)) restart(p, b, g);
            else if (!g) { /* a failed restart: try again */
                p->br[b].restarting = 1;
                pthread_mutex_unlock(&p->mu);
                gen_bridge *ng = NULL;
                if (launch(p, &ng) == IA_OK) ng->refs = 1;
                pthread_mutex_lock(&p->mu);
                p->br[b].cur = ng;
                p->br[b].restarting = 0;
                pthread_cond_broadcast(&p->cv);
            }
        }
        if (ia__now_ms() > deadline) {
            pthread_mutex_unlock(&p->mu);
            *infra = 1;
            return ia_set_error(IA_ERR_UNAVAILABLE, "pool: no page became free within %d ms", p->o.web.timeout_ms);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    gen_bridge *g = p->br[i].cur;
    pool_page *pg = &p->br[i].pages[j];
    g->refs++;
    pg->inflight++;
    int k = find_model(pg, model);
    handle *h = NULL;
    if (k >= 0) {
        h = pg->models[k].h;
        h->refs++;
        pg->models[k].last_used = ia__now_ms();
    }
    pthread_mutex_unlock(&p->mu);

    int rc = IA_OK;
    if (!h) {
        ia_web_session *ws = NULL;
        rc = ia__web_load_on(g->b, j, model, &p->o.web, &ws);
        if (!rc) {
            h = ia_calloc(1, sizeof *h);
            if (!h) { ia__web_detach(ws); rc = ia_set_error(IA_ERR_NOMEM, "pool: out of memory"); }
        }
        if (!rc) {
            h->ws = ws;
            h->refs = 1; /* ours */
            pthread_mutex_lock(&p->mu);
            p->st.loads++;
            if (p->br[i].cur == g && find_model(pg, model) < 0) {
                uint64_t bytes = ia__web_model_bytes(ws);
                evict(p, pg, bytes);
                if (pg->n_models == POOL_MAX_MODELS) evict(p, pg, p->o.page_budget);
                k = pg->n_models++;
                pg->models[k].path = ia_strdup(model);
                pg->models[k].h = h;
                pg->models[k].bytes = bytes;
                pg->models[k].last_used = ia__now_ms();
                pg->used += bytes;
                h->refs++; /* the table's */
            }
            pthread_mutex_unlock(&p->mu);
        }
    }
    if (!rc) {
        ia_web_session *ws = h->ws;
        ia_value *ordered[256];
        size_t n = ia_web_session_input_count(ws);
        for (size_t a = 0; a < n && a < 256; a++) {
            ordered[a] = NULL;
            for (size_t b = 0; b < n_in; b++)
                if (!strcmp(names[b], ia_web_session_input_name(ws, a))) ordered[a] = inputs[b];
        }
        rc = ia_web_session_run(ws, ordered, n, outputs, n_out);
        if (rc) ia_set_error(rc, "%s", ia_web_session_errmsg(ws));
    }
    pthread_mutex_lock(&p->mu);
    /* Infrastructure failures (browser gone, page closed or silent) restart and retry; a model
     * or device error (e.g. WebNN unavailable) is returned as it is. */
    if (rc && (ia__bridge_broken(g->b) || (rc == IA_ERR_UNAVAILABLE && strstr(ia_last_error(), "heartbeat")))) {
        *infra = 1;
        restart(p, i, g); /* a closed page of a live browser also gets a fresh browser */
    }
    if (p->br[i].cur == g) pg->inflight--;
    handle_release(h);
    gen_release(g);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int ia_web_pool_run(ia_web_pool *p, const char *model, const char *const *input_names, ia_value *const *inputs, size_t n_inputs,
                    ia_value **outputs, size_t n_outputs, char *err, size_t err_cap) {
    pthread_mutex_lock(&p->mu);
    p->st.requests++;
    pthread_mutex_unlock(&p->mu);
    int infra = 0;
    int rc = attempt(p, model, input_names, inputs, n_inputs, outputs, n_outputs, &infra);
    if (rc && infra) {
        char first[1024];
        snprintf(first, sizeof first, "%s", ia_last_error());
        pthread_mutex_lock(&p->mu);
        p->st.retried++;
        pthread_mutex_unlock(&p->mu);
        rc = attempt(p, model, input_names, inputs, n_inputs, outputs, n_outputs, &infra);
        if (rc) {
            char second[1024];
            snprintf(second, sizeof second, "%s", ia_last_error());
            ia_set_error(rc, "pool: request failed twice: first: %s; retry: %s", first, second);
        }
    }
    pthread_mutex_lock(&p->mu);
    if (rc) p->st.failed++;
    else p->st.completed++;
    pthread_mutex_unlock(&p->mu);
    if (rc && err && err_cap) snprintf(err, err_cap, "%s", ia_last_error());
    return rc;
}

void ia_web_pool_get_stats(ia_web_pool *p, ia_web_pool_stats *st) {
    pthread_mutex_lock(&p->mu);
    *st = p->st;
    st->page_sessions = 0;
    for (int i = 0; i < p->o.browsers; i++)
        for (int j = 0; p->br[i].cur && j < p->o.pages; j++) {
            int n = ia__bridge_page_sessions(p->br[i].cur->b, j);
            if (n > 0) st->page_sessions += (uint64_t)n;
        }
    pthread_mutex_unlock(&p->mu);
}

int ia_web_pool_browser_pid(ia_web_pool *p, int i) {
    pthread_mutex_lock(&p->mu);
    int pid = i >= 0 && i < p->o.browsers && p->br[i].cur ? (int)p->br[i].cur->b->br.pid : -1;
    pthread_mutex_unlock(&p->mu);
    return pid;
}
