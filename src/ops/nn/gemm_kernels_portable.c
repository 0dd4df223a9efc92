/* The portable float32 GEMM kernel set: plain scalar C, no vector types. It is the oracle the
 * unit test holds the ISA-specific kernel sets to. */
#include "ops/nn/gemm_kernels.h"

typedef float gk_v;
typedef float gk_vu;
#define GK_SUF portable
#define GK_ATTR __attribute__((IA_GEMM_O3))
#define GK_VW 1
#define GK_SPLAT(s) ((float)(s))
#define GK_FMA(a, b, c) ((c) + (a) * (b))
#define GK_MR 4
#define GK_NRV 4
#define GK_SNV 4
#include "ops/nn/gemm_kernel_tmpl.h"

const ia__gemm_kernel ia__gemm_kernel_portable = {"portable", 1, GK_MR, GK_NR, 256, 64, 512, 0,
                                                  micro_portable, micro_u_portable, pack_a_portable, small_nt_portable, small_t_portable,
                                                  small_p_portable};
