/* Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis`
 * (rows = product of the leading dims); from 13 the op works along the single axis `axis`. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

enum { SM_SOFTMAX, SM_LOGSOFTMAX, SM_HARDMAX };

/* Row kernels in float (float32, float16, bfloat16) and double. The maximum is taken first so
 * exp never overflows; NaN propagates to the whole row like the reference does. */
#define DEFINE_ROW(T, SUF, EXP, LOG)                                                   \
    static void row_##SUF(const T *x, T *y, int64_t n, int mode) {                    \
        T mx = x[0];                                                                   \
        int64_t am = 0;                                                                \
        for (int64_t j = 1; j < n; j++)                                                \
            if (x[j] > mx || (x[j] != x[j] && mx == mx)) { mx = x[j]; am = j; }        \
        if (mode == SM_HARDMAX) {                                                      \
            for (int64_t j = 0; j < n; j++) y[j] = 0;                                  \
            y[am] = 1;                                                                 \
            return;                                                                    \
        }                                                                              \
        double sum = 0;                                                                \
        if (mode == SM_SOFTMAX) {                                                      \
            for (int64_t j = 0; j < n; j++) {                                          \
                T e = EXP(x[j] - mx);                                                  \
                y[j] = e;                                                              \
                sum += e;                                                              \
            }                                                                          \
            T inv = (T)(1.0 / sum);                                                    \
            for (int64_t j = 0; j < n; j++) y[j] *= inv;                               \
        } else {                                                                       \
            for (int64_t j = 0; j < n; j++) sum += EXP(x[j] - mx);                     \
            T off = mx + (T)LOG(sum);                                                  \
            for (int64_t j = 0; j < n; j++) y[j] = x[j] - off;                         \
        }                                                                              \
    }

DEFINE_ROW(float, f32, expf, log)
DEFINE_ROW(double, f64, exp, log)

typedef struct {
    const void *x;
    void *y;
    int dtype, mode;
    int64_t n, inner;
    char *scratch; /* per thread: n doubles */
} sm_job;

static void sm_rows(void *arg, int64_t begin, int64_t end, int tid) {
    const sm_job *j = arg;
    int64_t n = j->n, inner = j->inner;
    void *buf = j->scratch + (size_t)tid * (size_t)n * sizeof(double);
    for (int64_t r = begin; r < end; r++) {
        int64_t base = (r / inner) * n * inner + r % inner;
        if (j->dtype == IA_DTYPE_FLOAT && inner == 1) {
            row_f32((const float *)j->x + base, (float *)j->y + base, n, j->mode);
        } else if (j->dtype == IA_DTYPE_DOUBLE) {
            double *b = buf;
            for (int64_t k = 0; k < n; k++) b[k] = ((const double *)j->x)[base + k * inner];
            row_f64(b, b, n, j->mode);
            for (int64_t k = 0; k < n; k++) ((double *)j->y)[base + k * inner] = b[k];
        } else {
            float *b = buf;
            for (int64_t k = 0; k < n; k++) b[k] = (float)ia_get_f64(j->x, j->dtype, base + k * inner);
            row_f32(b, b, n, j->mode);
            if (j->dtype == IA_DTYPE_FLOAT)
                for (int64_t k = 0; k < n; k++) ((float *)j->y)[base + k * inner] = b[k];
            else
                for (int64_t k = 0; k < n; k++) ia_set_f64(j->y, j->dtype, base + k * inner, b[k]);
        }
    }
}

static int softmax_common(ia_kctx *ctx, int mode) {
    static const char *names[] = {"Softmax", "LogSoftmax", "Hardmax"};
    const char *name = names[mode];
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    int coerce = ia_kctx_opset(ctx) < 13;
    int64_t axis_attr = ia_kctx_attr_int(ctx, "axis", coerce ? 1 : -1);
    int axis;
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs an input of rank >= 1", name);
    if (ia_norm_axis(axis_attr, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld out of range for rank %d", name, (long long)axis_attr, x->rank);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;

    sm_job j = {x->data, y->data, x->dtype, mode, 1, 1, NULL};
    int64_t outer = 1;
    for (int d = 0; d < x->rank; d++) {
        if (d < axis) outer *= x->dims[d];
        else if (d == axis || coerce) j.n *= x->dims[d];
        else j.inner *= x->dims[d];
    }
    int64_t rows = outer * j.inner;
    ia_threadpool *pool = ia_kctx_pool(ctx);
    int threads = x->numel >= 32768 ? ia_threadpool_size(pool) : 1;
    j.scratch = ia_kctx_scratch(ctx, (size_t)threads * (size_t)j.n * sizeof(double));
    if (!j.scratch) return IA_ERR_NOMEM;
    if (threads > 1) {
        int64_t grain = j.n >= 8192 ? 1 : 8192 / j.n;
        ia_parallel_for(pool, rows, grain, sm_rows, &j);
    } else {
        sm_rows(&j, 0, rows, 0);
    }
    return IA_OK;
}

int ia_op_softmax(ia_kctx *ctx) { return softmax_common(ctx, SM_SOFTMAX); }
int ia_op_log_softmax(ia_kctx *ctx) { return softmax_common(ctx, SM_LOGSOFTMAX); }
int ia_op_hardmax(ia_kctx *ctx) { return softmax_common(ctx, SM_HARDMAX); }
