/* ia_web_session: the session API (include/ia/web.h) over the bridge: device checks, model load
 * with execution-provider verification, runs with tensors as binary frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/log.h"
#include "ia/status.h"
#include "ia/store.h"
#include "ia/web.h"
#include "web/web_internal.h"

#ifndef IA_WEB_STATIC_DIR_DEFAULT
#define IA_WEB_STATIC_DIR_DEFAULT "src/web/static"
#endif
#ifndef IA_WEB_DIST_DIR_DEFAULT
#define IA_WEB_DIST_DIR_DEFAULT "tools/web/node_modules/onnxruntime-web/dist"
#endif

struct ia_web_session {
    ia__bridge *b;
    int page;
    int remote;
    char **in_names, **out_names;
    size_t n_in, n_out;
    ia_web_info info;
    char *file;        /* the model file chosen (precision variant) */
    ia_blockstore *bs; /* model from the content store */
    ia_cid cid;
    ia_web_run_stats last;
    char *caps;
    int timeout_ms;
    char err[4096];
};

void ia_web_options_init(ia_web_options *o) {
    memset(o, 0, sizeof *o);
    o->device = "wasm";
}

static const char *dir_or(const char *given, const char *env, const char *def) {
    if (given && *given) return given;
    const char *e = getenv(env);
    return e && *e ? e : def;
}

typedef struct device_spec {
    const char *ep, *bundle, *webnn_type;
} device_spec;

static int parse_device(const char *d, device_spec *sp) {
    memset(sp, 0, sizeof *sp);
    if (!d || !strcmp(d, "wasm")) { sp->ep = "wasm"; sp->bundle = "ort.wasm.min.mjs"; return IA_OK; }
    /* The native WebGPU EP lives in the webgpu bundle (1.30); the all bundle has the older JS one. */
    if (!strcmp(d, "webgpu")) { sp->ep = "webgpu"; sp->bundle = "ort.webgpu.min.mjs"; return IA_OK; }
    if (!strcmp(d, "webnn") || !strcmp(d, "webnn-cpu")) sp->webnn_type = "cpu";
    else if (!strcmp(d, "webnn-gpu")) sp->webnn_type = "gpu";
    else if (!strcmp(d, "webnn-npu")) sp->webnn_type = "npu";
    else return ia_set_error(IA_ERR_INVALID_ARG, "unknown browser device '%s' (wasm, webgpu, webnn, webnn-gpu, webnn-npu)", d);
    sp->ep = "webnn";
    sp->bundle = "ort.all.min.mjs"; /* WebNN EP ships in the all bundle */
    return IA_OK;
}

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}
static double jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Fails unless the page said the device works, quoting the browser's own reason. */
static int check_device(ia_web_session *s, const char *device, const device_spec *sp, const cJSON *hello, const char *precision) {
    char name[128];
    ia__bridge_browser_name(s->b, name, sizeof name);
    if (!strcmp(sp->ep, "webgpu")) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(hello, "webgpu");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "available")))
            return ia_set_error(IA_ERR_UNAVAILABLE, "webgpu is unavailable in %s: %s", name, jstr(g, "error"));
        if (precision && !strcmp(precision, "fp16")) {
            int has = 0;
            const cJSON *f;
            cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(g, "features")) has |= cJSON_IsString(f) && !strcmp(f->valuestring, "shader-f16");
            if (!has)
                return ia_set_error(IA_ERR_UNAVAILABLE, "fp16 on webgpu needs the shader-f16 feature, which the %s/%s adapter in %s lacks",
                                    jstr(g, "vendor"), jstr(g, "architecture"), name);
        }
    } else if (!strcmp(sp->ep, "webnn")) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(hello, "webnn");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "present")))
            return ia_set_error(IA_ERR_UNAVAILABLE, "%s is unavailable in %s: %s", device, name, jstr(n, "error"));
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n, "contexts"), sp->webnn_type);
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ok")))
            return ia_set_error(IA_ERR_UNAVAILABLE, "%s is unavailable in %s: navigator.ml.createContext({deviceType: '%s'}) failed: %s",
                                device, name, sp->webnn_type, jstr(c, "error"));
    }
    return IA_OK;
}

static int names_from(const cJSON *arr, char ***out, size_t *n) {
    *n = 0;
    *out = NULL;
    if (!cJSON_IsArray(arr)) return ia_set_error(IA_ERR_PARSE, "bridge: the page's reply lacks input/output names");
    size_t k = (size_t)cJSON_GetArraySize(arr);
    *out = ia_calloc(k + 1, sizeof **out);
    if (!*out) return ia_set_error(IA_ERR_NOMEM, "bridge: out of memory");
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        if (!cJSON_IsString(v) || !((*out)[*n] = ia_strdup(v->valuestring))) return ia_set_error(IA_ERR_PARSE, "bridge: bad name in the page's reply");
        (*n)++;
    }
    return IA_OK;
}

static void fill_info(ia_web_session *s, const char *device, const cJSON *hello, const cJSON *loaded) {
    ia_web_info *in = &s->info;
    snprintf(in->browser, sizeof in->browser, "%s", s->b->br.kind);
    snprintf(in->browser_version, sizeof in->browser_version, "%s", s->b->br.version);
    snprintf(in->user_agent, sizeof in->user_agent, "%s", jstr(hello, "userAgent"));
    snprintf(in->device, sizeof in->device, "%s", !strcmp(device, "webnn") ? "webnn-cpu" : device);
    snprintf(in->bundle, sizeof in->bundle, "%s", jstr(loaded, "bundle"));
    snprintf(in->ort_version, sizeof in->ort_version, "%s", jstr(loaded, "ortVersion"));
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(loaded, "placements"), *v;
    in->ep[0] = 0;
    cJSON_ArrayForEach(v, pl) { /* "WebGpuExecutionProvider:69+CPUExecutionProvider:6" (node counts) */
        size_t l = strlen(in->ep);
        snprintf(in->ep + l, sizeof in->ep - l, "%s%s:%d", l ? "+" : "", jstr(v, "ep"), (int)jnum(v, "nodes"));
    }
    if (!in->ep[0]) snprintf(in->ep, sizeof in->ep, "unverified");
    in->ep_verified = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(loaded, "epVerified"));
    const cJSON *ad = cJSON_GetObjectItemCaseSensitive(loaded, "adapter");
    in->software_adapter = -1;
    if (cJSON_IsObject(ad)) {
        snprintf(in->adapter_vendor, sizeof in->adapter_vendor, "%s", jstr(ad, "vendor"));
        snprintf(in->adapter_architecture, sizeof in->adapter_architecture, "%s", jstr(ad, "architecture"));
        snprintf(in->adapter_description, sizeof in->adapter_description, "%s", jstr(ad, "description"));
        in->software_adapter = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ad, "isFallbackAdapter"));
    }
    in->wasm_threads = (int)jnum(loaded, "wasmThreads");
    in->cross_origin_isolated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(hello, "crossOriginIsolated"));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(loaded, "timings");
    in->bundle_ms = jnum(t, "bundle_ms");
    in->download_ms = jnum(t, "download_ms");
    in->create_ms = jnum(t, "create_ms");
    in->model_bytes = (uint64_t)jnum(loaded, "modelBytes");
}

static int load_model(ia_web_session *s, const char *path, const char *device, const device_spec *sp, const ia_web_options *o);

/* "ipfs://CID[/path]" or "/ipfs/CID[/path]": the part the store resolves, else NULL. */
static const char *store_path(const char *path) {
    return !strncmp(path, "ipfs://", 7) ? path + 7 : !strncmp(path, "/ipfs/", 6) ? path : NULL;
}

/* A model from the content store: served block by block, each block verified as it is sent. */
static int open_store_model(ia_web_session *s, const char *path) {
    int rc = ia_blockstore_open(NULL, &s->bs);
    if (!rc) rc = ia_store_resolve(s->bs, store_path(path), &s->cid);
    if (rc) {
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", ia_last_error());
        return ia_set_error(rc, "model %s: %s", path, keep);
    }
    return IA_OK;
}

/* Session handles over a given bridge page (used by the pool): load, run, free. */
int ia__web_load_on(ia__bridge *b, int page, const char *path, const ia_web_options *o, ia_web_session **out) {
    *out = NULL;
    device_spec sp;
    int rc = parse_device(o->device, &sp);
    if (rc) return rc;
    ia_web_session *s = ia_calloc(1, sizeof *s);
    if (!s) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    s->b = b;
    s->page = page;
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 120000;
    rc = check_device(s, o->device, &sp, b->pages[page].hello, o->precision);
    if (!rc && store_path(path)) {
        rc = open_store_model(s, path);
        if (!rc) rc = load_model(s, path, o->device ? o->device : "wasm", &sp, o);
    } else if (!rc) {
        char *file = ia_malloc(4096);
        if (!file) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        if (!rc) rc = ia_web_model_variant(path, o->precision, file, 4096);
        s->file = file;
        if (!rc) rc = load_model(s, file, o->device ? o->device : "wasm", &sp, o);
    }
    if (rc) { s->b = NULL; ia_web_session_destroy(s); return rc; }
    *out = s;
    return IA_OK;
}

void ia__web_detach(ia_web_session *s) {
    if (!s) return;
    s->b = NULL; /* the bridge belongs to the pool */
    ia_web_session_destroy(s);
}

void ia__web_release_remote(ia_web_session *s) {
    if (!s || !s->b) return;
    char js[128];
    snprintf(js, sizeof js, "{\"type\":\"release\",\"id\":%llu,\"session\":%d}", (unsigned long long)ia__bridge_next_id(s->b), s->remote);
    if (ia__bridge_post(s->b, s->page, js)) ia_log(IA_LOG_DEBUG, "bridge: releasing session %d in page %d: %s", s->remote, s->page, ia_last_error());
}

uint64_t ia__web_model_bytes(const ia_web_session *s) { return s->info.model_bytes; }

static int load_model(ia_web_session *s, const char *path, const char *device, const device_spec *sp, const ia_web_options *o) {
    char url[256];
    int rc = s->bs ? ia__server_add_store_model(s->b->srv, s->bs, &s->cid, url, sizeof url) : ia__server_add_model(s->b->srv, path, url, sizeof url);
    if (rc) return rc;
    uint64_t id = ia__bridge_next_id(s->b);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "type", "load");
    cJSON_AddNumberToObject(m, "id", (double)id);
    cJSON_AddStringToObject(m, "url", url);
    cJSON_AddStringToObject(m, "ep", sp->ep);
    cJSON_AddStringToObject(m, "bundle", sp->bundle);
    cJSON_AddNumberToObject(m, "threads", o->threads);
    if (sp->webnn_type) cJSON_AddStringToObject(m, "webnnDevice", sp->webnn_type);
    /* onnxruntime's idle-thread spinning: off on wasm (see bridge.js; measured in docs/BROWSER.md),
     * onnxruntime's default elsewhere (a short webgpu check was faster with it); IA_WEB_WASM_SPIN=0|1 decides */
    const char *spin = getenv("IA_WEB_WASM_SPIN");
    cJSON_AddBoolToObject(m, "spin", spin && *spin ? !strcmp(spin, "1") : strcmp(sp->ep, "wasm") != 0);
    cJSON *fd = cJSON_AddObjectToObject(m, "freeDims");
    for (size_t i = 0; i < o->n_free_dims; i++) cJSON_AddNumberToObject(fd, o->free_dim_names[i], (double)o->free_dim_values[i]);
    char *js = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!js) return ia_set_error(IA_ERR_NOMEM, "bridge: out of memory");
    ia__reply *r;
    rc = ia__bridge_call(s->b, s->page, 1, js, strlen(js), id, s->timeout_ms, &r);
    cJSON_free(js);
    if (rc && s->bs) { /* the page only saw a broken download: say what the store found */
        char why[1024], page[2048];
        ia__server_store_error(s->b->srv, why, sizeof why);
        snprintf(page, sizeof page, "%s", ia_last_error());
        if (why[0]) rc = ia_set_error(rc, "%s (the store stopped serving the model: %s)", page, why);
    }
    if (rc) return rc;
    cJSON *h = cJSON_ParseWithLength((const char *)r->msg, r->len);
    ia__reply_free(r);
    if (!h || strcmp(jstr(h, "type"), "loaded")) { cJSON_Delete(h); return ia_set_error(IA_ERR_PARSE, "bridge: unexpected reply to load"); }
    s->remote = (int)jnum(h, "session");
    rc = names_from(cJSON_GetObjectItemCaseSensitive(h, "inputs"), &s->in_names, &s->n_in);
    if (!rc) rc = names_from(cJSON_GetObjectItemCaseSensitive(h, "outputs"), &s->out_names, &s->n_out);
    if (!rc) fill_info(s, device, s->b->pages[s->page].hello, h);
    cJSON_Delete(h);
    return rc;
}

int ia_web_model_variant(const char *path, const char *precision, char *out, size_t cap) {
    static const struct { const char *prec, *file; } v[] = {
        {"fp32", "model.onnx"}, {"fp16", "model_fp16.onnx"}, {"q8", "model_quantized.onnx"}, {"q4", "model_q4.onnx"}};
    struct stat st;
    if (!precision || !*precision) precision = "fp32";
    if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
        if (strcmp(precision, "fp32"))
            return ia_set_error(IA_ERR_INVALID_ARG, "precision %s needs a model folder (onnx/model_*.onnx), not the file %s", precision, path);
        snprintf(out, cap, "%s", path);
        return IA_OK;
    }
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (strcmp(v[i].prec, precision)) continue;
        snprintf(out, cap, "%s/onnx/%s", path, v[i].file);
        if (access(out, R_OK)) return ia_set_error(IA_ERR_NOT_FOUND, "model folder %s has no %s variant (%s missing)", path, precision, out);
        return IA_OK;
    }
    return ia_set_error(IA_ERR_INVALID_ARG, "unknown precision '%s' (fp32, fp16, q8, q4)", precision);
}

int ia_web_session_create(const char *path, const ia_web_options *opts, ia_web_session **out) {
    *out = NULL;
    ia_web_options o;
    if (opts) o = *opts;
    else ia_web_options_init(&o);
    if (!o.device) o.device = "wasm";
    device_spec sp;
    int rc = parse_device(o.device, &sp);
    if (rc) return rc;
    if (!path) return ia_set_error(IA_ERR_INVALID_ARG, "ia_web_session_create: no model path");
    ia_web_session *s = ia_calloc(1, sizeof *s);
    if (!s) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    if (store_path(path)) {
        rc = open_store_model(s, path);
        if (rc) { ia_web_session_destroy(s); return rc; }
    } else {
        char *file = ia_malloc(4096);
        rc = file ? ia_web_model_variant(path, o.precision, file, 4096) : ia_set_error(IA_ERR_NOMEM, "out of memory");
        FILE *f = rc ? NULL : fopen(file, "rb");
        if (!f) {
            if (!rc) rc = ia_set_error(IA_ERR_IO, "cannot open model %s", file);
            ia_free(file);
            ia_free(s);
            return rc;
        }
        fclose(f);
        s->file = file;
        path = file;
    }
    s->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 120000;
    rc = ia__bridge_start(o.browser, o.visible, 1, 1, s->timeout_ms, dir_or(o.static_dir, "IA_WEB_STATIC_DIR", IA_WEB_STATIC_DIR_DEFAULT),
                          dir_or(o.dist_dir, "IA_WEB_DIST_DIR", IA_WEB_DIST_DIR_DEFAULT), &s->b);
    if (!rc) {
        s->caps = cJSON_PrintUnformatted(s->b->pages[0].hello);
        rc = check_device(s, o.device, &sp, s->b->pages[0].hello, o.precision);
    }
    if (!rc) rc = load_model(s, path, o.device, &sp, &o);
    if (rc) {
        char keep[2048];
        snprintf(keep, sizeof keep, "%s", ia_last_error());
        ia_web_session_destroy(s);
        return ia_set_error(rc, "%s", keep);
    }
    *out = s;
    return IA_OK;
}

void ia_web_session_destroy(ia_web_session *s) {
    if (!s) return;
    ia__bridge_stop(s->b);
    ia_blockstore_close(s->bs);
    ia_free(s->file);
    for (size_t i = 0; s->in_names && i < s->n_in; i++) ia_free(s->in_names[i]);
    for (size_t i = 0; s->out_names && i < s->n_out; i++) ia_free(s->out_names[i]);
    ia_free(s->in_names);
    ia_free(s->out_names);
    if (s->caps) cJSON_free(s->caps);
    ia_free(s);
}

size_t ia_web_session_input_count(const ia_web_session *s) { return s->n_in; }
size_t ia_web_session_output_count(const ia_web_session *s) { return s->n_out; }
const char *ia_web_session_input_name(const ia_web_session *s, size_t i) { return i < s->n_in ? s->in_names[i] : NULL; }
const char *ia_web_session_output_name(const ia_web_session *s, size_t i) { return i < s->n_out ? s->out_names[i] : NULL; }
const char *ia_web_session_errmsg(const ia_web_session *s) { return s->err; }
void ia_web_session_info(const ia_web_session *s, ia_web_info *info) { *info = s->info; }
void ia_web_session_last_stats(const ia_web_session *s, ia_web_run_stats *st) { *st = s->last; }
const char *ia_web_session_capabilities(const ia_web_session *s) { return s->caps ? s->caps : "{}"; }

static int fail(ia_web_session *s, int rc) {
    snprintf(s->err, sizeof s->err, "%s", ia_last_error());
    return rc;
}

static int outputs_from(ia_web_session *s, const ia__reply *r, ia_value **outputs, size_t n_outputs) {
    cJSON *h;
    ia__frame_tensor *ts;
    size_t nt;
    const uint8_t *data;
    if (r->opcode != 2) return ia_set_error(IA_ERR_PARSE, "bridge: the page answered a run with a text message");
    int rc = ia__frame_decode(r->msg, r->len, &h, &ts, &nt, &data);
    if (rc) return rc;
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(h, "timings");
    s->last.page_ms = jnum(tm, "run_ms");
    s->last.page_total_ms = jnum(tm, "prepare_ms") + jnum(tm, "run_ms") + jnum(tm, "outputs_ms");
    /* the page's wall-clock stamps (timeOrigin + now): event created, handler, run start/end, send */
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(tm, "at");
    double ev = jnum(at, "event"), hd = jnum(at, "handler"), r0 = jnum(at, "run0"), r1 = jnum(at, "run1"), sd = jnum(at, "send");
    s->last.hop.to_page = ev - r->sent_at;
    s->last.hop.dispatch = hd - ev;
    s->last.hop.prepare = r0 - hd;
    s->last.hop.run = r1 - r0;
    s->last.hop.outputs = sd - r1;
    s->last.hop.to_c = r->recv_at - sd;
    s->last.hop.wake = r->woke_at - r->recv_at;
    s->last.hop.reply_send = jnum(tm, "prev_reply_send_ms");
    for (size_t k = 0; k < n_outputs && !rc; k++) {
        size_t j = 0;
        while (j < nt && strcmp(ts[j].name, s->out_names[k])) j++;
        if (j == nt) { rc = ia_set_error(IA_ERR_PARSE, "bridge: the page's result lacks output '%s'", s->out_names[k]); break; }
        ia_tensor *t;
        rc = ia_tensor_create(ts[j].dtype, ts[j].rank, ts[j].dims, &t);
        if (rc) break;
        if (t->nbytes != ts[j].bytes) rc = ia_set_error(IA_ERR_PARSE, "bridge: output '%s' byte count mismatch", ts[j].name);
        else if (t->nbytes) memcpy(t->data, data + ts[j].offset, t->nbytes);
        if (!rc) rc = ia_value_from_tensor(t, &outputs[k]);
        ia_tensor_release(t);
    }
    ia_free(ts);
    cJSON_Delete(h);
    return rc;
}

int ia_web_session_run(ia_web_session *s, ia_value *const *inputs, size_t n_inputs, ia_value **outputs, size_t n_outputs) {
    if (n_inputs != s->n_in || n_outputs > s->n_out)
        return fail(s, ia_set_error(IA_ERR_INVALID_ARG, "run: model has %zu inputs and %zu outputs; got %zu and %zu", s->n_in, s->n_out,
                                    n_inputs, n_outputs));
    ia_tensor *ts[256];
    if (n_inputs > 256) return fail(s, ia_set_error(IA_ERR_LIMIT, "run: more than 256 inputs"));
    for (size_t i = 0; i < n_inputs; i++) {
        if (!inputs[i] || inputs[i]->kind != IA_VALUE_TENSOR)
            return fail(s, ia_set_error(IA_ERR_INVALID_ARG, "run: input '%s' must be a tensor (the browser has no defaults)", s->in_names[i]));
        ts[i] = inputs[i]->tensor;
    }
    for (size_t k = 0; k < n_outputs; k++) outputs[k] = NULL;
    uint64_t id = ia__bridge_next_id(s->b);
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "type", "run");
    cJSON_AddNumberToObject(h, "id", (double)id);
    cJSON_AddNumberToObject(h, "session", s->remote);
    uint8_t *msg;
    size_t len;
    double t0 = ia__now_ms(), w0 = ia__wall_ms();
    int rc = ia__frame_encode(h, ts, (const char *const *)s->in_names, n_inputs, &msg, &len);
    cJSON_Delete(h);
    if (rc) return fail(s, rc);
    ia__reply *r;
    rc = ia__bridge_call(s->b, s->page, 2, msg, len, id, s->timeout_ms, &r);
    ia_free(msg);
    if (rc) return fail(s, rc);
    memset(&s->last.hop, 0, sizeof s->last.hop);
    s->last.hop.encode = r->sent_at - w0;
    s->last.hop.send = r->sent_done - r->sent_at;
    s->last.bytes_sent = len;
    s->last.bytes_received = r->len;
    double d0 = ia__wall_ms();
    rc = outputs_from(s, r, outputs, n_outputs);
    s->last.hop.decode = ia__wall_ms() - d0;
    ia__reply_free(r);
    s->last.c_ms = ia__now_ms() - t0;
    s->last.hop.transport = s->last.c_ms - s->last.page_total_ms - s->last.hop.encode - s->last.hop.decode;
    if (rc) {
        for (size_t k = 0; k < n_outputs; k++) { ia_value_destroy(outputs[k]); outputs[k] = NULL; }
        return fail(s, rc);
    }
    return IA_OK;
}

int ia_web_session_bench_in_page(ia_web_session *s, int iters, double *times_ms) {
    uint64_t id = ia__bridge_next_id(s->b);
    char js[160];
    snprintf(js, sizeof js, "{\"type\":\"bench\",\"id\":%llu,\"session\":%d,\"iters\":%d}", (unsigned long long)id, s->remote, iters);
    ia__reply *r;
    int rc = ia__bridge_call(s->b, s->page, 1, js, strlen(js), id, s->timeout_ms, &r);
    if (rc) return fail(s, rc);
    cJSON *h = cJSON_ParseWithLength((const char *)r->msg, r->len);
    ia__reply_free(r);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(h, "times"), *v;
    int k = 0;
    cJSON_ArrayForEach(v, t) if (k < iters && cJSON_IsNumber(v)) times_ms[k++] = v->valuedouble;
    cJSON_Delete(h);
    if (k != iters) return fail(s, ia_set_error(IA_ERR_PARSE, "bridge: bench reply carries %d of %d times", k, iters));
    return IA_OK;
}

int ia_web_session_echo(ia_web_session *s, size_t bytes, double *ms) {
    uint64_t id = ia__bridge_next_id(s->b);
    int64_t dims[1] = {(int64_t)bytes};
    ia_tensor *t;
    int rc = ia_tensor_create(IA_DTYPE_UINT8, 1, dims, &t);
    if (rc) return fail(s, rc);
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "type", "echo");
    cJSON_AddNumberToObject(h, "id", (double)id);
    uint8_t *msg;
    size_t len;
    const char *nm = "x";
    rc = ia__frame_encode(h, &t, &nm, 1, &msg, &len);
    cJSON_Delete(h);
    ia_tensor_release(t);
    if (rc) return fail(s, rc);
    double t0 = ia__now_ms();
    ia__reply *r;
    rc = ia__bridge_call(s->b, s->page, 2, msg, len, id, s->timeout_ms, &r);
    *ms = ia__now_ms() - t0;
    if (!rc && r->len != len) rc = ia_set_error(IA_ERR_RUNTIME, "bridge: echo returned %zu of %zu bytes", r->len, len);
    ia_free(msg);
    ia__reply_free(r);
    return rc ? fail(s, rc) : IA_OK;
}

int ia_web_probe(const ia_web_options *opts, char **caps_json) {
    *caps_json = NULL;
    ia_web_options o;
    if (opts) o = *opts;
    else ia_web_options_init(&o);
    ia__bridge *b;
    int rc = ia__bridge_start(o.browser, o.visible, 1, 1, o.timeout_ms, dir_or(o.static_dir, "IA_WEB_STATIC_DIR", IA_WEB_STATIC_DIR_DEFAULT),
                              dir_or(o.dist_dir, "IA_WEB_DIST_DIR", IA_WEB_DIST_DIR_DEFAULT), &b);
    if (rc) return rc;
    cJSON *h = cJSON_Duplicate(b->pages[0].hello, 1);
    cJSON_AddStringToObject(h, "browser", b->br.kind);
    cJSON_AddStringToObject(h, "browserVersion", b->br.version);
    cJSON_AddStringToObject(h, "browserPath", b->br.path);
    char *js = cJSON_Print(h);
    cJSON_Delete(h);
    ia__bridge_stop(b);
    if (!js) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    *caps_json = ia_strdup(js);
    cJSON_free(js);
    return *caps_json ? IA_OK : ia_set_error(IA_ERR_NOMEM, "out of memory");
}
