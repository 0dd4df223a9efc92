/* Data-dependent selection: NonZero, Compress, Unique (sorted/unsorted, with or without axis, four outputs) and ReverseSequence. */
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/tensor/tensor_common.h"

static int numeric(int dt) { return dt != IA_DTYPE_STRING && ia_dtype_size(dt) > 0 && dt != IA_DTYPE_COMPLEX64 && dt != IA_DTYPE_COMPLEX128; }

static int is_nonzero(const ia_tensor *t, int64_t i) {
    switch (t->dtype) {
    case IA_DTYPE_FLOAT: return ((const float *)t->data)[i] != 0;
    case IA_DTYPE_BOOL: case IA_DTYPE_UINT8: case IA_DTYPE_INT8: return ((const uint8_t *)t->data)[i] != 0;
    case IA_DTYPE_INT64: case IA_DTYPE_UINT64: return ((const int64_t *)t->data)[i] != 0;
    case IA_DTYPE_INT32: case IA_DTYPE_UINT32: return ((const int32_t *)t->data)[i] != 0;
    default: return ia_get_f64(t->data, t->dtype, i) != 0;
    }
}

int ia_op_non_zero(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "NonZero needs an input");
    if (!numeric(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "NonZero does not support %s", ia_dtype_name(x->dtype));
    if (!ia_kctx_input_data(ctx, 0)) return IA_ERR_NEED_VALUE;
    int64_t nnz = 0;
    for (int64_t i = 0; i < x->numel; i++) nnz += is_nonzero(x, i);
    int r = x->rank ? x->rank : 1; /* a scalar behaves as a 1-element vector, like numpy */
    int64_t od[2] = {r, nnz};
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 2, od, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t *o = out->data, k = 0, pos[IA_MAX_DIMS] = {0};
    for (int64_t i = 0; i < x->numel; i++) {
        if (is_nonzero(x, i)) {
            for (int d = 0; d < x->rank; d++) o[d * nnz + k] = pos[d];
            k++;
        }
        for (int d = x->rank - 1; d >= 0; d--) {
            if (++pos[d] < x->dims[d]) break;
            pos[d] = 0;
        }
    }
    return IA_OK;
}

int ia_op_compress(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *c = ia_kctx_input(ctx, 1);
    if (!x || !c) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Compress needs input and condition");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Compress does not support %s", ia_dtype_name(x->dtype));
    if (c->dtype != IA_DTYPE_BOOL) IA_KFAIL(ctx, IA_ERR_TYPE, "Compress condition must be bool, got %s", ia_dtype_name(c->dtype));
    if (c->rank != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Compress condition must be 1-D, got rank %d", c->rank);
    const ia_attr *aa = ia_kctx_attr(ctx, "axis");
    int axis = -1;
    if (aa && (x->rank == 0 || ia_norm_axis(aa->i, x->rank, &axis)))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Compress axis %lld is out of range for rank %d", (long long)aa->i, x->rank);
    int64_t dim = axis >= 0 ? x->dims[axis] : x->numel;
    if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
    const uint8_t *cv = c->data;
    int64_t kept = 0;
    for (int64_t i = 0; i < c->numel; i++) {
        if (!cv[i]) continue;
        if (i >= dim) IA_KFAIL(ctx, IA_ERR_SHAPE, "Compress condition selects entry %lld but the axis has only %lld", (long long)i, (long long)dim);
        kept++;
    }
    int64_t od[IA_MAX_DIMS];
    int r = 1;
    int64_t outer = 1, inner = 1;
    if (axis < 0) {
        od[0] = kept;
    } else {
        r = x->rank;
        memcpy(od, x->dims, sizeof od);
        od[axis] = kept;
        for (int d = 0; d < axis; d++) outer *= x->dims[d];
        for (int d = axis + 1; d < r; d++) inner *= x->dims[d];
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t w = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < c->numel && i < dim; i++)
            if (cv[i]) {
                IA_KTRY(ia_copy_elems(out->data, w, x->data, (o * dim + i) * inner, inner, x->dtype));
                w += inner;
            }
    return IA_OK;
}

/* ---- Unique ---- */

typedef struct {
    const ia_tensor *x;
    int64_t dim, inner, outer; /* item i = elements (o*dim + i)*inner + j */
} uniq_ctx;

static int cmp_elem(const ia_tensor *x, int64_t a, int64_t b) {
    int dt = x->dtype;
    if (dt == IA_DTYPE_STRING) {
        const char *p = ((char *const *)x->data)[a], *q = ((char *const *)x->data)[b];
        int c = strcmp(p ? p : "", q ? q : "");
        return (c > 0) - (c < 0);
    }
    if (dt == IA_DTYPE_UINT64) {
        uint64_t p = ia_get_u64(x->data, dt, a), q = ia_get_u64(x->data, dt, b);
        return (p > q) - (p < q);
    }
    if (!ia_dtype_is_float(dt)) {
        int64_t p = ia_get_i64(x->data, dt, a), q = ia_get_i64(x->data, dt, b);
        return (p > q) - (p < q);
    }
    double p = ia_get_f64(x->data, dt, a), q = ia_get_f64(x->data, dt, b);
    if (isnan(p) || isnan(q)) return isnan(p) - isnan(q); /* NaN sorts last, NaNs are equal */
    return (p > q) - (p < q);
}

static int cmp_item(const uniq_ctx *u, int64_t a, int64_t b) {
    for (int64_t o = 0; o < u->outer; o++)
        for (int64_t j = 0; j < u->inner; j++) {
            int c = cmp_elem(u->x, (o * u->dim + a) * u->inner + j, (o * u->dim + b) * u->inner + j);
            if (c) return c;
        }
    return 0;
}

/* Stable merge sort of idx[0..n) by item value. */
static void merge_sort(const uniq_ctx *u, int64_t *idx, int64_t *tmp, int64_t n) {
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = cmp_item(u, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof *idx);
    }
}

int ia_op_unique(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unique needs an input");
    if (x->dtype != IA_DTYPE_STRING && !numeric(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Unique does not support %s", ia_dtype_name(x->dtype));
    int sorted = ia_kctx_attr_int(ctx, "sorted", 1) != 0;
    const ia_attr *aa = ia_kctx_attr(ctx, "axis");
    int axis = -1;
    if (aa && (x->rank == 0 || ia_norm_axis(aa->i, x->rank, &axis)))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Unique axis %lld is out of range for rank %d", (long long)aa->i, x->rank);
    if (!ia_kctx_input_data(ctx, 0)) return IA_ERR_NEED_VALUE;
    uniq_ctx u = {x, x->numel, 1, 1};
    if (axis >= 0) {
        u.dim = x->dims[axis];
        for (int d = 0; d < axis; d++) u.outer *= x->dims[d];
        for (int d = axis + 1; d < x->rank; d++) u.inner *= x->dims[d];
        if (u.dim && (u.outer == 0 || u.inner == 0)) u.outer = u.inner = 0; /* empty slices are all equal */
    }
    int64_t n = u.dim;
    size_t nb = (size_t)(n ? n : 1) * sizeof(int64_t);
    int64_t *order = ia_kctx_scratch(ctx, nb), *tmp = ia_kctx_scratch(ctx, nb), *group = ia_kctx_scratch(ctx, nb);
    int64_t *first = ia_kctx_scratch(ctx, nb), *count = ia_kctx_scratch(ctx, nb), *pos = ia_kctx_scratch(ctx, nb);
    if (!order || !tmp || !group || !first || !count || !pos) return IA_ERR_NOMEM;
    for (int64_t i = 0; i < n; i++) order[i] = i;
    merge_sort(&u, order, tmp, n);
    /* Groups in sorted order; the first member of each (stable sort) is the first occurrence. */
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i == 0 || cmp_item(&u, order[i - 1], order[i])) {
            first[k] = order[i];
            count[k] = 0;
            k++;
        }
        group[order[i]] = k - 1;
        count[k - 1]++;
    }
    /* pos[g] = output position of group g */
    if (sorted) {
        for (int64_t g = 0; g < k; g++) pos[g] = g;
    } else { /* order groups by first occurrence */
        int64_t w = 0;
        for (int64_t i = 0; i < n; i++)
            if (first[group[i]] == i) pos[group[i]] = w++;
    }
    int64_t yd[IA_MAX_DIMS];
    int yr = 1;
    if (axis >= 0) {
        yr = x->rank;
        memcpy(yd, x->dims, sizeof yd);
        yd[axis] = k;
    } else {
        yd[0] = k;
    }
    ia_tensor *y, *oi = NULL, *oinv = NULL, *oc = NULL;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, yr, yd, &y));
    int nout = ia_kctx_num_outputs(ctx);
    if (nout > 1) IA_KTRY(ia_kctx_output(ctx, 1, IA_DTYPE_INT64, 1, &k, &oi));
    if (nout > 2) IA_KTRY(ia_kctx_output(ctx, 2, IA_DTYPE_INT64, 1, &n, &oinv));
    if (nout > 3) IA_KTRY(ia_kctx_output(ctx, 3, IA_DTYPE_INT64, 1, &k, &oc));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    for (int64_t g = 0; g < k; g++) {
        int64_t p = pos[g];
        if (axis >= 0) {
            for (int64_t o = 0; o < u.outer; o++)
                IA_KTRY(ia_copy_elems(y->data, (o * k + p) * u.inner, x->data, (o * u.dim + first[g]) * u.inner, u.inner, x->dtype));
        } else {
            IA_KTRY(ia_copy_elems(y->data, p, x->data, first[g], 1, x->dtype));
        }
        if (oi) ((int64_t *)oi->data)[p] = first[g];
        if (oc) ((int64_t *)oc->data)[p] = count[g];
    }
    if (oinv)
        for (int64_t i = 0; i < n; i++) ((int64_t *)oinv->data)[i] = pos[group[i]];
    return IA_OK;
}

int ia_op_reverse_sequence(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *sl = ia_kctx_input(ctx, 1);
    if (!x || !sl) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ReverseSequence needs input and sequence_lens");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "ReverseSequence does not support %s", ia_dtype_name(x->dtype));
    if (x->rank < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "ReverseSequence needs rank >= 2, got %d", x->rank);
    int64_t ta = ia_kctx_attr_int(ctx, "time_axis", 0), ba = ia_kctx_attr_int(ctx, "batch_axis", 1);
    if (!((ta == 0 && ba == 1) || (ta == 1 && ba == 0)))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ReverseSequence time_axis/batch_axis must be 0/1 or 1/0, got %lld/%lld", (long long)ta, (long long)ba);
    if (sl->dtype != IA_DTYPE_INT64 || sl->rank != 1 || sl->numel != x->dims[ba])
        IA_KFAIL(ctx, IA_ERR_SHAPE, "ReverseSequence sequence_lens must be int64 of shape [%lld]", (long long)x->dims[ba]);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;
    int64_t T = x->dims[ta], B = x->dims[ba], inner = x->numel / (T * B);
    int64_t ts = ta == 0 ? B * inner : inner, bs = ba == 0 ? T * inner : inner;
    const int64_t *lens = sl->data;
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lens[b];
        if (len < 0 || len > T)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ReverseSequence sequence_lens[%lld] = %lld is out of range [0, %lld]", (long long)b, (long long)len, (long long)T);
        for (int64_t t = 0; t < T; t++) {
            int64_t st = t < len ? len - 1 - t : t;
            IA_KTRY(ia_copy_elems(out->data, b * bs + t * ts, x->data, b * bs + st * ts, inner, x->dtype));
        }
    }
    return IA_OK;
}
