/* Unit test: the blocked float32 GEMM (src/ops/nn/gemm_f32.c) against a naive float64 loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "ia/threadpool.h"
#include "ops/nn/gemm_f32.h"

static unsigned rng = 12345u;
static float frand(void) {
    rng = rng * 1103515245u + 12345u;
    return (float)((rng >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static int check(ia_threadpool *pool, int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                 int64_t pad) {
    int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    int64_t arows = ta ? k : m, brows = tb ? n : k;
    float *a = malloc(sizeof(float) * (size_t)(arows * lda + 1));
    float *b = malloc(sizeof(float) * (size_t)(brows * ldb + 1));
    float *c = malloc(sizeof(float) * (size_t)(m * ldc + 1));
    double *want = malloc(sizeof(double) * (size_t)(m * n + 1));
    for (int64_t i = 0; i < arows * lda; i++) a[i] = frand();
    for (int64_t i = 0; i < brows * ldb; i++) b[i] = frand();
    for (int64_t i = 0; i < m * ldc; i++) c[i] = beta == 0.0f ? NAN : frand();
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t p = 0; p < k; p++)
                s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (double)(tb ? b[j * ldb + p] : b[p * ldb + j]);
            want[i * n + j] = alpha * s + (beta == 0.0f ? 0.0 : (double)beta * c[i * ldc + j]);
        }
    int rc = ia_gemm_f32(pool, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    int ok = rc == 0;
    for (int64_t i = 0; ok && i < m; i++)
        for (int64_t j = 0; ok && j < n; j++) {
            double g = c[i * ldc + j], w = want[i * n + j];
            if (!(fabs(g - w) <= 1e-4 * (double)(k + 1) + 1e-4 * fabs(w))) {
                printf("FAIL ta=%d tb=%d m=%lld n=%lld k=%lld alpha=%g beta=%g: C[%lld,%lld]=%g want %g\n", ta, tb,
                       (long long)m, (long long)n, (long long)k, alpha, beta, (long long)i, (long long)j, g, w);
                ok = 0;
            }
        }
    free(a);
    free(b);
    free(c);
    free(want);
    return ok;
}

int main(void) {
    static const int64_t shapes[][3] = {{1, 1, 1},    {3, 5, 7},     {17, 33, 65},  {128, 256, 64}, {6, 16, 1},
                                        {7, 17, 257}, {1, 300, 40},  {300, 1, 40},  {64, 64, 0},    {97, 131, 513},
                                        {5, 600, 3},  {200, 31, 300}, {2, 1030, 9}, {13, 13, 13}};
    ia_threadpool *pool = NULL;
    if (ia_threadpool_create(4, &pool)) pool = NULL;
    int passed = 0, failed = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++)
            for (int v = 0; v < 3; v++) {
                float alpha = v == 0 ? 1.0f : v == 1 ? 0.5f : -2.0f;
                float beta = v == 0 ? 0.0f : v == 1 ? 1.0f : 0.25f;
                ia_threadpool *p = (s + (size_t)t) % 2 ? pool : NULL;
                if (check(p, t & 1, t >> 1, shapes[s][0], shapes[s][1], shapes[s][2], alpha, beta, (int64_t)(s % 3)))
                    passed++;
                else
                    failed++;
            }
    ia_threadpool_destroy(pool);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
