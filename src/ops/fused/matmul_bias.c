/* MatMulBias (fused domain): Y = act(A x B + bias) for A [..., M, K], a 2-D B [K, N] and an
 * optional bias [N]; the bias is copied into Y and accumulated by the GEMM (beta = 1), and
 * the activation runs on the output afterwards (row-parallel). Float32 only. */
#include <string.h>
#include "ops/fused/act.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"

/* Rows per GEMM + activation step. One step for all rows: B is packed once per GEMM call,
 * and re-packing a large B per block costs more than the activation's cache misses. */
#define ROW_BLOCK INT64_MAX

typedef struct fill_job {
    float *y;
    const float *bias;
    int64_t n;
    int act;
} fill_job;

static void act_rows(void *p, int64_t b, int64_t e, int t) {
    (void)t;
    const fill_job *j = p;
    ia_act_apply(j->act, j->y + b * j->n, j->y + b * j->n, (e - b) * j->n);
}

static void packed_free(void *p) { ia_gemm_f32_packed_b_free(p); }

/* Packs a constant B (input 1) once at session creation, as MatMul does, so fused nodes keep
 * the pre-packed weights (see ops/prepare.def). */
int ia_op_fused_matmul_bias_prepare(ia_kctx *ctx);
int ia_op_fused_matmul_bias_prepare(ia_kctx *ctx) {
    const ia_tensor *B = ia_kctx_input_data(ctx, 1);
    if (!B || B->dtype != IA_DTYPE_FLOAT || B->rank != 2 || B->numel == 0) return IA_OK;
    ia_gemm_packed_b *pb;
    int rc = ia_gemm_f32_pack_b(0, B->dims[0], B->dims[1], B->data, B->dims[1], &pb);
    if (rc) return rc;
    ia_kctx_state_replaces_input(ctx, 1); /* the kernel always takes the packed path for this B */
    return ia_kctx_set_state(ctx, pb, packed_free);
}

int ia_op_fused_matmul_bias(ia_kctx *ctx) {
    const ia_tensor *A = ia_kctx_input(ctx, 0), *B = ia_kctx_input(ctx, 1), *bias = ia_kctx_input(ctx, 2);
    int act = (int)ia_kctx_attr_int(ctx, "act", IA_ACT_NONE);
    if (!A || !B || A->dtype != IA_DTYPE_FLOAT || B->dtype != IA_DTYPE_FLOAT)
        IA_KFAIL(ctx, IA_ERR_TYPE, "MatMulBias: A and B must be float32 tensors");
    if (act < 0 || act >= IA_ACT_COUNT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MatMulBias: unknown act %d", act);
    if (A->rank < 1 || B->rank != 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMulBias: A needs rank >= 1 and B rank 2");
    int64_t k = A->dims[A->rank - 1], n = B->dims[1];
    if (B->dims[0] != k)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMulBias: inner dimensions differ (%lld vs %lld)", (long long)k, (long long)B->dims[0]);
    if (bias && (bias->dtype != IA_DTYPE_FLOAT || bias->numel != n))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMulBias: bias must be float32 with %lld elements", (long long)n);
    int64_t dims[IA_MAX_DIMS];
    for (int d = 0; d < A->rank - 1; d++) dims[d] = A->dims[d];
    dims[A->rank - 1] = n;
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, A->rank, dims, &Y));
    if (ia_kctx_shape_only(ctx) || !Y->numel) return IA_OK;
    int64_t m = k ? A->numel / k : Y->numel / n;
    float *y = Y->data;
    const float *a = A->data, *b = B->data;
    ia_threadpool *pool = ia_kctx_pool(ctx);
    const ia_gemm_packed_b *pb = ia_kctx_state(ctx);
    if (pb && (ia_gemm_f32_packed_k(pb) != k || ia_gemm_f32_packed_n(pb) != n)) pb = NULL;
    for (int64_t r0 = 0; r0 < m; r0 += ROW_BLOCK) {
        int64_t rows = m - r0 < ROW_BLOCK ? m - r0 : ROW_BLOCK;
        float *yb = y + r0 * n;
        if (bias)
            for (int64_t r = 0; r < rows; r++) memcpy(yb + r * n, bias->data, (size_t)n * sizeof(float));
        if (k) {
            int rc = pb ? ia_gemm_f32_packed(pool, 0, rows, 1.0f, a + r0 * k, k, pb, bias ? 1.0f : 0.0f, yb, n)
                        : ia_gemm_f32(pool, 0, 0, rows, n, k, 1.0f, a + r0 * k, k, b, n, bias ? 1.0f : 0.0f, yb, n);
            if (rc) IA_KFAIL(ctx, rc, "MatMulBias: GEMM failed");
        } else if (!bias) {
            memset(yb, 0, (size_t)(rows * n) * sizeof(float));
        }
        if (act != IA_ACT_NONE) {
            fill_job j = {yb, NULL, n, act};
            ia_parallel_for(pool, rows, (16384 + n - 1) / n, act_rows, &j);
        }
    }
    return IA_OK;
}
