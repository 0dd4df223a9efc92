/* Graph optimizer (level 2): the pass list, and the small graph-rewrite toolkit the passes
 * share (constant and consumer queries, replacing a matched group of nodes by one node). */
#ifndef IA_GRAPH_OPTIMIZE_H
#define IA_GRAPH_OPTIMIZE_H

#include "onnx/ir.h"

/* Domain of the engine's private fused operators (src/ops/fused). */
#define IA_FUSED_DOMAIN "ai.ipfs_accelerate"

/* A pass rewrites `g` in place and returns how many rewrites it made, or a negative status. */
typedef struct ia_opt_pass {
    const char *name; /* as named in IA_OPT_DISABLE */
    int (*run)(ia_graph *g);
} ia_opt_pass;

/* Runs every enabled pass over the top-level graph `g` (prepared: ops resolved, types
 * inferred, constants folded). Passes named in the environment variable IA_OPT_DISABLE
 * (comma separated, or "all") are skipped. */
int ia__graph_optimize(ia_graph *g);
/* Whether IA_OPT_DISABLE names `name` (or says "all"). Besides the passes it switches off two
 * memory steps of session creation (prepare.c): "drop_packed" (dropping constants that
 * pre-packed copies replace) and "drop_pages" (releasing the model file's resident pages). */
int ia__opt_disabled(const char *name);
/* The passes in the order they run; *count receives their number. */
const ia_opt_pass *ia__opt_passes(size_t *count);

/* Fills in element types shape inference left unknown (infer_dtypes.c). */
void ia__opt_infer_dtypes(ia_graph *g);

/* ---- passes (one per file) ---- */
int ia__pass_eliminate(ia_graph *g);       /* eliminate.c */
int ia__pass_fuse_gelu(ia_graph *g);       /* fuse_gelu.c: Erf/tanh GELU, SiLU */
int ia__pass_fuse_layernorm(ia_graph *g);  /* fuse_layernorm.c: LayerNorm, RMSNorm, SkipLayerNorm */
int ia__pass_fuse_matmul_add(ia_graph *g); /* fuse_matmul_add.c: MatMul + bias (+ activation) */
int ia__pass_fuse_attention(ia_graph *g);  /* fuse_attention.c */

/* ---- rewrite toolkit (rewrite.c) ---- */
/* The constant tensor held by `slot` (initializer, Constant or folded; not an overridable
 * graph input), or NULL. */
const ia_tensor *ia__opt_const(const ia_graph *g, int slot);
/* Whether `slot` is a rank-0 float32 constant; stores its value in *v. */
int ia__opt_scalar(const ia_graph *g, int slot, float *v);
/* Whether `slot` is known to hold float32 tensors. */
int ia__opt_is_f32(const ia_graph *g, int slot);
/* Whether node i is live and computed at run time (not folded into constants). */
int ia__opt_live(const ia_graph *g, int i);
/* The producer node of `slot` if it is live with op `op_type` in the ONNX domain, else -1. */
int ia__opt_producer(const ia_graph *g, int slot, const char *op_type);
/* The only node reading `slot`, when it is read exactly once, by a live node, and is not a
 * graph output nor read by a subgraph; else -1. */
int ia__opt_sole_consumer(const ia_graph *g, int slot);
/* Whether `slot` is private to a pattern: read only by nodes in `nodes` (n entries), not a
 * graph output, not read by subgraphs. */
int ia__opt_private(const ia_graph *g, int slot, const int *nodes, int n);
/* Whether node `i` is an op of the ONNX domain named `op_type`. */
int ia__opt_is(const ia_graph *g, int i, const char *op_type);
/* The integer list of attribute `name` (NULL when absent). */
const ia_attr *ia__opt_attr(const ia_graph *g, int i, const char *name);
/* Whether a reduction node (ReduceMean...) reduces exactly the last axis with keepdims. */
int ia__opt_reduces_last_axis(const ia_graph *g, int i);

/* Attribute builders for ia__opt_replace (names copied). */
ia_attr ia__opt_attr_int(const char *name, int64_t v);
ia_attr ia__opt_attr_float(const char *name, float v);

/* Replaces node `at` by a new fused node `op_type` (domain IA_FUSED_DOMAIN) with the given
 * inputs, outputs and attributes (ownership of attrs passes), and removes the nodes in
 * `kill` (which may include `at`). The new node keeps position `at`, which must come after
 * every producer of `ins` and before every consumer of `outs`. Recomputes uses. */
int ia__opt_replace(ia_graph *g, int at, const int *kill, int n_kill, const char *op_type, const int *ins, int n_in,
                    const int *outs, int n_out, ia_attr *attrs, int n_attrs);
/* Makes every reader of `from` read `to` instead (not for graph outputs). */
void ia__opt_rewire(ia_graph *g, int from, int to);
/* Removes node i (its outputs must be unused or constant). Call ia__opt_compact after. */
void ia__opt_kill(ia_graph *g, int i);
/* Drops killed nodes, recomputes producers and uses. */
int ia__opt_compact(ia_graph *g);

#endif
