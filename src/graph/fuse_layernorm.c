/* Normalisation fusion over the last axis: LayerNormalization nodes, decomposed LayerNorm
 * (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul gamma][/Add beta]) and RMSNorm
 * (Pow/ReduceMean/Add/Sqrt/Div or Reciprocal+Mul, then Mul gamma) become one fused LayerNorm
 * node, which also absorbs a residual Add feeding it (SkipLayerNorm; the sum stays available
 * as a second output when something else reads it). */
#include <string.h>
#include "graph/optimize.h"

typedef struct ln_match {
    int nodes[16], nn;
    int x, gamma, beta, out;
    float eps;
    int rms;
} ln_match;

static int push(ln_match *m, int node) {
    if (m->nn >= 14) return 0;
    m->nodes[m->nn++] = node;
    return 1;
}

/* Rank-1 float32 constant (scale or shift over the normalised axis). */
static int vec_const(const ia_graph *g, int slot) {
    const ia_tensor *t = ia__opt_const(g, slot);
    return t && t->dtype == IA_DTYPE_FLOAT && t->rank == 1;
}

/* The input of a 2-input node other than `x` (x read exactly once), or -1. */
static int other(const ia_graph *g, int i, int x) {
    const ia_node *n = &g->nodes[i];
    if (n->n_inputs != 2) return -1;
    if (n->inputs[0] == x && n->inputs[1] != x) return n->inputs[1];
    if (n->inputs[1] == x && n->inputs[0] != x) return n->inputs[0];
    return -1;
}

/* Square of `x` as Pow(x, 2) or Mul(x, x), node i. */
static int is_square(const ia_graph *g, int i, int x) {
    float c;
    if (ia__opt_is(g, i, "Pow")) return g->nodes[i].inputs[0] == x && ia__opt_scalar(g, g->nodes[i].inputs[1], &c) && c == 2.0f;
    if (ia__opt_is(g, i, "Mul")) return g->nodes[i].inputs[0] == x && g->nodes[i].inputs[1] == x;
    return 0;
}

/* From the square node `sq` of x: ReduceMean(last axis) -> Add eps -> Sqrt -> (Div(x, .) or
 * Mul(x, Reciprocal(.))). Returns the normalised slot or -1; fills eps and nodes. */
static int match_scale(const ia_graph *g, int sq, int x, ln_match *m) {
    int so = g->nodes[sq].outputs[0];
    int rm = ia__opt_sole_consumer(g, so);
    if (rm < 0 || !ia__opt_is(g, rm, "ReduceMean") || !ia__opt_reduces_last_axis(g, rm)) return -1;
    int vo = g->nodes[rm].outputs[0];
    int ad = ia__opt_sole_consumer(g, vo);
    if (ad < 0 || !ia__opt_is(g, ad, "Add")) return -1;
    int e = other(g, ad, vo);
    if (e < 0 || !ia__opt_scalar(g, e, &m->eps) || !(m->eps >= 0)) return -1;
    int sr = ia__opt_sole_consumer(g, g->nodes[ad].outputs[0]);
    if (sr < 0 || !ia__opt_is(g, sr, "Sqrt")) return -1;
    int s = g->nodes[sr].outputs[0];
    int dv = ia__opt_sole_consumer(g, s);
    if (dv < 0) return -1;
    if (!push(m, sq) || !push(m, rm) || !push(m, ad) || !push(m, sr)) return -1;
    if (ia__opt_is(g, dv, "Div") && g->nodes[dv].inputs[0] == x && g->nodes[dv].inputs[1] == s) {
        push(m, dv);
        return g->nodes[dv].outputs[0];
    }
    if (ia__opt_is(g, dv, "Reciprocal")) {
        int r = g->nodes[dv].outputs[0];
        int mu = ia__opt_sole_consumer(g, r);
        if (mu < 0 || !ia__opt_is(g, mu, "Mul") || other(g, mu, r) != x) return -1;
        push(m, dv);
        push(m, mu);
        return g->nodes[mu].outputs[0];
    }
    return -1;
}

/* Optional Mul by a rank-1 constant then Add of one, after slot `y`. */
static void match_affine(const ia_graph *g, int y, ln_match *m, int allow_beta) {
    m->gamma = m->beta = -1;
    m->out = y;
    int mu = ia__opt_sole_consumer(g, y);
    if (mu >= 0 && ia__opt_is(g, mu, "Mul")) {
        int c = other(g, mu, y);
        if (c >= 0 && vec_const(g, c) && push(m, mu)) {
            m->gamma = c;
            m->out = g->nodes[mu].outputs[0];
        }
    }
    if (!allow_beta || m->gamma < 0) return;
    int ad = ia__opt_sole_consumer(g, m->out);
    if (ad >= 0 && ia__opt_is(g, ad, "Add")) {
        int c = other(g, ad, m->out);
        if (c >= 0 && vec_const(g, c) && push(m, ad)) {
            m->beta = c;
            m->out = g->nodes[ad].outputs[0];
        }
    }
}

/* Decomposed LayerNorm anchored at the mean's ReduceMean node r. */
static int match_layernorm(const ia_graph *g, int r, ln_match *m) {
    memset(m, 0, sizeof *m);
    if (!ia__opt_reduces_last_axis(g, r)) return 0;
    int x = g->nodes[r].inputs[0], mean = g->nodes[r].outputs[0];
    int sub = ia__opt_sole_consumer(g, mean);
    if (sub < 0 || !ia__opt_is(g, sub, "Sub") || g->nodes[sub].inputs[0] != x || g->nodes[sub].inputs[1] != mean) return 0;
    int d = g->nodes[sub].outputs[0];
    /* d feeds the square and the division: find the square among its readers */
    int sq = -1;
    for (size_t i = 0; i < g->n_nodes && sq < 0; i++)
        if (ia__opt_live(g, (int)i) && is_square(g, (int)i, d)) sq = (int)i;
    if (sq < 0) return 0;
    push(m, r);
    push(m, sub);
    int y = match_scale(g, sq, d, m);
    if (y < 0) return 0;
    match_affine(g, y, m, 1);
    m->x = x;
    return 1;
}

/* RMSNorm anchored at the square node sq of x; needs the gamma Mul (a bare x / rms stays). */
static int match_rmsnorm(const ia_graph *g, int sq, ln_match *m) {
    memset(m, 0, sizeof *m);
    int x = g->nodes[sq].inputs[0];
    if (!is_square(g, sq, x)) return 0;
    int y = match_scale(g, sq, x, m);
    if (y < 0) return 0;
    match_affine(g, y, m, 0);
    if (m->gamma < 0) return 0;
    m->x = x;
    m->rms = 1;
    return 1;
}

/* A LayerNormalization node over the last axis with rank-1 constant scale (and bias). */
static int match_native(const ia_graph *g, int i, ln_match *m) {
    memset(m, 0, sizeof *m);
    const ia_node *n = &g->nodes[i];
    const ia_attr *ax = ia__node_attr(n, "axis"), *st = ia__node_attr(n, "stash_type"), *ep = ia__node_attr(n, "epsilon");
    int x = n->inputs[0];
    if (ax && ax->i != -1 && !(g->values[x].type.rank > 0 && ax->i == g->values[x].type.rank - 1)) return 0;
    if (st && st->i != 1) return 0;
    for (int o = 1; o < n->n_outputs; o++)
        if (n->outputs[o] >= 0 && (g->values[n->outputs[o]].n_uses || g->values[n->outputs[o]].is_output)) return 0;
    if (n->n_inputs < 2 || !vec_const(g, n->inputs[1])) return 0;
    m->gamma = n->inputs[1];
    m->beta = n->n_inputs >= 3 && n->inputs[2] >= 0 ? n->inputs[2] : -1;
    if (m->beta >= 0 && !vec_const(g, m->beta)) return 0;
    m->eps = ep ? ep->f : 1e-5f;
    m->x = x;
    m->out = n->outputs[0];
    push(m, i);
    return 1;
}

int ia__pass_fuse_layernorm(ia_graph *g) {
    int count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        ln_match m;
        int ok = 0;
        if (ia__opt_is(g, (int)i, "LayerNormalization")) ok = match_native(g, (int)i, &m);
        else if (ia__opt_is(g, (int)i, "ReduceMean")) ok = match_layernorm(g, (int)i, &m);
        else if (ia__opt_is(g, (int)i, "Pow") || ia__opt_is(g, (int)i, "Mul")) ok = match_rmsnorm(g, (int)i, &m);
        if (!ok || !ia__opt_is_f32(g, m.x) || !ia__opt_is_f32(g, m.out)) continue;
        for (int k = 0; k < m.nn && ok; k++) {
            int o = g->nodes[m.nodes[k]].outputs[0];
            if (o != m.out) ok = ia__opt_private(g, o, m.nodes, m.nn);
        }
        if (!ok) continue;
        /* a residual Add feeding the norm (any operands, broadcast in the kernel): SkipLayerNorm */
        int ins[4] = {m.x, -1, m.gamma, m.beta}, outs[2] = {m.out, -1};
        int add = ia__opt_producer(g, m.x, "Add");
        if (add >= 0) {
            int a = g->nodes[add].inputs[0], b = g->nodes[add].inputs[1];
            if (a != b && ia__opt_is_f32(g, a) && ia__opt_is_f32(g, b)) {
                ins[0] = a;
                ins[1] = b;
                if (!ia__opt_private(g, m.x, m.nodes, m.nn)) outs[1] = m.x;
                push(&m, add);
            }
        }
        int last = m.nodes[0];
        for (int k = 1; k < m.nn; k++)
            if (m.nodes[k] > last) last = m.nodes[k];
        ia_attr at[2] = {ia__opt_attr_float("epsilon", m.eps), ia__opt_attr_int("rms", m.rms)};
        int rc = ia__opt_replace(g, last, m.nodes, m.nn, "LayerNorm", ins, 4, outs, outs[1] >= 0 ? 2 : 1, at, 2);
        if (rc) return rc;
        count++;
    }
    return count;
}
