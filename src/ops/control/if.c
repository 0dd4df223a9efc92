/* If: runs then_branch or else_branch (subgraphs reading outer-scope values) on a bool scalar. */
#include "ia/alloc.h"
#include "ops/kernel_util.h"

int ia_op_if(ia_kctx *ctx) {
    const ia_tensor *cond = ia_kctx_input_data(ctx, 0);
    if (!cond) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "If needs its condition input");
    if (cond->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "If condition must hold exactly one element, has %lld", (long long)cond->numel);
    if (cond->dtype == IA_DTYPE_STRING) IA_KFAIL(ctx, IA_ERR_TYPE, "If condition must be bool");
    int take_then = ia_get_f64(cond->data, cond->dtype, 0) != 0;
    ia_graph *g = ia_kctx_attr_graph(ctx, take_then ? "then_branch" : "else_branch");
    if (!g) IA_KFAIL(ctx, IA_ERR_GRAPH, "If has no %s attribute", take_then ? "then_branch" : "else_branch");
    int n = ia_kctx_num_outputs(ctx);
    if ((size_t)n != g->n_outputs)
        IA_KFAIL(ctx, IA_ERR_GRAPH, "If has %d outputs but its %s branch produces %zu", n, take_then ? "then" : "else", g->n_outputs);
    ia_value **outs = ia_kctx_scratch(ctx, (size_t)(n ? n : 1) * sizeof *outs);
    if (!outs) return IA_ERR_NOMEM;
    IA_KTRY(ia_kctx_run_subgraph(ctx, g, 0, NULL, (size_t)n, outs));
    for (int i = 0; i < n; i++) {
        int rc = ia_kctx_set_output(ctx, i, outs[i]);
        outs[i] = NULL;
        if (rc) {
            for (int k = i + 1; k < n; k++) ia_value_destroy(outs[k]);
            return rc;
        }
    }
    return IA_OK;
}
