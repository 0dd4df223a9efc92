/* QuantizeLinear, DequantizeLinear (per-tensor and per-axis) and DynamicQuantizeLinear. */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/quant/qutil.h"

/* Shared parameter handling: x, scale (input 1) and zero point (input 2); per-axis when the
 * scale has more than one element (opset >= 13). Sets the blocking outer x channels x inner. */
typedef struct {
    const ia_tensor *x, *scale, *zp;
    int64_t outer, channels, inner;
} qparams;

static int read_params(ia_kctx *ctx, const char *op, qparams *p) {
    p->x = ia_kctx_input(ctx, 0);
    p->scale = ia_kctx_input(ctx, 1);
    p->zp = ia_kctx_input(ctx, 2);
    if (!p->x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input x is missing or not a tensor", op);
    if (!p->scale) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: the scale input is missing or not a tensor", op);
    if (!ia_kctx_input(ctx, 2) && ia_kctx_input_value(ctx, 2)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: zero point must be a tensor", op);
    if (!ia_dtype_is_float(p->scale->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: scale must be a float tensor, got %s", op, ia_dtype_name(p->scale->dtype));
    p->outer = p->x->numel;
    p->channels = 1;
    p->inner = 1;
    if (p->scale->numel != 1 || p->scale->rank > 1) {
        if (ia_kctx_opset(ctx) < 13) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: scale must be a scalar before opset 13", op);
        if (p->scale->rank != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: scale must be a scalar or 1-D", op);
        int64_t a = ia_kctx_attr_int(ctx, "axis", 1);
        int axis;
        if (ia_norm_axis(a, p->x->rank, &axis))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: axis %lld is out of range for rank %d", op, (long long)a, p->x->rank);
        if (p->scale->numel != p->x->dims[axis])
            IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: scale has %lld elements but axis %d of x has %lld", op, (long long)p->scale->numel,
                     axis, (long long)p->x->dims[axis]);
        p->channels = p->x->dims[axis];
        p->outer = 1;
        for (int d = 0; d < axis; d++) p->outer *= p->x->dims[d];
        for (int d = axis + 1; d < p->x->rank; d++) p->inner *= p->x->dims[d];
    }
    if (p->zp && (p->zp->numel != p->scale->numel || p->zp->rank != p->scale->rank))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: zero point and scale must have the same shape", op);
    return IA_OK;
}

int ia_op_quantize_linear(ia_kctx *ctx) {
    qparams p;
    IA_KTRY(read_params(ctx, "QuantizeLinear", &p));
    int ydt = p.zp ? p.zp->dtype : IA_DTYPE_UINT8;
    int32_t lo, hi;
    if (ydt != IA_DTYPE_UINT8 && ydt != IA_DTYPE_INT8 && ydt != IA_DTYPE_UINT16 && ydt != IA_DTYPE_INT16)
        IA_KFAIL(ctx, IA_ERR_TYPE, "QuantizeLinear: output type %s is not supported (zero point type)", ia_dtype_name(ydt));
    ia__q_range(ydt, &lo, &hi);
    if (!ia_dtype_is_float(p.x->dtype) && p.x->dtype != IA_DTYPE_INT32)
        IA_KFAIL(ctx, IA_ERR_TYPE, "QuantizeLinear: x must be float or int32, got %s", ia_dtype_name(p.x->dtype));
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, ydt, p.x->rank, p.x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (p.x->numel && !p.x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "QuantizeLinear: x has no data");
    float *scale;
    int32_t *zp;
    IA_KTRY(ia__q_read_scale(ctx, p.scale, p.channels, "QuantizeLinear: y_scale", &scale));
    IA_KTRY(ia__q_read_zp(ctx, p.zp, ydt, p.channels, "QuantizeLinear: y_zero_point", &zp));
    for (int64_t c = 0; c < p.channels; c++)
        if (!(scale[c] != 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "QuantizeLinear: y_scale must be non-zero");
    int64_t i = 0;
    for (int64_t o = 0; o < p.outer; o++)
        for (int64_t c = 0; c < p.channels; c++) {
            const float s = scale[c];
            const int32_t z = zp[c];
            if (p.x->dtype == IA_DTYPE_FLOAT && ydt == IA_DTYPE_UINT8) {
                const float *x = (const float *)p.x->data + i;
                uint8_t *q = (uint8_t *)y->data + i;
                for (int64_t k = 0; k < p.inner; k++) q[k] = (uint8_t)(ia__q_round_satf(x[k] / s, lo - z, hi - z) + z);
            } else if (p.x->dtype == IA_DTYPE_FLOAT && ydt == IA_DTYPE_INT8) {
                const float *x = (const float *)p.x->data + i;
                int8_t *q = (int8_t *)y->data + i;
                for (int64_t k = 0; k < p.inner; k++) q[k] = (int8_t)(ia__q_round_satf(x[k] / s, lo - z, hi - z) + z);
            } else {
                for (int64_t k = 0; k < p.inner; k++) {
                    double v = ia_get_f64(p.x->data, p.x->dtype, i + k);
                    double d = p.x->dtype == IA_DTYPE_DOUBLE ? v / s : (double)((float)v / s);
                    ia_set_i64(y->data, ydt, i + k, ia__q_round_sat(d, lo - z, hi - z) + z);
                }
            }
            i += p.inner;
        }
    return IA_OK;
}

int ia_op_dequantize_linear(ia_kctx *ctx) {
    qparams p;
    IA_KTRY(read_params(ctx, "DequantizeLinear", &p));
    int xdt = p.x->dtype;
    if (xdt != IA_DTYPE_UINT8 && xdt != IA_DTYPE_INT8 && xdt != IA_DTYPE_INT32 && xdt != IA_DTYPE_UINT16 && xdt != IA_DTYPE_INT16)
        IA_KFAIL(ctx, IA_ERR_TYPE, "DequantizeLinear: x type %s is not supported", ia_dtype_name(xdt));
    int ydt = ia_kctx_opset(ctx) >= 19 ? p.scale->dtype : IA_DTYPE_FLOAT;
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, ydt, p.x->rank, p.x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (p.x->numel && !p.x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DequantizeLinear: x has no data");
    float *scale;
    int32_t *zp;
    IA_KTRY(ia__q_read_scale(ctx, p.scale, p.channels, "DequantizeLinear: x_scale", &scale));
    IA_KTRY(ia__q_read_zp(ctx, p.zp, xdt, p.channels, "DequantizeLinear: x_zero_point", &zp));
    int64_t i = 0;
    for (int64_t o = 0; o < p.outer; o++)
        for (int64_t c = 0; c < p.channels; c++) {
            const float s = scale[c];
            const int64_t z = zp[c];
            if (ydt == IA_DTYPE_FLOAT && xdt == IA_DTYPE_UINT8) {
                const uint8_t *x = (const uint8_t *)p.x->data + i;
                float *out = (float *)y->data + i;
                for (int64_t k = 0; k < p.inner; k++) out[k] = (float)((int32_t)x[k] - (int32_t)z) * s;
            } else if (ydt == IA_DTYPE_FLOAT && xdt == IA_DTYPE_INT8) {
                const int8_t *x = (const int8_t *)p.x->data + i;
                float *out = (float *)y->data + i;
                for (int64_t k = 0; k < p.inner; k++) out[k] = (float)((int32_t)x[k] - (int32_t)z) * s;
            } else {
                for (int64_t k = 0; k < p.inner; k++)
                    ia_set_f64(y->data, ydt, i + k, (double)((float)(ia_get_i64(p.x->data, xdt, i + k) - z) * s));
            }
            i += p.inner;
        }
    return IA_OK;
}

int ia_op_dynamic_quantize_linear(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DynamicQuantizeLinear: input x is missing or not a tensor");
    if (x->dtype != IA_DTYPE_FLOAT && x->dtype != IA_DTYPE_FLOAT16 && x->dtype != IA_DTYPE_DOUBLE && x->dtype != IA_DTYPE_BFLOAT16)
        IA_KFAIL(ctx, IA_ERR_TYPE, "DynamicQuantizeLinear: x must be float, got %s", ia_dtype_name(x->dtype));
    ia_tensor *y, *ys, *yz;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_UINT8, x->rank, x->dims, &y));
    IA_KTRY(ia_kctx_output(ctx, 1, IA_DTYPE_FLOAT, 0, NULL, &ys));
    IA_KTRY(ia_kctx_output(ctx, 2, IA_DTYPE_UINT8, 0, NULL, &yz));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (x->numel && !x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DynamicQuantizeLinear: x has no data");
    const int is_f32 = x->dtype == IA_DTYPE_FLOAT;
    const float *xf = x->data;
    float mn = 0, mx = 0; /* the range always includes 0 */
    for (int64_t i = 0; i < x->numel; i++) {
        float v = is_f32 ? xf[i] : (float)ia_get_f64(x->data, x->dtype, i);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    if (!isfinite(mn) || !isfinite(mx)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DynamicQuantizeLinear: x holds infinite values");
    float scale = (mx - mn) / 255.0f;
    uint8_t *q = y->data;
    *(float *)ys->data = scale;
    if (scale == 0) { /* all zeros: everything quantizes to 0 with zero point 0 */
        *(uint8_t *)yz->data = 0;
        return IA_OK;
    }
    int32_t z = ia__q_round_satf((0 - mn) / scale, 0, 255);
    *(uint8_t *)yz->data = (uint8_t)z;
    for (int64_t i = 0; i < x->numel; i++) {
        float v = is_f32 ? xf[i] : (float)ia_get_f64(x->data, x->dtype, i);
        q[i] = (uint8_t)(ia__q_round_satf(v / scale, -z, 255 - z) + z);
    }
    return IA_OK;
}
