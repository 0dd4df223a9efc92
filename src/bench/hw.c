/* The hardware probe entry points (probe, print as text or JSON) and the one module that
 * answers "what can this machine run": device and precision availability with reasons. */
#include <stdio.h>
#include <string.h>
#include "bench/bench_internal.h"

int ia_hw_probe(ia_hw_info *out) {
    if (!out) return ia_set_error(IA_ERR_INVALID_ARG, "ia_hw_probe: no output");
    memset(out, 0, sizeof *out);
    ia__hw_probe_cpu(&out->cpu);
    ia__hw_probe_gpu(out);
    ia__hw_probe_browsers(out);
    return IA_OK;
}

int ia_hw_has_feature(const ia_hw_info *hw, const char *feature) {
    size_t n = strlen(feature);
    for (const char *p = hw->cpu.features; (p = strstr(p, feature)); p += n)
        if ((p == hw->cpu.features || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return 1;
    return 0;
}

static const char *const device_names[] = {"cpu", "vulkan", "cuda", "webgpu", "webnn", "wasm", NULL};
static const char *const precision_names[] = {"fp32", "fp16", "int8", "int4", NULL};
const char *const *ia_hw_device_names(void) { return device_names; }
const char *const *ia_hw_precision_names(void) { return precision_names; }

static int in_list(const char *const *l, const char *s) {
    for (; *l; l++)
        if (!strcmp(*l, s)) return 1;
    return 0;
}

int ia_hw_device_status(const ia_hw_info *hw, const char *device, const char *precision, char *reason, size_t len) {
    char dummy[8];
    if (!reason) { reason = dummy; len = sizeof dummy; }
    reason[0] = 0;
    if (!device || !in_list(device_names, device))
        return ia_set_error(IA_ERR_INVALID_ARG, "unknown device '%s' (known: cpu, vulkan, cuda, webgpu, webnn, wasm)",
                            device ? device : "");
    if (precision && !in_list(precision_names, precision))
        return ia_set_error(IA_ERR_INVALID_ARG, "unknown precision '%s' (known: fp32, fp16, int8, int4)", precision);
    if (!strcmp(device, "cpu")) {
        if (precision && strcmp(precision, "fp32")) {
            snprintf(reason, len,
                     "the CPU engine runs a model file as exported; converting it to %s is not implemented (benchmark a "
                     "%s export with --precision fp32)", precision, precision);
            return 0;
        }
        return 1;
    }
    if (!strcmp(device, "vulkan")) {
        snprintf(reason, len, "the engine has no Vulkan backend yet (probe: %s)", hw ? hw->vulkan_status : "not run");
        return 0;
    }
    if (!strcmp(device, "cuda")) {
        snprintf(reason, len, "the engine has no CUDA backend yet (NVML probe: %s)", hw ? hw->nvml_status : "not run");
        return 0;
    }
    /* wasm, webgpu, webnn: run in a browser page through the bridge; whether the browser has the
     * device (WebGPU adapter, WebNN context) is its own answer, given when the session starts */
    int nb = hw ? hw->n_browsers : 0;
    if (!nb) {
        snprintf(reason, len, "no browser found (chromium, chrome, edge or firefox on PATH; scripts/bootstrap.sh installs chromium)");
        return 0;
    }
    /* fp16 / int8 / int4: the browser runs an exported variant of a model folder when there is one;
     * whether this model has it is answered per model when bench starts the session */
    return 1;
}

static void print_bytes(FILE *o, uint64_t b) {
    if (b >= (1ull << 30)) fprintf(o, "%.1f GiB", b / 1073741824.0);
    else if (b >= (1ull << 20)) fprintf(o, "%.1f MiB", b / 1048576.0);
    else if (b) fprintf(o, "%.0f KiB", b / 1024.0);
    else fprintf(o, "unknown");
}

static const char *yes_no(int v) { return v < 0 ? "unknown" : v ? "yes" : "no"; }
static const char *const WEBNN_TYPES[3] = {"cpu", "gpu", "npu"};

static void print_browser_probe_text(const ia_hw_browser_probe *p, FILE *o) {
    if (!p->status) return;
    if (p->status < 0) { fprintf(o, "          probe failed: %s\n", p->error); return; }
    if (p->webgpu_available)
        fprintf(o, "          webgpu  adapter vendor '%s', architecture '%s', description '%s'%s\n"
                   "                  features: %s\n                  limits: %s\n",
                p->webgpu_vendor, p->webgpu_architecture, p->webgpu_description,
                p->webgpu_fallback ? ", FALLBACK (software) adapter" : ", hardware adapter", p->webgpu_features[0] ? p->webgpu_features : "none",
                p->webgpu_limits[0] ? p->webgpu_limits : "none reported");
    else fprintf(o, "          webgpu  unavailable: %s\n", p->webgpu_error);
    for (int k = 0; k < 3; k++)
        fprintf(o, "          webnn-%s %s%s%s\n", WEBNN_TYPES[k], p->webnn_ok[k] ? "available" : "unavailable", p->webnn_ok[k] ? "" : ": ",
                p->webnn_ok[k] ? "" : p->webnn_errors[k]);
    fprintf(o, "          wasm    simd %s, threads %s (crossOriginIsolated %s)\n", yes_no(p->wasm_simd), yes_no(p->wasm_threads),
            yes_no(p->cross_origin_isolated));
}

static void json_tri(FILE *o, const char *key, int v) { fprintf(o, ",\"%s\":%s", key, v < 0 ? "null" : v ? "true" : "false"); }
static void json_kv(FILE *o, const char *key, const char *v) { fprintf(o, ",\"%s\":", key); ia__json_str(o, v); }

static void print_browser_probe_json(const ia_hw_browser_probe *p, FILE *o) {
    if (!p->status) return;
    fprintf(o, ",\"probe\":{\"ok\":%s", p->status > 0 ? "true" : "false");
    if (p->status < 0) { json_kv(o, "error", p->error); fputc('}', o); return; }
    json_kv(o, "user_agent", p->user_agent);
    fprintf(o, ",\"webgpu\":{\"available\":%s", p->webgpu_available ? "true" : "false");
    if (p->webgpu_available) {
        json_kv(o, "vendor", p->webgpu_vendor);
        json_kv(o, "architecture", p->webgpu_architecture);
        json_kv(o, "description", p->webgpu_description);
        json_kv(o, "device", p->webgpu_device);
        json_tri(o, "fallback_adapter", p->webgpu_fallback);
        fprintf(o, ",\"features\":[");
        const char *f = p->webgpu_features;
        for (int first = 1; *f; first = 0) {
            size_t n = strcspn(f, " ");
            char name[160];
            snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), f);
            if (!first) fputc(',', o);
            ia__json_str(o, name);
            f += n;
            while (*f == ' ') f++;
        }
        fprintf(o, "],\"limits\":{");
        const char *l = p->webgpu_limits;
        for (int first = 1; *l; first = 0) {
            size_t n = strcspn(l, " ");
            char kv[160];
            snprintf(kv, sizeof kv, "%.*s", (int)(n < sizeof kv ? n : sizeof kv - 1), l);
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq = 0;
                if (!first) fputc(',', o);
                ia__json_str(o, kv);
                fprintf(o, ":%s", eq[1] ? eq + 1 : "null");
            }
            l += n;
            while (*l == ' ') l++;
        }
        fputc('}', o);
    } else json_kv(o, "error", p->webgpu_error);
    fprintf(o, "},\"webnn\":{\"present\":%s", p->webnn_present ? "true" : "false");
    if (p->webnn_error[0]) json_kv(o, "error", p->webnn_error);
    for (int k = 0; k < 3; k++) {
        fprintf(o, ",\"%s\":{\"available\":%s", WEBNN_TYPES[k], p->webnn_ok[k] ? "true" : "false");
        if (!p->webnn_ok[k]) json_kv(o, "error", p->webnn_errors[k]);
        fputc('}', o);
    }
    fprintf(o, "},\"wasm\":{\"simd\":%s,\"threads\":%s", p->wasm_simd < 0 ? "null" : p->wasm_simd ? "true" : "false",
            p->wasm_threads < 0 ? "null" : p->wasm_threads ? "true" : "false");
    json_tri(o, "cross_origin_isolated", p->cross_origin_isolated);
    fprintf(o, "}}");
}

static void print_text(const ia_hw_info *hw, FILE *o) {
    const ia_hw_cpu *c = &hw->cpu;
    fprintf(o, "cpu       %s (%s, %s)\n", c->model[0] ? c->model : "unknown model", c->vendor, c->arch);
    fprintf(o, "          %d socket%s, %d cores, %d threads, %d NUMA node%s\n", c->sockets, c->sockets == 1 ? "" : "s",
            c->cores, c->threads, c->numa_nodes, c->numa_nodes == 1 ? "" : "s");
    fprintf(o, "features  %s\n", c->features[0] ? c->features : "(none detected)");
    fprintf(o, "caches    L1d ");
    print_bytes(o, c->l1d_bytes);
    fprintf(o, ", L2 ");
    print_bytes(o, c->l2_bytes);
    fprintf(o, ", L3 ");
    print_bytes(o, c->l3_bytes);
    fprintf(o, "\nmemory    ");
    print_bytes(o, c->mem_total_bytes);
    fprintf(o, " total, ");
    print_bytes(o, c->mem_available_bytes);
    fprintf(o, " available\n");
    fprintf(o, "frequency governor %s, current %.0f MHz", c->governor[0] ? c->governor : "(not readable)", c->mhz_cur);
    if (c->mhz_max > 0) fprintf(o, ", max %.0f MHz", c->mhz_max);
    fprintf(o, "\n");
    fprintf(o, "kernel    %s\n", c->kernel);
    fprintf(o, "vulkan    %s\n", hw->vulkan_status);
    fprintf(o, "nvml      %s\n", hw->nvml_status);
    for (int i = 0; i < hw->n_gpus; i++) {
        const ia_hw_gpu *g = &hw->gpus[i];
        fprintf(o, "gpu %d     [%s] %s, vendor %s, %s, driver %s, memory ", i, g->api, g->name, g->vendor, g->type, g->driver);
        print_bytes(o, g->mem_bytes);
        fprintf(o, ", subgroup %u, max workgroup %u, fp16 %s, int8 %s\n", g->subgroup_size, g->max_workgroup_invocations,
                g->fp16 < 0 ? "?" : g->fp16 ? "yes" : "no", g->int8 < 0 ? "?" : g->int8 ? "yes" : "no");
    }
    fprintf(o, "rocm      /dev/kfd %s\n", hw->has_kfd ? "present" : "absent");
    fprintf(o, "dri       %d render node%s in /dev/dri\n", hw->n_dri_render, hw->n_dri_render == 1 ? "" : "s");
    fprintf(o, "openvino  %s\nqnn       %s\n", hw->openvino_status, hw->qnn_status);
    if (!hw->n_browsers) fprintf(o, "browsers  none found on PATH\n");
    for (int i = 0; i < hw->n_browsers; i++) {
        fprintf(o, "browser   %s: %s (%s)\n", hw->browsers[i].name, hw->browsers[i].version[0] ? hw->browsers[i].version : "version unknown",
                hw->browsers[i].path);
        print_browser_probe_text(&hw->browsers[i].probe, o);
    }
    if (hw->calibrated) {
        for (int i = 0; i < hw->n_calib; i++)
            fprintf(o, "peak fp32 %d thread%s: %.1f GFLOP/s (%s FMA loop)\n", hw->calib_threads[i], hw->calib_threads[i] == 1 ? "" : "s",
                    hw->calib_gflops_fp32[i], hw->calib_kernel);
        for (int i = 0; i < hw->n_calib && strcmp(hw->calib_int8_kernel, "none"); i++)
            fprintf(o, "peak int8 %d thread%s: %.1f GOP/s (%s multiply-add loop)\n", hw->calib_threads[i], hw->calib_threads[i] == 1 ? "" : "s",
                    hw->calib_gops_int8[i], hw->calib_int8_kernel);
        if (!strcmp(hw->calib_int8_kernel, "none")) fprintf(o, "peak int8: not measured (no int8 dot-product instructions)\n");
        fprintf(o, "memory read bandwidth: %.1f GB/s\n", hw->mem_bw_gbs);
    }
    fprintf(o, "devices:\n");
    for (int i = 0; device_names[i]; i++) {
        char r[512];
        int ok = ia_hw_device_status(hw, device_names[i], NULL, r, sizeof r);
        fprintf(o, "  %-7s %s%s%s\n", device_names[i], ok == 1 ? "available" : "unavailable", ok == 1 ? "" : ": ", r);
    }
}

#define JS(key, val) (fprintf(o, "\"%s\":", key), ia__json_str(o, val))
static void print_json(const ia_hw_info *hw, FILE *o) {
    const ia_hw_cpu *c = &hw->cpu;
    fprintf(o, "{\"cpu\":{");
    JS("arch", c->arch); fputc(',', o);
    JS("vendor", c->vendor); fputc(',', o);
    JS("model", c->model);
    fprintf(o, ",\"sockets\":%d,\"cores\":%d,\"threads\":%d,\"features\":[", c->sockets, c->cores, c->threads);
    char f[sizeof c->features];
    snprintf(f, sizeof f, "%s", c->features);
    int first = 1;
    for (char *save = NULL, *t = strtok_r(f, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (!first) fputc(',', o);
        ia__json_str(o, t);
        first = 0;
    }
    fprintf(o, "],\"l1d_bytes\":%llu,\"l2_bytes\":%llu,\"l3_bytes\":%llu,\"mem_total_bytes\":%llu,\"mem_available_bytes\":%llu,"
               "\"numa_nodes\":%d,",
            (unsigned long long)c->l1d_bytes, (unsigned long long)c->l2_bytes, (unsigned long long)c->l3_bytes,
            (unsigned long long)c->mem_total_bytes, (unsigned long long)c->mem_available_bytes, c->numa_nodes);
    JS("governor", c->governor);
    fprintf(o, ",\"mhz_cur\":");
    ia__json_num(o, c->mhz_cur);
    fprintf(o, ",\"mhz_max\":");
    ia__json_num(o, c->mhz_max);
    fputc(',', o);
    JS("kernel", c->kernel);
    fprintf(o, "},");
    JS("vulkan_status", hw->vulkan_status); fputc(',', o);
    JS("nvml_status", hw->nvml_status);
    fprintf(o, ",\"gpus\":[");
    for (int i = 0; i < hw->n_gpus; i++) {
        const ia_hw_gpu *g = &hw->gpus[i];
        fprintf(o, "%s{", i ? "," : "");
        JS("api", g->api); fputc(',', o);
        JS("name", g->name); fputc(',', o);
        JS("vendor", g->vendor); fputc(',', o);
        JS("type", g->type); fputc(',', o);
        JS("driver", g->driver);
        fprintf(o, ",\"mem_bytes\":%llu,\"subgroup_size\":%u,\"max_workgroup_invocations\":%u,\"fp16\":%s,\"int8\":%s}",
                (unsigned long long)g->mem_bytes, g->subgroup_size, g->max_workgroup_invocations,
                g->fp16 < 0 ? "null" : g->fp16 ? "true" : "false", g->int8 < 0 ? "null" : g->int8 ? "true" : "false");
    }
    fprintf(o, "],\"rocm_kfd\":%s,\"dri_render_nodes\":%d,", hw->has_kfd ? "true" : "false", hw->n_dri_render);
    JS("openvino_status", hw->openvino_status); fputc(',', o);
    JS("qnn_status", hw->qnn_status);
    fprintf(o, ",\"browsers\":[");
    for (int i = 0; i < hw->n_browsers; i++) {
        fprintf(o, "%s{", i ? "," : "");
        JS("name", hw->browsers[i].name); fputc(',', o);
        JS("path", hw->browsers[i].path); fputc(',', o);
        JS("version", hw->browsers[i].version);
        print_browser_probe_json(&hw->browsers[i].probe, o);
        fputc('}', o);
    }
    fprintf(o, "]");
    if (hw->calibrated) {
        fprintf(o, ",\"calibration\":{\"fp32_gflops\":[");
        for (int i = 0; i < hw->n_calib; i++) {
            fprintf(o, "%s{\"threads\":%d,\"gflops\":", i ? "," : "", hw->calib_threads[i]);
            ia__json_num(o, hw->calib_gflops_fp32[i]);
            fputc('}', o);
        }
        fprintf(o, "],\"kernel\":");
        ia__json_str(o, hw->calib_kernel);
        fprintf(o, ",\"int8_gops\":[");
        for (int i = 0; i < hw->n_calib && strcmp(hw->calib_int8_kernel, "none"); i++) {
            fprintf(o, "%s{\"threads\":%d,\"gops\":", i ? "," : "", hw->calib_threads[i]);
            ia__json_num(o, hw->calib_gops_int8[i]);
            fputc('}', o);
        }
        fprintf(o, "],\"int8_kernel\":");
        ia__json_str(o, hw->calib_int8_kernel);
        fprintf(o, ",\"mem_read_gbs\":");
        ia__json_num(o, hw->mem_bw_gbs);
        fputc('}', o);
    }
    fprintf(o, ",\"devices\":{");
    for (int i = 0; device_names[i]; i++) {
        char r[512];
        int ok = ia_hw_device_status(hw, device_names[i], NULL, r, sizeof r);
        fprintf(o, "%s\"%s\":{\"available\":%s,", i ? "," : "", device_names[i], ok == 1 ? "true" : "false");
        JS("reason", r);
        fputc('}', o);
    }
    fprintf(o, "}}\n");
}
#undef JS

void ia_hw_print(const ia_hw_info *hw, FILE *out, int json) {
    if (json) print_json(hw, out);
    else print_text(hw, out);
}
