/* Arithmetic with broadcasting: Add, Sub, Mul, Div, Mod, Pow.
 *
 * Integer semantics (the spec leaves these open; this is what the engine does):
 *  - Add/Sub/Mul wrap around (two's complement), like numpy.
 *  - Div truncates toward zero; x / 0 is 0; INT_MIN / -1 wraps to INT_MIN.
 *  - Mod with fmod=0 takes the sign of the divisor (Python / numpy.mod), with fmod=1 the sign
 *    of the dividend (C fmod); x mod 0 is 0.
 *  - Pow with an integer base and integer exponent multiplies exactly (wrapping); a negative
 *    exponent gives 1 for base 1, +-1 for base -1 and 0 otherwise (the truncated value).
 *    With a floating exponent the power is computed in double and converted, saturating. */
#include <math.h>
#include "ops/elementwise/ew.h"

/* ---- Add / Sub / Mul ---- */

#define ADD_INT(T) EW_LOOP2(T, T, T, (uint64_t)x + (uint64_t)y)
#define ADD_FLT(T) EW_LOOP2(T, T, T, x + y)
static void add_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(ADD_FLT);
    EW_CASES_INT(ADD_INT);
    default: break;
    }
}

#define SUB_INT(T) EW_LOOP2(T, T, T, (uint64_t)x - (uint64_t)y)
#define SUB_FLT(T) EW_LOOP2(T, T, T, x - y)
static void sub_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(SUB_FLT);
    EW_CASES_INT(SUB_INT);
    default: break;
    }
}

#define MUL_INT(T) EW_LOOP2(T, T, T, (uint64_t)x * (uint64_t)y)
#define MUL_FLT(T) EW_LOOP2(T, T, T, x * y)
static void mul_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(MUL_FLT);
    EW_CASES_INT(MUL_INT);
    default: break;
    }
}

/* ---- Div ---- */

static inline int64_t div_s64(int64_t x, int64_t y) {
    if (y == 0) return 0;
    if (y == -1) return (int64_t)(0 - (uint64_t)x);
    return x / y;
}
static inline uint64_t div_u64(uint64_t x, uint64_t y) { return y ? x / y : 0; }

#define DIV_SINT(T) EW_LOOP2(T, T, T, div_s64(x, y))
#define DIV_UINT(T) EW_LOOP2(T, T, T, div_u64(x, y))
#define DIV_FLT(T) EW_LOOP2(T, T, T, x / y)
static void div_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(DIV_FLT);
    EW_CASES_SINT(DIV_SINT);
    EW_CASES_UINT(DIV_UINT);
    default: break;
    }
}

/* ---- Mod ---- */

static inline int64_t mod_s64(int64_t x, int64_t y, int c_style) {
    if (y == 0 || y == -1) return 0;
    int64_t r = x % y;
    if (!c_style && r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
}
static inline uint64_t mod_u64(uint64_t x, uint64_t y) { return y ? x % y : 0; }
static inline double mod_f64(double x, double y, int c_style) {
    double r = fmod(x, y);
    if (!c_style && r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
}
static inline float mod_f32(float x, float y, int c_style) {
    float r = fmodf(x, y);
    if (!c_style && r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
}

#define MOD_SINT(T) EW_LOOP2(T, T, T, mod_s64(x, y, fm))
#define MOD_UINT(T) EW_LOOP2(T, T, T, mod_u64(x, y))
static void mod_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    int fm = *(const int *)c->params;
    switch (c->in_dtype[0]) {
    case IA_DTYPE_FLOAT: EW_LOOP2(float, float, float, mod_f32(x, y, fm)); break;
    case IA_DTYPE_DOUBLE: EW_LOOP2(double, double, double, mod_f64(x, y, fm)); break;
    EW_CASES_SINT(MOD_SINT);
    EW_CASES_UINT(MOD_UINT);
    default: break;
    }
}

/* ---- Pow ---- */

/* base ** e for integers, wrapping; see the file comment for negative exponents. */
static int64_t ipow(int64_t base, int64_t e) {
    if (e < 0) return base == 1 ? 1 : base == -1 ? ((e & 1) ? -1 : 1) : 0;
    uint64_t r = 1, b = (uint64_t)base;
    while (e) {
        if (e & 1) r *= b;
        b *= b;
        e >>= 1;
    }
    return (int64_t)r;
}

static void pow_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    int da = c->in_dtype[0], db = c->in_dtype[1];
    if (da == IA_DTYPE_FLOAT && db == IA_DTYPE_FLOAT) {
        if (!st[1]) { /* a constant exponent: the common Pow(x, 2) and friends */
            float e = *(const float *)in[1];
            if (e == 2.0f) { EW_LOOP1(float, float, x * x); return; }
            if (e == 1.0f) { EW_LOOP1(float, float, x); return; }
            if (e == 0.5f) { EW_LOOP1(float, float, x == -INFINITY ? INFINITY : sqrtf(x) + 0.0f); return; }
        }
        EW_LOOP2(float, float, float, powf(x, y));
        return;
    }
    if (da == IA_DTYPE_DOUBLE && db == IA_DTYPE_DOUBLE) {
        EW_LOOP2(double, double, double, pow(x, y));
        return;
    }
    /* Mixed dtypes: the slow, general path. */
    const void *a = in[0], *b = in[1];
    for (int64_t i = 0; i < n; i++) {
        int64_t ia = i * st[0], ib = i * st[1];
        if (ia_dtype_is_float(da) || ia_dtype_is_float(db)) {
            ia_set_f64(out, c->out_dtype, i, pow(ia_get_f64(a, da, ia), ia_get_f64(b, db, ib)));
        } else {
            int64_t e = db == IA_DTYPE_UINT64 && ia_get_u64(b, db, ib) > (uint64_t)INT64_MAX ? INT64_MAX : ia_get_i64(b, db, ib);
            ia_set_i64(out, c->out_dtype, i, ipow(ia_get_i64(a, da, ia), e));
        }
    }
}

/* ---- kernels ---- */

static const ew_binop add_op = {"Add", EW_NUMERIC, 0, add_loop, 0};
static const ew_binop sub_op = {"Sub", EW_NUMERIC, 0, sub_loop, 0};
static const ew_binop mul_op = {"Mul", EW_NUMERIC, 0, mul_loop, 0};
static const ew_binop div_op = {"Div", EW_NUMERIC, 0, div_loop, 0};
static const ew_binop mod_op = {"Mod", EW_NUMERIC, 0, mod_loop, 0};
static const ew_binop pow_op = {"Pow", EW_NUMERIC, 0, pow_loop, EW_NUMERIC};

int ia_op_add(ia_kctx *ctx) { return ia_ew_binary(ctx, &add_op, NULL); }
int ia_op_sub(ia_kctx *ctx) { return ia_ew_binary(ctx, &sub_op, NULL); }
int ia_op_mul(ia_kctx *ctx) { return ia_ew_binary(ctx, &mul_op, NULL); }
int ia_op_div(ia_kctx *ctx) { return ia_ew_binary(ctx, &div_op, NULL); }
int ia_op_pow(ia_kctx *ctx) { return ia_ew_binary(ctx, &pow_op, NULL); }

int ia_op_mod(ia_kctx *ctx) {
    int64_t fm = ia_kctx_attr_int(ctx, "fmod", 0);
    if (fm != 0 && fm != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Mod: fmod must be 0 or 1, got %lld", (long long)fm);
    int c_style = (int)fm;
    return ia_ew_binary(ctx, &mod_op, &c_style);
}
