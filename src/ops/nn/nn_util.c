/* Helpers shared by the nn kernels: float conversion of tensors. */
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

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
