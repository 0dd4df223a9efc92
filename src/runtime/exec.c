/* Graph execution: binds inputs, runs nodes in order, frees each intermediate after its last
 * reader (liveness), checks what kernels produce, and returns the graph outputs. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ia/alloc.h"
#include "runtime/exec.h"

static uint64_t value_bytes_exclusive(const ia_value *v) {
    if (!v) return 0;
    if (v->kind == IA_VALUE_TENSOR) return v->tensor && v->tensor->refcount == 1 ? v->tensor->nbytes : 0;
    uint64_t s = 0;
    for (size_t i = 0; i < v->n_items; i++) s += value_bytes_exclusive(v->items[i]);
    return s + value_bytes_exclusive(v->inner);
}

static void drop_value(ia_frame *f, int slot) {
    if (!f->vals[slot]) return;
    if (f->owned[slot]) {
        uint64_t b = value_bytes_exclusive(f->vals[slot]);
        f->env->live_bytes = f->env->live_bytes > b ? f->env->live_bytes - b : 0;
        ia_value_destroy(f->vals[slot]);
    }
    f->vals[slot] = NULL;
    f->owned[slot] = 0;
}

static int type_matches(const ia_type_info *t, const ia_value *v) {
    if (!t->kind) return 1;
    if (t->kind != (int)v->kind) return 0;
    if (v->kind == IA_VALUE_TENSOR && t->elem_dtype && t->elem_dtype != v->tensor->dtype) return 0;
    return 1;
}

int ia__exec_node(ia_kctx *ctx) {
    const ia_node *n = ctx->node;
    int rc = n->op->run(ctx);
    if (!rc) {
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] >= 0 && !ctx->out[o]) {
                rc = ia_kctx_fail(ctx, IA_ERR_RUNTIME, "kernel produced no value for output %d", o);
                break;
            }
    }
    if (rc) {
        snprintf(ctx->env->errmsg, sizeof ctx->env->errmsg, "node '%s' (%s%s%s, opset %lld): %s", n->name,
                 n->domain[0] ? n->domain : "", n->domain[0] ? "." : "", n->op_type, (long long)n->opset,
                 ctx->has_err ? ctx->err : ia_strerror(rc));
    }
    return rc;
}

static int node_is_folded(const ia_graph *g, const ia_node *n) {
    int any = 0;
    for (int o = 0; o < n->n_outputs; o++) {
        if (n->outputs[o] < 0) continue;
        if (!g->values[n->outputs[o]].cvalue) return 0;
        any = 1;
    }
    return any;
}

int ia__exec_graph(ia_exec_env *env, const ia_graph *g, ia_frame *parent, ia_value *const *inputs, ia_value **outputs) {
    int rc = IA_OK;
    ia_frame f = {g, NULL, NULL, parent, env};
    size_t nv = g->n_values;
    f.vals = ia_calloc(nv ? nv : 1, sizeof *f.vals);
    f.owned = ia_calloc(nv ? nv : 1, 1);
    ia_value **in = NULL, **out = NULL;
    if (!f.vals || !f.owned) {
        rc = IA_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < nv; i++) {
        const ia_value_slot *s = &g->values[i];
        if (s->cvalue) {
            f.vals[i] = s->cvalue;
        } else if (s->outer_level) {
            ia_frame *p = &f;
            for (int l = 0; l < s->outer_level && p; l++) p = p->parent;
            if (p && s->outer_index >= 0 && (size_t)s->outer_index < p->g->n_values) f.vals[i] = p->vals[s->outer_index];
        }
    }
    for (size_t k = 0; k < g->n_inputs; k++) {
        int s = g->inputs[k];
        if (inputs && inputs[k]) {
            if (g->values[s].type.kind == IA_VALUE_OPTIONAL && inputs[k]->kind != IA_VALUE_OPTIONAL) {
                /* a plain value fed to an optional input is an optional holding it */
                ia_value *inner = NULL, *opt = NULL;
                if ((rc = ia_value_clone(inputs[k], &inner)) || (rc = ia_value_optional(inner, &opt))) {
                    ia_value_destroy(inner);
                    goto done;
                }
                f.vals[s] = opt;
                f.owned[s] = 1;
                continue;
            }
            if (!type_matches(&g->values[s].type, inputs[k])) {
                const ia_type_info *t = &g->values[s].type;
                snprintf(env->errmsg, sizeof env->errmsg, "input '%s' must be %s%s, got %s%s", g->values[s].name,
                         t->kind == IA_VALUE_TENSOR ? "a tensor of " : t->kind == IA_VALUE_SEQUENCE ? "a sequence" : "an optional",
                         t->kind == IA_VALUE_TENSOR ? ia_dtype_name(t->elem_dtype) : "",
                         inputs[k]->kind == IA_VALUE_TENSOR ? "a tensor of " : inputs[k]->kind == IA_VALUE_SEQUENCE ? "a sequence" : "an optional",
                         inputs[k]->kind == IA_VALUE_TENSOR ? ia_dtype_name(inputs[k]->tensor->dtype) : "");
                rc = IA_ERR_TYPE;
                goto done;
            }
            const ia_type_info *t = &g->values[s].type;
            if (inputs[k]->kind == IA_VALUE_TENSOR && t->kind == IA_VALUE_TENSOR && t->rank >= 0) {
                const ia_tensor *x = inputs[k]->tensor;
                /* like ONNX Runtime, a declared scalar also accepts a one-element tensor */
                int bad = x->rank != t->rank && !(t->rank == 0 && x->numel == 1);
                for (int d = 0; !bad && d < t->rank; d++) bad = t->dims[d] >= 0 && t->dims[d] != x->dims[d];
                if (bad) {
                    char a[256], b[256];
                    ia_shape_str(t->rank, t->dims, a, sizeof a);
                    ia_shape_str(x->rank, x->dims, b, sizeof b);
                    snprintf(env->errmsg, sizeof env->errmsg, "input '%s' must have shape %s (-1 = any), got %s",
                             g->values[s].name, a, b);
                    rc = IA_ERR_SHAPE;
                    goto done;
                }
            }
            f.vals[s] = inputs[k];
        } else if (!g->values[s].cvalue && !(g->values[s].type.kind == IA_VALUE_OPTIONAL)) {
            snprintf(env->errmsg, sizeof env->errmsg, "input '%s' was not given and has no default", g->values[s].name);
            rc = IA_ERR_INVALID_ARG;
            goto done;
        }
    }
    int max_in = 1, max_out = 1;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].n_inputs > max_in) max_in = g->nodes[i].n_inputs;
        if (g->nodes[i].n_outputs > max_out) max_out = g->nodes[i].n_outputs;
    }
    in = ia_malloc((size_t)max_in * sizeof *in);
    out = ia_calloc((size_t)max_out, sizeof *out);
    if (!in || !out) {
        rc = IA_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        if (node_is_folded(g, n)) continue;
        for (int k = 0; k < n->n_inputs; k++) {
            int s = n->inputs[k];
            in[k] = s >= 0 ? f.vals[s] : NULL;
            if (s >= 0 && !in[k] && g->values[s].type.kind != IA_VALUE_OPTIONAL) {
                snprintf(env->errmsg, sizeof env->errmsg, "node '%s' (%s): input '%s' has no value", n->name, n->op_type,
                         g->values[s].name);
                rc = IA_ERR_RUNTIME;
                goto done;
            }
        }
        memset(out, 0, (size_t)n->n_outputs * sizeof *out);
        ia_kctx ctx = {0};
        ctx.node = n;
        ctx.in = in;
        ctx.n_in = n->n_inputs;
        ctx.out = out;
        ctx.n_out = n->n_outputs;
        ctx.env = env;
        ctx.frame = &f;
        struct timespec t0, t1;
        int timed = env->node_ms && !parent;
        if (timed) clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = ia__exec_node(&ctx);
        if (timed) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            env->node_ms[i] += (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
            env->node_calls[i]++;
        }
        ia__kctx_cleanup(&ctx, rc != 0);
        if (rc) goto done;
        env->nodes_run++;
        for (int o = 0; o < n->n_outputs; o++) {
            int s = n->outputs[o];
            if (s < 0) {
                ia_value_destroy(out[o]);
                continue;
            }
            f.vals[s] = out[o];
            f.owned[s] = 1;
            out[o] = NULL;
            if (g->values[s].n_uses == 0 && !g->values[s].is_output) drop_value(&f, s);
        }
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0 && g->values[s].last_use == (int)i && !g->values[s].is_output && f.owned[s]) drop_value(&f, s);
        }
    }
    for (size_t k = 0; k < g->n_outputs; k++) {
        int s = g->outputs[k];
        if (!f.vals[s]) {
            snprintf(env->errmsg, sizeof env->errmsg, "graph output '%s' has no value", g->values[s].name);
            rc = IA_ERR_RUNTIME;
            break;
        }
        if ((rc = ia_value_clone(f.vals[s], &outputs[k]))) break;
    }
    if (rc)
        for (size_t k = 0; k < g->n_outputs; k++) {
            ia_value_destroy(outputs[k]);
            outputs[k] = NULL;
        }
done:
    if (f.vals)
        for (size_t i = 0; i < nv; i++)
            if (f.owned[i]) drop_value(&f, (int)i);
    ia_free(f.vals);
    ia_free(f.owned);
    ia_free(in);
    ia_free(out);
    if (rc == IA_ERR_NOMEM && !env->errmsg[0]) snprintf(env->errmsg, sizeof env->errmsg, "out of memory");
    return rc;
}
