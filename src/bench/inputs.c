/* Benchmark inputs generated from a model's declared input signature: symbolic dims bound to
 * batch / sequence length, token ids within the embedding table, masks of ones, uniform floats. */
#include <stdio.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "ops/kernel_util.h"

static int has(const char *s, const char *sub) { return s && strstr(s, sub) != NULL; }

/* Rows of the embedding table this input indexes: a Gather reading it directly, else the
 * smallest constant Gather table in the graph (so ids are valid for every table), else 100. */
static int64_t vocab_for(const ia_graph *g, int slot) {
    int64_t direct = 0, smallest = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *nd = &g->nodes[i];
        if (strcmp(nd->op_type, "Gather") || nd->n_inputs < 2 || nd->inputs[0] < 0) continue;
        const ia_tensor *t = g->values[nd->inputs[0]].init;
        if (!t || t->rank < 1) continue;
        if (nd->inputs[1] == slot) direct = t->dims[0];
        if (!smallest || t->dims[0] < smallest) smallest = t->dims[0];
    }
    return direct ? direct : smallest ? smallest : 100;
}

static uint64_t next(uint64_t *st) {
    uint64_t z = (*st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* One input of graph g (graph input index i): symbolic dims bound from the NAME=N list first,
 * then batch / sequence names; token ids within the embedding table this input indexes, masks of
 * ones, token types 0, positions 0..len-1, uniform floats in [-1, 1). */
int ia__bench_make_input(const ia_graph *g, size_t i, int64_t batch, int64_t seq, const char *const *dim_names,
                         const int64_t *dim_values, int n_dims, uint64_t *st, ia_value **out) {
    *out = NULL;
    const ia_value_slot *vs = &g->values[g->inputs[i]];
    const ia_type_info *t = &vs->type;
    if (t->kind != IA_VALUE_TENSOR || t->rank < 0 || !t->elem_dtype)
        return ia_set_error(IA_ERR_UNSUPPORTED, "input '%s' has no fully declared tensor type", vs->name);
    int64_t dims[IA_MAX_DIMS];
    int n_sym = 0;
    for (int d = 0; d < t->rank; d++) {
        dims[d] = t->dims[d];
        if (dims[d] >= 0) continue;
        const char *p = t->dim_params[d];
        int found = 0;
        for (int k = 0; k < n_dims && !found; k++)
            if (p && !strcmp(dim_names[k], p)) { dims[d] = dim_values[k]; found = 1; }
        if (found) continue;
        if (has(p, "batch") || (!p && d == 0) || (p && !strcmp(p, "N"))) dims[d] = batch;
        else if (has(p, "seq") || has(p, "length") || has(p, "token") || has(p, "time") || has(p, "frames")) dims[d] = seq;
        else if (n_sym == 0 && d == 0) dims[d] = batch;
        else if (n_sym <= 1 && d == 1) dims[d] = seq;
        else
            return ia_set_error(IA_ERR_INVALID_ARG, "input '%s': cannot bind symbolic dim %d ('%s'); pass --dim %s=N",
                                vs->name, d, p ? p : "?", p ? p : "NAME");
        n_sym++;
    }
    ia_tensor *x;
    if (ia_tensor_create(t->elem_dtype, t->rank, dims, &x)) return IA_ERR_NOMEM;
    int is_mask = has(vs->name, "mask"), is_type = has(vs->name, "token_type"), is_pos = has(vs->name, "position");
    int64_t vocab = ia_dtype_is_float(x->dtype) ? 0 : vocab_for(g, g->inputs[i]);
    int64_t last = t->rank ? dims[t->rank - 1] : 1;
    for (int64_t k = 0; k < x->numel; k++) {
        if (x->dtype == IA_DTYPE_STRING) {
            if (!(((char **)x->data)[k] = ia_strdup("a"))) { ia_tensor_release(x); return IA_ERR_NOMEM; }
            continue;
        }
        double r = (double)(next(st) >> 11) / 9007199254740992.0;
        if (ia_dtype_is_float(x->dtype)) ia_set_f64(x->data, x->dtype, k, is_mask ? 1.0 : r * 2 - 1);
        else if (x->dtype == IA_DTYPE_BOOL || is_mask) ia_set_i64(x->data, x->dtype, k, 1);
        else if (is_type) ia_set_i64(x->data, x->dtype, k, 0);
        else if (is_pos) ia_set_i64(x->data, x->dtype, k, last > 0 ? k % last : 0);
        else ia_set_i64(x->data, x->dtype, k, (int64_t)(r * (double)vocab));
    }
    int rc = ia_value_from_tensor(x, out);
    ia_tensor_release(x);
    return rc;
}

int ia__bench_make_inputs(ia_session *s, const ia_bench_config *c, const ia_bench_options *o, ia_value **in, size_t n_in) {
    const ia_graph *g = ia_session_model(s)->graph;
    uint64_t st = o->seed;
    for (size_t i = 0; i < n_in && i < g->n_inputs; i++) {
        in[i] = NULL;
        if (g->values[g->inputs[i]].init) continue; /* has a default */
        int rc = ia__bench_make_input(g, i, c->batch, c->seq, o->dim_names, o->dim_values, o->n_dims, &st, &in[i]);
        if (rc) return rc;
    }
    return IA_OK;
}
