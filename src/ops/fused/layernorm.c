/* LayerNorm (fused domain): Y = normalise(X [+ skip]) over the last axis, times gamma plus
 * beta (both optional, [D]); rms=1 skips the mean (RMSNorm). Output 1 (optional) is the sum
 * X + skip (SkipLayerNorm's residual). skip broadcasts against X numpy-style. Float32 only. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

typedef struct ln_job {
    const float *x, *skip, *gamma, *beta;
    float *y, *sum; /* sum: where X + skip goes (output 1 or scratch); NULL without skip */
    int64_t skip_rows; /* skip has this many rows of d, repeated over X's rows (broadcast over leading axes) */
    int64_t d;
    float eps;
    int rms;
} ln_job;

/* Sum of x[c] (sq = 0) or of (x[c] - mean)^2 (sq = 1) with 8 independent accumulators: a
 * single running float sum is bound by the add latency (and strict FP order keeps the
 * compiler from splitting it). */
static float row_sum(const float *x, int64_t d, float mean, int sq) {
    float a[8] = {0};
    int64_t c = 0;
    for (; c + 8 <= d; c += 8)
        for (int u = 0; u < 8; u++) {
            float v = x[c + u] - mean;
            a[u] += sq ? v * v : x[c + u];
        }
    float t = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; c < d; c++) {
        float v = x[c] - mean;
        t += sq ? v * v : x[c];
    }
    return t;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define LN_HAVE_AVX512 1

static inline __attribute__((target("avx512f"), always_inline)) __mmask16 tail_mask(int64_t left) {
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

/* One row with 16-lane vectors (masked tails): the sum x + k stored to s (k != NULL), then the
 * mean and the variance in two more passes over the row (in L1) with two accumulators each, then
 * y = (x - mean) * (inv * gamma) + beta with FMAs. Sums in a different order from the scalar
 * version: results differ from it by a few ulps. */
__attribute__((target("avx512f"))) static void ln_row_avx512(const float *x, const float *k, float *s, float *y,
                                                             const float *g, const float *bt, int64_t d, float eps,
                                                             int rms) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    if (k) {
        for (int64_t c = 0; c < d; c += 16) {
            __mmask16 m = tail_mask(d - c);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + c), _mm512_maskz_loadu_ps(m, k + c));
            _mm512_mask_storeu_ps(s + c, m, v);
            if ((c >> 4) & 1) a1 = _mm512_add_ps(a1, v);
            else a0 = _mm512_add_ps(a0, v);
        }
        x = s;
    } else if (!rms) {
        for (int64_t c = 0; c < d; c += 16) {
            __m512 v = _mm512_maskz_loadu_ps(tail_mask(d - c), x + c);
            if ((c >> 4) & 1) a1 = _mm512_add_ps(a1, v);
            else a0 = _mm512_add_ps(a0, v);
        }
    }
    float mean = rms ? 0.0f : _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)) / (float)d;
    __m512 mv = _mm512_set1_ps(mean);
    a0 = a1 = _mm512_setzero_ps();
    for (int64_t c = 0; c < d; c += 16) {
        __mmask16 m = tail_mask(d - c);
        __m512 v = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + c), mv);
        if ((c >> 4) & 1) a1 = _mm512_fmadd_ps(v, v, a1);
        else a0 = _mm512_fmadd_ps(v, v, a0);
    }
    float var = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
    __m512 inv = _mm512_set1_ps(1.0f / sqrtf(var / (float)d + eps));
    for (int64_t c = 0; c < d; c += 16) {
        __mmask16 m = tail_mask(d - c);
        __m512 v = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + c), mv);
        __m512 sc = g ? _mm512_mul_ps(inv, _mm512_maskz_loadu_ps(m, g + c)) : inv;
        __m512 o = bt ? _mm512_fmadd_ps(v, sc, _mm512_maskz_loadu_ps(m, bt + c)) : _mm512_mul_ps(v, sc);
        _mm512_mask_storeu_ps(y + c, m, o);
    }
}
#else
#define LN_HAVE_AVX512 0
#endif

/* __builtin_cpu_supports reads the CPU model libgcc fills in at startup: a load and a test */
static int use_avx512(void) {
#if LN_HAVE_AVX512
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

static void ln_rows(void *p, int64_t b, int64_t e, int t) {
    (void)t;
    const ln_job *j = p;
    const int64_t d = j->d;
#if LN_HAVE_AVX512
    if (use_avx512()) {
        for (int64_t r = b; r < e; r++) {
            int add = j->skip && j->sum != j->x;
            ln_row_avx512(j->x + r * d, add ? j->skip + (r % j->skip_rows) * d : NULL, add ? j->sum + r * d : NULL,
                          j->y + r * d, j->gamma, j->beta, d, j->eps, j->rms);
        }
        return;
    }
#endif
    for (int64_t r = b; r < e; r++) {
        const float *x = j->x + r * d;
        float *y = j->y + r * d;
        if (j->skip && j->sum != j->x) { /* residual: add on the fly */
            float *s = j->sum + r * d;
            const float *k = j->skip + (r % j->skip_rows) * d;
            for (int64_t c = 0; c < d; c++) s[c] = x[c] + k[c];
            x = s;
        }
        float mean = j->rms ? 0.0f : row_sum(x, d, 0.0f, 0) / (float)d;
        float var = row_sum(x, d, mean, 1);
        float inv = 1.0f / sqrtf(var / (float)d + j->eps);
        if (j->gamma && j->beta)
            for (int64_t c = 0; c < d; c++) y[c] = (x[c] - mean) * inv * j->gamma[c] + j->beta[c];
        else if (j->gamma)
            for (int64_t c = 0; c < d; c++) y[c] = (x[c] - mean) * inv * j->gamma[c];
        else
            for (int64_t c = 0; c < d; c++) y[c] = (x[c] - mean) * inv;
    }
}

/* Rows of skip repeated over X's rows: X has the output's shape and skip's dims, aligned on the
 * right, equal X's trailing dims after leading 1s (skip [S, D] or [1, S, D] against X [B, S, D]).
 * 0 when the broadcast is any other. */
static int64_t repeated_rows(const ia_tensor *x, const ia_tensor *skip, int rank, const int64_t *dims) {
    if (x->rank != rank || skip->rank > rank || skip->rank < 1) return 0;
    for (int a = 0; a < rank; a++)
        if (x->dims[a] != dims[a]) return 0;
    int lead = 1, off = rank - skip->rank;
    int64_t rows = 1;
    for (int a = 0; a < skip->rank; a++) {
        int64_t sd = skip->dims[a];
        if (lead && sd == 1 && a + 1 < skip->rank) continue;
        lead = 0;
        if (sd != x->dims[off + a]) return 0;
        if (a + 1 < skip->rank) rows *= sd;
    }
    return rows;
}

int ia_op_fused_layernorm(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *S = ia_kctx_input(ctx, 1), *G = ia_kctx_input(ctx, 2),
                    *B = ia_kctx_input(ctx, 3);
    float eps = ia_kctx_attr_float(ctx, "epsilon", 1e-5f);
    int rms = (int)ia_kctx_attr_int(ctx, "rms", 0);
    if (!X || X->dtype != IA_DTYPE_FLOAT || (S && S->dtype != IA_DTYPE_FLOAT))
        IA_KFAIL(ctx, IA_ERR_TYPE, "LayerNorm: X (and skip) must be float32 tensors");
    int rank = X->rank;
    int64_t dims[IA_MAX_DIMS];
    memcpy(dims, X->dims, sizeof(int64_t) * (size_t)rank);
    if (S) IA_KTRY(ia_broadcast_shape(X->rank, X->dims, S->rank, S->dims, &rank, dims));
    if (rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "LayerNorm: input needs rank >= 1");
    int64_t d = dims[rank - 1];
    if ((G && (G->dtype != IA_DTYPE_FLOAT || G->numel != d)) || (B && (B->dtype != IA_DTYPE_FLOAT || B->numel != d)))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "LayerNorm: scale and bias must be float32 with %lld elements (the last axis)", (long long)d);
    ia_tensor *Y, *Sum = NULL;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, rank, dims, &Y));
    if (S && ia_kctx_output_wanted(ctx, 1)) IA_KTRY(ia_kctx_output(ctx, 1, IA_DTYPE_FLOAT, rank, dims, &Sum));
    if (ia_kctx_shape_only(ctx) || !Y->numel) return IA_OK;
    ln_job j = {X->data, NULL, G ? G->data : NULL, B ? B->data : NULL, Y->data, NULL, 1, d, eps, rms};
    if (S) {
        float *sum = Sum ? Sum->data : NULL;
        int64_t skip_rows = repeated_rows(X, S, rank, dims);
        if (skip_rows > 0) {
            if (!sum && !(sum = ia_kctx_scratch(ctx, (size_t)Y->numel * sizeof(float)))) return IA_ERR_NOMEM;
            j.skip = S->data;
            j.skip_rows = skip_rows;
            j.sum = sum;
        } else { /* broadcast residual: materialise the sum first */
            if (!sum && !(sum = ia_kctx_scratch(ctx, (size_t)Y->numel * sizeof(float)))) return IA_ERR_NOMEM;
            int64_t sx[IA_MAX_DIMS], ss[IA_MAX_DIMS];
            ia_broadcast_strides(X, rank, dims, sx);
            ia_broadcast_strides(S, rank, dims, ss);
            const float *xa = X->data, *sa = S->data;
            for (int64_t i = 0; i < Y->numel; i++)
                sum[i] = xa[ia_bcast_offset(i, rank, dims, sx)] + sa[ia_bcast_offset(i, rank, dims, ss)];
            j.x = sum;
        }
    }
    int64_t rows = Y->numel / d;
    ia_parallel_for(ia_kctx_pool(ctx), rows, (4096 + d - 1) / d, ln_rows, &j);
    return IA_OK;
}
