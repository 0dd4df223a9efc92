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

/* erf(x) for GELU as a rational function, x P(x^2) / Q(x^2) on x clamped to [-4, 4] (beyond
 * which float erf is +-1): Eigen's float erf coefficients. No exp and no branch, so one division
 * per element; 2.6x faster than ia_fast_erf (the Erf operator's, which evaluates both a series
 * and an erfc expansion). Absolute error at most 4.2e-7 against double erf, so GELU's is at most
 * 7.6e-7 (numpy float64 scan of [-6, 6]). */
static inline float gelu_erf(float x) {
    float u = x * 0.70710678118654752f;
    u = u < -4.0f ? -4.0f : u > 4.0f ? 4.0f : u; /* NaN stays NaN */
    float z = u * u;
    float p = -2.72614225801306e-10f;
    p = p * z + 2.77068142495902e-08f;
    p = p * z - 2.10102402082508e-06f;
    p = p * z - 5.69250639462346e-05f;
    p = p * z - 7.34990630326855e-04f;
    p = p * z - 2.95459980854025e-03f;
    p = p * z - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * z - 2.13374055278905e-04f;
    q = q * z - 1.68282697438203e-03f;
    q = q * z - 7.37332916720468e-03f;
    q = q * z - 1.42647390514189e-02f;
    return x * 0.5f * (1.0f + u * p / q);
}

IA_ACT_CLONES void ia__act_apply(int act, const float *x, float *y, int64_t n) {
    switch (act) {
    case IA_ACT_RELU:
        for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0.0f;
        break;
    case IA_ACT_GELU_ERF:
        for (int64_t i = 0; i < n; i++) y[i] = gelu_erf(x[i]);
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
