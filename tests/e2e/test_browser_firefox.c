/* End-to-end tests of the browser bridge in headless Firefox (Debian's firefox-esr): wasm outputs
 * against our CPU engine, a crash noticed and recovered, and the webgpu / webnn answers.
 * usage: test_browser_firefox wasm FIXTURE_DIR... | devices FIXTURE_DIR... */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "ia/web.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "browser_fixture.h"

#define ATOL 1e-3
#define BROWSER "firefox"

static int fails;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "FAIL: expected %s\n", #c); fails++; } } while (0)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The version as `firefox-esr --version` prints it ("Mozilla Firefox 153.7.0esr" -> 153.7.0esr),
 * read here independently of the launcher. Empty when firefox-esr is not installed. */
static char ff_version[64];
static int require_firefox(void) {
    FILE *p = popen("firefox-esr --version 2>/dev/null", "r");
    char line[256] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = 0;
        pclose(p);
    }
    if (sscanf(line, "Mozilla Firefox %63s", ff_version) != 1) {
        fprintf(stderr, "FAIL: firefox-esr is not installed or does not answer --version (got '%s'); "
                        "scripts/bootstrap.sh installs the Debian package firefox-esr\n", line);
        return 1;
    }
    printf("firefox-esr --version: %s", line);
    return 0;
}

/* A fixture: the CPU engine's session, its test_data_set_0 inputs and its outputs on them. */
typedef struct fixture {
    char dir[4096], model[4200];
    ia_session *cpu;
    ia_value *vals[16], *ref[16];
    const char *names[16];
    size_t nv, n_out;
} fixture;

static int fixture_open(fixture *fx, const char *dir) {
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "%s", dir);
    snprintf(fx->model, sizeof fx->model, "%s/model.onnx", dir);
    if (ia_session_create(fx->model, NULL, &fx->cpu)) { fprintf(stderr, "FAIL: cpu session %s: %s\n", fx->model, ia_last_error()); return 1; }
    if (load_inputs(dir, fx->cpu, fx->vals, fx->names, &fx->nv)) return 1;
    fx->n_out = ia_session_output_count(fx->cpu);
    if (fx->n_out > 16 || ia_session_run(fx->cpu, fx->vals, fx->nv, fx->ref, fx->n_out)) {
        fprintf(stderr, "FAIL: cpu run %s: %s\n", fx->model, ia_session_errmsg(fx->cpu));
        return 1;
    }
    return 0;
}

static void fixture_close(fixture *fx) {
    for (size_t k = 0; k < fx->n_out; k++) ia_value_destroy(fx->ref[k]);
    for (size_t k = 0; k < fx->nv; k++) ia_value_destroy(fx->vals[k]);
    ia_session_destroy(fx->cpu);
}

/* Max |a - b| over float32 tensors of equal type and shape; -1 when they differ in type/shape. */
static double max_diff(const ia_value *ra, const ia_value *rb) {
    const ia_tensor *a = ra->tensor, *b = rb->tensor;
    if (a->dtype != IA_DTYPE_FLOAT || a->dtype != b->dtype || a->rank != b->rank || a->numel != b->numel ||
        memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank))
        return -1;
    double m = 0;
    for (int64_t i = 0; i < a->numel; i++) {
        double d = fabs((double)((float *)a->data)[i] - (double)((float *)b->data)[i]);
        if (!(d <= m)) m = d; /* NaN propagates as a failure */
    }
    return m;
}

/* Runs the fixture in a Firefox page on `device` and compares every output with the CPU engine's;
 * then checks what the run records (browser, version, bundle, execution provider). */
static void parity(fixture *fx, const char *device) {
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = device;
    o.browser = BROWSER;
    o.timeout_ms = 150000;
    ia_web_session *w;
    double t0 = now_s();
    if (ia_web_session_create(fx->model, &o, &w)) { fprintf(stderr, "FAIL: %s %s session: %s\n", fx->dir, device, ia_last_error()); fails++; return; }
    printf("%s %s: browser started and model loaded in %.1f s\n", fx->dir, device, now_s() - t0);
    ia_value *in[16] = {0}, *got[16] = {0};
    if (ia_web_session_input_count(w) != fx->nv || ia_web_session_output_count(w) != fx->n_out) {
        fprintf(stderr, "FAIL: page sees %zu inputs / %zu outputs, engine %zu / %zu\n", ia_web_session_input_count(w),
                ia_web_session_output_count(w), fx->nv, fx->n_out);
        fails++;
        ia_web_session_destroy(w);
        return;
    }
    for (size_t i = 0; i < fx->nv; i++)
        for (size_t k = 0; k < fx->nv; k++)
            if (!strcmp(fx->names[k], ia_web_session_input_name(w, i))) in[i] = fx->vals[k];
    if (ia_web_session_run(w, in, fx->nv, got, fx->n_out)) {
        fprintf(stderr, "FAIL: %s %s run: %s\n", fx->dir, device, ia_web_session_errmsg(w));
        fails++;
        ia_web_session_destroy(w);
        return;
    }
    const ia_graph *g = ia_session_model(fx->cpu)->graph;
    for (size_t k = 0; k < fx->n_out; k++) {
        const char *nm = g->values[g->outputs[k]].name;
        size_t j = 0;
        while (j < fx->n_out && strcmp(ia_web_session_output_name(w, j), nm)) j++;
        if (j == fx->n_out) { fprintf(stderr, "FAIL: output %s missing from the page's outputs\n", nm); fails++; continue; }
        double d = max_diff(fx->ref[k], got[j]);
        printf("%s firefox %s output %s: %lld values, max |browser - cpu| = %.3g (atol %.0e)\n", fx->dir, device, nm,
               (long long)fx->ref[k]->tensor->numel, d, ATOL);
        if (!(d >= 0 && d <= ATOL)) { fprintf(stderr, "FAIL: output %s: %s\n", nm, d < 0 ? "type or shape differs" : "differs"); fails++; }
    }
    ia_web_info inf;
    ia_web_session_info(w, &inf);
    printf("browser %s %s, bundle %s, ort %s, ep %s (verified %d), adapter '%s'/'%s' software=%d, threads %d, COI %d\n", inf.browser,
           inf.browser_version, inf.bundle, inf.ort_version, inf.ep, inf.ep_verified, inf.adapter_vendor, inf.adapter_architecture,
           inf.software_adapter, inf.wasm_threads, inf.cross_origin_isolated);
    EXPECT(!strcmp(inf.browser, "firefox"));
    EXPECT(!strcmp(inf.browser_version, ff_version));
    EXPECT(strstr(inf.user_agent, "Firefox/") != NULL);
    EXPECT(inf.ep_verified == 1);
    EXPECT(inf.ort_version[0] != 0);
    EXPECT(inf.cross_origin_isolated == 1);
    if (!strcmp(device, "webgpu")) {
        EXPECT(!strcmp(inf.bundle, "ort.webgpu.min.mjs"));
        EXPECT(strstr(inf.ep, "WebGpuExecutionProvider:") != NULL);
        EXPECT(inf.software_adapter == 0 || inf.software_adapter == 1);
    } else {
        EXPECT(!strcmp(inf.bundle, "ort.wasm.min.mjs"));
        EXPECT(strstr(inf.ep, "CPUExecutionProvider:") != NULL && !strstr(inf.ep, "WebGpu"));
        EXPECT(inf.software_adapter == -1);
        EXPECT(inf.wasm_threads >= 1);
    }
    for (size_t k = 0; k < fx->n_out; k++) ia_value_destroy(got[k]);
    ia_web_session_destroy(w);
}

/* Processes still running (zombies excluded: dead, waiting for init to reap them) of the browser
 * whose main process was `pid`: its process group, and Firefox's crash helper, which runs in a
 * session of its own and names the browser's pid as its first argument. */
static int leftovers(int pid) {
    if (pid <= 0) return 0;
    DIR *d = opendir("/proc");
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int q = atoi(e->d_name);
        if (q <= 1) continue;
        char p[64], buf[1024];
        snprintf(p, sizeof p, "/proc/%d/stat", q);
        FILE *f = fopen(p, "r");
        if (!f) continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = 0;
        const char *rp = strrchr(buf, ')'); /* "pid (comm) state ppid pgrp ..." */
        char state = 0;
        int ppid = 0, pgrp = 0;
        if (!rp || sscanf(rp + 1, " %c %d %d", &state, &ppid, &pgrp) != 3 || state == 'Z') continue;
        int ours = pgrp == pid;
        snprintf(p, sizeof p, "/proc/%d/cmdline", q);
        if ((f = fopen(p, "r"))) {
            got = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[got] = 0;
            size_t l0 = strlen(buf);
            if (strstr(buf, "crashhelper") && l0 + 1 < got && atoi(buf + l0 + 1) == pid) ours = 1;
        }
        if (ours) { printf("still running: pid %d (%s), state %c, group %d\n", q, buf, state, pgrp); n++; }
    }
    closedir(d);
    return n;
}

/* A pool of one Firefox with two pages (page 0 opens page 1 with window.open): a request, then the
 * browser's main process gets SIGKILL; the pool must notice, start a fresh Firefox and serve the
 * next requests with the same outputs. At the end no process of either browser's group remains. */
static void crash_recovery(fixture *fx) {
    ia_web_pool_options o;
    ia_web_pool_options_init(&o);
    o.web.browser = BROWSER;
    o.web.timeout_ms = 120000;
    o.pages = 2;
    ia_web_pool *pool;
    if (ia_web_pool_create(&o, &pool)) { fprintf(stderr, "FAIL: firefox pool: %s\n", ia_last_error()); fails++; return; }
    int pids[2] = {-1, -1};
    for (int r = 0; r < 8; r++) {
        if (r == 3) { /* after 3 good requests */
            pids[0] = ia_web_pool_browser_pid(pool, 0);
            printf("pool: killing firefox pid %d with SIGKILL\n", pids[0]);
            EXPECT(pids[0] > 0);
            if (pids[0] > 0) kill(pids[0], SIGKILL);
        }
        ia_value *out = NULL;
        char err[1024] = "";
        if (ia_web_pool_run(pool, fx->model, fx->names, fx->vals, fx->nv, &out, 1, err, sizeof err)) {
            fprintf(stderr, "FAIL: pool request %d: %s\n", r, err);
            fails++;
        } else {
            double d = max_diff(fx->ref[0], out);
            if (!(d >= 0 && d <= ATOL)) { fprintf(stderr, "FAIL: pool request %d: output differs (%g)\n", r, d); fails++; }
        }
        ia_value_destroy(out);
    }
    pids[1] = ia_web_pool_browser_pid(pool, 0);
    ia_web_pool_stats st;
    ia_web_pool_get_stats(pool, &st);
    printf("pool: %llu requests, %llu completed, %llu failed, %llu retried, %llu restarts, %llu loads; firefox pid %d -> %d\n",
           (unsigned long long)st.requests, (unsigned long long)st.completed, (unsigned long long)st.failed, (unsigned long long)st.retried,
           (unsigned long long)st.restarts, (unsigned long long)st.loads, pids[0], pids[1]);
    EXPECT(st.completed == 8 && st.failed == 0);
    EXPECT(st.restarts >= 1);
    EXPECT(pids[1] > 0 && pids[1] != pids[0]);
    ia_web_pool_destroy(pool);
    for (int i = 0; i < 2; i++) {
        int left = -1;
        for (int t = 0; t < 50 && left; t++) { /* SIGKILL takes effect asynchronously: up to 5 s */
            if (t) usleep(100000);
            left = leftovers(pids[i]);
        }
        if (left) { fprintf(stderr, "FAIL: %d processes of firefox %d are still running after the pool ended\n", left, pids[i]); fails++; }
    }
}

/* Fails fast: IA_ERR_UNAVAILABLE, no session, a message naming Firefox, its version and `reason`. */
static void expect_unavailable(const char *model, const char *device, const char *reason) {
    ia_web_options o;
    ia_web_options_init(&o);
    o.device = device;
    o.browser = BROWSER;
    o.timeout_ms = 60000;
    ia_web_session *w = NULL;
    double t0 = now_s();
    int rc = ia_web_session_create(model, &o, &w);
    const char *msg = ia_last_error();
    printf("%s on firefox: rc=%d (%s) after %.1f s: %s\n", device, rc, ia_status_name(rc), now_s() - t0, msg);
    char name[96];
    snprintf(name, sizeof name, "Firefox %s", ff_version);
    if (rc != IA_ERR_UNAVAILABLE || w) { fprintf(stderr, "FAIL: expected IA_ERR_UNAVAILABLE and no session\n"); fails++; }
    if (!strstr(msg, name)) { fprintf(stderr, "FAIL: the message does not name %s\n", name); fails++; }
    if (!reason[0] || !strstr(msg, reason)) { fprintf(stderr, "FAIL: the message lacks the page's reason '%s'\n", reason); fails++; }
    ia_web_session_destroy(w);
}

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* What this Firefox says about WebGPU and WebNN decides what must happen: a device it offers must
 * give the CPU engine's outputs; one it lacks must fail fast quoting the page's reason. */
static int devices(fixture *fx, int n) {
    ia_web_options o;
    ia_web_options_init(&o);
    o.browser = BROWSER;
    o.timeout_ms = 60000;
    char *caps;
    if (ia_web_probe(&o, &caps)) { fprintf(stderr, "FAIL: firefox probe: %s\n", ia_last_error()); return 1; }
    printf("capabilities: %s\n", caps);
    cJSON *c = cJSON_Parse(caps);
    ia_free(caps);
    if (!c) { fprintf(stderr, "FAIL: capabilities are not JSON\n"); return 1; }
    EXPECT(!strcmp(jstr(c, "browser"), "firefox") && !strcmp(jstr(c, "browserVersion"), ff_version));
    const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(c, "webgpu"), *nn = cJSON_GetObjectItemCaseSensitive(c, "webnn");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gpu, "available"))) {
        printf("webgpu: this Firefox offers an adapter (fallback %d): parity required\n",
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gpu, "isFallbackAdapter")));
        for (int i = 0; i < n; i++) parity(&fx[i], "webgpu");
    } else {
        printf("webgpu: unavailable in this Firefox (%s): fail fast required\n", jstr(gpu, "error"));
        expect_unavailable(fx[0].model, "webgpu", jstr(gpu, "error"));
    }
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nn, "contexts"), "cpu");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "ok"))) {
        printf("webnn: createContext works in this Firefox: parity required\n");
        for (int i = 0; i < n; i++) parity(&fx[i], "webnn");
    } else {
        const char *why = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(nn, "present")) ? jstr(ctx, "error") : jstr(nn, "error");
        printf("webnn: unavailable in this Firefox (%s): fail fast required\n", why);
        expect_unavailable(fx[0].model, "webnn", why);
    }
    cJSON_Delete(c);
    /* With Firefox's own WebGPU blocklist kept, a machine without a GPU has no adapter: the
     * fail-fast path for webgpu, exercised here even where the default profile offers one. */
    setenv("IA_WEB_FIREFOX_WEBGPU_BLOCKLIST", "1", 1);
    if (ia_web_probe(&o, &caps)) { fprintf(stderr, "FAIL: firefox probe (blocklist kept): %s\n", ia_last_error()); fails++; }
    else {
        c = cJSON_Parse(caps);
        ia_free(caps);
        gpu = cJSON_GetObjectItemCaseSensitive(c, "webgpu");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gpu, "available")))
            printf("webgpu with the blocklist kept: Firefox still offers an adapter here (a GPU it allows), nothing to refuse\n");
        else {
            printf("webgpu with the blocklist kept: unavailable (%s): fail fast required\n", jstr(gpu, "error"));
            expect_unavailable(fx[0].model, "webgpu", jstr(gpu, "error"));
        }
        cJSON_Delete(c);
    }
    unsetenv("IA_WEB_FIREFOX_WEBGPU_BLOCKLIST");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 10 || (strcmp(argv[1], "wasm") && strcmp(argv[1], "devices"))) {
        fprintf(stderr, "usage: test_browser_firefox wasm|devices FIXTURE_DIR...\n");
        return 2;
    }
    if (require_firefox()) return 1;
    fixture fx[8];
    int n = argc - 2;
    for (int i = 0; i < n; i++)
        if (fixture_open(&fx[i], argv[2 + i])) return 1;
    if (!strcmp(argv[1], "wasm")) {
        for (int i = 0; i < n; i++) parity(&fx[i], "wasm");
        crash_recovery(&fx[0]);
    } else if (devices(fx, n)) fails++;
    for (int i = 0; i < n; i++) fixture_close(&fx[i]);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}
