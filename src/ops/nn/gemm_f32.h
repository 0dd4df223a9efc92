/* Shared float32 matrix multiply (cache-blocked, packed, multithreaded, per-ISA kernels chosen
 * at run time) used by MatMul, Gemm and Conv, with optional pre-packed constant B. */
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

/* op(B) (k x n, as above) packed once into the current kernel's panel layout, for reuse by
 * ia_gemm_f32_packed (constant weights). Immutable after creation: several threads may use it. */
typedef struct ia_gemm_packed_b ia_gemm_packed_b;
int ia_gemm_f32_pack_b(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb, ia_gemm_packed_b **out);
/* ia_gemm_f32_pack_b with depth blocks of kc rows (> 0) instead of the kernel's own, for callers
 * that multiply by whole blocks of their own size (ia_gemm_f32_packed_block). */
int ia_gemm_f32_pack_b_depth(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb, int64_t kc,
                             ia_gemm_packed_b **out);
void ia_gemm_f32_packed_b_free(ia_gemm_packed_b *p);
int64_t ia_gemm_f32_packed_k(const ia_gemm_packed_b *p);
int64_t ia_gemm_f32_packed_n(const ia_gemm_packed_b *p);
size_t ia_gemm_f32_packed_bytes(const ia_gemm_packed_b *p);
/* ia_gemm_f32 with op(B) given packed (its k and n). */
int ia_gemm_f32_packed(ia_threadpool *pool, int trans_a, int64_t m, float alpha, const float *a, int64_t lda,
                       const ia_gemm_packed_b *b, float beta, float *c, int64_t ldc);
/* ia_gemm_f32_packed on a block of the packed B: depth rows [p0, p0 + kb) and columns
 * [j0, j0 + nb). The block must be one whole depth block of the packing (p0 a multiple of its
 * depth block, kb reaching the block's end or k) and j0 a multiple of its column strip;
 * otherwise returns IA_ERR_INVALID_ARG and computes nothing (callers fall back to
 * ia_gemm_f32). A is m x kb. */
int ia_gemm_f32_packed_block(ia_threadpool *pool, int64_t m, float alpha, const float *a, int64_t lda,
                             const ia_gemm_packed_b *b, int64_t p0, int64_t kb, int64_t j0, int64_t nb, float beta,
                             float *c, int64_t ldc);

/* Work applied to finished parts of C (bias, activation) while they are still in cache: fn is
 * called for blocks of C, rows [i0, i0 + rows) x columns [j0, j0 + cols), c pointing at element
 * (i0, j0) with leading dimension ldc, each element of C in exactly one call, after its final
 * value (alpha * op(A) op(B) + beta * C) is stored. Calls come from any thread of the pool. */
typedef struct ia_gemm_epilogue {
    void (*fn)(void *ctx, float *c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows, int64_t cols);
    void *ctx;
} ia_gemm_epilogue;
/* ia_gemm_f32 / ia_gemm_f32_packed followed by the epilogue ep (NULL: none). */
int ia_gemm_f32_ep(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                   const ia_gemm_epilogue *ep);
int ia_gemm_f32_packed_ep(ia_threadpool *pool, int trans_a, int64_t m, float alpha, const float *a, int64_t lda,
                          const ia_gemm_packed_b *b, float beta, float *c, int64_t ldc, const ia_gemm_epilogue *ep);

/* ---- internal, for tests and benchmarks ---- */
enum {
    IA_GEMM_KERNEL_AUTO = 0, /* best the CPU and OS support */
    IA_GEMM_KERNEL_PORTABLE = 1,
    IA_GEMM_KERNEL_SSE2 = 2,
    IA_GEMM_KERNEL_AVX2 = 3, /* AVX2 + FMA */
    IA_GEMM_KERNEL_AVX512 = 4,
    IA_GEMM_KERNEL_NEON = 5, /* AArch64 Advanced SIMD */
    IA_GEMM_KERNEL_COUNT = 6
};
/* Whether this build and CPU (cpuid + OS register state via xgetbv) can run kernel `id`. */
int ia__gemm_f32_kernel_supported(int id);
/* Forces kernel `id` for later calls (process-wide; not for concurrent use); AUTO restores the
 * default. Returns IA_OK or IA_ERR_UNSUPPORTED. */
int ia__gemm_f32_set_kernel(int id);
const char *ia__gemm_f32_kernel_name(void); /* the kernel now in use */
/* Rows at or below which the small-M (GEMV-like) path runs; for tests (0 disables it). */
void ia__gemm_f32_set_small_m(int64_t m);
/* Blocks of C at most this many column strips wide read A in place instead of packing it (wider
 * ones too where the kernel set and A's row pitch allow); for tests (0: always pack; default 8). */
void ia__gemm_f32_set_direct_a(int64_t strips);

#endif
