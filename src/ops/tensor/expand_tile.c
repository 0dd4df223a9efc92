/* Replication: Expand (numpy broadcast to a shape) and Tile (repeat along each axis), as strided copies. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

int ia_op_expand(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *st = ia_kctx_input(ctx, 1);
    if (!x || !st) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Expand needs input and shape");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Expand does not support %s", ia_dtype_name(x->dtype));
    if (st->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "Expand shape must be int64, got %s", ia_dtype_name(st->dtype));
    if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
    int64_t shape[IA_MAX_DIMS];
    int64_t n = ia_tensor_read_int_list(ctx, st, shape, IA_MAX_DIMS, "Expand shape");
    if (n < 0) return (int)n;
    for (int64_t i = 0; i < n; i++)
        if (shape[i] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Expand shape[%lld] = %lld is negative", (long long)i, (long long)shape[i]);
    int r;
    int64_t od[IA_MAX_DIMS];
    if (ia_broadcast_shape(x->rank, x->dims, (int)n, shape, &r, od)) {
        char a[128], b[128];
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Expand cannot broadcast %s to %s", ia_shape_str(x->rank, x->dims, a, sizeof a),
                 ia_shape_str((int)n, shape, b, sizeof b));
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t ss[IA_MAX_DIMS];
    ia_broadcast_strides(x, r, od, ss);
    return ia_tensor_strided_copy(ctx, x->dtype, out->data, x->data, 0, r, od, ss);
}

int ia_op_tile(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *rt = ia_kctx_input(ctx, 1);
    if (!x || !rt) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Tile needs input and repeats");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Tile does not support %s", ia_dtype_name(x->dtype));
    if (rt->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "Tile repeats must be int64, got %s", ia_dtype_name(rt->dtype));
    if (rt->numel != x->rank) IA_KFAIL(ctx, IA_ERR_SHAPE, "Tile has %lld repeats for rank %d", (long long)rt->numel, x->rank);
    if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
    int64_t rep[IA_MAX_DIMS];
    int64_t n = ia_tensor_read_int_list(ctx, rt, rep, IA_MAX_DIMS, "Tile repeats");
    if (n < 0) return (int)n;
    int r = x->rank;
    int64_t od[IA_MAX_DIMS], vd[IA_TCOPY_MAX_RANK], vs[IA_TCOPY_MAX_RANK], xs[IA_MAX_DIMS];
    ia_strides(r, x->dims, xs);
    for (int d = 0; d < r; d++) {
        if (rep[d] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Tile repeats[%d] = %lld is negative", d, (long long)rep[d]);
        if (x->dims[d] && rep[d] > INT64_MAX / x->dims[d]) IA_KFAIL(ctx, IA_ERR_LIMIT, "Tile output dimension %d overflows", d);
        od[d] = x->dims[d] * rep[d];
        vd[2 * d] = rep[d];
        vs[2 * d] = 0;
        vd[2 * d + 1] = x->dims[d];
        vs[2 * d + 1] = xs[d];
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    return ia_tensor_strided_copy(ctx, x->dtype, out->data, x->data, 0, 2 * r, vd, vs);
}
