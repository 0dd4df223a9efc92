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

/* y[i] = act(x[i]) for i < n (x may equal y). */
static inline void ia_act_apply(int act, const float *x, float *y, int64_t n) {
    switch (act) {
    case IA_ACT_RELU:
        for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0.0f;
        break;
    case IA_ACT_GELU_ERF:
        for (int64_t i = 0; i < n; i++) y[i] = x[i] * 0.5f * (1.0f + ia_fast_erf(x[i] * 0.70710678118654752f));
        break;
    case IA_ACT_GELU_TANH:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v * 0.5f * (1.0f + ia_fast_tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
        }
        break;
    case IA_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++) y[i] = ia_fast_sigmoid(x[i]);
        break;
    case IA_ACT_SILU:
        for (int64_t i = 0; i < n; i++) y[i] = x[i] * ia_fast_sigmoid(x[i]);
        break;
    default:
        if (x != y)
            for (int64_t i = 0; i < n; i++) y[i] = x[i];
        break;
    }
}

#endif
