/* Complex FFT in double precision: radix-2 for powers of two, Bluestein for other lengths. */
#include "ops/signal/fft.h"
#include <math.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Largest length accepted (complex values): keeps every size computation far from overflow. */
#define FFT_MAX_LEN ((int64_t)1 << 40)

static int is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

/* In-place radix-2 FFT of length p->m (forward, no scaling). */
static void radix2(const ia_fft_plan *p, double *a) {
    int64_t m = p->m;
    for (int64_t i = 1, j = 0; i < m; i++) { /* bit-reversal permutation */
        int64_t bit = m >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            double tr = a[2 * i], ti = a[2 * i + 1];
            a[2 * i] = a[2 * j], a[2 * i + 1] = a[2 * j + 1];
            a[2 * j] = tr, a[2 * j + 1] = ti;
        }
    }
    for (int64_t len = 2; len <= m; len <<= 1) {
        int64_t half = len >> 1, step = m / len;
        for (int64_t s = 0; s < m; s += len) {
            for (int64_t k = 0; k < half; k++) {
                double wr = p->tw[2 * k * step], wi = p->tw[2 * k * step + 1];
                double *u = a + 2 * (s + k), *v = a + 2 * (s + k + half);
                double vr = v[0] * wr - v[1] * wi, vi = v[0] * wi + v[1] * wr;
                v[0] = u[0] - vr, v[1] = u[1] - vi;
                u[0] += vr, u[1] += vi;
            }
        }
    }
}

int ia_fft_plan_init(ia_fft_plan *p, int64_t n) {
    memset(p, 0, sizeof *p);
    if (n < 1 || n > FFT_MAX_LEN) return IA_ERR_LIMIT;
    p->n = n;
    p->m = n;
    if (!is_pow2(n))
        for (p->m = 1; p->m < 2 * n - 1; p->m <<= 1) {}
    int64_t m = p->m;
    p->tw = ia_malloc((size_t)(m / 2 > 0 ? m / 2 : 1) * 2 * sizeof(double));
    if (!p->tw) return IA_ERR_NOMEM;
    for (int64_t k = 0; k < m / 2; k++) {
        double ang = -2.0 * M_PI * (double)k / (double)m;
        p->tw[2 * k] = cos(ang);
        p->tw[2 * k + 1] = sin(ang);
    }
    if (m == n) return IA_OK;

    /* Bluestein: X[k] = c[k] * sum_j (x[j] c[j]) conj(c[k-j]) with c[k] = exp(-pi i k^2/n),
     * a circular convolution of length m evaluated with radix-2 FFTs. */
    p->chirp = ia_malloc((size_t)n * 2 * sizeof(double));
    p->chirp_fft = ia_calloc((size_t)m * 2, sizeof(double));
    if (!p->chirp || !p->chirp_fft) {
        ia_fft_plan_free(p);
        return IA_ERR_NOMEM;
    }
    int64_t sq = 0; /* k^2 mod 2n, updated incrementally so it never overflows */
    for (int64_t k = 0; k < n; k++) {
        double ang = -M_PI * (double)sq / (double)n;
        p->chirp[2 * k] = cos(ang);
        p->chirp[2 * k + 1] = sin(ang);
        sq = (sq + 2 * k + 1) % (2 * n);
    }
    double *b = p->chirp_fft;
    for (int64_t k = 0; k < n; k++) {
        b[2 * k] = p->chirp[2 * k];
        b[2 * k + 1] = -p->chirp[2 * k + 1];
        if (k) {
            b[2 * (m - k)] = b[2 * k];
            b[2 * (m - k) + 1] = b[2 * k + 1];
        }
    }
    radix2(p, b);
    return IA_OK;
}

void ia_fft_plan_free(ia_fft_plan *p) {
    ia_free(p->tw);
    ia_free(p->chirp);
    ia_free(p->chirp_fft);
    memset(p, 0, sizeof *p);
}

int64_t ia_fft_work_len(const ia_fft_plan *p) { return p->chirp ? p->m : 1; }

void ia_fft_run(const ia_fft_plan *p, double *data, int inverse, double *work) {
    int64_t n = p->n, m = p->m;
    /* The inverse transform is conj(FFT(conj(x))) / n. */
    if (inverse)
        for (int64_t k = 0; k < n; k++) data[2 * k + 1] = -data[2 * k + 1];
    if (!p->chirp) {
        radix2(p, data);
    } else {
        const double *c = p->chirp, *bf = p->chirp_fft;
        for (int64_t k = 0; k < n; k++) {
            double xr = data[2 * k], xi = data[2 * k + 1];
            work[2 * k] = xr * c[2 * k] - xi * c[2 * k + 1];
            work[2 * k + 1] = xr * c[2 * k + 1] + xi * c[2 * k];
        }
        memset(work + 2 * n, 0, (size_t)(m - n) * 2 * sizeof(double));
        radix2(p, work);
        /* Pointwise product, then an inverse FFT by the conjugation identity. */
        for (int64_t k = 0; k < m; k++) {
            double ar = work[2 * k], ai = work[2 * k + 1];
            work[2 * k] = ar * bf[2 * k] - ai * bf[2 * k + 1];
            work[2 * k + 1] = -(ar * bf[2 * k + 1] + ai * bf[2 * k]);
        }
        radix2(p, work);
        for (int64_t k = 0; k < n; k++) {
            double yr = work[2 * k] / (double)m, yi = -work[2 * k + 1] / (double)m;
            data[2 * k] = yr * c[2 * k] - yi * c[2 * k + 1];
            data[2 * k + 1] = yr * c[2 * k + 1] + yi * c[2 * k];
        }
    }
    if (inverse) {
        double s = 1.0 / (double)n;
        for (int64_t k = 0; k < n; k++) {
            data[2 * k] *= s;
            data[2 * k + 1] *= -s;
        }
    }
}
