/* The integer matrix product core behind MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv. */
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/quant/qutil.h"

int ia__q_range(int dtype, int32_t *lo, int32_t *hi) {
    switch (dtype) {
    case IA_DTYPE_UINT8: *lo = 0; *hi = 255; return 1;
    case IA_DTYPE_INT8: *lo = -128; *hi = 127; return 1;
    case IA_DTYPE_UINT16: *lo = 0; *hi = 65535; return 1;
    case IA_DTYPE_INT16: *lo = -32768; *hi = 32767; return 1;
    case IA_DTYPE_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return 1;
    default: return 0;
    }
}

int ia__q_read_zp(ia_kctx *ctx, const ia_tensor *zp, int dtype, int64_t n, const char *what, int32_t **out) {
    int32_t *v = ia_kctx_scratch(ctx, (size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v) return IA_ERR_NOMEM;
    *out = v;
    if (!zp) {
        memset(v, 0, (size_t)(n > 0 ? n : 1) * sizeof *v);
        return IA_OK;
    }
    if (zp->dtype != dtype)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s is %s but must be %s", what, ia_dtype_name(zp->dtype), ia_dtype_name(dtype));
    if (zp->numel != 1 && zp->numel != n)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s has %lld elements, expected 1 or %lld", what, (long long)zp->numel, (long long)n);
    if (!zp->data) return IA_ERR_NEED_VALUE;
    for (int64_t i = 0; i < n; i++) v[i] = (int32_t)ia_get_i64(zp->data, zp->dtype, zp->numel == 1 ? 0 : i);
    return IA_OK;
}

int ia__q_read_scale(ia_kctx *ctx, const ia_tensor *s, int64_t n, const char *what, float **out) {
    if (!s) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s is missing", what);
    if (!ia_dtype_is_float(s->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s must be a float tensor, got %s", what, ia_dtype_name(s->dtype));
    if (s->numel != 1 && s->numel != n)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s has %lld elements, expected 1 or %lld", what, (long long)s->numel, (long long)n);
    if (!s->data) return IA_ERR_NEED_VALUE;
    float *v = ia_kctx_scratch(ctx, (size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v) return IA_ERR_NOMEM;
    for (int64_t i = 0; i < n; i++) v[i] = (float)ia_get_f64(s->data, s->dtype, s->numel == 1 ? 0 : i);
    *out = v;
    return IA_OK;
}

/* Work is cut into tiles of ROWS rows x COLS columns of C; each tile runs the whole K loop
 * with its accumulators in L1 and reads B one K-row slice (COLS wide) at a time. */
#define ROWS 4
#define COLS 256

typedef struct {
    int64_t M, N, K, col_tiles;
    const int16_t *A, *B;
    int32_t *C;
} gemm_job;

static void gemm_tiles(void *arg, int64_t begin, int64_t end, int thread_index) {
    (void)thread_index;
    const gemm_job *j = arg;
    const int64_t N = j->N, K = j->K;
    uint32_t acc[ROWS][COLS];
    for (int64_t t = begin; t < end; t++) {
        int64_t i0 = (t / j->col_tiles) * ROWS, j0 = (t % j->col_tiles) * COLS;
        int64_t rows = j->M - i0 < ROWS ? j->M - i0 : ROWS, cols = N - j0 < COLS ? N - j0 : COLS;
        memset(acc, 0, sizeof acc);
        const int16_t *a = j->A + i0 * K;
        if (rows == ROWS) {
            for (int64_t k = 0; k < K; k++) {
                const int16_t *b = j->B + k * N + j0;
                const int32_t a0 = a[k], a1 = a[K + k], a2 = a[2 * K + k], a3 = a[3 * K + k];
                for (int64_t c = 0; c < cols; c++) {
                    const int32_t bv = b[c];
                    acc[0][c] += (uint32_t)(a0 * bv);
                    acc[1][c] += (uint32_t)(a1 * bv);
                    acc[2][c] += (uint32_t)(a2 * bv);
                    acc[3][c] += (uint32_t)(a3 * bv);
                }
            }
        } else {
            for (int64_t k = 0; k < K; k++) {
                const int16_t *b = j->B + k * N + j0;
                for (int64_t r = 0; r < rows; r++) {
                    const int32_t av = a[r * K + k];
                    if (!av) continue;
                    for (int64_t c = 0; c < cols; c++) acc[r][c] += (uint32_t)(av * (int32_t)b[c]);
                }
            }
        }
        for (int64_t r = 0; r < rows; r++) {
            int32_t *crow = j->C + (i0 + r) * N + j0;
            for (int64_t c = 0; c < cols; c++) crow[c] = (int32_t)acc[r][c];
        }
    }
}

void ia__qgemm(ia_threadpool *pool, int64_t M, int64_t N, int64_t K, const int16_t *A, const int16_t *B, int32_t *C) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        memset(C, 0, (size_t)(M * N) * sizeof *C);
        return;
    }
    gemm_job j = {M, N, K, (N + COLS - 1) / COLS, A, B, C};
    int64_t tiles = ((M + ROWS - 1) / ROWS) * j.col_tiles;
    /* each tile is ROWS*COLS*K multiply-adds at most; aim for >= ~256k per task */
    int64_t per_tile = (int64_t)ROWS * (N < COLS ? N : COLS) * K;
    int64_t grain = per_tile >= (1 << 18) ? 1 : (1 << 18) / per_tile;
    if (tiles <= grain) gemm_tiles(&j, 0, tiles, 0);
    else ia_parallel_for(pool, tiles, grain, gemm_tiles, &j);
}
