/* Token sampling: repetition penalty, temperature, top-k, top-p, min-p filters, greedy argmax,
 * and the seeded PRNG (xoshiro256**) that draws from the resulting distribution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/generate.h"
#include "ia/status.h"

void ia_gen_params_init(ia_gen_params *p) {
    memset(p, 0, sizeof *p);
    p->max_new_tokens = 32;
    p->greedy = 1;
    p->temperature = 1.0f;
    p->top_p = 1.0f;
    p->repetition_penalty = 1.0f;
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ia_rng_seed(ia_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ia_rng_next(ia_rng *r) {
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double ia_rng_uniform(ia_rng *r) { return (double)(ia_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

size_t ia_sample_from(const double *probs, size_t n, ia_rng *r) {
    double total = 0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (probs[i] > 0) { total += probs[i]; last = i; }
    double u = ia_rng_uniform(r) * total, c = 0;
    for (size_t i = 0; i < n; i++) {
        if (probs[i] <= 0) continue;
        c += probs[i];
        if (u < c) return i;
    }
    return last;
}

/* descending by value, then ascending id (deterministic) */
static _Thread_local const double *g_sort_vals;
static int cmp_desc(const void *a, const void *b) {
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = g_sort_vals[i], y = g_sort_vals[j];
    if (x > y) return -1;
    if (x < y) return 1;
    return i < j ? -1 : i > j;
}

int ia_sampling_distribution(const float *logits, size_t n, const ia_gen_params *p, const int64_t *history,
                             size_t n_history, double *probs) {
    if (!logits || !probs || !p || n == 0) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: no logits");
    if (p->greedy) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (logits[i] > logits[best]) best = i;
        for (size_t i = 0; i < n; i++) probs[i] = i == best;
        return IA_OK;
    }
    if (!(p->temperature > 0)) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: temperature must be > 0");
    if (!(p->repetition_penalty > 0)) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: repetition penalty must be > 0");
    if (p->top_k < 0) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: top-k must be >= 0");
    if (!(p->top_p > 0 && p->top_p <= 1)) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: top-p must be in (0, 1]");
    if (!(p->min_p >= 0 && p->min_p <= 1)) return ia_set_error(IA_ERR_INVALID_ARG, "sampling: min-p must be in [0, 1]");
    /* logits as double, repetition penalty (Hugging Face: divide positive, multiply negative) */
    for (size_t i = 0; i < n; i++) probs[i] = logits[i];
    if (p->repetition_penalty != 1.0f && history) {
        for (size_t h = 0; h < n_history; h++) {
            int64_t id = history[h];
            if (id < 0 || (uint64_t)id >= n) continue;
            /* mark once: penalise the original logit, not an already penalised one */
            double orig = logits[id];
            probs[id] = orig > 0 ? orig / p->repetition_penalty : orig * p->repetition_penalty;
        }
    }
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        probs[i] /= p->temperature;
        if (probs[i] > mx) mx = probs[i];
    }
    if (!isfinite(mx)) return ia_set_error(IA_ERR_RUNTIME, "sampling: logits are not finite");
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (probs[i] = exp(probs[i] - mx));
    for (size_t i = 0; i < n; i++) probs[i] /= sum;
    if (p->top_k == 0 && p->top_p >= 1 && p->min_p <= 0) return IA_OK; /* nothing to filter: no sort */
    size_t *order = ia_malloc(n * sizeof *order);
    if (!order) return ia_set_error(IA_ERR_NOMEM, "sampling: out of memory");
    for (size_t i = 0; i < n; i++) order[i] = i;
    g_sort_vals = probs;
    qsort(order, n, sizeof *order, cmp_desc);
    size_t keep = n;
    if (p->top_k > 0 && (size_t)p->top_k < keep) keep = (size_t)p->top_k;
    if (p->top_p < 1) {
        /* renormalised over the top-k survivors, as a chain of Hugging Face warpers does */
        double kept_mass = 0, c = 0;
        for (size_t r = 0; r < keep; r++) kept_mass += probs[order[r]];
        size_t r = 0;
        while (r < keep) {
            c += probs[order[r]] / kept_mass;
            r++;
            if (c >= p->top_p) break;
        }
        keep = r;
    }
    if (p->min_p > 0) {
        double thr = p->min_p * probs[order[0]];
        size_t r = 1;
        while (r < keep && probs[order[r]] >= thr) r++;
        keep = r;
    }
    for (size_t r = keep; r < n; r++) probs[order[r]] = 0;
    ia_free(order);
    sum = 0;
    for (size_t i = 0; i < n; i++) sum += probs[i];
    for (size_t i = 0; i < n; i++) probs[i] /= sum;
    return IA_OK;
}
