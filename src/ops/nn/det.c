/* Det: determinant of square matrices (batched) by LU decomposition with partial pivoting. */
#include <math.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

int ia_op_det(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Det needs input X");
    if (!ia_nn_is_float(X->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Det does not support %s", ia_dtype_name(X->dtype));
    if (X->rank < 2 || X->dims[X->rank - 1] != X->dims[X->rank - 2])
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Det: input must be [*, M, M]");
    int64_t n = X->dims[X->rank - 1];
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank - 2, X->dims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    double *a = ia_kctx_scratch(ctx, sizeof(double) * (size_t)(n * n > 0 ? n * n : 1));
    if (!a) return IA_ERR_NOMEM;
    for (int64_t b = 0; b < Y->numel; b++) {
        for (int64_t i = 0; i < n * n; i++) a[i] = ia_get_f64(X->data, X->dtype, b * n * n + i);
        double det = 1.0;
        for (int64_t c = 0; c < n && det != 0.0; c++) {
            int64_t p = c;
            for (int64_t r = c + 1; r < n; r++)
                if (fabs(a[r * n + c]) > fabs(a[p * n + c])) p = r;
            if (a[p * n + c] == 0.0) { det = 0.0; break; }
            if (p != c) {
                for (int64_t q = 0; q < n; q++) { double t = a[c * n + q]; a[c * n + q] = a[p * n + q]; a[p * n + q] = t; }
                det = -det;
            }
            double piv = a[c * n + c];
            det *= piv;
            for (int64_t r = c + 1; r < n; r++) {
                double f = a[r * n + c] / piv;
                if (f != 0.0)
                    for (int64_t q = c + 1; q < n; q++) a[r * n + q] -= f * a[c * n + q];
            }
        }
        ia_set_f64(Y->data, X->dtype, b, det);
    }
    return IA_OK;
}
