/* TensorProto / SparseTensorProto / SequenceProto / OptionalProto / TypeProto decoding and
 * encoding. Sizes are checked against the bytes actually present before anything is
 * allocated, so a malformed file cannot make us allocate more than it holds. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "onnx/proto.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian hosts only");

#define PARSE_ERR(...) ia_set_error(IA_ERR_PARSE, __VA_ARGS__)

/* ---------------- file maps ---------------- */

/* Mappings prepared by a caller for files the loader is about to open (the content store maps a
 * file's blocks side by side and registers the result under a placeholder file's identity). */
#define IA_PREPARED_MAX 64
static struct prepared {
    dev_t dev;
    ino_t ino;
    ia_filemap *map;
} g_prepared[IA_PREPARED_MAX];
static pthread_mutex_t g_prepared_mu = PTHREAD_MUTEX_INITIALIZER;

int ia__filemap_wrap(void *addr, size_t len, ia_filemap **out) {
    *out = ia_calloc(1, sizeof **out);
    if (!*out) return IA_ERR_NOMEM;
    (*out)->addr = len ? addr : NULL;
    (*out)->len = len;
    (*out)->refcount = 1;
    return IA_OK;
}

int ia__filemap_prepare(const char *path, ia_filemap *m) {
    struct stat st;
    if (stat(path, &st) != 0) return ia_set_error(IA_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    int rc = ia_set_error(IA_ERR_LIMIT, "more than %d prepared file maps", IA_PREPARED_MAX);
    pthread_mutex_lock(&g_prepared_mu);
    for (int i = 0; i < IA_PREPARED_MAX; i++)
        if (!g_prepared[i].map) {
            ia__filemap_retain(m);
            g_prepared[i] = (struct prepared){st.st_dev, st.st_ino, m};
            rc = IA_OK;
            break;
        }
    pthread_mutex_unlock(&g_prepared_mu);
    return rc;
}

void ia__filemap_unprepare(ia_filemap *m) {
    ia_filemap *drop = NULL;
    pthread_mutex_lock(&g_prepared_mu);
    for (int i = 0; i < IA_PREPARED_MAX; i++)
        if (g_prepared[i].map == m) {
            drop = m;
            g_prepared[i].map = NULL;
            break;
        }
    pthread_mutex_unlock(&g_prepared_mu);
    ia__filemap_release(drop);
}

static ia_filemap *prepared_for(const struct stat *st) {
    ia_filemap *m = NULL;
    pthread_mutex_lock(&g_prepared_mu);
    for (int i = 0; i < IA_PREPARED_MAX && !m; i++)
        if (g_prepared[i].map && g_prepared[i].dev == st->st_dev && g_prepared[i].ino == st->st_ino) {
            m = g_prepared[i].map;
            ia__filemap_retain(m);
        }
    pthread_mutex_unlock(&g_prepared_mu);
    return m;
}

int ia__filemap_open(const char *path, ia_filemap **out) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ia_set_error(IA_ERR_IO, "%s is not a regular file", path);
    }
    if ((*out = prepared_for(&st))) {
        close(fd);
        return IA_OK;
    }
    ia_filemap *m = ia_calloc(1, sizeof *m);
    if (!m) {
        close(fd);
        return IA_ERR_NOMEM;
    }
    m->len = (size_t)st.st_size;
    m->refcount = 1;
    if (m->len) {
        m->addr = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m->addr == MAP_FAILED) {
            int e = errno;
            close(fd);
            ia_free(m);
            return ia_set_error(IA_ERR_IO, "cannot map %s: %s", path, strerror(e));
        }
    }
    close(fd);
    *out = m;
    return IA_OK;
}

void ia__filemap_drop_range(const ia_filemap *m, const void *p, size_t len) {
    if (!m || m->keep || !m->len || len < 65536) return;
    uintptr_t base = (uintptr_t)m->addr, lo = (uintptr_t)p, hi = lo + len;
    if (lo < base || hi > base + m->len) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    lo = (lo + page - 1) & ~(page - 1);
    hi &= ~(page - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void ia__filemap_retain(ia_filemap *m) {
    if (m) __atomic_add_fetch(&m->refcount, 1, __ATOMIC_RELAXED);
}

void ia__filemap_release(ia_filemap *m) {
    if (!m || __atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) > 0) return;
    if (m->len) munmap(m->addr, m->len);
    ia_free(m);
}

void ia__filemap_tensor_release(void *ctx, void *data) {
    (void)data;
    ia__filemap_release(ctx);
}

int ia__model_map_external(ia_model *m, const char *location, ia_filemap **out) {
    for (size_t i = 0; i < m->n_external; i++)
        if (!strcmp(m->external_files[i], location)) {
            *out = m->external_maps[i];
            return IA_OK;
        }
    size_t plen = strlen(m->dir) + strlen(location) + 2;
    char *path = ia_malloc(plen);
    if (!path) return IA_ERR_NOMEM;
    snprintf(path, plen, "%s%s%s", m->dir, *m->dir ? "/" : "", location);
    ia_filemap *fm;
    int rc = ia__filemap_open(path, &fm);
    ia_free(path);
    if (rc) return rc;
    char **names = ia_realloc(m->external_files, (m->n_external + 1) * sizeof *names);
    if (names) m->external_files = names;
    ia_filemap **maps = ia_realloc(m->external_maps, (m->n_external + 1) * sizeof *maps);
    if (maps) m->external_maps = maps;
    char *dup = ia_strdup(location);
    if (!names || !maps || !dup) {
        ia_free(dup);
        ia__filemap_release(fm);
        return IA_ERR_NOMEM;
    }
    m->external_files[m->n_external] = dup;
    m->external_maps[m->n_external] = fm;
    m->n_external++;
    *out = fm;
    return IA_OK;
}

/* ---------------- TypeProto ---------------- */

void ia__type_info_free(ia_type_info *t) {
    if (!t) return;
    for (int i = 0; i < IA_MAX_DIMS; i++) {
        ia_free(t->dim_params[i]);
        t->dim_params[i] = NULL;
    }
    if (t->elem) {
        ia__type_info_free(t->elem);
        ia_free(t->elem);
        t->elem = NULL;
    }
}

int ia__type_info_copy(ia_type_info *dst, const ia_type_info *src) {
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->elem_dtype = src->elem_dtype;
    dst->rank = src->rank;
    memcpy(dst->dims, src->dims, sizeof dst->dims);
    for (int i = 0; i < IA_MAX_DIMS; i++)
        if (src->dim_params[i] && !(dst->dim_params[i] = ia_strdup(src->dim_params[i]))) return IA_ERR_NOMEM;
    if (src->elem) {
        dst->elem = ia_calloc(1, sizeof *dst->elem);
        if (!dst->elem) return IA_ERR_NOMEM;
        return ia__type_info_copy(dst->elem, src->elem);
    }
    return IA_OK;
}

static int decode_shape(const uint8_t *p, size_t len, ia_type_info *t) {
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    t->rank = 0;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        if (f != 1 || w != IA_PB_LEN) {
            if (ia_pb_skip(&r, w)) return PARSE_ERR("TensorShapeProto: truncated field %u", f);
            continue;
        }
        const uint8_t *d;
        size_t n;
        if (ia_pb_bytes(&r, &d, &n)) return PARSE_ERR("TensorShapeProto: truncated dimension");
        if (t->rank >= IA_MAX_DIMS) return ia_set_error(IA_ERR_LIMIT, "tensor type has more than %d dimensions", IA_MAX_DIMS);
        int k = t->rank++;
        t->dims[k] = -1;
        ia_pb dr = ia_pb_init(d, n);
        uint32_t df;
        int dw, drc;
        while ((drc = ia_pb_next(&dr, &df, &dw)) == 1) {
            if (df == 1 && dw == IA_PB_VARINT) {
                uint64_t v;
                if (ia_pb_varint(&dr, &v)) return PARSE_ERR("TensorShapeProto: bad dim_value");
                t->dims[k] = (int64_t)v >= 0 ? (int64_t)v : -1;
            } else if (df == 2 && dw == IA_PB_LEN) {
                const uint8_t *s;
                size_t sn;
                if (ia_pb_bytes(&dr, &s, &sn)) return PARSE_ERR("TensorShapeProto: bad dim_param");
                ia_free(t->dim_params[k]);
                if (!(t->dim_params[k] = ia_strndup((const char *)s, sn))) return IA_ERR_NOMEM;
            } else if (ia_pb_skip(&dr, dw)) {
                return PARSE_ERR("TensorShapeProto: truncated dimension field");
            }
        }
        if (drc < 0) return PARSE_ERR("TensorShapeProto: malformed dimension");
    }
    return rc < 0 ? PARSE_ERR("TensorShapeProto: malformed") : IA_OK;
}

int ia__type_decode(const uint8_t *p, size_t len, ia_type_info *t, int depth) {
    memset(t, 0, sizeof *t);
    t->rank = -1;
    if (depth > 32) return ia_set_error(IA_ERR_LIMIT, "TypeProto nested too deeply");
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        const uint8_t *d;
        size_t n;
        if (w != IA_PB_LEN || (f != 1 && f != 4 && f != 9 && f != 8)) {
            if (ia_pb_skip(&r, w)) return PARSE_ERR("TypeProto: truncated field %u", f);
            continue;
        }
        if (ia_pb_bytes(&r, &d, &n)) return PARSE_ERR("TypeProto: truncated field %u", f);
        ia_pb sr = ia_pb_init(d, n);
        uint32_t sf;
        int sw, src;
        if (f == 1 || f == 8) { /* tensor_type / sparse_tensor_type */
            t->kind = IA_VALUE_TENSOR;
            while ((src = ia_pb_next(&sr, &sf, &sw)) == 1) {
                const uint8_t *sd;
                size_t sn;
                if (sf == 1 && sw == IA_PB_VARINT) {
                    uint64_t v;
                    if (ia_pb_varint(&sr, &v)) return PARSE_ERR("TypeProto.Tensor: bad elem_type");
                    t->elem_dtype = v < IA_DTYPE_COUNT_ ? (int)v : IA_DTYPE_UNDEFINED;
                } else if (sf == 2 && sw == IA_PB_LEN) {
                    if (ia_pb_bytes(&sr, &sd, &sn)) return PARSE_ERR("TypeProto.Tensor: bad shape");
                    if ((rc = decode_shape(sd, sn, t))) return rc;
                } else if (ia_pb_skip(&sr, sw)) {
                    return PARSE_ERR("TypeProto.Tensor: truncated");
                }
            }
        } else { /* sequence_type (4) / optional_type (9): elem_type = field 1 */
            t->kind = f == 4 ? IA_VALUE_SEQUENCE : IA_VALUE_OPTIONAL;
            while ((src = ia_pb_next(&sr, &sf, &sw)) == 1) {
                const uint8_t *sd;
                size_t sn;
                if (sf == 1 && sw == IA_PB_LEN) {
                    if (ia_pb_bytes(&sr, &sd, &sn)) return PARSE_ERR("TypeProto: bad element type");
                    if (t->elem) {
                        ia__type_info_free(t->elem);
                        ia_free(t->elem);
                    }
                    t->elem = ia_calloc(1, sizeof *t->elem);
                    if (!t->elem) return IA_ERR_NOMEM;
                    if ((rc = ia__type_decode(sd, sn, t->elem, depth + 1))) return rc;
                    if (t->elem->kind == IA_VALUE_TENSOR) t->elem_dtype = t->elem->elem_dtype;
                } else if (ia_pb_skip(&sr, sw)) {
                    return PARSE_ERR("TypeProto: truncated element type");
                }
            }
        }
        if (src < 0) return PARSE_ERR("TypeProto: malformed");
    }
    return rc < 0 ? PARSE_ERR("TypeProto: malformed") : IA_OK;
}

/* ---------------- TensorProto ---------------- */

typedef struct span {
    const uint8_t *p;
    size_t len;
} span;

typedef struct tensor_fields {
    int64_t dims[IA_MAX_DIMS];
    int rank;
    int dtype;
    span name, raw;
    int has_raw, external;
    /* typed repeated fields: we keep the whole message and re-scan in pass 2 */
    size_t n_float, n_int32, n_int64, n_double, n_uint64, n_string;
    span location;
    uint64_t ext_offset, ext_length;
    int has_ext_length;
} tensor_fields;

/* Counts the elements of a repeated scalar field occurrence (packed or not). */
static int count_scalar(ia_pb *r, int wire, int fixed_size, size_t *count) {
    if (wire == IA_PB_LEN) {
        const uint8_t *d;
        size_t n, c;
        if (ia_pb_bytes(r, &d, &n)) return IA_ERR_PARSE;
        if (fixed_size) {
            if (n % (size_t)fixed_size) return IA_ERR_PARSE;
            c = n / (size_t)fixed_size;
        } else if (ia_pb_count_varints(d, n, &c)) {
            return IA_ERR_PARSE;
        }
        *count += c;
        return IA_OK;
    }
    int expect = fixed_size == 4 ? IA_PB_I32 : fixed_size == 8 ? IA_PB_I64 : IA_PB_VARINT;
    if (wire != expect) return IA_ERR_PARSE;
    if (ia_pb_skip(r, wire)) return IA_ERR_PARSE;
    (*count)++;
    return IA_OK;
}

static int scan_external(const uint8_t *p, size_t len, tensor_fields *tf) {
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    span key = {0}, val = {0};
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        if (w == IA_PB_LEN && (f == 1 || f == 2)) {
            span *s = f == 1 ? &key : &val;
            if (ia_pb_bytes(&r, &s->p, &s->len)) return IA_ERR_PARSE;
        } else if (ia_pb_skip(&r, w)) {
            return IA_ERR_PARSE;
        }
    }
    if (rc < 0) return IA_ERR_PARSE;
    char num[32];
    if (key.len == 8 && !memcmp(key.p, "location", 8)) {
        tf->location = val;
    } else if ((key.len == 6 && !memcmp(key.p, "offset", 6)) || (key.len == 6 && !memcmp(key.p, "length", 6))) {
        if (val.len == 0 || val.len >= sizeof num) return IA_ERR_PARSE;
        memcpy(num, val.p, val.len);
        num[val.len] = 0;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(num, &end, 10);
        if (*end || errno || num[0] == '-') return IA_ERR_PARSE;
        if (key.p[0] == 'o') {
            tf->ext_offset = v;
        } else {
            tf->ext_length = v;
            tf->has_ext_length = 1;
        }
    }
    return IA_OK;
}

static int scan_tensor(const uint8_t *p, size_t len, tensor_fields *tf) {
    memset(tf, 0, sizeof *tf);
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        uint64_t v;
        switch (f) {
        case 1: /* dims */
            if (w == IA_PB_LEN) {
                const uint8_t *d;
                size_t n;
                if (ia_pb_bytes(&r, &d, &n)) return PARSE_ERR("TensorProto: truncated dims");
                ia_pb dr = ia_pb_init(d, n);
                while (dr.p < dr.end) {
                    if (ia_pb_varint(&dr, &v)) return PARSE_ERR("TensorProto: bad dims");
                    if (tf->rank >= IA_MAX_DIMS) return ia_set_error(IA_ERR_LIMIT, "tensor has more than %d dimensions", IA_MAX_DIMS);
                    tf->dims[tf->rank++] = (int64_t)v;
                }
            } else if (w == IA_PB_VARINT) {
                if (ia_pb_varint(&r, &v)) return PARSE_ERR("TensorProto: bad dims");
                if (tf->rank >= IA_MAX_DIMS) return ia_set_error(IA_ERR_LIMIT, "tensor has more than %d dimensions", IA_MAX_DIMS);
                tf->dims[tf->rank++] = (int64_t)v;
            } else {
                return PARSE_ERR("TensorProto: dims has wire type %d", w);
            }
            break;
        case 2:
            if (w != IA_PB_VARINT || ia_pb_varint(&r, &v)) return PARSE_ERR("TensorProto: bad data_type");
            tf->dtype = v < IA_DTYPE_COUNT_ ? (int)v : -1;
            break;
        case 4: if (count_scalar(&r, w, 4, &tf->n_float)) return PARSE_ERR("TensorProto: bad float_data"); break;
        case 5: if (count_scalar(&r, w, 0, &tf->n_int32)) return PARSE_ERR("TensorProto: bad int32_data"); break;
        case 7: if (count_scalar(&r, w, 0, &tf->n_int64)) return PARSE_ERR("TensorProto: bad int64_data"); break;
        case 10: if (count_scalar(&r, w, 8, &tf->n_double)) return PARSE_ERR("TensorProto: bad double_data"); break;
        case 11: if (count_scalar(&r, w, 0, &tf->n_uint64)) return PARSE_ERR("TensorProto: bad uint64_data"); break;
        case 6:
            if (w != IA_PB_LEN || ia_pb_skip(&r, w)) return PARSE_ERR("TensorProto: bad string_data");
            tf->n_string++;
            break;
        case 8:
            if (w != IA_PB_LEN || ia_pb_bytes(&r, &tf->name.p, &tf->name.len)) return PARSE_ERR("TensorProto: bad name");
            break;
        case 9:
            if (w != IA_PB_LEN || ia_pb_bytes(&r, &tf->raw.p, &tf->raw.len)) return PARSE_ERR("TensorProto: bad raw_data");
            tf->has_raw = 1;
            break;
        case 13: {
            const uint8_t *d;
            size_t n;
            if (w != IA_PB_LEN || ia_pb_bytes(&r, &d, &n) || scan_external(d, n, tf))
                return PARSE_ERR("TensorProto: bad external_data entry");
            break;
        }
        case 14:
            if (w != IA_PB_VARINT || ia_pb_varint(&r, &v)) return PARSE_ERR("TensorProto: bad data_location");
            tf->external = v == 1;
            break;
        default:
            if (ia_pb_skip(&r, w)) return PARSE_ERR("TensorProto: truncated field %u", f);
        }
    }
    if (rc < 0) return PARSE_ERR("TensorProto: malformed key");
    return IA_OK;
}

/* Storage class of the typed field for each dtype. */
enum { F_NONE, F_FLOAT, F_INT32, F_INT64, F_DOUBLE, F_UINT64, F_STRING };
static int typed_field_of(int dtype) {
    switch (dtype) {
    case IA_DTYPE_FLOAT: case IA_DTYPE_COMPLEX64: return F_FLOAT;
    case IA_DTYPE_INT32: case IA_DTYPE_INT16: case IA_DTYPE_INT8: case IA_DTYPE_UINT16: case IA_DTYPE_UINT8:
    case IA_DTYPE_BOOL: case IA_DTYPE_FLOAT16: case IA_DTYPE_BFLOAT16: case IA_DTYPE_FLOAT8E4M3FN:
    case IA_DTYPE_FLOAT8E4M3FNUZ: case IA_DTYPE_FLOAT8E5M2: case IA_DTYPE_FLOAT8E5M2FNUZ:
    case IA_DTYPE_INT4: case IA_DTYPE_UINT4:
        return F_INT32;
    case IA_DTYPE_INT64: return F_INT64;
    case IA_DTYPE_DOUBLE: case IA_DTYPE_COMPLEX128: return F_DOUBLE;
    case IA_DTYPE_UINT32: case IA_DTYPE_UINT64: return F_UINT64;
    case IA_DTYPE_STRING: return F_STRING;
    default: return F_NONE;
    }
}

static void store_int(void *dst, int dtype, size_t i, uint64_t v) {
    switch (ia_dtype_size(dtype)) {
    case 1: ((uint8_t *)dst)[i] = (uint8_t)v; break;
    case 2: ((uint16_t *)dst)[i] = (uint16_t)v; break;
    case 4: ((uint32_t *)dst)[i] = (uint32_t)v; break;
    default: ((uint64_t *)dst)[i] = v; break;
    }
}

/* Pass 2: copies the typed repeated field `want` into t->data. */
static int fill_typed(const uint8_t *p, size_t len, int want, ia_tensor *t) {
    static const uint32_t field_no[] = {0, 4, 5, 7, 10, 11, 6};
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    size_t i = 0;
    int packed4 = t->dtype == IA_DTYPE_INT4 || t->dtype == IA_DTYPE_UINT4;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        if (f != field_no[want]) {
            if (ia_pb_skip(&r, w)) return IA_ERR_PARSE;
            continue;
        }
        if (want == F_STRING) {
            const uint8_t *d;
            size_t n;
            if (ia_pb_bytes(&r, &d, &n)) return IA_ERR_PARSE;
            char *s = ia_strndup((const char *)d, n);
            if (!s) return IA_ERR_NOMEM;
            ((char **)t->data)[i++] = s;
            continue;
        }
        ia_pb sub = r;
        const uint8_t *end_after;
        if (w == IA_PB_LEN) {
            const uint8_t *d;
            size_t n;
            if (ia_pb_bytes(&r, &d, &n)) return IA_ERR_PARSE;
            sub = ia_pb_init(d, n);
            end_after = r.p;
        } else {
            sub.end = r.end;
            end_after = NULL;
        }
        do {
            uint64_t v = 0;
            uint32_t v32;
            if (want == F_FLOAT) {
                if (ia_pb_fixed32(&sub, &v32)) return IA_ERR_PARSE;
                ((uint32_t *)t->data)[i++] = v32;
            } else if (want == F_DOUBLE) {
                if (ia_pb_fixed64(&sub, &v)) return IA_ERR_PARSE;
                ((uint64_t *)t->data)[i++] = v;
            } else {
                if (ia_pb_varint(&sub, &v)) return IA_ERR_PARSE;
                if (packed4)
                    ((uint8_t *)t->data)[i++] = (uint8_t)v;
                else
                    store_int(t->data, t->dtype, i++, v);
            }
        } while (w == IA_PB_LEN && sub.p < sub.end);
        if (end_after) r.p = end_after; else r.p = sub.p;
    }
    return rc < 0 ? IA_ERR_PARSE : IA_OK;
}

int ia__tensor_decode(const uint8_t *p, size_t len, const ia_decode_ctx *dc, ia_tensor **out, char **name_out) {
    *out = NULL;
    if (name_out) *name_out = NULL;
    tensor_fields tf;
    int rc = scan_tensor(p, len, &tf);
    if (rc) return rc;
    char tname[128];
    snprintf(tname, sizeof tname, "%.*s", (int)(tf.name.len < 100 ? tf.name.len : 100), tf.name.p ? (const char *)tf.name.p : "");
    if (tf.dtype <= 0 || tf.dtype >= IA_DTYPE_COUNT_)
        return PARSE_ERR("tensor '%s': missing or unknown data_type", tname);
    for (int i = 0; i < tf.rank; i++)
        if (tf.dims[i] < 0) return PARSE_ERR("tensor '%s': negative dimension", tname);
    int64_t numel = ia_shape_numel(tf.rank, tf.dims);
    if (numel < 0) return ia_set_error(IA_ERR_LIMIT, "tensor '%s': element count overflows", tname);
    size_t need = ia_dtype_bytes(tf.dtype, numel);
    if ((uint64_t)numel > (uint64_t)1 << 48) return ia_set_error(IA_ERR_LIMIT, "tensor '%s': %lld elements is absurd", tname, (long long)numel);
    ia_tensor *t = NULL;

    if (tf.external) {
        if (tf.dtype == IA_DTYPE_STRING) return PARSE_ERR("tensor '%s': external string data is not allowed", tname);
        if (!dc || !dc->model || !dc->dir) return PARSE_ERR("tensor '%s': external data without a model directory", tname);
        if (!tf.location.p || tf.location.len == 0 || tf.location.len > 4096)
            return PARSE_ERR("tensor '%s': external data without a location", tname);
        char loc[4100];
        memcpy(loc, tf.location.p, tf.location.len);
        loc[tf.location.len] = 0;
        if (strlen(loc) != tf.location.len || loc[0] == '/' || strstr(loc, "..") || strchr(loc, '\\'))
            return PARSE_ERR("tensor '%s': external data location '%s' escapes the model directory", tname, loc);
        ia_filemap *fm;
        if ((rc = ia__model_map_external(dc->model, loc, &fm))) return rc;
        uint64_t length = tf.has_ext_length ? tf.ext_length : need;
        if (length != need)
            return PARSE_ERR("tensor '%s': external length %llu, shape needs %zu bytes", tname, (unsigned long long)length, need);
        if (tf.ext_offset > fm->len || length > fm->len - tf.ext_offset)
            return PARSE_ERR("tensor '%s': external data [%llu, +%llu) lies beyond the end of '%s' (%zu bytes)",
                             tname, (unsigned long long)tf.ext_offset, (unsigned long long)length, loc, fm->len);
        const uint8_t *src = (const uint8_t *)fm->addr + tf.ext_offset;
        size_t esz = ia_dtype_size(tf.dtype);
        if (esz == 0) esz = 1;
        if (((uintptr_t)src % esz) == 0 && need > 0) {
            ia__filemap_retain(fm);
            rc = ia_tensor_wrap(tf.dtype, tf.rank, tf.dims, (void *)src, need, ia__filemap_tensor_release, fm, &t);
            if (rc) ia__filemap_release(fm);
        } else {
            rc = ia_tensor_create(tf.dtype, tf.rank, tf.dims, &t);
            if (!rc && need) memcpy(t->data, src, need);
            if (!rc) ia__filemap_drop_range(fm, src, need);
        }
        if (rc) return rc;
    } else if (tf.has_raw) {
        if (tf.dtype == IA_DTYPE_STRING) return PARSE_ERR("tensor '%s': string tensor in raw_data", tname);
        if (tf.raw.len != need)
            return PARSE_ERR("tensor '%s': raw_data has %zu bytes, shape and type need %zu", tname, tf.raw.len, need);
        size_t esz = ia_dtype_size(tf.dtype);
        if (esz == 0) esz = 1;
        if (dc && dc->source && need >= 4096 && ((uintptr_t)tf.raw.p % esz) == 0) {
            ia__filemap_retain(dc->source);
            rc = ia_tensor_wrap(tf.dtype, tf.rank, tf.dims, (void *)tf.raw.p, need, ia__filemap_tensor_release, dc->source, &t);
            if (rc) ia__filemap_release(dc->source);
        } else {
            rc = ia_tensor_create(tf.dtype, tf.rank, tf.dims, &t);
            if (!rc && need) memcpy(t->data, tf.raw.p, need);
            if (!rc && dc) ia__filemap_drop_range(dc->source, tf.raw.p, need);
        }
        (void)esz;
        if (rc) return rc;
    } else {
        int want = typed_field_of(tf.dtype);
        size_t have = want == F_FLOAT ? tf.n_float : want == F_INT32 ? tf.n_int32 : want == F_INT64 ? tf.n_int64
                    : want == F_DOUBLE ? tf.n_double : want == F_UINT64 ? tf.n_uint64 : want == F_STRING ? tf.n_string : 0;
        size_t expect = (size_t)numel;
        if (tf.dtype == IA_DTYPE_COMPLEX64 || tf.dtype == IA_DTYPE_COMPLEX128) expect *= 2;
        if (tf.dtype == IA_DTYPE_INT4 || tf.dtype == IA_DTYPE_UINT4) expect = need;
        if (want == F_NONE) return PARSE_ERR("tensor '%s': data type %d has no storage field", tname, tf.dtype);
        if (have != expect)
            return PARSE_ERR("tensor '%s': %zu stored values, shape needs %zu", tname, have, expect);
        if ((rc = ia_tensor_create(tf.dtype, tf.rank, tf.dims, &t))) return rc;
        if ((rc = fill_typed(p, len, want, t))) {
            ia_tensor_release(t);
            return rc == IA_ERR_NOMEM ? rc : PARSE_ERR("tensor '%s': malformed typed data", tname);
        }
    }
    if (tf.name.len && !(t->name = ia_strndup((const char *)tf.name.p, tf.name.len))) {
        ia_tensor_release(t);
        return IA_ERR_NOMEM;
    }
    if (name_out && tf.name.p && !(*name_out = ia_strndup((const char *)tf.name.p, tf.name.len))) {
        ia_tensor_release(t);
        return IA_ERR_NOMEM;
    }
    *out = t;
    return IA_OK;
}

int ia__sparse_tensor_decode(const uint8_t *p, size_t len, const ia_decode_ctx *dc, ia_tensor **out, char **name_out) {
    *out = NULL;
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    ia_tensor *values = NULL, *indices = NULL;
    int64_t dims[IA_MAX_DIMS];
    int rank = 0;
    char *name = NULL;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        const uint8_t *d;
        size_t n;
        uint64_t v;
        if ((f == 1 || f == 2) && w == IA_PB_LEN) {
            if (ia_pb_bytes(&r, &d, &n)) { rc = IA_ERR_PARSE; break; }
            ia_tensor **dst = f == 1 ? &values : &indices;
            ia_tensor_release(*dst);
            *dst = NULL;
            if (f == 1) { /* a repeated field replaces the earlier one */
                ia_free(name);
                name = NULL;
            }
            if ((rc = ia__tensor_decode(d, n, dc, dst, f == 1 ? &name : NULL))) break;
        } else if (f == 3 && w == IA_PB_VARINT) {
            if (ia_pb_varint(&r, &v) || rank >= IA_MAX_DIMS) { rc = IA_ERR_PARSE; break; }
            dims[rank++] = (int64_t)v;
        } else if (f == 3 && w == IA_PB_LEN) {
            if (ia_pb_bytes(&r, &d, &n)) { rc = IA_ERR_PARSE; break; }
            ia_pb dr = ia_pb_init(d, n);
            while (dr.p < dr.end && rank < IA_MAX_DIMS)
                if (ia_pb_varint(&dr, &v)) { rc = IA_ERR_PARSE; break; } else dims[rank++] = (int64_t)v;
            if (rc < 0 || dr.p < dr.end) { rc = IA_ERR_PARSE; break; }
        } else if (ia_pb_skip(&r, w)) {
            rc = IA_ERR_PARSE;
            break;
        }
    }
    if (rc == 0 && (!values || !indices || values->rank != 1 || indices->dtype != IA_DTYPE_INT64 ||
                    values->dtype == IA_DTYPE_STRING))
        rc = PARSE_ERR("SparseTensorProto: needs 1-D values and int64 indices");
    ia_tensor *t = NULL;
    if (rc == 0) rc = ia_tensor_create(values->dtype, rank, dims, &t);
    if (rc == 0) {
        int64_t nnz = values->dims[0], total = t->numel;
        size_t es = ia_dtype_size(values->dtype);
        const int64_t *idx = indices->data;
        int coord = indices->rank == 2;
        if ((!coord && (indices->rank != 1 || indices->dims[0] != nnz)) ||
            (coord && (indices->dims[0] != nnz || indices->dims[1] != rank)))
            rc = PARSE_ERR("SparseTensorProto: indices shape does not match values");
        for (int64_t k = 0; rc == 0 && k < nnz; k++) {
            int64_t lin = 0;
            if (coord) {
                for (int j = 0; j < rank; j++) {
                    int64_t c = idx[k * rank + j];
                    if (c < 0 || c >= dims[j]) { rc = PARSE_ERR("SparseTensorProto: index out of range"); break; }
                    lin = lin * dims[j] + c;
                }
            } else {
                lin = idx[k];
            }
            if (rc == 0 && (lin < 0 || lin >= total)) rc = PARSE_ERR("SparseTensorProto: index out of range");
            if (rc == 0) memcpy((uint8_t *)t->data + (size_t)lin * es, (uint8_t *)values->data + (size_t)k * es, es);
        }
    }
    ia_tensor_release(values);
    ia_tensor_release(indices);
    if (rc) {
        ia_tensor_release(t);
        ia_free(name);
        return rc < 0 ? rc : IA_ERR_PARSE;
    }
    if (name_out) *name_out = name; else ia_free(name);
    *out = t;
    return IA_OK;
}

/* ---------------- Sequence / Optional ---------------- */

static int value_decode_depth(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out, int depth);

static int sequence_decode(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out, int depth) {
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    ia_value *seq;
    int elem_dtype = expected && expected->elem ? expected->elem->elem_dtype : 0;
    if ((rc = ia_value_sequence(elem_dtype, &seq))) return rc;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        const uint8_t *d;
        size_t n;
        if (w == IA_PB_LEN && (f == 3 || f == 5 || f == 7)) {
            if (ia_pb_bytes(&r, &d, &n)) { rc = IA_ERR_PARSE; break; }
            ia_value *item = NULL;
            if (f == 3) {
                ia_tensor *t;
                if ((rc = ia__tensor_decode(d, n, NULL, &t, NULL))) break;
                rc = ia_value_from_tensor(t, &item);
                ia_tensor_release(t);
                if (!rc && !seq->elem_dtype) seq->elem_dtype = t->dtype;
            } else {
                ia_type_info sub = {0};
                sub.kind = f == 5 ? IA_VALUE_SEQUENCE : IA_VALUE_OPTIONAL;
                rc = value_decode_depth(d, n, expected && expected->elem ? expected->elem : &sub, &item, depth + 1);
            }
            if (!rc) rc = ia_value_sequence_insert(seq, item, -1);
            if (rc) { ia_value_destroy(item); break; }
        } else if (ia_pb_skip(&r, w)) {
            rc = IA_ERR_PARSE;
            break;
        }
    }
    if (rc < 0) {
        ia_value_destroy(seq);
        return rc == IA_ERR_PARSE ? PARSE_ERR("SequenceProto: malformed") : rc;
    }
    *out = seq;
    return IA_OK;
}

static int optional_decode(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out, int depth) {
    ia_pb r = ia_pb_init(p, len);
    uint32_t f;
    int w, rc;
    ia_value *inner = NULL;
    while ((rc = ia_pb_next(&r, &f, &w)) == 1) {
        const uint8_t *d;
        size_t n;
        if (w == IA_PB_LEN && (f == 3 || f == 5 || f == 7)) {
            if (ia_pb_bytes(&r, &d, &n)) { rc = IA_ERR_PARSE; break; }
            ia_value_destroy(inner);
            inner = NULL;
            if (f == 3) {
                ia_tensor *t;
                if ((rc = ia__tensor_decode(d, n, NULL, &t, NULL))) break;
                rc = ia_value_from_tensor(t, &inner);
                ia_tensor_release(t);
            } else {
                ia_type_info sub = {0};
                sub.kind = f == 5 ? IA_VALUE_SEQUENCE : IA_VALUE_OPTIONAL;
                rc = value_decode_depth(d, n, expected && expected->elem ? expected->elem : &sub, &inner, depth + 1);
            }
            if (rc) break;
        } else if (ia_pb_skip(&r, w)) {
            rc = IA_ERR_PARSE;
            break;
        }
    }
    if (rc < 0) {
        ia_value_destroy(inner);
        return rc == IA_ERR_PARSE ? PARSE_ERR("OptionalProto: malformed") : rc;
    }
    rc = ia_value_optional(inner, out);
    if (rc) ia_value_destroy(inner);
    return rc;
}

static int value_decode_depth(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out, int depth) {
    *out = NULL;
    if (depth > 32) return ia_set_error(IA_ERR_LIMIT, "value nested too deeply");
    int kind = expected ? expected->kind : 0;
    if (kind == IA_VALUE_SEQUENCE) return sequence_decode(p, len, expected, out, depth);
    if (kind == IA_VALUE_OPTIONAL) return optional_decode(p, len, expected, out, depth);
    ia_tensor *t;
    int rc = ia__tensor_decode(p, len, NULL, &t, NULL);
    if (rc) return rc;
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

int ia__value_decode(const uint8_t *p, size_t len, const ia_type_info *expected, ia_value **out) {
    return value_decode_depth(p, len, expected, out, 0);
}

/* ---------------- encoding ---------------- */

void ia__tensor_encode(ia_pbw *w, const ia_tensor *t, const char *name) {
    for (int i = 0; i < t->rank; i++) ia_pbw_varint_field(w, 1, (uint64_t)t->dims[i]);
    ia_pbw_varint_field(w, 2, (uint64_t)t->dtype);
    if (name) ia_pbw_bytes_field(w, 8, name, strlen(name));
    if (t->dtype == IA_DTYPE_STRING) {
        char **s = t->data;
        for (int64_t i = 0; i < t->numel; i++) ia_pbw_bytes_field(w, 6, s[i] ? s[i] : "", s[i] ? strlen(s[i]) : 0);
    } else {
        ia_pbw_bytes_field(w, 9, t->data, t->nbytes);
    }
}

static void encode_nested(ia_pbw *w, uint32_t field, const ia_value *v) {
    ia_pbw sub = {0};
    ia__value_encode(&sub, v, NULL);
    if (sub.failed) w->failed = 1;
    ia_pbw_bytes_field(w, field, sub.buf, sub.len);
    ia_pbw_free(&sub);
}

/* SequenceProto/OptionalProto elem_type: UNDEFINED 0, TENSOR 1, SPARSE 2, SEQUENCE 3, MAP 4, OPTIONAL 5 */
static int elem_type_code(const ia_value *v) {
    if (!v) return 0;
    return v->kind == IA_VALUE_TENSOR ? 1 : v->kind == IA_VALUE_SEQUENCE ? 3 : 5;
}

void ia__value_encode(ia_pbw *w, const ia_value *v, const char *name) {
    if (v->kind == IA_VALUE_TENSOR) {
        ia__tensor_encode(w, v->tensor, name);
        return;
    }
    if (name) ia_pbw_bytes_field(w, 1, name, strlen(name));
    if (v->kind == IA_VALUE_SEQUENCE) {
        ia_pbw_varint_field(w, 2, v->n_items ? (uint64_t)elem_type_code(v->items[0]) : 1);
        for (size_t i = 0; i < v->n_items; i++) {
            const ia_value *it = v->items[i];
            encode_nested(w, it->kind == IA_VALUE_TENSOR ? 3 : it->kind == IA_VALUE_SEQUENCE ? 5 : 7, it);
        }
    } else {
        ia_pbw_varint_field(w, 2, (uint64_t)elem_type_code(v->inner));
        if (v->inner)
            encode_nested(w, v->inner->kind == IA_VALUE_TENSOR ? 3 : v->inner->kind == IA_VALUE_SEQUENCE ? 5 : 7, v->inner);
    }
}
