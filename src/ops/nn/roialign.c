/* RoiAlign (avg/max pooling of bilinear samples over regions of interest; opset 10 and 16). */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

/* Bilinear sample of plane p at (y, x) as ONNX Runtime does it (0 far outside). */
static double sample(const float *p, int64_t H, int64_t W, double y, double x) {
    if (y < -1.0 || y > (double)H || x < -1.0 || x > (double)W) return 0.0;
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
    if (y0 >= H - 1) { y1 = y0 = H - 1; y = (double)y0; } else y1 = y0 + 1;
    if (x0 >= W - 1) { x1 = x0 = W - 1; x = (double)x0; } else x1 = x0 + 1;
    double ly = y - (double)y0, lx = x - (double)x0, hy = 1 - ly, hx = 1 - lx;
    return hy * hx * p[y0 * W + x0] + hy * lx * p[y0 * W + x1] + ly * hx * p[y1 * W + x0] + ly * lx * p[y1 * W + x1];
}

/* Max mode: the largest weighted corner (ONNX Runtime's definition). */
static double sample_max(const float *p, int64_t H, int64_t W, double y, double x) {
    if (y < -1.0 || y > (double)H || x < -1.0 || x > (double)W) return 0.0;
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
    if (y0 >= H - 1) { y1 = y0 = H - 1; y = (double)y0; } else y1 = y0 + 1;
    if (x0 >= W - 1) { x1 = x0 = W - 1; x = (double)x0; } else x1 = x0 + 1;
    double ly = y - (double)y0, lx = x - (double)x0, hy = 1 - ly, hx = 1 - lx;
    double v = hy * hx * p[y0 * W + x0];
    v = fmax(v, hy * lx * p[y0 * W + x1]);
    v = fmax(v, ly * hx * p[y1 * W + x0]);
    return fmax(v, ly * lx * p[y1 * W + x1]);
}

int ia_op_roi_align(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *R = ia_kctx_input(ctx, 1), *B = ia_kctx_input(ctx, 2);
    if (!X || !R || !B) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "RoiAlign needs inputs X, rois and batch_indices");
    if (!ia_nn_is_float(X->dtype) || R->dtype != X->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "RoiAlign: X and rois must share a float dtype");
    if (B->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "RoiAlign: batch_indices must be int64");
    if (X->rank != 4 || R->rank != 2 || R->dims[1] != 4 || B->rank != 1 || B->dims[0] != R->dims[0])
        IA_KFAIL(ctx, IA_ERR_SHAPE, "RoiAlign: expects X [N,C,H,W], rois [R,4], batch_indices [R]");
    const char *mode = ia_kctx_attr_string(ctx, "mode", "avg");
    int is_max = !strcmp(mode, "max");
    if (!is_max && strcmp(mode, "avg")) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "RoiAlign: unknown mode '%s'", mode);
    int64_t oh = ia_kctx_attr_int(ctx, "output_height", 1), ow = ia_kctx_attr_int(ctx, "output_width", 1);
    int64_t sr = ia_kctx_attr_int(ctx, "sampling_ratio", 0);
    double scale = ia_kctx_attr_float(ctx, "spatial_scale", 1.0f);
    if (oh < 1 || ow < 1 || sr < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "RoiAlign: output sizes must be >= 1 and sampling_ratio >= 0");
    int half_pixel = 0;
    if (ia_kctx_opset(ctx) >= 16) {
        const char *ct = ia_kctx_attr_string(ctx, "coordinate_transformation_mode", "half_pixel");
        if (!strcmp(ct, "half_pixel")) half_pixel = 1;
        else if (strcmp(ct, "output_half_pixel")) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "RoiAlign: unknown coordinate_transformation_mode '%s'", ct);
    }
    int64_t nr = R->dims[0], C = X->dims[1], H = X->dims[2], W = X->dims[3];
    int64_t odims[4] = {nr, C, oh, ow};
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, 4, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    float *x = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(X->numel + 1));
    if (!x) return IA_ERR_NOMEM;
    ia_nn_load_f32(X->data, X->dtype, X->numel, x);
    const int64_t *bi = B->data;
    double off = half_pixel ? 0.5 : 0.0;
    for (int64_t r = 0; r < nr; r++) {
        if (bi[r] < 0 || bi[r] >= X->dims[0])
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "RoiAlign: batch index %lld out of range", (long long)bi[r]);
        double x1 = ia_get_f64(R->data, R->dtype, r * 4) * scale - off, y1 = ia_get_f64(R->data, R->dtype, r * 4 + 1) * scale - off;
        double x2 = ia_get_f64(R->data, R->dtype, r * 4 + 2) * scale - off, y2 = ia_get_f64(R->data, R->dtype, r * 4 + 3) * scale - off;
        double rw = x2 - x1, rh = y2 - y1;
        if (!half_pixel) { rw = fmax(rw, 1.0); rh = fmax(rh, 1.0); }
        double bh = rh / (double)oh, bw = rw / (double)ow;
        int64_t gh = sr > 0 ? sr : (int64_t)ceil(rh / (double)oh), gw = sr > 0 ? sr : (int64_t)ceil(rw / (double)ow);
        if (gh < 0 || gh > 1 << 16 || gw < 0 || gw > 1 << 16) IA_KFAIL(ctx, IA_ERR_LIMIT, "RoiAlign: region too large");
        double count = gh * gw > 0 ? (double)(gh * gw) : 1.0;
        for (int64_t c = 0; c < C; c++) {
            const float *p = x + (bi[r] * C + c) * H * W;
            for (int64_t ph = 0; ph < oh; ph++)
                for (int64_t pw = 0; pw < ow; pw++) {
                    double acc = 0;
                    int first = 1;
                    for (int64_t iy = 0; iy < gh; iy++) {
                        double yy = y1 + (double)ph * bh + ((double)iy + 0.5) * bh / (double)gh;
                        for (int64_t ix = 0; ix < gw; ix++) {
                            double xx = x1 + (double)pw * bw + ((double)ix + 0.5) * bw / (double)gw;
                            if (H == 0 || W == 0) continue;
                            if (is_max) {
                                double v = sample_max(p, H, W, yy, xx);
                                acc = first ? v : fmax(acc, v);
                                first = 0;
                            } else acc += sample(p, H, W, yy, xx);
                        }
                    }
                    ia_set_f64(Y->data, X->dtype, ((r * C + c) * oh + ph) * ow + pw, is_max ? acc : acc / count);
                }
        }
    }
    return IA_OK;
}
