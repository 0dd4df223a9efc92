/* Browser devices (wasm, webgpu, webnn) in the benchmark runner: one browser session per (model,
 * device, precision, threads) shared by the configurations that need it, and their inputs. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "ia/web.h"


int ia__bench_is_web_device(const char *device) {
    return device && (!strcmp(device, "wasm") || !strcmp(device, "webgpu") || !strcmp(device, "webnn"));
}

static int same_key(const ia__web_entry *e, const ia_bench_config *c) {
    return !strcmp(e->model, c->model) && !strcmp(e->device, c->device) && !strcmp(e->precision, c->precision ? c->precision : "fp32") &&
           e->threads == c->threads && e->browsers == (c->browsers > 0 ? c->browsers : 0) && e->pages == (c->browsers > 0 ? c->pages : 0);
}

ia__web_entry *ia__web_find(ia__web_cache *wc, const ia_bench_config *c) {
    for (size_t i = 0; i < wc->n; i++)
        if (same_key(&wc->e[i], c)) return &wc->e[i];
    return NULL;
}

int ia__web_cache_init(ia__web_cache *wc, const ia_bench_config *cfgs, size_t n) {
    memset(wc, 0, sizeof *wc);
    for (size_t i = 0; i < n; i++) {
        if (!ia__bench_is_web_device(cfgs[i].device)) continue;
        ia__web_entry *e = ia__web_find(wc, &cfgs[i]);
        if (!e) {
            if (wc->n == wc->cap) {
                size_t nc = wc->cap ? wc->cap * 2 : 4;
                ia__web_entry *ne = ia_realloc(wc->e, nc * sizeof *ne);
                if (!ne) return ia_set_error(IA_ERR_NOMEM, "bench: out of memory");
                wc->e = ne;
                wc->cap = nc;
            }
            e = &wc->e[wc->n++];
            memset(e, 0, sizeof *e);
            e->model = cfgs[i].model;
            snprintf(e->device, sizeof e->device, "%s", cfgs[i].device);
            snprintf(e->precision, sizeof e->precision, "%s", cfgs[i].precision ? cfgs[i].precision : "fp32");
            e->threads = cfgs[i].threads;
            e->browsers = cfgs[i].browsers > 0 ? cfgs[i].browsers : 0;
            e->pages = cfgs[i].browsers > 0 ? (cfgs[i].pages > 0 ? cfgs[i].pages : 1) : 0;
        }
        e->users++;
    }
    return IA_OK;
}

static void entry_close(ia__web_entry *e) {
    ia_web_session_destroy(e->ws);
    e->ws = NULL;
    ia_web_pool_destroy(e->pool);
    e->pool = NULL;
}

void ia__web_cache_free(ia__web_cache *wc) {
    for (size_t i = 0; i < wc->n; i++) entry_close(&wc->e[i]);
    ia_free(wc->e);
    memset(wc, 0, sizeof *wc);
}

/* bench's precision names as the browser layer's variant names */
static const char *web_precision(const char *p) { return !strcmp(p, "int8") ? "q8" : !strcmp(p, "int4") ? "q4" : p; }

/* the model file the CPU engine reads to generate inputs: a folder's fp32 variant, else the file */
static const char *cpu_view(const char *model, char *buf, size_t cap) {
    return ia_web_model_variant(model, "fp32", buf, cap) ? model : buf;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The session of c's key: launched (browser, page, model) on first use, then reused; an
 * unavailable device or a failed launch is remembered, so the browser is asked once (and NULL is
 * returned with r filled; the configuration's use of the entry is then released). */
ia__web_entry *ia__web_acquire(ia__web_cache *wc, const ia_bench_config *c, ia_bench_result *r) {
    ia__web_entry *e = ia__web_find(wc, c);
    if (!e) {
        r->status = IA_BENCH_FAILED;
        snprintf(r->reason, sizeof r->reason, "load: no browser session slot for device %s", c->device);
        return NULL;
    }
    if (!e->tried) {
        e->tried = 1;
        ia_web_options wo;
        ia_web_options_init(&wo);
        wo.device = e->device;
        wo.threads = e->threads;
        /* a model file runs as given; a transformers.js-style folder picks the variant: fp16
         * (onnx/model_fp16.onnx), int8 (model_quantized.onnx), int4 (model_q4.onnx); bench converts nothing */
        const char *wp = web_precision(e->precision);
        wo.precision = strcmp(e->precision, "fp32") ? wp : NULL;
        char file[4096];
        if (ia_web_model_variant(e->model, wp, file, sizeof file)) {
            e->status = IA_BENCH_UNAVAILABLE;
            snprintf(e->reason, sizeof e->reason, "no %s variant of this model for the browser (%s); onnxruntime-web runs an exported "
                     "variant (a transformers.js-style folder's onnx/model_fp16.onnx, model_quantized.onnx or model_q4.onnx)",
                     e->precision, ia_last_error());
        }
        double t0 = now_ms();
        int rc = IA_OK;
        if (e->status == IA_BENCH_UNAVAILABLE) rc = IA_ERR_UNAVAILABLE;
        else if (e->browsers > 0) { /* a pool: browsers start now, the model loads in each page on first use */
            ia_web_pool_options po;
            ia_web_pool_options_init(&po);
            po.web = wo;
            po.browsers = e->browsers;
            po.pages = e->pages;
            po.per_page = 1;
            rc = ia_web_pool_create(&po, &e->pool);
        } else
            rc = ia_web_session_create(e->model, &wo, &e->ws);
        e->load_ms = now_ms() - t0;
        if (rc && e->status == IA_BENCH_UNAVAILABLE) {
            /* reason set above */
        } else if (rc) {
            e->status = rc == IA_ERR_UNAVAILABLE ? IA_BENCH_UNAVAILABLE : IA_BENCH_FAILED;
            snprintf(e->reason, sizeof e->reason, "%s%s", e->status == IA_BENCH_FAILED ? "load: " : "", ia_last_error());
            e->ws = NULL;
        } else {
            e->status = IA_BENCH_OK;
            if (e->ws) ia_web_session_info(e->ws, &e->info);
        }
    }
    if (e->status != IA_BENCH_OK) {
        r->status = e->status;
        snprintf(r->reason, sizeof r->reason, "%s", e->reason);
        ia__web_release(e); /* this configuration is done with it */
        return NULL;
    }
    r->has_web = e->ws != NULL; /* a pool's pages do not report what ran one by one */
    if (e->ws) r->web = e->info;
    r->load_ms = e->load_ms;
    return e;
}

/* One configuration of this key is done: the last one closes the browser. */
void ia__web_release(ia__web_entry *e) {
    if (!e) return;
    if (e->users > 0) e->users--;
    if (!e->users) entry_close(e);
}

/* A one-thread CPU session on the model's CPU view: the engine's reading of the input signature,
 * from which browser inputs are generated exactly as for the CPU configuration. */
static int cpu_view_session(const ia_bench_config *c, ia_session **s) {
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = 1;
    char cpu_file[4096];
    return ia_session_create(cpu_view(c->model, cpu_file, sizeof cpu_file), &so, s);
}

/* Inputs for the browser session, generated exactly as for the CPU configuration (the same
 * signature binding and seed) by the CPU engine's view of the model, then ordered by the
 * browser session's input names. in[] has ia_web_session_input_count entries. */
int ia__web_make_inputs(ia_web_session *ws, const ia_bench_config *c, const ia_bench_options *o, ia_value **in, size_t n_in) {
    ia_session *s = NULL;
    int rc = cpu_view_session(c, &s);
    if (rc) return rc;
    size_t n_cpu = ia_session_input_count(s);
    ia_value **tmp = ia_calloc(n_cpu + 1, sizeof *tmp);
    if (!tmp) { ia_session_destroy(s); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    rc = ia__bench_make_inputs(s, c, o, tmp, n_cpu);
    for (size_t i = 0; !rc && i < n_in; i++) {
        const char *name = ia_web_session_input_name(ws, i);
        size_t k = 0;
        while (k < n_cpu && (!name || strcmp(ia_session_input_name(s, k), name))) k++;
        if (k == n_cpu || !tmp[k])
            rc = ia_set_error(IA_ERR_INVALID_ARG, "browser input '%s' has no generated value", name ? name : "?");
        else { in[i] = tmp[k]; tmp[k] = NULL; }
    }
    for (size_t k = 0; k < n_cpu; k++) ia_value_destroy(tmp[k]);
    ia_free(tmp);
    ia_session_destroy(s);
    return rc;
}

/* ---- browser pool (ia_web_pool): inputs by name and one iteration of `conc` requests at once ---- */

int ia__web_pool_inputs(const ia_bench_config *c, const ia_bench_options *o, char ***names, ia_value ***in, size_t *n_in, size_t *n_out) {
    ia_session *s = NULL;
    int rc = cpu_view_session(c, &s);
    if (rc) return rc;
    size_t n = ia_session_input_count(s);
    *n_out = ia_session_output_count(s);
    *in = ia_calloc(n + 1, sizeof **in);
    *names = ia_calloc(n + 1, sizeof **names);
    if (!*in || !*names) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
    if (!rc) rc = ia__bench_make_inputs(s, c, o, *in, n);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *nm = ia_session_input_name(s, i);
        size_t l = strlen(nm ? nm : "");
        (*names)[i] = ia_malloc(l + 1);
        if (!(*names)[i]) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        else memcpy((*names)[i], nm ? nm : "", l + 1);
    }
    *n_in = n;
    ia_session_destroy(s);
    return rc;
}

typedef struct pool_req {
    ia_web_pool *pool;
    const char *model;
    const char *const *names;
    ia_value *const *in;
    size_t n_in, n_out;
    int rc;
    char err[400];
} pool_req;

static void *pool_req_run(void *arg) {
    pool_req *q = arg;
    ia_value **out = ia_calloc(q->n_out + 1, sizeof *out);
    if (!out) { q->rc = IA_ERR_NOMEM; snprintf(q->err, sizeof q->err, "out of memory"); return NULL; }
    q->rc = ia_web_pool_run(q->pool, q->model, q->names, q->in, q->n_in, out, q->n_out, q->err, sizeof q->err);
    for (size_t k = 0; k < q->n_out; k++) ia_value_destroy(out[k]);
    ia_free(out);
    return NULL;
}

int ia__web_pool_iteration(ia_web_pool *p, const char *model, const char *const *names, ia_value *const *in, size_t n_in, size_t n_out,
                           int conc, char *err, size_t cap) {
    if (conc < 1) conc = 1;
    pool_req *q = ia_calloc((size_t)conc, sizeof *q);
    pthread_t *th = ia_calloc((size_t)conc, sizeof *th);
    int *started = ia_calloc((size_t)conc, sizeof *started);
    if (!q || !th || !started) { ia_free(q); ia_free(th); ia_free(started); snprintf(err, cap, "out of memory"); return IA_ERR_NOMEM; }
    for (int i = 0; i < conc; i++) q[i] = (pool_req){p, model, names, in, n_in, n_out, 0, ""};
    if (conc == 1) pool_req_run(&q[0]); /* latency: no thread in the timed path */
    else
        for (int i = 0; i < conc; i++) started[i] = !pthread_create(&th[i], NULL, pool_req_run, &q[i]);
    int rc = IA_OK;
    for (int i = 0; i < conc; i++) {
        if (conc > 1) {
            if (started[i]) pthread_join(th[i], NULL);
            else { q[i].rc = IA_ERR_IO; snprintf(q[i].err, sizeof q[i].err, "cannot start a request thread"); }
        }
        if (q[i].rc && !rc) { rc = q[i].rc; snprintf(err, cap, "%s", q[i].err); }
    }
    ia_free(q);
    ia_free(th);
    ia_free(started);
    return rc;
}
