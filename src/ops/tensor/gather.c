/* Index-driven reads: Gather (row copies, threaded), GatherElements and GatherND (batch_dims); negative indices are range-checked. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

/* Reads and normalises every index of `t` against `dim` into a scratch array; fails naming
 * the offending index. Returns NULL after failing (status in *rc). */
static int64_t *load_indices(ia_kctx *ctx, const ia_tensor *t, int64_t dim, const char *op, int *rc) {
    *rc = IA_OK;
    if (t->dtype != IA_DTYPE_INT64 && t->dtype != IA_DTYPE_INT32) {
        *rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "%s indices must be int32 or int64, got %s", op, ia_dtype_name(t->dtype));
        return NULL;
    }
    int64_t *idx = ia_kctx_scratch(ctx, (size_t)(t->numel ? t->numel : 1) * sizeof(int64_t));
    if (!idx) {
        *rc = IA_ERR_NOMEM;
        return NULL;
    }
    for (int64_t i = 0; i < t->numel; i++) {
        int64_t v = t->dtype == IA_DTYPE_INT64 ? ((const int64_t *)t->data)[i] : ((const int32_t *)t->data)[i];
        int64_t n = v < 0 ? v + dim : v;
        if (n < 0 || n >= dim) {
            *rc = ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "%s index %lld (at position %lld) is out of range [-%lld, %lld)", op,
                               (long long)v, (long long)i, (long long)dim, (long long)dim);
            return NULL;
        }
        idx[i] = n;
    }
    return idx;
}

typedef struct {
    const char *src;
    char *dst;
    const int64_t *idx;
    int64_t nidx, dim, inner;
    size_t es;
} gather_job;

static void gather_rows(void *arg, int64_t b, int64_t e, int tid) {
    (void)tid;
    const gather_job *j = arg;
    int64_t inner = j->inner;
    size_t es = j->es;
    for (int64_t row = b; row < e; row++) {
        int64_t o = row / j->nidx, k = row - o * j->nidx;
        const char *s = j->src + (size_t)((o * j->dim + j->idx[k]) * inner) * es;
        char *d = j->dst + (size_t)(row * inner) * es;
        if (inner == 1) {
            switch (es) {
            case 1: *(uint8_t *)d = *(const uint8_t *)s; break;
            case 2: *(uint16_t *)d = *(const uint16_t *)s; break;
            case 4: *(uint32_t *)d = *(const uint32_t *)s; break;
            case 8: *(uint64_t *)d = *(const uint64_t *)s; break;
            default: memcpy(d, s, es);
            }
        } else {
            memcpy(d, s, (size_t)inner * es);
        }
    }
}

int ia_op_gather(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *it = ia_kctx_input(ctx, 1);
    if (!x || !it) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Gather needs data and indices");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Gather does not support %s", ia_dtype_name(x->dtype));
    if (it->dtype != IA_DTYPE_INT64 && it->dtype != IA_DTYPE_INT32)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Gather indices must be int32 or int64, got %s", ia_dtype_name(it->dtype));
    int64_t a = ia_kctx_attr_int(ctx, "axis", 0);
    int axis;
    if (x->rank == 0 || ia_norm_axis(a, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Gather axis %lld is out of range for rank %d", (long long)a, x->rank);
    int r = x->rank - 1 + it->rank;
    if (r > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Gather output rank %d is too large", r);
    int64_t od[IA_MAX_DIMS];
    int k = 0;
    for (int d = 0; d < axis; d++) od[k++] = x->dims[d];
    for (int d = 0; d < it->rank; d++) od[k++] = it->dims[d];
    for (int d = axis + 1; d < x->rank; d++) od[k++] = x->dims[d];
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int rc;
    const int64_t *idx = load_indices(ctx, it, x->dims[axis], "Gather", &rc);
    if (!idx) return rc;
    if (out->numel == 0) return IA_OK;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++) inner *= x->dims[d];
    int64_t rows = outer * it->numel;
    if (x->dtype == IA_DTYPE_STRING) {
        for (int64_t row = 0; row < rows; row++) {
            int64_t o = row / it->numel, q = row % it->numel;
            IA_KTRY(ia_copy_elems(out->data, row * inner, x->data, (o * x->dims[axis] + idx[q]) * inner, inner, x->dtype));
        }
        return IA_OK;
    }
    gather_job j = {x->data, out->data, idx, it->numel, x->dims[axis], inner, ia_dtype_size(x->dtype)};
    if (out->numel < IA_TENSOR_PAR_MIN) gather_rows(&j, 0, rows, 0);
    else ia_parallel_for(ia_kctx_pool(ctx), rows, IA_TENSOR_PAR_MIN / inner + 1, gather_rows, &j);
    return IA_OK;
}

int ia_op_gather_elements(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *it = ia_kctx_input(ctx, 1);
    if (!x || !it) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GatherElements needs data and indices");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "GatherElements does not support %s", ia_dtype_name(x->dtype));
    int64_t a = ia_kctx_attr_int(ctx, "axis", 0);
    int axis, r = x->rank;
    if (r == 0 || ia_norm_axis(a, r, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GatherElements axis %lld is out of range for rank %d", (long long)a, r);
    if (it->rank != r) IA_KFAIL(ctx, IA_ERR_SHAPE, "GatherElements indices rank %d differs from data rank %d", it->rank, r);
    for (int d = 0; d < r; d++)
        if (d != axis && it->dims[d] > x->dims[d])
            IA_KFAIL(ctx, IA_ERR_SHAPE, "GatherElements indices dim %d (%lld) exceeds data dim (%lld)", d, (long long)it->dims[d],
                     (long long)x->dims[d]);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, it->dims, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int rc;
    const int64_t *idx = load_indices(ctx, it, x->dims[axis], "GatherElements", &rc);
    if (!idx) return rc;
    int64_t xs[IA_MAX_DIMS], pos[IA_MAX_DIMS] = {0}, base = 0;
    ia_strides(r, x->dims, xs);
    size_t es = ia_dtype_size(x->dtype);
    for (int64_t i = 0; i < it->numel; i++) {
        int64_t s = base + idx[i] * xs[axis];
        if (x->dtype == IA_DTYPE_STRING) IA_KTRY(ia_copy_elems(out->data, i, x->data, s, 1, x->dtype));
        else memcpy((char *)out->data + (size_t)i * es, (const char *)x->data + (size_t)s * es, es);
        for (int d = r - 1; d >= 0; d--) { /* base tracks the data offset of pos, axis excluded */
            if (d != axis) base += xs[d];
            if (++pos[d] < it->dims[d]) break;
            if (d != axis) base -= pos[d] * xs[d];
            pos[d] = 0;
        }
    }
    return IA_OK;
}

int ia_op_gather_nd(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *it = ia_kctx_input(ctx, 1);
    if (!x || !it) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GatherND needs data and indices");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "GatherND does not support %s", ia_dtype_name(x->dtype));
    if (it->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "GatherND indices must be int64, got %s", ia_dtype_name(it->dtype));
    int64_t b = ia_kctx_attr_int(ctx, "batch_dims", 0);
    int r = x->rank, q = it->rank;
    if (r < 1 || q < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "GatherND needs data and indices of rank >= 1");
    if (b < 0 || b >= r || b >= q) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GatherND batch_dims %lld is invalid for ranks %d, %d", (long long)b, r, q);
    int64_t k = it->dims[q - 1];
    if (k < 1 || k > r - b) IA_KFAIL(ctx, IA_ERR_SHAPE, "GatherND index tuple length %lld is invalid for data rank %d, batch_dims %lld",
                                     (long long)k, r, (long long)b);
    for (int d = 0; d < b; d++)
        if (x->dims[d] != it->dims[d]) IA_KFAIL(ctx, IA_ERR_SHAPE, "GatherND batch dim %d differs between data and indices", d);
    int orank = q - 1 + r - (int)b - (int)k;
    if (orank > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "GatherND output rank %d is too large", orank);
    int64_t od[IA_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < q - 1; d++) od[n++] = it->dims[d];
    for (int d = (int)(b + k); d < r; d++) od[n++] = x->dims[d];
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, orank, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t xs[IA_MAX_DIMS], batches = 1, inner = 1;
    ia_strides(r, x->dims, xs);
    for (int d = 0; d < b; d++) batches *= x->dims[d];
    for (int d = (int)(b + k); d < r; d++) inner *= x->dims[d];
    int64_t tuples = (it->numel / k), per_batch = tuples / batches, batch_stride = b ? xs[b - 1] : 0;
    const int64_t *iv = it->data;
    for (int64_t t = 0; t < tuples; t++) {
        int64_t off = (t / per_batch) * batch_stride;
        for (int64_t j = 0; j < k; j++) {
            int64_t dim = x->dims[b + j], v = iv[t * k + j], nv = v < 0 ? v + dim : v;
            if (nv < 0 || nv >= dim)
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GatherND index %lld (tuple %lld, component %lld) is out of range [-%lld, %lld)",
                         (long long)v, (long long)t, (long long)j, (long long)dim, (long long)dim);
            off += nv * xs[b + j];
        }
        IA_KTRY(ia_copy_elems(out->data, t * inner, x->data, off, inner, x->dtype));
    }
    return IA_OK;
}
