/* Float32 GEMM kernels written once over a vector type, instantiated per ISA by the files
 * that include this (gemm_kernels_*.c): a register-tiled micro-kernel on packed panels and
 * three small-M (decode) kernels that stream B once. */
/* Parameters (defined by the including file):
 *   GK_SUF        name suffix;  GK_ATTR  function attributes (target ISA, optimisation)
 *   gk_v, gk_vu   the vector type (or float) and its unaligned may_alias twin;  GK_VW  its lanes;  GK_SPLAT(s)  broadcast
 *   GK_FMA(a, b, c)  a * b + c, fused where the ISA has it
 *   GK_MR, GK_NRV micro-tile: GK_MR rows x GK_NRV vectors (NR = GK_NRV * GK_VW columns)
 *   GK_SNV        vectors per row in the small-M raw-B kernel (columns = GK_SNV * GK_VW) */
#include <string.h>
#include "ops/nn/gemm_kernels.h"

#define GK_CAT2(a, b) a##_##b
#define GK_CAT(a, b) GK_CAT2(a, b)
#define GK_FN(name) GK_CAT(name, GK_SUF)
#define GK_NR (GK_NRV * GK_VW)

/* unaligned, aliasing-safe vector access (gk_vu: gk_v with aligned(4), may_alias) */
#define GK_LOAD(p) (*(const gk_vu *)(const void *)(p))
#define GK_STORE(p, v) (*(gk_vu *)(void *)(p) = (v))

/* c[R x cols] = (accumulate ? c : 0) + alpha * a strip (kb deep, R rows) * packed b strip (kb x
 * NR), for a compile-time R <= MR and U after inlining: edge strips of fewer rows run only their
 * own rows' FMAs. U = 0: a is a packed A strip (kb x MR); U = 1: a is row-major A itself, rows lda
 * apart (no packing: for products with few column strips, where packing A costs as much as a
 * good part of the multiply). */
GK_ATTR static inline __attribute__((always_inline)) void GK_FN(micro_rows)(int64_t kb, const float *restrict a,
                                                                            int64_t lda, const int U,
                                                                            const float *restrict b, float *restrict c,
                                                                            int64_t ldc, float alpha, const int R,
                                                                            int cols, int accumulate) {
    gk_v acc[GK_MR][GK_NRV];
    for (int i = 0; i < R; i++)
        for (int v = 0; v < GK_NRV; v++) acc[i][v] = GK_SPLAT(0.0f);
    const float *ar[GK_MR];
    for (int i = 0; i < R; i++) ar[i] = U ? a + i * lda : a + i;
    for (int64_t p = 0; p < kb; p++) {
        gk_v bv[GK_NRV];
        for (int v = 0; v < GK_NRV; v++) bv[v] = GK_LOAD(b + p * GK_NR + v * GK_VW);
        for (int i = 0; i < R; i++) {
            gk_v av = GK_SPLAT(U ? ar[i][p] : a[p * GK_MR + i]);
            for (int v = 0; v < GK_NRV; v++) acc[i][v] = GK_FMA(av, bv[v], acc[i][v]);
        }
    }
    gk_v al = GK_SPLAT(alpha);
    if (cols == GK_NR) {
        for (int i = 0; i < R; i++)
            for (int v = 0; v < GK_NRV; v++) {
                float *cp = c + i * ldc + v * GK_VW;
                gk_v r = acc[i][v] * al;
                if (accumulate) r += GK_LOAD(cp);
                GK_STORE(cp, r);
            }
        return;
    }
    float tmp[GK_MR][GK_NR];
    for (int i = 0; i < R; i++)
        for (int v = 0; v < GK_NRV; v++) GK_STORE(&tmp[i][v * GK_VW], acc[i][v] * al);
    for (int i = 0; i < R; i++)
        for (int q = 0; q < cols; q++) c[i * ldc + q] = (accumulate ? c[i * ldc + q] : 0.0f) + tmp[i][q];
}

/* micro_rows for a run-time row count */
GK_ATTR static inline __attribute__((always_inline)) void GK_FN(micro_any)(int64_t kb, const float *restrict a,
                                                                           int64_t lda, const int U,
                                                                           const float *restrict b, float *restrict c,
                                                                           int64_t ldc, float alpha, int rows, int cols,
                                                                           int accumulate) {
#define GK_ROWS(R) GK_FN(micro_rows)(kb, a, lda, U, b, c, ldc, alpha, R, cols, accumulate)
    switch (rows) {
#if GK_MR > 1
    case 1: GK_ROWS(1); return;
#endif
#if GK_MR > 2
    case 2: GK_ROWS(2); return;
#endif
#if GK_MR > 3
    case 3: GK_ROWS(3); return;
#endif
#if GK_MR > 4
    case 4: GK_ROWS(4); return;
#endif
#if GK_MR > 5
    case 5: GK_ROWS(5); return;
#endif
#if GK_MR > 6
    case 6: GK_ROWS(6); return;
#endif
#if GK_MR > 7
    case 7: GK_ROWS(7); return;
#endif
#if GK_MR > 8
    case 8: GK_ROWS(8); return;
#endif
#if GK_MR > 9
    case 9: GK_ROWS(9); return;
#endif
#if GK_MR > 10
    case 10: GK_ROWS(10); return;
#endif
#if GK_MR > 11
    case 11: GK_ROWS(11); return;
#endif
#if GK_MR > 12
    case 12: GK_ROWS(12); return;
#endif
#if GK_MR > 13
    case 13: GK_ROWS(13); return;
#endif
#if GK_MR > 14
#error "micro: add cases for row counts above 13"
#endif
    default: GK_ROWS(GK_MR); return;
    }
#undef GK_ROWS
}

/* c[rows x cols] = (accumulate ? c : 0) + alpha * packed a strip (kb x MR) * packed b strip (kb x NR) */
GK_ATTR static void GK_FN(micro)(int64_t kb, const float *restrict a, const float *restrict b, float *restrict c,
                                 int64_t ldc, float alpha, int rows, int cols, int accumulate) {
    GK_FN(micro_any)(kb, a, 0, 0, b, c, ldc, alpha, rows, cols, accumulate);
}

/* The same with a = rows (<= MR) of row-major A, lda apart, read in place */
GK_ATTR static void GK_FN(micro_u)(int64_t kb, const float *restrict a, int64_t lda, const float *restrict b,
                                   float *restrict c, int64_t ldc, float alpha, int rows, int cols, int accumulate) {
    GK_FN(micro_any)(kb, a, lda, 1, b, c, ldc, alpha, rows, cols, accumulate);
}

/* One A strip (row-major A, rows <= MR) into the packed layout [p][MR], zero padded. Rows are
 * read GK_PD depths at a time, one whole cache line per row, into a small block that is then
 * transposed from L1 with sequential stores. Reading one depth of every row per step instead
 * keeps MR source lines live at once, and when the row pitch is a multiple of 4 KiB (K = 1024,
 * 2048, 3072 floats) they all fall in one L1 set and evict each other at every depth.
 * (AVX-512 gathers and scattered stores were slower still on Zen 4.) */
#define GK_PD 16
GK_ATTR static void GK_FN(pack_a)(const float *restrict a, int64_t lda, int rows, int64_t kb, float *restrict dst) {
    float blk[GK_MR][GK_PD];
    int64_t p = 0;
    for (; p + GK_PD <= kb; p += GK_PD) {
        for (int r = 0; r < rows; r++) memcpy(blk[r], a + r * lda + p, sizeof blk[r]);
        for (int r = rows; r < GK_MR; r++) memset(blk[r], 0, sizeof blk[r]);
        for (int q = 0; q < GK_PD; q++)
            for (int r = 0; r < GK_MR; r++) dst[(p + q) * GK_MR + r] = blk[r][q];
    }
    for (; p < kb; p++) {
        for (int r = 0; r < rows; r++) dst[p * GK_MR + r] = a[r * lda + p];
        for (int r = rows; r < GK_MR; r++) dst[p * GK_MR + r] = 0.0f;
    }
}
#undef GK_PD

/* Small M, B row-major (k x n): M rows x NV vectors of columns over depth [p0, p1). B is
 * walked in chunks of GK_KCH rows across all columns, so it streams nearly sequentially (a few
 * rows at a time, prefetcher- and TLB-friendly); C stays in cache between chunks. */
#define GK_KCH 32
#define GK_SMALL_NT(M, NV)                                                                                      \
    do {                                                                                                        \
        gk_v acc[M][NV];                                                                                        \
        for (int i = 0; i < M; i++)                                                                             \
            for (int v = 0; v < NV; v++) acc[i][v] = GK_SPLAT(0.0f);                                            \
        for (int64_t p = p0; p < p1; p++) {                                                                     \
            const float *bp = b + p * ldb + j;                                                                  \
            gk_v bv[NV];                                                                                        \
            for (int v = 0; v < NV; v++) bv[v] = GK_LOAD(bp + v * GK_VW);                                       \
            for (int i = 0; i < M; i++) {                                                                       \
                gk_v av = GK_SPLAT(a[i * lda + p]);                                                             \
                for (int v = 0; v < NV; v++) acc[i][v] = GK_FMA(av, bv[v], acc[i][v]);                          \
            }                                                                                                   \
        }                                                                                                       \
        for (int i = 0; i < M; i++)                                                                             \
            for (int v = 0; v < NV; v++) {                                                                      \
                float *cp = c + i * ldc + j + v * GK_VW;                                                        \
                gk_v r = acc[i][v] * GK_SPLAT(alpha);                                                           \
                if (acc_c) r += GK_LOAD(cp);                                                                    \
                GK_STORE(cp, r);                                                                                \
            }                                                                                                   \
    } while (0)

#define GK_SMALL_NT_ROWS(M)                                                                                     \
    GK_ATTR static void GK_FN(small_nt_##M)(int64_t n, int64_t k, float alpha, const float *restrict a,        \
                                            int64_t lda, const float *restrict b, int64_t ldb, float *restrict c, \
                                            int64_t ldc, int accumulate) {                                      \
        for (int64_t p0 = 0; p0 < k; p0 += GK_KCH) {                                                            \
            int64_t p1 = k - p0 < GK_KCH ? k : p0 + GK_KCH;                                                     \
            int acc_c = accumulate || p0 > 0;                                                                   \
            int64_t j = 0;                                                                                      \
            for (; j + GK_SNV * GK_VW <= n; j += GK_SNV * GK_VW) GK_SMALL_NT(M, GK_SNV);                        \
            for (; j + GK_VW <= n; j += GK_VW) GK_SMALL_NT(M, 1);                                               \
            for (; j < n; j++)                                                                                  \
                for (int i = 0; i < M; i++) {                                                                   \
                    float s = 0.0f;                                                                             \
                    for (int64_t p = p0; p < p1; p++) s += a[i * lda + p] * b[p * ldb + j];                    \
                    c[i * ldc + j] = alpha * s + (acc_c ? c[i * ldc + j] : 0.0f);                               \
                }                                                                                               \
        }                                                                                                       \
        if (k <= 0 && !accumulate)                                                                              \
            for (int i = 0; i < M; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));                      \
    }
GK_SMALL_NT_ROWS(1)
GK_SMALL_NT_ROWS(2)
GK_SMALL_NT_ROWS(3)
GK_SMALL_NT_ROWS(4)

/* Small M, B stored transposed (n x k): dot products of A rows with B rows, 4 B rows at once. */
#define GK_SMALL_T(M, NJ)                                                                                       \
    do {                                                                                                        \
        gk_v acc[M][NJ];                                                                                        \
        for (int i = 0; i < M; i++)                                                                             \
            for (int q = 0; q < NJ; q++) acc[i][q] = GK_SPLAT(0.0f);                                            \
        int64_t p = 0;                                                                                          \
        for (; p + GK_VW <= k; p += GK_VW) {                                                                    \
            gk_v bv[NJ];                                                                                        \
            for (int q = 0; q < NJ; q++) bv[q] = GK_LOAD(b + (j + q) * ldb + p);                         \
            for (int i = 0; i < M; i++) {                                                                       \
                gk_v av = GK_LOAD(a + i * lda + p);                                                      \
                for (int q = 0; q < NJ; q++) acc[i][q] = GK_FMA(av, bv[q], acc[i][q]);                                           \
            }                                                                                                   \
        }                                                                                                       \
        for (int i = 0; i < M; i++)                                                                             \
            for (int q = 0; q < NJ; q++) {                                                                      \
                float lanes[GK_VW], s = 0.0f;                                                                   \
                memcpy(lanes, &acc[i][q], sizeof lanes);                                                        \
                for (int l = 0; l < GK_VW; l++) s += lanes[l];                                                  \
                for (int64_t pp = p; pp < k; pp++) s += a[i * lda + pp] * b[(j + q) * ldb + pp];                \
                float *cp = c + i * ldc + j + q;                                                                \
                *cp = alpha * s + (accumulate ? *cp : 0.0f);                                                    \
            }                                                                                                   \
    } while (0)

#define GK_SMALL_T_ROWS(M)                                                                                      \
    GK_ATTR static void GK_FN(small_t_##M)(int64_t n, int64_t k, float alpha, const float *restrict a,         \
                                           int64_t lda, const float *restrict b, int64_t ldb, float *restrict c, \
                                           int64_t ldc, int accumulate) {                                       \
        int64_t j = 0;                                                                                          \
        for (; j + 4 <= n; j += 4) GK_SMALL_T(M, 4);                                                            \
        for (; j < n; j++) GK_SMALL_T(M, 1);                                                                    \
    }
GK_SMALL_T_ROWS(1)
GK_SMALL_T_ROWS(2)
GK_SMALL_T_ROWS(3)
GK_SMALL_T_ROWS(4)

/* Small M on pre-packed B ([k block][NR strip][kb][NR], see gemm_f32.c): NS strips at once. */
#define GK_SMALL_P(M, NS)                                                                                       \
    do {                                                                                                        \
        gk_v acc[M][NS * GK_NRV];                                                                               \
        for (int i = 0; i < M; i++)                                                                             \
            for (int v = 0; v < NS * GK_NRV; v++) acc[i][v] = GK_SPLAT(0.0f);                                   \
        for (int64_t p0 = 0; p0 < k; p0 += kc) {                                                                \
            int64_t kb = k - p0 < kc ? k - p0 : kc;                                                             \
            const float *bp = packed + p0 * n_pad + s * kb * GK_NR;                                             \
            for (int64_t p = 0; p < kb; p++) {                                                                  \
                gk_v bv[NS * GK_NRV];                                                                           \
                for (int t = 0; t < NS; t++)                                                                    \
                    for (int v = 0; v < GK_NRV; v++)                                                            \
                        bv[t * GK_NRV + v] = GK_LOAD(bp + t * kb * GK_NR + p * GK_NR + v * GK_VW);       \
                for (int i = 0; i < M; i++) {                                                                   \
                    gk_v av = GK_SPLAT(a[i * lda + p0 + p]);                                                    \
                    for (int v = 0; v < NS * GK_NRV; v++) acc[i][v] = GK_FMA(av, bv[v], acc[i][v]);                              \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int t = 0; t < NS; t++) {                                                                          \
            int64_t col = (s + t) * GK_NR;                                                                      \
            int64_t cols = n - col < GK_NR ? n - col : GK_NR;                                                   \
            for (int i = 0; i < M; i++) {                                                                       \
                float lanes[GK_NR];                                                                             \
                for (int v = 0; v < GK_NRV; v++)                                                                \
                    GK_STORE(lanes + v * GK_VW, acc[i][t * GK_NRV + v] * GK_SPLAT(alpha));               \
                float *cp = c + i * ldc + col;                                                                  \
                for (int64_t q = 0; q < cols; q++) cp[q] = lanes[q] + (accumulate ? cp[q] : 0.0f);              \
            }                                                                                                   \
        }                                                                                                       \
    } while (0)

#define GK_SMALL_P_ROWS(M)                                                                                      \
    GK_ATTR static void GK_FN(small_p_##M)(int64_t s0, int64_t s1, int64_t n, int64_t n_pad, int64_t k,        \
                                           int64_t kc, float alpha, const float *restrict a, int64_t lda,       \
                                           const float *restrict packed, float *restrict c, int64_t ldc,        \
                                           int accumulate) {                                                    \
        int64_t s = s0;                                                                                         \
        for (; s + 2 <= s1; s += 2) GK_SMALL_P(M, 2);                                                           \
        for (; s < s1; s++) GK_SMALL_P(M, 1);                                                                   \
    }
GK_SMALL_P_ROWS(1)
GK_SMALL_P_ROWS(2)
GK_SMALL_P_ROWS(3)
GK_SMALL_P_ROWS(4)

/* Entry points taking a run-time row count (1..IA_GEMM_SMALL_M): split into blocks of up to 4 rows. */
static void GK_FN(small_nt)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate) {
    for (int64_t i = 0; i < m;) {
        int64_t r = m - i;
        switch (r >= 4 ? 4 : r) {
        case 4: GK_FN(small_nt_4)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 4; break;
        case 3: GK_FN(small_nt_3)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 3; break;
        case 2: GK_FN(small_nt_2)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 2; break;
        default: GK_FN(small_nt_1)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 1; break;
        }
    }
}
static void GK_FN(small_t)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate) {
    for (int64_t i = 0; i < m;) {
        int64_t r = m - i;
        switch (r >= 4 ? 4 : r) {
        case 4: GK_FN(small_t_4)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 4; break;
        case 3: GK_FN(small_t_3)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 3; break;
        case 2: GK_FN(small_t_2)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 2; break;
        default: GK_FN(small_t_1)(n, k, alpha, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulate); i += 1; break;
        }
    }
}
static void GK_FN(small_p)(int64_t m, int64_t s0, int64_t s1, int64_t n, int64_t n_pad, int64_t k, int64_t kc,
                           float alpha, const float *a, int64_t lda, const float *packed, float *c, int64_t ldc,
                           int accumulate) {
    for (int64_t i = 0; i < m;) {
        int64_t r = m - i;
        const float *ai = a + i * lda;
        float *ci = c + i * ldc;
        switch (r >= 4 ? 4 : r) {
        case 4: GK_FN(small_p_4)(s0, s1, n, n_pad, k, kc, alpha, ai, lda, packed, ci, ldc, accumulate); i += 4; break;
        case 3: GK_FN(small_p_3)(s0, s1, n, n_pad, k, kc, alpha, ai, lda, packed, ci, ldc, accumulate); i += 3; break;
        case 2: GK_FN(small_p_2)(s0, s1, n, n_pad, k, kc, alpha, ai, lda, packed, ci, ldc, accumulate); i += 2; break;
        default: GK_FN(small_p_1)(s0, s1, n, n_pad, k, kc, alpha, ai, lda, packed, ci, ldc, accumulate); i += 1; break;
        }
    }
}
