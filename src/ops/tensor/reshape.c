/* Shape-only operators: Shape, Size (read shapes, never data) and the zero-copy views Reshape, Flatten, Squeeze, Unsqueeze. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

int ia_op_shape(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Shape needs a tensor input");
    int64_t r = x->rank, start = 0, end = r;
    if (ia_kctx_opset(ctx) >= 15) {
        start = ia_kctx_attr_int(ctx, "start", 0);
        const ia_attr *e = ia_kctx_attr(ctx, "end");
        if (e && e->type == IA_ATTR_INT) end = e->i;
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = start < 0 ? 0 : start > r ? r : start;
        end = end < 0 ? 0 : end > r ? r : end;
    }
    int64_t n = end > start ? end - start : 0;
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 1, &n, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    for (int64_t i = 0; i < n; i++) ((int64_t *)out->data)[i] = x->dims[start + i];
    return IA_OK;
}

int ia_op_size(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Size needs a tensor input");
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 0, NULL, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    *(int64_t *)out->data = x->numel;
    return IA_OK;
}

int ia_op_reshape(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Reshape needs a data input");
    int64_t shape[IA_MAX_DIMS];
    int64_t n;
    if (ia_kctx_opset(ctx) < 5) {
        const int64_t *s;
        n = (int64_t)ia_kctx_attr_ints(ctx, "shape", &s);
        if (n > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Reshape target rank %lld is too large", (long long)n);
        if (n) memcpy(shape, s, (size_t)n * sizeof *s);
    } else {
        const ia_tensor *st = ia_kctx_input(ctx, 1);
        if (!st) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Reshape needs a shape input");
        if (st->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "Reshape shape must be int64, got %s", ia_dtype_name(st->dtype));
        if (st->rank != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Reshape shape must be 1-D, got rank %d", st->rank);
        if (st->numel > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Reshape target rank %lld is too large", (long long)st->numel);
        if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
        n = ia_tensor_read_int_list(ctx, st, shape, IA_MAX_DIMS, "Reshape shape");
        if (n < 0) return (int)n;
    }
    int allowzero = ia_kctx_opset(ctx) >= 14 && ia_kctx_attr_int(ctx, "allowzero", 0) != 0;
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < n; i++) {
        if (shape[i] == -1) {
            if (infer >= 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Reshape shape has more than one -1");
            infer = i;
            continue;
        }
        if (shape[i] < -1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Reshape shape has invalid dimension %lld", (long long)shape[i]);
        if (shape[i] == 0 && !allowzero) {
            if (i >= x->rank)
                IA_KFAIL(ctx, IA_ERR_SHAPE, "Reshape shape[%d] is 0 (copy) but the input has rank %d", i, x->rank);
            shape[i] = x->dims[i];
        }
        if (shape[i] && known > INT64_MAX / shape[i]) IA_KFAIL(ctx, IA_ERR_LIMIT, "Reshape shape overflows");
        known *= shape[i];
    }
    if (infer >= 0) {
        if (known == 0 || x->numel % known)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Reshape cannot infer -1: %lld elements do not divide into %lld", (long long)x->numel,
                     (long long)known);
        shape[infer] = x->numel / known;
        known *= shape[infer];
    }
    if (known != x->numel) {
        char a[128], b[128];
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Reshape of %s (%lld elements) to %s is impossible", ia_shape_str(x->rank, x->dims, a, sizeof a),
                 (long long)x->numel, ia_shape_str((int)n, shape, b, sizeof b));
    }
    return ia_kctx_output_alias_reshape(ctx, 0, 0, (int)n, shape);
}

int ia_op_flatten(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Flatten needs an input");
    int64_t axis = ia_kctx_attr_int(ctx, "axis", 1);
    if (axis < 0) axis += x->rank;
    if (axis < 0 || axis > x->rank) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Flatten axis %lld is out of range for rank %d",
                                             (long long)ia_kctx_attr_int(ctx, "axis", 1), x->rank);
    int64_t d[2] = {1, 1};
    for (int i = 0; i < x->rank; i++) d[i >= axis] *= x->dims[i];
    return ia_kctx_output_alias_reshape(ctx, 0, 0, 2, d);
}

/* Axes of Squeeze/Unsqueeze: attribute before opset 13, optional input from 13. Returns the
 * count (0 when absent), or a negative status. */
static int64_t read_axes(ia_kctx *ctx, const char *op, int64_t *axes, int *present) {
    *present = 0;
    if (ia_kctx_opset(ctx) < 13) {
        const int64_t *a;
        const ia_attr *at = ia_kctx_attr(ctx, "axes");
        size_t n = ia_kctx_attr_ints(ctx, "axes", &a);
        if (n > IA_MAX_DIMS) return ia_kctx_fail(ctx, IA_ERR_LIMIT, "%s has too many axes", op);
        if (n) memcpy(axes, a, n * sizeof *a);
        *present = at != NULL;
        return (int64_t)n;
    }
    const ia_tensor *t = ia_kctx_input(ctx, 1);
    if (!t) return 0;
    *present = 1;
    if (t->numel > IA_MAX_DIMS) return ia_kctx_fail(ctx, IA_ERR_LIMIT, "%s has too many axes", op);
    if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
    return ia_tensor_read_int_list(ctx, t, axes, IA_MAX_DIMS, "axes");
}

int ia_op_squeeze(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Squeeze needs an input");
    int64_t axes[IA_MAX_DIMS];
    int present;
    int64_t n = read_axes(ctx, "Squeeze", axes, &present);
    if (n < 0) return (int)n;
    unsigned char drop[IA_MAX_DIMS] = {0};
    if (n == 0) {
        for (int i = 0; i < x->rank; i++) drop[i] = x->dims[i] == 1;
    } else {
        for (int64_t k = 0; k < n; k++) {
            int a;
            if (ia_norm_axis(axes[k], x->rank, &a) || x->rank == 0)
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Squeeze axis %lld is out of range for rank %d", (long long)axes[k], x->rank);
            if (x->dims[a] != 1)
                IA_KFAIL(ctx, IA_ERR_SHAPE, "Squeeze axis %lld has size %lld, not 1", (long long)axes[k], (long long)x->dims[a]);
            drop[a] = 1;
        }
    }
    int64_t d[IA_MAX_DIMS];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!drop[i]) d[r++] = x->dims[i];
    return ia_kctx_output_alias_reshape(ctx, 0, 0, r, d);
}

int ia_op_unsqueeze(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unsqueeze needs an input");
    int64_t axes[IA_MAX_DIMS];
    int present;
    int64_t n = read_axes(ctx, "Unsqueeze", axes, &present);
    if (n < 0) return (int)n;
    if (!present) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unsqueeze needs axes");
    int r = x->rank + (int)n;
    if (r > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Unsqueeze result rank %d is too large", r);
    unsigned char ins[IA_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        int64_t a = axes[k] < 0 ? axes[k] + r : axes[k];
        if (a < 0 || a >= r) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unsqueeze axis %lld is out of range for output rank %d", (long long)axes[k], r);
        if (ins[a]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unsqueeze axis %lld is repeated", (long long)axes[k]);
        ins[a] = 1;
    }
    int64_t d[IA_MAX_DIMS];
    for (int i = 0, j = 0; i < r; i++) d[i] = ins[i] ? 1 : x->dims[j++];
    return ia_kctx_output_alias_reshape(ctx, 0, 0, r, d);
}
