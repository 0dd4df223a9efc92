/* The AVX2+FMA float32 GEMM kernel set (8-wide vectors, 16 registers: 6x16 micro-tile). */
#include "ops/nn/gemm_kernels.h"
#if IA_GEMM_HAVE_X86
#include <immintrin.h>
typedef float gk_v __attribute__((vector_size(32)));
typedef float gk_vu __attribute__((vector_size(32), aligned(4), may_alias));
#define GK_SUF avx2
#define GK_ATTR __attribute__((target("avx2,fma"), IA_GEMM_O3))
#define GK_VW 8
#define GK_SPLAT(s) ((gk_v)_mm256_set1_ps(s))
#define GK_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define GK_MR 6
#define GK_NRV 2
#define GK_SNV 2
#include "ops/nn/gemm_kernel_tmpl.h"

const ia__gemm_kernel ia__gemm_kernel_avx2 = {"avx2", 3, GK_MR, GK_NR, 256, 96, 512, 0,
                                              micro_avx2, micro_u_avx2, pack_a_avx2, small_nt_avx2, small_t_avx2, small_p_avx2};
#endif
