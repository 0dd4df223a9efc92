/* LpNormalization, LRN (local response normalisation across channels) and
 * MeanVarianceNormalization. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

int ia_op_lp_normalization(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LpNormalization needs a tensor input");
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "LpNormalization does not support %s", ia_dtype_name(x->dtype));
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "LpNormalization needs an input of rank >= 1");
    int64_t axis_attr = ia_kctx_attr_int(ctx, "axis", -1), p = ia_kctx_attr_int(ctx, "p", 2);
    int axis;
    if (ia_norm_axis(axis_attr, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LpNormalization: axis %lld out of range for rank %d", (long long)axis_attr, x->rank);
    if (p != 1 && p != 2) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LpNormalization: p must be 1 or 2, got %lld", (long long)p);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;
    int64_t outer = 1, inner = 1, n = x->dims[axis];
    for (int d = 0; d < x->rank; d++) {
        if (d < axis) outer *= x->dims[d];
        if (d > axis) inner *= x->dims[d];
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * n * inner + i;
            double s = 0;
            for (int64_t k = 0; k < n; k++) {
                double v = ia_get_f64(x->data, x->dtype, base + k * inner);
                s += p == 1 ? fabs(v) : v * v;
            }
            double norm = p == 1 ? s : sqrt(s);
            /* a zero vector stays zero rather than becoming NaN */
            double inv = norm > 0 ? 1.0 / norm : 0.0;
            for (int64_t k = 0; k < n; k++) {
                int64_t off = base + k * inner;
                ia_set_f64(y->data, y->dtype, off, ia_get_f64(x->data, x->dtype, off) * inv);
            }
        }
    return IA_OK;
}

int ia_op_lrn(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LRN needs a tensor input");
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "LRN does not support %s", ia_dtype_name(x->dtype));
    if (x->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "LRN needs an input of rank >= 2 ([N, C, ...])");
    const ia_attr *sa = ia_kctx_attr(ctx, "size");
    if (!sa || sa->type != IA_ATTR_INT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LRN needs an int attribute size");
    if (sa->i <= 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "LRN: size must be positive, got %lld", (long long)sa->i);
    int64_t size = sa->i;
    double alpha = ia_kctx_attr_float(ctx, "alpha", 1e-4f), beta = ia_kctx_attr_float(ctx, "beta", 0.75f);
    double bias = ia_kctx_attr_float(ctx, "bias", 1.0f);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;
    int64_t N = x->dims[0], C = x->dims[1], S = 1;
    for (int d = 2; d < x->rank; d++) S *= x->dims[d];
    int64_t lo_off = (size - 1) / 2, hi_off = size - 1 - lo_off; /* floor / ceil of (size-1)/2 */
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) {
            int64_t c0 = c - lo_off < 0 ? 0 : c - lo_off, c1 = c + hi_off >= C ? C - 1 : c + hi_off;
            for (int64_t s = 0; s < S; s++) {
                double sq = 0;
                for (int64_t k = c0; k <= c1; k++) {
                    double v = ia_get_f64(x->data, x->dtype, (n * C + k) * S + s);
                    sq += v * v;
                }
                int64_t off = (n * C + c) * S + s;
                double v = ia_get_f64(x->data, x->dtype, off);
                ia_set_f64(y->data, y->dtype, off, v / pow(bias + alpha / (double)size * sq, beta));
            }
        }
    return IA_OK;
}

/* Maps each element of a tensor to its statistics slot (the index with the normalised axes
 * dropped), walking the elements in order. */
typedef struct {
    int rank;
    int64_t dims[IA_MAX_DIMS], ostr[IA_MAX_DIMS], idx[IA_MAX_DIMS];
    int64_t slot;
} slot_walk;

static void walk_next(slot_walk *w) {
    for (int d = w->rank - 1; d >= 0; d--) {
        w->slot += w->ostr[d];
        if (++w->idx[d] < w->dims[d]) return;
        w->slot -= w->ostr[d] * w->dims[d];
        w->idx[d] = 0;
    }
}

int ia_op_mean_variance_normalization(ia_kctx *ctx) {
    const char *name = "MeanVarianceNormalization";
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    const int64_t *av;
    size_t na = ia_kctx_attr_ints(ctx, "axes", &av);
    static const int64_t dflt[] = {0, 2, 3};
    if (!ia_kctx_attr(ctx, "axes")) {
        av = dflt;
        na = 3;
    }
    int red[IA_MAX_DIMS] = {0};
    for (size_t i = 0; i < na; i++) {
        int ax;
        if (x->rank == 0 || ia_norm_axis(av[i], x->rank, &ax))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld out of range for rank %d", name, (long long)av[i], x->rank);
        if (red[ax]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld repeated", name, (long long)av[i]);
        red[ax] = 1;
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;

    slot_walk w;
    memset(&w, 0, sizeof w);
    w.rank = x->rank;
    int64_t nslots = 1;
    for (int d = x->rank - 1; d >= 0; d--) {
        w.dims[d] = x->dims[d];
        w.ostr[d] = red[d] ? 0 : nslots;
        if (!red[d]) nslots *= x->dims[d];
    }
    int64_t count = x->numel / nslots;
    double *mean = ia_kctx_scratch(ctx, (size_t)nslots * sizeof(double));
    double *m2 = ia_kctx_scratch(ctx, (size_t)nslots * sizeof(double));
    if (!mean || !m2) return IA_ERR_NOMEM;
    slot_walk w0 = w;
    for (int64_t i = 0; i < x->numel; i++, walk_next(&w)) mean[w.slot] += ia_get_f64(x->data, x->dtype, i);
    for (int64_t s = 0; s < nslots; s++) mean[s] /= (double)count;
    w = w0;
    for (int64_t i = 0; i < x->numel; i++, walk_next(&w)) {
        double d = ia_get_f64(x->data, x->dtype, i) - mean[w.slot];
        m2[w.slot] += d * d;
    }
    for (int64_t s = 0; s < nslots; s++) m2[s] = 1.0 / (sqrt(m2[s] / (double)count) + 1e-9);
    w = w0;
    for (int64_t i = 0; i < x->numel; i++, walk_next(&w))
        ia_set_f64(y->data, y->dtype, i, (ia_get_f64(x->data, x->dtype, i) - mean[w.slot]) * m2[w.slot]);
    return IA_OK;
}
