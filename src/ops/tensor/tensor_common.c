/* Tensor-family helpers: the multithreaded strided copy (with a blocked 2-D transpose path) and input readers. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/tensor/tensor_common.h"

#define TILE 32

typedef struct {
    int rank; /* >= 1 after coalescing */
    int64_t dims[IA_TCOPY_MAX_RANK];
    int64_t sstr[IA_TCOPY_MAX_RANK]; /* source strides, elements */
    int64_t dstr[IA_TCOPY_MAX_RANK]; /* destination strides (contiguous), elements */
    const char *src;
    char *dst;
    size_t es;
    /* blocked transpose: the dim `tk` has source stride 1 and the last dim does not */
    int tk;
    int64_t tiles_k; /* ceil(dims[tk] / TILE) */
} tcopy_plan;

int ia_tensor_copyable(int dtype) { return dtype == IA_DTYPE_STRING || ia_dtype_size(dtype) > 0; }

/* Copies n elements of size es from src (stride ss elements) to contiguous dst. */
static inline void copy_run(char *dst, const char *src, int64_t n, int64_t ss, size_t es) {
    if (ss == 1) {
        memcpy(dst, src, (size_t)n * es);
        return;
    }
    switch (es) {
    case 1: for (int64_t i = 0; i < n; i++) ((uint8_t *)dst)[i] = ((const uint8_t *)src)[i * ss]; break;
    case 2: for (int64_t i = 0; i < n; i++) ((uint16_t *)dst)[i] = ((const uint16_t *)src)[i * ss]; break;
    case 4: for (int64_t i = 0; i < n; i++) ((uint32_t *)dst)[i] = ((const uint32_t *)src)[i * ss]; break;
    case 8: for (int64_t i = 0; i < n; i++) ((uint64_t *)dst)[i] = ((const uint64_t *)src)[i * ss]; break;
    default:
        for (int64_t i = 0; i < n; i++) memcpy(dst + (size_t)i * es, src + i * ss * (int64_t)es, es);
    }
}

/* Rows: every output row (last dim) is one copy_run. */
static void rows_worker(void *arg, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const tcopy_plan *p = arg;
    int r = p->rank;
    int64_t inner = p->dims[r - 1], idx[IA_TCOPY_MAX_RANK];
    int64_t rem = begin, soff = 0;
    for (int d = r - 2; d >= 0; d--) {
        idx[d] = rem % p->dims[d];
        rem /= p->dims[d];
        soff += idx[d] * p->sstr[d];
    }
    for (int64_t row = begin; row < end; row++) {
        copy_run(p->dst + (size_t)(row * inner) * p->es, p->src + soff * (int64_t)p->es, inner, p->sstr[r - 1], p->es);
        for (int d = r - 2; d >= 0; d--) { /* odometer */
            soff += p->sstr[d];
            if (++idx[d] < p->dims[d]) break;
            soff -= idx[d] * p->sstr[d];
            idx[d] = 0;
        }
    }
}

#define TRANSPOSE_TILE(T)                                                                  \
    do {                                                                                   \
        const T *s_ = (const T *)src;                                                      \
        T *d_ = (T *)dst;                                                                  \
        for (int64_t j0 = 0; j0 < nj; j0 += TILE) {                                        \
            int64_t j1 = j0 + TILE < nj ? j0 + TILE : nj;                                  \
            for (int64_t i = i0; i < i1; i++)                                              \
                for (int64_t j = j0; j < j1; j++) d_[i * dk + j] = s_[i + j * sj];         \
        }                                                                                  \
    } while (0)

/* Blocked transpose: items are (batch, tile of dim tk). */
static void tiles_worker(void *arg, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const tcopy_plan *p = arg;
    int r = p->rank, k = p->tk;
    int64_t nj = p->dims[r - 1], sj = p->sstr[r - 1], dk = p->dstr[k];
    for (int64_t item = begin; item < end; item++) {
        int64_t b = item / p->tiles_k, t = item % p->tiles_k;
        int64_t soff = 0, doff = 0;
        for (int d = r - 2; d >= 0; d--) {
            if (d == k) continue;
            int64_t i = b % p->dims[d];
            b /= p->dims[d];
            soff += i * p->sstr[d];
            doff += i * p->dstr[d];
        }
        int64_t i0 = t * TILE, i1 = i0 + TILE < p->dims[k] ? i0 + TILE : p->dims[k];
        const char *src = p->src + soff * (int64_t)p->es;
        char *dst = p->dst + doff * (int64_t)p->es;
        switch (p->es) {
        case 1: TRANSPOSE_TILE(uint8_t); break;
        case 2: TRANSPOSE_TILE(uint16_t); break;
        case 4: TRANSPOSE_TILE(uint32_t); break;
        case 8: TRANSPOSE_TILE(uint64_t); break;
        default:
            for (int64_t i = i0; i < i1; i++)
                for (int64_t j = 0; j < nj; j++)
                    memcpy(dst + (i * dk + j) * (int64_t)p->es, src + (i + j * sj) * (int64_t)p->es, p->es);
        }
    }
}

static int copy_strings(char **dst, char *const *src, int64_t base, int rank, const int64_t *dims, const int64_t *sstr) {
    int64_t idx[IA_TCOPY_MAX_RANK] = {0};
    int64_t n = ia_shape_numel(rank, dims), soff = base;
    for (int64_t o = 0; o < n; o++) {
        const char *s = src[soff];
        char *c = ia_strdup(s ? s : "");
        if (!c) return IA_ERR_NOMEM;
        ia_free(dst[o]);
        dst[o] = c;
        for (int d = rank - 1; d >= 0; d--) {
            soff += sstr[d];
            if (++idx[d] < dims[d]) break;
            soff -= idx[d] * sstr[d];
            idx[d] = 0;
        }
    }
    return IA_OK;
}

int ia_tensor_strided_copy(ia_kctx *ctx, int dtype, void *dst, const void *src, int64_t src_base, int rank,
                           const int64_t *dims, const int64_t *src_strides) {
    if (rank < 0 || rank > IA_TCOPY_MAX_RANK) return ia_kctx_fail(ctx, IA_ERR_LIMIT, "copy of rank %d is not supported", rank);
    int64_t n = ia_shape_numel(rank, dims);
    if (n <= 0) return IA_OK;
    if (dtype == IA_DTYPE_STRING) return copy_strings(dst, src, src_base, rank, dims, src_strides);
    size_t es = ia_dtype_size(dtype);
    if (!es) return ia_kctx_fail(ctx, IA_ERR_UNSUPPORTED, "element type %s cannot be copied", ia_dtype_name(dtype));

    /* Coalesce: drop size-1 dims; merge a dim into the next when contiguous in the source. */
    tcopy_plan p;
    p.rank = 0;
    for (int d = 0; d < rank; d++) {
        if (dims[d] == 1) continue;
        if (p.rank > 0 && p.sstr[p.rank - 1] == src_strides[d] * dims[d]) {
            p.dims[p.rank - 1] *= dims[d];
            p.sstr[p.rank - 1] = src_strides[d];
        } else {
            p.dims[p.rank] = dims[d];
            p.sstr[p.rank] = src_strides[d];
            p.rank++;
        }
    }
    if (p.rank == 0) {
        p.rank = 1;
        p.dims[0] = 1;
        p.sstr[0] = 1;
    }
    ia_strides(p.rank, p.dims, p.dstr);
    p.src = (const char *)src + src_base * (int64_t)es;
    p.dst = dst;
    p.es = es;
    ia_threadpool *pool = ia_kctx_pool(ctx);
    int r = p.rank;

    /* Blocked transpose when the output's last dim is strided but another dim is unit-stride. */
    p.tk = -1;
    if (r >= 2 && p.sstr[r - 1] != 1 && p.dims[r - 1] >= 4)
        for (int d = r - 2; d >= 0; d--)
            if (p.sstr[d] == 1 && p.dims[d] >= 4) {
                p.tk = d;
                break;
            }
    if (p.tk >= 0) {
        p.tiles_k = (p.dims[p.tk] + TILE - 1) / TILE;
        int64_t items = n / p.dims[p.tk] / p.dims[r - 1] * p.tiles_k;
        int64_t per_item = n / items;
        int64_t grain = IA_TENSOR_PAR_MIN / (per_item ? per_item : 1);
        ia_parallel_for(pool, items, grain > 0 ? grain : 1, tiles_worker, &p);
        return IA_OK;
    }
    int64_t rows = n / p.dims[r - 1];
    int64_t grain = IA_TENSOR_PAR_MIN / p.dims[r - 1];
    if (n < IA_TENSOR_PAR_MIN) rows_worker(&p, 0, rows, 0);
    else ia_parallel_for(pool, rows, grain > 0 ? grain : 1, rows_worker, &p);
    return IA_OK;
}

int64_t ia_tensor_read_int_list(ia_kctx *ctx, const ia_tensor *t, int64_t *out, int64_t max, const char *what) {
    if (!t) return ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "%s is missing", what);
    if (t->dtype != IA_DTYPE_INT64 && t->dtype != IA_DTYPE_INT32)
        return ia_kctx_fail(ctx, IA_ERR_TYPE, "%s must be int32 or int64, got %s", what, ia_dtype_name(t->dtype));
    if (t->rank > 1) return ia_kctx_fail(ctx, IA_ERR_SHAPE, "%s must be 1-D, got rank %d", what, t->rank);
    if (t->numel > max) return ia_kctx_fail(ctx, IA_ERR_LIMIT, "%s has %lld values, at most %lld allowed", what, (long long)t->numel, (long long)max);
    if (t->numel && !t->data) return ia_kctx_fail(ctx, IA_ERR_NEED_VALUE, "%s is not known", what);
    for (int64_t i = 0; i < t->numel; i++) out[i] = ia_get_i64(t->data, t->dtype, i);
    return t->numel;
}
