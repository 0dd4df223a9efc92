/* CumSum: running sum along one axis, optionally exclusive and/or reversed. */
#include "ops/kernel_util.h"

int ia_op_cumsum(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "CumSum needs a tensor input");
    int dt = x->dtype;
    if (!ia_dtype_is_float(dt) && !ia_dtype_is_integer(dt))
        IA_KFAIL(ctx, IA_ERR_TYPE, "CumSum does not support %s", ia_dtype_name(dt));
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "CumSum needs an input of rank >= 1");
    const ia_tensor *at = ia_kctx_input(ctx, 1);
    if (!at) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "CumSum needs an axis input");
    if (at->rank > 1 || at->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "CumSum: axis must hold exactly one value");
    if (at->dtype != IA_DTYPE_INT32 && at->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "CumSum: axis must be int32 or int64");
    const ia_tensor *ad = ia_kctx_input_data(ctx, 1); /* NULL while only shapes are known */
    int axis = 0;
    if (ad) {
        int64_t a = ia_get_i64(ad->data, ad->dtype, 0);
        if (ia_norm_axis(a, x->rank, &axis))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "CumSum: axis %lld out of range for rank %d", (long long)a, x->rank);
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, dt, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (!ad) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "CumSum: axis has no value");
    int exclusive = ia_kctx_attr_int(ctx, "exclusive", 0) != 0;
    int reverse = ia_kctx_attr_int(ctx, "reverse", 0) != 0;
    if (y->numel == 0) return IA_OK;
    int64_t outer = 1, inner = 1, n = x->dims[axis];
    for (int d = 0; d < x->rank; d++) {
        if (d < axis) outer *= x->dims[d];
        if (d > axis) inner *= x->dims[d];
    }
    int isf = ia_dtype_is_float(dt);
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * n * inner + i;
            double sd = 0;
            uint64_t si = 0; /* wraps like the fixed-width integer types */
            for (int64_t k = 0; k < n; k++) {
                int64_t off = base + (reverse ? n - 1 - k : k) * inner;
                if (dt == IA_DTYPE_FLOAT) {
                    float v = ((const float *)x->data)[off];
                    if (exclusive) { ((float *)y->data)[off] = (float)sd; sd += v; }
                    else { sd += v; ((float *)y->data)[off] = (float)sd; }
                } else if (isf) {
                    double v = ia_get_f64(x->data, dt, off);
                    if (exclusive) { ia_set_f64(y->data, dt, off, sd); sd += v; }
                    else { sd += v; ia_set_f64(y->data, dt, off, sd); }
                } else {
                    uint64_t v = ia_get_u64(x->data, dt, off);
                    if (exclusive) { ia_set_u64(y->data, dt, off, si); si += v; }
                    else { si += v; ia_set_u64(y->data, dt, off, si); }
                }
            }
        }
    }
    return IA_OK;
}
