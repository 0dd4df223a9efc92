/* Decoding and encoding of ONNX's data messages: TensorProto (with external data mapped
 * from files next to the model), SequenceProto and OptionalProto; and mapped files. */
#ifndef IA_PROTO_H
#define IA_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include "ia/tensor.h"
#include "onnx/ir.h"
#include "onnx/pbwire.h"

/* A read-only file mapping shared by the tensors that point into it (refcounted). */
typedef struct ia_filemap {
    void *addr;
    size_t len;
    int refcount;
    int keep; /* set for anonymous memory (prepared maps): ia__filemap_drop_range leaves it alone */
} ia_filemap;

/* Maps a whole file read-only. Empty files get a valid zero-length map. A file registered with
 * ia__filemap_prepare (same device and inode) gets the prepared map instead. */
int ia__filemap_open(const char *path, ia_filemap **out);
/* Wraps a mapping the caller made (munmap(addr, len) at the last release) with one reference. */
int ia__filemap_wrap(void *addr, size_t len, ia_filemap **out);
/* Registers m (one more reference) as the map of the file at path until ia__filemap_unprepare. */
int ia__filemap_prepare(const char *path, ia_filemap *m);
void ia__filemap_unprepare(ia_filemap *m);
void ia__filemap_retain(ia_filemap *m);
void ia__filemap_release(ia_filemap *m);
/* Lets the kernel drop the resident pages wholly inside [p, p+len) of a read-only file map once
 * their bytes were copied out (they fault back in from the file if read again): the copy and the
 * mapped original are then not resident at the same time. No-op for ranges outside the map. */
void ia__filemap_drop_range(const ia_filemap *m, const void *p, size_t len);
/* Tensor release callback for data inside a filemap (release_ctx = the filemap). */
void ia__filemap_tensor_release(void *ctx, void *data);

/* Where external data and zero-copy sources come from while decoding. */
typedef struct ia_decode_ctx {
    const char *dir;       /* model directory for external data; NULL: external data refused */
    ia_filemap *source;    /* mapping that holds the bytes being decoded, for zero-copy; may be NULL */
    ia_model *model;       /* records external files and maps (may be NULL) */
} ia_decode_ctx;

/* Decodes a TensorProto. *name_out (optional) receives a heap copy of its name. */
int ia__tensor_decode(const uint8_t *p, size_t len, const ia_decode_ctx *dc, ia_tensor **out,
                      char **name_out);
/* Decodes a SparseTensorProto into a dense tensor. */
int ia__sparse_tensor_decode(const uint8_t *p, size_t len, const ia_decode_ctx *dc, ia_tensor **out,
                             char **name_out);
/* Decodes a test-data file: a TensorProto, SequenceProto or OptionalProto, as `expected`
 * says (NULL or unknown kind: TensorProto). */
int ia__value_decode(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out);

void ia__tensor_encode(ia_pbw *w, const ia_tensor *t, const char *name);
/* Encodes a value as TensorProto / SequenceProto / OptionalProto. */
void ia__value_encode(ia_pbw *w, const ia_value *v, const char *name);

/* Decodes a TypeProto into *t (zeroed first). */
int ia__type_decode(const uint8_t *p, size_t len, ia_type_info *t, int depth);

/* Process-wide external data mapping cache helpers (used by the model loader). */
int ia__model_map_external(ia_model *m, const char *location, ia_filemap **out);

#endif
