/* Size-classed free lists of 64-byte aligned blocks, reference counted so tensors handed to
 * the caller outlive the session safely. */
#include <pthread.h>
#include <string.h>
#include "ia/alloc.h"
#include "runtime/bufpool.h"

#define N_CLASSES 160

typedef struct block {
    struct block *next;
    ia_bufpool *pool;
    size_t cls_size;
    int cls;
    unsigned last_run;
} block;

/* The block header sits in the 64 bytes before the data. */
#define HDR 64
_Static_assert(sizeof(block) <= HDR, "block header too large");

struct ia_bufpool {
    pthread_mutex_t mu;
    int refcount; /* session + live blocks */
    block *free[N_CLASSES];
    unsigned run;
    ia_bufpool_stats st;
};

/* Size classes: 64-byte steps up to 1 KiB, then 8 steps per power of two (<= 12.5% waste). */
static int size_class(size_t n, size_t *cls_size) {
    if (n <= 1024) {
        size_t s = (n + 63) & ~(size_t)63;
        if (!s) s = 64;
        *cls_size = s;
        return (int)(s / 64) - 1; /* 0..15 */
    }
    int p = 63 - __builtin_clzll((unsigned long long)(n - 1)); /* 2^p < n <= 2^(p+1) */
    size_t base = (size_t)1 << p, step = base / 8;
    size_t k = (n - base + step - 1) / step; /* 1..8 */
    int cls = 16 + (p - 10) * 8 + (int)(k - 1);
    if (cls >= N_CLASSES) return -1;
    *cls_size = base + k * step;
    return cls;
}

int ia__bufpool_create(ia_bufpool **out) {
    ia_bufpool *p = ia_calloc(1, sizeof *p);
    if (!p) return IA_ERR_NOMEM;
    pthread_mutex_init(&p->mu, NULL);
    p->refcount = 1;
    *out = p;
    return IA_OK;
}

static void pool_free_all(ia_bufpool *p) {
    for (int c = 0; c < N_CLASSES; c++)
        while (p->free[c]) {
            block *b = p->free[c];
            p->free[c] = b->next;
            ia_aligned_free(b);
        }
}

static void pool_unref_locked(ia_bufpool *p) {
    if (--p->refcount == 0) {
        pool_free_all(p);
        pthread_mutex_unlock(&p->mu);
        pthread_mutex_destroy(&p->mu);
        ia_free(p);
        return;
    }
    pthread_mutex_unlock(&p->mu);
}

void ia__bufpool_release(ia_bufpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    pool_free_all(p); /* idle blocks go now; live ones return to the system as they die */
    p->st.cached_bytes = 0;
    p->run = ~0u; /* no more caching: see give_back */
    pool_unref_locked(p);
}

static void give_back(void *ctx, void *data) {
    block *b = (block *)((unsigned char *)data - HDR);
    ia_bufpool *p = ctx;
    pthread_mutex_lock(&p->mu);
    if (p->run == ~0u) {
        ia_aligned_free(b);
    } else {
        b->next = p->free[b->cls];
        p->free[b->cls] = b;
        p->st.cached_bytes += b->cls_size;
    }
    pool_unref_locked(p);
}

int ia__bufpool_tensor(ia_bufpool *p, int dtype, int rank, const int64_t *dims, int zero, ia_tensor **out) {
    *out = NULL;
    if (!p || dtype == IA_DTYPE_STRING) return ia_tensor_create(dtype, rank, dims, out);
    int64_t n = ia_shape_numel(rank, dims);
    if (n < 0) return ia_set_error(IA_ERR_SHAPE, "tensor: negative or overflowing dimensions");
    size_t bytes = ia_dtype_bytes(dtype, n);
    if (ia_dtype_size(dtype) && (uint64_t)n > (uint64_t)(SIZE_MAX / 4) / ia_dtype_size(dtype))
        return ia_set_error(IA_ERR_LIMIT, "tensor: %lld elements is too large", (long long)n);
    size_t cls_size;
    int cls = size_class(bytes, &cls_size);
    if (cls < 0) return ia_tensor_create(dtype, rank, dims, out);
    pthread_mutex_lock(&p->mu);
    block *b = p->free[cls];
    if (b) {
        p->free[cls] = b->next;
        p->st.cached_bytes -= b->cls_size;
        p->st.reuses++;
    } else {
        p->st.mallocs++;
    }
    p->refcount++;
    pthread_mutex_unlock(&p->mu);
    if (!b) {
        b = ia_aligned_alloc(HDR + cls_size);
        if (!b) {
            pthread_mutex_lock(&p->mu);
            pool_unref_locked(p);
            return ia_set_error(IA_ERR_NOMEM, "tensor: cannot allocate %zu bytes", bytes);
        }
        b->pool = p;
        b->cls = cls;
        b->cls_size = cls_size;
    }
    b->last_run = p->run;
    void *data = (unsigned char *)b + HDR;
    if (zero) memset(data, 0, bytes);
    int rc = ia_tensor_wrap(dtype, rank, dims, data, bytes, give_back, p, out);
    if (rc) {
        give_back(p, data);
        return rc;
    }
    return IA_OK;
}

void ia__bufpool_run_begin(ia_bufpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->run++;
    if (p->run == ~0u) p->run = 0;
    pthread_mutex_unlock(&p->mu);
}

void ia__bufpool_run_end(ia_bufpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    for (int c = 0; c < N_CLASSES; c++) {
        block **pp = &p->free[c];
        while (*pp) {
            block *b = *pp;
            /* idle since before this run: the shapes changed, give the memory back */
            if (b->last_run != p->run) {
                *pp = b->next;
                p->st.cached_bytes -= b->cls_size;
                ia_aligned_free(b);
            } else {
                pp = &b->next;
            }
        }
    }
    pthread_mutex_unlock(&p->mu);
}

void ia__bufpool_stats(ia_bufpool *p, ia_bufpool_stats *st) {
    pthread_mutex_lock(&p->mu);
    *st = p->st;
    pthread_mutex_unlock(&p->mu);
}
