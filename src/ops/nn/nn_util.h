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

struct ia_kctx;
/* Sliding-window geometry shared by Conv and the pools. Reads the attributes strides,
 * dilations, pads and auto_pad (defaults: 1, 1, 0, NOTSET), validates them against `nsp`
 * spatial dims, and computes pads[2*nsp] (begins then ends) and out_sp[nsp].
 * ceil_mode rounds the output size up (pools); a window that would start entirely in the
 * end padding is dropped. Returns IA_OK or fails the kernel with a message naming `op`. */
int ia_nn_window_geom(struct ia_kctx *ctx, const char *op, int nsp, const int64_t *in_sp, const int64_t *kernel,
                      int ceil_mode, int use_dilations, int64_t *strides, int64_t *dil, int64_t *pads,
                      int64_t *out_sp);
