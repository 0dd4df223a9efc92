/* Helpers shared by the quantization family (internal to src/ops/quant): rounding with
 * saturation, the int16 x int16 -> int32 matrix product core, and per-tensor/per-axis
 * parameter reading. */
#ifndef IA_OPS_QUANT_QUTIL_H
#define IA_OPS_QUANT_QUTIL_H

#include <math.h>
#include <stdint.h>
#include "ops/op.h"

/* Rounds half to even (the default FP rounding mode) and clamps to [lo, hi]; NaN -> 0. */
static inline int32_t ia__q_round_sat(double v, int32_t lo, int32_t hi) {
    if (v != v) return lo > 0 ? lo : hi < 0 ? hi : 0;
    v = nearbyint(v);
    if (v <= (double)lo) return lo;
    if (v >= (double)hi) return hi;
    return (int32_t)v;
}
static inline int32_t ia__q_round_satf(float v, int32_t lo, int32_t hi) {
    if (v != v) return lo > 0 ? lo : hi < 0 ? hi : 0;
    v = nearbyintf(v);
    if (v <= (float)lo) return lo;
    if (v >= (float)hi) return hi;
    return (int32_t)v;
}

/* Value range of a quantized integer type (uint8, int8, uint16, int16, int32); 0 if unsupported. */
int ia__q_range(int dtype, int32_t *lo, int32_t *hi);

/* C[M,N] = A[M,K] * B[K,N] with int32 (wrap-around) accumulation; row-major, contiguous.
 * Runs on `pool` when the product is large. */
void ia__qgemm(ia_threadpool *pool, int64_t M, int64_t N, int64_t K, const int16_t *A, const int16_t *B, int32_t *C);

/* Reads the zero point `zp` (NULL = 0) as int32 values into a scratch array of `n` entries,
 * broadcasting a single value. Fails unless zp has 1 or `n` elements and the dtype `dtype`. */
int ia__q_read_zp(ia_kctx *ctx, const ia_tensor *zp, int dtype, int64_t n, const char *what, int32_t **out);

/* Reads a float scale (float/float16/bfloat16/double) into `n` floats, broadcasting a single
 * value; fails unless it has 1 or `n` elements. */
int ia__q_read_scale(ia_kctx *ctx, const ia_tensor *s, int64_t n, const char *what, float **out);

#endif
