/* HannWindow, HammingWindow and BlackmanWindow: generalized cosine windows of a given size. */
#include <math.h>
#include "ops/kernel_util.h"
#include "ops/signal/signal_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

int ia_signal_output_dtype_ok(int dt) {
    switch (dt) {
    case IA_DTYPE_UINT8: case IA_DTYPE_UINT16: case IA_DTYPE_UINT32: case IA_DTYPE_UINT64:
    case IA_DTYPE_INT8: case IA_DTYPE_INT16: case IA_DTYPE_INT32: case IA_DTYPE_INT64:
    case IA_DTYPE_FLOAT16: case IA_DTYPE_FLOAT: case IA_DTYPE_DOUBLE: case IA_DTYPE_BFLOAT16: return 1;
    default: return 0;
    }
}

/* w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N = size (periodic) or size - 1. */
static int cosine_window(ia_kctx *ctx, const char *op, double a0, double a1, double a2) {
    const ia_tensor *st = ia_kctx_input(ctx, 0);
    if (!st) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a size input", op);
    if (st->dtype != IA_DTYPE_INT32 && st->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s size must be int32 or int64, got %s", op, ia_dtype_name(st->dtype));
    if (st->numel != 1 || st->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s size must be a scalar", op);
    int64_t dt = ia_kctx_attr_int(ctx, "output_datatype", IA_DTYPE_FLOAT);
    if (!ia_signal_output_dtype_ok((int)dt) || dt != (int)dt)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s output_datatype %lld is not a supported numeric type", op, (long long)dt);
    int64_t periodic = ia_kctx_attr_int(ctx, "periodic", 1);
    if (periodic != 0 && periodic != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s periodic must be 0 or 1", op);
    const ia_tensor *sv = ia_kctx_input_data(ctx, 0);
    if (!sv) return IA_ERR_NEED_VALUE;
    int64_t size = ia_get_i64(sv->data, sv->dtype, 0);
    if (size < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s size must not be negative, got %lld", op, (long long)size);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, (int)dt, 1, &size, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    double N = (double)(periodic ? size : size - 1);
    for (int64_t k = 0; k < size; k++) {
        /* A symmetric window of one point is {1}, as in numpy. */
        double v = N > 0 ? a0 - a1 * cos(2 * M_PI * (double)k / N) + a2 * cos(4 * M_PI * (double)k / N) : 1.0;
        if (dt == IA_DTYPE_FLOAT) ((float *)y->data)[k] = (float)v;
        else ia_set_f64(y->data, (int)dt, k, v);
    }
    return IA_OK;
}

int ia_op_hann_window(ia_kctx *ctx) { return cosine_window(ctx, "HannWindow", 0.5, 0.5, 0.0); }
int ia_op_hamming_window(ia_kctx *ctx) { return cosine_window(ctx, "HammingWindow", 25.0 / 46.0, 21.0 / 46.0, 0.0); }
int ia_op_blackman_window(ia_kctx *ctx) { return cosine_window(ctx, "BlackmanWindow", 0.42, 0.5, 0.08); }
