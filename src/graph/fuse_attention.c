/* Attention fusion: MatMul(Q, Transpose(K) over the last two axes) [-> Mul or Div by a scalar]
 * [-> Add mask] -> Softmax(last axis) -> MatMul(., V) becomes one fused Attention node (tiled
 * over keys with an online softmax, src/ops/fused/attention.c). Causal and padding masks are
 * whatever additive mask the graph computes; the mask subgraph itself stays. The head
 * transposes around it ([B, S, H, D] <-> [B, H, S, D], perm 0 2 1 3) of Q, K, V and the output
 * are absorbed: the node reads and writes the [B, S, H, D] layout in place (layout_* = 1). */
#include <string.h>
#include "graph/optimize.h"

/* Whether node i transposes only its last two axes. */
static int swaps_last_two(const ia_graph *g, int i) {
    const ia_attr *p = ia__opt_attr(g, i, "perm");
    if (!p || p->type != IA_ATTR_INTS || p->n < 2) return 0;
    size_t n = p->n;
    for (size_t k = 0; k + 2 < n; k++)
        if (p->ints[k] != (int64_t)k) return 0;
    return p->ints[n - 2] == (int64_t)(n - 1) && p->ints[n - 1] == (int64_t)(n - 2);
}

/* Whether node i is a Transpose with perm 0 2 1 3 (heads and sequence swapped). */
static int swaps_heads(const ia_graph *g, int i) {
    if (i < 0 || !ia__opt_is(g, i, "Transpose")) return 0;
    const ia_attr *p = ia__opt_attr(g, i, "perm");
    return p && p->type == IA_ATTR_INTS && p->n == 4 && p->ints[0] == 0 && p->ints[1] == 2 && p->ints[2] == 1 &&
           p->ints[3] == 3;
}

int ia__pass_fuse_attention(ia_graph *g) {
    int count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (!ia__opt_is(g, (int)i, "Softmax")) continue;
        int sm = (int)i, nodes[8], nn = 0;
        const ia_attr *ax = ia__opt_attr(g, sm, "axis");
        int64_t axis = ax ? ax->i : (g->nodes[sm].opset >= 13 ? -1 : 1);
        int s = g->nodes[sm].inputs[0];
        nodes[nn++] = sm;
        /* forward: the probabilities feed MatMul(P, V) only */
        int pv = ia__opt_sole_consumer(g, g->nodes[sm].outputs[0]);
        if (pv < 0 || !ia__opt_is(g, pv, "MatMul") || g->nodes[pv].inputs[0] != g->nodes[sm].outputs[0]) continue;
        int v = g->nodes[pv].inputs[1];
        nodes[nn++] = pv;
        /* backward: [Add mask] <- [Mul/Div scale] <- MatMul(Q, K^T) */
        int mask = -1, qk = -1, add = ia__opt_producer(g, s, "Add");
        float scale = 1.0f;
        int div = 0;
        if (add >= 0) {
            for (int side = 0; side < 2 && qk < 0; side++) {
                int a = g->nodes[add].inputs[side], b = g->nodes[add].inputs[1 - side];
                int pa = g->values[a].producer;
                if (a == b || !(ia__opt_is(g, pa, "Mul") || ia__opt_is(g, pa, "Div") || ia__opt_is(g, pa, "MatMul"))) continue;
                mask = b;
                s = a;
                qk = 0;
            }
            if (qk < 0) continue;
            nodes[nn++] = add;
            qk = -1;
        }
        int sc = ia__opt_producer(g, s, "Mul");
        if (sc < 0) sc = ia__opt_producer(g, s, "Div");
        if (sc >= 0) {
            const ia_node *n = &g->nodes[sc];
            int is_div = ia__opt_is(g, sc, "Div");
            int x = -1;
            if (ia__opt_scalar(g, n->inputs[1], &scale)) x = n->inputs[0];
            else if (!is_div && ia__opt_scalar(g, n->inputs[0], &scale)) x = n->inputs[1];
            if (x < 0) continue;
            div = is_div;
            nodes[nn++] = sc;
            s = x;
        }
        qk = ia__opt_producer(g, s, "MatMul");
        if (qk < 0) continue;
        nodes[nn++] = qk;
        int q = g->nodes[qk].inputs[0], kt = g->nodes[qk].inputs[1];
        int tr = ia__opt_producer(g, kt, "Transpose");
        if (tr < 0 || !swaps_last_two(g, tr)) continue;
        int k = g->nodes[tr].inputs[0];
        int krank = (int)ia__opt_attr(g, tr, "perm")->n;
        /* softmax over the last axis: -1, or the scores' rank - 1 when the ranks are known */
        int qrank = g->values[q].type.kind == IA_VALUE_TENSOR ? g->values[q].type.rank : -1;
        if (axis != -1 && !(qrank >= 2 && axis == (qrank > krank ? qrank : krank) - 1)) continue;
        if (!ia__opt_is_f32(g, q) || !ia__opt_is_f32(g, k) || !ia__opt_is_f32(g, v) || (mask >= 0 && !ia__opt_is_f32(g, mask)))
            continue;
        int out = g->nodes[pv].outputs[0];
        int ok = ia__opt_is_f32(g, out);
        for (int m = 0; m < nn && ok; m++) {
            int o = g->nodes[nodes[m]].outputs[0];
            if (o != out) ok = ia__opt_private(g, o, nodes, nn);
        }
        if (!ok) continue;
        int kill[16], nk = nn;
        memcpy(kill, nodes, sizeof(int) * (size_t)nn);
        int tmp[9];
        memcpy(tmp, nodes, sizeof(int) * (size_t)nn);
        tmp[nn] = tr;
        if (ia__opt_private(g, kt, tmp, nn + 1)) kill[nk++] = tr; /* K^T read by nothing else */
        int ins[4] = {q, k, v, mask};
        /* head transposes of Q, K and V read only by this pattern, and one of the output read
         * only by itself, are absorbed (the node reads and writes [B, S, H, D]) */
        int layout[4] = {0, 0, 0, 0}, readers[3] = {qk, kill[nk - 1] == tr ? tr : qk, pv};
        for (int x = 0; x < 3; x++) {
            int t = g->values[ins[x]].producer;
            int dup = 0;
            for (int y = 0; y < 3; y++) dup |= y != x && ins[y] == ins[x];
            if (dup || !swaps_heads(g, t) || !ia__opt_is_f32(g, g->nodes[t].inputs[0])) continue;
            int who[1] = {readers[x]};
            if (x == 1 && readers[1] != tr) continue; /* K^T is read elsewhere: K stays */
            if (!ia__opt_private(g, ins[x], who, 1)) continue;
            ins[x] = g->nodes[t].inputs[0];
            layout[x] = 1;
            kill[nk++] = t;
        }
        int ot = ia__opt_sole_consumer(g, out);
        if (swaps_heads(g, ot) && ia__opt_is_f32(g, g->nodes[ot].outputs[0])) {
            layout[3] = 1;
            kill[nk++] = ot;
            out = g->nodes[ot].outputs[0];
        }
        ia_attr at[6] = {ia__opt_attr_float("scale", scale), ia__opt_attr_int("scale_div", div),
                         ia__opt_attr_int("layout_q", layout[0]), ia__opt_attr_int("layout_k", layout[1]),
                         ia__opt_attr_int("layout_v", layout[2]), ia__opt_attr_int("layout_out", layout[3])};
        int rc = ia__opt_replace(g, pv, kill, nk, "Attention", ins, mask >= 0 ? 4 : 3, &out, 1, at, 6);
        if (rc) return rc;
        count++;
    }
    return count;
}
