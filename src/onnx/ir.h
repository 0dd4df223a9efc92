/* The in-memory graph (IR) the loader builds from an ONNX ModelProto and the executor runs:
 * models, graphs (with nested subgraphs), nodes, attributes, value slots and type info. */
#ifndef IA_IR_H
#define IA_IR_H

#include <stddef.h>
#include <stdint.h>
#include "ia/tensor.h"

struct ia_op_def;
struct ia_graph;
struct ia_model;
struct ia_filemap;
struct ia_value;

/* ONNX AttributeProto.AttributeType numbering. */
typedef enum ia_attr_type {
    IA_ATTR_UNDEFINED = 0,
    IA_ATTR_FLOAT = 1,
    IA_ATTR_INT = 2,
    IA_ATTR_STRING = 3,
    IA_ATTR_TENSOR = 4,
    IA_ATTR_GRAPH = 5,
    IA_ATTR_FLOATS = 6,
    IA_ATTR_INTS = 7,
    IA_ATTR_STRINGS = 8,
    IA_ATTR_TENSORS = 9,
    IA_ATTR_GRAPHS = 10,
    IA_ATTR_SPARSE_TENSOR = 11,
    IA_ATTR_SPARSE_TENSORS = 12,
    IA_ATTR_TYPE_PROTO = 13,
    IA_ATTR_TYPE_PROTOS = 14
} ia_attr_type;

/* A TypeProto: kind 0 = unknown. For tensors rank -1 = unknown rank, dims[i] -1 = unknown
 * (dim_params[i] names it when symbolic). Sequence/optional carry their element type. */
typedef struct ia_type_info {
    int kind; /* 0, IA_VALUE_TENSOR, IA_VALUE_SEQUENCE, IA_VALUE_OPTIONAL */
    int elem_dtype;
    int rank;
    int64_t dims[IA_MAX_DIMS];
    char *dim_params[IA_MAX_DIMS];
    struct ia_type_info *elem;
} ia_type_info;

typedef struct ia_attr {
    char *name;
    int type; /* ia_attr_type */
    float f;
    int64_t i;
    char *s; /* NUL-terminated copy; s_len is the byte length */
    size_t s_len;
    ia_tensor *t;
    struct ia_graph *g;
    ia_type_info *tp;
    size_t n; /* element count of the list fields below */
    float *floats;
    int64_t *ints;
    char **strings;
    size_t *string_lens;
    ia_tensor **tensors;
    struct ia_graph **graphs;
    ia_type_info **tps;
} ia_attr;

typedef struct ia_node {
    char *name;
    char *op_type;
    char *domain; /* "" for ai.onnx */
    int n_inputs;
    int *inputs; /* value slot indices; -1 for an omitted optional input ("") */
    int n_outputs;
    int *outputs; /* value slot indices; -1 for an omitted optional output */
    int n_attrs;
    ia_attr *attrs;
    int n_implicit;
    int *implicit; /* slots of this graph read by the node's subgraphs (outer scope) */
    int64_t opset; /* opset version the model imports for this node's domain */
    const struct ia_op_def *op;
} ia_node;

typedef struct ia_value_slot {
    char *name;
    ia_type_info type;  /* declared (input/output/value_info) or inferred */
    ia_tensor *init;    /* constant value: initializer, Constant node, or folded; owned ref */
    int producer;       /* node index, or -1 */
    int outer_level;    /* 0: local; n > 0: defined n graphs up (outer scope) */
    int outer_index;    /* slot index in that graph */
    int is_input;       /* listed in graph inputs */
    int is_output;      /* listed in graph outputs */
    int last_use;       /* index of the last node that reads it; -1 if none (executor) */
    int n_uses;
    struct ia_value *cvalue; /* value wrapping `init`, shared by every run (owned) */
} ia_value_slot;

typedef struct ia_graph {
    char *name;
    struct ia_graph *parent;
    struct ia_model *model;
    size_t n_values, cap_values;
    ia_value_slot *values;
    size_t n_nodes;
    ia_node *nodes; /* topological order after ia__graph_finalize */
    size_t n_inputs;
    int *inputs;
    size_t n_outputs;
    int *outputs;
    /* name -> slot index hash (open addressing) */
    size_t map_cap;
    int *map;
} ia_graph;

typedef struct ia_opset_import {
    char *domain;
    int64_t version;
} ia_opset_import;

typedef struct ia_kv {
    char *key;
    char *value;
} ia_kv;

typedef struct ia_model {
    int64_t ir_version;
    char *producer_name, *producer_version, *domain, *doc_string;
    int64_t model_version;
    size_t n_opsets;
    ia_opset_import *opsets;
    size_t n_meta;
    ia_kv *meta;
    ia_graph *graph;
    char *dir; /* directory of the model file, for external data ("" when from memory) */
    size_t n_external;
    char **external_files; /* distinct external data file names */
    uint64_t external_bytes;
    struct ia_filemap **external_maps; /* parallel to external_files */
    struct ia_filemap *file_map;       /* the model file's own mapping */
} ia_model;

/* Graph building (loader). */
int ia__graph_create(ia_graph *parent, ia_model *model, ia_graph **out);
void ia__graph_destroy(ia_graph *g);
/* Index of the slot named `name` in `g` only; -1 if none. */
int ia__graph_find(const ia_graph *g, const char *name);
/* Index of `name` in `g`, adding a slot (local, or an outer-scope reference when an
 * enclosing graph defines it and `resolve_outer` is set) when absent. -1 on OOM. */
int ia__graph_intern(ia_graph *g, const char *name, int resolve_outer);
/* Sorts nodes topologically, checks for cycles and undefined inputs, computes uses. */
int ia__graph_finalize(ia_graph *g);

const ia_attr *ia__node_attr(const ia_node *n, const char *name);
int64_t ia__model_opset(const ia_model *m, const char *domain); /* 0 if not imported */

void ia__type_info_free(ia_type_info *t); /* frees contents, not t itself */
int ia__type_info_copy(ia_type_info *dst, const ia_type_info *src);
void ia__attr_free(ia_attr *a);
/* Frees what a node owns (names, edges, attributes and their subgraphs) and zeroes it. */
void ia__node_free(ia_node *n);

#endif
