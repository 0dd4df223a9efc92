/* Conv and ConvTranspose (N-D, groups, dilations, strides, pads, auto_pad) via im2col /
 * col2im around the shared blocked GEMM; a direct loop for double. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"
#include "ops/nn/nn_util.h"

#define MAX_SP (IA_MAX_DIMS - 2)
#define COL_LIMIT ((int64_t)1 << 24) /* floats of im2col buffer per chunk (64 MiB) */

static int conv_dtype_ok(int dt) {
    return dt == IA_DTYPE_FLOAT || dt == IA_DTYPE_DOUBLE || dt == IA_DTYPE_FLOAT16 || dt == IA_DTYPE_BFLOAT16;
}

/* Geometry of one convolution: spatial sizes and window parameters. */
typedef struct conv_geo {
    int nsp;
    int64_t in[MAX_SP], out[MAX_SP], k[MAX_SP], s[MAX_SP], d[MAX_SP], p[2 * MAX_SP];
    int64_t in_size, out_size, k_size; /* products */
} conv_geo;

/* ---- im2col: rows are (channel, kernel offset), columns output positions [o0, o1) ---- */
typedef struct im2col_job {
    const conv_geo *g;
    const float *x; /* first channel of the group */
    float *col;
    int64_t o0, o1;
} im2col_job;

static void im2col_rows(void *arg, int64_t begin, int64_t end, int tid) {
    const im2col_job *j = arg;
    const conv_geo *g = j->g;
    (void)tid;
    int nsp = g->nsp, last = nsp - 1;
    for (int64_t r = begin; r < end; r++) {
        int64_t c = r / g->k_size, kr = r % g->k_size;
        int64_t ko[MAX_SP];
        for (int i = last; i >= 0; i--) { ko[i] = kr % g->k[i]; kr /= g->k[i]; }
        const float *xc = j->x + c * g->in_size;
        float *dst = j->col + r * (j->o1 - j->o0);
        /* walk the output positions with a multi-index; the last dim is the inner loop */
        int64_t oi[MAX_SP], t = j->o0;
        for (int i = last; i >= 0; i--) { oi[i] = t % g->out[i]; t /= g->out[i]; }
        int64_t o = j->o0;
        while (o < j->o1) {
            int64_t base = 0, ok = 1;
            for (int i = 0; i < last; i++) {
                int64_t x = oi[i] * g->s[i] + ko[i] * g->d[i] - g->p[i];
                if (x < 0 || x >= g->in[i]) { ok = 0; break; }
                base = base * g->in[i] + x;
            }
            int64_t run = g->out[last] - oi[last];
            if (run > j->o1 - o) run = j->o1 - o;
            int64_t s = g->s[last], off = ko[last] * g->d[last] - g->p[last], w = g->in[last];
            if (!ok) memset(dst, 0, (size_t)run * sizeof(float));
            else {
                const float *row = xc + base * w;
                for (int64_t q = 0; q < run; q++) {
                    int64_t x = (oi[last] + q) * s + off;
                    dst[q] = x >= 0 && x < w ? row[x] : 0.0f;
                }
            }
            dst += run;
            o += run;
            oi[last] = 0;
            for (int i = last - 1; i >= 0; i--) {
                if (++oi[i] < g->out[i]) break;
                oi[i] = 0;
            }
        }
    }
}

/* Sets up the geometry from input spatial dims and kernel dims (reads attributes). */
static int conv_setup(ia_kctx *ctx, const char *op, const ia_tensor *X, const ia_tensor *W, conv_geo *g) {
    g->nsp = X->rank - 2;
    const int64_t *ks;
    size_t nk = ia_kctx_attr_ints(ctx, "kernel_shape", &ks);
    if (nk && nk != (size_t)g->nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: kernel_shape has %zu values, expected %d", op, nk, g->nsp);
    g->in_size = g->k_size = 1;
    for (int i = 0; i < g->nsp; i++) {
        g->in[i] = X->dims[2 + i];
        g->k[i] = W->dims[2 + i];
        if (nk && ks[i] != g->k[i]) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: kernel_shape disagrees with W", op);
        g->in_size *= g->in[i];
        g->k_size *= g->k[i];
    }
    return IA_OK;
}

/* Direct convolution in double (reference path for float64). */
static void conv_direct_f64(const conv_geo *g, int64_t N, int64_t C, int64_t M, int64_t group, const double *x,
                            const double *w, const double *b, double *y) {
    int64_t cg = C / group, mg = M / group;
    for (int64_t n = 0; n < N; n++)
        for (int64_t m = 0; m < M; m++) {
            int64_t grp = m / mg;
            for (int64_t o = 0; o < g->out_size; o++) {
                int64_t oi[MAX_SP], t = o;
                for (int i = g->nsp - 1; i >= 0; i--) { oi[i] = t % g->out[i]; t /= g->out[i]; }
                double s = b ? b[m] : 0.0;
                for (int64_t c = 0; c < cg; c++)
                    for (int64_t kk = 0; kk < g->k_size; kk++) {
                        int64_t kr = kk, off = 0, ok = 1, ko[MAX_SP];
                        for (int i = g->nsp - 1; i >= 0; i--) { ko[i] = kr % g->k[i]; kr /= g->k[i]; }
                        for (int i = 0; i < g->nsp && ok; i++) {
                            int64_t xi = oi[i] * g->s[i] + ko[i] * g->d[i] - g->p[i];
                            if (xi < 0 || xi >= g->in[i]) ok = 0;
                            off = off * g->in[i] + xi;
                        }
                        if (ok) s += x[((n * C) + grp * cg + c) * g->in_size + off] * w[(m * cg + c) * g->k_size + kk];
                    }
                y[(n * M + m) * g->out_size + o] = s;
            }
        }
}

/* ---- depthwise (one input channel per group), 1-D and 2-D: per output row and kernel tap, a
 * contiguous axpy over the output positions whose input lies inside the image ---- */
typedef struct dw_job {
    const conv_geo *g;
    const float *x, *w, *b;
    float *y;
    int64_t C, M;
} dw_job;

static void dw_planes(void *arg, int64_t begin, int64_t end, int tid) {
    const dw_job *j = arg;
    const conv_geo *g = j->g;
    (void)tid;
    int two = g->nsp == 2;
    int64_t H = two ? g->in[0] : 1, W = g->in[two], OH = two ? g->out[0] : 1, OW = g->out[two];
    int64_t KH = two ? g->k[0] : 1, KW = g->k[two], sh = two ? g->s[0] : 1, sw = g->s[two];
    int64_t dh = two ? g->d[0] : 1, dw = g->d[two], pt = two ? g->p[0] : 0, pl = g->p[two];
    int64_t mult = j->M / j->C;
    for (int64_t q = begin; q < end; q++) {
        int64_t n = q / j->M, m = q % j->M;
        const float *xp = j->x + (n * j->C + m / mult) * H * W, *wp = j->w + m * KH * KW;
        float *yp = j->y + q * OH * OW;
        float bias = j->b ? j->b[m] : 0.0f;
        for (int64_t oh = 0; oh < OH; oh++) {
            float *yr = yp + oh * OW;
            for (int64_t ow = 0; ow < OW; ow++) yr[ow] = bias;
            for (int64_t kh = 0; kh < KH; kh++) {
                int64_t ih = oh * sh - pt + kh * dh;
                if (ih < 0 || ih >= H) continue;
                const float *xr = xp + ih * W;
                for (int64_t kw = 0; kw < KW; kw++) {
                    float wv = wp[kh * KW + kw];
                    int64_t off = kw * dw - pl;
                    int64_t lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
                    int64_t hi = W - 1 - off >= 0 ? (W - 1 - off) / sw + 1 : 0;
                    if (hi > OW) hi = OW;
                    if (sw == 1) {
                        const float *xs = xr + off;
                        for (int64_t ow = lo; ow < hi; ow++) yr[ow] += wv * xs[ow];
                    } else {
                        for (int64_t ow = lo; ow < hi; ow++) yr[ow] += wv * xr[ow * sw + off];
                    }
                }
            }
        }
    }
}

int ia_op_conv(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *W = ia_kctx_input(ctx, 1), *B = ia_kctx_input(ctx, 2);
    if (!X || !W) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Conv needs inputs X and W");
    if (!conv_dtype_ok(X->dtype) || W->dtype != X->dtype || (B && B->dtype != X->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "Conv: X, W, B must share one float dtype");
    if (X->rank < 3 || X->rank > IA_MAX_DIMS || W->rank != X->rank)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Conv: X and W must have the same rank >= 3");
    int64_t N = X->dims[0], C = X->dims[1], M = W->dims[0];
    int64_t group = ia_kctx_attr_int(ctx, "group", 1);
    if (group < 1 || C % group || M % group || W->dims[1] != C / group)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Conv: channels (X %lld, W %lldx%lld) do not fit group %lld", (long long)C,
                 (long long)M, (long long)W->dims[1], (long long)group);
    if (B && (B->rank != 1 || B->dims[0] != M)) IA_KFAIL(ctx, IA_ERR_SHAPE, "Conv: B must be 1-D of size %lld", (long long)M);
    conv_geo g;
    IA_KTRY(conv_setup(ctx, "Conv", X, W, &g));
    IA_KTRY(ia_nn_window_geom(ctx, "Conv", g.nsp, g.in, g.k, 0, 1, g.s, g.d, g.p, g.out));
    int64_t odims[IA_MAX_DIMS] = {N, M};
    g.out_size = 1;
    for (int i = 0; i < g.nsp; i++) { odims[2 + i] = g.out[i]; g.out_size *= g.out[i]; }
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    if (X->dtype == IA_DTYPE_DOUBLE) {
        conv_direct_f64(&g, N, C, M, group, X->data, W->data, B ? B->data : NULL, Y->data);
        return IA_OK;
    }
    const float *x = X->data, *w = W->data, *b = B ? B->data : NULL;
    float *y = Y->data;
    if (X->dtype != IA_DTYPE_FLOAT) {
        int64_t bn = B ? M : 0;
        float *t = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(X->numel + W->numel + bn + Y->numel));
        if (!t) return IA_ERR_NOMEM;
        ia_nn_load_f32(X->data, X->dtype, X->numel, t);
        ia_nn_load_f32(W->data, X->dtype, W->numel, t + X->numel);
        if (B) ia_nn_load_f32(B->data, X->dtype, bn, t + X->numel + W->numel);
        x = t;
        w = t + X->numel;
        b = B ? t + X->numel + W->numel : NULL;
        y = t + X->numel + W->numel + bn;
    }
    int64_t cg = C / group, mg = M / group, rows = cg * g.k_size;
    if (cg == 1 && group > 1 && g.nsp <= 2) {
        dw_job j = {&g, x, w, b, y, C, M};
        ia_parallel_for(ia_kctx_pool(ctx), N * M, 1 + 4096 / (g.out_size * g.k_size + 1), dw_planes, &j);
        if (X->dtype != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, X->dtype, Y->numel, y);
        return IA_OK;
    }
    int direct = 1; /* 1x1 kernel, unit stride, no padding: X is already the column matrix */
    for (int i = 0; i < g.nsp; i++)
        if (g.k[i] != 1 || g.s[i] != 1 || g.p[i] || g.p[g.nsp + i]) direct = 0;
    int64_t chunk = g.out_size;
    if (!direct && rows * chunk > COL_LIMIT) {
        chunk = COL_LIMIT / (rows > 0 ? rows : 1);
        if (chunk < 64) chunk = 64;
        if (chunk > g.out_size) chunk = g.out_size;
    }
    float *col = direct ? NULL : ia_aligned_alloc(sizeof(float) * (size_t)(rows * chunk > 0 ? rows * chunk : 1));
    if (!direct && !col) IA_KFAIL(ctx, IA_ERR_NOMEM, "Conv: out of memory for im2col buffer");
    int rc = IA_OK;
    for (int64_t n = 0; n < N && !rc; n++)
        for (int64_t gr = 0; gr < group && !rc; gr++) {
            const float *xg = x + (n * C + gr * cg) * g.in_size;
            float *yg = y + (n * M + gr * mg) * g.out_size;
            for (int64_t o0 = 0; o0 < g.out_size && !rc; o0 += chunk) {
                int64_t o1 = o0 + chunk < g.out_size ? o0 + chunk : g.out_size, width = o1 - o0;
                float beta = 0.0f;
                if (b) {
                    for (int64_t m = 0; m < mg; m++)
                        for (int64_t o = o0; o < o1; o++) yg[m * g.out_size + o] = b[gr * mg + m];
                    beta = 1.0f;
                }
                const float *bm;
                int64_t ldb;
                if (direct) {
                    bm = xg + o0;
                    ldb = g.out_size;
                } else {
                    im2col_job j = {&g, xg, col, o0, o1};
                    int64_t grain = 1 + 16384 / (width > 0 ? width : 1);
                    ia_parallel_for(ia_kctx_pool(ctx), rows, grain, im2col_rows, &j);
                    bm = col;
                    ldb = width;
                }
                rc = ia_gemm_f32(ia_kctx_pool(ctx), 0, 0, mg, width, rows, 1.0f, w + gr * mg * rows, rows, bm, ldb,
                                 beta, yg + o0, g.out_size);
            }
        }
    ia_aligned_free(col);
    if (rc) IA_KFAIL(ctx, rc, "Conv: out of memory");
    if (X->dtype != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, X->dtype, Y->numel, y);
    return IA_OK;
}

/* ---------------- ConvTranspose ---------------- */

static int64_t floordiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int ia_op_conv_transpose(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *W = ia_kctx_input(ctx, 1), *B = ia_kctx_input(ctx, 2);
    if (!X || !W) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose needs inputs X and W");
    if (!conv_dtype_ok(X->dtype) || W->dtype != X->dtype || (B && B->dtype != X->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "ConvTranspose: X, W, B must share one float dtype");
    if (X->rank < 3 || X->rank > IA_MAX_DIMS || W->rank != X->rank)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "ConvTranspose: X and W must have the same rank >= 3");
    int64_t N = X->dims[0], C = X->dims[1];
    int64_t group = ia_kctx_attr_int(ctx, "group", 1);
    if (group < 1 || C % group || W->dims[0] != C)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "ConvTranspose: channels (X %lld, W %lld) do not fit group %lld", (long long)C,
                 (long long)W->dims[0], (long long)group);
    int64_t mg = W->dims[1], M = mg * group, cg = C / group;
    if (B && (B->rank != 1 || B->dims[0] != M)) IA_KFAIL(ctx, IA_ERR_SHAPE, "ConvTranspose: B must be 1-D of size %lld", (long long)M);
    conv_geo g;
    IA_KTRY(conv_setup(ctx, "ConvTranspose", X, W, &g));
    int nsp = g.nsp;
    const int64_t *v;
    size_t n;
    int64_t outpad[MAX_SP] = {0}, oshape[MAX_SP];
    for (int i = 0; i < nsp; i++) { g.s[i] = g.d[i] = 1; g.p[i] = g.p[nsp + i] = 0; }
    if ((n = ia_kctx_attr_ints(ctx, "strides", &v))) {
        if (n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: strides needs %d values", nsp);
        for (int i = 0; i < nsp; i++) if ((g.s[i] = v[i]) < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: strides must be >= 1");
    }
    if ((n = ia_kctx_attr_ints(ctx, "dilations", &v))) {
        if (n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: dilations needs %d values", nsp);
        for (int i = 0; i < nsp; i++) if ((g.d[i] = v[i]) < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: dilations must be >= 1");
    }
    if ((n = ia_kctx_attr_ints(ctx, "output_padding", &v))) {
        if (n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: output_padding needs %d values", nsp);
        for (int i = 0; i < nsp; i++) {
            outpad[i] = v[i];
            if (v[i] < 0 || (v[i] >= g.s[i] && v[i] >= g.d[i]))
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: output_padding must be less than stride or dilation");
        }
    }
    const char *ap = ia_kctx_attr_string(ctx, "auto_pad", "NOTSET");
    int mode = !strcmp(ap, "NOTSET") ? 0 : !strcmp(ap, "SAME_UPPER") ? 1 : !strcmp(ap, "SAME_LOWER") ? 2 : !strcmp(ap, "VALID") ? 3 : -1;
    if (mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: unknown auto_pad '%s'", ap);
    size_t nos = ia_kctx_attr_ints(ctx, "output_shape", &v);
    if (nos) {
        if (nos != (size_t)nsp && nos != (size_t)nsp + 2)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: output_shape needs %d values", nsp);
        for (int i = 0; i < nsp; i++) oshape[i] = v[nos - (size_t)nsp + (size_t)i];
    }
    if (!nos && mode == 0 && (n = ia_kctx_attr_ints(ctx, "pads", &v))) {
        if (n != 2 * (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: pads needs %d values", 2 * nsp);
        for (int i = 0; i < 2 * nsp; i++) if ((g.p[i] = v[i]) < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConvTranspose: pads must be >= 0");
    }
    g.out_size = 1;
    for (int i = 0; i < nsp; i++) {
        int64_t full = g.s[i] * (g.in[i] - 1) + outpad[i] + (g.k[i] - 1) * g.d[i] + 1;
        if (nos || mode == 1 || mode == 2) {
            int64_t want = nos ? oshape[i] : g.in[i] * g.s[i];
            int64_t total = full - want;
            if (mode == 1) { g.p[i] = floordiv(total, 2); g.p[nsp + i] = total - g.p[i]; }
            else { g.p[nsp + i] = floordiv(total, 2); g.p[i] = total - g.p[nsp + i]; }
        }
        g.out[i] = full - g.p[i] - g.p[nsp + i];
        if (g.out[i] < 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "ConvTranspose: negative output size");
        g.out_size *= g.out[i];
    }
    int64_t odims[IA_MAX_DIMS] = {N, M};
    for (int i = 0; i < nsp; i++) odims[2 + i] = g.out[i];
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    /* compute in float (double inputs too: converted), col = W_g^T * X_g, then col2im */
    int64_t bn = B ? M : 0, rows = mg * g.k_size;
    float *x = X->data, *w = W->data, *b = B ? B->data : NULL, *y = Y->data;
    if (X->dtype != IA_DTYPE_FLOAT) {
        float *t = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(X->numel + W->numel + bn + Y->numel));
        if (!t) return IA_ERR_NOMEM;
        ia_nn_load_f32(X->data, X->dtype, X->numel, t);
        ia_nn_load_f32(W->data, X->dtype, W->numel, t + X->numel);
        if (B) ia_nn_load_f32(B->data, X->dtype, bn, t + X->numel + W->numel);
        x = t;
        w = t + X->numel;
        b = B ? t + X->numel + W->numel : NULL;
        y = t + X->numel + W->numel + bn;
    }
    float *col = ia_aligned_alloc(sizeof(float) * (size_t)(rows * g.in_size > 0 ? rows * g.in_size : 1));
    if (!col) IA_KFAIL(ctx, IA_ERR_NOMEM, "ConvTranspose: out of memory");
    int rc = IA_OK;
    for (int64_t nn = 0; nn < N && !rc; nn++)
        for (int64_t gr = 0; gr < group && !rc; gr++) {
            rc = ia_gemm_f32(ia_kctx_pool(ctx), 1, 0, rows, g.in_size, cg, 1.0f, w + gr * cg * rows, rows,
                             x + (nn * C + gr * cg) * g.in_size, g.in_size, 0.0f, col, g.in_size);
            float *yg = y + (nn * M + gr * mg) * g.out_size;
            for (int64_t m = 0; m < mg; m++) {
                float bias = b ? b[gr * mg + m] : 0.0f;
                for (int64_t o = 0; o < g.out_size; o++) yg[m * g.out_size + o] = bias;
            }
            for (int64_t r = 0; r < rows; r++) {
                int64_t m = r / g.k_size, kr = r % g.k_size, ko[MAX_SP];
                for (int i = nsp - 1; i >= 0; i--) { ko[i] = kr % g.k[i]; kr /= g.k[i]; }
                const float *cr = col + r * g.in_size;
                float *ym = yg + m * g.out_size;
                for (int64_t ii = 0; ii < g.in_size; ii++) {
                    int64_t t = ii, off = 0, ok = 1, ix[MAX_SP];
                    for (int i = nsp - 1; i >= 0; i--) { ix[i] = t % g.in[i]; t /= g.in[i]; }
                    for (int i = 0; i < nsp; i++) {
                        int64_t oc = ix[i] * g.s[i] + ko[i] * g.d[i] - g.p[i];
                        if (oc < 0 || oc >= g.out[i]) { ok = 0; break; }
                        off = off * g.out[i] + oc;
                    }
                    if (ok) ym[off] += cr[ii];
                }
            }
        }
    ia_aligned_free(col);
    if (rc) IA_KFAIL(ctx, rc, "ConvTranspose: out of memory");
    if (X->dtype != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, X->dtype, Y->numel, y);
    return IA_OK;
}
