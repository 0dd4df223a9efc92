/* The browser pool's LRU eviction: two models alternate on one page whose model budget holds only
 * one, so every load evicts the other. Results must equal the CPU engine's, and the page must really
 * free evicted sessions (the count it reports in its heartbeats stays at one, not one per load).
 * usage: test_browser_pool_evict FIXTURE_DIR_A FIXTURE_DIR_B */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ia/web.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"

typedef struct fixture {
    char model[4096];
    ia_value *vals[16], *ref;
    const char *names[16];
    size_t nv;
    ia_session *cpu;
} fixture;

static int load_fixture(const char *dir, fixture *f) {
    memset(f, 0, sizeof *f);
    snprintf(f->model, sizeof f->model, "%s/model.onnx", dir);
    if (ia_session_create(f->model, NULL, &f->cpu)) { fprintf(stderr, "FAIL: %s\n", ia_last_error()); return 1; }
    const ia_graph *g = ia_session_model(f->cpu)->graph;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        if (vs->init) continue;
        char p[4200];
        snprintf(p, sizeof p, "%s/test_data_set_0/input_%zu.pb", dir, f->nv);
        FILE *fp = fopen(p, "rb");
        if (!fp) { fprintf(stderr, "FAIL: %s missing\n", p); return 1; }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        if (ia__value_decode(buf, n, &vs->type, &f->vals[f->nv])) { fprintf(stderr, "FAIL: %s\n", ia_last_error()); return 1; }
        f->names[f->nv++] = vs->name;
    }
    if (ia_session_run(f->cpu, f->vals, f->nv, &f->ref, 1)) { fprintf(stderr, "FAIL: cpu run: %s\n", ia_last_error()); return 1; }
    return 0;
}

static void free_fixture(fixture *f) {
    for (size_t i = 0; i < f->nv; i++) ia_value_destroy(f->vals[i]);
    ia_value_destroy(f->ref);
    ia_session_destroy(f->cpu);
}

static int same(const ia_value *a, const ia_value *b) {
    if (!a || a->tensor->numel != b->tensor->numel) return 0;
    for (int64_t i = 0; i < a->tensor->numel; i++)
        if (!(fabs((double)((float *)a->tensor->data)[i] - ((float *)b->tensor->data)[i]) <= 1e-3)) return 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: test_browser_pool_evict FIXTURE_DIR_A FIXTURE_DIR_B\n"); return 2; }
    static fixture fx[2];
    if (load_fixture(argv[1], &fx[0]) || load_fixture(argv[2], &fx[1])) return 1;
    ia_web_pool_options o;
    ia_web_pool_options_init(&o);
    o.web.device = "wasm";
    o.web.timeout_ms = 60000;
    o.pages = 1;
    o.page_budget = 1; /* holds one model at a time */
    ia_web_pool *pool;
    if (ia_web_pool_create(&o, &pool)) { fprintf(stderr, "FAIL: pool: %s\n", ia_last_error()); return 1; }
    int fails = 0;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "FAIL: expected %s\n", #c); fails++; } } while (0)
    const uint64_t rounds = 4;
    for (uint64_t r = 0; r < 2 * rounds; r++) {
        fixture *f = &fx[r % 2];
        ia_value *out = NULL;
        char err[1024] = "";
        int rc = ia_web_pool_run(pool, f->model, f->names, f->vals, f->nv, &out, 1, err, sizeof err);
        if (rc) fprintf(stderr, "request %llu: %s\n", (unsigned long long)r, err);
        EXPECT(rc == IA_OK && same(out, f->ref));
        ia_value_destroy(out);
    }
    sleep(3); /* the page reports its session count in its heartbeat, once a second */
    ia_web_pool_stats st;
    ia_web_pool_get_stats(pool, &st);
    printf("requests %llu, loads %llu, evictions %llu, sessions held by the page %llu\n", (unsigned long long)st.requests,
           (unsigned long long)st.loads, (unsigned long long)st.evictions, (unsigned long long)st.page_sessions);
    EXPECT(st.loads == 2 * rounds);
    EXPECT(st.evictions == 2 * rounds - 1);
    EXPECT(st.page_sessions == 1);
    ia_web_pool_destroy(pool);
    free_fixture(&fx[0]);
    free_fixture(&fx[1]);
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}
