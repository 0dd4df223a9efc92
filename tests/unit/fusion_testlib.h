/* Helpers for the optimizer's unit tests: build small ONNX graphs in C, run them prepared at
 * optimize level 1 (unfused) and 2 (fused), compare outputs and list the ops that remain. */
#ifndef IA_FUSION_TESTLIB_H
#define IA_FUSION_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "model_builder.h"
#include "onnx/ir.h"

/* A node under construction: inputs/outputs as one space-separated string each ("-" = an
 * omitted optional input). Attributes are added with fx_ai/fx_af/fx_ais before fx_end. */
typedef struct fx_node {
    ia_pbw n;
} fx_node;

static inline void fx_words(ia_pbw *w, uint32_t field, const char *list) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        mb_str(w, field, strcmp(t, "-") ? t : "");
}

static inline fx_node fx_begin(const char *op, const char *ins, const char *outs) {
    static int counter;
    fx_node f;
    memset(&f, 0, sizeof f);
    char name[64];
    snprintf(name, sizeof name, "%s_%d", op, ++counter);
    fx_words(&f.n, 1, ins);
    fx_words(&f.n, 2, outs);
    mb_str(&f.n, 3, name);
    mb_str(&f.n, 4, op);
    return f;
}

static inline void fx_ai(fx_node *f, const char *name, int64_t v) {
    ia_pbw a = {0};
    mb_str(&a, 1, name);
    ia_pbw_varint_field(&a, 3, (uint64_t)v);
    ia_pbw_varint_field(&a, 20, IA_ATTR_INT);
    mb_sub(&f->n, 5, &a);
}

static inline void fx_af(fx_node *f, const char *name, float v) {
    ia_pbw a = {0};
    mb_str(&a, 1, name);
    ia_pbw_key(&a, 2, 5);
    ia_pbw_raw(&a, &v, 4);
    ia_pbw_varint_field(&a, 20, IA_ATTR_FLOAT);
    mb_sub(&f->n, 5, &a);
}

static inline void fx_ais(fx_node *f, const char *name, int n, const int64_t *v) {
    ia_pbw a = {0};
    mb_str(&a, 1, name);
    for (int i = 0; i < n; i++) ia_pbw_varint_field(&a, 8, (uint64_t)v[i]);
    ia_pbw_varint_field(&a, 20, IA_ATTR_INTS);
    mb_sub(&f->n, 5, &a);
}

static inline void fx_end(ia_pbw *g, fx_node *f) { mb_sub(g, 1, &f->n); }

/* A node without attributes. */
static inline void fx_op(ia_pbw *g, const char *op, const char *ins, const char *outs) {
    fx_node f = fx_begin(op, ins, outs);
    fx_end(g, &f);
}

/* Scalar (rank 0) float constant. */
static inline void fx_scalar(ia_pbw *g, const char *name, float v) { mb_init_f32(g, name, 0, NULL, &v, 1); }

/* Deterministic pseudo-random floats in [-scale, scale]. */
static inline void fx_fill(float *p, size_t n, unsigned seed, float scale) {
    uint64_t s = seed * 2654435761u + 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = scale * (float)(((double)(s >> 11) / 9007199254740992.0) * 2.0 - 1.0);
    }
}

/* Random float initializer. */
static inline void fx_weight(ia_pbw *g, const char *name, int ndims, const int64_t *dims, unsigned seed, float scale) {
    size_t n = (size_t)ia_shape_numel(ndims, dims);
    float *p = malloc(n * sizeof *p);
    fx_fill(p, n, seed, scale);
    mb_init_f32(g, name, ndims, dims, p, n);
    free(p);
}

/* Session for a model at an optimize level (with IA_OPT_DISABLE unset). */
static inline int fx_session(const ia_pbw *m, int level, ia_session **s) {
    unsetenv("IA_OPTIMIZE"); /* the levels compared here are the ones asked for */
    ia_model *model;
    int rc = ia_model_load_memory(m->buf, m->len, NULL, &model);
    if (rc) return rc;
    ia_session_options o;
    ia_session_options_init(&o);
    o.optimize_level = level;
    o.threads = 2;
    return ia_session_create_from_model(model, &o, s);
}

/* How many nodes of op_type remain in the session's graph. */
static inline int fx_count(const ia_session *s, const char *op_type) {
    const ia_graph *g = ia_session_model(s)->graph;
    int c = 0;
    for (size_t i = 0; i < g->n_nodes; i++) c += !strcmp(g->nodes[i].op_type, op_type);
    return c;
}

/* Prints the graph's remaining nodes (for failure messages). */
static inline void fx_dump(const ia_session *s) {
    const ia_graph *g = ia_session_model(s)->graph;
    for (size_t i = 0; i < g->n_nodes; i++) fprintf(stderr, "    node %zu: %s %s\n", i, g->nodes[i].op_type, g->nodes[i].name);
}

static inline size_t fx_nodes(const ia_session *s) { return ia_session_model(s)->graph->n_nodes; }

/* Runs `s` on float inputs (n_in of them, shapes given) and returns output 0 (owned). */
static inline ia_value *fx_run(ia_session *s, int n_in, ia_tensor *const *in) {
    ia_value *iv[8] = {0}, *out[8] = {0};
    for (int i = 0; i < n_in; i++) ia_value_from_tensor(in[i], &iv[i]);
    int rc = ia_session_run(s, iv, (size_t)n_in, out, ia_session_output_count(s));
    for (int i = 0; i < n_in; i++) ia_value_destroy(iv[i]);
    if (rc) {
        fprintf(stderr, "  run failed: %s\n", ia_session_errmsg(s));
        return NULL;
    }
    for (size_t i = 1; i < ia_session_output_count(s); i++) ia_value_destroy(out[i]);
    return out[0];
}

/* A random float input tensor. */
static inline ia_tensor *fx_input(int rank, const int64_t *dims, unsigned seed, float scale) {
    ia_tensor *t;
    if (ia_tensor_create(IA_DTYPE_FLOAT, rank, dims, &t)) return NULL;
    fx_fill(t->data, (size_t)t->numel, seed, scale);
    return t;
}

/* Largest |a - b| / (atol + rtol |b|) over two float tensors of the same shape (> 1 fails);
 * INFINITY when shapes differ. */
static inline double fx_err(const ia_value *a, const ia_value *b, double atol, double rtol) {
    if (!a || !b || a->tensor->rank != b->tensor->rank || a->tensor->numel != b->tensor->numel) return INFINITY;
    for (int d = 0; d < a->tensor->rank; d++)
        if (a->tensor->dims[d] != b->tensor->dims[d]) return INFINITY;
    const float *x = a->tensor->data, *y = b->tensor->data;
    double worst = 0;
    for (int64_t i = 0; i < a->tensor->numel; i++) {
        double diff = fabs((double)x[i] - y[i]);
        double e = diff == 0 ? 0 : diff / (atol + rtol * fabs((double)y[i]));
        if (!(e <= worst)) worst = e; /* NaN propagates */
    }
    return worst;
}

/* Loads the model at levels 1 and 2, runs both on the inputs, stores the error ratio
 * (fx_err) in *err, and returns the level-2 session (for op counts); NULL on failure. */
static inline ia_session *fx_compare(const ia_pbw *m, int n_in, ia_tensor *const *in, double atol, double rtol, double *err) {
    ia_session *s1 = NULL, *s2 = NULL;
    *err = INFINITY;
    if (fx_session(m, 1, &s1)) {
        fprintf(stderr, "  level 1 load: %s\n", ia_last_error());
        return NULL;
    }
    if (fx_session(m, 2, &s2)) {
        fprintf(stderr, "  level 2 load: %s\n", ia_last_error());
        ia_session_destroy(s1);
        return NULL;
    }
    ia_value *a = fx_run(s1, n_in, in), *b = fx_run(s2, n_in, in);
    *err = fx_err(b, a, atol, rtol);
    ia_value_destroy(a);
    ia_value_destroy(b);
    ia_session_destroy(s1);
    return s2;
}

#endif
