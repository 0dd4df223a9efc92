/* Elimination pass: drops nodes folded into constants or whose results nobody reads, and
 * bypasses Identity, inference-mode Dropout and Cast to the type the value already has. */
#include <string.h>
#include "graph/optimize.h"
#include "ops/op.h"

/* Whether node i passes its first input through unchanged (so readers can read that). */
static int is_passthrough(const ia_graph *g, int i) {
    const ia_node *n = &g->nodes[i];
    if (n->n_inputs < 1 || n->inputs[0] < 0 || n->n_outputs < 1 || n->outputs[0] < 0) return 0;
    const ia_type_info *in = &g->values[n->inputs[0]].type;
    if (ia__opt_is(g, i, "Identity")) return in->kind == IA_VALUE_TENSOR; /* sequences keep their node */
    if (ia__opt_is(g, i, "Dropout")) {
        /* before opset 7 an is_test=0 Dropout trains; from 12 training_mode is an input */
        if (n->opset < 7 || in->kind != IA_VALUE_TENSOR) return 0;
        for (int o = 1; o < n->n_outputs; o++)
            if (n->outputs[o] >= 0 && g->values[n->outputs[o]].n_uses + g->values[n->outputs[o]].is_output) return 0;
        if (n->n_inputs >= 3 && n->inputs[2] >= 0) {
            const ia_tensor *t = ia__opt_const(g, n->inputs[2]);
            if (!t || t->numel != 1 || t->dtype != IA_DTYPE_BOOL || !t->data || *(const uint8_t *)t->data) return 0;
        }
        return 1;
    }
    if (ia__opt_is(g, i, "Cast")) {
        const ia_attr *to = ia__node_attr(n, "to");
        const ia_attr *sat = ia__node_attr(n, "saturate");
        (void)sat; /* saturation only matters when converting to float8 */
        return to && in->kind == IA_VALUE_TENSOR && in->elem_dtype && to->i == in->elem_dtype;
    }
    return 0;
}

/* Whether node i's outputs are all unused (and so it can go). Control-flow nodes are kept
 * unless folded: their subgraphs may be the only reader of an outer value. */
static int unused(const ia_graph *g, int i) {
    const ia_node *n = &g->nodes[i];
    if (n->op->flags & IA_OPF_CONTROL_FLOW) return 0;
    for (int o = 0; o < n->n_outputs; o++) {
        int s = n->outputs[o];
        if (s >= 0 && (g->values[s].n_uses || g->values[s].is_output)) return 0;
    }
    return 1;
}

int ia__pass_eliminate(ia_graph *g) {
    int count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        if (!n->op || !is_passthrough(g, (int)i)) continue;
        int out = n->outputs[0], in = n->inputs[0];
        if (g->values[out].is_output || g->values[in].outer_level) continue;
        /* subgraphs read outer values by name: keep those */
        int by_sub = 0;
        for (size_t j = 0; j < g->n_nodes; j++)
            for (int k = 0; k < g->nodes[j].n_implicit; k++) by_sub |= g->nodes[j].implicit[k] == out;
        if (by_sub) continue;
        ia__opt_kill(g, (int)i);
        ia__opt_rewire(g, out, in);
        count++;
    }
    /* folded and dead nodes, last first so that chains of dead nodes go in one sweep */
    for (size_t i = g->n_nodes; i-- > 0;) {
        if (!g->nodes[i].op) continue;
        if (ia__opt_live(g, (int)i) && !unused(g, (int)i)) continue;
        ia__opt_kill(g, (int)i);
        ia__opt_compact(g);
        count++;
    }
    return count;
}
