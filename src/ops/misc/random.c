/* Random generators: RandomUniform, RandomNormal, their *Like forms, and Bernoulli (seeded when `seed` is set). */
#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include "ops/kernel_util.h"

/* xoshiro256** seeded through splitmix64. */
typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(rng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static double next_unit(rng *r) { return (double)(next_u64(r) >> 11) * 0x1.0p-53; }

static void seed_rng(ia_kctx *ctx, rng *r) {
    static atomic_uint_fast64_t counter;
    uint64_t x;
    const ia_attr *seed = ia_kctx_attr(ctx, "seed");
    if (seed) {
        float f = ia_kctx_attr_float(ctx, "seed", 0);
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        x = bits;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        x = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^ (atomic_fetch_add(&counter, 1) << 32) ^ (uint64_t)(uintptr_t)r;
    }
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

static int is_real(int dtype) {
    return dtype == IA_DTYPE_FLOAT || dtype == IA_DTYPE_DOUBLE || dtype == IA_DTYPE_FLOAT16 || dtype == IA_DTYPE_BFLOAT16;
}

/* kind: 0 = uniform, 1 = normal. `like`: the shape (and default dtype) come from input 0. */
static int random_op(ia_kctx *ctx, const char *op, int kind, int like) {
    int64_t dims[IA_MAX_DIMS];
    int rank, dtype;
    if (like) {
        const ia_tensor *x = ia_kctx_input(ctx, 0);
        if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input is missing or not a tensor", op);
        rank = x->rank;
        memcpy(dims, x->dims, sizeof(int64_t) * (size_t)rank);
        dtype = (int)ia_kctx_attr_int(ctx, "dtype", x->dtype);
    } else {
        const int64_t *shape;
        if (!ia_kctx_attr(ctx, "shape")) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: the shape attribute is required", op);
        size_t n = ia_kctx_attr_ints(ctx, "shape", &shape);
        if (n > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "%s: shape has too many dimensions", op);
        rank = (int)n;
        for (int d = 0; d < rank; d++) {
            if (shape[d] < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: shape[%d] = %lld is negative", op, d, (long long)shape[d]);
            dims[d] = shape[d];
        }
        dtype = (int)ia_kctx_attr_int(ctx, "dtype", IA_DTYPE_FLOAT);
    }
    if (!is_real(dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: output type %s is not a floating-point type", op, ia_dtype_name(dtype));
    double a = kind ? ia_kctx_attr_float(ctx, "mean", 0.0f) : ia_kctx_attr_float(ctx, "low", 0.0f);
    double b = kind ? ia_kctx_attr_float(ctx, "scale", 1.0f) : ia_kctx_attr_float(ctx, "high", 1.0f);
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, dtype, rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    rng r;
    seed_rng(ctx, &r);
    for (int64_t i = 0; i < y->numel; i++) {
        double v;
        if (kind == 0) {
            v = a + next_unit(&r) * (b - a);
        } else {
            double u1 = 1.0 - next_unit(&r), u2 = next_unit(&r);
            v = a + b * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
        }
        if (dtype == IA_DTYPE_FLOAT) ((float *)y->data)[i] = (float)v;
        else ia_set_f64(y->data, dtype, i, v);
    }
    return IA_OK;
}

int ia_op_random_uniform(ia_kctx *ctx) { return random_op(ctx, "RandomUniform", 0, 0); }
int ia_op_random_normal(ia_kctx *ctx) { return random_op(ctx, "RandomNormal", 1, 0); }
int ia_op_random_uniform_like(ia_kctx *ctx) { return random_op(ctx, "RandomUniformLike", 0, 1); }
int ia_op_random_normal_like(ia_kctx *ctx) { return random_op(ctx, "RandomNormalLike", 1, 1); }

int ia_op_bernoulli(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Bernoulli: input is missing or not a tensor");
    if (!is_real(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Bernoulli: input must be a float tensor, got %s", ia_dtype_name(x->dtype));
    int64_t dtype = ia_kctx_attr_int(ctx, "dtype", x->dtype);
    if (!is_real((int)dtype) && !ia_dtype_is_integer((int)dtype) && dtype != IA_DTYPE_BOOL)
        IA_KFAIL(ctx, IA_ERR_TYPE, "Bernoulli: output type %s is not supported", ia_dtype_name((int)dtype));
    if (dtype == IA_DTYPE_UINT4 || dtype == IA_DTYPE_INT4) IA_KFAIL(ctx, IA_ERR_TYPE, "Bernoulli: 4-bit outputs are not supported");
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, (int)dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (x->numel && !x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Bernoulli: input has no data");
    rng r;
    seed_rng(ctx, &r);
    for (int64_t i = 0; i < x->numel; i++) {
        double p = ia_get_f64(x->data, x->dtype, i);
        if (!(p >= 0 && p <= 1)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Bernoulli: probability %g at %lld is outside [0, 1]", p, (long long)i);
        ia_set_f64(y->data, (int)dtype, i, next_unit(&r) < p ? 1.0 : 0.0);
    }
    return IA_OK;
}
