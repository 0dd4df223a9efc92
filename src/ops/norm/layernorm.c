/* LayerNormalization, GroupNormalization and InstanceNormalization: each normalises
 * contiguous rows of the input to zero mean and unit variance, then applies a scale and bias
 * whose entries repeat along the row in a per-op pattern. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

/* The input as `rows` contiguous rows of `len` elements. Row r uses the parameter set
 * (r % nsets); a set has `per_row` scale/bias entries, each covering `rep` consecutive
 * elements (per_row * rep == len). */
typedef struct {
    const void *x;
    void *y;
    int dtype;
    int64_t rows, len, nsets, per_row, rep;
    const float *sf, *bf;  /* float32 path (bf may be NULL) */
    const double *sd, *bd; /* other dtypes (bd may be NULL) */
    double eps;
    void *mean_out, *istd_out; /* optional per-row statistics */
    int stat_dtype;
    char *scratch; /* per thread: len doubles (non-float32 dtypes) */
} rownorm;

/* Mean and (population) variance in one pass; sums are taken in double around a shift of
 * the first element, which keeps the E[x^2] - E[x]^2 cancellation harmless. */
#define DEFINE_MOMENTS(T, SUF)                                                           \
    static void moments_##SUF(const T *x, int64_t n, double *mean, double *var) {       \
        double k = x[0], a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0; \
        int64_t j = 0;                                                                   \
        for (; j + 4 <= n; j += 4) {                                                     \
            double d0 = x[j] - k, d1 = x[j + 1] - k, d2 = x[j + 2] - k, d3 = x[j + 3] - k; \
            a0 += d0; a1 += d1; a2 += d2; a3 += d3;                                      \
            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3;                  \
        }                                                                                \
        for (; j < n; j++) {                                                             \
            double d = x[j] - k;                                                         \
            a0 += d;                                                                     \
            q0 += d * d;                                                                 \
        }                                                                                \
        double m1 = ((a0 + a1) + (a2 + a3)) / (double)n;                                 \
        double v = ((q0 + q1) + (q2 + q3)) / (double)n - m1 * m1;                        \
        *mean = k + m1;                                                                  \
        *var = v > 0 ? v : 0;                                                            \
    }

DEFINE_MOMENTS(float, f32)
DEFINE_MOMENTS(double, f64)

static void rownorm_rows(void *arg, int64_t begin, int64_t end, int tid) {
    const rownorm *p = arg;
    int64_t len = p->len, rep = p->rep;
    for (int64_t r = begin; r < end; r++) {
        int64_t off = r * len, set = (r % p->nsets) * p->per_row;
        double mean, var;
        if (p->dtype == IA_DTYPE_FLOAT) {
            const float *x = (const float *)p->x + off;
            float *y = (float *)p->y + off;
            moments_f32(x, len, &mean, &var);
            double inv = 1.0 / sqrt(var + p->eps);
            const float *s = p->sf + set, *b = p->bf ? p->bf + set : NULL;
            float m = (float)mean, iv = (float)inv;
            if (rep == 1) {
                if (b)
                    for (int64_t j = 0; j < len; j++) y[j] = (x[j] - m) * iv * s[j] + b[j];
                else
                    for (int64_t j = 0; j < len; j++) y[j] = (x[j] - m) * iv * s[j];
            } else {
                for (int64_t q = 0; q < p->per_row; q++) {
                    float a = iv * s[q], c = b ? b[q] : 0.0f;
                    const float *xs = x + q * rep;
                    float *ys = y + q * rep;
                    for (int64_t j = 0; j < rep; j++) ys[j] = (xs[j] - m) * a + c;
                }
            }
            if (p->mean_out) ia_set_f64(p->mean_out, p->stat_dtype, r, mean);
            if (p->istd_out) ia_set_f64(p->istd_out, p->stat_dtype, r, inv);
        } else {
            double *buf = (double *)(p->scratch + (size_t)tid * (size_t)len * sizeof(double));
            if (p->dtype == IA_DTYPE_DOUBLE)
                memcpy(buf, (const double *)p->x + off, (size_t)len * sizeof(double));
            else
                for (int64_t j = 0; j < len; j++) buf[j] = ia_get_f64(p->x, p->dtype, off + j);
            moments_f64(buf, len, &mean, &var);
            double inv = 1.0 / sqrt(var + p->eps);
            if (p->dtype != IA_DTYPE_DOUBLE) { /* stage one in float, as stash_type float asks */
                mean = (float)mean;
                inv = (float)inv;
            }
            for (int64_t j = 0; j < len; j++) {
                int64_t q = set + j / rep;
                double v = (buf[j] - mean) * inv * p->sd[q] + (p->bd ? p->bd[q] : 0.0);
                ia_set_f64(p->y, p->dtype, off + j, v);
            }
            if (p->mean_out) ia_set_f64(p->mean_out, p->stat_dtype, r, mean);
            if (p->istd_out) ia_set_f64(p->istd_out, p->stat_dtype, r, inv);
        }
    }
}

static int rownorm_run(ia_kctx *ctx, rownorm *p) {
    if (p->rows == 0 || p->len == 0) return IA_OK;
    ia_threadpool *pool = ia_kctx_pool(ctx);
    int threads = p->rows * p->len >= 32768 ? ia_threadpool_size(pool) : 1;
    if (p->dtype != IA_DTYPE_FLOAT) {
        p->scratch = ia_kctx_scratch(ctx, (size_t)threads * (size_t)p->len * sizeof(double));
        if (!p->scratch) return IA_ERR_NOMEM;
    }
    if (threads > 1)
        ia_parallel_for(pool, p->rows, p->len >= 16384 ? 1 : 16384 / p->len, rownorm_rows, p);
    else
        rownorm_rows(p, 0, p->rows, 0);
    return IA_OK;
}

/* Copies parameter tensor t (broadcast to the shape `rank`/`dims`) into n float or double
 * entries of scratch memory, per the dtype the row kernel uses. */
static int load_params(ia_kctx *ctx, rownorm *p, const ia_tensor *t, int rank, const int64_t *dims, int64_t n,
                       const float **f, const double **d) {
    int64_t str[IA_MAX_DIMS];
    ia_broadcast_strides(t, rank, dims, str);
    float *fv = NULL;
    double *dv = NULL;
    if (p->dtype == IA_DTYPE_FLOAT) fv = ia_kctx_scratch(ctx, (size_t)n * sizeof(float));
    else dv = ia_kctx_scratch(ctx, (size_t)n * sizeof(double));
    if (!fv && !dv) return IA_ERR_NOMEM;
    for (int64_t i = 0; i < n; i++) {
        double v = ia_get_f64(t->data, t->dtype, ia_bcast_offset(i, rank, dims, str));
        if (fv) fv[i] = (float)v; else dv[i] = v;
    }
    *f = fv;
    *d = dv;
    return IA_OK;
}

/* t must broadcast (one way) to the shape `rank`/`dims`. */
static int broadcasts_to(const ia_tensor *t, int rank, const int64_t *dims) {
    if (t->rank > rank) return 0;
    for (int i = 0; i < t->rank; i++) {
        int64_t a = t->dims[t->rank - 1 - i], b = dims[rank - 1 - i];
        if (a != b && a != 1) return 0;
    }
    return 1;
}

static int check_float_input(ia_kctx *ctx, const char *name, const ia_tensor *x, const ia_tensor *t, const char *what) {
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a %s tensor", name, what);
    if (t->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: %s dtype %s differs from the input's %s", name, what,
                                       ia_dtype_name(t->dtype), ia_dtype_name(x->dtype));
    return IA_OK;
}

int ia_op_layer_normalization(ia_kctx *ctx) {
    const char *name = "LayerNormalization";
    const ia_tensor *x = ia_kctx_input(ctx, 0), *scale = ia_kctx_input(ctx, 1);
    const ia_tensor *bias = ia_kctx_num_inputs(ctx) > 2 ? ia_kctx_input(ctx, 2) : NULL;
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    IA_KTRY(check_float_input(ctx, name, x, scale, "Scale"));
    if (bias) IA_KTRY(check_float_input(ctx, name, x, bias, "B"));
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs an input of rank >= 1", name);
    int64_t axis_attr = ia_kctx_attr_int(ctx, "axis", -1);
    int axis;
    if (ia_norm_axis(axis_attr, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld out of range for rank %d", name, (long long)axis_attr, x->rank);
    int64_t stash = ia_kctx_attr_int(ctx, "stash_type", IA_DTYPE_FLOAT);
    if (stash != IA_DTYPE_FLOAT && stash != IA_DTYPE_DOUBLE && stash != IA_DTYPE_BFLOAT16 && stash != IA_DTYPE_FLOAT16)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: stash_type %lld is not a floating-point type", name, (long long)stash);
    int nrank = x->rank - axis;
    const int64_t *ndims = x->dims + axis;
    if (!broadcasts_to(scale, nrank, ndims) || (bias && !broadcasts_to(bias, nrank, ndims)))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: Scale / B do not broadcast to the normalised shape", name);

    ia_tensor *y, *mean = NULL, *istd = NULL;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    int64_t sdims[IA_MAX_DIMS];
    for (int d = 0; d < x->rank; d++) sdims[d] = d < axis ? x->dims[d] : 1;
    if (ia_kctx_num_outputs(ctx) > 1 && ia_kctx_output_wanted(ctx, 1))
        IA_KTRY(ia_kctx_output(ctx, 1, (int)stash, x->rank, sdims, &mean));
    if (ia_kctx_num_outputs(ctx) > 2 && ia_kctx_output_wanted(ctx, 2))
        IA_KTRY(ia_kctx_output(ctx, 2, (int)stash, x->rank, sdims, &istd));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;

    rownorm p;
    memset(&p, 0, sizeof p);
    p.x = x->data;
    p.y = y->data;
    p.dtype = x->dtype;
    p.len = ia_shape_numel(nrank, ndims);
    p.rows = x->numel / p.len;
    p.nsets = 1;
    p.per_row = p.len;
    p.rep = 1;
    p.eps = ia_kctx_attr_float(ctx, "epsilon", 1e-5f);
    p.mean_out = mean ? mean->data : NULL;
    p.istd_out = istd ? istd->data : NULL;
    p.stat_dtype = (int)stash;
    if (x->dtype == IA_DTYPE_FLOAT && scale->numel == p.len) p.sf = scale->data;
    else IA_KTRY(load_params(ctx, &p, scale, nrank, ndims, p.len, &p.sf, &p.sd));
    if (bias) {
        if (x->dtype == IA_DTYPE_FLOAT && bias->numel == p.len) p.bf = bias->data;
        else IA_KTRY(load_params(ctx, &p, bias, nrank, ndims, p.len, &p.bf, &p.bd));
    }
    return rownorm_run(ctx, &p);
}

/* Shared by Instance- and GroupNormalization: X is [N, C, spatial...]. */
static int channel_norm(ia_kctx *ctx, const char *name, int64_t groups) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *scale = ia_kctx_input(ctx, 1), *bias = ia_kctx_input(ctx, 2);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", name);
    if (!ia_dtype_is_float(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", name, ia_dtype_name(x->dtype));
    IA_KTRY(check_float_input(ctx, name, x, scale, "scale"));
    IA_KTRY(check_float_input(ctx, name, x, bias, "bias"));
    if (x->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs an input of rank >= 2 ([N, C, ...])", name);
    int64_t N = x->dims[0], C = x->dims[1], S = 1;
    for (int d = 2; d < x->rank; d++) S *= x->dims[d];
    if (groups == 0) groups = C; /* InstanceNormalization: one group per channel */
    if (groups <= 0 || C % groups) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: %lld channels do not split into %lld groups", name, (long long)C, (long long)groups);
    int64_t cpg = C / groups;
    /* Parameters per channel, or (GroupNormalization in opset 18) per group. */
    int per_group = groups != C && scale->numel == groups;
    int64_t want = per_group ? groups : C;
    if (scale->rank != 1 || scale->numel != want || bias->rank != 1 || bias->numel != want)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: scale and bias must be 1-D with %lld entries", name, (long long)want);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;

    rownorm p;
    memset(&p, 0, sizeof p);
    p.x = x->data;
    p.y = y->data;
    p.dtype = x->dtype;
    p.rows = N * groups;
    p.len = cpg * S;
    p.nsets = groups;
    p.per_row = per_group ? 1 : cpg;
    p.rep = per_group ? p.len : S;
    p.eps = ia_kctx_attr_float(ctx, "epsilon", 1e-5f);
    int64_t d1 = want;
    IA_KTRY(load_params(ctx, &p, scale, 1, &d1, want, &p.sf, &p.sd));
    IA_KTRY(load_params(ctx, &p, bias, 1, &d1, want, &p.bf, &p.bd));
    return rownorm_run(ctx, &p);
}

int ia_op_instance_normalization(ia_kctx *ctx) { return channel_norm(ctx, "InstanceNormalization", 0); }

int ia_op_group_normalization(ia_kctx *ctx) {
    const ia_attr *g = ia_kctx_attr(ctx, "num_groups");
    if (!g || g->type != IA_ATTR_INT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GroupNormalization needs an int attribute num_groups");
    if (g->i <= 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GroupNormalization: num_groups must be positive, got %lld", (long long)g->i);
    return channel_norm(ctx, "GroupNormalization", g->i);
}
