/* Builds small ONNX ModelProto byte strings in tests (with the library's protobuf writer), so
 * loader tests can craft valid and deliberately broken models without fixture files. */
#ifndef IA_MODEL_BUILDER_H
#define IA_MODEL_BUILDER_H

#include <stdint.h>
#include <string.h>
#include "onnx/pbwire.h"

static inline void mb_str(ia_pbw *w, uint32_t field, const char *s) { ia_pbw_bytes_field(w, field, s, strlen(s)); }

static inline void mb_sub(ia_pbw *w, uint32_t field, ia_pbw *sub) {
    ia_pbw_bytes_field(w, field, sub->buf, sub->len);
    ia_pbw_free(sub);
}

/* ValueInfoProto for a float tensor with fixed dims (ndims may be 0; dims NULL = unknown rank). */
static inline void mb_value_info(ia_pbw *g, uint32_t field, const char *name, int dtype, int ndims, const int64_t *dims) {
    ia_pbw vi = {0}, tp = {0}, tt = {0}, sh = {0};
    mb_str(&vi, 1, name);
    ia_pbw_varint_field(&tt, 1, (uint64_t)dtype);
    if (dims) {
        for (int i = 0; i < ndims; i++) {
            ia_pbw d = {0};
            ia_pbw_varint_field(&d, 1, (uint64_t)dims[i]);
            mb_sub(&sh, 1, &d);
        }
        mb_sub(&tt, 2, &sh);
    }
    mb_sub(&tp, 1, &tt);
    mb_sub(&vi, 2, &tp);
    mb_sub(g, field, &vi);
}

/* NodeProto with up to 4 inputs/outputs ("" = omitted). */
static inline void mb_node(ia_pbw *g, const char *op, const char *name, int nin, const char *const *in, int nout,
                           const char *const *out, const char *domain) {
    ia_pbw n = {0};
    for (int i = 0; i < nin; i++) mb_str(&n, 1, in[i]);
    for (int i = 0; i < nout; i++) mb_str(&n, 2, out[i]);
    mb_str(&n, 3, name);
    mb_str(&n, 4, op);
    if (domain) mb_str(&n, 7, domain);
    mb_sub(g, 1, &n);
}

/* Float initializer with raw data. */
static inline void mb_init_f32(ia_pbw *g, const char *name, int ndims, const int64_t *dims, const float *data, size_t n) {
    ia_pbw t = {0};
    for (int i = 0; i < ndims; i++) ia_pbw_varint_field(&t, 1, (uint64_t)dims[i]);
    ia_pbw_varint_field(&t, 2, 1);
    mb_str(&t, 8, name);
    ia_pbw_bytes_field(&t, 9, data, n * sizeof(float));
    mb_sub(g, 5, &t);
}

/* Wraps a GraphProto into a ModelProto (IR 8, default opset `opset`). */
static inline void mb_model(ia_pbw *m, ia_pbw *graph, int64_t opset) {
    ia_pbw_varint_field(m, 1, 8);
    mb_str(m, 2, "unit-test");
    ia_pbw os = {0};
    mb_str(&os, 1, "");
    ia_pbw_varint_field(&os, 2, (uint64_t)opset);
    mb_sub(m, 8, &os);
    mb_sub(m, 7, graph);
}

#endif
