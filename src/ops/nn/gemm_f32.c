/* Float32 GEMM driver: kernel-set selection by CPU features, cache blocking and packing,
 * pre-packed constant B, a small-M (decode) path, and a split of C into one contiguous block
 * per thread. The kernels themselves are in gemm_kernels_*.c. */
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "ops/nn/gemm_f32.h"
#include "ops/nn/gemm_kernels.h"
#if IA_GEMM_HAVE_X86
#include <cpuid.h>
#endif

struct ia_gemm_packed_b {
    const ia__gemm_kernel *kern; /* layout (nr) it was packed for */
    int64_t k, n, n_pad, kc;
    float *data;
};

/* ---------------- kernel selection ---------------- */

#if IA_GEMM_HAVE_X86
static int x86_supports(int id) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (id == IA_GEMM_KERNEL_SSE2) return (d >> 26) & 1;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return 0;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 0x6) != 0x6) return 0; /* the OS saves XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512vl = (b >> 31) & 1;
    if (id == IA_GEMM_KERNEL_AVX2) return avx2 && fma;
    if (id == IA_GEMM_KERNEL_AVX512) return avx512f && avx512vl && fma && (xlo & 0xe6) == 0xe6; /* + opmask, ZMM */
    return 0;
}
#endif

static const ia__gemm_kernel *kernel_by_id(int id) {
    switch (id) {
    case IA_GEMM_KERNEL_PORTABLE: return &ia__gemm_kernel_portable;
#if IA_GEMM_HAVE_X86
    case IA_GEMM_KERNEL_SSE2: return &ia__gemm_kernel_sse2;
    case IA_GEMM_KERNEL_AVX2: return &ia__gemm_kernel_avx2;
    case IA_GEMM_KERNEL_AVX512: return &ia__gemm_kernel_avx512;
#endif
#if IA_GEMM_HAVE_NEON
    case IA_GEMM_KERNEL_NEON: return &ia__gemm_kernel_neon;
#endif
    default: return NULL;
    }
}

int ia__gemm_f32_kernel_supported(int id) {
    if (id == IA_GEMM_KERNEL_AUTO || id == IA_GEMM_KERNEL_PORTABLE) return 1;
#if IA_GEMM_HAVE_X86
    if (kernel_by_id(id)) return x86_supports(id);
#endif
#if IA_GEMM_HAVE_NEON
    if (id == IA_GEMM_KERNEL_NEON) return 1;
#endif
    return 0;
}

static const ia__gemm_kernel *g_forced;       /* set by tests */
static const ia__gemm_kernel *g_auto;         /* detected once */
static int64_t g_small_m = 4;
/* Blocks of C this many column strips wide or narrower read A in place instead of packing it: a
 * packed A strip is reused once per strip, so for narrow blocks (attention's P x V with a head of
 * 64: 2 strips) packing costs a good part of the multiply. Measured on the Whisper encoder at 1
 * thread: attention -9% at 8 strips (-7% at 4). Wider blocks also read A in place where the
 * kernel set asks for it (direct_a_wide) and A's row pitch allows (a_rows_spread_over_l1_sets). */
static int64_t g_direct_a_strips = 8;

/* Whether reading A in place suits its row pitch: the micro-kernel walks its mr rows side by side,
 * one cache line of each live at a time, and rows whose addresses are equal modulo 4 KiB fall in
 * the same L1 set. More than half of them in one set (pitches of 1024, 2048, 3072 floats: all of
 * them) evict each other at every depth step; packing, which reads each row a line at a time, is
 * then faster (AVX-512, 128 x 768 x 3072: in place 80 GFLOP/s, packed 104). */
static int a_rows_spread_over_l1_sets(int64_t lda, int mr) {
    /* rows r and r' share a set when (r - r') * lda is a multiple of 1024 floats, so no set holds
     * more of them than row 0's: count those */
    int in_row0_set = 0;
    for (int r = 0; r < mr; r++) in_row0_set += (r * lda) % 1024 == 0;
    return 2 * in_row0_set <= mr;
}

static const ia__gemm_kernel *current_kernel(void) {
    const ia__gemm_kernel *k = __atomic_load_n(&g_forced, __ATOMIC_ACQUIRE);
    if (k) return k;
    k = __atomic_load_n(&g_auto, __ATOMIC_ACQUIRE);
    if (k) return k;
    k = &ia__gemm_kernel_portable;
    for (int id = IA_GEMM_KERNEL_COUNT - 1; id > IA_GEMM_KERNEL_PORTABLE; id--)
        if (kernel_by_id(id) && ia__gemm_f32_kernel_supported(id)) {
            k = kernel_by_id(id);
            break;
        }
    __atomic_store_n(&g_auto, k, __ATOMIC_RELEASE);
    return k;
}

int ia__gemm_f32_set_kernel(int id) {
    if (id == IA_GEMM_KERNEL_AUTO) {
        __atomic_store_n(&g_forced, NULL, __ATOMIC_RELEASE);
        return IA_OK;
    }
    if (!kernel_by_id(id) || !ia__gemm_f32_kernel_supported(id))
        return ia_set_error(IA_ERR_UNSUPPORTED, "GEMM kernel %d is not supported on this CPU or build", id);
    __atomic_store_n(&g_forced, kernel_by_id(id), __ATOMIC_RELEASE);
    return IA_OK;
}

const char *ia__gemm_f32_kernel_name(void) { return current_kernel()->name; }
void ia__gemm_f32_set_small_m(int64_t m) { g_small_m = m; }
void ia__gemm_f32_set_direct_a(int64_t strips) { g_direct_a_strips = strips; }

/* ---------------- packing ---------------- */

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Rows [i0, i0+mb) x depth [p0, p0+kb) of op(A) into mr-row strips, zero padded (row-major A
 * by the kernel set's own strip packer). */
__attribute__((IA_GEMM_O3)) static void pack_a(const ia__gemm_kernel *K, int trans_a, const float *a, int64_t lda,
                                               int64_t i0, int64_t mb, int64_t p0, int64_t kb, float *dst) {
    const int mr = K->mr;
    for (int64_t is = 0; is < mb; is += mr) {
        int64_t rows = min64(mb - is, mr);
        if (!trans_a) {
            K->pack_a(a + (i0 + is) * lda + p0, lda, (int)rows, kb, dst);
            dst += kb * mr;
            continue;
        }
        for (int64_t p = 0; p < kb; p++) {
            const float *src = a + (p0 + p) * lda + i0 + is;
            for (int64_t r = 0; r < rows; r++) dst[p * mr + r] = src[r];
        }
        for (int64_t r = rows; r < mr; r++)
            for (int64_t p = 0; p < kb; p++) dst[p * mr + r] = 0.0f;
        dst += kb * mr;
    }
}

/* Depth [p0, p0+kb) x columns [j0, j0+nb) of op(B) into nr-column strips, zero padded. */
__attribute__((IA_GEMM_O3)) static void pack_b(int nr, int trans_b, const float *b, int64_t ldb, int64_t p0,
                                               int64_t kb, int64_t j0, int64_t nb, float *dst) {
    for (int64_t js = 0; js < nb; js += nr) {
        int64_t cols = min64(nb - js, nr);
        if (!trans_b) {
            for (int64_t p = 0; p < kb; p++) {
                const float *src = b + (p0 + p) * ldb + j0 + js;
                float *d = dst + p * nr;
                memcpy(d, src, (size_t)cols * sizeof(float));
                for (int64_t q = cols; q < nr; q++) d[q] = 0.0f;
            }
        } else {
            for (int64_t q = 0; q < cols; q++) {
                const float *src = b + (j0 + js + q) * ldb + p0;
                for (int64_t p = 0; p < kb; p++) dst[p * nr + q] = src[p];
            }
            for (int64_t p = 0; p < kb; p++)
                for (int64_t q = cols; q < nr; q++) dst[p * nr + q] = 0.0f;
        }
        dst += kb * nr;
    }
}

int ia_gemm_f32_pack_b(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb, ia_gemm_packed_b **out) {
    return ia_gemm_f32_pack_b_depth(trans_b, k, n, b, ldb, current_kernel()->kc, out);
}

int ia_gemm_f32_pack_b_depth(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb, int64_t kc,
                             ia_gemm_packed_b **out) {
    *out = NULL;
    if (k <= 0 || n <= 0) return ia_set_error(IA_ERR_INVALID_ARG, "cannot pack an empty matrix");
    if (kc <= 0) return ia_set_error(IA_ERR_INVALID_ARG, "GEMM packing: depth block %lld", (long long)kc);
    const ia__gemm_kernel *kern = current_kernel();
    ia_gemm_packed_b *p = ia_calloc(1, sizeof *p);
    if (!p) return IA_ERR_NOMEM;
    p->kern = kern;
    p->k = k;
    p->n = n;
    p->n_pad = round_up(n, kern->nr);
    p->kc = kc;
    p->data = ia_aligned_alloc((size_t)(k * p->n_pad) * sizeof(float));
    if (!p->data) {
        ia_free(p);
        return IA_ERR_NOMEM;
    }
    for (int64_t p0 = 0; p0 < k; p0 += p->kc) {
        int64_t kb = min64(p->kc, k - p0);
        pack_b(kern->nr, trans_b, b, ldb, p0, kb, 0, n, p->data + p0 * p->n_pad);
    }
    *out = p;
    return IA_OK;
}

void ia_gemm_f32_packed_b_free(ia_gemm_packed_b *p) {
    if (!p) return;
    ia_aligned_free(p->data);
    ia_free(p);
}
int64_t ia_gemm_f32_packed_k(const ia_gemm_packed_b *p) { return p->k; }
int64_t ia_gemm_f32_packed_n(const ia_gemm_packed_b *p) { return p->n; }
size_t ia_gemm_f32_packed_bytes(const ia_gemm_packed_b *p) { return (size_t)(p->k * p->n_pad) * sizeof(float); }

/* ---------------- the blocked path ---------------- */

typedef struct gemm_job {
    const ia__gemm_kernel *kern;
    int trans_a, trans_b;
    int64_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    int64_t lda, ldb, ldc;
    float *c;
    const ia_gemm_packed_b *packed; /* op(B) pre-packed, or NULL */
    int64_t kc, mc, nc;
    int64_t rows_per, cols_per; /* one thread's block of C (multiples of mr, nr) */
    int tn;                     /* thread blocks across n */
    float *buf;                 /* per-thread packing buffers */
    size_t buf_floats;
    const ia_gemm_epilogue *ep; /* or NULL */
    int64_t direct_a_strips;    /* blocks of C this many strips wide or narrower read A in place */
} gemm_job;

/* Computes C's block number t (row-major over the tm x tn grid of thread blocks). */
static void gemm_block(void *arg, int64_t begin, int64_t end, int thread_index) {
    const gemm_job *j = arg;
    const ia__gemm_kernel *K = j->kern;
    const int mr = K->mr, nr = K->nr;
    float *pa = j->buf + (size_t)thread_index * j->buf_floats;
    float *pb = pa + (size_t)(j->mc * j->kc);
    for (int64_t t = begin; t < end; t++) {
        int64_t r0 = (t / j->tn) * j->rows_per, c0 = (t % j->tn) * j->cols_per;
        int64_t r1 = min64(j->m, r0 + j->rows_per), c1 = min64(j->n, c0 + j->cols_per);
        if (r0 >= r1 || c0 >= c1) continue;
        if (j->beta != 0.0f && j->beta != 1.0f)
            for (int64_t i = r0; i < r1; i++)
                for (int64_t q = c0; q < c1; q++) j->c[i * j->ldc + q] *= j->beta;
        for (int64_t j0 = c0; j0 < c1; j0 += j->nc) {
            int64_t nb = min64(j->nc, c1 - j0);
            for (int64_t p0 = 0; p0 < j->k; p0 += j->kc) {
                int64_t kb = min64(j->kc, j->k - p0);
                const float *bpanel;
                if (j->packed) {
                    bpanel = j->packed->data + p0 * j->packed->n_pad + j0 * kb;
                } else {
                    pack_b(nr, j->trans_b, j->b, j->ldb, p0, kb, j0, nb, pb);
                    bpanel = pb;
                }
                int accumulate = p0 > 0 || j->beta != 0.0f;
                const ia_gemm_epilogue *ep = p0 + kb >= j->k ? j->ep : NULL; /* on the last depth block */
                int direct = !j->trans_a && (nb + nr - 1) / nr <= j->direct_a_strips;
                for (int64_t i0 = r0; i0 < r1; i0 += j->mc) {
                    int64_t mb = min64(j->mc, r1 - i0);
                    if (!direct) pack_a(K, j->trans_a, j->a, j->lda, i0, mb, p0, kb, pa);
                    for (int64_t js = 0; js < nb; js += nr) {
                        int cols = (int)min64(nb - js, nr);
                        const float *bs = bpanel + js * kb;
                        float *cc = j->c + i0 * j->ldc + j0 + js;
                        for (int64_t is = 0; is < mb; is += mr) {
                            int rows = (int)min64(mb - is, mr);
                            if (direct)
                                K->micro_u(kb, j->a + (i0 + is) * j->lda + p0, j->lda, bs, cc + is * j->ldc, j->ldc,
                                           j->alpha, rows, cols, accumulate);
                            else
                                K->micro(kb, pa + is * kb, bs, cc + is * j->ldc, j->ldc, j->alpha, rows, cols, accumulate);
                        }
                    }
                    /* the mb x nb block is final and still in L2: long rows for the epilogue's loops */
                    if (ep) ep->fn(ep->ctx, j->c + i0 * j->ldc + j0, j->ldc, i0, j0, mb, nb);
                }
            }
        }
    }
}

/* Picks the thread grid tm x tn (tm * tn = threads) with the least estimated time per thread:
 * multiply-adds / 32 per cycle plus packing (A once per nc columns, B once unless pre-packed). */
static void plan_threads(gemm_job *j, int threads) {
    const int mr = j->kern->mr, nr = j->kern->nr;
    int64_t mt = (j->m + mr - 1) / mr, nt = (j->n + nr - 1) / nr;
    double best = -1;
    for (int tm = 1; tm <= threads; tm++) {
        if (threads % tm) continue;
        int tn = threads / tm;
        int64_t rp = (mt + tm - 1) / tm * mr, cp = (nt + tn - 1) / tn * nr;
        double cost = (double)rp * (double)cp / 32.0 +
                      ((double)rp * (double)((cp + j->nc - 1) / j->nc) + (j->packed ? 0.0 : (double)cp)) / 2.0;
        if (best < 0 || cost < best) {
            best = cost;
            j->rows_per = rp;
            j->cols_per = cp;
            j->tn = tn;
        }
    }
}

static int thread_count(ia_threadpool *pool, int64_t m, int64_t n, int64_t k) {
    double work = (double)m * (double)n * (double)(k > 0 ? k : 1);
    int threads = work < 64.0 * 64.0 * 64.0 ? 1 : ia_threadpool_size(pool);
    return threads < 1 ? 1 : threads;
}

/* C = beta * C for the degenerate products (k == 0 or alpha == 0). */
static void scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0.0f) memset(row, 0, (size_t)n * sizeof(float));
        else if (beta != 1.0f)
            for (int64_t q = 0; q < n; q++) row[q] *= beta;
    }
}

/* ---------------- the small-M path ---------------- */

typedef struct small_job {
    const ia__gemm_kernel *kern;
    int64_t m, n, k;
    float alpha;
    const float *a, *b;
    int64_t lda, ldb, ldc;
    float *c;
    int trans_b;
    const ia_gemm_packed_b *packed;
    int accumulate;
    int64_t unit, per; /* columns are split in multiples of `unit`, `per` units per item */
    const ia_gemm_epilogue *ep;
} small_job;

static void small_cols(void *arg, int64_t begin, int64_t end, int thread_index) {
    const small_job *j = arg;
    (void)thread_index;
    for (int64_t t = begin; t < end; t++) {
        int64_t u0 = t * j->per, u1 = u0 + j->per;
        if (j->packed) {
            int64_t strips = (j->n + j->unit - 1) / j->unit;
            if (u1 > strips) u1 = strips;
            if (u0 >= u1) continue;
            j->kern->small_p(j->m, u0, u1, j->n, j->packed->n_pad, j->k, j->packed->kc, j->alpha, j->a, j->lda,
                             j->packed->data, j->c, j->ldc, j->accumulate);
        } else {
            int64_t c0 = u0 * j->unit, c1 = min64(j->n, u1 * j->unit);
            if (c0 >= c1) continue;
            if (j->trans_b)
                j->kern->small_t(j->m, c1 - c0, j->k, j->alpha, j->a, j->lda, j->b + c0 * j->ldb, j->ldb, j->c + c0,
                                 j->ldc, j->accumulate);
            else
                j->kern->small_nt(j->m, c1 - c0, j->k, j->alpha, j->a, j->lda, j->b + c0, j->ldb, j->c + c0, j->ldc,
                                  j->accumulate);
        }
        if (j->ep) {
            int64_t c0 = u0 * j->unit, c1 = min64(j->n, u1 * j->unit);
            j->ep->fn(j->ep->ctx, j->c + c0, j->ldc, 0, c0, j->m, c1 - c0);
        }
    }
}

static int gemm_small(ia_threadpool *pool, const ia__gemm_kernel *kern, int trans_a, int trans_b, int64_t m,
                      int64_t n, int64_t k, float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                      const ia_gemm_packed_b *packed, float beta, float *c, int64_t ldc, const ia_gemm_epilogue *ep) {
    float *at = NULL;
    if (trans_a) { /* A^T of a few rows: copy it to m x k */
        at = ia_aligned_alloc((size_t)(m * k) * sizeof(float));
        if (!at) return IA_ERR_NOMEM;
        for (int64_t p = 0; p < k; p++)
            for (int64_t i = 0; i < m; i++) at[i * k + p] = a[p * lda + i];
        a = at;
        lda = k;
    }
    if (beta != 0.0f && beta != 1.0f) scale_c(m, n, beta, c, ldc);
    small_job j = {kern, m, n, k, alpha, a, b, lda, ldb, ldc, c, trans_b, packed, beta != 0.0f, 0, 0, ep};
    j.unit = packed ? packed->kern->nr : trans_b ? 4 : 64;
    int64_t units = (n + j.unit - 1) / j.unit;
    int threads = thread_count(pool, m, n, k);
    if (threads > units) threads = (int)units;
    j.per = (units + threads - 1) / threads;
    int64_t items = (units + j.per - 1) / j.per;
    if (threads == 1) small_cols(&j, 0, items, 0);
    else ia_parallel_for(pool, items, 1, small_cols, &j);
    ia_aligned_free(at);
    return IA_OK;
}

/* ---------------- entry points ---------------- */

static int gemm_run(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, const ia_gemm_packed_b *packed,
                    float beta, float *c, int64_t ldc, const ia_gemm_epilogue *ep) {
    if (m <= 0 || n <= 0) return IA_OK;
    if (ep && !ep->fn) ep = NULL;
    if (k <= 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc);
        if (ep) ep->fn(ep->ctx, c, ldc, 0, 0, m, n);
        return IA_OK;
    }
    const ia__gemm_kernel *kern = packed ? packed->kern : current_kernel();
    if (m <= g_small_m)
        return gemm_small(pool, kern, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc, ep);
    gemm_job j = {0};
    j.kern = kern;
    j.trans_a = trans_a;
    j.trans_b = trans_b;
    j.m = m;
    j.n = n;
    j.k = k;
    j.alpha = alpha;
    j.beta = beta;
    j.a = a;
    j.b = b;
    j.lda = lda;
    j.ldb = ldb;
    j.ldc = ldc;
    j.c = c;
    j.packed = packed;
    j.ep = ep;
    j.direct_a_strips = g_direct_a_strips;
    if (kern->direct_a_wide && g_direct_a_strips > 0 && !trans_a && a_rows_spread_over_l1_sets(lda, kern->mr))
        j.direct_a_strips = INT64_MAX;
    j.kc = packed ? packed->kc : kern->kc;
    j.mc = min64(kern->mc, round_up(m, kern->mr));
    j.nc = min64(kern->nc, round_up(n, kern->nr));
    int threads = thread_count(pool, m, n, k);
    plan_threads(&j, threads);
    j.buf_floats = (size_t)(j.mc * j.kc + (packed ? 0 : j.kc * j.nc));
    j.buf = ia_aligned_alloc(j.buf_floats * sizeof(float) * (size_t)threads);
    if (!j.buf) return IA_ERR_NOMEM;
    if (threads == 1) gemm_block(&j, 0, 1, 0);
    else ia_parallel_for(pool, threads, 1, gemm_block, &j);
    ia_aligned_free(j.buf);
    return IA_OK;
}

int ia_gemm_f32(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    return gemm_run(pool, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, NULL, beta, c, ldc, NULL);
}

int ia_gemm_f32_ep(ia_threadpool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                   const ia_gemm_epilogue *ep) {
    return gemm_run(pool, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, NULL, beta, c, ldc, ep);
}

int ia_gemm_f32_packed_block(ia_threadpool *pool, int64_t m, float alpha, const float *a, int64_t lda,
                             const ia_gemm_packed_b *b, int64_t p0, int64_t kb, int64_t j0, int64_t nb, float beta,
                             float *c, int64_t ldc) {
    if (p0 < 0 || kb <= 0 || j0 < 0 || nb <= 0 || p0 % b->kc || kb != min64(b->kc, b->k - p0) || j0 % b->kern->nr ||
        j0 + nb > b->n)
        return IA_ERR_INVALID_ARG;
    ia_gemm_packed_b view = *b; /* one depth block: its panels start at j0 * kb */
    view.data = b->data + p0 * b->n_pad + j0 * kb;
    view.k = kb;
    view.n = nb;
    return gemm_run(pool, 0, 0, m, nb, kb, alpha, a, lda, NULL, 0, &view, beta, c, ldc, NULL);
}

int ia_gemm_f32_packed(ia_threadpool *pool, int trans_a, int64_t m, float alpha, const float *a, int64_t lda,
                       const ia_gemm_packed_b *b, float beta, float *c, int64_t ldc) {
    return gemm_run(pool, trans_a, 0, m, b->n, b->k, alpha, a, lda, NULL, 0, b, beta, c, ldc, NULL);
}

int ia_gemm_f32_packed_ep(ia_threadpool *pool, int trans_a, int64_t m, float alpha, const float *a, int64_t lda,
                          const ia_gemm_packed_b *b, float beta, float *c, int64_t ldc, const ia_gemm_epilogue *ep) {
    return gemm_run(pool, trans_a, 0, m, b->n, b->k, alpha, a, lda, NULL, 0, b, beta, c, ldc, ep);
}
