/* Pooling: AveragePool, MaxPool (with Indices), LpPool, their Global forms, and MaxUnpool. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

#define MAX_SP (IA_MAX_DIMS - 2)

enum { POOL_AVG, POOL_MAX, POOL_LP };

typedef struct pool_job {
    int kind, nsp, count_include_pad, storage_order;
    float p; /* LpPool exponent */
    int64_t in[MAX_SP], out[MAX_SP], k[MAX_SP], s[MAX_SP], d[MAX_SP], pad[2 * MAX_SP];
    int64_t in_size, out_size;
    const float *x;
    float *y;
    int64_t *idx; /* MaxPool indices, or NULL */
} pool_job;

/* Pools planes [begin, end) (one plane = one (n, c) pair). */
static void pool_planes(void *arg, int64_t begin, int64_t end, int tid) {
    const pool_job *j = arg;
    (void)tid;
    int nsp = j->nsp;
    for (int64_t pl = begin; pl < end; pl++) {
        const float *x = j->x + pl * j->in_size;
        for (int64_t o = 0; o < j->out_size; o++) {
            int64_t oi[MAX_SP], t = o;
            for (int i = nsp - 1; i >= 0; i--) { oi[i] = t % j->out[i]; t /= j->out[i]; }
            /* per dim: taps [k0, k1) fall inside the input; `padded` taps inside input+pads */
            int64_t k0[MAX_SP], k1[MAX_SP], start[MAX_SP], padded = 1, valid = 1;
            for (int i = 0; i < nsp; i++) {
                start[i] = oi[i] * j->s[i] - j->pad[i];
                int64_t lim = j->in[i] + j->pad[nsp + i], n_pad = 0;
                k0[i] = 0;
                while (k0[i] < j->k[i] && start[i] + k0[i] * j->d[i] < 0) k0[i]++;
                k1[i] = k0[i];
                while (k1[i] < j->k[i] && start[i] + k1[i] * j->d[i] < j->in[i]) k1[i]++;
                for (int64_t q = 0; q < j->k[i]; q++) n_pad += start[i] + q * j->d[i] < lim;
                padded *= n_pad;
                valid *= k1[i] - k0[i];
            }
            double acc = j->kind == POOL_MAX ? -INFINITY : 0.0;
            int64_t best = -1;
            if (valid > 0) {
                int64_t kk[MAX_SP];
                for (int i = 0; i < nsp; i++) kk[i] = k0[i];
                for (;;) {
                    int64_t off = 0;
                    for (int i = 0; i < nsp; i++) off = off * j->in[i] + start[i] + kk[i] * j->d[i];
                    float v = x[off];
                    if (j->kind == POOL_MAX) {
                        if (v > acc || best < 0) { acc = v; best = off; }
                    } else if (j->kind == POOL_AVG) acc += v;
                    else acc += pow(fabs((double)v), j->p);
                    int i = nsp - 1;
                    for (; i >= 0; i--) {
                        if (++kk[i] < k1[i]) break;
                        kk[i] = k0[i];
                    }
                    if (i < 0) break;
                }
            }
            float r;
            if (j->kind == POOL_MAX) r = (float)acc;
            else if (j->kind == POOL_AVG) {
                int64_t cnt = j->count_include_pad ? padded : valid;
                r = cnt > 0 ? (float)(acc / (double)cnt) : 0.0f;
            } else r = (float)pow(acc, 1.0 / j->p);
            j->y[pl * j->out_size + o] = r;
            if (j->idx) {
                int64_t id = best < 0 ? 0 : best;
                if (j->storage_order && best >= 0) { /* column-major position within the plane */
                    int64_t c[MAX_SP], tt = best, cm = 0;
                    for (int i = nsp - 1; i >= 0; i--) { c[i] = tt % j->in[i]; tt /= j->in[i]; }
                    for (int i = nsp - 1; i >= 0; i--) cm = cm * j->in[i] + c[i];
                    id = cm;
                }
                j->idx[pl * j->out_size + o] = pl * j->in_size + id;
            }
        }
    }
}

static int pool_dtype_ok(int dt, int kind) {
    if (ia_nn_is_float(dt)) return 1;
    return kind == POOL_MAX && (dt == IA_DTYPE_INT8 || dt == IA_DTYPE_UINT8);
}

static int pool_common(ia_kctx *ctx, int kind, const char *op) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs input X", op);
    if (!pool_dtype_ok(X->dtype, kind)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", op, ia_dtype_name(X->dtype));
    if (X->rank < 3) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: X must have rank >= 3", op);
    pool_job j;
    memset(&j, 0, sizeof j);
    j.kind = kind;
    j.nsp = X->rank - 2;
    const int64_t *ks;
    size_t nk = ia_kctx_attr_ints(ctx, "kernel_shape", &ks);
    if (nk != (size_t)j.nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: kernel_shape must have %d values", op, j.nsp);
    j.in_size = j.out_size = 1;
    for (int i = 0; i < j.nsp; i++) {
        j.in[i] = X->dims[2 + i];
        j.k[i] = ks[i];
        j.in_size *= j.in[i];
    }
    int ceil_mode = (int)ia_kctx_attr_int(ctx, "ceil_mode", 0);
    IA_KTRY(ia_nn_window_geom(ctx, op, j.nsp, j.in, j.k, ceil_mode, 1, j.s, j.d, j.pad, j.out));
    j.count_include_pad = ia_kctx_attr_int(ctx, "count_include_pad", 0) != 0;
    j.storage_order = (int)ia_kctx_attr_int(ctx, "storage_order", 0);
    if (j.storage_order != 0 && j.storage_order != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: storage_order must be 0 or 1", op);
    if (kind == POOL_LP) {
        const ia_attr *pa = ia_kctx_attr(ctx, "p");
        j.p = pa ? (pa->type == IA_ATTR_FLOAT ? pa->f : (float)pa->i) : 2.0f;
        if (!(j.p > 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: p must be positive", op);
    }
    int64_t odims[IA_MAX_DIMS] = {X->dims[0], X->dims[1]};
    for (int i = 0; i < j.nsp; i++) { odims[2 + i] = j.out[i]; j.out_size *= j.out[i]; }
    ia_tensor *Y, *I = NULL;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    int want_idx = kind == POOL_MAX && ia_kctx_num_outputs(ctx) > 1 && ia_kctx_output_wanted(ctx, 1);
    if (want_idx) IA_KTRY(ia_kctx_output(ctx, 1, IA_DTYPE_INT64, X->rank, odims, &I));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    j.x = X->data;
    j.y = Y->data;
    j.idx = I ? I->data : NULL;
    if (X->dtype != IA_DTYPE_FLOAT) {
        float *t = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(X->numel + Y->numel));
        if (!t) return IA_ERR_NOMEM;
        ia_nn_load_f32(X->data, X->dtype, X->numel, t);
        j.x = t;
        j.y = t + X->numel;
    }
    int64_t planes = X->dims[0] * X->dims[1];
    int64_t work = j.out_size * (j.in_size / (j.out_size ? j.out_size : 1) + 1);
    ia_parallel_for(ia_kctx_pool(ctx), planes, 1 + 32768 / (work + 1), pool_planes, &j);
    if (X->dtype != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, X->dtype, Y->numel, j.y);
    return IA_OK;
}

int ia_op_average_pool(ia_kctx *ctx) { return pool_common(ctx, POOL_AVG, "AveragePool"); }
int ia_op_max_pool(ia_kctx *ctx) { return pool_common(ctx, POOL_MAX, "MaxPool"); }
int ia_op_lp_pool(ia_kctx *ctx) { return pool_common(ctx, POOL_LP, "LpPool"); }

/* ---------------- Global pools ---------------- */

static int global_pool(ia_kctx *ctx, int kind, const char *op) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs input X", op);
    if (!ia_nn_is_float(X->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", op, ia_dtype_name(X->dtype));
    if (X->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: X must have rank >= 2", op);
    double p = 2.0;
    if (kind == POOL_LP) {
        const ia_attr *pa = ia_kctx_attr(ctx, "p");
        p = pa ? (pa->type == IA_ATTR_FLOAT ? pa->f : (double)pa->i) : 2.0;
        if (!(p > 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: p must be positive", op);
    }
    int64_t odims[IA_MAX_DIMS];
    for (int i = 0; i < X->rank; i++) odims[i] = i < 2 ? X->dims[i] : 1;
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    int64_t planes = Y->numel, sz = planes ? X->numel / planes : 0;
    for (int64_t pl = 0; pl < planes; pl++) {
        double acc = kind == POOL_MAX ? -INFINITY : 0.0;
        if (X->dtype == IA_DTYPE_FLOAT) {
            const float *x = (const float *)X->data + pl * sz;
            for (int64_t i = 0; i < sz; i++) {
                if (kind == POOL_MAX) acc = x[i] > acc ? x[i] : acc;
                else if (kind == POOL_AVG) acc += x[i];
                else acc += pow(fabs((double)x[i]), p);
            }
        } else {
            for (int64_t i = 0; i < sz; i++) {
                double v = ia_get_f64(X->data, X->dtype, pl * sz + i);
                if (kind == POOL_MAX) acc = v > acc ? v : acc;
                else if (kind == POOL_AVG) acc += v;
                else acc += pow(fabs(v), p);
            }
        }
        if (kind == POOL_AVG) acc = sz ? acc / (double)sz : NAN;
        else if (kind == POOL_LP) acc = pow(acc, 1.0 / p);
        ia_set_f64(Y->data, X->dtype, pl, acc);
    }
    return IA_OK;
}

int ia_op_global_average_pool(ia_kctx *ctx) { return global_pool(ctx, POOL_AVG, "GlobalAveragePool"); }
int ia_op_global_max_pool(ia_kctx *ctx) { return global_pool(ctx, POOL_MAX, "GlobalMaxPool"); }
int ia_op_global_lp_pool(ia_kctx *ctx) { return global_pool(ctx, POOL_LP, "GlobalLpPool"); }

/* ---------------- MaxUnpool ---------------- */

int ia_op_max_unpool(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *I = ia_kctx_input(ctx, 1);
    if (!X || !I) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool needs inputs X and I");
    if (X->rank < 3 || X->rank > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_SHAPE, "MaxUnpool: X must have rank >= 3");
    if (I->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "MaxUnpool: I must be int64");
    if (I->rank != X->rank || memcmp(I->dims, X->dims, sizeof(int64_t) * (size_t)X->rank))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "MaxUnpool: I must have the shape of X");
    int nsp = X->rank - 2;
    const int64_t *ks;
    if (ia_kctx_attr_ints(ctx, "kernel_shape", &ks) != (size_t)nsp)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: kernel_shape must have %d values", nsp);
    int64_t s[MAX_SP], pads[2 * MAX_SP];
    const int64_t *v;
    size_t n = ia_kctx_attr_ints(ctx, "strides", &v);
    if (n && n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: strides must have %d values", nsp);
    for (int i = 0; i < nsp; i++) {
        s[i] = n ? v[i] : 1;
        if (s[i] < 1 || ks[i] < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: strides and kernel_shape must be >= 1");
    }
    n = ia_kctx_attr_ints(ctx, "pads", &v);
    if (n && n != 2 * (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: pads must have %d values", 2 * nsp);
    for (int i = 0; i < 2 * nsp; i++) {
        pads[i] = n ? v[i] : 0;
        if (pads[i] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: pads must be >= 0");
    }
    int64_t odims[IA_MAX_DIMS] = {X->dims[0], X->dims[1]}, dflt[IA_MAX_DIMS], dflt_plane = 1;
    for (int i = 0; i < nsp; i++) {
        odims[2 + i] = dflt[2 + i] = (X->dims[2 + i] - 1) * s[i] + ks[i] - pads[i] - pads[nsp + i];
        if (odims[2 + i] < 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "MaxUnpool: negative output size");
        dflt_plane *= dflt[2 + i];
    }
    if (ia_kctx_num_inputs(ctx) > 2 && ia_kctx_input(ctx, 2)) {
        const ia_tensor *os = ia_kctx_input_data(ctx, 2);
        if (!os) return IA_ERR_NEED_VALUE;
        int64_t tmp[IA_MAX_DIMS];
        if (os->rank != 1 || os->numel != X->rank || ia_read_ints(os, tmp, IA_MAX_DIMS) != X->rank)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: output_shape must be a 1-D integer tensor of %d values", X->rank);
        for (int i = 0; i < X->rank; i++) {
            if (i < 2 ? tmp[i] != X->dims[i] : tmp[i] < odims[i])
                IA_KFAIL(ctx, IA_ERR_SHAPE, "MaxUnpool: output_shape[%d]=%lld is not valid", i, (long long)tmp[i]);
            odims[i] = tmp[i];
        }
    }
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || X->numel == 0) return IA_OK;
    /* indices are flat positions in the default output shape (what MaxPool's input was, plane
     * offset included); an explicit, larger output_shape keeps each element's coordinates */
    int64_t planes = X->dims[0] * X->dims[1], out_plane = Y->numel / planes;
    const int64_t *idx = I->data;
    for (int64_t i = 0; i < X->numel; i++) {
        int64_t t = idx[i];
        if (t < 0 || t >= planes * dflt_plane)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MaxUnpool: index %lld out of range [0, %lld)", (long long)t,
                     (long long)(planes * dflt_plane));
        int64_t pl = t / dflt_plane, r = t % dflt_plane, off = 0, c[MAX_SP];
        for (int d = nsp - 1; d >= 0; d--) { c[d] = r % dflt[2 + d]; r /= dflt[2 + d]; }
        for (int d = 0; d < nsp; d++) off = off * odims[2 + d] + c[d];
        IA_KTRY(ia_copy_elems(Y->data, pl * out_plane + off, X->data, i, 1, X->dtype));
    }
    return IA_OK;
}
