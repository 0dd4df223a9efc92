/* MatMul (numpy semantics, batched, broadcasting) and Gemm, on the shared blocked GEMM. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"
#include "ops/nn/nn_util.h"

/* Reference product for dtypes without a fast path (double, integers):
 * c[i,j] = alpha * sum_p opA[i,p] * opB[p,j] + beta * c[i,j]  (element offsets given). */
static void ref_gemm(int dtype, int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const void *a,
                     int64_t aoff, int64_t lda, const void *b, int64_t boff, int64_t ldb, double beta, void *c,
                     int64_t coff, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            int64_t ai = aoff + (ta ? i : i * lda), bj = boff + (tb ? j * ldb : j);
            int64_t as = ta ? lda : 1, bs = tb ? 1 : ldb, ci = coff + i * ldc + j;
            if (dtype == IA_DTYPE_DOUBLE) {
                const double *x = a, *y = b;
                double s = 0;
                for (int64_t p = 0; p < k; p++) s += x[ai + p * as] * y[bj + p * bs];
                double *z = c;
                z[ci] = alpha * s + (beta != 0 ? beta * z[ci] : 0);
            } else if (dtype == IA_DTYPE_UINT64 || dtype == IA_DTYPE_UINT32) {
                uint64_t s = 0;
                for (int64_t p = 0; p < k; p++) s += ia_get_u64(a, dtype, ai + p * as) * ia_get_u64(b, dtype, bj + p * bs);
                ia_set_u64(c, dtype, ci, s);
            } else if (ia_dtype_is_integer(dtype)) {
                uint64_t s = 0; /* wrap-around arithmetic, no signed overflow */
                for (int64_t p = 0; p < k; p++)
                    s += (uint64_t)ia_get_i64(a, dtype, ai + p * as) * (uint64_t)ia_get_i64(b, dtype, bj + p * bs);
                if (alpha != 1 || beta != 0)
                    s = (uint64_t)(int64_t)(alpha * (double)(int64_t)s + (beta != 0 ? beta * (double)ia_get_i64(c, dtype, ci) : 0));
                ia_set_i64(c, dtype, ci, (int64_t)s);
            } else {
                double s = 0;
                for (int64_t p = 0; p < k; p++) s += ia_get_f64(a, dtype, ai + p * as) * ia_get_f64(b, dtype, bj + p * bs);
                ia_set_f64(c, dtype, ci, alpha * s + (beta != 0 ? beta * ia_get_f64(c, dtype, ci) : 0));
            }
        }
}

static int matmul_dtype_ok(int dt) {
    switch (dt) {
    case IA_DTYPE_FLOAT: case IA_DTYPE_DOUBLE: case IA_DTYPE_FLOAT16: case IA_DTYPE_BFLOAT16:
    case IA_DTYPE_INT32: case IA_DTYPE_INT64: case IA_DTYPE_UINT32: case IA_DTYPE_UINT64:
        return 1;
    default: return 0;
    }
}

/* ---------------- pre-packed constant B ---------------- */

static void packed_free(void *p) { ia_gemm_f32_packed_b_free(p); }

/* Packs a constant float32 2-D B (input 1) once, at session creation. */
static int prepare_b(ia_kctx *ctx, int trans_b) {
    const ia_tensor *B = ia_kctx_input_data(ctx, 1);
    if (!B || B->dtype != IA_DTYPE_FLOAT || B->rank != 2 || B->numel == 0) return IA_OK;
    int64_t k = trans_b ? B->dims[1] : B->dims[0], n = trans_b ? B->dims[0] : B->dims[1];
    ia_gemm_packed_b *pb;
    int rc = ia_gemm_f32_pack_b(trans_b, k, n, B->data, B->dims[1], &pb);
    if (rc) return rc;
    /* the kernels take the packed path whenever B is this constant (rank 2, float32) */
    ia_kctx_state_replaces_input(ctx, 1);
    return ia_kctx_set_state(ctx, pb, packed_free);
}

/* The node's pre-packed B when it matches B's current k x n. */
static const ia_gemm_packed_b *packed_for(const ia_kctx *ctx, int64_t k, int64_t n) {
    const ia_gemm_packed_b *pb = ia_kctx_state(ctx);
    return pb && ia_gemm_f32_packed_k(pb) == k && ia_gemm_f32_packed_n(pb) == n ? pb : NULL;
}

int ia_op_matmul_prepare(ia_kctx *ctx);
int ia_op_gemm_prepare(ia_kctx *ctx);
int ia_op_matmul_prepare(ia_kctx *ctx) { return prepare_b(ctx, 0); }
int ia_op_gemm_prepare(ia_kctx *ctx) { return prepare_b(ctx, ia_kctx_attr_int(ctx, "transB", 0) != 0); }

/* ---------------- MatMul ---------------- */

typedef struct mm_job {
    const float *a, *b;
    float *c;
    int64_t m, n, k;
    int rank; /* batch rank */
    const int64_t *bdims, *sa, *sb;
    ia_threadpool *pool;
    int status;
} mm_job;

static void mm_batches(void *arg, int64_t begin, int64_t end, int tid) {
    mm_job *j = arg;
    (void)tid;
    for (int64_t t = begin; t < end; t++) {
        int64_t oa = ia_bcast_offset(t, j->rank, j->bdims, j->sa), ob = ia_bcast_offset(t, j->rank, j->bdims, j->sb);
        int rc = ia_gemm_f32(j->pool, 0, 0, j->m, j->n, j->k, 1.0f, j->a + oa * j->m * j->k, j->k,
                             j->b + ob * j->k * j->n, j->n, 0.0f, j->c + t * j->m * j->n, j->n);
        if (rc) j->status = rc;
    }
}

int ia_op_matmul(ia_kctx *ctx) {
    const ia_tensor *A = ia_kctx_input(ctx, 0), *B = ia_kctx_input(ctx, 1);
    if (!A || !B) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MatMul needs inputs A and B");
    if (A->dtype != B->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "MatMul: A is %s but B is %s", ia_dtype_name(A->dtype), ia_dtype_name(B->dtype));
    if (!matmul_dtype_ok(A->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "MatMul does not support %s", ia_dtype_name(A->dtype));
    if (A->rank < 1 || B->rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMul inputs must have rank >= 1");
    int64_t m = A->rank == 1 ? 1 : A->dims[A->rank - 2], k = A->dims[A->rank - 1];
    int64_t kb = B->rank == 1 ? B->dims[0] : B->dims[B->rank - 2], n = B->rank == 1 ? 1 : B->dims[B->rank - 1];
    if (k != kb)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMul: inner dimensions differ (%lld vs %lld)", (long long)k, (long long)kb);
    /* batch dims */
    int ra = A->rank > 2 ? A->rank - 2 : 0, rb = B->rank > 2 ? B->rank - 2 : 0, rank;
    int64_t bdims[IA_MAX_DIMS];
    if (ia_broadcast_shape(ra, A->dims, rb, B->dims, &rank, bdims))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "MatMul: batch dimensions do not broadcast");
    int64_t odims[IA_MAX_DIMS];
    int orank = 0;
    for (int i = 0; i < rank; i++) odims[orank++] = bdims[i];
    if (A->rank > 1) odims[orank++] = m;
    if (B->rank > 1) odims[orank++] = n;
    if (orank > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "MatMul: output rank too large");
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, A->dtype, orank, odims, &Y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t batch = 1;
    for (int i = 0; i < rank; i++) batch *= bdims[i];
    if (Y->numel == 0) return IA_OK;
    /* broadcast strides in units of whole matrices */
    int64_t sa[IA_MAX_DIMS] = {0}, sb[IA_MAX_DIMS] = {0};
    {
        int64_t s = 1;
        for (int i = rank - 1, d = ra - 1; i >= 0; i--, d--)
            if (d >= 0) { sa[i] = A->dims[d] == 1 ? 0 : s; s *= A->dims[d]; }
        s = 1;
        for (int i = rank - 1, d = rb - 1; i >= 0; i--, d--)
            if (d >= 0) { sb[i] = B->dims[d] == 1 ? 0 : s; s *= B->dims[d]; }
    }
    int64_t a_batch = 1, b_batch = 1;
    for (int i = 0; i < ra; i++) a_batch *= A->dims[i];
    for (int i = 0; i < rb; i++) b_batch *= B->dims[i];
    int dt = A->dtype;
    if (dt == IA_DTYPE_FLOAT || dt == IA_DTYPE_FLOAT16 || dt == IA_DTYPE_BFLOAT16) {
        const float *af = A->data, *bf = B->data;
        float *cf = Y->data;
        if (dt != IA_DTYPE_FLOAT) {
            float *ta = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(A->numel + B->numel + Y->numel));
            if (!ta) return IA_ERR_NOMEM;
            ia_nn_load_f32(A->data, dt, A->numel, ta);
            ia_nn_load_f32(B->data, dt, B->numel, ta + A->numel);
            af = ta;
            bf = ta + A->numel;
            cf = ta + A->numel + B->numel;
        }
        int rc = IA_OK;
        if (b_batch == 1 && a_batch == batch) {
            /* B is one matrix shared by every batch: fold the batch into M */
            const ia_gemm_packed_b *pb = dt == IA_DTYPE_FLOAT && B->rank == 2 ? packed_for(ctx, k, n) : NULL;
            if (pb) rc = ia_gemm_f32_packed(ia_kctx_pool(ctx), 0, batch * m, 1.0f, af, k, pb, 0.0f, cf, n);
            else rc = ia_gemm_f32(ia_kctx_pool(ctx), 0, 0, batch * m, n, k, 1.0f, af, k, bf, n, 0.0f, cf, n);
        } else {
            mm_job j = {af, bf, cf, m, n, k, rank, bdims, sa, sb, ia_kctx_pool(ctx), IA_OK};
            double flops = (double)m * (double)n * (double)k;
            if (flops < 128.0 * 128.0 * 128.0 && batch > 1) {
                ia_parallel_for(ia_kctx_pool(ctx), batch, 1 + (int64_t)(32768.0 / (flops + 1)), mm_batches, &j);
            } else {
                mm_batches(&j, 0, batch, 0);
            }
            rc = j.status;
        }
        if (rc) IA_KFAIL(ctx, rc, "MatMul: out of memory");
        if (dt != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, dt, Y->numel, cf);
        return IA_OK;
    }
    for (int64_t t = 0; t < batch; t++) {
        int64_t oa = ia_bcast_offset(t, rank, bdims, sa), ob = ia_bcast_offset(t, rank, bdims, sb);
        ref_gemm(dt, 0, 0, m, n, k, 1.0, A->data, oa * m * k, k, B->data, ob * k * n, n, 0.0, Y->data, t * m * n, n);
    }
    return IA_OK;
}

/* ---------------- Gemm ---------------- */

int ia_op_gemm(ia_kctx *ctx) {
    const ia_tensor *A = ia_kctx_input(ctx, 0), *B = ia_kctx_input(ctx, 1), *C = ia_kctx_input(ctx, 2);
    if (!A || !B) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Gemm needs inputs A and B");
    if (A->dtype != B->dtype || (C && C->dtype != A->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "Gemm: inputs must share one dtype");
    if (!matmul_dtype_ok(A->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Gemm does not support %s", ia_dtype_name(A->dtype));
    if (A->rank != 2 || B->rank != 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "Gemm: A and B must be 2-D");
    int ta = ia_kctx_attr_int(ctx, "transA", 0) != 0, tb = ia_kctx_attr_int(ctx, "transB", 0) != 0;
    float alpha = ia_kctx_attr_float(ctx, "alpha", 1.0f), beta = ia_kctx_attr_float(ctx, "beta", 1.0f);
    int64_t m = ta ? A->dims[1] : A->dims[0], k = ta ? A->dims[0] : A->dims[1];
    int64_t kb = tb ? B->dims[1] : B->dims[0], n = tb ? B->dims[0] : B->dims[1];
    if (k != kb) IA_KFAIL(ctx, IA_ERR_SHAPE, "Gemm: inner dimensions differ (%lld vs %lld)", (long long)k, (long long)kb);
    int64_t odims[2] = {m, n};
    int64_t cst[2] = {0, 0};
    if (C) {
        if (C->rank > 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "Gemm: C must have rank <= 2");
        int64_t c0 = C->rank == 2 ? C->dims[0] : 1, c1 = C->rank >= 1 ? C->dims[C->rank - 1] : 1;
        if ((c0 != 1 && c0 != m) || (c1 != 1 && c1 != n))
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Gemm: C does not broadcast to [%lld,%lld]", (long long)m, (long long)n);
        cst[0] = c0 == 1 ? 0 : c1;
        cst[1] = c1 == 1 ? 0 : 1;
    } else if (ia_kctx_opset(ctx) < 11) {
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Gemm: input C is required before opset 11");
    }
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, A->dtype, 2, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    int dt = A->dtype;
    if (dt == IA_DTYPE_FLOAT || dt == IA_DTYPE_FLOAT16 || dt == IA_DTYPE_BFLOAT16) {
        const float *af = A->data, *bf = B->data, *cf = C ? C->data : NULL;
        float *yf = Y->data;
        if (dt != IA_DTYPE_FLOAT) {
            int64_t cn = C ? C->numel : 0;
            float *t = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(A->numel + B->numel + cn + Y->numel));
            if (!t) return IA_ERR_NOMEM;
            ia_nn_load_f32(A->data, dt, A->numel, t);
            ia_nn_load_f32(B->data, dt, B->numel, t + A->numel);
            if (C) ia_nn_load_f32(C->data, dt, cn, t + A->numel + B->numel);
            af = t;
            bf = t + A->numel;
            cf = C ? t + A->numel + B->numel : NULL;
            yf = t + A->numel + B->numel + cn;
        }
        float gb = 0.0f;
        if (cf && beta != 0.0f) {
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) yf[i * n + j] = cf[i * cst[0] + j * cst[1]];
            gb = beta;
        }
        const ia_gemm_packed_b *pb = dt == IA_DTYPE_FLOAT ? packed_for(ctx, k, n) : NULL;
        if (pb ? ia_gemm_f32_packed(ia_kctx_pool(ctx), ta, m, alpha, af, A->dims[1], pb, gb, yf, n)
               : ia_gemm_f32(ia_kctx_pool(ctx), ta, tb, m, n, k, alpha, af, A->dims[1], bf, B->dims[1], gb, yf, n))
            IA_KFAIL(ctx, IA_ERR_NOMEM, "Gemm: out of memory");
        if (dt != IA_DTYPE_FLOAT) ia_nn_store_f32(Y->data, dt, Y->numel, yf);
        return IA_OK;
    }
    double b = 0;
    if (C && beta != 0.0f) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) IA_KTRY(ia_copy_elems(Y->data, i * n + j, C->data, i * cst[0] + j * cst[1], 1, dt));
        b = beta;
    }
    ref_gemm(dt, ta, tb, m, n, k, alpha, A->data, 0, A->dims[1], B->data, 0, B->dims[1], b, Y->data, 0, n);
    return IA_OK;
}
