/* MatMulInteger and QLinearMatMul: quantized matrix products with numpy-style batch broadcasting. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/quant/qutil.h"

/* Shapes of a quantized product: operands viewed as batches of [M,K] and [K,N] matrices. */
typedef struct {
    int64_t M, N, K;
    int rank, brank; /* output rank; number of broadcast batch dims */
    int64_t dims[IA_MAX_DIMS];
    int64_t bdims[IA_MAX_DIMS], astr[IA_MAX_DIMS], bstr[IA_MAX_DIMS]; /* batch dims and strides (in matrices) */
    int64_t batches, a_batches, b_batches;
} mm_shape;

static int get_mm_shape(ia_kctx *ctx, const char *op, const ia_tensor *a, const ia_tensor *b, mm_shape *s) {
    if (a->rank < 1 || b->rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: operands must have rank >= 1", op);
    int ar = a->rank, br = b->rank;
    s->M = ar == 1 ? 1 : a->dims[ar - 2];
    s->K = a->dims[ar - 1];
    int64_t kb = br == 1 ? b->dims[0] : b->dims[br - 2];
    s->N = br == 1 ? 1 : b->dims[br - 1];
    if (kb != s->K)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: inner dimensions differ (%lld vs %lld)", op, (long long)s->K, (long long)kb);
    int abr = ar > 2 ? ar - 2 : 0, bbr = br > 2 ? br - 2 : 0;
    if (ia_broadcast_shape(abr, a->dims, bbr, b->dims, &s->brank, s->bdims))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: batch dimensions cannot be broadcast", op);
    s->batches = s->a_batches = s->b_batches = 1;
    int64_t sa = 1, sb = 1;
    for (int d = s->brank - 1; d >= 0; d--) {
        int da = d - (s->brank - abr), db = d - (s->brank - bbr);
        int64_t na = da >= 0 ? a->dims[da] : 1, nb = db >= 0 ? b->dims[db] : 1;
        s->astr[d] = na == 1 ? 0 : sa;
        s->bstr[d] = nb == 1 ? 0 : sb;
        sa *= na;
        sb *= nb;
        s->batches *= s->bdims[d];
    }
    s->a_batches = sa;
    s->b_batches = sb;
    s->rank = 0;
    for (int d = 0; d < s->brank; d++) s->dims[s->rank++] = s->bdims[d];
    if (ar > 1) s->dims[s->rank++] = s->M;
    if (br > 1) s->dims[s->rank++] = s->N;
    return IA_OK;
}

/* Operand minus zero point as int16, batch by batch. Zero points: 1 value, one per row
 * (`per` = M for A) or column (`per` = N for B), or one per batch and row/column. */
static int widen(ia_kctx *ctx, const char *op, const char *what, const ia_tensor *x, const ia_tensor *zp, int64_t batches,
                 int64_t rows, int64_t cols, int per_row, int16_t **out) {
    int64_t per = per_row ? rows : cols;
    if (zp) {
        if (zp->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: %s zero point is %s but the operand is %s", op, what,
                                            ia_dtype_name(zp->dtype), ia_dtype_name(x->dtype));
        if (zp->numel != 1 && zp->numel != per && zp->numel != per * batches)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: %s zero point has %lld elements (expected 1, %lld or %lld)", op, what,
                     (long long)zp->numel, (long long)per, (long long)(per * batches));
        if (!zp->data) return IA_ERR_NEED_VALUE;
    }
    int16_t *w = ia_kctx_scratch(ctx, (size_t)(x->numel > 0 ? x->numel : 1) * sizeof *w);
    if (!w) IA_KFAIL(ctx, IA_ERR_NOMEM, "%s: out of memory", op);
    const int is_u8 = x->dtype == IA_DTYPE_UINT8;
    int16_t z = 0;
    if (zp && zp->numel == 1) z = (int16_t)ia_get_i64(zp->data, zp->dtype, 0);
    if (!zp || zp->numel == 1) {
        if (is_u8) {
            const uint8_t *s = x->data;
            for (int64_t i = 0; i < x->numel; i++) w[i] = (int16_t)(s[i] - z);
        } else {
            const int8_t *s = x->data;
            for (int64_t i = 0; i < x->numel; i++) w[i] = (int16_t)(s[i] - z);
        }
    } else {
        for (int64_t bt = 0; bt < batches; bt++)
            for (int64_t r = 0; r < rows; r++)
                for (int64_t c = 0; c < cols; c++) {
                    int64_t i = (bt * rows + r) * cols + c, zi = (per_row ? r : c) + (zp->numel == per ? 0 : bt * per);
                    int32_t v = is_u8 ? ((const uint8_t *)x->data)[i] : ((const int8_t *)x->data)[i];
                    w[i] = (int16_t)(v - (int32_t)ia_get_i64(zp->data, zp->dtype, zi));
                }
    }
    *out = w;
    return IA_OK;
}

typedef struct {
    const mm_shape *s;
    const int16_t *A, *B;
    int32_t *C;
} batch_job;

static void run_batch(const mm_shape *s, ia_threadpool *pool, const int16_t *A, const int16_t *B, int32_t *C, int64_t bt) {
    int64_t ai = 0, bi = 0, rem = bt;
    for (int d = s->brank - 1; d >= 0; d--) {
        int64_t q = rem / s->bdims[d], r = rem - q * s->bdims[d];
        ai += r * s->astr[d];
        bi += r * s->bstr[d];
        rem = q;
    }
    ia__qgemm(pool, s->M, s->N, s->K, A + ai * s->M * s->K, B + bi * s->K * s->N, C + bt * s->M * s->N);
}

static void batch_range(void *arg, int64_t begin, int64_t end, int thread_index) {
    (void)thread_index;
    const batch_job *j = arg;
    for (int64_t bt = begin; bt < end; bt++) run_batch(j->s, NULL, j->A, j->B, j->C, bt);
}

/* C = (A - za) x (B - zb) over all batches, into `C` (batches*M*N int32). */
static int qmatmul(ia_kctx *ctx, const char *op, const mm_shape *s, const ia_tensor *a, const ia_tensor *za,
                   const ia_tensor *b, const ia_tensor *zb, int32_t *C) {
    if ((a->numel && !a->data) || (b->numel && !b->data)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: operand has no data", op);
    int16_t *A = NULL, *B = NULL;
    IA_KTRY(widen(ctx, op, "A", a, za, s->a_batches, s->M, s->K, 1, &A));
    IA_KTRY(widen(ctx, op, "B", b, zb, s->b_batches, s->K, s->N, 0, &B));
    int64_t work = s->M * s->N * s->K;
    if (s->batches > 1 && work < (1 << 20)) {
        batch_job j = {s, A, B, C};
        int64_t grain = work >= (1 << 18) ? 1 : (1 << 18) / (work ? work : 1);
        if (s->batches <= grain) batch_range(&j, 0, s->batches, 0);
        else ia_parallel_for(ia_kctx_pool(ctx), s->batches, grain, batch_range, &j);
    } else {
        for (int64_t bt = 0; bt < s->batches; bt++) run_batch(s, ia_kctx_pool(ctx), A, B, C, bt);
    }
    return IA_OK;
}

static int check_operand(ia_kctx *ctx, const char *op, const ia_tensor *t, const char *name) {
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input %s is missing or not a tensor", op, name);
    if (t->dtype != IA_DTYPE_UINT8 && t->dtype != IA_DTYPE_INT8)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: %s must be uint8 or int8, got %s", op, name, ia_dtype_name(t->dtype));
    return IA_OK;
}

int ia_op_matmul_integer(ia_kctx *ctx) {
    const ia_tensor *a = ia_kctx_input(ctx, 0), *b = ia_kctx_input(ctx, 1);
    IA_KTRY(check_operand(ctx, "MatMulInteger", a, "A"));
    IA_KTRY(check_operand(ctx, "MatMulInteger", b, "B"));
    mm_shape s;
    IA_KTRY(get_mm_shape(ctx, "MatMulInteger", a, b, &s));
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT32, s.rank, s.dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    return qmatmul(ctx, "MatMulInteger", &s, a, ia_kctx_input(ctx, 2), b, ia_kctx_input(ctx, 3), y->data);
}

int ia_op_qlinear_matmul(ia_kctx *ctx) {
    const char *op = "QLinearMatMul";
    const ia_tensor *a = ia_kctx_input(ctx, 0), *b = ia_kctx_input(ctx, 3);
    const ia_tensor *ys_t = ia_kctx_input(ctx, 6), *yz_t = ia_kctx_input(ctx, 7);
    IA_KTRY(check_operand(ctx, op, a, "a"));
    IA_KTRY(check_operand(ctx, op, b, "b"));
    int ydt = yz_t ? yz_t->dtype : a->dtype;
    if (ydt != IA_DTYPE_UINT8 && ydt != IA_DTYPE_INT8) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: y_zero_point must be uint8 or int8", op);
    mm_shape s;
    IA_KTRY(get_mm_shape(ctx, op, a, b, &s));
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, ydt, s.rank, s.dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    float *sa, *sb, *sy;
    int32_t *zy;
    IA_KTRY(ia__q_read_scale(ctx, ia_kctx_input(ctx, 1), s.M, "QLinearMatMul: a_scale", &sa));
    IA_KTRY(ia__q_read_scale(ctx, ia_kctx_input(ctx, 4), s.N, "QLinearMatMul: b_scale", &sb));
    IA_KTRY(ia__q_read_scale(ctx, ys_t, 1, "QLinearMatMul: y_scale", &sy));
    IA_KTRY(ia__q_read_zp(ctx, yz_t, ydt, 1, "QLinearMatMul: y_zero_point", &zy));
    if (!(sy[0] != 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: y_scale must be non-zero", op);
    int64_t n = s.batches * s.M * s.N;
    int32_t *acc = ia_kctx_scratch(ctx, (size_t)(n > 0 ? n : 1) * sizeof *acc);
    if (!acc) IA_KFAIL(ctx, IA_ERR_NOMEM, "%s: out of memory", op);
    IA_KTRY(qmatmul(ctx, op, &s, a, ia_kctx_input(ctx, 2), b, ia_kctx_input(ctx, 5), acc));
    int32_t lo, hi;
    ia__q_range(ydt, &lo, &hi);
    const int32_t z = zy[0];
    for (int64_t bt = 0, i = 0; bt < s.batches; bt++)
        for (int64_t r = 0; r < s.M; r++)
            for (int64_t c = 0; c < s.N; c++, i++) {
                int32_t q = ia__q_round_sat((double)acc[i] * ((double)sa[r] * (double)sb[c] / (double)sy[0]), lo - z, hi - z) + z;
                if (ydt == IA_DTYPE_UINT8) ((uint8_t *)y->data)[i] = (uint8_t)q;
                else ((int8_t *)y->data)[i] = (int8_t)q;
            }
    return IA_OK;
}
