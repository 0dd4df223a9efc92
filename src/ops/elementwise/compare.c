/* Comparisons (Equal, Greater, GreaterOrEqual, Less, LessOrEqual) and logic (And, Or, Xor,
 * Not), all with broadcasting and bool outputs. */
#include <string.h>
#include "ops/elementwise/ew.h"

/* One loop function per comparison, covering every numeric dtype (and bool). */
#define CMP_LOOP(fname, OP)                                                                           \
    static void fname(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) { \
        switch (c->in_dtype[0]) {                                                                     \
        EW_CASES_FLOAT(OP);                                                                           \
        EW_CASES_INT(OP);                                                                             \
        case IA_DTYPE_BOOL: OP(uint8_t); break;                                                       \
        default: break;                                                                               \
        }                                                                                             \
    }

#define EQ(T) EW_LOOP2(T, T, uint8_t, x == y)
#define GT(T) EW_LOOP2(T, T, uint8_t, x > y)
#define GE(T) EW_LOOP2(T, T, uint8_t, x >= y)
#define LT(T) EW_LOOP2(T, T, uint8_t, x < y)
#define LE(T) EW_LOOP2(T, T, uint8_t, x <= y)
CMP_LOOP(gt_loop, GT)
CMP_LOOP(ge_loop, GE)
CMP_LOOP(lt_loop, LT)
CMP_LOOP(le_loop, LE)

static void eq_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_FLOAT(EQ);
    EW_CASES_INT(EQ);
    case IA_DTYPE_BOOL: EW_LOOP2(uint8_t, uint8_t, uint8_t, (x != 0) == (y != 0)); break;
    case IA_DTYPE_STRING: {
        const char *const *a = in[0], *const *b = in[1];
        uint8_t *o = out;
        for (int64_t i = 0; i < n; i++) {
            const char *x = a[i * st[0]], *y = b[i * st[1]];
            o[i] = !strcmp(x ? x : "", y ? y : "");
        }
        break;
    }
    default: break;
    }
}

static void and_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    EW_LOOP2(uint8_t, uint8_t, uint8_t, (x != 0) & (y != 0));
}
static void or_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    EW_LOOP2(uint8_t, uint8_t, uint8_t, (x != 0) | (y != 0));
}
static void xor_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    EW_LOOP2(uint8_t, uint8_t, uint8_t, (x != 0) ^ (y != 0));
}
static void not_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    EW_LOOP1(uint8_t, uint8_t, x == 0);
}

static const ew_binop eq_op = {"Equal", EW_NUMERIC | EW_BOOL | EW_STRING, IA_DTYPE_BOOL, eq_loop, 0};
static const ew_binop gt_op = {"Greater", EW_NUMERIC | EW_BOOL, IA_DTYPE_BOOL, gt_loop, 0};
static const ew_binop ge_op = {"GreaterOrEqual", EW_NUMERIC | EW_BOOL, IA_DTYPE_BOOL, ge_loop, 0};
static const ew_binop lt_op = {"Less", EW_NUMERIC | EW_BOOL, IA_DTYPE_BOOL, lt_loop, 0};
static const ew_binop le_op = {"LessOrEqual", EW_NUMERIC | EW_BOOL, IA_DTYPE_BOOL, le_loop, 0};
static const ew_binop and_op = {"And", EW_BOOL, IA_DTYPE_BOOL, and_loop, 0};
static const ew_binop or_op = {"Or", EW_BOOL, IA_DTYPE_BOOL, or_loop, 0};
static const ew_binop xor_op = {"Xor", EW_BOOL, IA_DTYPE_BOOL, xor_loop, 0};
static const ew_unop not_op = {"Not", EW_BOOL, IA_DTYPE_BOOL, not_loop};

int ia_op_equal(ia_kctx *ctx) { return ia_ew_binary(ctx, &eq_op, NULL); }
int ia_op_greater(ia_kctx *ctx) { return ia_ew_binary(ctx, &gt_op, NULL); }
int ia_op_greater_or_equal(ia_kctx *ctx) { return ia_ew_binary(ctx, &ge_op, NULL); }
int ia_op_less(ia_kctx *ctx) { return ia_ew_binary(ctx, &lt_op, NULL); }
int ia_op_less_or_equal(ia_kctx *ctx) { return ia_ew_binary(ctx, &le_op, NULL); }
int ia_op_and(ia_kctx *ctx) { return ia_ew_binary(ctx, &and_op, NULL); }
int ia_op_or(ia_kctx *ctx) { return ia_ew_binary(ctx, &or_op, NULL); }
int ia_op_xor(ia_kctx *ctx) { return ia_ew_binary(ctx, &xor_op, NULL); }
int ia_op_not(ia_kctx *ctx) { return ia_ew_unary(ctx, &not_op, NULL); }
