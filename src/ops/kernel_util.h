/* Helpers shared by operator kernels: axis handling, broadcasting, strides, and reading or
 * writing any numeric element type through double / int64 (the portable reference path). */
#ifndef IA_KERNEL_UTIL_H
#define IA_KERNEL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "ia/tensor.h"
#include "ops/op.h"

/* Normalises a possibly negative axis against `rank`; IA_ERR_INVALID_ARG if out of range. */
int ia_norm_axis(int64_t axis, int rank, int *out);

/* Numpy-style broadcast of two shapes into out_rank/out_dims; IA_ERR_SHAPE if incompatible. */
int ia_broadcast_shape(int ra, const int64_t *da, int rb, const int64_t *db, int *out_rank, int64_t *out_dims);

/* Row-major element strides of a shape. */
void ia_strides(int rank, const int64_t *dims, int64_t *strides);

/* Strides of tensor `t` viewed as broadcast to (out_rank, out_dims): 0 on broadcast dims. */
void ia_broadcast_strides(const ia_tensor *t, int out_rank, const int64_t *out_dims, int64_t *strides);

/* Maps linear index `i` of the output shape to the element offset of an input with
 * broadcast strides `in_strides` (from ia_broadcast_strides). */
static inline int64_t ia_bcast_offset(int64_t i, int rank, const int64_t *out_dims, const int64_t *in_strides) {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0 && i; d--) {
        int64_t q = i / out_dims[d];
        off += (i - q * out_dims[d]) * in_strides[d];
        i = q;
    }
    return off;
}

/* Element access through double / int64 / uint64 for every numeric dtype (including bool,
 * float16, bfloat16). These are the slow, always-correct path. */
double ia_get_f64(const void *data, int dtype, int64_t i);
void ia_set_f64(void *data, int dtype, int64_t i, double v);
int64_t ia_get_i64(const void *data, int dtype, int64_t i);
void ia_set_i64(void *data, int dtype, int64_t i, int64_t v);
uint64_t ia_get_u64(const void *data, int dtype, int64_t i);
void ia_set_u64(void *data, int dtype, int64_t i, uint64_t v);

/* Reads a 1-D (or scalar) integer tensor (int32/int64) into out[0..n); returns the count or
 * -1 if the dtype is not an integer type. */
int64_t ia_read_ints(const ia_tensor *t, int64_t *out, int64_t max);

/* Copies `count` elements of `dtype` from src[src_off] to dst[dst_off] (strings duplicated). */
int ia_copy_elems(void *dst, int64_t dst_off, const void *src, int64_t src_off, int64_t count, int dtype);

/* Shorthand for returning a kernel error. */
#define IA_KFAIL(ctx, code, ...) return ia_kctx_fail((ctx), (code), __VA_ARGS__)
#define IA_KTRY(expr)                  \
    do {                               \
        int ia_rc_ = (expr);           \
        if (ia_rc_) return ia_rc_;     \
    } while (0)

#endif
