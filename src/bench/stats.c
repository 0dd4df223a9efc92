/* Statistics for benchmark samples: quantiles, summaries, bootstrap CI of the median
 * (splitmix64, percentile method) and the two-sided Mann-Whitney U test (exact or normal). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/bench.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ia_stats_quantile_sorted(const double *s, size_t n, double q) {
    if (!n) return NAN;
    if (q <= 0) return s[0];
    if (q >= 1) return s[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    double frac = h - (double)lo;
    if (lo + 1 >= n) return s[n - 1];
    return s[lo] + (s[lo + 1] - s[lo]) * frac;
}

double ia_stats_quantile(const double *x, size_t n, double q) {
    if (!n) return 0;
    double *s = ia_malloc(n * sizeof *s);
    if (!s) return 0;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double v = ia_stats_quantile_sorted(s, n, q);
    ia_free(s);
    return v;
}

static uint64_t splitmix64(uint64_t *st) {
    uint64_t z = (*st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* k-th smallest (0-based) of a[0..n), reordering a */
static double select_kth(double *a, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                double t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return a[k];
    }
    return a[k];
}

static double median_inplace(double *a, size_t n) {
    double hi = select_kth(a, n, n / 2);
    if (n % 2) return hi;
    double lo = a[0]; /* largest of the lower part a[0 .. n/2) */
    for (size_t i = 1; i < n / 2; i++)
        if (a[i] > lo) lo = a[i];
    return (lo + hi) / 2;
}

double ia__stats_median(const double *x, size_t n) {
    if (!n) return NAN;
    double *buf = ia_malloc(n * sizeof *buf);
    if (!buf) return NAN;
    memcpy(buf, x, n * sizeof *buf);
    double m = median_inplace(buf, n);
    ia_free(buf);
    return m;
}

/* standard normal quantile of p in (0.5, 1), by bisection on erfc */
static double normal_quantile(double p) {
    double a = 0, b = 10;
    for (int i = 0; i < 200; i++) {
        double m = (a + b) / 2;
        if (0.5 * erfc(m / sqrt(2.0)) > 1 - p) a = m; else b = m;
    }
    return (a + b) / 2;
}

/* value at fractional 0-based order-statistic position h (linear interpolation), by selection */
static double order_stat(double *a, size_t n, double h) {
    if (h <= 0) h = 0;
    if (h >= (double)(n - 1)) h = (double)(n - 1);
    size_t k = (size_t)floor(h);
    double v = select_kth(a, n, k);
    if (k + 1 >= n || h == (double)k) return v;
    double nx = a[k + 1]; /* smallest of a[k+1 .. n), all >= v after the selection */
    for (size_t i = k + 2; i < n; i++)
        if (a[i] < nx) nx = a[i];
    return v + (nx - v) * (h - (double)k);
}

int ia_stats_bootstrap_median_ci(const double *x, size_t n, double level, int n_boot, uint64_t seed, double *lo, double *hi) {
    if (!x || !n || !lo || !hi) return ia_set_error(IA_ERR_INVALID_ARG, "bootstrap: no samples");
    if (level <= 0 || level >= 1) level = 0.95;
    if (n_boot <= 0) n_boot = 2000;
    if (n > IA_STATS_BOOTSTRAP_MAX_N) {
        /* large n: the bootstrap percentile interval's limit, the distribution-free order-statistic
         * interval of the median at positions (n - 1) / 2 -+ z sqrt(n) / 2 */
        double *buf = ia_malloc(n * sizeof *buf);
        if (!buf) return ia_set_error(IA_ERR_NOMEM, "median CI: out of memory");
        double z = normal_quantile((1 + level) / 2), c = ((double)n - 1) / 2, d = z * sqrt((double)n) / 2;
        memcpy(buf, x, n * sizeof *buf);
        *lo = order_stat(buf, n, c - d);
        memcpy(buf, x, n * sizeof *buf);
        *hi = order_stat(buf, n, c + d);
        ia_free(buf);
        return IA_OK;
    }
    double *buf = ia_malloc(n * sizeof *buf), *meds = ia_malloc((size_t)n_boot * sizeof *meds);
    if (!buf || !meds) { ia_free(buf); ia_free(meds); return ia_set_error(IA_ERR_NOMEM, "bootstrap: out of memory"); }
    uint64_t st = seed;
    for (int b = 0; b < n_boot; b++) {
        for (size_t i = 0; i < n; i++) {
            size_t idx = (size_t)((double)(splitmix64(&st) >> 11) * (1.0 / 9007199254740992.0) * (double)n);
            buf[i] = x[idx < n ? idx : n - 1];
        }
        meds[b] = median_inplace(buf, n);
    }
    qsort(meds, (size_t)n_boot, sizeof *meds, cmp_double);
    double a = (1 - level) / 2;
    *lo = ia_stats_quantile_sorted(meds, (size_t)n_boot, a);
    *hi = ia_stats_quantile_sorted(meds, (size_t)n_boot, 1 - a);
    ia_free(buf);
    ia_free(meds);
    return IA_OK;
}

int ia_stats_summarize(const double *x, size_t n, double level, int n_boot, uint64_t seed, ia_summary *o) {
    if (!x || !n || !o) return ia_set_error(IA_ERR_INVALID_ARG, "summarize: no samples");
    memset(o, 0, sizeof *o);
    double *s = ia_malloc(n * sizeof *s);
    if (!s) return ia_set_error(IA_ERR_NOMEM, "summarize: out of memory");
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    o->n = n;
    o->min = s[0];
    o->max = s[n - 1];
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += s[i];
    o->mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (s[i] - o->mean) * (s[i] - o->mean);
    o->stdev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    o->median = ia_stats_quantile_sorted(s, n, 0.5);
    o->p90 = ia_stats_quantile_sorted(s, n, 0.9);
    o->p99 = ia_stats_quantile_sorted(s, n, 0.99);
    o->q1 = ia_stats_quantile_sorted(s, n, 0.25);
    o->q3 = ia_stats_quantile_sorted(s, n, 0.75);
    o->iqr = o->q3 - o->q1;
    for (size_t i = 0; i < n; i++) s[i] = fabs(x[i] - o->median);
    o->mad = median_inplace(s, n); /* same value as the quantile of the sorted deviations, O(n) */
    ia_free(s);
    return ia_stats_bootstrap_median_ci(x, n, level, n_boot, seed, &o->ci_low, &o->ci_high);
}

typedef struct ranked {
    double v;
    int group; /* 0 = a, 1 = b */
} ranked;

static int cmp_ranked(const void *p, const void *q) {
    const ranked *a = p, *b = q;
    return (a->v > b->v) - (a->v < b->v);
}

/* counts[u] = number of arrangements of m a's and k b's with U_a = u (a beats b), by the
 * recurrence c(m, k, u) = c(m-1, k, u-k) + c(m, k-1, u); returns P(U <= u) and P(U >= u). */
static int exact_tails(size_t m, size_t k, double u, double *le, double *ge) {
    size_t umax = m * k;
    /* table over (i, j) for j = 0..k, rolling in i */
    double *prev = ia_calloc((k + 1) * (umax + 1), sizeof *prev), *cur = ia_calloc((k + 1) * (umax + 1), sizeof *cur);
    if (!prev || !cur) { ia_free(prev); ia_free(cur); return -1; }
    size_t W = umax + 1;
    for (size_t j = 0; j <= k; j++) prev[j * W] = 1; /* i = 0: only U = 0 */
    for (size_t i = 1; i <= m; i++) {
        memset(cur, 0, (k + 1) * W * sizeof *cur);
        cur[0] = 1; /* j = 0 */
        for (size_t j = 1; j <= k; j++)
            for (size_t v = 0; v <= i * j; v++) {
                /* last element overall is an a (beats all j b's) or a b */
                double c = v >= j ? prev[j * W + v - j] : 0;
                c += cur[(j - 1) * W + v];
                cur[j * W + v] = c;
            }
        double *t = prev; prev = cur; cur = t;
    }
    double total = 0, l = 0, g = 0;
    for (size_t v = 0; v <= umax; v++) {
        double c = prev[k * W + v];
        total += c;
        if ((double)v <= u + 1e-9) l += c;
        if ((double)v >= u - 1e-9) g += c;
    }
    *le = l / total;
    *ge = g / total;
    ia_free(prev);
    ia_free(cur);
    return 0;
}

int ia_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u_out, double *p_out) {
    if (!a || !b || !na || !nb) return ia_set_error(IA_ERR_INVALID_ARG, "Mann-Whitney U: both samples must be non-empty");
    size_t n = na + nb;
    ranked *r = ia_malloc(n * sizeof *r);
    if (!r) return ia_set_error(IA_ERR_NOMEM, "Mann-Whitney U: out of memory");
    for (size_t i = 0; i < na; i++) r[i] = (ranked){a[i], 0};
    for (size_t i = 0; i < nb; i++) r[na + i] = (ranked){b[i], 1};
    qsort(r, n, sizeof *r, cmp_ranked);
    double rank_sum_a = 0, tie_term = 0;
    int ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].v == r[i].v) j++;
        double avg = (double)(i + j) / 2 + 1; /* ranks are 1-based */
        double t = (double)(j - i + 1);
        if (t > 1) { ties = 1; tie_term += t * t * t - t; }
        for (size_t k = i; k <= j; k++)
            if (r[k].group == 0) rank_sum_a += avg;
        i = j + 1;
    }
    ia_free(r);
    double u = rank_sum_a - (double)na * (double)(na + 1) / 2;
    double mu = (double)na * (double)nb / 2;
    double p;
    double le, ge;
    if (!ties && na * nb <= 400 && n <= 40 && exact_tails(na, nb, u, &le, &ge) == 0) {
        p = 2 * (le < ge ? le : ge);
    } else {
        double N = (double)n;
        double var = (double)na * (double)nb / 12.0 * ((N + 1) - tie_term / (N * (N - 1)));
        if (var <= 0) p = 1;
        else {
            double z = (fabs(u - mu) - 0.5) / sqrt(var);
            if (z < 0) z = 0;
            p = erfc(z / sqrt(2.0));
        }
    }
    if (p > 1) p = 1;
    if (u_out) *u_out = u;
    if (p_out) *p_out = p;
    return IA_OK;
}

int ia_stats_block_median_ci(const double *x, size_t n, size_t block, double level, int n_boot, uint64_t seed, double *lo, double *hi) {
    if (!x || !n || !lo || !hi) return ia_set_error(IA_ERR_INVALID_ARG, "block bootstrap: no samples");
    if (level <= 0 || level >= 1) level = 0.95;
    if (n_boot <= 0) n_boot = 1000;
    if (!block) block = (n + 15) / 16;
    if (block < IA_STATS_MIN_BLOCK) block = IA_STATS_MIN_BLOCK;
    if (block > n) block = n;
    size_t starts = n - block + 1, per = (n + block - 1) / block, m = per * block;
    double *buf = ia_malloc(m * sizeof *buf), *meds = ia_malloc((size_t)n_boot * sizeof *meds);
    if (!buf || !meds) { ia_free(buf); ia_free(meds); return ia_set_error(IA_ERR_NOMEM, "block bootstrap: out of memory"); }
    uint64_t st = seed;
    for (int b = 0; b < n_boot; b++) {
        for (size_t j = 0; j < per; j++) { /* moving blocks: any start, overlapping, drawn with replacement */
            size_t s0 = (size_t)((double)(splitmix64(&st) >> 11) * (1.0 / 9007199254740992.0) * (double)starts);
            if (s0 >= starts) s0 = starts - 1;
            memcpy(buf + j * block, x + s0, block * sizeof *buf);
        }
        meds[b] = median_inplace(buf, n); /* the first n of the concatenated blocks */
    }
    qsort(meds, (size_t)n_boot, sizeof *meds, cmp_double);
    double a = (1 - level) / 2;
    *lo = ia_stats_quantile_sorted(meds, (size_t)n_boot, a);
    *hi = ia_stats_quantile_sorted(meds, (size_t)n_boot, 1 - a);
    ia_free(buf);
    ia_free(meds);
    return IA_OK;
}
