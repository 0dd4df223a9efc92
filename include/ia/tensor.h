/* Tensors (dense, row-major), element types, and values (tensor, sequence, optional) as
 * the engine passes them between operators and to and from the caller. */
#ifndef IA_TENSOR_H
#define IA_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IA_MAX_DIMS 16

/* Element types, numbered as ONNX's TensorProto.DataType so files map one to one. */
typedef enum ia_dtype {
    IA_DTYPE_UNDEFINED = 0,
    IA_DTYPE_FLOAT = 1,
    IA_DTYPE_UINT8 = 2,
    IA_DTYPE_INT8 = 3,
    IA_DTYPE_UINT16 = 4,
    IA_DTYPE_INT16 = 5,
    IA_DTYPE_INT32 = 6,
    IA_DTYPE_INT64 = 7,
    IA_DTYPE_STRING = 8,
    IA_DTYPE_BOOL = 9,
    IA_DTYPE_FLOAT16 = 10,
    IA_DTYPE_DOUBLE = 11,
    IA_DTYPE_UINT32 = 12,
    IA_DTYPE_UINT64 = 13,
    IA_DTYPE_COMPLEX64 = 14,
    IA_DTYPE_COMPLEX128 = 15,
    IA_DTYPE_BFLOAT16 = 16,
    IA_DTYPE_FLOAT8E4M3FN = 17,
    IA_DTYPE_FLOAT8E4M3FNUZ = 18,
    IA_DTYPE_FLOAT8E5M2 = 19,
    IA_DTYPE_FLOAT8E5M2FNUZ = 20,
    IA_DTYPE_UINT4 = 21,
    IA_DTYPE_INT4 = 22,
    IA_DTYPE_COUNT_ = 23
} ia_dtype;

/* "float32", "int64", ... ; "undefined" for unknown codes. */
IA_API const char *ia_dtype_name(int dtype);
/* Bytes per element; 0 for string, undefined and the packed 4-bit types (see ia_dtype_bytes). */
IA_API size_t ia_dtype_size(int dtype);
/* Storage bytes for `numel` elements (4-bit types pack two per byte; strings: pointer array). */
IA_API size_t ia_dtype_bytes(int dtype, int64_t numel);
IA_API int ia_dtype_is_float(int dtype);   /* float16/bfloat16/float/double */
IA_API int ia_dtype_is_integer(int dtype); /* signed or unsigned integers, not bool */
IA_API int ia_dtype_is_signed(int dtype);

/* A dense tensor. Data is row-major and contiguous. For IA_DTYPE_STRING, `data` is an
 * array of `numel` NUL-terminated heap strings (char *), owned by the tensor.
 * Tensors are reference counted: ia_tensor_retain / ia_tensor_release. */
typedef struct ia_tensor {
    int dtype;
    int rank;
    int64_t dims[IA_MAX_DIMS];
    int64_t numel;
    size_t nbytes;
    void *data;
    /* Who frees `data`: NULL means the library's aligned allocator; otherwise called with
     * release_ctx when the last reference goes (mapped files, caller buffers). */
    void (*release)(void *release_ctx, void *data);
    void *release_ctx;
    int refcount;
    char *name; /* optional, owned */
} ia_tensor;

/* Creates a tensor with freshly allocated, zeroed storage. */
IA_API int ia_tensor_create(int dtype, int rank, const int64_t *dims, ia_tensor **out);
/* Wraps caller memory without copying; `release` (may be NULL) is called on destruction. */
IA_API int ia_tensor_wrap(int dtype, int rank, const int64_t *dims, void *data, size_t nbytes,
                          void (*release)(void *, void *), void *release_ctx, ia_tensor **out);
/* Deep copy. */
IA_API int ia_tensor_clone(const ia_tensor *src, ia_tensor **out);
IA_API ia_tensor *ia_tensor_retain(ia_tensor *t);
IA_API void ia_tensor_release(ia_tensor *t);
/* Element count of a shape, or -1 on overflow / negative dims. */
IA_API int64_t ia_shape_numel(int rank, const int64_t *dims);
/* Writes "[2,3,4]" into buf. */
IA_API const char *ia_shape_str(int rank, const int64_t *dims, char *buf, size_t cap);

/* Kinds of value that flow along graph edges. */
typedef enum ia_value_kind {
    IA_VALUE_TENSOR = 1,
    IA_VALUE_SEQUENCE = 2,
    IA_VALUE_OPTIONAL = 3
} ia_value_kind;

/* A value: a tensor, a sequence of values, or an optional holding a value or nothing.
 * Values own what they hold. */
typedef struct ia_value {
    ia_value_kind kind;
    ia_tensor *tensor;        /* IA_VALUE_TENSOR */
    struct ia_value **items;  /* IA_VALUE_SEQUENCE: n_items values */
    size_t n_items;
    int elem_dtype;           /* SEQUENCE: element dtype when known (IA_DTYPE_UNDEFINED if not) */
    struct ia_value *inner;   /* IA_VALUE_OPTIONAL: NULL when empty */
} ia_value;

/* Takes a reference to `t` (the value releases it). */
IA_API int ia_value_from_tensor(ia_tensor *t, ia_value **out);
IA_API int ia_value_sequence(int elem_dtype, ia_value **out);
/* Appends (takes ownership of `item`) at position `pos` (-1 = end). */
IA_API int ia_value_sequence_insert(ia_value *seq, ia_value *item, int64_t pos);
/* Takes ownership of `inner` (NULL = empty optional). */
IA_API int ia_value_optional(ia_value *inner, ia_value **out);
IA_API int ia_value_clone(const ia_value *v, ia_value **out); /* shares tensors (retain) */
IA_API void ia_value_destroy(ia_value *v);

/* Conversions between the 16-bit float formats and float. */
IA_API float ia_fp16_to_f32(uint16_t h);
IA_API uint16_t ia_f32_to_fp16(float f);
IA_API float ia_bf16_to_f32(uint16_t h);
IA_API uint16_t ia_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif
