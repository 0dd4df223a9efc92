/* DFT and STFT: discrete and short-time Fourier transforms over real or complex input
 * (last dimension 1 or 2), computed in double with the FFT in fft.c. */
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/signal/fft.h"

static int is_signal_dtype(int dt) {
    return dt == IA_DTYPE_FLOAT || dt == IA_DTYPE_DOUBLE || dt == IA_DTYPE_FLOAT16 || dt == IA_DTYPE_BFLOAT16;
}

static inline double load(const void *d, int dt, int64_t i) {
    if (dt == IA_DTYPE_FLOAT) return ((const float *)d)[i];
    if (dt == IA_DTYPE_DOUBLE) return ((const double *)d)[i];
    return ia_get_f64(d, dt, i);
}

static inline void store(void *d, int dt, int64_t i, double v) {
    if (dt == IA_DTYPE_FLOAT) ((float *)d)[i] = (float)v;
    else if (dt == IA_DTYPE_DOUBLE) ((double *)d)[i] = v;
    else ia_set_f64(d, dt, i, v);
}

/* Reads the integer scalar at input `i` (one int32/int64 element) into *v. In shape-only mode
 * an unknown value gives IA_ERR_NEED_VALUE. */
static int read_scalar_input(ia_kctx *ctx, int i, const char *what, int64_t *v) {
    const ia_tensor *t = ia_kctx_input_data(ctx, i);
    if (!t) {
        if (ia_kctx_shape_only(ctx)) return IA_ERR_NEED_VALUE;
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s has no value", what);
    }
    if (t->dtype != IA_DTYPE_INT32 && t->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s must be int32 or int64, got %s", what, ia_dtype_name(t->dtype));
    if (t->numel != 1 || t->rank > 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s must be a scalar", what);
    *v = ia_get_i64(t->data, t->dtype, 0);
    return IA_OK;
}

/* Per-thread buffers: a line of n complex values followed by the plan's work area. */
typedef struct {
    const ia_fft_plan *plan;
    double *bufs;
    int64_t buf_len; /* doubles per thread */
} fft_buffers;

static int fft_buffers_init(ia_kctx *ctx, fft_buffers *fb, const ia_fft_plan *plan) {
    int threads = ia_threadpool_size(ia_kctx_pool(ctx));
    fb->plan = plan;
    fb->buf_len = 2 * (plan->n + ia_fft_work_len(plan));
    fb->bufs = ia_kctx_scratch(ctx, (size_t)threads * (size_t)fb->buf_len * sizeof(double));
    return fb->bufs ? IA_OK : IA_ERR_NOMEM;
}

/* Runs fn over `lines` transforms of length n: in parallel when the work is large. */
static void run_lines(ia_kctx *ctx, int64_t lines, int64_t n, ia_parallel_fn fn, void *job) {
    int64_t grain = 32768 / (n > 0 ? n : 1);
    if (grain < 1) grain = 1;
    if (lines * n < 32768) fn(job, 0, lines, 0);
    else ia_parallel_for(ia_kctx_pool(ctx), lines, grain, fn, job);
}

/* ---- DFT ---- */

typedef struct {
    fft_buffers fb;
    const void *x;
    void *y;
    int dt, channels, inverse;
    int64_t n_in, n, out_len, inner;
} dft_job;

static void dft_lines(void *arg, int64_t begin, int64_t end, int thread_index) {
    const dft_job *j = arg;
    double *line = j->fb.bufs + (int64_t)thread_index * j->fb.buf_len;
    double *work = line + 2 * j->n;
    int64_t copy = j->n_in < j->n ? j->n_in : j->n;
    for (int64_t l = begin; l < end; l++) {
        int64_t o = l / j->inner, i = l - o * j->inner;
        int64_t in0 = (o * j->n_in * j->inner + i) * j->channels, in_step = j->inner * j->channels;
        for (int64_t k = 0; k < copy; k++) {
            line[2 * k] = load(j->x, j->dt, in0 + k * in_step);
            line[2 * k + 1] = j->channels == 2 ? load(j->x, j->dt, in0 + k * in_step + 1) : 0.0;
        }
        memset(line + 2 * copy, 0, (size_t)(j->n - copy) * 2 * sizeof(double));
        ia_fft_run(j->fb.plan, line, j->inverse, work);
        int64_t out0 = (o * j->out_len * j->inner + i) * 2, out_step = j->inner * 2;
        for (int64_t k = 0; k < j->out_len; k++) {
            store(j->y, j->dt, out0 + k * out_step, line[2 * k]);
            store(j->y, j->dt, out0 + k * out_step + 1, line[2 * k + 1]);
        }
    }
}

int ia_op_dft(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DFT needs an input");
    if (!is_signal_dtype(x->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "DFT does not support input type %s", ia_dtype_name(x->dtype));
    int r = x->rank;
    if (r < 2) IA_KFAIL(ctx, IA_ERR_SHAPE, "DFT input must have rank >= 2, got %d", r);
    int64_t channels = x->dims[r - 1];
    if (channels != 1 && channels != 2)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "DFT input's last dimension must be 1 (real) or 2 (complex), got %lld", (long long)channels);
    int64_t axis = ia_kctx_attr_int(ctx, "axis", 1);
    if (axis < 0) axis += r; /* opset 20 counts negative axes from the end, the last being the real/imag one */
    if (axis < 0 || axis > r - 2)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DFT axis %lld is out of range for rank %d", (long long)ia_kctx_attr_int(ctx, "axis", 1), r);
    int64_t inverse = ia_kctx_attr_int(ctx, "inverse", 0), onesided = ia_kctx_attr_int(ctx, "onesided", 0);
    if ((inverse != 0 && inverse != 1) || (onesided != 0 && onesided != 1))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DFT inverse and onesided must be 0 or 1");
    if (onesided && channels == 2) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DFT onesided output needs real input");

    int64_t n_in = x->dims[axis], n = n_in;
    if (ia_kctx_input(ctx, 1)) {
        IA_KTRY(read_scalar_input(ctx, 1, "DFT dft_length", &n));
        if (n < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "DFT dft_length must be positive, got %lld", (long long)n);
    } else if (n < 1) {
        IA_KFAIL(ctx, IA_ERR_SHAPE, "DFT axis %lld has length 0", (long long)axis);
    }
    int64_t out_len = onesided ? n / 2 + 1 : n;
    int64_t dims[IA_MAX_DIMS];
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)r);
    dims[axis] = out_len;
    dims[r - 1] = 2;
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, x->dtype, r, dims, &y));
    if (ia_kctx_shape_only(ctx) || y->numel == 0) return IA_OK;

    dft_job j;
    memset(&j, 0, sizeof j);
    j.x = x->data, j.y = y->data, j.dt = x->dtype, j.channels = (int)channels, j.inverse = (int)inverse;
    j.n_in = n_in, j.n = n, j.out_len = out_len, j.inner = 1;
    int64_t outer = 1;
    for (int d = 0; d < axis; d++) outer *= x->dims[d];
    for (int d = (int)axis + 1; d < r - 1; d++) j.inner *= x->dims[d];
    ia_fft_plan plan;
    int rc = ia_fft_plan_init(&plan, n);
    if (rc) IA_KFAIL(ctx, rc, "DFT cannot prepare a transform of length %lld", (long long)n);
    rc = fft_buffers_init(ctx, &j.fb, &plan);
    if (!rc) run_lines(ctx, outer * j.inner, n, dft_lines, &j);
    ia_fft_plan_free(&plan);
    return rc;
}

/* ---- STFT ---- */

typedef struct {
    fft_buffers fb;
    const void *sig, *win; /* win may be NULL (rectangular) */
    void *y;
    int dt, channels;
    int64_t sig_len, step, frames, n, bins;
} stft_job;

static void stft_lines(void *arg, int64_t begin, int64_t end, int thread_index) {
    const stft_job *j = arg;
    double *line = j->fb.bufs + (int64_t)thread_index * j->fb.buf_len;
    double *work = line + 2 * j->n;
    for (int64_t l = begin; l < end; l++) {
        int64_t b = l / j->frames, f = l - b * j->frames;
        int64_t in0 = (b * j->sig_len + f * j->step) * j->channels;
        for (int64_t k = 0; k < j->n; k++) {
            double w = j->win ? load(j->win, j->dt, k) : 1.0;
            line[2 * k] = w * load(j->sig, j->dt, in0 + k * j->channels);
            line[2 * k + 1] = j->channels == 2 ? w * load(j->sig, j->dt, in0 + k * j->channels + 1) : 0.0;
        }
        ia_fft_run(j->fb.plan, line, 0, work);
        int64_t out0 = l * j->bins * 2;
        for (int64_t k = 0; k < j->bins; k++) {
            store(j->y, j->dt, out0 + 2 * k, line[2 * k]);
            store(j->y, j->dt, out0 + 2 * k + 1, line[2 * k + 1]);
        }
    }
}

int ia_op_stft(ia_kctx *ctx) {
    const ia_tensor *sig = ia_kctx_input(ctx, 0), *win = ia_kctx_input(ctx, 2);
    char sb[128];
    if (!sig || !ia_kctx_input(ctx, 1)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT needs inputs signal and frame_step");
    if (!is_signal_dtype(sig->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "STFT does not support signal type %s", ia_dtype_name(sig->dtype));
    if (sig->rank != 3 || (sig->dims[2] != 1 && sig->dims[2] != 2))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "STFT signal must have shape [batch, length, 1 or 2], got %s",
                 ia_shape_str(sig->rank, sig->dims, sb, sizeof sb));
    int64_t onesided = ia_kctx_attr_int(ctx, "onesided", 1);
    if (onesided != 0 && onesided != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT onesided must be 0 or 1");
    if (onesided && sig->dims[2] == 2) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT onesided output needs a real signal");
    if (win) {
        if (win->dtype != sig->dtype)
            IA_KFAIL(ctx, IA_ERR_TYPE, "STFT window is %s but the signal is %s", ia_dtype_name(win->dtype), ia_dtype_name(sig->dtype));
        if (win->rank != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "STFT window must be 1-D, got %s", ia_shape_str(win->rank, win->dims, sb, sizeof sb));
    }

    int64_t step = 0, n = 0;
    IA_KTRY(read_scalar_input(ctx, 1, "STFT frame_step", &step));
    if (step < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT frame_step must be positive, got %lld", (long long)step);
    if (ia_kctx_input(ctx, 3)) {
        IA_KTRY(read_scalar_input(ctx, 3, "STFT frame_length", &n));
        if (win && win->dims[0] != n)
            IA_KFAIL(ctx, IA_ERR_SHAPE, "STFT window length %lld differs from frame_length %lld", (long long)win->dims[0], (long long)n);
    } else if (win) {
        n = win->dims[0];
    } else {
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT needs a window or a frame_length");
    }
    if (n < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "STFT frame length must be positive, got %lld", (long long)n);
    int64_t sig_len = sig->dims[1];
    if (sig_len < n)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "STFT signal length %lld is shorter than the frame length %lld", (long long)sig_len, (long long)n);
    int64_t frames = (sig_len - n) / step + 1, bins = onesided ? n / 2 + 1 : n;
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, sig->dtype, 4, (int64_t[]){sig->dims[0], frames, bins, 2}, &y));
    if (ia_kctx_shape_only(ctx) || y->numel == 0) return IA_OK;

    stft_job j;
    memset(&j, 0, sizeof j);
    j.sig = sig->data, j.win = win ? win->data : NULL, j.y = y->data, j.dt = sig->dtype;
    j.channels = (int)sig->dims[2], j.sig_len = sig_len, j.step = step, j.frames = frames, j.n = n, j.bins = bins;
    ia_fft_plan plan;
    int rc = ia_fft_plan_init(&plan, n);
    if (rc) IA_KFAIL(ctx, rc, "STFT cannot prepare a transform of length %lld", (long long)n);
    rc = fft_buffers_init(ctx, &j.fb, &plan);
    if (!rc) run_lines(ctx, sig->dims[0] * frames, n, stft_lines, &j);
    ia_fft_plan_free(&plan);
    return rc;
}
