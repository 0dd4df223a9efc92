/* Sessions on the native CPU engine: model + prepared graph + thread pool + run state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/session.h"
#include "onnx/ir.h"
#include "runtime/exec.h"

struct ia_session {
    ia_model *model;
    ia_threadpool *pool;
    ia_exec_env env;
    ia_session_options opts;
    ia_run_stats stats;
};

void ia_session_options_init(ia_session_options *o) {
    memset(o, 0, sizeof *o);
    o->optimize_level = 2;
}

static uint64_t default_tensor_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psz <= 0) return (uint64_t)8 << 30;
    return (uint64_t)pages * (uint64_t)psz / 2;
}

int ia_session_create_from_model(ia_model *model, const ia_session_options *opts, ia_session **out) {
    *out = NULL;
    if (!model) return ia_set_error(IA_ERR_INVALID_ARG, "no model");
    ia_session *s = ia_calloc(1, sizeof *s);
    if (!s) {
        ia_model_destroy(model);
        return IA_ERR_NOMEM;
    }
    s->model = model;
    if (opts) s->opts = *opts; else ia_session_options_init(&s->opts);
    s->env.max_tensor_bytes = s->opts.max_tensor_bytes ? s->opts.max_tensor_bytes : default_tensor_limit();
    int rc = ia_threadpool_create(s->opts.threads, &s->pool);
    if (!rc) rc = ia__bufpool_create(&s->env.buffers);
    if (!rc) {
        s->env.pool = s->pool;
        rc = ia__graph_prepare(model->graph, s->opts.optimize_level, &s->env);
    }
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ia_last_error());
        ia_session_destroy(s);
        return ia_set_error(rc, "%s", msg);
    }
    *out = s;
    return IA_OK;
}

int ia_session_create(const char *path, const ia_session_options *opts, ia_session **out) {
    ia_model *m;
    *out = NULL;
    int rc = ia_model_load(path, &m);
    if (rc) return rc;
    return ia_session_create_from_model(m, opts, out);
}

void ia_session_destroy(ia_session *s) {
    if (!s) return;
    ia_threadpool_destroy(s->pool);
    ia__exec_env_free_states(&s->env);
    ia_model_destroy(s->model);
    ia__bufpool_release(s->env.buffers);
    ia_free(s->env.node_ms);
    ia_free(s->env.node_calls);
    ia_free(s);
}

size_t ia_session_input_count(const ia_session *s) {
    /* inputs that have an initializer are optional overrides; they are still listed */
    return s->model->graph->n_inputs;
}
size_t ia_session_output_count(const ia_session *s) { return s->model->graph->n_outputs; }

const char *ia_session_input_name(const ia_session *s, size_t i) {
    const ia_graph *g = s->model->graph;
    return i < g->n_inputs ? g->values[g->inputs[i]].name : NULL;
}

const char *ia_session_output_name(const ia_session *s, size_t i) {
    const ia_graph *g = s->model->graph;
    return i < g->n_outputs ? g->values[g->outputs[i]].name : NULL;
}

static int fill_type(const ia_type_info *t, int *kind, int *dtype, int *rank, int64_t *dims) {
    if (kind) *kind = t->kind;
    if (dtype) *dtype = t->elem_dtype;
    if (rank) *rank = t->rank;
    if (dims)
        for (int d = 0; d < t->rank; d++) dims[d] = t->dims[d];
    return IA_OK;
}

int ia_session_input_type(const ia_session *s, size_t i, int *kind, int *dtype, int *rank, int64_t *dims) {
    const ia_graph *g = s->model->graph;
    if (i >= g->n_inputs) return IA_ERR_INVALID_ARG;
    return fill_type(&g->values[g->inputs[i]].type, kind, dtype, rank, dims);
}

int ia_session_output_type(const ia_session *s, size_t i, int *kind, int *dtype, int *rank, int64_t *dims) {
    const ia_graph *g = s->model->graph;
    if (i >= g->n_outputs) return IA_ERR_INVALID_ARG;
    return fill_type(&g->values[g->outputs[i]].type, kind, dtype, rank, dims);
}

const ia_model *ia_session_model(const ia_session *s) { return s->model; }

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int ia_session_run(ia_session *s, ia_value *const *inputs, size_t n_inputs, ia_value **outputs, size_t n_outputs) {
    const ia_graph *g = s->model->graph;
    s->env.errmsg[0] = '\0';
    if (n_inputs != g->n_inputs) {
        snprintf(s->env.errmsg, sizeof s->env.errmsg, "the model has %zu inputs, %zu given", g->n_inputs, n_inputs);
        return IA_ERR_INVALID_ARG;
    }
    if (n_outputs != g->n_outputs) {
        snprintf(s->env.errmsg, sizeof s->env.errmsg, "the model has %zu outputs, room for %zu given", g->n_outputs, n_outputs);
        return IA_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < n_outputs; i++) outputs[i] = NULL;
    s->env.live_bytes = s->env.peak_bytes = 0;
    s->env.nodes_run = 0;
    s->env.depth = 0;
    ia_bufpool_stats before, after;
    ia__bufpool_stats(s->env.buffers, &before);
    ia__bufpool_run_begin(s->env.buffers);
    double t0 = now_ms();
    int rc = ia__exec_graph(&s->env, g, NULL, inputs, outputs);
    s->stats.total_ms = now_ms() - t0;
    ia__bufpool_run_end(s->env.buffers);
    ia__bufpool_stats(s->env.buffers, &after);
    s->stats.allocations = after.mallocs - before.mallocs;
    s->stats.nodes_run = s->env.nodes_run;
    s->stats.peak_bytes = s->env.peak_bytes;
    if (rc && !s->env.errmsg[0]) snprintf(s->env.errmsg, sizeof s->env.errmsg, "%s", ia_strerror(rc));
    return rc;
}

const char *ia_session_errmsg(const ia_session *s) { return s ? s->env.errmsg : ia_last_error(); }

void ia_session_last_stats(const ia_session *s, ia_run_stats *st) { *st = s->stats; }

int ia_session_profile_enable(ia_session *s, int on) {
    size_t n = s->model->graph->n_nodes;
    if (!on) {
        ia_free(s->env.node_ms);
        ia_free(s->env.node_calls);
        s->env.node_ms = NULL;
        s->env.node_calls = NULL;
        return IA_OK;
    }
    if (s->env.node_ms) return IA_OK;
    s->env.node_ms = ia_calloc(n ? n : 1, sizeof *s->env.node_ms);
    s->env.node_calls = ia_calloc(n ? n : 1, sizeof *s->env.node_calls);
    if (!s->env.node_ms || !s->env.node_calls) {
        ia_session_profile_enable(s, 0);
        return IA_ERR_NOMEM;
    }
    return IA_OK;
}

void ia_session_profile_reset(ia_session *s) {
    size_t n = s->model->graph->n_nodes;
    if (!s->env.node_ms) return;
    memset(s->env.node_ms, 0, (n ? n : 1) * sizeof *s->env.node_ms);
    memset(s->env.node_calls, 0, (n ? n : 1) * sizeof *s->env.node_calls);
}

typedef struct prof_row {
    const char *name, *op;
    double ms;
    uint64_t calls;
} prof_row;

static int cmp_prof(const void *a, const void *b) {
    double x = ((const prof_row *)a)->ms, y = ((const prof_row *)b)->ms;
    return (x < y) - (x > y);
}

void ia_session_profile_report(const ia_session *s, FILE *out, size_t top) {
    const ia_graph *g = s->model->graph;
    size_t n = g->n_nodes;
    if (!s->env.node_ms || !n) {
        fprintf(out, "profile: no data (enable profiling, then run)\n");
        return;
    }
    prof_row *nodes = ia_calloc(n, sizeof *nodes), *ops = ia_calloc(n, sizeof *ops);
    if (!nodes || !ops) {
        ia_free(nodes);
        ia_free(ops);
        return;
    }
    size_t n_ops = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        nodes[i] = (prof_row){g->nodes[i].name, g->nodes[i].op_type, s->env.node_ms[i], s->env.node_calls[i]};
        total += s->env.node_ms[i];
        size_t k;
        for (k = 0; k < n_ops; k++)
            if (!strcmp(ops[k].op, g->nodes[i].op_type)) break;
        if (k == n_ops) ops[n_ops++] = (prof_row){NULL, g->nodes[i].op_type, 0, 0};
        ops[k].ms += s->env.node_ms[i];
        ops[k].calls += s->env.node_calls[i];
    }
    qsort(ops, n_ops, sizeof *ops, cmp_prof);
    qsort(nodes, n, sizeof *nodes, cmp_prof);
    fprintf(out, "profile: %.3f ms in kernels over all profiled runs\n%-24s %10s %7s %8s\n", total, "op type", "ms", "%", "calls");
    for (size_t k = 0; k < n_ops && ops[k].calls; k++)
        fprintf(out, "%-24s %10.3f %6.1f%% %8llu\n", ops[k].op, ops[k].ms, total > 0 ? 100 * ops[k].ms / total : 0,
                (unsigned long long)ops[k].calls);
    fprintf(out, "%-40s %-18s %10s %7s\n", "slowest nodes", "op", "ms", "%");
    for (size_t k = 0; k < n && k < top && nodes[k].calls; k++)
        fprintf(out, "%-40.40s %-18s %10.3f %6.1f%%\n", nodes[k].name, nodes[k].op, nodes[k].ms, total > 0 ? 100 * nodes[k].ms / total : 0);
    ia_free(nodes);
    ia_free(ops);
}
