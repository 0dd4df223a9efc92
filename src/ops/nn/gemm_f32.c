/* Cache-blocked float32 GEMM: packed A/B panels, a 6x16 register-tiled micro-kernel in
 * portable C (auto-vectorised), parallel over output tiles. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/nn/gemm_f32.h"

#define MR 6
#define NR 16
#define KC 256 /* depth of one packed panel */
#define MC 96  /* rows of A per tile (multiple of MR) */
#define NC 512 /* columns of B per tile (multiple of NR) */

/* Optimise the hot loops even in debug builds (GCC). */
#if defined(__GNUC__) && !defined(__clang__)
#define IA_HOT __attribute__((optimize("O3")))
#else
#define IA_HOT
#endif
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__AVX2__)
#define IA_X86_DISPATCH 1 /* baseline build: pick the AVX2+FMA kernel at run time */
#define IA_X86_V3 __attribute__((target("avx2,fma")))
#else
#define IA_X86_DISPATCH 0
#define IA_X86_V3
#endif

typedef struct gemm_job {
    int trans_a, trans_b;
    int64_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    int64_t lda, ldb, ldc;
    float *c;
    int64_t mc, nc;          /* tile sizes */
    int64_t m_tiles, n_tiles;
    float *buf;              /* per-thread packing buffers */
    size_t buf_floats;       /* floats per thread */
} gemm_job;

/* Packs rows [i0, i0+mb) x depth [p0, p0+kb) of op(A) into MR-row strips, zero padded. */
IA_HOT static void pack_a(const gemm_job *j, int64_t i0, int64_t mb, int64_t p0, int64_t kb, float *dst) {
    for (int64_t is = 0; is < mb; is += MR) {
        int64_t rows = mb - is < MR ? mb - is : MR;
        for (int64_t p = 0; p < kb; p++) {
            float *d = dst + p * MR;
            for (int64_t r = 0; r < rows; r++) {
                int64_t i = i0 + is + r, pp = p0 + p;
                d[r] = j->trans_a ? j->a[pp * j->lda + i] : j->a[i * j->lda + pp];
            }
            for (int64_t r = rows; r < MR; r++) d[r] = 0.0f;
        }
        dst += kb * MR;
    }
}

/* Packs depth [p0, p0+kb) x columns [j0, j0+nb) of op(B) into NR-column strips, zero padded. */
IA_HOT static void pack_b(const gemm_job *j, int64_t p0, int64_t kb, int64_t j0, int64_t nb, float *dst) {
    for (int64_t js = 0; js < nb; js += NR) {
        int64_t cols = nb - js < NR ? nb - js : NR;
        for (int64_t p = 0; p < kb; p++) {
            float *d = dst + p * NR;
            int64_t pp = p0 + p;
            if (!j->trans_b && cols == NR) {
                memcpy(d, j->b + pp * j->ldb + j0 + js, NR * sizeof(float));
                continue;
            }
            for (int64_t q = 0; q < cols; q++) {
                int64_t col = j0 + js + q;
                d[q] = j->trans_b ? j->b[col * j->ldb + pp] : j->b[pp * j->ldb + col];
            }
            for (int64_t q = cols; q < NR; q++) d[q] = 0.0f;
        }
        dst += kb * NR;
    }
}

/* c[0..rows) x [0..cols) += alpha * (packed a strip) * (packed b strip).
 * With GCC/Clang the accumulators are vector-extension values that stay in registers: 12
 * 8-wide ones where the target has 16 wide registers (AVX2, picked at run time on x86-64) or
 * 32 (NEON), two passes of 12 4-wide ones on baseline x86-64 (SSE2, 16 registers).
 * Elsewhere plain C loops. */
#if defined(__GNUC__)
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

static void store_tile(float tmp[MR][NR], float *c, int64_t ldc, float alpha, int64_t rows, int64_t cols) {
    for (int64_t i = 0; i < rows; i++)
        for (int64_t q = 0; q < cols; q++) c[i * ldc + q] += alpha * tmp[i][q];
}

IA_X86_V3 IA_HOT static void kernel_v8(int64_t kb, const float *restrict a, const float *restrict b,
                                       float *restrict c, int64_t ldc, float alpha, int64_t rows, int64_t cols) {
    v8f acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (v8f){0};
    for (int64_t p = 0; p < kb; p++) {
        v8f b0, b1;
        memcpy(&b0, b + p * NR, sizeof b0);
        memcpy(&b1, b + p * NR + 8, sizeof b1);
        const float *ap = a + p * MR;
        for (int i = 0; i < MR; i++) {
            float s = ap[i];
            v8f av = {s, s, s, s, s, s, s, s};
            acc[i][0] += av * b0;
            acc[i][1] += av * b1;
        }
    }
    float tmp[MR][NR];
    for (int i = 0; i < MR; i++) {
        memcpy(&tmp[i][0], &acc[i][0], sizeof acc[i][0]);
        memcpy(&tmp[i][8], &acc[i][1], sizeof acc[i][1]);
    }
    store_tile(tmp, c, ldc, alpha, rows, cols);
}

#if IA_X86_DISPATCH
IA_HOT static void kernel_v4(int64_t kb, const float *restrict a, const float *restrict b, float *restrict c,
                             int64_t ldc, float alpha, int64_t rows, int64_t cols) {
    float tmp[MR][NR];
    for (int h = 0; h < NR; h += 8) {
        v4f acc[MR][2];
        for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (v4f){0};
        for (int64_t p = 0; p < kb; p++) {
            v4f b0, b1;
            memcpy(&b0, b + p * NR + h, sizeof b0);
            memcpy(&b1, b + p * NR + h + 4, sizeof b1);
            const float *ap = a + p * MR;
            for (int i = 0; i < MR; i++) {
                float s = ap[i];
                v4f av = {s, s, s, s};
                acc[i][0] += av * b0;
                acc[i][1] += av * b1;
            }
        }
        for (int i = 0; i < MR; i++) {
            memcpy(&tmp[i][h], &acc[i][0], sizeof acc[i][0]);
            memcpy(&tmp[i][h + 4], &acc[i][1], sizeof acc[i][1]);
        }
    }
    store_tile(tmp, c, ldc, alpha, rows, cols);
}
#endif

static void micro_kernel(int64_t kb, const float *restrict a, const float *restrict b, float *restrict c,
                         int64_t ldc, float alpha, int64_t rows, int64_t cols) {
#if IA_X86_DISPATCH
    if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        kernel_v4(kb, a, b, c, ldc, alpha, rows, cols);
        return;
    }
#endif
    kernel_v8(kb, a, b, c, ldc, alpha, rows, cols);
}
#else
static void micro_kernel(int64_t kb, const float *restrict a, const float *restrict b, float *restrict c,
                         int64_t ldc, float alpha, int64_t rows, int64_t cols) {
    float acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int q = 0; q < NR; q++) acc[i][q] = 0.0f;
    for (int64_t p = 0; p < kb; p++) {
        const float *bp = b + p * NR;
        const float *ap = a + p * MR;
        for (int i = 0; i < MR; i++) {
            float av = ap[i];
            for (int q = 0; q < NR; q++) acc[i][q] += av * bp[q];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t q = 0; q < cols; q++) c[i * ldc + q] += alpha * acc[i][q];
}
#endif

/* Computes output tiles [begin, end) (row-major over the tile grid). */
static void gemm_tiles(void *arg, int64_t begin, int64_t end, int thread_index) {
    const gemm_job *j = arg;
    float *pa = j->buf + (size_t)thread_index * j->buf_floats;
    float *pb = pa + (size_t)j->mc * KC;
    for (int64_t t = begin; t < end; t++) {
        int64_t i0 = (t / j->n_tiles) * j->mc, j0 = (t % j->n_tiles) * j->nc;
        int64_t mb = j->m - i0 < j->mc ? j->m - i0 : j->mc;
        int64_t nb = j->n - j0 < j->nc ? j->n - j0 : j->nc;
        /* beta first, so the micro-kernel only accumulates */
        for (int64_t i = 0; i < mb; i++) {
            float *row = j->c + (i0 + i) * j->ldc + j0;
            if (j->beta == 0.0f) memset(row, 0, (size_t)nb * sizeof(float));
            else if (j->beta != 1.0f)
                for (int64_t q = 0; q < nb; q++) row[q] *= j->beta;
        }
        if (j->alpha == 0.0f) continue;
        for (int64_t p0 = 0; p0 < j->k; p0 += KC) {
            int64_t kb = j->k - p0 < KC ? j->k - p0 : KC;
            pack_b(j, p0, kb, j0, nb, pb);
            pack_a(j, i0, mb, p0, kb, pa);
            for (int64_t js = 0; js < nb; js += NR) {
                int64_t cols = nb - js < NR ? nb - js : NR;
                const float *bs = pb + js * kb;
                for (int64_t is = 0; is < mb; is += MR) {
                    int64_t rows = mb - is < MR ? mb - is : MR;
                    micro_kernel(kb, pa + is * kb, bs, j->c + (i0 + is) * j->ldc + j0 + js, j->ldc, j->alpha,
                                 rows, cols);
                }
            }
        }
    }
}

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

int ia_gemm_f32(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    if (m <= 0 || n <= 0) return IA_OK;
    gemm_job j = {trans_a, trans_b, m, n, k, alpha, beta, a, b, lda, ldb, ldc, c, 0, 0, 0, 0, NULL, 0};
    if (k <= 0) j.alpha = 0.0f; /* only the beta scaling remains */
    double flops = (double)m * (double)n * (double)(k > 0 ? k : 1);
    int threads = flops < 64.0 * 64.0 * 64.0 ? 1 : ia_threadpool_size(pool);
    if (threads < 1) threads = 1;
    /* tile sizes: shrink until there are enough tiles to keep every thread busy */
    j.mc = m < MC ? round_up(m, MR) : MC;
    j.nc = n < NC ? round_up(n, NR) : NC;
    for (;;) {
        j.m_tiles = (m + j.mc - 1) / j.mc;
        j.n_tiles = (n + j.nc - 1) / j.nc;
        if (j.m_tiles * j.n_tiles >= 2 * threads) break;
        if (j.nc > 4 * NR) j.nc = round_up(j.nc / 2, NR);
        else if (j.mc > 4 * MR) j.mc = round_up(j.mc / 2, MR);
        else break;
    }
    j.buf_floats = (size_t)(j.mc * KC + KC * j.nc);
    j.buf = ia_aligned_alloc(j.buf_floats * sizeof(float) * (size_t)threads);
    if (!j.buf) return IA_ERR_NOMEM;
    int64_t tiles = j.m_tiles * j.n_tiles;
    if (threads == 1) gemm_tiles(&j, 0, tiles, 0);
    else ia_parallel_for(pool, tiles, 1, gemm_tiles, &j);
    ia_aligned_free(j.buf);
    return IA_OK;
}
