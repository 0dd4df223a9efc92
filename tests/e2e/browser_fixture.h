/* The engine-core fixtures for the browser tests: a fixture directory's test_data_set_0 inputs
 * decoded for the CPU engine's session, in graph order. */
#ifndef IA_TESTS_BROWSER_FIXTURE_H
#define IA_TESTS_BROWSER_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"

static int read_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct stat st;
    fstat(fileno(f), &st);
    *len = (size_t)st.st_size;
    *data = malloc(*len + 1);
    size_t got = fread(*data, 1, *len, f);
    fclose(f);
    return got == *len ? 0 : -1;
}

/* test_data_set_0/input_K.pb for each graph input without initializer, in graph order. */
static int load_inputs(const char *dir, ia_session *cpu, ia_value **vals, const char **names, size_t *n) {
    const ia_graph *g = ia_session_model(cpu)->graph;
    size_t k = 0;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        if (vs->init) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/test_data_set_0/input_%zu.pb", dir, k);
        uint8_t *d;
        size_t len;
        if (read_file(p, &d, &len)) { fprintf(stderr, "FAIL: cannot read %s\n", p); return -1; }
        int rc = ia__value_decode(d, len, &vs->type, &vals[k]);
        free(d);
        if (rc) { fprintf(stderr, "FAIL: %s: %s\n", p, ia_last_error()); return -1; }
        names[k++] = vs->name;
    }
    *n = k;
    return 0;
}
#endif
