/* Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis`
 * (rows = product of the leading dims); from 13 the op works along the single axis `axis`. */
#include <math.h>
#include <string.h>
#include "ops/fastmath.h"
#include "ops/kernel_util.h"

/* The float loops below vectorise only when GCC may if-convert float compares, which it does
 * not under its default -ftrapping-math; nothing here reads floating-point exception flags. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

enum { SM_SOFTMAX, SM_LOGSOFTMAX, SM_HARDMAX };

/* Sum of a float array with 8 float lanes, lane sums combined in double. */
static double sum_f32(const float *y, int64_t n) {
    float l[8] = {0};
    int64_t j = 0;
    double total = 0;
    while (j + 8 <= n) {
        int64_t stop = n - (n - j) % 8;
        if (stop - j > 1024) stop = j + 1024; /* bounded blocks keep float lane error small */
        for (; j < stop; j += 8)
            for (int k = 0; k < 8; k++) l[k] += y[j + k];
        for (int k = 0; k < 8; k++) {
            total += l[k];
            l[k] = 0;
        }
    }
    for (; j < n; j++) total += y[j];
    return total;
}

/* Row kernels (contiguous rows) in float and double. The maximum is taken first so exp never
 * overflows; a NaN makes the whole row NaN like the reference. */
/* Maximum of x[0..n) in 8 lanes; NaNs are skipped here and surface through exp later. */
static float max_f32(const float *x, int64_t n) {
    float m[8];
    for (int k = 0; k < 8; k++) m[k] = x[0];
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) m[k] = x[j + k] > m[k] ? x[j + k] : m[k];
    for (; j < n; j++) m[0] = x[j] > m[0] ? x[j] : m[0];
    float r = m[0];
    for (int k = 1; k < 8; k++) r = m[k] > r ? m[k] : r;
    return r;
}

static void row_f32(const float *x, float *y, int64_t n, int mode) {
    if (mode == SM_HARDMAX) {
        int64_t am = 0;
        for (int64_t j = 1; j < n; j++)
            if (x[j] > x[am] || (x[j] != x[j] && x[am] == x[am])) am = j;
        for (int64_t j = 0; j < n; j++) y[j] = 0;
        y[am] = 1;
        return;
    }
    float mx = max_f32(x, n);
    for (int64_t j = 0; j < n; j++) y[j] = ia_fast_exp(x[j] - mx);
    double sum = sum_f32(y, n);
    if (mode == SM_SOFTMAX) {
        float inv = (float)(1.0 / sum);
        for (int64_t j = 0; j < n; j++) y[j] *= inv;
    } else {
        float off = mx + (float)log(sum);
        for (int64_t j = 0; j < n; j++) y[j] = x[j] - off;
    }
}

static void row_f64(const double *x, double *y, int64_t n, int mode) {
    double mx = x[0];
    int64_t am = 0;
    for (int64_t j = 1; j < n; j++)
        if (x[j] > mx || (x[j] != x[j] && mx == mx)) { mx = x[j]; am = j; }
    if (mode == SM_HARDMAX) {
        for (int64_t j = 0; j < n; j++) y[j] = 0;
        y[am] = 1;
        return;
    }
    double sum = 0;
    for (int64_t j = 0; j < n; j++) sum += exp(x[j] - mx);
    if (mode == SM_SOFTMAX)
        for (int64_t j = 0; j < n; j++) y[j] = exp(x[j] - mx) / sum;
    else
        for (int64_t j = 0; j < n; j++) y[j] = x[j] - (mx + log(sum));
}

/* float32 along a non-innermost axis: a tile of up to COLS adjacent columns at once, each
 * pass streaming over contiguous memory. Work item = (outer index, column tile). */
#define COLS 256

static void cols_f32(const float *x, float *y, int64_t n, int64_t inner, int64_t cw, int mode) {
    float mx[COLS];
    int64_t am[COLS];
    double sum[COLS];
    for (int64_t i = 0; i < cw; i++) {
        mx[i] = x[i];
        am[i] = 0;
        sum[i] = 0;
    }
    for (int64_t k = 1; k < n; k++) {
        const float *r = x + k * inner;
        for (int64_t i = 0; i < cw; i++)
            if (r[i] > mx[i] || (r[i] != r[i] && mx[i] == mx[i])) { mx[i] = r[i]; am[i] = k; }
    }
    if (mode == SM_HARDMAX) {
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < cw; i++) y[k * inner + i] = am[i] == k ? 1.0f : 0.0f;
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        const float *r = x + k * inner;
        float *o = y + k * inner;
        for (int64_t i = 0; i < cw; i++) o[i] = ia_fast_exp(r[i] - mx[i]);
        for (int64_t i = 0; i < cw; i++) sum[i] += o[i];
    }
    float f[COLS];
    if (mode == SM_SOFTMAX) {
        for (int64_t i = 0; i < cw; i++) f[i] = (float)(1.0 / sum[i]);
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < cw; i++) y[k * inner + i] *= f[i];
    } else {
        for (int64_t i = 0; i < cw; i++) f[i] = mx[i] + (float)log(sum[i]);
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < cw; i++) y[k * inner + i] = x[k * inner + i] - f[i];
    }
}

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

static void sm_tiles(void *arg, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const sm_job *j = arg;
    int64_t tiles = (j->inner + COLS - 1) / COLS;
    for (int64_t t = begin; t < end; t++) {
        int64_t o = t / tiles, c0 = (t % tiles) * COLS;
        int64_t cw = j->inner - c0 < COLS ? j->inner - c0 : COLS;
        int64_t base = o * j->n * j->inner + c0;
        cols_f32((const float *)j->x + base, (float *)j->y + base, j->n, j->inner, cw, j->mode);
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
    if (x->dtype == IA_DTYPE_FLOAT && j.inner > 1) {
        int64_t tiles = outer * ((j.inner + COLS - 1) / COLS), per = j.n * COLS;
        if (threads > 1) ia_parallel_for(pool, tiles, per >= 16384 ? 1 : 16384 / per, sm_tiles, &j);
        else sm_tiles(&j, 0, tiles, 0);
        return IA_OK;
    }
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
