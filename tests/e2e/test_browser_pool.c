/* The browser pool under a fault: 200 requests over 2 pages of one headless Chromium from 4
 * threads while the browser is killed with SIGKILL midway. Every request must return (results
 * equal to the CPU engine's, or a clear error), the pool must restart the browser, and serve new
 * requests afterwards. Then the browser is killed again while no request is in flight, and the
 * next requests must still be served (the pool notices on its own, not through a failed call).
 * A watchdog prints the pool's state and fails the test rather than let it hang.
 * usage: test_browser_pool FIXTURE_DIR */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ia/web.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"

#define TOTAL 200
#define THREADS 4
#define KILL_AFTER 60

static ia_web_pool *pool;
static char model[4096];
static ia_value *vals[16], *ref;
static const char *names[16];
static size_t nv;
static atomic_int next_req, done_ok, done_err, wrong, unclear;
static char first_err[1024];
static pthread_mutex_t err_mu = PTHREAD_MUTEX_INITIALIZER;

static int same(const ia_value *a, const ia_value *b) {
    if (a->tensor->numel != b->tensor->numel) return 0;
    for (int64_t i = 0; i < a->tensor->numel; i++)
        if (!(fabs((double)((float *)a->tensor->data)[i] - ((float *)b->tensor->data)[i]) <= 1e-3)) return 0;
    return 1;
}

static void *client(void *arg) {
    for (;;) {
        int r = atomic_fetch_add(&next_req, 1);
        if (r >= TOTAL) break;
        ia_value *out = NULL;
        char err[1024] = "";
        int rc = ia_web_pool_run(pool, model, names, vals, nv, &out, 1, err, sizeof err);
        if (rc == IA_OK) {
            atomic_fetch_add(&done_ok, 1);
            if (!same(out, ref)) atomic_fetch_add(&wrong, 1);
        } else {
            atomic_fetch_add(&done_err, 1);
            if (strlen(err) < 10) atomic_fetch_add(&unclear, 1);
            pthread_mutex_lock(&err_mu);
            if (!first_err[0]) snprintf(first_err, sizeof first_err, "%s", err);
            pthread_mutex_unlock(&err_mu);
        }
        ia_value_destroy(out);
    }
    return NULL;
}

static void *watchdog(void *arg) {
    (void)arg;
    sleep(240);
    ia_web_pool_stats st;
    ia_web_pool_get_stats(pool, &st);
    fprintf(stderr, "FAIL: still running after 240 s: %d requests handed out, %d ok, %d failed; pool: requests %llu, completed %llu, "
            "failed %llu, retried %llu, restarts %llu\n", atomic_load(&next_req), atomic_load(&done_ok), atomic_load(&done_err),
            (unsigned long long)st.requests, (unsigned long long)st.completed, (unsigned long long)st.failed,
            (unsigned long long)st.retried, (unsigned long long)st.restarts);
    _exit(1);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: test_browser_pool FIXTURE_DIR\n"); return 2; }
    snprintf(model, sizeof model, "%s/model.onnx", argv[1]);
    ia_session *cpu;
    if (ia_session_create(model, NULL, &cpu)) { fprintf(stderr, "FAIL: %s\n", ia_last_error()); return 1; }
    const ia_graph *g = ia_session_model(cpu)->graph;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        if (vs->init) continue;
        char p[4200];
        snprintf(p, sizeof p, "%s/test_data_set_0/input_%zu.pb", argv[1], nv);
        FILE *f = fopen(p, "rb");
        if (!f) { fprintf(stderr, "FAIL: %s missing\n", p); return 1; }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (ia__value_decode(buf, n, &vs->type, &vals[nv])) { fprintf(stderr, "FAIL: %s\n", ia_last_error()); return 1; }
        names[nv++] = vs->name;
    }
    if (ia_session_run(cpu, vals, nv, &ref, 1)) { fprintf(stderr, "FAIL: cpu run\n"); return 1; }

    ia_web_pool_options o;
    ia_web_pool_options_init(&o);
    o.web.device = "wasm";
    o.web.timeout_ms = 60000;
    o.browsers = 1;
    o.pages = 2;
    if (ia_web_pool_create(&o, &pool)) { fprintf(stderr, "FAIL: pool: %s\n", ia_last_error()); return 1; }
    pthread_t wd;
    pthread_create(&wd, NULL, watchdog, NULL);
    pthread_detach(wd);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, client, NULL);
    while (atomic_load(&done_ok) + atomic_load(&done_err) < KILL_AFTER) usleep(2000);
    int pid = ia_web_pool_browser_pid(pool, 0);
    printf("killing browser pid %d with SIGKILL after %d requests\n", pid, KILL_AFTER);
    if (pid > 0) kill(pid, SIGKILL);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    ia_web_pool_stats st;
    ia_web_pool_get_stats(pool, &st);
    printf("requests %llu: completed %llu, failed %llu (first error: %s), retried %llu, restarts %llu, loads %llu\n",
           (unsigned long long)st.requests, (unsigned long long)st.completed, (unsigned long long)st.failed, first_err[0] ? first_err : "none",
           (unsigned long long)st.retried, (unsigned long long)st.restarts, (unsigned long long)st.loads);
    int fails = 0;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "FAIL: expected %s\n", #c); fails++; } } while (0)
    EXPECT(atomic_load(&done_ok) + atomic_load(&done_err) == TOTAL);
    EXPECT(atomic_load(&wrong) == 0);
    EXPECT(atomic_load(&unclear) == 0);
    EXPECT(pid > 0);
    EXPECT(st.restarts >= 1);
    EXPECT(ia_web_pool_browser_pid(pool, 0) != pid);
    /* killed while idle: nobody is inside a call to see it die, the pool must notice by itself */
    int pid2 = ia_web_pool_browser_pid(pool, 0);
    printf("killing browser pid %d with SIGKILL while no request runs\n", pid2);
    if (pid2 > 0) kill(pid2, SIGKILL);
    usleep(300 * 1000);
    /* the pool serves new requests afterwards */
    for (int i = 0; i < 5; i++) {
        ia_value *out = NULL;
        char err[1024] = "";
        int rc = ia_web_pool_run(pool, model, names, vals, nv, &out, 1, err, sizeof err);
        if (rc) fprintf(stderr, "after the restart: %s\n", err);
        EXPECT(rc == IA_OK && same(out, ref));
        ia_value_destroy(out);
    }
    ia_web_pool_get_stats(pool, &st);
    EXPECT(st.restarts >= 2);
    EXPECT(ia_web_pool_browser_pid(pool, 0) != pid2);
    ia_web_pool_destroy(pool);
    for (size_t i = 0; i < nv; i++) ia_value_destroy(vals[i]);
    ia_value_destroy(ref);
    ia_session_destroy(cpu);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}
