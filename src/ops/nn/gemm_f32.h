/* Shared float32 matrix multiply (cache-blocked, packed, multithreaded) used by MatMul, Gemm
 * and Conv. */
#ifndef IA_OPS_NN_GEMM_F32_H
#define IA_OPS_NN_GEMM_F32_H

#include <stdint.h>
#include "ia/threadpool.h"

/* C = alpha * op(A) * op(B) + beta * C, all row-major.
 *   op(A) is m x k: A is stored m x k (leading dimension lda) or, with trans_a, k x m.
 *   op(B) is k x n: B is stored k x n (ldb) or, with trans_b, n x k.
 *   C is m x n with leading dimension ldc. When beta == 0, C is not read (NaNs in it vanish).
 * Runs on `pool` (may be NULL) when the product is large enough. Returns IA_OK or
 * IA_ERR_NOMEM (packing buffers). */
int ia_gemm_f32(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

#endif
