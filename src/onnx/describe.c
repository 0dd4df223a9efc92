/* Model description for `inspect`: metadata, inputs/outputs, op histogram, parameter counts,
 * external data files and unsupported ops, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/model.h"
#include "onnx/ir.h"
#include "ops/op.h"

typedef struct op_count {
    const char *domain, *op_type;
    int64_t opset;
    size_t count;
    int supported;
} op_count;

typedef struct stats {
    op_count *ops;
    size_t n_ops, cap_ops;
    uint64_t params, param_bytes;
    size_t nodes, subgraphs;
} stats;

static void count_graph(const ia_graph *g, stats *st) {
    for (size_t i = 0; i < g->n_values; i++)
        if (g->values[i].init) {
            st->params += (uint64_t)g->values[i].init->numel;
            st->param_bytes += g->values[i].init->nbytes;
        }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *n = &g->nodes[i];
        int64_t opset = ia__model_opset(g->model, n->domain);
        st->nodes++;
        size_t k;
        for (k = 0; k < st->n_ops; k++)
            if (!strcmp(st->ops[k].op_type, n->op_type) && !strcmp(st->ops[k].domain, n->domain)) break;
        if (k == st->n_ops) {
            if (st->n_ops == st->cap_ops) {
                size_t cap = st->cap_ops ? st->cap_ops * 2 : 32;
                op_count *x = ia_realloc(st->ops, cap * sizeof *x);
                if (!x) return;
                st->ops = x;
                st->cap_ops = cap;
            }
            st->ops[k] = (op_count){n->domain, n->op_type, opset, 0, ia__op_find(n->domain, n->op_type, opset ? opset : 1) != NULL};
            st->n_ops++;
        }
        st->ops[k].count++;
        for (int a = 0; a < n->n_attrs; a++) {
            if (n->attrs[a].g) { st->subgraphs++; count_graph(n->attrs[a].g, st); }
            for (size_t j = 0; n->attrs[a].graphs && j < n->attrs[a].n; j++) { st->subgraphs++; count_graph(n->attrs[a].graphs[j], st); }
        }
    }
}

static int cmp_ops(const void *a, const void *b) {
    const op_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->op_type, y->op_type);
}

static void json_str(FILE *o, const char *s) {
    fputc('"', o);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(o, "\\%c", c);
        else if (c < 0x20) fprintf(o, "\\u%04x", c);
        else fputc(c, o);
    }
    fputc('"', o);
}

static void type_str(const ia_type_info *t, char *buf, size_t cap) {
    size_t k = 0;
    if (t->kind == IA_VALUE_SEQUENCE || t->kind == IA_VALUE_OPTIONAL) {
        char inner[200] = "?";
        if (t->elem) type_str(t->elem, inner, sizeof inner);
        snprintf(buf, cap, "%s(%s)", t->kind == IA_VALUE_SEQUENCE ? "sequence" : "optional", inner);
        return;
    }
    k += (size_t)snprintf(buf, cap, "%s", t->kind ? ia_dtype_name(t->elem_dtype) : "?");
    if (t->rank < 0) { snprintf(buf + k, cap - k, "[?]"); return; }
    k += (size_t)snprintf(buf + k, cap - k, "[");
    for (int d = 0; d < t->rank && k < cap; d++) {
        if (t->dims[d] >= 0) k += (size_t)snprintf(buf + k, cap - k, d ? ",%lld" : "%lld", (long long)t->dims[d]);
        else k += (size_t)snprintf(buf + k, cap - k, d ? ",%s" : "%s", t->dim_params[d] ? t->dim_params[d] : "?");
    }
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

size_t ia_model_unsupported_count(const ia_model *m) {
    stats st = {0};
    count_graph(m->graph, &st);
    size_t n = 0;
    for (size_t i = 0; i < st.n_ops; i++) n += !st.ops[i].supported;
    ia_free(st.ops);
    return n;
}

int ia_model_describe(const ia_model *m, FILE *o, int json) {
    stats st = {0};
    count_graph(m->graph, &st);
    if (st.n_ops) qsort(st.ops, st.n_ops, sizeof *st.ops, cmp_ops);
    const ia_graph *g = m->graph;
    char buf[512];
    if (json) {
        fprintf(o, "{\"ir_version\":%lld,\"producer\":", (long long)m->ir_version);
        json_str(o, m->producer_name);
        fprintf(o, ",\"producer_version\":");
        json_str(o, m->producer_version);
        fprintf(o, ",\"graph\":");
        json_str(o, g->name);
        fprintf(o, ",\"opsets\":[");
        for (size_t i = 0; i < m->n_opsets; i++) {
            fprintf(o, "%s{\"domain\":", i ? "," : "");
            json_str(o, m->opsets[i].domain);
            fprintf(o, ",\"version\":%lld}", (long long)m->opsets[i].version);
        }
        fprintf(o, "],\"inputs\":[");
        size_t first = 1;
        for (size_t i = 0; i < g->n_inputs; i++) {
            const ia_value_slot *s = &g->values[g->inputs[i]];
            if (s->init) continue;
            type_str(&s->type, buf, sizeof buf);
            fprintf(o, "%s{\"name\":", first ? "" : ",");
            json_str(o, s->name);
            fprintf(o, ",\"type\":");
            json_str(o, buf);
            fprintf(o, "}");
            first = 0;
        }
        fprintf(o, "],\"outputs\":[");
        for (size_t i = 0; i < g->n_outputs; i++) {
            const ia_value_slot *s = &g->values[g->outputs[i]];
            type_str(&s->type, buf, sizeof buf);
            fprintf(o, "%s{\"name\":", i ? "," : "");
            json_str(o, s->name);
            fprintf(o, ",\"type\":");
            json_str(o, buf);
            fprintf(o, "}");
        }
        fprintf(o, "],\"nodes\":%zu,\"subgraphs\":%zu,\"parameters\":%llu,\"parameter_bytes\":%llu,\"ops\":[", st.nodes,
                st.subgraphs, (unsigned long long)st.params, (unsigned long long)st.param_bytes);
        for (size_t i = 0; i < st.n_ops; i++) {
            fprintf(o, "%s{\"domain\":", i ? "," : "");
            json_str(o, st.ops[i].domain);
            fprintf(o, ",\"op\":");
            json_str(o, st.ops[i].op_type);
            fprintf(o, ",\"count\":%zu,\"supported\":%s}", st.ops[i].count, st.ops[i].supported ? "true" : "false");
        }
        fprintf(o, "],\"external_data\":[");
        for (size_t i = 0; i < m->n_external; i++) {
            if (i) fputc(',', o);
            json_str(o, m->external_files[i]);
        }
        fprintf(o, "],\"metadata\":{");
        for (size_t i = 0; i < m->n_meta; i++) {
            if (i) fputc(',', o);
            json_str(o, m->meta[i].key);
            fputc(':', o);
            json_str(o, m->meta[i].value);
        }
        fprintf(o, "},\"unsupported\":[");
        first = 1;
        for (size_t i = 0; i < st.n_ops; i++)
            if (!st.ops[i].supported) {
                if (!first) fputc(',', o);
                fprintf(o, "{\"domain\":");
                json_str(o, st.ops[i].domain);
                fprintf(o, ",\"op\":");
                json_str(o, st.ops[i].op_type);
                fprintf(o, ",\"opset\":%lld}", (long long)st.ops[i].opset);
                first = 0;
            }
        fprintf(o, "]}\n");
    } else {
        fprintf(o, "IR version   %lld\n", (long long)m->ir_version);
        fprintf(o, "producer     %s %s\n", m->producer_name ? m->producer_name : "-", m->producer_version ? m->producer_version : "");
        fprintf(o, "opsets      ");
        for (size_t i = 0; i < m->n_opsets; i++)
            fprintf(o, " %s:%lld", m->opsets[i].domain[0] ? m->opsets[i].domain : "ai.onnx", (long long)m->opsets[i].version);
        fprintf(o, "\ninputs\n");
        for (size_t i = 0; i < g->n_inputs; i++) {
            const ia_value_slot *s = &g->values[g->inputs[i]];
            if (s->init) continue;
            type_str(&s->type, buf, sizeof buf);
            fprintf(o, "  %-32s %s\n", s->name, buf);
        }
        fprintf(o, "outputs\n");
        for (size_t i = 0; i < g->n_outputs; i++) {
            const ia_value_slot *s = &g->values[g->outputs[i]];
            type_str(&s->type, buf, sizeof buf);
            fprintf(o, "  %-32s %s\n", s->name, buf);
        }
        fprintf(o, "nodes        %zu (%zu subgraphs)\n", st.nodes, st.subgraphs);
        fprintf(o, "parameters   %llu (%.2f MB)\n", (unsigned long long)st.params, st.param_bytes / 1e6);
        fprintf(o, "ops\n");
        for (size_t i = 0; i < st.n_ops; i++)
            fprintf(o, "  %6zu  %s%s%s%s\n", st.ops[i].count, st.ops[i].domain[0] ? st.ops[i].domain : "",
                    st.ops[i].domain[0] ? "." : "", st.ops[i].op_type, st.ops[i].supported ? "" : "   (unsupported)");
        if (m->n_external) {
            fprintf(o, "external data\n");
            for (size_t i = 0; i < m->n_external; i++) fprintf(o, "  %s\n", m->external_files[i]);
        }
        for (size_t i = 0; i < m->n_meta; i++) fprintf(o, "metadata     %s = %s\n", m->meta[i].key, m->meta[i].value);
        size_t uns = 0;
        for (size_t i = 0; i < st.n_ops; i++) uns += !st.ops[i].supported;
        if (uns) {
            fprintf(o, "cannot run   ");
            for (size_t i = 0; i < st.n_ops; i++)
                if (!st.ops[i].supported)
                    fprintf(o, "%s%s%s (opset %lld) ", st.ops[i].domain[0] ? st.ops[i].domain : "", st.ops[i].domain[0] ? "." : "",
                            st.ops[i].op_type, (long long)st.ops[i].opset);
            fprintf(o, "\n");
        } else {
            fprintf(o, "cannot run   none: every op is supported\n");
        }
    }
    ia_free(st.ops);
    return IA_OK;
}
