/* TopK: the k largest (or smallest) values along an axis and their indices; ties keep the
 * lower index first. Selection uses a bounded heap: O(n log k) per slice. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"

typedef struct {
    double f;  /* float types */
    int64_t i; /* integer types */
    int64_t idx;
} item;

typedef struct {
    int isf, u64, largest;
} order;

/* Total order on values: NaN is greater than every number (as numpy sorts it). */
static int cmp_val(const order *o, const item *a, const item *b) {
    if (o->isf) {
        int an = a->f != a->f, bn = b->f != b->f;
        if (an || bn) return an - bn;
        return (a->f > b->f) - (a->f < b->f);
    }
    if (o->u64) return ((uint64_t)a->i > (uint64_t)b->i) - ((uint64_t)a->i < (uint64_t)b->i);
    return (a->i > b->i) - (a->i < b->i);
}

/* Whether a comes before b in the output. */
static int before(const order *o, const item *a, const item *b) {
    int c = cmp_val(o, a, b);
    if (c) return o->largest ? c > 0 : c < 0;
    return a->idx < b->idx;
}

/* Heap whose root is the item that comes last in output order. */
static void sift_down(const order *o, item *h, int64_t n, int64_t i) {
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(o, &h[m], &h[l])) m = l;
        if (r < n && before(o, &h[m], &h[r])) m = r;
        if (m == i) return;
        item t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

static void sift_up(const order *o, item *h, int64_t i) {
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!before(o, &h[p], &h[i])) return;
        item t = h[i]; h[i] = h[p]; h[p] = t;
        i = p;
    }
}

int ia_op_topk(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "TopK needs a tensor input");
    int dt = x->dtype;
    if (!ia_dtype_is_float(dt) && !ia_dtype_is_integer(dt))
        IA_KFAIL(ctx, IA_ERR_TYPE, "TopK does not support %s", ia_dtype_name(dt));
    if (x->rank == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "TopK needs an input of rank >= 1");
    int64_t opset = ia_kctx_opset(ctx);
    int64_t k;
    if (opset >= 10) {
        if (!ia_kctx_input(ctx, 1)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "TopK needs a K input");
        const ia_tensor *kt = ia_kctx_input_data(ctx, 1);
        if (!kt) return IA_ERR_NEED_VALUE;
        if (kt->numel != 1 || kt->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "TopK: K must hold exactly one value");
        if (!ia_dtype_is_integer(kt->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "TopK: K must be int64");
        k = ia_get_i64(kt->data, kt->dtype, 0);
    } else {
        const ia_attr *ka = ia_kctx_attr(ctx, "k");
        if (!ka) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "TopK needs attribute k");
        k = ia_kctx_attr_int(ctx, "k", -1);
    }
    int64_t axis_attr = ia_kctx_attr_int(ctx, "axis", -1);
    int axis;
    if (ia_norm_axis(axis_attr, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "TopK: axis %lld out of range for rank %d", (long long)axis_attr, x->rank);
    int64_t n = x->dims[axis];
    if (k < 0 || k > n) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "TopK: k = %lld is outside [0, %lld]", (long long)k, (long long)n);
    order ord = {ia_dtype_is_float(dt), dt == IA_DTYPE_UINT64, opset >= 11 ? ia_kctx_attr_int(ctx, "largest", 1) != 0 : 1};

    int64_t od[IA_MAX_DIMS];
    memcpy(od, x->dims, sizeof(int64_t) * (size_t)x->rank);
    od[axis] = k;
    ia_tensor *vals, *idxs;
    IA_KTRY(ia_kctx_output(ctx, 0, dt, x->rank, od, &vals));
    IA_KTRY(ia_kctx_output(ctx, 1, IA_DTYPE_INT64, x->rank, od, &idxs));
    if (ia_kctx_shape_only(ctx) || vals->numel == 0) return IA_OK;

    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x->rank; d++) {
        if (d < axis) outer *= x->dims[d];
        if (d > axis) inner *= x->dims[d];
    }
    item *heap = ia_kctx_scratch(ctx, (size_t)k * sizeof(item));
    if (!heap) return IA_ERR_NOMEM;
    int64_t *oi = idxs->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t c = 0; c < inner; c++) {
            int64_t base = o * n * inner + c, hn = 0;
            for (int64_t j = 0; j < n; j++) {
                item it = {0, 0, j};
                int64_t off = base + j * inner;
                if (dt == IA_DTYPE_FLOAT) it.f = ((const float *)x->data)[off];
                else if (ord.isf) it.f = ia_get_f64(x->data, dt, off);
                else it.i = ia_get_i64(x->data, dt, off);
                if (hn < k) {
                    heap[hn] = it;
                    sift_up(&ord, heap, hn++);
                } else if (before(&ord, &it, &heap[0])) {
                    heap[0] = it;
                    sift_down(&ord, heap, hn, 0);
                }
            }
            /* popping yields items from last to first in output order */
            for (int64_t r = k - 1; r >= 0; r--) {
                item top = heap[0];
                heap[0] = heap[--hn];
                sift_down(&ord, heap, hn, 0);
                int64_t dst = o * k * inner + r * inner + c;
                IA_KTRY(ia_copy_elems(vals->data, dst, x->data, base + top.idx * inner, 1, dt));
                oi[dst] = top.idx;
            }
        }
    }
    return IA_OK;
}
