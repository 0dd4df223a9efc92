/* Unary math: Abs, Neg, Sign, Ceil, Floor, Round, Sqrt, Reciprocal, Exp, Log, Erf, the
 * trigonometric and hyperbolic functions and their inverses, IsInf and IsNaN. */
#include <math.h>
#include "ops/elementwise/ew.h"
#include "ops/fastmath.h"

/* A float-only op: one expression for float (using x) and one for double. */
#define FLOAT_OP(name, FEXPR, DEXPR)                                                                      \
    static void name##_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) { \
        if (c->in_dtype[0] == IA_DTYPE_FLOAT)                                                             \
            EW_LOOP1(float, float, FEXPR);                                                                \
        else                                                                                              \
            EW_LOOP1(double, double, DEXPR);                                                              \
    }

FLOAT_OP(ceil, ceilf(x), ceil(x))
FLOAT_OP(floor, floorf(x), floor(x))
FLOAT_OP(round, nearbyintf(x), nearbyint(x)) /* the default rounding mode: half to even */
FLOAT_OP(sqrt, sqrtf(x), sqrt(x))
FLOAT_OP(recip, 1.0f / x, 1.0 / x)
FLOAT_OP(exp, expf(x), exp(x))
FLOAT_OP(log, logf(x), log(x))
FLOAT_OP(erf, ia_fast_erf(x), erf(x))
FLOAT_OP(sin, sinf(x), sin(x))
FLOAT_OP(cos, cosf(x), cos(x))
FLOAT_OP(tan, tanf(x), tan(x))
FLOAT_OP(asin, asinf(x), asin(x))
FLOAT_OP(acos, acosf(x), acos(x))
FLOAT_OP(atan, atanf(x), atan(x))
FLOAT_OP(sinh, sinhf(x), sinh(x))
FLOAT_OP(cosh, coshf(x), cosh(x))
FLOAT_OP(asinh, asinhf(x), asinh(x))
FLOAT_OP(acosh, acoshf(x), acosh(x))
FLOAT_OP(atanh, atanhf(x), atanh(x))

/* Abs, Neg and Sign also take integers; signed negation wraps (-INT_MIN == INT_MIN). */
#define ABS_S(T) EW_LOOP1(T, T, x < 0 ? 0 - (uint64_t)x : (uint64_t)x)
#define ABS_U(T) EW_LOOP1(T, T, x)
static void abs_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    case IA_DTYPE_FLOAT: EW_LOOP1(float, float, fabsf(x)); break;
    case IA_DTYPE_DOUBLE: EW_LOOP1(double, double, fabs(x)); break;
    EW_CASES_SINT(ABS_S);
    EW_CASES_UINT(ABS_U);
    default: break;
    }
}

#define NEG_I(T) EW_LOOP1(T, T, 0 - (uint64_t)x)
#define NEG_F(T) EW_LOOP1(T, T, -x)
static void neg_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(NEG_F);
    EW_CASES_INT(NEG_I);
    default: break;
    }
}

#define SIGN_S(T) EW_LOOP1(T, T, (x > 0) - (x < 0))
#define SIGN_U(T) EW_LOOP1(T, T, x > 0)
#define SIGN_F(T) EW_LOOP1(T, T, x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x) /* NaN stays NaN */
static void sign_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(SIGN_F);
    EW_CASES_SINT(SIGN_S);
    EW_CASES_UINT(SIGN_U);
    default: break;
    }
}

typedef struct isinf_params {
    int neg, pos;
} isinf_params;

static void isinf_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    const isinf_params *p = c->params;
    int neg = p->neg, pos = p->pos;
    if (c->in_dtype[0] == IA_DTYPE_FLOAT)
        EW_LOOP1(float, uint8_t, (pos && x == INFINITY) || (neg && x == -INFINITY));
    else
        EW_LOOP1(double, uint8_t, (pos && x == INFINITY) || (neg && x == -INFINITY));
}

static void isnan_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    if (c->in_dtype[0] == IA_DTYPE_FLOAT)
        EW_LOOP1(float, uint8_t, x != x);
    else
        EW_LOOP1(double, uint8_t, x != x);
}

#define UNARY_KERNEL(fn, opname, types, loop)                                \
    int fn(ia_kctx *ctx) {                                                   \
        static const ew_unop op = {opname, types, 0, loop};                  \
        return ia_ew_unary(ctx, &op, NULL);                                  \
    }

UNARY_KERNEL(ia_op_abs, "Abs", EW_NUMERIC, abs_loop)
UNARY_KERNEL(ia_op_neg, "Neg", EW_FLOATS | EW_SINTS, neg_loop)
UNARY_KERNEL(ia_op_sign, "Sign", EW_NUMERIC, sign_loop)
UNARY_KERNEL(ia_op_ceil, "Ceil", EW_FLOATS, ceil_loop)
UNARY_KERNEL(ia_op_floor, "Floor", EW_FLOATS, floor_loop)
UNARY_KERNEL(ia_op_round, "Round", EW_FLOATS, round_loop)
UNARY_KERNEL(ia_op_sqrt, "Sqrt", EW_FLOATS, sqrt_loop)
UNARY_KERNEL(ia_op_reciprocal, "Reciprocal", EW_FLOATS, recip_loop)
UNARY_KERNEL(ia_op_exp, "Exp", EW_FLOATS, exp_loop)
UNARY_KERNEL(ia_op_log, "Log", EW_FLOATS, log_loop)
UNARY_KERNEL(ia_op_erf, "Erf", EW_FLOATS, erf_loop)
UNARY_KERNEL(ia_op_sin, "Sin", EW_FLOATS, sin_loop)
UNARY_KERNEL(ia_op_cos, "Cos", EW_FLOATS, cos_loop)
UNARY_KERNEL(ia_op_tan, "Tan", EW_FLOATS, tan_loop)
UNARY_KERNEL(ia_op_asin, "Asin", EW_FLOATS, asin_loop)
UNARY_KERNEL(ia_op_acos, "Acos", EW_FLOATS, acos_loop)
UNARY_KERNEL(ia_op_atan, "Atan", EW_FLOATS, atan_loop)
UNARY_KERNEL(ia_op_sinh, "Sinh", EW_FLOATS, sinh_loop)
UNARY_KERNEL(ia_op_cosh, "Cosh", EW_FLOATS, cosh_loop)
UNARY_KERNEL(ia_op_asinh, "Asinh", EW_FLOATS, asinh_loop)
UNARY_KERNEL(ia_op_acosh, "Acosh", EW_FLOATS, acosh_loop)
UNARY_KERNEL(ia_op_atanh, "Atanh", EW_FLOATS, atanh_loop)

int ia_op_is_nan(ia_kctx *ctx) {
    static const ew_unop op = {"IsNaN", EW_FLOATS, IA_DTYPE_BOOL, isnan_loop};
    return ia_ew_unary(ctx, &op, NULL);
}

int ia_op_is_inf(ia_kctx *ctx) {
    static const ew_unop op = {"IsInf", EW_FLOATS, IA_DTYPE_BOOL, isinf_loop};
    isinf_params p = {ia_kctx_attr_int(ctx, "detect_negative", 1) != 0, ia_kctx_attr_int(ctx, "detect_positive", 1) != 0};
    return ia_ew_unary(ctx, &op, &p);
}
