/* Activation (fused domain): one node for a recognised GELU (Erf or tanh form), SiLU or other
 * activation pattern; attribute `act` holds the IA_ACT_* code. Float32 only. */
#include "ops/fused/act.h"
#include "ops/kernel_util.h"

typedef struct act_job {
    const float *x;
    float *y;
    int act;
} act_job;

static void act_chunk(void *p, int64_t b, int64_t e, int t) {
    (void)t;
    const act_job *j = p;
    ia_act_apply(j->act, j->x + b, j->y + b, e - b);
}

int ia_op_fused_activation(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0);
    int act = (int)ia_kctx_attr_int(ctx, "act", IA_ACT_NONE);
    if (!X || X->dtype != IA_DTYPE_FLOAT) IA_KFAIL(ctx, IA_ERR_TYPE, "Activation: X must be a float32 tensor");
    if (act < 0 || act >= IA_ACT_COUNT) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Activation: unknown act %d", act);
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, X->rank, X->dims, &Y));
    if (ia_kctx_shape_only(ctx) || !X->numel) return IA_OK;
    act_job j = {X->data, Y->data, act};
    ia_parallel_for(ia_kctx_pool(ctx), X->numel, 16384, act_chunk, &j);
    return IA_OK;
}
