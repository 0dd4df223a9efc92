/* The Attention kernel's per-row online-softmax step over one tile of scores (scale, additive
 * mask, running max, exp, running sum), in 16-lane vectors for AVX-512 and 8-lane ones for
 * AVX2+FMA (with GCC, a * b + c contracted into FMAs in both) and the baseline ISA, picked at
 * run time. Same results
 * as the scalar loop it replaces up to the order of the sum and FMA rounding (ia_fast_exp's
 * formula lane by lane). */
#include <math.h>
#include "ops/fastmath.h"
#include "ops/fused/softmax_tile.h"
#include "ops/nn/gemm_f32.h"

/* the 32-byte vectors pass between static inline helpers only: no ABI to keep */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float vf8 __attribute__((vector_size(32)));
typedef int32_t vi8 __attribute__((vector_size(32)));
typedef float vf8_u __attribute__((vector_size(32), aligned(4))); /* unaligned loads / stores */
typedef float vf16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));
typedef float vf16_u __attribute__((vector_size(64), aligned(4)));

#define TILE_BODY                                                                                           \
    static inline vf sel(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }                  \
    static inline vf splat(float x) { return (vf){0} + x; }                                              \
    /* ia_fast_exp lane by lane */                                                                       \
    static inline vf vexp(vf x) {                                                                        \
        x = sel(x > splat(88.0f), splat(88.0f), x);                                                      \
        x = sel(x < splat(-87.0f), splat(-87.0f), x);                                                    \
        vf t = x * 1.44269504088896341f + 12582912.0f;                                                   \
        vf n = t - 12582912.0f;                                                                          \
        vf r = x - n * 0.693359375f;                                                                     \
        r = r + n * 2.12194440e-4f;                                                                      \
        vf p = splat(1.9875691500e-4f);                                                                  \
        p = p * r + 1.3981999507e-3f;                                                                    \
        p = p * r + 8.3334519073e-3f;                                                                    \
        p = p * r + 4.1665795894e-2f;                                                                    \
        p = p * r + 1.6666665459e-1f;                                                                    \
        p = p * r + 5.0000001201e-1f;                                                                    \
        p = p * r * r + r + 1.0f;                                                                        \
        vi s = ((vi)t - 0x4B400000 + 127) << 23;                                                         \
        return p * (vf)s;                                                                                \
    }                                                                                                    \
    static float FN(float *sr, int64_t kn, float scale, int div, const float *mr, int64_t m_col,        \
                    float *mx, float *sum) {                                                             \
        int64_t c = 0;                                                                                   \
        vf vm = splat(-INFINITY);                                                                        \
        const int vmask = mr && m_col == 1;                                                              \
        for (; c + VW <= kn; c += VW) {                                                                  \
            vf v = *(const vf_u *)(sr + c);                                                              \
            v = div ? v / scale : v * scale;                                                             \
            if (vmask) v += *(const vf_u *)(mr + c);                                                     \
            *(vf_u *)(sr + c) = v;                                                                       \
            vm = sel(v > vm, v, vm);                                                                     \
        }                                                                                                \
        float m = *mx;                                                                                   \
        for (int u = 0; u < VW; u++) m = vm[u] > m ? vm[u] : m;                                          \
        for (; c < kn; c++) {                                                                            \
            sr[c] = div ? sr[c] / scale : sr[c] * scale;                                                 \
            if (vmask) sr[c] += mr[c];                                                                   \
            m = sr[c] > m ? sr[c] : m;                                                                   \
        }                                                                                                \
        if (mr && m_col != 1) { /* a strided mask: add it now and take the max again */                 \
            m = *mx;                                                                                     \
            for (c = 0; c < kn; c++) {                                                                   \
                sr[c] += mr[c * m_col];                                                                  \
                m = sr[c] > m ? sr[c] : m;                                                               \
            }                                                                                            \
        }                                                                                                \
        float corr = *mx == m ? 1.0f : expf(*mx - m); /* expf(-inf) = 0 on the first tile */             \
        float l = 0;                                                                                     \
        if (m == -INFINITY) { /* every score so far is -inf: they weigh nothing yet */                   \
            for (c = 0; c < kn; c++) sr[c] = 0;                                                          \
            corr = 1.0f;                                                                                 \
        } else {                                                                                         \
            vf vs = splat(0.0f), vmax = splat(m);                                                        \
            for (c = 0; c + VW <= kn; c += VW) {                                                         \
                vf x = *(const vf_u *)(sr + c) - vmax;                                                   \
                vf e = sel(x < splat(-87.0f), splat(0.0f), vexp(x)); /* true zero far out */             \
                *(vf_u *)(sr + c) = e;                                                                   \
                vs += e;                                                                                 \
            }                                                                                            \
            for (int u = 0; u < VW; u++) l += vs[u];                                                     \
            for (; c < kn; c++) {                                                                        \
                float e = ia_fast_exp(sr[c] - m);                                                        \
                e = ia_fast_select(sr[c] - m < -87.0f, 0.0f, e);                                         \
                sr[c] = e;                                                                               \
                l += e;                                                                                  \
            }                                                                                            \
        }                                                                                                \
        *sum = *sum * corr + l;                                                                          \
        *mx = m;                                                                                         \
        return corr;                                                                                     \
    }

#define vf vf8
#define vi vi8
#define vf_u vf8_u
#define VW 8
#if defined(__GNUC__) && defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("fp-contract=fast")
#endif
#define FN tile_avx2
#define sel sel_avx2
#define splat splat_avx2
#define vexp vexp_avx2
TILE_BODY
#undef FN
#undef sel
#undef splat
#undef vexp
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

#define FN tile_base
TILE_BODY
#undef FN
#undef vf
#undef vi
#undef vf_u
#undef VW

/* 16 lanes for AVX-512, written with intrinsics: the generic vectors above leave GCC serial
 * horizontal reductions (16 dependent scalar steps per row for the max and again for the sum),
 * a division per score, one exp chain in flight and clamps the scores minus their max never
 * need (2.4 cycles a score in all); here the row max and sum reduce as trees,
 * a power-of-two divisor becomes the (exact) multiply by its reciprocal, the exp loop runs two
 * vectors at a time, and the row's last partial vector goes through masked loads and stores. */
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define T512 __attribute__((target("avx512f,fma")))

/* ia_fast_exp's formula on 16 lanes of x <= 0 (scores minus their running max); lanes below -87
 * give exactly 0 ("true zero far out"), NaN stays NaN. 2^n is applied with vscalefps. */
T512 static inline __m512 vexp_nonpos(__m512 x) {
    __mmask16 near = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_NLT_UQ); /* x >= -87 or NaN */
    __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(12582912.0f));
    __m512 n = _mm512_sub_ps(t, _mm512_set1_ps(12582912.0f));
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 q = _mm512_set1_ps(1.9875691500e-4f);
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.3981999507e-3f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(8.3334519073e-3f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(4.1665795894e-2f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.6666665459e-1f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(5.0000001201e-1f));
    q = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(q, r), r, r), _mm512_set1_ps(1.0f));
    return _mm512_maskz_scalef_ps(near, q, n);
}

/* scale (multiply, or divide when div), add the contiguous mask row */
T512 static inline __m512 scaled(__m512 v, __m512 f, int mul, const float *mr, int64_t c, __mmask16 k) {
    v = mul ? _mm512_mul_ps(v, f) : _mm512_div_ps(v, f);
    return mr ? _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, mr + c)) : v;
}

T512 static float tile_avx512(float *sr, int64_t kn, float scale, int div, const float *mr, int64_t m_col, float *mx,
                              float *sum) {
    /* x / s == x * (1 / s) exactly when 1 / s is a power of two (s = 8 for 64-wide heads) */
    ia_f32bits inv = {1.0f / scale};
    unsigned ex = (inv.u >> 23) & 0xFF;
    int mul = !div || ((inv.u & 0x7FFFFF) == 0 && ex != 0 && ex != 0xFF);
    __m512 f = _mm512_set1_ps(div && mul ? inv.f : scale);
    const float *mc = mr && m_col == 1 ? mr : NULL;
    __m512 vm = _mm512_set1_ps(-INFINITY);
    int64_t c = 0;
    for (; c + 16 <= kn; c += 16) {
        __m512 v = scaled(_mm512_loadu_ps(sr + c), f, mul, mc, c, 0xFFFF);
        _mm512_storeu_ps(sr + c, v);
        vm = _mm512_max_ps(v, vm); /* v > vm ? v : vm */
    }
    if (c < kn) {
        __mmask16 k = (__mmask16)((1u << (kn - c)) - 1);
        __m512 v = scaled(_mm512_maskz_loadu_ps(k, sr + c), f, mul, mc, c, k);
        _mm512_mask_storeu_ps(sr + c, k, v);
        vm = _mm512_mask_max_ps(vm, k, v, vm);
    }
    float m = _mm512_reduce_max_ps(vm);
    m = m > *mx ? m : *mx;
    if (mr && m_col != 1) { /* a strided mask: add it now and take the max again */
        m = *mx;
        for (c = 0; c < kn; c++) {
            sr[c] += mr[c * m_col];
            m = sr[c] > m ? sr[c] : m;
        }
    }
    float corr = *mx == m ? 1.0f : expf(*mx - m); /* expf(-inf) = 0 on the first tile */
    float l = 0;
    if (m == -INFINITY) { /* every score so far is -inf: they weigh nothing yet */
        for (c = 0; c < kn; c++) sr[c] = 0;
        corr = 1.0f;
    } else {
        __m512 vmax = _mm512_set1_ps(m), s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        for (c = 0; c + 32 <= kn; c += 32) {
            __m512 e0 = vexp_nonpos(_mm512_sub_ps(_mm512_loadu_ps(sr + c), vmax));
            __m512 e1 = vexp_nonpos(_mm512_sub_ps(_mm512_loadu_ps(sr + c + 16), vmax));
            _mm512_storeu_ps(sr + c, e0);
            _mm512_storeu_ps(sr + c + 16, e1);
            s0 = _mm512_add_ps(s0, e0);
            s1 = _mm512_add_ps(s1, e1);
        }
        for (; c < kn; c += 16) {
            __mmask16 k = kn - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (kn - c)) - 1);
            __m512 e = vexp_nonpos(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, sr + c), vmax));
            _mm512_mask_storeu_ps(sr + c, k, e);
            s0 = _mm512_mask_add_ps(s0, k, s0, e);
        }
        l = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    }
    *sum = *sum * corr + l;
    *mx = m;
    return corr;
}
#undef T512
#endif

typedef float (*tile_fn)(float *, int64_t, float, int, const float *, int64_t, float *, float *);

float ia__softmax_tile(float *sr, int64_t kn, float scale, int div, const float *mr, int64_t m_col, float *mx,
                       float *sum) {
    static tile_fn fn;
    tile_fn f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);
    if (!f) {
        f = tile_base;
#if defined(__GNUC__) && defined(__x86_64__)
        if (ia__gemm_f32_kernel_supported(IA_GEMM_KERNEL_AVX512)) f = tile_avx512;
        else if (ia__gemm_f32_kernel_supported(IA_GEMM_KERNEL_AVX2)) f = tile_avx2;
#endif
        __atomic_store_n(&fn, f, __ATOMIC_RELEASE);
    }
    return f(sr, kn, scale, div, mr, m_col, mx, sum);
}
