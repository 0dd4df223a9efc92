/* The optimizer's graph-rewrite toolkit: queries on constants, producers and consumers, and
 * replacing a matched group of nodes by one fused node while keeping topological order. */
#include <string.h>
#include "graph/optimize.h"
#include "ia/alloc.h"
#include "ops/op.h"

const ia_tensor *ia__opt_const(const ia_graph *g, int slot) {
    if (slot < 0 || (size_t)slot >= g->n_values) return NULL;
    const ia_value_slot *s = &g->values[slot];
    if (!s->init || s->is_input || s->outer_level) return NULL;
    return s->init;
}

int ia__opt_scalar(const ia_graph *g, int slot, float *v) {
    const ia_tensor *t = ia__opt_const(g, slot);
    if (!t || t->dtype != IA_DTYPE_FLOAT || t->rank != 0 || !t->data) return 0; /* rank 0: never broadcasts up */
    *v = *(const float *)t->data;
    return 1;
}

int ia__opt_is_f32(const ia_graph *g, int slot) {
    if (slot < 0) return 0;
    const ia_type_info *t = &g->values[slot].type;
    return t->kind == IA_VALUE_TENSOR && t->elem_dtype == IA_DTYPE_FLOAT;
}

static int folded(const ia_graph *g, const ia_node *n) {
    int any = 0;
    for (int o = 0; o < n->n_outputs; o++) {
        if (n->outputs[o] < 0) continue;
        if (!g->values[n->outputs[o]].cvalue) return 0;
        any = 1;
    }
    return any;
}

int ia__opt_live(const ia_graph *g, int i) {
    if (i < 0 || (size_t)i >= g->n_nodes) return 0;
    const ia_node *n = &g->nodes[i];
    return n->op && !folded(g, n);
}

int ia__opt_is(const ia_graph *g, int i, const char *op_type) {
    if (!ia__opt_live(g, i)) return 0;
    const ia_node *n = &g->nodes[i];
    return (!n->domain[0] || !strcmp(n->domain, "ai.onnx")) && !strcmp(n->op_type, op_type);
}

int ia__opt_producer(const ia_graph *g, int slot, const char *op_type) {
    if (slot < 0 || g->values[slot].outer_level) return -1;
    int p = g->values[slot].producer;
    return ia__opt_is(g, p, op_type) ? p : -1;
}

static int read_by_subgraph(const ia_graph *g, int slot) {
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        if (!n->op) continue;
        for (int k = 0; k < n->n_implicit; k++)
            if (n->implicit[k] == slot) return 1;
    }
    return 0;
}

int ia__opt_sole_consumer(const ia_graph *g, int slot) {
    if (slot < 0 || g->values[slot].is_output || g->values[slot].n_uses != 1 || read_by_subgraph(g, slot)) return -1;
    int who = -1, count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        if (!n->op) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == slot) {
                who = (int)i;
                count++;
            }
    }
    return count == 1 && ia__opt_live(g, who) ? who : -1;
}

int ia__opt_private(const ia_graph *g, int slot, const int *nodes, int nn) {
    if (slot < 0 || g->values[slot].is_output || read_by_subgraph(g, slot)) return 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        if (!n->op) continue;
        int reads = 0, inside = 0;
        for (int k = 0; k < n->n_inputs; k++) reads |= n->inputs[k] == slot;
        if (!reads) continue;
        for (int j = 0; j < nn; j++) inside |= nodes[j] == (int)i;
        if (!inside) return 0;
    }
    return 1;
}

const ia_attr *ia__opt_attr(const ia_graph *g, int i, const char *name) { return ia__node_attr(&g->nodes[i], name); }

int ia__opt_reduces_last_axis(const ia_graph *g, int i) {
    const ia_node *n = &g->nodes[i];
    const ia_attr *kd = ia__node_attr(n, "keepdims");
    if (kd && kd->i != 1) return 0;
    const ia_attr *nz = ia__node_attr(n, "noop_with_empty_axes");
    if (nz && nz->i) return 0;
    int64_t axes[2];
    size_t na = 0;
    const ia_attr *ax = ia__node_attr(n, "axes");
    if (ax && ax->type == IA_ATTR_INTS) {
        if (ax->n != 1) return 0;
        axes[0] = ax->ints[0];
        na = 1;
    } else if (n->n_inputs >= 2 && n->inputs[1] >= 0) {
        const ia_tensor *t = ia__opt_const(g, n->inputs[1]);
        if (!t || t->numel != 1 || t->dtype != IA_DTYPE_INT64 || !t->data) return 0;
        axes[0] = *(const int64_t *)t->data;
        na = 1;
    }
    if (na != 1) return 0;
    if (axes[0] == -1) return 1;
    const ia_type_info *ty = &g->values[n->inputs[0]].type;
    return ty->rank > 0 && axes[0] == ty->rank - 1;
}

ia_attr ia__opt_attr_int(const char *name, int64_t v) {
    ia_attr a;
    memset(&a, 0, sizeof a);
    a.name = ia_strdup(name);
    a.type = IA_ATTR_INT;
    a.i = v;
    return a;
}

ia_attr ia__opt_attr_float(const char *name, float v) {
    ia_attr a;
    memset(&a, 0, sizeof a);
    a.name = ia_strdup(name);
    a.type = IA_ATTR_FLOAT;
    a.f = v;
    return a;
}

/* Recomputes producers and use counts over live (not removed) nodes. */
static void recount(ia_graph *g) {
    for (size_t v = 0; v < g->n_values; v++) {
        g->values[v].producer = -1;
        g->values[v].last_use = -1;
        g->values[v].n_uses = 0;
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        if (!n->op) continue;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] >= 0) g->values[n->outputs[o]].producer = (int)i;
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0) {
                g->values[s].last_use = (int)i;
                g->values[s].n_uses++;
            }
        }
    }
}

void ia__opt_kill(ia_graph *g, int i) { g->nodes[i].op = NULL; }

void ia__opt_rewire(ia_graph *g, int from, int to) {
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        if (!n->op) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == from) n->inputs[k] = to;
    }
    recount(g);
}

int ia__opt_replace(ia_graph *g, int at, const int *kill, int n_kill, const char *op_type, const int *ins, int n_in,
                    const int *outs, int n_out, ia_attr *attrs, int n_attrs) {
    ia_node nn;
    memset(&nn, 0, sizeof nn);
    nn.name = ia_strdup(g->nodes[at].name);
    nn.op_type = ia_strdup(op_type);
    nn.domain = ia_strdup(IA_FUSED_DOMAIN);
    nn.inputs = ia_malloc((size_t)(n_in ? n_in : 1) * sizeof(int));
    nn.outputs = ia_malloc((size_t)(n_out ? n_out : 1) * sizeof(int));
    nn.attrs = n_attrs ? ia_calloc((size_t)n_attrs, sizeof(ia_attr)) : NULL;
    nn.op = ia__op_find(IA_FUSED_DOMAIN, op_type, 1);
    nn.opset = 1;
    int bad = !nn.name || !nn.op_type || !nn.domain || !nn.inputs || !nn.outputs || (n_attrs && !nn.attrs);
    for (int a = 0; a < n_attrs; a++) bad |= !attrs[a].name;
    if (bad || !nn.op) {
        for (int a = 0; a < n_attrs; a++) ia__attr_free(&attrs[a]);
        ia__node_free(&nn);
        return bad ? IA_ERR_NOMEM : ia_set_error(IA_ERR_RUNTIME, "fused operator %s is not registered", op_type);
    }
    for (int a = 0; a < n_attrs; a++) nn.attrs[a] = attrs[a];
    nn.n_attrs = n_attrs;
    memcpy(nn.inputs, ins, (size_t)n_in * sizeof(int));
    memcpy(nn.outputs, outs, (size_t)n_out * sizeof(int));
    nn.n_inputs = n_in;
    nn.n_outputs = n_out;
    for (int k = 0; k < n_kill; k++)
        if (kill[k] != at) ia__opt_kill(g, kill[k]);
    ia__node_free(&g->nodes[at]);
    g->nodes[at] = nn;
    recount(g);
    return IA_OK;
}

int ia__opt_compact(ia_graph *g) {
    size_t w = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (!g->nodes[i].op) {
            ia__node_free(&g->nodes[i]);
            continue;
        }
        if (w != i) g->nodes[w] = g->nodes[i];
        w++;
    }
    g->n_nodes = w;
    recount(g);
    return IA_OK;
}
