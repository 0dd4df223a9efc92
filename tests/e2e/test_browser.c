/* End-to-end tests of the browser bridge in headless Chromium: outputs of wasm / webgpu sessions
 * against our CPU engine, WebNN failing fast with the browser's reason, and the recorded run info.
 * usage: test_browser parity FIXTURE_DIR DEVICE | webnn FIXTURE_DIR | store FIXTURE_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include "ia/web.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "browser_fixture.h"

#define ATOL 1e-3

static int parity_spec(const char *dir, const char *spec, const char *device);
static int parity(const char *dir, const char *device) { return parity_spec(dir, NULL, device); }

/* `spec`: what the browser session loads (NULL = DIR/model.onnx); the CPU engine reads the file. */
static int parity_spec(const char *dir, const char *spec, const char *device) {
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    ia_session *cpu;
    if (ia_session_create(model, NULL, &cpu)) { fprintf(stderr, "FAIL: cpu session: %s\n", ia_last_error()); return 1; }
    ia_value *vals[16] = {0}, *in[16] = {0}, *ref[16] = {0}, *got[16] = {0};
    const char *names[16];
    size_t nv = 0;
    if (load_inputs(dir, cpu, vals, names, &nv)) return 1;
    size_t n_out = ia_session_output_count(cpu);
    if (ia_session_run(cpu, vals, nv, ref, n_out)) { fprintf(stderr, "FAIL: cpu run: %s\n", ia_session_errmsg(cpu)); return 1; }

    ia_web_options o;
    ia_web_options_init(&o);
    o.device = device;
    o.timeout_ms = 180000;
    ia_web_session *w;
    if (ia_web_session_create(spec ? spec : model, &o, &w)) { fprintf(stderr, "FAIL: %s session: %s\n", device, ia_last_error()); return 1; }
    int fails = 0;
    if (ia_web_session_input_count(w) != nv || ia_web_session_output_count(w) != n_out) {
        fprintf(stderr, "FAIL: page sees %zu inputs / %zu outputs, engine %zu / %zu\n", ia_web_session_input_count(w),
                ia_web_session_output_count(w), nv, n_out);
        return 1;
    }
    for (size_t i = 0; i < nv; i++)
        for (size_t k = 0; k < nv; k++)
            if (!strcmp(names[k], ia_web_session_input_name(w, i))) in[i] = vals[k];
    if (ia_web_session_run(w, in, nv, got, n_out)) { fprintf(stderr, "FAIL: %s run: %s\n", device, ia_web_session_errmsg(w)); return 1; }
    const ia_graph *g = ia_session_model(cpu)->graph;
    for (size_t k = 0; k < n_out; k++) {
        const char *nm = g->values[g->outputs[k]].name;
        size_t j = 0;
        while (j < n_out && strcmp(ia_web_session_output_name(w, j), nm)) j++;
        if (j == n_out) { fprintf(stderr, "FAIL: output %s missing from the page's outputs\n", nm); fails++; continue; }
        const ia_tensor *a = ref[k]->tensor, *b = got[j]->tensor;
        if (a->dtype != b->dtype || a->rank != b->rank || a->numel != b->numel || memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank)) {
            fprintf(stderr, "FAIL: output %s: type or shape differs from the CPU engine's\n", nm);
            fails++;
            continue;
        }
        double maxd = 0;
        for (int64_t i = 0; i < a->numel; i++) {
            double d = fabs((double)((float *)a->data)[i] - (double)((float *)b->data)[i]);
            if (!(d <= maxd)) maxd = d; /* NaN propagates as a failure */
        }
        printf("%s %s output %s: %lld values, max |browser - cpu| = %.3g (atol %.0e)\n", dir, device, nm, (long long)a->numel, maxd, ATOL);
        if (!(maxd <= ATOL)) { fprintf(stderr, "FAIL: output %s differs by %g\n", nm, maxd); fails++; }
    }
    ia_web_info inf;
    ia_web_session_info(w, &inf);
    printf("browser %s %s, bundle %s, ort %s, ep %s (verified %d), adapter %s/%s software=%d, threads %d, COI %d\n", inf.browser,
           inf.browser_version, inf.bundle, inf.ort_version, inf.ep, inf.ep_verified, inf.adapter_vendor, inf.adapter_architecture,
           inf.software_adapter, inf.wasm_threads, inf.cross_origin_isolated);
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "FAIL: expected %s\n", #c); fails++; } } while (0)
    EXPECT(inf.ep_verified == 1);
    EXPECT(inf.browser[0] && inf.browser_version[0] && inf.ort_version[0]);
    EXPECT(inf.cross_origin_isolated == 1);
    if (!strcmp(device, "webgpu")) {
        EXPECT(!strcmp(inf.bundle, "ort.webgpu.min.mjs"));
        EXPECT(strstr(inf.ep, "WebGpuExecutionProvider:") != NULL);
        EXPECT(inf.software_adapter == 0 || inf.software_adapter == 1);
        EXPECT(inf.adapter_vendor[0] != 0);
    } else {
        EXPECT(!strcmp(inf.bundle, "ort.wasm.min.mjs"));
        EXPECT(strstr(inf.ep, "CPUExecutionProvider:") != NULL && !strstr(inf.ep, "WebGpu"));
        EXPECT(inf.software_adapter == -1);
        EXPECT(inf.wasm_threads >= 1);
    }
    for (size_t k = 0; k < n_out; k++) { ia_value_destroy(ref[k]); ia_value_destroy(got[k]); }
    for (size_t k = 0; k < nv; k++) ia_value_destroy(vals[k]);
    ia_web_session_destroy(w);
    ia_session_destroy(cpu);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}

/* WebNN: on a browser whose createContext fails, session creation fails fast with the browser's
 * name, version and reason; when it works, the model must run (then this test checks parity). */
static int webnn(const char *dir) {
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    char *caps;
    if (ia_web_probe(NULL, &caps)) { fprintf(stderr, "FAIL: probe: %s\n", ia_last_error()); return 1; }
    int ctx_ok = strstr(caps, "\"ok\":\ttrue") != NULL;
    ia_free(caps);
    if (ctx_ok) return parity(dir, "webnn");
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = "webnn";
    ia_web_session *w = NULL;
    int rc = ia_web_session_create(model, &o, &w);
    const char *msg = ia_last_error();
    printf("webnn: rc=%d (%s): %s\n", rc, ia_status_name(rc), msg);
    int fails = 0;
    if (rc != IA_ERR_UNAVAILABLE || w) { fprintf(stderr, "FAIL: expected IA_ERR_UNAVAILABLE and no session\n"); fails++; }
    char ver[64] = "";
    FILE *p = popen("chromium --version 2>/dev/null", "r");
    if (p) {
        char line[256] = "";
        if (fgets(line, sizeof line, p)) sscanf(line, "%*s %63s", ver);
        pclose(p);
    }
    if (!strstr(msg, "Chromium") || !ver[0] || !strstr(msg, ver)) { fprintf(stderr, "FAIL: message lacks browser name/version %s\n", ver); fails++; }
    if (!strstr(msg, "createContext") || !strstr(msg, "NotSupportedError")) { fprintf(stderr, "FAIL: message lacks the browser's reason\n"); fails++; }
    ia_web_session_destroy(w);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}

/* The same CID through the resource pool (the pool accepts ipfs:// models like a session does):
 * the first output must equal the CPU engine's. */
static int pool_spec(const char *dir, const char *spec) {
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    ia_session *cpu;
    if (ia_session_create(model, NULL, &cpu)) { fprintf(stderr, "FAIL: cpu session: %s\n", ia_last_error()); return 1; }
    ia_value *vals[16] = {0}, *ref = NULL, *got = NULL;
    const char *names[16];
    size_t nv = 0;
    if (load_inputs(dir, cpu, vals, names, &nv) || ia_session_run(cpu, vals, nv, &ref, 1)) { fprintf(stderr, "FAIL: cpu run\n"); return 1; }
    ia_web_pool_options o;
    ia_web_pool_options_init(&o);
    o.web.timeout_ms = 180000;
    ia_web_pool *pool;
    if (ia_web_pool_create(&o, &pool)) { fprintf(stderr, "FAIL: pool: %s\n", ia_last_error()); return 1; }
    char err[1024] = "";
    int fails = 0;
    if (ia_web_pool_run(pool, spec, names, vals, nv, &got, 1, err, sizeof err)) { fprintf(stderr, "FAIL: pool run of %s: %s\n", spec, err); fails++; }
    else {
        double maxd = 0;
        for (int64_t i = 0; i < ref->tensor->numel && got->tensor->numel == ref->tensor->numel; i++) {
            double d = fabs((double)((float *)ref->tensor->data)[i] - (double)((float *)got->tensor->data)[i]);
            if (!(d <= maxd)) maxd = d;
        }
        printf("pool %s: max |browser - cpu| = %.3g\n", spec, maxd);
        if (got->tensor->numel != ref->tensor->numel || !(maxd <= ATOL)) { fprintf(stderr, "FAIL: pool output differs\n"); fails++; }
    }
    ia_web_pool_destroy(pool);
    ia_value_destroy(got);
    ia_value_destroy(ref);
    for (size_t i = 0; i < nv; i++) ia_value_destroy(vals[i]);
    ia_session_destroy(cpu);
    return fails;
}

/* Model bytes from the content store by CID: parity on wasm, also through the pool; then a
 * corrupted block must make the load fail (the server verifies every block it sends). */
static char biggest[4096];
static long biggest_size = -1;
static int find_big(const char *p, const struct stat *st, int flag, struct FTW *f) {
    if (flag == FTW_F && strstr(p, ".data") && st->st_size > biggest_size) { biggest_size = st->st_size; snprintf(biggest, sizeof biggest, "%s", p); }
    return 0;
}

static int store(const char *dir) {
    char root[] = "/tmp/ia-e2e-store-XXXXXX";
    if (!mkdtemp(root)) return 1;
    setenv("IPFS_ACCELERATE_HOME", root, 1);
    char model[4096], spec[256], cidtxt[128];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    ia_blockstore *bs;
    ia_add_options ao;
    ia_add_options_init(&ao, NULL);
    ia_cid cid;
    const char *paths[1] = {model};
    if (ia_blockstore_open(NULL, &bs) || ia_add_paths(bs, paths, 1, &ao, NULL, NULL, &cid) || ia_cid_format(&cid, 0, cidtxt, sizeof cidtxt)) {
        fprintf(stderr, "FAIL: adding the model to the store: %s\n", ia_last_error());
        return 1;
    }
    ia_blockstore_close(bs);
    snprintf(spec, sizeof spec, "ipfs://%s", cidtxt);
    printf("model stored as %s\n", spec);
    int fails = parity_spec(dir, spec, "wasm");
    fails += pool_spec(dir, spec);
    nftw(root, find_big, 16, FTW_PHYS);
    FILE *f = biggest_size > 100 ? fopen(biggest, "r+b") : NULL;
    if (!f) { fprintf(stderr, "FAIL: no block file to corrupt under %s\n", root); return 1; }
    fseek(f, biggest_size / 2, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, biggest_size / 2, SEEK_SET);
    fputc(ch ^ 0x5a, f);
    fclose(f);
    ia_web_options o;
    ia_web_options_init(&o);
    ia_web_session *w = NULL;
    int rc = ia_web_session_create(spec, &o, &w);
    printf("after corrupting %s: rc=%d: %s\n", biggest, rc, rc ? ia_last_error() : "(loaded!)");
    if (rc == IA_OK) { fprintf(stderr, "FAIL: a corrupted block was served and loaded\n"); fails++; }
    else if (!strstr(ia_last_error(), "hash")) { fprintf(stderr, "FAIL: the error does not say a block failed its hash check\n"); fails++; }
    ia_web_session_destroy(w);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd)) fprintf(stderr, "note: could not remove %s\n", root);
    return fails ? 1 : 0;
}

/* Precision variants from a transformers.js-style folder: fp32 loads onnx/model.onnx; fp16 on
 * WebGPU is refused, naming shader-f16, when the adapter lacks that feature. */
static int precision(const char *dir, const char *work) {
    char cmd[32768], folder[4096];
    snprintf(folder, sizeof folder, "%s/variants", work);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/onnx' && cp '%s/model.onnx' '%s/onnx/model.onnx' && cp '%s/model.onnx' '%s/onnx/model_fp16.onnx'",
             folder, folder, dir, folder, dir, folder);
    if (system(cmd)) { fprintf(stderr, "FAIL: cannot prepare %s\n", folder); return 1; }
    int fails = 0;
    char *caps;
    if (ia_web_probe(NULL, &caps)) { fprintf(stderr, "FAIL: probe: %s\n", ia_last_error()); return 1; }
    int has_f16 = strstr(caps, "\"shader-f16\"") != NULL;
    ia_free(caps);
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = "wasm";
    o.precision = "fp32";
    ia_web_session *w = NULL;
    int rc = ia_web_session_create(folder, &o, &w);
    if (rc) { fprintf(stderr, "FAIL: fp32 variant: %s\n", ia_last_error()); fails++; }
    ia_web_session_destroy(w);
    w = NULL;
    o.precision = "q4";
    rc = ia_web_session_create(folder, &o, &w);
    printf("q4 (absent): rc=%d: %s\n", rc, ia_last_error());
    if (rc != IA_ERR_NOT_FOUND || !strstr(ia_last_error(), "model_q4.onnx")) { fprintf(stderr, "FAIL: missing q4 variant not named\n"); fails++; }
    ia_web_session_destroy(w);
    w = NULL;
    o.device = "webgpu";
    o.precision = "fp16";
    rc = ia_web_session_create(folder, &o, &w);
    printf("fp16 on webgpu (adapter shader-f16: %s): rc=%d: %s\n", has_f16 ? "yes" : "no", rc, rc ? ia_last_error() : "loaded");
    if (!has_f16 && (rc != IA_ERR_UNAVAILABLE || !strstr(ia_last_error(), "shader-f16"))) { fprintf(stderr, "FAIL: fp16 without shader-f16 not refused\n"); fails++; }
    if (has_f16 && rc) { fprintf(stderr, "FAIL: fp16 with shader-f16 refused\n"); fails++; }
    ia_web_session_destroy(w);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "precision")) return precision(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "store")) return store(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "parity")) return parity(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "webnn")) return webnn(argv[2]);
    fprintf(stderr, "usage: test_browser parity FIXTURE_DIR DEVICE | webnn FIXTURE_DIR\n");
    return 2;
}
