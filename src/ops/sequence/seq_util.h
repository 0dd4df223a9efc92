/* Helpers shared by the sequence family's kernels (internal to src/ops/sequence). */
#ifndef IA_OPS_SEQ_UTIL_H
#define IA_OPS_SEQ_UTIL_H

#include "ops/op.h"

/* Input `i` as a sequence whose items are all tensors; NULL (with *rc set by ia_kctx_fail)
 * when it is missing or of another kind. */
const ia_value *ia__seq_input(ia_kctx *ctx, int i, const char *op, int *rc);
/* The sequence's element dtype: declared, else its first item's, else UNDEFINED. */
int ia__seq_elem_dtype(const ia_value *seq);
/* Reads an optional scalar int32/int64 position at input `i` (*present = 0 when omitted). */
int ia__seq_position(ia_kctx *ctx, int i, const char *op, int64_t *pos, int *present);

#endif
