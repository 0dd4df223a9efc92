/* Tensor generators: ConstantOfShape, EyeLike, Range, OneHot and the triangle mask Trilu. */
#include <math.h>
#include <string.h>
#include "ops/tensor/tensor_common.h"

int ia_op_constant_of_shape(ia_kctx *ctx) {
    const ia_tensor *st = ia_kctx_input(ctx, 0);
    if (!st) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConstantOfShape needs a shape input");
    if (st->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "ConstantOfShape shape must be int64, got %s", ia_dtype_name(st->dtype));
    const ia_tensor *val = ia_kctx_attr_tensor(ctx, "value");
    int dtype = IA_DTYPE_FLOAT;
    if (val) {
        if (val->numel != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConstantOfShape value must hold one element, has %lld", (long long)val->numel);
        if (!ia_tensor_copyable(val->dtype) || val->dtype == IA_DTYPE_STRING)
            IA_KFAIL(ctx, IA_ERR_TYPE, "ConstantOfShape does not support value type %s", ia_dtype_name(val->dtype));
        dtype = val->dtype;
    }
    if (!ia_kctx_input_data(ctx, 0)) return IA_ERR_NEED_VALUE;
    int64_t dims[IA_MAX_DIMS];
    int64_t n = ia_tensor_read_int_list(ctx, st, dims, IA_MAX_DIMS, "ConstantOfShape shape");
    if (n < 0) return (int)n;
    for (int64_t i = 0; i < n; i++)
        if (dims[i] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConstantOfShape shape[%lld] = %lld is negative", (long long)i, (long long)dims[i]);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, dtype, (int)n, dims, &out));
    if (ia_kctx_shape_only(ctx) || !val || out->numel == 0) return IA_OK;
    size_t es = ia_dtype_size(dtype);
    int zero = 1;
    for (size_t i = 0; i < es; i++)
        if (((const unsigned char *)val->data)[i]) zero = 0;
    if (zero) return IA_OK; /* outputs start zeroed */
    if (es == 4) {
        uint32_t v;
        memcpy(&v, val->data, 4);
        for (int64_t i = 0; i < out->numel; i++) ((uint32_t *)out->data)[i] = v;
    } else {
        for (int64_t i = 0; i < out->numel; i++) memcpy((char *)out->data + (size_t)i * es, val->data, es);
    }
    return IA_OK;
}

int ia_op_eye_like(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "EyeLike needs an input");
    if (x->rank != 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "EyeLike needs a 2-D input, got rank %d", x->rank);
    int dtype = (int)ia_kctx_attr_int(ctx, "dtype", x->dtype);
    if (dtype <= 0 || dtype >= IA_DTYPE_COUNT_ || dtype == IA_DTYPE_STRING || !ia_dtype_size(dtype) || dtype == IA_DTYPE_COMPLEX64 ||
        dtype == IA_DTYPE_COMPLEX128)
        IA_KFAIL(ctx, IA_ERR_TYPE, "EyeLike does not support dtype %d", dtype);
    int64_t k = ia_kctx_attr_int(ctx, "k", 0);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, dtype, 2, x->dims, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t rows = x->dims[0], cols = x->dims[1];
    for (int64_t i = 0; i < rows; i++) {
        if (k > cols || k < -rows) break;
        int64_t j = i + k;
        if (j >= 0 && j < cols) ia_set_f64(out->data, dtype, i * cols + j, 1.0);
    }
    return IA_OK;
}

int ia_op_range(ia_kctx *ctx) {
    const ia_tensor *t[3];
    const char *names[3] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; i++) {
        t[i] = ia_kctx_input(ctx, i);
        if (!t[i]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Range needs input '%s'", names[i]);
        if (t[i]->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Range %s must be a scalar", names[i]);
        if (t[i]->dtype != t[0]->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "Range inputs must share one type");
    }
    int dt = t[0]->dtype;
    if (dt != IA_DTYPE_FLOAT && dt != IA_DTYPE_DOUBLE && dt != IA_DTYPE_INT16 && dt != IA_DTYPE_INT32 && dt != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Range does not support %s", ia_dtype_name(dt));
    for (int i = 0; i < 3; i++)
        if (!ia_kctx_input_data(ctx, i)) return IA_ERR_NEED_VALUE;
    int64_t n;
    ia_tensor *out;
    if (ia_dtype_is_integer(dt)) {
        int64_t s = ia_get_i64(t[0]->data, dt, 0), l = ia_get_i64(t[1]->data, dt, 0), d = ia_get_i64(t[2]->data, dt, 0);
        if (d == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Range delta is 0");
        /* ceil((l - s) / d) without overflow: the inputs are at most 64-bit, use long double span */
        long double span = (long double)l - (long double)s;
        long double q = ceill(span / (long double)d);
        if (q > 1e15L) IA_KFAIL(ctx, IA_ERR_LIMIT, "Range would produce %.0Lf elements", q);
        n = q > 0 ? (int64_t)q : 0;
        IA_KTRY(ia_kctx_output(ctx, 0, dt, 1, &n, &out));
        if (ia_kctx_shape_only(ctx)) return IA_OK;
        for (int64_t i = 0; i < n; i++) ia_set_i64(out->data, dt, i, (int64_t)((uint64_t)s + (uint64_t)i * (uint64_t)d));
    } else {
        double s = ia_get_f64(t[0]->data, dt, 0), l = ia_get_f64(t[1]->data, dt, 0), d = ia_get_f64(t[2]->data, dt, 0);
        if (d == 0 || !isfinite(s) || !isfinite(l) || !isfinite(d)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Range start/limit/delta must be finite, delta nonzero");
        double q = ceil((l - s) / d);
        if (q > 1e15) IA_KFAIL(ctx, IA_ERR_LIMIT, "Range would produce %.0f elements", q);
        n = q > 0 ? (int64_t)q : 0;
        IA_KTRY(ia_kctx_output(ctx, 0, dt, 1, &n, &out));
        if (ia_kctx_shape_only(ctx)) return IA_OK;
        if (dt == IA_DTYPE_FLOAT) {
            /* accumulate in the element type like the reference (numpy arange uses start + i*delta) */
            float fs = (float)s, fd = (float)d;
            for (int64_t i = 0; i < n; i++) ((float *)out->data)[i] = fs + (float)i * fd;
        } else {
            for (int64_t i = 0; i < n; i++) ((double *)out->data)[i] = s + (double)i * d;
        }
    }
    return IA_OK;
}

int ia_op_one_hot(ia_kctx *ctx) {
    const ia_tensor *ind = ia_kctx_input(ctx, 0), *dep = ia_kctx_input(ctx, 1), *vals = ia_kctx_input(ctx, 2);
    if (!ind || !dep || !vals) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "OneHot needs indices, depth and values");
    if (vals->numel != 2 || vals->rank != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "OneHot values must be a 2-element 1-D tensor");
    if (dep->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "OneHot depth must be a scalar");
    if (!ia_tensor_copyable(vals->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "OneHot does not support values of %s", ia_dtype_name(vals->dtype));
    if (dep->dtype == IA_DTYPE_STRING || ind->dtype == IA_DTYPE_STRING || !ia_dtype_size(dep->dtype) || !ia_dtype_size(ind->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "OneHot indices and depth must be numeric");
    int r = ind->rank + 1, axis;
    if (r > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "OneHot output rank %d is too large", r);
    int64_t a = ia_kctx_attr_int(ctx, "axis", -1);
    if (ia_norm_axis(a, r, &axis)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "OneHot axis %lld is out of range for output rank %d", (long long)a, r);
    if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
    double dd = ia_get_f64(dep->data, dep->dtype, 0);
    if (!(dd >= 1) || dd > 1e12) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "OneHot depth %g is invalid", dd);
    int64_t depth = (int64_t)dd;
    int64_t od[IA_MAX_DIMS];
    for (int d = 0, k = 0; d < r; d++) od[d] = d == axis ? depth : ind->dims[k++];
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, vals->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= od[d];
    for (int d = axis + 1; d < r; d++) inner *= od[d];
    for (int64_t i = 0; i < out->numel; i++) IA_KTRY(ia_copy_elems(out->data, i, vals->data, 0, 1, vals->dtype));
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            double v = ia_get_f64(ind->data, ind->dtype, o * inner + in);
            if (!(fabs(v) < 9e18)) continue; /* NaN or far out of range: all off */
            int64_t k = (int64_t)v;
            if (k < 0) k += depth;
            if (k < 0 || k >= depth) continue;
            IA_KTRY(ia_copy_elems(out->data, (o * depth + k) * inner + in, vals->data, 1, 1, vals->dtype));
        }
    return IA_OK;
}

int ia_op_trilu(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Trilu needs an input");
    if (x->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "Trilu needs rank >= 2, got %d", x->rank);
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Trilu does not support %s", ia_dtype_name(x->dtype));
    int64_t k = 0;
    const ia_tensor *kt = ia_kctx_input(ctx, 1);
    if (kt) {
        if (kt->numel != 1 || kt->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Trilu k must be an int64 scalar");
        if (!ia_kctx_input_data(ctx, 1) && !ia_kctx_shape_only(ctx)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Trilu k has no data");
        if (!ia_kctx_shape_only(ctx)) k = ((const int64_t *)kt->data)[0];
    }
    int upper = ia_kctx_attr_int(ctx, "upper", 1) != 0;
    int64_t lim = x->dims[x->rank - 2] + x->dims[x->rank - 1]; /* beyond this k changes nothing */
    if (k > lim) k = lim;
    if (k < -lim) k = -lim;
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1], mats = x->numel / (rows * cols);
    for (int64_t m = 0; m < mats; m++)
        for (int64_t i = 0; i < rows; i++) {
            /* keep j >= i + k (upper) or j <= i + k (lower) */
            int64_t lo, hi;
            if (upper) {
                lo = i + k < 0 ? 0 : i + k;
                hi = cols;
            } else {
                lo = 0;
                hi = i + k + 1 > cols ? cols : i + k + 1;
            }
            if (lo > cols) lo = cols;
            if (hi < lo) hi = lo;
            int64_t base = (m * rows + i) * cols;
            IA_KTRY(ia_copy_elems(out->data, base + lo, x->data, base + lo, hi - lo, x->dtype));
            if (x->dtype == IA_DTYPE_STRING) /* masked-out strings are empty, never NULL */
                for (int64_t j = 0; j < cols; j++)
                    if (j < lo || j >= hi) IA_KTRY(ia_copy_elems(out->data, base + j, (const char *const[]){""}, 0, 1, x->dtype));
        }
    return IA_OK;
}
