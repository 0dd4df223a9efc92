/* Activation recognition: GELU in its Erf form (x * 0.5 * (1 + erf(x / sqrt 2))) and tanh
 * form (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))), and SiLU (x * sigmoid(x)), each
 * becomes one fused Activation node. Constants must match within float tolerance. */
#include <math.h>
#include "graph/optimize.h"
#include "ops/fused/act.h"

static int near(float v, double want) { return fabs((double)v - want) <= 1e-5 * fabs(want) + 1e-7; }

/* The input of binary node i that is not `x` (node inputs are (x, c) or (c, x)); -1 if the
 * node does not read x exactly once. */
static int other_input(const ia_graph *g, int i, int x) {
    const ia_node *n = &g->nodes[i];
    if (n->n_inputs != 2) return -1;
    if (n->inputs[0] == x && n->inputs[1] != x) return n->inputs[1];
    if (n->inputs[1] == x && n->inputs[0] != x) return n->inputs[0];
    return -1;
}

/* Whether binary node i is `op`(x, c) or, when commutative, `op`(c, x), with scalar c near `want`. */
static int binop_const(const ia_graph *g, int i, const char *op, int x, double want, int commutative) {
    if (!ia__opt_is(g, i, op)) return 0;
    const ia_node *n = &g->nodes[i];
    if (n->n_inputs != 2) return 0;
    float c;
    if (n->inputs[0] == x && ia__opt_scalar(g, n->inputs[1], &c)) return near(c, want);
    if (commutative && n->inputs[1] == x && ia__opt_scalar(g, n->inputs[0], &c)) return near(c, want);
    return 0;
}

/* From the slot `a` = 1 + f(x), matches x * a * 0.5 (as Mul(Mul(x, a), 0.5) or Mul(Mul(x, 0.5), a)),
 * appends the nodes to nodes[] and returns the output slot, or -1. */
static int match_tail(const ia_graph *g, int a, int x, int *nodes, int *nn) {
    int m1 = ia__opt_sole_consumer(g, a);
    if (m1 < 0 || !ia__opt_is(g, m1, "Mul")) return -1;
    int p = other_input(g, m1, a);
    if (p < 0) return -1;
    int out = g->nodes[m1].outputs[0];
    if (p == x) {
        int m2 = ia__opt_sole_consumer(g, out);
        if (m2 < 0 || !binop_const(g, m2, "Mul", out, 0.5, 1)) return -1;
        nodes[(*nn)++] = m1;
        nodes[(*nn)++] = m2;
        return g->nodes[m2].outputs[0];
    }
    int h = ia__opt_producer(g, p, "Mul");
    if (h < 0 || !binop_const(g, h, "Mul", x, 0.5, 1) || ia__opt_sole_consumer(g, p) != m1) return -1;
    nodes[(*nn)++] = h;
    nodes[(*nn)++] = m1;
    return out;
}

/* Erf-form GELU anchored at Erf node e. */
static int match_erf(const ia_graph *g, int e, int *nodes, int *nn, int *x_out) {
    int d = ia__opt_producer(g, g->nodes[e].inputs[0], "Div"), x;
    if (d >= 0) {
        x = g->nodes[d].inputs[0];
        if (!binop_const(g, d, "Div", x, sqrt(2.0), 0)) return -1;
    } else {
        d = ia__opt_producer(g, g->nodes[e].inputs[0], "Mul");
        if (d < 0) return -1;
        x = g->nodes[d].inputs[0];
        if (!binop_const(g, d, "Mul", x, sqrt(0.5), 0)) {
            x = g->nodes[d].inputs[1];
            if (!binop_const(g, d, "Mul", x, sqrt(0.5), 1)) return -1;
        }
    }
    if (ia__opt_sole_consumer(g, g->nodes[d].outputs[0]) != e) return -1;
    int eo = g->nodes[e].outputs[0];
    int add = ia__opt_sole_consumer(g, eo);
    if (add < 0 || !binop_const(g, add, "Add", eo, 1.0, 1)) return -1;
    *nn = 0;
    nodes[(*nn)++] = d;
    nodes[(*nn)++] = e;
    nodes[(*nn)++] = add;
    *x_out = x;
    return match_tail(g, g->nodes[add].outputs[0], x, nodes, nn);
}

/* x^3 as Pow(x, 3) or Mul(Mul(x, x), x) in any operand order: returns x or -1, appends nodes. */
static int match_cube(const ia_graph *g, int slot, int *nodes, int *nn) {
    int p = ia__opt_producer(g, slot, "Pow");
    if (p >= 0) {
        float c;
        if (!ia__opt_scalar(g, g->nodes[p].inputs[1], &c) || c != 3.0f) return -1;
        nodes[(*nn)++] = p;
        return g->nodes[p].inputs[0];
    }
    p = ia__opt_producer(g, slot, "Mul");
    if (p < 0) return -1;
    for (int s = 0; s < 2; s++) {
        int sq = ia__opt_producer(g, g->nodes[p].inputs[s], "Mul"), x = g->nodes[p].inputs[1 - s];
        if (sq >= 0 && g->nodes[sq].inputs[0] == x && g->nodes[sq].inputs[1] == x &&
            ia__opt_sole_consumer(g, g->nodes[sq].outputs[0]) == p) {
            nodes[(*nn)++] = sq;
            nodes[(*nn)++] = p;
            return x;
        }
    }
    return -1;
}

/* tanh-form GELU anchored at Tanh node t. */
static int match_tanh(const ia_graph *g, int t, int *nodes, int *nn, int *x_out) {
    *nn = 0;
    int mk = ia__opt_producer(g, g->nodes[t].inputs[0], "Mul");
    if (mk < 0 || ia__opt_sole_consumer(g, g->nodes[mk].outputs[0]) != t) return -1;
    int s = -1;
    for (int k = 0; k < 2 && s < 0; k++)
        if (binop_const(g, mk, "Mul", g->nodes[mk].inputs[k], sqrt(2.0 / M_PI), 1)) s = g->nodes[mk].inputs[k];
    int add = s >= 0 ? ia__opt_producer(g, s, "Add") : -1;
    if (add < 0 || ia__opt_sole_consumer(g, s) != mk) return -1;
    for (int k = 0; k < 2; k++) {
        int x = g->nodes[add].inputs[k], m = g->nodes[add].inputs[1 - k];
        int mc = ia__opt_producer(g, m, "Mul");
        if (mc < 0 || ia__opt_sole_consumer(g, m) != add) continue;
        int cube = -1;
        for (int j = 0; j < 2 && cube < 0; j++)
            if (binop_const(g, mc, "Mul", g->nodes[mc].inputs[j], 0.044715, 1)) cube = g->nodes[mc].inputs[j];
        if (cube < 0 || ia__opt_sole_consumer(g, cube) != mc) continue;
        *nn = 0;
        if (match_cube(g, cube, nodes, nn) != x) continue;
        nodes[(*nn)++] = mc;
        nodes[(*nn)++] = add;
        nodes[(*nn)++] = mk;
        nodes[(*nn)++] = t;
        int to = g->nodes[t].outputs[0];
        int a1 = ia__opt_sole_consumer(g, to);
        if (a1 < 0 || !binop_const(g, a1, "Add", to, 1.0, 1)) return -1;
        nodes[(*nn)++] = a1;
        *x_out = x;
        return match_tail(g, g->nodes[a1].outputs[0], x, nodes, nn);
    }
    return -1;
}

/* SiLU anchored at Sigmoid node s: Mul(x, Sigmoid(x)) in either order. */
static int match_silu(const ia_graph *g, int s, int *nodes, int *nn, int *x_out) {
    int x = g->nodes[s].inputs[0], so = g->nodes[s].outputs[0];
    int m = ia__opt_sole_consumer(g, so);
    if (m < 0 || !ia__opt_is(g, m, "Mul") || other_input(g, m, so) != x) return -1;
    *nn = 0;
    nodes[(*nn)++] = s;
    nodes[(*nn)++] = m;
    *x_out = x;
    return g->nodes[m].outputs[0];
}

int ia__pass_fuse_gelu(ia_graph *g) {
    int count = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        int nodes[16], nn = 0, x = -1, out = -1, act = 0;
        if (ia__opt_is(g, (int)i, "Erf")) {
            out = match_erf(g, (int)i, nodes, &nn, &x);
            act = IA_ACT_GELU_ERF;
        } else if (ia__opt_is(g, (int)i, "Tanh")) {
            out = match_tanh(g, (int)i, nodes, &nn, &x);
            act = IA_ACT_GELU_TANH;
        } else if (ia__opt_is(g, (int)i, "Sigmoid")) {
            out = match_silu(g, (int)i, nodes, &nn, &x);
            act = IA_ACT_SILU;
        }
        if (out < 0 || !ia__opt_is_f32(g, x) || !ia__opt_is_f32(g, out)) continue;
        /* every intermediate must be private to the pattern */
        int ok = 1, last = nodes[0];
        for (int k = 0; k < nn && ok; k++) {
            if (nodes[k] > last) last = nodes[k];
            int o = g->nodes[nodes[k]].outputs[0];
            if (o != out) ok = ia__opt_private(g, o, nodes, nn);
        }
        if (!ok) continue;
        ia_attr at = ia__opt_attr_int("act", act);
        int rc = ia__opt_replace(g, last, nodes, nn, "Activation", &x, 1, &out, 1, &at, 1);
        if (rc) return rc;
        count++;
    }
    return count;
}
