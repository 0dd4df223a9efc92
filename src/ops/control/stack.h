/* Slicing a tensor along an axis and stacking per-iteration tensors, for Loop and Scan. */
#ifndef IA_CONTROL_STACK_H
#define IA_CONTROL_STACK_H

#include "ia/tensor.h"

/* New tensor: slice `index` of `t` along `axis`, with that axis removed. */
int ia__tensor_slice_axis(const ia_tensor *t, int axis, int64_t index, ia_tensor **out);
/* New tensor stacking `n` same-shaped tensors along a new axis `axis` (0..rank); item i is
 * placed at position i, or n-1-i when `reverse`. With n == 0 the result has shape [0]. */
int ia__tensor_stack(ia_tensor *const *items, int64_t n, int axis, int reverse, int dtype_if_empty, ia_tensor **out);

#endif
