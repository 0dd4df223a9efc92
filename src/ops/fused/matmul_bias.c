/* MatMulBias (fused domain): Y = act(A x B + bias) for A [..., M, K], a 2-D B [K, N] and an
 * optional bias [N]; the bias and the activation are applied by the GEMM's epilogue to each
 * finished tile of Y while it is still in cache. Float32 only. */
#include <string.h>
#include "ops/fused/act.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"

typedef struct epi_job {
    const float *bias; /* or NULL */
    int act;
} epi_job;

/* The GEMM epilogue: c[rows x cols] (+)= bias[j0 ..], then the activation, row by row. */
static void bias_act(void *p, float *c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
    (void)i0;
    const epi_job *e = p;
    for (int64_t r = 0; r < rows; r++) ia__act_bias_apply(e->act, c + r * ldc, e->bias ? e->bias + j0 : NULL, cols);
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
    if (!k) { /* A x B is zero */
        for (int64_t r = 0; r < m; r++) {
            if (bias) memcpy(y + r * n, bias->data, (size_t)n * sizeof(float));
            else memset(y + r * n, 0, (size_t)n * sizeof(float));
        }
        if (act != IA_ACT_NONE) ia_act_apply(act, y, y, m * n);
        return IA_OK;
    }
    epi_job e = {bias ? (const float *)bias->data : NULL, act};
    ia_gemm_epilogue ep = {bias_act, &e};
    const ia_gemm_epilogue *epp = bias || act != IA_ACT_NONE ? &ep : NULL;
    int rc = pb ? ia_gemm_f32_packed_ep(pool, 0, m, 1.0f, a, k, pb, 0.0f, y, n, epp)
                : ia_gemm_f32_ep(pool, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, y, n, epp);
    if (rc) IA_KFAIL(ctx, rc, "MatMulBias: GEMM failed");
    return IA_OK;
}
