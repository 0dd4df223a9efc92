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

/* An element-wise (de)quantization over [0, numel): channel c of element i is
 * (i / inner) % channels. */
typedef struct {
    const void *x;
    void *y;
    int xdt, ydt;
    int64_t inner, channels;
    const float *scale;
    const int32_t *zp;
    int32_t lo, hi; /* quantized range (QuantizeLinear) */
} qjob;

static void quantize_seg(const qjob *j, int64_t b, int64_t e, float s, int32_t z) {
    const int32_t lo = j->lo - z, hi = j->hi - z;
    if (j->xdt == IA_DTYPE_FLOAT && j->ydt == IA_DTYPE_UINT8) {
        const float *x = j->x;
        uint8_t *q = j->y;
        for (int64_t i = b; i < e; i++) q[i] = (uint8_t)(ia__q_round_satf(x[i] / s, lo, hi) + z);
    } else if (j->xdt == IA_DTYPE_FLOAT && j->ydt == IA_DTYPE_INT8) {
        const float *x = j->x;
        int8_t *q = j->y;
        for (int64_t i = b; i < e; i++) q[i] = (int8_t)(ia__q_round_satf(x[i] / s, lo, hi) + z);
    } else {
        for (int64_t i = b; i < e; i++) {
            double v = ia_get_f64(j->x, j->xdt, i);
            double d = j->xdt == IA_DTYPE_DOUBLE ? v / s : (double)((float)v / s);
            ia_set_i64(j->y, j->ydt, i, ia__q_round_sat(d, lo, hi) + z);
        }
    }
}

static void dequantize_seg(const qjob *j, int64_t b, int64_t e, float s, int32_t z) {
    if (j->ydt == IA_DTYPE_FLOAT && j->xdt == IA_DTYPE_UINT8) {
        const uint8_t *x = j->x;
        float *y = j->y;
        for (int64_t i = b; i < e; i++) y[i] = (float)((int32_t)x[i] - z) * s;
    } else if (j->ydt == IA_DTYPE_FLOAT && j->xdt == IA_DTYPE_INT8) {
        const int8_t *x = j->x;
        float *y = j->y;
        for (int64_t i = b; i < e; i++) y[i] = (float)((int32_t)x[i] - z) * s;
    } else {
        for (int64_t i = b; i < e; i++) ia_set_f64(j->y, j->ydt, i, (double)((float)(ia_get_i64(j->x, j->xdt, i) - z) * s));
    }
}

/* Splits [begin, end) into runs of one channel. */
#define QJOB_RANGE(name, seg)                                                        \
    static void name(void *arg, int64_t begin, int64_t end, int thread_index) {      \
        (void)thread_index;                                                          \
        const qjob *j = arg;                                                         \
        for (int64_t i = begin; i < end;) {                                          \
            int64_t row = i / j->inner, stop = (row + 1) * j->inner;                 \
            if (stop > end) stop = end;                                              \
            int64_t c = row % j->channels;                                           \
            seg(j, i, stop, j->scale[c], j->zp[c]);                                  \
            i = stop;                                                                \
        }                                                                            \
    }
QJOB_RANGE(quantize_range, quantize_seg)
QJOB_RANGE(dequantize_range, dequantize_seg)

#define QGRAIN 32768

static void run_qjob(ia_kctx *ctx, ia_parallel_fn fn, qjob *j, int64_t n) {
    if (n <= QGRAIN) fn(j, 0, n, 0);
    else ia_parallel_for(ia_kctx_pool(ctx), n, QGRAIN, fn, j);
}

static int read_params(ia_kctx *ctx, const char *op, qparams *p) {
    p->x = ia_kctx_input(ctx, 0);
    p->scale = ia_kctx_input(ctx, 1);
    p->zp = ia_kctx_input(ctx, 2);
    if (!p->x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input x is missing or not a tensor", op);
    if (!p->scale) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: the scale input is missing or not a tensor", op);
    if (!ia_kctx_input(ctx, 2) && ia_kctx_input_value(ctx, 2)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: zero point must be a tensor", op);
    if (!ia_dtype_is_float(p->scale->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: scale must be a float tensor, got %s", op, ia_dtype_name(p->scale->dtype));
    p->outer = 1;
    p->channels = 1;
    p->inner = p->x->numel;
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
        p->inner = 1;
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
    qjob j = {p.x->data, y->data, p.x->dtype, ydt, p.inner, p.channels, scale, zp, lo, hi};
    run_qjob(ctx, quantize_range, &j, p.x->numel);
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
    qjob j = {p.x->data, y->data, xdt, ydt, p.inner, p.channels, scale, zp, 0, 0};
    run_qjob(ctx, dequantize_range, &j, p.x->numel);
    return IA_OK;
}

/* Per-thread minimum and maximum of x (NaNs ignored); mn/mx start at 0. */
typedef struct {
    const ia_tensor *x;
    float *mn, *mx;
} range_job;

static void min_max_range(void *arg, int64_t begin, int64_t end, int thread_index) {
    const range_job *j = arg;
    float mn = j->mn[thread_index], mx = j->mx[thread_index];
    if (j->x->dtype == IA_DTYPE_FLOAT) {
        const float *x = j->x->data;
        for (int64_t i = begin; i < end; i++) {
            mn = x[i] < mn ? x[i] : mn;
            mx = x[i] > mx ? x[i] : mx;
        }
    } else {
        for (int64_t i = begin; i < end; i++) {
            float v = (float)ia_get_f64(j->x->data, j->x->dtype, i);
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    }
    j->mn[thread_index] = mn;
    j->mx[thread_index] = mx;
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
    range_job rj = {x, NULL, NULL};
    int nt = ia_threadpool_size(ia_kctx_pool(ctx));
    rj.mn = ia_kctx_scratch(ctx, (size_t)nt * sizeof(float));
    rj.mx = ia_kctx_scratch(ctx, (size_t)nt * sizeof(float));
    if (!rj.mn || !rj.mx) IA_KFAIL(ctx, IA_ERR_NOMEM, "DynamicQuantizeLinear: out of memory");
    for (int t = 0; t < nt; t++) rj.mn[t] = rj.mx[t] = 0;
    if (x->numel <= QGRAIN) min_max_range(&rj, 0, x->numel, 0);
    else ia_parallel_for(ia_kctx_pool(ctx), x->numel, QGRAIN, min_max_range, &rj);
    float mn = 0, mx = 0; /* the range always includes 0 */
    for (int t = 0; t < nt; t++) {
        if (rj.mn[t] < mn) mn = rj.mn[t];
        if (rj.mx[t] > mx) mx = rj.mx[t];
    }
    if (!isfinite(mn) || !isfinite(mx)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DynamicQuantizeLinear: x holds infinite values");
    float scale = (mx - mn) / 255.0f;
    *(float *)ys->data = scale;
    if (scale == 0) { /* all zeros: everything quantizes to 0 with zero point 0 */
        *(uint8_t *)yz->data = 0;
        return IA_OK;
    }
    int32_t z = ia__q_round_satf((0 - mn) / scale, 0, 255);
    *(uint8_t *)yz->data = (uint8_t)z;
    qjob j = {x->data, y->data, x->dtype, IA_DTYPE_UINT8, x->numel, 1, &scale, &z, 0, 255};
    run_qjob(ctx, quantize_range, &j, x->numel);
    return IA_OK;
}
