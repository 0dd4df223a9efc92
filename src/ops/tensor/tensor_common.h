/* Helpers private to the tensor operator family: strided copies (the engine behind Transpose,
 * Slice, Expand, Tile, DepthToSpace), row copies, and small input-reading utilities. */
#ifndef IA_OPS_TENSOR_COMMON_H
#define IA_OPS_TENSOR_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include "ops/kernel_util.h"

/* Work above this many elements is split across the thread pool. */
#define IA_TENSOR_PAR_MIN ((int64_t)32768)

/* Most dimensions a strided copy accepts (Tile doubles the rank). */
#define IA_TCOPY_MAX_RANK (2 * IA_MAX_DIMS)

/* Fills the contiguous tensor `dst` (shape `dims`, `rank` dims) with elements of `src`, where
 * output index (i0..i{r-1}) reads source element `src_base + sum(i_k * src_strides[k])`.
 * Strides may be zero (broadcast) or negative (reversed slices). Strings are duplicated.
 * The caller guarantees every addressed source element is inside the source tensor. */
int ia_tensor_strided_copy(ia_kctx *ctx, int dtype, void *dst, const void *src, int64_t src_base, int rank,
                           const int64_t *dims, const int64_t *src_strides);

/* Whether a dtype can be moved by the generic copy paths (fixed size or string). */
int ia_tensor_copyable(int dtype);

/* Reads an integer tensor (int32/int64, 0-D or 1-D) of at most `max` values into out;
 * returns the count, or fails on ctx (negative status) naming `what`. */
int64_t ia_tensor_read_int_list(ia_kctx *ctx, const ia_tensor *t, int64_t *out, int64_t max, const char *what);

#endif
