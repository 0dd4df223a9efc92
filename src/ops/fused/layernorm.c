/* stub */
#include "ops/kernel_util.h"
int ia_op_fused_layernorm(ia_kctx *ctx) { IA_KFAIL(ctx, IA_ERR_UNSUPPORTED, "todo"); }
