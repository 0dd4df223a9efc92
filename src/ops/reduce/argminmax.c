/* ArgMax and ArgMin: index of the extreme value along one axis (first or last on ties). */
#include <math.h>
#include "ops/kernel_util.h"

/* x[i] beats the current best b (strictly, or also on ties when `last`); NaN beats everything
 * (numpy semantics: the first NaN is the answer) and nothing beats a NaN. */
static inline int beats_f(double v, double b, int want_max, int last) {
    if (b != b) return 0;
    if (v != v) return 1;
    if (want_max) return last ? v >= b : v > b;
    return last ? v <= b : v < b;
}

static inline int beats_i(int64_t v, int64_t b, int u64, int want_max, int last) {
    int gt = u64 ? (uint64_t)v > (uint64_t)b : v > b;
    int lt = u64 ? (uint64_t)v < (uint64_t)b : v < b;
    if (want_max) return gt || (last && !lt);
    return lt || (last && !gt);
}

static int arg_common(ia_kctx *ctx, int want_max) {
    const char *name = want_max ? "ArgMax" : "ArgMin";
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    int dt = x->dtype;
    if (!ia_dtype_is_float(dt) && !ia_dtype_is_integer(dt) && dt != IA_DTYPE_BOOL)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(dt));
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs an input of rank >= 1", name);
    int64_t axis_attr = ia_kctx_attr_int(ctx, "axis", 0);
    int axis;
    if (ia_norm_axis(axis_attr, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld out of range for rank %d", name, (long long)axis_attr, x->rank);
    int keepdims = ia_kctx_attr_int(ctx, "keepdims", 1) != 0;
    int last = ia_kctx_attr_int(ctx, "select_last_index", 0) != 0;

    int64_t od[IA_MAX_DIMS];
    int orank = 0;
    int64_t outer = 1, inner = 1, n = x->dims[axis];
    for (int d = 0; d < x->rank; d++) {
        if (d < axis) outer *= x->dims[d];
        if (d > axis) inner *= x->dims[d];
        if (d != axis) od[orank++] = x->dims[d];
        else if (keepdims) od[orank++] = 1;
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, orank, od, &y));
    if (ia_kctx_shape_only(ctx) || y->numel == 0) return IA_OK;
    if (n == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s over an empty axis", name);
    int64_t *out = y->data;
    int isf = ia_dtype_is_float(dt), u64 = dt == IA_DTYPE_UINT64;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * n * inner + i, best = 0;
            if (dt == IA_DTYPE_FLOAT) {
                const float *p = (const float *)x->data + base;
                double b = p[0];
                for (int64_t k = 1; k < n; k++)
                    if (beats_f(p[k * inner], b, want_max, last)) { b = p[k * inner]; best = k; }
            } else if (isf) {
                double b = ia_get_f64(x->data, dt, base);
                for (int64_t k = 1; k < n; k++) {
                    double v = ia_get_f64(x->data, dt, base + k * inner);
                    if (beats_f(v, b, want_max, last)) { b = v; best = k; }
                }
            } else {
                int64_t b = ia_get_i64(x->data, dt, base);
                for (int64_t k = 1; k < n; k++) {
                    int64_t v = ia_get_i64(x->data, dt, base + k * inner);
                    if (beats_i(v, b, u64, want_max, last)) { b = v; best = k; }
                }
            }
            out[o * inner + i] = best;
        }
    }
    return IA_OK;
}

int ia_op_argmax(ia_kctx *ctx) { return arg_common(ctx, 1); }
int ia_op_argmin(ia_kctx *ctx) { return arg_common(ctx, 0); }
