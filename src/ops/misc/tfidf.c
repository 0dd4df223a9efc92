/* TfIdfVectorizer: counts pool n-grams (with skips) in each row of an integer or string tensor. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"

/* One pool n-gram: `n` tokens starting at pool offset `off`, counted into column `col`. */
typedef struct {
    int64_t off, col;
    int n;
} gram;

typedef struct {
    const int64_t *ipool;
    char *const *spool;
    gram *grams;
    int64_t n_grams;
    int64_t *slots; /* open-addressed hash: gram index + 1, 0 = empty */
    uint64_t mask;
    /* the row being scanned */
    const void *x;
    int dtype;
} vocab;

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t pool_token_hash(const vocab *v, int64_t i) {
    return v->spool ? str_hash(v->spool[i]) : (uint64_t)v->ipool[i];
}

static uint64_t x_token_hash(const vocab *v, int64_t i) {
    if (v->dtype == IA_DTYPE_STRING) return str_hash(((char *const *)v->x)[i]);
    return (uint64_t)ia_get_i64(v->x, v->dtype, i);
}

static int token_eq(const vocab *v, int64_t pool_i, int64_t x_i) {
    if (v->dtype == IA_DTYPE_STRING) {
        const char *a = v->spool[pool_i], *b = ((char *const *)v->x)[x_i];
        return !strcmp(a ? a : "", b ? b : "");
    }
    return v->ipool[pool_i] == ia_get_i64(v->x, v->dtype, x_i);
}

/* Column of the n-gram at x positions pos[0..n), or -1. */
static int64_t lookup(const vocab *v, const int64_t *pos, int n) {
    uint64_t h = (uint64_t)n;
    for (int j = 0; j < n; j++) h = mix(h, x_token_hash(v, pos[j]));
    for (uint64_t s = h & v->mask;; s = (s + 1) & v->mask) {
        int64_t e = v->slots[s];
        if (!e) return -1;
        const gram *g = &v->grams[e - 1];
        if (g->n != n) continue;
        int eq = 1;
        for (int j = 0; j < n && eq; j++) eq = token_eq(v, g->off + j, pos[j]);
        if (eq) return g->col;
    }
}

int ia_op_tfidf_vectorizer(ia_kctx *ctx) {
    const char *op = "TfIdfVectorizer";
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: input X is missing or not a tensor", op);
    if (x->dtype != IA_DTYPE_STRING && x->dtype != IA_DTYPE_INT32 && x->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: X must be string, int32 or int64, got %s", op, ia_dtype_name(x->dtype));
    if (x->rank != 1 && x->rank != 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: X must be 1-D or 2-D", op);
    int64_t min_n = ia_kctx_attr_int(ctx, "min_gram_length", 0), max_n = ia_kctx_attr_int(ctx, "max_gram_length", 0);
    int64_t max_skip = ia_kctx_attr_int(ctx, "max_skip_count", 0);
    if (min_n < 1 || max_n < min_n || max_n > 64)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: need 1 <= min_gram_length <= max_gram_length <= 64", op);
    if (max_skip < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: max_skip_count must be non-negative", op);
    const char *mode_s = ia_kctx_attr_string(ctx, "mode", "");
    int mode = !strcmp(mode_s, "TF") ? 0 : !strcmp(mode_s, "IDF") ? 1 : !strcmp(mode_s, "TFIDF") ? 2 : -1;
    if (mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: mode '%s' is not TF, IDF or TFIDF", op, mode_s);
    const int64_t *counts, *indexes, *ipool = NULL;
    size_t n_counts = ia_kctx_attr_ints(ctx, "ngram_counts", &counts), n_idx = ia_kctx_attr_ints(ctx, "ngram_indexes", &indexes);
    size_t n_ipool = ia_kctx_attr_ints(ctx, "pool_int64s", &ipool);
    const ia_attr *sp = ia_kctx_attr(ctx, "pool_strings");
    char *const *spool = sp && sp->type == IA_ATTR_STRINGS ? sp->strings : NULL;
    size_t n_pool = spool ? sp->n : n_ipool;
    if (!!spool == !!n_ipool && n_pool) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: exactly one of pool_strings and pool_int64s is needed", op);
    if ((x->dtype == IA_DTYPE_STRING) != (spool != NULL) && n_pool)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: pool_strings goes with string input, pool_int64s with integer input", op);
    const float *weights;
    size_t n_w = ia_kctx_attr_floats(ctx, "weights", &weights);
    /* enumerate the pool's n-grams */
    int64_t total = 0;
    for (size_t i = 0; i < n_counts; i++) {
        int64_t start = counts[i], end = i + 1 < n_counts ? counts[i + 1] : (int64_t)n_pool;
        if (start < 0 || end < start || end > (int64_t)n_pool || (end - start) % (int64_t)(i + 1))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: ngram_counts[%zu] = %lld does not partition the pool", op, i, (long long)start);
        total += (end - start) / (int64_t)(i + 1);
    }
    if ((int64_t)n_idx != total)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: ngram_indexes has %zu entries, the pool holds %lld n-grams", op, n_idx, (long long)total);
    if (n_w && n_w != n_idx) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: weights must have one entry per n-gram", op);
    int64_t cols = 0;
    for (size_t i = 0; i < n_idx; i++) {
        if (indexes[i] < 0 || indexes[i] > (int64_t)1 << 31) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: ngram_indexes[%zu] is invalid", op, i);
        if (indexes[i] + 1 > cols) cols = indexes[i] + 1;
    }
    int64_t rows = x->rank == 2 ? x->dims[0] : 1, len = x->dims[x->rank - 1];
    int64_t dims[2] = {rows, cols};
    ia_tensor *y;
    if (x->rank == 2) IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, 2, dims, &y));
    else IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_FLOAT, 1, &cols, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (x->numel && !x->data) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: X has no data", op);
    vocab v = {ipool, spool, NULL, total, NULL, 0, x->data, x->dtype};
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)total) cap <<= 1;
    v.mask = cap - 1;
    v.grams = ia_kctx_scratch(ctx, (size_t)(total + 1) * sizeof *v.grams);
    v.slots = ia_kctx_scratch(ctx, (size_t)cap * sizeof *v.slots);
    float *cnt = ia_kctx_scratch(ctx, (size_t)(cols + 1) * sizeof *cnt);
    float *colw = ia_kctx_scratch(ctx, (size_t)(cols + 1) * sizeof *colw);
    if (!v.grams || !v.slots || !cnt || !colw) IA_KFAIL(ctx, IA_ERR_NOMEM, "%s: out of memory", op);
    memset(v.slots, 0, (size_t)cap * sizeof *v.slots);
    for (int64_t c = 0; c < cols; c++) colw[c] = 1.0f;
    for (size_t k = 0; k < n_w; k++) colw[indexes[k]] = weights[k]; /* IDF weight of each column */
    for (size_t i = 0, k = 0; i < n_counts; i++) {
        int64_t start = counts[i], end = i + 1 < n_counts ? counts[i + 1] : (int64_t)n_pool;
        int n = (int)(i + 1);
        for (int64_t off = start; off < end; off += n, k++) {
            v.grams[k] = (gram){off, indexes[k], n};
            uint64_t h = (uint64_t)n;
            for (int j = 0; j < n; j++) h = mix(h, pool_token_hash(&v, off + j));
            uint64_t s = h & v.mask;
            while (v.slots[s]) s = (s + 1) & v.mask;
            v.slots[s] = (int64_t)k + 1;
        }
    }
    int64_t pos[64];
    float *out = y->data;
    for (int64_t r = 0; r < rows; r++) {
        memset(cnt, 0, (size_t)cols * sizeof *cnt);
        int64_t base = r * len;
        /* unigrams are counted once, at skip 0; longer grams at every skip distance */
        for (int64_t skip = 0; skip <= (max_n < 2 ? 0 : max_skip); skip++)
            for (int64_t i = 0; i < len; i++) {
                int first = skip == 0 ? 1 : 2;
                for (int n = first; n <= max_n; n++) {
                    int64_t last = i + (int64_t)(n - 1) * (skip + 1);
                    if (last >= len) break;
                    if (n < min_n) continue;
                    for (int j = 0; j < n; j++) pos[j] = base + i + (int64_t)j * (skip + 1);
                    int64_t c = lookup(&v, pos, n);
                    if (c >= 0) cnt[c] += 1;
                }
            }
        for (int64_t c = 0; c < cols; c++) {
            float w = colw[c];
            out[r * cols + c] = mode == 0 ? cnt[c] : mode == 1 ? (cnt[c] > 0 ? w : 0) : cnt[c] * w;
        }
    }
    return IA_OK;
}
