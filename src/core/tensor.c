/* Element types, tensors (reference counted) and values (tensor / sequence / optional). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/tensor.h"

static const struct {
    const char *name;
    size_t size;
} dtype_info[IA_DTYPE_COUNT_] = {
    [IA_DTYPE_UNDEFINED] = {"undefined", 0}, [IA_DTYPE_FLOAT] = {"float32", 4},
    [IA_DTYPE_UINT8] = {"uint8", 1},         [IA_DTYPE_INT8] = {"int8", 1},
    [IA_DTYPE_UINT16] = {"uint16", 2},       [IA_DTYPE_INT16] = {"int16", 2},
    [IA_DTYPE_INT32] = {"int32", 4},         [IA_DTYPE_INT64] = {"int64", 8},
    [IA_DTYPE_STRING] = {"string", 0},       [IA_DTYPE_BOOL] = {"bool", 1},
    [IA_DTYPE_FLOAT16] = {"float16", 2},     [IA_DTYPE_DOUBLE] = {"float64", 8},
    [IA_DTYPE_UINT32] = {"uint32", 4},       [IA_DTYPE_UINT64] = {"uint64", 8},
    [IA_DTYPE_COMPLEX64] = {"complex64", 8}, [IA_DTYPE_COMPLEX128] = {"complex128", 16},
    [IA_DTYPE_BFLOAT16] = {"bfloat16", 2},   [IA_DTYPE_FLOAT8E4M3FN] = {"float8e4m3fn", 1},
    [IA_DTYPE_FLOAT8E4M3FNUZ] = {"float8e4m3fnuz", 1}, [IA_DTYPE_FLOAT8E5M2] = {"float8e5m2", 1},
    [IA_DTYPE_FLOAT8E5M2FNUZ] = {"float8e5m2fnuz", 1}, [IA_DTYPE_UINT4] = {"uint4", 0},
    [IA_DTYPE_INT4] = {"int4", 0},
};

const char *ia_dtype_name(int dtype) {
    if (dtype < 0 || dtype >= IA_DTYPE_COUNT_) return "undefined";
    return dtype_info[dtype].name;
}

size_t ia_dtype_size(int dtype) {
    if (dtype < 0 || dtype >= IA_DTYPE_COUNT_) return 0;
    return dtype_info[dtype].size;
}

size_t ia_dtype_bytes(int dtype, int64_t numel) {
    if (numel < 0) return 0;
    if (dtype == IA_DTYPE_INT4 || dtype == IA_DTYPE_UINT4) return (size_t)((numel + 1) / 2);
    if (dtype == IA_DTYPE_STRING) return (size_t)numel * sizeof(char *);
    return (size_t)numel * ia_dtype_size(dtype);
}

int ia_dtype_is_float(int d) {
    return d == IA_DTYPE_FLOAT || d == IA_DTYPE_DOUBLE || d == IA_DTYPE_FLOAT16 || d == IA_DTYPE_BFLOAT16;
}

int ia_dtype_is_integer(int d) {
    switch (d) {
    case IA_DTYPE_UINT8: case IA_DTYPE_INT8: case IA_DTYPE_UINT16: case IA_DTYPE_INT16:
    case IA_DTYPE_INT32: case IA_DTYPE_INT64: case IA_DTYPE_UINT32: case IA_DTYPE_UINT64:
    case IA_DTYPE_INT4: case IA_DTYPE_UINT4:
        return 1;
    default:
        return 0;
    }
}

int ia_dtype_is_signed(int d) {
    return d == IA_DTYPE_INT8 || d == IA_DTYPE_INT16 || d == IA_DTYPE_INT32 || d == IA_DTYPE_INT64 ||
           d == IA_DTYPE_INT4 || ia_dtype_is_float(d);
}

int64_t ia_shape_numel(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return -1;
        if (dims[i] != 0 && n > INT64_MAX / dims[i]) return -1;
        n *= dims[i];
    }
    return n;
}

const char *ia_shape_str(int rank, const int64_t *dims, char *buf, size_t cap) {
    size_t k = 0;
    if (cap == 0) return buf;
    k += (size_t)snprintf(buf + k, cap - k, "[");
    for (int i = 0; i < rank && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? ",%lld" : "%lld", (long long)dims[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
    return buf;
}

static int tensor_header(int dtype, int rank, const int64_t *dims, ia_tensor **out) {
    *out = NULL;
    if (rank < 0 || rank > IA_MAX_DIMS || dtype <= 0 || dtype >= IA_DTYPE_COUNT_)
        return ia_set_error(IA_ERR_INVALID_ARG, "tensor: bad rank %d or dtype %d", rank, dtype);
    int64_t n = ia_shape_numel(rank, dims);
    if (n < 0) return ia_set_error(IA_ERR_SHAPE, "tensor: negative or overflowing dimensions");
    ia_tensor *t = ia_calloc(1, sizeof *t);
    if (!t) return IA_ERR_NOMEM;
    t->dtype = dtype;
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i];
    t->numel = n;
    t->nbytes = ia_dtype_bytes(dtype, n);
    t->refcount = 1;
    *out = t;
    return IA_OK;
}

int ia_tensor_create(int dtype, int rank, const int64_t *dims, ia_tensor **out) {
    ia_tensor *t;
    int rc = tensor_header(dtype, rank, dims, &t);
    if (rc) return rc;
    if (ia_dtype_size(dtype) && t->numel > 0 && (uint64_t)t->numel > (uint64_t)(SIZE_MAX / 2) / ia_dtype_size(dtype)) {
        ia_free(t);
        return ia_set_error(IA_ERR_LIMIT, "tensor: %lld elements is too large", (long long)t->numel);
    }
    t->data = ia_aligned_alloc(t->nbytes ? t->nbytes : 1);
    if (!t->data) {
        ia_free(t);
        return ia_set_error(IA_ERR_NOMEM, "tensor: cannot allocate %zu bytes", t->nbytes);
    }
    memset(t->data, 0, t->nbytes ? t->nbytes : 1);
    *out = t;
    return IA_OK;
}

int ia_tensor_wrap(int dtype, int rank, const int64_t *dims, void *data, size_t nbytes,
                   void (*release)(void *, void *), void *release_ctx, ia_tensor **out) {
    ia_tensor *t;
    int rc = tensor_header(dtype, rank, dims, &t);
    if (rc) return rc;
    if (nbytes < t->nbytes) {
        ia_free(t);
        return ia_set_error(IA_ERR_SHAPE, "tensor: buffer of %zu bytes is smaller than the shape needs",
                            nbytes);
    }
    t->data = data;
    t->release = release;
    t->release_ctx = release_ctx;
    *out = t;
    return IA_OK;
}

static void no_release(void *ctx, void *data) { (void)ctx; (void)data; }

int ia_tensor_clone(const ia_tensor *src, ia_tensor **out) {
    int rc = ia_tensor_create(src->dtype, src->rank, src->dims, out);
    if (rc) return rc;
    if (!src->data) { /* shape-only placeholder */
        ia_aligned_free((*out)->data);
        (*out)->data = NULL;
        (*out)->release = no_release;
        return IA_OK;
    }
    if (src->dtype == IA_DTYPE_STRING) {
        char **s = src->data, **d = (*out)->data;
        for (int64_t i = 0; i < src->numel; i++) {
            d[i] = ia_strdup(s[i] ? s[i] : "");
            if (!d[i]) {
                ia_tensor_release(*out);
                *out = NULL;
                return IA_ERR_NOMEM;
            }
        }
    } else if (src->nbytes) {
        memcpy((*out)->data, src->data, src->nbytes);
    }
    return IA_OK;
}

ia_tensor *ia_tensor_retain(ia_tensor *t) {
    if (t) __atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
    return t;
}

void ia_tensor_release(ia_tensor *t) {
    if (!t) return;
    if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) > 0) return;
    if (t->dtype == IA_DTYPE_STRING && t->data && !t->release) {
        char **s = t->data;
        for (int64_t i = 0; i < t->numel; i++) ia_free(s[i]);
    }
    if (t->release)
        t->release(t->release_ctx, t->data);
    else
        ia_aligned_free(t->data);
    ia_free(t->name);
    ia_free(t);
}

int ia_value_from_tensor(ia_tensor *t, ia_value **out) {
    ia_value *v = ia_calloc(1, sizeof *v);
    if (!v) return IA_ERR_NOMEM;
    v->kind = IA_VALUE_TENSOR;
    v->tensor = ia_tensor_retain(t);
    *out = v;
    return IA_OK;
}

int ia_value_sequence(int elem_dtype, ia_value **out) {
    ia_value *v = ia_calloc(1, sizeof *v);
    if (!v) return IA_ERR_NOMEM;
    v->kind = IA_VALUE_SEQUENCE;
    v->elem_dtype = elem_dtype;
    *out = v;
    return IA_OK;
}

int ia_value_sequence_insert(ia_value *seq, ia_value *item, int64_t pos) {
    if (!seq || seq->kind != IA_VALUE_SEQUENCE || !item) return IA_ERR_INVALID_ARG;
    if (pos < 0) pos = (int64_t)seq->n_items;
    if ((size_t)pos > seq->n_items) return IA_ERR_INVALID_ARG;
    ia_value **items = ia_realloc(seq->items, (seq->n_items + 1) * sizeof *items);
    if (!items) return IA_ERR_NOMEM;
    memmove(items + pos + 1, items + pos, (seq->n_items - (size_t)pos) * sizeof *items);
    items[pos] = item;
    seq->items = items;
    seq->n_items++;
    return IA_OK;
}

int ia_value_optional(ia_value *inner, ia_value **out) {
    ia_value *v = ia_calloc(1, sizeof *v);
    if (!v) return IA_ERR_NOMEM;
    v->kind = IA_VALUE_OPTIONAL;
    v->inner = inner;
    *out = v;
    return IA_OK;
}

int ia_value_clone(const ia_value *v, ia_value **out) {
    *out = NULL;
    if (!v) return IA_ERR_INVALID_ARG;
    int rc;
    switch (v->kind) {
    case IA_VALUE_TENSOR:
        return ia_value_from_tensor(v->tensor, out);
    case IA_VALUE_SEQUENCE:
        rc = ia_value_sequence(v->elem_dtype, out);
        for (size_t i = 0; !rc && i < v->n_items; i++) {
            ia_value *c;
            rc = ia_value_clone(v->items[i], &c);
            if (!rc) rc = ia_value_sequence_insert(*out, c, -1);
            if (rc && !c) break;
        }
        break;
    case IA_VALUE_OPTIONAL: {
        ia_value *c = NULL;
        rc = v->inner ? ia_value_clone(v->inner, &c) : IA_OK;
        if (!rc) rc = ia_value_optional(c, out);
        break;
    }
    default:
        return IA_ERR_INVALID_ARG;
    }
    if (rc) {
        ia_value_destroy(*out);
        *out = NULL;
    }
    return rc;
}

void ia_value_destroy(ia_value *v) {
    if (!v) return;
    ia_tensor_release(v->tensor);
    for (size_t i = 0; i < v->n_items; i++) ia_value_destroy(v->items[i]);
    ia_free(v->items);
    ia_value_destroy(v->inner);
    ia_free(v);
}

/* IEEE half <-> float, with correct rounding (round to nearest even) and subnormals. */
float ia_fp16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do { e++; man <<= 1; } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ia_f32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 | ((absx >> 13) & 0x3ff) : 0));
    if (absx >= 0x477ff000u) return (uint16_t)(sign | 0x7c00); /* overflow to inf */
    if (absx < 0x38800000u) { /* subnormal or zero in half */
        if (absx < 0x33000000u) return (uint16_t)sign;
        uint32_t man = (absx & 0x7fffff) | 0x800000;
        int shift = 126 - (int)(absx >> 23); /* 14..24 */
        uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        uint32_t r = man >> shift;
        if (rem > mid || (rem == mid && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
    uint32_t r = absx - 0x38000000u; /* rebias exponent */
    uint32_t lower = r & 0x1fff;
    r >>= 13;
    if (lower > 0x1000 || (lower == 0x1000 && (r & 1))) r++;
    return (uint16_t)(sign | r);
}

float ia_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ia_f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
    uint32_t lsb = (x >> 16) & 1;
    x += 0x7fff + lsb;
    return (uint16_t)(x >> 16);
}
