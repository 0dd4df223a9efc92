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

/* Optimise the hot loops even in debug builds, and add an AVX2/FMA clone on x86-64 GCC. */
#if defined(__GNUC__) && !defined(__clang__)
#define IA_HOT __attribute__((optimize("O3")))
#else
#define IA_HOT
#endif
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__)
#define IA_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define IA_CLONES
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

/* c[0..rows) x [0..cols) += alpha * (packed a strip) * (packed b strip). */
IA_CLONES IA_HOT static void micro_kernel(int64_t kb, const float *restrict a, const float *restrict b,
                                          float *restrict c, int64_t ldc, float alpha, int64_t rows,
                                          int64_t cols) {
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
    if (rows == MR && cols == NR) {
        for (int i = 0; i < MR; i++)
            for (int q = 0; q < NR; q++) c[i * ldc + q] += alpha * acc[i][q];
    } else {
        for (int64_t i = 0; i < rows; i++)
            for (int64_t q = 0; q < cols; q++) c[i * ldc + q] += alpha * acc[i][q];
    }
}

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
