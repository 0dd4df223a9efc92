/* Activation functions the fused kernels apply in place to float32 blocks (codes shared
 * with the optimizer's patterns). */
#ifndef IA_OPS_FUSED_ACT_H
#define IA_OPS_FUSED_ACT_H

#include <math.h>
#include <stdint.h>
#include "ops/fastmath.h"

enum {
    IA_ACT_NONE = 0,
    IA_ACT_RELU = 1,
    IA_ACT_GELU_ERF = 2,  /* x * 0.5 * (1 + erf(x / sqrt 2)) */
    IA_ACT_GELU_TANH = 3, /* x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) */
    IA_ACT_SIGMOID = 4,
    IA_ACT_SILU = 5, /* x * sigmoid(x) */
    IA_ACT_COUNT
};

/* y[i] = act(x[i]) for n elements (x == y allowed); act.c. */
void ia__act_apply(int act, const float *x, float *y, int64_t n);
/* y[i] = act(y[i] + bias[i]) for n elements, in one pass (bias may be NULL: no add); act.c. */
void ia__act_bias_apply(int act, float *y, const float *bias, int64_t n);
static inline void ia_act_apply(int act, const float *x, float *y, int64_t n) { ia__act_apply(act, x, y, n); }

#endif
