/* NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (reduction none / sum / mean,
 * class weights, ignore_index; SCE optionally returns the log-probabilities). */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

enum { RED_NONE, RED_SUM, RED_MEAN };

typedef struct {
    const char *name;
    const ia_tensor *x, *target, *weight;
    int reduction;
    int has_ii;
    int64_t ii;
    int64_t N, C, D; /* x viewed as [N, C, D], target as [N, D] */
} loss_args;

static int loss_setup(ia_kctx *ctx, loss_args *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->name = name;
    a->x = ia_kctx_input(ctx, 0);
    a->target = ia_kctx_input(ctx, 1);
    a->weight = ia_kctx_num_inputs(ctx) > 2 ? ia_kctx_input(ctx, 2) : NULL;
    if (!a->x || !a->target) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs input and target tensors", name);
    if (!ia_dtype_is_float(a->x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s input", name, ia_dtype_name(a->x->dtype));
    if (a->target->dtype != IA_DTYPE_INT32 && a->target->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: target must be int32 or int64", name);
    const ia_tensor *x = a->x, *t = a->target;
    if (x->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: input must have rank >= 2", name);
    if (t->rank != x->rank - 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: target rank %d does not match input rank %d", name, t->rank, x->rank);
    if (t->dims[0] != x->dims[0]) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: target batch size differs from the input's", name);
    a->N = x->dims[0];
    a->C = x->dims[1];
    a->D = 1;
    for (int d = 2; d < x->rank; d++) {
        if (t->dims[d - 1] != x->dims[d]) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: target dim %d differs from the input's", name, d - 1);
        a->D *= x->dims[d];
    }
    if (a->weight) {
        if (a->weight->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: weight dtype differs from the input's", name);
        if (a->weight->rank != 1 || a->weight->dims[0] != a->C) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: weight must have shape [C]", name);
    }
    const char *r = ia_kctx_attr_string(ctx, "reduction", "mean");
    if (!strcmp(r, "none")) a->reduction = RED_NONE;
    else if (!strcmp(r, "sum")) a->reduction = RED_SUM;
    else if (!strcmp(r, "mean")) a->reduction = RED_MEAN;
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: unknown reduction '%s'", name, r);
    const ia_attr *ii = ia_kctx_attr(ctx, "ignore_index");
    if (ii) {
        if (ii->type != IA_ATTR_INT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: ignore_index must be an int", name);
        a->has_ii = 1;
        a->ii = ii->i;
    }
    return IA_OK;
}

static int loss_output(ia_kctx *ctx, const loss_args *a, ia_tensor **out) {
    if (a->reduction == RED_NONE) return ia_kctx_output(ctx, 0, a->x->dtype, a->target->rank, a->target->dims, out);
    return ia_kctx_output(ctx, 0, a->x->dtype, 0, NULL, out);
}

/* Weight of sample (n, d), or -1 after failing on an out-of-range class. */
static int sample_weight(ia_kctx *ctx, const loss_args *a, int64_t t, double *w) {
    if (a->has_ii && t == a->ii) {
        *w = 0;
        return IA_OK;
    }
    if (t < 0 || t >= a->C) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: class index %lld is outside [0, %lld)", a->name, (long long)t, (long long)a->C);
    *w = a->weight ? ia_get_f64(a->weight->data, a->weight->dtype, t) : 1.0;
    return IA_OK;
}

/* `logp(n, c, d)` gives the log-probability; per-sample losses go to y (RED_NONE) or are reduced. */
static int finish_loss(ia_kctx *ctx, const loss_args *a, ia_tensor *y, const double *per, const double *wts) {
    int64_t M = a->N * a->D;
    if (a->reduction == RED_NONE) {
        for (int64_t i = 0; i < M; i++) ia_set_f64(y->data, y->dtype, i, per[i]);
        return IA_OK;
    }
    double s = 0, ws = 0;
    for (int64_t i = 0; i < M; i++) {
        s += per[i];
        ws += wts[i];
    }
    ia_set_f64(y->data, y->dtype, 0, a->reduction == RED_SUM ? s : s / ws);
    (void)ctx;
    return IA_OK;
}

int ia_op_negative_log_likelihood_loss(ia_kctx *ctx) {
    loss_args a;
    IA_KTRY(loss_setup(ctx, &a, "NegativeLogLikelihoodLoss"));
    ia_tensor *y;
    IA_KTRY(loss_output(ctx, &a, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t M = a.N * a.D;
    double *per = ia_kctx_scratch(ctx, (size_t)M * sizeof(double));
    double *wts = ia_kctx_scratch(ctx, (size_t)M * sizeof(double));
    if (!per || !wts) return IA_ERR_NOMEM;
    for (int64_t n = 0; n < a.N; n++)
        for (int64_t d = 0; d < a.D; d++) {
            int64_t i = n * a.D + d;
            int64_t t = ia_get_i64(a.target->data, a.target->dtype, i);
            IA_KTRY(sample_weight(ctx, &a, t, &wts[i]));
            per[i] = wts[i] == 0 ? 0 : -ia_get_f64(a.x->data, a.x->dtype, (n * a.C + t) * a.D + d) * wts[i];
        }
    return finish_loss(ctx, &a, y, per, wts);
}

int ia_op_softmax_cross_entropy_loss(ia_kctx *ctx) {
    loss_args a;
    IA_KTRY(loss_setup(ctx, &a, "SoftmaxCrossEntropyLoss"));
    ia_tensor *y, *lp = NULL;
    IA_KTRY(loss_output(ctx, &a, &y));
    int want_lp = ia_kctx_num_outputs(ctx) > 1 && ia_kctx_output_wanted(ctx, 1);
    if (want_lp) IA_KTRY(ia_kctx_output(ctx, 1, a.x->dtype, a.x->rank, a.x->dims, &lp));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t M = a.N * a.D;
    double *per = ia_kctx_scratch(ctx, (size_t)M * sizeof(double));
    double *wts = ia_kctx_scratch(ctx, (size_t)M * sizeof(double));
    if (!per || !wts) return IA_ERR_NOMEM;
    const void *xd = a.x->data;
    int dt = a.x->dtype;
    for (int64_t n = 0; n < a.N; n++)
        for (int64_t d = 0; d < a.D; d++) {
            int64_t i = n * a.D + d, base = n * a.C * a.D + d;
            double mx = -INFINITY, s = 0;
            for (int64_t c = 0; c < a.C; c++) {
                double v = ia_get_f64(xd, dt, base + c * a.D);
                if (v > mx || v != v) mx = v;
            }
            for (int64_t c = 0; c < a.C; c++) s += exp(ia_get_f64(xd, dt, base + c * a.D) - mx);
            double lse = mx + log(s);
            if (lp)
                for (int64_t c = 0; c < a.C; c++) ia_set_f64(lp->data, dt, base + c * a.D, ia_get_f64(xd, dt, base + c * a.D) - lse);
            int64_t t = ia_get_i64(a.target->data, a.target->dtype, i);
            IA_KTRY(sample_weight(ctx, &a, t, &wts[i]));
            per[i] = wts[i] == 0 ? 0 : -(ia_get_f64(xd, dt, base + t * a.D) - lse) * wts[i];
        }
    return finish_loss(ctx, &a, y, per, wts);
}
