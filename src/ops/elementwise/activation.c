/* Activation functions: Relu, LeakyRelu, PRelu, Elu, Selu, Celu, ThresholdedRelu, Sigmoid,
 * HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Mish, Gelu and Shrink. */
#include <math.h>
#include <string.h>
#include "ops/elementwise/ew.h"
#include "ops/fastmath.h"

/* Attributes of the parameterised activations. */
typedef struct act_params {
    float alpha, beta, gamma;
    int approx_tanh; /* Gelu */
} act_params;

#define ACT_P ((const act_params *)c->params)

/* A float-only activation: FEXPR computes in float, DEXPR in double; both may use
 * the parameters a, b, g (alpha, beta, gamma). */
#define ACT_OP(name, FEXPR, DEXPR)                                                                        \
    static void name##_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) { \
        const act_params *p_ = c->params;                                                                 \
        float a = p_ ? p_->alpha : 0, b = p_ ? p_->beta : 0, g = p_ ? p_->gamma : 0;                      \
        double da = a, db = b, dg = g;                                                                    \
        (void)a, (void)b, (void)g, (void)da, (void)db, (void)dg;                                          \
        if (c->in_dtype[0] == IA_DTYPE_FLOAT)                                                             \
            EW_LOOP1(float, float, FEXPR);                                                                \
        else                                                                                              \
            EW_LOOP1(double, double, DEXPR);                                                              \
    }

/* Numerically careful scalar helpers (float32 uses ew_fastmath.h where it matters). */
static inline double sigmoid_(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}
/* log(1 + e^x) without overflow. */
static inline float softplusf_(float x) { return (x > 0 ? x : 0.0f) + log1pf(expf(-fabsf(x))); }
static inline double softplus_(double x) { return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }

#define GELU_K 0.7978845608028654  /* sqrt(2 / pi) */
#define SQRT1_2 0.7071067811865476 /* 1 / sqrt(2) */

ACT_OP(leaky, x < 0 ? a * x : x, x < 0 ? da * x : x)
ACT_OP(elu, x < 0 ? a * expm1f(x) : x, x < 0 ? da * expm1(x) : x)
ACT_OP(selu, x > 0 ? g * x : g * (a * expf(x) - a), x > 0 ? dg * x : dg * (da * exp(x) - da))
ACT_OP(celu, x > 0 ? x : a * expm1f(x / a), x > 0 ? x : da * expm1(x / da))
ACT_OP(thresh, x > a ? x : 0.0f, x > da ? x : 0.0)
ACT_OP(sigmoid, ia_fast_sigmoid(x), sigmoid_(x))
ACT_OP(hardsigmoid, fmaxf(0.0f, fminf(1.0f, a * x + b)), fmax(0.0, fmin(1.0, da * x + db)))
ACT_OP(hardswish, x * fmaxf(0.0f, fminf(1.0f, x / 6.0f + 0.5f)), x * fmax(0.0, fmin(1.0, x / 6.0 + 0.5)))
ACT_OP(tanh, ia_fast_tanh(x), tanh(x))
ACT_OP(softplus, softplusf_(x), softplus_(x))
ACT_OP(softsign, x / (1.0f + fabsf(x)), x / (1.0 + fabs(x)))
ACT_OP(mish, x * tanhf(softplusf_(x)), x * tanh(softplus_(x)))
ACT_OP(gelu, 0.5f * x * (1.0f + ia_fast_erf(x * (float)SQRT1_2)), 0.5 * x * (1.0 + erf(x * SQRT1_2)))
ACT_OP(gelu_tanh, 0.5f * x * (1.0f + ia_fast_tanh((float)GELU_K * (x + 0.044715f * x * x * x))),
       0.5 * x * (1.0 + tanh(GELU_K * (x + 0.044715 * x * x * x))))

/* Relu also takes signed integers (opset 14). */
#define RELU_I(T) EW_LOOP1(T, T, x > 0 ? x : 0)
static void relu_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    case IA_DTYPE_FLOAT: EW_LOOP1(float, float, x > 0 ? x : 0.0f); break;
    case IA_DTYPE_DOUBLE: EW_LOOP1(double, double, x > 0 ? x : 0.0); break;
    EW_CASES_SINT(RELU_I);
    default: break;
    }
}

/* Shrink takes every numeric type; integers compute in double and convert back. */
static void shrink_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    const act_params *p = c->params;
    float bias = p->beta, lambd = p->alpha;
    int dt = c->in_dtype[0];
    if (dt == IA_DTYPE_FLOAT) {
        EW_LOOP1(float, float, x < -lambd ? x + bias : x > lambd ? x - bias : 0.0f);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        double x = ia_get_f64(in[0], dt, i * st[0]);
        ia_set_f64(out, dt, i, x < -(double)lambd ? x + bias : x > lambd ? x - bias : 0.0);
    }
}

/* PRelu: x < 0 ? slope * x : x, slope broadcast to x. */
#define PRELU_I(T) EW_LOOP2(T, T, T, x < 0 ? (uint64_t)x * (uint64_t)y : (uint64_t)x)
#define PRELU_U(T) EW_LOOP2(T, T, T, x)
static void prelu_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    case IA_DTYPE_FLOAT: EW_LOOP2(float, float, float, x < 0 ? x * y : x); break;
    case IA_DTYPE_DOUBLE: EW_LOOP2(double, double, double, x < 0 ? x * y : x); break;
    EW_CASES_SINT(PRELU_I);
    EW_CASES_UINT(PRELU_U);
    default: break;
    }
}

/* ---- kernels ---- */

static int run_act(ia_kctx *ctx, const char *name, unsigned types, ew_loop_fn loop, const act_params *p) {
    const ew_unop op = {name, types, 0, loop};
    return ia_ew_unary(ctx, &op, p);
}

int ia_op_relu(ia_kctx *ctx) { return run_act(ctx, "Relu", EW_FLOATS | EW_SINTS, relu_loop, NULL); }
int ia_op_sigmoid(ia_kctx *ctx) { return run_act(ctx, "Sigmoid", EW_FLOATS, sigmoid_loop, NULL); }
int ia_op_tanh(ia_kctx *ctx) { return run_act(ctx, "Tanh", EW_FLOATS, tanh_loop, NULL); }
int ia_op_softplus(ia_kctx *ctx) { return run_act(ctx, "Softplus", EW_FLOATS, softplus_loop, NULL); }
int ia_op_softsign(ia_kctx *ctx) { return run_act(ctx, "Softsign", EW_FLOATS, softsign_loop, NULL); }
int ia_op_hard_swish(ia_kctx *ctx) { return run_act(ctx, "HardSwish", EW_FLOATS, hardswish_loop, NULL); }
int ia_op_mish(ia_kctx *ctx) { return run_act(ctx, "Mish", EW_FLOATS, mish_loop, NULL); }

int ia_op_leaky_relu(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 0.01f), 0, 0, 0};
    return run_act(ctx, "LeakyRelu", EW_FLOATS, leaky_loop, &p);
}

int ia_op_elu(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 1.0f), 0, 0, 0};
    return run_act(ctx, "Elu", EW_FLOATS, elu_loop, &p);
}

int ia_op_selu(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 1.67326319217681884765625f), 0,
                    ia_kctx_attr_float(ctx, "gamma", 1.05070102214813232421875f), 0};
    return run_act(ctx, "Selu", EW_FLOATS, selu_loop, &p);
}

int ia_op_celu(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 1.0f), 0, 0, 0};
    if (p.alpha == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Celu: alpha must not be 0");
    return run_act(ctx, "Celu", EW_FLOATS, celu_loop, &p);
}

int ia_op_thresholded_relu(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 1.0f), 0, 0, 0};
    return run_act(ctx, "ThresholdedRelu", EW_FLOATS, thresh_loop, &p);
}

int ia_op_hard_sigmoid(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "alpha", 0.2f), ia_kctx_attr_float(ctx, "beta", 0.5f), 0, 0};
    return run_act(ctx, "HardSigmoid", EW_FLOATS, hardsigmoid_loop, &p);
}

int ia_op_gelu(ia_kctx *ctx) {
    const char *approx = ia_kctx_attr_string(ctx, "approximate", "none");
    if (!strcmp(approx, "none")) return run_act(ctx, "Gelu", EW_FLOATS, gelu_loop, NULL);
    if (!strcmp(approx, "tanh")) return run_act(ctx, "Gelu", EW_FLOATS, gelu_tanh_loop, NULL);
    IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Gelu: approximate must be 'none' or 'tanh', got '%s'", approx);
}

int ia_op_shrink(ia_kctx *ctx) {
    act_params p = {ia_kctx_attr_float(ctx, "lambd", 0.5f), ia_kctx_attr_float(ctx, "bias", 0.0f), 0, 0};
    if (!(p.alpha >= 0)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Shrink: lambd must be >= 0, got %g", p.alpha);
    return run_act(ctx, "Shrink", EW_NUMERIC, shrink_loop, &p);
}

/* Opset 6 PRelu broadcast a 1-D slope along the channel axis (axis 1), not numpy-style. */
int ia_op_prelu(ia_kctx *ctx) {
    static const ew_binop op = {"PRelu", EW_FLOATS | EW_INTS, 0, prelu_loop, 0};
    const ia_tensor *x = ia_kctx_input(ctx, 0), *slope = ia_kctx_input(ctx, 1);
    if (!x || !slope) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "PRelu needs inputs X and slope");
    if (!ew_type_ok(op.types, x->dtype) || slope->dtype != x->dtype)
        IA_KFAIL(ctx, IA_ERR_TYPE, "PRelu: unsupported input types %s and %s", ia_dtype_name(x->dtype),
                 ia_dtype_name(slope->dtype));
    ia_tensor view = *slope;
    if (ia_kctx_opset(ctx) < 7 && slope->rank == 1 && slope->numel != 1) {
        if (x->rank < 2 || x->dims[1] != slope->dims[0])
            IA_KFAIL(ctx, IA_ERR_SHAPE, "PRelu: slope of %lld values does not match the channel count",
                     (long long)slope->dims[0]);
        view.rank = x->rank - 1;
        for (int d = 0; d < view.rank; d++) view.dims[d] = d == 0 ? slope->dims[0] : 1;
    }
    /* The slope broadcasts to X (unidirectional): the output has X's shape. */
    int rank;
    int64_t dims[IA_MAX_DIMS];
    if (ia_broadcast_shape(x->rank, x->dims, view.rank, view.dims, &rank, dims) || rank != x->rank ||
        ia_shape_numel(rank, dims) != x->numel) {
        char sx[128], ss[128];
        IA_KFAIL(ctx, IA_ERR_SHAPE, "PRelu: slope of shape %s does not broadcast to X of shape %s",
                 ia_shape_str(view.rank, view.dims, ss, sizeof ss), ia_shape_str(x->rank, x->dims, sx, sizeof sx));
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    const ia_tensor *ins[2] = {x, &view};
    ia_ew_run(ctx, y, 2, ins, op.loop, NULL, EW_HALF_AS_FLOAT);
    return IA_OK;
}
