/* IR graph helpers: name interning (with outer-scope resolution for subgraphs), attribute
 * lookup, topological sort with cycle and undefined-input checks, and destruction. */
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "onnx/ir.h"
#include "onnx/proto.h"

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int ia__graph_create(ia_graph *parent, ia_model *model, ia_graph **out) {
    ia_graph *g = ia_calloc(1, sizeof *g);
    if (!g) return IA_ERR_NOMEM;
    g->parent = parent;
    g->model = model;
    *out = g;
    return IA_OK;
}

int ia__graph_find(const ia_graph *g, const char *name) {
    if (!g->map_cap) return -1;
    size_t mask = g->map_cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        int k = g->map[i];
        if (k < 0) return -1;
        if (!strcmp(g->values[k].name, name)) return k;
    }
}

static int map_insert(ia_graph *g, int idx) {
    if ((g->n_values + 1) * 2 > g->map_cap) {
        size_t cap = g->map_cap ? g->map_cap * 2 : 64;
        int *map = ia_malloc(cap * sizeof *map);
        if (!map) return IA_ERR_NOMEM;
        for (size_t i = 0; i < cap; i++) map[i] = -1;
        ia_free(g->map);
        g->map = map;
        g->map_cap = cap;
        for (size_t k = 0; k < g->n_values; k++)
            if ((int)k != idx) {
                size_t i = hash_str(g->values[k].name) & (cap - 1);
                while (map[i] >= 0) i = (i + 1) & (cap - 1);
                map[i] = (int)k;
            }
    }
    size_t i = hash_str(g->values[idx].name) & (g->map_cap - 1);
    while (g->map[i] >= 0) i = (i + 1) & (g->map_cap - 1);
    g->map[i] = idx;
    return IA_OK;
}

int ia__graph_intern(ia_graph *g, const char *name, int resolve_outer) {
    int k = ia__graph_find(g, name);
    if (k >= 0) return k;
    int level = 0, outer = -1;
    if (resolve_outer) {
        int lv = 1;
        for (ia_graph *p = g->parent; p; p = p->parent, lv++) {
            int j = ia__graph_find(p, name);
            if (j >= 0) {
                level = lv;
                outer = j;
                break;
            }
        }
    }
    if (g->n_values == g->cap_values) {
        size_t cap = g->cap_values ? g->cap_values * 2 : 32;
        ia_value_slot *v = ia_realloc(g->values, cap * sizeof *v);
        if (!v) return -1;
        g->values = v;
        g->cap_values = cap;
    }
    ia_value_slot *s = &g->values[g->n_values];
    memset(s, 0, sizeof *s);
    s->name = ia_strdup(name);
    if (!s->name) return -1;
    s->type.rank = -1;
    s->producer = -1;
    s->last_use = -1;
    s->outer_level = level;
    s->outer_index = outer;
    if (level) {
        /* inherit the outer declaration's type */
        ia_graph *p = g;
        for (int i = 0; i < level; i++) p = p->parent;
        if (ia__type_info_copy(&s->type, &p->values[outer].type)) return -1;
    }
    int idx = (int)g->n_values++;
    if (map_insert(g, idx)) return -1;
    return idx;
}

const ia_attr *ia__node_attr(const ia_node *n, const char *name) {
    for (int i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name)) return &n->attrs[i];
    return NULL;
}

int64_t ia__model_opset(const ia_model *m, const char *domain) {
    if (!strcmp(domain, "ai.onnx")) domain = "";
    for (size_t i = 0; i < m->n_opsets; i++) {
        const char *d = m->opsets[i].domain;
        if (!strcmp(d, "ai.onnx")) d = "";
        if (!strcmp(d, domain)) return m->opsets[i].version;
    }
    return 0;
}

/* Adds to `out` the slots of graph `target` that subgraph `g` (depth levels below target)
 * reads from outer scope. */
static int collect_outer(const ia_graph *g, int depth, int **out, int *n, int *cap) {
    for (size_t i = 0; i < g->n_values; i++) {
        const ia_value_slot *s = &g->values[i];
        if (s->outer_level != depth) continue;
        int dup = 0;
        for (int k = 0; k < *n; k++) dup |= (*out)[k] == s->outer_index;
        if (dup) continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            int *a = ia_realloc(*out, (size_t)*cap * sizeof *a);
            if (!a) return IA_ERR_NOMEM;
            *out = a;
        }
        (*out)[(*n)++] = s->outer_index;
    }
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int a = 0; a < g->nodes[i].n_attrs; a++) {
            const ia_attr *at = &g->nodes[i].attrs[a];
            if (at->g && collect_outer(at->g, depth + 1, out, n, cap)) return IA_ERR_NOMEM;
            for (size_t k = 0; k < at->n && at->graphs; k++)
                if (collect_outer(at->graphs[k], depth + 1, out, n, cap)) return IA_ERR_NOMEM;
        }
    return IA_OK;
}

int ia__graph_finalize(ia_graph *g) {
    size_t nn = g->n_nodes, nv = g->n_values;
    int rc = IA_OK;
    /* implicit inputs of nodes with subgraphs */
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        int cap = 0;
        for (int a = 0; a < n->n_attrs; a++) {
            const ia_attr *at = &n->attrs[a];
            if (at->g && (rc = collect_outer(at->g, 1, &n->implicit, &n->n_implicit, &cap))) return rc;
            for (size_t k = 0; k < at->n && at->graphs; k++)
                if ((rc = collect_outer(at->graphs[k], 1, &n->implicit, &n->n_implicit, &cap))) return rc;
        }
    }
    /* producers */
    for (size_t v = 0; v < nv; v++) g->values[v].producer = -1;
    for (size_t i = 0; i < nn; i++)
        for (int o = 0; o < g->nodes[i].n_outputs; o++) {
            int s = g->nodes[i].outputs[o];
            if (s < 0) continue;
            ia_value_slot *vs = &g->values[s];
            if (vs->producer >= 0 || vs->init || vs->is_input)
                return ia_set_error(IA_ERR_GRAPH, "value '%s' is produced twice (by node '%s' and earlier)", vs->name,
                                    g->nodes[i].name);
            vs->producer = (int)i;
        }
    /* every read must be defined */
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s < 0) continue;
            ia_value_slot *vs = &g->values[s];
            if (vs->producer < 0 && !vs->init && !vs->is_input && !vs->outer_level)
                return ia_set_error(IA_ERR_GRAPH, "node '%s' (%s) reads '%s', which no node, input or initializer defines",
                                    n->name, n->op_type, vs->name);
        }
    }
    for (size_t o = 0; o < g->n_outputs; o++) {
        ia_value_slot *vs = &g->values[g->outputs[o]];
        if (vs->producer < 0 && !vs->init && !vs->is_input && !vs->outer_level)
            return ia_set_error(IA_ERR_GRAPH, "graph output '%s' is never defined", vs->name);
    }
    /* Kahn's algorithm, keeping the file's order among ready nodes */
    int *indeg = ia_calloc(nn ? nn : 1, sizeof *indeg);
    int *order = ia_malloc((nn ? nn : 1) * sizeof *order);
    unsigned char *done = ia_calloc(nn ? nn : 1, 1);
    if (!indeg || !order || !done) {
        rc = IA_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0 && g->values[s].producer >= 0) indeg[i]++;
        }
    }
    size_t count = 0;
    /* simple O(n * passes) scan is quadratic for long chains: use a ready queue instead */
    int *queue = ia_malloc((nn ? nn : 1) * sizeof *queue);
    /* consumers lists: for each value, nodes reading it */
    int *cons_start = ia_calloc(nv + 1, sizeof *cons_start);
    int total = 0;
    for (size_t i = 0; i < nn; i++) total += g->nodes[i].n_inputs + g->nodes[i].n_implicit;
    int *cons = ia_malloc((size_t)(total ? total : 1) * sizeof *cons);
    if (!queue || !cons_start || !cons) {
        ia_free(queue); ia_free(cons_start); ia_free(cons);
        rc = IA_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0) cons_start[s + 1]++;
        }
    }
    for (size_t v = 0; v < nv; v++) cons_start[v + 1] += cons_start[v];
    int *fill = ia_calloc(nv + 1, sizeof *fill);
    if (!fill) {
        ia_free(queue); ia_free(cons_start); ia_free(cons);
        rc = IA_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0) cons[cons_start[s] + fill[s]++] = (int)i;
        }
    }
    ia_free(fill);
    /* a min-ordered ready set keeps file order: use a binary heap on node index */
    size_t qn = 0;
#define HEAP_PUSH(x)                                                                          \
    do {                                                                                      \
        size_t c_ = qn++;                                                                     \
        queue[c_] = (x);                                                                      \
        while (c_ > 0 && queue[(c_ - 1) / 2] > queue[c_]) {                                   \
            int t_ = queue[c_]; queue[c_] = queue[(c_ - 1) / 2]; queue[(c_ - 1) / 2] = t_;    \
            c_ = (c_ - 1) / 2;                                                                \
        }                                                                                     \
    } while (0)
    for (size_t i = 0; i < nn; i++)
        if (indeg[i] == 0) HEAP_PUSH((int)i);
    while (qn) {
        int x = queue[0];
        queue[0] = queue[--qn];
        for (size_t c = 0;;) {
            size_t l = 2 * c + 1, r = l + 1, m = c;
            if (l < qn && queue[l] < queue[m]) m = l;
            if (r < qn && queue[r] < queue[m]) m = r;
            if (m == c) break;
            int t = queue[c]; queue[c] = queue[m]; queue[m] = t;
            c = m;
        }
        order[count++] = x;
        done[x] = 1;
        ia_node *n = &g->nodes[x];
        for (int o = 0; o < n->n_outputs; o++) {
            int s = n->outputs[o];
            if (s < 0) continue;
            for (int k = cons_start[s]; k < cons_start[s + 1]; k++)
                if (--indeg[cons[k]] == 0) HEAP_PUSH(cons[k]);
        }
    }
#undef HEAP_PUSH
    ia_free(queue);
    ia_free(cons_start);
    ia_free(cons);
    if (count != nn) {
        const char *who = "?";
        for (size_t i = 0; i < nn; i++)
            if (!done[i]) { who = g->nodes[i].name; break; }
        rc = ia_set_error(IA_ERR_GRAPH, "graph '%s' has a cycle (node '%s' depends on its own output)",
                          g->name ? g->name : "", who);
        goto out;
    }
    /* permute nodes */
    ia_node *sorted = ia_malloc((nn ? nn : 1) * sizeof *sorted);
    if (!sorted) {
        rc = IA_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) sorted[i] = g->nodes[order[i]];
    if (nn) memcpy(g->nodes, sorted, nn * sizeof *sorted);
    ia_free(sorted);
    for (size_t v = 0; v < nv; v++) {
        g->values[v].producer = -1;
        g->values[v].last_use = -1;
        g->values[v].n_uses = 0;
    }
    for (size_t i = 0; i < nn; i++) {
        ia_node *n = &g->nodes[i];
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] >= 0) g->values[n->outputs[o]].producer = (int)i;
        for (int k = 0; k < n->n_inputs + n->n_implicit; k++) {
            int s = k < n->n_inputs ? n->inputs[k] : n->implicit[k - n->n_inputs];
            if (s >= 0) {
                g->values[s].last_use = (int)i;
                g->values[s].n_uses++;
            }
        }
    }
out:
    ia_free(indeg);
    ia_free(order);
    ia_free(done);
    return rc;
}

void ia__attr_free(ia_attr *a) {
    ia_free(a->name);
    ia_free(a->s);
    ia_tensor_release(a->t);
    if (a->g) ia__graph_destroy(a->g);
    if (a->tp) {
        ia__type_info_free(a->tp);
        ia_free(a->tp);
    }
    ia_free(a->floats);
    ia_free(a->ints);
    for (size_t i = 0; a->strings && i < a->n; i++) ia_free(a->strings[i]);
    ia_free(a->strings);
    ia_free(a->string_lens);
    for (size_t i = 0; a->tensors && i < a->n; i++) ia_tensor_release(a->tensors[i]);
    ia_free(a->tensors);
    for (size_t i = 0; a->graphs && i < a->n; i++) ia__graph_destroy(a->graphs[i]);
    ia_free(a->graphs);
    for (size_t i = 0; a->tps && i < a->n; i++) {
        ia__type_info_free(a->tps[i]);
        ia_free(a->tps[i]);
    }
    ia_free(a->tps);
}

void ia__node_free(ia_node *n) {
    ia_free(n->name);
    ia_free(n->op_type);
    ia_free(n->domain);
    ia_free(n->inputs);
    ia_free(n->outputs);
    ia_free(n->implicit);
    for (int a = 0; a < n->n_attrs; a++) ia__attr_free(&n->attrs[a]);
    ia_free(n->attrs);
    memset(n, 0, sizeof *n);
}

void ia__graph_destroy(ia_graph *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n_nodes; i++) ia__node_free(&g->nodes[i]);
    ia_free(g->nodes);
    for (size_t v = 0; v < g->n_values; v++) {
        ia_free(g->values[v].name);
        ia__type_info_free(&g->values[v].type);
        ia_tensor_release(g->values[v].init);
        ia_value_destroy(g->values[v].cvalue);
    }
    ia_free(g->values);
    ia_free(g->inputs);
    ia_free(g->outputs);
    ia_free(g->map);
    ia_free(g->name);
    ia_free(g);
}
