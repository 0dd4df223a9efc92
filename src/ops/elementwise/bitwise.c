/* Bit operations on integers: BitShift (unsigned, LEFT/RIGHT), BitwiseAnd, BitwiseOr,
 * BitwiseXor (broadcasting) and BitwiseNot. Shifting by the type's width or more gives 0. */
#include <string.h>
#include "ops/elementwise/ew.h"

#define SHL(T) EW_LOOP2(T, T, T, (uint64_t)y >= sizeof(T) * 8 ? 0 : (uint64_t)x << y)
#define SHR(T) EW_LOOP2(T, T, T, (uint64_t)y >= sizeof(T) * 8 ? 0 : (uint64_t)x >> y)
static void shl_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_UINT(SHL);
    default: break;
    }
}
static void shr_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_UINT(SHR);
    default: break;
    }
}

#define BAND(T) EW_LOOP2(T, T, T, x & y)
#define BOR(T) EW_LOOP2(T, T, T, x | y)
#define BXOR(T) EW_LOOP2(T, T, T, x ^ y)
#define BNOT(T) EW_LOOP1(T, T, ~(uint64_t)x)
static void band_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_INT(BAND);
    default: break;
    }
}
static void bor_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_INT(BOR);
    default: break;
    }
}
static void bxor_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_INT(BXOR);
    default: break;
    }
}
static void bnot_loop(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n) {
    switch (c->in_dtype[0]) {
    EW_CASES_INT(BNOT);
    default: break;
    }
}

static const ew_binop shl_op = {"BitShift", EW_UINTS, 0, shl_loop, 0};
static const ew_binop shr_op = {"BitShift", EW_UINTS, 0, shr_loop, 0};
static const ew_binop band_op = {"BitwiseAnd", EW_INTS, 0, band_loop, 0};
static const ew_binop bor_op = {"BitwiseOr", EW_INTS, 0, bor_loop, 0};
static const ew_binop bxor_op = {"BitwiseXor", EW_INTS, 0, bxor_loop, 0};
static const ew_unop bnot_op = {"BitwiseNot", EW_INTS, 0, bnot_loop};

int ia_op_bit_shift(ia_kctx *ctx) {
    const char *dir = ia_kctx_attr_string(ctx, "direction", NULL);
    if (!dir) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "BitShift needs the direction attribute");
    if (!strcmp(dir, "LEFT")) return ia_ew_binary(ctx, &shl_op, NULL);
    if (!strcmp(dir, "RIGHT")) return ia_ew_binary(ctx, &shr_op, NULL);
    IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "BitShift direction must be LEFT or RIGHT, got '%s'", dir);
}
int ia_op_bitwise_and(ia_kctx *ctx) { return ia_ew_binary(ctx, &band_op, NULL); }
int ia_op_bitwise_or(ia_kctx *ctx) { return ia_ew_binary(ctx, &bor_op, NULL); }
int ia_op_bitwise_xor(ia_kctx *ctx) { return ia_ew_binary(ctx, &bxor_op, NULL); }
int ia_op_bitwise_not(ia_kctx *ctx) { return ia_ew_unary(ctx, &bnot_op, NULL); }
