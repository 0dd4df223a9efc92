/* Clip: limits values to [min, max]; attributes before opset 11, optional scalar inputs
 * from opset 11 (integer types from opset 12). When min > max every value becomes max. */
#include <float.h>
#include <math.h>
#include "ops/elementwise/ew.h"

typedef struct clip_params {
    double dlo, dhi;   /* floating types */
    int64_t ilo, ihi;  /* signed integers */
    uint64_t ulo, uhi; /* unsigned integers */
} clip_params;

#define CLIP(T, lo, hi) EW_LOOP1(T, T, (x < (lo) ? (lo) : x) > (hi) ? (hi) : (x < (lo) ? (lo) : x))
/* Integers compare in 64 bits so the unset bounds (INT64_MIN...) need no per-type limits. */
#define CLIP_S(T) EW_LOOP1(T, T, clamp_s64(x, p->ilo, p->ihi))
#define CLIP_U(T) EW_LOOP1(T, T, clamp_u64(x, p->ulo, p->uhi))
static inline int64_t clamp_s64(int64_t x, int64_t lo, int64_t hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}
static inline uint64_t clamp_u64(uint64_t x, uint64_t lo, uint64_t hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}
static void clip_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    const clip_params *p = c->params;
    switch (c->in_dtype[0]) {
    case IA_DTYPE_FLOAT: {
        float lo = (float)p->dlo, hi = (float)p->dhi;
        CLIP(float, lo, hi);
        break;
    }
    case IA_DTYPE_DOUBLE: CLIP(double, p->dlo, p->dhi); break;
    EW_CASES_SINT(CLIP_S);
    EW_CASES_UINT(CLIP_U);
    default: break;
    }
}

/* Reads Clip's optional bound input i into the matching fields of *p (lo when i == 1). */
static int read_bound(ia_kctx *ctx, const ia_tensor *x, int i, clip_params *p) {
    const ia_tensor *t = ia_kctx_input(ctx, i);
    if (!t) return IA_OK;
    const char *what = i == 1 ? "min" : "max";
    if (t->dtype != x->dtype)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Clip: %s is %s but the input is %s", what, ia_dtype_name(t->dtype),
                 ia_dtype_name(x->dtype));
    if (t->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Clip: %s must be a scalar, it has %lld elements", what, (long long)t->numel);
    if (ia_kctx_shape_only(ctx) || !t->data) return IA_OK;
    double d = ia_get_f64(t->data, t->dtype, 0);
    int64_t v = ia_get_i64(t->data, t->dtype, 0);
    uint64_t u = ia_get_u64(t->data, t->dtype, 0);
    if (i == 1) p->dlo = d, p->ilo = v, p->ulo = u;
    else p->dhi = d, p->uhi = u, p->ihi = v;
    return IA_OK;
}

int ia_op_clip(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Clip needs an input");
    int64_t opset = ia_kctx_opset(ctx);
    unsigned types = opset >= 12 ? EW_NUMERIC : EW_FLOATS;
    if (!ew_type_ok(types, x->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "Clip does not support %s input at opset %lld", ia_dtype_name(x->dtype), (long long)opset);
    clip_params p = {-INFINITY, INFINITY, INT64_MIN, INT64_MAX, 0, UINT64_MAX};
    if (opset < 11) {
        p.dlo = ia_kctx_attr_float(ctx, "min", -FLT_MAX);
        p.dhi = ia_kctx_attr_float(ctx, "max", FLT_MAX);
    } else {
        IA_KTRY(read_bound(ctx, x, 1, &p));
        IA_KTRY(read_bound(ctx, x, 2, &p));
    }
    static const ew_unop op = {"Clip", EW_NUMERIC, 0, clip_loop};
    return ia_ew_unary(ctx, &op, &p);
}
