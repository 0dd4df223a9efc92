/* Unit test: the float32 GEMM (src/ops/nn/gemm_f32.c) with every kernel set this CPU supports
 * (forced in turn), on the blocked (A packed or read in place), small-M and pre-packed-B paths,
 * against a naive float64 loop, and each ISA kernel set against the portable scalar one; the epilogue hook visits every
 * element of C exactly once, after its final value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/threadpool.h"
#include "ops/nn/gemm_f32.h"

static unsigned rng = 12345u;
static float frand(void) {
    rng = rng * 1103515245u + 12345u;
    return (float)((rng >> 8) & 0xffff) / 32768.0f - 1.0f;
}

enum { MODE_DEFAULT, MODE_BLOCKED_ONLY, MODE_PACKED, MODE_PACKED_BLOCKED, MODE_DIRECT_A, MODE_PACKED_DIRECT_A, MODE_COUNT };
static const char *mode_name[] = {"default", "blocked", "packed", "packed-blocked", "blocked-direct-a",
                                  "packed-blocked-direct-a"};

static int packed_mode(int mode) { return mode == MODE_PACKED || mode == MODE_PACKED_BLOCKED || mode == MODE_PACKED_DIRECT_A; }

/* The blocked modes never take the small-M path; "blocked" always packs A, "direct-a" never does. */
static void set_mode(int mode) {
    int blocked = mode == MODE_BLOCKED_ONLY || mode == MODE_PACKED_BLOCKED || mode == MODE_DIRECT_A ||
                  mode == MODE_PACKED_DIRECT_A;
    ia__gemm_f32_set_small_m(blocked ? 0 : 4);
    ia__gemm_f32_set_direct_a(mode == MODE_DIRECT_A || mode == MODE_PACKED_DIRECT_A ? (int64_t)1 << 40 : blocked ? 0 : 8);
}

static void reset_mode(void) {
    ia__gemm_f32_set_small_m(4);
    ia__gemm_f32_set_direct_a(8);
}

typedef struct gcase {
    int ta, tb;
    int64_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    float *a, *b, *c0; /* c0: C before the call */
    double *want;
} gcase;

static int run_case(ia_threadpool *pool, const gcase *g, int mode, float *c) {
    memcpy(c, g->c0, sizeof(float) * (size_t)(g->m * g->ldc));
    set_mode(mode);
    int rc;
    if (packed_mode(mode) && g->k > 0) {
        ia_gemm_packed_b *pb = NULL;
        rc = ia_gemm_f32_pack_b(g->tb, g->k, g->n, g->b, g->ldb, &pb);
        if (!rc) {
            if (ia_gemm_f32_packed_k(pb) != g->k || ia_gemm_f32_packed_n(pb) != g->n) rc = -1;
            else rc = ia_gemm_f32_packed(pool, g->ta, g->m, g->alpha, g->a, g->lda, pb, g->beta, c, g->ldc);
        }
        ia_gemm_f32_packed_b_free(pb);
    } else {
        rc = ia_gemm_f32(pool, g->ta, g->tb, g->m, g->n, g->k, g->alpha, g->a, g->lda, g->b, g->ldb, g->beta, c, g->ldc);
    }
    reset_mode();
    return rc;
}

static int compare(const gcase *g, const float *c, const float *other, const char *what) {
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = 0; j < g->n; j++) {
            double got = c[i * g->ldc + j], w = other ? (double)other[i * g->ldc + j] : g->want[i * g->n + j];
            double tol = other ? 1e-5 * (double)(g->k + 1) + 1e-5 * fabs(w) : 1e-4 * (double)(g->k + 1) + 1e-4 * fabs(w);
            if (!(fabs(got - w) <= tol)) {
                printf("FAIL %s ta=%d tb=%d m=%lld n=%lld k=%lld alpha=%g beta=%g: C[%lld,%lld]=%g want %g\n", what,
                       g->ta, g->tb, (long long)g->m, (long long)g->n, (long long)g->k, g->alpha, g->beta, (long long)i,
                       (long long)j, got, w);
                return 0;
            }
        }
    /* padding columns of C are never written */
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = g->n; j < g->ldc; j++)
            if (memcmp(&c[i * g->ldc + j], &g->c0[i * g->ldc + j], sizeof(float))) {
                printf("FAIL %s: wrote C padding at [%lld,%lld]\n", what, (long long)i, (long long)j);
                return 0;
            }
    return 1;
}

/* The epilogue under test: adds i + 0.5 j to each element it is given and counts the visits. */
typedef struct ep_rec {
    int64_t n, ldc;
    int *visits; /* m x ldc */
} ep_rec;
static void ep_mark(void *p, float *c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
    ep_rec *e = p;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            c[i * ldc + j] += (float)(i0 + i) + 0.5f * (float)(j0 + j);
            __atomic_add_fetch(&e->visits[(i0 + i) * e->ldc + j0 + j], 1, __ATOMIC_RELAXED);
        }
    if (ldc != e->ldc) e->n = -1; /* flags a wrong leading dimension */
}

/* C from the epilogue variant equals C from the plain call plus the epilogue's term, bit for
 * bit, and every element of C (none of its padding) was visited exactly once. */
static int check_epilogue(ia_threadpool *pool, const gcase *g, int mode, const float *plain, float *c) {
    memcpy(c, g->c0, sizeof(float) * (size_t)(g->m * g->ldc));
    int *visits = calloc((size_t)(g->m * g->ldc + 1), sizeof(int));
    ep_rec e = {g->n, g->ldc, visits};
    ia_gemm_epilogue ep = {ep_mark, &e};
    set_mode(mode);
    int rc;
    ia_gemm_packed_b *pb = NULL;
    if (packed_mode(mode) && g->k > 0) {
        rc = ia_gemm_f32_pack_b(g->tb, g->k, g->n, g->b, g->ldb, &pb);
        if (!rc) rc = ia_gemm_f32_packed_ep(pool, g->ta, g->m, g->alpha, g->a, g->lda, pb, g->beta, c, g->ldc, &ep);
    } else {
        rc = ia_gemm_f32_ep(pool, g->ta, g->tb, g->m, g->n, g->k, g->alpha, g->a, g->lda, g->b, g->ldb, g->beta, c,
                            g->ldc, &ep);
    }
    ia_gemm_f32_packed_b_free(pb);
    reset_mode();
    int ok = rc == 0 && e.n == g->n;
    for (int64_t i = 0; ok && i < g->m; i++)
        for (int64_t j = 0; ok && j < g->ldc; j++) {
            int want_visits = j < g->n;
            float want = j < g->n ? plain[i * g->ldc + j] + ((float)i + 0.5f * (float)j) : g->c0[i * g->ldc + j];
            if (visits[i * g->ldc + j] != want_visits || memcmp(&c[i * g->ldc + j], &want, sizeof want)) {
                printf("FAIL epilogue %s/%s m=%lld n=%lld k=%lld: C[%lld,%lld]=%g want %g, %d visits\n",
                       ia__gemm_f32_kernel_name(), mode_name[mode], (long long)g->m, (long long)g->n, (long long)g->k,
                       (long long)i, (long long)j, c[i * g->ldc + j], want, visits[i * g->ldc + j]);
                ok = 0;
            }
        }
    free(visits);
    return ok;
}

static int passed, failed;

static void check(ia_threadpool *pool, int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                  int64_t pad) {
    gcase g = {ta, tb, m, n, k, (ta ? m : k) + pad, (tb ? k : n) + pad, n + pad, alpha, beta, NULL, NULL, NULL, NULL};
    int64_t arows = ta ? k : m, brows = tb ? n : k;
    g.a = malloc(sizeof(float) * (size_t)(arows * g.lda + 1));
    g.b = malloc(sizeof(float) * (size_t)(brows * g.ldb + 1));
    g.c0 = malloc(sizeof(float) * (size_t)(m * g.ldc + 1));
    g.want = malloc(sizeof(double) * (size_t)(m * n + 1));
    float *c = malloc(sizeof(float) * (size_t)(m * g.ldc + 1)), *cref = malloc(sizeof(float) * (size_t)(m * g.ldc + 1));
    for (int64_t i = 0; i < arows * g.lda; i++) g.a[i] = frand();
    for (int64_t i = 0; i < brows * g.ldb; i++) g.b[i] = frand();
    for (int64_t i = 0; i < m * g.ldc; i++) g.c0[i] = beta == 0.0f && i % g.ldc < n ? NAN : frand();
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t p = 0; p < k; p++)
                s += (double)(ta ? g.a[p * g.lda + i] : g.a[i * g.lda + p]) *
                     (double)(tb ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j]);
            g.want[i * n + j] = alpha * s + (beta == 0.0f ? 0.0 : (double)beta * g.c0[i * g.ldc + j]);
        }
    /* the portable kernel set, blocked path: compared with float64, then the oracle for the rest */
    ia__gemm_f32_set_kernel(IA_GEMM_KERNEL_PORTABLE);
    int ok = run_case(pool, &g, MODE_BLOCKED_ONLY, cref) == 0 && compare(&g, cref, NULL, "portable/blocked");
    for (int id = IA_GEMM_KERNEL_PORTABLE; ok && id < IA_GEMM_KERNEL_COUNT; id++) {
        if (!ia__gemm_f32_kernel_supported(id)) continue;
        ia__gemm_f32_set_kernel(id);
        for (int mode = 0; ok && mode < MODE_COUNT; mode++) {
            char what[96];
            snprintf(what, sizeof what, "%s/%s", ia__gemm_f32_kernel_name(), mode_name[mode]);
            ok = run_case(pool, &g, mode, c) == 0 && compare(&g, c, NULL, what) && compare(&g, c, cref, what);
            float *plain = malloc(sizeof(float) * (size_t)(m * g.ldc + 1));
            if (ok) {
                memcpy(plain, c, sizeof(float) * (size_t)(m * g.ldc));
                ok = check_epilogue(pool, &g, mode, plain, c);
            }
            free(plain);
        }
    }
    ia__gemm_f32_set_kernel(IA_GEMM_KERNEL_AUTO);
    if (ok) passed++; else failed++;
    free(g.a);
    free(g.b);
    free(g.c0);
    free(g.want);
    free(c);
    free(cref);
}

int main(void) {
    static const int64_t shapes[][3] = {
        {1, 1, 1},     {3, 5, 7},    {17, 33, 65},  {128, 256, 64}, {6, 16, 1},    {7, 17, 257},  {1, 300, 40},
        {300, 1, 40},  {64, 64, 0},  {97, 131, 513}, {5, 600, 3},   {200, 31, 300}, {2, 1030, 9},  {13, 13, 13},
        {1, 768, 64},  {4, 200, 100}, {3, 37, 33},  {15, 33, 300},  {29, 65, 257}, {1, 70, 600},  {14, 32, 256},
        {2, 129, 17},  {8, 64, 40},
        {33, 70, 1601}, {3, 50, 900}, /* depths over several of every kernel set's depth blocks */
        /* wide blocks (over 8 column strips), A read in place (pitches 801, 642) or, with rows 4 KiB
         * apart (pitch 1024: index 27, no padding), packed */
        {30, 520, 800}, {9, 270, 640}, {20, 290, 1024}};
    ia_threadpool *pool = NULL;
    if (ia_threadpool_create(3, &pool)) pool = NULL;
    int n_kernels = 0;
    for (int id = IA_GEMM_KERNEL_PORTABLE; id < IA_GEMM_KERNEL_COUNT; id++)
        if (ia__gemm_f32_kernel_supported(id)) {
            ia__gemm_f32_set_kernel(id);
            printf("kernel set available: %s\n", ia__gemm_f32_kernel_name());
            n_kernels++;
        }
    ia__gemm_f32_set_kernel(IA_GEMM_KERNEL_AUTO);
    printf("default kernel set: %s\n", ia__gemm_f32_kernel_name());
    if (ia__gemm_f32_set_kernel(99) == 0) {
        printf("FAIL: an unknown kernel id was accepted\n");
        failed++;
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++)
            for (int v = 0; v < 3; v++) {
                float alpha = v == 0 ? 1.0f : v == 1 ? 0.5f : -2.0f;
                float beta = v == 0 ? 0.0f : v == 1 ? 1.0f : 0.25f;
                ia_threadpool *p = (s + (size_t)t) % 2 ? pool : NULL;
                check(p, t & 1, t >> 1, shapes[s][0], shapes[s][1], shapes[s][2], alpha, beta, (int64_t)(s % 3));
            }
    ia_threadpool_destroy(pool);
    printf("%d kernel sets, %d cases passed, %d failed\n", n_kernels, passed, failed);
    return failed ? 1 : 0;
}
