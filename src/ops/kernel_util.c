/* Shared kernel helpers: axes, broadcasting, strides and dtype-generic element access. */
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"

int ia_norm_axis(int64_t axis, int rank, int *out) {
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= (rank ? rank : 1)) return IA_ERR_INVALID_ARG;
    *out = (int)axis;
    return IA_OK;
}

int ia_broadcast_shape(int ra, const int64_t *da, int rb, const int64_t *db, int *out_rank, int64_t *out_dims) {
    int r = ra > rb ? ra : rb;
    for (int i = 0; i < r; i++) {
        int64_t a = i < r - ra ? 1 : da[i - (r - ra)];
        int64_t b = i < r - rb ? 1 : db[i - (r - rb)];
        if (a == b || b == 1)
            out_dims[i] = a;
        else if (a == 1)
            out_dims[i] = b;
        else
            return IA_ERR_SHAPE;
    }
    *out_rank = r;
    return IA_OK;
}

void ia_strides(int rank, const int64_t *dims, int64_t *strides) {
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= dims[i];
    }
}

void ia_broadcast_strides(const ia_tensor *t, int out_rank, const int64_t *out_dims, int64_t *strides) {
    int64_t own[IA_MAX_DIMS];
    ia_strides(t->rank, t->dims, own);
    int off = out_rank - t->rank;
    for (int i = 0; i < out_rank; i++) {
        if (i < off)
            strides[i] = 0;
        else
            strides[i] = (t->dims[i - off] == 1 && out_dims[i] != 1) ? 0 : own[i - off];
    }
}

double ia_get_f64(const void *d, int dtype, int64_t i) {
    switch (dtype) {
    case IA_DTYPE_FLOAT: return ((const float *)d)[i];
    case IA_DTYPE_DOUBLE: return ((const double *)d)[i];
    case IA_DTYPE_FLOAT16: return ia_fp16_to_f32(((const uint16_t *)d)[i]);
    case IA_DTYPE_BFLOAT16: return ia_bf16_to_f32(((const uint16_t *)d)[i]);
    case IA_DTYPE_INT8: return ((const int8_t *)d)[i];
    case IA_DTYPE_UINT8: return ((const uint8_t *)d)[i];
    case IA_DTYPE_BOOL: return ((const uint8_t *)d)[i] != 0;
    case IA_DTYPE_INT16: return ((const int16_t *)d)[i];
    case IA_DTYPE_UINT16: return ((const uint16_t *)d)[i];
    case IA_DTYPE_INT32: return ((const int32_t *)d)[i];
    case IA_DTYPE_UINT32: return ((const uint32_t *)d)[i];
    case IA_DTYPE_INT64: return (double)((const int64_t *)d)[i];
    case IA_DTYPE_UINT64: return (double)((const uint64_t *)d)[i];
    case IA_DTYPE_INT4: { int v = (((const uint8_t *)d)[i / 2] >> (4 * (i & 1))) & 15; return v >= 8 ? v - 16 : v; }
    case IA_DTYPE_UINT4: return (((const uint8_t *)d)[i / 2] >> (4 * (i & 1))) & 15;
    default: return 0;
    }
}

static int64_t sat_i64(double v) {
    if (isnan(v)) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

void ia_set_f64(void *d, int dtype, int64_t i, double v) {
    switch (dtype) {
    case IA_DTYPE_FLOAT: ((float *)d)[i] = (float)v; break;
    case IA_DTYPE_DOUBLE: ((double *)d)[i] = v; break;
    case IA_DTYPE_FLOAT16: ((uint16_t *)d)[i] = ia_f32_to_fp16((float)v); break;
    case IA_DTYPE_BFLOAT16: ((uint16_t *)d)[i] = ia_f32_to_bf16((float)v); break;
    case IA_DTYPE_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case IA_DTYPE_UINT64: ((uint64_t *)d)[i] = v <= 0 || isnan(v) ? 0 : v >= 1.8446744073709552e19 ? UINT64_MAX : (uint64_t)v; break;
    default: ia_set_i64(d, dtype, i, sat_i64(v)); break;
    }
}

int64_t ia_get_i64(const void *d, int dtype, int64_t i) {
    switch (dtype) {
    case IA_DTYPE_INT64: return ((const int64_t *)d)[i];
    case IA_DTYPE_INT32: return ((const int32_t *)d)[i];
    case IA_DTYPE_UINT64: return (int64_t)((const uint64_t *)d)[i];
    case IA_DTYPE_UINT32: return ((const uint32_t *)d)[i];
    case IA_DTYPE_INT16: return ((const int16_t *)d)[i];
    case IA_DTYPE_UINT16: return ((const uint16_t *)d)[i];
    case IA_DTYPE_INT8: return ((const int8_t *)d)[i];
    case IA_DTYPE_UINT8: return ((const uint8_t *)d)[i];
    case IA_DTYPE_BOOL: return ((const uint8_t *)d)[i] != 0;
    default: return sat_i64(ia_get_f64(d, dtype, i));
    }
}

void ia_set_i64(void *d, int dtype, int64_t i, int64_t v) {
    switch (dtype) {
    case IA_DTYPE_INT64: ((int64_t *)d)[i] = v; break;
    case IA_DTYPE_INT32: ((int32_t *)d)[i] = (int32_t)v; break;
    case IA_DTYPE_UINT64: ((uint64_t *)d)[i] = (uint64_t)v; break;
    case IA_DTYPE_UINT32: ((uint32_t *)d)[i] = (uint32_t)v; break;
    case IA_DTYPE_INT16: ((int16_t *)d)[i] = (int16_t)v; break;
    case IA_DTYPE_UINT16: ((uint16_t *)d)[i] = (uint16_t)v; break;
    case IA_DTYPE_INT8: ((int8_t *)d)[i] = (int8_t)v; break;
    case IA_DTYPE_UINT8: ((uint8_t *)d)[i] = (uint8_t)v; break;
    case IA_DTYPE_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case IA_DTYPE_INT4: case IA_DTYPE_UINT4: {
        uint8_t *b = (uint8_t *)d + i / 2;
        int sh = 4 * (int)(i & 1);
        *b = (uint8_t)((*b & ~(15 << sh)) | ((v & 15) << sh));
        break;
    }
    default: ia_set_f64(d, dtype, i, (double)v); break;
    }
}

uint64_t ia_get_u64(const void *d, int dtype, int64_t i) {
    if (dtype == IA_DTYPE_UINT64) return ((const uint64_t *)d)[i];
    return (uint64_t)ia_get_i64(d, dtype, i);
}

void ia_set_u64(void *d, int dtype, int64_t i, uint64_t v) {
    if (dtype == IA_DTYPE_UINT64) ((uint64_t *)d)[i] = v;
    else ia_set_i64(d, dtype, i, (int64_t)v);
}

int64_t ia_read_ints(const ia_tensor *t, int64_t *out, int64_t max) {
    if (!t || !t->data || !ia_dtype_is_integer(t->dtype)) return -1;
    int64_t n = t->numel < max ? t->numel : max;
    for (int64_t i = 0; i < n; i++) out[i] = ia_get_i64(t->data, t->dtype, i);
    return t->numel;
}

int ia_copy_elems(void *dst, int64_t dst_off, const void *src, int64_t src_off, int64_t count, int dtype) {
    if (count <= 0) return IA_OK;
    if (dtype == IA_DTYPE_STRING) {
        char **d = (char **)dst + dst_off;
        char *const *s = (char *const *)src + src_off;
        for (int64_t i = 0; i < count; i++) {
            char *c = ia_strdup(s[i] ? s[i] : "");
            if (!c) return IA_ERR_NOMEM;
            ia_free(d[i]);
            d[i] = c;
        }
        return IA_OK;
    }
    if (dtype == IA_DTYPE_INT4 || dtype == IA_DTYPE_UINT4) {
        for (int64_t i = 0; i < count; i++) ia_set_i64(dst, dtype, dst_off + i, ia_get_i64(src, IA_DTYPE_UINT4, src_off + i));
        return IA_OK;
    }
    size_t es = ia_dtype_size(dtype);
    memcpy((char *)dst + (size_t)dst_off * es, (const char *)src + (size_t)src_off * es, (size_t)count * es);
    return IA_OK;
}
