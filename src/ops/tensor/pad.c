/* Pad: constant / reflect / edge modes; attribute form (pads, value) before opset 11, inputs from 11, optional axes in 18. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/tensor/tensor_common.h"

enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE };

/* Source index for output position i along a dim of size d padded by `before`; -1 = fill. */
static int64_t map_index(int64_t i, int64_t before, int64_t d, int mode) {
    int64_t s = i - before;
    if (s >= 0 && s < d) return s;
    if (mode == PAD_CONSTANT) return -1;
    if (mode == PAD_EDGE) return s < 0 ? 0 : d - 1;
    if (d == 1) return 0;
    int64_t period = 2 * (d - 1);
    s %= period;
    if (s < 0) s += period;
    return s < d ? s : period - s;
}

int ia_op_pad(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad needs a data input");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Pad does not support %s", ia_dtype_name(x->dtype));
    int r = x->rank;
    const char *ms = ia_kctx_attr_string(ctx, "mode", "constant");
    int mode;
    if (!strcmp(ms, "constant")) mode = PAD_CONSTANT;
    else if (!strcmp(ms, "reflect")) mode = PAD_REFLECT;
    else if (!strcmp(ms, "edge")) mode = PAD_EDGE;
    else IA_KFAIL(ctx, IA_ERR_UNSUPPORTED, "Pad mode '%s' is not supported", ms);

    int64_t raw[2 * IA_MAX_DIMS], axes[IA_MAX_DIMS];
    int64_t npads, nax = r;
    for (int i = 0; i < r; i++) axes[i] = i;
    int opset = (int)ia_kctx_opset(ctx);
    if (opset < 11) {
        const int64_t *p;
        npads = (int64_t)ia_kctx_attr_ints(ctx, "pads", &p);
        if (npads > 2 * IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Pad has too many pads");
        if (npads) memcpy(raw, p, (size_t)npads * sizeof *p);
    } else {
        const ia_tensor *pt = ia_kctx_input(ctx, 1);
        if (!pt) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad needs a pads input");
        if (pt->dtype != IA_DTYPE_INT64) IA_KFAIL(ctx, IA_ERR_TYPE, "Pad pads must be int64, got %s", ia_dtype_name(pt->dtype));
        if (!ia_kctx_input_data(ctx, 1)) return IA_ERR_NEED_VALUE;
        npads = ia_tensor_read_int_list(ctx, pt, raw, 2 * IA_MAX_DIMS, "Pad pads");
        if (npads < 0) return (int)npads;
        if (opset >= 18 && ia_kctx_input(ctx, 3)) {
            if (!ia_kctx_input_data(ctx, 3)) return IA_ERR_NEED_VALUE;
            nax = ia_tensor_read_int_list(ctx, ia_kctx_input(ctx, 3), axes, IA_MAX_DIMS, "Pad axes");
            if (nax < 0) return (int)nax;
        }
    }
    if (npads != 2 * nax) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad has %lld pads, expected %lld", (long long)npads, (long long)(2 * nax));
    int64_t pb[IA_MAX_DIMS] = {0}, pe[IA_MAX_DIMS] = {0}, od[IA_MAX_DIMS];
    unsigned char seen[IA_MAX_DIMS] = {0};
    for (int64_t k = 0; k < nax; k++) {
        int a;
        if (ia_norm_axis(axes[k], r, &a) || r == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad axis %lld is out of range for rank %d", (long long)axes[k], r);
        if (seen[a]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad axis %lld is repeated", (long long)axes[k]);
        seen[a] = 1;
        pb[a] = raw[k];
        pe[a] = raw[k + nax];
        if (pb[a] > (1LL << 40) || pe[a] > (1LL << 40) || pb[a] < -(1LL << 40) || pe[a] < -(1LL << 40))
            IA_KFAIL(ctx, IA_ERR_LIMIT, "Pad amount on axis %d is absurd", a);
    }
    for (int d = 0; d < r; d++) {
        od[d] = x->dims[d] + pb[d] + pe[d];
        if (od[d] < 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "Pad makes axis %d negative (%lld)", d, (long long)od[d]);
        if (mode != PAD_CONSTANT && x->dims[d] == 0 && od[d] > 0)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Pad mode '%s' cannot pad empty axis %d", ms, d);
    }
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, od, &out));
    if (ia_kctx_shape_only(ctx) || out->numel == 0) return IA_OK;

    /* The fill value, one element. */
    size_t es = x->dtype == IA_DTYPE_STRING ? sizeof(char *) : ia_dtype_size(x->dtype);
    unsigned char fill[16] = {0};
    const char *sfill = "";
    if (opset < 11) {
        if (x->dtype != IA_DTYPE_STRING) ia_set_f64(fill, x->dtype, 0, ia_kctx_attr_float(ctx, "value", 0.0f));
    } else if (ia_kctx_input(ctx, 2)) {
        const ia_tensor *cv = ia_kctx_input_data(ctx, 2);
        if (!cv) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Pad constant_value has no data");
        if (cv->dtype != x->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "Pad constant_value is %s, data is %s", ia_dtype_name(cv->dtype), ia_dtype_name(x->dtype));
        if (cv->numel > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Pad constant_value must be a scalar");
        if (cv->numel == 1) {
            if (x->dtype == IA_DTYPE_STRING) sfill = ((char **)cv->data)[0] ? ((char **)cv->data)[0] : "";
            else memcpy(fill, cv->data, es);
        }
    }

    /* Per-dim index maps (output position -> source position or -1). */
    int64_t total = 0;
    for (int d = 0; d < r; d++) total += od[d];
    int64_t *maps = ia_kctx_scratch(ctx, (size_t)(total ? total : 1) * sizeof(int64_t));
    if (!maps) return IA_ERR_NOMEM;
    int64_t *map[IA_MAX_DIMS], xs[IA_MAX_DIMS];
    ia_strides(r, x->dims, xs);
    int64_t off = 0;
    for (int d = 0; d < r; off += od[d], d++) {
        map[d] = maps + off;
        for (int64_t i = 0; i < od[d]; i++) map[d][i] = map_index(i, pb[d], x->dims[d], mode);
    }
    int64_t inner = r ? od[r - 1] : 1, rows = out->numel / inner, idx[IA_MAX_DIMS] = {0};
    const int64_t *im = r ? map[r - 1] : NULL;
    /* Inner positions [m0, m1) map to consecutive sources: copied as one run. */
    int64_t m0 = r ? (pb[r - 1] > 0 ? pb[r - 1] : 0) : 0;
    int64_t m1 = r ? (od[r - 1] - (pe[r - 1] > 0 ? pe[r - 1] : 0)) : 1;
    if (m1 < m0) m1 = m0;
    for (int64_t row = 0; row < rows; row++) {
        int64_t src = 0;
        int fillrow = 0;
        for (int d = 0; d < r - 1; d++) {
            int64_t s = map[d][idx[d]];
            if (s < 0) fillrow = 1;
            else src += s * xs[d];
        }
        int64_t dbase = row * inner;
        for (int64_t j = 0; j < inner;) {
            int64_t s = fillrow ? -1 : im ? im[j] : 0;
            if (!fillrow && j == m0 && m1 > m0) {
                IA_KTRY(ia_copy_elems(out->data, dbase + j, x->data, src + s, m1 - m0, x->dtype));
                j = m1;
                continue;
            }
            if (s >= 0) {
                IA_KTRY(ia_copy_elems(out->data, dbase + j, x->data, src + s, 1, x->dtype));
            } else if (x->dtype == IA_DTYPE_STRING) {
                char *c = ia_strdup(sfill);
                if (!c) return IA_ERR_NOMEM;
                ((char **)out->data)[dbase + j] = c;
            } else {
                memcpy((char *)out->data + (size_t)(dbase + j) * es, fill, es);
            }
            j++;
        }
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < od[d]) break;
            idx[d] = 0;
        }
    }
    return IA_OK;
}
