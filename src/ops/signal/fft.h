/* Complex FFT of any length in double precision, shared by the signal kernels: iterative
 * radix-2 for powers of two, Bluestein's chirp-z algorithm (over a radix-2 FFT) otherwise. */
#ifndef IA_SIGNAL_FFT_H
#define IA_SIGNAL_FFT_H

#include <stdint.h>

typedef struct ia_fft_plan {
    int64_t n;         /* transform length */
    int64_t m;         /* radix-2 length: n itself, or Bluestein's padded length >= 2n-1 */
    double *tw;        /* m/2 complex twiddles exp(-2 pi i k / m), interleaved re/im */
    double *chirp;     /* Bluestein: n complex exp(-pi i k^2 / n); NULL for powers of two */
    double *chirp_fft; /* Bluestein: FFT of the conjugated chirp, wrapped to length m */
} ia_fft_plan;

/* Prepares a plan for length n >= 1. Returns IA_OK, IA_ERR_NOMEM or IA_ERR_LIMIT. */
int ia_fft_plan_init(ia_fft_plan *p, int64_t n);
void ia_fft_plan_free(ia_fft_plan *p);

/* Complex doubles (interleaved) the caller must provide as `work` to ia_fft_run. */
int64_t ia_fft_work_len(const ia_fft_plan *p);

/* Transforms data[0..n) (complex, interleaved re/im) in place: the forward DFT
 * X[k] = sum_j x[j] exp(-2 pi i jk/n), or with `inverse` the inverse DFT including the 1/n
 * factor. `work` holds ia_fft_work_len(p) complex values. */
void ia_fft_run(const ia_fft_plan *p, double *data, int inverse, double *work);

#endif
