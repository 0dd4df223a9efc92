/* Calibration micro-benchmarks for the prediction model: fp32 FMA peak and int8 multiply-add peak
 * per thread count (many independent accumulators so the execution pipes, not latency, bound the
 * loop) and memory read bandwidth. */
/* the loops must be optimized even in Debug builds, or they measure the compiler, not the CPU */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

double ia__now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Each kernel runs `iters` rounds of 12 independent vector FMAs and returns flops done. */
typedef double (*fma_kernel)(uint64_t iters, float *sink);

typedef float v4f __attribute__((vector_size(16)));
static double fma_generic(uint64_t iters, float *sink) {
    v4f acc[12], a = {1.0000001f, 1.0000001f, 1.0000001f, 1.0000001f}, b = {1e-7f, 1e-7f, 1e-7f, 1e-7f};
    for (int i = 0; i < 12; i++) acc[i] = (v4f){(float)i, 1, 2, 3};
    for (uint64_t it = 0; it < iters; it++)
        for (int i = 0; i < 12; i++) acc[i] = acc[i] * a + b;
    v4f s = acc[0];
    for (int i = 1; i < 12; i++) s += acc[i];
    *sink = s[0] + s[1] + s[2] + s[3];
    return (double)iters * 12 * 4 * 2;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static double fma_avx2(uint64_t iters, float *sink) {
    __m256 acc[12], a = _mm256_set1_ps(1.0000001f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    for (uint64_t it = 0; it < iters; it++) {
        acc[0] = _mm256_fmadd_ps(acc[0], a, b); acc[1] = _mm256_fmadd_ps(acc[1], a, b);
        acc[2] = _mm256_fmadd_ps(acc[2], a, b); acc[3] = _mm256_fmadd_ps(acc[3], a, b);
        acc[4] = _mm256_fmadd_ps(acc[4], a, b); acc[5] = _mm256_fmadd_ps(acc[5], a, b);
        acc[6] = _mm256_fmadd_ps(acc[6], a, b); acc[7] = _mm256_fmadd_ps(acc[7], a, b);
        acc[8] = _mm256_fmadd_ps(acc[8], a, b); acc[9] = _mm256_fmadd_ps(acc[9], a, b);
        acc[10] = _mm256_fmadd_ps(acc[10], a, b); acc[11] = _mm256_fmadd_ps(acc[11], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
    float o[8];
    _mm256_storeu_ps(o, s);
    *sink = o[0] + o[7];
    return (double)iters * 12 * 8 * 2;
}

__attribute__((target("avx512f"))) static double fma_avx512(uint64_t iters, float *sink) {
    __m512 acc[12], a = _mm512_set1_ps(1.0000001f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
    for (uint64_t it = 0; it < iters; it++) {
        acc[0] = _mm512_fmadd_ps(acc[0], a, b); acc[1] = _mm512_fmadd_ps(acc[1], a, b);
        acc[2] = _mm512_fmadd_ps(acc[2], a, b); acc[3] = _mm512_fmadd_ps(acc[3], a, b);
        acc[4] = _mm512_fmadd_ps(acc[4], a, b); acc[5] = _mm512_fmadd_ps(acc[5], a, b);
        acc[6] = _mm512_fmadd_ps(acc[6], a, b); acc[7] = _mm512_fmadd_ps(acc[7], a, b);
        acc[8] = _mm512_fmadd_ps(acc[8], a, b); acc[9] = _mm512_fmadd_ps(acc[9], a, b);
        acc[10] = _mm512_fmadd_ps(acc[10], a, b); acc[11] = _mm512_fmadd_ps(acc[11], a, b);
    }
    __m512 s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, acc[i]);
    *sink = _mm512_reduce_add_ps(s);
    return (double)iters * 12 * 16 * 2;
}

/* int8: u8 x s8 products summed in fours into int32 lanes; each lane-product counts 2 ops. */
__attribute__((target("avx512f,avx512vnni"))) static double int8_avx512_vnni(uint64_t iters, float *sink) {
    __m512i acc[12], a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_epi32(i);
    for (uint64_t it = 0; it < iters; it++) {
        acc[0] = _mm512_dpbusd_epi32(acc[0], a, b); acc[1] = _mm512_dpbusd_epi32(acc[1], a, b);
        acc[2] = _mm512_dpbusd_epi32(acc[2], a, b); acc[3] = _mm512_dpbusd_epi32(acc[3], a, b);
        acc[4] = _mm512_dpbusd_epi32(acc[4], a, b); acc[5] = _mm512_dpbusd_epi32(acc[5], a, b);
        acc[6] = _mm512_dpbusd_epi32(acc[6], a, b); acc[7] = _mm512_dpbusd_epi32(acc[7], a, b);
        acc[8] = _mm512_dpbusd_epi32(acc[8], a, b); acc[9] = _mm512_dpbusd_epi32(acc[9], a, b);
        acc[10] = _mm512_dpbusd_epi32(acc[10], a, b); acc[11] = _mm512_dpbusd_epi32(acc[11], a, b);
    }
    __m512i s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_epi32(s, acc[i]); /* lanes wrap: no overflow in vectors */
    int32_t o[16];
    _mm512_storeu_si512(o, s);
    int64_t t = 0; /* summed wide: the compiler's reduce helper adds in int and may overflow */
    for (int i = 0; i < 16; i++) t += o[i];
    *sink = (float)t;
    return (double)iters * 12 * 64 * 2;
}

/* Without VNNI: vpmaddubsw (u8 x s8 pairs into int16) then vpmaddwd against ones (into int32). */
__attribute__((target("avx2"))) static double int8_avx2(uint64_t iters, float *sink) {
    __m256i acc[8], a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
    for (int i = 0; i < 8; i++) acc[i] = _mm256_set1_epi32(i);
    for (uint64_t it = 0; it < iters; it++) {
        for (int i = 0; i < 8; i++)
            acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones));
        a = _mm256_xor_si256(a, ones); /* keeps the products inside the loop */
    }
    __m256i s = acc[0];
    for (int i = 1; i < 8; i++) s = _mm256_add_epi32(s, acc[i]);
    int32_t o[8];
    _mm256_storeu_si256((__m256i *)o, s);
    *sink = (float)((int64_t)o[0] + o[7]);
    return (double)iters * 8 * 32 * 2;
}
#endif

typedef struct worker {
    pthread_t th;
    fma_kernel k;
    uint64_t iters;
    const float *buf;
    size_t n;
    int passes;
    double flops, sum;
    pthread_barrier_t *bar;
} worker;

static void *fma_worker(void *p) {
    worker *w = p;
    float sink;
    pthread_barrier_wait(w->bar);
    w->flops = w->k(w->iters, &sink);
    w->sum = sink;
    pthread_barrier_wait(w->bar);
    return NULL;
}

static void *bw_worker(void *p) {
    worker *w = p;
    pthread_barrier_wait(w->bar);
    v4f s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (int pass = 0; pass < w->passes; pass++)
        for (size_t i = 0; i + 16 <= w->n; i += 16) {
            v4f x0, x1, x2, x3;
            memcpy(&x0, w->buf + i, 16);
            memcpy(&x1, w->buf + i + 4, 16);
            memcpy(&x2, w->buf + i + 8, 16);
            memcpy(&x3, w->buf + i + 12, 16);
            s0 += x0; s1 += x1; s2 += x2; s3 += x3;
        }
    v4f s = s0 + s1 + s2 + s3;
    w->sum = s[0] + s[1] + s[2] + s[3];
    pthread_barrier_wait(w->bar);
    return NULL;
}

/* Runs `fn` on n threads; returns the wall time between the two barriers (best of `reps`). */
static double run_threads(int n, void *(*fn)(void *), worker *ws, int reps) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
        for (int i = 0; i < n; i++) {
            ws[i].bar = &bar;
            pthread_create(&ws[i].th, NULL, fn, &ws[i]);
        }
        pthread_barrier_wait(&bar);
        double t0 = ia__now_s();
        pthread_barrier_wait(&bar);
        double t = ia__now_s() - t0;
        for (int i = 0; i < n; i++) pthread_join(ws[i].th, NULL);
        pthread_barrier_destroy(&bar);
        if (t < best) best = t;
    }
    return best;
}

/* Sizes kernel k so one run takes about budget/(6 * nc) seconds, then measures its total rate on
 * each thread count (best of 3), in G-ops per second, into out[]. */
static void peak_per_thread_count(fma_kernel k, double budget_s, const int *counts, int nc, worker *ws, double *out) {
    float sink;
    uint64_t iters = 1 << 16;
    for (;;) {
        double t0 = ia__now_s();
        k(iters, &sink);
        double t = ia__now_s() - t0;
        if (t > 0.01 || iters > (1ull << 40)) { iters = (uint64_t)(iters * (budget_s / (6.0 * nc) / 3) / (t > 0 ? t : 1e-3)) + 1; break; }
        iters *= 4;
    }
    for (int c = 0; c < nc; c++) {
        for (int i = 0; i < counts[c]; i++) { ws[i].k = k; ws[i].iters = iters; }
        double t = run_threads(counts[c], fma_worker, ws, 3);
        double ops = 0;
        for (int i = 0; i < counts[c]; i++) ops += ws[i].flops;
        out[c] = ops / t / 1e9;
    }
}

int ia_hw_calibrate(ia_hw_info *hw, double budget_s) {
    if (!hw) return ia_set_error(IA_ERR_INVALID_ARG, "ia_hw_calibrate: no probe");
    if (budget_s <= 0) budget_s = 2;
    fma_kernel k = fma_generic;
    const char *kname = "generic", *force = getenv("IA_CALIBRATE_ISA");
#if defined(__x86_64__)
    if (ia_hw_has_feature(hw, "avx512f") && (!force || !strcmp(force, "avx512"))) { k = fma_avx512; kname = "avx512"; }
    else if (ia_hw_has_feature(hw, "avx2") && ia_hw_has_feature(hw, "fma") && (!force || strcmp(force, "generic"))) {
        k = fma_avx2;
        kname = "avx2";
    }
#endif
    snprintf(hw->calib_kernel, sizeof hw->calib_kernel, "%s", kname);
    int maxt = hw->cpu.threads > 0 ? hw->cpu.threads : 1;
    int counts[IA_HW_MAX_CALIB], nc = 0;
    for (int t = 1; t < maxt && nc < IA_HW_MAX_CALIB - 1; t *= 2) counts[nc++] = t;
    counts[nc++] = maxt;
    worker *ws = ia_calloc((size_t)maxt, sizeof *ws);
    if (!ws) return ia_set_error(IA_ERR_NOMEM, "calibrate: out of memory");
    fma_kernel k8 = NULL;
    const char *k8name = "none";
#if defined(__x86_64__)
    if (ia_hw_has_feature(hw, "avx512_vnni") && ia_hw_has_feature(hw, "avx512f") && (!force || !strcmp(force, "avx512"))) {
        k8 = int8_avx512_vnni;
        k8name = "avx512_vnni";
    } else if (ia_hw_has_feature(hw, "avx2") && (!force || strcmp(force, "generic"))) {
        k8 = int8_avx2;
        k8name = "avx2";
    }
#endif
    snprintf(hw->calib_int8_kernel, sizeof hw->calib_int8_kernel, "%s", k8name);
    hw->n_calib = nc;
    for (int c = 0; c < nc; c++) hw->calib_threads[c] = counts[c];
    peak_per_thread_count(k, budget_s / (k8 ? 2 : 1), counts, nc, ws, hw->calib_gflops_fp32);
    if (k8) peak_per_thread_count(k8, budget_s / 2, counts, nc, ws, hw->calib_gops_int8);
    else for (int c = 0; c < nc; c++) hw->calib_gops_int8[c] = 0;
    /* memory read bandwidth: a buffer well beyond the last-level cache, all threads */
    size_t bytes = 256u << 20;
    if (hw->cpu.l3_bytes && bytes < hw->cpu.l3_bytes * 8) bytes = (size_t)hw->cpu.l3_bytes * 8;
    if (hw->cpu.mem_available_bytes && bytes > hw->cpu.mem_available_bytes / 4) bytes = (size_t)(hw->cpu.mem_available_bytes / 4);
    float *buf = ia_aligned_alloc(bytes);
    if (buf) {
        size_t n = bytes / sizeof(float);
        for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 7);
        size_t per = (n / (size_t)maxt) & ~(size_t)15;
        for (int i = 0; i < maxt; i++) { ws[i].buf = buf + per * (size_t)i; ws[i].n = per; ws[i].passes = 2; }
        double t = run_threads(maxt, bw_worker, ws, 3);
        hw->mem_bw_gbs = (double)per * sizeof(float) * maxt * 2 / t / 1e9;
        ia_aligned_free(buf);
    }
    ia_free(ws);
    hw->calibrated = 1;
    return IA_OK;
}
