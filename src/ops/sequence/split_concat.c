/* SplitToSequence and ConcatFromSequence: converting between a tensor and a sequence of its slices. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/sequence/seq_util.h"

/* Product of dims[from..to). */
static int64_t span(const int64_t *dims, int from, int to) {
    int64_t p = 1;
    for (int d = from; d < to; d++) p *= dims[d];
    return p;
}

int ia_op_split_to_sequence(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: input 0 is missing or not a tensor");
    if (x->rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "SplitToSequence: input must have rank >= 1");
    int axis;
    if (ia_norm_axis(ia_kctx_attr_int(ctx, "axis", 0), x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: axis %lld is out of range for rank %d",
                 (long long)ia_kctx_attr_int(ctx, "axis", 0), x->rank);
    int64_t keepdims = ia_kctx_attr_int(ctx, "keepdims", 1);
    if (keepdims != 0 && keepdims != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: keepdims must be 0 or 1");
    if (x->numel && !x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: input has no data");
    int64_t dim = x->dims[axis];
    const ia_tensor *sp = NULL;
    if (ia_kctx_input_value(ctx, 1)) {
        sp = ia_kctx_input_data(ctx, 1);
        if (!sp) return ia_kctx_input(ctx, 1) ? IA_ERR_NEED_VALUE : ia_kctx_fail(ctx, IA_ERR_TYPE, "SplitToSequence: split must be a tensor");
        if (sp->dtype != IA_DTYPE_INT32 && sp->dtype != IA_DTYPE_INT64)
            IA_KFAIL(ctx, IA_ERR_TYPE, "SplitToSequence: split must be int32 or int64, got %s", ia_dtype_name(sp->dtype));
        if (sp->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "SplitToSequence: split must be a scalar or 1-D");
    }
    /* chunk lengths */
    int64_t n_chunks, chunk = 1;
    int squeeze = 0;
    if (!sp) {
        n_chunks = dim;
        squeeze = keepdims == 0;
    } else if (sp->rank == 0) {
        chunk = ia_get_i64(sp->data, sp->dtype, 0);
        if (chunk <= 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: split size %lld must be positive", (long long)chunk);
        n_chunks = (dim + chunk - 1) / chunk;
    } else {
        n_chunks = sp->numel;
        int64_t sum = 0;
        for (int64_t k = 0; k < n_chunks; k++) {
            int64_t l = ia_get_i64(sp->data, sp->dtype, k);
            if (l < 0 || l > dim) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: split length %lld is invalid", (long long)l);
            sum += l;
        }
        if (sum != dim)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SplitToSequence: split lengths sum to %lld but axis %d has %lld", (long long)sum,
                     axis, (long long)dim);
    }
    ia_value *seq;
    IA_KTRY(ia_value_sequence(x->dtype, &seq));
    int64_t outer = span(x->dims, 0, axis), inner = span(x->dims, axis + 1, x->rank), start = 0;
    int rc = IA_OK;
    for (int64_t k = 0; k < n_chunks && !rc; k++) {
        int64_t len = !sp ? 1 : sp->rank == 0 ? (dim - start < chunk ? dim - start : chunk) : ia_get_i64(sp->data, sp->dtype, k);
        int64_t dims[IA_MAX_DIMS];
        int rank = 0;
        for (int d = 0; d < x->rank; d++) {
            if (d == axis && squeeze) continue;
            dims[rank++] = d == axis ? len : x->dims[d];
        }
        ia_tensor *t = NULL;
        rc = ia_tensor_create(x->dtype, rank, dims, &t);
        for (int64_t o = 0; !rc && len > 0 && inner > 0 && o < outer; o++)
            rc = ia_copy_elems(t->data, o * len * inner, x->data, (o * dim + start) * inner, len * inner, x->dtype);
        ia_value *item = NULL;
        if (!rc) rc = ia_value_from_tensor(t, &item);
        ia_tensor_release(t);
        if (!rc && (rc = ia_value_sequence_insert(seq, item, -1))) ia_value_destroy(item);
        start += len;
    }
    if (rc) {
        ia_value_destroy(seq);
        return ia_kctx_fail(ctx, rc, "SplitToSequence: cannot create the output tensors");
    }
    return ia_kctx_set_output(ctx, 0, seq);
}

int ia_op_concat_from_sequence(ia_kctx *ctx) {
    int rc;
    const ia_value *seq = ia__seq_input(ctx, 0, "ConcatFromSequence", &rc);
    if (!seq) return rc;
    const ia_attr *axis_attr = ia_kctx_attr(ctx, "axis");
    if (!axis_attr) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConcatFromSequence: the axis attribute is required");
    int64_t new_axis = ia_kctx_attr_int(ctx, "new_axis", 0);
    if (new_axis != 0 && new_axis != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConcatFromSequence: new_axis must be 0 or 1");
    if (seq->n_items == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConcatFromSequence: the input sequence is empty");
    const ia_tensor *first = seq->items[0]->tensor;
    int rank = first->rank;
    if (new_axis && rank + 1 > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "ConcatFromSequence: output rank too large");
    if (!new_axis && rank < 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "ConcatFromSequence: cannot concatenate scalars without new_axis");
    int axis;
    if (ia_norm_axis(ia_kctx_attr_int(ctx, "axis", 0), rank + (int)new_axis, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConcatFromSequence: axis %lld is out of range for rank %d",
                 (long long)ia_kctx_attr_int(ctx, "axis", 0), rank + (int)new_axis);
    /* Each item viewed as rank `orank` (a 1 inserted at `axis` when stacking). */
    int orank = rank + (int)new_axis;
    int64_t odims[IA_MAX_DIMS], total = 0;
    for (size_t k = 0; k < seq->n_items; k++) {
        const ia_tensor *t = seq->items[k]->tensor;
        if (t->dtype != first->dtype)
            IA_KFAIL(ctx, IA_ERR_TYPE, "ConcatFromSequence: item %zu is %s but item 0 is %s", k, ia_dtype_name(t->dtype),
                     ia_dtype_name(first->dtype));
        if (t->rank != rank) IA_KFAIL(ctx, IA_ERR_SHAPE, "ConcatFromSequence: item %zu has rank %d, item 0 has %d", k, t->rank, rank);
        for (int d = 0, s = 0; d < orank; d++) {
            int64_t v = (new_axis && d == axis) ? 1 : t->dims[s++];
            if (d == axis) continue;
            if (k == 0) odims[d] = v;
            else if (odims[d] != v)
                IA_KFAIL(ctx, IA_ERR_SHAPE, "ConcatFromSequence: item %zu differs from item 0 in dimension %d", k, d);
        }
        total += new_axis ? 1 : t->dims[axis];
    }
    odims[axis] = total;
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, first->dtype, orank, odims, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t outer = span(odims, 0, axis), inner = span(odims, axis + 1, orank), off = 0;
    for (size_t k = 0; k < seq->n_items; k++) {
        const ia_tensor *t = seq->items[k]->tensor;
        int64_t len = new_axis ? 1 : t->dims[axis];
        if (len > 0 && inner > 0 && !t->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "ConcatFromSequence: item %zu has no data", k);
        for (int64_t o = 0; o < outer && len > 0 && inner > 0; o++)
            IA_KTRY(ia_copy_elems(out->data, (o * total + off) * inner, t->data, o * len * inner, len * inner, t->dtype));
        off += len;
    }
    return IA_OK;
}
