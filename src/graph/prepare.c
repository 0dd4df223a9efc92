/* Static preparation of a graph before it runs: resolves each node's operator (naming what
 * is unsupported), infers element types and shapes by running kernels in shape-only mode,
 * and folds nodes whose inputs are all constant (which also resolves Shape/Gather/Concat
 * chains once input shapes are known). */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "graph/optimize.h"
#include "ia/alloc.h"
#include "ia/log.h"
#include "onnx/proto.h"
#include "runtime/exec.h"

#define FOLD_MAX_BYTES (64u << 20) /* never materialise a folded constant above this */

enum { ST_UNKNOWN = 0, ST_TYPED, ST_SHAPED, ST_CONST };

static void noop_release(void *c, void *d) { (void)c; (void)d; }

static int resolve_ops(ia_graph *g) {
    const ia_model *m = g->model;
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        n->opset = ia__model_opset(m, n->domain);
        if (n->opset == 0) {
            if (n->domain[0])
                return ia_set_error(IA_ERR_UNSUPPORTED, "node '%s' uses op %s from domain '%s', which the model does not import",
                                    n->name, n->op_type, n->domain);
            n->opset = 1; /* IR < 3 files without opset_import */
        }
        n->op = ia__op_find(n->domain, n->op_type, n->opset);
        if (!n->op)
            return ia_set_error(IA_ERR_UNSUPPORTED, "unsupported operator %s%s%s (opset %lld) at node '%s'%s",
                                n->domain[0] ? n->domain : "", n->domain[0] ? "." : "", n->op_type, (long long)n->opset,
                                n->name, ia__op_known(n->domain, n->op_type) ? ": no implementation for this opset" : "");
        for (int a = 0; a < n->n_attrs; a++) {
            ia_attr *at = &n->attrs[a];
            int rc;
            if (at->g && (rc = resolve_ops(at->g))) return rc;
            for (size_t k = 0; at->graphs && k < at->n; k++)
                if ((rc = resolve_ops(at->graphs[k]))) return rc;
        }
    }
    return IA_OK;
}

static int type_fully_known(const ia_type_info *t) {
    if (t->kind != IA_VALUE_TENSOR || !t->elem_dtype || t->rank < 0) return 0;
    for (int d = 0; d < t->rank; d++)
        if (t->dims[d] < 0) return 0;
    return 1;
}

static int set_const(ia_value_slot *s, ia_tensor *t) {
    ia_tensor_release(s->init);
    s->init = ia_tensor_retain(t);
    ia_value_destroy(s->cvalue);
    s->cvalue = NULL;
    return ia_value_from_tensor(t, &s->cvalue);
}

static int record_type(ia_graph *g, const ia_node *n, int slot, const ia_tensor *t, int with_shape) {
    ia_value_slot *s = &g->values[slot];
    ia_type_info *ty = &s->type;
    if (ty->kind == IA_VALUE_TENSOR && ty->elem_dtype && ty->elem_dtype != t->dtype)
        return ia_set_error(IA_ERR_TYPE, "node '%s' (%s) produces %s for '%s', but the model declares %s", n->name, n->op_type,
                            ia_dtype_name(t->dtype), s->name, ia_dtype_name(ty->elem_dtype));
    if (ty->kind && ty->kind != IA_VALUE_TENSOR)
        return ia_set_error(IA_ERR_TYPE, "node '%s' (%s) produces a tensor for '%s', which the model declares as a %s", n->name,
                            n->op_type, s->name, ty->kind == IA_VALUE_SEQUENCE ? "sequence" : "optional");
    if (with_shape && ty->kind == IA_VALUE_TENSOR && ty->rank >= 0) {
        int bad = ty->rank != t->rank;
        for (int d = 0; !bad && d < t->rank; d++) bad = ty->dims[d] >= 0 && ty->dims[d] != t->dims[d];
        if (bad) {
            char a[256], b[256];
            ia_shape_str(t->rank, t->dims, a, sizeof a);
            ia_shape_str(ty->rank, ty->dims, b, sizeof b);
            IA_LOG_D("node '%s': inferred shape %s for '%s' differs from the declared %s", n->name, a, s->name, b);
        }
    }
    ty->kind = IA_VALUE_TENSOR;
    ty->elem_dtype = t->dtype;
    if (with_shape) {
        ty->rank = t->rank;
        for (int d = 0; d < t->rank; d++) {
            ty->dims[d] = t->dims[d];
        }
    }
    return IA_OK;
}

/* Infers and folds over the nodes of one graph (the top-level one). */
static int infer_graph(ia_graph *g, ia_exec_env *env, int fold) {
    size_t nv = g->n_values;
    int rc = IA_OK;
    unsigned char *st = ia_calloc(nv ? nv : 1, 1);
    ia_value **known = ia_calloc(nv ? nv : 1, sizeof *known);
    if (!st || !known) {
        ia_free(st);
        ia_free(known);
        return IA_ERR_NOMEM;
    }
    for (size_t i = 0; i < nv; i++) {
        ia_value_slot *s = &g->values[i];
        if (s->init && !s->is_input) {
            if (!s->cvalue && (rc = ia_value_from_tensor(s->init, &s->cvalue))) goto out;
            st[i] = ST_CONST;
            known[i] = s->cvalue;
        } else if (s->init && s->is_input) {
            /* overridable default: type and shape known, value not */
            if (!s->cvalue && (rc = ia_value_from_tensor(s->init, &s->cvalue))) goto out;
        }
        if (st[i] == ST_CONST || s->outer_level) continue;
        if (s->is_input && s->type.kind == IA_VALUE_TENSOR && s->type.elem_dtype && s->type.rank >= 0) {
            int64_t dims[IA_MAX_DIMS];
            int full = type_fully_known(&s->type);
            for (int d = 0; d < s->type.rank; d++) dims[d] = s->type.dims[d] >= 0 ? s->type.dims[d] : 1;
            ia_tensor *t;
            if (ia_tensor_wrap(s->type.elem_dtype, s->type.rank, dims, NULL, SIZE_MAX, noop_release, NULL, &t)) continue;
            rc = ia_value_from_tensor(t, &known[i]);
            ia_tensor_release(t);
            if (rc) goto out;
            st[i] = full ? ST_SHAPED : ST_TYPED;
        }
    }
    ia_value *inb[64], *outb[64];
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        if (n->n_inputs > 64 || n->n_outputs > 64 || (n->op->flags & IA_OPF_CONTROL_FLOW)) continue;
        int worst = ST_CONST, missing = 0;
        for (int k = 0; k < n->n_inputs; k++) {
            int s = n->inputs[k];
            if (s < 0) { inb[k] = NULL; continue; }
            inb[k] = known[s];
            if (!known[s] || known[s]->kind != IA_VALUE_TENSOR) missing = 1;
            else if (st[s] < worst) worst = st[s];
        }
        if (missing) continue;
        int mode; /* 0 = full run (fold), 1 = shape only */
        if (worst == ST_CONST && fold && !(n->op->flags & IA_OPF_NONDETERMINISTIC)) mode = 0;
        else if (worst == ST_SHAPED && fold && (n->op->flags & IA_OPF_SHAPE_VALUE)) mode = 0;
        else if (n->op->flags & IA_OPF_SHAPE_INFER) mode = 1;
        else continue;
        ia_kctx ctx = {0};
        memset(outb, 0, sizeof outb);
        ctx.node = n;
        ctx.in = inb;
        ctx.n_in = n->n_inputs;
        ctx.out = outb;
        ctx.n_out = n->n_outputs;
        ctx.env = env;
        ctx.shape_only = mode == 1;
        uint64_t saved_limit = env->max_tensor_bytes;
        if (mode == 0) env->max_tensor_bytes = FOLD_MAX_BYTES;
        int krc = ia__exec_node(&ctx);
        env->max_tensor_bytes = saved_limit;
        ia__kctx_cleanup(&ctx, krc != 0);
        if (krc) {
            /* Failing on fully known inputs means the model cannot run: report it now. */
            if (worst >= ST_SHAPED && krc != IA_ERR_NEED_VALUE && krc != IA_ERR_LIMIT && krc != IA_ERR_NOMEM &&
                krc != IA_ERR_UNSUPPORTED) {
                rc = ia_set_error(krc, "%s", env->errmsg);
                goto out;
            }
            continue;
        }
        int result = mode == 0 ? ST_CONST : worst == ST_TYPED ? ST_TYPED : ST_SHAPED;
        for (int o = 0; o < n->n_outputs; o++) {
            int s = n->outputs[o];
            ia_value *v = outb[o];
            outb[o] = NULL;
            if (s < 0 || !v) {
                ia_value_destroy(v);
                continue;
            }
            if (v->kind == IA_VALUE_TENSOR && (rc = record_type(g, n, s, v->tensor, result != ST_TYPED))) {
                ia_value_destroy(v);
                for (int q = o + 1; q < n->n_outputs; q++) ia_value_destroy(outb[q]);
                goto out;
            }
            if (known[s] && known[s] != g->values[s].cvalue) ia_value_destroy(known[s]);
            if (result == ST_CONST && v->kind == IA_VALUE_TENSOR && !g->values[s].is_output) {
                rc = set_const(&g->values[s], v->tensor);
                ia_value_destroy(v);
                if (rc) goto out;
                known[s] = g->values[s].cvalue;
            } else {
                known[s] = v; /* graph outputs keep being computed at run time */
            }
            st[s] = (unsigned char)result;
        }
    }
out:
    for (size_t i = 0; i < nv; i++)
        if (known[i] && known[i] != g->values[i].cvalue) ia_value_destroy(known[i]);
    ia_free(known);
    ia_free(st);
    return rc;
}

/* Initializers of every graph (subgraphs included) become shared constant values. */
static int make_cvalues(ia_graph *g) {
    for (size_t i = 0; i < g->n_values; i++) {
        ia_value_slot *s = &g->values[i];
        if (s->init && !s->cvalue && ia_value_from_tensor(s->init, &s->cvalue)) return IA_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int a = 0; a < g->nodes[i].n_attrs; a++) {
            ia_attr *at = &g->nodes[i].attrs[a];
            if (at->g && make_cvalues(at->g)) return IA_ERR_NOMEM;
            for (size_t k = 0; at->graphs && k < at->n; k++)
                if (make_cvalues(at->graphs[k])) return IA_ERR_NOMEM;
        }
    return IA_OK;
}

/* Whether a subgraph of `g` (at any depth below `level` graphs under the top-level one) reads
 * top-level slot `s` through the outer scope. */
static int subgraph_reads(const ia_graph *g, int level, int s) {
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int a = 0; a < g->nodes[i].n_attrs; a++) {
            const ia_attr *at = &g->nodes[i].attrs[a];
            size_t n = at->g ? 1 : at->graphs ? at->n : 0;
            for (size_t k = 0; k < n; k++) {
                const ia_graph *sg = at->g ? at->g : at->graphs[k];
                for (size_t v = 0; v < sg->n_values; v++)
                    if (sg->values[v].outer_level == level + 1 && sg->values[v].outer_index == s) return 1;
                /* nested subgraphs name the top-level slot with a larger outer_level */
                if (subgraph_reads(sg, level + 1, s)) return 1;
            }
        }
    return 0;
}

/* Replaces constant slot `s`'s data by a data-less tensor of the same dtype and shape, once
 * every reader has declared that its prepared state replaces it (pre-packed weights): the
 * original is freed (or, when it lies in the mapped model file, its pages are dropped). */
static void drop_const_data(ia_graph *g, int s) {
    ia_value_slot *v = &g->values[s];
    ia_tensor *t = v->init, *empty;
    if (!t || !t->data || t->nbytes < 4096) return;
    if (ia_tensor_wrap(t->dtype, t->rank, t->dims, NULL, SIZE_MAX, noop_release, NULL, &empty)) return;
    if (t->release == ia__filemap_tensor_release && !((const ia_filemap *)t->release_ctx)->keep) {
        /* a private read-only file mapping: dropping its pages loses nothing, a later access
         * would read the file again (not so for anonymous memory a store load filled: `keep`) */
        uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), b = ((uintptr_t)t->data + pg - 1) & ~(pg - 1),
                  e = ((uintptr_t)t->data + t->nbytes) & ~(pg - 1);
        if (e > b) madvise((void *)b, e - b, MADV_DONTNEED);
    }
    IA_LOG_D("dropping the data of '%s' (%zu bytes): every reader uses its pre-packed form", v->name, t->nbytes);
    if (set_const(v, empty)) IA_LOG_W("could not replace constant '%s'", v->name);
    ia_tensor_release(empty);
}

/* Calls ia_op_def.prepare on the top-level graph's nodes that are not folded away, with only
 * constant (non-overridable) inputs bound, and keeps the states they set in `env`. A constant
 * whose every reader declares that its state replaces it is dropped (drop_const_data). */
static int prepare_states(ia_graph *g, ia_exec_env *env) {
    ia__exec_env_free_states(env);
    env->node_state = ia_calloc(g->n_nodes ? g->n_nodes : 1, sizeof *env->node_state);
    env->node_state_free = ia_calloc(g->n_nodes ? g->n_nodes : 1, sizeof *env->node_state_free);
    if (!env->node_state || !env->node_state_free) {
        ia__exec_env_free_states(env);
        return IA_ERR_NOMEM;
    }
    env->n_node_state = g->n_nodes;
    env->state_graph = g;
    /* readers of each slot, and how many of them read a prepared state instead of the data */
    int *readers = ia_calloc(g->n_values ? g->n_values : 1, 2 * sizeof *readers), *covered;
    if (!readers) return IA_ERR_NOMEM;
    covered = readers + g->n_values;
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0) readers[g->nodes[i].inputs[k]]++;
    int dropped = 0, may_drop = !ia__opt_disabled("drop_packed");
    ia_value *inb[64], *outb[64] = {0};
    for (size_t i = 0; i < g->n_nodes; i++) {
        ia_node *n = &g->nodes[i];
        if (!n->op || !n->op->prepare || n->n_inputs > 64 || n->n_outputs > 64) continue;
        int folded = 1;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] >= 0 && !g->values[n->outputs[o]].cvalue) folded = 0;
        if (folded) continue;
        for (int k = 0; k < n->n_inputs; k++) {
            int s = n->inputs[k];
            inb[k] = s >= 0 && !g->values[s].is_input && !g->values[s].outer_level ? g->values[s].cvalue : NULL;
        }
        ia_kctx ctx = {0};
        ctx.node = n;
        ctx.in = inb;
        ctx.n_in = n->n_inputs;
        ctx.out = outb;
        ctx.n_out = n->n_outputs;
        ctx.env = env;
        if (n->op->prepare(&ctx) == IA_OK) {
            env->node_state[i] = ctx.new_state;
            env->node_state_free[i] = ctx.new_state_free;
            for (int k = 0; ctx.new_state && k < n->n_inputs && k < 32; k++) {
                int s = n->inputs[k];
                if (s < 0 || !(ctx.new_state_inputs & (1u << k))) continue;
                const ia_value_slot *v = &g->values[s];
                if (++covered[s] == readers[s] && may_drop && inb[k] && !v->is_input && !v->is_output && !v->outer_level &&
                    !subgraph_reads(g, 0, s)) {
                    drop_const_data(g, s);
                    dropped = 1;
                }
            }
        } else if (ctx.new_state && ctx.new_state_free) {
            ctx.new_state_free(ctx.new_state);
        }
        ia__kctx_cleanup(&ctx, 1);
    }
    ia_free(readers);
#ifdef __GLIBC__
    if (dropped) malloc_trim(0); /* hand the freed weights' heap pages back to the system */
#else
    (void)dropped;
#endif
    return IA_OK;
}

/* Drops the resident pages of the model's file mappings once the loader has read them: parsing
 * touched every page, yet many initializers were copied out (unaligned raw data) and more will
 * be replaced by pre-packed copies. The mappings are private and read-only, so this loses
 * nothing; the pages still in use (zero-copy weights) come back from the page cache on access. */
static void drop_file_pages(const ia_model *m) {
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (size_t i = 0; m && i <= m->n_external; i++) {
        const ia_filemap *fm = i < m->n_external ? m->external_maps[i] : m->file_map;
        if (!fm || fm->keep || !fm->len || ((uintptr_t)fm->addr & (pg - 1))) continue; /* keep: anonymous memory */
        madvise(fm->addr, fm->len, MADV_DONTNEED);
    }
}

int ia__graph_prepare(ia_graph *g, int optimize_level, ia_exec_env *env) {
    int rc = resolve_ops(g);
    if (rc) return rc;
    if (!g->parent && !ia__opt_disabled("drop_pages")) drop_file_pages(g->model);
    if ((rc = make_cvalues(g))) return rc;
    /* constants of every graph become shared values (subgraph ones too) */
    const char *force = getenv("IA_OPTIMIZE"); /* test override: run every session at this level */
    if (force && force[0] >= '0' && force[0] <= '2' && !force[1]) optimize_level = force[0] - '0';
    if ((rc = infer_graph(g, env, optimize_level >= 1))) return rc;
    /* level 2: fusions over the typed, folded top-level graph */
    if (optimize_level >= 2 && (rc = ia__graph_optimize(g))) return rc;
    /* then per-node prepared state (pre-packed weights) for the nodes that remain */
    return optimize_level >= 1 ? prepare_states(g, env) : IA_OK;
}
