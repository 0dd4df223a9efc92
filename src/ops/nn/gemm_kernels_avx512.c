/* The AVX-512 float32 GEMM kernel set (16-wide vectors, 32 registers: 14x32 micro-tile, 28
 * accumulators). */
#include "ops/nn/gemm_kernels.h"
#if IA_GEMM_HAVE_X86
#include <immintrin.h>
typedef float gk_v __attribute__((vector_size(64)));
typedef float gk_vu __attribute__((vector_size(64), aligned(4), may_alias));
#define GK_SUF avx512
#define GK_ATTR __attribute__((target("avx512f,avx512vl,fma"), IA_GEMM_O3))
#define GK_VW 16
#define GK_SPLAT(s) ((gk_v)_mm512_set1_ps(s))
#define GK_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define GK_MR 14
#define GK_NRV 2
#define GK_SNV 4
#include "ops/nn/gemm_kernel_tmpl.h"

const ia__gemm_kernel ia__gemm_kernel_avx512 = {"avx512", 4, GK_MR, GK_NR, 768, 224, 768, 1,
                                                micro_avx512, micro_u_avx512, pack_a_avx512, small_nt_avx512, small_t_avx512, small_p_avx512};
#endif
