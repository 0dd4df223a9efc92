/* Axis permutations: Transpose, DepthToSpace (DCR/CRD) and SpaceToDepth, all through the blocked strided copy. */
#include <string.h>
#include "ops/tensor/tensor_common.h"

/* out = x viewed as shape `vdims` (rank vr, same element count) permuted by `perm`; final
 * output shape `odims` (rank orank). */
static int permute_view(ia_kctx *ctx, const ia_tensor *x, int vr, const int64_t *vdims, const int *perm, int orank,
                        const int64_t *odims) {
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, orank, odims, &out));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    int64_t vstr[IA_MAX_DIMS], pd[IA_MAX_DIMS], ps[IA_MAX_DIMS];
    ia_strides(vr, vdims, vstr);
    for (int i = 0; i < vr; i++) {
        pd[i] = vdims[perm[i]];
        ps[i] = vstr[perm[i]];
    }
    return ia_tensor_strided_copy(ctx, x->dtype, out->data, x->data, 0, vr, pd, ps);
}

int ia_op_transpose(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Transpose needs an input");
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Transpose does not support %s", ia_dtype_name(x->dtype));
    int r = x->rank, perm[IA_MAX_DIMS];
    const int64_t *p;
    size_t np = ia_kctx_attr_ints(ctx, "perm", &p);
    if (np == 0) {
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
    } else {
        if ((int)np != r) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Transpose perm has %zu entries for rank %d", np, r);
        unsigned char seen[IA_MAX_DIMS] = {0};
        for (int i = 0; i < r; i++) {
            int a;
            if (ia_norm_axis(p[i], r, &a) || seen[a])
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Transpose perm[%d] = %lld is invalid (out of range or repeated)", i, (long long)p[i]);
            seen[a] = 1;
            perm[i] = a;
        }
    }
    int64_t od[IA_MAX_DIMS];
    int identity = 1;
    for (int i = 0; i < r; i++) {
        od[i] = x->dims[perm[i]];
        if (perm[i] != i) identity = 0;
    }
    if (identity) return ia_kctx_output_alias(ctx, 0, 0);
    return permute_view(ctx, x, r, x->dims, perm, r, od);
}

static int check_4d(ia_kctx *ctx, const ia_tensor *x, const char *op, int64_t *bs) {
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs an input", op);
    if (x->rank != 4) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s needs a 4-D input, got rank %d", op, x->rank);
    if (!ia_tensor_copyable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s", op, ia_dtype_name(x->dtype));
    *bs = ia_kctx_attr_int(ctx, "blocksize", 0);
    if (*bs <= 0 || *bs > (1 << 20)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s blocksize %lld is invalid", op, (long long)*bs);
    return IA_OK;
}

int ia_op_depth_to_space(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    int64_t b = 0;
    IA_KTRY(check_4d(ctx, x, "DepthToSpace", &b));
    int64_t n = x->dims[0], c = x->dims[1], h = x->dims[2], w = x->dims[3];
    if (c % (b * b)) IA_KFAIL(ctx, IA_ERR_SHAPE, "DepthToSpace channels %lld not divisible by blocksize^2 = %lld", (long long)c, (long long)(b * b));
    const char *mode = ia_kctx_attr_string(ctx, "mode", "DCR");
    int64_t oc = c / (b * b), od[4] = {n, oc, h * b, w * b};
    if (!strcmp(mode, "DCR")) {
        int64_t v[6] = {n, b, b, oc, h, w};
        int perm[6] = {0, 3, 4, 1, 5, 2};
        return permute_view(ctx, x, 6, v, perm, 4, od);
    }
    if (!strcmp(mode, "CRD")) {
        int64_t v[6] = {n, oc, b, b, h, w};
        int perm[6] = {0, 1, 4, 2, 5, 3};
        return permute_view(ctx, x, 6, v, perm, 4, od);
    }
    IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DepthToSpace mode '%s' is not DCR or CRD", mode);
}

int ia_op_space_to_depth(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    int64_t b = 0;
    IA_KTRY(check_4d(ctx, x, "SpaceToDepth", &b));
    int64_t n = x->dims[0], c = x->dims[1], h = x->dims[2], w = x->dims[3];
    if (h % b || w % b)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "SpaceToDepth spatial size %lldx%lld not divisible by blocksize %lld", (long long)h, (long long)w, (long long)b);
    int64_t v[6] = {n, c, h / b, b, w / b, b};
    int perm[6] = {0, 3, 5, 1, 2, 4};
    int64_t od[4] = {n, c * b * b, h / b, w / b};
    return permute_view(ctx, x, 6, v, perm, 4, od);
}
