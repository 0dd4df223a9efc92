/* Constant and Identity: graph plumbing that produces a stored tensor or passes a value on. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"

int ia_op_constant(ia_kctx *ctx) {
    const ia_attr *a = NULL;
    const char *names[] = {"value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints",
                           "value_string", "value_strings"};
    int which = -1;
    for (int i = 0; i < 8; i++) {
        const ia_attr *x = ia_kctx_attr(ctx, names[i]);
        if (x) {
            if (a) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Constant has more than one value attribute");
            a = x;
            which = i;
        }
    }
    if (!a) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Constant has no value attribute");
    if (which <= 1) {
        if (!a->t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Constant '%s' holds no tensor", names[which]);
        ia_tensor *t;
        if (ia_kctx_shape_only(ctx)) return ia_kctx_output(ctx, 0, a->t->dtype, a->t->rank, a->t->dims, NULL);
        ia_value *v;
        IA_KTRY(ia_value_from_tensor(a->t, &v));
        (void)t;
        return ia_kctx_set_output(ctx, 0, v);
    }
    ia_tensor *out;
    int64_t n = (int64_t)a->n;
    switch (which) {
    case 2: IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, 0, NULL, &out)); if (out->data) ((float *)out->data)[0] = a->f; break;
    case 3: IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, 1, &n, &out)); if (out->data && n) memcpy(out->data, a->floats, (size_t)n * 4); break;
    case 4: IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 0, NULL, &out)); if (out->data) ((int64_t *)out->data)[0] = a->i; break;
    case 5: IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 1, &n, &out)); if (out->data && n) memcpy(out->data, a->ints, (size_t)n * 8); break;
    case 6:
        IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_STRING, 0, NULL, &out));
        if (out->data && !(((char **)out->data)[0] = ia_strdup(a->s ? a->s : ""))) return IA_ERR_NOMEM;
        break;
    default:
        IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_STRING, 1, &n, &out));
        for (int64_t i = 0; out->data && i < n; i++)
            if (!(((char **)out->data)[i] = ia_strdup(a->strings[i]))) return IA_ERR_NOMEM;
    }
    return IA_OK;
}

int ia_op_identity(ia_kctx *ctx) {
    if (!ia_kctx_input_value(ctx, 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Identity needs an input");
    return ia_kctx_output_alias(ctx, 0, 0);
}
