/* Shared machinery of the elementwise family: the broadcasting driver, op descriptors and
 * the typed inner-loop macros every elementwise kernel is written with. */
#ifndef IA_OPS_ELEMENTWISE_EW_H
#define IA_OPS_ELEMENTWISE_EW_H

#include <stdint.h>
#include "ops/kernel_util.h"

#define EW_MAX_IN 3

/* What one inner loop call sees. float16 / bfloat16 tensors are presented to loops as float
 * when the op asks for it (EW_HALF_AS_FLOAT), so loops only handle native C types. */
typedef struct ew_call {
    int n_in;
    int in_dtype[EW_MAX_IN];
    int out_dtype;
    const void *params; /* op-specific attributes, or NULL */
} ew_call;

/* Computes out[i] = f(in[0][i * st[0]], in[1][i * st[1]], ...) for i in [0, n). Every
 * st[k] is 0 (that input is broadcast over this run) or 1 (contiguous). */
typedef void (*ew_loop_fn)(const ew_call *c, void *out, const void *const *in, const int64_t *st, int64_t n);

/* Sets of dtypes, as bit masks. */
#define EW_T(d) (1u << (d))
#define EW_FLOATS (EW_T(IA_DTYPE_FLOAT) | EW_T(IA_DTYPE_DOUBLE) | EW_T(IA_DTYPE_FLOAT16) | EW_T(IA_DTYPE_BFLOAT16))
#define EW_UINTS (EW_T(IA_DTYPE_UINT8) | EW_T(IA_DTYPE_UINT16) | EW_T(IA_DTYPE_UINT32) | EW_T(IA_DTYPE_UINT64))
#define EW_SINTS (EW_T(IA_DTYPE_INT8) | EW_T(IA_DTYPE_INT16) | EW_T(IA_DTYPE_INT32) | EW_T(IA_DTYPE_INT64))
#define EW_INTS (EW_UINTS | EW_SINTS)
#define EW_NUMERIC (EW_FLOATS | EW_INTS)
#define EW_BOOL EW_T(IA_DTYPE_BOOL)
#define EW_STRING EW_T(IA_DTYPE_STRING)

static inline int ew_type_ok(unsigned set, int dtype) {
    return dtype > 0 && dtype < 32 && (set & EW_T(dtype));
}

/* Driver flags. */
enum {
    EW_HALF_AS_FLOAT = 1 << 0, /* convert float16/bfloat16 inputs and output to float blocks */
};

/* Runs `fn` over every element of `out`, with each of the `n_in` inputs broadcast
 * (numpy rules) to out's shape, which the caller has checked they broadcast to. Large
 * tensors are split across the kernel's thread pool. `out` may also be one of the inputs
 * (same shape, in place). */
void ia_ew_run(ia_kctx *ctx, ia_tensor *out, int n_in, const ia_tensor *const *in, ew_loop_fn fn,
               const void *params, unsigned flags);

/* A unary op: output has the input's shape, and its dtype unless out_dtype is set. */
typedef struct ew_unop {
    const char *name;
    unsigned types;   /* accepted input dtypes */
    int out_dtype;    /* 0: same as input; else a fixed dtype (IA_DTYPE_BOOL for IsNaN...) */
    ew_loop_fn loop;
} ew_unop;

/* A binary op with numpy broadcasting; both inputs of one dtype unless mixed is set. */
typedef struct ew_binop {
    const char *name;
    unsigned types;   /* accepted dtypes for input A (and B unless mixed) */
    int out_dtype;    /* 0: A's dtype; else a fixed dtype (IA_DTYPE_BOOL for comparisons) */
    ew_loop_fn loop;
    unsigned types_b; /* when non-zero, B may have any of these dtypes independently of A */
} ew_binop;

/* Kernel bodies: validate, infer the output shape (honouring shape-only mode), run. */
int ia_ew_unary(ia_kctx *ctx, const ew_unop *op, const void *params);
int ia_ew_binary(ia_kctx *ctx, const ew_binop *op, const void *params);

/* ---- inner-loop helpers ----
 * EW_LOOP1(TI, TO, EXPR): unary, EXPR uses `x` (a TI) and yields a TO.
 * EW_LOOP2(TA, TB, TO, EXPR): binary, EXPR uses `x` (TA) and `y` (TB).
 * The four stride patterns get their own loops so the compiler can vectorise each. */
#define EW_LOOP1(TI, TO, EXPR)                                    \
    do {                                                          \
        const TI *ew_a = (const TI *)in[0];                       \
        TO *ew_o = (TO *)out;                                     \
        if (st[0]) {                                              \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) {            \
                TI x = ew_a[ew_i];                                \
                ew_o[ew_i] = (TO)(EXPR);                          \
            }                                                     \
        } else {                                                  \
            TI x = ew_a[0];                                       \
            TO ew_v = (TO)(EXPR);                                 \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) ew_o[ew_i] = ew_v; \
        }                                                         \
    } while (0)

#define EW_LOOP2(TA, TB, TO, EXPR)                                \
    do {                                                          \
        const TA *ew_a = (const TA *)in[0];                       \
        const TB *ew_b = (const TB *)in[1];                       \
        TO *ew_o = (TO *)out;                                     \
        if (st[0] && st[1]) {                                     \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) {            \
                TA x = ew_a[ew_i];                                \
                TB y = ew_b[ew_i];                                \
                (void)x, (void)y;                                 \
                ew_o[ew_i] = (TO)(EXPR);                          \
            }                                                     \
        } else if (st[0]) {                                       \
            TB y = ew_b[0];                                       \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) {            \
                TA x = ew_a[ew_i];                                \
                (void)x, (void)y;                                 \
                ew_o[ew_i] = (TO)(EXPR);                          \
            }                                                     \
        } else if (st[1]) {                                       \
            TA x = ew_a[0];                                       \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) {            \
                TB y = ew_b[ew_i];                                \
                (void)x, (void)y;                                 \
                ew_o[ew_i] = (TO)(EXPR);                          \
            }                                                     \
        } else {                                                  \
            TA x = ew_a[0];                                       \
            TB y = ew_b[0];                                       \
            (void)x, (void)y;                                     \
            TO ew_v = (TO)(EXPR);                                 \
            for (int64_t ew_i = 0; ew_i < n; ew_i++) ew_o[ew_i] = ew_v; \
        }                                                         \
    } while (0)

/* Expands M(ctype) for the dtype `dt` over the integer types. */
#define EW_CASES_INT(M)                         \
    case IA_DTYPE_INT8: M(int8_t); break;       \
    case IA_DTYPE_UINT8: M(uint8_t); break;     \
    case IA_DTYPE_INT16: M(int16_t); break;     \
    case IA_DTYPE_UINT16: M(uint16_t); break;   \
    case IA_DTYPE_INT32: M(int32_t); break;     \
    case IA_DTYPE_UINT32: M(uint32_t); break;   \
    case IA_DTYPE_INT64: M(int64_t); break;     \
    case IA_DTYPE_UINT64: M(uint64_t); break
#define EW_CASES_SINT(M)                        \
    case IA_DTYPE_INT8: M(int8_t); break;       \
    case IA_DTYPE_INT16: M(int16_t); break;     \
    case IA_DTYPE_INT32: M(int32_t); break;     \
    case IA_DTYPE_INT64: M(int64_t); break
#define EW_CASES_UINT(M)                        \
    case IA_DTYPE_UINT8: M(uint8_t); break;     \
    case IA_DTYPE_UINT16: M(uint16_t); break;   \
    case IA_DTYPE_UINT32: M(uint32_t); break;   \
    case IA_DTYPE_UINT64: M(uint64_t); break
/* float and double (float16/bfloat16 arrive as float through EW_HALF_AS_FLOAT). */
#define EW_CASES_FLOAT(M)                       \
    case IA_DTYPE_FLOAT: M(float); break;       \
    case IA_DTYPE_DOUBLE: M(double); break

#endif
