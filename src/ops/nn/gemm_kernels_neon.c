/* The NEON float32 GEMM kernel set (AArch64 Advanced SIMD: 4-wide vectors, 32 registers: 8x12
 * micro-tile, 24 accumulators). Checked against the portable set by unit_test_nn_gemm, built for
 * AArch64 and run under user-mode emulation (tests/cross/gemm_neon.sh). */
#include "ops/nn/gemm_kernels.h"
#if IA_GEMM_HAVE_NEON
#include <arm_neon.h>
typedef float gk_v __attribute__((vector_size(16)));
typedef float gk_vu __attribute__((vector_size(16), aligned(4), may_alias));
#define GK_SUF neon
#define GK_ATTR __attribute__((IA_GEMM_O3))
#define GK_VW 4
#define GK_SPLAT(s) ((gk_v)vdupq_n_f32(s))
#define GK_FMA(a, b, c) ((gk_v)vfmaq_f32((float32x4_t)(c), (float32x4_t)(a), (float32x4_t)(b)))
#define GK_MR 8
#define GK_NRV 3
#define GK_SNV 4
#include "ops/nn/gemm_kernel_tmpl.h"

const ia__gemm_kernel ia__gemm_kernel_neon = {"neon", 5, GK_MR, GK_NR, 256, 96, 480, 0,
                                              micro_neon, micro_u_neon, pack_a_neon, small_nt_neon, small_t_neon, small_p_neon};
#endif
