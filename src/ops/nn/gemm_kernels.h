/* Internal interface between the float32 GEMM driver (gemm_f32.c) and its per-ISA kernel
 * sets (gemm_kernels_*.c, all generated from gemm_kernel_tmpl.h). */
#ifndef IA_OPS_NN_GEMM_KERNELS_H
#define IA_OPS_NN_GEMM_KERNELS_H

#include <stdint.h>

/* One kernel set: micro-tile shape, cache blocking and the functions. Packed panels:
 *   A: strips of mr rows, element (row r, depth p) at [p * mr + r];
 *   B: for each depth block of kc (last one shorter), strips of nr columns, each kb x nr,
 *      element (depth p, column q) at [p * nr + q]; block p0 starts at p0 * n_pad. */
typedef struct ia__gemm_kernel {
    const char *name;
    int id; /* IA_GEMM_KERNEL_* (gemm_f32.h) */
    int mr, nr;
    int64_t kc, mc, nc; /* depth, rows and columns of one cache block */
    /* 1: blocks of C of any width read A in place (micro_u) instead of packing it, unless the
     * row pitch crowds the micro-tile's rows into few L1 sets (see gemm_f32.c); 0: only narrow
     * blocks do. Chosen per kernel set by measurement. */
    int direct_a_wide;
    void (*micro)(int64_t kb, const float *a, const float *b, float *c, int64_t ldc, float alpha, int rows,
                  int cols, int accumulate);
    /* micro with A not packed: rows (<= mr) rows of row-major A, lda apart */
    void (*micro_u)(int64_t kb, const float *a, int64_t lda, const float *b, float *c, int64_t ldc, float alpha,
                    int rows, int cols, int accumulate);
    /* one A strip: rows (<= mr) rows of row-major A (depth kb, leading dimension lda) into the
     * packed layout above, zero padded to mr rows */
    void (*pack_a)(const float *a, int64_t lda, int rows, int64_t kb, float *dst);
    /* small m (any m, best for m <= 4): C (+)= alpha * A * B with B k x n (nt) or n x k (t) */
    void (*small_nt)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                     int64_t ldb, float *c, int64_t ldc, int accumulate);
    void (*small_t)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                    int64_t ldb, float *c, int64_t ldc, int accumulate);
    /* small m on packed B, strips [s0, s1) of the n columns; c points at column 0 */
    void (*small_p)(int64_t m, int64_t s0, int64_t s1, int64_t n, int64_t n_pad, int64_t k, int64_t kc, float alpha,
                    const float *a, int64_t lda, const float *packed, float *c, int64_t ldc, int accumulate);
} ia__gemm_kernel;

extern const ia__gemm_kernel ia__gemm_kernel_portable;
#if defined(__GNUC__) && defined(__x86_64__)
#define IA_GEMM_HAVE_X86 1
extern const ia__gemm_kernel ia__gemm_kernel_sse2;
extern const ia__gemm_kernel ia__gemm_kernel_avx2;
extern const ia__gemm_kernel ia__gemm_kernel_avx512;
#else
#define IA_GEMM_HAVE_X86 0
#endif
#if defined(__GNUC__) && defined(__aarch64__)
#define IA_GEMM_HAVE_NEON 1 /* Advanced SIMD is part of every AArch64 CPU */
extern const ia__gemm_kernel ia__gemm_kernel_neon;
#else
#define IA_GEMM_HAVE_NEON 0
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define IA_GEMM_O3 optimize("O3")
#else
#define IA_GEMM_O3
#endif

#endif
