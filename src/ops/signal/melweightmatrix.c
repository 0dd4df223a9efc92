/* MelWeightMatrix: triangular mel filterbank mapping onesided DFT bins to mel bands. */
#include <math.h>
#include "ops/kernel_util.h"
#include "ops/signal/signal_util.h"

static int int_scalar(ia_kctx *ctx, int i, const char *what, int64_t *v) {
    const ia_tensor *t = ia_kctx_input(ctx, i);
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix needs input %s", what);
    if (t->dtype != IA_DTYPE_INT32 && t->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "MelWeightMatrix %s must be int32 or int64, got %s", what, ia_dtype_name(t->dtype));
    if (t->numel != 1 || t->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "MelWeightMatrix %s must be a scalar", what);
    const ia_tensor *d = ia_kctx_input_data(ctx, i);
    if (!d) return IA_ERR_NEED_VALUE;
    *v = ia_get_i64(d->data, d->dtype, 0);
    return IA_OK;
}

static int float_scalar(ia_kctx *ctx, int i, const char *what, double *v) {
    const ia_tensor *t = ia_kctx_input(ctx, i);
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix needs input %s", what);
    if (!ia_dtype_is_float(t->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "MelWeightMatrix %s must be a float type, got %s", what, ia_dtype_name(t->dtype));
    if (t->numel != 1 || t->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "MelWeightMatrix %s must be a scalar", what);
    *v = t->data ? ia_get_f64(t->data, t->dtype, 0) : 0.0;
    return IA_OK;
}

static double hz_to_mel(double hz) { return 2595.0 * log10(1.0 + hz / 700.0); }
static double mel_to_hz(double mel) { return 700.0 * (pow(10.0, mel / 2595.0) - 1.0); }

int ia_op_mel_weight_matrix(ia_kctx *ctx) {
    int64_t n_mel = 0, dft_len = 0, rate = 0;
    double lo = 0, hi = 0;
    IA_KTRY(int_scalar(ctx, 0, "num_mel_bins", &n_mel));
    IA_KTRY(int_scalar(ctx, 1, "dft_length", &dft_len));
    IA_KTRY(int_scalar(ctx, 2, "sample_rate", &rate));
    IA_KTRY(float_scalar(ctx, 3, "lower_edge_hertz", &lo));
    IA_KTRY(float_scalar(ctx, 4, "upper_edge_hertz", &hi));
    int64_t dt = ia_kctx_attr_int(ctx, "output_datatype", IA_DTYPE_FLOAT);
    if (!ia_signal_output_dtype_ok((int)dt) || dt != (int)dt)
        IA_KFAIL(ctx, IA_ERR_TYPE, "MelWeightMatrix output_datatype %lld is not a supported numeric type", (long long)dt);
    if (n_mel < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix num_mel_bins must not be negative, got %lld", (long long)n_mel);
    if (dft_len < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix dft_length must be positive, got %lld", (long long)dft_len);
    if (rate < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix sample_rate must be positive, got %lld", (long long)rate);
    int64_t n_bins = dft_len / 2 + 1;
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, (int)dt, 2, (int64_t[]){n_bins, n_mel}, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    if (!isfinite(lo) || !isfinite(hi) || lo < 0 || hi <= lo)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "MelWeightMatrix needs 0 <= lower_edge_hertz < upper_edge_hertz, got %g and %g", lo, hi);
    if (n_mel == 0) return IA_OK;

    /* Band edges: n_mel + 2 points evenly spaced in mel, each mapped to the DFT bin
     * floor((dft_length + 1) * hz / sample_rate). The step divides the mel range by the
     * number of points (n_mel + 2), as the ONNX reference does. */
    int64_t *edge = ia_kctx_scratch(ctx, (size_t)(n_mel + 2) * sizeof(int64_t));
    double *w = ia_kctx_scratch(ctx, (size_t)n_bins * (size_t)n_mel * sizeof(double));
    if (!edge || !w) return IA_ERR_NOMEM;
    double lo_mel = hz_to_mel(lo), hi_mel = hz_to_mel(hi);
    double step = (hi_mel - lo_mel) / (double)(n_mel + 2);
    for (int64_t i = 0; i < n_mel + 2; i++) {
        double hz = mel_to_hz((double)i * step + lo_mel);
        double b = floor((double)(dft_len + 1) * hz / (double)rate);
        edge[i] = b < 0 ? 0 : b > (double)n_bins ? n_bins : (int64_t)b;
    }
    for (int64_t i = 0; i < n_mel; i++) {
        int64_t left = edge[i], center = edge[i + 1], right = edge[i + 2];
        if (center == left) {
            if (center < n_bins) w[center * n_mel + i] = 1.0;
        } else {
            for (int64_t j = left; j <= center && j < n_bins; j++)
                w[j * n_mel + i] = (double)(j - left) / (double)(center - left);
        }
        for (int64_t j = center; j < right && j < n_bins; j++)
            w[j * n_mel + i] = (double)(right - j) / (double)(right - center);
    }
    for (int64_t k = 0; k < n_bins * n_mel; k++) ia_set_f64(y->data, (int)dt, k, w[k]);
    return IA_OK;
}
