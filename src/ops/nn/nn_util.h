/* Small helpers shared by the nn kernels: float conversion of tensors, dtype checks. */
#ifndef IA_OPS_NN_UTIL_H
#define IA_OPS_NN_UTIL_H

#include <stdint.h>
#include "ia/tensor.h"

/* Converts n elements of any numeric dtype at src to float. */
void ia_nn_load_f32(const void *src, int dtype, int64_t n, float *dst);
/* Stores n floats into dst of any numeric dtype (rounding as ia_set_f64 does). */
void ia_nn_store_f32(void *dst, int dtype, int64_t n, const float *src);
/* float16/bfloat16/float/double */
static inline int ia_nn_is_float(int dtype) {
    return dtype == IA_DTYPE_FLOAT || dtype == IA_DTYPE_DOUBLE || dtype == IA_DTYPE_FLOAT16 ||
           dtype == IA_DTYPE_BFLOAT16;
}

#endif
