/* Optional, OptionalHasElement and OptionalGetElement: wrapping and unwrapping optional values. */
#include "ops/kernel_util.h"

int ia_op_optional(ia_kctx *ctx) {
    const ia_value *in = ia_kctx_input_value(ctx, 0);
    ia_value *inner = NULL, *out;
    if (in) {
        if (in->kind == IA_VALUE_OPTIONAL) IA_KFAIL(ctx, IA_ERR_TYPE, "Optional: the input must be a tensor or a sequence");
        IA_KTRY(ia_value_clone(in, &inner));
    } else {
        const ia_attr *type = ia_kctx_attr(ctx, "type");
        if (!type) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Optional: an empty optional needs the type attribute");
    }
    int rc = ia_value_optional(inner, &out);
    if (rc) {
        ia_value_destroy(inner);
        return rc;
    }
    return ia_kctx_set_output(ctx, 0, out);
}

int ia_op_optional_has_element(ia_kctx *ctx) {
    const ia_value *in = ia_kctx_input_value(ctx, 0);
    /* An omitted input is an empty optional; plain tensors and sequences (opset 18) hold a value. */
    int has = in && (in->kind != IA_VALUE_OPTIONAL || in->inner);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_BOOL, 0, NULL, &out));
    if (out->data) *(uint8_t *)out->data = (uint8_t)has;
    return IA_OK;
}

int ia_op_optional_get_element(ia_kctx *ctx) {
    const ia_value *in = ia_kctx_input_value(ctx, 0);
    if (!in) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "OptionalGetElement: the input is missing");
    if (in->kind != IA_VALUE_OPTIONAL) return ia_kctx_output_alias(ctx, 0, 0); /* opset 18: plain value */
    if (!in->inner) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "OptionalGetElement: the optional is empty");
    ia_value *v;
    IA_KTRY(ia_value_clone(in->inner, &v));
    return ia_kctx_set_output(ctx, 0, v);
}
