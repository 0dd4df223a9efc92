/* SequenceMap: applies the body subgraph to each element of a sequence (with extra inputs
 * that are sequences, indexed alike, or tensors, passed whole), collecting sequences. */
#include "ia/alloc.h"
#include "ops/kernel_util.h"

int ia_op_sequence_map(ia_kctx *ctx) {
    ia_graph *body = ia_kctx_attr_graph(ctx, "body");
    if (!body) IA_KFAIL(ctx, IA_ERR_GRAPH, "SequenceMap has no body attribute");
    int n_in = ia_kctx_num_inputs(ctx), n_out = ia_kctx_num_outputs(ctx);
    const ia_value *seq = ia_kctx_input_value(ctx, 0);
    if (!seq || seq->kind != IA_VALUE_SEQUENCE) IA_KFAIL(ctx, IA_ERR_TYPE, "SequenceMap input 0 must be a sequence");
    if (body->n_inputs != (size_t)n_in || body->n_outputs != (size_t)n_out)
        IA_KFAIL(ctx, IA_ERR_GRAPH, "SequenceMap body signature does not match the node");
    size_t len = seq->n_items;
    for (int j = 1; j < n_in; j++) {
        const ia_value *v = ia_kctx_input_value(ctx, j);
        if (!v) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceMap input %d is missing", j);
        if (v->kind == IA_VALUE_SEQUENCE && v->n_items != len)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "SequenceMap sequences differ in length (%zu vs %zu)", v->n_items, len);
    }
    ia_value **outs = ia_kctx_scratch(ctx, sizeof(*outs) * (size_t)(n_out + 1));
    ia_value **bin = ia_kctx_scratch(ctx, sizeof(*bin) * (size_t)(n_in + 1));
    ia_value **bout = ia_kctx_scratch(ctx, sizeof(*bout) * (size_t)(n_out + 1));
    if (!outs || !bin || !bout) return IA_ERR_NOMEM;
    int rc = IA_OK;
    for (int q = 0; q < n_out && !rc; q++) rc = ia_value_sequence(body->values[body->outputs[q]].type.elem_dtype, &outs[q]);
    for (size_t i = 0; !rc && i < len; i++) {
        for (int j = 0; j < n_in; j++) {
            const ia_value *v = ia_kctx_input_value(ctx, j);
            bin[j] = v->kind == IA_VALUE_SEQUENCE ? v->items[i] : (ia_value *)v;
        }
        rc = ia_kctx_run_subgraph(ctx, body, (size_t)n_in, bin, (size_t)n_out, bout);
        for (int q = 0; q < n_out; q++) {
            if (!rc) rc = ia_value_sequence_insert(outs[q], bout[q], -1);
            else ia_value_destroy(bout[q]);
            bout[q] = NULL;
        }
    }
    for (int q = 0; q < n_out; q++) {
        if (!rc) rc = ia_kctx_set_output(ctx, q, outs[q]);
        else ia_value_destroy(outs[q]);
    }
    return rc;
}
