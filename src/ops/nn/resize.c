/* Resize (opset 10/11/13: nearest/linear/cubic, every coordinate transformation mode) and
 * Upsample (opset 7/9), as a separable tap table per axis applied in one N-D pass. */
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

#define MAX_TAPS 4

enum { M_NEAREST, M_LINEAR, M_CUBIC };
enum { CT_HALF_PIXEL, CT_PYTORCH_HALF_PIXEL, CT_ALIGN_CORNERS, CT_ASYMMETRIC, CT_TF_HALF_PIXEL_FOR_NN, CT_TF_CROP_AND_RESIZE };
enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE };

typedef struct resize_params {
    int mode, ctm, nearest_mode, exclude_outside;
    double cubic_a, extrapolation;
} resize_params;

/* Taps of one axis: for output index x, n[x] taps (input index, weight); out[x] flags a
 * coordinate outside the crop box (tf_crop_and_resize: the extrapolation value is used). */
typedef struct axis_taps {
    int64_t *idx;
    double *w;
    uint8_t *n, *outside;
} axis_taps;

static void cubic_coeffs(double r, double a, double *c) {
    c[0] = ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a;
    c[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
    c[2] = ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1;
    c[3] = ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a;
}

static void build_axis(const resize_params *p, int64_t in, int64_t out, double scale, double roi0, double roi1,
                       axis_taps *t) {
    /* as the ONNX reference: the "output length" in the formulas is in * scale, unrounded */
    double ow = (double)in * scale;
    for (int64_t x = 0; x < out; x++) {
        double xo;
        t->outside[x] = 0;
        switch (p->ctm) {
        case CT_ALIGN_CORNERS: xo = ow == 1 ? 0.0 : (double)x * (double)(in - 1) / (ow - 1); break;
        case CT_ASYMMETRIC: xo = (double)x / scale; break;
        case CT_TF_HALF_PIXEL_FOR_NN: xo = ((double)x + 0.5) / scale; break;
        case CT_PYTORCH_HALF_PIXEL: xo = ow == 1 ? -0.5 : ((double)x + 0.5) / scale - 0.5; break;
        case CT_TF_CROP_AND_RESIZE:
            xo = ow == 1 ? (roi1 - roi0) * (double)(in - 1) / 2
                         : (double)x * (roi1 - roi0) * (double)(in - 1) / (ow - 1);
            xo += roi0 * (double)(in - 1);
            if (xo < 0 || xo > (double)(in - 1)) t->outside[x] = 1;
            break;
        default: xo = ((double)x + 0.5) / scale - 0.5;
        }
        double fl = floor(xo), r = xo - fl;
        int64_t base = (int64_t)fl;
        if (r == 0.0) { base -= 1; r = 1.0; } /* integral: the reference's (k-1, ratio 1) form */
        int64_t *ix = t->idx + x * MAX_TAPS;
        double *w = t->w + x * MAX_TAPS;
        int n;
        if (p->mode == M_NEAREST) {
            int up;
            if (r == 1.0) up = 1;
            else switch (p->nearest_mode) {
                case NM_ROUND_PREFER_CEIL: up = r >= 0.5; break;
                case NM_FLOOR: up = 0; break;
                case NM_CEIL: up = 1; break;
                case NM_SIMPLE: up = scale < 1.0; break;
                default: up = r > 0.5;
                }
            ix[0] = base + up;
            w[0] = 1.0;
            n = 1;
        } else if (p->mode == M_LINEAR) {
            ix[0] = base; w[0] = 1.0 - r;
            ix[1] = base + 1; w[1] = r;
            n = 2;
        } else {
            cubic_coeffs(r, p->cubic_a, w);
            for (int i = 0; i < 4; i++) ix[i] = base - 1 + i;
            n = 4;
        }
        if (p->exclude_outside && p->mode != M_NEAREST) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (ix[i] < 0 || ix[i] >= in) w[i] = 0;
                sum += w[i];
            }
            if (sum != 0)
                for (int i = 0; i < n; i++) w[i] /= sum;
        }
        /* clamp (edge padding) and drop zero weights */
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] == 0.0 && n > 1) continue;
            int64_t c = ix[i] < 0 ? 0 : ix[i] >= in ? in - 1 : ix[i];
            ix[m] = c;
            w[m] = w[i];
            m++;
        }
        if (m == 0) { ix[0] = 0; w[0] = 0.0; m = 1; }
        t->n[x] = (uint8_t)m;
    }
}

typedef struct resize_job {
    int rank;
    const int64_t *odims;
    int64_t istr[IA_MAX_DIMS];
    axis_taps *ax;
    const float *x;
    float *y;
    float extrap;
} resize_job;

static void resize_range(void *arg, int64_t begin, int64_t end, int tid) {
    const resize_job *j = arg;
    (void)tid;
    int rank = j->rank;
    int64_t oi[IA_MAX_DIMS], t = begin;
    for (int d = rank - 1; d >= 0; d--) { oi[d] = t % j->odims[d]; t /= j->odims[d]; }
    for (int64_t o = begin; o < end; o++) {
        int outside = 0;
        for (int d = 0; d < rank; d++) outside |= j->ax[d].outside[oi[d]];
        if (outside) j->y[o] = j->extrap;
        else {
            int k[IA_MAX_DIMS] = {0};
            double acc = 0;
            for (;;) {
                int64_t off = 0;
                double w = 1.0;
                for (int d = 0; d < rank; d++) {
                    off += j->ax[d].idx[oi[d] * MAX_TAPS + k[d]] * j->istr[d];
                    w *= j->ax[d].w[oi[d] * MAX_TAPS + k[d]];
                }
                acc += w * j->x[off];
                int d = rank - 1;
                for (; d >= 0; d--) {
                    if (++k[d] < j->ax[d].n[oi[d]]) break;
                    k[d] = 0;
                }
                if (d < 0) break;
            }
            j->y[o] = (float)acc;
        }
        for (int d = rank - 1; d >= 0; d--) {
            if (++oi[d] < j->odims[d]) break;
            oi[d] = 0;
        }
    }
}

/* Resamples X into output 0 with the given output dims and per-axis scales. */
static int resize_run(ia_kctx *ctx, const ia_tensor *X, const int64_t *odims, const double *scales, const double *roi,
                      const resize_params *p) {
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, X->rank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    if (X->numel == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "Resize: cannot resize an empty input to a non-empty output");
    int rank = X->rank;
    int64_t total_out = 0;
    for (int d = 0; d < rank; d++) total_out += odims[d];
    size_t bytes = (size_t)total_out * (MAX_TAPS * (sizeof(int64_t) + sizeof(double)) + 2);
    uint8_t *mem = ia_kctx_scratch(ctx, bytes + sizeof(float) * (size_t)(X->dtype == IA_DTYPE_FLOAT ? 0 : X->numel + Y->numel) + 16);
    if (!mem) return IA_ERR_NOMEM;
    axis_taps ax[IA_MAX_DIMS];
    int64_t *ip = (int64_t *)mem;
    double *wp = (double *)(ip + total_out * MAX_TAPS);
    uint8_t *np_ = (uint8_t *)(wp + total_out * MAX_TAPS);
    for (int d = 0; d < rank; d++) {
        ax[d].idx = ip;
        ax[d].w = wp;
        ax[d].n = np_;
        ax[d].outside = np_ + odims[d];
        build_axis(p, X->dims[d], odims[d], scales[d], roi ? roi[d] : 0.0, roi ? roi[rank + d] : 1.0, &ax[d]);
        ip += odims[d] * MAX_TAPS;
        wp += odims[d] * MAX_TAPS;
        np_ += 2 * odims[d];
    }
    resize_job j = {rank, odims, {0}, ax, X->data, Y->data, (float)p->extrapolation};
    ia_strides(rank, X->dims, j.istr);
    if (X->dtype != IA_DTYPE_FLOAT) {
        float *f = (float *)(((uintptr_t)np_ + 15) & ~(uintptr_t)15);
        ia_nn_load_f32(X->data, X->dtype, X->numel, f);
        j.x = f;
        j.y = f + X->numel;
    }
    ia_parallel_for(ia_kctx_pool(ctx), Y->numel, 16384, resize_range, &j);
    if (X->dtype != IA_DTYPE_FLOAT) {
        if (ia_dtype_is_integer(X->dtype))
            for (int64_t i = 0; i < Y->numel; i++) ia_set_f64(Y->data, X->dtype, i, nearbyint(j.y[i]));
        else ia_nn_store_f32(Y->data, X->dtype, Y->numel, j.y);
    }
    return IA_OK;
}

static int resize_dtype_ok(int dt) {
    return ia_nn_is_float(dt) || ia_dtype_is_integer(dt);
}

static int parse_mode(ia_kctx *ctx, const char *op, resize_params *p) {
    const char *m = ia_kctx_attr_string(ctx, "mode", "nearest");
    if (!strcmp(m, "nearest")) p->mode = M_NEAREST;
    else if (!strcmp(m, "linear") || !strcmp(m, "bilinear") || !strcmp(m, "trilinear")) p->mode = M_LINEAR;
    else if (!strcmp(m, "cubic")) p->mode = M_CUBIC;
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: unknown mode '%s'", op, m);
    return IA_OK;
}

/* Output dims from scales (floor(in * scale)). */
static int dims_from_scales(ia_kctx *ctx, const char *op, const ia_tensor *X, const double *sc, int64_t *odims) {
    for (int d = 0; d < X->rank; d++) {
        if (!(sc[d] > 0) || !isfinite(sc[d])) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: scale %g must be positive", op, sc[d]);
        double v = floor((double)X->dims[d] * sc[d]);
        if (v > 9.2e18) IA_KFAIL(ctx, IA_ERR_LIMIT, "%s: output too large", op);
        odims[d] = (int64_t)v;
    }
    return IA_OK;
}

int ia_op_resize(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize needs input X");
    if (!resize_dtype_ok(X->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Resize does not support %s", ia_dtype_name(X->dtype));
    if (X->rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Resize: X must have rank >= 1");
    int64_t opset = ia_kctx_opset(ctx);
    int rank = X->rank;
    resize_params p = {0, CT_HALF_PIXEL, NM_ROUND_PREFER_FLOOR, 0, -0.75, 0.0};
    IA_KTRY(parse_mode(ctx, "Resize", &p));
    const ia_tensor *roi_t = NULL, *sc_t, *sz_t = NULL;
    if (opset < 11) {
        p.ctm = CT_ASYMMETRIC;
        p.nearest_mode = NM_SIMPLE;
        if (p.mode == M_CUBIC) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize-10 has no cubic mode");
        sc_t = ia_kctx_input(ctx, 1);
    } else {
        const char *ct = ia_kctx_attr_string(ctx, "coordinate_transformation_mode", "half_pixel");
        static const char *cts[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
        p.ctm = -1;
        for (int i = 0; i < 6; i++) if (!strcmp(ct, cts[i])) p.ctm = i;
        if (p.ctm < 0 || (p.ctm == CT_TF_HALF_PIXEL_FOR_NN && opset >= 13))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: unknown coordinate_transformation_mode '%s'", ct);
        const char *nm = ia_kctx_attr_string(ctx, "nearest_mode", "round_prefer_floor");
        static const char *nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
        p.nearest_mode = -1;
        for (int i = 0; i < 4; i++) if (!strcmp(nm, nms[i])) p.nearest_mode = i;
        if (p.nearest_mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: unknown nearest_mode '%s'", nm);
        p.cubic_a = ia_kctx_attr_float(ctx, "cubic_coeff_a", -0.75f);
        p.exclude_outside = ia_kctx_attr_int(ctx, "exclude_outside", 0) != 0;
        p.extrapolation = ia_kctx_attr_float(ctx, "extrapolation_value", 0.0f);
        roi_t = ia_kctx_input(ctx, 1);
        sc_t = ia_kctx_input(ctx, 2);
        sz_t = ia_kctx_input(ctx, 3);
    }
    if (sc_t && sc_t->numel == 0) sc_t = NULL;
    if (sz_t && sz_t->numel == 0) sz_t = NULL;
    if (!!sc_t == !!sz_t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: exactly one of scales and sizes must be given");
    double scales[IA_MAX_DIMS], roi[2 * IA_MAX_DIMS];
    int64_t odims[IA_MAX_DIMS];
    if (sc_t) {
        if (!ia_nn_is_float(sc_t->dtype) || sc_t->numel != rank)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: scales must hold %d floats", rank);
        if (!(sc_t = ia_kctx_input_data(ctx, opset < 11 ? 1 : 2))) return IA_ERR_NEED_VALUE;
        for (int d = 0; d < rank; d++) scales[d] = ia_get_f64(sc_t->data, sc_t->dtype, d);
        IA_KTRY(dims_from_scales(ctx, "Resize", X, scales, odims));
    } else {
        if (sz_t->dtype != IA_DTYPE_INT64 || sz_t->numel != rank)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: sizes must hold %d int64 values", rank);
        if (!(sz_t = ia_kctx_input_data(ctx, 3))) return IA_ERR_NEED_VALUE;
        for (int d = 0; d < rank; d++) {
            odims[d] = ((const int64_t *)sz_t->data)[d];
            if (odims[d] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: negative size");
            scales[d] = X->dims[d] ? (double)odims[d] / (double)X->dims[d] : 1.0;
        }
    }
    int use_roi = p.ctm == CT_TF_CROP_AND_RESIZE;
    if (use_roi) {
        if (!roi_t || roi_t->numel != 2 * rank || !ia_nn_is_float(roi_t->dtype))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Resize: tf_crop_and_resize needs roi with %d floats", 2 * rank);
        if (!ia_kctx_shape_only(ctx)) {
            if (!(roi_t = ia_kctx_input_data(ctx, 1))) return IA_ERR_NEED_VALUE;
            for (int i = 0; i < 2 * rank; i++) roi[i] = ia_get_f64(roi_t->data, roi_t->dtype, i);
        }
    }
    return resize_run(ctx, X, odims, scales, use_roi ? roi : NULL, &p);
}

int ia_op_upsample(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    if (!X) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Upsample needs input X");
    if (!resize_dtype_ok(X->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Upsample does not support %s", ia_dtype_name(X->dtype));
    int rank = X->rank;
    if (rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Upsample: X must have rank >= 1");
    resize_params p = {0, CT_ASYMMETRIC, NM_FLOOR, 0, -0.75, 0.0};
    IA_KTRY(parse_mode(ctx, "Upsample", &p));
    if (p.mode == M_CUBIC) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Upsample: mode must be nearest or linear");
    double scales[IA_MAX_DIMS];
    if (ia_kctx_opset(ctx) < 9) {
        const float *f;
        if (ia_kctx_attr_floats(ctx, "scales", &f) != (size_t)rank)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Upsample: scales attribute must have %d values", rank);
        for (int d = 0; d < rank; d++) scales[d] = f[d];
    } else {
        const ia_tensor *s = ia_kctx_input(ctx, 1);
        if (!s || !ia_nn_is_float(s->dtype) || s->numel != rank)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Upsample: scales must hold %d floats", rank);
        if (!(s = ia_kctx_input_data(ctx, 1))) return IA_ERR_NEED_VALUE;
        for (int d = 0; d < rank; d++) scales[d] = ia_get_f64(s->data, s->dtype, d);
    }
    for (int d = 0; d < rank; d++)
        if (scales[d] < 1.0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Upsample: scales must be >= 1");
    int64_t odims[IA_MAX_DIMS];
    IA_KTRY(dims_from_scales(ctx, "Upsample", X, scales, odims));
    return resize_run(ctx, X, odims, scales, NULL, &p);
}
