/* ModelProto -> IR: parses the model file (mapped), its graphs, nodes, attributes,
 * initializers (with external data) and value infos into ia_model / ia_graph. */
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/model.h"
#include "onnx/ir.h"
#include "onnx/proto.h"

#define MAX_GRAPH_DEPTH 64
#define PERR(...) ia_set_error(IA_ERR_PARSE, __VA_ARGS__)

typedef struct span {
    const uint8_t *p;
    size_t len;
} span;

static char *span_dup(span s) { return ia_strndup((const char *)s.p, s.len); }

static int parse_graph(span bytes, ia_graph *parent, ia_model *m, const ia_decode_ctx *dc, int depth, ia_graph **out);

/* Collects every field with number `field` and wire LEN into a growable span array. */
typedef struct spans {
    span *v;
    size_t n, cap;
} spans;

static int spans_push(spans *s, span x) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        span *v = ia_realloc(s->v, cap * sizeof *v);
        if (!v) return IA_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return IA_OK;
}

static int parse_value_info(span b, char **name, ia_type_info *type) {
    ia_pb r = ia_pb_init(b.p, b.len);
    uint32_t f;
    int w, rc;
    *name = NULL;
    memset(type, 0, sizeof *type);
    type->rank = -1;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        span s;
        if ((f == 1 || f == 2) && w == IA_PB_LEN) {
            if (ia_pb_bytes(&r, &s.p, &s.len)) return PERR("ValueInfoProto: truncated");
            if (f == 1) {
                ia_free(*name);
                if (!(*name = span_dup(s))) return IA_ERR_NOMEM;
            } else {
                ia__type_info_free(type);
                if ((rc = ia__type_decode(s.p, s.len, type, 0))) return rc;
            }
        } else if (ia_pb_skip(&r, w)) {
            return PERR("ValueInfoProto: truncated field %u", f);
        }
    }
    if (rc < 0) return PERR("ValueInfoProto: malformed");
    if (!*name) return PERR("ValueInfoProto without a name");
    return IA_OK;
}

/* Parses repeated scalar lists (packed or not) into a growable array. */
static int push_i64(int64_t **a, size_t *n, size_t *cap, int64_t v) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        int64_t *x = ia_realloc(*a, c * sizeof *x);
        if (!x) return IA_ERR_NOMEM;
        *a = x;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return IA_OK;
}

static int push_f32(float **a, size_t *n, size_t *cap, float v) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        float *x = ia_realloc(*a, c * sizeof *x);
        if (!x) return IA_ERR_NOMEM;
        *a = x;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return IA_OK;
}

static int push_ptr(void ***a, size_t *n, size_t *cap, void *v) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        void **x = ia_realloc(*a, c * sizeof *x);
        if (!x) return IA_ERR_NOMEM;
        *a = x;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return IA_OK;
}

static int parse_attr(span b, ia_graph *g, const ia_decode_ctx *dc, int depth, ia_attr *a) {
    memset(a, 0, sizeof *a);
    ia_pb r = ia_pb_init(b.p, b.len);
    uint32_t f;
    int w, rc;
    size_t nf = 0, cf = 0, ni = 0, ci = 0, ns = 0, cs = 0, nt = 0, ct = 0, ng = 0, cg = 0, ntp = 0, ctp = 0;
    size_t nsl = 0, csl = 0;
    int64_t *slen = NULL;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        span s = {0};
        uint64_t v;
        uint32_t v32;
        rc = IA_OK;
        if (w == IA_PB_LEN && f != 7 && f != 8) {
            if (ia_pb_bytes(&r, &s.p, &s.len)) { rc = IA_ERR_PARSE; break; }
        }
        switch (f) {
        case 1: if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; } ia_free(a->name); if (!(a->name = span_dup(s))) rc = IA_ERR_NOMEM; break;
        case 20: if (w != IA_PB_VARINT || ia_pb_varint(&r, &v)) rc = IA_ERR_PARSE; else a->type = (int)v; break;
        case 2: if (w != IA_PB_I32 || ia_pb_fixed32(&r, &v32)) rc = IA_ERR_PARSE; else memcpy(&a->f, &v32, 4); break;
        case 3: if (w != IA_PB_VARINT || ia_pb_varint(&r, &v)) rc = IA_ERR_PARSE; else a->i = (int64_t)v; break;
        case 4:
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_free(a->s);
            if (!(a->s = span_dup(s))) rc = IA_ERR_NOMEM;
            a->s_len = s.len;
            break;
        case 5:
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_tensor_release(a->t);
            a->t = NULL;
            rc = ia__tensor_decode(s.p, s.len, dc, &a->t, NULL);
            break;
        case 22: /* sparse_tensor */
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_tensor_release(a->t);
            a->t = NULL;
            rc = ia__sparse_tensor_decode(s.p, s.len, dc, &a->t, NULL);
            break;
        case 6:
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            if (a->g) ia__graph_destroy(a->g);
            a->g = NULL;
            rc = parse_graph(s, g, g->model, dc, depth + 1, &a->g);
            break;
        case 14:
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            if (!a->tp && !(a->tp = ia_calloc(1, sizeof *a->tp))) { rc = IA_ERR_NOMEM; break; }
            ia__type_info_free(a->tp);
            rc = ia__type_decode(s.p, s.len, a->tp, 0);
            break;
        case 7: /* floats */
            if (w == IA_PB_LEN) {
                const uint8_t *d;
                size_t n;
                if (ia_pb_bytes(&r, &d, &n) || n % 4) { rc = IA_ERR_PARSE; break; }
                ia_pb sr = ia_pb_init(d, n);
                while (!rc && sr.p < sr.end) {
                    float x;
                    ia_pb_fixed32(&sr, &v32);
                    memcpy(&x, &v32, 4);
                    rc = push_f32(&a->floats, &nf, &cf, x);
                }
            } else if (w == IA_PB_I32) {
                float x;
                if (ia_pb_fixed32(&r, &v32)) { rc = IA_ERR_PARSE; break; }
                memcpy(&x, &v32, 4);
                rc = push_f32(&a->floats, &nf, &cf, x);
            } else {
                rc = IA_ERR_PARSE;
            }
            break;
        case 8: /* ints */
            if (w == IA_PB_LEN) {
                const uint8_t *d;
                size_t n;
                if (ia_pb_bytes(&r, &d, &n)) { rc = IA_ERR_PARSE; break; }
                ia_pb sr = ia_pb_init(d, n);
                while (!rc && sr.p < sr.end)
                    rc = ia_pb_varint(&sr, &v) ? IA_ERR_PARSE : push_i64(&a->ints, &ni, &ci, (int64_t)v);
            } else if (w == IA_PB_VARINT) {
                rc = ia_pb_varint(&r, &v) ? IA_ERR_PARSE : push_i64(&a->ints, &ni, &ci, (int64_t)v);
            } else {
                rc = IA_ERR_PARSE;
            }
            break;
        case 9: {
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            char *str = span_dup(s);
            if (!str || push_ptr((void ***)&a->strings, &ns, &cs, str)) { ia_free(str); rc = IA_ERR_NOMEM; break; }
            rc = push_i64(&slen, &nsl, &csl, (int64_t)s.len);
            break;
        }
        case 10:
        case 23: {
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_tensor *t;
            rc = f == 10 ? ia__tensor_decode(s.p, s.len, dc, &t, NULL) : ia__sparse_tensor_decode(s.p, s.len, dc, &t, NULL);
            if (!rc && push_ptr((void ***)&a->tensors, &nt, &ct, t)) { ia_tensor_release(t); rc = IA_ERR_NOMEM; }
            break;
        }
        case 11: {
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_graph *sg;
            rc = parse_graph(s, g, g->model, dc, depth + 1, &sg);
            if (!rc && push_ptr((void ***)&a->graphs, &ng, &cg, sg)) { ia__graph_destroy(sg); rc = IA_ERR_NOMEM; }
            break;
        }
        case 15: {
            if (w != IA_PB_LEN) { rc = IA_ERR_PARSE; break; }
            ia_type_info *tp = ia_calloc(1, sizeof *tp);
            if (!tp) { rc = IA_ERR_NOMEM; break; }
            rc = ia__type_decode(s.p, s.len, tp, 0);
            if (!rc) rc = push_ptr((void ***)&a->tps, &ntp, &ctp, tp);
            if (rc) { ia__type_info_free(tp); ia_free(tp); }
            break;
        }
        default:
            if (w != IA_PB_LEN && ia_pb_skip(&r, w)) rc = IA_ERR_PARSE;
        }
        if (rc) break;
    }
    if (!rc && nsl) {
        a->string_lens = ia_malloc(nsl * sizeof *a->string_lens);
        if (!a->string_lens) rc = IA_ERR_NOMEM;
        for (size_t i = 0; !rc && i < nsl; i++) a->string_lens[i] = (size_t)slen[i];
    }
    ia_free(slen);
    if (rc < 0) {
        /* the list fields are counted locally until the end: release them here */
        for (size_t i = 0; a->strings && i < ns; i++) ia_free(a->strings[i]);
        for (size_t i = 0; a->tensors && i < nt; i++) ia_tensor_release(a->tensors[i]);
        for (size_t i = 0; a->graphs && i < ng; i++) ia__graph_destroy(a->graphs[i]);
        for (size_t i = 0; a->tps && i < ntp; i++) {
            ia__type_info_free(a->tps[i]);
            ia_free(a->tps[i]);
        }
        ia_free(a->strings);
        ia_free(a->tensors);
        ia_free(a->graphs);
        ia_free(a->tps);
        a->strings = NULL;
        a->tensors = NULL;
        a->graphs = NULL;
        a->tps = NULL;
        a->n = 0;
        return rc == IA_ERR_PARSE ? PERR("AttributeProto '%s': malformed", a->name ? a->name : "?") : rc;
    }
    /* infer the type when the writer omitted it (old files) */
    if (a->type == IA_ATTR_UNDEFINED) {
        a->type = nf ? IA_ATTR_FLOATS : ni ? IA_ATTR_INTS : ns ? IA_ATTR_STRINGS : nt ? IA_ATTR_TENSORS
                : ng ? IA_ATTR_GRAPHS : a->g ? IA_ATTR_GRAPH : a->t ? IA_ATTR_TENSOR : a->s ? IA_ATTR_STRING
                : IA_ATTR_UNDEFINED;
    }
    switch (a->type) {
    case IA_ATTR_FLOATS: a->n = nf; break;
    case IA_ATTR_INTS: a->n = ni; break;
    case IA_ATTR_STRINGS: a->n = ns; break;
    case IA_ATTR_TENSORS: case IA_ATTR_SPARSE_TENSORS: a->n = nt; break;
    case IA_ATTR_GRAPHS: a->n = ng; break;
    case IA_ATTR_TYPE_PROTOS: a->n = ntp; break;
    default: a->n = 0;
    }
    /* keep list arrays consistent with n for freeing: store counts in the largest list */
    if (a->type != IA_ATTR_STRINGS && ns) { for (size_t i = 0; i < ns; i++) ia_free(a->strings[i]); ia_free(a->strings); a->strings = NULL; }
    if (a->type != IA_ATTR_TENSORS && a->type != IA_ATTR_SPARSE_TENSORS && nt) { for (size_t i = 0; i < nt; i++) ia_tensor_release(a->tensors[i]); ia_free(a->tensors); a->tensors = NULL; }
    if (a->type != IA_ATTR_GRAPHS && ng) { for (size_t i = 0; i < ng; i++) ia__graph_destroy(a->graphs[i]); ia_free(a->graphs); a->graphs = NULL; }
    if (a->type != IA_ATTR_TYPE_PROTOS && ntp) { for (size_t i = 0; i < ntp; i++) { ia__type_info_free(a->tps[i]); ia_free(a->tps[i]); } ia_free(a->tps); a->tps = NULL; }
    if (!a->name) return PERR("AttributeProto without a name");
    if ((a->type == IA_ATTR_GRAPH && !a->g) || ((a->type == IA_ATTR_TENSOR || a->type == IA_ATTR_SPARSE_TENSOR) && !a->t))
        return PERR("attribute '%s' declares a graph/tensor value but holds none", a->name);
    return IA_OK;
}

/* Reads only the output names of a NodeProto (first pass). */
static int node_output_names(span b, ia_graph *g) {
    ia_pb r = ia_pb_init(b.p, b.len);
    uint32_t f;
    int w, rc;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        if (f == 2 && w == IA_PB_LEN) {
            span s;
            if (ia_pb_bytes(&r, &s.p, &s.len)) return PERR("NodeProto: truncated output");
            if (!s.len) continue;
            char *name = span_dup(s);
            if (!name) return IA_ERR_NOMEM;
            int k = ia__graph_intern(g, name, 0);
            ia_free(name);
            if (k < 0) return IA_ERR_NOMEM;
        } else if (ia_pb_skip(&r, w)) {
            return PERR("NodeProto: truncated field %u", f);
        }
    }
    return rc < 0 ? PERR("NodeProto: malformed") : IA_OK;
}

static int parse_node(span b, ia_graph *g, const ia_decode_ctx *dc, int depth, ia_node *n) {
    memset(n, 0, sizeof *n);
    ia_pb r = ia_pb_init(b.p, b.len);
    uint32_t f;
    int w, rc;
    size_t ci = 0, co = 0, ca = 0, ni = 0, no = 0, na = 0;
    int64_t *ins = NULL, *outs = NULL;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        span s;
        rc = IA_OK;
        if (w != IA_PB_LEN) {
            if (ia_pb_skip(&r, w)) { rc = IA_ERR_PARSE; break; }
            continue;
        }
        if (ia_pb_bytes(&r, &s.p, &s.len)) { rc = IA_ERR_PARSE; break; }
        if (f == 1 || f == 2) {
            int k = -1;
            if (s.len) {
                char *name = span_dup(s);
                if (!name) { rc = IA_ERR_NOMEM; break; }
                k = ia__graph_intern(g, name, f == 1);
                ia_free(name);
                if (k < 0) { rc = IA_ERR_NOMEM; break; }
            }
            rc = f == 1 ? push_i64(&ins, &ni, &ci, k) : push_i64(&outs, &no, &co, k);
        } else if (f == 3) {
            ia_free(n->name);
            if (!(n->name = span_dup(s))) rc = IA_ERR_NOMEM;
        } else if (f == 4) {
            ia_free(n->op_type);
            if (!(n->op_type = span_dup(s))) rc = IA_ERR_NOMEM;
        } else if (f == 7) {
            ia_free(n->domain);
            if (!(n->domain = span_dup(s))) rc = IA_ERR_NOMEM;
        } else if (f == 5) {
            if (na == ca) {
                size_t c = ca ? ca * 2 : 4;
                ia_attr *x = ia_realloc(n->attrs, c * sizeof *x);
                if (!x) { rc = IA_ERR_NOMEM; break; }
                n->attrs = x;
                ca = c;
            }
            rc = parse_attr(s, g, dc, depth, &n->attrs[na]);
            if (rc) ia__attr_free(&n->attrs[na]);
            else na++;
            n->n_attrs = (int)na;
        }
        if (rc) break;
    }
    n->n_attrs = (int)na;
    if (!rc && (ni > 100000 || no > 100000)) rc = ia_set_error(IA_ERR_LIMIT, "node with over 100000 inputs or outputs");
    if (!rc) {
        n->inputs = ia_malloc((ni ? ni : 1) * sizeof *n->inputs);
        n->outputs = ia_malloc((no ? no : 1) * sizeof *n->outputs);
        if (!n->inputs || !n->outputs) rc = IA_ERR_NOMEM;
        for (size_t i = 0; !rc && i < ni; i++) n->inputs[i] = (int)ins[i];
        for (size_t i = 0; !rc && i < no; i++) n->outputs[i] = (int)outs[i];
        n->n_inputs = (int)ni;
        n->n_outputs = (int)no;
    }
    ia_free(ins);
    ia_free(outs);
    if (!rc && !n->op_type) rc = PERR("node '%s' has no op_type", n->name ? n->name : "");
    if (!rc && !n->domain && !(n->domain = ia_strdup(""))) rc = IA_ERR_NOMEM;
    if (!rc && !strcmp(n->domain, "ai.onnx")) n->domain[0] = '\0';
    if (!rc && !n->name) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s_%zu", n->op_type, g->n_nodes);
        if (!(n->name = ia_strdup(buf))) rc = IA_ERR_NOMEM;
    }
    if (rc == IA_ERR_PARSE) return PERR("NodeProto '%s': malformed", n->name ? n->name : "?");
    return rc;
}

static int parse_graph(span bytes, ia_graph *parent, ia_model *m, const ia_decode_ctx *dc, int depth, ia_graph **out) {
    *out = NULL;
    if (depth > MAX_GRAPH_DEPTH) return ia_set_error(IA_ERR_LIMIT, "subgraphs nested deeper than %d", MAX_GRAPH_DEPTH);
    ia_graph *g;
    int rc = ia__graph_create(parent, m, &g);
    if (rc) return rc;
    spans nodes = {0}, inputs = {0}, outputs = {0}, vinfos = {0}, inits = {0}, sparse = {0};
    ia_pb r = ia_pb_init(bytes.p, bytes.len);
    uint32_t f;
    int w;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        span s;
        if (w != IA_PB_LEN) {
            if (ia_pb_skip(&r, w)) { rc = PERR("GraphProto: truncated field %u", f); break; }
            continue;
        }
        if (ia_pb_bytes(&r, &s.p, &s.len)) { rc = PERR("GraphProto: truncated field %u", f); break; }
        rc = IA_OK;
        switch (f) {
        case 1: rc = spans_push(&nodes, s); break;
        case 2: ia_free(g->name); if (!(g->name = span_dup(s))) rc = IA_ERR_NOMEM; break;
        case 5: rc = spans_push(&inits, s); break;
        case 15: rc = spans_push(&sparse, s); break;
        case 11: rc = spans_push(&inputs, s); break;
        case 12: rc = spans_push(&outputs, s); break;
        case 13: rc = spans_push(&vinfos, s); break;
        default: break;
        }
        if (rc) break;
    }
    if (rc == 0 && nodes.n > 10000000) rc = ia_set_error(IA_ERR_LIMIT, "graph with over 10 million nodes");
    /* pass A: local definitions */
    for (size_t i = 0; !rc && i < inputs.n; i++) {
        char *name;
        ia_type_info t;
        if ((rc = parse_value_info(inputs.v[i], &name, &t))) { ia__type_info_free(&t); ia_free(name); break; }
        int k = ia__graph_intern(g, name, 0);
        ia_free(name);
        if (k < 0) { ia__type_info_free(&t); rc = IA_ERR_NOMEM; break; }
        ia__type_info_free(&g->values[k].type);
        g->values[k].type = t;
        if (!g->values[k].is_input) {
            g->values[k].is_input = 1;
            int *x = ia_realloc(g->inputs, (g->n_inputs + 1) * sizeof *x);
            if (!x) { rc = IA_ERR_NOMEM; break; }
            g->inputs = x;
            g->inputs[g->n_inputs++] = k;
        }
    }
    for (size_t pass = 0; pass < 2; pass++) {
        spans *src = pass ? &sparse : &inits;
        for (size_t i = 0; !rc && i < src->n; i++) {
            ia_tensor *t;
            char *name = NULL;
            rc = pass ? ia__sparse_tensor_decode(src->v[i].p, src->v[i].len, dc, &t, &name)
                      : ia__tensor_decode(src->v[i].p, src->v[i].len, dc, &t, &name);
            if (rc) break;
            if (!name || !*name) {
                ia_free(name);
                ia_tensor_release(t);
                rc = PERR("initializer without a name");
                break;
            }
            int k = ia__graph_intern(g, name, 0);
            ia_free(name);
            if (k < 0) { ia_tensor_release(t); rc = IA_ERR_NOMEM; break; }
            ia_tensor_release(g->values[k].init);
            g->values[k].init = t;
            ia_value_slot *vs = &g->values[k];
            if (vs->type.kind == 0) {
                vs->type.kind = IA_VALUE_TENSOR;
                vs->type.elem_dtype = t->dtype;
                vs->type.rank = t->rank;
                memcpy(vs->type.dims, t->dims, sizeof t->dims);
            } else if (vs->type.kind == IA_VALUE_TENSOR && vs->type.elem_dtype && vs->type.elem_dtype != t->dtype) {
                rc = ia_set_error(IA_ERR_TYPE, "initializer '%s' is %s but its input declares %s", vs->name,
                                  ia_dtype_name(t->dtype), ia_dtype_name(vs->type.elem_dtype));
            }
        }
    }
    for (size_t i = 0; !rc && i < nodes.n; i++) rc = node_output_names(nodes.v[i], g);
    /* pass B: nodes */
    if (!rc && nodes.n) {
        g->nodes = ia_calloc(nodes.n, sizeof *g->nodes);
        if (!g->nodes) rc = IA_ERR_NOMEM;
    }
    for (size_t i = 0; !rc && i < nodes.n; i++) {
        rc = parse_node(nodes.v[i], g, dc, depth, &g->nodes[i]);
        if (rc) ia__node_free(&g->nodes[i]);
        else g->n_nodes++;
    }
    /* pass C: outputs and value infos */
    for (size_t i = 0; !rc && i < outputs.n; i++) {
        char *name;
        ia_type_info t;
        if ((rc = parse_value_info(outputs.v[i], &name, &t))) { ia__type_info_free(&t); ia_free(name); break; }
        int k = ia__graph_intern(g, name, 1);
        ia_free(name);
        if (k < 0) { ia__type_info_free(&t); rc = IA_ERR_NOMEM; break; }
        if (t.kind) {
            ia__type_info_free(&g->values[k].type);
            g->values[k].type = t;
        } else {
            ia__type_info_free(&t);
        }
        g->values[k].is_output = 1;
        int *x = ia_realloc(g->outputs, (g->n_outputs + 1) * sizeof *x);
        if (!x) { rc = IA_ERR_NOMEM; break; }
        g->outputs = x;
        g->outputs[g->n_outputs++] = k;
    }
    for (size_t i = 0; !rc && i < vinfos.n; i++) {
        char *name;
        ia_type_info t;
        if ((rc = parse_value_info(vinfos.v[i], &name, &t))) { ia__type_info_free(&t); ia_free(name); break; }
        int k = ia__graph_find(g, name);
        ia_free(name);
        if (k >= 0 && !g->values[k].type.kind && !g->values[k].outer_level) {
            g->values[k].type = t;
        } else {
            ia__type_info_free(&t);
        }
    }
    ia_free(nodes.v);
    ia_free(inputs.v);
    ia_free(outputs.v);
    ia_free(vinfos.v);
    ia_free(inits.v);
    ia_free(sparse.v);
    if (!rc) rc = ia__graph_finalize(g);
    if (rc) {
        ia__graph_destroy(g);
        return rc;
    }
    *out = g;
    return IA_OK;
}

static int parse_model(ia_model *m, span b, const ia_decode_ctx *dc) {
    ia_pb r = ia_pb_init(b.p, b.len);
    uint32_t f;
    int w, rc;
    span graph = {0};
    int have_graph = 0;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        span s = {0};
        uint64_t v;
        if (w == IA_PB_LEN) {
            if (ia_pb_bytes(&r, &s.p, &s.len)) return PERR("ModelProto: field %u runs past the end of the file", f);
        } else if (w == IA_PB_VARINT) {
            if (ia_pb_varint(&r, &v)) return PERR("ModelProto: truncated varint in field %u", f);
        } else if (ia_pb_skip(&r, w)) {
            return PERR("ModelProto: truncated field %u", f);
        }
        char **dst = NULL;
        switch (f) {
        case 1: if (w == IA_PB_VARINT) m->ir_version = (int64_t)v; else return PERR("ModelProto.ir_version has wire type %d", w); break;
        case 5: if (w == IA_PB_VARINT) m->model_version = (int64_t)v; break;
        case 2: dst = &m->producer_name; break;
        case 3: dst = &m->producer_version; break;
        case 4: dst = &m->domain; break;
        case 6: dst = &m->doc_string; break;
        case 7:
            if (w != IA_PB_LEN) return PERR("ModelProto.graph has wire type %d", w);
            graph = s;
            have_graph = 1;
            break;
        case 8: {
            if (w != IA_PB_LEN) return PERR("ModelProto.opset_import has wire type %d", w);
            ia_pb sr = ia_pb_init(s.p, s.len);
            uint32_t sf;
            int sw, src;
            ia_opset_import op = {0};
            while ((src = ia_pb_next(&sr, &sf, &sw)) == 1) {
                span d;
                uint64_t x;
                if (sf == 1 && sw == IA_PB_LEN) {
                    if (ia_pb_bytes(&sr, &d.p, &d.len)) { src = -1; break; }
                    ia_free(op.domain);
                    if (!(op.domain = span_dup(d))) return IA_ERR_NOMEM;
                } else if (sf == 2 && sw == IA_PB_VARINT) {
                    if (ia_pb_varint(&sr, &x)) { src = -1; break; }
                    op.version = (int64_t)x;
                } else if (ia_pb_skip(&sr, sw)) {
                    src = -1;
                    break;
                }
            }
            if (src < 0) { ia_free(op.domain); return PERR("OperatorSetIdProto: malformed"); }
            if (!op.domain && !(op.domain = ia_strdup(""))) return IA_ERR_NOMEM;
            ia_opset_import *x = ia_realloc(m->opsets, (m->n_opsets + 1) * sizeof *x);
            if (!x) { ia_free(op.domain); return IA_ERR_NOMEM; }
            m->opsets = x;
            m->opsets[m->n_opsets++] = op;
            break;
        }
        case 14: {
            if (w != IA_PB_LEN) return PERR("ModelProto.metadata_props has wire type %d", w);
            ia_pb sr = ia_pb_init(s.p, s.len);
            uint32_t sf;
            int sw, src;
            ia_kv kv = {0};
            while ((src = ia_pb_next(&sr, &sf, &sw)) == 1) {
                span d;
                if ((sf == 1 || sf == 2) && sw == IA_PB_LEN) {
                    if (ia_pb_bytes(&sr, &d.p, &d.len)) { src = -1; break; }
                    char **t = sf == 1 ? &kv.key : &kv.value;
                    ia_free(*t);
                    if (!(*t = span_dup(d))) { src = -2; break; }
                } else if (ia_pb_skip(&sr, sw)) {
                    src = -1;
                    break;
                }
            }
            if (src < 0) { ia_free(kv.key); ia_free(kv.value); return src == -2 ? IA_ERR_NOMEM : PERR("metadata_props: malformed"); }
            ia_kv *x = ia_realloc(m->meta, (m->n_meta + 1) * sizeof *x);
            if (!x) { ia_free(kv.key); ia_free(kv.value); return IA_ERR_NOMEM; }
            m->meta = x;
            if (!kv.key) kv.key = ia_strdup("");
            if (!kv.value) kv.value = ia_strdup("");
            m->meta[m->n_meta++] = kv;
            break;
        }
        default: break;
        }
        if (dst) {
            if (w != IA_PB_LEN) return PERR("ModelProto field %u has wire type %d", f, w);
            ia_free(*dst);
            if (!(*dst = span_dup(s))) return IA_ERR_NOMEM;
        }
    }
    if (rc < 0) return PERR("ModelProto: malformed field key (is this an ONNX file?)");
    if (!have_graph) return PERR("ModelProto has no graph (is this an ONNX file?)");
    if (m->n_opsets == 0 && m->ir_version >= 3) return PERR("ModelProto imports no opset");
    return parse_graph(graph, NULL, m, dc, 0, &m->graph);
}

int ia_model_load_memory(const void *data, size_t len, const char *dir, ia_model **out) {
    *out = NULL;
    ia_model *m = ia_calloc(1, sizeof *m);
    if (!m) return IA_ERR_NOMEM;
    m->dir = ia_strdup(dir ? dir : "");
    if (!m->dir) {
        ia_free(m);
        return IA_ERR_NOMEM;
    }
    ia_decode_ctx dc = {dir, NULL, m};
    span b = {data, len};
    int rc = parse_model(m, b, &dc);
    if (rc) {
        ia_model_destroy(m);
        return rc;
    }
    *out = m;
    return IA_OK;
}

int ia_model_load(const char *path, ia_model **out) {
    *out = NULL;
    ia_filemap *fm;
    int rc = ia__filemap_open(path, &fm);
    if (rc) return rc;
    ia_model *m = ia_calloc(1, sizeof *m);
    if (!m) {
        ia__filemap_release(fm);
        return IA_ERR_NOMEM;
    }
    const char *slash = strrchr(path, '/');
    m->dir = slash ? ia_strndup(path, (size_t)(slash - path)) : ia_strdup(".");
    m->file_map = fm;
    if (!m->dir) {
        ia_model_destroy(m);
        return IA_ERR_NOMEM;
    }
    ia_decode_ctx dc = {m->dir, fm, m};
    span b = {fm->addr, fm->len};
    rc = parse_model(m, b, &dc);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ia_last_error());
        ia_model_destroy(m);
        return ia_set_error(rc, "%s: %s", path, msg[0] ? msg : ia_strerror(rc));
    }
    *out = m;
    return IA_OK;
}

void ia_model_destroy(ia_model *m) {
    if (!m) return;
    ia__graph_destroy(m->graph);
    ia_free(m->producer_name);
    ia_free(m->producer_version);
    ia_free(m->domain);
    ia_free(m->doc_string);
    for (size_t i = 0; i < m->n_opsets; i++) ia_free(m->opsets[i].domain);
    ia_free(m->opsets);
    for (size_t i = 0; i < m->n_meta; i++) {
        ia_free(m->meta[i].key);
        ia_free(m->meta[i].value);
    }
    ia_free(m->meta);
    for (size_t i = 0; i < m->n_external; i++) {
        ia_free(m->external_files[i]);
        ia__filemap_release(m->external_maps[i]);
    }
    ia_free(m->external_files);
    ia_free(m->external_maps);
    ia__filemap_release(m->file_map);
    ia_free(m->dir);
    ia_free(m);
}
