/* ConvInteger and QLinearConv: quantized N-D convolution as im2col + the integer GEMM core. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/quant/qutil.h"

typedef struct {
    int nsp;                      /* spatial rank */
    int64_t N, C, M, group, Cg, Mg;
    int64_t in[IA_MAX_DIMS], k[IA_MAX_DIMS], out[IA_MAX_DIMS];
    int64_t stride[IA_MAX_DIMS], dil[IA_MAX_DIMS], pad[IA_MAX_DIMS]; /* pad: at the beginning */
    int64_t ksize, osize, isize;  /* products of k, out, in */
} conv_geom;

static int geometry(ia_kctx *ctx, const char *op, const ia_tensor *x, const ia_tensor *w, conv_geom *g) {
    if (x->rank < 3 || x->rank > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: x must have rank >= 3, got %d", op, x->rank);
    if (w->rank != x->rank) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: w has rank %d but x has rank %d", op, w->rank, x->rank);
    g->nsp = x->rank - 2;
    g->N = x->dims[0];
    g->C = x->dims[1];
    g->M = w->dims[0];
    g->group = ia_kctx_attr_int(ctx, "group", 1);
    if (g->group < 1 || g->C % g->group || g->M % g->group)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: group %lld must divide the %lld input and %lld output channels", op,
                 (long long)g->group, (long long)g->C, (long long)g->M);
    g->Cg = g->C / g->group;
    g->Mg = g->M / g->group;
    if (w->dims[1] != g->Cg)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: w has %lld input channels, expected %lld", op, (long long)w->dims[1], (long long)g->Cg);
    const int64_t *ks = NULL, *st = NULL, *dl = NULL, *pd = NULL;
    size_t nks = ia_kctx_attr_ints(ctx, "kernel_shape", &ks), nst = ia_kctx_attr_ints(ctx, "strides", &st);
    size_t ndl = ia_kctx_attr_ints(ctx, "dilations", &dl), npd = ia_kctx_attr_ints(ctx, "pads", &pd);
    size_t n = (size_t)g->nsp;
    if ((nks && nks != n) || (nst && nst != n) || (ndl && ndl != n) || (npd && npd != 2 * n))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: kernel_shape/strides/dilations/pads do not match %d spatial dims", op, g->nsp);
    const char *auto_pad = ia_kctx_attr_string(ctx, "auto_pad", "NOTSET");
    int mode = !strcmp(auto_pad, "NOTSET") ? 0 : !strcmp(auto_pad, "VALID") ? 1 : !strcmp(auto_pad, "SAME_UPPER") ? 2
             : !strcmp(auto_pad, "SAME_LOWER") ? 3 : -1;
    if (mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: unknown auto_pad '%s'", op, auto_pad);
    g->ksize = g->osize = g->isize = 1;
    for (int d = 0; d < g->nsp; d++) {
        g->in[d] = x->dims[d + 2];
        g->k[d] = w->dims[d + 2];
        if (nks && ks[d] != g->k[d])
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: kernel_shape[%d] = %lld but w has %lld", op, d, (long long)ks[d], (long long)g->k[d]);
        g->stride[d] = nst ? st[d] : 1;
        g->dil[d] = ndl ? dl[d] : 1;
        if (g->stride[d] < 1 || g->dil[d] < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: strides and dilations must be positive", op);
        if (g->k[d] < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: kernel dimension %d is empty", op, d);
        int64_t ext = (g->k[d] - 1) * g->dil[d] + 1, pb = 0, pe = 0;
        if (mode == 0) {
            pb = npd ? pd[d] : 0;
            pe = npd ? pd[d + n] : 0;
            if (pb < 0 || pe < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: pads must be non-negative", op);
        } else if (mode >= 2) {
            int64_t o = (g->in[d] + g->stride[d] - 1) / g->stride[d];
            int64_t total = (o - 1) * g->stride[d] + ext - g->in[d];
            if (total < 0) total = 0;
            pb = mode == 2 ? total / 2 : total - total / 2;
            pe = total - pb;
        }
        int64_t span = g->in[d] + pb + pe - ext;
        if (span < 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: the kernel is larger than the padded input in dimension %d", op, d);
        g->out[d] = span / g->stride[d] + 1;
        g->pad[d] = pb;
        g->ksize *= g->k[d];
        g->osize *= g->out[d];
        g->isize *= g->in[d];
    }
    return IA_OK;
}

/* col[(c * ksize + kk) * osize + o] = x[c, pos(kk, o)] - xz, or 0 where the kernel hits padding. */
static void im2col(const conv_geom *g, const void *xdata, int is_u8, int64_t base, int32_t xz, int16_t *col) {
    int64_t kidx[IA_MAX_DIMS], oidx[IA_MAX_DIMS];
    for (int64_t c = 0; c < g->Cg; c++) {
        int64_t cbase = base + c * g->isize;
        memset(kidx, 0, sizeof kidx);
        for (int64_t kk = 0; kk < g->ksize; kk++) {
            int16_t *row = col + (c * g->ksize + kk) * g->osize;
            memset(oidx, 0, sizeof oidx);
            for (int64_t o = 0; o < g->osize; o++) {
                int64_t off = 0, inside = 1;
                for (int d = 0; d < g->nsp; d++) {
                    int64_t p = oidx[d] * g->stride[d] - g->pad[d] + kidx[d] * g->dil[d];
                    if (p < 0 || p >= g->in[d]) { inside = 0; break; }
                    off = off * g->in[d] + p;
                }
                int32_t v = 0;
                if (inside) v = (is_u8 ? (int32_t)((const uint8_t *)xdata)[cbase + off] : (int32_t)((const int8_t *)xdata)[cbase + off]) - xz;
                row[o] = (int16_t)v;
                for (int d = g->nsp - 1; d >= 0; d--) { /* next output position */
                    if (++oidx[d] < g->out[d]) break;
                    oidx[d] = 0;
                }
            }
            for (int d = g->nsp - 1; d >= 0; d--) { /* next kernel offset */
                if (++kidx[d] < g->k[d]) break;
                kidx[d] = 0;
            }
        }
    }
}

static int check_operand(ia_kctx *ctx, const char *op, const ia_tensor *t, const char *name) {
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input %s is missing or not a tensor", op, name);
    if (t->dtype != IA_DTYPE_UINT8 && t->dtype != IA_DTYPE_INT8)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: %s must be uint8 or int8, got %s", op, name, ia_dtype_name(t->dtype));
    return IA_OK;
}

/* acc[N, M, out...] = conv(x - xz, w - wz[m]) with int32 accumulation. */
static int qconv(ia_kctx *ctx, const char *op, const conv_geom *g, const ia_tensor *x, const ia_tensor *xz_t,
                 const ia_tensor *w, const ia_tensor *wz_t, int32_t *acc) {
    if ((x->numel && !x->data) || (w->numel && !w->data)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: operand has no data", op);
    int32_t *xz, *wz;
    IA_KTRY(ia__q_read_zp(ctx, xz_t, x->dtype, 1, "x_zero_point", &xz));
    IA_KTRY(ia__q_read_zp(ctx, wz_t, w->dtype, g->M, "w_zero_point", &wz));
    int64_t kdim = g->Cg * g->ksize;
    int16_t *wq = ia_kctx_scratch(ctx, (size_t)(w->numel > 0 ? w->numel : 1) * sizeof *wq);
    if ((double)kdim * (double)g->osize > 1e12) IA_KFAIL(ctx, IA_ERR_LIMIT, "%s: convolution too large", op);
    int16_t *col = ia_kctx_scratch(ctx, (size_t)(kdim * g->osize > 0 ? kdim * g->osize : 1) * sizeof *col);
    if (!wq || !col) IA_KFAIL(ctx, IA_ERR_NOMEM, "%s: out of memory", op);
    for (int64_t m = 0; m < g->M; m++)
        for (int64_t i = 0; i < kdim; i++) {
            int64_t j = m * kdim + i;
            int32_t v = w->dtype == IA_DTYPE_UINT8 ? ((const uint8_t *)w->data)[j] : ((const int8_t *)w->data)[j];
            wq[j] = (int16_t)(v - wz[m]);
        }
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t gr = 0; gr < g->group; gr++) {
            im2col(g, x->data, x->dtype == IA_DTYPE_UINT8, (n * g->C + gr * g->Cg) * g->isize, xz[0], col);
            ia__qgemm(ia_kctx_pool(ctx), g->Mg, g->osize, kdim, wq + gr * g->Mg * kdim, col,
                      acc + (n * g->M + gr * g->Mg) * g->osize);
        }
    return IA_OK;
}

static void out_dims(const conv_geom *g, int64_t *dims) {
    dims[0] = g->N;
    dims[1] = g->M;
    for (int d = 0; d < g->nsp; d++) dims[d + 2] = g->out[d];
}

int ia_op_conv_integer(ia_kctx *ctx) {
    const char *op = "ConvInteger";
    const ia_tensor *x = ia_kctx_input(ctx, 0), *w = ia_kctx_input(ctx, 1);
    IA_KTRY(check_operand(ctx, op, x, "x"));
    IA_KTRY(check_operand(ctx, op, w, "w"));
    conv_geom g;
    IA_KTRY(geometry(ctx, op, x, w, &g));
    int64_t dims[IA_MAX_DIMS];
    out_dims(&g, dims);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT32, x->rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    return qconv(ctx, op, &g, x, ia_kctx_input(ctx, 2), w, ia_kctx_input(ctx, 3), y->data);
}

int ia_op_qlinear_conv(ia_kctx *ctx) {
    const char *op = "QLinearConv";
    const ia_tensor *x = ia_kctx_input(ctx, 0), *w = ia_kctx_input(ctx, 3), *yz_t = ia_kctx_input(ctx, 7);
    const ia_tensor *bias = ia_kctx_input(ctx, 8);
    IA_KTRY(check_operand(ctx, op, x, "x"));
    IA_KTRY(check_operand(ctx, op, w, "w"));
    int ydt = yz_t ? yz_t->dtype : x->dtype;
    if (ydt != IA_DTYPE_UINT8 && ydt != IA_DTYPE_INT8) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: y_zero_point must be uint8 or int8", op);
    conv_geom g;
    IA_KTRY(geometry(ctx, op, x, w, &g));
    if (bias && (bias->dtype != IA_DTYPE_INT32 || bias->numel != g.M))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: bias must be int32 with %lld elements", op, (long long)g.M);
    int64_t dims[IA_MAX_DIMS];
    out_dims(&g, dims);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, ydt, x->rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    float *xs, *ws, *ys;
    int32_t *yz;
    IA_KTRY(ia__q_read_scale(ctx, ia_kctx_input(ctx, 1), 1, "QLinearConv: x_scale", &xs));
    IA_KTRY(ia__q_read_scale(ctx, ia_kctx_input(ctx, 4), g.M, "QLinearConv: w_scale", &ws));
    IA_KTRY(ia__q_read_scale(ctx, ia_kctx_input(ctx, 6), 1, "QLinearConv: y_scale", &ys));
    IA_KTRY(ia__q_read_zp(ctx, yz_t, ydt, 1, "QLinearConv: y_zero_point", &yz));
    if (!(ys[0] != 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: y_scale must be non-zero", op);
    if (bias && bias->numel && !bias->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: bias has no data", op);
    int32_t *acc = ia_kctx_scratch(ctx, (size_t)(y->numel > 0 ? y->numel : 1) * sizeof *acc);
    if (!acc) IA_KFAIL(ctx, IA_ERR_NOMEM, "%s: out of memory", op);
    IA_KTRY(qconv(ctx, op, &g, x, ia_kctx_input(ctx, 2), w, ia_kctx_input(ctx, 5), acc));
    int32_t lo, hi;
    ia__q_range(ydt, &lo, &hi);
    const int32_t z = yz[0];
    for (int64_t n = 0, i = 0; n < g.N; n++)
        for (int64_t m = 0; m < g.M; m++) {
            double mult = (double)xs[0] * (double)ws[m] / (double)ys[0];
            int64_t b = bias ? ((const int32_t *)bias->data)[m] : 0;
            for (int64_t o = 0; o < g.osize; o++, i++) {
                int32_t q = ia__q_round_sat((double)(acc[i] + b) * mult, lo - z, hi - z) + z;
                if (ydt == IA_DTYPE_UINT8) ((uint8_t *)y->data)[i] = (uint8_t)q;
                else ((int8_t *)y->data)[i] = (int8_t)q;
            }
        }
    return IA_OK;
}
