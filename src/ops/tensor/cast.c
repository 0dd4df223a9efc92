/* Type conversion: Cast and CastLike across all numeric types, bool, float16/bfloat16 and strings (numpy-style formatting). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/tensor/tensor_common.h"

static int castable(int dt) {
    return dt == IA_DTYPE_STRING || (ia_dtype_size(dt) > 0 && dt != IA_DTYPE_COMPLEX64 && dt != IA_DTYPE_COMPLEX128 &&
                                     dt != IA_DTYPE_FLOAT8E4M3FN && dt != IA_DTYPE_FLOAT8E4M3FNUZ && dt != IA_DTYPE_FLOAT8E5M2 &&
                                     dt != IA_DTYPE_FLOAT8E5M2FNUZ);
}

/* ---- numeric -> numeric ---- */

typedef struct {
    const void *src;
    void *dst;
    int sdt, ddt;
} cast_job;

#define CAST_LOOP(ST, DT, EXPR)                           \
    do {                                                  \
        const ST *s_ = (const ST *)j->src;                \
        DT *d_ = (DT *)j->dst;                            \
        for (int64_t i = b; i < e; i++) {                 \
            ST v_ = s_[i];                                \
            d_[i] = (EXPR);                               \
        }                                                 \
    } while (0)

static int is_int_like(int dt) { return ia_dtype_is_integer(dt) || dt == IA_DTYPE_BOOL; }

static void cast_range(void *arg, int64_t b, int64_t e, int tid) {
    (void)tid;
    const cast_job *j = arg;
    int s = j->sdt, d = j->ddt;
    if (s == IA_DTYPE_FLOAT && d == IA_DTYPE_FLOAT16) CAST_LOOP(float, uint16_t, ia_f32_to_fp16(v_));
    else if (s == IA_DTYPE_FLOAT16 && d == IA_DTYPE_FLOAT) CAST_LOOP(uint16_t, float, ia_fp16_to_f32(v_));
    else if (s == IA_DTYPE_FLOAT && d == IA_DTYPE_BFLOAT16) CAST_LOOP(float, uint16_t, ia_f32_to_bf16(v_));
    else if (s == IA_DTYPE_BFLOAT16 && d == IA_DTYPE_FLOAT) CAST_LOOP(uint16_t, float, ia_bf16_to_f32(v_));
    else if (s == IA_DTYPE_FLOAT && d == IA_DTYPE_DOUBLE) CAST_LOOP(float, double, (double)v_);
    else if (s == IA_DTYPE_DOUBLE && d == IA_DTYPE_FLOAT) CAST_LOOP(double, float, (float)v_);
    else if (s == IA_DTYPE_INT64 && d == IA_DTYPE_FLOAT) CAST_LOOP(int64_t, float, (float)v_);
    else if (s == IA_DTYPE_INT32 && d == IA_DTYPE_FLOAT) CAST_LOOP(int32_t, float, (float)v_);
    else if (s == IA_DTYPE_INT64 && d == IA_DTYPE_INT32) CAST_LOOP(int64_t, int32_t, (int32_t)v_);
    else if (s == IA_DTYPE_INT32 && d == IA_DTYPE_INT64) CAST_LOOP(int32_t, int64_t, (int64_t)v_);
    else if (s == IA_DTYPE_BOOL && d == IA_DTYPE_FLOAT) CAST_LOOP(uint8_t, float, v_ ? 1.0f : 0.0f);
    else if (s == IA_DTYPE_FLOAT && d == IA_DTYPE_BOOL) CAST_LOOP(float, uint8_t, v_ != 0.0f);
    else if (d == IA_DTYPE_BOOL)
        for (int64_t i = b; i < e; i++) ((uint8_t *)j->dst)[i] = is_int_like(s) ? ia_get_u64(j->src, s, i) != 0 : ia_get_f64(j->src, s, i) != 0;
    else if (is_int_like(s) && is_int_like(d))
        for (int64_t i = b; i < e; i++) ia_set_u64(j->dst, d, i, ia_get_u64(j->src, s, i));
    else if (is_int_like(s) && ia_dtype_is_float(d) && s == IA_DTYPE_UINT64)
        for (int64_t i = b; i < e; i++) ia_set_f64(j->dst, d, i, (double)ia_get_u64(j->src, s, i));
    else if (is_int_like(s) && ia_dtype_is_float(d))
        for (int64_t i = b; i < e; i++) ia_set_f64(j->dst, d, i, (double)ia_get_i64(j->src, s, i));
    else
        for (int64_t i = b; i < e; i++) ia_set_f64(j->dst, d, i, ia_get_f64(j->src, s, i));
}

/* ---- number -> string, as numpy's str() prints it ---- */

static int round_trips(double parsed, double v, int dt) {
    switch (dt) {
    case IA_DTYPE_FLOAT: return (float)parsed == (float)v;
    case IA_DTYPE_FLOAT16: return ia_f32_to_fp16((float)parsed) == ia_f32_to_fp16((float)v);
    case IA_DTYPE_BFLOAT16: return ia_f32_to_bf16((float)parsed) == ia_f32_to_bf16((float)v);
    default: return parsed == v;
    }
}

static void format_real(char *buf, size_t cap, double v, int dt) {
    if (isnan(v)) { snprintf(buf, cap, "nan"); return; }
    if (isinf(v)) { snprintf(buf, cap, v > 0 ? "inf" : "-inf"); return; }
    char e[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (round_trips(strtod(e, NULL), v, dt)) break;
    }
    /* e = [-]D[.DDD]e(+|-)XX */
    char digits[32];
    int nd = 0, neg = e[0] == '-';
    const char *c = e + neg;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9' && nd < 31) digits[nd++] = *c;
    int x = *c == 'e' ? atoi(c + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = 0;
    double a = fabs(v);
    size_t n = 0;
#define PUT(ch) do { if (n + 1 < cap) buf[n++] = (ch); } while (0)
    if (neg) PUT('-');
    if (a == 0 || (a >= 1e-4 && a < 1e16)) {
        if (a == 0) x = 0;
        if (x >= 0) {
            for (int i = 0; i <= x; i++) PUT(i < nd ? digits[i] : '0');
            PUT('.');
            if (nd > x + 1) for (int i = x + 1; i < nd; i++) PUT(digits[i]);
            else PUT('0');
        } else {
            PUT('0');
            PUT('.');
            for (int i = 0; i < -x - 1; i++) PUT('0');
            for (int i = 0; i < nd; i++) PUT(digits[i]);
        }
        buf[n] = 0;
    } else {
        PUT(digits[0]);
        if (nd > 1) {
            PUT('.');
            for (int i = 1; i < nd; i++) PUT(digits[i]);
        }
        buf[n] = 0;
        snprintf(buf + n, cap - n, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    }
#undef PUT
}

static int to_strings(ia_kctx *ctx, const ia_tensor *x, char **out) {
    char buf[64];
    for (int64_t i = 0; i < x->numel; i++) {
        int dt = x->dtype;
        if (dt == IA_DTYPE_BOOL) snprintf(buf, sizeof buf, "%s", ((const uint8_t *)x->data)[i] ? "True" : "False");
        else if (dt == IA_DTYPE_UINT64) snprintf(buf, sizeof buf, "%llu", (unsigned long long)ia_get_u64(x->data, dt, i));
        else if (ia_dtype_is_integer(dt)) snprintf(buf, sizeof buf, "%lld", (long long)ia_get_i64(x->data, dt, i));
        else format_real(buf, sizeof buf, ia_get_f64(x->data, dt, i), dt);
        if (!(out[i] = ia_strdup(buf))) return IA_ERR_NOMEM;
    }
    (void)ctx;
    return IA_OK;
}

/* ---- string -> number ---- */

static int from_strings(ia_kctx *ctx, const ia_tensor *x, void *dst, int dt) {
    char *const *s = x->data;
    for (int64_t i = 0; i < x->numel; i++) {
        const char *str = s[i] ? s[i] : "";
        char *end;
        errno = 0;
        if (ia_dtype_is_integer(dt)) {
            if (dt == IA_DTYPE_UINT64 && str[strspn(str, " \t")] != '-') {
                unsigned long long u = strtoull(str, &end, 10);
                if (end != str && *end == 0 && !errno) {
                    ia_set_u64(dst, dt, i, u);
                    continue;
                }
            } else {
                long long v = strtoll(str, &end, 10);
                if (end != str && *end == 0 && !errno) {
                    ia_set_i64(dst, dt, i, v);
                    continue;
                }
            }
        }
        if (dt == IA_DTYPE_BOOL && (!strcmp(str, "True") || !strcmp(str, "true"))) {
            ((uint8_t *)dst)[i] = 1;
            continue;
        }
        if (dt == IA_DTYPE_BOOL && (!strcmp(str, "False") || !strcmp(str, "false"))) {
            ((uint8_t *)dst)[i] = 0;
            continue;
        }
        double v = strtod(str, &end);
        while (*end == ' ' || *end == '\t' || *end == '\n') end++;
        if (end == str || *end)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Cast cannot convert string '%.40s' (element %lld) to %s", str, (long long)i, ia_dtype_name(dt));
        ia_set_f64(dst, dt, i, v);
    }
    return IA_OK;
}

static int do_cast(ia_kctx *ctx, const ia_tensor *x, int to, const char *op) {
    if (!castable(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support input type %s", op, ia_dtype_name(x->dtype));
    if (!castable(to)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support target type %s", op, ia_dtype_name(to));
    if (to == x->dtype) return ia_kctx_output_alias(ctx, 0, 0);
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, to, x->rank, x->dims, &out));
    if (ia_kctx_shape_only(ctx) || x->numel == 0) return IA_OK;
    if (to == IA_DTYPE_STRING) return to_strings(ctx, x, out->data);
    if (x->dtype == IA_DTYPE_STRING) return from_strings(ctx, x, out->data, to);
    cast_job j = {x->data, out->data, x->dtype, to};
    if (x->numel < IA_TENSOR_PAR_MIN) cast_range(&j, 0, x->numel, 0);
    else ia_parallel_for(ia_kctx_pool(ctx), x->numel, IA_TENSOR_PAR_MIN / 2, cast_range, &j);
    return IA_OK;
}

int ia_op_cast(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Cast needs an input");
    const ia_attr *to = ia_kctx_attr(ctx, "to");
    if (!to || to->type != IA_ATTR_INT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Cast needs an integer 'to' attribute");
    if (to->i <= 0 || to->i >= IA_DTYPE_COUNT_) IA_KFAIL(ctx, IA_ERR_TYPE, "Cast target type %lld is unknown", (long long)to->i);
    return do_cast(ctx, x, (int)to->i, "Cast");
}

int ia_op_cast_like(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0), *like = ia_kctx_input(ctx, 1);
    if (!x || !like) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "CastLike needs input and target_type");
    return do_cast(ctx, x, like->dtype, "CastLike");
}
