/* Slice: attribute form before opset 10, inputs (starts, ends, axes, steps) from 10; negative steps and clamping. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

/* Reads an optional 1-D index input; returns count, -1 if omitted, or a negative status < -1. */
static int64_t read_opt(ia_kctx *ctx, int i, int64_t *out, const char *what) {
    const ia_tensor *t = ia_kctx_input(ctx, i);
    if (!t) return -1;
    if (!ia_kctx_input_data(ctx, i)) return IA_ERR_NEED_VALUE;
    return ia_tensor_read_int_list(ctx, t, out, IA_MAX_DIMS, what); /* errors are < -1 */
}

int ia_op_slice(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice needs a data input");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Slice does not support %s", ia_dtype_name(x->dtype));
    int r = x->rank;
    int64_t starts[IA_MAX_DIMS], ends[IA_MAX_DIMS], axes[IA_MAX_DIMS], steps[IA_MAX_DIMS];
    int64_t ns, ne, na = -1, nst = -1;
    if (ia_kctx_opset(ctx) < 10) {
        const int64_t *s, *e, *a;
        ns = (int64_t)ia_kctx_attr_ints(ctx, "starts", &s);
        ne = (int64_t)ia_kctx_attr_ints(ctx, "ends", &e);
        if (!ia_kctx_attr(ctx, "starts") || !ia_kctx_attr(ctx, "ends")) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice needs starts and ends");
        if (ns > IA_MAX_DIMS || ne > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Slice has too many starts/ends");
        memcpy(starts, s, (size_t)ns * sizeof *s);
        memcpy(ends, e, (size_t)ne * sizeof *e);
        if (ia_kctx_attr(ctx, "axes")) {
            na = (int64_t)ia_kctx_attr_ints(ctx, "axes", &a);
            if (na > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Slice has too many axes");
            memcpy(axes, a, (size_t)na * sizeof *a);
        }
    } else {
        if (!ia_kctx_input(ctx, 1) || !ia_kctx_input(ctx, 2)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice needs starts and ends inputs");
        ns = read_opt(ctx, 1, starts, "Slice starts");
        if (ns < 0) return (int)ns;
        ne = read_opt(ctx, 2, ends, "Slice ends");
        if (ne < 0) return (int)ne;
        na = read_opt(ctx, 3, axes, "Slice axes");
        if (na < -1) return (int)na;
        nst = read_opt(ctx, 4, steps, "Slice steps");
        if (nst < -1) return (int)nst;
    }
    if (ns != ne) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice has %lld starts but %lld ends", (long long)ns, (long long)ne);
    if (na >= 0 && na != ns) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice has %lld axes for %lld starts", (long long)na, (long long)ns);
    if (nst >= 0 && nst != ns) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice has %lld steps for %lld starts", (long long)nst, (long long)ns);
    if (ns > r) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice has %lld starts for rank %d", (long long)ns, r);

    int64_t lo[IA_MAX_DIMS], step[IA_MAX_DIMS], od[IA_MAX_DIMS];
    unsigned char seen[IA_MAX_DIMS] = {0};
    for (int d = 0; d < r; d++) {
        lo[d] = 0;
        step[d] = 1;
        od[d] = x->dims[d];
    }
    for (int64_t k = 0; k < ns; k++) {
        int a;
        int64_t ax = na >= 0 ? axes[k] : k;
        if (ia_norm_axis(ax, r, &a) || r == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice axis %lld is out of range for rank %d", (long long)ax, r);
        if (seen[a]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice axis %lld is repeated", (long long)ax);
        seen[a] = 1;
        int64_t st = nst >= 0 ? steps[k] : 1, dim = x->dims[a], s = starts[k], e = ends[k];
        if (st == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Slice step for axis %d is 0", a);
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        int64_t len;
        if (st > 0) {
            s = s < 0 ? 0 : s > dim ? dim : s;
            e = e < 0 ? 0 : e > dim ? dim : e;
            len = e > s ? 1 + (e - s - 1) / st : 0;
        } else {
            s = s < 0 ? -1 : s > dim - 1 ? dim - 1 : s;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
            len = s > e ? 1 + (s - e - 1) / (st == INT64_MIN ? INT64_MAX : -st) : 0;
        }
        lo[a] = len ? s : 0;
        step[a] = len > 1 ? st : 1; /* a huge step with one element must not overflow strides */
        od[a] = len;
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t xs[IA_MAX_DIMS], ss[IA_MAX_DIMS], base = 0;
    ia_strides(r, x->dims, xs);
    for (int d = 0; d < r; d++) {
        base += lo[d] * xs[d];
        ss[d] = xs[d] * step[d];
    }
    return ia_tensor_strided_copy(ctx, x->dtype, out->data, x->data, base, r, od, ss);
}
