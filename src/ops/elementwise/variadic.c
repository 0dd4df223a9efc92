/* Variadic elementwise ops with broadcasting: Max, Min, Sum, Mean (folded pairwise into
 * the output). Max and Min propagate NaN like numpy.maximum / numpy.minimum. */
#include <string.h>
#include "ops/elementwise/ew.h"

#define MAX_F(T) EW_LOOP2(T, T, T, (x != x || x > y) ? x : y)
#define MIN_F(T) EW_LOOP2(T, T, T, (x != x || x < y) ? x : y)
#define MAX_I(T) EW_LOOP2(T, T, T, x > y ? x : y)
#define MIN_I(T) EW_LOOP2(T, T, T, x < y ? x : y)
#define SUM_F(T) EW_LOOP2(T, T, T, x + y)
#define SUM_I(T) EW_LOOP2(T, T, T, (uint64_t)x + (uint64_t)y)

static void max_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(MAX_F);
    EW_CASES_INT(MAX_I);
    default: break;
    }
}
static void min_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(MIN_F);
    EW_CASES_INT(MIN_I);
    default: break;
    }
}
static void sum_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(SUM_F);
    EW_CASES_INT(SUM_I);
    default: break;
    }
}
/* Mean's final step: divide the sum by the input count. */
static void div_count_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    double k = *(const double *)c->params;
    if (c->in_dtype[0] == IA_DTYPE_FLOAT) {
        float kf = (float)k;
        EW_LOOP1(float, float, x / kf);
    } else {
        EW_LOOP1(double, double, x / k);
    }
}

static int variadic(ia_kctx *ctx, const char *name, unsigned types, ew_loop_fn loop, int mean) {
    int n = ia_kctx_num_inputs(ctx);
    if (n < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs at least one input", name);
    const ia_tensor *first = ia_kctx_input(ctx, 0);
    if (!first) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input 0 is missing", name);
    if (!ew_type_ok(types, first->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s input", name, ia_dtype_name(first->dtype));
    int rank = first->rank;
    int64_t dims[IA_MAX_DIMS];
    memcpy(dims, first->dims, sizeof dims);
    for (int i = 1; i < n; i++) {
        const ia_tensor *t = ia_kctx_input(ctx, i);
        if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input %d is missing", name, i);
        if (t->dtype != first->dtype)
            IA_KFAIL(ctx, IA_ERR_TYPE, "%s: input %d is %s, input 0 is %s", name, i, ia_dtype_name(t->dtype),
                     ia_dtype_name(first->dtype));
        int64_t prev[IA_MAX_DIMS];
        memcpy(prev, dims, sizeof prev);
        if (ia_broadcast_shape(rank, prev, t->rank, t->dims, &rank, dims)) {
            char s[128];
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: input %d of shape %s does not broadcast with the others", name, i,
                     ia_shape_str(t->rank, t->dims, s, sizeof s));
        }
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, first->dtype, rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (n == 1) {
        if (y->numel) memcpy(y->data, first->data, y->nbytes);
        return IA_OK;
    }
    const ia_tensor *pair[2] = {first, ia_kctx_input(ctx, 1)};
    ia_ew_run(ctx, y, 2, pair, loop, NULL, EW_HALF_AS_FLOAT);
    for (int i = 2; i < n; i++) {
        pair[0] = y;
        pair[1] = ia_kctx_input(ctx, i);
        ia_ew_run(ctx, y, 2, pair, loop, NULL, EW_HALF_AS_FLOAT);
    }
    if (mean) {
        double k = n;
        const ia_tensor *self = y;
        ia_ew_run(ctx, y, 1, &self, div_count_loop, &k, EW_HALF_AS_FLOAT);
    }
    return IA_OK;
}

int ia_op_max(ia_kctx *ctx) { return variadic(ctx, "Max", EW_NUMERIC, max_loop, 0); }
int ia_op_min(ia_kctx *ctx) { return variadic(ctx, "Min", EW_NUMERIC, min_loop, 0); }
int ia_op_sum(ia_kctx *ctx) { return variadic(ctx, "Sum", EW_NUMERIC, sum_loop, 0); }
int ia_op_mean(ia_kctx *ctx) { return variadic(ctx, "Mean", EW_FLOATS, sum_loop, 1); }
