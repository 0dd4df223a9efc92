/* Kernel context: what an operator kernel sees of the executor (inputs, attributes, output
 * creation with size limits, aliasing, errors, scratch memory, subgraph calls). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "runtime/exec.h"

int ia_kctx_num_inputs(const ia_kctx *c) { return c->n_in; }
int ia_kctx_num_outputs(const ia_kctx *c) { return c->n_out; }

const ia_value *ia_kctx_input_value(const ia_kctx *c, int i) {
    return (i >= 0 && i < c->n_in) ? c->in[i] : NULL;
}

const ia_tensor *ia_kctx_input(const ia_kctx *c, int i) {
    const ia_value *v = ia_kctx_input_value(c, i);
    return v && v->kind == IA_VALUE_TENSOR ? v->tensor : NULL;
}

const ia_tensor *ia_kctx_input_data(const ia_kctx *c, int i) {
    const ia_tensor *t = ia_kctx_input(c, i);
    return t && (t->data || t->numel == 0) ? t : NULL;
}

int ia_kctx_shape_only(const ia_kctx *c) { return c->shape_only; }

int ia_kctx_output_wanted(const ia_kctx *c, int i) {
    return i >= 0 && i < c->node->n_outputs && c->node->outputs[i] >= 0;
}

static void noop_release(void *ctx, void *data) { (void)ctx; (void)data; }

static int put_output(ia_kctx *c, int i, ia_value *v) {
    if (i < 0 || i >= c->n_out) {
        ia_value_destroy(v);
        return ia_kctx_fail(c, IA_ERR_GRAPH, "kernel wrote output %d but the node has %d", i, c->n_out);
    }
    ia_value_destroy(c->out[i]);
    c->out[i] = v;
    return IA_OK;
}

int ia_kctx_output(ia_kctx *c, int i, int dtype, int rank, const int64_t *dims, ia_tensor **out) {
    if (out) *out = NULL;
    if (rank < 0 || rank > IA_MAX_DIMS) return ia_kctx_fail(c, IA_ERR_LIMIT, "output rank %d is not supported", rank);
    for (int k = 0; k < rank; k++)
        if (dims[k] < 0) return ia_kctx_fail(c, IA_ERR_SHAPE, "output %d would have negative dimension %lld", i, (long long)dims[k]);
    int64_t n = ia_shape_numel(rank, dims);
    if (n < 0) return ia_kctx_fail(c, IA_ERR_LIMIT, "output %d element count overflows", i);
    uint64_t bytes = ia_dtype_bytes(dtype, n);
    if (ia_dtype_size(dtype) && (uint64_t)n > UINT64_MAX / ia_dtype_size(dtype)) bytes = UINT64_MAX;
    ia_tensor *t;
    int rc;
    if (c->shape_only) {
        rc = ia_tensor_wrap(dtype, rank, dims, NULL, SIZE_MAX, noop_release, NULL, &t);
    } else {
        if (c->env->max_tensor_bytes && bytes > c->env->max_tensor_bytes)
            return ia_kctx_fail(c, IA_ERR_LIMIT, "output %d would need %llu bytes, over the limit of %llu", i,
                                (unsigned long long)bytes, (unsigned long long)c->env->max_tensor_bytes);
        int zero = !(c->node->op && (c->node->op->flags & IA_OPF_WRITES_OUTPUTS));
        rc = ia__bufpool_tensor(c->env->buffers, dtype, rank, dims, zero, &t);
        if (!rc) {
            c->env->live_bytes += t->nbytes;
            if (c->env->live_bytes > c->env->peak_bytes) c->env->peak_bytes = c->env->live_bytes;
        }
    }
    if (rc) return ia_kctx_fail(c, rc, "cannot create output %d: %s", i, ia_last_error());
    ia_value *v;
    rc = ia_value_from_tensor(t, &v);
    ia_tensor_release(t);
    if (rc) return rc;
    if ((rc = put_output(c, i, v))) return rc;
    if (out) *out = t;
    return IA_OK;
}

int ia_kctx_set_output(ia_kctx *c, int i, ia_value *v) { return put_output(c, i, v); }

int ia_kctx_output_alias(ia_kctx *c, int i, int j) {
    const ia_value *src = ia_kctx_input_value(c, j);
    if (!src) return ia_kctx_fail(c, IA_ERR_INVALID_ARG, "alias of missing input %d", j);
    ia_value *v;
    int rc = ia_value_clone(src, &v);
    if (rc) return rc;
    return put_output(c, i, v);
}

static void release_parent_tensor(void *ctx, void *data) {
    (void)data;
    ia_tensor_release(ctx);
}

int ia_kctx_output_alias_reshape(ia_kctx *c, int i, int j, int rank, const int64_t *dims) {
    const ia_tensor *src = ia_kctx_input(c, j);
    if (!src) return ia_kctx_fail(c, IA_ERR_INVALID_ARG, "alias of missing input %d", j);
    if (ia_shape_numel(rank, dims) != src->numel)
        return ia_kctx_fail(c, IA_ERR_SHAPE, "cannot view %lld elements as a shape of %lld", (long long)src->numel,
                            (long long)ia_shape_numel(rank, dims));
    if (!src->data || c->shape_only) return ia_kctx_output(c, i, src->dtype, rank, dims, NULL);
    ia_tensor *t;
    ia_tensor *parent = ia_tensor_retain((ia_tensor *)src);
    int rc = ia_tensor_wrap(src->dtype, rank, dims, src->data, src->nbytes, release_parent_tensor, parent, &t);
    if (rc) {
        ia_tensor_release(parent);
        return rc;
    }
    if (src->dtype == IA_DTYPE_STRING) { /* strings are owned per tensor: copy instead */
        ia_tensor_release(t);
        ia_tensor *o;
        rc = ia_kctx_output(c, i, src->dtype, rank, dims, &o);
        if (rc) return rc;
        char **s = src->data, **d = o->data;
        for (int64_t k = 0; k < src->numel; k++)
            if (!(d[k] = ia_strdup(s[k] ? s[k] : ""))) return IA_ERR_NOMEM;
        return IA_OK;
    }
    ia_value *v;
    rc = ia_value_from_tensor(t, &v);
    ia_tensor_release(t);
    if (rc) return rc;
    return put_output(c, i, v);
}

const ia_attr *ia_kctx_attr(const ia_kctx *c, const char *name) { return ia__node_attr(c->node, name); }

int64_t ia_kctx_attr_int(const ia_kctx *c, const char *name, int64_t dflt) {
    const ia_attr *a = ia_kctx_attr(c, name);
    return a && a->type == IA_ATTR_INT ? a->i : dflt;
}

float ia_kctx_attr_float(const ia_kctx *c, const char *name, float dflt) {
    const ia_attr *a = ia_kctx_attr(c, name);
    if (!a) return dflt;
    if (a->type == IA_ATTR_FLOAT) return a->f;
    if (a->type == IA_ATTR_INT) return (float)a->i;
    return dflt;
}

const char *ia_kctx_attr_string(const ia_kctx *c, const char *name, const char *dflt) {
    const ia_attr *a = ia_kctx_attr(c, name);
    return a && a->type == IA_ATTR_STRING && a->s ? a->s : dflt;
}

size_t ia_kctx_attr_ints(const ia_kctx *c, const char *name, const int64_t **vals) {
    const ia_attr *a = ia_kctx_attr(c, name);
    if (!a || a->type != IA_ATTR_INTS) {
        *vals = NULL;
        return 0;
    }
    *vals = a->ints;
    return a->n;
}

size_t ia_kctx_attr_floats(const ia_kctx *c, const char *name, const float **vals) {
    const ia_attr *a = ia_kctx_attr(c, name);
    if (!a || a->type != IA_ATTR_FLOATS) {
        *vals = NULL;
        return 0;
    }
    *vals = a->floats;
    return a->n;
}

const ia_tensor *ia_kctx_attr_tensor(const ia_kctx *c, const char *name) {
    const ia_attr *a = ia_kctx_attr(c, name);
    return a ? a->t : NULL;
}

ia_graph *ia_kctx_attr_graph(const ia_kctx *c, const char *name) {
    const ia_attr *a = ia_kctx_attr(c, name);
    return a && a->type == IA_ATTR_GRAPH ? a->g : NULL;
}

int64_t ia_kctx_opset(const ia_kctx *c) { return c->node->opset; }
const ia_node *ia_kctx_node(const ia_kctx *c) { return c->node; }
ia_threadpool *ia_kctx_pool(const ia_kctx *c) { return c->env->pool; }

int ia_kctx_fail(ia_kctx *c, int status, const char *fmt, ...) {
    if (!c->has_err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof c->err, fmt, ap);
        va_end(ap);
        c->has_err = 1;
    }
    return status;
}

int ia_kctx_run_subgraph(ia_kctx *c, ia_graph *g, size_t n_in, ia_value *const *in, size_t n_out, ia_value **outs) {
    if (!g) return ia_kctx_fail(c, IA_ERR_GRAPH, "missing subgraph");
    if (n_in != g->n_inputs)
        return ia_kctx_fail(c, IA_ERR_GRAPH, "subgraph '%s' takes %zu inputs, given %zu", g->name ? g->name : "", g->n_inputs, n_in);
    if (n_out != g->n_outputs)
        return ia_kctx_fail(c, IA_ERR_GRAPH, "subgraph '%s' has %zu outputs, expected %zu", g->name ? g->name : "", g->n_outputs, n_out);
    if (c->env->depth > 64) return ia_kctx_fail(c, IA_ERR_LIMIT, "subgraphs nested too deeply at run time");
    c->env->depth++;
    int rc = ia__exec_graph(c->env, g, c->frame, in, outs);
    c->env->depth--;
    if (rc) return ia_kctx_fail(c, rc, "in subgraph '%s': %s", g->name ? g->name : "", c->env->errmsg);
    return IA_OK;
}

void *ia_kctx_scratch(ia_kctx *c, size_t bytes) {
    void **s = ia_realloc(c->scratch, (c->n_scratch + 1) * sizeof *s);
    if (!s) return NULL;
    c->scratch = s;
    void *p = ia_aligned_alloc(bytes ? bytes : 1);
    if (!p) return NULL;
    memset(p, 0, bytes ? bytes : 1);
    c->scratch[c->n_scratch++] = p;
    return p;
}

void ia__kctx_cleanup(ia_kctx *c, int drop_outputs) {
    for (size_t i = 0; i < c->n_scratch; i++) ia_aligned_free(c->scratch[i]);
    ia_free(c->scratch);
    c->scratch = NULL;
    c->n_scratch = 0;
    if (drop_outputs)
        for (int i = 0; i < c->n_out; i++) {
            ia_value_destroy(c->out[i]);
            c->out[i] = NULL;
        }
}

int ia_kctx_set_state(ia_kctx *c, void *state, void (*destroy)(void *)) {
    if (c->new_state && c->new_state_free) c->new_state_free(c->new_state);
    c->new_state = state;
    c->new_state_free = destroy;
    return IA_OK;
}

void ia_kctx_state_replaces_input(ia_kctx *c, int i) {
    if (i >= 0 && i < 32) c->new_state_inputs |= 1u << i;
}

void *ia_kctx_state(const ia_kctx *c) {
    const ia_exec_env *e = c->env;
    if (c->shape_only || !c->frame || !e->node_state || c->frame->g != e->state_graph) return NULL;
    size_t i = (size_t)(c->node - e->state_graph->nodes);
    return i < e->n_node_state ? e->node_state[i] : NULL;
}

void ia__exec_env_free_states(ia_exec_env *e) {
    for (size_t i = 0; i < e->n_node_state; i++)
        if (e->node_state[i] && e->node_state_free[i]) e->node_state_free[i](e->node_state[i]);
    ia_free(e->node_state);
    ia_free(e->node_state_free);
    e->node_state = NULL;
    e->node_state_free = NULL;
    e->n_node_state = 0;
    e->state_graph = NULL;
}
