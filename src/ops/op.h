/* The operator interface: how an operator is declared (ia_op_def), found (the registry) and
 * how its kernel talks to the executor (ia_kctx: inputs, attributes, outputs, errors). */
#ifndef IA_OP_H
#define IA_OP_H

#include <stdint.h>
#include "ia/tensor.h"
#include "ia/threadpool.h"
#include "onnx/ir.h"

typedef struct ia_kctx ia_kctx;

/* A kernel computes a node's outputs from its inputs.
 *
 * Contract:
 *  1. Validate inputs and attributes; on a problem return ia_kctx_fail(ctx, IA_ERR_..., "...")
 *     (the executor adds the node name and op type to the message).
 *  2. Compute every output's dtype and shape and create it with ia_kctx_output() (or
 *     ia_kctx_set_output() for sequences / optionals).
 *  3. If ia_kctx_shape_only(ctx) is true, return IA_OK now: the engine is inferring shapes and
 *     outputs have no storage. In that mode input tensors may have data == NULL; a kernel whose
 *     output SHAPE depends on an input's VALUES (Reshape's shape, Slice's starts, TopK's k...)
 *     must fetch such inputs through ia_kctx_input_data(), which returns NULL when the value is
 *     not known yet; then return IA_ERR_NEED_VALUE.
 *  4. Otherwise compute. Never read or write outside the tensors' extents; never abort.
 * Ops that support step 3 set IA_OPF_SHAPE_INFER in their flags. */
typedef int (*ia_kernel_fn)(ia_kctx *ctx);

enum {
    IA_OPF_SHAPE_INFER = 1 << 0, /* kernel honours shape-only mode (step 3 above) */
    IA_OPF_SHAPE_VALUE = 1 << 1, /* output values depend only on input shapes (Shape, Size) */
    IA_OPF_NONDETERMINISTIC = 1 << 2, /* random ops: never constant-folded */
    IA_OPF_CONTROL_FLOW = 1 << 3,     /* If/Loop/Scan/SequenceMap: runs subgraphs */
    /* the kernel writes every element of each output it creates with ia_kctx_output, so the
     * executor does not zero-fill them first (other ops get zero-filled outputs) */
    IA_OPF_WRITES_OUTPUTS = 1 << 4
};

typedef struct ia_op_def {
    const char *domain;  /* "" for ai.onnx */
    const char *op_type;
    int since_version;   /* first opset this implementation serves */
    ia_kernel_fn run;
    unsigned flags;
    /* Optional, may be NULL: called once at session creation (optimize level >= 1), after
     * shape inference and constant folding, for each top-level node not folded away. In that
     * call only constant inputs have values (ia_kctx_input_data() is NULL for the others); it
     * may build derived data (pre-packed weights) and hand it over with ia_kctx_set_state().
     * It must not create outputs. A failure is not fatal: the node just runs without state.
     * Attached to ops by ops/prepare.def (registry.c). */
    ia_kernel_fn prepare;
} ia_op_def;

/* Registry: the implementation with the greatest since_version <= opset, or NULL. */
const ia_op_def *ia__op_find(const char *domain, const char *op_type, int64_t opset);
/* Whether any version of the op exists (for error messages). */
int ia__op_known(const char *domain, const char *op_type);
/* All registered ops, sorted by (domain, op_type, since_version). */
const ia_op_def *ia__op_table(size_t *count);

/* ---- kernel context: inputs ---- */
int ia_kctx_num_inputs(const ia_kctx *ctx);  /* as written on the node, omitted ones included */
int ia_kctx_num_outputs(const ia_kctx *ctx);
/* The tensor at input i, or NULL when omitted / out of range / not a tensor. In shape-only
 * mode its data may be NULL. */
const ia_tensor *ia_kctx_input(const ia_kctx *ctx, int i);
/* Like ia_kctx_input but NULL also when the value is not known (shape-only mode). */
const ia_tensor *ia_kctx_input_data(const ia_kctx *ctx, int i);
/* The raw value at input i (sequence, optional, tensor), or NULL when omitted. */
const ia_value *ia_kctx_input_value(const ia_kctx *ctx, int i);
int ia_kctx_shape_only(const ia_kctx *ctx);
/* Whether output i is consumed (named on the node). */
int ia_kctx_output_wanted(const ia_kctx *ctx, int i);

/* ---- outputs ---- */
/* Creates output i with the given dtype and shape (zero-filled storage unless the op has
 * IA_OPF_WRITES_OUTPUTS, none in shape-only mode) and returns it in *out (may be NULL). Omitted outputs get a scratch tensor that is
 * dropped. Fails with IA_ERR_LIMIT if the size is absurd. */
int ia_kctx_output(ia_kctx *ctx, int i, int dtype, int rank, const int64_t *dims, ia_tensor **out);
/* Sets output i to `v` (ownership passes to the executor). */
int ia_kctx_set_output(ia_kctx *ctx, int i, ia_value *v);
/* Output i shares input j's tensor (zero copy, Identity-like). Only when dtype/shape equal
 * or the kernel reshapes with ia_kctx_output_alias_reshape. */
int ia_kctx_output_alias(ia_kctx *ctx, int i, int j);
/* Output i is input j's data with a new shape (Reshape/Squeeze/Flatten...): zero copy. */
int ia_kctx_output_alias_reshape(ia_kctx *ctx, int i, int j, int rank, const int64_t *dims);

/* ---- attributes (defaults returned when absent) ---- */
const ia_attr *ia_kctx_attr(const ia_kctx *ctx, const char *name);
int64_t ia_kctx_attr_int(const ia_kctx *ctx, const char *name, int64_t dflt);
float ia_kctx_attr_float(const ia_kctx *ctx, const char *name, float dflt);
const char *ia_kctx_attr_string(const ia_kctx *ctx, const char *name, const char *dflt);
/* List attributes: returns element count (0 when absent) and sets *vals. */
size_t ia_kctx_attr_ints(const ia_kctx *ctx, const char *name, const int64_t **vals);
size_t ia_kctx_attr_floats(const ia_kctx *ctx, const char *name, const float **vals);
const ia_tensor *ia_kctx_attr_tensor(const ia_kctx *ctx, const char *name);
struct ia_graph *ia_kctx_attr_graph(const ia_kctx *ctx, const char *name);

/* ---- environment ---- */
int64_t ia_kctx_opset(const ia_kctx *ctx); /* opset of the node's domain */
const ia_node *ia_kctx_node(const ia_kctx *ctx);
ia_threadpool *ia_kctx_pool(const ia_kctx *ctx);
/* Records an error for this node and returns `status`. */
int ia_kctx_fail(ia_kctx *ctx, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs subgraph `g` (an attribute of this node) with `n_in` input values bound to its inputs
 * in order (borrowed); outer-scope names resolve to this node's graph. Fills `outs` (n_out
 * must equal g->n_outputs) with new values the caller owns. */
int ia_kctx_run_subgraph(ia_kctx *ctx, struct ia_graph *g, size_t n_in, ia_value *const *in,
                         size_t n_out, ia_value **outs);

/* Per-node prepared state: during prepare, ia_kctx_set_state hands `state` (freed later with
 * `destroy`, which may be NULL) to the session; at run time ia_kctx_state returns it (NULL
 * when none, in subgraphs, or during shape inference). The state is shared by concurrent runs
 * of the session: treat it as read-only. */
int ia_kctx_set_state(ia_kctx *ctx, void *state, void (*destroy)(void *state));
void *ia_kctx_state(const ia_kctx *ctx);
/* During prepare, after ia_kctx_set_state: declares that at run time the kernel reads only the
 * state, never the data of constant input i (0..31; its dtype and shape are still read). When
 * every reader of a constant declares this, the session drops the constant's data (the packed
 * copy replaces it), so the weights are not held twice. */
void ia_kctx_state_replaces_input(ia_kctx *ctx, int i);

/* Scratch memory for the duration of the kernel call (freed by the executor afterwards). */
void *ia_kctx_scratch(ia_kctx *ctx, size_t bytes);

#endif
