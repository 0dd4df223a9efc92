/* Joining and splitting along an axis: Concat and Split (contiguous-run copies, threaded for large tensors). */
#include <string.h>
#include "ia/alloc.h"
#include "ops/tensor/tensor_common.h"

/* One block move: `outer` runs of `run` elements, from src (row stride src_row) to dst
 * (row stride dst_row), all in elements. */
typedef struct {
    char *dst;
    const char *src;
    int64_t outer, run, src_row, dst_row;
    size_t es;
} block_copy;

static void block_worker(void *arg, int64_t b, int64_t e, int tid) {
    (void)tid;
    const block_copy *c = arg;
    for (int64_t o = b; o < e; o++)
        memcpy(c->dst + (size_t)(o * c->dst_row) * c->es, c->src + (size_t)(o * c->src_row) * c->es, (size_t)c->run * c->es);
}

static int move_block(ia_kctx *ctx, int dtype, void *dst, int64_t dst_off, int64_t dst_row, const void *src,
                      int64_t src_off, int64_t src_row, int64_t outer, int64_t run) {
    if (outer <= 0 || run <= 0) return IA_OK;
    if (dtype == IA_DTYPE_STRING) {
        for (int64_t o = 0; o < outer; o++)
            IA_KTRY(ia_copy_elems(dst, dst_off + o * dst_row, src, src_off + o * src_row, run, dtype));
        return IA_OK;
    }
    block_copy c = {(char *)dst + (size_t)dst_off * ia_dtype_size(dtype), (const char *)src + (size_t)src_off * ia_dtype_size(dtype),
                    outer, run, src_row, dst_row, ia_dtype_size(dtype)};
    if (outer * run < IA_TENSOR_PAR_MIN || outer == 1) {
        if (outer == 1 || (src_row == run && dst_row == run)) {
            memcpy(c.dst, c.src, (size_t)(outer * run) * c.es);
            return IA_OK;
        }
        block_worker(&c, 0, outer, 0);
        return IA_OK;
    }
    int64_t grain = IA_TENSOR_PAR_MIN / run;
    ia_parallel_for(ia_kctx_pool(ctx), outer, grain > 0 ? grain : 1, block_worker, &c);
    return IA_OK;
}

int ia_op_concat(ia_kctx *ctx) {
    int n = ia_kctx_num_inputs(ctx);
    const ia_tensor *first = ia_kctx_input(ctx, 0);
    if (n < 1 || !first) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Concat needs at least one input");
    if (!ia_tensor_copyable(first->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Concat does not support %s", ia_dtype_name(first->dtype));
    const ia_attr *aa = ia_kctx_attr(ctx, "axis");
    if (!aa && ia_kctx_opset(ctx) >= 4) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Concat requires the axis attribute");
    int64_t a = aa ? aa->i : 1; /* opset 1-3 default */
    int r = first->rank, axis;
    if (r == 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "Concat inputs must have rank >= 1");
    if (ia_norm_axis(a, r, &axis)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Concat axis %lld is out of range for rank %d", (long long)a, r);
    int64_t od[IA_MAX_DIMS];
    memcpy(od, first->dims, sizeof od);
    od[axis] = 0;
    for (int i = 0; i < n; i++) {
        const ia_tensor *t = ia_kctx_input(ctx, i);
        if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Concat input %d is missing", i);
        if (t->dtype != first->dtype)
            IA_KFAIL(ctx, IA_ERR_TYPE, "Concat input %d is %s, input 0 is %s", i, ia_dtype_name(t->dtype), ia_dtype_name(first->dtype));
        if (t->rank != r) IA_KFAIL(ctx, IA_ERR_SHAPE, "Concat input %d has rank %d, input 0 has rank %d", i, t->rank, r);
        for (int d = 0; d < r; d++)
            if (d != axis && t->dims[d] != first->dims[d])
                IA_KFAIL(ctx, IA_ERR_SHAPE, "Concat input %d has size %lld on axis %d, input 0 has %lld", i, (long long)t->dims[d], d,
                         (long long)first->dims[d]);
        od[axis] += t->dims[axis];
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, first->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= od[d];
    for (int d = axis + 1; d < r; d++) inner *= od[d];
    int64_t dst_row = od[axis] * inner, off = 0;
    for (int i = 0; i < n; i++) {
        const ia_tensor *t = ia_kctx_input(ctx, i);
        int64_t run = t->dims[axis] * inner;
        IA_KTRY(move_block(ctx, t->dtype, out->data, off, dst_row, t->data, 0, run, outer, run));
        off += run;
    }
    return IA_OK;
}

int ia_op_split(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split needs an input");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Split does not support %s", ia_dtype_name(x->dtype));
    int axis, nout = ia_kctx_num_outputs(ctx);
    int64_t a = ia_kctx_attr_int(ctx, "axis", 0);
    if (x->rank == 0 || ia_norm_axis(a, x->rank, &axis))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split axis %lld is out of range for rank %d", (long long)a, x->rank);
    if (nout < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split has no outputs");
    int64_t *sizes = ia_kctx_scratch(ctx, (size_t)nout * sizeof(int64_t));
    if (!sizes) return IA_ERR_NOMEM;
    int64_t total = x->dims[axis], nsplit = -1;
    if (ia_kctx_opset(ctx) < 13) {
        const int64_t *s;
        size_t ns = ia_kctx_attr_ints(ctx, "split", &s);
        if (ns) {
            if ((int)ns != nout) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split has %zu split sizes for %d outputs", ns, nout);
            memcpy(sizes, s, ns * sizeof *s);
            nsplit = (int64_t)ns;
        }
    } else if (ia_kctx_input(ctx, 1)) {
        const ia_tensor *st = ia_kctx_input(ctx, 1);
        if (st->numel != nout) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split has %lld split sizes for %d outputs", (long long)st->numel, nout);
        if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
        nsplit = ia_tensor_read_int_list(ctx, st, sizes, nout, "Split sizes");
        if (nsplit < 0) return (int)nsplit;
    }
    if (nsplit >= 0) {
        int64_t sum = 0;
        for (int i = 0; i < nout; i++) {
            if (sizes[i] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split size %d is negative (%lld)", i, (long long)sizes[i]);
            sum += sizes[i];
        }
        if (sum != total) IA_KFAIL(ctx, IA_ERR_SHAPE, "Split sizes sum to %lld but the axis has %lld", (long long)sum, (long long)total);
    } else {
        /* Equal parts; opset 18's num_outputs allows a smaller last chunk. */
        int64_t num = ia_kctx_attr_int(ctx, "num_outputs", nout);
        if (num != nout) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Split num_outputs %lld differs from %d outputs", (long long)num, nout);
        int64_t chunk = ia_kctx_opset(ctx) >= 18 ? (total + nout - 1) / nout : total / nout;
        if (ia_kctx_opset(ctx) < 18 && total % nout)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Split cannot divide axis size %lld into %d equal parts", (long long)total, nout);
        for (int i = 0; i < nout; i++) {
            int64_t left = total - chunk * i;
            sizes[i] = left < 0 ? 0 : left < chunk ? left : chunk;
        }
    }
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++) inner *= x->dims[d];
    int64_t off = 0;
    for (int i = 0; i < nout; i++) {
        int64_t od[IA_MAX_DIMS];
        memcpy(od, x->dims, sizeof od);
        od[axis] = sizes[i];
        ia_tensor *out;
        IA_KTRY(ia_kctx_output(ctx, i, x->dtype, x->rank, od, &out));
        if (ia_kctx_shape_only(ctx)) continue;
        int64_t run = sizes[i] * inner;
        IA_KTRY(move_block(ctx, x->dtype, out->data, 0, run, x->data, off, total * inner, outer, run));
        off += run;
    }
    return IA_OK;
}
