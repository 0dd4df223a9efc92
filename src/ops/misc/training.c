/* ai.onnx.preview.training optimizers: Adagrad, Adam and Momentum (one update step per tensor group). */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

/* Common inputs: scalar learning rate R (float/double), scalar step count T (int64), then
 * `groups` lists of n tensors each (X, G, and optimizer state). Checks and returns n. */
static int read_common(ia_kctx *ctx, const char *op, int groups, double *r, int64_t *t, int *n) {
    int nin = ia_kctx_num_inputs(ctx);
    if (nin < 2 + groups || (nin - 2) % groups)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: expected 2 + %d*n inputs, got %d", op, groups, nin);
    *n = (nin - 2) / groups;
    int nout = ia_kctx_num_outputs(ctx);
    if (nout > (groups - 1) * *n)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: at most %d outputs for %d tensors, got %d", op, (groups - 1) * *n, *n, nout);
    const ia_tensor *R = ia_kctx_input(ctx, 0), *T = ia_kctx_input(ctx, 1);
    if (!R || !ia_dtype_is_float(R->dtype) || R->numel != 1)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: R must be a float scalar", op);
    if (!T || T->dtype != IA_DTYPE_INT64 || T->numel != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: T must be an int64 scalar", op);
    for (int i = 2; i < nin; i++) {
        const ia_tensor *x = ia_kctx_input(ctx, i), *x0 = ia_kctx_input(ctx, 2 + (i - 2) % *n);
        if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input %d is missing or not a tensor", op, i);
        if (x->dtype != IA_DTYPE_FLOAT && x->dtype != IA_DTYPE_DOUBLE)
            IA_KFAIL(ctx, IA_ERR_TYPE, "%s: input %d must be float or double, got %s", op, i, ia_dtype_name(x->dtype));
        if (x->dtype != x0->dtype || x->rank != x0->rank || memcmp(x->dims, x0->dims, sizeof(int64_t) * (size_t)x->rank))
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: input %d does not match the type and shape of input %d", op, i, 2 + (i - 2) % *n);
    }
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (!R->data || !T->data) return IA_ERR_NEED_VALUE;
    *r = ia_get_f64(R->data, R->dtype, 0);
    *t = ((const int64_t *)T->data)[0];
    return IA_OK;
}

/* Creates the outputs: group k of n outputs is shaped like input X_i. */
static int make_outputs(ia_kctx *ctx, int n, int out_groups, ia_tensor **outs) {
    for (int k = 0; k < out_groups; k++)
        for (int i = 0; i < n; i++) {
            int o = k * n + i;
            outs[o] = NULL;
            if (o >= ia_kctx_num_outputs(ctx)) continue;
            const ia_tensor *x = ia_kctx_input(ctx, 2 + i);
            IA_KTRY(ia_kctx_output(ctx, o, x->dtype, x->rank, x->dims, &outs[o]));
        }
    return IA_OK;
}

static double at(const ia_tensor *t, int64_t i) { return ia_get_f64(t->data, t->dtype, i); }
static void put(ia_tensor *t, int64_t i, double v) {
    if (t) ia_set_f64(t->data, t->dtype, i, v);
}

#define MAX_GROUP 1024

int ia_op_adagrad(ia_kctx *ctx) {
    double r = 0;
    int64_t t = 0;
    int n;
    IA_KTRY(read_common(ctx, "Adagrad", 3, &r, &t, &n));
    if (n > MAX_GROUP) IA_KFAIL(ctx, IA_ERR_LIMIT, "Adagrad: too many tensors");
    ia_tensor *outs[2 * MAX_GROUP];
    IA_KTRY(make_outputs(ctx, n, 2, outs));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    double norm = ia_kctx_attr_float(ctx, "norm_coefficient", 0), eps = ia_kctx_attr_float(ctx, "epsilon", 0);
    double decay = ia_kctx_attr_float(ctx, "decay_factor", 0);
    double rr = r / (1 + (double)t * decay);
    for (int i = 0; i < n; i++) {
        const ia_tensor *X = ia_kctx_input(ctx, 2 + i), *G = ia_kctx_input(ctx, 2 + n + i), *H = ia_kctx_input(ctx, 2 + 2 * n + i);
        if (X->numel && (!X->data || !G->data || !H->data)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Adagrad: input has no data");
        for (int64_t k = 0; k < X->numel; k++) {
            double x = at(X, k), g = norm * x + at(G, k), h = at(H, k) + g * g;
            put(outs[i], k, x - rr * g / (sqrt(h) + eps));
            put(outs[n + i], k, h);
        }
    }
    return IA_OK;
}

int ia_op_adam(ia_kctx *ctx) {
    double r = 0;
    int64_t t = 0;
    int n;
    IA_KTRY(read_common(ctx, "Adam", 4, &r, &t, &n));
    if (n > MAX_GROUP) IA_KFAIL(ctx, IA_ERR_LIMIT, "Adam: too many tensors");
    ia_tensor *outs[3 * MAX_GROUP];
    IA_KTRY(make_outputs(ctx, n, 3, outs));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    double alpha = ia_kctx_attr_float(ctx, "alpha", 0.9f), beta = ia_kctx_attr_float(ctx, "beta", 0.999f);
    double eps = ia_kctx_attr_float(ctx, "epsilon", 0), norm = ia_kctx_attr_float(ctx, "norm_coefficient", 0);
    double post = ia_kctx_attr_float(ctx, "norm_coefficient_post", 0);
    double rr = t > 0 ? r * sqrt(1 - pow(beta, (double)t)) / (1 - pow(alpha, (double)t)) : r;
    for (int i = 0; i < n; i++) {
        const ia_tensor *X = ia_kctx_input(ctx, 2 + i), *G = ia_kctx_input(ctx, 2 + n + i);
        const ia_tensor *V = ia_kctx_input(ctx, 2 + 2 * n + i), *H = ia_kctx_input(ctx, 2 + 3 * n + i);
        if (X->numel && (!X->data || !G->data || !V->data || !H->data)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Adam: input has no data");
        for (int64_t k = 0; k < X->numel; k++) {
            double x = at(X, k), g = norm * x + at(G, k);
            double v = alpha * at(V, k) + (1 - alpha) * g, h = beta * at(H, k) + (1 - beta) * g * g;
            put(outs[i], k, (1 - post) * (x - rr * (v / (sqrt(h) + eps))));
            put(outs[n + i], k, v);
            put(outs[2 * n + i], k, h);
        }
    }
    return IA_OK;
}

int ia_op_momentum(ia_kctx *ctx) {
    double r = 0;
    int64_t t = 0;
    int n;
    IA_KTRY(read_common(ctx, "Momentum", 3, &r, &t, &n));
    if (n > MAX_GROUP) IA_KFAIL(ctx, IA_ERR_LIMIT, "Momentum: too many tensors");
    const char *mode = ia_kctx_attr_string(ctx, "mode", NULL);
    if (!mode || (strcmp(mode, "standard") && strcmp(mode, "nesterov")))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Momentum: mode must be 'standard' or 'nesterov'");
    if (!ia_kctx_attr(ctx, "alpha") || !ia_kctx_attr(ctx, "beta") || !ia_kctx_attr(ctx, "norm_coefficient"))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Momentum: alpha, beta and norm_coefficient are required");
    ia_tensor *outs[2 * MAX_GROUP];
    IA_KTRY(make_outputs(ctx, n, 2, outs));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int nesterov = !strcmp(mode, "nesterov");
    double alpha = ia_kctx_attr_float(ctx, "alpha", 0), beta = ia_kctx_attr_float(ctx, "beta", 0);
    double norm = ia_kctx_attr_float(ctx, "norm_coefficient", 0);
    double b = t > 0 ? beta : 1;
    for (int i = 0; i < n; i++) {
        const ia_tensor *X = ia_kctx_input(ctx, 2 + i), *G = ia_kctx_input(ctx, 2 + n + i), *V = ia_kctx_input(ctx, 2 + 2 * n + i);
        if (X->numel && (!X->data || !G->data || !V->data)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Momentum: input has no data");
        for (int64_t k = 0; k < X->numel; k++) {
            double x = at(X, k), g = norm * x + at(G, k), v = alpha * at(V, k) + b * g;
            put(outs[i], k, nesterov ? x - r * (g + alpha * v) : x - r * v);
            put(outs[n + i], k, v);
        }
    }
    return IA_OK;
}
