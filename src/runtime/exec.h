/* The executor: runs a graph's nodes in topological order over a frame of values, frees
 * each intermediate after its last reader, and runs subgraphs with outer-scope access. */
#ifndef IA_EXEC_H
#define IA_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include "ia/tensor.h"
#include "ia/threadpool.h"
#include "onnx/ir.h"
#include "ops/op.h"
#include "runtime/bufpool.h"

typedef struct ia_exec_env {
    ia_threadpool *pool;
    ia_bufpool *buffers; /* storage of intermediate tensors (may be NULL) */
    uint64_t max_tensor_bytes;
    char errmsg[2048];
    uint64_t live_bytes, peak_bytes;
    size_t nodes_run;
    int depth; /* subgraph nesting of the current call */
    double *node_ms; /* when profiling: time per top-level node, accumulated over runs */
    uint64_t *node_calls;
    /* per-node prepared state (ia_op_def.prepare) of the top-level graph `state_graph` */
    const ia_graph *state_graph;
    void **node_state;
    void (**node_state_free)(void *);
    size_t n_node_state;
} ia_exec_env;

typedef struct ia_frame {
    const ia_graph *g;
    ia_value **vals;
    unsigned char *owned;
    struct ia_frame *parent;
    ia_exec_env *env;
} ia_frame;

struct ia_kctx {
    const ia_node *node;
    ia_value **in;
    int n_in;
    ia_value **out;
    int n_out;
    int shape_only;
    ia_exec_env *env;
    ia_frame *frame;
    void **scratch;
    size_t n_scratch;
    char err[1024];
    int has_err;
    void *new_state; /* set by ia_kctx_set_state during a prepare call */
    void (*new_state_free)(void *);
    unsigned new_state_inputs; /* inputs the new state replaces (ia_kctx_state_replaces_input) */
};

/* Runs graph `g`. `inputs` (g->n_inputs entries, borrowed, NULL = use the initializer
 * default) bind the graph inputs; `outputs` (g->n_outputs) receive new owned values. */
int ia__exec_graph(ia_exec_env *env, const ia_graph *g, ia_frame *parent, ia_value *const *inputs,
                   ia_value **outputs);

/* Calls node's kernel with a prepared context; wraps errors with the node's name. */
int ia__exec_node(ia_kctx *ctx);
/* Releases the kernel context's scratch and any outputs (on failure). */
void ia__kctx_cleanup(ia_kctx *ctx, int drop_outputs);

/* Frees the per-node prepared states of `env` (session teardown). */
void ia__exec_env_free_states(ia_exec_env *env);

/* Static pass: resolves every node's operator (errors name the unsupported op, domain,
 * opset and node), infers types and shapes, folds constants (optimize_level >= 1), fuses
 * (optimize_level >= 2, src/graph/optimize.h). IA_OPTIMIZE in the environment overrides the level. */
int ia__graph_prepare(ia_graph *g, int optimize_level, ia_exec_env *env);

#endif
