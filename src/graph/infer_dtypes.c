/* Element-type propagation for the optimizer: fills in the dtype of values that shape
 * inference could not reach (shapes depending on run-time values), using ops whose output
 * type is one of their input's types. Fused kernels still check dtypes when they run. */
#include <string.h>
#include "graph/optimize.h"

/* Ops whose output 0 has the element type of input `src`. */
static const struct {
    const char *op;
    int src;
} same_type[] = {
    {"Abs", 0}, {"Add", 0}, {"Concat", 0}, {"Cos", 0}, {"Div", 0}, {"Dropout", 0}, {"Erf", 0}, {"Exp", 0},
    {"Expand", 0}, {"Flatten", 0}, {"Gather", 0}, {"Gelu", 0}, {"Gemm", 0}, {"Identity", 0},
    {"LayerNormalization", 0}, {"MatMul", 0}, {"Max", 0}, {"Min", 0}, {"Mul", 0}, {"Neg", 0}, {"Pow", 0},
    {"Reciprocal", 0}, {"ReduceMean", 0}, {"ReduceSum", 0}, {"Relu", 0}, {"Reshape", 0}, {"Sigmoid", 0}, {"Sin", 0},
    {"Slice", 0}, {"Softmax", 0}, {"Sqrt", 0}, {"Squeeze", 0}, {"Sub", 0}, {"Tanh", 0}, {"Tile", 0},
    {"Transpose", 0}, {"Unsqueeze", 0}, {"Where", 1},
};

void ia__opt_infer_dtypes(ia_graph *g) {
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        if (!n->op || n->n_outputs < 1 || n->outputs[0] < 0) continue;
        if (n->domain[0] && strcmp(n->domain, "ai.onnx")) continue;
        ia_type_info *out = &g->values[n->outputs[0]].type;
        if (out->kind) continue;
        int dt = 0;
        if (!strcmp(n->op_type, "Cast")) {
            const ia_attr *to = ia__node_attr(n, "to");
            dt = to ? (int)to->i : 0;
        } else {
            for (size_t k = 0; k < sizeof same_type / sizeof same_type[0]; k++) {
                if (strcmp(n->op_type, same_type[k].op)) continue;
                int s = same_type[k].src < n->n_inputs ? n->inputs[same_type[k].src] : -1;
                if (s >= 0 && g->values[s].type.kind == IA_VALUE_TENSOR) dt = g->values[s].type.elem_dtype;
                break;
            }
        }
        if (dt > 0) {
            out->kind = IA_VALUE_TENSOR;
            out->elem_dtype = dt;
        }
    }
}
