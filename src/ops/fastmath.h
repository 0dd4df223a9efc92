/* Branch-free float32 exp / tanh / erf that compilers can vectorise (libm's cannot be), for
 * the activations that dominate transformer and CNN models. Accuracy: a few ulp relative
 * error over the whole range (checked against double libm in the unit tests); NaN in gives
 * NaN out. No undefined behaviour for any input: no float-to-int conversions. */
#ifndef IA_OPS_FASTMATH_H
#define IA_OPS_FASTMATH_H

#include <stdint.h>

typedef union ia_f32bits {
    float f;
    uint32_t u;
} ia_f32bits;

/* c ? a : b without a branch. Plain `?:` between two computed values lets GCC sink the
 * unused side's arithmetic into a branch, which (under the default -ftrapping-math) stops
 * vectorisation; a bit-mask select keeps the loop straight-line. */
static inline float ia_fast_select(int c, float a, float b) {
    ia_f32bits x = {a}, y = {b}, r;
    uint32_t m = 0u - (uint32_t)(c != 0);
    r.u = (x.u & m) | (y.u & ~m);
    return r.f;
}

/* e^x for x in about [-87, 88] (clamped outside, so never inf or denormal; callers that
 * need exact overflow/underflow use libm). Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2,
 * then a degree-6 polynomial (Cephes' expf coefficients) and 2^n built in the exponent bits. */
static inline float ia_fast_exp(float x) {
    x = ia_fast_select(x > 88.0f, 88.0f, x);
    x = ia_fast_select(x < -87.0f, -87.0f, x);
    /* Adding 1.5 * 2^23 rounds x / ln2 to an integer held in the low mantissa bits. */
    ia_f32bits t = {x * 1.44269504088896341f + 12582912.0f};
    float n = t.f - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    ia_f32bits s;
    s.u = (t.u - 0x4B400000u + 127u) << 23; /* 2^n */
    return p * s.f;
}

/* 1 / (1 + e^-x), exact limits 0 and 1 far out. */
static inline float ia_fast_sigmoid(float x) { return 1.0f / (1.0f + ia_fast_exp(-x)); }

/* tanh: an odd polynomial near 0 (Cephes tanhf), 1 - 2 / (e^2|x| + 1) beyond, sign restored. */
static inline float ia_fast_tanh(float x) {
    float ax = x < 0 ? -x : x;
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = x + x * z * p;
    float big = 1.0f - 2.0f / (ia_fast_exp(2.0f * ax) + 1.0f);
    big = ia_fast_select(x < 0, -big, big);
    return ia_fast_select(ax < 0.625f, small, big);
}

/* erf: Taylor series for |x| < 0.5 (relative accuracy near 0), else 1 - erfc with the
 * Chebyshev fit of Numerical Recipes' erfcc (fractional error < 1.2e-7). */
static inline float ia_fast_erf(float x) {
    float ax = x < 0 ? -x : x;
    float z = x * x;
    float s = 1.0f / 9360.0f;
    s = -s * z + 1.0f / 1320.0f;
    s = -s * z + 1.0f / 216.0f;
    s = -s * z + 1.0f / 42.0f;
    s = -s * z + 1.0f / 10.0f;
    s = -s * z + 1.0f / 3.0f;
    s = -s * z + 1.0f;
    float small = 1.1283791670955126f * x * s;
    float t = 1.0f / (1.0f + 0.5f * ax);
    float q = 0.17087277f;
    q = q * t - 0.82215223f;
    q = q * t + 1.48851587f;
    q = q * t - 1.13520398f;
    q = q * t + 0.27886807f;
    q = q * t - 0.18628806f;
    q = q * t + 0.09678418f;
    q = q * t + 0.37409196f;
    q = q * t + 1.00002368f;
    q = q * t - 1.26551223f;
    float big = 1.0f - t * ia_fast_exp(q - z);
    big = ia_fast_select(x < 0, -big, big);
    return ia_fast_select(ax < 0.5f, small, big);
}

#endif
