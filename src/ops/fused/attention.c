/* Attention (fused domain): softmax(scale(Q K^T) + mask) V with MatMul's batch broadcasting,
 * computed per query block over key tiles with an online softmax, so the full score matrix
 * is never materialised. Q [..., Sq, D], K [..., Sk, D] (not transposed), V [..., Sk, Dv],
 * optional additive mask broadcastable to the scores; attributes scale and scale_div (1:
 * divide the scores by scale, 0: multiply). layout_q / layout_k / layout_v / layout_out = 1:
 * that tensor is [B, S, H, D] (rank 4) rather than [B, H, S, D], read or written in place with
 * strides (the head transposes around attention, absorbed). Float32 only. */
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/fused/softmax_tile.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"

#define QBLK 64  /* query rows per task */
#define KTILE 256 /* keys per tile */

typedef struct att_job {
    const float *q, *k, *v, *mask;
    float *out;
    int64_t sq, sk, d, dv, nbatch, nqb;
    int nb;                      /* batch rank of the output */
    int64_t bdims[IA_MAX_DIMS];  /* output batch dims */
    int64_t qs[IA_MAX_DIMS], ks[IA_MAX_DIMS], vs[IA_MAX_DIMS], ms[IA_MAX_DIMS], os[IA_MAX_DIMS]; /* batch strides */
    int64_t ldq, ldk, ldv, ldo;  /* row strides (elements) */
    int64_t m_row, m_col;        /* mask strides along Sq and Sk */
    float scale;
    int div;
    float *scratch; /* per thread: QBLK*KTILE scores, QBLK*dv accumulators, 2*QBLK row stats */
    size_t per_thread;
    /* with several query blocks: K^T and V of each output batch packed once, shared by them */
    ia_gemm_packed_b **pk, **pv;
    int pack_failed;
} att_job;

static int64_t boff(const att_job *j, int64_t b, const int64_t *strides) {
    int64_t off = 0;
    for (int d = j->nb - 1; d >= 0 && b; d--) {
        int64_t q = b / j->bdims[d];
        off += (b - q * j->bdims[d]) * strides[d];
        b = q;
    }
    return off;
}

/* dst[c] = src[c] * f for c < n (dst == src allowed), in 16-float vectors: the loops at the
 * call sites have run-time lengths, which -O2 leaves scalar. */
typedef float att_v16 __attribute__((vector_size(64), aligned(4), may_alias));
static void scale_into(float *dst, const float *src, int64_t n, float f) {
    int64_t c = 0;
    for (; c + 16 <= n; c += 16) *(att_v16 *)(void *)(dst + c) = *(const att_v16 *)(const void *)(src + c) * f;
    for (; c < n; c++) dst[c] = src[c] * f;
}

static void att_task(void *p, int64_t begin, int64_t end, int t) {
    const att_job *j = p;
    float *s = j->scratch + (size_t)t * j->per_thread, *acc = s + QBLK * KTILE, *mx = acc + QBLK * j->dv, *sum = mx + QBLK;
    for (int64_t task = begin; task < end; task++) {
        int64_t b = task / j->nqb, q0 = (task % j->nqb) * QBLK;
        int64_t rows = j->sq - q0 < QBLK ? j->sq - q0 : QBLK;
        const float *q = j->q + boff(j, b, j->qs) + q0 * j->ldq, *k = j->k + boff(j, b, j->ks), *v = j->v + boff(j, b, j->vs);
        const float *mask = j->mask ? j->mask + boff(j, b, j->ms) + q0 * j->m_row : NULL;
        for (int64_t r = 0; r < rows; r++) {
            mx[r] = -INFINITY;
            sum[r] = 0;
        }
        memset(acc, 0, (size_t)(rows * j->dv) * sizeof(float));
        for (int64_t k0 = 0; k0 < j->sk; k0 += KTILE) {
            int64_t kn = j->sk - k0 < KTILE ? j->sk - k0 : KTILE;
            if (!j->d)
                memset(s, 0, (size_t)(rows * KTILE) * sizeof(float));
            else if (!j->pk || ia_gemm_f32_packed_block(NULL, rows, 1.0f, q, j->ldq, j->pk[b], 0, j->d, k0, kn, 0.0f, s, KTILE))
                ia_gemm_f32(NULL, 0, 1, rows, kn, j->d, 1.0f, q, j->ldq, k + k0 * j->ldk, j->ldk, 0.0f, s, KTILE);
            for (int64_t r = 0; r < rows; r++) {
                const float *mr = mask ? mask + r * j->m_row + k0 * j->m_col : NULL;
                float corr = ia__softmax_tile(s + r * KTILE, kn, j->scale, j->div, mr, j->m_col, &mx[r], &sum[r]);
                if (corr != 1.0f) scale_into(acc + r * j->dv, acc + r * j->dv, j->dv, corr);
            }
            if (j->dv &&
                (!j->pv || ia_gemm_f32_packed_block(NULL, rows, 1.0f, s, KTILE, j->pv[b], k0, kn, 0, j->dv, 1.0f, acc, j->dv)))
                ia_gemm_f32(NULL, 0, 0, rows, j->dv, kn, 1.0f, s, KTILE, v + k0 * j->ldv, j->ldv, 1.0f, acc, j->dv);
        }
        float *o = j->out + boff(j, b, j->os) + q0 * j->ldo;
        for (int64_t r = 0; r < rows; r++) scale_into(o + r * j->ldo, acc + r * j->dv, j->dv, 1.0f / sum[r]);
    }
}

/* Packs K^T and V of output batches [begin, end) (pack_failed on any failure: the tasks then
 * use the unpacked path). */
static void att_pack(void *p, int64_t begin, int64_t end, int t) {
    (void)t;
    att_job *j = p;
    for (int64_t b = begin; b < end; b++)
        if (ia_gemm_f32_pack_b_depth(1, j->d, j->sk, j->k + boff(j, b, j->ks), j->ldk, KTILE, &j->pk[b]) ||
            ia_gemm_f32_pack_b_depth(0, j->sk, j->dv, j->v + boff(j, b, j->vs), j->ldv, KTILE, &j->pv[b]))
            __atomic_store_n(&j->pack_failed, 1, __ATOMIC_RELAXED);
}

/* Element strides of tensor t's batch dims (all but the last two, aligned right) within the
 * output batch shape (rank nb): 0 where t has no such dim or broadcasts it. */
/* A tensor as attention sees it: its logical dims [..., S, D] and each one's element stride
 * (layout 1: a [B, S, H, D] tensor seen as [B, H, S, D]). */
typedef struct att_view {
    int rank;
    int64_t dims[IA_MAX_DIMS], st[IA_MAX_DIMS];
} att_view;

static int make_view(const int64_t *dims, int rank, int layout, att_view *v) {
    if (layout && rank != 4) return ia_set_error(IA_ERR_SHAPE, "Attention: a [B, S, H, D] layout needs rank 4, not %d", rank);
    int64_t st = 1, ps[IA_MAX_DIMS];
    for (int d = rank - 1; d >= 0; d--) {
        ps[d] = st;
        st *= dims[d];
    }
    v->rank = rank;
    for (int d = 0; d < rank; d++) {
        int from = layout && (d == 1 || d == 2) ? 3 - d : d;
        v->dims[d] = dims[from];
        v->st[d] = ps[from];
    }
    return IA_OK;
}

/* Strides of the view's batch dims against the output's nb batch dims (0 where it broadcasts). */
static void batch_strides(const att_view *t, int nb, const int64_t *bdims, int64_t *out) {
    int tb = t->rank - 2;
    for (int d = nb - 1; d >= 0; d--) {
        int td = d - (nb - tb);
        out[d] = td < 0 || (t->dims[td] == 1 && bdims[d] != 1) ? 0 : t->st[td];
    }
}

int ia_op_fused_attention(ia_kctx *ctx) {
    const ia_tensor *Q = ia_kctx_input(ctx, 0), *K = ia_kctx_input(ctx, 1), *V = ia_kctx_input(ctx, 2),
                    *M = ia_kctx_input(ctx, 3);
    if (!Q || !K || !V || Q->dtype != IA_DTYPE_FLOAT || K->dtype != IA_DTYPE_FLOAT || V->dtype != IA_DTYPE_FLOAT ||
        (M && M->dtype != IA_DTYPE_FLOAT))
        IA_KFAIL(ctx, IA_ERR_TYPE, "Attention: Q, K, V (and mask) must be float32 tensors");
    if (Q->rank < 2 || K->rank < 2 || V->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "Attention: Q, K and V need rank >= 2");
    att_view qv, kv, vv;
    int lo = (int)ia_kctx_attr_int(ctx, "layout_out", 0);
    IA_KTRY(make_view(Q->dims, Q->rank, (int)ia_kctx_attr_int(ctx, "layout_q", 0), &qv));
    IA_KTRY(make_view(K->dims, K->rank, (int)ia_kctx_attr_int(ctx, "layout_k", 0), &kv));
    IA_KTRY(make_view(V->dims, V->rank, (int)ia_kctx_attr_int(ctx, "layout_v", 0), &vv));
    int64_t sq = qv.dims[qv.rank - 2], d = qv.dims[qv.rank - 1], sk = kv.dims[kv.rank - 2], dv = vv.dims[vv.rank - 1];
    if (kv.dims[kv.rank - 1] != d || vv.dims[vv.rank - 2] != sk)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "Attention: Q, K, V inner dimensions disagree");
    /* scores: broadcast of Q's and K's batch dims, then of the mask; output: with V's */
    int rs, rf, ro;
    int64_t sdims[IA_MAX_DIMS], fdims[IA_MAX_DIMS], odims[IA_MAX_DIMS];
    int64_t qd[IA_MAX_DIMS], kd[IA_MAX_DIMS];
    memcpy(qd, qv.dims, sizeof(int64_t) * (size_t)qv.rank);
    memcpy(kd, kv.dims, sizeof(int64_t) * (size_t)kv.rank);
    qd[qv.rank - 1] = 1; /* [.., Sq, 1] x [.., 1, Sk] broadcasts to [.., Sq, Sk] */
    kd[kv.rank - 2] = 1;
    kd[kv.rank - 1] = sk;
    IA_KTRY(ia_broadcast_shape(qv.rank, qd, kv.rank, kd, &rs, sdims));
    memcpy(fdims, sdims, sizeof sdims);
    rf = rs;
    if (M) {
        IA_KTRY(ia_broadcast_shape(rs, sdims, M->rank, M->dims, &rf, fdims));
        if (fdims[rf - 2] != sq || fdims[rf - 1] != sk)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Attention: the mask would enlarge the score matrix");
    }
    int64_t pd[IA_MAX_DIMS];
    memcpy(pd, fdims, sizeof fdims);
    pd[rf - 2] = pd[rf - 1] = 1; /* batch dims only: [.., Sq, Sk] x [.., Sk, Dv] */
    int64_t vd[IA_MAX_DIMS];
    memcpy(vd, vv.dims, sizeof(int64_t) * (size_t)vv.rank);
    vd[vv.rank - 2] = vd[vv.rank - 1] = 1;
    IA_KTRY(ia_broadcast_shape(rf, pd, vv.rank, vd, &ro, odims));
    odims[ro - 2] = sq;
    odims[ro - 1] = dv;
    if (lo && ro != 4) IA_KFAIL(ctx, IA_ERR_SHAPE, "Attention: a [B, S, H, D] output needs rank 4, not %d", ro);
    int64_t ydims[IA_MAX_DIMS]; /* the output as stored */
    memcpy(ydims, odims, sizeof ydims);
    if (lo) {
        ydims[1] = odims[2];
        ydims[2] = odims[1];
    }
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, ro, ydims, &Y));
    if (ia_kctx_shape_only(ctx) || !Y->numel) return IA_OK;
    if (sk == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "Attention: softmax over zero keys");
    att_job j;
    memset(&j, 0, sizeof j);
    j.q = Q->data;
    j.k = K->data;
    j.v = V->data;
    j.out = Y->data;
    j.sq = sq;
    j.sk = sk;
    j.d = d;
    j.dv = dv;
    j.nb = ro - 2;
    j.nbatch = 1;
    for (int i = 0; i < j.nb; i++) {
        j.bdims[i] = odims[i];
        j.nbatch *= odims[i];
    }
    batch_strides(&qv, j.nb, j.bdims, j.qs);
    batch_strides(&kv, j.nb, j.bdims, j.ks);
    batch_strides(&vv, j.nb, j.bdims, j.vs);
    j.ldq = qv.st[qv.rank - 2];
    j.ldk = kv.st[kv.rank - 2];
    j.ldv = vv.st[vv.rank - 2];
    att_view ov;
    IA_KTRY(make_view(ydims, ro, lo, &ov));
    batch_strides(&ov, j.nb, j.bdims, j.os);
    j.ldo = ov.st[ro - 2];
    if (M) {
        int64_t full[IA_MAX_DIMS], st[IA_MAX_DIMS];
        for (int i = 0; i < j.nb; i++) full[i] = odims[i];
        full[j.nb] = sq;
        full[j.nb + 1] = sk;
        ia_broadcast_strides(M, j.nb + 2, full, st);
        for (int i = 0; i < j.nb; i++) j.ms[i] = st[i];
        j.m_row = st[j.nb];
        j.m_col = st[j.nb + 1];
        j.mask = M->data;
    }
    j.scale = ia_kctx_attr_float(ctx, "scale", 1.0f);
    j.div = (int)ia_kctx_attr_int(ctx, "scale_div", 0);
    j.nqb = (sq + QBLK - 1) / QBLK;
    j.per_thread = (size_t)(QBLK * KTILE + QBLK * dv + 2 * QBLK);
    int threads = ia_threadpool_size(ia_kctx_pool(ctx));
    j.scratch = ia_kctx_scratch(ctx, j.per_thread * (size_t)threads * sizeof(float));
    if (!j.scratch) return IA_ERR_NOMEM;
    /* several query blocks read the same keys and values: pack them once per batch, not once
     * per block and tile; depth blocks of KTILE rows, so each key tile of V is one block, and
     * K^T's depth, the head size, must fit one) */
    if (j.nqb > 1 && d > 0 && d <= KTILE && dv > 0 && (j.pk = ia_calloc((size_t)j.nbatch * 2, sizeof *j.pk))) {
        j.pv = j.pk + j.nbatch;
        ia_parallel_for(ia_kctx_pool(ctx), j.nbatch, 1, att_pack, &j);
        if (j.pack_failed) {
            for (int64_t b = 0; b < 2 * j.nbatch; b++) ia_gemm_f32_packed_b_free(j.pk[b]);
            ia_free(j.pk);
            j.pk = j.pv = NULL;
        }
    }
    ia_parallel_for(ia_kctx_pool(ctx), j.nbatch * j.nqb, 1, att_task, &j);
    if (j.pk) {
        for (int64_t b = 0; b < 2 * j.nbatch; b++) ia_gemm_f32_packed_b_free(j.pk[b]);
        ia_free(j.pk);
    }
    return IA_OK;
}
