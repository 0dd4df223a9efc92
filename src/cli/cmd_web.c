/* `run MODEL --device wasm|webgpu|webnn ...` (through the browser bridge) and `browser`
 * (probe a browser's WebGPU / WebNN / WASM capabilities). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cli.h"
#include "ia/alloc.h"
#include "ia/store.h"
#include "ia/web.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "ops/kernel_util.h"

#define MAXN 256

typedef struct web_args {
    const char *model, *input_dir, *output_dir, *device, *browser, *precision;
    const char *named[MAXN], *named_file[MAXN];
    int n_named;
    char *dim_name[MAXN];
    int64_t dim_value[MAXN];
    int n_dims;
    int threads, warmup, repeat, json, random_inputs, visible, timeout_ms;
    int browsers, pages; /* > 0: run through the resource pool */
} web_args;

static int parse(int argc, char **argv, web_args *a) {
    memset(a, 0, sizeof *a);
    a->repeat = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--input") && v) {
            char *name;
            if (a->n_named >= MAXN || ia__cli_split_option(v, &name, &a->named_file[a->n_named])) {
                fprintf(stderr, "run: --input takes NAME=FILE.pb\n");
                return -1;
            }
            a->named[a->n_named++] = name;
            i++;
        } else if (!strcmp(o, "--dim") && v) {
            char *name;
            const char *val;
            if (a->n_dims >= MAXN || ia__cli_split_option(v, &name, &val)) {
                fprintf(stderr, "run: --dim takes NAME=N\n");
                return -1;
            }
            a->dim_name[a->n_dims] = name;
            a->dim_value[a->n_dims++] = atoll(val);
            i++;
        } else if (!strcmp(o, "--input-dir") && v) { a->input_dir = v; i++; }
        else if (!strcmp(o, "--output-dir") && v) { a->output_dir = v; i++; }
        else if (!strcmp(o, "--device") && v) { a->device = v; i++; }
        else if (!strcmp(o, "--browser") && v) { a->browser = v; i++; }
        else if (!strcmp(o, "--threads") && v) { a->threads = atoi(v); i++; }
        else if (!strcmp(o, "--warmup") && v) { a->warmup = atoi(v); i++; }
        else if (!strcmp(o, "--repeat") && v) { a->repeat = atoi(v); i++; }
        else if (!strcmp(o, "--timeout") && v) { a->timeout_ms = (int)(atof(v) * 1000); i++; }
        else if (!strcmp(o, "--optimize") && v) { i++; }
        else if (!strcmp(o, "--dtype") && v) { a->precision = v; i++; }
        else if (!strcmp(o, "--browsers") && v) { a->browsers = atoi(v); i++; }
        else if (!strcmp(o, "--pages") && v) { a->pages = atoi(v); i++; }
        else if (!strcmp(o, "--json")) a->json = 1;
        else if (!strcmp(o, "--visible")) a->visible = 1;
        else if (!strcmp(o, "--random-inputs")) a->random_inputs = 1;
        else if (o[0] == '-') { fprintf(stderr, "run: unknown or incomplete option %s\n", o); return -1; }
        else if (!a->model) a->model = o;
        else { fprintf(stderr, "run: unexpected argument %s\n", o); return -1; }
    }
    if (!a->model) { fprintf(stderr, "usage: ipfs-accelerate run MODEL --device wasm|webgpu|webnn [options]\n"); return -1; }
    if (a->repeat < 1) a->repeat = 1;
    if (a->warmup < 0) a->warmup = 0;
    return 0;
}

/* Inputs in the model's graph order (initializer-backed inputs skipped), by name. */
static int make_inputs(const web_args *a, const ia_graph *g, char **names, ia_value **vals, size_t *n) {
    size_t k = 0, file_k = 0;
    for (size_t i = 0; i < g->n_inputs && k < MAXN; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        const char *file = NULL;
        char buf[4096];
        for (int j = 0; j < a->n_named; j++)
            if (!strcmp(a->named[j], vs->name)) file = a->named_file[j];
        if (vs->init && !file) continue;
        if (!file && a->input_dir) { snprintf(buf, sizeof buf, "%s/input_%zu.pb", a->input_dir, file_k); file = buf; }
        if (!vs->init) file_k++;
        names[k] = vs->name;
        vals[k] = NULL;
        if (file) {
            uint8_t *d;
            size_t len;
            if (ia__cli_read_file(file, &d, &len)) { fprintf(stderr, "run: cannot read input '%s' from %s\n", vs->name, file); return -1; }
            int rc = ia__value_decode(d, len, &vs->type, &vals[k]);
            free(d);
            if (rc) { fprintf(stderr, "run: %s: %s\n", file, ia_last_error()); return -1; }
        } else if (a->random_inputs) {
            if (ia__cli_random_input(g, i, a->n_dims, (const char *const *)a->dim_name, a->dim_value, &vals[k])) return -1;
        } else {
            fprintf(stderr, "run: no value for input '%s' (use --input, --input-dir or --random-inputs)\n", vs->name);
            return -1;
        }
        *n = ++k;
    }
    return 0;
}

static int append_buf(void *user, const void *data, size_t len) {
    struct { uint8_t *p; size_t len, cap; } *b = user;
    if (b->len + len > b->cap) return -1;
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

/* A model file, or "ipfs://CID[/path]" from the content store (blocks verified). */
static int load_model_any(const char *spec, const char *precision, ia_model **m) {
    const char *cp = !strncmp(spec, "ipfs://", 7) ? spec + 7 : !strncmp(spec, "/ipfs/", 6) ? spec : NULL;
    if (!cp) {
        char file[4096];
        int rc = ia_web_model_variant(spec, precision, file, sizeof file);
        return rc ? rc : ia_model_load(file, m);
    }
    ia_blockstore *bs;
    ia_cid cid;
    uint64_t size = 0;
    int rc = ia_blockstore_open(NULL, &bs);
    if (rc) return rc;
    rc = ia_store_resolve(bs, cp, &cid);
    if (!rc) rc = ia_store_file_size(bs, &cid, &size);
    struct { uint8_t *p; size_t len, cap; } b = {0};
    if (!rc && !(b.p = malloc(size ? (size_t)size : 1))) rc = ia_set_error(IA_ERR_NOMEM, "out of memory for %s", spec);
    b.cap = (size_t)size;
    if (!rc) rc = ia_store_cat(bs, &cid, 0, UINT64_MAX, append_buf, &b);
    if (!rc) rc = ia_model_load_memory(b.p, b.len, NULL, m);
    free(b.p);
    ia_blockstore_close(bs);
    return rc;
}

static int cmp_d(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

/* Pool mode: browsers x pages, one client thread per page, warmup + repeat requests in all. */
typedef struct pool_job {
    ia_web_pool *pool;
    const char *model;
    char **names;
    ia_value **vals;
    size_t nv;
    int total, *next, *failed;
    double *lat;
    pthread_mutex_t *mu;
    char *first_err;
} pool_job;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *pool_client(void *arg) {
    pool_job *j = arg;
    for (;;) {
        pthread_mutex_lock(j->mu);
        int r = (*j->next)++;
        pthread_mutex_unlock(j->mu);
        if (r >= j->total) break;
        ia_value *out[MAXN] = {0};
        char err[1024] = "";
        double t0 = now_ms();
        int rc = ia_web_pool_run(j->pool, j->model, (const char *const *)j->names, j->vals, j->nv, out, 1, err, sizeof err);
        j->lat[r] = now_ms() - t0;
        ia_value_destroy(out[0]);
        if (rc) {
            pthread_mutex_lock(j->mu);
            (*j->failed)++;
            if (!j->first_err[0]) snprintf(j->first_err, 1024, "%s", err);
            pthread_mutex_unlock(j->mu);
        }
    }
    return NULL;
}

static int run_pool(const web_args *a, char **names, ia_value **vals, size_t nv) {
    ia_web_pool_options po;
    ia_web_pool_options_init(&po);
    po.web.device = a->device;
    po.web.precision = a->precision;
    po.web.browser = a->browser;
    po.web.visible = a->visible;
    po.web.threads = a->threads;
    po.web.timeout_ms = a->timeout_ms;
    po.web.n_free_dims = (size_t)a->n_dims;
    po.web.free_dim_names = (const char *const *)a->dim_name;
    po.web.free_dim_values = a->dim_value;
    po.browsers = a->browsers > 0 ? a->browsers : 1;
    po.pages = a->pages > 0 ? a->pages : 1;
    ia_web_pool *pool;
    if (ia_web_pool_create(&po, &pool)) { fprintf(stderr, "run: %s\n", ia_last_error()); return IA_EXIT_FAIL; }
    int total = a->warmup + a->repeat, next = 0, failed = 0, nth = po.browsers * po.pages;
    double *lat = calloc((size_t)total, sizeof *lat);
    char first_err[1024] = "";
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pool_job j = {pool, a->model, names, vals, nv, total, &next, &failed, lat, &mu, first_err};
    pthread_t *th = calloc((size_t)nth, sizeof *th);
    double t0 = now_ms();
    for (int i = 0; i < nth; i++) pthread_create(&th[i], NULL, pool_client, &j);
    for (int i = 0; i < nth; i++) pthread_join(th[i], NULL);
    double wall = now_ms() - t0;
    ia_web_pool_stats st;
    ia_web_pool_get_stats(pool, &st);
    int n = total - a->warmup; /* latencies of the requests after the first `warmup` */
    double *l = lat + a->warmup;
    qsort(l, (size_t)n, sizeof *l, cmp_d);
    int p90 = (int)ceil(0.9 * n) - 1;
    if (p90 < 0) p90 = 0;
    double med = n % 2 ? l[n / 2] : (l[n / 2 - 1] + l[n / 2]) / 2;
    if (failed == 0 || a->json) {
        if (a->json)
            printf("{\"mode\":\"pool\",\"device\":\"%s\",\"browsers\":%d,\"pages\":%d,\"requests\":%d,\"failed\":%d,\"median_ms\":%.4f,"
                   "\"p90_ms\":%.4f,\"throughput_per_s\":%.2f,\"loads\":%llu,\"restarts\":%llu,\"retried\":%llu}\n",
                   a->device, po.browsers, po.pages, total, failed, med, l[p90], total / (wall / 1e3), (unsigned long long)st.loads,
                   (unsigned long long)st.restarts, (unsigned long long)st.retried);
        else
            printf("pool %d browser(s) x %d page(s) on %s: %d requests, %d failed, latency median %.3f ms p90 %.3f ms, %.1f requests/s; "
                   "%llu loads, %llu restarts, %llu retried\n", po.browsers, po.pages, a->device, total, failed, med, l[p90], total / (wall / 1e3),
                   (unsigned long long)st.loads, (unsigned long long)st.restarts, (unsigned long long)st.retried);
    }
    if (failed) fprintf(stderr, "run: %d of %d requests failed; first: %s\n", failed, total, first_err);
    free(th);
    free(lat);
    ia_web_pool_destroy(pool);
    return failed ? IA_EXIT_FAIL : IA_EXIT_OK;
}

int ia_cmd_run_web(int argc, char **argv) {
    web_args a;
    if (parse(argc, argv, &a)) return IA_EXIT_USAGE;
    ia_model *m;
    if (load_model_any(a.model, a.precision, &m)) { fprintf(stderr, "run: %s\n", ia_last_error()); return IA_EXIT_FAIL; }
    char *names[MAXN];
    ia_value *vals[MAXN] = {0}, *in[MAXN] = {0}, *out[MAXN] = {0};
    size_t nv = 0;
    int status = make_inputs(&a, m->graph, names, vals, &nv) ? IA_EXIT_FAIL : IA_EXIT_OK;
    if (status == IA_EXIT_OK && (a.browsers > 0 || a.pages > 0)) {
        status = run_pool(&a, names, vals, nv);
        for (size_t k = 0; k < nv; k++) ia_value_destroy(vals[k]);
        for (int k = 0; k < a.n_named; k++) ia_free((void *)a.named[k]);
        for (int k = 0; k < a.n_dims; k++) ia_free(a.dim_name[k]);
        ia_model_destroy(m);
        return status;
    }
    ia_web_session *s = NULL;
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = a.device;
    o.precision = a.precision;
    o.browser = a.browser;
    o.visible = a.visible;
    o.threads = a.threads;
    o.timeout_ms = a.timeout_ms;
    o.n_free_dims = (size_t)a.n_dims;
    o.free_dim_names = (const char *const *)a.dim_name;
    o.free_dim_values = a.dim_value;
    double t_load = 0;
    if (status == IA_EXIT_OK) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (ia_web_session_create(a.model, &o, &s)) {
            fprintf(stderr, "run: %s\n", ia_last_error());
            status = IA_EXIT_FAIL;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        t_load = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    size_t n_in = s ? ia_web_session_input_count(s) : 0, n_out = s ? ia_web_session_output_count(s) : 0;
    for (size_t i = 0; status == IA_EXIT_OK && i < n_in && i < MAXN; i++) {
        const char *nm = ia_web_session_input_name(s, i);
        for (size_t k = 0; k < nv; k++)
            if (!strcmp(names[k], nm)) in[i] = vals[k];
        if (!in[i]) { fprintf(stderr, "run: the page expects input '%s', which the model file does not feed\n", nm); status = IA_EXIT_FAIL; }
    }
    int total = a.warmup + a.repeat;
    double *times = calloc((size_t)a.repeat, sizeof *times), *page = calloc((size_t)a.repeat, sizeof *page);
    for (int it = 0; it < total && status == IA_EXIT_OK; it++) {
        for (size_t k = 0; k < n_out; k++) { ia_value_destroy(out[k]); out[k] = NULL; }
        if (ia_web_session_run(s, in, n_in, out, n_out)) {
            fprintf(stderr, "run: %s\n", ia_web_session_errmsg(s));
            status = IA_EXIT_FAIL;
            break;
        }
        ia_web_run_stats st;
        ia_web_session_last_stats(s, &st);
        if (it >= a.warmup) { times[it - a.warmup] = st.c_ms; page[it - a.warmup] = st.page_ms; }
    }
    if (status == IA_EXIT_OK) {
        ia_web_info inf;
        ia_web_session_info(s, &inf);
        qsort(times, (size_t)a.repeat, sizeof *times, cmp_d);
        qsort(page, (size_t)a.repeat, sizeof *page, cmp_d);
        double med = a.repeat % 2 ? times[a.repeat / 2] : (times[a.repeat / 2 - 1] + times[a.repeat / 2]) / 2;
        double pmed = a.repeat % 2 ? page[a.repeat / 2] : (page[a.repeat / 2 - 1] + page[a.repeat / 2]) / 2;
        int p90 = (int)ceil(0.9 * a.repeat) - 1;
        if (p90 < 0) p90 = 0;
        if (a.json) {
            printf("{\"median_ms\":%.4f,\"p90_ms\":%.4f,\"min_ms\":%.4f,\"page_median_ms\":%.4f,\"iters\":%d,\"threads\":%d,\"load_ms\":%.3f,",
                   med, times[p90], times[0], pmed, a.repeat, inf.wasm_threads, t_load);
            printf("\"device\":"); json_str(inf.device);
            printf(",\"browser\":"); json_str(inf.browser);
            printf(",\"browser_version\":"); json_str(inf.browser_version);
            printf(",\"bundle\":"); json_str(inf.bundle);
            printf(",\"ort_version\":"); json_str(inf.ort_version);
            printf(",\"ep\":"); json_str(inf.ep);
            printf(",\"ep_verified\":%s,\"adapter\":", inf.ep_verified ? "true" : "false");
            if (inf.software_adapter < 0) printf("null,\"software_adapter\":null");
            else {
                printf("{\"vendor\":"); json_str(inf.adapter_vendor);
                printf(",\"architecture\":"); json_str(inf.adapter_architecture);
                printf(",\"description\":"); json_str(inf.adapter_description);
                printf("},\"software_adapter\":%s", inf.software_adapter ? "true" : "false");
            }
            printf(",\"cross_origin_isolated\":%s,\"load\":{\"bundle_ms\":%.3f,\"download_ms\":%.3f,\"create_ms\":%.3f,\"model_bytes\":%llu}}\n",
                   inf.cross_origin_isolated ? "true" : "false", inf.bundle_ms, inf.download_ms, inf.create_ms, (unsigned long long)inf.model_bytes);
        } else {
            printf("model %s on %s in %s %s (%s, onnxruntime-web %s): loaded in %.1f ms (download %.1f, session %.1f)\n", a.model, inf.device,
                   inf.browser, inf.browser_version, inf.bundle, inf.ort_version, t_load, inf.download_ms, inf.create_ms);
            printf("execution providers that ran: %s%s\n", inf.ep, inf.ep_verified ? "" : "  (NOT only the requested device's)");
            if (inf.software_adapter >= 0)
                printf("adapter: %s %s %s%s\n", inf.adapter_vendor, inf.adapter_architecture, inf.adapter_description,
                       inf.software_adapter ? " (software fallback adapter)" : "");
            printf("outputs\n");
            for (size_t k = 0; k < n_out; k++) {
                const ia_tensor *t = out[k]->tensor;
                char sh[128];
                printf("  %s: %s %s [", ia_web_session_output_name(s, k), ia_dtype_name(t->dtype), ia_shape_str(t->rank, t->dims, sh, sizeof sh));
                for (int64_t i = 0; i < t->numel && i < 8; i++)
                    printf("%s%.6g", i ? ", " : "", ia_dtype_is_float(t->dtype) ? ia_get_f64(t->data, t->dtype, i) : (double)ia_get_i64(t->data, t->dtype, i));
                printf("%s]\n", t->numel > 8 ? ", ..." : "");
            }
            printf("latency over %d run%s (after %d warm-up): median %.3f ms (page %.3f ms), p90 %.3f ms, min %.3f ms\n", a.repeat,
                   a.repeat > 1 ? "s" : "", a.warmup, med, pmed, times[p90], times[0]);
        }
        if (a.output_dir) {
            mkdir(a.output_dir, 0755);
            for (size_t k = 0; k < n_out && status == IA_EXIT_OK; k++) {
                char p[4096];
                snprintf(p, sizeof p, "%s/output_%zu.pb", a.output_dir, k);
                ia_pbw w = {0};
                ia__value_encode(&w, out[k], ia_web_session_output_name(s, k));
                FILE *f = fopen(p, "wb");
                if (w.failed || !f || fwrite(w.buf, 1, w.len, f) != w.len) { fprintf(stderr, "run: cannot write %s\n", p); status = IA_EXIT_FAIL; }
                if (f) fclose(f);
                ia_pbw_free(&w);
            }
        }
    }
    free(times);
    free(page);
    for (size_t k = 0; k < nv; k++) ia_value_destroy(vals[k]);
    for (size_t k = 0; k < n_out; k++) ia_value_destroy(out[k]);
    for (int k = 0; k < a.n_named; k++) ia_free((void *)a.named[k]);
    for (int k = 0; k < a.n_dims; k++) ia_free(a.dim_name[k]);
    ia_web_session_destroy(s);
    ia_model_destroy(m);
    return status;
}

int ia_cmd_browser(int argc, char **argv) {
    ia_web_options o;
    ia_web_options_init(&o);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--browser") && i + 1 < argc) o.browser = argv[++i];
        else if (!strcmp(argv[i], "--visible")) o.visible = 1;
        else if (!strcmp(argv[i], "--json")) continue;
        else { fprintf(stderr, "browser: unknown option %s\n", argv[i]); return IA_EXIT_USAGE; }
    }
    char *js;
    if (ia_web_probe(&o, &js)) { fprintf(stderr, "browser: %s\n", ia_last_error()); return IA_EXIT_FAIL; }
    printf("%s\n", js);
    ia_free(js);
    return IA_EXIT_OK;
}

static void read_loadavg(double l[3]) {
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f || fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3) l[0] = l[1] = l[2] = -1;
    if (f) fclose(f);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* `browser-bench MODEL --device D [inputs] [--rounds R] [--iters K] [--echo-mb N]`: the bridge's
 * per-run latency against the same onnxruntime-web session driven directly in the page (same
 * inputs, interleaved rounds, medians), socket transfer rate, and the load split. */
int ia_cmd_browser_bench(int argc, char **argv) {
    int rounds = 5, iters = 20, echo_mb = 64;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (i > 0 && !strcmp(argv[i], "--iters") && i + 1 < argc) iters = atoi(argv[++i]);
        else if (i > 0 && !strcmp(argv[i], "--echo-mb") && i + 1 < argc) echo_mb = atoi(argv[++i]);
        else rest[nrest++] = argv[i];
    }
    web_args a;
    int prc = parse(nrest, rest, &a);
    free(rest);
    if (prc) return IA_EXIT_USAGE;
    if (rounds < 1) rounds = 1;
    if (iters < 1) iters = 1;
    ia_model *m;
    if (load_model_any(a.model, a.precision, &m)) { fprintf(stderr, "browser-bench: %s\n", ia_last_error()); return IA_EXIT_FAIL; }
    char *names[MAXN];
    ia_value *vals[MAXN] = {0}, *in[MAXN] = {0}, *out[MAXN] = {0};
    size_t nv = 0;
    int status = make_inputs(&a, m->graph, names, vals, &nv) ? IA_EXIT_FAIL : IA_EXIT_OK;
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = a.device ? a.device : "wasm";
    o.browser = a.browser;
    o.threads = a.threads;
    o.timeout_ms = a.timeout_ms;
    o.n_free_dims = (size_t)a.n_dims;
    o.free_dim_names = (const char *const *)a.dim_name;
    o.free_dim_values = a.dim_value;
    ia_web_session *s = NULL;
    if (status == IA_EXIT_OK && ia_web_session_create(a.model, &o, &s)) {
        fprintf(stderr, "browser-bench: %s\n", ia_last_error());
        status = IA_EXIT_FAIL;
    }
    size_t n_in = s ? ia_web_session_input_count(s) : 0, n_out = s ? ia_web_session_output_count(s) : 0;
    for (size_t i = 0; status == IA_EXIT_OK && i < n_in; i++)
        for (size_t k = 0; k < nv; k++)
            if (!strcmp(names[k], ia_web_session_input_name(s, i))) in[i] = vals[k];
    int nb = rounds * iters;
    double *br = calloc((size_t)nb, sizeof *br), *pg = calloc((size_t)nb, sizeof *pg), *rb = calloc((size_t)rounds, sizeof *rb),
           *rp = calloc((size_t)rounds, sizeof *rp), *tmp = calloc((size_t)iters, sizeof *tmp);
    enum { NHOP = sizeof(((ia_web_run_stats *)0)->hop) / sizeof(double) };
    double *hops = calloc((size_t)nb * NHOP, sizeof *hops), *col = calloc((size_t)nb, sizeof *col);
    double first_ms = 0, *ec = calloc((size_t)nb, sizeof *ec), *lb = calloc((size_t)nb, sizeof *lb), load0[3] = {0}, load1[3] = {0};
    size_t req_bytes = 0;
    ia_web_loopback *loop = NULL;
    uint64_t last_reply = 0;
    read_loadavg(load0);
    for (int w = 0; w < 5 && status == IA_EXIT_OK; w++) { /* warm-up; the first run is the first inference */
        for (size_t k = 0; k < n_out; k++) { ia_value_destroy(out[k]); out[k] = NULL; }
        if (ia_web_session_run(s, in, n_in, out, n_out)) { fprintf(stderr, "browser-bench: %s\n", ia_web_session_errmsg(s)); status = IA_EXIT_FAIL; }
        ia_web_run_stats st;
        ia_web_session_last_stats(s, &st);
        if (w == 0) first_ms = st.c_ms;
        req_bytes = (size_t)st.bytes_sent;
    }
    for (int r = 0; r < rounds && status == IA_EXIT_OK; r++) {
        /* alternate which of bridge and in-page goes first in a round; then a message of the
         * request's size is echoed through the page (the transport: no tensors, no session.run)
         * and through a bridge server of ours from a C client (no browser). IA_WEB_TRACE=1
         * prints every bridge run's hops (ia_web_run_stats.hop, in declaration order) to stderr. */
        for (int side = 0; side < 4 && status == IA_EXIT_OK; side++) {
            if (side == 2) {
                for (int k = 0; k < iters && status == IA_EXIT_OK; k++)
                    if (ia_web_session_echo(s, req_bytes, &ec[r * iters + k])) { fprintf(stderr, "browser-bench: echo: %s\n", ia_web_session_errmsg(s)); status = IA_EXIT_FAIL; }
            } else if (side == 3) { /* the same echo from a C client to a bridge server: no browser */
                if (!loop && ia_web_loopback_open(&loop)) { fprintf(stderr, "browser-bench: loopback echo: %s\n", ia_last_error()); status = IA_EXIT_FAIL; }
                else if (ia_web_loopback_echo(loop, req_bytes, iters, &lb[r * iters])) { fprintf(stderr, "browser-bench: loopback echo: %s\n", ia_last_error()); status = IA_EXIT_FAIL; }
            } else if ((side + r) % 2 == 0) {
                for (int k = 0; k < iters && status == IA_EXIT_OK; k++) {
                    for (size_t q = 0; q < n_out; q++) { ia_value_destroy(out[q]); out[q] = NULL; }
                    if (ia_web_session_run(s, in, n_in, out, n_out)) { fprintf(stderr, "browser-bench: %s\n", ia_web_session_errmsg(s)); status = IA_EXIT_FAIL; }
                    ia_web_run_stats st;
                    ia_web_session_last_stats(s, &st);
                    last_reply = st.bytes_received;
                    br[r * iters + k] = tmp[k] = st.c_ms;
                    memcpy(hops + (size_t)(r * iters + k) * NHOP, &st.hop, sizeof st.hop);
                    if (getenv("IA_WEB_TRACE")) {
                        const double *hp = (const double *)&st.hop;
                        fprintf(stderr, "trace %.3f:", st.c_ms);
                        for (int h = 0; h < NHOP; h++) fprintf(stderr, " %.3f", hp[h]);
                        fprintf(stderr, "\n");
                    }
                }
                rb[r] = median(tmp, iters);
            } else {
                if (ia_web_session_bench_in_page(s, iters, tmp)) { fprintf(stderr, "browser-bench: %s\n", ia_web_session_errmsg(s)); status = IA_EXIT_FAIL; break; }
                memcpy(pg + r * iters, tmp, (size_t)iters * sizeof *tmp);
                rp[r] = median(tmp, iters);
            }
        }
    }
    double echo_ms[3] = {0}, echo_rate = 0;
    size_t echo_bytes = (size_t)echo_mb << 20;
    for (int e = 0; e < 3 && status == IA_EXIT_OK && echo_mb > 0; e++) {
        if (ia_web_session_echo(s, echo_bytes, &echo_ms[e])) { fprintf(stderr, "browser-bench: echo: %s\n", ia_web_session_errmsg(s)); status = IA_EXIT_FAIL; }
    }
    if (status == IA_EXIT_OK) {
        ia_web_info inf;
        ia_web_session_info(s, &inf);
        double mb = median(br, nb), mp = median(pg, nb);
        double em = echo_mb > 0 ? median(echo_ms, 3) : 0;
        echo_rate = em > 0 ? 2.0 * (double)echo_bytes / 1e6 / (em / 1e3) : 0;
        /* per-round ratios, then their median: robust to drift between rounds */
        double *ratio = calloc((size_t)rounds, sizeof *ratio);
        for (int r = 0; r < rounds; r++) ratio[r] = rb[r] / rp[r];
        double mr = median(ratio, rounds);
        free(ratio);
        printf("{\"model\":");
        json_str(a.model);
        printf(",\"device\":\"%s\",\"browser\":\"%s\",\"browser_version\":\"%s\",\"bundle\":\"%s\",\"ep\":\"%s\",\"software_adapter\":%d,"
               "\"wasm_threads\":%d,\"rounds\":%d,\"iters\":%d,\"bridge_median_ms\":%.4f,\"in_page_median_ms\":%.4f,\"overhead_ratio_median\":%.4f,"
               "\"echo_mb\":%d,\"echo_roundtrip_ms\":%.2f,\"transfer_mb_per_s\":%.1f,\"load\":{\"bundle_ms\":%.2f,\"download_ms\":%.2f,"
               "\"create_ms\":%.2f,\"first_inference_ms\":%.2f,\"model_bytes\":%llu}}\n",
               inf.device, inf.browser, inf.browser_version, inf.bundle, inf.ep, inf.software_adapter, inf.wasm_threads, rounds, iters, mb, mp,
               mr, echo_mb, em, echo_rate, inf.bundle_ms, inf.download_ms, inf.create_ms, first_ms, (unsigned long long)inf.model_bytes);
        /* per-hop medians over the bridge runs (ms); see ia_web_run_stats.hop */
        read_loadavg(load1);
        static const char *hop_names[NHOP] = {"encode", "send", "to_page", "dispatch", "prepare", "run", "outputs", "to_c", "wake", "decode", "transport", "reply_send"};
        printf("{\"model\":");
        json_str(a.model);
        printf(",\"device\":\"%s\",\"request_bytes\":%zu,\"reply_bytes_last\":%llu,\"echo_same_size_median_ms\":%.4f,\"echo_no_browser_median_ms\":%.4f,\"overhead_median_us\":%.1f,"
               "\"loadavg_1min\":[%.2f,%.2f],\"hops_median_ms\":{",
               inf.device, req_bytes, (unsigned long long)last_reply, median(ec, nb), median(lb, nb), (mb - mp) * 1e3, load0[0], load1[0]);
        for (int h = 0; h < NHOP; h++) {
            for (int i = 0; i < nb; i++) col[i] = hops[(size_t)i * NHOP + h];
            printf("%s\"%s\":%.4f", h ? "," : "", hop_names[h], median(col, nb));
        }
        printf("},\"hops_mean_ms\":{");
        for (int h = 0; h < NHOP; h++) {
            double sum = 0;
            for (int i = 0; i < nb; i++) sum += hops[(size_t)i * NHOP + h];
            printf("%s\"%s\":%.4f", h ? "," : "", hop_names[h], sum / nb);
        }
        double bsum = 0, psum = 0;
        for (int i = 0; i < nb; i++) { bsum += br[i]; psum += pg[i]; }
        printf("},\"bridge_mean_ms\":%.4f,\"in_page_mean_ms\":%.4f}\n", bsum / nb, psum / nb);
    }
    free(hops); free(col); free(ec); free(lb);
    ia_web_loopback_close(loop);
    free(br); free(pg); free(rb); free(rp); free(tmp);
    for (size_t k = 0; k < nv; k++) ia_value_destroy(vals[k]);
    for (size_t k = 0; k < n_out; k++) ia_value_destroy(out[k]);
    for (int k = 0; k < a.n_named; k++) ia_free((void *)a.named[k]);
    for (int k = 0; k < a.n_dims; k++) ia_free(a.dim_name[k]);
    ia_web_session_destroy(s);
    ia_model_destroy(m);
    return status;
}
