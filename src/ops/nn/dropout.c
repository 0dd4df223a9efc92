/* Dropout: identity in inference (mask all true); a seeded random mask in training mode. */
#include <string.h>
#include <time.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

/* splitmix64: small, seedable generator for the training-mode mask */
static uint64_t next_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int ia_op_dropout(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Dropout needs input data");
    if (!ia_nn_is_float(X->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Dropout does not support %s", ia_dtype_name(X->dtype));
    int64_t opset = ia_kctx_opset(ctx);
    int mask_dt = opset >= 10 ? IA_DTYPE_BOOL : X->dtype;
    int want_mask = ia_kctx_num_outputs(ctx) > 1 && ia_kctx_output_wanted(ctx, 1);
    if (ia_kctx_shape_only(ctx)) { /* shapes do not depend on ratio or training_mode */
        if (want_mask) IA_KTRY(ia_kctx_output(ctx, 1, mask_dt, X->rank, X->dims, NULL));
        return ia_kctx_output(ctx, 0, X->dtype, X->rank, X->dims, NULL);
    }
    double ratio = ia_kctx_attr_float(ctx, "ratio", 0.5f);
    int training = 0;
    if (opset >= 12) {
        ratio = 0.5;
        const ia_tensor *r = ia_kctx_input(ctx, 1), *t = ia_kctx_input(ctx, 2);
        if (r) {
            if (r->numel != 1 || !ia_nn_is_float(r->dtype)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Dropout: ratio must be a float scalar");
            if (!(r = ia_kctx_input_data(ctx, 1))) return IA_ERR_NEED_VALUE;
            ratio = ia_get_f64(r->data, r->dtype, 0);
        }
        if (t) {
            if (t->numel != 1 || t->dtype != IA_DTYPE_BOOL) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Dropout: training_mode must be a bool scalar");
            if (!(t = ia_kctx_input_data(ctx, 2))) return IA_ERR_NEED_VALUE;
            training = ((const uint8_t *)t->data)[0] != 0;
        }
    }
    if (!(ratio >= 0.0 && ratio < 1.0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Dropout: ratio %g must be in [0, 1)", ratio);
    ia_tensor *M = NULL, *Y;
    if (!training || ratio == 0.0) {
        if (want_mask) {
            IA_KTRY(ia_kctx_output(ctx, 1, mask_dt, X->rank, X->dims, &M));
            for (int64_t i = 0; i < M->numel; i++) ia_set_f64(M->data, mask_dt, i, 1.0);
        }
        return ia_kctx_output_alias(ctx, 0, 0);
    }
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, X->dims, &Y));
    if (want_mask) IA_KTRY(ia_kctx_output(ctx, 1, mask_dt, X->rank, X->dims, &M));
    const ia_attr *sa = ia_kctx_attr(ctx, "seed");
    uint64_t state = sa ? (uint64_t)sa->i : (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)X->data;
    double scale = 1.0 / (1.0 - ratio);
    for (int64_t i = 0; i < X->numel; i++) {
        int keep = (double)(next_rand(&state) >> 11) * (1.0 / 9007199254740992.0) >= ratio;
        ia_set_f64(Y->data, X->dtype, i, keep ? ia_get_f64(X->data, X->dtype, i) * scale : 0.0);
        if (M) ia_set_f64(M->data, mask_dt, i, keep);
    }
    return IA_OK;
}
