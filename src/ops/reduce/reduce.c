/* ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
 * ReduceLogSumExp, ReduceSumSquare: one engine that scans the input once in memory order. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

typedef enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_SUMSQ } reduce_kind;

/* What is accumulated per output element (finalisation turns it into the op's result). */
typedef enum { A_SUM, A_ABS, A_SQ, A_PROD, A_MAX, A_MIN, A_EXP } acc_kind;

#define BLOCK 512

/* The input as merged runs of kept / reduced dimensions (size-1 dims dropped). */
typedef struct {
    int nd;
    int64_t dims[IA_MAX_DIMS];
    int64_t istr[IA_MAX_DIMS]; /* input element strides */
    int64_t ostr[IA_MAX_DIMS]; /* output element strides, 0 on reduced runs */
    int red[IA_MAX_DIMS];
    int split; /* the dim that parallel work is split on (a kept one) */
    const void *x;
    int dtype;
    acc_kind acc;
    int intpath;  /* accumulate in int64 (exact integer reductions) */
    int unsigned64;
    double *accd;
    int64_t *acci;
    const double *shift; /* A_EXP: per-output value subtracted before exp */
} scan_t;

static void load_f64(const scan_t *s, int64_t off, int64_t n, double *buf) {
    if (s->dtype == IA_DTYPE_FLOAT) {
        const float *p = (const float *)s->x + off;
        for (int64_t j = 0; j < n; j++) buf[j] = p[j];
    } else if (s->dtype == IA_DTYPE_DOUBLE) {
        memcpy(buf, (const double *)s->x + off, (size_t)n * sizeof(double));
    } else {
        for (int64_t j = 0; j < n; j++) buf[j] = ia_get_f64(s->x, s->dtype, off + j);
    }
}

static void load_i64(const scan_t *s, int64_t off, int64_t n, int64_t *buf) {
    if (s->dtype == IA_DTYPE_INT64) {
        memcpy(buf, (const int64_t *)s->x + off, (size_t)n * sizeof(int64_t));
    } else if (s->dtype == IA_DTYPE_INT32) {
        const int32_t *p = (const int32_t *)s->x + off;
        for (int64_t j = 0; j < n; j++) buf[j] = p[j];
    } else {
        for (int64_t j = 0; j < n; j++) buf[j] = ia_get_i64(s->x, s->dtype, off + j);
    }
}

static inline double fmax_nan(double a, double b) { return (b > a || b != b) ? b : a; }
static inline double fmin_nan(double a, double b) { return (b < a || b != b) ? b : a; }

/* Folds buf[0..n) into one value (reduced innermost run). */
static double fold_f64(acc_kind k, double acc, const double *b, int64_t n, double shift) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t j = 0;
    switch (k) {
    case A_SUM:
        for (; j + 4 <= n; j += 4) { s0 += b[j]; s1 += b[j + 1]; s2 += b[j + 2]; s3 += b[j + 3]; }
        for (; j < n; j++) s0 += b[j];
        return acc + ((s0 + s1) + (s2 + s3));
    case A_ABS:
        for (; j < n; j++) s0 += fabs(b[j]);
        return acc + s0;
    case A_SQ:
        for (; j + 4 <= n; j += 4) {
            s0 += b[j] * b[j]; s1 += b[j + 1] * b[j + 1]; s2 += b[j + 2] * b[j + 2]; s3 += b[j + 3] * b[j + 3];
        }
        for (; j < n; j++) s0 += b[j] * b[j];
        return acc + ((s0 + s1) + (s2 + s3));
    case A_PROD:
        for (; j < n; j++) acc *= b[j];
        return acc;
    case A_MAX:
        for (; j < n; j++) acc = fmax_nan(acc, b[j]);
        return acc;
    case A_MIN:
        for (; j < n; j++) acc = fmin_nan(acc, b[j]);
        return acc;
    case A_EXP:
        for (; j < n; j++) s0 += exp(b[j] - shift);
        return acc + s0;
    }
    return acc;
}

/* Combines buf[j] into acc[j] (kept innermost run). */
static void combine_f64(acc_kind k, double *acc, const double *b, int64_t n, const double *shift) {
    switch (k) {
    case A_SUM: for (int64_t j = 0; j < n; j++) acc[j] += b[j]; break;
    case A_ABS: for (int64_t j = 0; j < n; j++) acc[j] += fabs(b[j]); break;
    case A_SQ: for (int64_t j = 0; j < n; j++) acc[j] += b[j] * b[j]; break;
    case A_PROD: for (int64_t j = 0; j < n; j++) acc[j] *= b[j]; break;
    case A_MAX: for (int64_t j = 0; j < n; j++) acc[j] = fmax_nan(acc[j], b[j]); break;
    case A_MIN: for (int64_t j = 0; j < n; j++) acc[j] = fmin_nan(acc[j], b[j]); break;
    case A_EXP: for (int64_t j = 0; j < n; j++) acc[j] += exp(b[j] - shift[j]); break;
    }
}

/* Integer arithmetic wraps (two's complement) like the fixed-width types do. */
static inline int64_t wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static inline int64_t iabs(int64_t v, int uns) { return uns || v >= 0 ? v : (int64_t)(0 - (uint64_t)v); }
static inline int gt_i(int64_t a, int64_t b, int u64) { return u64 ? (uint64_t)a > (uint64_t)b : a > b; }

static int64_t step_i64(acc_kind k, int64_t acc, int64_t v, int uns, int u64) {
    switch (k) {
    case A_SUM: return wadd(acc, v);
    case A_ABS: return wadd(acc, iabs(v, uns));
    case A_SQ: return wadd(acc, wmul(v, v));
    case A_PROD: return wmul(acc, v);
    case A_MAX: return gt_i(v, acc, u64) ? v : acc;
    case A_MIN: return gt_i(acc, v, u64) ? v : acc;
    default: return acc;
    }
}

/* Scans the input positions whose index on dim `split` lies in [begin, end). */
static void scan_range(void *arg, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const scan_t *s = arg;
    int nd = s->nd, last = nd - 1;
    int64_t idx[IA_MAX_DIMS] = {0};
    int64_t lo[IA_MAX_DIMS], hi[IA_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        lo[d] = 0;
        hi[d] = s->dims[d];
    }
    lo[s->split] = begin;
    hi[s->split] = end;
    if (begin >= end) return;
    int uns = !ia_dtype_is_signed(s->dtype), u64 = s->unsigned64;
    double bufd[BLOCK];
    int64_t bufi[BLOCK];
    for (int d = 0; d < last; d++) idx[d] = lo[d];
    for (;;) {
        int64_t ioff = 0, ooff = 0;
        for (int d = 0; d < last; d++) {
            ioff += idx[d] * s->istr[d];
            ooff += idx[d] * s->ostr[d];
        }
        for (int64_t j0 = lo[last]; j0 < hi[last]; j0 += BLOCK) {
            int64_t n = hi[last] - j0 < BLOCK ? hi[last] - j0 : BLOCK;
            int64_t io = ioff + j0, oo = ooff + j0 * s->ostr[last];
            if (s->intpath) {
                load_i64(s, io, n, bufi);
                if (s->red[last]) {
                    int64_t a = s->acci[oo];
                    for (int64_t j = 0; j < n; j++) a = step_i64(s->acc, a, bufi[j], uns, u64);
                    s->acci[oo] = a;
                } else {
                    for (int64_t j = 0; j < n; j++) s->acci[oo + j] = step_i64(s->acc, s->acci[oo + j], bufi[j], uns, u64);
                }
            } else {
                load_f64(s, io, n, bufd);
                if (s->red[last])
                    s->accd[oo] = fold_f64(s->acc, s->accd[oo], bufd, n, s->shift ? s->shift[oo] : 0);
                else
                    combine_f64(s->acc, s->accd + oo, bufd, n, s->shift ? s->shift + oo : NULL);
            }
        }
        int d = last - 1;
        for (; d >= 0; d--) {
            if (++idx[d] < hi[d]) break;
            idx[d] = lo[d];
        }
        if (d < 0) break;
    }
}

static void run_scan(ia_kctx *ctx, scan_t *s, int64_t numel) {
    if (numel == 0) return;
    int64_t n = s->dims[s->split];
    if (numel >= 65536 && !s->red[s->split] && n > 1) {
        int64_t per = numel / n; /* elements per index of the split dim */
        int64_t grain = per >= 16384 ? 1 : (16384 + per - 1) / per;
        ia_parallel_for(ia_kctx_pool(ctx), n, grain, scan_range, s);
    } else {
        scan_range(s, 0, n, 0);
    }
}

static int64_t int_min_of(int dtype) {
    switch (dtype) {
    case IA_DTYPE_INT8: return INT8_MIN;
    case IA_DTYPE_INT16: return INT16_MIN;
    case IA_DTYPE_INT32: return INT32_MIN;
    case IA_DTYPE_INT64: return INT64_MIN;
    default: return 0; /* unsigned, bool */
    }
}

static int64_t int_max_of(int dtype) {
    switch (dtype) {
    case IA_DTYPE_INT8: return INT8_MAX;
    case IA_DTYPE_INT16: return INT16_MAX;
    case IA_DTYPE_INT32: return INT32_MAX;
    case IA_DTYPE_INT64: return INT64_MAX;
    case IA_DTYPE_UINT8: return UINT8_MAX;
    case IA_DTYPE_UINT16: return UINT16_MAX;
    case IA_DTYPE_UINT32: return UINT32_MAX;
    case IA_DTYPE_UINT64: return -1; /* all bits set: UINT64_MAX, compared unsigned */
    case IA_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

static int dtype_ok(reduce_kind k, int dt) {
    if (ia_dtype_is_float(dt)) return 1;
    if (dt == IA_DTYPE_BOOL) return k == R_MAX || k == R_MIN;
    return ia_dtype_is_integer(dt) && dt != IA_DTYPE_INT4 && dt != IA_DTYPE_UINT4;
}

static const char *kind_name(reduce_kind k) {
    static const char *names[] = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                  "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
    return names[k];
}

static int reduce_common(ia_kctx *ctx, reduce_kind kind) {
    const char *name = kind_name(kind);
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!dtype_ok(kind, x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    int64_t opset = ia_kctx_opset(ctx);
    int axes_as_input = opset >= 18 || (kind == R_SUM && opset >= 13);
    int64_t keepdims = ia_kctx_attr_int(ctx, "keepdims", 1);
    int64_t noop = axes_as_input ? ia_kctx_attr_int(ctx, "noop_with_empty_axes", 0) : 0;
    int rank = x->rank;

    int64_t axes[IA_MAX_DIMS];
    int64_t n_axes = 0;
    if (axes_as_input) {
        if (ia_kctx_num_inputs(ctx) > 1 && ia_kctx_input_value(ctx, 1)) {
            const ia_tensor *a = ia_kctx_input_data(ctx, 1);
            if (!a) {
                if (!ia_kctx_input(ctx, 1)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axes must be a tensor", name);
                return IA_ERR_NEED_VALUE;
            }
            if (a->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: axes must be 1-D", name);
            if (a->numel > rank) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: %lld axes for a rank-%d input", name, (long long)a->numel, rank);
            if (a->dtype != IA_DTYPE_INT64 && a->dtype != IA_DTYPE_INT32)
                IA_KFAIL(ctx, IA_ERR_TYPE, "%s: axes must be int64", name);
            n_axes = a->numel ? ia_read_ints(a, axes, IA_MAX_DIMS) : 0;
        }
    } else {
        const int64_t *av;
        size_t na = ia_kctx_attr_ints(ctx, "axes", &av);
        if ((int64_t)na > rank) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: %zu axes for a rank-%d input", name, na, rank);
        for (size_t i = 0; i < na; i++) axes[i] = av[i];
        n_axes = (int64_t)na;
    }
    if (n_axes == 0 && noop) return ia_kctx_output_alias(ctx, 0, 0);

    int red[IA_MAX_DIMS] = {0};
    if (n_axes == 0) {
        for (int d = 0; d < rank; d++) red[d] = 1;
    } else {
        for (int64_t i = 0; i < n_axes; i++) {
            int ax;
            if (ia_norm_axis(axes[i], rank, &ax) || rank == 0)
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld out of range for rank %d", name, (long long)axes[i], rank);
            if (red[ax]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld repeated", name, (long long)axes[i]);
            red[ax] = 1;
        }
    }

    int64_t odims[IA_MAX_DIMS];
    int orank = 0;
    int64_t count = 1; /* elements folded into each output */
    for (int d = 0; d < rank; d++) {
        if (red[d]) {
            count *= x->dims[d];
            if (keepdims) odims[orank++] = 1;
        } else {
            odims[orank++] = x->dims[d];
        }
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, orank, odims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t on = y->numel;
    if (on == 0) return IA_OK;
    if (!x->data && x->numel) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input has no data", name);

    scan_t s;
    memset(&s, 0, sizeof s);
    s.x = x->data;
    s.dtype = x->dtype;
    s.unsigned64 = x->dtype == IA_DTYPE_UINT64;
    /* merge runs */
    for (int d = 0; d < rank; d++) {
        if (x->dims[d] == 1) continue;
        if (s.nd > 0 && s.red[s.nd - 1] == red[d]) {
            s.dims[s.nd - 1] *= x->dims[d];
        } else {
            s.dims[s.nd] = x->dims[d];
            s.red[s.nd] = red[d];
            s.nd++;
        }
    }
    if (s.nd == 0) {
        s.dims[0] = 1;
        s.nd = 1;
    }
    int64_t is = 1, os = 1;
    for (int d = s.nd - 1; d >= 0; d--) {
        s.istr[d] = is;
        is *= s.dims[d];
        s.ostr[d] = s.red[d] ? 0 : os;
        if (!s.red[d]) os *= s.dims[d];
    }
    s.split = 0;
    for (int d = 0; d < s.nd; d++)
        if (!s.red[d]) {
            s.split = d;
            break;
        }

    int isint = !ia_dtype_is_float(x->dtype);
    s.intpath = isint && kind != R_L2 && kind != R_LOGSUM && kind != R_LOGSUMEXP;
    switch (kind) {
    case R_SUM: case R_MEAN: case R_LOGSUM: s.acc = A_SUM; break;
    case R_MAX: s.acc = A_MAX; break;
    case R_MIN: s.acc = A_MIN; break;
    case R_PROD: s.acc = A_PROD; break;
    case R_L1: s.acc = A_ABS; break;
    case R_L2: case R_SUMSQ: s.acc = A_SQ; break;
    case R_LOGSUMEXP: s.acc = A_MAX; break;
    }
    if (s.intpath) {
        s.acci = ia_kctx_scratch(ctx, (size_t)on * sizeof(int64_t));
        if (!s.acci) return IA_ERR_NOMEM;
        int64_t init = s.acc == A_PROD ? 1 : s.acc == A_MAX ? int_min_of(x->dtype) : s.acc == A_MIN ? int_max_of(x->dtype) : 0;
        for (int64_t i = 0; i < on; i++) s.acci[i] = init;
    } else {
        s.accd = ia_kctx_scratch(ctx, (size_t)on * sizeof(double));
        if (!s.accd) return IA_ERR_NOMEM;
        double init = s.acc == A_PROD ? 1 : s.acc == A_MAX ? -INFINITY : s.acc == A_MIN ? INFINITY : 0;
        for (int64_t i = 0; i < on; i++) s.accd[i] = init;
    }
    run_scan(ctx, &s, x->numel);
    if (kind == R_LOGSUMEXP) { /* second pass: sum of exp(x - max) */
        double *mx = s.accd;
        for (int64_t i = 0; i < on; i++)
            if (!isfinite(mx[i])) mx[i] = isnan(mx[i]) ? mx[i] : 0;
        s.shift = mx;
        s.accd = ia_kctx_scratch(ctx, (size_t)on * sizeof(double));
        if (!s.accd) return IA_ERR_NOMEM;
        s.acc = A_EXP;
        run_scan(ctx, &s, x->numel);
    }

    if (s.intpath) {
        for (int64_t i = 0; i < on; i++) {
            int64_t v = s.acci[i];
            if (kind == R_MEAN) {
                if (count == 0) v = 0;
                else if (s.unsigned64) v = (int64_t)((uint64_t)v / (uint64_t)count);
                else v = v / count;
            }
            ia_set_i64(y->data, y->dtype, i, v);
        }
        return IA_OK;
    }
    for (int64_t i = 0; i < on; i++) {
        double v = s.accd[i];
        switch (kind) {
        case R_MEAN: v = v / (double)count; break;
        case R_L2: v = sqrt(v); break;
        case R_LOGSUM: v = log(v); break;
        case R_LOGSUMEXP: v = log(v) + s.shift[i]; break;
        default: break;
        }
        if (isint) { /* L2, LogSum, LogSumExp of integers: computed in double, truncated */
            if (isnan(v)) v = 0;
            ia_set_f64(y->data, y->dtype, i, v);
        } else if (y->dtype == IA_DTYPE_FLOAT) {
            ((float *)y->data)[i] = (float)v;
        } else {
            ia_set_f64(y->data, y->dtype, i, v);
        }
    }
    return IA_OK;
}

int ia_op_reduce_sum(ia_kctx *ctx) { return reduce_common(ctx, R_SUM); }
int ia_op_reduce_mean(ia_kctx *ctx) { return reduce_common(ctx, R_MEAN); }
int ia_op_reduce_max(ia_kctx *ctx) { return reduce_common(ctx, R_MAX); }
int ia_op_reduce_min(ia_kctx *ctx) { return reduce_common(ctx, R_MIN); }
int ia_op_reduce_prod(ia_kctx *ctx) { return reduce_common(ctx, R_PROD); }
int ia_op_reduce_l1(ia_kctx *ctx) { return reduce_common(ctx, R_L1); }
int ia_op_reduce_l2(ia_kctx *ctx) { return reduce_common(ctx, R_L2); }
int ia_op_reduce_log_sum(ia_kctx *ctx) { return reduce_common(ctx, R_LOGSUM); }
int ia_op_reduce_log_sum_exp(ia_kctx *ctx) { return reduce_common(ctx, R_LOGSUMEXP); }
int ia_op_reduce_sum_square(ia_kctx *ctx) { return reduce_common(ctx, R_SUMSQ); }
