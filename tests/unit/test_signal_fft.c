/* Unit test for the signal family's FFT: every length 1..300 plus a few large and prime
 * ones against a direct O(n^2) DFT in long double, forward and inverse. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "ops/signal/fft.h"

static int check(int64_t n, int inverse) {
    ia_fft_plan p;
    if (ia_fft_plan_init(&p, n)) {
        fprintf(stderr, "plan init failed for n=%lld\n", (long long)n);
        return 1;
    }
    double *x = malloc((size_t)n * 2 * sizeof(double)), *y = malloc((size_t)n * 2 * sizeof(double));
    double *work = malloc((size_t)ia_fft_work_len(&p) * 2 * sizeof(double));
    unsigned s = (unsigned)n * 2654435761u + (unsigned)inverse;
    for (int64_t i = 0; i < 2 * n; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = y[i] = (double)(s >> 8) / (double)(1u << 24) - 0.5;
    }
    ia_fft_run(&p, y, inverse, work);
    double max_err = 0, sign = inverse ? 1.0 : -1.0;
    long double *cs = malloc((size_t)n * 2 * sizeof(long double)); /* exp(sign 2 pi i q / n) */
    for (int64_t q = 0; q < n; q++) {
        long double ang = sign * 2.0L * 3.14159265358979323846264338327950288L * (long double)q / (long double)n;
        cs[2 * q] = cosl(ang), cs[2 * q + 1] = sinl(ang);
    }
    for (int64_t k = 0; k < n; k++) {
        long double re = 0, im = 0;
        for (int64_t j = 0, q = 0; j < n; j++, q = (q + k) % n) {
            long double c = cs[2 * q], sn = cs[2 * q + 1];
            re += x[2 * j] * c - x[2 * j + 1] * sn;
            im += x[2 * j] * sn + x[2 * j + 1] * c;
        }
        if (inverse) re /= n, im /= n;
        double e = fabs((double)re - y[2 * k]) + fabs((double)im - y[2 * k + 1]);
        if (e > max_err) max_err = e;
    }
    double tol = 1e-12 * sqrt((double)n) * (inverse ? 1.0 / n : 1.0) * 10;
    int bad = !(max_err <= tol);
    if (bad) fprintf(stderr, "n=%lld inverse=%d: max error %g over tolerance %g\n", (long long)n, inverse, max_err, tol);
    free(x), free(y), free(work), free(cs);
    ia_fft_plan_free(&p);
    return bad;
}

int main(void) {
    int fails = 0;
    for (int64_t n = 1; n <= 300; n++) fails += check(n, 0) + check(n, 1);
    const int64_t big[] = {400, 512, 1000, 1024, 1031, 4096, 4099};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) fails += check(big[i], 0) + check(big[i], 1);
    ia_fft_plan p;
    if (ia_fft_plan_init(&p, 0) != IA_ERR_LIMIT) fails++, fprintf(stderr, "n=0 accepted\n");
    if (ia_fft_plan_init(&p, -5) != IA_ERR_LIMIT) fails++, fprintf(stderr, "n=-5 accepted\n");
    printf("test_signal_fft: %s (%d failures)\n", fails ? "FAIL" : "ok", fails);
    return fails != 0;
}
