/* Hardware probe, browser capabilities: each browser found is started headless against our bridge
 * page (ia_web_probe) and its report (WebGPU adapter, features, limits; WebNN per device type with
 * the exact error; WASM SIMD and threads) is parsed into ia_hw_browser_probe. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/web.h"

static const char *jstr(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static int jbool(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* appends "text" (with a separating space) while it fits */
static void append(char *buf, size_t cap, const char *text) {
    size_t n = strlen(buf);
    if (n + strlen(text) + 2 > cap) return;
    snprintf(buf + n, cap - n, "%s%s", n ? " " : "", text);
}

/* Parses the page's capabilities report; returns 0, or -1 when it is not the expected object. */
int ia__hw_parse_browser_caps(const char *json, ia_hw_browser_probe *p) {
    memset(p, 0, sizeof *p);
    p->wasm_simd = p->wasm_threads = p->cross_origin_isolated = -1;
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        p->status = -1;
        snprintf(p->error, sizeof p->error, "the page's capabilities report is not a JSON object");
        return -1;
    }
    p->status = 1;
    snprintf(p->user_agent, sizeof p->user_agent, "%s", jstr(root, "userAgent"));
    p->cross_origin_isolated = jbool(root, "crossOriginIsolated");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "wasm");
    if (cJSON_IsObject(w)) {
        p->wasm_simd = jbool(w, "simd");
        p->wasm_threads = jbool(w, "threads");
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "webgpu");
    if (cJSON_IsObject(g)) {
        p->webgpu_available = jbool(g, "available") == 1;
        snprintf(p->webgpu_error, sizeof p->webgpu_error, "%s", jstr(g, "error"));
        snprintf(p->webgpu_vendor, sizeof p->webgpu_vendor, "%s", jstr(g, "vendor"));
        snprintf(p->webgpu_architecture, sizeof p->webgpu_architecture, "%s", jstr(g, "architecture"));
        snprintf(p->webgpu_description, sizeof p->webgpu_description, "%s", jstr(g, "description"));
        snprintf(p->webgpu_device, sizeof p->webgpu_device, "%s", jstr(g, "device"));
        p->webgpu_fallback = jbool(g, "isFallbackAdapter") == 1;
        const cJSON *f, *fs = cJSON_GetObjectItemCaseSensitive(g, "features");
        cJSON_ArrayForEach(f, fs) if (cJSON_IsString(f)) append(p->webgpu_features, sizeof p->webgpu_features, f->valuestring);
        const cJSON *l, *ls = cJSON_GetObjectItemCaseSensitive(g, "limits");
        cJSON_ArrayForEach(l, ls) if (cJSON_IsNumber(l) && l->string) {
            char kv[160];
            snprintf(kv, sizeof kv, "%s=%.0f", l->string, l->valuedouble);
            append(p->webgpu_limits, sizeof p->webgpu_limits, kv);
        }
        if (!p->webgpu_available && !p->webgpu_error[0]) snprintf(p->webgpu_error, sizeof p->webgpu_error, "the page reported no adapter");
    } else snprintf(p->webgpu_error, sizeof p->webgpu_error, "the page did not report WebGPU");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "webnn");
    static const char *const types[3] = {"cpu", "gpu", "npu"};
    if (cJSON_IsObject(n)) {
        p->webnn_present = jbool(n, "present") == 1;
        snprintf(p->webnn_error, sizeof p->webnn_error, "%s", jstr(n, "error"));
        const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(n, "contexts");
        for (int k = 0; k < 3; k++) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(ctx, types[k]);
            p->webnn_ok[k] = cJSON_IsObject(c) && jbool(c, "ok") == 1;
            if (p->webnn_ok[k]) continue;
            const char *e = cJSON_IsObject(c) ? jstr(c, "error") : "";
            snprintf(p->webnn_errors[k], sizeof p->webnn_errors[k], "%s",
                     e[0] ? e : p->webnn_error[0] ? p->webnn_error : "the page did not report this device type");
        }
    } else {
        snprintf(p->webnn_error, sizeof p->webnn_error, "the page did not report WebNN");
        for (int k = 0; k < 3; k++) snprintf(p->webnn_errors[k], sizeof p->webnn_errors[k], "%s", p->webnn_error);
    }
    cJSON_Delete(root);
    return 0;
}

int ia_hw_probe_browsers(ia_hw_info *hw, int timeout_ms) {
    if (!hw) return ia_set_error(IA_ERR_INVALID_ARG, "probe browsers: no hardware info");
    for (int i = 0; i < hw->n_browsers; i++) {
        ia_hw_browser *b = &hw->browsers[i];
        ia_web_options o;
        ia_web_options_init(&o);
        o.browser = b->path;
        o.timeout_ms = timeout_ms > 0 ? timeout_ms : 60000;
        char *caps = NULL;
        if (ia_web_probe(&o, &caps)) {
            memset(&b->probe, 0, sizeof b->probe);
            b->probe.status = -1;
            b->probe.wasm_simd = b->probe.wasm_threads = b->probe.cross_origin_isolated = -1;
            snprintf(b->probe.error, sizeof b->probe.error, "%s", ia_last_error());
            continue;
        }
        ia__hw_parse_browser_caps(caps, &b->probe);
        ia_free(caps);
    }
    return IA_OK;
}
