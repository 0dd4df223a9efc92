/* Where: picks X where the condition holds and Y elsewhere, broadcasting all three. */
#include <string.h>
#include "ops/elementwise/ew.h"

#define WHERE_T(T)                                                   \
    do {                                                             \
        const uint8_t *cnd = in[0];                                  \
        const T *x = in[1], *y = in[2];                              \
        T *o = out;                                                  \
        for (int64_t i = 0; i < n; i++) o[i] = cnd[i * st[0]] ? x[i * st[1]] : y[i * st[2]]; \
    } while (0)

/* Selection only moves bits, so it dispatches on the element size. */
static void where_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (ia_dtype_size(c->in_dtype[1])) {
    case 1: WHERE_T(uint8_t); break;
    case 2: WHERE_T(uint16_t); break;
    case 4: WHERE_T(uint32_t); break;
    case 8: WHERE_T(uint64_t); break;
    default: break;
    }
}

/* Strings need copies (and can fail for memory), so they take a plain serial loop. */
static int where_strings(ia_kctx *ctx, ia_tensor *out, const ia_tensor *const *in) {
    int64_t st[3][IA_MAX_DIMS];
    for (int j = 0; j < 3; j++) ia_broadcast_strides(in[j], out->rank, out->dims, st[j]);
    for (int64_t i = 0; i < out->numel; i++) {
        int64_t oc = ia_bcast_offset(i, out->rank, out->dims, st[0]);
        const ia_tensor *src = ((const uint8_t *)in[0]->data)[oc] ? in[1] : in[2];
        int64_t off = ia_bcast_offset(i, out->rank, out->dims, st[src == in[1] ? 1 : 2]);
        int rc = ia_copy_elems(out->data, i, src->data, off, 1, IA_DTYPE_STRING);
        if (rc) return ia_kctx_fail(ctx, rc, "Where: out of memory copying strings");
    }
    return IA_OK;
}

int ia_op_where(ia_kctx *ctx) {
    const ia_tensor *in[3];
    for (int j = 0; j < 3; j++)
        if (!(in[j] = ia_kctx_input(ctx, j))) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Where needs three tensor inputs");
    if (in[0]->dtype != IA_DTYPE_BOOL)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Where: condition must be bool, got %s", ia_dtype_name(in[0]->dtype));
    if (in[1]->dtype != in[2]->dtype)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Where: X is %s but Y is %s", ia_dtype_name(in[1]->dtype), ia_dtype_name(in[2]->dtype));
    int dt = in[1]->dtype;
    size_t es = ia_dtype_size(dt);
    if (dt != IA_DTYPE_STRING && es != 1 && es != 2 && es != 4 && es != 8)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Where does not support %s values", ia_dtype_name(dt));
    int rank = in[0]->rank;
    int64_t dims[IA_MAX_DIMS];
    memcpy(dims, in[0]->dims, sizeof dims);
    for (int j = 1; j < 3; j++) {
        int64_t prev[IA_MAX_DIMS];
        memcpy(prev, dims, sizeof prev);
        if (ia_broadcast_shape(rank, prev, in[j]->rank, in[j]->dims, &rank, dims))
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Where: condition, X and Y shapes do not broadcast");
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, dt, rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (dt == IA_DTYPE_STRING) return where_strings(ctx, y, in);
    ia_ew_run(ctx, y, 3, in, where_loop, NULL, 0);
    return IA_OK;
}
