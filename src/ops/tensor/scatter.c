/* Index-driven writes: ScatterElements (and its deprecated alias Scatter) and ScatterND, with reduction none/add/mul/max/min. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

enum { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN };

static int parse_reduction(ia_kctx *ctx, const char *op, int dtype, int *red) {
    const char *s = ia_kctx_attr_string(ctx, "reduction", "none");
    if (!strcmp(s, "none")) *red = RED_NONE;
    else if (!strcmp(s, "add")) *red = RED_ADD;
    else if (!strcmp(s, "mul")) *red = RED_MUL;
    else if (!strcmp(s, "max")) *red = RED_MAX;
    else if (!strcmp(s, "min")) *red = RED_MIN;
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s reduction '%s' is not none/add/mul/max/min", op, s);
    if (*red != RED_NONE && (dtype == IA_DTYPE_STRING || !ia_tensor_copyable(dtype)))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s reduction '%s' does not apply to %s", op, s, ia_dtype_name(dtype));
    return IA_OK;
}

/* out[o] = reduce(out[o], upd[u]) for `n` consecutive elements. */
static int apply(void *out, int64_t o, const void *upd, int64_t u, int64_t n, int dtype, int red) {
    if (red == RED_NONE) return ia_copy_elems(out, o, upd, u, n, dtype);
    for (int64_t i = 0; i < n; i++) {
        if (dtype == IA_DTYPE_FLOAT) {
            float *a = (float *)out + o + i, b = ((const float *)upd)[u + i];
            *a = red == RED_ADD ? *a + b : red == RED_MUL ? *a * b : red == RED_MAX ? (*a > b ? *a : b) : (*a < b ? *a : b);
        } else if (ia_dtype_is_float(dtype)) {
            double a = ia_get_f64(out, dtype, o + i), b = ia_get_f64(upd, dtype, u + i);
            ia_set_f64(out, dtype, o + i, red == RED_ADD ? a + b : red == RED_MUL ? a * b : red == RED_MAX ? (a > b ? a : b) : (a < b ? a : b));
        } else if (dtype == IA_DTYPE_UINT64) {
            uint64_t a = ia_get_u64(out, dtype, o + i), b = ia_get_u64(upd, dtype, u + i);
            ia_set_u64(out, dtype, o + i, red == RED_ADD ? a + b : red == RED_MUL ? a * b : red == RED_MAX ? (a > b ? a : b) : (a < b ? a : b));
        } else {
            int64_t a = ia_get_i64(out, dtype, o + i), b = ia_get_i64(upd, dtype, u + i);
            int64_t v = red == RED_ADD ? (int64_t)((uint64_t)a + (uint64_t)b)
                        : red == RED_MUL ? (int64_t)((uint64_t)a * (uint64_t)b)
                        : red == RED_MAX ? (a > b ? a : b) : (a < b ? a : b);
            ia_set_i64(out, dtype, o + i, v);
        }
    }
    return IA_OK;
}

/* Output starts as a copy of data. */
static int copy_data(ia_kctx *ctx, const ia_tensor *x, ia_tensor **out) {
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    return ia_copy_elems((*out)->data, 0, x->data, 0, x->numel, x->dtype);
}

int ia_op_scatter_elements(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *it = ia_kctx_input(ctx, 1), *up = ia_kctx_input(ctx, 2);
    if (!x || !it || !up) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ScatterElements needs data, indices and updates");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterElements does not support %s", ia_dtype_name(x->dtype));
    if (up->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterElements updates are %s, data is %s", ia_dtype_name(up->dtype), ia_dtype_name(x->dtype));
    if (it->dtype != IA_DTYPE_INT64 && it->dtype != IA_DTYPE_INT32)
        IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterElements indices must be int32 or int64, got %s", ia_dtype_name(it->dtype));
    int red = RED_NONE;
    if (ia_kctx_opset(ctx) >= 16) IA_KTRY(parse_reduction(ctx, "ScatterElements", x->dtype, &red));
    int64_t a = ia_kctx_attr_int(ctx, "axis", 0);
    int axis, r = x->rank;
    if (r == 0 || ia_norm_axis(a, r, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ScatterElements axis %lld is out of range for rank %d", (long long)a, r);
    if (it->rank != r || up->rank != r) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterElements data, indices and updates must have equal rank");
    for (int d = 0; d < r; d++) {
        if (it->dims[d] != up->dims[d]) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterElements indices and updates differ in dim %d", d);
        if (d != axis && it->dims[d] > x->dims[d])
            IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterElements indices dim %d (%lld) exceeds data dim (%lld)", d, (long long)it->dims[d],
                     (long long)x->dims[d]);
    }
    ia_tensor *out;
    IA_KTRY(copy_data(ctx, x, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t xs[IA_MAX_DIMS], pos[IA_MAX_DIMS] = {0}, base = 0, dim = x->dims[axis];
    ia_strides(r, x->dims, xs);
    for (int64_t i = 0; i < it->numel; i++) {
        int64_t v = ia_get_i64(it->data, it->dtype, i), nv = v < 0 ? v + dim : v;
        if (nv < 0 || nv >= dim)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ScatterElements index %lld (at position %lld) is out of range [-%lld, %lld)", (long long)v,
                     (long long)i, (long long)dim, (long long)dim);
        IA_KTRY(apply(out->data, base + nv * xs[axis], up->data, i, 1, x->dtype, red));
        for (int d = r - 1; d >= 0; d--) {
            if (d != axis) base += xs[d];
            if (++pos[d] < it->dims[d]) break;
            if (d != axis) base -= pos[d] * xs[d];
            pos[d] = 0;
        }
    }
    return IA_OK;
}

int ia_op_scatter_nd(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *it = ia_kctx_input(ctx, 1), *up = ia_kctx_input(ctx, 2);
    if (!x || !it || !up) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ScatterND needs data, indices and updates");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterND does not support %s", ia_dtype_name(x->dtype));
    if (up->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterND updates are %s, data is %s", ia_dtype_name(up->dtype), ia_dtype_name(x->dtype));
    if (it->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "ScatterND indices must be int64, got %s", ia_dtype_name(it->dtype));
    int red = RED_NONE;
    if (ia_kctx_opset(ctx) >= 16) IA_KTRY(parse_reduction(ctx, "ScatterND", x->dtype, &red));
    int r = x->rank, q = it->rank;
    if (r < 1 || q < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterND needs data and indices of rank >= 1");
    int64_t k = it->dims[q - 1];
    if (k < 1 || k > r) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterND index tuple length %lld is invalid for data rank %d", (long long)k, r);
    /* updates shape = indices.shape[:-1] + data.shape[k:] */
    if (up->rank != q - 1 + r - k) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterND updates rank %d, expected %lld", up->rank, (long long)(q - 1 + r - k));
    for (int d = 0; d < q - 1; d++)
        if (up->dims[d] != it->dims[d]) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterND updates dim %d differs from indices", d);
    for (int d = (int)k; d < r; d++)
        if (up->dims[q - 1 + d - k] != x->dims[d]) IA_KFAIL(ctx, IA_ERR_SHAPE, "ScatterND updates dim %lld differs from data dim %d", (long long)(q - 1 + d - k), d);
    ia_tensor *out;
    IA_KTRY(copy_data(ctx, x, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t xs[IA_MAX_DIMS], inner = 1;
    ia_strides(r, x->dims, xs);
    for (int d = (int)k; d < r; d++) inner *= x->dims[d];
    int64_t tuples = it->numel / k;
    const int64_t *iv = it->data;
    for (int64_t t = 0; t < tuples; t++) {
        int64_t off = 0;
        for (int64_t j = 0; j < k; j++) {
            int64_t dim = x->dims[j], v = iv[t * k + j], nv = v < 0 ? v + dim : v;
            if (nv < 0 || nv >= dim)
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ScatterND index %lld (tuple %lld, component %lld) is out of range [-%lld, %lld)",
                         (long long)v, (long long)t, (long long)j, (long long)dim, (long long)dim);
            off += nv * xs[j];
        }
        IA_KTRY(apply(out->data, off, up->data, t * inner, inner, x->dtype, red));
    }
    return IA_OK;
}
