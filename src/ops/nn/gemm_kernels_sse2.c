/* The SSE2 float32 GEMM kernel set (baseline x86-64: 4-wide vectors, 16 registers). */
#include "ops/nn/gemm_kernels.h"
#if IA_GEMM_HAVE_X86
#include <immintrin.h>
typedef float gk_v __attribute__((vector_size(16)));
typedef float gk_vu __attribute__((vector_size(16), aligned(4), may_alias));
#define GK_SUF sse2
#define GK_ATTR __attribute__((IA_GEMM_O3))
#define GK_VW 4
#define GK_SPLAT(s) ((gk_v)_mm_set1_ps(s))
#define GK_FMA(a, b, c) ((c) + (a) * (b))
#define GK_MR 4
#define GK_NRV 3
#define GK_SNV 2
#include "ops/nn/gemm_kernel_tmpl.h"

const ia__gemm_kernel ia__gemm_kernel_sse2 = {"sse2", 2, GK_MR, GK_NR, 256, 96, 480, 0,
                                              micro_sse2, micro_u_sse2, pack_a_sse2, small_nt_sse2, small_t_sse2, small_p_sse2};
#endif
