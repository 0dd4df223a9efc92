/* MatMul + Add(bias) (+ activation) fusion: MatMul(A, B) with a 2-D B, followed by an Add of
 * a 1-D float32 constant of B's column count, and optionally by Relu, Sigmoid or a fused
 * Activation (GELU, SiLU), becomes one MatMulBias node. */
#include <string.h>
#include "graph/optimize.h"
#include "ops/fused/act.h"

/* The column count of a 2-D float32 B, or -1 when its rank is not known to be 2. */
static int64_t cols_of(const ia_graph *g, int slot) {
    const ia_tensor *t = ia__opt_const(g, slot);
    if (t) return t->rank == 2 && t->dtype == IA_DTYPE_FLOAT ? t->dims[1] : -1;
    const ia_type_info *ty = &g->values[slot].type;
    return ty->kind == IA_VALUE_TENSOR && ty->elem_dtype == IA_DTYPE_FLOAT && ty->rank == 2 && ty->dims[1] >= 0 ? ty->dims[1] : -1;
}

/* The activation code of node i when it is one MatMulBias can apply, else -1. */
static int act_of(const ia_graph *g, int i) {
    if (i < 0) return -1;
    if (ia__opt_is(g, i, "Relu")) return IA_ACT_RELU;
    if (ia__opt_is(g, i, "Sigmoid")) return IA_ACT_SIGMOID;
    const ia_node *n = &g->nodes[i];
    if (n->op && !strcmp(n->domain, IA_FUSED_DOMAIN) && !strcmp(n->op_type, "Activation")) {
        const ia_attr *a = ia__node_attr(n, "act");
        return a ? (int)a->i : -1;
    }
    return -1;
}

int ia__pass_fuse_matmul_add(ia_graph *g) {
    int count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (!ia__opt_is(g, (int)i, "MatMul")) continue;
        const ia_node *mm = &g->nodes[i];
        int a = mm->inputs[0], b = mm->inputs[1], y = mm->outputs[0];
        if (!ia__opt_is_f32(g, a) || !ia__opt_is_f32(g, b)) continue;
        int64_t n = cols_of(g, b);
        if (n < 0) continue;
        int kill[3] = {(int)i, -1, -1}, nk = 1, bias = -1, out = y, act = IA_ACT_NONE;
        int c = ia__opt_sole_consumer(g, y);
        if (c >= 0 && ia__opt_is(g, c, "Add") && g->nodes[c].n_inputs == 2) {
            int other = g->nodes[c].inputs[g->nodes[c].inputs[0] == y ? 1 : 0];
            const ia_tensor *t = ia__opt_const(g, other);
            if (t && t->dtype == IA_DTYPE_FLOAT && t->rank == 1 && t->dims[0] == n && g->nodes[c].inputs[0] != g->nodes[c].inputs[1]) {
                bias = other;
                kill[nk++] = c;
                out = g->nodes[c].outputs[0];
            }
        }
        int c2 = ia__opt_sole_consumer(g, out);
        int ac = act_of(g, c2);
        if (ac > IA_ACT_NONE && ac < IA_ACT_COUNT && ia__opt_is_f32(g, g->nodes[c2].outputs[0])) {
            act = ac;
            kill[nk++] = c2;
            out = g->nodes[c2].outputs[0];
        }
        if (nk == 1) continue; /* a plain MatMul stays itself */
        int ins[3] = {a, b, bias};
        ia_attr at = ia__opt_attr_int("act", act);
        int rc = ia__opt_replace(g, kill[nk - 1], kill, nk, "MatMulBias", ins, bias >= 0 ? 3 : 2, &out, 1, &at, 1);
        if (rc) return rc;
        count++;
    }
    return count;
}
