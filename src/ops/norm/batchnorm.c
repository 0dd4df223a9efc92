/* BatchNormalization: inference with stored statistics, and (opset 14+) training_mode, which
 * normalises with the batch statistics and outputs the updated running mean and variance. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

typedef struct {
    const void *x;
    void *y;
    int dtype;
    int64_t C, S;           /* x viewed as [N, C, S] */
    const double *a, *b;    /* y = x * a[c] + b[c] */
} bn_job;

static void bn_planes(void *arg, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const bn_job *j = arg;
    int64_t S = j->S;
    for (int64_t pl = begin; pl < end; pl++) {
        int64_t c = pl % j->C, off = pl * S;
        if (j->dtype == IA_DTYPE_FLOAT) {
            const float *x = (const float *)j->x + off;
            float *y = (float *)j->y + off, a = (float)j->a[c], b = (float)j->b[c];
            for (int64_t s = 0; s < S; s++) y[s] = x[s] * a + b;
        } else {
            for (int64_t s = 0; s < S; s++) ia_set_f64(j->y, j->dtype, off + s, ia_get_f64(j->x, j->dtype, off + s) * j->a[c] + j->b[c]);
        }
    }
}

int ia_op_batch_normalization(ia_kctx *ctx) {
    const char *name = "BatchNormalization";
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    const ia_tensor *prm[4]; /* scale, B, input_mean, input_var */
    static const char *pn[] = {"scale", "B", "input_mean", "input_var"};
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    if (x->rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs an input of rank >= 1 ([N, C, ...] or [N])", name);
    int64_t opset = ia_kctx_opset(ctx);
    int64_t N = x->dims[0], C = x->rank > 1 ? x->dims[1] : 1, S = 1; /* [N] means C = 1 */
    for (int d = 2; d < x->rank; d++) S *= x->dims[d];
    /* spatial = 0 (before opset 9): one set of statistics per element of [C, spatial...] */
    if (opset < 9 && ia_kctx_attr_int(ctx, "spatial", 1) == 0) {
        C *= S;
        S = 1;
    }
    for (int i = 0; i < 4; i++) {
        prm[i] = ia_kctx_input(ctx, i + 1);
        if (!prm[i]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs input %s", name, pn[i]);
        if (!ia_dtype_is_float(prm[i]->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: %s must be a float tensor", name, pn[i]);
        if (prm[i]->numel != C) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: %s has %lld elements, expected %lld", name, pn[i], (long long)prm[i]->numel, (long long)C);
    }
    int training = opset >= 14 && ia_kctx_attr_int(ctx, "training_mode", 0) != 0;
    int extra = 0;
    for (int i = 1; i < ia_kctx_num_outputs(ctx); i++) extra |= ia_kctx_output_wanted(ctx, i);
    if (extra && !training) {
        if (opset >= 14) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: running mean/var outputs need training_mode=1", name);
        IA_KFAIL(ctx, IA_ERR_UNSUPPORTED, "%s: training outputs before opset 14 are not supported", name);
    }
    double eps = ia_kctx_attr_float(ctx, "epsilon", 1e-5f);
    double momentum = ia_kctx_attr_float(ctx, "momentum", 0.9f);

    ia_tensor *y, *rm = NULL, *rv = NULL;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (training) {
        if (ia_kctx_num_outputs(ctx) > 1) IA_KTRY(ia_kctx_output(ctx, 1, prm[2]->dtype, prm[2]->rank, prm[2]->dims, &rm));
        if (ia_kctx_num_outputs(ctx) > 2) IA_KTRY(ia_kctx_output(ctx, 2, prm[3]->dtype, prm[3]->rank, prm[3]->dims, &rv));
    }
    if (ia_kctx_shape_only(ctx)) return IA_OK;

    double *a = ia_kctx_scratch(ctx, (size_t)C * sizeof(double));
    double *b = ia_kctx_scratch(ctx, (size_t)C * sizeof(double));
    double *mean = ia_kctx_scratch(ctx, (size_t)C * sizeof(double));
    double *var = ia_kctx_scratch(ctx, (size_t)C * sizeof(double));
    if (!a || !b || !mean || !var) return IA_ERR_NOMEM;
    for (int64_t c = 0; c < C; c++) {
        mean[c] = ia_get_f64(prm[2]->data, prm[2]->dtype, c);
        var[c] = ia_get_f64(prm[3]->data, prm[3]->dtype, c);
    }
    if (training) { /* batch statistics per channel (population variance), two passes */
        int64_t cnt = N * S;
        for (int64_t c = 0; c < C; c++) {
            double s = 0, q = 0;
            for (int64_t n = 0; n < N; n++)
                for (int64_t k = 0; k < S; k++) s += ia_get_f64(x->data, x->dtype, (n * C + c) * S + k);
            double m = cnt ? s / (double)cnt : 0;
            for (int64_t n = 0; n < N; n++)
                for (int64_t k = 0; k < S; k++) {
                    double d = ia_get_f64(x->data, x->dtype, (n * C + c) * S + k) - m;
                    q += d * d;
                }
            double v = cnt ? q / (double)cnt : 0;
            if (rm) ia_set_f64(rm->data, rm->dtype, c, mean[c] * momentum + m * (1 - momentum));
            if (rv) ia_set_f64(rv->data, rv->dtype, c, var[c] * momentum + v * (1 - momentum));
            mean[c] = m;
            var[c] = v;
        }
    }
    for (int64_t c = 0; c < C; c++) {
        a[c] = ia_get_f64(prm[0]->data, prm[0]->dtype, c) / sqrt(var[c] + eps);
        b[c] = ia_get_f64(prm[1]->data, prm[1]->dtype, c) - mean[c] * a[c];
    }
    bn_job j = {x->data, y->data, x->dtype, C, S, a, b};
    int64_t planes = N * C;
    if (x->numel >= 65536)
        ia_parallel_for(ia_kctx_pool(ctx), planes, S >= 16384 ? 1 : 16384 / (S ? S : 1), bn_planes, &j);
    else
        bn_planes(&j, 0, planes, 0);
    return IA_OK;
}
