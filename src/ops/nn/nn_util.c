/* Helpers shared by the nn kernels: float conversion of tensors. */
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

void ia_nn_load_f32(const void *src, int dtype, int64_t n, float *dst) {
    switch (dtype) {
    case IA_DTYPE_FLOAT: memcpy(dst, src, (size_t)n * sizeof(float)); return;
    case IA_DTYPE_FLOAT16:
        for (int64_t i = 0; i < n; i++) dst[i] = ia_fp16_to_f32(((const uint16_t *)src)[i]);
        return;
    case IA_DTYPE_BFLOAT16:
        for (int64_t i = 0; i < n; i++) dst[i] = ia_bf16_to_f32(((const uint16_t *)src)[i]);
        return;
    case IA_DTYPE_DOUBLE:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)((const double *)src)[i];
        return;
    default:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)ia_get_f64(src, dtype, i);
    }
}

void ia_nn_store_f32(void *dst, int dtype, int64_t n, const float *src) {
    switch (dtype) {
    case IA_DTYPE_FLOAT: memcpy(dst, src, (size_t)n * sizeof(float)); return;
    case IA_DTYPE_FLOAT16:
        for (int64_t i = 0; i < n; i++) ((uint16_t *)dst)[i] = ia_f32_to_fp16(src[i]);
        return;
    case IA_DTYPE_BFLOAT16:
        for (int64_t i = 0; i < n; i++) ((uint16_t *)dst)[i] = ia_f32_to_bf16(src[i]);
        return;
    case IA_DTYPE_DOUBLE:
        for (int64_t i = 0; i < n; i++) ((double *)dst)[i] = src[i];
        return;
    default:
        for (int64_t i = 0; i < n; i++) ia_set_f64(dst, dtype, i, src[i]);
    }
}

int ia_nn_window_geom(struct ia_kctx *ctx, const char *op, int nsp, const int64_t *in_sp, const int64_t *kernel,
                      int ceil_mode, int use_dilations, int64_t *strides, int64_t *dil, int64_t *pads,
                      int64_t *out_sp) {
    const int64_t *v;
    size_t n;
    for (int i = 0; i < nsp; i++) {
        strides[i] = dil[i] = 1;
        pads[i] = pads[nsp + i] = 0;
        if (kernel[i] < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: kernel size %lld must be >= 1", op, (long long)kernel[i]);
    }
    if ((n = ia_kctx_attr_ints(ctx, "strides", &v))) {
        if (n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: strides has %zu values, expected %d", op, n, nsp);
        for (int i = 0; i < nsp; i++) {
            if (v[i] < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: strides must be >= 1", op);
            strides[i] = v[i];
        }
    }
    if (use_dilations && (n = ia_kctx_attr_ints(ctx, "dilations", &v))) {
        if (n != (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: dilations has %zu values, expected %d", op, n, nsp);
        for (int i = 0; i < nsp; i++) {
            if (v[i] < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: dilations must be >= 1", op);
            dil[i] = v[i];
        }
    }
    const char *ap = ia_kctx_attr_string(ctx, "auto_pad", "NOTSET");
    int mode = !strcmp(ap, "NOTSET") ? 0 : !strcmp(ap, "SAME_UPPER") ? 1 : !strcmp(ap, "SAME_LOWER") ? 2 : !strcmp(ap, "VALID") ? 3 : -1;
    if (mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: unknown auto_pad '%s'", op, ap);
    if (mode == 0 && (n = ia_kctx_attr_ints(ctx, "pads", &v))) {
        if (n != 2 * (size_t)nsp) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: pads has %zu values, expected %d", op, n, 2 * nsp);
        for (int i = 0; i < 2 * nsp; i++) {
            if (v[i] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: pads must be >= 0", op);
            pads[i] = v[i];
        }
    }
    for (int i = 0; i < nsp; i++) {
        int64_t ext = (kernel[i] - 1) * dil[i] + 1;
        if (mode == 1 || mode == 2) {
            int64_t out = (in_sp[i] + strides[i] - 1) / strides[i];
            int64_t total = (out - 1) * strides[i] + ext - in_sp[i];
            if (total < 0) total = 0;
            pads[i] = mode == 1 ? total / 2 : total - total / 2;
            pads[nsp + i] = total - pads[i];
            out_sp[i] = out;
            continue;
        }
        int64_t span = in_sp[i] + pads[i] + pads[nsp + i] - ext;
        if (span < 0)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: kernel extent %lld exceeds padded input %lld", op, (long long)ext,
                     (long long)(in_sp[i] + pads[i] + pads[nsp + i]));
        int64_t out = (ceil_mode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
        if (ceil_mode && (out - 1) * strides[i] >= in_sp[i] + pads[i]) out--;
        out_sp[i] = out;
    }
    return IA_OK;
}
